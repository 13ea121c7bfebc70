import { credentialJwtOf, presentationOfPayload } from "../../credentials/jose.js";
import { Command } from "commander";
import type { CredentialReport, PresentationReport, TrustChainEntry, VerificationResult } from "../../verify/report.js";
import { UsageError } from "../../errors.js";
import { decodeJwt, isDecodedJwt } from "../../verify/index.js";
import { collect, parseInteger, parseTime } from "../config.js";
import type { Session } from "../context.js";
import { readInput, sourceName, tokensIn, type FoundToken } from "../input.js";
import { count, toJson } from "../output.js";
import { exitCodeOf, mark, printCredentialReport, printPresentationReport, reason, resultLabel } from "../render.js";
import { examples, type Act } from "./common.js";
import { jwtPayload } from "../../wallet/jwt.js";

export function registerVerifyCommand(program: Command, act: Act): void {
  const verify = program
    .command("verify")
    .description("verify credentials or presentations (detected from the input) against the chain")
    .argument(
      "<file...>",
      "a JWT, a W3C credential/presentation JSON, `ler issue --json` output, or JSON Lines of credentials; `-` for stdin; several files at once",
    )
    .option(
      "--challenge <nonce>",
      "the challenge the presentation must answer (with it, every input must be a presentation)",
    )
    .option(
      "--domain <domain>",
      "the domain the presentation must be addressed to (with it, every input must be a presentation)",
    )
    .option(
      "--trusted-root <did>",
      "trust only chains ending at this root (repeatable; default: every root the registry holds)",
      collect,
    )
    .option("--skew <seconds>", "clock skew tolerated on validity windows", parseInteger("--skew", 0, 86_400))
    .option(
      "--now <time>",
      "verify as at this time (unix seconds, or a date or date-time; default the clock): see below",
      parseTime("--now"),
    )
    .option(
      "--jsonl",
      "print one JSON report per line, one for each credential or presentation, in input order (implies --json)",
    )
    .option(
      "--threads <n>",
      "verify the credentials across this many worker threads (for batches of thousands; default 1)",
      parseInteger("--threads", 1, 256),
    )
    .option(
      "--check-status-lists",
      "also fetch the Bitstring Status Lists an LER names and report whether they agree with the chain (the chain decides)",
    )
    // A verification that could not be carried out is `unknown` (2), never `invalid` (1).
    .action(act(verifyCommand, { failureExit: 2 }));
  examples(verify, [
    "ler verify degree.jwt",
    "ler verify vp.jwt --challenge 8f3a9c --domain employer.example",
    "cat degree.jwt | ler verify - --json | jq -r .result",
    "ler verify issued.jsonl             # every credential of a batch, with one chain read",
    "ler verify issued.jsonl --threads 4 --jsonl > reports.jsonl   # a large batch on four cores",
    "ler verify *.jwt --jsonl | jq -r '\"\\(.source) \\(.result)\"'",
    "ler verify degree.jwt --now 2030-06-30   # is it still within its validity then?",
  ]);
  verify.addHelpText(
    "after",
    `
Exit status: 0 valid, 1 invalid, 2 unknown (the chain could not be read, or nothing to verify against: never
taken for valid), 64 usage. With several credentials: the worst of them (invalid, then unknown).
With --json, prints one object: {result, checks: [{id, outcome, code, message}], …} (see the README); with
several credentials {kind: "batch", result, count, valid, invalid, unknown, reports}. With --jsonl, one report
per line instead, each with "source": the file, and ":N" for the Nth item of a file holding several.
--now sets the verifier's clock: validity windows, presentations' windows, and the trust of credentials
without an issuance anchor are judged at that time. The chain is still read at its latest block: revocations,
suspensions and key changes made since are seen (an anchored credential's trust is judged at its anchor).
A credential whose status is only a W3C BitstringStatusListEntry (issued by other tools) is checked on its list,
fetched over HTTP(S) (256 KiB and 5 s at most) and signed by the credential's issuer; a list that cannot be used
makes the status unknown. --check-status-lists also fetches the lists an LER names and reports
status_list_agrees / status_list_disagrees beside the chain's answer, which decides.
`,
  );
}

interface VerifyOpts {
  challenge?: string;
  domain?: string;
  trustedRoot?: string[];
  skew?: number;
  now?: number;
  jsonl?: boolean;
  threads?: number;
  checkStatusLists?: boolean;
}

async function verifyCommand(s: Session, files: string[], opts: VerifyOpts): Promise<number> {
  if (files.filter((f) => f === "-").length > 1)
    throw new UsageError("invalid_argument", "stdin (`-`) can be read only once.");
  // Every input is read (and refused if unreadable) before anything is verified.
  // A verifier that names a challenge or a domain asks for presentations: anything else given is verified as one
  // (and fails), never accepted as a bare credential that answers no challenge and binds no holder.
  const presentationsOnly = opts.challenge !== undefined || opts.domain !== undefined;
  const found: (FoundToken & { source: string })[] = [];
  for (const file of files) {
    const where = sourceName(file);
    const tokens = tokensIn(await readInput(file), where);
    tokens.forEach((t, i) =>
      found.push({
        ...t,
        ...(presentationsOnly && { kind: "presentation" as const }),
        source: tokens.length === 1 ? where : `${where}:${i + 1}`,
      }),
    );
  }
  // One input is decoded once, here: the decoded token is what is verified and what its report is printed from.
  if (found.length === 1) found[0]!.token = decodedOrAsIs(found[0]!.token);
  const reader = await s.reader("verify");
  const common = {
    ...(opts.trustedRoot !== undefined && { trustedRoots: opts.trustedRoot }),
    ...(opts.skew !== undefined && { clockSkewSeconds: opts.skew }),
    ...(opts.now !== undefined && { now: opts.now }),
    ...(opts.checkStatusLists === true && { checkStatusLists: true }),
  };
  // Credentials are verified together (one chain read for all), presentations one by one; reports keep input order.
  const credentials = found.flatMap((f, i) => (f.kind === "credential" ? [i] : []));
  const reports: (CredentialReport | PresentationReport)[] = new Array(found.length);
  if (credentials.length === 1) {
    reports[credentials[0]!] = await reader.lerVerifyCredential({
      credential: found[credentials[0]!]!.token,
      ...common,
    });
  } else if (credentials.length > 1) {
    const tokens = credentials.map((i) => found[i]!.token);
    const many = await reader.lerVerifyCredentials({
      credentials: tokens,
      ...common,
      ...((opts.threads ?? 1) > 1 && { threads: opts.threads! }),
    });
    credentials.forEach((i, k) => (reports[i] = many[k]!));
  }
  for (const [i, p] of found.entries()) {
    if (p.kind !== "presentation") continue;
    reports[i] = await reader.lerVerifyPresentation({
      presentation: p.token,
      ...common,
      ...(opts.challenge !== undefined && { challenge: opts.challenge }),
      ...(opts.domain !== undefined && { domain: opts.domain }),
    });
  }
  if (opts.jsonl === true) {
    // One line per report, written as it is ready to go: a reader can stream them.
    for (const [i, r] of reports.entries()) s.out.stdout.write(`${toJson({ source: found[i]!.source, ...r }, true)}\n`);
    return exitCodeOf(worst(reports.map((r) => r.result)));
  }
  const names = s.out.json ? new Map<string, string>() : await s.localNames();
  const labelled = <R extends CredentialReport | PresentationReport>(r: R): R =>
    r.kind === "credential"
      ? { ...r, trustChain: r.trustChain.map((l) => withName(l, names)) }
      : ({ ...r, credentials: (r as PresentationReport).credentials.map((c) => labelled(c)) } as R);

  if (reports.length === 1) {
    const r = reports[0]!;
    const typesOf = achievementTypesById(found.map((f) => f.token));
    s.out.result(r, () =>
      r.kind === "credential"
        ? printCredentialReport(s.out, labelled(r), "", typesOf)
        : printPresentationReport(s.out, labelled(r), typesOf),
    );
    return exitCodeOf(r.result);
  }
  const result = worst(reports.map((r) => r.result));
  const tally = { valid: 0, invalid: 0, unknown: 0 };
  for (const r of reports) tally[r.result]++;
  s.out.result({ kind: "batch", result, count: reports.length, ...tally, checks: [], reports }, () => {
    const out = s.out;
    out.line(
      `${resultLabel(result, out.c)}  ${count(reports.length)} items: ${count(tally.valid)} valid, ${count(tally.invalid)} invalid, ${count(tally.unknown)} unknown`,
    );
    // Up to 20 items one per line; beyond that only the ones that are not valid.
    const notValid = reports.filter((r) => r.result !== "valid");
    const shown = reports.length <= 20 ? reports : notValid.slice(0, 20);
    for (const r of shown) {
      const why = reason(r);
      const title =
        r.kind === "credential"
          ? (r.credential.id ?? r.credential.name ?? "credential")
          : `presentation by ${r.holder ?? "?"}`;
      out.line(
        `  ${mark(r.result === "valid" ? "pass" : r.result === "invalid" ? "fail" : "unknown", out.c)} ${title}${why !== undefined ? `  ${out.c.dim(`${why.code}: ${why.message}`)}` : ""}`,
      );
    }
    if (reports.length > 20 && notValid.length > shown.length)
      out.line(out.c.dim(`  … and ${count(notValid.length - shown.length)} more not valid`));
  });
  return exitCodeOf(result);
}

/** The input, decoded when it is a JWT (a token `decodeJwt` decoded is verified as it is); else as given. */
function decodedOrAsIs(token: unknown): unknown {
  if (typeof token !== "string") return token;
  try {
    return decodeJwt(token);
  } catch {
    return token; // its report says what is wrong with it
  }
}

/** Achievement types by credential id, from the credentials given and those inside presentations. */
function achievementTypesById(tokens: readonly unknown[]): (id: string) => string[] {
  const map = new Map<string, string[]>();
  const visit = (token: unknown) => {
    // A token decoded for verification is read as it is; other tokens are decoded once here.
    const payload = typeof token === "string" ? jwtPayload(token) : isDecodedJwt(token) ? token.payload : undefined;
    if (payload === undefined) return;
    const vp = presentationOfPayload(payload);
    if (vp !== undefined) {
      const vcs = Array.isArray(vp.verifiableCredential) ? vp.verifiableCredential : [vp.verifiableCredential];
      for (const vc of vcs) visit(credentialJwtOf(vc));
      return;
    }
    const d = describePayload(payload);
    if (d.id !== undefined) map.set(d.id, d.types);
    // A record's embedded credentials (CLR 2.0) have reports of their own.
    const subject = (payload.credentialSubject ?? {}) as { verifiableCredential?: unknown };
    if (Array.isArray(subject.verifiableCredential))
      for (const vc of subject.verifiableCredential) visit(credentialJwtOf(vc));
  };
  tokens.forEach(visit);
  return (id) => map.get(id) ?? [];
}

/** A credential's id and achievement types as its JWT payload states them (as `describeJwt` reads them). */
function describePayload(p: Record<string, unknown>): { id?: string; types: string[] } {
  // The credential: the `vc` claim (VC 1.1), or the payload itself (VC-JOSE).
  const vc = (typeof p.vc === "object" && p.vc !== null ? p.vc : p) as Record<string, unknown>;
  const subject = (vc.credentialSubject ?? {}) as Record<string, unknown>;
  const achievementValue = subject.achievement;
  const achievements = (
    Array.isArray(achievementValue) ? achievementValue : achievementValue !== undefined ? [achievementValue] : []
  ) as Record<string, unknown>[];
  const out: { id?: string; types: string[] } = {
    types: [...new Set(achievements.map((a) => a.achievementType).filter((t): t is string => typeof t === "string"))],
  };
  const id = p.jti ?? vc.id;
  if (typeof id === "string") out.id = id;
  return out;
}

function withName(link: TrustChainEntry, names: Map<string, string>): TrustChainEntry {
  const name = link.name ?? names.get(link.address);
  return name === undefined ? link : { ...link, name };
}

function worst(results: VerificationResult[]): VerificationResult {
  if (results.includes("invalid")) return "invalid";
  if (results.includes("unknown")) return "unknown";
  return "valid";
}
