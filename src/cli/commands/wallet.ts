import { credentialOfPayload } from "../../credentials/jose.js";
import { writeFileSync } from "node:fs";
import { Command } from "commander";
import { LerError, UsageError } from "../../errors.js";
import type { VerificationResult } from "../../verify/report.js";
import { decodeJwt } from "../../verify/jwt.js";
import type { Session } from "../context.js";
import { describeJwt } from "../../wallet/jwt.js";
import { readInput, sourceName, tokensIn } from "../input.js";
import { isoTime, short } from "../output.js";
import { mark } from "../render.js";
import { done, examples, resolveIdentity, who, type Act } from "./common.js";

export function registerWalletCommands(program: Command, act: Act): void {
  const wallet = program
    .command("wallet")
    .alias("holder")
    .description(
      "holders: keep received credentials in a local wallet, see what they prove, present them to verifiers",
    );
  examples(wallet, [
    "ler wallet add degree.jwt",
    "ler wallet list",
    "ler wallet present --holder ada --challenge 8f3a… --domain employer.example --all --out vp.jwt",
  ]);

  examples(
    wallet
      .command("add")
      .description("store received credentials (a JWT, JSON with `jwt` or `proof.jwt`, or JSON Lines of them)")
      .argument("<file>", "the file, or `-` for stdin")
      .action(act(add)),
    ["ler wallet add degree.jwt", "ler issue … --json | ler wallet add -"],
  );

  examples(wallet.command("list").description("list the credentials in the wallet").action(act(list)), [
    "ler wallet list",
    "ler wallet list --json",
  ]);

  examples(
    wallet
      .command("show")
      .description("show a stored credential, decoded")
      .argument("<id>", "the credential's id (or a unique prefix)")
      .action(act(show)),
    ["ler wallet show urn:uuid:1d6a4c3e"],
  );

  examples(
    wallet
      .command("remove")
      .description("remove credentials from the wallet")
      .argument("<ids...>", "credential ids")
      .action(act(remove)),
    ["ler wallet remove urn:uuid:1d6a4c3e-8f0b-4b8e-9c4e-2b7f0a1c5d01"],
  );

  examples(
    wallet
      .command("skills")
      .description("what the wallet's credentials prove: achievements and skills, each with the credentials behind it")
      .option("--no-verify", "do not verify the credentials against the chain first")
      .action(act(skills)),
    ["ler wallet skills", "ler wallet skills --json | jq '.skills[].name'"],
  );

  const match = wallet
    .command("match")
    .description("compare the wallet with an opportunity's job profile: what is met, unconfirmed or missing")
    .argument("<job-profile>", "a job profile (JSON, see docs/job-profile.md), or `-` for stdin")
    .option("--no-verify", "do not verify the credentials against the chain first")
    .action(act(matchProfile));
  examples(match, ["ler wallet match examples/job-profile.json", "ler wallet match job.json --json | jq .gaps"]);
  match.addHelpText(
    "after",
    "\nExit status: 0 when every required item is met, 1 when some are missing or unconfirmed.\n",
  );

  const present = wallet
    .command("present")
    .description("make a presentation of stored credentials for a verifier's challenge and domain")
    .argument("[ids...]", "credential ids (or unique prefixes)")
    .requiredOption(
      "--holder <identity>",
      "the holder identity that signs (alias, DID or address); the credentials' subject",
    )
    .requiredOption("--challenge <nonce>", "the verifier's challenge (binds the presentation to this request)")
    .requiredOption("--domain <domain>", "the verifier's domain (the presentation's audience)")
    .option("--all", "every stored credential whose subject is the holder")
    .option("--out <file>", "write the presentation (compact JWT) to this file")
    .action(act(makePresentation));
  examples(present, [
    "ler wallet present urn:uuid:1d6a… --holder ada --challenge 8f3a9c --domain employer.example --out vp.jwt",
    "ler verify vp.jwt --challenge 8f3a9c --domain employer.example",
  ]);
}

async function add(s: Session, file: string): Promise<void> {
  const where = sourceName(file);
  const found = tokensIn(await readInput(file), where);
  const credentials = found.filter((f) => f.kind === "credential");
  if (credentials.length === 0)
    throw new UsageError("no_credentials", `${where} holds no credential (a presentation is verified, not stored).`);
  const items = credentials.map((f, i) => {
    try {
      const jwt = decodeJwt(f.token);
      credentialOfPayload(jwt.payload);
      return { id: describeJwt(jwt.raw).id, jwt: jwt.raw };
    } catch (e) {
      throw new UsageError(
        "not_a_credential",
        `${where}${credentials.length > 1 ? ` (item ${i + 1})` : ""} is not a credential JWT: ${(e as Error).message}`,
      );
    }
  });
  const { added, present } = await (await s.wallet()).add(items, new Date());
  s.out.result({ added: added.map((e) => e.id), alreadyPresent: present.map((e) => e.id) }, () => {
    for (const e of added) done(s.out, `Stored ${label(e.jwt, e.id)}`);
    for (const e of present) s.out.line(`${s.out.c.dim("•")} already in the wallet: ${label(e.jwt, e.id)}`);
  });
}

function label(jwt: string, id: string): string {
  const d = describeJwt(jwt);
  return `"${d.name ?? id}"${d.issuerName !== undefined ? ` from ${d.issuerName}` : ""} (${id})`;
}

async function list(s: Session): Promise<void> {
  const entries = await (await s.wallet()).list();
  const rows = entries.map((e) => ({ ...describeJwt(e.jwt), id: e.id, addedAt: e.addedAt, jwt: e.jwt }));
  s.out.result({ count: rows.length, credentials: rows }, () => {
    if (rows.length === 0) {
      s.out.line("The wallet is empty: store a credential with `ler wallet add FILE`.");
      return;
    }
    s.out.table(
      ["ID", "NAME", "TYPE", "ISSUER", "SUBJECT", "ISSUED"],
      rows.map((r) => [
        r.id,
        r.name ?? "-",
        r.types.join(", ") || "-",
        r.issuerName ?? (r.issuer === undefined ? "-" : short(r.issuer)),
        r.subject === undefined ? "-" : short(r.subject),
        r.issuedAt === undefined ? "-" : isoTime(r.issuedAt).slice(0, 10),
      ]),
    );
  });
}

async function pick(s: Session, ids: readonly string[]) {
  const entries = await (await s.wallet()).list();
  return ids.map((id) => {
    const exact = entries.find((e) => e.id === id);
    if (exact !== undefined) return exact;
    const matches = entries.filter((e) => e.id.startsWith(id));
    if (matches.length === 1) return matches[0]!;
    if (matches.length === 0)
      throw new UsageError("unknown_credential", `No credential ${id} in the wallet (see \`ler wallet list\`).`);
    throw new UsageError("ambiguous_id", `${id} matches ${matches.length} credentials; give more of the id.`);
  });
}

async function show(s: Session, id: string): Promise<void> {
  const [entry] = await pick(s, [id]);
  const payload = decodeJwt(entry!.jwt).payload;
  s.out.result({ id: entry!.id, addedAt: entry!.addedAt, jwt: entry!.jwt, payload }, () => {
    s.out.line(s.out.c.bold(label(entry!.jwt, entry!.id)));
    s.out.line(JSON.stringify(payload, null, 2));
  });
}

async function remove(s: Session, ids: string[]): Promise<void> {
  const entries = await pick(s, ids);
  const removed = await (await s.wallet()).remove(entries.map((e) => e.id));
  s.out.result({ removed: removed.map((e) => e.id) }, () => {
    for (const e of removed) done(s.out, `Removed ${label(e.jwt, e.id)}`);
  });
}

async function makePresentation(
  s: Session,
  ids: string[],
  opts: { holder: string; challenge: string; domain: string; all?: boolean; out?: string },
): Promise<void> {
  const agent = await s.agent("local");
  const holder = await resolveIdentity(agent, s.settings.network, opts.holder);
  if (holder.owner === undefined)
    throw new UsageError(
      "unknown_identity",
      `This key store holds no key for ${holder.did}: only your own identities can present.`,
    );
  let chosen;
  if (opts.all === true) {
    if (ids.length > 0) throw new UsageError("invalid_argument", "Give credential ids or --all, not both.");
    chosen = (await (await s.wallet()).list()).filter(
      (e) => describeJwt(e.jwt).subject?.toLowerCase() === holder.did.toLowerCase(),
    );
    if (chosen.length === 0)
      throw new UsageError("no_credentials", `The wallet holds no credential whose subject is ${holder.did}.`);
  } else {
    if (ids.length === 0)
      throw new UsageError(
        "missing_argument",
        "Name the credentials to present (ids from `ler wallet list`), or --all.",
      );
    chosen = await pick(s, ids);
  }
  const { jwt } = await agent.lerCreatePresentation({
    holder: holder.did,
    credentials: chosen.map((e) => e.jwt),
    challenge: opts.challenge,
    domain: opts.domain,
  });
  if (opts.out !== undefined) writeFileSync(opts.out, `${jwt}\n`);
  s.out.result(
    { jwt, holder: holder.did, challenge: opts.challenge, domain: opts.domain, credentials: chosen.map((e) => e.id) },
    () => {
      done(
        s.out,
        `Presentation by ${who(holder)} of ${chosen.length} credential${chosen.length === 1 ? "" : "s"} for ${opts.domain}${opts.out !== undefined ? `, saved to ${opts.out}` : ""}`,
      );
      if (opts.out === undefined) {
        s.out.line();
        s.out.line(jwt);
      }
    },
  );
}

/** The wallet's credentials as the skills report reads them, with their verification unless `verify` is false. */
async function heldCredentials(s: Session, verify: boolean) {
  const entries = await (await s.wallet()).list();
  const { readHeldCredentials, verifiableInputs, verificationByRef } = await import("../../wallet/index.js");
  const held = readHeldCredentials(entries.map((e) => e.jwt));
  if (!verify || held.held.length === 0) return { held, verification: undefined };
  const reader = await s.reader("verify");
  const reports = await reader.lerVerifyCredentials({ credentials: verifiableInputs(held) });
  return { held, verification: verificationByRef(held, reports) };
}

function evidenceMark(out: Session["out"], v: VerificationResult | undefined): string {
  return v === undefined ? out.c.dim("•") : mark(v === "valid" ? "pass" : v === "invalid" ? "fail" : "unknown", out.c);
}

function evidenceLine(e: {
  credentialName?: string;
  credential: string;
  issuerName?: string;
  issuer?: string;
}): string {
  return `${e.credentialName ?? e.credential}${e.issuerName !== undefined ? ` (${e.issuerName})` : e.issuer !== undefined ? ` (${short(e.issuer)})` : ""}`;
}

async function skills(s: Session, opts: { verify: boolean }): Promise<void> {
  const { held, verification } = await heldCredentials(s, opts.verify);
  const { skillsReport } = await import("../../wallet/index.js");
  const report = skillsReport(held, verification === undefined ? {} : { verification });
  s.out.result(report, () => {
    const out = s.out;
    const tally =
      verification === undefined
        ? "not verified"
        : ["valid", "invalid", "unknown"]
            .map((r) => `${[...verification.values()].filter((v) => v === r).length} ${r}`)
            .join(", ");
    out.line(
      `${out.c.bold(`${report.credentials.length} credential${report.credentials.length === 1 ? "" : "s"}`)} in the wallet (${tally})`,
    );
    if (report.achievements.length > 0) {
      out.line();
      out.line(out.c.bold("Achievements"));
      for (const a of report.achievements) {
        out.line(
          `  ${evidenceMark(out, best(a.provenBy))} ${a.name}  ${out.c.dim(a.achievementType)}  ${out.c.dim("—")} ${a.provenBy.map(evidenceLine).join("; ")}`,
        );
      }
    }
    out.line();
    out.line(out.c.bold("Skills"));
    if (report.skills.length === 0) out.line(out.c.dim("  none: no credential is aligned to a skill or competency"));
    for (const k of report.skills) {
      const where = k.targetFramework !== undefined ? ` ${out.c.dim(`(${k.targetFramework})`)}` : "";
      out.line(
        `  ${evidenceMark(out, best(k.provenBy))} ${k.name}${where}  ${out.c.dim("—")} ${k.provenBy.map(evidenceLine).join("; ")}`,
      );
    }
    for (const u of report.unreadable)
      out.line(`  ${out.c.yellow("?")} item ${u.position}: ${u.message} ${out.c.dim(`[${u.code}]`)}`);
  });
}

/** The strongest verification among the evidence: valid, else unknown, else invalid; none when not verified. */
function best(evidence: readonly { verification?: VerificationResult }[]): VerificationResult | undefined {
  const vs = evidence.map((e) => e.verification);
  if (vs.includes("valid")) return "valid";
  if (vs.includes("unknown")) return "unknown";
  if (vs.includes("invalid")) return "invalid";
  return undefined;
}

async function matchProfile(s: Session, file: string, opts: { verify: boolean }): Promise<number> {
  const where = sourceName(file);
  const { parseJobProfile, matchJobProfile } = await import("../../wallet/index.js");
  let profile;
  try {
    profile = parseJobProfile(JSON.parse(await readInput(file)));
  } catch (e) {
    if (e instanceof SyntaxError) throw new UsageError("invalid_json", `${where} is not valid JSON (${e.message}).`);
    if (e instanceof LerError && !(e instanceof UsageError))
      throw new UsageError(e.code, `${where}: ${e.message}`, { cause: e });
    throw e;
  }
  const { held, verification } = await heldCredentials(s, opts.verify);
  const report = matchJobProfile(held, profile, verification === undefined ? {} : { verification });
  s.out.result(report, () => {
    const out = s.out;
    const title = `${report.profile.title}${report.profile.organization !== undefined ? ` at ${report.profile.organization}` : ""}`;
    const { required, met } = report.summary;
    const head = report.satisfied
      ? out.c.green("✔ every requirement met")
      : out.c.red(`✘ ${met} of ${required} requirements met`);
    out.line(`${out.c.bold(title)}: ${head}`);
    out.line();
    const statusMark = (st: string) =>
      st === "met" ? out.c.green("✔") : st === "unconfirmed" ? out.c.yellow("?") : out.c.red("✘");
    const width = Math.max(...report.requirements.map((r) => r.label.length));
    for (const r of report.requirements) {
      const proof = r.evidence.length > 0 ? r.evidence.map(evidenceLine).join("; ") : r.status;
      out.line(
        `  ${statusMark(r.status)} ${(r.required ? "required " : "preferred").padEnd(9)}  ${r.label.padEnd(width)}  ${out.c.dim(proof)}`,
      );
    }
    if (report.gaps.length > 0) {
      out.line();
      out.line(`  ${out.c.red("missing")}  ${report.gaps.join(", ")}`);
    }
  });
  return report.satisfied ? 0 : 1;
}
