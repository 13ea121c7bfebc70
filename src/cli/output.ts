/**
 * What the CLI prints. Results go to stdout (one JSON object with `--json`, readable text otherwise); progress,
 * notices and errors go to stderr, so that `ler ... --json | jq` and `ler ... > file` always get clean data.
 * Colour only on a terminal, never with NO_COLOR set (https://no-color.org), always with FORCE_COLOR set.
 */

export interface Stream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface OutputOptions {
  json: boolean;
  stdout?: Stream;
  stderr?: Stream;
  env?: NodeJS.ProcessEnv;
}

type Paint = (s: string) => string;

export interface Palette {
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  cyan: Paint;
}

const plain: Paint = (s) => s;
const sgr =
  (open: number, close: number): Paint =>
  (s) =>
    `\u001b[${open}m${s}\u001b[${close}m`;

/** Colour for a stream: on a terminal, unless NO_COLOR; FORCE_COLOR wins over both. */
export function palette(stream: Stream, env: NodeJS.ProcessEnv = process.env): Palette {
  const force = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false";
  const on = force || (stream.isTTY === true && (env.NO_COLOR ?? "") === "" && env.TERM !== "dumb");
  if (!on) return { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain };
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
  };
}

/** JSON with bigints as decimal strings (chain values), two-space indented unless `compact`. */
export function toJson(value: unknown, compact = false): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), compact ? undefined : 2);
}

export class Output {
  readonly json: boolean;
  readonly stdout: Stream;
  readonly stderr: Stream;
  /** Colours for stdout. */
  readonly c: Palette;
  /** Colours for stderr. */
  readonly e: Palette;

  constructor({ json, stdout = process.stdout, stderr = process.stderr, env = process.env }: OutputOptions) {
    this.json = json;
    this.stdout = stdout;
    this.stderr = stderr;
    this.c = palette(stdout, env);
    this.e = palette(stderr, env);
  }

  /** A line of the human result on stdout (nothing in JSON mode, where `result` prints the one object). */
  line(text = ""): void {
    if (!this.json) this.stdout.write(`${text}\n`);
  }

  /**
   * The command's result: the object in JSON mode, else `human()` (lines on stdout). `compact` puts the object on
   * one line (for a long-running command whose readers go line by line).
   */
  result(value: unknown, human: () => void, { compact = false }: { compact?: boolean } = {}): void {
    if (this.json) this.stdout.write(`${toJson(value, compact)}\n`);
    else human();
  }

  /** A notice on stderr (both modes: stdout stays machine-readable). */
  note(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  /** `label  value` rows with the labels aligned. */
  fields(rows: readonly (readonly [string, string | undefined])[], indent = "  "): void {
    const shown = rows.filter((r): r is readonly [string, string] => r[1] !== undefined);
    const width = Math.max(0, ...shown.map(([k]) => k.length));
    for (const [k, v] of shown) this.line(`${indent}${this.c.dim(k.padEnd(width))}  ${v}`);
  }

  /** A table with a header row; columns padded to their widest cell. */
  table(header: readonly string[], rows: readonly (readonly string[])[], indent = ""): void {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visible(r[i] ?? "").length)));
    const fmt = (cells: readonly string[]) =>
      cells
        .map((cell, i) =>
          i === cells.length - 1 ? cell : cell + " ".repeat(Math.max(0, widths[i]! - visible(cell).length)),
        )
        .join("  ")
        .trimEnd();
    this.line(indent + this.c.dim(fmt(header)));
    for (const r of rows) this.line(indent + fmt(r));
  }
}

/** The text of a string without colour codes (for widths). */
export function visible(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, "");
}

/** `0x1234…abcd` for an address, the DID's address part shortened likewise. */
export function short(addressOrDid: string): string {
  const m = /^(.*?)(0x[0-9a-fA-F]{40})$/.exec(addressOrDid);
  if (m === null) return addressOrDid;
  const a = m[2]!;
  return `${a.slice(0, 6)}…${a.slice(-4)}`;
}

/** Seconds since the epoch as `2025-01-15 09:30:00 UTC`. */
export function isoTime(seconds: number): string {
  return `${new Date(seconds * 1000)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "")} UTC`;
}

/** `1.23 s` or `456 ms`. */
export function duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** 1000 -> "1,000". */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}
