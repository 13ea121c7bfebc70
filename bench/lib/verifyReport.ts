/**
 * The verification report: runner results in, markdown and JSON out. Pure (no chain, no clock, no files). Rates are
 * rounded to two significant digits and memory to 10 MB, so that a rerun on the same code changes the committed
 * files as little as the machine's noise allows; the ratios against the peers, measured in the same run, are what
 * to read.
 */
import type { Phase, RunnerResult, SystemName } from "./verifyRunner.js";
import { jsonRpcTotal } from "./rpcCount.js";
import type { WorldIssuer } from "./worldFile.js";

export interface VerifyReportContext {
  command: string;
  credentials: number;
  issuers: WorldIssuer[];
  revoked: number;
  pinned: boolean;
  cores: number;
  versions: Record<string, string>;
  sizes: Record<SystemName, Record<string, number>>;
  heapCapMb: number;
}

/** A row of verify.json. */
export interface VerifyRecord {
  system: string;
  measurement: string;
  api: string;
  checks: string;
  cache: "cold" | "warm";
  concurrency: number;
  credentials: number;
  perSecond: number;
  /** Rate over stock Veramo's warm rate at the same concurrency, in the same run. */
  vsVeramoWarm: number | null;
  jsonRpcPerCredential: number;
  jsonRpcByMethod: Record<string, number>;
  httpRequests: number;
  note?: string;
}

const LABEL: Record<SystemName, string> = {
  ler: "This project",
  veramo: "Veramo (stock)",
  "did-jwt-vc": "did-jwt-vc (stock)",
};
const CHECKS: Record<SystemName, string> = {
  ler: "full: signature at the anchored time, trust chain, status, validity, schema, anchor",
  veramo: "signature, JWT time claims",
  "did-jwt-vc": "signature, JWT time claims",
};

function labelOf(r: RunnerResult): string {
  return r.variant === undefined ? LABEL[r.system] : `${LABEL[r.system]} (${r.variant})`;
}

/** Two significant digits: noise below that is not worth a diff. */
export function round2(n: number): number {
  if (n === 0 || !Number.isFinite(n)) return n;
  return Number(n.toPrecision(2));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The phases to report: repeated warm batches folded into one (their median rate). */
function phasesOf(r: RunnerResult): Phase[] {
  const out: Phase[] = [];
  const repeats = new Map<string, Phase[]>();
  for (const p of r.phases) {
    const m = /^(.*)\.(\d+)$/.exec(p.id);
    if (m === null) {
      out.push(p);
      continue;
    }
    const base = m[1]!;
    if (!repeats.has(base)) {
      repeats.set(base, []);
      out.push({ ...p, id: base });
    }
    repeats.get(base)!.push(p);
  }
  return out.map((p) => {
    const group = repeats.get(p.id);
    if (group === undefined) return p;
    const rate = median(group.map((g) => g.rate));
    const chosen = group.find((g) => g.rate === rate)!;
    return { ...chosen, id: p.id, note: `median of ${group.length} runs` };
  });
}

function veramoWarm(results: readonly RunnerResult[], concurrency: number): number | undefined {
  const v = results.find((r) => r.system === "veramo");
  return v?.phases.find((p) => p.id === `single.warm.${concurrency === 1 ? "c1" : "cN"}`)?.rate;
}

export function verifyRecords(results: readonly RunnerResult[], context: VerifyReportContext): VerifyRecord[] {
  void context;
  const records: VerifyRecord[] = [];
  for (const r of results) {
    for (const p of phasesOf(r)) {
      // The batch API answers many at once; it is compared with Veramo at its best (concurrent single calls).
      const ref = veramoWarm(
        results,
        p.concurrency === 1 && p.api.startsWith("verifyCredential") && !p.id.startsWith("batch") ? 1 : 32,
      );
      const record: VerifyRecord = {
        system: labelOf(r),
        measurement: p.id,
        api: p.api,
        checks: CHECKS[r.system],
        cache: p.cache,
        concurrency: p.concurrency,
        credentials: p.credentials,
        perSecond: round2(p.rate),
        vsVeramoWarm: ref === undefined ? null : round2(p.rate / ref),
        jsonRpcPerCredential: Math.round((jsonRpcTotal(p.requests) / p.credentials) * 1000) / 1000,
        jsonRpcByMethod: p.requests.byMethod,
        httpRequests: p.requests.http,
      };
      if (p.note !== undefined) record.note = p.note;
      records.push(record);
    }
  }
  return records;
}

/** Thousands separators in the integer part. */
export function fmt(n: number): string {
  const [int, frac] = String(n >= 100 ? Math.round(n) : n).split(".");
  return `${int!.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${frac === undefined ? "" : `.${frac}`}`;
}

function ratio(n: number | null): string {
  if (n === null) return "—";
  return n >= 10 ? `${fmt(round2(n))}×` : `${round2(n).toFixed(n >= 1 ? 1 : 2)}×`;
}

function methods(byMethod: Record<string, number>): string {
  const entries = Object.entries(byMethod).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? "none" : entries.map(([m, n]) => `${m} ${fmt(n)}`).join(", ");
}

export interface TargetRow {
  target: string;
  limit: string;
  measured: string;
  pass: boolean;
}

export function verifyTargets(results: readonly RunnerResult[], context: VerifyReportContext): TargetRow[] {
  const records = verifyRecords(results, context);
  const ler = (id: string) => records.find((r) => r.system === LABEL.ler && r.measurement === id);
  const lerRunner = results.find((r) => r.system === "ler" && r.variant === undefined);
  const capped = results.find((r) => r.system === "ler" && r.variant?.startsWith("V8 heap capped") === true);
  const rows: TargetRow[] = [];
  const batchWarm = ler("batch.warm");
  const singleWarm = ler("single.warm.cN");
  if (batchWarm !== undefined) {
    rows.push({
      target: "Warm, one core, full checks: batch API",
      limit: "≥ 2,000 /s",
      measured: `${fmt(batchWarm.perSecond)} /s`,
      pass: batchWarm.perSecond >= 2000,
    });
    rows.push({
      target: "Batch API vs stock Veramo warm (32 concurrent), same run",
      limit: "≥ 5×",
      measured: ratio(batchWarm.vsVeramoWarm),
      pass: (batchWarm.vsVeramoWarm ?? 0) >= 5,
    });
  }
  if (singleWarm !== undefined) {
    rows.push({
      target: "Warm, one core, full checks: verifyCredential, 32 concurrent",
      limit: "≥ 2,000 /s",
      measured: `${fmt(singleWarm.perSecond)} /s`,
      pass: singleWarm.perSecond >= 2000,
    });
    rows.push({
      target: "verifyCredential vs stock Veramo warm, both 32 concurrent",
      limit: "≥ 5×",
      measured: ratio(singleWarm.vsVeramoWarm),
      pass: (singleWarm.vsVeramoWarm ?? 0) >= 5,
    });
  }
  const coldOne = lerRunner?.phases.find((p) => p.id === "single.cold.c1");
  if (coldOne !== undefined && coldOne.maxRequests !== undefined) {
    rows.push({
      target: "JSON-RPC requests of one cold verification (most seen)",
      limit: "≤ 2",
      measured: String(coldOne.maxRequests),
      pass: coldOne.maxRequests <= 2,
    });
  }
  const batchCold = ler("batch.cold");
  if (batchCold !== undefined) {
    const total = Object.values(batchCold.jsonRpcByMethod).reduce((a, b) => a + b, 0);
    rows.push({
      target: `JSON-RPC requests of a cold batch of ${fmt(batchCold.credentials)} from ${context.issuers.length} issuers`,
      limit: "≤ 100",
      measured: String(total),
      pass: total <= 100,
    });
  }
  if (lerRunner !== undefined) {
    const batch = batchPeakRss(lerRunner);
    rows.push({
      target: `Peak memory verifying ${fmt(context.credentials)} in one batch, cold then warm: RSS of the whole process, V8 defaults`,
      limit: "< 300 MB",
      measured: `${fmt(round10(batch))} MB`,
      pass: batch < 300,
    });
  }
  if (capped !== undefined) {
    const batch = batchPeakRss(capped);
    rows.push({
      target: `The same, V8 heap capped at ${context.heapCapMb} MB (as a verifying service would run)`,
      limit: "< 300 MB",
      measured: `${fmt(round10(batch))} MB`,
      pass: batch < 300,
    });
  }
  const wrong = results
    .filter((r) => r.system === "ler")
    .flatMap((r) => r.phases)
    .reduce((a, p) => a + p.mismatches, 0);
  rows.push({
    target: "Verification results as expected (valid, or revoked where revoked)",
    limit: "0 wrong",
    measured: `${wrong} wrong`,
    pass: wrong === 0,
  });
  return rows;
}

/** Peak RSS of the process by the end of the batch phases (they run first). */
function batchPeakRss(r: RunnerResult): number {
  return Math.max(0, ...r.phases.filter((p) => p.id.startsWith("batch")).map((p) => p.maxRssMb));
}

function round10(mb: number): number {
  return Math.round(mb / 10) * 10;
}

export function renderVerifyReport(results: readonly RunnerResult[], context: VerifyReportContext): string {
  const records = verifyRecords(results, context);
  const withHistory = context.issuers.filter((i) => i.history !== "none");
  const events = context.issuers.reduce((a, i) => a + i.didEvents, 0);
  const lines: string[] = [
    "# Verification benchmark",
    "",
    `Regenerate with \`${context.command}\`. ${fmt(context.credentials)} credentials (Open Badges 3.0 JWTs, ES256K, issued ` +
      `through the agent's \`lerIssueCredentials\`: status entry, anchored batch root) from ${context.issuers.length} ` +
      `accredited issuers, ${withHistory.length} of whose DID documents changed (${events} ERC-1056 events in all: ` +
      `owner rotations, veriKey delegates, public-key attributes, some after issuance); ${fmt(context.revoked)} ` +
      `(${Math.round((context.revoked / context.credentials) * 100)}%) revoked on chain. ` +
      `The chain is a Hardhat ${context.versions.hardhat} node served over HTTP on 127.0.0.1 by the benchmark process; ` +
      `each system runs in a child process of its own` +
      (context.pinned ? ", pinned to one core (the node has the other)." : " (not pinned: no taskset here)."),
    "",
    `Peers, stock: Veramo ${context.versions.veramo} (\`agent.verifyCredential\`: DIDResolverPlugin with ` +
      `ethr-did-resolver ${context.versions["ethr-did-resolver"]}, CredentialPlugin with CredentialProviderJWT) and ` +
      `did-jwt-vc ${context.versions["did-jwt-vc"]} (\`verifyCredential\` with did-resolver ` +
      `${context.versions["did-resolver"]} and ethr-did-resolver), each over its own ethers ${context.versions.ethers} ` +
      "`JsonRpcProvider` with default options, as ethr-did-resolver builds it from an `rpcUrl`. They check the " +
      "signature against the issuer's current DID document and the JWT time claims only: no trust chain, no status, " +
      "no issuance anchor. This project checks everything (report `valid`, or `invalid` with `credential_revoked`).",
    "",
    "Requests are counted at each provider's `_send`, what the node receives. The rates are noisy (shared " +
      "machines); read the ratios, which compare systems measured minutes apart on the same machine and chain.",
    "",
    "## Targets",
    "",
    "| Target | Limit | Measured | Result |",
    "| --- | ---: | ---: | --- |",
    ...verifyTargets(results, context).map(
      (t) => `| ${t.target} | ${t.limit} | ${t.measured} | ${t.pass ? "pass" : "**fail**"} |`,
    ),
    "",
    "## Throughput",
    "",
    '"vs Veramo" is the rate over stock Veramo\'s warm rate at the same concurrency in this run (the batch API ' +
      "against Veramo at 32 concurrent calls, its best).",
    "",
    "| System | API | Cache | Concurrent | Credentials | Per second | vs Veramo | JSON-RPC per credential |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of records) {
    lines.push(
      `| ${r.system} | ${r.api} | ${r.cache}${r.note !== undefined ? ` (${r.note})` : ""} | ${r.concurrency} | ` +
        `${fmt(r.credentials)} | ${fmt(r.perSecond)} | ${ratio(r.vsVeramoWarm)} | ${r.jsonRpcPerCredential} |`,
    );
  }
  lines.push(
    "",
    "## JSON-RPC requests by method",
    "",
    "| System | Measurement | HTTP requests | JSON-RPC requests by method |",
    "| --- | --- | ---: | --- |",
  );
  for (const r of records)
    lines.push(`| ${r.system} | ${r.measurement} | ${fmt(r.httpRequests)} | ${methods(r.jsonRpcByMethod)} |`);
  lines.push(
    "",
    "## Memory",
    "",
    "Each system's own process: Node 22 with the tsx loader, the credentials' JWTs (about 30 MB) and its code loaded " +
      'before the first measurement. "After the batches" is this project\'s peak once the batch measurements (one ' +
      "call verifying every credential, cold then warm) are done; the single-credential passes follow.",
    "",
    "| System | RSS before measuring | Peak RSS after the batches | Peak RSS, whole run | Peak V8 heap used |",
    "| --- | ---: | ---: | ---: | ---: |",
  );
  for (const r of results) {
    const batch = r.phases.some((p) => p.id.startsWith("batch")) ? `${fmt(round10(batchPeakRss(r)))} MB` : "—";
    lines.push(
      `| ${labelOf(r)} | ${fmt(round10(r.memory.rssStartMb))} MB | ${batch} | ${fmt(round10(r.memory.peakRssMb))} MB | ${fmt(round10(r.memory.peakHeapMb))} MB |`,
    );
  }
  const ler = results.find((r) => r.system === "ler" && r.variant === undefined);
  lines.push(
    "",
    "## Notes",
    "",
    '- Cold: a new process, nothing cached. For this project\'s `verifyCredential` "cold" is `cache: false` (every ' +
      'call reads the chain); "first sight" shares one cache but meets each credential once (issuer data cached, ' +
      "each credential's status word and hash revocation read).",
    "- Warm: the same credentials again, in the same process, at the same chain head. This project's cache is keyed " +
      "by block (number and hash) and re-validated by one `eth_getBlockByNumber` per verification or batch (coalesced " +
      "across concurrent calls): a change on chain is seen by the next verification.",
    ...(results.some((r) => r.variant?.includes("worker threads") === true)
      ? [
          "- The worker-thread run (`VerifierPool`: the pool probes the head once per batch, each thread verifies its part " +
            "with a provider and a cache of its own at that head) is pinned to both cores; the node shares the first, and " +
            "answers one head probe per warm batch. Its rates are against one core's in the other runs; its memory is " +
            "the whole process, threads included.",
        ]
      : []),
    `- The run with the V8 heap capped (\`node --max-old-space-size=${context.heapCapMb}\`, as a verifying service would ` +
      "be configured) repeats the batch measurements only; it shows the memory the batch needs, and what the cap costs " +
      "in speed.",
    "- The peers' \"did-resolver cache on\" rows use did-resolver's built-in cache, which never expires: a key revoked " +
      "on chain stays accepted until the process restarts. Shown for reference, not as a safe configuration.",
    `- Subsets: the peers verify ${fmt(context.sizes.veramo.peer ?? 0)} credentials per pass (every issuer represented), ` +
      `${fmt(context.sizes.veramo.sequential ?? 0)} one at a time; this project's sequential passes ` +
      `${fmt(context.sizes.ler.sequential ?? 0)}.`,
    ...(ler?.backend !== undefined ? [`- This project's secp256k1 backend in this run: ${ler.backend}.`] : []),
    ...(ler?.keccak !== undefined
      ? [`- This project's keccak256 backend for inputs of a block or more (JWTs, canonical payloads): ${ler.keccak}.`]
      : []),
    "",
  );
  return lines.join("\n");
}
