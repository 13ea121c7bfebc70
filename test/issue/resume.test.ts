import { expect } from "chai";
import { BrowserProvider, Contract, keccak256, parseEther, toUtf8Bytes } from "ethers";
import { createLerAgent, type LerAgent } from "../../src/agent/agent.js";
import { projectArtifact } from "../../src/chain/artifacts.js";
import { deployRegistries } from "../../src/chain/deploy.js";
import { achievement } from "../../src/credentials/index.js";
import { anchorIntent } from "../../src/issue/intents.js";
import type { LerNetwork } from "../../src/chain/network.js";
import { openKeyStore } from "../../src/store/keystore.js";
import { PendingWrites } from "../../src/store/pending.js";
import type { StoreKeys } from "../../src/store/sealed.js";
import { createAgentWorld, type AgentWorld } from "../helpers/world.js";

const SECRET = "correct horse battery staple";

// One issuer home used on two networks (here two deployments of the registries on one chain, with different
// StatusRegistry addresses): a revocation or anchor done on the first must still be sent on the second. Before intent
// ids named the chain and registry, the second was reported done with the first's receipt and never sent.
describe("agent: intents name their chain and registry", function () {
  this.timeout(120_000);
  let w: AgentWorld;
  let b: LerAgent;
  let netB: LerNetwork;
  let issuer: { did: string; address: string };
  let keys: StoreKeys;
  const statusOf = (net: LerNetwork) =>
    new Contract(net.deployment.contracts.StatusRegistry.address, projectArtifact("StatusRegistry").abi, net.provider);
  const hash = (s: string) => keccak256(toUtf8Bytes(s));
  const scopeOf = (net: LerNetwork) => ({
    chainId: net.chainId,
    registry: net.deployment.contracts.StatusRegistry.address.toLowerCase(),
  });

  before(async () => {
    w = await createAgentWorld("in-process", SECRET);
    const funder = await (w.network.provider as BrowserProvider).getSigner(0);
    const { deployment } = await deployRegistries(funder, {
      network: w.network.name,
      previous: w.network.deployment,
      force: true,
      didRegistry: w.network.deployment.contracts.EthereumDIDRegistry.address,
    });
    expect(deployment.contracts.StatusRegistry.address).to.not.equal(
      w.network.deployment.contracts.StatusRegistry.address,
    );
    netB = { ...w.network, deployment };
    const fund = async (address: string) =>
      void (await (await funder.sendTransaction({ to: address, value: parseEther("10") })).wait());
    issuer = await w.agent.lerCreateIdentity({ alias: "University" });
    // The same home (key store, intent log), opened for the second network.
    b = await createLerAgent({ network: netB, home: w.home, secret: SECRET, fund });
    keys = (await openKeyStore(w.home, SECRET)).storeKeys; // the intent log is encrypted with the home's secret
  });
  after(async () => w?.close());

  it("sends the same revocation by hash, revocation by index and anchor on each network, and each once", async () => {
    const h = hash("a credential");
    const root = hash("a batch root");
    const entries = [{ list: "0", index: 7 }];
    const onA = {
      byHash: await w.agent.lerRevokeByHash({ issuer: issuer.did, credentials: [h] }),
      byIndex: (await w.agent.lerRevoke({ issuer: issuer.did, entries }))[0]!,
      anchor: await w.agent.lerAnchor({ issuer: issuer.did, root }),
    };
    const onB = {
      byHash: await b.lerRevokeByHash({ issuer: issuer.did, credentials: [h] }),
      byIndex: (await b.lerRevoke({ issuer: issuer.did, entries }))[0]!,
      anchor: await b.lerAnchor({ issuer: issuer.did, root }),
    };
    for (const k of ["byHash", "byIndex", "anchor"] as const) {
      expect(onB[k].gasUsed, `${k} on the second network: sent, not taken for the first's`).to.be.greaterThan(0);
      expect(onB[k].txHash, k).to.not.equal(onA[k].txHash);
    }
    for (const net of [w.network, netB]) {
      const status = statusOf(net);
      expect(await status.getFunction("hashRevokedAt")(issuer.address, h)).to.be.greaterThan(0n);
      expect((await status.getFunction("anchorOf")(issuer.address, root))[1]).to.be.greaterThan(0n);
    }
    // Done once per network: repeating on either reports that network's own receipt, nothing sent.
    expect(await b.lerRevokeByHash({ issuer: issuer.did, credentials: [h] })).to.deep.equal({
      ...onB.byHash,
      gasUsed: 0,
    });
    expect(await w.agent.lerAnchor({ issuer: issuer.did, root })).to.deep.equal({ ...onA.anchor, gasUsed: 0 });
    const ids = (await new PendingWrites(w.home, keys).listPending()).map((i) => i.id);
    expect(ids).to.deep.equal([]);
  });

  it("resumes a pending intent only on its own network", async () => {
    const pending = new PendingWrites(w.home, keys);
    const h = hash("revoked, then a crash");
    const scope = scopeOf(w.network);
    const id = `revocation:${scope.chainId}:${scope.registry}:${issuer.address.toLowerCase()}:${hash(JSON.stringify({ hashes: [h] }))}`;
    await pending.recordIntent({ id, kind: "revocation", issuer: issuer.address, payload: { hashes: [h] }, ...scope });

    expect(await b.lerResumePending({})).to.deep.equal({ resumed: [], failed: [] });
    expect(await statusOf(netB).getFunction("hashRevokedAt")(issuer.address, h)).to.equal(0n);
    const resumed = await w.agent.lerResumePending({});
    expect(resumed.failed).to.deep.equal([]);
    expect(resumed.resumed.map((r) => r.id)).to.deep.equal([id]);
    expect(await statusOf(w.network).getFunction("hashRevokedAt")(issuer.address, h)).to.be.greaterThan(0n);
    expect(await pending.listPending()).to.deep.equal([]);
  });

  it("reports a legacy intent (no chain, no registry) as intent_network_unknown, and resumes it on the chain it is declared for", async () => {
    const pending = new PendingWrites(w.home, keys);
    const h = hash("revoked by an earlier release, then a crash");
    const id = `revocation:${issuer.address.toLowerCase()}:${hash(JSON.stringify({ hashes: [h] }))}`;
    await pending.recordIntent({ id, kind: "revocation", issuer: issuer.address, payload: { hashes: [h] } });

    const reported = await w.agent.lerResumePending({});
    expect(reported.resumed).to.deep.equal([]);
    expect(reported.failed.map((f) => [f.id, f.code])).to.deep.equal([[id, "intent_network_unknown"]]);
    expect(reported.failed[0]!.message).to.match(/LER_LEGACY_INTENTS_CHAIN_ID=31337/);
    expect(await pending.listPending()).to.have.length(1);

    // Declared for another chain: still only reported.
    const elsewhere = await createLerAgent({
      network: w.network,
      home: w.home,
      secret: SECRET,
      legacyIntentsChainId: 1,
    });
    expect((await elsewhere.lerResumePending({})).failed.map((f) => f.code)).to.deep.equal(["intent_network_unknown"]);

    const declared = await createLerAgent({
      network: w.network,
      home: w.home,
      secret: SECRET,
      legacyIntentsChainId: w.network.chainId,
    });
    const resumed = await declared.lerResumePending({});
    expect(resumed.failed).to.deep.equal([]);
    expect(resumed.resumed.map((r) => r.id)).to.deep.equal([id]);
    expect(await statusOf(w.network).getFunction("hashRevokedAt")(issuer.address, h)).to.be.greaterThan(0n);
    expect(await statusOf(netB).getFunction("hashRevokedAt")(issuer.address, h)).to.equal(0n);
    expect(await pending.listPending()).to.deep.equal([]);
  });
  it('anchor "recorded": the batch\'s anchor is on record before the batch is in the ledger, and is not sent; a stop then leaves it for resume, never forgotten', async () => {
    const pending = new PendingWrites(w.home, keys);
    expect(await pending.listPending()).to.deep.equal([]);
    const root = (await w.agent.lerCreateIdentity({ alias: "Accreditor" })).did;
    await w.agent.lerRegisterType({ governor: w.governor, name: "Course" });
    await w.agent.lerAddRoot({ governor: w.governor, root, types: ["Course"] });
    await w.agent.lerAccredit({ accreditor: root, subject: issuer.did, role: "issuer", types: ["Course"] });
    const request = {
      subject: issuer.did,
      achievement: achievement({
        id: "https://university.example/courses/crash-safety",
        name: "Crash Safety",
        description: "Recorded, then anchored.",
        criteria: { narrative: "Passed." },
        achievementType: "Course",
      }),
    };
    const batch = await w.agent.lerIssueCredentials({ issuer: issuer.did, credentials: [request], anchor: "recorded" });
    expect(batch.anchor).to.equal(undefined);
    const intent = anchorIntent(scopeOf(w.network), issuer.address, batch.root);
    // As if the process had stopped here: the anchor is pending, not on chain.
    expect((await pending.listPending()).map((i) => i.id)).to.deep.equal([intent.id]);
    expect((await statusOf(w.network).getFunction("anchorOf")(issuer.address, batch.root))[1]).to.equal(0n);
    const resumed = await w.agent.lerResumePending({ issuer: issuer.did });
    expect(resumed.resumed.map((r) => r.id)).to.deep.equal([intent.id]);
    expect((await statusOf(w.network).getFunction("anchorOf")(issuer.address, batch.root))[1]).to.be.greaterThan(0n);
    // Sending it afterwards is the same anchor, reported with the resumed transaction.
    expect((await w.agent.lerAnchor({ issuer: issuer.did, root: batch.root })).txHash).to.equal(
      resumed.resumed[0]!.txHash,
    );
    // anchor: false puts nothing on record (`lerAnchor` later is the caller's own choice).
    const unanchored = await w.agent.lerIssueCredentials({ issuer: issuer.did, credentials: [request], anchor: false });
    expect(await pending.listPending()).to.deep.equal([]);
    expect((await statusOf(w.network).getFunction("anchorOf")(issuer.address, unanchored.root))[1]).to.equal(0n);
  });
});
