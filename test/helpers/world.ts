/**
 * The one world builder of the tests and the benchmarks: a chain (in process, over a JSON-RPC server of its own, or
 * at a given URL) with every registry deployed, an agent with a fresh encrypted home whose identities are funded by
 * the chain's first account when they first write, and a governor identity holding the trust registry's governance
 * role. Scenario worlds (test/adversarial/world.ts, test/server/world.ts, bench/lib/world.ts) build their
 * accreditation trees and credentials on top of it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { network } from "hardhat";
import { BrowserProvider, Contract, JsonRpcProvider, parseEther } from "ethers";
import { createLerAgent, type LerAgent } from "../../src/agent/agent.js";
import { projectArtifact } from "../../src/chain/artifacts.js";
import { deployRegistries } from "../../src/chain/deploy.js";
import type { LerNetwork } from "../../src/chain/network.js";
import { startAnvil } from "./anvil.js";

/**
 * How the world reaches its chain: a new in-process chain, a new chain behind a JSON-RPC server (both Hardhat's EDR),
 * a new anvil node (Foundry's, a second EVM implementation, over JSON-RPC), or a given URL.
 */
export type Transport = "in-process" | "json-rpc" | "anvil";

export interface WorldOptions {
  /** A chain already running at this URL (the benchmarks' node); otherwise a new one is made as `transport` says. */
  rpcUrl?: string;
  /** The network's name in DIDs and the deployment record (default: "localnet" over JSON-RPC, "embedded" in process). */
  networkName?: string;
  /** The secret of the agent's key store. */
  secret?: string;
  /** The governor's key (hex): fixed keys give the same DIDs on every run; default a new key. */
  governorKey?: string;
  /** Prefix of the home directory's name. */
  homePrefix?: string;
}

export interface AgentWorld {
  agent: LerAgent;
  network: LerNetwork;
  home: string;
  /** The governor identity's DID (holds the trust registry's governance role). */
  governor: string;
  /** The governor identity's address. */
  governorAddress: string;
  /** Latest block time: the verifier's "now" in these tests. */
  now: () => Promise<number>;
  /** Sends 10 ETH to `address` from the chain's first account. */
  fund: (address: string) => Promise<void>;
  /** Moves the chain's clock forward and mines a block. */
  increaseTime: (seconds: number) => Promise<void>;
  /** Stops the JSON-RPC server: the chain becomes unreachable (a JSON-RPC chain the world started only). */
  stopServer: () => Promise<void>;
  close: () => Promise<void>;
}

/**
 * A chain with every registry deployed and an agent with a fresh encrypted home, reached either in process
 * (EIP-1193) or over a real JSON-RPC HTTP server on 127.0.0.1 (`transport`), or at `options.rpcUrl`.
 */
export async function createAgentWorld(
  transport: Transport,
  secret = "correct horse battery staple",
): Promise<AgentWorld> {
  return createWorld(transport, { secret });
}

export async function createWorld(transport: Transport, options: WorldOptions = {}): Promise<AgentWorld> {
  let provider: BrowserProvider | JsonRpcProvider;
  let stopServer = async () => {};
  let closeChain = async () => {};
  let rpcUrl = options.rpcUrl;
  if (rpcUrl !== undefined) {
    provider = new JsonRpcProvider(rpcUrl, 31337, { cacheTimeout: -1, staticNetwork: true });
  } else if (transport === "anvil") {
    const anvil = await startAnvil();
    rpcUrl = anvil.url;
    provider = new JsonRpcProvider(rpcUrl, anvil.chainId, { cacheTimeout: -1, staticNetwork: true });
    stopServer = anvil.stop;
    closeChain = anvil.stop;
  } else if (transport === "json-rpc") {
    let server: Awaited<ReturnType<typeof network.createServer>> | undefined = await network.createServer(
      { network: "default" },
      "127.0.0.1",
      0,
    );
    const { address, port } = await server.listen();
    rpcUrl = `http://${address}:${port}`;
    provider = new JsonRpcProvider(rpcUrl, 31337, { cacheTimeout: -1, staticNetwork: true });
    stopServer = async () => {
      await server?.close();
      server = undefined;
    };
    closeChain = stopServer;
  } else {
    const connection = await network.create();
    provider = new BrowserProvider(connection.provider as never, 31337, { cacheTimeout: -1 });
    closeChain = () => connection.close();
  }
  if (options.rpcUrl === undefined && transport !== "anvil") {
    // A chain created late in a long test run starts at the run's start time; the agent dates credentials by the
    // wall clock. Bring the chain's clock up to the wall clock so that the two agree.
    const latest = (await provider.getBlock("latest"))!.timestamp;
    const wall = Math.floor(Date.now() / 1000);
    if (latest < wall) {
      await provider.send("evm_setNextBlockTimestamp", [wall]);
      await provider.send("evm_mine", []);
    }
  }
  const funder = await provider.getSigner(0);
  const name = options.networkName ?? (rpcUrl !== undefined ? "localnet" : "embedded");
  const { deployment } = await deployRegistries(funder, { network: name });
  const net: LerNetwork = {
    name,
    chainId: deployment.chainId,
    provider,
    deployment,
    ...(rpcUrl !== undefined && { rpcUrl }),
  };
  const home = mkdtempSync(join(tmpdir(), options.homePrefix ?? "ler-agent-"));
  // The funder's nonce is managed by the node (unlocked account), so concurrent funding cannot collide.
  const fund = async (address: string) => {
    await (await funder.sendTransaction({ to: address, value: parseEther("10") })).wait();
  };
  const agent = await createLerAgent({
    network: net,
    home,
    secret: options.secret ?? "correct horse battery staple",
    fund,
  });
  const governor =
    options.governorKey === undefined
      ? await agent.lerCreateIdentity({ alias: "governor" })
      : await agent.lerImportIdentity({ alias: "governor", privateKeyHex: options.governorKey });
  const trust = new Contract(deployment.contracts.TrustRegistry.address, projectArtifact("TrustRegistry").abi, funder);
  const role = await trust.getFunction("GOVERNOR_ROLE")();
  await (await trust.getFunction("grantRole")(role, governor.address)).wait();
  return {
    agent,
    network: net,
    home,
    governor: governor.did,
    governorAddress: governor.address,
    fund,
    now: async () => (await provider.getBlock("latest"))!.timestamp,
    increaseTime: async (seconds) => {
      await provider.send("evm_increaseTime", [seconds]);
      await provider.send("evm_mine", []);
    },
    stopServer,
    close: async () => {
      provider.destroy();
      await closeChain();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
