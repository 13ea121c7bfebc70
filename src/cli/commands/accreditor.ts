import { Command, Option } from "commander";
import type { AccreditationRole } from "../../agent/types.js";
import { UsageError } from "../../errors.js";
import type { TrustChainEntry } from "../../verify/report.js";
import { collectList, parseTime } from "../config.js";
import type { Session } from "../context.js";
import { isoTime, short } from "../output.js";
import { registeredTypes, trustedAt, chainNow } from "../registry.js";
import { drawChain } from "../render.js";
import { didOf, done, examples, reasonOption, resolveIdentity, scopeExtras, who, type Act } from "./common.js";

interface AccreditOpts {
  as: string;
  types: string[];
  role: AccreditationRole;
  validFrom?: number;
  validUntil?: number;
  metadataUri?: string;
  metadataHash?: string;
  reason?: number;
}

export function registerAccreditorCommands(program: Command, act: Act): void {
  const acc = program
    .command("accreditor")
    .alias("acc")
    .description("accreditors: accredit issuers (or accreditors) within their own scope; suspend, reinstate, revoke; show trust chains");
  examples(acc, [
    "ler accreditor accredit \"State University\" --types Degree,Course --as \"Qualifications Authority\"",
    "ler accreditor suspend \"Code Bootcamp\" --as \"Qualifications Authority\" --reason 3",
    "ler accreditor chain \"State University\" --type Degree",
  ]);

  const scopeOptions = (cmd: Command, required: boolean) => {
    cmd
      .requiredOption("--as <identity>", "the accreditor (the subject's parent; for a root, governance)")
      .addOption(new Option("--role <role>", "what the subject may do").choices(["issuer", "accreditor", "both"]).default("issuer"))
      .option("--valid-from <time>", "start of validity (date, date-time or unix seconds; default now)", parseTime("--valid-from"))
      .option("--valid-until <time>", "end of validity (default: none)", parseTime("--valid-until"))
      .option("--metadata-uri <uri>", "where the subject's public profile lives")
      .option("--metadata-hash <bytes32>", "keccak256 of that profile");
    if (required) cmd.requiredOption("--types <types>", "comma-separated credential types, within the accreditor's own scope", collectList);
    else cmd.requiredOption("--types <types>", "the new scope: comma-separated credential types", collectList);
    return cmd;
  };

  examples(
    scopeOptions(
      acc.command("accredit").description("accredit a subject to issue (or accredit) credential types").argument("<subject>", "alias, DID or address"),
      true,
    ).action(act(accredit)),
    [
      "ler accreditor accredit \"Regional Accreditor\" --role accreditor --types Degree,Course,Certificate --as \"Qualifications Authority\"",
      "ler accreditor accredit \"State University\" --types Degree,Course --valid-until 2030-12-31 --as \"Regional Accreditor\"",
    ],
  );

  examples(
    scopeOptions(
      acc.command("update").description("change an accreditation's role, scope, validity or metadata").argument("<subject>", "alias, DID or address"),
      false,
    )
      .option("--reason <code>", "reason code recorded with the change (0-255)", reasonOption)
      .action(act(update)),
    ["ler accreditor update \"State University\" --types Degree --as \"Regional Accreditor\" --reason 2"],
  );

  for (const [name, description, extra] of [
    ["suspend", "suspend an accreditation: the subject and everyone it accredited are distrusted until reinstated", ""],
    ["reinstate", "lift a suspension", ""],
    ["revoke", "revoke an accreditation (terminal); --effective-at may lie in the past, e.g. for a key compromise", "--effective-at"],
  ] as const) {
    const cmd = acc
      .command(name)
      .description(description)
      .argument("<subject>", "alias, DID or address")
      .requiredOption("--as <identity>", "the accreditor (the subject's parent; for a root, governance)")
      .option("--reason <code>", "reason code recorded on chain (0-255)", reasonOption);
    if (extra !== "") cmd.option("--effective-at <time>", "when the revocation takes effect (default now; not in the future)", parseTime("--effective-at"));
    cmd.action(act((s: Session, subject: string, opts: { as: string; reason?: number; effectiveAt?: number }) => change(s, name, subject, opts)));
    examples(cmd, [`ler accreditor ${name} "Code Bootcamp" --as "Regional Accreditor"${name === "revoke" ? " --effective-at 2025-01-01 --reason 9" : ""}`]);
  }

  examples(
    acc
      .command("chain")
      .description("show an identity's trust chain, from the root down, and whether it is trusted for a type")
      .argument("<identity>", "alias, DID or address")
      .option("--type <type>", "also ask the registry whether it is trusted for this credential type")
      .option("--at <time>", "the time to ask about (default: now)", parseTime("--at"))
      .action(act(chain)),
    ["ler accreditor chain \"State University\"", "ler accreditor chain did:ethr:localhost:0x3C44…93BC --type Degree --json"],
  );
}

async function accredit(s: Session, subjectRef: string, opts: AccreditOpts): Promise<void> {
  if (opts.types.length === 0) throw new UsageError("empty_scope", "--types names no type.");
  const agent = await s.agent("chain");
  const accreditor = await resolveIdentity(agent, s.settings.network, opts.as);
  const subject = await resolveIdentity(agent, s.settings.network, subjectRef);
  const tx = await agent.lerAccredit({ accreditor: accreditor.did, subject: subject.did, role: opts.role, types: opts.types, ...scopeExtras(opts) });
  s.out.result({ accreditor: accreditor.did, subject: subject.did, role: opts.role, types: opts.types, tx }, () => {
    done(s.out, `${who(accreditor)} accredited ${who(subject)} as ${opts.role} for ${opts.types.join(", ")}`, tx);
  });
}

async function update(s: Session, subjectRef: string, opts: AccreditOpts): Promise<void> {
  if (opts.types.length === 0) throw new UsageError("empty_scope", "--types names no type.");
  const agent = await s.agent("chain");
  const accreditor = await resolveIdentity(agent, s.settings.network, opts.as);
  const subject = await resolveIdentity(agent, s.settings.network, subjectRef);
  const tx = await agent.lerUpdateAccreditation({
    accreditor: accreditor.did,
    subject: subject.did,
    role: opts.role,
    types: opts.types,
    ...scopeExtras(opts),
    ...(opts.reason !== undefined && { reason: opts.reason }),
  });
  s.out.result({ accreditor: accreditor.did, subject: subject.did, role: opts.role, types: opts.types, tx }, () => {
    done(s.out, `Updated ${who(subject)}: ${opts.role} for ${opts.types.join(", ")}`, tx);
  });
}

async function change(
  s: Session,
  action: "suspend" | "reinstate" | "revoke",
  subjectRef: string,
  opts: { as: string; reason?: number; effectiveAt?: number },
): Promise<void> {
  const agent = await s.agent("chain");
  const accreditor = await resolveIdentity(agent, s.settings.network, opts.as);
  const subject = await resolveIdentity(agent, s.settings.network, subjectRef);
  const args = { accreditor: accreditor.did, subject: subject.did, ...(opts.reason !== undefined && { reason: opts.reason }) };
  const tx =
    action === "suspend"
      ? await agent.lerSuspendAccreditation(args)
      : action === "reinstate"
        ? await agent.lerReinstateAccreditation(args)
        : await agent.lerRevokeAccreditation({ ...args, ...(opts.effectiveAt !== undefined && { effectiveAt: opts.effectiveAt }) });
  const verb = { suspend: "Suspended", reinstate: "Reinstated", revoke: "Revoked" }[action];
  s.out.result({ action, accreditor: accreditor.did, subject: subject.did, ...(opts.reason !== undefined && { reason: opts.reason }), tx }, () => {
    done(s.out, `${verb} the accreditation of ${who(subject)}${opts.reason !== undefined ? ` (reason ${opts.reason})` : ""}`, tx);
  });
}

async function chain(s: Session, ref: string, opts: { type?: string; at?: number }): Promise<number> {
  let did = didOf(s.settings.network, ref);
  if (did === undefined) did = (await resolveIdentity(await s.agent("chain"), s.settings.network, ref)).did;
  const reader = await s.reader("chain");
  const network = await s.network("chain");
  const [links, types] = await Promise.all([reader.lerTrustChain({ did }), registeredTypes(network)]);
  const typeNames = new Map(types.map((t) => [t.id, t.name]));
  const names = await s.localNames();
  const named: TrustChainEntry[] = links.map((l) => ({
    ...l,
    scope: l.scope.map((x) => ({ id: x.id, ...(typeNames.has(x.id) && { name: typeNames.get(x.id)! }) })),
    ...(names.has(l.address) && { name: names.get(l.address)! }),
  }));
  let verdict: Awaited<ReturnType<typeof trustedAt>> | undefined;
  let at: number | undefined;
  if (opts.type !== undefined) {
    const type = types.find((t) => t.name === opts.type);
    if (type === undefined) throw new UsageError("unknown_type_name", `"${opts.type}" is not a registered credential type (see \`ler gov types\`).`);
    at = opts.at ?? (await chainNow(network));
    verdict = await trustedAt(network, /(0x[0-9a-fA-F]{40})$/.exec(did)![1]!, type.id, at);
  }
  s.out.result(
    {
      did,
      chain: named.map(({ name: _n, ...l }) => ({ ...l, scope: l.scope })),
      ...(verdict !== undefined && { type: opts.type, at, trusted: verdict.verdict === "trusted", verdict: verdict.verdict, ...(verdict.verdict !== "trusted" && { failedAt: verdict.failedAt }), root: verdict.root }),
    },
    () => {
      const out = s.out;
      const c = out.c;
      out.line(`${c.bold("Trust chain")} of ${did}`);
      if (named.length === 0) {
        out.line(`  ${c.yellow("not accredited")}`);
      } else {
        out.line(`  ${drawChain(named, c)}`);
        out.line();
        const rows = [...named].reverse().map((l) => [
          l.isRoot ? "root" : l.role.join("+"),
          names.get(l.address) ?? short(l.address),
          l.status === "active" ? c.green(l.status) : c.red(l.status),
          l.scope.map((x) => x.name ?? `#${x.id}`).join(", "),
          `${l.validFrom === 0 ? "always" : isoTime(l.validFrom)} → ${l.validUntil === null ? "no end" : isoTime(l.validUntil)}`,
        ]);
        out.table(["ROLE", "WHO", "STATUS", "SCOPE", "VALID"], rows, "  ");
      }
      if (verdict !== undefined) {
        out.line();
        const mark = verdict.verdict === "trusted" ? c.green("✔ trusted") : c.red(`✘ not trusted (${verdict.verdict})`);
        out.line(`  ${mark} for ${opts.type} at ${isoTime(at!)}${verdict.verdict !== "trusted" && /^0x0{40}$/.test(verdict.failedAt) === false ? `: fails at ${names.get(verdict.failedAt) ?? verdict.failedAt}` : ""}`);
      }
    },
  );
  return verdict === undefined || verdict.verdict === "trusted" ? 0 : 1;
}
