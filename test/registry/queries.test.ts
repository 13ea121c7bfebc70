import { expect } from "chai";
import type { RegistryEvent } from "../../src/chain/registryEvents.js";
import { applyRegistryEvents, emptyRegistryState, popcount } from "../../src/store/registryIndex.js";
import { chainUp, displayStatus, downsample, effectiveScope, tallyByStatus } from "../../src/registry/queries.js";

const A = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
const ZERO = A(0);
const [GOV, ROOT, ACC, UNI, CAMP] = [A(1), A(2), A(3), A(4), A(5)];
const FOREVER = 2 ** 40 - 1;

let block = 10;
const at = (time: number) => ({ block: block++, logIndex: 0, txHash: `0x${"ab".repeat(32)}`, time });
const accredit = (
  parent: string,
  subject: string,
  role: number,
  scope: bigint,
  time: number,
  validUntil = FOREVER,
): RegistryEvent => ({
  ...at(time),
  kind: "accredited",
  parent,
  subject,
  actor: GOV,
  role,
  scope,
  validFrom: 0,
  validUntil,
  reason: 0,
  metadataURI: "",
  metadataHash: `0x${"00".repeat(32)}`,
});

describe("the registry replayed from events", () => {
  const build = () => {
    const s = emptyRegistryState();
    applyRegistryEvents(s, [
      { ...at(100), kind: "type_registered", typeId: 0, name: "Degree" },
      { ...at(100), kind: "type_registered", typeId: 1, name: "Certificate" },
      accredit(ZERO, ROOT, 2, 0b11n, 110),
      accredit(ROOT, ACC, 2, 0b11n, 120),
      accredit(ACC, UNI, 1, 0b01n, 130),
      accredit(ACC, CAMP, 1, 0b10n, 140, 1000),
    ]);
    return s;
  };

  it("builds the tree with depth, children, history and the scope narrowed by parents", () => {
    const s = build();
    expect(chainUp(s, UNI).map((x) => x.address)).to.deep.equal([UNI, ACC, ROOT]);
    expect(s.entities.get(ACC)!.children).to.deep.equal([UNI, CAMP]);
    expect(s.entities.get(UNI)!.depth).to.equal(2);
    applyRegistryEvents(s, [
      {
        ...at(150),
        kind: "updated",
        parent: ROOT,
        subject: ACC,
        actor: GOV,
        role: 2,
        scope: 0b01n,
        validFrom: 0,
        validUntil: FOREVER,
        reason: 3,
        metadataURI: "",
        metadataHash: `0x${"00".repeat(32)}`,
      },
    ]);
    expect(effectiveScope(s, s.entities.get(CAMP)!)).to.equal(0n);
    expect(s.entities.get(ACC)!.history.map((h) => h.event)).to.deep.equal(["accredited", "updated"]);
  });

  it("suspension, reinstatement, revocation (ending validity at its effective time) and expiry show as statuses", () => {
    const s = build();
    applyRegistryEvents(s, [
      { ...at(200), kind: "suspended", parent: ACC, subject: UNI, actor: GOV, reason: 5 },
      { ...at(210), kind: "revoked", parent: ROOT, subject: ACC, actor: GOV, effectiveAt: 180, reason: 9 },
    ]);
    expect(displayStatus(s.entities.get(UNI)!, 500)).to.equal("suspended");
    expect(s.entities.get(ACC)!).to.include({ state: "revoked", validUntil: 180, reason: 9 });
    expect(displayStatus(s.entities.get(CAMP)!, 999)).to.equal("active");
    expect(displayStatus(s.entities.get(CAMP)!, 1000)).to.equal("expired");
    applyRegistryEvents(s, [{ ...at(220), kind: "reinstated", parent: ACC, subject: UNI, actor: GOV, reason: 0 }]);
    expect(tallyByStatus(s, 2000)).to.deep.equal({
      roots: { active: 1, suspended: 0, revoked: 0, expired: 0, not_yet_valid: 0, total: 1 },
      accreditors: { active: 0, suspended: 0, revoked: 1, expired: 0, not_yet_valid: 0, total: 1 },
      issuers: { active: 1, suspended: 0, revoked: 0, expired: 1, not_yet_valid: 0, total: 2 },
    });
  });

  it("keeps versions as the contract does: keyed by block time, the last change of a time standing for it", () => {
    const s = build();
    const change = (time: number, e: object) =>
      ({ ...at(time), parent: ACC, subject: UNI, actor: GOV, ...e }) as RegistryEvent;
    applyRegistryEvents(s, [
      change(200, {
        kind: "updated",
        role: 3,
        scope: 0b11n,
        validFrom: 5,
        validUntil: 900,
        reason: 1,
        metadataURI: "",
        metadataHash: `0x${"00".repeat(32)}`,
      }),
      change(200, { kind: "suspended", reason: 4 }),
      change(300, { kind: "reinstated", reason: 0 }),
      change(400, { kind: "revoked", effectiveAt: 350, reason: 7 }),
      change(500, { kind: "revoked", effectiveAt: 250, reason: 8 }),
    ]);
    const versions = s.entities.get(UNI)!.versions;
    expect(versions.map((v) => [Number(v.since), v.status, Number(v.validUntil), v.reason])).to.deep.equal([
      [130, 1, FOREVER, 0],
      [200, 2, 900, 4], // the update and the suspension share a block time: one version, suspended, with the update's terms
      [300, 1, 900, 0],
      [400, 3, 350, 7],
      [500, 3, 250, 8],
    ]);
    expect(versions[1]).to.include({ role: 3, scope: 0b11n, validFrom: 5n });
    expect(s.entities.get(UNI)!).to.include({ state: "revoked", validUntil: 250, reason: 8, role: 3 });
    expect(s.entities.get(UNI)!.history).to.have.length(6);
  });

  it("counts status entries exactly: a bit set twice counts once, a reinstatement takes one off, masks are popcounts", () => {
    const s = build();
    applyRegistryEvents(s, [
      { ...at(300), kind: "status_entry", issuer: UNI, purpose: "revocation", list: 0n, index: 7, set: true },
      {
        ...at(301),
        kind: "status_indices",
        issuer: UNI,
        purpose: "revocation",
        list: 0n,
        set: true,
        indices: [7, 8, 300],
      },
      {
        ...at(302),
        kind: "status_words",
        issuer: UNI,
        purpose: "revocation",
        list: 1n,
        set: true,
        wordIndices: [0, 5],
        masks: [0b1011n, (1n << 256n) - 1n],
      },
      {
        ...at(303),
        kind: "status_words",
        issuer: UNI,
        purpose: "suspension",
        list: 0n,
        set: true,
        wordIndices: [0],
        masks: [0b111n],
      },
      { ...at(304), kind: "status_entry", issuer: UNI, purpose: "suspension", list: 0n, index: 1, set: false },
      { ...at(305), kind: "status_indices", issuer: UNI, purpose: "suspension", list: 0n, set: false, indices: [2, 9] },
      { ...at(306), kind: "hash_revoked", issuer: UNI, hash: `0x${"11".repeat(32)}` },
      { ...at(307), kind: "anchored", issuer: UNI, root: `0x${"22".repeat(32)}` },
    ]);
    const a = s.activity.get(UNI)!;
    expect(a).to.include({ revokedEntries: 3 + 3 + 256, suspendedEntries: 1, hashRevocations: 1, anchors: 1 });
    expect(a.lists.get(0n)).to.deep.equal({ list: 0n, revoked: 3, suspended: 1 });
    expect(a.lists.get(1n)).to.deep.equal({ list: 1n, revoked: 259, suspended: 0 });
    const last = s.series[s.series.length - 1]!;
    expect(last).to.include({ anchors: 1, revoked: 263, suspended: 1, block: block - 1 });
    expect(popcount((1n << 256n) - 1n)).to.equal(256);
  });

  it("keeps one series point per block, and downsampling keeps real points spread over time", () => {
    const s = build();
    expect(new Set(s.series.map((p) => p.block)).size).to.equal(s.series.length);
    const many = Array.from({ length: 1000 }, (_, i) => ({ ...s.series[0]!, block: i, time: i * 10, anchors: i }));
    const few = downsample(many, 50);
    expect(few.length).to.be.at.most(52);
    expect(few[0]!.anchors).to.equal(0);
    expect(few[few.length - 1]!.anchors).to.equal(999);
    for (const p of few) expect(p.anchors).to.equal(p.block);
  });
});
