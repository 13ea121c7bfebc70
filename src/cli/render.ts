import type {
  Check,
  CredentialReport,
  PresentationReport,
  TrustChainEntry,
  VerificationResult,
} from "../verify/report.js";
import { isoTime, short, type Output, type Palette } from "./output.js";

/** The mark of a check: pass ✔, fail ✘, unknown ?, skipped –. */
export function mark(outcome: Check["outcome"], c: Palette): string {
  switch (outcome) {
    case "pass":
      return c.green("✔");
    case "fail":
      return c.red("✘");
    case "unknown":
      return c.yellow("?");
    default:
      return c.dim("–");
  }
}

export function resultLabel(result: VerificationResult, c: Palette): string {
  if (result === "valid") return c.bold(c.green("✔ VALID"));
  if (result === "invalid") return c.bold(c.red("✘ INVALID"));
  return c.bold(c.yellow("? UNKNOWN"));
}

/** Checks whose failure makes every other answer moot: an unreadable token, then a forged signature. */
const FIRST: readonly Check["id"][] = ["format", "signature", "holder_signature"];

/**
 * Why a report is not valid: the failed check that matters most (format, then signature, then in report order),
 * else the first that could not be decided; for a presentation, its own checks before its credentials'.
 */
export function reason(report: {
  result: VerificationResult;
  checks: readonly Check[];
  credentials?: readonly CredentialReport[];
}): Check | undefined {
  if (report.result === "valid") return undefined;
  const outcome = report.result === "invalid" ? "fail" : "unknown";
  const failing = report.checks.filter((c) => c.outcome === outcome);
  const own = failing.find((c) => FIRST.includes(c.id)) ?? failing[0];
  if (own !== undefined) return own;
  for (const nested of report.credentials ?? []) {
    const r = reason(nested);
    if (r !== undefined && nested.result === report.result) return r;
  }
  return undefined;
}

/** One link's label: its name when known, else its short address; its state when not active. */
function linkLabel(link: TrustChainEntry, c: Palette): string {
  const who = link.name !== undefined ? `${link.name} (${short(link.address)})` : short(link.address);
  const state = `${link.status === "active" ? "" : ` ${c.red(`[${link.status === "none" ? "not yet accredited" : link.status}]`)}`}${link.statusNow !== undefined ? ` ${c.red(`[${link.statusNow} now]`)}` : ""}`;
  const expired = link.validUntil !== null && link.validUntil * 1000 < Date.now() ? ` ${c.red("[expired]")}` : "";
  return `${who}${state}${expired}`;
}

/** The chain drawn from the root down to the issuer: `root -> accreditor -> issuer`. */
export function drawChain(chain: readonly TrustChainEntry[], c: Palette): string {
  if (chain.length === 0) return c.dim("(not accredited)");
  const topDown = [...chain].reverse();
  const root = topDown[0]!;
  const parts = topDown.map((l) => linkLabel(l, c));
  return `${root.isRoot ? c.dim("root ") : c.yellow("(no root) ")}${parts.join(c.dim(" -> "))}`;
}

function checkLine(check: Check, c: Palette, idWidth: number, codeWidth: number): string {
  return `${mark(check.outcome, c)} ${check.id.padEnd(idWidth)}  ${c.dim(check.code.padEnd(codeWidth))}  ${check.message}`;
}

function checksBlock(out: Output, checks: readonly Check[], indent: string): void {
  const idWidth = Math.max(...checks.map((k) => k.id.length));
  const codeWidth = Math.max(...checks.map((k) => k.code.length));
  for (const check of checks) out.line(`${indent}${checkLine(check, out.c, idWidth, codeWidth)}`);
}

/** When it was issued: the anchored time when the chain proved it, else what the credential claims, and why. */
function issuedLine(r: CredentialReport): string | undefined {
  if (r.trustedTime?.source === "anchor")
    return `${isoTime(r.trustedTime.at)} (anchored in block ${r.trustedTime.anchorBlock})`;
  if (r.credential.issuedAt === undefined) return undefined;
  const anchor = r.checks.find((k) => k.id === "anchor");
  const why =
    anchor?.outcome === "unknown"
      ? "anchor not checked"
      : anchor?.code === "anchor_not_found"
        ? "its anchor is not on chain"
        : "not anchored";
  return `${isoTime(r.credential.issuedAt)} (claimed; ${why})`;
}

/** The achievement types of a credential, by id (the report names only its VC types). */
export type TypesOf = (credentialId: string) => readonly string[];

/** A credential report, as `ler verify` prints it. */
export function printCredentialReport(
  out: Output,
  r: CredentialReport,
  indent = "",
  typesOf: TypesOf = () => [],
): void {
  const achievementTypes = r.credential.id === undefined ? [] : typesOf(r.credential.id);
  const c = out.c;
  const title = r.credential.name ?? r.credential.id ?? "credential";
  out.line(`${indent}${resultLabel(r.result, c)}  ${c.bold(title)}`);
  out.fields(
    [
      ["id", r.credential.id],
      // The name is the credential's claim about itself, not the registry's: said so.
      [
        "issuer",
        r.credential.issuer === undefined
          ? undefined
          : `${r.credential.issuerName !== undefined ? `${r.credential.issuerName} ${c.dim("(claimed)")} ` : ""}${c.dim(r.credential.issuer)}`,
      ],
      ["subject", r.credential.subject],
      [
        "types",
        [...(r.credential.types?.filter((t) => t !== "VerifiableCredential") ?? []), ...achievementTypes].join(", ") ||
          undefined,
      ],
      ["issued", issuedLine(r)],
      ["expires", r.credential.expiresAt === undefined ? undefined : isoTime(r.credential.expiresAt)],
      // Only when the chain was read: a token that could not be parsed, or an unreachable chain, has no chain to draw.
      [
        "trust chain",
        r.checks.some((k) => k.id === "trust" && k.outcome !== "unknown") ? drawChain(r.trustChain, c) : undefined,
      ],
    ],
    `${indent}  `,
  );
  out.line();
  checksBlock(out, r.checks, `${indent}  `);
  const why = reason(r);
  if (why !== undefined) {
    out.line();
    out.line(
      `${indent}  ${r.result === "invalid" ? c.red("reason") : c.yellow("reason")}  ${why.message} ${c.dim(`[${why.code}]`)}`,
    );
  }
  // A record (CLR 2.0): each credential it embeds, verified in its own right.
  r.embedded?.forEach((e, i) => {
    out.line();
    out.line(`${indent}  ${c.dim(`embedded credential ${i + 1} of ${r.embedded!.length}`)}`);
    printCredentialReport(out, e, `${indent}  `, typesOf);
  });
}

/** A presentation report: its own checks, then each credential's. */
export function printPresentationReport(out: Output, r: PresentationReport, typesOf: TypesOf = () => []): void {
  const c = out.c;
  out.line(`${resultLabel(r.result, c)}  ${c.bold("presentation")}${r.holder !== undefined ? ` by ${r.holder}` : ""}`);
  out.line();
  checksBlock(out, r.checks, "  ");
  r.credentials.forEach((cr, i) => {
    out.line();
    out.line(`  ${c.dim(`credential ${i + 1} of ${r.credentials.length}`)}`);
    printCredentialReport(out, cr, "  ", typesOf);
  });
  const why = reason(r);
  if (why !== undefined) {
    out.line();
    out.line(
      `  ${r.result === "invalid" ? c.red("reason") : c.yellow("reason")}  ${why.message} ${c.dim(`[${why.code}]`)}`,
    );
  }
}

/** The exit code for a verification result: 0 valid, 1 invalid, 2 unknown. */
export function exitCodeOf(result: VerificationResult): number {
  return result === "valid" ? 0 : result === "invalid" ? 1 : 2;
}
