import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The repository root: children run from it so that `--import tsx` resolves from its node_modules. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A fixture script running as its own process, with its stdout collected line by line. */
export interface Child {
  process: ChildProcess;
  /** Complete stdout lines so far (a line cut by a kill is not one). */
  lines: string[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once a line satisfying `test` has been printed. */
  waitForLine: (test: (line: string) => boolean) => Promise<string>;
}

/**
 * Starts `test/fixtures/store/<script>` under the same Node as the tests (`process.execPath`: Node 22 under
 * `npx hardhat test`) with tsx as loader. No npx or shell in between: the pid is the script's, so SIGKILL hits it.
 */
export function startFixture(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, ["--import", "tsx", `test/fixtures/store/${script}`, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters: { test: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  let partial = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.test(line)) waiters.splice(i, 1)[0]!.resolve(line);
      }
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // "close", not "exit": by then stdout is drained, so `lines` is complete.
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  return {
    process: child,
    lines,
    stderr: () => stderr,
    exited,
    waitForLine: (test) =>
      new Promise<string>((resolve, reject) => {
        const found = lines.find(test);
        if (found !== undefined) return resolve(found);
        waiters.push({ test, resolve });
        void exited.then(({ code, signal }) =>
          reject(new Error(`${script} exited (code ${code}, signal ${signal}) before the line; stderr:\n${stderr}`)),
        );
      }),
  };
}

/** A pid that belonged to a process which has exited and been reaped. */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", ""]);
  return r.pid;
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so a failing run can be repeated by its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
