import { expect } from "chai";
import { Wallet, type Contract } from "ethers";
import { anchorBatch } from "../../src/credentials/index.js";
import { verifyCredential, type VerifierContext } from "../../src/verify/credential.js";
import type { Check, CredentialReport } from "../../src/verify/report.js";
import { signJwt } from "../adversarial/jws.js";
import {
  accreditWithConsent,
  bit,
  createRegistryFixture,
  FOREVER,
  NO_HASH,
  ROLE_ACCREDITOR,
  ROLE_ISSUER,
} from "../helpers/fixture.js";

const { ethers, networkHelpers, load } = await createRegistryFixture();

const check = (r: CredentialReport, id: Check["id"]) => r.checks.find((c) => c.id === id)!;

/**
 * A registry with root -> accreditor -> issuer (Degree), the issuer a key of our own (it signs credentials and
 * anchors them), and a verifier reading the same chain.
 */
async function setup() {
  const f = await load();
  const trust = f.trust as unknown as Contract;
  const issuer = Wallet.createRandom().connect(ethers.provider);
  await (await f.deployer.sendTransaction({ to: issuer.address, value: 10n ** 18n })).wait();
  await (
    await accreditWithConsent(trust, f.root, f.root.address, f.accreditor, {
      role: ROLE_ACCREDITOR,
      scope: bit("Degree") | bit("Course"),
    })
  ).wait();
  await (
    await accreditWithConsent(trust, f.accreditor, f.accreditor.address, issuer, {
      role: ROLE_ISSUER,
      scope: bit("Degree"),
    })
  ).wait();
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const networkName = `0x${chainId.toString(16)}`;
  const did = `did:ethr:${networkName}:${issuer.address}`;
  const ctx: VerifierContext = { provider: ethers.provider, deployment: f.deployment, networkName, cache: false };
  /** A Degree credential the issuer signs, naming itself `name`; anchored on chain when `anchor`. */
  const credential = async (opts: { name?: string; anchor?: boolean } = {}) => {
    const now = await networkHelpers.time.latest();
    // The JWT form of a credential (did-jwt-vc's transformCredentialInput): the issuer's id is `iss`, the rest of its
    // issuer object (the name it claims) a top-level `issuer`.
    const payload: Record<string, unknown> = {
      iss: did,
      ...(opts.name !== undefined && { issuer: { name: opts.name } }),
      nbf: now - 10,
      sub: "did:example:learner",
      vc: {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        type: ["VerifiableCredential", "Degree"],
        credentialSubject: { id: "did:example:learner" },
      },
    };
    if (opts.anchor === true) {
      const { root, anchors } = anchorBatch([payload], {
        chainId,
        registry: f.deployment.contracts.StatusRegistry.address,
      });
      payload.issuanceAnchor = anchors[0];
      await (await f.status.connect(issuer).getFunction("anchor")(issuer.address, root)).wait();
    }
    return signJwt(payload, issuer.privateKey);
  };
  return { f, trust, issuer, ctx, credential };
}

describe("verification report: when trust was judged, and whose names it shows", function () {
  this.timeout(60_000);

  it("an unanchored credential is judged now, and every part of the report says so", async () => {
    const { ctx, credential } = await setup();
    const jwt = await credential();
    const now = (await networkHelpers.time.latest()) + 5;
    const r = await verifyCredential(ctx, jwt, { now });
    expect(check(r, "anchor")).to.include({ outcome: "skipped", code: "not_anchored" });
    expect(check(r, "anchor").message).to.contain("judged now");
    expect(r.trustedTime).to.deep.equal({ at: now, source: "now" });
    const trust = check(r, "trust");
    expect(trust).to.include({ outcome: "pass", code: "trusted" });
    expect(trust.details).to.include({ at: now, source: "now" });
    expect(trust.message).to.contain("not anchored, so trust is judged at verification time");
  });

  it("an unanchored credential is not judged at the time it claims: a scope narrowed since makes it invalid", async () => {
    const { f, issuer, ctx, credential } = await setup();
    const jwt = await credential();
    await f.trust.connect(f.accreditor).update(issuer.address, ROLE_ISSUER, bit("Course"), 0, FOREVER, 0, "", NO_HASH);
    const now = await networkHelpers.time.latest();
    const r = await verifyCredential(ctx, jwt, { now });
    expect(check(r, "trust")).to.include({ outcome: "fail", code: "type_out_of_scope" });
    expect(check(r, "trust").details).to.include({ at: now, source: "now" });
    expect(check(r, "trust").message).to.contain('not accredited for "Degree"');
  });

  it("an anchored credential is judged at its anchor's time, by the history: later narrowing and suspension of an accreditor shown, not applied to the past", async () => {
    const { f, issuer, ctx, credential } = await setup();
    const jwt = await credential({ anchor: true });
    const anchoredAt = await networkHelpers.time.latest();
    await networkHelpers.time.increase(100);
    // The issuer loses Degree from now on: the degree anchored before stays valid.
    await f.trust.connect(f.accreditor).update(issuer.address, ROLE_ISSUER, bit("Course"), 0, FOREVER, 0, "", NO_HASH);
    const now = (await networkHelpers.time.latest()) + 1;
    const r = await verifyCredential(ctx, jwt, { now });
    // (The minimal credential fails the schema check; the chain checks are what this test is about.)
    expect(check(r, "signature")).to.include({ outcome: "pass" });
    expect(check(r, "anchor")).to.include({ outcome: "pass", code: "anchored" });
    expect(r.trustedTime).to.include({ at: anchoredAt, source: "anchor" });
    expect(check(r, "trust")).to.include({ outcome: "pass", code: "trusted" });
    expect(check(r, "trust").details).to.include({ at: anchoredAt, source: "anchor" });
    expect(check(r, "trust").message).to.contain("anchored issuance time");
    // The chain as it stood at the anchor: the issuer held Degree then (id 0).
    expect(r.trustChain[0]!.scope).to.deep.equal([{ id: 0 }]);
    expect(r.trustChain[0]!.since).to.be.lessThanOrEqual(anchoredAt);
    expect(r.trustChain.map((l) => l.address)).to.deep.equal([issuer.address, f.accreditor.address, f.root.address]);

    // The issuer suspended now: a hold on everything it issued; the chain shows its status then and now.
    await f.trust.connect(f.accreditor).suspend(issuer.address, 1);
    const later = await verifyCredential(ctx, jwt, { now: now + 10 });
    expect(check(later, "trust")).to.include({ outcome: "fail", code: "issuer_suspended" });
    expect(check(later, "trust").details).to.include({ at: anchoredAt, source: "anchor" });
    expect(later.trustChain[0]).to.include({ status: "active", statusNow: "suspended" });
  });

  it("trust-chain names come only from the verifier's aliases; the credential's name for its issuer is reported as its claim", async () => {
    const { f, issuer, ctx, credential } = await setup();
    const jwt = await credential({ name: "Qualifications Authority" });
    const now = await networkHelpers.time.latest();
    const bare = await verifyCredential(ctx, jwt, { now });
    expect(bare.credential.issuerName).to.equal("Qualifications Authority");
    expect(bare.trustChain.map((l) => l.name)).to.deep.equal([undefined, undefined, undefined]);

    const names = new Map([
      [issuer.address, "Code Bootcamp"],
      [f.root.address, "Ministry"],
    ]);
    const named = await verifyCredential(ctx, jwt, { now, names });
    expect(named.trustChain.map((l) => l.name)).to.deep.equal(["Code Bootcamp", undefined, "Ministry"]);
    expect(named.credential.issuerName, "the claim, unchanged and apart").to.equal("Qualifications Authority");
  });
});
