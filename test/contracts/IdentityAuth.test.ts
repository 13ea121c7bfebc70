import { expect } from "chai";
import type { Signer } from "ethers";
import { signAccreditationConsent, signCall } from "../../src/chain/signedCall.js";
import {
  accreditWithConsent,
  bit,
  createRegistryFixture,
  FOREVER,
  NO_DEADLINE,
  NO_HASH,
  ROLE_ISSUER,
} from "../helpers/fixture.js";

const { ethers, networkHelpers, load } = await createRegistryFixture();
const chainId = (await ethers.provider.getNetwork()).chainId;

/** The subject's consent to be accredited by `parent` as an issuer of `scope`, with no end. */
async function consentOf(subject: Signer, trustAddress: string, parent: string, scope: bigint) {
  return signAccreditationConsent(subject, {
    verifyingContract: trustAddress,
    chainId,
    terms: {
      parent,
      subject: await subject.getAddress(),
      role: ROLE_ISSUER,
      scope,
      validFrom: 0,
      validUntil: FOREVER,
      metadataHash: NO_HASH,
      deadline: NO_DEADLINE,
    },
  });
}

type Registry = Awaited<ReturnType<typeof load>>["status"] | Awaited<ReturnType<typeof load>>["trust"];

async function signed(
  signer: Signer,
  registry: Registry,
  name: "StatusRegistry" | "TrustRegistry",
  data: string,
  overrides: { nonce?: bigint; deadline?: bigint; chainId?: bigint } = {},
) {
  const nonce = overrides.nonce ?? (await registry.nonces(await signer.getAddress()));
  const deadline = overrides.deadline ?? BigInt(await networkHelpers.time.latest()) + 3600n;
  return signCall(signer, {
    registry: name,
    verifyingContract: await registry.getAddress(),
    chainId: overrides.chainId ?? chainId,
    data,
    nonce,
    deadline,
  });
}

describe("Identity authority (ERC-1056 owner, EIP-712 signed calls)", () => {
  describe("owner rotation", () => {
    it("moves the power to revoke and to accredit to the new owner", async () => {
      const { status, trust, didRegistry, root, university, others } = await load();
      const newKey = others[0]!;
      await (didRegistry.connect(university) as typeof didRegistry).getFunction("changeOwner")(university, newKey);
      await expect(status.connect(university).revoke(university, 0, 1))
        .to.be.revertedWithCustomError(status, "IdentityAuthUnauthorized")
        .withArgs(university, university);
      await status.connect(newKey).revoke(university, 0, 1);
      expect((await status.statusOf(university, 0, 1))[0]).to.equal(true);

      await (didRegistry.connect(root) as typeof didRegistry).getFunction("changeOwner")(root, newKey);
      await expect(
        accreditWithConsent(trust, root, root.address, university, { role: ROLE_ISSUER, scope: bit("Degree") }),
      )
        .to.be.revertedWithCustomError(trust, "IdentityAuthUnauthorized")
        .withArgs(root, root);
      await accreditWithConsent(trust, newKey, root.address, university, { role: ROLE_ISSUER, scope: bit("Degree") });
      expect((await trust.accreditationOf(university))[0]).to.equal(root.address);
    });
  });

  describe("signed calls", () => {
    it("a relayer submits the owner's signed revocation and pays for it", async () => {
      const { status, university, relayer } = await load();
      const data = status.interface.encodeFunctionData("revoke", [university.address, 0, 42]);
      const s = await signed(university, status, "StatusRegistry", data);
      await expect(status.connect(relayer).callWithSignature(s.signer, s.data, s.nonce, s.deadline, s.signature))
        .to.emit(status, "SignedCallExecuted")
        .withArgs(university, 0, relayer)
        .and.to.emit(status, "CredentialRevoked")
        .withArgs(university, 0, 42);
      expect(await status.nonces(university)).to.equal(1n);
    });

    it("a relayed accreditation names the signer as the actor, and cannot be replayed", async () => {
      const { trust, root, university, relayer } = await load();
      const consent = await consentOf(university, await trust.getAddress(), root.address, bit("Course"));
      const data = trust.interface.encodeFunctionData("accredit", [
        root.address,
        university.address,
        ROLE_ISSUER,
        bit("Course"),
        0,
        FOREVER,
        "",
        NO_HASH,
        NO_DEADLINE,
        consent,
      ]);
      const s = await signed(root, trust, "TrustRegistry", data);
      await expect(trust.connect(relayer).callWithSignature(s.signer, s.data, s.nonce, s.deadline, s.signature))
        .to.emit(trust, "Accredited")
        .withArgs(root, university, root, ROLE_ISSUER, bit("Course"), 0, FOREVER, "", NO_HASH);
      await expect(trust.connect(relayer).callWithSignature(s.signer, s.data, s.nonce, s.deadline, s.signature))
        .to.be.revertedWithCustomError(trust, "InvalidAccountNonce")
        .withArgs(root, 1);
      // Signed again under a fresh nonce, the same accreditation is refused: the subject is accredited once.
      const again = await signed(root, trust, "TrustRegistry", data);
      await expect(
        trust
          .connect(relayer)
          .callWithSignature(again.signer, again.data, again.nonce, again.deadline, again.signature),
      )
        .to.be.revertedWithCustomError(trust, "TrustRegistryAlreadyAccredited")
        .withArgs(university, root);
    });

    it("a relayed accreditation still needs the subject's consent", async () => {
      const { trust, root, university, relayer } = await load();
      const data = trust.interface.encodeFunctionData("accredit", [
        root.address,
        university.address,
        ROLE_ISSUER,
        bit("Course"),
        0,
        FOREVER,
        "",
        NO_HASH,
        NO_DEADLINE,
        "0x",
      ]);
      const s = await signed(root, trust, "TrustRegistry", data);
      await expect(trust.connect(relayer).callWithSignature(s.signer, s.data, s.nonce, s.deadline, s.signature))
        .to.be.revertedWithCustomError(trust, "TrustRegistryNoConsent")
        .withArgs(university);
    });

    it("governance can act by signature too", async () => {
      const { trust, governor, relayer } = await load();
      const data = trust.interface.encodeFunctionData("registerType", ["WorkRecord"]);
      const s = await signed(governor, trust, "TrustRegistry", data);
      await trust.connect(relayer).callWithSignature(s.signer, s.data, s.nonce, s.deadline, s.signature);
      expect(await trust.typeIdOf("WorkRecord")).to.equal(5n);
    });

    it("rejects the same signature twice", async () => {
      const { status, university, relayer } = await load();
      const data = status.interface.encodeFunctionData("revoke", [university.address, 0, 1]);
      const s = await signed(university, status, "StatusRegistry", data);
      await status.connect(relayer).callWithSignature(s.signer, s.data, s.nonce, s.deadline, s.signature);
      await expect(status.connect(relayer).callWithSignature(s.signer, s.data, s.nonce, s.deadline, s.signature))
        .to.be.revertedWithCustomError(status, "InvalidAccountNonce")
        .withArgs(university, 1);
    });

    it("rejects a signature for another chain, or another registry", async () => {
      const { status, trust, university, relayer } = await load();
      const data = status.interface.encodeFunctionData("revoke", [university.address, 0, 1]);
      const other = await signed(university, status, "StatusRegistry", data, { chainId: 10n });
      await expect(
        status
          .connect(relayer)
          .callWithSignature(other.signer, other.data, other.nonce, other.deadline, other.signature),
      )
        .to.be.revertedWithCustomError(status, "IdentityAuthInvalidSignature")
        .withArgs(university);
      const forTrust = await signed(university, trust, "TrustRegistry", data);
      await expect(
        status
          .connect(relayer)
          .callWithSignature(forTrust.signer, forTrust.data, forTrust.nonce, forTrust.deadline, forTrust.signature),
      ).to.be.revertedWithCustomError(status, "IdentityAuthInvalidSignature");
    });

    it("rejects a signature past its deadline, and a wrong nonce", async () => {
      const { status, university, relayer } = await load();
      const data = status.interface.encodeFunctionData("revoke", [university.address, 0, 1]);
      const deadline = BigInt(await networkHelpers.time.latest()) + 10n;
      const s = await signed(university, status, "StatusRegistry", data, { deadline });
      await networkHelpers.time.increaseTo(deadline + 1n);
      await expect(status.connect(relayer).callWithSignature(s.signer, s.data, s.nonce, s.deadline, s.signature))
        .to.be.revertedWithCustomError(status, "IdentityAuthExpiredSignature")
        .withArgs(deadline);
      const skipped = await signed(university, status, "StatusRegistry", data, { nonce: 5n });
      await expect(
        status
          .connect(relayer)
          .callWithSignature(skipped.signer, skipped.data, skipped.nonce, skipped.deadline, skipped.signature),
      )
        .to.be.revertedWithCustomError(status, "InvalidAccountNonce")
        .withArgs(university, 0);
    });

    it("rejects a tampered call: the signature covers the data", async () => {
      const { status, university, relayer } = await load();
      const data = status.interface.encodeFunctionData("revoke", [university.address, 0, 1]);
      const s = await signed(university, status, "StatusRegistry", data);
      const tampered = status.interface.encodeFunctionData("revoke", [university.address, 0, 2]);
      await expect(
        status.connect(relayer).callWithSignature(s.signer, tampered, s.nonce, s.deadline, s.signature),
      ).to.be.revertedWithCustomError(status, "IdentityAuthInvalidSignature");
    });

    it("a former owner's signature stops working when the DID owner rotates", async () => {
      const { status, didRegistry, university, relayer, others } = await load();
      const data = status.interface.encodeFunctionData("revoke", [university.address, 0, 1]);
      const s = await signed(university, status, "StatusRegistry", data);
      await (didRegistry.connect(university) as typeof didRegistry).getFunction("changeOwner")(university, others[0]!);
      await expect(status.connect(relayer).callWithSignature(s.signer, s.data, s.nonce, s.deadline, s.signature))
        .to.be.revertedWithCustomError(status, "IdentityAuthUnauthorized")
        .withArgs(university, university);
    });
  });

  describe("contract owners (ERC-1271)", () => {
    it("a multisig-style wallet that owns an identity authorises a signed call", async () => {
      const { status, didRegistry, university, relayer, others } = await load();
      const walletKey = others[1]!;
      const wallet = await ethers.deployContract("ERC1271WalletMock", [walletKey.address]);
      await (didRegistry.connect(university) as typeof didRegistry).getFunction("changeOwner")(university, wallet);
      const data = status.interface.encodeFunctionData("revoke", [university.address, 3, 3]);
      const walletAddress = await wallet.getAddress();
      // The wallet's key signs; the signed message names the wallet as signer.
      const nonce = await status.nonces(walletAddress);
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const domain = {
        name: "LER StatusRegistry",
        version: "1",
        chainId,
        verifyingContract: await status.getAddress(),
      };
      const types = {
        SignedCall: [
          { name: "signer", type: "address" },
          { name: "data", type: "bytes" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint256" },
        ],
      };
      const signature = await walletKey.signTypedData(domain, types, { signer: walletAddress, data, nonce, deadline });
      await status.connect(relayer).callWithSignature(walletAddress, data, nonce, deadline, signature);
      expect((await status.statusOf(university, 3, 3))[0]).to.equal(true);

      const forged = await others[2]!.signTypedData(domain, types, {
        signer: walletAddress,
        data,
        nonce: 1n,
        deadline,
      });
      await expect(
        status.connect(relayer).callWithSignature(walletAddress, data, 1n, deadline, forged),
      ).to.be.revertedWithCustomError(status, "IdentityAuthInvalidSignature");
    });
  });

  describe("multicall", () => {
    it("batches several writes in one transaction, all or nothing", async () => {
      const { trust, root, university, bootcamp, stranger } = await load();
      const at = await trust.getAddress();
      const accredit = async (subject: typeof root, scope: bigint) =>
        trust.interface.encodeFunctionData("accredit", [
          root.address,
          subject.address,
          ROLE_ISSUER,
          scope,
          0,
          FOREVER,
          "",
          NO_HASH,
          NO_DEADLINE,
          await consentOf(subject, at, root.address, scope),
        ]);
      const calls = [await accredit(university, bit("Degree")), await accredit(bootcamp, bit("Certificate"))];
      await trust.connect(root).multicall(calls);
      expect((await trust.accreditationOf(bootcamp))[0]).to.equal(root.address);
      const bad = [await accredit(stranger, bit("Degree")), await accredit(university, bit("Degree"))];
      await expect(trust.connect(root).multicall(bad))
        .to.be.revertedWithCustomError(trust, "TrustRegistryAlreadyAccredited")
        .withArgs(university, root);
      expect((await trust.accreditationOf(stranger))[1]).to.equal(0n);
    });
  });
});
