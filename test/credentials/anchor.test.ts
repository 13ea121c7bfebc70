import { expect } from "chai";
import {
  type IssuanceAnchorProof,
  anchorBatch,
  anchorLeaf,
  checkAnchorProof,
  issuanceAnchorOf,
  merkleRoot,
  parseIssuanceAnchor,
} from "../../src/credentials/index.js";
import { pseudoRandomHashes, thrown } from "./helpers.js";

const REGISTRY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const [ROOT, P0, P1] = pseudoRandomHashes("anchor", 3) as [string, string, string];

const ANCHOR: IssuanceAnchorProof = {
  type: "LERMerkleIssuanceAnchor",
  chainId: 31337,
  registry: REGISTRY,
  root: ROOT,
  proof: [P0, P1],
};

// JWT payloads as did-jwt-vc writes them (fixed values; no clock).
function payload(n: number): Record<string, unknown> {
  return {
    iss: "did:ethr:0x5FbDB2315678afecb367f032d93F642f64180aa3",
    sub: `did:ethr:0x${n.toString(16).padStart(40, "0")}`,
    jti: `urn:uuid:00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`,
    nbf: 1_717_243_200,
    vc: {
      "@context": ["https://www.w3.org/2018/credentials/v1"],
      type: ["VerifiableCredential", "OpenBadgeCredential"],
      credentialSubject: { type: ["AchievementSubject"], achievement: { id: "https://example.edu/a/1" } },
    },
  };
}

describe("issuance anchors", () => {
  describe("parseIssuanceAnchor", () => {
    it("returns a valid anchor unchanged", () => {
      expect(parseIssuanceAnchor(structuredClone(ANCHOR))).to.deep.equal(ANCHOR);
    });

    it("checksums the registry and lowercases the hashes", () => {
      const loose = {
        ...ANCHOR,
        registry: REGISTRY.toLowerCase(),
        root: `0x${ROOT.slice(2).toUpperCase()}`,
        proof: [`0x${P0.slice(2).toUpperCase()}`, P1],
      };
      expect(parseIssuanceAnchor(loose)).to.deep.equal(ANCHOR);
    });

    it("accepts an empty proof (a batch of one)", () => {
      expect(parseIssuanceAnchor({ ...ANCHOR, proof: [] })).to.deep.equal({ ...ANCHOR, proof: [] });
    });

    const cases: [string, unknown, string][] = [
      ["null", null, "issuanceAnchor"],
      ["an array", [ANCHOR], "issuanceAnchor"],
      ["a string", "anchor", "issuanceAnchor"],
      ["an unknown member", { ...ANCHOR, issuedAt: 1 }, "issuanceAnchor.issuedAt"],
      ["another type", { ...ANCHOR, type: "MerkleAnchor" }, "issuanceAnchor.type"],
      ["no type", { ...ANCHOR, type: undefined }, "issuanceAnchor.type"],
      ["chain id 0", { ...ANCHOR, chainId: 0 }, "issuanceAnchor.chainId"],
      ["a fractional chain id", { ...ANCHOR, chainId: 1.5 }, "issuanceAnchor.chainId"],
      ["a chain id as a string", { ...ANCHOR, chainId: "31337" }, "issuanceAnchor.chainId"],
      ["an unsafe chain id", { ...ANCHOR, chainId: 2 ** 53 }, "issuanceAnchor.chainId"],
      [
        "a wrong checksum",
        { ...ANCHOR, registry: "0xe7f1725e7734CE288F8367e1Bb143E90bb3F0512" },
        "issuanceAnchor.registry",
      ],
      ["a registry without 0x", { ...ANCHOR, registry: REGISTRY.slice(2) }, "issuanceAnchor.registry"],
      ["a short registry", { ...ANCHOR, registry: REGISTRY.slice(0, 41) }, "issuanceAnchor.registry"],
      ["an ICAP registry", { ...ANCHOR, registry: "XE7338O073KYGTWWZN0F2WZ0R8PX5ZPPZS" }, "issuanceAnchor.registry"],
      ["a short root", { ...ANCHOR, root: ROOT.slice(0, 65) }, "issuanceAnchor.root"],
      ["a zero root", { ...ANCHOR, root: `0x${"0".repeat(64)}` }, "issuanceAnchor.root"],
      ["a root that is not hex", { ...ANCHOR, root: `0x${"g".repeat(64)}` }, "issuanceAnchor.root"],
      ["a proof that is not an array", { ...ANCHOR, proof: P0 }, "issuanceAnchor.proof"],
      ["a bad proof element", { ...ANCHOR, proof: [P0, P1, "0x00"] }, "issuanceAnchor.proof[2]"],
      ["a proof of 65 hashes", { ...ANCHOR, proof: Array(65).fill(P0) }, "issuanceAnchor.proof"],
    ];
    for (const [name, value, field] of cases) {
      it(`refuses ${name}, naming the member`, () => {
        const e = thrown(() => parseIssuanceAnchor(value));
        expect([e.code, e.details]).to.deep.equal(["invalid_anchor", { field }]);
        expect(e.message.startsWith(field)).to.equal(true);
      });
    }
  });

  describe("issuanceAnchorOf", () => {
    it("reads the anchor from the top of the payload or from its vc claim, and nothing when there is none", () => {
      const p = payload(1);
      const inVc = { ...p, vc: { ...(p.vc as object), issuanceAnchor: ANCHOR } };
      expect([
        issuanceAnchorOf({ ...p, issuanceAnchor: ANCHOR }),
        issuanceAnchorOf(inVc),
        issuanceAnchorOf(p),
      ]).to.deep.equal([ANCHOR, ANCHOR, undefined]);
    });

    it("refuses two anchors, and a malformed one (null included)", () => {
      const p = payload(1);
      const both = { ...p, issuanceAnchor: ANCHOR, vc: { ...(p.vc as object), issuanceAnchor: ANCHOR } };
      for (const bad of [both, { ...p, issuanceAnchor: null }, { ...p, issuanceAnchor: { ...ANCHOR, proof: null } }]) {
        expect(thrown(() => issuanceAnchorOf(bad)).code).to.equal("invalid_anchor");
      }
    });
  });

  describe("anchorBatch and checkAnchorProof", () => {
    const payloads = [1, 2, 3, 4, 5, 6, 7].map(payload);
    const batch = anchorBatch(payloads, { chainId: 31337, registry: REGISTRY.toLowerCase() });

    it("gives the root of the payloads' leaves and one anchor per payload, in order", () => {
      expect(batch.root).to.equal(merkleRoot(payloads.map((p) => anchorLeaf(p))));
      expect(batch.anchors.map(({ proof: _, ...rest }) => rest)).to.deep.equal(
        payloads.map(() => ({ type: "LERMerkleIssuanceAnchor", chainId: 31337, registry: REGISTRY, root: batch.root })),
      );
      expect(batch.anchors.map((a) => a.proof.length)).to.deep.equal([3, 3, 3, 3, 3, 3, 2]);
    });

    it("each signed payload, carrying its anchor at the top or in vc, proves its place in the batch", () => {
      payloads.forEach((p, i) => {
        const anchor = batch.anchors[i]!;
        const atTop = { ...p, issuanceAnchor: anchor };
        const inVc = { ...p, vc: { ...(p.vc as object), issuanceAnchor: anchor } };
        expect([checkAnchorProof(atTop, anchor), checkAnchorProof(inVc, anchor)], `payload ${i}`).to.deep.equal([
          true,
          true,
        ]);
        expect(checkAnchorProof(atTop, issuanceAnchorOf(atTop)!)).to.equal(true);
      });
    });

    it("a changed payload, or another credential's anchor, does not prove", () => {
      const [p0, p1] = [payloads[0]!, payloads[1]!];
      expect(checkAnchorProof({ ...p0, nbf: 1_717_243_201 }, batch.anchors[0]!)).to.equal(false);
      expect(checkAnchorProof(p0, batch.anchors[1]!)).to.equal(false);
      expect(checkAnchorProof(p1, { ...batch.anchors[1]!, root: ROOT })).to.equal(false);
    });

    it("a batch of one: the root is the leaf and the proof is empty", () => {
      const single = anchorBatch([payloads[0]!], { chainId: 1, registry: REGISTRY });
      expect(single).to.deep.equal({
        root: anchorLeaf(payloads[0]!),
        anchors: [
          {
            type: "LERMerkleIssuanceAnchor",
            chainId: 1,
            registry: REGISTRY,
            root: anchorLeaf(payloads[0]!),
            proof: [],
          },
        ],
      });
      expect(checkAnchorProof(payloads[0]!, single.anchors[0]!)).to.equal(true);
    });

    it("refuses an empty batch, a bad registry or chain, and a payload that is not JSON data", () => {
      expect(thrown(() => anchorBatch([], { chainId: 1, registry: REGISTRY })).code).to.equal("empty_batch");
      expect(thrown(() => anchorBatch(payloads, { chainId: 1, registry: "0x1234" })).details).to.deep.equal({
        field: "issuanceAnchor.registry",
      });
      expect(thrown(() => anchorBatch(payloads, { chainId: -1, registry: REGISTRY })).code).to.equal("invalid_anchor");
      expect(thrown(() => anchorBatch([{ nbf: undefined }], { chainId: 1, registry: REGISTRY })).code).to.equal(
        "not_canonicalizable",
      );
    });
  });
});
