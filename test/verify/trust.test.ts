import { expect } from "chai";
import { getAddress } from "ethers";
import { evaluateTrust, type ChainLink } from "../../src/verify/trust.js";
import { bit, createRegistryFixture, FOREVER, NO_HASH, ROLE_ACCREDITOR, ROLE_BOTH, ROLE_ISSUER, TYPES } from "../helpers/fixture.js";

const { networkHelpers, load } = await createRegistryFixture();

function toLinks(chain: Awaited<ReturnType<Awaited<ReturnType<typeof load>>["trust"]["chainOf"]>>): ChainLink[] {
  return chain.map((l) => ({
    subject: getAddress(l.subject),
    parent: getAddress(l.accreditation.parent),
    validFrom: l.accreditation.validFrom,
    validUntil: l.accreditation.validUntil,
    role: Number(l.accreditation.role),
    status: Number(l.accreditation.status),
    reason: Number(l.accreditation.reason),
    depth: Number(l.accreditation.depth),
    scope: l.accreditation.scope,
  }));
}

describe("evaluateTrust (off chain) agrees with TrustRegistry.trustedAt (on chain)", () => {
  it("for every subject, type and time of a tree with every kind of state", async () => {
    const { trust, governor, root, accreditor, university, bootcamp, stranger, others } = await load();
    const now = BigInt(await networkHelpers.time.latest());
    const all = (1n << BigInt(TYPES.length)) - 1n;
    await trust.connect(root).accredit(root, accreditor, ROLE_BOTH, all ^ bit("License"), 0, FOREVER, "", NO_HASH);
    await trust.connect(accreditor).accredit(accreditor, university, ROLE_ISSUER, bit("Degree") | bit("Course"), now - 100n, now + 500n, "", NO_HASH);
    await trust.connect(accreditor).accredit(accreditor, bootcamp, ROLE_ISSUER, bit("Certificate"), now + 50n, FOREVER, "", NO_HASH);
    await trust.connect(accreditor).accredit(accreditor, others[0]!, ROLE_ACCREDITOR, bit("Competency"), 0, FOREVER, "", NO_HASH);
    await trust.connect(others[0]!).accredit(others[0]!, others[1]!, ROLE_ISSUER, bit("Competency"), 0, FOREVER, "", NO_HASH);
    await trust.connect(accreditor).accredit(accreditor, others[2]!, ROLE_ISSUER, bit("Course"), 0, FOREVER, "", NO_HASH);
    await trust.connect(accreditor).revoke(others[2]!, now - 10n, 1);
    await trust.connect(accreditor).suspend(others[0]!, 2);
    await trust.connect(governor).addRoot(others[3]!, bit("License"), 0, FOREVER, "", NO_HASH);
    await trust.connect(others[3]!).accredit(others[3]!, others[4]!, ROLE_ISSUER, bit("License"), 0, now + 1000n, "", NO_HASH);
    await trust.connect(governor).suspend(others[3]!, 3);
    await trust.connect(accreditor).accredit(accreditor, others[5]!, ROLE_ACCREDITOR, bit("Course"), 0, FOREVER, "", NO_HASH);
    await trust.connect(others[5]!).accredit(others[5]!, others[6]!, ROLE_ISSUER, bit("Course"), 0, FOREVER, "", NO_HASH);
    await trust.connect(accreditor).update(others[5]!, ROLE_ISSUER, bit("Course"), 0, FOREVER, 4, "", NO_HASH);

    const subjects = [root, accreditor, university, bootcamp, stranger, ...others.slice(0, 7)];
    const times = [0n, now - 200n, now - 11n, now - 10n, now, now + 49n, now + 50n, now + 499n, now + 500n, now + 5000n];
    let compared = 0;
    const verdicts = new Set<number>();
    for (const s of subjects) {
      const address = await s.getAddress();
      const links = toLinks(await trust.chainOf(address));
      for (let typeId = 0; typeId < TYPES.length + 1; typeId++) {
        for (const at of times) {
          const [verdict, failedAt, top] = await trust.trustedAt(address, typeId, at);
          const ours = evaluateTrust(links, { typeId, at });
          // The contract names the subject as failedAt when it has no accreditation; the chain is empty then.
          expect(ours.verdict, `${address} type ${typeId} at ${at}`).to.equal(Number(verdict));
          if (links.length > 0) expect(ours.failedAt ?? "0x0000000000000000000000000000000000000000").to.equal(failedAt);
          expect(ours.root ?? "0x0000000000000000000000000000000000000000").to.equal(top);
          verdicts.add(ours.verdict);
          compared++;
        }
      }
    }
    expect(compared).to.equal(subjects.length * (TYPES.length + 1) * times.length);
    // The tree exercises every verdict but the depth bound (which the contract tests cover).
    expect([...verdicts].sort()).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
