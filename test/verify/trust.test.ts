import { expect } from "chai";
import type { Contract, Signer } from "ethers";
import { toLinks } from "../../src/chain/snapshotPlan.js";
import { evaluateTrust, type ChainLink } from "../../src/verify/trust.js";
import {
  accreditWithConsent,
  bit,
  createRegistryFixture,
  FOREVER,
  NO_HASH,
  ROLE_ACCREDITOR,
  ROLE_BOTH,
  ROLE_ISSUER,
  TYPES,
} from "../helpers/fixture.js";

const { networkHelpers, load } = await createRegistryFixture();
const ZERO = "0x0000000000000000000000000000000000000000";

/** The chain as the verifier reads it: `historyOf`, decoded by the verifier's own decoder. */
async function historyOf(trust: { historyOf(a: string): Promise<unknown> }, address: string): Promise<ChainLink[]> {
  return toLinks(address, (await trust.historyOf(address)) as never);
}

describe("evaluateTrust (off chain) agrees with TrustRegistry.trustedAt (on chain)", () => {
  it("for every subject, type and time of a tree with every kind of state and a history", async () => {
    const { trust, governor, root, accreditor, university, bootcamp, stranger, others } = await load();
    const t = trust as unknown as Contract;
    const accredit = (
      by: Signer,
      subject: Signer,
      role: number,
      scope: bigint,
      validFrom: bigint | number = 0,
      validUntil: bigint | number = FOREVER,
    ) =>
      by
        .getAddress()
        .then(async (parent) =>
          (await accreditWithConsent(t, by, parent, subject, { role, scope, validFrom, validUntil })).wait(),
        );
    const now = BigInt(await networkHelpers.time.latest());
    const all = (1n << BigInt(TYPES.length)) - 1n;
    const changes: bigint[] = [];
    const mark = async () => changes.push(BigInt(await networkHelpers.time.latest()));
    await accredit(root, accreditor, ROLE_BOTH, all ^ bit("License"));
    await accredit(accreditor, university, ROLE_ISSUER, bit("Degree") | bit("Course"), now - 100n, now + 500n);
    await mark();
    await accredit(accreditor, bootcamp, ROLE_ISSUER, bit("Certificate"), now + 50n, FOREVER);
    await accredit(accreditor, others[0]!, ROLE_ACCREDITOR, bit("Competency"));
    await accredit(others[0]!, others[1]!, ROLE_ISSUER, bit("Competency"));
    await accredit(accreditor, others[2]!, ROLE_ISSUER, bit("Course"));
    await mark();
    await trust.connect(accreditor).revoke(others[2]!, now - 10n, 1);
    await mark();
    await trust.connect(accreditor).suspend(others[0]!, 2);
    await trust.connect(governor).addRoot(others[3]!, bit("License"), 0, FOREVER, "", NO_HASH);
    await accredit(others[3]!, others[4]!, ROLE_ISSUER, bit("License"), 0, now + 1000n);
    await trust.connect(governor).suspend(others[3]!, 3);
    await accredit(accreditor, others[5]!, ROLE_ACCREDITOR, bit("Course"));
    await accredit(others[5]!, others[6]!, ROLE_ISSUER, bit("Course"));
    await mark();
    await trust.connect(accreditor).update(others[5]!, ROLE_ISSUER, bit("Course"), 0, FOREVER, 4, "", NO_HASH);
    await mark();
    // Scope widened, then narrowed: the university's history has three versions.
    await trust
      .connect(accreditor)
      .update(
        university,
        ROLE_ISSUER,
        bit("Degree") | bit("Course") | bit("Certificate"),
        now - 100n,
        now + 500n,
        0,
        "",
        NO_HASH,
      );
    await mark();
    await networkHelpers.time.increase(10);
    await trust
      .connect(accreditor)
      .update(university, ROLE_ISSUER, bit("Degree"), now - 100n, now + 500n, 0, "", NO_HASH);
    await mark();

    const subjects = [root, accreditor, university, bootcamp, stranger, ...others.slice(0, 7)];
    const times = [
      0n,
      now - 200n,
      now - 11n,
      now - 10n,
      now,
      now + 49n,
      now + 50n,
      now + 499n,
      now + 500n,
      now + 5000n,
      ...changes.flatMap((c) => [c - 1n, c, c + 1n]),
    ];
    let compared = 0;
    const verdicts = new Set<number>();
    for (const s of subjects) {
      const address = await s.getAddress();
      const links = await historyOf(trust, address);
      for (let typeId = 0; typeId < TYPES.length + 1; typeId++) {
        for (const at of times) {
          const [verdict, failedAt, top] = await trust.trustedAt(address, typeId, at);
          const ours = evaluateTrust(links, { typeId, at });
          // The contract names the subject as failedAt when it has no accreditation; the chain is empty then.
          expect(ours.verdict, `${address} type ${typeId} at ${at}`).to.equal(Number(verdict));
          if (links.length > 0) expect(ours.failedAt ?? ZERO).to.equal(failedAt);
          expect(ours.root ?? ZERO).to.equal(top);
          verdicts.add(ours.verdict);
          compared++;
        }
      }
    }
    expect(compared).to.equal(subjects.length * (TYPES.length + 1) * times.length);
    // The tree exercises every verdict but the depth bound (which the contract tests cover).
    expect([...verdicts].sort()).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8]);

    // The university's history: Certificate was in scope only between the widening and the narrowing.
    const uni = await historyOf(trust, await university.getAddress());
    expect(uni[0]!.versions.map((v) => v.scope)).to.deep.equal([
      bit("Degree") | bit("Course"),
      bit("Degree") | bit("Course") | bit("Certificate"),
      bit("Degree"),
    ]);
    const [widened, narrowed] = changes.slice(-2) as [bigint, bigint];
    const certificate = TYPES.indexOf("Certificate");
    expect(evaluateTrust(uni, { typeId: certificate, at: widened - 1n }).verdict).to.equal(8);
    expect(evaluateTrust(uni, { typeId: certificate, at: widened + 0n }).verdict).to.equal(
      8,
      "a change at t: the version before must pass too",
    );
    expect(evaluateTrust(uni, { typeId: certificate, at: widened + 1n }).verdict).to.equal(0);
    expect(evaluateTrust(uni, { typeId: certificate, at: narrowed }).verdict).to.equal(8);
    expect(evaluateTrust(uni, { typeId: TYPES.indexOf("Course"), at: narrowed - 1n }).verdict).to.equal(
      0,
      "narrowing does not rewrite the past",
    );
  });
});
