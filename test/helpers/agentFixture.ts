import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { network } from "hardhat";
import { BrowserProvider, Contract, JsonRpcProvider, parseEther } from "ethers";
import { createLerAgent, type LerAgent } from "../../src/agent/agent.js";
import { projectArtifact } from "../../src/chain/artifacts.js";
import { deployRegistries } from "../../src/chain/deploy.js";
import type { LerNetwork } from "../../src/chain/network.js";

export type Transport = "in-process" | "json-rpc";

export interface AgentWorld {
  agent: LerAgent;
  network: LerNetwork;
  home: string;
  /** The governor identity's DID (holds the trust registry's governance role). */
  governor: string;
  /** Latest block time: the verifier's "now" in these tests. */
  now: () => Promise<number>;
  /** Moves the chain's clock forward and mines a block. */
  increaseTime: (seconds: number) => Promise<void>;
  /** Stops the JSON-RPC server: the chain becomes unreachable (json-rpc transport only). */
  stopServer: () => Promise<void>;
  close: () => Promise<void>;
}

/**
 * A chain with every registry deployed and an agent with a fresh encrypted home, reached either in process
 * (EIP-1193) or over a real JSON-RPC HTTP server on 127.0.0.1. Identities are funded by the chain's first account
 * when they first write.
 */
export async function createAgentWorld(transport: Transport, secret = "correct horse battery staple"): Promise<AgentWorld> {
  let provider: BrowserProvider | JsonRpcProvider;
  let stopServer = async () => {};
  let closeChain = async () => {};
  let rpcUrl: string | undefined;
  if (transport === "json-rpc") {
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
  // A chain created late in a long test run starts at the run's start time; the agent dates credentials by the
  // wall clock. Bring the chain's clock up to the wall clock so that the two agree.
  const latest = (await provider.getBlock("latest"))!.timestamp;
  const wall = Math.floor(Date.now() / 1000);
  if (latest < wall) {
    await provider.send("evm_setNextBlockTimestamp", [wall]);
    await provider.send("evm_mine", []);
  }
  const funder = await provider.getSigner(0);
  const name = transport === "json-rpc" ? "localnet" : "embedded";
  const { deployment } = await deployRegistries(funder, { network: name });
  const net: LerNetwork = { name, chainId: deployment.chainId, provider, deployment, ...(rpcUrl !== undefined && { rpcUrl }) };
  const home = mkdtempSync(join(tmpdir(), "ler-agent-"));
  // The funder's nonce is managed by the node (unlocked account), so concurrent funding cannot collide.
  const fund = async (address: string) => {
    await (await funder.sendTransaction({ to: address, value: parseEther("10") })).wait();
  };
  const agent = await createLerAgent({ network: net, home, secret, fund });
  const governor = await agent.lerCreateIdentity({ alias: "governor" });
  const trust = new Contract(deployment.contracts.TrustRegistry.address, projectArtifact("TrustRegistry").abi, funder);
  const role = await trust.getFunction("GOVERNOR_ROLE")();
  await (await trust.getFunction("grantRole")(role, governor.address)).wait();
  return {
    agent,
    network: net,
    home,
    governor: governor.did,
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
