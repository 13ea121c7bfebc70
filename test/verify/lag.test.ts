import { expect } from "chai";
import { ChainError } from "../../src/errors.js";
import { checkHeadAge, readSnapshot } from "../../src/chain/reads.js";
import { verifyCredentials, type VerifierContext } from "../../src/verify/credential.js";
import { verifyPresentation } from "../../src/verify/index.js";
import type { CredentialReport, PresentationReport } from "../../src/verify/report.js";
import { CHALLENGE, DOMAIN, createAdversarialWorld, type AdversarialWorld } from "../adversarial/world.js";

// Issue 12, item 6: a node whose head is older than the verifier's bound is not believed. The in-process chain's
// clock stands still between blocks; the verifier's `now` is set hours after its head (as a node that stopped
// following the chain hours ago would look), with no real waiting.

const summary = (r: CredentialReport | PresentationReport): string =>
  JSON.stringify({ result: r.result, checks: r.checks.map((c) => `${c.id}:${c.outcome}:${c.code}`) });

describe("a lagging node (issue 12, item 6): maxHeadAgeSeconds", function () {
  this.timeout(180_000);
  let w: AdversarialWorld;
  let head: number;

  before(async () => {
    w = await createAdversarialWorld("in-process");
    head = await w.base.now();
  });
  after(async () => w?.close());

  const contexts = (): [string, VerifierContext][] => [
    [
      "uncached",
      {
        provider: w.base.network.provider,
        deployment: w.base.network.deployment,
        networkName: w.networkName,
        cache: false,
      },
    ],
    [
      "cached",
      { provider: w.base.network.provider, deployment: w.base.network.deployment, networkName: w.networkName },
    ],
  ];

  it("checkHeadAge: off without a bound, refuses only beyond it, ignores reads at a blockTag", () => {
    expect(() => checkHeadAge(1000n, { now: 1_000_000 })).to.not.throw();
    expect(() => checkHeadAge(1000n, { now: 1120, maxHeadAgeSeconds: 120 })).to.not.throw();
    expect(() => checkHeadAge(1000n, { now: 1121, maxHeadAgeSeconds: 120 }))
      .to.throw(ChainError)
      .with.property("code", "chain_lagging");
    expect(() => checkHeadAge(1000n, { now: 1_000_000, maxHeadAgeSeconds: 120, blockTag: 5 })).to.not.throw();
  });

  it("readSnapshot fails with chain_lagging when the head is older than the bound", async () => {
    const request = { issuers: [w.wallets.university.address], typeNames: [], statuses: [], hashes: [], anchors: [] };
    const { provider, deployment } = w.base.network;
    const fresh = await readSnapshot(provider, deployment, request, { now: head + 60, maxHeadAgeSeconds: 120 });
    expect(Number(fresh.timestamp)).to.equal(head);
    let error: unknown;
    try {
      await readSnapshot(provider, deployment, request, { now: head + 3 * 3600, maxHeadAgeSeconds: 120 });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ChainError);
    expect((error as ChainError).code).to.equal("chain_lagging");
  });

  for (const [name, i] of [
    ["uncached", 0],
    ["cached", 1],
  ] as const) {
    it(`credentials (${name}): a head hours behind the verifier's clock -> unknown, chain_lagging; off by default`, async () => {
      const ctx = contexts()[i]![1];
      const token = w.tokens.uniForAda;
      const later = head + 3 * 3600;
      const [off] = await verifyCredentials(ctx, [token], { now: later });
      expect(off!.result, summary(off!)).to.equal("valid");
      const [lagging] = await verifyCredentials(ctx, [token], { now: later, read: { maxHeadAgeSeconds: 120 } });
      expect(lagging!.result, summary(lagging!)).to.equal("unknown");
      expect(
        lagging!.checks.some((c) => c.outcome === "unknown" && c.code === "chain_lagging"),
        summary(lagging!),
      ).to.equal(true);
      const [within] = await verifyCredentials(ctx, [token], { now: head + 60, read: { maxHeadAgeSeconds: 120 } });
      expect(within!.result, summary(within!)).to.equal("valid");
    });

    it(`presentations (${name}): judged by the verifier's own now -> unknown, chain_lagging`, async () => {
      const ctx = contexts()[i]![1];
      const token = w.presentation({ credentials: [w.tokens.uniForAda] });
      const base = { challenge: CHALLENGE, domain: DOMAIN };
      const off = await verifyPresentation(ctx, token, { ...base, now: head + 3 * 3600 });
      expect(off.result, summary(off)).to.equal("valid");
      const lagging = await verifyPresentation(ctx, token, {
        ...base,
        now: head + 3 * 3600,
        read: { maxHeadAgeSeconds: 120 },
      });
      expect(lagging.result, summary(lagging)).to.equal("unknown");
      expect(
        lagging.checks.some(
          (c) => c.id === "holder_signature" && c.outcome === "unknown" && c.code === "chain_lagging",
        ),
        summary(lagging),
      ).to.equal(true);
      expect(lagging.credentials[0]!.result, summary(lagging.credentials[0]!)).to.equal("unknown");
      const within = await verifyPresentation(ctx, token, {
        ...base,
        now: head + 60,
        read: { maxHeadAgeSeconds: 120 },
      });
      expect(within.result, summary(within)).to.equal("valid");
    });
  }
});
