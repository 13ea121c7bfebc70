import { expect } from "chai";
import { createRegistryFixture } from "../helpers/fixture.js";

const { ethers, networkHelpers, load } = await createRegistryFixture();
const LIST_SIZE = 1n << 20n;
const WORDS = LIST_SIZE / 256n;
const Purpose = { Revocation: 0, Suspension: 1 };
const ALL = (1n << 256n) - 1n;

describe("StatusRegistry", () => {
  describe("revoke, suspend, reinstate one entry", () => {
    it("the issuer's owner revokes; the entry reads revoked; an event says which", async () => {
      const { status, university } = await load();
      await expect(status.connect(university).revoke(university, 4, 1234))
        .to.emit(status, "CredentialRevoked")
        .withArgs(university, 4, 1234);
      expect(await status.statusOf(university, 4, 1234)).to.deep.equal([true, false]);
      expect(await status.statusOf(university, 4, 1235)).to.deep.equal([false, false]);
      expect(await status.statusOf(university, 5, 1234)).to.deep.equal([false, false]);
    });

    it("rejects anyone else, including another issuer", async () => {
      const { status, university, bootcamp, stranger } = await load();
      for (const [who, call] of [
        [stranger, () => status.connect(stranger).revoke(university, 0, 1)],
        [bootcamp, () => status.connect(bootcamp).revoke(university, 0, 1)],
        [stranger, () => status.connect(stranger).suspend(university, 0, 1)],
        [stranger, () => status.connect(stranger).reinstate(university, 0, 1)],
        [stranger, () => status.connect(stranger).revokeWords(university, 0, [0], [1])],
        [stranger, () => status.connect(stranger).suspendWords(university, 0, [0], [1])],
        [stranger, () => status.connect(stranger).reinstateWords(university, 0, [0], [1])],
        [stranger, () => status.connect(stranger).revokeIndices(university, 0, [1])],
        [stranger, () => status.connect(stranger).suspendIndices(university, 0, [1])],
        [stranger, () => status.connect(stranger).reinstateIndices(university, 0, [1])],
        [stranger, () => status.connect(stranger).revokeHash(university, ethers.id("vc"))],
        [stranger, () => status.connect(stranger).revokeHashes(university, [ethers.id("vc")])],
        [stranger, () => status.connect(stranger).anchor(university, ethers.id("root"))],
      ] as const) {
        await expect(call())
          .to.be.revertedWithCustomError(status, "IdentityAuthUnauthorized")
          .withArgs(who, university);
      }
      expect(await status.statusOf(university, 0, 1)).to.deep.equal([false, false]);
    });

    it("rejects out-of-range indices and lists, and the zero identity", async () => {
      const { status, university } = await load();
      await expect(status.connect(university).revoke(university, 0, LIST_SIZE))
        .to.be.revertedWithCustomError(status, "StatusRegistryIndexOutOfRange")
        .withArgs(LIST_SIZE, LIST_SIZE);
      await expect(status.connect(university).revoke(university, 1n << 64n, 0))
        .to.be.revertedWithCustomError(status, "StatusRegistryListOutOfRange")
        .withArgs(1n << 64n);
      await expect(status.connect(university).revoke(ethers.ZeroAddress, 0, 0)).to.be.revertedWithCustomError(
        status,
        "IdentityAuthZeroIdentity",
      );
    });

    it("suspension is reversible and independent of revocation; a replayed revoke changes nothing", async () => {
      const { status, university } = await load();
      await expect(status.connect(university).suspend(university, 0, 9))
        .to.emit(status, "CredentialSuspended")
        .withArgs(university, 0, 9);
      expect(await status.statusOf(university, 0, 9)).to.deep.equal([false, true]);
      await expect(status.connect(university).reinstate(university, 0, 9))
        .to.emit(status, "CredentialReinstated")
        .withArgs(university, 0, 9);
      expect(await status.statusOf(university, 0, 9)).to.deep.equal([false, false]);
      await status.connect(university).revoke(university, 0, 9);
      await status.connect(university).revoke(university, 0, 9);
      await status.connect(university).reinstate(university, 0, 9);
      expect(await status.statusOf(university, 0, 9)).to.deep.equal([true, false]);
    });
  });

  describe("batches", () => {
    it("revokeWords sets whole words, logs the batch, and reads back with getWords", async () => {
      const { status, university } = await load();
      const words = [0n, 1n, 2n];
      const masks = [ALL, ALL, 0xffffn];
      await expect(status.connect(university).revokeWords(university, 2, words, masks))
        .to.emit(status, "StatusWordsUpdated")
        .withArgs(university, Purpose.Revocation, 2, true, words, masks);
      expect(await status.getWords(university, Purpose.Revocation, 2, 0, 4)).to.deep.equal([ALL, ALL, 0xffffn, 0n]);
      expect(await status.statusOf(university, 2, 527)).to.deep.equal([true, false]);
      expect(await status.statusOf(university, 2, 528)).to.deep.equal([false, false]);
    });

    it("suspendWords and reinstateWords touch only suspension bits", async () => {
      const { status, university } = await load();
      await status.connect(university).revokeWords(university, 0, [5], [0b1010]);
      await status.connect(university).suspendWords(university, 0, [5], [0b1111]);
      await status.connect(university).reinstateWords(university, 0, [5], [0b0011]);
      expect(await status.getWords(university, Purpose.Revocation, 0, 5, 1)).to.deep.equal([0b1010n]);
      expect(await status.getWords(university, Purpose.Suspension, 0, 5, 1)).to.deep.equal([0b1100n]);
    });

    it("index batches set and clear the listed entries", async () => {
      const { status, university } = await load();
      await expect(status.connect(university).revokeIndices(university, 1, [3, 700, 70000]))
        .to.emit(status, "StatusIndicesUpdated")
        .withArgs(university, Purpose.Revocation, 1, true, [3, 700, 70000]);
      for (const i of [3, 700, 70000]) expect((await status.statusOf(university, 1, i))[0]).to.equal(true);
      await status.connect(university).suspendIndices(university, 1, [3, 4]);
      await status.connect(university).reinstateIndices(university, 1, [4]);
      expect(await status.statusOf(university, 1, 3)).to.deep.equal([true, true]);
      expect(await status.statusOf(university, 1, 4)).to.deep.equal([false, false]);
    });

    it("rejects empty, mismatched and out-of-range batches with no change", async () => {
      const { status, university } = await load();
      const as = status.connect(university);
      await expect(as.revokeWords(university, 0, [0, 1], [1]))
        .to.be.revertedWithCustomError(status, "StatusRegistryLengthMismatch")
        .withArgs(2, 1);
      await expect(as.revokeWords(university, 0, [], [])).to.be.revertedWithCustomError(
        status,
        "StatusRegistryEmptyBatch",
      );
      await expect(as.revokeIndices(university, 0, [])).to.be.revertedWithCustomError(
        status,
        "StatusRegistryEmptyBatch",
      );
      await expect(as.revokeHashes(university, [])).to.be.revertedWithCustomError(status, "StatusRegistryEmptyBatch");
      await expect(as.revokeWords(university, 0, [0, WORDS], [1, 1]))
        .to.be.revertedWithCustomError(status, "StatusRegistryWordOutOfRange")
        .withArgs(WORDS, WORDS);
      await expect(as.revokeIndices(university, 0, [1, LIST_SIZE + 5n]))
        .to.be.revertedWithCustomError(status, "StatusRegistryIndexOutOfRange")
        .withArgs(LIST_SIZE + 5n, LIST_SIZE);
      // The valid first items of a rejected batch were not applied either.
      expect(await status.getWords(university, Purpose.Revocation, 0, 0, 1)).to.deep.equal([0n]);
    });

    it("getWords reads a whole list in one call and refuses ranges past its end", async () => {
      const { status, university } = await load();
      await status.connect(university).revoke(university, 0, LIST_SIZE - 1n);
      const all = await status.getWords(university, Purpose.Revocation, 0, 0, WORDS);
      expect(all.length).to.equal(Number(WORDS));
      expect(all[Number(WORDS) - 1]).to.equal(1n << 255n);
      await expect(status.getWords(university, Purpose.Revocation, 0, 1, WORDS)).to.be.revertedWithCustomError(
        status,
        "StatusRegistryWordOutOfRange",
      );
    });
  });

  describe("revocation by hash", () => {
    it("records the first revocation time and logs once", async () => {
      const { status, university } = await load();
      const h = ethers.id("credential-1");
      await expect(status.connect(university).revokeHash(university, h))
        .to.emit(status, "CredentialHashRevoked")
        .withArgs(university, h);
      const first = await status.hashRevokedAt(university, h);
      expect(first).to.equal(BigInt(await networkHelpers.time.latest()));
      await networkHelpers.time.increase(100);
      await expect(status.connect(university).revokeHash(university, h)).not.to.emit(status, "CredentialHashRevoked");
      expect(await status.hashRevokedAt(university, h)).to.equal(first);
      await expect(status.connect(university).revokeHash(university, ethers.ZeroHash)).to.be.revertedWithCustomError(
        status,
        "StatusRegistryZeroHash",
      );
    });

    it("is per issuer", async () => {
      const { status, university, bootcamp } = await load();
      const h = ethers.id("credential-2");
      await status.connect(university).revokeHashes(university, [h, ethers.id("credential-3")]);
      expect(await status.hashRevokedAt(bootcamp, h)).to.equal(0n);
      expect(await status.hashRevokedAt(university, ethers.id("credential-3"))).to.not.equal(0n);
    });

    it("reads many hashes of one issuer in one call, in order", async () => {
      const { status, university, bootcamp } = await load();
      const [a, b, c] = ["credential-4", "credential-5", "credential-6"].map((x) => ethers.id(x));
      await status.connect(university).revokeHashes(university, [a!, c!]);
      const at = BigInt(await networkHelpers.time.latest());
      expect(await status.hashesRevokedAt(university, [a!, b!, c!, a!])).to.deep.equal([at, 0n, at, at]);
      expect(await status.hashesRevokedAt(bootcamp, [a!, b!, c!])).to.deep.equal([0n, 0n, 0n]);
      expect(await status.hashesRevokedAt(university, [])).to.deep.equal([]);
    });
  });

  describe("issuance anchors", () => {
    it("records block time and number once per root", async () => {
      const { status, university } = await load();
      const root = ethers.id("batch-1");
      const tx = await status.connect(university).anchor(university, root);
      await expect(tx).to.emit(status, "IssuanceAnchored").withArgs(university, root);
      const receipt = await tx.wait();
      const block = await ethers.provider.getBlock(receipt!.blockNumber);
      const anchor = await status.anchorOf(university, root);
      expect([anchor.timestamp, anchor.blockNumber]).to.deep.equal([BigInt(block!.timestamp), BigInt(block!.number)]);
      await expect(status.connect(university).anchor(university, root))
        .to.be.revertedWithCustomError(status, "StatusRegistryAlreadyAnchored")
        .withArgs(university, root, block!.timestamp);
      await expect(status.connect(university).anchor(university, ethers.ZeroHash)).to.be.revertedWithCustomError(
        status,
        "StatusRegistryZeroHash",
      );
    });
  });
});
