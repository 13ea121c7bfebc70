/**
 * The load test's report: the run in, markdown and JSON out. Pure (no clock, no files). Rates and latencies are
 * rounded to two significant digits and memory to 1 MB (0.1 MB for what a full collection leaves), so that a rerun
 * changes the committed files as little as the machine's noise allows. Nothing in them names the machine or the time.
 */
import type { ClientResult } from "./loadClient.js";
import type { MemorySample } from "./loadServer.js";
import { linearTrend, summarizeLatencies, type LatencySummary } from "./loadStats.js";
import { fmt, round2 } from "./verifyReport.js";

export interface LoadRun {
  command: string;
  credentials: number;
  revoked: number;
  issuers: number;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  blockIntervalMs: number;
  blocksDuringLoad: number;
  pinned: boolean;
  cores: number;
  versions: Record<string, string>;
  warmup: ClientResult;
  load: ClientResult;
  /** The server's own view (GET /v1/metrics): time in the handler over its last verifications. */
  serverLatencyMs: { window: number; p50: number; p95: number; p99: number };
  memory: {
    /** After a full collection: before any request, after the warm-up, after the load. */
    idle: MemorySample;
    before: MemorySample;
    after: MemorySample;
    /** Every second during the load, as taken (no forced collection); `atMs` from the load's start. */
    samples: { atMs: number; memory: MemorySample }[];
  };
}

/**
 * Heap the load may leave behind, after a full collection. The service's caches and windows are bounded, so what a
 * leak leaves grows with the requests: over some 70,000 of them, 5 MB is about 70 bytes a request.
 */
export const RETAINED_HEAP_LIMIT_MB = 5;
/**
 * RSS growth over the second half of the load, by its trend, beyond twice the noise. The first half is left out:
 * RSS settles there as the allocator reaches the working set of the load.
 */
export const RSS_GROWTH_LIMIT_MB = 5;

const mb = (n: number) => Math.round(n);
const mb1 = (n: number) => Math.round(n * 10) / 10;
const ms = (n: number | null) => (n === null ? null : round2(n));

interface Phase {
  phase: string;
  requests: number;
  perSecond: number;
  latencyMs: Record<keyof Omit<LatencySummary, "count">, number | null>;
  errors: number;
  wrongResults: number;
  results: ClientResult["results"];
}

function phase(r: ClientResult): Phase {
  const l = summarizeLatencies(r.latenciesMs);
  return {
    phase: r.phase,
    requests: r.requests,
    perSecond: round2(r.requests / (r.ms / 1000)),
    latencyMs: { p50: ms(l.p50), p95: ms(l.p95), p99: ms(l.p99), max: ms(l.max), mean: ms(l.mean) },
    errors: r.errors,
    wrongResults: r.wrongResults,
    results: r.results,
  };
}

/** Trend of one memory measure over the load: MB per minute, the change over the load it implies, the noise. */
function trend(samples: LoadRun["memory"]["samples"], pick: (m: MemorySample) => number, durationMs: number) {
  const t = linearTrend(samples.map((s) => ({ x: s.atMs / 60_000, y: pick(s.memory) })));
  const slope = t.slope ?? 0;
  return {
    mbPerMinute: mb1(slope),
    changeOverLoadMb: mb1((slope * durationMs) / 60_000),
    noiseSdMb: mb1(t.residualSd ?? 0),
  };
}

function memoryOf(m: MemorySample) {
  return { rssMb: mb(m.rssMb), heapUsedMb: mb(m.heapUsedMb), heapTotalMb: mb(m.heapTotalMb) };
}

export interface LoadTarget {
  target: string;
  limit: string;
  measured: string;
  pass: boolean;
}

/** The JSON record of a run (bench/results/load.json). */
export function loadRecord(run: LoadRun) {
  const { samples } = run.memory;
  const at = (f: number) => samples[Math.min(samples.length - 1, Math.floor(f * (samples.length - 1)))]?.memory;
  const first = at(0);
  const middle = at(0.5);
  const last = at(1);
  const retainedMb = mb1(run.memory.after.heapUsedMb - run.memory.before.heapUsedMb);
  const rss = trend(samples, (m) => m.rssMb, run.durationMs);
  const heapUsed = trend(samples, (m) => m.heapUsedMb, run.durationMs);
  const secondHalf = samples.filter((s) => s.atMs >= run.durationMs / 2);
  const rssLate = trend(secondHalf, (m) => m.rssMb, run.durationMs / 2);
  const load = phase(run.load);
  const rssGrowth = rssLate.changeOverLoadMb > Math.max(RSS_GROWTH_LIMIT_MB, 2 * rssLate.noiseSdMb);
  const perRequest = Math.round((retainedMb * 1024 * 1024) / Math.max(1, run.warmup.requests + run.load.requests));
  const targets: LoadTarget[] = [
    {
      target: "Errors: transport failures and non-200 answers (warm-up and load)",
      limit: "0",
      measured: fmt(run.warmup.errors + run.load.errors),
      pass: run.warmup.errors + run.load.errors === 0,
    },
    {
      target: "Wrong results: anything but valid, or invalid with credential_revoked where revoked",
      limit: "0",
      measured: fmt(run.warmup.wrongResults + run.load.wrongResults),
      pass: run.warmup.wrongResults + run.load.wrongResults === 0,
    },
    {
      target: "Heap the load left behind: heap used after a full collection, after the load minus before it",
      limit: `< ${RETAINED_HEAP_LIMIT_MB} MB`,
      measured: `${signed(retainedMb)} MB (${signed(perRequest)} bytes a request)`,
      pass: retainedMb < RETAINED_HEAP_LIMIT_MB,
    },
    {
      target: "RSS growth over the second half of the load, by its least-squares trend (and beyond twice the noise)",
      limit: `< ${RSS_GROWTH_LIMIT_MB} MB`,
      measured: `${signed(rssLate.changeOverLoadMb)} MB (noise ±${rssLate.noiseSdMb} MB)`,
      pass: !rssGrowth,
    },
  ];
  return {
    command: run.command,
    setup: {
      credentials: run.credentials,
      revoked: run.revoked,
      issuers: run.issuers,
      concurrency: run.concurrency,
      warmupSeconds: run.warmupMs / 1000,
      durationSeconds: run.durationMs / 1000,
      blockIntervalSeconds: run.blockIntervalMs / 1000,
      blocksDuringLoad: run.blocksDuringLoad,
      serverPinnedToOneCore: run.pinned,
      cores: run.cores,
      versions: run.versions,
    },
    targets,
    phases: [phase(run.warmup), load],
    perSecond: run.load.perSecond.map(round2),
    serverLatencyMs: {
      window: run.serverLatencyMs.window,
      p50: ms(run.serverLatencyMs.p50),
      p95: ms(run.serverLatencyMs.p95),
      p99: ms(run.serverLatencyMs.p99),
    },
    memory: {
      idleAfterGc: memoryOf(run.memory.idle),
      beforeLoadAfterGc: memoryOf(run.memory.before),
      start: first === undefined ? null : memoryOf(first),
      middle: middle === undefined ? null : memoryOf(middle),
      end: last === undefined ? null : memoryOf(last),
      afterLoadAfterGc: memoryOf(run.memory.after),
      retainedHeapMb: retainedMb,
      trend: { rss, rssSecondHalf: rssLate, heapUsed },
      series: {
        rssMb: samples.map((s) => mb(s.memory.rssMb)),
        heapUsedMb: samples.map((s) => mb(s.memory.heapUsedMb)),
      },
    },
  };
}

export function renderLoadReport(run: LoadRun): string {
  const r = loadRecord(run);
  const lines: string[] = [];
  const row = (cells: (string | number)[]) => lines.push(`| ${cells.join(" | ")} |`);
  const lat = (n: number | null) => (n === null ? "—" : `${n} ms`);
  lines.push("# Load test: POST /v1/verify", "");
  lines.push(
    `Regenerate with \`${r.command}\`. The HTTP service (\`startServer\`, what \`ler serve\` runs) in a process of its own${r.setup.serverPinnedToOneCore ? ", pinned to one core" : ""}, ` +
      `on 127.0.0.1, over a Hardhat ${r.setup.versions.hardhat} node served over HTTP by the benchmark process, with the registries, ` +
      `${r.setup.issuers} accredited issuers and ${fmt(r.setup.credentials)} credentials issued through the agent (${fmt(r.setup.revoked)} of them revoked on chain). ` +
      `A client in a third process${r.setup.serverPinnedToOneCore ? " (on the other core, with the node)" : ""} keeps ${r.setup.concurrency} requests in flight over keep-alive connections, ` +
      "each with one credential, and checks every answer against what that credential must get. " +
      `A block is mined every ${r.setup.blockIntervalSeconds} s during the load (${r.setup.blocksDuringLoad} blocks), as on an L2: each new head starts a new generation of the verifier's chain cache. ` +
      `Warm-up ${r.setup.warmupSeconds} s, then ${r.setup.durationSeconds} s measured; it stops by itself. Node ${r.setup.versions.node}, Fastify ${r.setup.versions.fastify}, ${r.setup.cores} cores.`,
    "",
  );
  lines.push(
    "Rates depend on the machine (here the client, the node and the server share it); read the errors, the latency percentiles and the memory trend.",
    "",
  );
  lines.push("## Targets", "");
  row(["Target", "Limit", "Measured", "Result"]);
  row(["---", "---:", "---:", "---"]);
  for (const t of r.targets) row([t.target, t.limit, t.measured, t.pass ? "pass" : "**fail**"]);
  lines.push("", "## Throughput and latency (client side: request sent to answer read)", "");
  row([
    "Phase",
    "Requests",
    "Per second",
    "p50",
    "p95",
    "p99",
    "Max",
    "Errors",
    "Wrong results",
    "Valid / invalid / unknown",
  ]);
  row(["---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"]);
  for (const p of r.phases) {
    row([
      p.phase,
      fmt(p.requests),
      fmt(p.perSecond),
      lat(p.latencyMs.p50),
      lat(p.latencyMs.p95),
      lat(p.latencyMs.p99),
      lat(p.latencyMs.max),
      fmt(p.errors),
      fmt(p.wrongResults),
      `${fmt(p.results.valid)} / ${fmt(p.results.invalid)} / ${fmt(p.results.unknown)}`,
    ]);
  }
  lines.push(
    "",
    `Server side (its \`GET /v1/metrics\`, time in the verify handler over its last ${fmt(r.serverLatencyMs.window)} verifications): ` +
      `p50 ${lat(r.serverLatencyMs.p50)}, p95 ${lat(r.serverLatencyMs.p95)}, p99 ${lat(r.serverLatencyMs.p99)}.`,
    "",
    `Answers per second during the load, second by second: ${r.perSecond.map(fmt).join(", ")}.`,
    "",
  );
  lines.push("## Server memory", "");
  row(["When", "RSS", "Heap used", "Heap total"]);
  row(["---", "---:", "---:", "---:"]);
  const mem = (label: string, m: { rssMb: number; heapUsedMb: number; heapTotalMb: number } | null) => {
    if (m !== null) row([label, `${m.rssMb} MB`, `${m.heapUsedMb} MB`, `${m.heapTotalMb} MB`]);
  };
  mem("idle, after a full collection", r.memory.idleAfterGc);
  mem("after the warm-up, after a full collection", r.memory.beforeLoadAfterGc);
  mem("load: start (first sample)", r.memory.start);
  mem("load: middle", r.memory.middle);
  mem("load: end (last sample)", r.memory.end);
  mem("after the load, after a full collection", r.memory.afterLoadAfterGc);
  const t = r.memory.trend;
  lines.push(
    "",
    `Trend over the load (least squares over one sample a second): RSS ${signed(t.rss.mbPerMinute)} MB/min, ${signed(t.rss.changeOverLoadMb)} MB over the whole load ` +
      `(noise ±${t.rss.noiseSdMb} MB) and ${signed(t.rssSecondHalf.changeOverLoadMb)} MB over its second half (±${t.rssSecondHalf.noiseSdMb} MB); ` +
      `heap used ${signed(t.heapUsed.mbPerMinute)} MB/min, ${signed(t.heapUsed.changeOverLoadMb)} MB over the load (noise ±${t.heapUsed.noiseSdMb} MB: the collector's sawtooth). ` +
      `After a full collection the heap differs by ${signed(r.memory.retainedHeapMb)} MB from before the load.`,
    "",
    `RSS, MB, every second: ${r.memory.series.rssMb.join(", ")}.`,
    "",
    `Heap used, MB, every second: ${r.memory.series.heapUsedMb.join(", ")}.`,
    "",
  );
  return lines.join("\n");
}

function signed(n: number): string {
  return `${n >= 0 ? "+" : ""}${n}`;
}
