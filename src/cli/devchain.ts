import { existsSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { BrowserProvider, HDNodeWallet, JsonRpcProvider, parseEther, type Eip1193Provider, type Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import type { JsonRpcRequest, JsonRpcResponse } from "hardhat/types/providers";
import { deployRegistries } from "../chain/deploy.js";
import {
  deploymentPath,
  readDeployment,
  withBlockHashes,
  writeDeployment,
  type Deployment,
} from "../chain/deployments.js";
import {
  STATE_FORMAT,
  STATE_VERSION,
  StateJournal,
  StateRecorder,
  genesisOf,
  lockStateFile,
  readStateFile,
  recordedDeployment,
  effectiveRecords,
  replayState,
  type Replayed,
  type Send,
  type StateFile,
} from "../chain/devstate.js";
import { embeddedNetwork, type LerNetwork } from "../chain/network.js";
import { systemClock, unixSeconds } from "../clock.js";
import { LerError, UsageError } from "../errors.js";
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

/**
 * A runtime of its own for a node that keeps its state: its chain starts at `initialDate` (a restored chain's genesis
 * time, so that its genesis block is the recorded one), and its requests pass through `onRequest` once it is set.
 */
async function statefulRuntime(initialDate: Date): Promise<{
  runtime: HardhatRuntimeEnvironment;
  /** The connection the server made (its chain). */
  connection: () => NetworkConnection | undefined;
  /** Sets what sees every request to that connection from then on. */
  intercept: (handler: Interceptor) => void;
}> {
  const { createHardhatRuntimeEnvironment } = await import("hardhat/hre");
  const runtime = await createHardhatRuntimeEnvironment(
    { networks: { default: { type: "edr-simulated", initialDate } } },
    {},
    PACKAGE_ROOT,
  );
  let connection: NetworkConnection | undefined;
  let handler: Interceptor | undefined;
  runtime.hooks.registerHandlers("network", {
    newConnection: async (context, next) => {
      const made = await next(context);
      connection ??= made as NetworkConnection;
      return made;
    },
    onRequest: async (context, conn, request, next) =>
      handler === undefined || conn !== connection
        ? next(context, conn, request)
        : handler(request, (r) => next(context, conn, r)),
  });
  return { runtime, connection: () => connection, intercept: (h) => (handler = h) };
}

type Interceptor = (
  request: JsonRpcRequest,
  next: (request: JsonRpcRequest) => Promise<JsonRpcResponse>,
) => Promise<JsonRpcResponse>;

function hardhatVersion(): string | undefined {
  try {
    return (createRequire(import.meta.url)("hardhat/package.json") as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** The private key of dev account `i` (the same on every Hardhat chain: never fund it anywhere real). */
export function devAccountKey(i: number): { address: string; privateKey: string } {
  const w = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
  return { address: w.address, privateKey: w.privateKey };
}

/** The state file `ler node` keeps its chain in by default: beside the deployment record it writes. */
export function defaultStatePath(deploymentsDir: string, network: string): string {
  return deploymentPath(deploymentsDir, network).replace(/\.json$/, ".state");
}

/** Where a node keeps its chain (see src/chain/devstate.ts). */
export interface DevNodeState {
  file: string;
  /** Start a new chain even when the file holds one (that file is moved to `<file>.previous`). */
  fresh?: boolean;
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
  /** The state file, when the node keeps its chain: whether it restored one, and its blocks. */
  state:
    | {
        file: string;
        restored: boolean;
        blocks: number;
        tornBytes: number;
        /** Where --fresh moved the chain the file held. */
        previous?: string;
      }
    | undefined;
  close(): Promise<void>;
  /** Resolves when the server has shut down. */
  closed: Promise<void>;
}

/**
 * Starts a JSON-RPC dev chain on `host:port`, deploys every registry with dev account #0 and writes the deployment
 * record (atomically) to `<deploymentsDir>/<network>.json`. With `state`, the chain is kept in that file: a node
 * started on it again rebuilds the same chain (blocks, contracts, addresses and state, block for block) before it
 * listens, and its registries are the ones deployed the first time.
 */
export async function startDevNode({
  host,
  port,
  network,
  deploymentsDir,
  governor,
  state,
  onStateLost,
}: {
  host: string;
  port: number;
  network: string;
  deploymentsDir: string;
  governor?: string;
  state?: DevNodeState;
  /** Told when the state can no longer be saved (the disk is full, …): the node then refuses to change the chain. */
  onStateLost?: (e: Error) => void;
}): Promise<DevNode> {
  // Hardhat's server reports a taken port as an unhandled 'error' event (a crash): find out first.
  if (port !== 0) await checkPortFree(host, port);
  const release = state === undefined ? undefined : lockStateFile(state.file);
  let chain: StatefulChain | undefined;
  try {
    const saved = state === undefined || state.fresh === true ? undefined : readStateFile(state.file);
    if (saved !== undefined && saved.header.chainId !== DEV_CHAIN_ID) {
      throw new LerError(
        "state_wrong_chain",
        `${saved.file} holds chain ${saved.header.chainId}, and \`ler node\` runs chain ${DEV_CHAIN_ID}: it is not used (nothing was changed). Start with another --state, or --fresh to replace it.`,
        { details: { file: saved.file, expected: DEV_CHAIN_ID, actual: saved.header.chainId } },
      );
    }
    const earlier = saved === undefined ? undefined : recordedDeployment(effectiveRecords(saved));
    if (earlier !== undefined && governor !== undefined && governor.toLowerCase() !== earlier.governor.toLowerCase()) {
      throw new UsageError(
        "invalid_option",
        `--governor applies to a new chain; the registries of the chain in ${saved!.file} were deployed with governor ${earlier.governor}. Start a new chain with --fresh to choose another.`,
      );
    }
    let server: DevServer;
    if (state === undefined) {
      const runtime = await devRuntime();
      server = await runtime.network.createServer({ network: "default" }, host, port);
    } else {
      chain = await openStatefulChain({ state, saved, host, port, onStateLost });
      server = chain.server;
    }

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
      const chosen = governor ?? earlier?.governor;
      // A restored chain has its registries already: they are kept. One whose first start was cut short before the
      // state recorded them keeps what the record file names and is there (the rest is deployed).
      const previous =
        earlier !== undefined ? { ...earlier.deployment, network } : saved !== undefined ? recordIn(file) : undefined;
      let deployment: Deployment;
      try {
        ({ deployment } = await deployRegistries(deployer, {
          network,
          ...(chosen !== undefined && { governor: chosen }),
          ...(previous !== undefined && { previous }),
        }));
      } catch (e) {
        if (e instanceof LerError && e.code === "outdated_contract") {
          throw new LerError(
            "outdated_contract",
            `${e.message.replace(/ Its records stay there;.*$/, "")} The chain in ${state!.file} was made by another release: start a new one with --fresh.`,
            { cause: e, ...(e.details !== undefined && { details: e.details }) },
          );
        }
        throw e;
      }
      const governedBy = chosen ?? (await deployer.getAddress());
      if (chain !== undefined && JSON.stringify(deployment) !== JSON.stringify(earlier?.deployment)) {
        chain.recorder.append([{ k: "deployment", deployment, governor: governedBy }]);
      }
      deployment = await withBlockHashes(provider, deployment);
      writeDeployment(file, deployment);
      const closed = new Promise<void>((resolve) => void server.afterClosed().then(resolve, resolve));
      const stateful = chain;
      let closing: Promise<void> | undefined;
      return {
        url,
        chainId: deployment.chainId,
        deployment,
        file,
        accounts,
        governor: governedBy,
        state:
          state === undefined
            ? undefined
            : {
                file: state.file,
                restored: saved !== undefined,
                blocks: stateful?.restored?.blocks ?? 0,
                tornBytes: saved?.torn ?? 0,
                ...(stateful?.previous !== undefined && { previous: stateful.previous }),
              },
        closed: closed.then(() => closing),
        close: () =>
          (closing ??= (async () => {
            provider.destroy();
            await server.close();
            await stateful?.close();
            release?.();
          })()),
      };
    } catch (e) {
      provider.destroy();
      await server.close();
      throw e;
    }
  } catch (e) {
    await chain?.close().catch(() => undefined);
    release?.();
    throw e;
  }
}

/** The deployment record in `file` if it is one of the dev chain's, else nothing. */
function recordIn(file: string): Deployment | undefined {
  try {
    const record = readDeployment(file);
    return record?.chainId === DEV_CHAIN_ID ? record : undefined;
  } catch {
    return undefined;
  }
}

type DevServer = Awaited<ReturnType<HardhatRuntimeEnvironment["network"]["createServer"]>>;

interface StatefulChain {
  server: DevServer;
  recorder: StateRecorder;
  restored: Replayed | undefined;
  /** Where --fresh moved the chain the file held. */
  previous: string | undefined;
  /** Closes the state file (after the requests under way) and the chain. */
  close(): Promise<void>;
}

/**
 * The server of a chain kept in `state.file`: the recorded chain rebuilt (or a new one, its file written), and every
 * request that may change it recorded before it is answered. Not listening yet.
 */
async function openStatefulChain({
  state,
  saved,
  host,
  port,
  onStateLost,
}: {
  state: DevNodeState;
  saved: StateFile | undefined;
  host: string;
  port: number;
  onStateLost: ((e: Error) => void) | undefined;
}): Promise<StatefulChain> {
  // Hardhat starts its chain's clock at `initialDate`: a restored chain's at its genesis time, a new one's now.
  const genesisTime = saved?.header.genesis.timestamp ?? unixSeconds(systemClock);
  const rt = await statefulRuntime(new Date(genesisTime * 1000));
  const server = await rt.runtime.network.createServer({ network: "default" }, host, port);
  const connection = rt.connection();
  if (connection === undefined) throw new LerError("internal_error", "The dev chain's connection was not made.");
  let recorder: StateRecorder | undefined;
  try {
    const send: Send = (method, params = []) => connection.provider.request({ method, params });
    const hardhat = hardhatVersion();
    let journal: StateJournal;
    let restored: Replayed | undefined;
    let previous: string | undefined;
    if (saved !== undefined) {
      restored = await replayState(send, saved);
      journal = StateJournal.open(saved.file, saved.length);
    } else {
      // --fresh: the chain the file held is kept aside, not lost (one generation: an older one goes).
      if (state.fresh === true && existsSync(state.file)) {
        previous = `${state.file}.previous`;
        renameSync(state.file, previous);
      }
      journal = StateJournal.create(state.file, {
        format: STATE_FORMAT,
        version: STATE_VERSION,
        chainId: DEV_CHAIN_ID,
        genesis: await genesisOf(send),
        created: new Date().toISOString(),
        ...(hardhat !== undefined && { hardhat }),
      });
    }
    recorder = new StateRecorder(journal, Number(await send("eth_blockNumber", [])), (e) => onStateLost?.(e));
    recorder.append([{ k: "session", at: new Date().toISOString(), ...(hardhat !== undefined && { hardhat }) }]);
    const r = recorder;
    rt.intercept(async (request, next) => {
      const params = Array.isArray(request.params) ? (request.params as unknown[]) : [];
      // The chain read after a request, straight to it (not through this interceptor).
      const read: Send = async (method, p = []) =>
        ((await next({ jsonrpc: "2.0", id: request.id, method, params: p })) as { result?: unknown }).result;
      const outcome = await r.handle(request.method, params, () => next(request), read);
      if ("refused" in outcome) {
        return { jsonrpc: "2.0", id: request.id, error: { code: -32004, message: outcome.refused } };
      }
      return outcome.response;
    });
    return {
      server,
      recorder,
      restored,
      previous,
      close: async () => {
        await r.close();
        await connection.close();
      },
    };
  } catch (e) {
    await recorder?.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
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
