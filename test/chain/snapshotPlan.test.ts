import { expect } from "chai";
import { AbiCoder, getAddress, Interface, keccak256, toUtf8Bytes } from "ethers";
import { didRegistryArtifact, projectArtifact } from "../../src/chain/artifacts.js";
import { Generation } from "../../src/chain/cache.js";
import type { Deployment } from "../../src/chain/deployments.js";
import { decodeAggregate3, encodeAggregate3, type SubResult } from "../../src/chain/multicall.js";
import {
  aggregateCalldata,
  applyAnswer,
  assemble,
  chunk,
  emptyReadHeader,
  hashKey,
  headerCalls,
  keysOf,
  planCalls,
  statusKey,
  toLinks,
  type Planned,
  type ReadRequest,
} from "../../src/chain/snapshotPlan.js";
import { AccreditationStatus, NO_END } from "../../src/chain/types.js";
import { ChainError } from "../../src/errors.js";

const trust = new Interface(projectArtifact("TrustRegistry").abi);
const status = new Interface(projectArtifact("StatusRegistry").abi);
const did = new Interface(didRegistryArtifact().abi);
const multicall = new Interface(projectArtifact("Multicall3").abi);
const coder = AbiCoder.defaultAbiCoder();

const address = (label: string) => getAddress(`0x${keccak256(toUtf8Bytes(label)).slice(26)}`);
const deployment: Deployment = {
  network: "plan-test",
  chainId: 31337,
  contracts: {
    EthereumDIDRegistry: { address: address("did"), block: 1 },
    TrustRegistry: { address: address("trust"), block: 1 },
    StatusRegistry: { address: address("status"), block: 1 },
    Multicall3: { address: address("multicall"), block: 1 },
  },
};
const BUDGET = 12_000_000;

const issuer = address("issuer");
const other = address("other issuer");
const root = address("root");
const revokedHash = keccak256(toUtf8Bytes("revoked credential"));
const liveHash = keccak256(toUtf8Bytes("live credential"));
const anchorRoot = keccak256(toUtf8Bytes("anchor root"));

/** A version packed as `historyOf` returns it: issuer role, active, type 3 in scope, from the start with no end. */
const packedVersion = (since: bigint) =>
  (since << 208n) | (BigInt(AccreditationStatus.Active) << 202n) | (1n << 200n) | (BigInt(NO_END) << 152n) | (1n << 3n);

/**
 * A node's registries, as far as the plan reads them: list 1 of `issuer` has entry 5 revoked and entry 300 suspended,
 * "Degree" is type 3 ("Unknown" is not registered), one hash is revoked at time 1234, one root anchored.
 */
function answer(call: { target: string; callData: string }, block = 42): SubResult {
  const data = `0x${call.callData}`;
  const ok = (hex: string): SubResult => ({ success: true, returnData: hex.slice(2) });
  if (call.target === deployment.contracts.Multicall3.address) {
    const fn = multicall.parseTransaction({ data })!.name;
    if (fn === "getBlockNumber") return ok(multicall.encodeFunctionResult(fn, [block]));
    if (fn === "getCurrentBlockTimestamp") return ok(multicall.encodeFunctionResult(fn, [1_700_000_000]));
    return ok(multicall.encodeFunctionResult("getChainId", [31337]));
  }
  if (call.target === deployment.contracts.EthereumDIDRegistry.address)
    return ok(did.encodeFunctionResult("changed", [0]));
  if (call.target === deployment.contracts.TrustRegistry.address) {
    const tx = trust.parseTransaction({ data })!;
    if (tx.name === "historyOf") {
      const links = tx.args[0] === issuer ? [[issuer, root, [packedVersion(100n)]]] : [];
      return ok(trust.encodeFunctionResult("historyOf", [links]));
    }
    if (tx.args[0] === "Degree") return ok(trust.encodeFunctionResult("typeIdOf", [3]));
    return { success: false, returnData: "" };
  }
  const tx = status.parseTransaction({ data })!;
  if (tx.name === "getWords") {
    const [who, purpose, list, from, count] = tx.args as unknown as [string, bigint, bigint, bigint, bigint];
    const words = Array.from({ length: Number(count) }, (_, i) => {
      const w = Number(from) + i;
      if (who !== issuer || list !== 1n) return 0n;
      if (purpose === 0n && w === 0) return 1n << 5n;
      if (purpose === 1n && w === 1) return 1n << BigInt(300 - 256);
      return 0n;
    });
    return ok(status.encodeFunctionResult("getWords", [words]));
  }
  if (tx.name === "hashesRevokedAt") {
    const hashes = tx.args[1] as string[];
    return ok(status.encodeFunctionResult("hashesRevokedAt", [hashes.map((h) => (h === revokedHash ? 1234 : 0))]));
  }
  const anchored = tx.args[1] === anchorRoot;
  return ok(status.encodeFunctionResult("anchorOf", [[anchored ? 1_600_000_000 : 0, anchored ? 7 : 0]]));
}

/** What a node answers to one `aggregate3` call of `calls`. */
function nodeAnswer(calls: readonly Planned[], block?: number): string {
  const results = calls.map((p) => answer(p.call, block));
  return coder.encode(["(bool,bytes)[]"], [results.map((r) => [r.success, `0x${r.returnData}`])]);
}

const request = (over: Partial<ReadRequest> = {}): ReadRequest => ({
  issuers: [issuer, other],
  typeNames: ["Degree", "Unknown"],
  statuses: [
    { issuer, list: 1n, index: 5 },
    { issuer, list: 1n, index: 300 },
    { issuer, list: 1n, index: 7 },
  ],
  hashes: [
    { issuer, hash: revokedHash },
    { issuer, hash: liveHash },
  ],
  anchors: [{ issuer, root: anchorRoot }],
  ...over,
});

/** Runs a plan against the fake node, as reads.ts does, and assembles the snapshot. */
function read(req: ReadRequest, budget = BUDGET) {
  const keys = keysOf(req);
  const plan = planCalls(deployment, keys, budget);
  const g = new Generation({ number: 0, hash: "", parentHash: "", timestamp: 0n });
  const header = emptyReadHeader();
  const calls = chunk(plan, budget);
  calls.forEach((c, i) => {
    const all = [...headerCalls(deployment.contracts.Multicall3.address, header, i === 0), ...c];
    applyAnswer(all, nodeAnswer(all), g);
  });
  for (const i of keys.issuers) g.didEvents.set(i, []);
  return {
    plan,
    calls,
    header,
    snapshot: assemble(keys, g, { number: header.number, hash: "", parentHash: "", timestamp: header.timestamp }),
  };
}

describe("chain/snapshotPlan: the snapshot read's plan and decoding", () => {
  it("answers every part of a request from one call's answer: statuses by bit, type ids, hash revocations, anchors, chains", () => {
    const { calls, header, snapshot } = read(request());
    expect(calls).to.have.length(1);
    expect(header).to.deep.equal({ number: 42, timestamp: 1_700_000_000n, chainId: 31337 });
    expect(snapshot.block).to.equal(42);
    expect(snapshot.statuses.get(statusKey(issuer, 1n, 5))).to.deep.equal({ revoked: true, suspended: false });
    expect(snapshot.statuses.get(statusKey(issuer, 1n, 300))).to.deep.equal({ revoked: false, suspended: true });
    expect(snapshot.statuses.get(statusKey(issuer, 1n, 7))).to.deep.equal({ revoked: false, suspended: false });
    expect(snapshot.typeIds.get("Degree")).to.equal(3);
    expect(snapshot.typeIds.has("Unknown"), "an unknown type is answered, as not registered").to.equal(true);
    expect(snapshot.typeIds.get("Unknown")).to.equal(undefined);
    expect(snapshot.hashRevokedAt.get(hashKey(issuer, revokedHash))).to.equal(1234n);
    expect(snapshot.hashRevokedAt.get(hashKey(issuer, liveHash))).to.equal(0n);
    expect(snapshot.anchors.get(hashKey(issuer, anchorRoot))).to.deep.equal({
      timestamp: 1_600_000_000n,
      blockNumber: 7n,
    });
    const chain = snapshot.chains.get(issuer)!;
    expect(chain.map((l) => [l.subject, l.parent])).to.deep.equal([[issuer, root]]);
    expect(chain[0]!.versions[0]).to.include({ since: 100n, role: 1, status: AccreditationStatus.Active, scope: 8n });
    expect(snapshot.chains.get(other)).to.deep.equal([]);
  });

  it("reads what a batch repeats once: duplicate issuers, types, statuses and nearby words share sub-calls", () => {
    const once = planCalls(deployment, keysOf(request()), BUDGET);
    const twice = planCalls(
      deployment,
      keysOf(
        request({
          issuers: [issuer, other, issuer, other],
          typeNames: ["Degree", "Unknown", "Degree"],
          statuses: [...request().statuses, { issuer, list: 1n, index: 5 }, { issuer, list: 1n, index: 6 }],
          hashes: [...request().hashes, { issuer, hash: revokedHash }],
          anchors: [
            { issuer, root: anchorRoot },
            { issuer, root: anchorRoot },
          ],
        }),
      ),
      BUDGET,
    );
    expect(twice.map((p) => p.call.callData)).to.deep.equal(once.map((p) => p.call.callData));
    // Words 0 and 1 of one list: one run, read for both purposes (two getWords sub-calls, not four).
    const getWords = status.getFunction("getWords")!.selector.slice(2);
    expect(once.filter((p) => p.call.callData.startsWith(getWords))).to.have.length(2);
  });

  it("splits a read above the gas budget into several calls, never parting a status list's two word reads", () => {
    const statuses = Array.from({ length: 40 }, (_, i) => ({ issuer, list: BigInt(i), index: 5 }));
    const req = request({ statuses });
    const whole = read(req);
    const split = read(req, 60_000);
    expect(whole.calls).to.have.length(1);
    expect(split.calls.length).to.be.greaterThan(5);
    const getWords = status.getFunction("getWords")!.selector.slice(2);
    for (const c of split.calls)
      expect(c.filter((p) => p.call.callData.startsWith(getWords)).length % 2, "pairs stay together").to.equal(0);
    // The same answers either way.
    expect([...split.snapshot.statuses]).to.deep.equal([...whole.snapshot.statuses]);
    expect(split.snapshot.statuses.get(statusKey(issuer, 1n, 5))).to.deep.equal({ revoked: true, suspended: false });
    expect(split.snapshot.statuses.get(statusKey(issuer, 2n, 5))).to.deep.equal({ revoked: false, suspended: false });
  });

  it("refuses parts of one read answered at different blocks", () => {
    const header = emptyReadHeader();
    const mc = deployment.contracts.Multicall3.address;
    const g = new Generation({ number: 0, hash: "", parentHash: "", timestamp: 0n });
    const first = headerCalls(mc, header, true);
    applyAnswer(first, nodeAnswer(first, 42), g);
    const second = headerCalls(mc, header, false);
    expect(() => applyAnswer(second, nodeAnswer(second, 43), g))
      .to.throw(ChainError)
      .with.property("code", "chain_inconsistent");
  });

  it("refuses an answer that does not decode, or a required sub-call that failed, as chain_inconsistent", () => {
    const plan = planCalls(deployment, keysOf(request()), BUDGET);
    const g = new Generation({ number: 0, hash: "", parentHash: "", timestamp: 0n });
    expect(() => applyAnswer(plan, "0xdeadbeef", g))
      .to.throw(ChainError)
      .with.property("code", "chain_inconsistent");
    const failed = coder.encode(["(bool,bytes)[]"], [plan.map(() => [false, "0x"])]);
    expect(() => applyAnswer(plan, failed, g))
      .to.throw(ChainError)
      .with.property("code", "chain_inconsistent");
  });

  it("sends the calldata of one aggregate3 call, which the node decodes back to the plan's sub-calls", () => {
    const plan = planCalls(deployment, keysOf(request()), BUDGET);
    expect(aggregateCalldata(plan)).to.equal(encodeAggregate3(plan.map((p) => p.call)));
    const decoded = multicall.decodeFunctionData("aggregate3", aggregateCalldata(plan))[0] as [
      string,
      boolean,
      string,
    ][];
    expect(decoded.map(([target]) => target)).to.deep.equal(plan.map((p) => p.call.target));
    expect(decodeAggregate3(nodeAnswer(plan), plan.length)).to.have.length(plan.length);
  });

  it("does not believe a history that starts at another subject or is not a chain", () => {
    const result = (links: unknown[]) =>
      trust.decodeFunctionResult("historyOf", trust.encodeFunctionResult("historyOf", [links]))[0];
    expect(() => toLinks(issuer, result([[other, root, [packedVersion(1n)]]])))
      .to.throw(ChainError)
      .with.property("code", "chain_inconsistent");
    expect(() =>
      toLinks(
        issuer,
        result([
          [issuer, root, [packedVersion(1n)]],
          [other, root, [packedVersion(1n)]],
        ]),
      ),
    )
      .to.throw(ChainError)
      .with.property("code", "chain_inconsistent");
    expect(() => toLinks(issuer, result([[issuer, root, [packedVersion(5n), packedVersion(5n)]]])))
      .to.throw(ChainError)
      .with.property("code", "chain_inconsistent");
  });
});
