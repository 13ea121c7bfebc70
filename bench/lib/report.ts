/**
 * The gas report: measurements in, markdown and JSON out. Pure: no chain, no clock, no files, so that the same
 * measurements always render to the same bytes.
 */

/** The jobs the table is grouped by, in the order shown. */
export const JOBS = [
  "revoke one",
  "revoke N sequential",
  "revoke by hash",
  "anchor / timestamp",
  "accredit / attest",
] as const;
export type Job = (typeof JOBS)[number];

export const THIS_PROJECT = "This project";

/** One transaction's gas, as measured from its receipt. */
export interface Measurement {
  /** Stable key, used by `baseline` and by the targets. */
  id: string;
  job: Job;
  system: string;
  operation: string;
  batchSize: number;
  /** `gasUsed` of the receipt. */
  gas: bigint;
  /** The id of this project's measurement that this one is compared with (per item). */
  baseline?: string;
  /** One transaction serves a batch of any size (an anchored Merkle root): compared with peers as a whole. */
  anyBatch?: boolean;
}

/** A record of `gas.json`. */
export interface GasRecord {
  system: string;
  operation: string;
  batchSize: number;
  gas: number;
  gasPerItem: number;
}

/** A goal for this project's gas, checked against a measurement. */
export interface Target {
  description: string;
  /** The measurement it is checked against. */
  measurement: string;
  /** Whether the limit applies to the whole transaction or to each item of the batch. */
  per: "transaction" | "item";
  limit: number;
}

export interface TargetResult extends Target {
  measured: number;
  pass: boolean;
}

/** What the header says about where the numbers come from. */
export interface ReportContext {
  chain: string;
  compiler: string;
  peers: string[];
  command: string;
  /** Sentences printed under the table of a job. */
  jobNotes: Partial<Record<Job, string[]>>;
  notes: string[];
}

export function gasPerItem(m: Pick<Measurement, "gas" | "batchSize">): number {
  return Number(m.gas) / m.batchSize;
}

/** The records of `gas.json`, in the order of the markdown tables. */
export function toRecords(measurements: readonly Measurement[]): GasRecord[] {
  return byJob(measurements).map((m) => ({
    system: m.system,
    operation: m.operation,
    batchSize: m.batchSize,
    gas: Number(m.gas),
    gasPerItem: Math.round(gasPerItem(m) * 10) / 10,
  }));
}

export function evaluateTargets(targets: readonly Target[], measurements: readonly Measurement[]): TargetResult[] {
  return targets.map((t) => {
    const m = find(measurements, t.measurement);
    const measured = t.per === "item" ? gasPerItem(m) : Number(m.gas);
    return { ...t, measured, pass: measured <= t.limit };
  });
}

/**
 * The ratio shown for `m`: its gas per item over its baseline's; `undefined` when it has none. A baseline that
 * serves any batch size costs its whole gas spread over the items of `m`'s batch.
 */
export function ratio(m: Measurement, measurements: readonly Measurement[]): number | undefined {
  if (m.baseline === undefined) return undefined;
  const baseline = find(measurements, m.baseline);
  const baselinePerItem = baseline.anyBatch === true ? Number(baseline.gas) / m.batchSize : gasPerItem(baseline);
  return gasPerItem(m) / baselinePerItem;
}

export function renderMarkdown(
  measurements: readonly Measurement[],
  targets: readonly TargetResult[],
  context: ReportContext,
): string {
  const references = new Set(measurements.flatMap((m) => (m.baseline === undefined ? [] : [m.baseline])));
  const lines: string[] = [
    "# Gas benchmark",
    "",
    `Chain: ${context.chain}. Compiler (from hardhat.config.ts): ${context.compiler}. ` +
      `Regenerate with \`${context.command}\`.`,
    "",
    ...context.peers.map((p) => `- ${p}`),
    "",
    "Gas is the receipt's `gasUsed` of one transaction (21,000 base and calldata included). " +
      '"vs this project" is gas per item divided by that of this project\'s operation for the same job ' +
      '(marked "ref"); above 1 costs more than this project.',
    "",
    "## Targets",
    "",
    "| Target | Limit | Measured | Result |",
    "| --- | ---: | ---: | --- |",
    ...targets.map(
      (t) =>
        `| ${t.description} | ${formatGas(t.limit)}${t.per === "item" ? " per item" : ""} | ` +
        `${formatGas(t.measured)} | ${t.pass ? "pass" : "**fail**"} |`,
    ),
    "",
  ];
  for (const job of JOBS) {
    const rows = measurements.filter((m) => m.job === job);
    if (rows.length === 0) continue;
    lines.push(
      `## ${capitalise(job)}`,
      "",
      "| System | Operation | Batch | Gas | Gas per item | vs this project (ratio) |",
      "| --- | --- | ---: | ---: | ---: | ---: |",
    );
    for (const m of rows) {
      const r = ratio(m, measurements);
      const shown = references.has(m.id) ? "ref" : r === undefined ? "—" : r.toFixed(2);
      const batch = m.anyBatch === true ? "any" : formatInt(m.batchSize);
      const perItem = m.anyBatch === true ? "gas ÷ batch" : formatGas(gasPerItem(m));
      lines.push(`| ${m.system} | ${m.operation} | ${batch} | ${formatInt(Number(m.gas))} | ${perItem} | ${shown} |`);
    }
    lines.push("");
    for (const note of context.jobNotes[job] ?? []) lines.push(note, "");
  }
  if (context.notes.length > 0) {
    lines.push("## Notes", "", ...context.notes.map((n) => `- ${n}`), "");
  }
  return lines.join("\n");
}

function byJob(measurements: readonly Measurement[]): Measurement[] {
  return JOBS.flatMap((job) => measurements.filter((m) => m.job === job));
}

function find(measurements: readonly Measurement[], id: string): Measurement {
  const m = measurements.find((x) => x.id === id);
  if (m === undefined) throw new Error(`no measurement "${id}"`);
  return m;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Whole numbers with thousands separators; below 1,000, one decimal when there is a fraction. */
export function formatGas(n: number): string {
  if (n < 1000 && !Number.isInteger(n)) return n.toFixed(1);
  return formatInt(Math.round(n));
}

function formatInt(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
