import { expect } from "chai";
import { hashKey, statusKey } from "../../../src/chain/snapshotPlan.js";
import { parseEthrDid, signingKeysAt } from "../../../src/did/ethr.js";
import { parseStatusEntry, statusEntry } from "../../../src/credentials/index.js";
import { statusCheck, statusListUrlsOf } from "../../../src/verify/checks/status.js";
import type { ChainSnapshot } from "../../../src/chain/snapshotPlan.js";
import { CHAIN_ID, deployment, issuerDid, issuerKey, memory, NOW, scope, snapshot } from "./world.js";

const issuer = parseEthrDid(issuerDid);
const HASH = `0x${"cd".repeat(32)}`;
const ler = (over: Partial<Parameters<typeof statusEntry>[0]> = {}) =>
  parseStatusEntry(
    statusEntry({
      chainId: CHAIN_ID,
      registry: deployment.contracts.StatusRegistry.address,
      issuer: issuerKey.address,
      list: 3n,
      index: 7,
      ...over,
    }),
  );
const check = (status: ReturnType<typeof parseStatusEntry>, snap: ChainSnapshot = snapshot(), lists = new Map()) =>
  statusCheck(
    { issuer, hashes: [HASH], status },
    snap,
    scope,
    { keysAt: signingKeysAt, statusLists: lists },
    { now: NOW, skew: 60, checkStatusLists: false },
    memory(),
  );
const onChain = (revoked: boolean, suspended: boolean) =>
  snapshot({ statuses: new Map([[statusKey(issuerKey.address, 3n, 7), { revoked, suspended }]]) });

describe("checks/status: revoked or suspended, now", () => {
  it("an LER entry: the chain says revoked -> credential_revoked; suspended -> credential_suspended; neither -> not_revoked", () => {
    expect(check(ler(), onChain(true, false)))
      .to.have.length(1)
      .and.to.deep.include.members([]);
    expect(check(ler(), onChain(true, false))[0]).to.include({
      id: "status",
      outcome: "fail",
      code: "credential_revoked",
    });
    expect(check(ler(), onChain(false, true))[0]).to.include({ outcome: "fail", code: "credential_suspended" });
    expect(check(ler(), onChain(false, false))[0]).to.include({ outcome: "pass", code: "not_revoked" });
  });

  it("revoked by hash -> credential_revoked whatever its entry says", () => {
    const snap = snapshot({
      hashRevokedAt: new Map([[hashKey(issuerKey.address, HASH), BigInt(NOW - 60)]]),
      statuses: onChain(false, false).statuses,
    });
    const [r] = check(ler(), snap);
    expect(r).to.include({ outcome: "fail", code: "credential_revoked" });
    expect(r!.details).to.deep.equal({ hash: HASH, revokedAt: NOW - 60 });
  });

  it("an entry for another chain, registry or issuer -> its code; no entry -> skipped; not read -> unknown", () => {
    expect(check(ler({ chainId: 1 }))[0]).to.include({ code: "status_wrong_chain" });
    expect(check(ler({ registry: deployment.contracts.TrustRegistry.address }))[0]).to.include({
      code: "status_unknown_registry",
    });
    expect(check(ler({ issuer: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" }))[0]).to.include({
      code: "status_issuer_mismatch",
    });
    expect(check(undefined)[0]).to.include({ outcome: "skipped", code: "no_status_entry" });
    expect(check(ler())[0]).to.include({ outcome: "unknown" });
  });

  it("a standard status list that was not fetched -> unknown, never valid; the batch fetches it", () => {
    const url = "https://status.example.org/lists/1";
    const standard = parseStatusEntry({
      type: "BitstringStatusListEntry",
      statusPurpose: "revocation",
      statusListIndex: "5",
      statusListCredential: url,
    });
    const [r] = check(standard);
    expect(r).to.include({ outcome: "unknown", code: "status_list_unreachable" });
    expect(statusListUrlsOf([{ status: standard }, { status: ler() }], false)).to.deep.equal([url]);
  });
});
