import { expect } from "chai";
import { JsonRpcProvider, type JsonRpcPayload, type JsonRpcResult } from "ethers";
import { achievement, type Achievement } from "../../src/credentials/index.js";
import {
  createVerificationCache,
  verifyCredential,
  verifyCredentials,
  type VerifierContext,
} from "../../src/verify/credential.js";
import { VerifierPool } from "../../src/verify/pool.js";
import type { CredentialReport } from "../../src/verify/report.js";
import { createAgentWorld, type AgentWorld } from "../helpers/world.js";
import { until } from "../helpers/until.js";

const degree: Achievement = achievement({
  id: "https://university.example/programs/msc",
  name: "MSc Data Science",
  description: "Master of Science in Data Science",
  criteria: { narrative: "Completed 120 ECTS including a thesis." },
  achievementType: "Degree",
});

const codes = (r: CredentialReport) => Object.fromEntries(r.checks.map((c) => [c.id, `${c.outcome}:${c.code}`]));

/**
 * The verifier's own connection to the node: counts what it sends, by method, and can hold the answers to head probes
 * (`eth_getBlockByNumber`) after the node gave them, to stage a probe that was answered before a block was mined.
 */
class VerifierProvider extends JsonRpcProvider {
  counts: Record<string, number> = {};
  hold: Promise<void> | undefined;
  /** Called when a probe answer is held. */
  onHeld: (() => void) | undefined;

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    const list = Array.isArray(payload) ? payload : [payload];
    for (const p of list) this.counts[p.method] = (this.counts[p.method] ?? 0) + 1;
    const answer = await super._send(payload);
    const hold = this.hold;
    if (hold !== undefined && list.some((p) => p.method === "eth_getBlockByNumber")) {
      this.onHeld?.();
      await hold;
    }
    return answer;
  }

  take(): Record<string, number> {
    const c = this.counts;
    this.counts = {};
    return c;
  }
}

describe("verification cache: a change in block N is seen by every verification that reads block N or later", function () {
  this.timeout(120_000);
  let w: AgentWorld;
  let university: string;
  let learner: string;
  const providers: VerifierProvider[] = [];

  before(async () => {
    w = await createAgentWorld("json-rpc");
    const { agent } = w;
    const root = (await agent.lerCreateIdentity({ alias: "Authority" })).did;
    university = (await agent.lerCreateIdentity({ alias: "University" })).did;
    learner = (await agent.lerCreateIdentity({ alias: "Learner" })).did;
    await agent.lerRegisterType({ governor: w.governor, name: "Degree" });
    await agent.lerAddRoot({ governor: w.governor, root, types: ["Degree"] });
    await agent.lerAccredit({ accreditor: root, subject: university, role: "issuer", types: ["Degree"] });
    // The university's DID document has a history: verifications read its logs.
    await agent.lerAddDelegate({ did: university });
  });
  after(async () => {
    for (const p of providers) p.destroy();
    await w?.close();
  });

  /** A verifier with a cache of its own, on a connection of its own. */
  const verifier = (): { ctx: VerifierContext; provider: VerifierProvider } => {
    const provider = new VerifierProvider(w.network.rpcUrl!, w.network.chainId, {
      cacheTimeout: -1,
      staticNetwork: true,
    });
    providers.push(provider);
    return {
      provider,
      ctx: {
        provider,
        deployment: w.network.deployment,
        networkName: w.network.name,
        cache: createVerificationCache(),
      },
    };
  };
  /** A JSON-RPC request to the node, outside any verifier (mining, snapshots). */
  const node = (method: string, params: unknown[]) => (w.network.provider as JsonRpcProvider).send(method, params);
  // The agent stamps credentials with the wall clock, and a chain created late in a long test run lags it (its
  // timestamps start from when the run began): the verifier's clock is the later of the two.
  const clock = async () => Math.max(await w.now(), Math.floor(Date.now() / 1000));
  const verify = async (ctx: VerifierContext, jwt: string) => verifyCredential(ctx, jwt, { now: await clock() });
  const issue = async (issuer: string, opts: { anchor?: boolean; count?: number } = {}) =>
    (
      await w.agent.lerIssueCredentials({
        issuer,
        credentials: Array.from({ length: opts.count ?? 1 }, () => ({ subject: learner, achievement: degree })),
        ...(opts.anchor !== undefined && { anchor: opts.anchor }),
      })
    ).credentials;
  /**
   * Warms the cache and checks that it answers: the first verification through a cache reads unpinned (two requests
   * at most), the second reads the head's block into the cache, the third is answered from it.
   */
  const warm = async (ctx: VerifierContext, provider: VerifierProvider, jwt: string) => {
    for (let i = 0; i < 3; i++) {
      if (i === 2) provider.take();
      const r = await verify(ctx, jwt);
      expect(r.result, JSON.stringify(r.checks.filter((c) => c.outcome !== "pass"))).to.equal("valid");
    }
    expect(provider.take(), "a warm verification reads only the head").to.deep.equal({ eth_getBlockByNumber: 1 });
  };

  it("status: a credential revoked in block N is revoked for the warm cache at N", async () => {
    const [c] = await issue(university);
    const { ctx, provider } = verifier();
    await warm(ctx, provider, c!.jwt);
    const [tx] = await w.agent.lerRevoke({ issuer: university, entries: [{ list: c!.list, index: c!.index }] });
    const r = await verify(ctx, c!.jwt);
    expect(r.block).to.equal(tx!.block);
    expect(codes(r).status).to.equal("fail:credential_revoked");
  });

  it("status: suspension and reinstatement are each seen at their block", async () => {
    const [c] = await issue(university);
    const { ctx, provider } = verifier();
    await warm(ctx, provider, c!.jwt);
    const entry = { list: c!.list, index: c!.index };
    const [suspended] = await w.agent.lerSuspend({ issuer: university, entries: [entry] });
    const r1 = await verify(ctx, c!.jwt);
    expect([r1.block, codes(r1).status]).to.deep.equal([suspended!.block, "fail:credential_suspended"]);
    expect(codes(await verify(ctx, c!.jwt)).status, "warm again, still suspended").to.equal(
      "fail:credential_suspended",
    );
    const [reinstated] = await w.agent.lerReinstate({ issuer: university, entries: [entry] });
    const r2 = await verify(ctx, c!.jwt);
    expect([r2.block, r2.result]).to.deep.equal([reinstated!.block, "valid"]);
  });

  it("status: a revocation by hash is seen at its block", async () => {
    const [c] = await issue(university);
    const { ctx, provider } = verifier();
    await warm(ctx, provider, c!.jwt);
    const tx = await w.agent.lerRevokeByHash({ issuer: university, credentials: [c!.jwt] });
    const r = await verify(ctx, c!.jwt);
    expect([r.block, codes(r).status]).to.deep.equal([tx.block, "fail:credential_revoked"]);
  });

  it("accreditation: the issuer suspended in block N is untrusted at N, and trusted again once reinstated", async () => {
    const college = (await w.agent.lerCreateIdentity({ alias: "College" })).did;
    const root = (await w.agent.lerListIdentities({})).find((i) => i.alias === "Authority")!.did;
    await w.agent.lerAccredit({ accreditor: root, subject: college, role: "issuer", types: ["Degree"] });
    const [c] = await issue(college);
    const { ctx, provider } = verifier();
    await warm(ctx, provider, c!.jwt);
    const suspended = await w.agent.lerSuspendAccreditation({ accreditor: root, subject: college, reason: 4 });
    const r = await verify(ctx, c!.jwt);
    expect([r.block, codes(r).trust]).to.deep.equal([suspended.block, "fail:issuer_suspended"]);
    const reinstated = await w.agent.lerReinstateAccreditation({ accreditor: root, subject: college });
    const r2 = await verify(ctx, c!.jwt);
    expect([r2.block, r2.result]).to.deep.equal([reinstated.block, "valid"]);
  });

  it("keys: after the owner key rotates (and its delegates are revoked), an unanchored credential signed by the old key fails at the next read", async () => {
    const institute = (await w.agent.lerCreateIdentity({ alias: "Institute" })).did;
    const root = (await w.agent.lerListIdentities({})).find((i) => i.alias === "Authority")!.did;
    await w.agent.lerAccredit({ accreditor: root, subject: institute, role: "issuer", types: ["Degree"] });
    await w.agent.lerAddDelegate({ did: institute });
    const [c] = await issue(institute, { anchor: false });
    const { ctx, provider } = verifier();
    await warm(ctx, provider, c!.jwt);
    const rotated = await w.agent.lerRotateOwner({ did: institute });
    const r = await verify(ctx, c!.jwt);
    // Rotation ends with the revocation of the delegate added above: the verification reads the block of the last write.
    expect(rotated.revoked).to.have.length(1);
    expect([r.block, codes(r).signature]).to.deep.equal([rotated.revoked.at(-1)!.tx.block, "fail:invalid_signature"]);
  });

  it("a verification that starts after block N never reuses a head probe sent before it", async () => {
    const [c] = await issue(university);
    const { ctx, provider } = verifier();
    await warm(ctx, provider, c!.jwt);
    let release!: () => void;
    provider.hold = new Promise<void>((resolve) => (release = resolve));
    const held = new Promise<void>((resolve) => (provider.onHeld = resolve));
    // A: its probe has been answered (head before the revocation) but the answer is held back.
    const before = verifyCredential(ctx, c!.jwt, { now: await clock() });
    await held;
    provider.onHeld = undefined;
    const [tx] = await w.agent.lerRevoke({ issuer: university, entries: [{ list: c!.list, index: c!.index }] });
    // B starts after the revocation was mined, while A's probe is still in flight (verifyCredential asks for the
    // head before it first yields, so B is waiting for it when A's answer is released).
    const after = verifyCredential(ctx, c!.jwt, { now: await clock() });
    provider.hold = undefined;
    release();
    const [a, b] = await Promise.all([before, after]);
    expect([a.block, a.result], "A read the block before").to.deep.equal([tx!.block - 1, "valid"]);
    expect([b.block, codes(b).status], "B read block N").to.deep.equal([tx!.block, "fail:credential_revoked"]);
  });

  it("a chain reverted and rebuilt to the same height is another block: the cache does not answer for it", async () => {
    const [c] = await issue(university);
    const { ctx, provider } = verifier();
    await warm(ctx, provider, c!.jwt);
    const snapshot = await node("evm_snapshot", []);
    const [suspended] = await w.agent.lerSuspend({ issuer: university, entries: [{ list: c!.list, index: c!.index }] });
    expect(codes(await verify(ctx, c!.jwt)).status).to.equal("fail:credential_suspended");
    await node("evm_revert", [snapshot]);
    await node("evm_mine", []);
    const r = await verify(ctx, c!.jwt);
    expect(r.block, "the same height as the suspension").to.equal(suspended!.block);
    expect(r.result, "but the block without it").to.equal("valid");
  });

  it("DID histories outlive a block only while the chain extends it; the logs are read again after a gap", async () => {
    const [c] = await issue(university);
    const { ctx, provider } = verifier();
    await warm(ctx, provider, c!.jwt);
    await node("evm_mine", []);
    expect((await verify(ctx, c!.jwt)).result).to.equal("valid");
    expect(provider.take(), "next block: the history is kept").to.deep.equal({ eth_getBlockByNumber: 1, eth_call: 1 });
    await node("evm_mine", []);
    await node("evm_mine", []);
    expect((await verify(ctx, c!.jwt)).result).to.equal("valid");
    expect(provider.take(), "a gap: read again").to.deep.equal({
      eth_getBlockByNumber: 1,
      eth_call: 1,
      eth_getLogs: 1,
    });
  });

  it("requests: a cold verification makes at most two, a warm one the head probe only", async () => {
    const [c] = await issue(university);
    const { ctx, provider } = verifier();
    const cold = { ...ctx, cache: false as const };
    expect((await verify(cold, c!.jwt)).result).to.equal("valid");
    expect(provider.take(), "no cache").to.deep.equal({ eth_call: 1, eth_getLogs: 1 });
    expect((await verify(ctx, c!.jwt)).result).to.equal("valid");
    expect(provider.take(), "first use of a cache").to.deep.equal({ eth_call: 1, eth_getLogs: 1 });
    expect((await verify(ctx, c!.jwt)).result).to.equal("valid");
    expect(provider.take(), "then: probe, and one read of that block").to.deep.equal({
      eth_getBlockByNumber: 1,
      eth_call: 1,
      eth_getLogs: 1,
    });
    expect((await verify(ctx, c!.jwt)).result).to.equal("valid");
    expect(provider.take(), "warm").to.deep.equal({ eth_getBlockByNumber: 1 });
  });

  it("concurrent verifications at one block share the head probe and one read of what they miss", async () => {
    const credentials = await issue(university, { count: 12 });
    const { ctx, provider } = verifier();
    await warm(ctx, provider, credentials[0]!.jwt);
    const now = await clock();
    const reports = await Promise.all(credentials.map((c) => verifyCredential(ctx, c.jwt, { now })));
    expect(reports.map((r) => r.result)).to.deep.equal(credentials.map(() => "valid"));
    expect(provider.take()).to.deep.equal({ eth_getBlockByNumber: 1, eth_call: 1 });
  });

  it("a batch split into many calls (small gas budget) answers as one call does, from one block", async () => {
    const credentials = await issue(university, { count: 40 });
    const revoked = [3, 17, 39];
    const suspended = [5];
    await w.agent.lerRevoke({
      issuer: university,
      entries: revoked.map((i) => ({ list: credentials[i]!.list, index: credentials[i]!.index })),
    });
    await w.agent.lerSuspend({
      issuer: university,
      entries: suspended.map((i) => ({ list: credentials[i]!.list, index: credentials[i]!.index })),
    });
    const now = await clock();
    const jwts = credentials.map((c) => c.jwt);
    const one = verifier();
    const whole = await verifyCredentials({ ...one.ctx, cache: false }, jwts, { now });
    const split = verifier();
    const parts = await verifyCredentials(split.ctx, jwts, { now, read: { callGasBudget: 60_000 } });
    expect(parts).to.deep.equal(whole);
    const requests = split.provider.take();
    expect(requests.eth_call, "split into several calls").to.be.greaterThan(3);
    expect(requests).to.deep.include({ eth_getBlockByNumber: 1, eth_getLogs: 1 });
    expect(whole.map((r) => codes(r).status)).to.deep.equal(
      jwts.map((_, i) =>
        revoked.includes(i)
          ? "fail:credential_revoked"
          : suspended.includes(i)
            ? "fail:credential_suspended"
            : "pass:not_revoked",
      ),
    );
  });

  describe("a verifier pool (worker threads)", () => {
    const pools: VerifierPool[] = [];
    after(async () => {
      for (const p of pools) await p.close();
    });
    const pool = (threads = 2) => {
      const p = new VerifierPool({
        rpcUrl: w.network.rpcUrl!,
        deployment: w.network.deployment,
        networkName: w.network.name,
        threads,
      });
      pools.push(p);
      return p;
    };

    it("gives the reports verifyCredentials gives, in order, split across threads, all at one block", async () => {
      const credentials = await issue(university, { count: 600 });
      const revoked = [7, 450];
      const suspended = [300];
      await w.agent.lerRevoke({
        issuer: university,
        entries: revoked.map((i) => ({ list: credentials[i]!.list, index: credentials[i]!.index })),
      });
      await w.agent.lerSuspend({
        issuer: university,
        entries: suspended.map((i) => ({ list: credentials[i]!.list, index: credentials[i]!.index })),
      });
      const now = await clock();
      // Hostile inputs among them: a tampered signature, a token that is no JWT.
      const jwts: unknown[] = credentials.map((c) => c.jwt);
      jwts[100] = `${credentials[100]!.jwt.slice(0, -4)}AAAA`;
      jwts[500] = "not a jwt";
      const expected = await verifyCredentials(verifier().ctx, jwts, { now });
      const p = pool();
      const reports = await p.verifyCredentials(jwts, { now });
      expect(reports).to.deep.equal(expected);
      // Every report that read the chain read it at one block (the token that is no JWT never reads it).
      expect(new Set(reports.flatMap((r) => (r.block === undefined ? [] : [r.block]))).size, "one block").to.equal(1);
      expect(reports.filter((r) => r.block === undefined)).to.have.length(1);
      expect(reports.map((r) => r.result).filter((r) => r === "valid")).to.have.length(595);
      // Both threads read (one eth_call each) at the head the pool probed once.
      expect(p.requestCounts()).to.deep.include({ eth_getBlockByNumber: 1, eth_call: 2 });
    });

    it("a credential revoked in block N is revoked for the warm pool's threads at N", async () => {
      const credentials = await issue(university, { count: 300 });
      const jwts = credentials.map((c) => c.jwt);
      const p = pool();
      for (let i = 0; i < 2; i++)
        expect((await p.verifyCredentials(jwts, { now: await clock() })).every((r) => r.result === "valid")).to.equal(
          true,
        );
      const before = p.requestCounts();
      const [tx] = await w.agent.lerRevoke({
        issuer: university,
        entries: [{ list: credentials[299]!.list, index: credentials[299]!.index }],
      });
      const reports = await p.verifyCredentials(jwts, { now: await clock() });
      expect(reports[299]!.block).to.equal(tx!.block);
      expect(codes(reports[299]!).status).to.equal("fail:credential_revoked");
      expect(reports.slice(0, 299).every((r) => r.result === "valid")).to.equal(true);
      expect(p.requestCounts().eth_call! - (before.eth_call ?? 0), "the threads read the new block").to.be.greaterThan(
        0,
      );
    });

    it("a thread that dies fails its part (worker_failed), never valid; the next batch gets a new thread", async () => {
      const credentials = await issue(university, { count: 600 });
      const jwts = credentials.map((c) => c.jwt);
      const p = pool();
      const internals = p as unknown as { workers: { terminate(): Promise<number> }[]; pending: Map<number, unknown> };
      const batch = p.verifyCredentials(jwts, { now: await clock() });
      // Both parts handed out; the threads are still starting (loading the verifier), far from an answer.
      await until(() => internals.pending.size >= 2, "both parts handed out", { timeoutMs: 10_000, intervalMs: 1 });
      await internals.workers[1]!.terminate();
      const failed = await batch.then(
        () => undefined,
        (e: { code?: string }) => e,
      );
      expect(failed?.code).to.equal("worker_failed");
      const again = await p.verifyCredentials(jwts, { now: await clock() });
      expect(again.every((r) => r.result === "valid")).to.equal(true);
    });

    it("a chain that cannot be read -> every credential unknown with the reason, at once; never valid", async () => {
      const credentials = await issue(university, { count: 3 });
      const dead = new VerifierPool({
        rpcUrl: "http://127.0.0.1:9",
        deployment: w.network.deployment,
        networkName: w.network.name,
        threads: 2,
      });
      pools.push(dead);
      const started = performance.now();
      const reports = await dead.verifyCredentials([...credentials.map((c) => c.jwt), "not a jwt"], {
        now: await clock(),
      });
      expect(performance.now() - started, "no thread waits for it again").to.be.below(3000);
      expect(reports.map((r) => r.result)).to.deep.equal(["unknown", "unknown", "unknown", "invalid"]);
      expect(codes(reports[0]!)).to.include({
        format: "pass:well_formed",
        signature: "unknown:chain_unreachable",
        status: "unknown:chain_unreachable",
      });
    });

    it("refuses a bad thread count, and work after close", async () => {
      expect(() => pool(0))
        .to.throw()
        .with.property("code", "invalid_argument");
      const p = pool(1);
      await p.close();
      const closed = await p.verifyCredentials(["x"], { now: await clock() }).catch((e: { code?: string }) => e);
      expect((closed as { code?: string }).code).to.equal("pool_closed");
    });
  });
});
