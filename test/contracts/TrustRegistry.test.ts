import { expect } from "chai";
import type { ContractTransactionResponse, Signer } from "ethers";
import { signAccreditationConsent } from "../../src/chain/signedCall.js";
import { decodeVersion } from "../../src/verify/trust.js";
import {
  accreditWithConsent,
  bit,
  createRegistryFixture,
  FOREVER,
  NO_DEADLINE,
  NO_HASH,
  ROLE_ACCREDITOR,
  ROLE_BOTH,
  ROLE_ISSUER,
  TYPES,
} from "../helpers/fixture.js";

const { ethers, networkHelpers, load } = await createRegistryFixture();
const { time } = networkHelpers;
const chainId = (await ethers.provider.getNetwork()).chainId;

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
const COURSE = BigInt(TYPES.indexOf("Course"));
const CERTIFICATE = BigInt(TYPES.indexOf("Certificate"));
const DEGREE_AND_COURSE = bit("Degree") | bit("Course");
const ACCREDITOR_SCOPE = bit("Degree") | bit("Course") | bit("Certificate") | bit("Competency");

type Fixture = Awaited<ReturnType<typeof load>>;

/** root -> accreditor (accreditor, every type but License) -> university (issuer, Degree + Course), each consenting. */
async function accreditedFixture() {
  const f = await load();
  const { trust, root, accreditor, university } = f;
  await accreditWithConsent(trust, root, root.address, accreditor, {
    role: ROLE_ACCREDITOR,
    scope: ACCREDITOR_SCOPE,
    uri: URI,
    hash: HASH,
  });
  await accreditWithConsent(trust, accreditor, accreditor.address, university, {
    role: ROLE_ISSUER,
    scope: DEGREE_AND_COURSE,
    uri: URI,
    hash: HASH,
  });
  return f;
}

/** The block time at which a transaction took effect. */
async function timeOf(tx: Promise<ContractTransactionResponse> | ContractTransactionResponse): Promise<bigint> {
  const receipt = await (await tx).wait();
  return BigInt((await ethers.provider.getBlock(receipt!.blockNumber))!.timestamp);
}

async function verdictOf(f: Fixture, subject: Signer | string, typeId: bigint, at: bigint) {
  return (await f.trust.trustedAt(subject, typeId, at))[0];
}

/** Runs `send` with automine off, so that every transaction it sends lands in one block; returns that block's time. */
async function inOneBlock(send: () => Promise<unknown>): Promise<bigint> {
  await ethers.provider.send("evm_setAutomine", [false]);
  try {
    await send();
    await ethers.provider.send("evm_mine", []);
  } finally {
    await ethers.provider.send("evm_setAutomine", [true]);
  }
  return BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
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

    it("stops at MAX_TYPES (112: the scope's share of a packed version)", async () => {
      const { trust, governor } = await load();
      const max = Number(await trust.MAX_TYPES());
      expect(max).to.equal(112);
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
      await expect(trust.typeName(200))
        .to.be.revertedWithCustomError(trust, "TrustRegistryUnknownType")
        .withArgs(1n << 200n, TYPES.length);
    });
  });

  describe("roots", () => {
    it("governance adds a root: an accreditor, not an issuer, with one version", async () => {
      const { trust, governor, stranger } = await load();
      const tx = trust.connect(governor).addRoot(stranger, bit("Degree"), 5, 500, URI, HASH);
      await expect(tx)
        .to.emit(trust, "Accredited")
        .withArgs(ethers.ZeroAddress, stranger, governor, ROLE_ACCREDITOR, bit("Degree"), 5, 500, URI, HASH);
      const [parent, count, v] = await trust.accreditationOf(stranger);
      expect([parent, count]).to.deep.equal([ethers.ZeroAddress, 1n]);
      expect([v.role, v.status, v.reason, v.validFrom, v.validUntil, v.scope]).to.deep.equal([
        BigInt(ROLE_ACCREDITOR),
        Status.Active,
        0n,
        5n,
        500n,
        bit("Degree"),
      ]);
      const f = await load();
      expect((await f.trust.trustedAt(f.root, DEGREE, await time.latest())).slice(0, 2)).to.deep.equal([
        Verdict.NotIssuer,
        f.root.address,
      ]);
    });

    it("rejects a stranger, a zero address, unknown types, bad validity and a second entry", async () => {
      const { trust, governor, stranger, root } = await load();
      await expect(trust.connect(stranger).addRoot(stranger, 1, 0, FOREVER, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "AccessControlUnauthorizedAccount")
        .withArgs(stranger, await trust.GOVERNOR_ROLE());
      await expect(
        trust.connect(governor).addRoot(ethers.ZeroAddress, 1, 0, FOREVER, "", NO_HASH),
      ).to.be.revertedWithCustomError(trust, "TrustRegistryZeroAddress");
      await expect(trust.connect(governor).addRoot(stranger, 1n << 100n, 0, FOREVER, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryUnknownType")
        .withArgs(1n << 100n, TYPES.length);
      await expect(trust.connect(governor).addRoot(stranger, 0, 0, FOREVER, "", NO_HASH)).to.be.revertedWithCustomError(
        trust,
        "TrustRegistryEmptyScope",
      );
      await expect(trust.connect(governor).addRoot(stranger, 1, 10, 10, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidValidity")
        .withArgs(10, 10);
      await expect(trust.connect(governor).addRoot(root, 1, 0, FOREVER, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryAlreadyAccredited")
        .withArgs(root, ethers.ZeroAddress);
    });

    it("only governance changes a root, and suspending it distrusts its whole tree", async () => {
      const f = await accreditedFixture();
      const { trust, governor, root, university } = f;
      for (const call of [
        () => trust.connect(root).suspend(root, 1),
        () => trust.connect(root).update(root, ROLE_ACCREDITOR, 1, 0, FOREVER, 0, "", NO_HASH),
        () => trust.connect(root).revoke(root, 0, 1),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(trust, "TrustRegistryUnauthorized").withArgs(root, root);
      }
      await expect(trust.connect(governor).suspend(root, 1))
        .to.emit(trust, "AccreditationSuspended")
        .withArgs(ethers.ZeroAddress, root, governor, 1);
      expect((await trust.trustedAt(university, DEGREE, await time.latest())).slice(0, 2)).to.deep.equal([
        Verdict.Suspended,
        root.address,
      ]);
      await expect(trust.connect(governor).reinstate(root, 2))
        .to.emit(trust, "AccreditationReinstated")
        .withArgs(ethers.ZeroAddress, root, governor, 2);
    });

    it("keeps a root an accreditor within the registered types", async () => {
      const { trust, governor, root } = await load();
      await expect(trust.connect(governor).update(root, ROLE_ISSUER, 1, 0, FOREVER, 0, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidRole")
        .withArgs(ROLE_ISSUER);
      await expect(trust.connect(governor).update(root, ROLE_ACCREDITOR, 1n << 100n, 0, FOREVER, 0, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryUnknownType")
        .withArgs(1n << 100n, TYPES.length);
      await trust.connect(governor).update(root, ROLE_ACCREDITOR, 1, 0, FOREVER, 0, "", NO_HASH);
      expect((await trust.accreditationOf(root))[2].scope).to.equal(1n);
    });
  });

  describe("accredit and the subject's consent", () => {
    it("records the link and emits Accredited with the actor", async () => {
      const { trust, root, accreditor } = await load();
      const tx = accreditWithConsent(trust, root, root.address, accreditor, {
        role: ROLE_BOTH,
        scope: bit("Degree"),
        validFrom: 100,
        validUntil: 200,
        uri: URI,
        hash: HASH,
      });
      await expect(tx)
        .to.emit(trust, "Accredited")
        .withArgs(root, accreditor, root, ROLE_BOTH, bit("Degree"), 100, 200, URI, HASH);
      const [parent, count, v] = await trust.accreditationOf(accreditor);
      expect([parent, count]).to.deep.equal([root.address, 1n]);
      expect([v.role, v.status, v.reason, v.validFrom, v.validUntil, v.scope]).to.deep.equal([
        BigInt(ROLE_BOTH),
        Status.Active,
        0n,
        100n,
        200n,
        bit("Degree"),
      ]);
    });

    it("rejects a caller who is not the parent's identity owner", async () => {
      const { trust, root, stranger, university } = await load();
      await expect(
        trust.connect(stranger).accredit(root, university, ROLE_ISSUER, 1, 0, FOREVER, "", NO_HASH, NO_DEADLINE, "0x"),
      )
        .to.be.revertedWithCustomError(trust, "IdentityAuthUnauthorized")
        .withArgs(stranger, root);
    });

    /** The university's consent to `terms` under `parent`, signed by `signer` (by default the university). */
    async function consent(
      f: Fixture,
      terms: { parent: string; scope: bigint; role?: number; deadline?: bigint },
      signer: Signer = f.university,
    ) {
      return signAccreditationConsent(signer, {
        verifyingContract: await f.trust.getAddress(),
        chainId,
        terms: {
          parent: terms.parent,
          subject: f.university.address,
          role: terms.role ?? ROLE_ISSUER,
          scope: terms.scope,
          validFrom: 0,
          validUntil: FOREVER,
          metadataHash: NO_HASH,
          deadline: terms.deadline ?? NO_DEADLINE,
        },
      });
    }

    it("refuses an accreditation the subject did not consent to: none, a stranger's, or for other terms", async () => {
      const fresh = await load();
      const { trust: t, root } = fresh;
      const send = (sig: string, scope = bit("Degree"), role = ROLE_ISSUER) =>
        t.connect(root).accredit(root, fresh.university, role, scope, 0, FOREVER, "", NO_HASH, NO_DEADLINE, sig);
      await expect(send("0x")).to.be.revertedWithCustomError(t, "TrustRegistryNoConsent").withArgs(fresh.university);
      await expect(send(await consent(fresh, { parent: root.address, scope: bit("Degree") }, fresh.stranger)))
        .to.be.revertedWithCustomError(t, "TrustRegistryNoConsent")
        .withArgs(fresh.university);
      // Signed for Degree, sent for Degree + Course; for an issuer, sent as both; for another parent.
      await expect(send(await consent(fresh, { parent: root.address, scope: bit("Degree") }), DEGREE_AND_COURSE))
        .to.be.revertedWithCustomError(t, "TrustRegistryNoConsent")
        .withArgs(fresh.university);
      await expect(send(await consent(fresh, { parent: root.address, scope: bit("Degree") }), bit("Degree"), ROLE_BOTH))
        .to.be.revertedWithCustomError(t, "TrustRegistryNoConsent")
        .withArgs(fresh.university);
      await expect(send(await consent(fresh, { parent: fresh.accreditor.address, scope: bit("Degree") })))
        .to.be.revertedWithCustomError(t, "TrustRegistryNoConsent")
        .withArgs(fresh.university);
      await send(await consent(fresh, { parent: root.address, scope: bit("Degree") }));
      expect((await t.accreditationOf(fresh.university))[0]).to.equal(root.address);
    });

    it("refuses a consent past its deadline, and accepts it at the deadline itself", async () => {
      const f = await load();
      const { trust, root, university } = f;
      const deadline = BigInt(await time.latest()) + 100n;
      const sig = await consent(f, { parent: root.address, scope: bit("Degree"), deadline });
      const send = () =>
        trust
          .connect(root)
          .accredit(root, university, ROLE_ISSUER, bit("Degree"), 0, FOREVER, "", NO_HASH, deadline, sig);
      await time.setNextBlockTimestamp(deadline + 1n);
      await expect(send()).to.be.revertedWithCustomError(trust, "TrustRegistryConsentExpired").withArgs(deadline);
      const g = await load();
      const sig2 = await consent(g, { parent: g.root.address, scope: bit("Degree"), deadline });
      await time.setNextBlockTimestamp(deadline);
      await g.trust
        .connect(g.root)
        .accredit(g.root, g.university, ROLE_ISSUER, bit("Degree"), 0, FOREVER, "", NO_HASH, deadline, sig2);
      expect((await g.trust.accreditationOf(g.university))[1]).to.equal(1n);
    });

    it("a subject whose owner sends the call itself needs no signature", async () => {
      const f = await load();
      const { trust, root, didRegistry, university } = f;
      // The university's DID is owned by the root's key (one organisation, two identities).
      await (didRegistry.connect(university) as typeof didRegistry).getFunction("changeOwner")(university, root);
      await expect(
        trust.connect(root).accredit(root, university, ROLE_ISSUER, bit("Degree"), 0, FOREVER, "", NO_HASH, 0, "0x"),
      )
        .to.emit(trust, "Accredited")
        .withArgs(root, university, root, ROLE_ISSUER, bit("Degree"), 0, FOREVER, "", NO_HASH);
    });

    it("accepts the consent of a contract owner (ERC-1271)", async () => {
      const f = await load();
      const { trust, root, didRegistry, university, others } = f;
      const wallet = await ethers.deployContract("ERC1271WalletMock", [others[1]!.address]);
      await (didRegistry.connect(university) as typeof didRegistry).getFunction("changeOwner")(university, wallet);
      const sig = await consent(f, { parent: root.address, scope: bit("Degree") }, others[1]!);
      await trust
        .connect(root)
        .accredit(root, university, ROLE_ISSUER, bit("Degree"), 0, FOREVER, "", NO_HASH, NO_DEADLINE, sig);
      expect((await trust.accreditationOf(university))[0]).to.equal(root.address);
      // The university's own key no longer speaks for it.
      const g = await load();
      await (g.didRegistry.connect(g.university) as typeof didRegistry).getFunction("changeOwner")(
        g.university,
        await (await ethers.deployContract("ERC1271WalletMock", [others[1]!.address])).getAddress(),
      );
      const own = await consent(g, { parent: g.root.address, scope: bit("Degree") });
      await expect(
        g.trust
          .connect(g.root)
          .accredit(g.root, g.university, ROLE_ISSUER, bit("Degree"), 0, FOREVER, "", NO_HASH, NO_DEADLINE, own),
      )
        .to.be.revertedWithCustomError(g.trust, "TrustRegistryNoConsent")
        .withArgs(g.university);
    });

    it("a consent cannot be replayed, not even after the subject is revoked: an address is accredited once", async () => {
      const f = await load();
      const { trust, root, university } = f;
      const sig = await consent(f, { parent: root.address, scope: bit("Degree") });
      const send = () =>
        trust
          .connect(root)
          .accredit(root, university, ROLE_ISSUER, bit("Degree"), 0, FOREVER, "", NO_HASH, NO_DEADLINE, sig);
      await send();
      await trust.connect(root).revoke(university, await time.latest(), 1);
      await expect(send())
        .to.be.revertedWithCustomError(trust, "TrustRegistryAlreadyAccredited")
        .withArgs(university, root);
      // A fresh consent does not bring it back either.
      await expect(send()).to.be.revertedWithCustomError(trust, "TrustRegistryAlreadyAccredited");
      expect((await trust.accreditationOf(university))[2].status).to.equal(Status.Revoked);
    });

    it("squatting is impossible: a one-type accreditor cannot take a DID without its consent, nor front-run with the consent it saw", async () => {
      const f = await accreditedFixture();
      const { trust, accreditor, bootcamp, stranger } = f;
      // The bootcamp is an accreditor for Certificate only; the stranger is the DID it would squat.
      await accreditWithConsent(trust, accreditor, accreditor.address, bootcamp, {
        role: ROLE_ACCREDITOR,
        scope: bit("Certificate"),
      });
      await expect(
        trust
          .connect(bootcamp)
          .accredit(bootcamp, stranger, ROLE_ISSUER, bit("Certificate"), 0, FOREVER, "", NO_HASH, NO_DEADLINE, "0x"),
      )
        .to.be.revertedWithCustomError(trust, "TrustRegistryNoConsent")
        .withArgs(stranger);
      const terms = {
        parent: accreditor.address,
        subject: stranger.address,
        role: ROLE_ISSUER,
        scope: bit("Certificate"),
        validFrom: 0,
        validUntil: FOREVER,
        metadataHash: NO_HASH,
        deadline: NO_DEADLINE,
      };
      const seen = await signAccreditationConsent(stranger, {
        verifyingContract: await trust.getAddress(),
        chainId,
        terms,
      });
      await expect(
        trust
          .connect(bootcamp)
          .accredit(bootcamp, stranger, ROLE_ISSUER, bit("Certificate"), 0, FOREVER, "", NO_HASH, NO_DEADLINE, seen),
      )
        .to.be.revertedWithCustomError(trust, "TrustRegistryNoConsent")
        .withArgs(stranger);
      // The accreditation the stranger asked for still goes through.
      await trust
        .connect(accreditor)
        .accredit(accreditor, stranger, ROLE_ISSUER, bit("Certificate"), 0, FOREVER, "", NO_HASH, NO_DEADLINE, seen);
      expect((await trust.accreditationOf(stranger))[0]).to.equal(accreditor.address);
    });

    it("rejects a parent that is not an accreditor in force: issuer only, unaccredited, suspended, expired, not yet valid", async () => {
      const f = await accreditedFixture();
      const { trust, root, accreditor, university, bootcamp, stranger, others } = f;
      const attempt = (parent: Signer & { address: string }) =>
        accreditWithConsent(trust, parent, parent.address, bootcamp, { role: ROLE_ISSUER, scope: bit("Degree") });
      await expect(attempt(university))
        .to.be.revertedWithCustomError(trust, "TrustRegistryNotAccreditor")
        .withArgs(university);
      await expect(attempt(stranger))
        .to.be.revertedWithCustomError(trust, "TrustRegistryNotAccreditor")
        .withArgs(stranger);
      await trust.connect(root).suspend(accreditor, 1);
      await expect(attempt(accreditor))
        .to.be.revertedWithCustomError(trust, "TrustRegistryNotAccreditor")
        .withArgs(accreditor);
      const now = BigInt(await time.latest());
      const [late, early] = [others[0]!, others[1]!];
      await accreditWithConsent(trust, root, root.address, late, {
        role: ROLE_ACCREDITOR,
        scope: bit("Degree"),
        validFrom: 0,
        validUntil: now + 50n,
      });
      await accreditWithConsent(trust, root, root.address, early, {
        role: ROLE_ACCREDITOR,
        scope: bit("Degree"),
        validFrom: now + 1000n,
        validUntil: FOREVER,
      });
      await expect(attempt(early)).to.be.revertedWithCustomError(trust, "TrustRegistryNotAccreditor").withArgs(early);
      await time.increaseTo(now + 50n);
      await expect(attempt(late)).to.be.revertedWithCustomError(trust, "TrustRegistryNotAccreditor").withArgs(late);
    });

    it("rejects scope escalation, unknown types and an empty scope", async () => {
      const { trust, accreditor, bootcamp } = await accreditedFixture();
      const attempt = (scope: bigint) =>
        accreditWithConsent(trust, accreditor, accreditor.address, bootcamp, { role: ROLE_ISSUER, scope });
      await expect(attempt(bit("License")))
        .to.be.revertedWithCustomError(trust, "TrustRegistryScopeNotSubset")
        .withArgs(bootcamp, bit("License"), ACCREDITOR_SCOPE);
      await expect(attempt(1n << 64n))
        .to.be.revertedWithCustomError(trust, "TrustRegistryUnknownType")
        .withArgs(1n << 64n, TYPES.length);
      await expect(attempt(0n)).to.be.revertedWithCustomError(trust, "TrustRegistryEmptyScope");
    });

    it("rejects zero subjects, bad roles and bad validity windows", async () => {
      const { trust, accreditor, bootcamp } = await accreditedFixture();
      await expect(
        trust
          .connect(accreditor)
          .accredit(
            accreditor,
            ethers.ZeroAddress,
            ROLE_ISSUER,
            bit("Degree"),
            0,
            FOREVER,
            "",
            NO_HASH,
            NO_DEADLINE,
            "0x",
          ),
      ).to.be.revertedWithCustomError(trust, "TrustRegistryZeroAddress");
      for (const role of [0, 4, 255]) {
        await expect(
          accreditWithConsent(trust, accreditor, accreditor.address, bootcamp, { role, scope: bit("Degree") }),
        )
          .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidRole")
          .withArgs(role);
      }
      await expect(
        accreditWithConsent(trust, accreditor, accreditor.address, bootcamp, {
          role: ROLE_ISSUER,
          scope: bit("Degree"),
          validFrom: 500,
          validUntil: 499,
        }),
      )
        .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidValidity")
        .withArgs(500, 499);
    });

    it("rejects a subject that already has an accreditation, and names cycles", async () => {
      const { trust, root, accreditor, university } = await accreditedFixture();
      await expect(
        accreditWithConsent(trust, root, root.address, university, { role: ROLE_ISSUER, scope: bit("Degree") }),
      )
        .to.be.revertedWithCustomError(trust, "TrustRegistryAlreadyAccredited")
        .withArgs(university, accreditor);
      await expect(
        accreditWithConsent(trust, accreditor, accreditor.address, root, { role: ROLE_ISSUER, scope: bit("Degree") }),
      )
        .to.be.revertedWithCustomError(trust, "TrustRegistryCycle")
        .withArgs(accreditor, root);
      await expect(
        accreditWithConsent(trust, accreditor, accreditor.address, accreditor, {
          role: ROLE_ISSUER,
          scope: bit("Degree"),
        }),
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
        await accreditWithConsent(trust, parent, parent.address, child, { role: ROLE_BOTH, scope: bit("Degree") });
        parent = child as typeof root;
      }
      await time.increase(1);
      const [verdict, , top] = await trust.trustedAt(parent, DEGREE, await time.latest());
      expect([verdict, top]).to.deep.equal([Verdict.Trusted, root.address]);
      await expect(
        accreditWithConsent(trust, parent, parent.address, others[0]!, { role: ROLE_ISSUER, scope: bit("Degree") }),
      )
        .to.be.revertedWithCustomError(trust, "TrustRegistryDepthExceeded")
        .withArgs(maxDepth + 1, maxDepth);
      expect((await trust.historyOf(parent)).length).to.equal(maxDepth + 1);
      expect((await trust.chainAt(parent, await time.latest())).length).to.equal(maxDepth + 1);
    });
  });

  describe("who may change a link", () => {
    it("a stranger or the subject itself may not update, suspend, reinstate or revoke", async () => {
      const { trust, university, stranger } = await accreditedFixture();
      for (const actor of [stranger, university]) {
        for (const call of [
          () => trust.connect(actor).update(university, ROLE_ISSUER, bit("Degree"), 0, FOREVER, 0, "", NO_HASH),
          () => trust.connect(actor).suspend(university, 1),
          () => trust.connect(actor).reinstate(university, 1),
          () => trust.connect(actor).revoke(university, 0, 1),
        ]) {
          await expect(call())
            .to.be.revertedWithCustomError(trust, "TrustRegistryUnauthorized")
            .withArgs(actor, university);
        }
      }
    });

    it("the parent in force may do everything, and each change is an event naming it", async () => {
      const { trust, accreditor, university } = await accreditedFixture();
      await expect(trust.connect(accreditor).update(university, ROLE_BOTH, bit("Degree"), 5, 50, 9, URI, HASH))
        .to.emit(trust, "AccreditationUpdated")
        .withArgs(accreditor, university, accreditor, ROLE_BOTH, bit("Degree"), 5, 50, 9, URI, HASH);
      await expect(trust.connect(accreditor).suspend(university, 7))
        .to.emit(trust, "AccreditationSuspended")
        .withArgs(accreditor, university, accreditor, 7);
      await expect(trust.connect(accreditor).reinstate(university, 8))
        .to.emit(trust, "AccreditationReinstated")
        .withArgs(accreditor, university, accreditor, 8);
      const now = BigInt(await time.latest());
      await expect(trust.connect(accreditor).revoke(university, now - 3n, 4))
        .to.emit(trust, "AccreditationRevoked")
        .withArgs(accreditor, university, accreditor, now - 3n, 4);
      const [, count, v] = await trust.accreditationOf(university);
      expect(count).to.equal(5n);
      expect([v.role, v.status, v.reason, v.validFrom, v.validUntil, v.scope]).to.deep.equal([
        BigInt(ROLE_BOTH),
        Status.Revoked,
        4n,
        5n,
        now - 3n,
        bit("Degree"),
      ]);
    });

    it("an ancestor in force may tighten a link below it, but not loosen it while the parent is in force", async () => {
      const { trust, root, accreditor, university } = await accreditedFixture();
      await expect(trust.connect(root).suspend(university, 1))
        .to.emit(trust, "AccreditationSuspended")
        .withArgs(accreditor, university, root, 1);
      await expect(trust.connect(root).reinstate(university, 1))
        .to.be.revertedWithCustomError(trust, "TrustRegistryUnauthorized")
        .withArgs(root, university);
      await expect(trust.connect(root).update(university, ROLE_ISSUER, bit("Degree"), 0, FOREVER, 0, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryUnauthorized")
        .withArgs(root, university);
      await expect(trust.connect(root).revoke(university, await time.latest(), 2)).to.emit(
        trust,
        "AccreditationRevoked",
      );
    });

    it("governance may tighten any link, and loosen one only when its parent is out of force", async () => {
      const { trust, governor, root, accreditor, university } = await accreditedFixture();
      await expect(trust.connect(governor).suspend(university, 1))
        .to.emit(trust, "AccreditationSuspended")
        .withArgs(accreditor, university, governor, 1);
      await expect(trust.connect(governor).reinstate(university, 1))
        .to.be.revertedWithCustomError(trust, "TrustRegistryUnauthorized")
        .withArgs(governor, university);
      await expect(trust.connect(governor).update(university, ROLE_ISSUER, bit("Degree"), 0, FOREVER, 0, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryUnauthorized")
        .withArgs(governor, university);
      await trust.connect(root).suspend(accreditor, 2);
      await expect(trust.connect(governor).reinstate(university, 3))
        .to.emit(trust, "AccreditationReinstated")
        .withArgs(accreditor, university, governor, 3);
    });

    for (const how of ["revoked", "suspended", "expired"] as const) {
      it(`an orphaned subtree (parent ${how}): the former parent cannot loosen it, the next ancestor in force and governance can`, async () => {
        const f = await load();
        const { trust, root, governor, accreditor, university } = f;
        const now = BigInt(await time.latest());
        await accreditWithConsent(trust, root, root.address, accreditor, {
          role: ROLE_ACCREDITOR,
          scope: ACCREDITOR_SCOPE,
          validUntil: how === "expired" ? now + 100n : FOREVER,
        });
        await accreditWithConsent(trust, accreditor, accreditor.address, university, {
          role: ROLE_ISSUER,
          scope: bit("Degree"),
        });
        await trust.connect(accreditor).suspend(university, 1);
        const before = BigInt(await time.latest());
        await time.increase(10);
        if (how === "revoked") await trust.connect(root).revoke(accreditor, await time.latest(), 2);
        if (how === "suspended") await trust.connect(root).suspend(accreditor, 2);
        if (how === "expired") await time.increaseTo(now + 100n);
        // The former parent can neither loosen (the issue's resurrection) nor act at all.
        for (const call of [
          () => trust.connect(accreditor).reinstate(university, 0),
          () =>
            trust.connect(accreditor).update(university, ROLE_ISSUER, DEGREE_AND_COURSE, 0, FOREVER, 0, "", NO_HASH),
          () => trust.connect(accreditor).revoke(university, 0, 0),
        ]) {
          await expect(call())
            .to.be.revertedWithCustomError(trust, "TrustRegistryUnauthorized")
            .withArgs(accreditor, university);
        }
        expect(await verdictOf(f, university, DEGREE, before)).to.equal(Verdict.Suspended);
        // The root, next in force above, may loosen; so may governance.
        await expect(trust.connect(root).reinstate(university, 3))
          .to.emit(trust, "AccreditationReinstated")
          .withArgs(accreditor, university, root, 3);
        await expect(
          trust.connect(governor).update(university, ROLE_ISSUER, DEGREE_AND_COURSE, 0, FOREVER, 4, "", NO_HASH),
        )
          .to.emit(trust, "AccreditationUpdated")
          .withArgs(accreditor, university, governor, ROLE_ISSUER, DEGREE_AND_COURSE, 0, FOREVER, 4, "", NO_HASH);
      });
    }

    it("an ancestor may not loosen past an accreditor in force between them", async () => {
      const f = await accreditedFixture();
      const { trust, root, accreditor, university, bootcamp } = f;
      // root -> accreditor -> bootcamp (accreditor) -> stranger-free chain: bootcamp accredits the issuer below.
      await accreditWithConsent(trust, accreditor, accreditor.address, bootcamp, {
        role: ROLE_ACCREDITOR,
        scope: bit("Certificate"),
      });
      const issuer = f.others[0]!;
      await accreditWithConsent(trust, bootcamp, bootcamp.address, issuer, {
        role: ROLE_ISSUER,
        scope: bit("Certificate"),
      });
      await trust.connect(bootcamp).suspend(issuer, 1);
      await trust.connect(root).suspend(bootcamp, 1);
      // The bootcamp is out of force, but the accreditor between the root and it is in force: only it may loosen.
      await expect(trust.connect(root).reinstate(issuer, 0))
        .to.be.revertedWithCustomError(trust, "TrustRegistryUnauthorized")
        .withArgs(root, issuer);
      await expect(trust.connect(accreditor).reinstate(issuer, 0))
        .to.emit(trust, "AccreditationReinstated")
        .withArgs(bootcamp, issuer, accreditor, 0);
      void university;
    });
  });

  describe("update, suspend, reinstate, revoke: input and status", () => {
    it("update rejects escalation, bad roles, bad windows, unknown and revoked subjects", async () => {
      const { trust, accreditor, university, stranger } = await accreditedFixture();
      await expect(
        trust.connect(accreditor).update(university, ROLE_ISSUER, bit("License"), 0, FOREVER, 0, "", NO_HASH),
      )
        .to.be.revertedWithCustomError(trust, "TrustRegistryScopeNotSubset")
        .withArgs(university, bit("License"), ACCREDITOR_SCOPE);
      await expect(
        trust.connect(accreditor).update(university, ROLE_ISSUER, 0, 0, FOREVER, 0, "", NO_HASH),
      ).to.be.revertedWithCustomError(trust, "TrustRegistryEmptyScope");
      await expect(trust.connect(accreditor).update(university, 4, bit("Degree"), 0, FOREVER, 0, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidRole")
        .withArgs(4);
      await expect(trust.connect(accreditor).update(university, ROLE_ISSUER, bit("Degree"), 9, 9, 0, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidValidity")
        .withArgs(9, 9);
      await expect(trust.connect(accreditor).update(stranger, ROLE_ISSUER, bit("Degree"), 0, FOREVER, 0, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryNotAccredited")
        .withArgs(stranger);
      await trust.connect(accreditor).revoke(university, await time.latest(), 1);
      await expect(trust.connect(accreditor).update(university, ROLE_ISSUER, bit("Degree"), 0, FOREVER, 0, "", NO_HASH))
        .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidStatus")
        .withArgs(university, Status.Revoked);
    });

    it("an update keeps the link's status: a suspended link stays suspended", async () => {
      const { trust, accreditor, university } = await accreditedFixture();
      await trust.connect(accreditor).suspend(university, 1);
      await trust.connect(accreditor).update(university, ROLE_ISSUER, bit("Degree"), 0, FOREVER, 2, "", NO_HASH);
      expect((await trust.accreditationOf(university))[2].status).to.equal(Status.Suspended);
      expect((await trust.trustedAt(university, DEGREE, BigInt(await time.latest()) + 10n))[0]).to.equal(
        Verdict.Suspended,
      );
    });

    it("follows the lifecycle: suspend only active, reinstate only suspended, nothing after revocation", async () => {
      const { trust, accreditor, university, stranger } = await accreditedFixture();
      await expect(trust.connect(accreditor).reinstate(university, 0))
        .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidStatus")
        .withArgs(university, Status.Active);
      await trust.connect(accreditor).suspend(university, 1);
      await expect(trust.connect(accreditor).suspend(university, 1))
        .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidStatus")
        .withArgs(university, Status.Suspended);
      // A suspended link may be revoked.
      await trust.connect(accreditor).revoke(university, await time.latest(), 2);
      for (const call of [
        () => trust.connect(accreditor).reinstate(university, 0),
        () => trust.connect(accreditor).suspend(university, 0),
      ]) {
        await expect(call())
          .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidStatus")
          .withArgs(university, Status.Revoked);
      }
      await expect(trust.connect(accreditor).suspend(stranger, 1))
        .to.be.revertedWithCustomError(trust, "TrustRegistryNotAccredited")
        .withArgs(stranger);
      await expect(trust.connect(accreditor).revoke(stranger, 0, 1))
        .to.be.revertedWithCustomError(trust, "TrustRegistryNotAccredited")
        .withArgs(stranger);
    });

    it("revoke refuses an effective time in the future, moves an existing one earlier, never later", async () => {
      const f = await accreditedFixture();
      const { trust, accreditor, university } = f;
      const next = BigInt(await time.latest()) + 100n;
      await time.setNextBlockTimestamp(next);
      await expect(trust.connect(accreditor).revoke(university, next + 1n, 1))
        .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidEffectiveTime")
        .withArgs(next + 1n, next);
      const first = next - 50n;
      await trust.connect(accreditor).revoke(university, first, 1);
      expect(await verdictOf(f, university, DEGREE, first - 10n)).to.equal(Verdict.Trusted);
      for (const later of [first, first + 1n]) {
        await expect(trust.connect(accreditor).revoke(university, later, 2))
          .to.be.revertedWithCustomError(trust, "TrustRegistryInvalidEffectiveTime")
          .withArgs(later, first);
      }
      // A compromise found later: the revocation now reaches back further.
      await expect(trust.connect(accreditor).revoke(university, first - 20n, 3))
        .to.emit(trust, "AccreditationRevoked")
        .withArgs(accreditor, university, accreditor, first - 20n, 3);
      expect(await verdictOf(f, university, DEGREE, first - 10n)).to.equal(Verdict.Revoked);
      expect(await verdictOf(f, university, DEGREE, first - 21n)).to.equal(Verdict.Trusted);
      expect((await trust.accreditationOf(university))[2].validUntil).to.equal(first - 20n);
    });
  });

  describe("trust as of a time: the history rules", () => {
    it("says why not: not accredited, not an issuer, out of scope, not an accreditor above", async () => {
      const f = await accreditedFixture();
      const { trust, root, accreditor, university, stranger } = f;
      await time.increase(10);
      const now = BigInt(await time.latest());
      expect(await trust.trustedAt(university, DEGREE, now)).to.deep.equal([
        Verdict.Trusted,
        ethers.ZeroAddress,
        root.address,
      ]);
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
      await trust.connect(root).update(accreditor, ROLE_ISSUER, ACCREDITOR_SCOPE, 0, FOREVER, 0, "", NO_HASH);
      expect((await trust.trustedAt(university, DEGREE, BigInt(await time.latest()) + 1n)).slice(0, 2)).to.deep.equal([
        Verdict.NotAccreditor,
        accreditor.address,
      ]);
    });

    it("nothing exists before the block that created it, whatever its validFrom (and not at that block time either)", async () => {
      const f = await load();
      const { trust, root, university } = f;
      const created = await timeOf(
        accreditWithConsent(trust, root, root.address, university, {
          role: ROLE_ISSUER,
          scope: bit("Degree"),
          validFrom: 0,
        }),
      );
      expect(await verdictOf(f, university, DEGREE, 1_577_836_800n)).to.equal(Verdict.NotYetValid); // 2020-01-01
      expect(await verdictOf(f, university, DEGREE, created - 1n)).to.equal(Verdict.NotYetValid);
      // At the creating block time, the version before (none) must pass too.
      expect(await verdictOf(f, university, DEGREE, created)).to.equal(Verdict.NotYetValid);
      expect(await verdictOf(f, university, DEGREE, created + 1n)).to.equal(Verdict.Trusted);
      const [link] = await trust.chainAt(university, created - 1n);
      expect(link!.current.status).to.equal(Status.None);
    });

    it("widening a scope never validates earlier credentials", async () => {
      const f = await accreditedFixture();
      const { trust, accreditor, university } = f;
      await time.increase(100);
      const anchored = BigInt(await time.latest());
      expect(await verdictOf(f, university, CERTIFICATE, anchored)).to.equal(Verdict.OutOfScope);
      await time.increase(100);
      const widened = await timeOf(
        trust
          .connect(accreditor)
          .update(university, ROLE_ISSUER, DEGREE_AND_COURSE | bit("Certificate"), 0, FOREVER, 0, "", NO_HASH),
      );
      expect(await verdictOf(f, university, CERTIFICATE, anchored)).to.equal(Verdict.OutOfScope);
      expect(await verdictOf(f, university, CERTIFICATE, widened - 1n)).to.equal(Verdict.OutOfScope);
      expect(await verdictOf(f, university, CERTIFICATE, widened + 1n)).to.equal(Verdict.Trusted);
    });

    it("narrowing a scope (the issuer's or an accreditor's above) never invalidates earlier credentials", async () => {
      const f = await accreditedFixture();
      const { trust, root, accreditor, university } = f;
      await time.increase(100);
      const anchored = BigInt(await time.latest());
      await time.increase(100);
      await trust.connect(accreditor).update(university, ROLE_ISSUER, bit("Course"), 0, FOREVER, 0, "", NO_HASH);
      await trust.connect(root).update(accreditor, ROLE_ACCREDITOR, bit("Degree"), 0, FOREVER, 0, "", NO_HASH);
      const now = BigInt(await time.latest()) + 1n;
      expect(await verdictOf(f, university, DEGREE, anchored)).to.equal(Verdict.Trusted);
      expect(await verdictOf(f, university, COURSE, anchored)).to.equal(Verdict.Trusted);
      expect((await trust.trustedAt(university, DEGREE, now)).slice(0, 2)).to.deep.equal([
        Verdict.OutOfScope,
        university.address,
      ]);
      expect((await trust.trustedAt(university, COURSE, now)).slice(0, 2)).to.deep.equal([
        Verdict.OutOfScope,
        accreditor.address,
      ]);
    });

    it("expiry, or a window shortened afterwards, never invalidates credentials anchored inside the window", async () => {
      const f = await accreditedFixture();
      const { trust, accreditor, university } = f;
      const start = BigInt(await time.latest());
      await trust
        .connect(accreditor)
        .update(university, ROLE_ISSUER, DEGREE_AND_COURSE, 0, start + 1000n, 0, "", NO_HASH);
      const anchored = start + 500n;
      await time.increaseTo(start + 2000n);
      expect(await verdictOf(f, university, DEGREE, anchored)).to.equal(Verdict.Trusted);
      expect(await verdictOf(f, university, DEGREE, start + 1000n)).to.equal(Verdict.Expired);
      // Shortening the window to before the anchor, later, does not reach back.
      await trust
        .connect(accreditor)
        .update(university, ROLE_ISSUER, DEGREE_AND_COURSE, 0, start + 100n, 0, "", NO_HASH);
      expect(await verdictOf(f, university, DEGREE, anchored)).to.equal(Verdict.Trusted);
    });

    it("a revocation effective at T keeps what was anchored before T, and a back-dated one invalidates everything at or after T", async () => {
      const f = await accreditedFixture();
      const { trust, accreditor, university, bootcamp } = f;
      await accreditWithConsent(trust, accreditor, accreditor.address, bootcamp, {
        role: ROLE_ISSUER,
        scope: bit("Certificate"),
      });
      await time.increase(1000);
      const effective = BigInt(await time.latest()) - 500n;
      const revokedAt = await timeOf(f.trust.connect(f.root).revoke(accreditor, effective, 1));
      for (const subject of [accreditor, university]) {
        const isIssuer = subject === university;
        if (isIssuer) expect(await verdictOf(f, subject, DEGREE, effective - 1n)).to.equal(Verdict.Trusted);
        for (const t of [effective, effective + 1n, revokedAt - 1n, revokedAt, revokedAt + 100n]) {
          expect((await trust.trustedAt(university, DEGREE, t)).slice(0, 2)).to.deep.equal([
            Verdict.Revoked,
            accreditor.address,
          ]);
        }
      }
      expect(await verdictOf(f, bootcamp, CERTIFICATE, effective - 1n)).to.equal(Verdict.Trusted);
      expect(await verdictOf(f, bootcamp, CERTIFICATE, effective)).to.equal(Verdict.Revoked);
    });

    it("what was anchored during a suspension (of the issuer or a link above) stays invalid after reinstatement and after revocation", async () => {
      const f = await accreditedFixture();
      const { trust, root, accreditor, university } = f;
      await time.increase(100);
      const beforeSuspension = BigInt(await time.latest());
      const suspended = await timeOf(trust.connect(accreditor).suspend(university, 1));
      await time.increase(100);
      const during = suspended + 50n;
      expect(await verdictOf(f, university, DEGREE, beforeSuspension)).to.equal(Verdict.Suspended); // held now
      await trust.connect(accreditor).reinstate(university, 2);
      expect(await verdictOf(f, university, DEGREE, beforeSuspension)).to.equal(Verdict.Trusted);
      expect((await trust.trustedAt(university, DEGREE, during)).slice(0, 2)).to.deep.equal([
        Verdict.Suspended,
        university.address,
      ]);
      // A suspension of the accreditor above holds what the university anchored meanwhile, too.
      await time.increase(100);
      const aboveSuspended = await timeOf(trust.connect(root).suspend(accreditor, 3));
      await time.increase(100);
      await trust.connect(root).reinstate(accreditor, 4);
      expect((await trust.trustedAt(university, DEGREE, aboveSuspended + 10n)).slice(0, 2)).to.deep.equal([
        Verdict.Suspended,
        accreditor.address,
      ]);
      // Revoking the university now (the issue's resurrection) changes none of it.
      await time.increase(100);
      await trust.connect(accreditor).revoke(university, await time.latest(), 5);
      expect((await trust.trustedAt(university, DEGREE, during)).slice(0, 2)).to.deep.equal([
        Verdict.Suspended,
        university.address,
      ]);
      expect((await trust.trustedAt(university, DEGREE, aboveSuspended + 10n)).slice(0, 2)).to.deep.equal([
        Verdict.Suspended,
        accreditor.address,
      ]);
      expect(await verdictOf(f, university, DEGREE, beforeSuspension)).to.equal(Verdict.Trusted);
    });

    it("at a change's own block time, a credential passes only if it passes both the version before and the one after", async () => {
      const f = await accreditedFixture();
      const { trust, accreditor, university } = f;
      await time.increase(100);
      const widened = await timeOf(
        trust
          .connect(accreditor)
          .update(university, ROLE_ISSUER, DEGREE_AND_COURSE | bit("Certificate"), 0, FOREVER, 0, "", NO_HASH),
      );
      expect(await verdictOf(f, university, CERTIFICATE, widened)).to.equal(Verdict.OutOfScope); // not before
      expect(await verdictOf(f, university, DEGREE, widened)).to.equal(Verdict.Trusted); // in both
      expect(await verdictOf(f, university, CERTIFICATE, widened + 1n)).to.equal(Verdict.Trusted);
      await time.increase(100);
      const narrowed = await timeOf(
        trust.connect(accreditor).update(university, ROLE_ISSUER, bit("Degree"), 0, FOREVER, 0, "", NO_HASH),
      );
      expect(await verdictOf(f, university, COURSE, narrowed - 1n)).to.equal(Verdict.Trusted);
      expect(await verdictOf(f, university, COURSE, narrowed)).to.equal(Verdict.OutOfScope); // not after
      await time.increase(100);
      const suspended = await timeOf(trust.connect(accreditor).suspend(university, 1));
      await time.increase(100);
      const reinstated = await timeOf(trust.connect(accreditor).reinstate(university, 1));
      expect(await verdictOf(f, university, DEGREE, suspended - 1n)).to.equal(Verdict.Trusted);
      expect(await verdictOf(f, university, DEGREE, suspended)).to.equal(Verdict.Suspended);
      expect(await verdictOf(f, university, DEGREE, reinstated)).to.equal(Verdict.Suspended); // the version before
      expect(await verdictOf(f, university, DEGREE, reinstated + 1n)).to.equal(Verdict.Trusted);
    });

    it("two changes in one block collapse into the last, and that block time is judged by the versions either side", async () => {
      const f = await accreditedFixture();
      const { trust, accreditor, university } = f;
      await time.increase(100);
      const [, countBefore] = await trust.accreditationOf(university);
      const block = await inOneBlock(async () => {
        await trust
          .connect(accreditor)
          .update(university, ROLE_ISSUER, bit("Degree") | bit("Certificate"), 0, FOREVER, 1, "", NO_HASH, {
            gasLimit: 300_000,
          });
        await trust.connect(accreditor).suspend(university, 2, { gasLimit: 300_000 });
      });
      const [, countAfter, v] = await trust.accreditationOf(university);
      expect(countAfter).to.equal(countBefore + 1n);
      expect([v.status, v.scope, v.reason]).to.deep.equal([Status.Suspended, bit("Degree") | bit("Certificate"), 2n]);
      const history = (await trust.historyOf(university))[0]!.versions.map((p: bigint) => decodeVersion(p));
      expect(history.at(-1)!.since).to.equal(block);
      // Suspend and reinstate in one block leave the link as it was, in one version: nothing was held meanwhile.
      await trust.connect(accreditor).reinstate(university, 3);
      await time.increase(100);
      const both = await inOneBlock(async () => {
        await trust.connect(accreditor).suspend(university, 4, { gasLimit: 300_000 });
        await trust.connect(accreditor).reinstate(university, 5, { gasLimit: 300_000 });
      });
      const [, n, latest] = await trust.accreditationOf(university);
      expect(n).to.equal(countAfter + 2n);
      expect([latest.status, latest.reason]).to.deep.equal([Status.Active, 5n]);
      expect(await verdictOf(f, university, DEGREE, both)).to.equal(Verdict.Trusted);
    });
  });

  describe("historyOf, chainAt, accreditationOf", () => {
    it("return every version, the version at a time, the one before it and the latest", async () => {
      const f = await accreditedFixture();
      const { trust, root, accreditor, university } = f;
      const [, , created] = await (async () => {
        const h = await trust.historyOf(university);
        return [h, h.length, decodeVersion(h[0]!.versions[0]!).since] as const;
      })();
      await time.increase(100);
      const updated = await timeOf(
        trust.connect(accreditor).update(university, ROLE_BOTH, bit("Degree"), 7, 7000, 9, URI, HASH),
      );
      await time.increase(100);
      const suspended = await timeOf(trust.connect(accreditor).suspend(university, 3));

      const history = await trust.historyOf(university);
      expect(history.map((l: { subject: string }) => l.subject)).to.deep.equal([
        university.address,
        accreditor.address,
        root.address,
      ]);
      expect(history.map((l: { parent: string }) => l.parent)).to.deep.equal([
        accreditor.address,
        root.address,
        ethers.ZeroAddress,
      ]);
      const versions = history[0]!.versions.map((p: bigint) => decodeVersion(p));
      expect(versions).to.deep.equal([
        {
          since: created,
          scope: DEGREE_AND_COURSE,
          validFrom: 0n,
          validUntil: FOREVER,
          reason: 0,
          role: ROLE_ISSUER,
          status: 1,
        },
        {
          since: updated,
          scope: bit("Degree"),
          validFrom: 7n,
          validUntil: 7000n,
          reason: 9,
          role: ROLE_BOTH,
          status: 1,
        },
        {
          since: suspended,
          scope: bit("Degree"),
          validFrom: 7n,
          validUntil: 7000n,
          reason: 3,
          role: ROLE_BOTH,
          status: 2,
        },
      ]);

      const asTuple = (v: {
        role: bigint;
        status: bigint;
        reason: bigint;
        validFrom: bigint;
        validUntil: bigint;
        scope: bigint;
      }) => [v.role, v.status, v.reason, v.validFrom, v.validUntil, v.scope];
      const v1 = [BigInt(ROLE_ISSUER), Status.Active, 0n, 0n, FOREVER, DEGREE_AND_COURSE];
      const v2 = [BigInt(ROLE_BOTH), Status.Active, 9n, 7n, 7000n, bit("Degree")];
      const v3 = [BigInt(ROLE_BOTH), Status.Suspended, 3n, 7n, 7000n, bit("Degree")];
      const none = [0n, Status.None, 0n, 0n, 0n, 0n];
      const at = async (t: bigint) => (await trust.chainAt(university, t))[0]!;
      let link = await at(updated - 1n);
      expect([asTuple(link.before), asTuple(link.current), asTuple(link.latest)]).to.deep.equal([v1, v1, v3]);
      link = await at(updated);
      expect([asTuple(link.before), asTuple(link.current), asTuple(link.latest)]).to.deep.equal([v1, v2, v3]);
      link = await at(created);
      expect([asTuple(link.before), asTuple(link.current)]).to.deep.equal([none, v1]);
      link = await at(suspended + 5n);
      expect([asTuple(link.before), asTuple(link.current)]).to.deep.equal([v3, v3]);
      const chain = await trust.chainAt(university, updated);
      expect(chain.map((l: { subject: string }) => l.subject)).to.deep.equal([
        university.address,
        accreditor.address,
        root.address,
      ]);
      expect(chain[1]!.parent).to.equal(root.address);

      const [parent, count, latest] = await trust.accreditationOf(university);
      expect([parent, count, asTuple(latest)]).to.deep.equal([accreditor.address, 3n, v3]);
      const nobody = ethers.Wallet.createRandom().address;
      expect(await trust.historyOf(nobody)).to.deep.equal([]);
      expect(await trust.chainAt(nobody, updated)).to.deep.equal([]);
      const [p0, c0] = await trust.accreditationOf(nobody);
      expect([p0, c0]).to.deep.equal([ethers.ZeroAddress, 0n]);
    });
  });
});
