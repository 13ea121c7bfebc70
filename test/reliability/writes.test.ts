import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEther, type JsonRpcProvider } from "ethers";
import { createLerAgent, type LerAgent } from "../../src/agent/agent.js";
import type { WriteResult } from "../../src/chain/writes.js";
import { rpcProvider } from "../../src/chain/provider.js";
import { rejection } from "../helpers/assert.js";
import { createAgentWorld, type AgentWorld } from "../helpers/world.js";
import { startFaultyRpc, type FaultyRpc } from "../helpers/faultyRpc.js";
import { until } from "../helpers/until.js";

// Writes: success is reported only after the configured number of confirmations (a reorganisation shallower than
// that cannot undo a write reported done), and a refused write comes back as the contract's reason, with a code.

describe("reliability: writes", function () {
  this.timeout(120_000);
  let w: AgentWorld;
  let dir: string;
  let proxy: FaultyRpc;
  let provider: JsonRpcProvider;
  let agent: LerAgent;
  let issuer: string;

  before(async () => {
    w = await createAgentWorld("json-rpc");
    dir = mkdtempSync(join(tmpdir(), "ler-writes-"));
    // The agent talks through a pass-through proxy, so the test can see it polling.
    proxy = await startFaultyRpc(w.network.rpcUrl!);
    provider = rpcProvider(proxy.url, w.network.chainId);
    provider.pollingInterval = 20;
    const funder = await (w.network.provider as JsonRpcProvider).getSigner(0);
    agent = await createLerAgent({
      network: { ...w.network, provider, rpcUrl: proxy.url },
      home: join(dir, "home"),
      secret: "writes secret",
      confirmations: 3,
      fund: async (address) =>
        void (await (await funder.sendTransaction({ to: address, value: parseEther("10") })).wait()),
    });
    const created = await agent.lerCreateIdentity({ alias: "issuer" });
    issuer = created.did;
    await (await funder.sendTransaction({ to: created.address, value: parseEther("10") })).wait();
    await w.agent.lerRegisterType({ governor: w.governor, name: "Degree" });
  });
  after(async () => {
    provider?.destroy();
    await proxy?.close();
    await w?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /** Resolves once the agent has made `n` more JSON-RPC requests than now: it had that many chances to resolve. */
  async function requestsLater(n: number): Promise<void> {
    const target = proxy.methods.length + n;
    await until(() => proxy.methods.length >= target, `${n} more JSON-RPC requests`, {
      timeoutMs: 10_000,
      intervalMs: 5,
    });
  }

  const writes: [string, () => Promise<WriteResult | WriteResult[]>][] = [
    ["lerRevoke (status registry)", () => agent.lerRevoke({ issuer, entries: [{ list: "0", index: 7 }] })],
    [
      "lerRevoke of many words",
      () => agent.lerRevoke({ issuer, entries: [0, 256, 512].map((index) => ({ list: "1", index })) }),
    ],
    ["lerRevokeByHash", () => agent.lerRevokeByHash({ issuer, credentials: [`0x${"ab".repeat(32)}`] })],
    ["lerAnchor (through the intent log)", () => agent.lerAnchor({ issuer, root: `0x${"cd".repeat(32)}` })],
    ["lerAddDelegate (ERC-1056)", () => agent.lerAddDelegate({ did: issuer }).then((r) => r.tx)],
  ];

  for (const [name, write] of writes) {
    it(`${name} with confirmations = 3 resolves only once two more blocks are mined on top`, async () => {
      // Each write is one transaction (the key is funded), mined at once (automine).
      const chain = w.network.provider as JsonRpcProvider;
      const headBefore = await chain.getBlockNumber();
      let settled = false;
      const pending = write().then((r) => {
        settled = true;
        return r;
      });
      // Wait until the transaction is in a block (the head moves), then let the agent poll.
      await until(async () => (await chain.getBlockNumber()) !== headBefore, "the write's block", {
        timeoutMs: 10_000,
        intervalMs: 5,
      });
      await requestsLater(10);
      expect(settled, "resolved with 1 confirmation").to.equal(false);
      await chain.send("evm_mine", []);
      await requestsLater(10);
      expect(settled, "resolved with 2 confirmations").to.equal(false);
      await chain.send("evm_mine", []);
      const result = await pending;
      const last = Array.isArray(result) ? result[result.length - 1]! : result;
      expect((await chain.getBlockNumber()) - last.block + 1).to.be.at.least(3);
    });
  }

  it("a write the contract refuses comes back as a LerError with the contract's reason as its code", async () => {
    // The issuer is no accreditor: TrustRegistryNotAccreditor(issuer). (The candidate's key is here: it consents.)
    const candidate = (await agent.lerCreateIdentity({ alias: "candidate" })).did;
    const refused = await rejection(
      agent.lerAccredit({ accreditor: issuer, subject: candidate, role: "issuer", types: ["Degree"] }),
    );
    expect(refused.name, refused.stack).to.equal("LerError");
    expect(refused.code).to.equal("not_accreditor");
    const governorOnly = await rejection(agent.lerRegisterType({ governor: issuer, name: "Degree" }));
    expect(governorOnly.name, governorOnly.stack).to.equal("LerError");
    expect(governorOnly.code).to.equal("unauthorized");
  });
});
