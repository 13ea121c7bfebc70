import { expect } from "chai";
import { anchorBatch, revocationHashesOf } from "../../../src/credentials/index.js";
import { hashKey } from "../../../src/chain/snapshotPlan.js";
import { anchorCheck, anchorProofCheck } from "../../../src/verify/checks/anchor.js";
import { isCheck } from "../../../src/verify/checks/format.js";
import { CHAIN_ID, deployment, issuerKey, memory, NOW, payload, scope, snapshot } from "./world.js";

/** Two credentials anchored under one root; the first's payload with its anchor. */
function anchored(params = { chainId: CHAIN_ID, registry: deployment.contracts.StatusRegistry.address }) {
  const payloads = [
    payload({ jti: "urn:uuid:00000000-0000-4000-8000-000000000001" }),
    payload({ jti: "urn:uuid:00000000-0000-4000-8000-000000000002" }),
  ];
  const { root, anchors } = anchorBatch(payloads, params);
  const p: Record<string, unknown> = { ...payloads[0]!, issuanceAnchor: anchors[0] };
  return { root, p, leaf: revocationHashesOf(p, "x.y.z").credential };
}

describe("checks/anchor: when the credential was issued, by the chain", () => {
  it("a proof that leads to its root gives the root; no anchor gives nothing", () => {
    const { root, p, leaf } = anchored();
    expect(anchorProofCheck(p, leaf, scope, memory())).to.equal(root);
    expect(anchorProofCheck(payload(), undefined, scope, memory())).to.equal(undefined);
  });

  it("a tampered credential no longer leads to its root -> anchor_proof_mismatch", () => {
    const { p } = anchored();
    const tampered = { ...p, vc: { ...(p.vc as object), type: ["VerifiableCredential", "Doctorate"] } };
    const r = anchorProofCheck(tampered, revocationHashesOf(tampered, "x.y.z").credential, scope, memory());
    expect(isCheck(r) && [r.id, r.outcome, r.code]).to.deep.equal(["anchor", "fail", "anchor_proof_mismatch"]);
  });

  it("an anchor on another chain or registry -> anchor_wrong_chain, anchor_unknown_registry", () => {
    const other = anchored({ chainId: 1, registry: deployment.contracts.StatusRegistry.address });
    expect((anchorProofCheck(other.p, other.leaf, scope, memory()) as { code: string }).code).to.equal(
      "anchor_wrong_chain",
    );
    const registry = anchored({ chainId: CHAIN_ID, registry: deployment.contracts.TrustRegistry.address });
    expect((anchorProofCheck(registry.p, registry.leaf, scope, memory()) as { code: string }).code).to.equal(
      "anchor_unknown_registry",
    );
  });

  it("a root on chain: trust and keys are judged at its block time; not on chain or no anchor: now, and the check says so", () => {
    const root = `0x${"ab".repeat(32)}`;
    const on = snapshot({
      anchors: new Map([[hashKey(issuerKey.address, root), { timestamp: BigInt(NOW - 5000), blockNumber: 42n }]]),
    });
    const a = anchorCheck(issuerKey.address, root, false, on, NOW, memory());
    expect(a.check).to.include({ outcome: "pass", code: "anchored" });
    expect(a.trustedTime).to.deep.equal({ at: NOW - 5000, source: "anchor", anchorBlock: 42 });
    expect(a.judged).to.deep.equal({
      at: BigInt(NOW - 5000),
      source: "anchor",
      keysAt: { block: 42, time: BigInt(NOW - 5000) },
    });

    const missing = anchorCheck(issuerKey.address, root, false, snapshot(), NOW, memory());
    expect(missing.check).to.include({ outcome: "skipped", code: "anchor_not_found" });
    expect(missing.trustedTime).to.deep.equal({ at: NOW, source: "now" });
    expect(anchorCheck(issuerKey.address, undefined, false, snapshot(), NOW, memory()).check).to.include({
      code: "not_anchored",
    });
    // A proof that failed before the read stands alone: no second anchor check.
    expect(anchorCheck(issuerKey.address, undefined, true, snapshot(), NOW, memory()).check).to.equal(undefined);
  });
});
