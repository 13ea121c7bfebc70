import { createServer } from "node:net";
import { BrowserProvider, HDNodeWallet, JsonRpcProvider, parseEther, type Eip1193Provider, type Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { deployRegistries } from "../chain/deploy.js";
import { deploymentPath, writeDeployment, type Deployment } from "../chain/deployments.js";
import { embeddedNetwork, type LerNetwork } from "../chain/network.js";
import { LerError } from "../errors.js";
import { PACKAGE_ROOT } from "./config.js";

/** Hardhat's simulated chain id, and the id by which the CLI recognises a dev chain. */
export const DEV_CHAIN_ID = 31337;
/** What a dev-chain identity gets on its first write. */
export const DEV_FUNDING = parseEther("100");
/** The mnemonic of Hardhat's dev accounts: public, for local chains only. */
const DEV_MNEMONIC = "test test test test test test test test test test test junk";

let hre: Promise<HardhatRuntimeEnvironment> | undefined;

/**
 * A Hardhat runtime with only the built-in simulated network: no project config, no plugins, so it starts in a
 * fraction of a second from any working directory.
 */
function devRuntime(): Promise<HardhatRuntimeEnvironment> {
  hre ??= import("hardhat/hre").then(({ createHardhatRuntimeEnvironment }) =>
    createHardhatRuntimeEnvironment({}, {}, PACKAGE_ROOT),
  );
  return hre;
}

/** The private key of dev account `i` (the same on every Hardhat chain: never fund it anywhere real). */
export function devAccountKey(i: number): { address: string; privateKey: string } {
  const w = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
  return { address: w.address, privateKey: w.privateKey };
}

export interface DevNode {
  url: string;
  chainId: number;
  deployment: Deployment;
  /** The deployment record written. */
  file: string;
  /** The node's unlocked, funded accounts. */
  accounts: string[];
  /** The registries' governor (dev account #0 unless another was asked for). */
  governor: string;
  close(): Promise<void>;
  /** Resolves when the server has shut down. */
  closed: Promise<void>;
}

/**
 * Starts a JSON-RPC dev chain on `host:port`, deploys every registry with dev account #0 and writes the deployment
 * record (atomically) to `<deploymentsDir>/<network>.json`.
 */
export async function startDevNode({
  host,
  port,
  network,
  deploymentsDir,
  governor,
}: {
  host: string;
  port: number;
  network: string;
  deploymentsDir: string;
  governor?: string;
}): Promise<DevNode> {
  // Hardhat's server reports a taken port as an unhandled 'error' event (a crash): find out first.
  if (port !== 0) await checkPortFree(host, port);
  const runtime = await devRuntime();
  const server = await runtime.network.createServer({ network: "default" }, host, port);
  let where: { address: string; port: number };
  try {
    where = await server.listen();
  } catch (e) {
    throw listenError(e, host, port);
  }
  const url = `http://${where.address.includes(":") ? `[${where.address}]` : where.address}:${where.port}`;
  const provider = new JsonRpcProvider(url, DEV_CHAIN_ID, { cacheTimeout: -1, staticNetwork: true });
  try {
    const accounts = ((await provider.send("eth_accounts", [])) as string[]).map((a) => a.toLowerCase());
    const deployer = await provider.getSigner(accounts[0]);
    const file = deploymentPath(deploymentsDir, network);
    const { deployment } = await deployRegistries(deployer, {
      network,
      ...(governor !== undefined && { governor }),
    });
    writeDeployment(file, deployment);
    const closed = new Promise<void>((resolve) => void server.afterClosed().then(resolve, resolve));
    return {
      url,
      chainId: deployment.chainId,
      deployment,
      file,
      accounts,
      governor: governor ?? (await deployer.getAddress()),
      closed,
      close: async () => {
        provider.destroy();
        await server.close();
      },
    };
  } catch (e) {
    provider.destroy();
    await server.close();
    throw e;
  }
}

function listenError(e: unknown, host: string, port: number): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") {
    return new LerError(
      "port_in_use",
      `${host}:${port} is already in use (another node running?). Choose another with --port.`,
      { cause: e },
    );
  }
  if (code === "EADDRNOTAVAIL" || code === "EACCES" || code === "ENOTFOUND") {
    return new LerError("cannot_listen", `Cannot listen on ${host}:${port} (${code}).`, { cause: e });
  }
  return e as Error;
}

function checkPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (e) => reject(listenError(e, host, port)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

export interface EmbeddedChain {
  network: LerNetwork;
  /** Dev account #0: deploys and funds. */
  deployer: Signer;
  /** Sends 100 ETH from dev account #0 (what the CLI does for identities on a dev chain). */
  fund: (address: string) => Promise<void>;
  close(): Promise<void>;
}

/** An in-process Hardhat chain (no server, no port) with every registry deployed. */
export async function createEmbeddedChain({
  name = "embedded",
  governor,
}: { name?: string; governor?: string } = {}): Promise<EmbeddedChain> {
  const runtime = await devRuntime();
  const connection = await runtime.network.create();
  const eip1193 = connection.provider as unknown as Eip1193Provider;
  const provider = new BrowserProvider(eip1193, DEV_CHAIN_ID, { cacheTimeout: -1 });
  const deployer = await provider.getSigner(0);
  const { deployment } = await deployRegistries(deployer, {
    network: name,
    ...(governor !== undefined && { governor }),
  });
  const network = embeddedNetwork(eip1193, deployment, name);
  return {
    network,
    deployer,
    fund: async (address) => {
      await (await deployer.sendTransaction({ to: address, value: DEV_FUNDING })).wait();
    },
    close: async () => {
      provider.destroy();
      network.provider.destroy?.();
      await connection.close();
    },
  };
}

/**
 * On a dev chain (chain id 31337 with unlocked accounts), the function that funds an identity's key from the
 * node's first account: the node fills in the nonce (eth_sendTransaction), so concurrent CLI processes do not
 * collide. Elsewhere `undefined`: real networks pay their own gas.
 */
export async function devFunder(
  provider: JsonRpcProvider,
  chainId: number,
): Promise<((address: string) => Promise<void>) | undefined> {
  if (chainId !== DEV_CHAIN_ID) return undefined;
  const accounts = (await provider.send("eth_accounts", [])) as string[];
  const first = accounts[0];
  if (first === undefined) return undefined;
  const signer = await provider.getSigner(first);
  return async (address) => {
    await (await signer.sendTransaction({ to: address, value: DEV_FUNDING })).wait();
  };
}
