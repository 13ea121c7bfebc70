import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, JsonRpcProvider } from "ethers";
import { createLerAgent } from "../../src/agent/agent.js";
import { projectArtifact } from "../../src/chain/artifacts.js";
import { Verdict } from "../../src/chain/types.js";
import { rpcProvider } from "../../src/chain/provider.js";
import { openKeyStore } from "../../src/store/keystore.js";
import { PendingWrites } from "../../src/store/pending.js";
import type { CredentialReport } from "../../src/verify/report.js";
import { anvilBinary, startAnvil, type Anvil } from "../helpers/anvil.js";
import { degree } from "../server/achievements.js";
import { prng } from "../helpers/children.js";
import { depth } from "../helpers/depth.js";
import { startFaultyRpc } from "../helpers/faultyRpc.js";
import { createAgentWorld, type AgentWorld, type Transport } from "../helpers/world.js";
import { cleanEnv, json, ler, looksLikeACrash, startServing, type Node, type Ran } from "../cli/run.js";

// anvil (Foundry's node) beside Hardhat's EDR: the same story on a second, independent EVM implementation, over
// JSON-RPC as a user reaches a node. What differs between the two is handled by what the code reads from the chain,
// never by the node's name: anvil mines several blocks in one second where EDR gives every block a later second, and
// an anchor may then share the second of a change to its issuer's accreditation (see readIssuableStanding).

const missing = (() => {
  const b = anvilBinary();
  return "missing" in b ? b.missing : undefined;
})();

const DEV_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const BATCH = 10_000;
const SECRET = "anvil test secret";
const REVOKED = 25;

const codes = (r: CredentialReport) => Object.fromEntries(r.checks.map((c) => [c.id, `${c.outcome}:${c.code}`]));

/**
 * A new root of `w` (the Degree type registered) and an issuer it accredits for Degree, until `validUntil` if given;
 * with the accreditation's block time.
 */
async function accreditIssuer(
  w: AgentWorld,
  name: string,
  validUntil?: number,
): Promise<{ did: string; address: string; since: number }> {
  const root = (await w.agent.lerCreateIdentity({ alias: `${name} root` })).did;
  await w.agent.lerAddRoot({ governor: w.governor, root, types: ["Degree"] });
  const issuer = await w.agent.lerCreateIdentity({ alias: name });
  const tx = await w.agent.lerAccredit({
    accreditor: root,
    subject: issuer.did,
    role: "issuer",
    types: ["Degree"],
    ...(validUntil !== undefined && { validUntil }),
  });
  return { did: issuer.did, address: issuer.address, since: (await w.network.provider.getBlock(tx.block))!.timestamp };
}

(missing === undefined ? describe : describe.skip)("anvil: a second EVM implementation", function () {
  this.timeout(300_000);

  describe("the same chain reads on both nodes", () => {
    /** Issues BATCH credentials in one batch, revokes REVOKED of them, verifies all through a counting proxy. */
    async function story(transport: Transport) {
      const w: AgentWorld = await createAgentWorld(transport);
      const home = mkdtempSync(join(tmpdir(), "ler-anvil-verifier-"));
      const proxy = await startFaultyRpc(w.network.rpcUrl!);
      const provider = rpcProvider(proxy.url, w.network.chainId);
      try {
        const root = (await w.agent.lerCreateIdentity({ alias: "root" })).did;
        const university = (await w.agent.lerCreateIdentity({ alias: "university" })).did;
        await w.agent.lerRegisterType({ governor: w.governor, name: "Degree" });
        await w.agent.lerAddRoot({ governor: w.governor, root, types: ["Degree"] });
        await w.agent.lerAccredit({ accreditor: root, subject: university, role: "issuer", types: ["Degree"] });
        const learner = (await w.agent.lerCreateIdentity({ alias: "learner" })).did;
        const batch = await w.agent.lerIssueCredentials({
          issuer: university,
          credentials: Array.from({ length: BATCH }, () => ({ subject: learner, achievement: degree })),
        });
        expect(batch.anchor?.block, transport).to.be.greaterThan(0);
        await w.agent.lerRevoke({
          issuer: university,
          entries: batch.credentials.slice(0, REVOKED).map((c) => ({ list: c.list, index: c.index })),
        });
        const verifier = await createLerAgent({
          network: { ...w.network, provider, rpcUrl: proxy.url },
          home,
          secret: "verifier secret",
        });
        proxy.methods.length = 0;
        const reports = await verifier.lerVerifyCredentials({
          credentials: batch.credentials.map((c) => c.jwt),
          now: await w.now(),
        });
        const requests: Record<string, number> = {};
        for (const m of proxy.methods) requests[m] = (requests[m] ?? 0) + 1;
        const results: Record<string, number> = {};
        for (const r of reports) {
          const key = `${r.result}${r.result === "valid" ? "" : `:${codes(r).status}`}`;
          results[key] = (results[key] ?? 0) + 1;
        }
        return { requests, results };
      } finally {
        provider.destroy();
        await proxy.close();
        await w.close();
        rmSync(home, { recursive: true, force: true });
      }
    }

    it(`a batch of ${BATCH.toLocaleString("en")}, ${REVOKED} revoked, through the verifier: the same verdicts in the same JSON-RPC requests as on Hardhat's node`, async () => {
      const hardhat = await story("json-rpc");
      const anvil = await story("anvil");
      expect(hardhat.results).to.deep.equal({ valid: BATCH - REVOKED, "invalid:fail:credential_revoked": REVOKED });
      expect(anvil.results).to.deep.equal(hardhat.results);
      console.log(`      JSON-RPC requests for the batch: ${JSON.stringify(anvil.requests)}`);
      expect(anvil.requests, JSON.stringify({ hardhat: hardhat.requests, anvil: anvil.requests })).to.deep.equal(
        hardhat.requests,
      );
      // A whole batch is a handful of requests, not one per credential.
      expect(Object.values(anvil.requests).reduce((a, b) => a + b, 0)).to.be.below(20);
    });
  });

  describe("several blocks in one second", () => {
    let w: AgentWorld;
    before(async () => {
      w = await createAgentWorld("anvil");
      await w.agent.lerRegisterType({ governor: w.governor, name: "Degree" });
    });
    after(async () => w?.close());

    it("anvil puts several blocks in one second, and a time in the second of its issuer's accreditation is judged by the versions on both sides: not yet valid then, trusted a second later (the registry's rule)", async () => {
      const issuer = await accreditIssuer(w, "Same-second College");
      const funder = await (w.network.provider as JsonRpcProvider).getSigner(0);
      const trust = new Contract(
        w.network.deployment.contracts.TrustRegistry.address,
        projectArtifact("TrustRegistry").abi,
        w.network.provider,
      );
      const times: number[] = [];
      // A few blocks in a row: some of them share a second (anvil stamps each block with the wall clock).
      for (let i = 0; i < 8; i++) {
        const tx = await funder.sendTransaction({ to: issuer.address, value: 1n });
        times.push((await w.network.provider.getBlock((await tx.wait())!.blockNumber))!.timestamp);
      }
      expect(new Set(times).size, times.join()).to.be.below(times.length);
      // The registry judges a time at which the issuer's accreditation changed by the versions on both sides.
      const typeId = await trust.getFunction("typeIdOf")("Degree");
      const verdictAt = async (at: number) =>
        Number((await trust.getFunction("trustedAt")(issuer.address, typeId, at))[0]);
      expect(await verdictAt(issuer.since)).to.equal(Verdict.NotYetValid);
      expect(await verdictAt(issuer.since + 1)).to.equal(Verdict.Trusted);
    });

    it("an issuer accredited a moment ago issues credentials that verify: the anchor waits for the next second", async () => {
      for (let i = 0; i < 3; i++) {
        const issuer = await accreditIssuer(w, `Fresh College ${i}`);
        const started = performance.now();
        const issued = await w.agent.lerIssueCredentials({
          issuer: issuer.did,
          credentials: [{ subject: issuer.did, achievement: degree }],
        });
        const waited = performance.now() - started;
        const anchoredAt = (await w.network.provider.getBlock(issued.anchor!.block))!.timestamp;
        expect(anchoredAt, `accredited at ${issuer.since}`).to.be.greaterThan(issuer.since);
        expect(waited, "at most a second's wait").to.be.below(3000);
        const report = await w.agent.lerVerifyCredential({
          credential: issued.credentials[0]!.jwt,
          now: await w.now(),
        });
        expect(report.result, JSON.stringify(report.checks)).to.equal("valid");
        expect(codes(report).trust).to.equal("pass:trusted");
      }
    });
  });

  describe("reorganisations (anvil_reorg)", () => {
    let w: AgentWorld;
    let pending: PendingWrites;
    before(async () => {
      w = await createAgentWorld("anvil", SECRET);
      pending = new PendingWrites(w.home, (await openKeyStore(w.home, SECRET)).storeKeys);
      await w.agent.lerRegisterType({ governor: w.governor, name: "Degree" });
    });
    after(async () => w?.close());

    /** Replaces the last `depth` blocks with as many empty ones: their transactions are gone, not back in the mempool. */
    const reorg = async (depth: number) => {
      await (w.network.provider as JsonRpcProvider).send("anvil_reorg", [depth, []]);
    };
    const head = async () => (await w.network.provider.getBlock("latest"))!.number;
    const verify = async (jwt: string) => w.agent.lerVerifyCredential({ credential: jwt, now: await w.now() });

    it("a revocation a reorganisation dropped: the verifier answers from the new chain (not revoked), and revoking again sends it anew instead of reporting the dropped transaction", async () => {
      const issuer = (await accreditIssuer(w, "Reorged University")).did;
      const issued = (
        await w.agent.lerIssueCredentials({ issuer, credentials: [{ subject: issuer, achievement: degree }] })
      ).credentials[0]!;
      const entries = [{ list: issued.list, index: issued.index }];
      const first = (await w.agent.lerRevoke({ issuer, entries }))[0]!;
      expect(codes(await verify(issued.jwt)).status).to.equal("fail:credential_revoked");
      expect(await head()).to.equal(first.block);

      await reorg(1);
      expect(await w.network.provider.getTransactionReceipt(first.txHash)).to.equal(null);
      // The same verifier, which read the chain when the revocation was on it: it answers from the chain as it is.
      const after = await verify(issued.jwt);
      expect(after.result, JSON.stringify(after.checks)).to.equal("valid");

      const again = (await w.agent.lerRevoke({ issuer, entries }))[0]!;
      expect(again.gasUsed, "sent anew, not the dropped receipt").to.be.greaterThan(0);
      expect(await w.network.provider.getTransactionReceipt(again.txHash)).to.not.equal(null);
      expect(codes(await verify(issued.jwt)).status).to.equal("fail:credential_revoked");
      // Done now, and reported with the transaction that is on chain.
      expect(await w.agent.lerRevoke({ issuer, entries })).to.deep.equal([{ ...again, gasUsed: 0 }]);
      expect(await pending.listPending()).to.deep.equal([]);
    });

    it("an anchor a reorganisation dropped is sent anew; re-included later, it carries the later block's time and the trust verdict follows it", async () => {
      const validUntil = (await w.now()) + 100;
      const issuer = (await accreditIssuer(w, "Short-lived Institute", validUntil)).did;
      const batch = await w.agent.lerIssueCredentials({
        issuer,
        credentials: [{ subject: issuer, achievement: degree }],
      });
      const jwt = batch.credentials[0]!.jwt;
      expect((await verify(jwt)).result).to.equal("valid");
      expect(await head()).to.equal(batch.anchor!.block);

      await reorg(1);
      expect(codes(await verify(jwt)).anchor).to.equal("skipped:anchor_not_found");
      // Re-included only after the accreditation ended.
      await w.increaseTime(200);
      const again = await w.agent.lerAnchor({ issuer, root: batch.root });
      expect(again.gasUsed, "sent anew, not the dropped receipt").to.be.greaterThan(0);
      const anchoredAt = (await w.network.provider.getBlock(again.block))!.timestamp;
      expect(anchoredAt).to.be.greaterThan(validUntil);
      const report = await verify(jwt);
      expect(codes(report)).to.include({ anchor: "pass:anchored", trust: "fail:accreditation_expired" });
      expect(report.checks.find((c) => c.id === "anchor")!.details).to.include({ block: again.block });
      expect(await w.agent.lerAnchor({ issuer, root: batch.root })).to.deep.equal({ ...again, gasUsed: 0 });
      expect(await pending.listPending()).to.deep.equal([]);
    });
  });

  describe("soak: reorganisations at random while issuing, revoking and verifying", () => {
    const SEED = Number(process.env.LER_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const STEPS = depth(60, 400);

    it(`after ${STEPS} random steps and a repair run, the chain holds every anchor and revocation asked for, once, and every verdict agrees with the chain (seed ${SEED})`, async () => {
      const why = `seed ${SEED}`;
      const random = prng(SEED);
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
      const w = await createAgentWorld("anvil", SECRET);
      try {
        const provider = w.network.provider as JsonRpcProvider;
        const status = new Contract(
          w.network.deployment.contracts.StatusRegistry.address,
          projectArtifact("StatusRegistry").abi,
          provider,
        );
        const root = (await w.agent.lerCreateIdentity({ alias: "root" })).did;
        const issuer = await w.agent.lerCreateIdentity({ alias: "Soak University" });
        await w.agent.lerRegisterType({ governor: w.governor, name: "Degree" });
        await w.agent.lerAddRoot({ governor: w.governor, root, types: ["Degree"] });
        await w.agent.lerAccredit({ accreditor: root, subject: issuer.did, role: "issuer", types: ["Degree"] });
        await w.increaseTime(1);
        // Reorganisations never reach below this block: the setup stays.
        const floor = await provider.getBlockNumber();
        const issued: { jwt: string; list: string; index: number; root: string }[] = [];
        const revoke = new Set<number>();
        const counts = { issue: 0, revoke: 0, reorg: 0, verify: 0, dropped: 0 };

        /** What the chain says now of credential i: anchored, revoked. */
        const onChain = async (i: number) => {
          const c = issued[i]!;
          const [anchor, [revoked]] = await Promise.all([
            status.getFunction("anchorOf")(issuer.address, c.root),
            status.getFunction("statusOf")(issuer.address, c.list, c.index),
          ]);
          return { anchored: (anchor[0] as bigint) > 0n, revoked: revoked as boolean };
        };

        for (let step = 0; step < STEPS; step++) {
          const r = random();
          if (r < 0.35 || issued.length === 0) {
            counts.issue++;
            const n = 1 + Math.floor(random() * 4);
            const batch = await w.agent.lerIssueCredentials({
              issuer: issuer.did,
              credentials: Array.from({ length: n }, () => ({ subject: issuer.did, achievement: degree })),
            });
            for (const c of batch.credentials)
              issued.push({ jwt: c.jwt, list: c.list, index: c.index, root: batch.root });
          } else if (r < 0.6) {
            counts.revoke++;
            const chosen = [
              ...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick([...issued.keys()]))),
            ];
            for (const i of chosen) revoke.add(i);
            await w.agent.lerRevoke({
              issuer: issuer.did,
              entries: chosen.map((i) => ({ list: issued[i]!.list, index: issued[i]!.index })),
            });
          } else if (r < 0.8) {
            const head = await provider.getBlockNumber();
            const deepest = Math.min(3, head - floor);
            if (deepest < 1) continue;
            counts.reorg++;
            const depthOf = 1 + Math.floor(random() * deepest);
            const before = await Promise.all(issued.map((_, i) => onChain(i)));
            await provider.send("anvil_reorg", [depthOf, []]);
            const after = await Promise.all(issued.map((_, i) => onChain(i)));
            counts.dropped += after.filter(
              (a, i) => a.anchored !== before[i]!.anchored || a.revoked !== before[i]!.revoked,
            ).length;
          } else {
            counts.verify++;
            // The verifier agrees with the chain as it is now, whatever it read before a reorganisation.
            const sample = [...new Set(Array.from({ length: 4 }, () => pick([...issued.keys()])))];
            const reports = await w.agent.lerVerifyCredentials({
              credentials: sample.map((i) => issued[i]!.jwt),
              now: await w.now(),
            });
            for (const [k, i] of sample.entries()) {
              const truth = await onChain(i);
              const c = codes(reports[k]!);
              expect(c.anchor, `${why}: step ${step}, credential ${i}`).to.equal(
                truth.anchored ? "pass:anchored" : "skipped:anchor_not_found",
              );
              expect(c.status, `${why}: step ${step}, credential ${i}`).to.equal(
                truth.revoked ? "fail:credential_revoked" : "pass:not_revoked",
              );
            }
          }
        }

        // The repair run: every batch anchored again where needed, every revocation asked for sent again.
        for (const r of new Set(issued.map((c) => c.root))) await w.agent.lerAnchor({ issuer: issuer.did, root: r });
        if (revoke.size > 0)
          await w.agent.lerRevoke({
            issuer: issuer.did,
            entries: [...revoke].map((i) => ({ list: issued[i]!.list, index: issued[i]!.index })),
          });
        expect(await w.agent.lerResumePending({}), why).to.deep.equal({ resumed: [], failed: [] });

        const positions = new Set(issued.map((c) => `${c.list}:${c.index}`));
        expect(positions.size, `${why}: no status index twice`).to.equal(issued.length);
        const reports = await w.agent.lerVerifyCredentials({
          credentials: issued.map((c) => c.jwt),
          now: await w.now(),
        });
        for (const [i, report] of reports.entries()) {
          const c = codes(report);
          expect(c.anchor, `${why}: credential ${i}`).to.equal("pass:anchored");
          expect(c.status, `${why}: credential ${i}`).to.equal(
            revoke.has(i) ? "fail:credential_revoked" : "pass:not_revoked",
          );
          expect(
            report.result,
            `${why}: credential ${i}: ${JSON.stringify(report.checks.filter((x) => x.outcome !== "pass"))}`,
          ).to.equal(revoke.has(i) ? "invalid" : "valid");
        }
        // Each root anchored once: one IssuanceAnchored event per root on the canonical chain.
        const events = await status.queryFilter(status.filters.IssuanceAnchored!(issuer.address), floor);
        const roots = events.map((e) => (e as unknown as { args: [string, string] }).args[1]);
        expect(roots.length, why).to.equal(new Set(roots).size);
        expect(new Set(roots), why).to.deep.equal(new Set(issued.map((c) => c.root)));
        expect(counts.reorg, why).to.be.greaterThan(0);
        console.log(`      ${JSON.stringify(counts)}`);
      } finally {
        await w.close();
      }
    });
  });

  describe("the CLI story, over JSON-RPC to anvil", () => {
    let anvil: Anvil;
    let dir: string;
    let env: NodeJS.ProcessEnv;
    let service: Node | undefined;

    before(async () => {
      anvil = await startAnvil();
      dir = mkdtempSync(join(tmpdir(), "ler-anvil-cli-"));
      env = cleanEnv({
        LER_HOME: join(dir, "home"),
        LER_SECRET: "anvil story secret",
        LER_RPC_URL: anvil.url,
        LER_NETWORK: "anvil",
        LER_DEPLOYMENTS: join(dir, "deployments"),
      });
    });
    after(async () => {
      await service?.stop();
      await anvil?.stop();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    const run = async (args: string[], expected: number, extra: Record<string, string> = {}): Promise<Ran> => {
      const r = await ler(args, { ...env, ...extra });
      expect(r.code, `ler ${args.join(" ")}\n${r.stdout}\n${r.stderr}`).to.equal(expected);
      expect(looksLikeACrash(r.stderr), r.stderr).to.equal(false);
      return r;
    };

    it("deploys, governs, accredits, issues and anchors, revokes, suspends and reinstates, and verifies, by CLI and by HTTP", async () => {
      const deployed = json<{ chainId: number; deployed: string[] }>(await run(["deploy", "--json"], 0));
      expect(deployed.chainId).to.equal(anvil.chainId);
      expect(deployed.deployed).to.have.members([
        "EthereumDIDRegistry",
        "TrustRegistry",
        "StatusRegistry",
        "Multicall3",
      ]);
      await run(["id", "import", "--alias", "governance", "--json"], 0, { LER_PRIVATE_KEY: DEV_KEY_0 });
      await run(["gov", "register-type", "Degree", "--as", "governance"], 0);
      await run(["id", "create", "--alias", "Authority"], 0);
      await run(["gov", "add-root", "Authority", "--types", "Degree", "--as", "governance"], 0);
      await run(["id", "create", "--alias", "University"], 0);
      await run(["accreditor", "accredit", "University", "--types", "Degree", "--as", "Authority"], 0);
      await run(["id", "create", "--alias", "ada"], 0);

      // Issued at once after the accreditation: on anvil that may be the same second.
      const one = json<{ id: string; jwt: string; anchor: { block: number } }>(
        await run(["issue", "--as", "University", "--to", "ada", "--type", "Degree", "--name", "BSc", "--json"], 0),
      );
      expect(one.anchor.block).to.be.greaterThan(0);
      const file = join(dir, "degree.jwt");
      writeFileSync(file, one.jwt);
      const verify = async (expected: number) =>
        json<CredentialReport>(await run(["verify", file, "--json"], expected));
      expect((await verify(0)).result).to.equal("valid");

      // A batch, anchored once.
      const csv = join(dir, "batch.csv");
      writeFileSync(csv, ["subject,name", ...Array.from({ length: 50 }, (_, i) => `ada,Course ${i + 1}`)].join("\n"));
      const batch = json<{ count: number; anchor: { block: number }; credentials: { id: string; jwt: string }[] }>(
        await run(["issuer", "batch", csv, "--as", "University", "--type", "Degree", "--json"], 0),
      );
      expect(batch.count).to.equal(50);
      expect(batch.anchor.block).to.be.greaterThan(one.anchor.block);

      await run(["issuer", "suspend", one.id, "--as", "University"], 0);
      expect(codes(await verify(1)).status).to.equal("fail:credential_suspended");
      await run(["issuer", "reinstate", one.id, "--as", "University"], 0);
      expect((await verify(0)).result).to.equal("valid");

      // The verifier service on anvil: the batch valid, then the first of it revoked.
      service = await startServing(["serve", "--port", "0", "--json"], env);
      const post = async (credential: string) => {
        const r = await fetch(`${String(service!.ready.url)}/v1/verify`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ credential }),
        });
        expect(r.status).to.equal(200);
        return (await r.json()) as CredentialReport;
      };
      expect((await post(batch.credentials[0]!.jwt)).result).to.equal("valid");
      await run(["issuer", "revoke", batch.credentials[0]!.id, "--as", "University"], 0);
      const revoked = await post(batch.credentials[0]!.jwt);
      expect(codes(revoked).status).to.equal("fail:credential_revoked");
      expect((await post(batch.credentials[1]!.jwt)).result).to.equal("valid");
      // Nothing left pending: every anchor and revocation is on chain.
      expect(
        json<{ resumed: unknown[]; failed: unknown[] }>(
          await run(["issuer", "resume", "--as", "University", "--json"], 0),
        ),
      ).to.deep.equal({
        resumed: [],
        failed: [],
      });
    });
  });
});

if (missing !== undefined) {
  describe("anvil: a second EVM implementation", () => {
    it(`does not run here: ${missing}`, function () {
      this.skip();
    });
  });
}
