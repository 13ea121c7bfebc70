import { Command, Option } from "commander";
import type { LerAgent } from "../../agent/agent.js";
import type { CredentialRequest, IssueResult, LerIdentity } from "../../agent/types.js";
import { DEFAULT_STATUS_LIST_BASE_URL, LIST_SIZE, parseStatusEntry } from "../../credentials/index.js";
import { LerError, UsageError } from "../../errors.js";
import { exportCredentialJwt, exportCredentials, writeStatusLists } from "../../issue/exports.js";
import { issuedBatchRoots, issuedCredentials, statusEntriesOf } from "../../issue/issued.js";
import {
  batchRequests,
  parseSkill,
  requestFrom,
  type AchievementDefaults,
  type RequestContext,
} from "../../issue/requests.js";
import { collect, parseInteger, parseTime } from "../config.js";
import type { Session } from "../context.js";
import { describeJwt, jwtPayload } from "../../wallet/jwt.js";
import { readInput, sourceName } from "../input.js";
import { count, duration, isoTime, short } from "../output.js";
import { progressBar } from "../progress.js";
import { anchorOf } from "../../agent/network.js";
import { done, examples, resolveIdentity, txLine, who, type Act } from "./common.js";
import { parseJson } from "../../issue/requests.js";

interface AchievementFlags {
  as: string;
  type?: string;
  name?: string;
  description?: string;
  criteria?: string;
  achievementId?: string;
  skill?: string[];
  skillFramework?: string;
  image?: string;
  validUntil?: number;
  issuerName?: string;
  issuerUrl?: string;
  statusUrl?: string;
  anchor: boolean;
  out?: string;
}

function achievementOptions(cmd: Command): Command {
  return cmd
    .requiredOption("--as <issuer>", "the issuing identity (alias, DID or address)")
    .option("--type <type>", "achievementType, a type the issuer is accredited for (Degree, Course, Certificate, …)")
    .option("--name <name>", "the achievement's name")
    .option("--description <text>", "what it is (default: the name)")
    .option("--criteria <text>", "how it is earned (default: the description)")
    .option(
      "--achievement-id <uri>",
      "a URI naming the achievement, the same for everyone who earns it (default: derived from the issuer and name)",
    )
    .option(
      "--skill <NAME=URL>",
      'an aligned skill, e.g. "SQL=http://data.europa.eu/esco/skill/…" (repeatable)',
      collect,
    )
    .option("--skill-framework <name>", "the framework of the --skill entries (e.g. ESCO)")
    .option("--image <url>", "badge image URL")
    .option(
      "--valid-until <time>",
      "expiry (date, date-time or unix seconds; default none)",
      parseTime("--valid-until"),
    )
    .option("--issuer-name <name>", "the issuer's name in the credential (default: its alias)")
    .option("--issuer-url <url>", "the issuer's web site in the credential")
    .addOption(statusUrlOption())
    .option("--no-anchor", "do not anchor the batch's Merkle root now (anchor later with `ler issuer anchor`)");
}

function defaultsFrom(opts: AchievementFlags): AchievementDefaults {
  const d: AchievementDefaults = {};
  if (opts.type !== undefined) d.type = opts.type;
  if (opts.name !== undefined) d.name = opts.name;
  if (opts.description !== undefined) d.description = opts.description;
  if (opts.criteria !== undefined) d.criteria = opts.criteria;
  if (opts.achievementId !== undefined) d.achievementId = opts.achievementId;
  if (opts.image !== undefined) d.image = opts.image;
  if (opts.validUntil !== undefined) d.validUntil = opts.validUntil;
  if (opts.skill !== undefined) d.skills = opts.skill.map((sk) => parseSkill(sk, opts.skillFramework));
  return d;
}

function slug(s: string): string {
  return (
    s
      .normalize("NFKD")
      .replace(/[^\w\s-]/g, "")
      .trim()
      .toLowerCase()
      .replace(/[\s_]+/g, "-")
      .replace(/-+/g, "-") || "achievement"
  );
}

/** `urn:ler:achievement:<issuer address>:<name>`: stable for one issuer's achievement, whoever earns it. */
function achievementIdFor(issuerAddress: string) {
  return (name: string) => `urn:ler:achievement:${issuerAddress.toLowerCase()}:${slug(name)}`;
}

/** How the issuer's requests are completed: its achievement ids, and times as the flags take them. */
function requestContext(issuerAddress: string): RequestContext {
  return { achievementId: achievementIdFor(issuerAddress), parseTime: parseTime("validUntil") };
}

export function registerIssuerCommands(program: Command, act: Act): void {
  const issue = achievementOptions(
    program
      .command("issue")
      .description("issue one LER credential (Open Badges 3.0) from flags or a JSON file, and anchor it")
      .option("--to <subject>", "the learner: DID, address or alias")
      .option("--file <request.json>", "the credential request as JSON (`-` for stdin); flags fill what it leaves out")
      .option("--id <urn:uuid>", "the credential's id (default: a new urn:uuid)"),
  )
    .option("--out <file>", "also write the credential (compact JWT) to this file")
    .action(act(issueOne));
  examples(issue, [
    'ler issue --as "State University" --to ada --type Degree --name "BSc Computer Science" \\',
    '      --criteria "Completed 180 ECTS including a thesis" --skill "Software engineering=https://esco.example/se" --out degree.jwt',
    'ler issue --as "State University" --file degree-request.json --json | jq -r .jwt > degree.jwt',
  ]);
  issue.addHelpText(
    "after",
    `
A request file holds {"subject": DID, "achievement": {"id", "name", "description", "criteria": {"narrative"},
"achievementType", "alignments": [{"targetName", "targetUrl", "targetFramework"}]}, "validUntil"}; or
"achievements": [...] for a CLR 2.0 record (one credential per achievement, then the record embedding them,
anchored in a batch of its own). With --json, prints {id, jwt, subject, issuer, list, index, root, anchor}, and for
a record {embedded, records: {root, anchor}}.
A type that is not registered (unknown_credential_type) or that the issuer is not accredited for now
(type_out_of_scope, issuer_suspended, …) is refused before anything is signed: no status index is used, no
anchor is sent; exit status 1.
`,
  );

  const issuer = program
    .command("issuer")
    .description("issuers: issue batches, anchor them, revoke / suspend / reinstate credentials, list what was issued");
  examples(issuer, [
    'ler issuer batch courses.csv --as "State University" --type Course --name "Databases 101" --out courses.jsonl',
    'ler issuer revoke urn:uuid:1d6a4c3e-… --as "State University"',
    'ler issuer list --as "State University"',
  ]);

  const batch = achievementOptions(
    issuer
      .command("batch")
      .description(
        "issue a batch of credentials from CSV or JSON Lines, with a progress bar, and anchor its Merkle root",
      )
      .argument("<file>", "CSV (header row) or JSON Lines; `-` for stdin"),
  )
    .option("--out <file>", "write the issued credentials as JSON Lines ({id, jwt, subject, list, index})")
    .action(act(issueBatch));
  examples(batch, [
    'ler issuer batch courses.csv --as "State University" --out issued.jsonl',
    'ler issuer batch learners.csv --as "State University" --type Course --name "Databases 101" --criteria "Final exam ≥ 60%"',
  ]);
  batch.addHelpText(
    "after",
    `
CSV columns (header names are matched without case, spaces, '-' or '_'): subject (required), achievementType
(or type), name, description, criteria, achievementId, skills ("NAME=URL; NAME=URL"), validUntil, id. Missing
columns come from the flags. JSON Lines: one request per line, as for \`ler issue --file\`.
If any type of the batch is not registered, or the issuer is not accredited for it now, the whole batch is
refused before anything is signed (exit status 1, the code says why).
`,
  );

  examples(
    issuer
      .command("anchor")
      .description("anchor issuance batches: the one given, or every batch in the ledger not yet on chain")
      .argument("[root]", "a batch's Merkle root (0x…)")
      .requiredOption("--as <issuer>", "the issuing identity")
      .action(act(anchor)),
    ['ler issuer anchor --as "State University"', 'ler issuer anchor 0x2ab7…2fec --as "State University"'],
  );

  const resume = issuer
    .command("resume")
    .description(
      "send again the anchors and revocations an interrupted run left pending (crash, kill, dropped transaction)",
    )
    .option("--as <issuer>", "only this issuer's (default: every issuer of this key store)")
    .action(act(resumeCommand));
  examples(resume, ["ler issuer resume", 'ler issuer resume --as "State University" --json']);
  resume.addHelpText(
    "after",
    `
Anchors and revocations are recorded in the home's intent log (pending/intents.jsonl) before they are sent and
marked done once confirmed. This sends again whatever is still pending; that is always safe (a revocation bit set
twice is unchanged, an anchor that had landed is found on chain). Every issuer write command (issue, batch,
anchor, revoke, suspend, reinstate) does the same first, for its issuer.
With --json, prints {resumed: [{id, kind, issuer, txHash, block}], failed: [{id, kind, issuer, code, message}]}.
Exit status: 0 nothing left pending, 2 some could not be sent because of the chain, 1 otherwise (they stay
pending: run it again).
`,
  );

  for (const [name, description] of [
    ["revoke", "revoke credentials (terminal)"],
    ["suspend", "suspend credentials (reversible with reinstate)"],
    ["reinstate", "lift the suspension of credentials"],
  ] as const) {
    const cmd = issuer
      .command(name)
      .description(
        `${description}: by id, by status index, or from a file; many at once are packed into few transactions`,
      )
      .argument("[ids...]", "credential ids (urn:uuid:…), looked up in the issuer's ledger")
      .requiredOption("--as <issuer>", "the issuing identity")
      .option(
        "--index <LIST:INDEX>",
        "a status entry: INDEX (list 0), LIST:INDEX or LIST:FROM-TO (repeatable)",
        collect,
      )
      .option(
        "--file <file>",
        "ids, LIST:INDEX lines, credentials (JWT), or JSON Lines as written by `ler issuer batch --out` (`-` for stdin)",
      )
      .action(act((s: Session, ids: string[], opts: StatusOpts) => changeStatus(s, name, ids, opts)));
    examples(cmd, [
      `ler issuer ${name} urn:uuid:1d6a4c3e-8f0b-4b8e-9c4e-2b7f0a1c5d01 --as "State University"`,
      `ler issuer ${name} --index 0:100-199 --as "State University"`,
      `ler issuer ${name} --file dropped-out.txt --as "State University" --json`,
    ]);
  }

  examples(
    issuer
      .command("list")
      .description("list the credentials the issuer issued (its local ledger)")
      .requiredOption("--as <issuer>", "the issuing identity")
      .option("--batch <root>", "only this batch")
      .action(act(list)),
    [
      'ler issuer list --as "State University"',
      "ler issuer list --as \"State University\" --json | jq -r '.credentials[].id'",
    ],
  );

  const publish = issuer
    .command("publish-status")
    .description(
      "sign the issuer's status lists, read from the chain, as W3C Bitstring Status List credentials, and write them for hosting",
    )
    .requiredOption("--as <issuer>", "the issuing identity")
    .requiredOption(
      "--out <dir>",
      "where to write them: <dir>/<issuer address>/<list>/<purpose> (the signed JWT) and a .json copy beside each",
    )
    .option("--list <n>", "a status list to publish (repeatable; default every list the issuer has used)", collect)
    .addOption(statusUrlOption())
    .option(
      "--valid-for <seconds>",
      "the lists' validUntil, this long after the block they were read at (default none)",
      parseInteger("--valid-for", 1),
    )
    .option(
      "--ttl <seconds>",
      "the lists' ttl: how long a verifier may keep one before fetching it again (default none)",
      parseInteger("--ttl", 1, 31_536_000),
    )
    .action(act(publishStatus));
  examples(publish, [
    'ler issuer publish-status --as "State University" --out public/status --status-url https://university.example/status',
    'ler issuer publish-status --as "State University" --out public/status --list 0 --valid-for 86400 --json',
    "ler serve --status-dir public/status     # or any static web server for that directory",
  ]);
  publish.addHelpText(
    "after",
    `
Each credential names its lists as <status-url>/<issuer address>/<list>/<purpose> (the --status-url it was issued
with): publish with the same --status-url, and host --out at that URL, served as ${STATUS_LIST_MEDIA_TYPE}. The chain
decides a credential's status; a published list shows it as of the block it was read at (statusRegistrySnapshot),
so publish again after revoking, suspending or reinstating. With --json, prints {issuer, block, out, lists: [{list,
purpose, url, file, set}]}.
`,
  );
}

const STATUS_LIST_MEDIA_TYPE = "application/vc+jwt";

function statusUrlOption(): Option {
  return new Option(
    "--status-url <base>",
    `where the issuer publishes its status lists (issuing: default ${DEFAULT_STATUS_LIST_BASE_URL}, \`ler serve --status-dir\`; publishing: default the base its latest credential names)`,
  ).env("LER_STATUS_URL");
}

async function publishStatus(
  s: Session,
  opts: { as: string; out: string; list?: string[]; statusUrl?: string; validFor?: number; ttl?: number },
): Promise<void> {
  const { agent, issuer } = await issuerOf(s, opts.as);
  const published = await agent.lerPublishStatusList({
    issuer: issuer.did,
    ...(opts.list !== undefined && { lists: opts.list }),
    ...(opts.statusUrl !== undefined && { statusListBaseUrl: opts.statusUrl }),
    ...(opts.validFor !== undefined && { validForSeconds: opts.validFor }),
    ...(opts.ttl !== undefined && { ttlMs: opts.ttl * 1000 }),
  });
  // The JWT alone, as a verifier fetches it; the decoded credential beside it, for people.
  const { out, lists } = writeStatusLists(opts.out, published);
  s.out.result({ issuer: published.issuer, block: published.block, blockHash: published.blockHash, out, lists }, () => {
    const o = s.out;
    done(
      o,
      `Published ${count(lists.length)} status list${lists.length === 1 ? "" : "s"} of ${who(issuer)} as of block ${published.block}`,
    );
    for (const l of lists) o.line(`  list ${l.list} ${l.purpose.padEnd(10)} ${count(l.set)} set  ${o.c.dim(l.url)}`);
    o.line(
      o.c.dim(
        `Written under ${out}: host it at the URLs above (${STATUS_LIST_MEDIA_TYPE}), and publish again after each status change.`,
      ),
    );
  });
}

/** Resolves subjects given as alias or address to DIDs, listing the key store once. */
async function resolveSubjects(agent: LerAgent, network: string, requests: CredentialRequest[]): Promise<void> {
  const identities = await agent.lerListIdentities({});
  const byAlias = new Map(identities.filter((i) => i.alias !== undefined).map((i) => [i.alias!, i.did]));
  for (const r of requests) {
    if (r.subject.startsWith("did:")) continue;
    if (/^0x[0-9a-fA-F]{40}$/.test(r.subject)) {
      r.subject = `did:ethr:${network}:${r.subject}`;
      continue;
    }
    const did = byAlias.get(r.subject);
    if (did === undefined) {
      throw new UsageError(
        "unknown_subject",
        `The subject "${r.subject}" is neither a DID, an address, nor an identity in this key store.`,
      );
    }
    r.subject = did;
  }
}

/**
 * The agent and the issuing identity of an issuer write command. First, the issuer's writes that an interrupted run
 * left pending are sent again (see `ler issuer resume`), so that a crash is repaired by the next command.
 */
async function issuerOf(s: Session, ref: string): Promise<{ agent: LerAgent; issuer: LerIdentity }> {
  const agent = await s.agent("chain");
  const issuer = await resolveIdentity(agent, s.settings.network, ref);
  if (issuer.owner === undefined) {
    throw new LerError(
      "unknown_identity",
      `This key store holds no key for ${issuer.did}: only your own identities can issue.`,
    );
  }
  await resumeBefore(s, agent, issuer);
  return { agent, issuer };
}

/** Sends the issuer's pending writes again, telling stderr what was done; what fails stays pending (a warning). */
async function resumeBefore(s: Session, agent: LerAgent, issuer: LerIdentity): Promise<void> {
  const { resumed, failed } = await agent.lerResumePending({ issuer: issuer.did });
  if (resumed.length > 0) {
    s.out.note(
      `Resumed ${count(resumed.length)} pending write${resumed.length === 1 ? "" : "s"} of ${who(issuer)} left by an interrupted run:`,
    );
    for (const r of resumed) s.out.note(`  ${r.kind} ${shortIntent(r.id)}: ${txLine({ ...r, gasUsed: 0 })}`);
  }
  if (failed.length > 0) {
    s.out.note(
      `${s.out.e.yellow("warning:")} ${count(failed.length)} pending write${failed.length === 1 ? "" : "s"} of ${who(issuer)} could not be sent now (${[...new Set(failed.map((f) => f.code))].join(", ")}); ` +
        "they stay pending: `ler issuer resume` retries.",
    );
  }
}

/** `anchor 0x1234…abcd` / `revocation 0x1234…abcd`: the intent id without the issuer. */
function shortIntent(id: string): string {
  const last = id.split(":").pop() ?? id;
  return /^0x[0-9a-f]{64}$/.test(last) ? short32(last) : id;
}

async function resumeCommand(s: Session, opts: { as?: string }): Promise<number> {
  const agent = await s.agent("chain");
  let issuer: LerIdentity | undefined;
  if (opts.as !== undefined) {
    const found = await resolveIdentity(agent, s.settings.network, opts.as);
    if (found.owner === undefined)
      throw new LerError("unknown_identity", `This key store holds no key for ${found.did}.`);
    issuer = found;
  }
  const result = await agent.lerResumePending(issuer === undefined ? {} : { issuer: issuer.did });
  s.out.result(result, () => {
    const out = s.out;
    if (result.resumed.length === 0 && result.failed.length === 0) {
      done(
        out,
        `Nothing pending${issuer === undefined ? "" : ` for ${who(issuer)}`}: every anchor and revocation is on chain.`,
      );
      return;
    }
    if (result.resumed.length > 0)
      done(out, `Resumed ${count(result.resumed.length)} pending write${result.resumed.length === 1 ? "" : "s"}`);
    for (const r of result.resumed)
      out.line(`  ${r.kind.padEnd(10)} ${shortIntent(r.id)}  ${out.c.dim(txLine({ ...r, gasUsed: 0 }))}`);
    if (result.failed.length > 0) {
      out.line(
        `${out.c.red("✘")} ${count(result.failed.length)} could not be sent now; they stay pending (run this again):`,
      );
      for (const f of result.failed)
        out.line(`  ${f.kind.padEnd(10)} ${shortIntent(f.id)}  ${out.c.dim(`${f.code}: ${f.message}`)}`);
    }
  });
  if (result.failed.length === 0) return 0;
  return result.failed.every((f) => CHAIN_CODES.has(f.code)) ? 2 : 1;
}

const CHAIN_CODES = new Set([
  "chain_unreachable",
  "chain_timeout",
  "chain_error",
  "chain_inconsistent",
  "wrong_chain",
  "tx_dropped",
]);

async function issueOne(
  s: Session,
  opts: AchievementFlags & { to?: string; file?: string; id?: string },
): Promise<void> {
  if (opts.file === undefined && opts.to === undefined)
    throw new UsageError("missing_argument", "Name the learner with --to (or give a request with --file).");
  const { agent, issuer } = await issuerOf(s, opts.as);
  const defaults = defaultsFrom(opts);
  let raw: Record<string, unknown> = {};
  let where = "the flags";
  if (opts.file !== undefined) {
    where = sourceName(opts.file);
    const value = parseJson(await readInput(opts.file), where);
    if (typeof value !== "object" || value === null || Array.isArray(value))
      throw new UsageError("invalid_request", `${where} is not a JSON object.`);
    raw = value as Record<string, unknown>;
  }
  if (opts.to !== undefined) raw = { ...raw, subject: opts.to };
  if (opts.id !== undefined) raw = { ...raw, id: opts.id };
  const request = requestFrom(raw, defaults, where, requestContext(issuer.address));
  await resolveSubjects(agent, s.settings.network, [request]);
  const result = await agent.lerIssueCredentials({
    issuer: issuer.did,
    credentials: [request],
    anchor: opts.anchor,
    ...issuerProfile(opts),
    ...(opts.statusUrl !== undefined && { statusListBaseUrl: opts.statusUrl }),
  });
  const c = result.credentials[0]!;
  if (opts.out !== undefined) exportCredentialJwt(opts.out, c.jwt);
  const info = describeJwt(c.jwt);
  s.out.result(
    {
      id: c.id,
      jwt: c.jwt,
      issuer: issuer.did,
      subject: c.subject,
      list: c.list,
      index: c.index,
      root: result.root,
      anchor: result.anchor ?? null,
      ...(c.embedded !== undefined && {
        embedded: c.embedded,
        records: { root: result.records!.root, anchor: result.records!.anchor ?? null },
      }),
    },
    () => {
      const out = s.out;
      done(
        out,
        `Issued "${info.name ?? c.id}"${info.types.length > 0 ? ` (${info.types.join(", ")})` : ""} to ${c.subject}`,
      );
      out.fields([
        ["id", c.id],
        ["issuer", who(issuer)],
        ["status", `list ${c.list}, index ${c.index}`],
        [
          "anchor",
          result.anchor !== undefined
            ? `root ${short32(result.root)}, ${txLine(result.anchor)}`
            : `not anchored (root ${result.root}): \`ler issuer anchor --as …\``,
        ],
        [
          "embeds",
          c.embedded === undefined
            ? undefined
            : `${count(c.embedded.length)} credentials (CLR 2.0), each issued on its own: ${c.embedded.map((e) => e.id).join(", ")}`,
        ],
        [
          "record anchor",
          result.records === undefined
            ? undefined
            : result.records.anchor !== undefined
              ? `root ${short32(result.records.root)}, ${txLine(result.records.anchor)}`
              : `not anchored (root ${result.records.root})`,
        ],
        ["saved to", opts.out],
      ]);
      if (opts.out === undefined) {
        out.line();
        out.line(c.jwt);
      }
    },
  );
}

function issuerProfile(opts: { issuerName?: string; issuerUrl?: string }) {
  return {
    ...(opts.issuerName !== undefined && { issuerName: opts.issuerName }),
    ...(opts.issuerUrl !== undefined && { issuerUrl: opts.issuerUrl }),
  };
}

function short32(hex: string): string {
  return `${hex.slice(0, 10)}…${hex.slice(-4)}`;
}

async function issueBatch(s: Session, file: string, opts: AchievementFlags): Promise<void> {
  const text = await readInput(file);
  const { agent, issuer } = await issuerOf(s, opts.as);
  const requests = batchRequests(
    text,
    { path: file, where: sourceName(file) },
    defaultsFrom(opts),
    requestContext(issuer.address),
  );
  await resolveSubjects(agent, s.settings.network, requests);
  const started = performance.now();
  if (!s.out.json) s.out.note(`Issuing ${count(requests.length)} credentials as ${who(issuer)}…`);
  const bar = progressBar("signing", requests.length);
  let result: IssueResult;
  try {
    result = await agent.lerIssueCredentials({
      issuer: issuer.did,
      credentials: requests,
      // Its anchor is on record before the batch is in the ledger; sent below, once the credentials are written out.
      anchor: opts.anchor ? "recorded" : false,
      onProgress: (n, total) => bar.update(n, total),
      ...issuerProfile(opts),
      ...(opts.statusUrl !== undefined && { statusListBaseUrl: opts.statusUrl }),
    });
  } finally {
    bar.stop();
  }
  const signedMs = performance.now() - started;
  // Written whole or not at all; the credentials are in the issuer's ledger already (`ler issuer list --batch <root>`).
  if (opts.out !== undefined) exportCredentials(opts.out, result.credentials);
  if (opts.anchor) {
    if (!s.out.json) s.out.note(`Anchoring root ${short32(result.root)}…`);
    result.anchor = await agent.lerAnchor({ issuer: issuer.did, root: result.root });
    // Records (CLR 2.0) were signed in a batch of their own, after the credentials they embed.
    if (result.records !== undefined) {
      if (!s.out.json) s.out.note(`Anchoring the records' root ${short32(result.records.root)}…`);
      result.records.anchor = await agent.lerAnchor({ issuer: issuer.did, root: result.records.root });
    }
  }
  const first = result.credentials[0]!;
  const last = result.credentials[result.credentials.length - 1]!;
  s.out.result(
    {
      issuer: issuer.did,
      count: result.credentials.length,
      root: result.root,
      anchor: result.anchor ?? null,
      ...(result.records !== undefined && {
        records: { root: result.records.root, anchor: result.records.anchor ?? null },
      }),
      ...(opts.out !== undefined && { out: opts.out }),
      credentials: result.credentials,
    },
    () => {
      const out = s.out;
      done(out, `Issued ${count(result.credentials.length)} credentials in ${duration(signedMs)}`);
      out.fields([
        [
          "status",
          first.list === last.list
            ? `list ${first.list}, indices ${first.index}–${last.index}`
            : `lists ${first.list}–${last.list}`,
        ],
        [
          "anchor",
          result.anchor !== undefined
            ? `root ${short32(result.root)}, ${txLine(result.anchor)}`
            : `not anchored (root ${result.root})`,
        ],
        [
          "records",
          result.records === undefined
            ? undefined
            : `${count(result.credentials.filter((c) => c.embedded !== undefined).length)} (CLR 2.0), root ${short32(result.records.root)}, ${result.records.anchor !== undefined ? txLine(result.records.anchor) : "not anchored"}`,
        ],
        ["saved to", opts.out ?? "the issuer's ledger only (`ler issuer list`); use --out FILE to export them"],
      ]);
    },
  );
}

async function anchor(s: Session, root: string | undefined, opts: { as: string }): Promise<void> {
  const { agent, issuer } = await issuerOf(s, opts.as);
  const network = await s.network("chain");
  let roots: string[];
  if (root !== undefined) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(root))
      throw new UsageError("invalid_argument", `A batch root is 0x and 64 hex digits, not "${root}".`);
    roots = [root];
  } else {
    roots = await issuedBatchRoots(await s.ledger(), issuer.address);
  }
  const anchored: { root: string; txHash: string; block: number; gasUsed: number }[] = [];
  const already: { root: string; block: number }[] = [];
  for (const r of roots) {
    const existing = await anchorOf(network, issuer.address, r);
    if (existing !== undefined) {
      already.push({ root: r, block: existing.block });
      continue;
    }
    const tx = await agent.lerAnchor({ issuer: issuer.did, root: r });
    anchored.push({ root: r, ...tx });
  }
  s.out.result({ issuer: issuer.did, anchored, alreadyAnchored: already }, () => {
    const out = s.out;
    if (roots.length === 0) out.line("Nothing to anchor: the ledger holds no batches for this issuer.");
    for (const a of anchored) done(out, `Anchored ${a.root}`, a);
    for (const a of already) out.line(`${out.c.dim("•")} ${a.root} was anchored in block ${a.block}`);
  });
}

interface StatusOpts {
  as: string;
  index?: string[];
  file?: string;
}

interface Target {
  list: string;
  index: number;
  id?: string;
}

/** `7`, `0:7`, `0:100-199` -> targets. */
function parseIndexSpec(spec: string): Target[] {
  const m = /^(?:(\d+):)?(\d+)(?:-(\d+))?$/.exec(spec.trim());
  if (m === null)
    throw new UsageError("invalid_argument", `A status entry is INDEX, LIST:INDEX or LIST:FROM-TO, not "${spec}".`);
  const list = BigInt(m[1] ?? "0").toString();
  const from = Number(m[2]);
  const to = m[3] === undefined ? from : Number(m[3]);
  if (to < from) throw new UsageError("invalid_argument", `The range ${spec} ends before it starts.`);
  if (to >= LIST_SIZE) throw new UsageError("invalid_argument", `Status indices are below ${LIST_SIZE}, not ${to}.`);
  if (to - from >= 1_000_000)
    throw new UsageError("invalid_argument", `The range ${spec} is too large (at most 1,000,000 entries).`);
  return Array.from({ length: to - from + 1 }, (_, k) => ({ list, index: from + k }));
}

/** Targets from a file's lines: ids, index specs, JWTs, or JSON objects with `list`/`index` or `id` (or `jwt`). */
function targetsFromText(text: string, where: string, issuerAddress: string): { targets: Target[]; ids: string[] } {
  const targets: Target[] = [];
  const ids: string[] = [];
  const fromJwt = (jwt: string, at: string) => {
    const payload = jwtPayload(jwt);
    // The credential: the `vc` claim (VC 1.1), or the payload itself (VC-JOSE).
    const vc = (payload?.vc ?? payload) as { credentialStatus?: unknown } | undefined;
    let entry;
    try {
      entry = parseStatusEntry(vc?.credentialStatus);
    } catch (e) {
      throw new UsageError(
        "invalid_status_entry",
        `${at}: the credential's status entry is malformed (${(e as Error).message}).`,
      );
    }
    if (entry?.kind !== "ler")
      throw new UsageError("no_status_entry", `${at}: the credential has no LER status entry.`);
    if (entry.issuer.toLowerCase() !== issuerAddress.toLowerCase()) {
      throw new UsageError("not_issuer", `${at}: the credential's status belongs to ${entry.issuer}, not this issuer.`);
    }
    const id = typeof payload?.jti === "string" ? payload.jti : undefined;
    targets.push({ list: entry.list.toString(), index: entry.index, ...(id !== undefined && { id }) });
  };
  const fromValue = (v: unknown, at: string): void => {
    if (typeof v === "string") return fromLine(v, at);
    if (typeof v !== "object" || v === null)
      throw new UsageError("invalid_argument", `${at} is not a credential reference.`);
    const o = v as Record<string, unknown>;
    if ((typeof o.list === "string" || typeof o.list === "number") && typeof o.index === "number") {
      targets.push({ list: BigInt(o.list).toString(), index: o.index, ...(typeof o.id === "string" && { id: o.id }) });
    } else if (typeof o.jwt === "string") fromJwt(o.jwt, at);
    else if (typeof o.id === "string") ids.push(o.id);
    else throw new UsageError("invalid_argument", `${at} has neither list and index, nor id, nor jwt.`);
  };
  const fromLine = (line: string, at: string): void => {
    const t = line.trim();
    if (t === "" || t.startsWith("#")) return;
    if (t.startsWith("{")) return fromValue(parseJson(t, at), at);
    if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(t)) return fromJwt(t, at);
    if (/^(\d+:)?\d+(-\d+)?$/.test(t)) return void targets.push(...parseIndexSpec(t));
    ids.push(t);
  };
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    const arr = parseJson(trimmed, where);
    if (!Array.isArray(arr)) throw new UsageError("invalid_json", `${where} is not a JSON array.`);
    arr.forEach((v, i) => fromValue(v, `item ${i + 1} of ${where}`));
  } else {
    text.split(/\r?\n/).forEach((line, i) => fromLine(line, `line ${i + 1} of ${where}`));
  }
  return { targets, ids };
}

async function changeStatus(
  s: Session,
  action: "revoke" | "suspend" | "reinstate",
  ids: string[],
  opts: StatusOpts,
): Promise<void> {
  const { agent, issuer } = await issuerOf(s, opts.as);
  const targets: Target[] = [];
  const wanted = [...ids];
  for (const spec of opts.index ?? []) targets.push(...parseIndexSpec(spec));
  if (opts.file !== undefined) {
    const fromFile = targetsFromText(await readInput(opts.file), sourceName(opts.file), issuer.address);
    targets.push(...fromFile.targets);
    wanted.push(...fromFile.ids);
  }
  if (wanted.length > 0) {
    const { entries, missing } = await statusEntriesOf(await s.ledger(), issuer.address, wanted);
    targets.push(...entries.map(({ id, list, index }) => ({ list, index, id })));
    if (missing.length > 0) {
      throw new LerError(
        "unknown_credential",
        `Not in ${who(issuer)}'s ledger: ${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ` and ${missing.length - 3} more` : ""}. Nothing was changed.`,
        {
          details: { missing },
        },
      );
    }
  }
  const unique = [...new Map(targets.map((t) => [`${t.list}:${t.index}`, t])).values()];
  if (unique.length === 0)
    throw new UsageError("missing_argument", `Name the credentials to ${action}: ids, --index or --file.`);
  const bar = progressBar(action, unique.length);
  let txs;
  try {
    const args = {
      issuer: issuer.did,
      entries: unique.map((t) => ({ list: t.list, index: t.index })),
      onProgress: (n: number, total: number) => bar.update(n, total),
    };
    txs =
      action === "revoke"
        ? await agent.lerRevoke(args)
        : action === "suspend"
          ? await agent.lerSuspend(args)
          : await agent.lerReinstate(args);
  } finally {
    bar.stop();
  }
  const verb = { revoke: "Revoked", suspend: "Suspended", reinstate: "Reinstated" }[action];
  s.out.result({ action, issuer: issuer.did, count: unique.length, entries: unique, transactions: txs }, () => {
    const out = s.out;
    const what =
      unique.length === 1
        ? (unique[0]!.id ?? `list ${unique[0]!.list}, index ${unique[0]!.index}`)
        : `${count(unique.length)} credentials`;
    done(out, `${verb} ${what} in ${txs.length} transaction${txs.length === 1 ? "" : "s"}`);
    for (const tx of txs.slice(0, 5)) out.line(`  ${out.c.dim(txLine(tx))}`);
    if (txs.length > 5) out.line(`  ${out.c.dim(`… and ${txs.length - 5} more`)}`);
  });
}

async function list(s: Session, opts: { as: string; batch?: string }): Promise<void> {
  const agent = await s.agent("local");
  const issuer = await resolveIdentity(agent, s.settings.network, opts.as);
  const chosen = await issuedCredentials(await s.ledger(), issuer.address, { batch: opts.batch });
  const rows = chosen.map((r) => {
    const d = describeJwt(r.jwt);
    return {
      id: r.id,
      list: r.list?.toString(),
      index: r.index,
      batch: r.batch,
      issuedAt: r.issuedAt,
      subject: d.subject,
      name: d.name,
      types: d.types,
      jwt: r.jwt,
    };
  });
  s.out.result({ issuer: issuer.did, count: rows.length, credentials: rows }, () => {
    const out = s.out;
    if (rows.length === 0) {
      out.line(`${who(issuer)} has issued nothing from this key store.`);
      return;
    }
    out.table(
      ["ID", "STATUS", "SUBJECT", "NAME", "ISSUED", "BATCH"],
      rows.map((r) => [
        r.id,
        r.list === undefined ? "-" : `${r.list}:${r.index}`,
        r.subject === undefined ? "-" : short(r.subject),
        r.name ?? "-",
        isoTime(Date.parse(r.issuedAt) / 1000),
        r.batch === undefined ? "-" : short32(r.batch),
      ]),
    );
    out.line(out.c.dim(`${count(rows.length)} credential(s)`));
  });
}
