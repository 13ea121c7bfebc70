import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Helpers for driving `ler` as a user does: a child process per command (this module defines no tests).

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = join(ROOT, "bin", "ler.js");

/**
 * Throws when the built CLI (dist/bundle, which bin/ler.js runs) is older than a source file: the tests would run
 * yesterday's `ler`. `npm test` builds first; a single test run (`npx hardhat test mocha …`) needs `npm run build:ts`.
 */
export function assertBuilt(): void {
  if (checked) return;
  let built: number;
  try {
    built = statSync(join(ROOT, "dist", "bundle", "ler.js")).mtimeMs;
  } catch {
    throw new Error("ler is not built: run `npm run build:ts` before the CLI tests.");
  }
  const newer = (dir: string): string | undefined => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      const found = e.isDirectory() ? newer(p) : statSync(p).mtimeMs > built ? p : undefined;
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const stale = newer(join(ROOT, "src"));
  if (stale !== undefined) {
    throw new Error(
      `dist/ is older than ${stale.slice(ROOT.length + 1)}: run \`npm run build:ts\` before the CLI tests.`,
    );
  }
  checked = true;
}
let checked = false;

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a clean terminal-less user: no colour, no inherited LER_* settings. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("LER_") && k !== "FORCE_COLOR") env[k] = v;
  return { ...env, NO_COLOR: "1", ...extra };
}

/** Runs `ler args…` to completion (stdin from `input`, else empty). */
export function ler(args: readonly string[], env: NodeJS.ProcessEnv, input?: string): Promise<Ran> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/** Parses the one JSON object a `--json` command prints, with the command's output in the message if it is not. */
export function json<T = Record<string, unknown>>(r: Ran): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not one JSON object on stdout (exit ${r.code}):\n${r.stdout}\n--- stderr:\n${r.stderr}`);
  }
}

export interface Node {
  child: ChildProcess;
  ready: Record<string, unknown>;
  stderr: () => string;
  /** SIGTERM, then the exit code. */
  stop: () => Promise<number | null>;
}

/** Starts `ler node --port 0 --json` and waits for its ready line. */
export function startNode(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Node> {
  return startServing(["node", "--port", "0", "--json"], env, timeoutMs);
}

/** Starts a long-running `ler` command that prints one JSON line when it is ready (`node`, `serve`). */
export function startServing(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Node> {
  const what = `ler ${args[0]}`;
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${what} was not ready after ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      const nl = stdout.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        const ready = JSON.parse(stdout.slice(0, nl)) as Record<string, unknown>;
        resolve({
          child,
          ready,
          stderr: () => stderr,
          stop: async () => {
            if (child.exitCode === null) child.kill("SIGTERM");
            return exited;
          },
        });
      } catch (e) {
        child.kill("SIGKILL");
        reject(new Error(`${what} printed something other than its ready line: ${stdout}\n${stderr}`, { cause: e }));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before it was ready:\n${stderr}`));
    });
  });
}

/** No stack trace, no Node internals: what a user must never see. */
export function looksLikeACrash(stderr: string): boolean {
  return /\n\s+at .+:\d+:\d+\)?\n|node:internal|TypeError|ReferenceError|Unhandled/.test(stderr);
}

/** A `ler` process left running, to be waited for or killed (SIGKILL reaches `ler` itself: no shell in between). */
export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code and signal once the process has exited and its output is drained. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once stderr matches `pattern`; rejects if the process exits first. */
  waitForStderr: (pattern: RegExp) => Promise<void>;
}

/** Starts `ler args…` without waiting for it. */
export function spawnLer(args: readonly string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
    for (let i = waiters.length - 1; i >= 0; i--)
      if (waiters[i]!.pattern.test(stderr)) waiters.splice(i, 1)[0]!.resolve();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForStderr: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        waiters.push({ pattern, resolve });
        void exited.then(({ code, signal }) =>
          reject(new Error(`ler ${args.join(" ")} exited (${code ?? signal}) before ${pattern}:\n${stderr}`)),
        );
      }),
  };
}
