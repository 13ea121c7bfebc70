import { expect } from "chai";
import {
  bit,
  createRegistryFixture,
  FOREVER,
  NO_HASH,
  ROLE_ACCREDITOR,
  ROLE_BOTH,
  ROLE_ISSUER,
  TYPES,
} from "../helpers/fixture.js";

const { ethers, networkHelpers, load } = await createRegistryFixture();
const { time } = networkHelpers;

const Verdict = {
  Trusted: 0n,
  NotAccredited: 1n,
  NotIssuer: 2n,
  NotAccreditor: 3n,
  Suspended: 4n,
  Revoked: 5n,
  NotYetValid: 6n,
  Expired: 7n,
  OutOfScope: 8n,
  DepthExceeded: 9n,
};
const Status = { None: 0n, Active: 1n, Suspended: 2n, Revoked: 3n };
const URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
const HASH = ethers.id("profile");
const DEGREE = BigInt(TYPES.indexOf("Degree"));
const CERTIFICATE = BigInt(TYPES.indexOf("Certificate"));
const DEGREE_AND_COURSE = bit("Degree") | bit("Course");

/** root -> accreditor (accreditor, every type but License) -> university (issuer, Degree + Course). */
async function accreditedFixture() {
  const f = await load();
  const { trust, root, accreditor, university } = f;
  const scope = bit("Degree") | bit("Course") | bit("Certificate") | bit("Competency");
  await trust.connect(root).accredit(root, accreditor, ROLE_ACCREDITOR, scope, 0, FOREVER, URI, HASH);
  await trust.connect(accreditor).accredit(accreditor, university, ROLE_ISSUER, DEGREE_AND_COURSE, 0, FOREVER, URI, HASH);
  return f;
}

describe("TrustRegistry", () => {
  describe("credential types", () => {
    it("registers types with sequential ids that resolve both ways", async () => {
      const { trust } = await load();
      expect(await trust.typeCount()).to.equal(BigInt(TYPES.length));
      expect(await trust.typeIdOf("Certificate")).to.equal(CERTIFICATE);
      expect(await trust.typeName(CERTIFICATE)).to.equal("Certificate");
    });

    it("emits CredentialTypeRegistered", async () => {
      const { trust, governor } = await load();
      await expect(trust.connect(governor).registerType("WorkRecord"))
        .to.emit(trust, "CredentialTypeRegistered")
        .withArgs(TYPES.length, "WorkRecord");
    });

    it("is governance only", async () => {
      const { trust, stranger } = await load();
      await expect(trust.connect(stranger).registerType("X"))
        .to.be.revertedWithCustomError(trust, "AccessControlUnauthorizedAccount")
        .withArgs(stranger, await trust.GOVERNOR_ROLE());
    });

    it("rejects duplicates and empty names", async () => {
      const { trust, governor } = await load();
      await expect(trust.connect(governor).registerType("Degree"))
        .to.be.revertedWithCustomError(trust, "TrustRegistryTypeExists")
        .withArgs("Degree", DEGREE);
      await expect(trust.connect(governor).registerType("")).to.be.revertedWithCustomError(
        trust,
        "TrustRegistryEmptyTypeName",
      );
    });

    it("stops at MAX_TYPES", async () => {
      const { trust, governor } = await load();
      const max = Number(await trust.MAX_TYPES());
      for (let i = TYPES.length; i < max; i++) await trust.connect(governor).registerType(`T${i}`);
      await expect(trust.connect(governor).registerType("one-too-many"))
        .to.be.revertedWithCustomError(trust, "TrustRegistryTooManyTypes")
        .withArgs(max);
    });

    it("reports unknown names and ids", async () => {
      const { trust } = await load();
      await expect(trust.typeIdOf("Diploma"))
        .to.be.revertedWithCustomError(trust, "TrustRegistryUnknownTypeName")
        .withArgs("Diploma");
      await expect(trust.typeName(200)).to.be.revertedWithCustomError(trust, "TrustRegistryUnknownType");
    });
  });

  describe("roots", () => {
    it("governance adds a root that is trusted for its scope", async () => {
      const { trust, root } = await load();
      const [verdict, failedAt, top] = await trust.trustedAt(root, DEGREE, await time.latest());
      // A root holds the accreditor role only: it accredits, it does not issue.
      expect([verdict, failedAt, top]).to.deep.equal([Verdict.NotIssuer, root.address, ethers.ZeroAddress]);
      const a = await trust.accreditationOf(root);
      expect(a.parent).to.equal(ethers.ZeroAddress);
      expect(a.status).to.equal(Status.Active);
    });

    it("rejects a stranger, a zero address, unknown types, bad validity and a second root entry", async () => {
      const { trust, governor, stranger, root } = await load();
      await expect(trust.connect(stranger).addRoot(stranger, 1, 0, FOREVER, "", NO_HASH)).to.be.revertedWithCustomError(
        trust,
        "AccessControlUnauthorizedAccount",
      );
      await expect(
        trust.connect(governor).addRoot(ethers.ZeroAddress, 1, 0, FOREVER, "", NO_HASH),
      ).to.be.revertedWithCustomError(trust, "TrustRegistryZeroAddress");
      await expect(trust.connect(governor).addRoot(stranger, 1n << 100n, 0, FOREVER, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryUnknownType")
        .withArgs(1n << 100n, TYPES.length);
      await expect(trust.connect(governor).addRoot(stranger, 1, 10, 10, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidValidity")
        .withArgs(10, 10);
      await expect(trust.connect(governor).addRoot(root, 1, 0, FOREVER, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryAlreadyAccredited")
        .withArgs(root, ethers.ZeroAddress);
    });

    it("only governance suspends a root, and that distrusts its whole tree", async () => {
      const { trust, governor, root, university, stranger } = await accreditedFixture();
      await expect(trust.connect(root).suspend(root, 1)).to.be.revertedWithCustomError(
        trust,
        "AccessControlUnauthorizedAccount",
      );
      await expect(trust.connect(stranger).suspend(root, 1)).to.be.revertedWithCustomError(
        trust,
        "AccessControlUnauthorizedAccount",
      );
      await trust.connect(governor).suspend(root, 1);
      const [verdict, failedAt] = await trust.trustedAt(university, DEGREE, await time.latest());
      expect([verdict, failedAt]).to.deep.equal([Verdict.Suspended, root.address]);
    });
  });

  describe("accredit", () => {
    it("records the edge and emits Accredited with the actor", async () => {
      const { trust, root, accreditor } = await load();
      const tx = trust.connect(root).accredit(root, accreditor, ROLE_BOTH, bit("Degree"), 100, 200, URI, HASH);
      await expect(tx)
        .to.emit(trust, "Accredited")
        .withArgs(root, accreditor, root, ROLE_BOTH, bit("Degree"), 100, 200, URI, HASH);
      const a = await trust.accreditationOf(accreditor);
      expect(a.parent).to.equal(root.address);
      expect([a.validFrom, a.validUntil, a.role, a.status, a.depth, a.scope]).to.deep.equal([
        100n,
        200n,
        BigInt(ROLE_BOTH),
        Status.Active,
        1n,
        bit("Degree"),
      ]);
    });

    it("rejects a caller who is not the parent's identity owner", async () => {
      const { trust, root, stranger, university } = await load();
      await expect(trust.connect(stranger).accredit(root, university, ROLE_ISSUER, 1, 0, FOREVER, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "IdentityAuthUnauthorized")
        .withArgs(stranger, root);
    });

    it("rejects a parent that is not an active accreditor", async () => {
      const { trust, accreditor, university, bootcamp, stranger } = await accreditedFixture();
      // The university may issue, not accredit.
      await expect(trust.connect(university).accredit(university, bootcamp, ROLE_ISSUER, bit("Degree"), 0, FOREVER, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryNotAccreditor")
        .withArgs(university);
      // Nobody accredited the stranger.
      await expect(trust.connect(stranger).accredit(stranger, bootcamp, ROLE_ISSUER, 1, 0, FOREVER, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryNotAccreditor")
        .withArgs(stranger);
    });

    it("rejects scope escalation, unknown types and an empty scope", async () => {
      const { trust, accreditor, bootcamp } = await accreditedFixture();
      const license = bit("License");
      await expect(trust.connect(accreditor).accredit(accreditor, bootcamp, ROLE_ISSUER, license, 0, FOREVER, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryScopeNotSubset")
        .withArgs(bootcamp, license, bit("Degree") | bit("Course") | bit("Certificate") | bit("Competency"));
      await expect(trust.connect(accreditor).accredit(accreditor, bootcamp, ROLE_ISSUER, 1n << 64n, 0, FOREVER, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryUnknownType")
        .withArgs(1n << 64n, TYPES.length);
      await expect(
        trust.connect(accreditor).accredit(accreditor, bootcamp, ROLE_ISSUER, 0, 0, FOREVER, "", NO_HASH),
      ).to.be.revertedWithCustomError(trust, "TrustRegistryEmptyScope");
    });

    it("rejects zero subjects, bad roles and bad validity windows", async () => {
      const { trust, accreditor, bootcamp } = await accreditedFixture();
      const accredit = (subject: unknown, role: number, from: bigint | number, until: bigint | number) =>
        trust.connect(accreditor).accredit(accreditor, subject as string, role, bit("Degree"), from, until, "", NO_HASH);
      await expect(accredit(ethers.ZeroAddress, ROLE_ISSUER, 0, FOREVER)).to.be.revertedWithCustomError(
        trust,
        "TrustRegistryZeroAddress",
      );
      for (const role of [0, 4, 255]) {
        await expect(accredit(bootcamp, role, 0, FOREVER))
          .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidRole")
          .withArgs(role);
      }
      await expect(accredit(bootcamp, ROLE_ISSUER, 500, 499))
        .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidValidity")
        .withArgs(500, 499);
    });

    it("rejects a subject that already has an accreditation, and names cycles", async () => {
      const { trust, root, accreditor, university } = await accreditedFixture();
      await expect(trust.connect(root).accredit(root, university, ROLE_ISSUER, bit("Degree"), 0, FOREVER, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryAlreadyAccredited")
        .withArgs(university, accreditor);
      // The accreditor accrediting its own root, or itself, would close a cycle.
      await expect(trust.connect(accreditor).accredit(accreditor, root, ROLE_ISSUER, bit("Degree"), 0, FOREVER, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryCycle")
        .withArgs(accreditor, root);
      await expect(
        trust.connect(accreditor).accredit(accreditor, accreditor, ROLE_ISSUER, bit("Degree"), 0, FOREVER, "", NO_HASH),
      )
        .to.be.revertedWithCustomError(trust, "TrustRegistryCycle")
        .withArgs(accreditor, accreditor);
    });

    it("bounds the depth of the tree", async () => {
      const { trust, root, others } = await load();
      const maxDepth = Number(await trust.MAX_DEPTH());
      let parent = root;
      for (let depth = 1; depth <= maxDepth; depth++) {
        const child = others[depth]!;
        await trust.connect(parent).accredit(parent, child, ROLE_BOTH, bit("Degree"), 0, FOREVER, "", NO_HASH);
        parent = child as typeof root;
      }
      const [verdict, , top] = await trust.trustedAt(parent, DEGREE, await time.latest());
      expect([verdict, top]).to.deep.equal([Verdict.Trusted, root.address]);
      await expect(trust.connect(parent).accredit(parent, others[0]!, ROLE_ISSUER, bit("Degree"), 0, FOREVER, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryDepthExceeded")
        .withArgs(maxDepth + 1, maxDepth);
      expect((await trust.chainOf(parent)).length).to.equal(maxDepth + 1);
    });
  });

  describe("trustedAt", () => {
    it("trusts an issuer for its types and names the root", async () => {
      const { trust, university, root } = await accreditedFixture();
      expect(await trust.trustedAt(university, DEGREE, await time.latest())).to.deep.equal([
        Verdict.Trusted,
        ethers.ZeroAddress,
        root.address,
      ]);
    });

    it("says why not: not accredited, not an issuer, out of scope", async () => {
      const { trust, university, accreditor, stranger } = await accreditedFixture();
      const now = await time.latest();
      expect(await trust.trustedAt(stranger, DEGREE, now)).to.deep.equal([
        Verdict.NotAccredited,
        stranger.address,
        ethers.ZeroAddress,
      ]);
      expect((await trust.trustedAt(accreditor, DEGREE, now)).slice(0, 2)).to.deep.equal([
        Verdict.NotIssuer,
        accreditor.address,
      ]);
      expect((await trust.trustedAt(university, CERTIFICATE, now)).slice(0, 2)).to.deep.equal([
        Verdict.OutOfScope,
        university.address,
      ]);
      expect((await trust.trustedAt(university, 250, now)).slice(0, 2)).to.deep.equal([
        Verdict.OutOfScope,
        university.address,
      ]);
    });

    it("answers for a point in time: before validFrom and after validUntil", async () => {
      const { trust, accreditor, bootcamp } = await accreditedFixture();
      const now = BigInt(await time.latest());
      await trust
        .connect(accreditor)
        .accredit(accreditor, bootcamp, ROLE_ISSUER, bit("Certificate"), now + 100n, now + 1000n, "", NO_HASH);
      const at = async (t: bigint) => (await trust.trustedAt(bootcamp, CERTIFICATE, t))[0];
      expect(await at(now + 99n)).to.equal(Verdict.NotYetValid);
      expect(await at(now + 100n)).to.equal(Verdict.Trusted);
      expect(await at(now + 999n)).to.equal(Verdict.Trusted);
      expect(await at(now + 1000n)).to.equal(Verdict.Expired);
    });

    it("a revocation with a past effective time keeps earlier times trusted", async () => {
      const { trust, accreditor, university } = await accreditedFixture();
      await time.increase(1000);
      const now = BigInt(await time.latest());
      const effective = now - 500n;
      await expect(trust.connect(accreditor).revoke(university, effective, 1))
        .to.emit(trust, "AccreditationRevoked")
        .withArgs(accreditor, university, accreditor, effective, 1);
      const at = async (t: bigint) => (await trust.trustedAt(university, DEGREE, t))[0];
      expect(await at(effective - 1n)).to.equal(Verdict.Trusted);
      expect(await at(effective)).to.equal(Verdict.Revoked);
      expect(await at(now + 1n)).to.equal(Verdict.Revoked);
    });

    it("cascades lazily: suspending an accreditor distrusts its subtree until reinstated", async () => {
      const { trust, root, accreditor, university } = await accreditedFixture();
      const now = await time.latest();
      await expect(trust.connect(root).suspend(accreditor, 7))
        .to.emit(trust, "AccreditationSuspended")
        .withArgs(root, accreditor, root, 7);
      expect((await trust.trustedAt(university, DEGREE, now)).slice(0, 2)).to.deep.equal([
        Verdict.Suspended,
        accreditor.address,
      ]);
      // Nothing below the accreditor was written.
      expect((await trust.accreditationOf(university)).status).to.equal(Status.Active);
      // A suspended accreditor cannot accredit more.
      await expect(
        trust.connect(accreditor).accredit(accreditor, root, ROLE_ISSUER, bit("Degree"), 0, FOREVER, "", NO_HASH),
      ).to.be.revertedWithCustomError(trust, "TrustRegistryNotAccreditor");
      await expect(trust.connect(root).reinstate(accreditor, 0))
        .to.emit(trust, "AccreditationReinstated")
        .withArgs(root, accreditor, root, 0);
      expect((await trust.trustedAt(university, DEGREE, now))[0]).to.equal(Verdict.Trusted);
    });

    it("an issuer's own suspension applies to every time, as it stands now", async () => {
      const { trust, accreditor, university } = await accreditedFixture();
      const then = await time.latest();
      await trust.connect(accreditor).suspend(university, 3);
      expect((await trust.trustedAt(university, DEGREE, then))[0]).to.equal(Verdict.Suspended);
    });

    it("an accreditor whose role no longer includes accrediting breaks the chain below it", async () => {
      const { trust, root, accreditor, university } = await accreditedFixture();
      await trust.connect(root).update(accreditor, ROLE_ISSUER, bit("Degree"), 0, FOREVER, 4, "", NO_HASH);
      expect((await trust.trustedAt(university, DEGREE, await time.latest())).slice(0, 2)).to.deep.equal([
        Verdict.NotAccreditor,
        accreditor.address,
      ]);
    });
  });

  describe("chainOf and accreditationOf", () => {
    it("returns the whole chain, subject first", async () => {
      const { trust, root, accreditor, university } = await accreditedFixture();
      const chain = await trust.chainOf(university);
      expect(chain.map((l: { subject: string }) => l.subject)).to.deep.equal([
        university.address,
        accreditor.address,
        root.address,
      ]);
      expect(chain[0]!.accreditation.scope).to.equal(DEGREE_AND_COURSE);
      expect(await trust.chainOf(ethers.Wallet.createRandom().address)).to.deep.equal([]);
    });

    it("narrows a subject's scope to what its parents hold after a parent's scope shrinks", async () => {
      const { trust, root, accreditor, university } = await accreditedFixture();
      await trust.connect(root).update(accreditor, ROLE_ACCREDITOR, bit("Course"), 0, FOREVER, 2, "", NO_HASH);
      expect((await trust.accreditationOf(university)).scope).to.equal(bit("Course"));
      expect((await trust.trustedAt(university, DEGREE, await time.latest())).slice(0, 2)).to.deep.equal([
        Verdict.OutOfScope,
        accreditor.address,
      ]);
    });
  });

  describe("update", () => {
    it("lets the parent change role, scope, validity and metadata", async () => {
      const { trust, accreditor, university } = await accreditedFixture();
      await expect(trust.connect(accreditor).update(university, ROLE_BOTH, bit("Degree"), 5, 50, 9, URI, HASH))
        .to.emit(trust, "AccreditationUpdated")
        .withArgs(accreditor, university, accreditor, ROLE_BOTH, bit("Degree"), 5, 50, 9, URI, HASH);
      const a = await trust.accreditationOf(university);
      expect([a.role, a.scope, a.validFrom, a.validUntil, a.reason]).to.deep.equal([
        BigInt(ROLE_BOTH),
        bit("Degree"),
        5n,
        50n,
        9n,
      ]);
    });

    it("rejects the wrong caller, escalation, bad input and revoked subjects", async () => {
      const { trust, accreditor, university, stranger } = await accreditedFixture();
      await expect(trust.connect(stranger).update(university, ROLE_ISSUER, bit("Degree"), 0, FOREVER, 0, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "IdentityAuthUnauthorized")
        .withArgs(stranger, accreditor);
      // The subject itself cannot widen its own accreditation.
      await expect(trust.connect(university).update(university, ROLE_ISSUER, bit("Degree"), 0, FOREVER, 0, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "IdentityAuthUnauthorized")
        .withArgs(university, accreditor);
      await expect(
        trust.connect(accreditor).update(university, ROLE_ISSUER, bit("License"), 0, FOREVER, 0, "", NO_HASH),
      ).to.be.revertedWithCustomError(trust, "TrustRegistryScopeNotSubset");
      await expect(
        trust.connect(accreditor).update(university, ROLE_ISSUER, bit("Degree"), 9, 9, 0, "", NO_HASH),
      ).to.be.revertedWithCustomError(trust, "TrustRegistryInvalidValidity");
      await expect(trust.connect(accreditor).update(stranger, ROLE_ISSUER, bit("Degree"), 0, FOREVER, 0, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryNotAccredited")
        .withArgs(stranger);
      await trust.connect(accreditor).revoke(university, await time.latest(), 1);
      await expect(trust.connect(accreditor).update(university, ROLE_ISSUER, bit("Degree"), 0, FOREVER, 0, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidStatus")
        .withArgs(university, Status.Revoked);
    });

    it("keeps a root an accreditor within the registered types", async () => {
      const { trust, governor, root } = await load();
      await expect(trust.connect(governor).update(root, ROLE_ISSUER, 1, 0, FOREVER, 0, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidRole")
        .withArgs(ROLE_ISSUER);
      await expect(
        trust.connect(governor).update(root, ROLE_ACCREDITOR, 1n << 200n, 0, FOREVER, 0, "", NO_HASH),
      ).to.be.revertedWithCustomError(trust, "TrustRegistryUnknownType");
      await trust.connect(governor).update(root, ROLE_ACCREDITOR, 1, 0, FOREVER, 0, "", NO_HASH);
      expect((await trust.accreditationOf(root)).scope).to.equal(1n);
    });
  });

  describe("suspend, reinstate, revoke", () => {
    it("reject the wrong caller", async () => {
      const { trust, university, stranger } = await accreditedFixture();
      for (const call of [
        () => trust.connect(stranger).suspend(university, 1),
        () => trust.connect(stranger).reinstate(university, 1),
        () => trust.connect(stranger).revoke(university, 0, 1),
        () => trust.connect(university).suspend(university, 1),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(trust, "IdentityAuthUnauthorized");
      }
    });

    it("follow the lifecycle and reject replays", async () => {
      const { trust, accreditor, university } = await accreditedFixture();
      await expect(trust.connect(accreditor).reinstate(university, 0))
        .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidStatus")
        .withArgs(university, Status.Active);
      await trust.connect(accreditor).suspend(university, 1);
      await expect(trust.connect(accreditor).suspend(university, 1))
        .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidStatus")
        .withArgs(university, Status.Suspended);
      await trust.connect(accreditor).reinstate(university, 0);
      const now = await time.latest();
      await trust.connect(accreditor).revoke(university, now, 2);
      // Terminal: no reinstatement, no second revocation, no re-accreditation.
      for (const call of [
        () => trust.connect(accreditor).revoke(university, now, 2),
        () => trust.connect(accreditor).reinstate(university, 0),
        () => trust.connect(accreditor).suspend(university, 0),
      ]) {
        await expect(call())
          .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidStatus")
          .withArgs(university, Status.Revoked);
      }
      await expect(
        trust.connect(accreditor).accredit(accreditor, university, ROLE_ISSUER, bit("Degree"), 0, FOREVER, "", NO_HASH),
      ).to.be.revertedWithCustomError(trust, "TrustRegistryAlreadyAccredited");
    });

    it("rejects a revocation that takes effect in the future, and unknown subjects", async () => {
      const { trust, accreditor, university, stranger } = await accreditedFixture();
      const future = BigInt(await time.latest()) + 3600n;
      await expect(trust.connect(accreditor).revoke(university, future, 1)).to.be.revertedWithCustomError(
        trust,
        "TrustRegistryEffectiveTimeInFuture",
      );
      await expect(trust.connect(accreditor).suspend(stranger, 1))
        .to.be.revertedWithCustomError(trust, "TrustRegistryNotAccredited")
        .withArgs(stranger);
    });
  });
});
