import { Command, Option } from "commander";
import { ZeroHash } from "ethers";
import type { AccreditationRole, AccreditationTermsView } from "../../agent/types.js";
import { UsageError } from "../../errors.js";
import { NO_END, Verdict, verdictMessage } from "../../verify/trust.js";
import { collectList, parseTime } from "../config.js";
import type { Session } from "../context.js";
import { readInput, sourceName } from "../input.js";
import { isoTime, short } from "../output.js";
import { chainNow, registeredTypes, trustedAt } from "../../agent/network.js";
import { drawChain } from "../render.js";
import { didOf, done, examples, reasonOption, resolveIdentity, scopeExtras, txLine, who, type Act } from "./common.js";
import { parseJson } from "../../issue/requests.js";

interface AccreditOpts {
  as: string;
  types: string[];
  role: AccreditationRole;
  validFrom?: number;
  validUntil?: number;
  metadataUri?: string;
  metadataHash?: string;
  consent?: string;
  deadline?: number;
}

interface UpdateOpts extends Omit<AccreditOpts, "types" | "role" | "consent" | "deadline"> {
  types?: string[];
  role?: AccreditationRole;
  reason?: number;
}

/** `--valid-until`: a time, or `none` for no end. */
function parseUntil(value: string): number {
  return value.trim().toLowerCase() === "none" ? NO_END : parseTime("--valid-until")(value);
}

export function registerAccreditorCommands(program: Command, act: Act): void {
  const acc = program
    .command("accreditor")
    .alias("acc")
    .description(
      "accreditors: accredit issuers (or accreditors) within their own scope; update, suspend, reinstate, revoke; show trust chains and their history",
    );
  examples(acc, [
    'ler accreditor accredit "State University" --types Degree,Course --as "Qualifications Authority"',
    'ler accreditor suspend "Code Bootcamp" --as "Qualifications Authority" --reason 3',
    'ler accreditor chain "State University" --type Degree --at 2026-01-01',
    'ler accreditor history "State University"',
  ]);

  const accredit = acc
    .command("accredit")
    .description("accredit a subject to issue (or accredit) credential types, with its consent")
    .argument("<subject>", "alias, DID or address")
    .requiredOption("--as <identity>", "the accreditor (for a root, use `ler gov add-root`)")
    .requiredOption(
      "--types <types>",
      "comma-separated credential types, within the accreditor's own scope",
      collectList,
    )
    .addOption(
      new Option("--role <role>", "what the subject may do")
        .choices(["issuer", "accreditor", "both"])
        .default("issuer"),
    )
    .option(
      "--valid-from <time>",
      "start of validity (date, date-time or unix seconds); default none of its own: in force from the block that records it, never earlier",
      parseTime("--valid-from"),
    )
    .option("--valid-until <time>", "end of validity (default: no end)", parseUntil)
    .option("--metadata-uri <uri>", "where the subject's public profile lives")
    .option("--metadata-hash <bytes32>", "keccak256 of that profile")
    .option(
      "--consent <sig|file>",
      "the subject's consent to these terms, from `ler id consent` (a 0x signature, or the file its --json wrote); not needed when this key store holds the subject's key",
    )
    .option(
      "--deadline <time>",
      "the deadline the consent was signed with (read from a consent file when it holds one)",
      parseTime("--deadline"),
    )
    .action(act(accreditCommand));
  examples(accredit, [
    'ler accreditor accredit "Regional Accreditor" --role accreditor --types Degree,Course,Certificate --as "Qualifications Authority"',
    'ler accreditor accredit "State University" --types Degree,Course --valid-until 2030-12-31 --as "Regional Accreditor"',
    "# the subject's key is elsewhere: it signs its consent there, the accreditor sends it",
    'ler id consent "City College" --accreditor did:ethr:localhost:0x90F7…b906 --types Course --json > consent.json   # on the subject\'s machine',
    'ler accreditor accredit did:ethr:localhost:0x15d3…6A65 --types Course --consent consent.json --as "Regional Accreditor"',
  ]);
  accredit.addHelpText(
    "after",
    `
The subject's owner must consent to exactly these terms (accreditor, role, types, validity, metadata hash): this key
store signs for it when it holds the subject's key; otherwise pass --consent. A subject is accredited once.
`,
  );

  const update = acc
    .command("update")
    .description(
      "change only the given fields of an accreditation (role, scope, validity, metadata); prints before → after",
    )
    .argument("<subject>", "alias, DID or address")
    .requiredOption("--as <identity>", "who changes it: its accreditor in force, an ancestor in force, or governance")
    .option("--types <types>", "the new scope: comma-separated credential types (default: unchanged)", collectList)
    .addOption(
      new Option("--role <role>", "the new role (default: unchanged)").choices(["issuer", "accreditor", "both"]),
    )
    .option(
      "--valid-from <time>",
      "new start of validity (default: unchanged; the change takes effect from its block, never earlier)",
      parseTime("--valid-from"),
    )
    .option("--valid-until <time>", "new end of validity, or `none` for no end (default: unchanged)", parseUntil)
    .option("--metadata-uri <uri>", "new profile URI (default: unchanged)")
    .option("--metadata-hash <bytes32>", "new profile hash (default: unchanged)")
    .option("--reason <code>", "reason code recorded with the change (0-255)", reasonOption)
    .action(act(updateCommand));
  examples(update, [
    'ler accreditor update "State University" --types Degree --as "Regional Accreditor" --reason 2',
    'ler accreditor update "State University" --valid-until none --as "Regional Accreditor"',
  ]);
  update.addHelpText(
    "after",
    `
Fields not given keep their current value. A change is a new version from its block on: credentials anchored
earlier are judged by the version in force when they were anchored. An update that changes nothing is refused
(nothing_to_change). With --json, prints {subject, before, after, changes: {field: {before, after}}, tx}.
`,
  );

  for (const [name, description, extra] of [
    ["suspend", "suspend an accreditation: the subject and everyone it accredited are distrusted until reinstated", ""],
    ["reinstate", "lift a suspension", ""],
    [
      "revoke",
      "revoke an accreditation (terminal); --effective-at may lie in the past, e.g. for a key compromise",
      "--effective-at",
    ],
  ] as const) {
    const cmd = acc
      .command(name)
      .description(description)
      .argument("<subject>", "alias, DID or address")
      .requiredOption("--as <identity>", "the accreditor (the subject's parent; for a root, governance)")
      .option("--reason <code>", "reason code recorded on chain (0-255)", reasonOption);
    if (extra !== "") {
      cmd.option(
        "--effective-at <time>",
        "when the revocation takes effect (default now; not in the future; on a revoked accreditation, earlier than its current effective time)",
        parseTime("--effective-at"),
      );
    }
    cmd.action(
      act((s: Session, subject: string, opts: { as: string; reason?: number; effectiveAt?: number }) =>
        change(s, name, subject, opts),
      ),
    );
    examples(cmd, [
      `ler accreditor ${name} "Code Bootcamp" --as "Regional Accreditor"${name === "revoke" ? " --effective-at 2025-01-01 --reason 9" : ""}`,
    ]);
  }

  const chainCmd = acc
    .command("chain")
    .description(
      "show an identity's trust chain as it stood at a time (default now), and whether it was trusted for a type then",
    )
    .argument("<identity>", "alias, DID or address")
    .option("--type <type>", "also ask the registry whether it was trusted for this credential type at that time")
    .option(
      "--at <time>",
      "the time to ask about (date, date-time or unix seconds; default: the chain's now)",
      parseTime("--at"),
    )
    .action(act(chain));
  examples(chainCmd, [
    'ler accreditor chain "State University"',
    "ler accreditor chain did:ethr:localhost:0x3C44…93BC --type Degree --at 2026-03-01T12:00:00Z --json",
  ]);
  chainCmd.addHelpText(
    "after",
    `
Each link is shown in the version in force at --at, with its status now when that differs. The verdict is the
registry's own (TrustRegistry.trustedAt): the versions at that time, plus what holds now (a suspension now holds
everything beneath it; a revocation effective at or before that time distrusts it). Exit status 1 when not trusted.
`,
  );

  examples(
    acc
      .command("history")
      .description("list every version of each link of an identity's trust chain, with the time each took effect")
      .argument("<identity>", "alias, DID or address")
      .action(act(history)),
    ['ler accreditor history "State University"', 'ler accreditor history "Code Bootcamp" --json'],
  );
}

/** A consent given as a signature or as a file (`ler id consent --json` output, or a bare signature). */
async function consentFrom(
  opts: AccreditOpts,
): Promise<{ consent: string; deadline?: number; terms?: Record<string, unknown> } | undefined> {
  if (opts.consent === undefined) return undefined;
  const given = opts.consent.trim();
  if (/^0x[0-9a-fA-F]+$/.test(given)) return { consent: given };
  const text = (await readInput(given)).trim();
  if (/^0x[0-9a-fA-F]+$/.test(text)) return { consent: text };
  const value = parseJson(text, sourceName(given)) as { consent?: unknown; deadline?: unknown; terms?: unknown };
  if (typeof value !== "object" || value === null || typeof value.consent !== "string") {
    throw new UsageError(
      "invalid_consent",
      `${sourceName(given)} holds no consent (a 0x signature, or the JSON \`ler id consent --json\` prints).`,
    );
  }
  return {
    consent: value.consent,
    ...(typeof value.deadline === "number" && { deadline: value.deadline }),
    ...(typeof value.terms === "object" && value.terms !== null && { terms: value.terms as Record<string, unknown> }),
  };
}

/** The fields on which a consent file's terms differ from the accreditation about to be sent. */
function termsMismatch(
  terms: Record<string, unknown>,
  want: {
    accreditor: string;
    subject: string;
    role: string;
    types: string[];
    validFrom: number;
    validUntil: number;
    metadataHash: string;
  },
): string[] {
  const differ: string[] = [];
  const addr = (v: unknown) => (typeof v === "string" ? (/(0x[0-9a-fA-F]{40})$/.exec(v)?.[1] ?? v).toLowerCase() : v);
  if (addr(terms.accreditor) !== addr(want.accreditor)) differ.push("accreditor");
  if (addr(terms.subject) !== addr(want.subject)) differ.push("subject");
  if (terms.role !== want.role) differ.push("role");
  if (!Array.isArray(terms.types) || [...terms.types].sort().join(",") !== [...want.types].sort().join(","))
    differ.push("types");
  if (terms.validFrom !== want.validFrom) differ.push("valid-from");
  if (terms.validUntil !== want.validUntil) differ.push("valid-until");
  if (typeof terms.metadataHash !== "string" || terms.metadataHash.toLowerCase() !== want.metadataHash.toLowerCase())
    differ.push("metadata-hash");
  return differ;
}

async function accreditCommand(s: Session, subjectRef: string, opts: AccreditOpts): Promise<void> {
  if (opts.types.length === 0) throw new UsageError("empty_scope", "--types names no type.");
  const agent = await s.agent("chain");
  const accreditor = await resolveIdentity(agent, s.settings.network, opts.as);
  const subject = await resolveIdentity(agent, s.settings.network, subjectRef);
  const given = await consentFrom(opts);
  if (given?.terms !== undefined) {
    const differ = termsMismatch(given.terms, {
      accreditor: accreditor.address,
      subject: subject.address,
      role: opts.role,
      types: opts.types,
      validFrom: opts.validFrom ?? 0,
      validUntil: opts.validUntil ?? NO_END,
      metadataHash: opts.metadataHash ?? ZeroHash,
    });
    if (differ.length > 0) {
      throw new UsageError(
        "consent_mismatch",
        `The consent covers other terms than these (${differ.join(", ")} differ): the subject must consent to exactly what is sent.`,
        {
          details: { differ },
        },
      );
    }
  }
  const deadline = opts.deadline ?? given?.deadline;
  if (given !== undefined && deadline === undefined)
    throw new UsageError("missing_deadline", "--consent needs --deadline: the deadline the consent was signed with.");
  const tx = await agent.lerAccredit({
    accreditor: accreditor.did,
    subject: subject.did,
    role: opts.role,
    types: opts.types,
    ...scopeExtras(opts),
    ...(given !== undefined && { consent: given.consent }),
    ...(deadline !== undefined && { deadline }),
  });
  s.out.result({ accreditor: accreditor.did, subject: subject.did, role: opts.role, types: opts.types, tx }, () => {
    done(s.out, `${who(accreditor)} accredited ${who(subject)} as ${opts.role} for ${opts.types.join(", ")}`, tx);
  });
}

const FIELD_NAMES: Record<keyof AccreditationTermsView, string> = {
  role: "role",
  types: "types",
  validFrom: "valid from",
  validUntil: "valid until",
  metadataURI: "metadata URI",
  metadataHash: "metadata hash",
};

function termValue(key: keyof AccreditationTermsView, value: unknown): string {
  if (key === "types") return (value as string[]).join(", ");
  if (key === "validFrom") return value === 0 ? "the start (in force from its block)" : isoTime(value as number);
  if (key === "validUntil") return value === null ? "no end" : isoTime(value as number);
  return value === "" ? "(none)" : String(value);
}

async function updateCommand(s: Session, subjectRef: string, opts: UpdateOpts): Promise<void> {
  if (opts.types !== undefined && opts.types.length === 0)
    throw new UsageError("empty_scope", "--types names no type.");
  const agent = await s.agent("chain");
  const accreditor = await resolveIdentity(agent, s.settings.network, opts.as);
  const subject = await resolveIdentity(agent, s.settings.network, subjectRef);
  const result = await agent.lerUpdateAccreditation({
    accreditor: accreditor.did,
    subject: subject.did,
    ...(opts.role !== undefined && { role: opts.role }),
    ...(opts.types !== undefined && { types: opts.types }),
    ...scopeExtras(opts),
    ...(opts.reason !== undefined && { reason: opts.reason }),
  });
  s.out.result(
    {
      accreditor: accreditor.did,
      subject: subject.did,
      before: result.before,
      after: result.after,
      changes: result.changes,
      tx: result.tx,
    },
    () => {
      const out = s.out;
      done(
        out,
        `Updated the accreditation of ${who(subject)}${opts.reason !== undefined ? ` (reason ${opts.reason})` : ""}`,
      );
      const changed = Object.entries(result.changes) as [
        keyof AccreditationTermsView,
        { before: unknown; after: unknown },
      ][];
      const width = Math.max(...changed.map(([k]) => FIELD_NAMES[k].length));
      for (const [key, { before, after }] of changed)
        out.line(`  ${FIELD_NAMES[key].padEnd(width)}  ${termValue(key, before)} → ${termValue(key, after)}`);
      out.line(`  ${out.c.dim(txLine(result.tx))}`);
    },
  );
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
  const args = {
    accreditor: accreditor.did,
    subject: subject.did,
    ...(opts.reason !== undefined && { reason: opts.reason }),
  };
  const tx =
    action === "suspend"
      ? await agent.lerSuspendAccreditation(args)
      : action === "reinstate"
        ? await agent.lerReinstateAccreditation(args)
        : await agent.lerRevokeAccreditation({
            ...args,
            ...(opts.effectiveAt !== undefined && { effectiveAt: opts.effectiveAt }),
          });
  const verb = { suspend: "Suspended", reinstate: "Reinstated", revoke: "Revoked" }[action];
  s.out.result(
    {
      action,
      accreditor: accreditor.did,
      subject: subject.did,
      ...(opts.reason !== undefined && { reason: opts.reason }),
      tx,
    },
    () => {
      done(
        s.out,
        `${verb} the accreditation of ${who(subject)}${opts.reason !== undefined ? ` (reason ${opts.reason})` : ""}`,
        tx,
      );
    },
  );
}

const STATUS_WORDS: Record<string, string> = {
  none: "not yet accredited",
  active: "active",
  suspended: "suspended",
  revoked: "revoked",
};

async function chain(s: Session, ref: string, opts: { type?: string; at?: number }): Promise<number> {
  let did = didOf(s.settings.network, ref);
  if (did === undefined) did = (await resolveIdentity(await s.agent("chain"), s.settings.network, ref)).did;
  const address = /(0x[0-9a-fA-F]{40})$/.exec(did)![1]!;
  const reader = await s.reader("chain");
  const network = await s.network("chain");
  const at = opts.at ?? (await chainNow(network));
  const [links, types, names] = await Promise.all([
    reader.lerTrustChain({ did, at }),
    registeredTypes(network),
    s.localNames(),
  ]);
  let verdict: Awaited<ReturnType<typeof trustedAt>> | undefined;
  let message: string | undefined;
  if (opts.type !== undefined) {
    const type = types.find((t) => t.name === opts.type);
    if (type === undefined)
      throw new UsageError(
        "unknown_type_name",
        `"${opts.type}" is not a registered credential type (see \`ler gov types\`).`,
      );
    verdict = await trustedAt(network, address, type.id, at);
    if (verdict.verdict !== Verdict.Trusted) {
      const failed =
        verdict.failedAt.toLowerCase() === address.toLowerCase() || /^0x0{40}$/.test(verdict.failedAt)
          ? undefined
          : verdict.failedAt;
      message = verdictMessage(verdict.verdict, {
        subject: names.get(address) ?? did,
        accreditor: failed === undefined ? undefined : (names.get(failed) ?? failed),
        type: opts.type,
        when: isoTime(at),
      });
    }
  }
  const failing =
    verdict === undefined ? undefined : links.find((l) => l.address.toLowerCase() === verdict!.failedAt.toLowerCase());
  // Before the failing link existed, its verdict is NotYetValid: in words, it was not yet accredited.
  const notYet = verdict?.verdict === Verdict.NotYetValid && failing?.since === null;
  s.out.result(
    {
      did,
      at,
      chain: links,
      ...(verdict !== undefined && {
        type: opts.type,
        trusted: verdict.verdict === Verdict.Trusted,
        verdict: verdict.code,
        ...(notYet && { notYetAccredited: true }),
        ...(message !== undefined && { message }),
        ...(verdict.verdict !== Verdict.Trusted && { failedAt: verdict.failedAt }),
        root: verdict.root,
      }),
    },
    () => {
      const out = s.out;
      const c = out.c;
      out.line(`${c.bold("Trust chain")} of ${did} at ${isoTime(at)}${opts.at === undefined ? " (now)" : ""}`);
      if (links.length === 0) {
        out.line(`  ${c.yellow("not accredited")}`);
      } else {
        const named = links.map((l) => ({ ...l, ...(names.has(l.address) && { name: names.get(l.address)! }) }));
        out.line(`  ${drawChain(named, c)}`);
        out.line();
        const rows = [...named]
          .reverse()
          .map((l) => [
            l.isRoot ? "root" : l.role.join("+") || "-",
            names.get(l.address) ?? short(l.address),
            `${l.status === "active" ? c.green(STATUS_WORDS[l.status]!) : c.red(STATUS_WORDS[l.status] ?? l.status)}${l.statusNow !== undefined ? c.dim(` (now ${l.statusNow})`) : ""}`,
            l.since === null ? "-" : l.scope.map((x) => x.name ?? `#${x.id}`).join(", "),
            l.since === null
              ? "-"
              : `${l.validFrom === 0 ? "from its start" : isoTime(l.validFrom)} → ${l.validUntil === null ? "no end" : isoTime(l.validUntil)}`,
            l.since === null ? "-" : isoTime(l.since),
          ]);
        out.table(["ROLE", "WHO", "STATUS", "SCOPE", "VALID", "VERSION SINCE"], rows, "  ");
      }
      if (verdict !== undefined) {
        out.line();
        if (verdict.verdict === Verdict.Trusted)
          out.line(`  ${c.green("✔ trusted")} for ${opts.type} at ${isoTime(at)}`);
        else
          out.line(
            `  ${c.red(`✘ not trusted (${notYet ? "not yet accredited" : verdict.code})`)} for ${opts.type} at ${isoTime(at)}: ${message}`,
          );
      }
    },
  );
  return verdict === undefined || verdict.verdict === Verdict.Trusted ? 0 : 1;
}

async function history(s: Session, ref: string): Promise<void> {
  let did = didOf(s.settings.network, ref);
  if (did === undefined) did = (await resolveIdentity(await s.agent("chain"), s.settings.network, ref)).did;
  const reader = await s.reader("chain");
  const [links, names] = await Promise.all([reader.lerAccreditationHistory({ did }), s.localNames()]);
  s.out.result({ did, chain: links }, () => {
    const out = s.out;
    const c = out.c;
    out.line(`${c.bold("Accreditation history")} of ${did}`);
    if (links.length === 0) {
      out.line(`  ${c.yellow("not accredited")}`);
      return;
    }
    for (const link of links) {
      out.line();
      out.line(
        `  ${c.bold(names.get(link.address) ?? link.did)}${link.parent === null ? c.dim(" (root)") : c.dim(` accredited by ${names.get(link.parent) ?? link.parent}`)}`,
      );
      out.table(
        ["SINCE", "STATUS", "ROLE", "SCOPE", "VALID", "REASON"],
        link.versions.map((v) => [
          isoTime(v.since),
          v.status === "active" ? c.green(v.status) : c.red(v.status),
          v.role.join("+"),
          v.scope.map((x) => x.name ?? `#${x.id}`).join(", "),
          v.status === "revoked"
            ? `revoked from ${isoTime(v.validUntil ?? 0)}`
            : `${v.validFrom === 0 ? "from its start" : isoTime(v.validFrom)} → ${v.validUntil === null ? "no end" : isoTime(v.validUntil)}`,
          String(v.reason),
        ]),
        "    ",
      );
    }
  });
}
