import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ERROR_CODES, isErrorCode } from "../../src/errors.js";

// The README's walkthrough as a script (this module defines no tests; walkthrough.test.ts runs it): its commands
// parsed from the Markdown, a shell that runs them as a user's terminal does, and the loose comparison of what they
// print with what the README shows.

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * How `npx ler` runs `ler` in the walkthrough: the package's own CLI, under the Node running the tests. The one
 * place to change when `ler` runs from somewhere else (compiled JavaScript in dist/).
 */
export const LER_COMMAND: readonly string[] = [process.execPath, join(ROOT, "bin", "ler.js")];

/** The section of README.md that is run: from this heading to the next `## ` heading. */
export const WALKTHROUGH_HEADING = "## Walkthrough: every role, from the command line";

/** The working directory of the run the README's outputs come from (`publish-status` prints it). */
export const README_CWD = "/home/registrar";

/** One command of the walkthrough, with what the README shows it printing. */
export interface Step {
  /** README.md's line of the command (its `$ ` line). */
  line: number;
  /** The command as bash reads it (`\` continuations kept). */
  command: string;
  /** The output the README shows (a ```console block), or undefined (a ```sh block shows none). */
  expected: string[] | undefined;
  /** README.md's line of the first output line. */
  expectedLine: number;
}

/** The walkthrough's commands, in order: every `$ ` command of its ```console blocks and every line of its ```sh blocks. */
export function walkthroughSteps(readme: string): Step[] {
  const lines = readme.split("\n");
  const start = lines.indexOf(WALKTHROUGH_HEADING);
  if (start < 0) throw new Error(`README.md has no "${WALKTHROUGH_HEADING}" section`);
  let end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
  if (end < 0) end = lines.length;
  const steps: Step[] = [];
  for (let i = start + 1; i < end; i++) {
    const fence = /^```(\S*)\s*$/.exec(lines[i]!);
    if (fence === null) continue;
    let close = i + 1;
    while (close < end && !lines[close]!.startsWith("```")) close++;
    const body = lines.slice(i + 1, close);
    const firstLine = i + 2; // README.md's 1-based line of body[0]
    if (fence[1] === "console") steps.push(...consoleSteps(body, firstLine));
    else if (["sh", "bash", "shell"].includes(fence[1]!)) steps.push(...scriptSteps(body, firstLine));
    i = close;
  }
  return steps;
}

function consoleSteps(body: string[], firstLine: number): Step[] {
  const steps: Step[] = [];
  let current: Step | undefined;
  for (let k = 0; k < body.length; k++) {
    const text = body[k]!;
    if (text.startsWith("$ ")) {
      current = { line: firstLine + k, command: text.slice(2), expected: [], expectedLine: 0 };
      while (current.command.endsWith("\\") && k + 1 < body.length) current.command += `\n${body[++k]}`;
      current.expectedLine = firstLine + k + 1;
      steps.push(current);
    } else if (current !== undefined) current.expected!.push(text);
    else if (text.trim() !== "") throw new Error(`README.md:${firstLine + k}: output before any command`);
  }
  for (const s of steps) while (s.expected!.length > 0 && s.expected!.at(-1)!.trim() === "") s.expected!.pop();
  return steps;
}

function scriptSteps(body: string[], firstLine: number): Step[] {
  const steps: Step[] = [];
  for (let k = 0; k < body.length; k++) {
    if (body[k]!.trim() === "" || body[k]!.trim().startsWith("#")) continue;
    const step: Step = { line: firstLine + k, command: body[k]!, expected: undefined, expectedLine: 0 };
    while (step.command.endsWith("\\") && k + 1 < body.length) step.command += `\n${body[++k]}`;
    steps.push(step);
  }
  return steps;
}

/** A long-running command (`ler node`, `ler serve`): the README shows it waiting for Ctrl-C. */
export function isServer(step: Step): boolean {
  return step.expected?.some((l) => l.includes("Press Ctrl-C to stop")) === true;
}

// ---- masking: what differs from run to run ------------------------------------------------------------------------

/**
 * The named masking rules, in the order they apply. Addresses, hashes and credential ids are masked to their form
 * (full or elided) and remembered: the same README value must stand for the same actual value all through the
 * walkthrough (see {@link Bindings}). Block numbers are not masked: on a fresh chain they are the same every run, so a
 * README whose steps are out of order, or miss one, shows in them.
 */
export const MASKS = {
  /** The working directory: the README's run was in /home/registrar. */
  cwd: "<cwd>",
  /** Credential ids: random urn:uuid. */
  uuid: "urn:uuid:<uuid>",
  /** 32-byte hashes (transactions, Merkle roots), full or elided `0x99933231…67ab`. */
  hash: "<hash>",
  hashElided: "<hash…>",
  /** Addresses (and did:ethr DIDs' addresses), full or elided `0x3e1e…A865`: identities are new keys every run. */
  address: "<address>",
  addressElided: "<address…>",
  /** Times of the run: the digits of a date (and its time) that no command of the walkthrough names become `#`. */
  time: "#",
  /** Durations (`ready in 1.8 s`, `in 571 ms`). */
  duration: "<duration>",
  /** Local ports: servers listen on a free port in the test. */
  port: "<port>",
  /** Gas: new keys, signatures and roots are other calldata each run, and a zero byte costs less (see test/gas.test.ts). */
  gas: "<gas> gas",
} as const;

/**
 * Lines of the run's output that the README's run did not print because the test changed something: `ler node` on
 * another port than 8545 says how to reach it.
 */
export const EXTRA_LINES: readonly RegExp[] = [/^RPC\s+export LER_RPC_URL=/];

/** A line after masking, and the values it masked (keys for binding: `kind:value`), in order. */
export interface Masked {
  text: string;
  tokens: string[];
}

export interface MaskContext {
  /** The working directory of the run whose output this is. */
  cwd: string;
  /** Dates (YYYY-MM-DD) the walkthrough's commands name: they are not times of the run, and stay. */
  fixedDates: ReadonlySet<string>;
}

const HEX_VALUE =
  /urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})|0x([0-9a-f]{64})(?![0-9a-f])|0x([0-9a-f]{8})…([0-9a-f]{4})(?![0-9a-f])|0x([0-9a-f]{40})(?![0-9a-f])|0x([0-9a-f]{4})…([0-9a-f]{4})(?![0-9a-f])/gi;
const DATE_TIME = /\b(\d{4}-\d{2}-\d{2})((?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)/g;
const DURATION = /\b\d+(?:\.\d+)? (?:ms|s)\b/g;
const PORT = /\b(127\.0\.0\.1|localhost|\[::1\]):\d+/g;
const GAS = /\b\d{1,3}(?:,\d{3})* gas\b/g;

/** Masks one output line; whitespace runs become one space (columns are padded to their widest value). */
export function maskLine(line: string, ctx: MaskContext): Masked {
  const tokens: string[] = [];
  let text = line.split(ctx.cwd).join(MASKS.cwd);
  text = text.replace(HEX_VALUE, (_m, uuid, hash, h8, h4, address, a4s, a4e) => {
    if (uuid !== undefined) {
      tokens.push(`uuid:${(uuid as string).toLowerCase()}`);
      return MASKS.uuid;
    }
    if (hash !== undefined) {
      tokens.push(`hash:${(hash as string).slice(0, 8).toLowerCase()}…${(hash as string).slice(-4).toLowerCase()}`);
      return MASKS.hash;
    }
    if (h8 !== undefined) {
      tokens.push(`hash:${(h8 as string).toLowerCase()}…${(h4 as string).toLowerCase()}`);
      return MASKS.hashElided;
    }
    if (address !== undefined) {
      const a = (address as string).toLowerCase();
      tokens.push(`address:${a.slice(0, 4)}…${a.slice(-4)}`);
      return MASKS.address;
    }
    tokens.push(`address:${(a4s as string).toLowerCase()}…${(a4e as string).toLowerCase()}`);
    return MASKS.addressElided;
  });
  text = text.replace(DATE_TIME, (m, date: string) => (ctx.fixedDates.has(date) ? m : m.replace(/\d/g, MASKS.time)));
  text = text.replace(DURATION, MASKS.duration);
  text = text.replace(PORT, (_m, host: string) => `${host}:${MASKS.port}`);
  text = text.replace(GAS, MASKS.gas);
  return { text: text.replace(/\s+/g, " ").trimEnd(), tokens };
}

/** The dates (YYYY-MM-DD) the commands name (`--at 2020-01-01`, `--valid-until 2031-06-30`). */
export function fixedDates(steps: readonly Step[]): Set<string> {
  return new Set(steps.flatMap((s) => [...s.command.matchAll(/\b\d{4}-\d{2}-\d{2}\b/g)].map((m) => m[0])));
}

// ---- comparison ---------------------------------------------------------------------------------------------------

/**
 * What a README output line stands for: a line; `...` or `…` alone on a line, any number of lines (none too); a line
 * with a `…` standing alone inside it (`{ … }`), text that begins as it begins and ends as it ends, on one line or
 * across several.
 */
export type Pattern =
  | { kind: "line"; source: string; masked: Masked }
  | { kind: "any"; source: string }
  | { kind: "span"; source: string; head: string; tail: string };

export function patterns(expected: readonly string[], ctx: MaskContext): Pattern[] {
  return expected.map((source): Pattern => {
    const t = source.trim();
    if (t === "..." || t === "…") return { kind: "any", source };
    const at = source.search(/(^|\s)…(\s|$)/);
    if (at >= 0) {
      const cut = source.indexOf("…", at);
      return {
        kind: "span",
        source,
        head: maskLine(source.slice(0, cut), ctx).text,
        tail: maskLine(source.slice(cut + 1), ctx).text.trim(),
      };
    }
    return { kind: "line", source, masked: maskLine(source, ctx) };
  });
}

export type DiffOp =
  { op: "="; pattern: Pattern; actual: Masked[] } | { op: "-"; pattern: Pattern } | { op: "+"; actual: Masked };

export interface Comparison {
  /** Whether the output matches the README's. */
  ok: boolean;
  /** The alignment of the README's lines with the output's, as few changes as possible. */
  ops: DiffOp[];
}

/** The README's output lines against the actual ones (both masked), aligned with the fewest changes. */
export function compareOutput(expected: readonly Pattern[], actual: readonly Masked[]): Comparison {
  const I = expected.length;
  const J = actual.length;
  const memo = new Map<number, number>();
  const startsWith = (a: Masked, head: string) => a.text.startsWith(head.trimEnd());
  const endsWith = (a: Masked, tail: string) => a.text.trimEnd().endsWith(tail);
  // cost(i, j): the fewest changes that make expected[i..] match actual[j..].
  const cost = (i: number, j: number): number => {
    if (i === I) return J - j;
    const key = i * (J + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const p = expected[i]!;
    let best: number;
    if (p.kind === "any") {
      best = cost(i + 1, j);
      if (j < J) best = Math.min(best, cost(i, j + 1));
    } else {
      best = 1 + cost(i + 1, j);
      if (j < J) {
        best = Math.min(best, 1 + cost(i, j + 1));
        if (p.kind === "line" && p.masked.text === actual[j]!.text) best = Math.min(best, cost(i + 1, j + 1));
        if (p.kind === "span" && startsWith(actual[j]!, p.head)) {
          for (let k = j; k < J; k++) {
            if (endsWith(actual[k]!, p.tail) && (k > j || actual[j]!.text.length >= p.head.length + p.tail.length))
              best = Math.min(best, cost(i + 1, k + 1));
          }
        }
      }
    }
    memo.set(key, best);
    return best;
  };
  const total = cost(0, 0);
  // Walk the cheapest path again to list the operations.
  const ops: DiffOp[] = [];
  let i = 0;
  let j = 0;
  while (i < I || j < J) {
    const here = cost(i, j);
    const p = expected[i];
    if (p === undefined) {
      ops.push({ op: "+", actual: actual[j++]! });
      continue;
    }
    if (p.kind === "any") {
      // It takes lines for as long as that is the cheaper way.
      const absorbed: Masked[] = [];
      while (cost(i + 1, j) !== cost(i, j)) absorbed.push(actual[j++]!);
      ops.push({ op: "=", pattern: p, actual: absorbed });
      i++;
      continue;
    }
    if (j < J && p.kind === "line" && p.masked.text === actual[j]!.text && cost(i + 1, j + 1) === here) {
      ops.push({ op: "=", pattern: p, actual: [actual[j]!] });
      i++;
      j++;
      continue;
    }
    if (j < J && p.kind === "span" && startsWith(actual[j]!, p.head)) {
      let matched = false;
      for (let k = j; k < J; k++) {
        if (
          endsWith(actual[k]!, p.tail) &&
          (k > j || actual[j]!.text.length >= p.head.length + p.tail.length) &&
          cost(i + 1, k + 1) === here
        ) {
          ops.push({ op: "=", pattern: p, actual: actual.slice(j, k + 1) });
          i++;
          j = k + 1;
          matched = true;
          break;
        }
      }
      if (matched) continue;
    }
    if (1 + cost(i + 1, j) === here) {
      ops.push({ op: "-", pattern: p });
      i++;
    } else {
      ops.push({ op: "+", actual: actual[j++]! });
    }
  }
  return { ok: total === 0, ops };
}

/** A readable diff: `  ` a line as the README shows it, `- ` README only, `+ ` actual only (masked both). */
export function renderDiff(c: Comparison): string {
  const out: string[] = [];
  for (const op of c.ops) {
    if (op.op === "+") out.push(`+ ${op.actual.text}`);
    else if (op.op === "-") out.push(`- ${op.pattern.kind === "line" ? op.pattern.masked.text : op.pattern.source}`);
    else if (op.pattern.kind === "line") out.push(`  ${op.pattern.masked.text}`);
    else out.push(`  ${op.pattern.source.trim()}   (${op.actual.length} line${op.actual.length === 1 ? "" : "s"})`);
  }
  return out.join("\n");
}

/**
 * The masked values of the README and of the run, paired where their lines match: one README address (hash,
 * credential id) must stand for one actual value, and the other way round, all through the walkthrough.
 */
export class Bindings {
  private readonly toActual = new Map<string, { value: string; where: string }>();
  private readonly toReadme = new Map<string, { value: string; where: string }>();

  /** Pairs the values of matched lines; answers the conflicts, each a sentence. */
  bind(c: Comparison, where: string): string[] {
    const conflicts: string[] = [];
    for (const op of c.ops) {
      if (op.op !== "=" || op.pattern.kind !== "line") continue;
      const readme = op.pattern.masked.tokens;
      const actual = op.actual[0]!.tokens;
      for (let k = 0; k < readme.length && k < actual.length; k++) {
        const r = readme[k]!;
        const a = actual[k]!;
        const seen = this.toActual.get(r);
        const seenBack = this.toReadme.get(a);
        if (seen !== undefined && seen.value !== a)
          conflicts.push(
            `the README's ${r} stands for ${seen.value} (${seen.where}) but here for ${a}: "${op.pattern.source.trim()}"`,
          );
        else if (seenBack !== undefined && seenBack.value !== r)
          conflicts.push(
            `the run's ${a} is the README's ${seenBack.value} (${seenBack.where}) but here ${r}: "${op.pattern.source.trim()}"`,
          );
        else {
          this.toActual.set(r, { value: a, where });
          this.toReadme.set(a, { value: r, where });
        }
      }
    }
    return conflicts;
  }
}

/**
 * The exit status the README implies for a command, from its verdict, which is the output's first line (or, for a
 * verdict at the end, its last): an `error [code]` first line, the code's (src/errors.ts); a first line that says
 * `? UNKNOWN`, 2; a first line with a `✘` (`✘ INVALID`, `… ✘ 3 of 4 requirements met`) or a last line that starts
 * with one (`✘ not trusted …`), 1; else 0.
 */
export function expectedExit(expected: readonly string[] | undefined): number {
  const shown = (expected ?? []).map((l) => l.trim()).filter((l) => l !== "" && l !== "..." && l !== "…");
  const first = shown[0];
  const last = shown.at(-1);
  if (first === undefined || last === undefined) return 0;
  const error = /^error \[([a-z0-9_]+)\]/.exec(first);
  if (error !== null) {
    const code = error[1]!;
    return isErrorCode(code) ? ((ERROR_CODES[code] as { exit?: number }).exit ?? 1) : 1;
  }
  if (/\? UNKNOWN\b/.test(first)) return 2;
  if (first.includes("✘") || last.startsWith("✘")) return 1;
  return 0;
}

// ---- the shell ----------------------------------------------------------------------------------------------------

export interface Ran {
  code: number | null;
  /** stdout and stderr, interleaved as written. */
  output: string;
  ms: number;
}

/** A background command (`ler node`, `ler serve`). */
export interface Background {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Resolves once `test` holds for the output so far, or the command exited, or `timeoutMs` passed. */
  waitFor: (test: (output: string) => boolean, timeoutMs: number) => Promise<void>;
  /** Ctrl-C (SIGINT to its process group), then its exit code (SIGKILL after `timeoutMs`). */
  stop: (timeoutMs?: number) => Promise<number | null>;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A terminal for the walkthrough: bash in one temporary working directory (with `deployments/` and a copy of
 * `examples/`, as in the project) and a fresh home (LER_HOME). Each command runs in its own bash, which first
 * reads the environment the previous one exported, so `export` lasts as in one terminal. `npx ler` is the
 * package's own CLI ({@link LER_COMMAND}): an `npx` first on PATH runs it, and hands anything else to the real npx.
 */
export class Terminal {
  readonly dir: string;
  readonly cwd: string;
  readonly home: string;
  private readonly state: string;
  private readonly base: NodeJS.ProcessEnv;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "ler-readme-"));
    this.cwd = join(this.dir, "work");
    this.home = join(this.dir, "home");
    this.state = join(this.dir, "environment.sh");
    const bin = join(this.dir, "bin");
    mkdirSync(join(this.cwd, "deployments"), { recursive: true });
    mkdirSync(bin);
    cpSync(join(ROOT, "examples"), join(this.cwd, "examples"), { recursive: true });
    writeFileSync(this.state, "");
    const npx = join(bin, "npx");
    writeFileSync(
      npx,
      [
        "#!/usr/bin/env bash",
        "# `npx ler`: this package's CLI; anything else: the real npx, next on PATH.",
        `if [ "$1" = ler ]; then shift; exec ${LER_COMMAND.map(quote).join(" ")} "$@"; fi`,
        `PATH=${quote(process.env.PATH ?? "")} exec npx "$@"`,
        "",
      ].join("\n"),
    );
    chmodSync(npx, 0o755);
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("LER_") && k !== "FORCE_COLOR") env[k] = v;
    this.base = { ...env, NO_COLOR: "1", LER_HOME: this.home, PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` };
  }

  /** Sets a variable for every later command (as the user's terminal would have it). */
  setEnv(name: string, value: string): void {
    this.base[name] = value;
  }

  private script(command: string, background: boolean): string {
    return background
      ? `source ${quote(this.state)}\nexec ${command} 2>&1\n`
      : `source ${quote(this.state)}\n{\n${command}\n} 2>&1\n__rc=$?\nexport -p > ${quote(this.state)}\nexit $__rc\n`;
  }

  /** Runs a command to its end. */
  run(command: string, timeoutMs: number): Promise<Ran> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const child = spawn("bash", ["-c", this.script(command, false)], {
        cwd: this.cwd,
        env: this.base,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      let output = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
      const timer = setTimeout(() => {
        output += `\n[killed: still running after ${timeoutMs} ms]\n`;
        killGroup(child, "SIGKILL");
      }, timeoutMs);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, output, ms: performance.now() - started });
      });
    });
  }

  /** Starts a long-running command in the background (`exec`: its process is the command's). */
  start(command: string): Background {
    const child = spawn("bash", ["-c", this.script(command, true)], {
      cwd: this.cwd,
      env: this.base,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    const listeners = new Set<() => void>();
    const onData = (d: string) => {
      output += d;
      for (const l of listeners) l();
    };
    child.stdout!.setEncoding("utf8").on("data", onData);
    child.stderr!.setEncoding("utf8").on("data", onData);
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    void exited.then(() => {
      for (const l of listeners) l();
    });
    let done = false;
    void exited.then(() => (done = true));
    return {
      child,
      output: () => output,
      exited,
      waitFor: (test, timeoutMs) =>
        new Promise<void>((resolve) => {
          const check = () => {
            if (done || test(output)) finish();
          };
          const timer = setTimeout(() => finish(), timeoutMs);
          const finish = () => {
            clearTimeout(timer);
            listeners.delete(check);
            resolve();
          };
          listeners.add(check);
          check();
        }),
      stop: async (timeoutMs = 10_000) => {
        if (done) return exited;
        killGroup(child, "SIGINT");
        const timer = setTimeout(() => killGroup(child, "SIGKILL"), timeoutMs);
        const code = await exited;
        clearTimeout(timer);
        return code;
      },
    };
  }

  /** Removes the temporary directory. */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    /* gone already */
  }
}

/** Whether a program is on PATH (the walkthrough pipes through jq). */
export function onPath(program: string): boolean {
  return spawnSync("bash", ["-c", `command -v ${program}`], { stdio: "ignore" }).status === 0;
}
