import { expect } from "chai";
import { BrowserProvider, type Contract } from "ethers";
import type { FastifyInstance } from "fastify";
import type { Deployment } from "../../src/chain/deployments.js";
import { buildServer } from "../../src/server/index.js";
import { RegistryIndex } from "../../src/registry/indexer.js";
import { chainLinks } from "../../src/registry/queries.js";
import { decodeVersion, evaluateTrust, verdictCode, Verdict, type Version } from "../../src/verify/trust.js";
import {
  accreditWithConsent,
  bit,
  createRegistryFixture,
  FOREVER,
  ROLE_BOTH,
  ROLE_ISSUER,
  TYPES,
} from "../helpers/fixture.js";

/**
 * The service's registry index and TRQP endpoint against a real chain after a lifecycle of changes: the versions the
 * index rebuilds from events are those `historyOf` answers from, and the TRQP endpoint answers what `trustedAt` does.
 */

const ALL = (1n << BigInt(TYPES.length)) - 1n;
const GAS = { gasLimit: 1_000_000 };

/** A small deterministic PRNG (mulberry32): the sequence is random-ish and the same on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) as number;
  };
}

describe("the registry history: events, historyOf, the index and TRQP agree", function () {
  this.timeout(120_000);
  let provider: BrowserProvider;
  let trust: Contract;
  let app: FastifyInstance;
  let deployment: Deployment;
  let close = async () => {};
  let subjects: Record<"root" | "accreditor" | "university" | "bootcamp", string>;
  /** Times worth asking about: creations, changes, a second either side, revocation effective times. */
  const moments: bigint[] = [];
  const marks: Record<string, bigint> = {};
  /** Change events sent per subject (several in one block time collapse into one version). */
  const changes = new Map<string, number>();

  before(async () => {
    const fixture = await createRegistryFixture();
    close = () => fixture.connection.close();
    const { ethers, networkHelpers } = fixture;
    const w = await fixture.load();
    deployment = w.deployment;
    trust = w.trust as unknown as Contract;
    provider = new BrowserProvider(fixture.connection.provider as never, 31337, { cacheTimeout: -1 });
    const [root, acc, uni, camp] = [w.root, w.accreditor, w.university, w.bootcamp];
    subjects = { root: root.address, accreditor: acc.address, university: uni.address, bootcamp: camp.address };
    const now = async () => BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const mark = async (name: string) => {
      marks[name] = await now();
      moments.push(marks[name]!);
    };
    const count = (subject: string) => changes.set(subject, (changes.get(subject) ?? 0) + 1);
    const asAcc = trust.connect(acc) as Contract;
    const asRoot = trust.connect(root) as Contract;

    await networkHelpers.time.increase(100);
    await (await accreditWithConsent(trust, root, root.address, acc, { role: ROLE_BOTH, scope: ALL })).wait();
    await mark("accreditor");
    await networkHelpers.time.increase(100);
    await (await accreditWithConsent(trust, acc, acc.address, uni, { role: ROLE_ISSUER, scope: bit("Degree") })).wait();
    await mark("university");
    count(uni.address);
    await (
      await accreditWithConsent(trust, acc, acc.address, camp, {
        role: ROLE_ISSUER,
        scope: bit("Certificate") | bit("Competency"),
      })
    ).wait();
    await mark("bootcamp");
    count(camp.address);

    // A widening, a suspension and its reinstatement of the university, each in a block of its own.
    await networkHelpers.time.increase(100);
    await (
      await asAcc.getFunction("update")(
        uni.address,
        ROLE_ISSUER,
        bit("Degree") | bit("Course"),
        0,
        FOREVER,
        1,
        "",
        `0x${"00".repeat(32)}`,
      )
    ).wait();
    await mark("widened");
    count(uni.address);
    await networkHelpers.time.increase(100);
    await (await asAcc.getFunction("suspend")(uni.address, 4)).wait();
    await mark("suspended");
    count(uni.address);
    await networkHelpers.time.increase(100);
    await (await asAcc.getFunction("reinstate")(uni.address, 0)).wait();
    await mark("reinstated");
    count(uni.address);

    // The accreditor held by its root for a while: everything beneath it is distrusted while it lasts.
    await networkHelpers.time.increase(50);
    await (await asRoot.getFunction("suspend")(acc.address, 2)).wait();
    await mark("accreditorSuspended");
    await networkHelpers.time.increase(50);
    await (await asRoot.getFunction("reinstate")(acc.address, 0)).wait();
    await mark("accreditorReinstated");

    // Random-ish changes of the two issuers, some of them sharing a block (and so a block time).
    const random = prng(11);
    const status = new Map([
      [uni.address, "active"],
      [camp.address, "active"],
    ]);
    const step = async (subject: string) => {
      const s = status.get(subject)!;
      const op = random(3);
      if (op === 0 || (op === 1 && s !== "active") || (op === 2 && s !== "suspended")) {
        const scope = BigInt(1 + random(Number(ALL)));
        const validFrom = BigInt(random(3) === 0 ? 0 : Number(await now()) - 500 + random(1000));
        const validUntil = random(3) === 0 ? FOREVER : validFrom + BigInt(1 + random(2000));
        return asAcc.getFunction("update")(
          subject,
          random(2) === 0 ? ROLE_ISSUER : ROLE_BOTH,
          scope,
          validFrom,
          validUntil,
          random(9),
          "",
          `0x${"00".repeat(32)}`,
          GAS,
        );
      }
      status.set(subject, op === 1 ? "suspended" : "active");
      return asAcc.getFunction(op === 1 ? "suspend" : "reinstate")(subject, random(9), GAS);
    };
    for (let i = 0; i < 24; i++) {
      await networkHelpers.time.increase(1 + random(400));
      const inBlock = random(3) === 0 ? 2 + random(2) : 1;
      if (inBlock > 1) await ethers.provider.send("evm_setAutomine", [false]);
      const sent = [];
      for (let j = 0; j < inBlock; j++) {
        const subject = random(2) === 0 ? uni.address : camp.address;
        sent.push(await step(subject));
        count(subject);
      }
      if (inBlock > 1) {
        await ethers.provider.send("evm_mine", []);
        await ethers.provider.send("evm_setAutomine", [true]);
      }
      for (const tx of sent) expect((await tx.wait())!.status).to.equal(1);
      await mark(`step${i}`);
    }

    // Two changes of the bootcamp in one block, for certain: an update and a suspension.
    await networkHelpers.time.increase(100);
    if (status.get(camp.address) === "suspended") {
      await (await asAcc.getFunction("reinstate")(camp.address, 0)).wait();
      count(camp.address);
      await networkHelpers.time.increase(100);
    }
    await ethers.provider.send("evm_setAutomine", [false]);
    const pair = [
      await asAcc.getFunction("update")(
        camp.address,
        ROLE_ISSUER,
        bit("Certificate"),
        0,
        FOREVER,
        3,
        "",
        `0x${"00".repeat(32)}`,
        GAS,
      ),
      await asAcc.getFunction("suspend")(camp.address, 5, GAS),
    ];
    await ethers.provider.send("evm_mine", []);
    await ethers.provider.send("evm_setAutomine", [true]);
    for (const tx of pair) expect((await tx.wait())!.status).to.equal(1);
    expect((await pair[0].wait())!.blockNumber).to.equal((await pair[1].wait())!.blockNumber);
    count(camp.address);
    count(camp.address);
    await mark("bootcampPair");

    // The university revoked, then the revocation moved earlier (a compromise found later).
    await networkHelpers.time.increase(300);
    marks.effectiveFirst = (await now()) - 100n;
    await (await asAcc.getFunction("revoke")(uni.address, marks.effectiveFirst, 7)).wait();
    await mark("revoked");
    count(uni.address);
    await networkHelpers.time.increase(100);
    marks.effectiveEarlier = marks.accreditorReinstated! + 10n;
    await (await asAcc.getFunction("revoke")(uni.address, marks.effectiveEarlier, 8)).wait();
    await mark("revokedEarlier");
    count(uni.address);
    moments.push(marks.effectiveFirst, marks.effectiveEarlier);
    await networkHelpers.time.increase(10);

    const network = { name: "hardhat", chainId: 31337, provider, deployment };
    const clock = Number(await now());
    ({ app } = await buildServer({ network, refreshIntervalMs: 0, now: () => clock, readTimeoutMs: 5000 }));
  });

  after(async () => {
    await app?.close();
    provider?.destroy();
    await close();
  });

  const history = async (subject: string): Promise<Version[]> => {
    const links = await trust.getFunction("historyOf")(subject);
    return [...links[0].versions].map((v: bigint) => decodeVersion(v));
  };

  it("rebuilds every accreditation's versions from events exactly as historyOf holds them", async () => {
    const { state } = await new RegistryIndex(provider, deployment, { minRefreshMs: 0 }).current();
    for (const [name, address] of Object.entries(subjects)) {
      const onChain = await history(address);
      expect(state.entities.get(address)!.versions, name).to.deep.equal(onChain);
    }
    // The sequence did what it claims: changes shared block times, a revocation moved earlier, a suspension ended.
    const uni = await history(subjects.university);
    const camp = await history(subjects.bootcamp);
    expect(uni.length + camp.length).to.be.lessThan(
      changes.get(subjects.university)! + changes.get(subjects.bootcamp)!,
    );
    expect(camp[camp.length - 1]).to.include({
      since: marks.bootcampPair,
      status: 2,
      scope: bit("Certificate"),
      reason: 5,
    });
    expect(uni[uni.length - 1]).to.include({ status: 3, validUntil: marks.effectiveEarlier, reason: 8 });
    expect(uni[uni.length - 2]).to.include({ status: 3, validUntil: marks.effectiveFirst, reason: 7 });
    expect(uni.map((v) => v.status)).to.include.ordered.members([1, 1, 2, 1]);
  });

  it("serves the versions in the entity's detail and history, by type name", async () => {
    const onChain = await history(subjects.university);
    for (const path of [
      `/v1/registry/entities/${subjects.university}`,
      `/v1/registry/entities/${subjects.university}/history`,
    ]) {
      const r = await app.inject({ method: "GET", url: path });
      expect(r.statusCode).to.equal(200);
      const versions = r.json().versions as {
        since: number;
        status: string;
        scope: { id: number; name: string }[];
        validUntil: number | null;
      }[];
      expect(versions.map((v) => v.since)).to.deep.equal(onChain.map((v) => Number(v.since)));
      expect(versions.map((v) => v.status)).to.deep.equal(
        onChain.map((v) => ["none", "active", "suspended", "revoked"][v.status]),
      );
      expect(versions[1]!.scope.map((s) => s.name)).to.deep.equal(["Degree", "Course"]);
      expect(versions[versions.length - 1]!.validUntil).to.equal(Number(marks.effectiveEarlier));
    }
  });

  const trqp = async (subject: string, type: string, at: bigint) => {
    // TRQP v2: the action is required, and the time an RFC 3339 date-time (seconds are not one).
    const q = new URLSearchParams({
      entity_id: subject,
      authority_id: subjects.root,
      action: "issue",
      resource: type,
      time: new Date(Number(at) * 1000).toISOString(),
    });
    const r = await app.inject({ method: "GET", url: `/v1/trqp/authorization?${q}` });
    expect(r.statusCode, r.body).to.equal(200);
    return r.json() as {
      authorized: boolean;
      reason: string;
      message: string;
      chain: { address: string; status: string; since: number | null }[];
    };
  };
  const expected = async (subject: string, typeId: number, at: bigint) => {
    const [verdict, failedAt] = await trust.getFunction("trustedAt")(subject, typeId, at);
    const v = Number(verdict) as Verdict;
    return v === Verdict.Trusted ? "authorized" : verdictCode(v, failedAt === subject);
  };

  it("TRQP: before an accreditation existed is authorized: false, accreditation_not_yet_valid, with the chain as it was", async () => {
    const before = marks.university! - 1n;
    const r = await trqp(subjects.university, "Degree", before);
    expect(r).to.include({ authorized: false, reason: "accreditation_not_yet_valid" });
    expect(await expected(subjects.university, 0, before)).to.equal("accreditation_not_yet_valid");
    expect(r.chain[0]).to.include({ status: "none", since: null });
    const early = await trqp(subjects.university, "Degree", 1_577_836_800n); // 2020-01-01
    expect(early).to.include({ authorized: false, reason: "accreditation_not_yet_valid" });
  });

  it("TRQP: a past time is judged by the versions then and the rules now, as trustedAt", async () => {
    // Course was added by the widening: not before it, yes after it (until the revocation effective earlier).
    const course = TYPES.indexOf("Course");
    expect((await trqp(subjects.bootcamp, "Certificate", marks.bootcamp! + 1n)).reason).to.equal("issuer_suspended");
    const widened = await trqp(subjects.university, "Course", marks.widened! + 1n);
    expect(widened).to.include({ authorized: true, reason: "authorized" });
    expect(await trqp(subjects.university, "Course", marks.widened! - 1n)).to.include({
      authorized: false,
      reason: "type_out_of_scope",
    });
    expect(await trqp(subjects.university, "Course", marks.suspended! + 1n)).to.include({
      authorized: false,
      reason: "issuer_suspended",
    });
    expect(await trqp(subjects.university, "Course", marks.accreditorSuspended! + 1n)).to.include({
      authorized: false,
      reason: "accreditor_suspended",
    });
    expect(await trqp(subjects.university, "Course", marks.effectiveEarlier!)).to.include({
      authorized: false,
      reason: "issuer_revoked",
    });
    expect(await expected(subjects.university, course, marks.widened! + 1n)).to.equal("authorized");

    // Every subject, type and moment: the endpoint's answer is trustedAt's.
    const times = [...new Set([0n, ...moments.flatMap((t) => [t - 1n, t, t + 1n])])].sort((a, b) => (a < b ? -1 : 1));
    const verdicts = new Set<string>();
    for (const subject of [subjects.university, subjects.bootcamp, subjects.accreditor]) {
      for (const [typeId, type] of TYPES.entries()) {
        for (const at of times) {
          const want = await expected(subject, typeId, at);
          const got = await trqp(subject, type, at);
          expect(got.reason, `${subject} ${type} at ${at}`).to.equal(want);
          expect(got.authorized).to.equal(want === "authorized");
          verdicts.add(want);
        }
      }
    }
    expect([...verdicts]).to.include.members([
      "authorized",
      "accreditation_not_yet_valid",
      "type_out_of_scope",
      "issuer_suspended",
      "issuer_revoked",
    ]);
  });

  it("the evaluator over the index's rebuilt chain gives the same answers (the index alone could answer TRQP)", async () => {
    const { state } = await new RegistryIndex(provider, deployment, { minRefreshMs: 0 }).current();
    for (const at of moments) {
      for (const [typeId] of TYPES.entries()) {
        const answer = evaluateTrust(chainLinks(state, subjects.university), { typeId, at });
        const code =
          answer.verdict === Verdict.Trusted
            ? "authorized"
            : verdictCode(answer.verdict, answer.failedAt === subjects.university);
        expect(code, `at ${at}`).to.equal(await expected(subjects.university, typeId, at));
      }
    }
  });
});
