import { expect } from "chai";
import { BrowserProvider, type Contract, type Log } from "ethers";
import { decodeRegistryLogs, trustInterface, type SkippedLog } from "../../src/chain/registryEvents.js";
import { RegistryIndex } from "../../src/registry/indexer.js";
import {
  accreditWithConsent,
  bit,
  createRegistryFixture,
  FOREVER,
  NO_HASH,
  ROLE_BOTH,
  ROLE_ISSUER,
} from "../helpers/fixture.js";

/**
 * Solidity does not check that a `string` argument is UTF-8: an accreditor can put any bytes in `metadataURI`. The
 * index decodes such an event leniently (U+FFFD for the bad bytes) and goes on; it never stops at that block.
 */

/** The calldata of `trust.update(...)` with the metadataURI's bytes replaced by `raw` (same length, same ABI shape). */
function updateWithRawUri(trust: Contract, args: unknown[], placeholder: string, raw: string): string {
  const data = trust.interface.encodeFunctionData("update", [...args.slice(0, 6), placeholder, args[6]]);
  const hex = Buffer.from(placeholder, "utf8").toString("hex");
  expect(data.split(hex)).to.have.length(2);
  return data.replace(hex, raw);
}

describe("the registry index and a metadataURI that is not UTF-8", function () {
  this.timeout(120_000);

  it("decodes the event leniently and keeps indexing later blocks", async () => {
    const fixture = await createRegistryFixture();
    try {
      const w = await fixture.load();
      const trust = w.trust as unknown as Contract;
      const provider = new BrowserProvider(fixture.connection.provider as never, 31337, { cacheTimeout: -1 });
      const [root, acc, uni] = [w.root, w.accreditor, w.university];
      await (
        await accreditWithConsent(trust, root, root.address, acc, {
          role: ROLE_BOTH,
          scope: bit("Degree") | bit("Course"),
        })
      ).wait();
      await (
        await accreditWithConsent(trust, acc, acc.address, uni, { role: ROLE_ISSUER, scope: bit("Degree") })
      ).wait();

      const index = new RegistryIndex(provider, w.deployment, { minRefreshMs: 0 });
      expect((await index.current()).state.entities.get(uni.address)!.state).to.equal("active");

      // "ipfs://" then 0xff 0xfe 0x80 0xc3: four bytes that are no UTF-8 at all.
      const data = updateWithRawUri(
        trust,
        [uni.address, ROLE_ISSUER, bit("Degree"), 0, FOREVER, 1, NO_HASH],
        "ipfs://ZZZZ",
        Buffer.from("ipfs://").toString("hex") + "fffe80c3",
      );
      await (await acc.sendTransaction({ to: await trust.getAddress(), data })).wait();
      await (await (trust.connect(acc) as Contract).getFunction("suspend")(uni.address, 4)).wait();
      const head = await provider.getBlockNumber();

      const snap = await index.current();
      expect(snap.stale, snap.stale?.message).to.equal(undefined);
      expect(snap.state.block).to.equal(head);
      const entity = snap.state.entities.get(uni.address)!;
      expect(entity.state).to.equal("suspended");
      expect(entity.metadataURI.startsWith("ipfs://")).to.equal(true);
      expect(entity.metadataURI).to.include("\uFFFD");
      expect(entity.history.map((h) => h.event)).to.deep.equal(["accredited", "updated", "suspended"]);

      // A fresh index, from the deployment block, gets there too.
      const fresh = await new RegistryIndex(provider, w.deployment, { minRefreshMs: 0 }).current();
      expect(fresh.stale).to.equal(undefined);
      expect(fresh.state.entities.get(uni.address)!.state).to.equal("suspended");
    } finally {
      await fixture.connection.close();
    }
  });

  it("skips and reports a registry log that cannot be decoded at all, and decodes the rest", () => {
    const trust = "0x" + "11".repeat(20);
    const status = "0x" + "22".repeat(20);
    const A = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
    const suspended = trustInterface.encodeEventLog("AccreditationSuspended", [A(1), A(2), A(3), 4]);
    const log = (index: number, topics: readonly string[], data: string) =>
      ({
        address: trust,
        blockNumber: 7,
        index,
        transactionHash: `0x${"ab".repeat(32)}`,
        topics,
        data,
      }) as unknown as Log;
    const skipped: SkippedLog[] = [];
    const events = decodeRegistryLogs(
      [log(0, suspended.topics, "0x12"), log(1, suspended.topics, suspended.data)],
      { trust, status },
      () => 1000,
      (s) => skipped.push(s),
    );
    expect(events.map((e) => [e.kind, e.logIndex])).to.deep.equal([["suspended", 1]]);
    expect(skipped).to.have.length(1);
    expect(skipped[0]).to.include({ block: 7, logIndex: 0 });
  });
});
