// anvil, Foundry's node, as a second and independent EVM client beside Hardhat's EDR: its binary comes in the npm
// package of its platform (@foundry-rs/anvil-<os>-<arch>, an optional dependency of the devDependency
// @foundry-rs/anvil), so nothing is downloaded at test time. A suite that needs it and finds no binary for this
// platform says so in one line and does not run.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

const PLATFORM_PACKAGES: Record<string, string> = {
  "linux-x64": "@foundry-rs/anvil-linux-amd64",
  "linux-arm64": "@foundry-rs/anvil-linux-arm64",
  "darwin-x64": "@foundry-rs/anvil-darwin-amd64",
  "darwin-arm64": "@foundry-rs/anvil-darwin-arm64",
  "win32-x64": "@foundry-rs/anvil-win32-amd64",
};

/** The anvil binary of this platform, or why there is none. */
export function anvilBinary(): { path: string } | { missing: string } {
  const name = PLATFORM_PACKAGES[`${process.platform}-${process.arch}`];
  if (name === undefined) return { missing: `anvil ships no binary for ${process.platform}-${process.arch}` };
  try {
    const dir = dirname(require.resolve(`${name}/package.json`));
    const path = join(dir, "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
    return existsSync(path) ? { path } : { missing: `${name} holds no bin/anvil` };
  } catch {
    return { missing: `${name} is not installed (npm ci installs it on ${process.platform}-${process.arch})` };
  }
}

export interface Anvil {
  /** http://127.0.0.1:<port> */
  url: string;
  chainId: number;
  /** What anvil printed (for failure messages). */
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts anvil on a free loopback port with its default dev accounts (the same mnemonic as Hardhat's: the same
 * addresses, unlocked) and automine, and waits until it listens. `args` are more of anvil's flags.
 */
export async function startAnvil(options: { chainId?: number; args?: readonly string[] } = {}): Promise<Anvil> {
  const binary = anvilBinary();
  if ("missing" in binary) throw new Error(binary.missing);
  const chainId = options.chainId ?? 31337;
  const child: ChildProcess = spawn(
    binary.path,
    ["--host", "127.0.0.1", "--port", "0", "--chain-id", String(chainId), ...(options.args ?? [])],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`anvil did not start in 20 s:\n${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /Listening on (127\.0\.0\.1:\d+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(`http://${m[1]}`);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`anvil exited (${code}) before listening:\n${out}`));
    });
  });
  return {
    url,
    chainId,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
