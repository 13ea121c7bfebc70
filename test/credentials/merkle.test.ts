import { expect } from "chai";
import { concat, keccak256, solidityPackedKeccak256, toUtf8Bytes } from "ethers";
import {
  anchorLeaf,
  buildMerkleTree,
  canonicalize,
  hashPair,
  merkleRoot,
  verifyMerkleProof,
} from "../../src/credentials/index.js";
import { pseudoRandomHashes, thrown, xorshiftHashes } from "./helpers.js";

// A slow, obviously correct model: ethers' keccak256 over the sorted pair, one level at a time.
function modelPair(a: string, b: string): string {
  return BigInt(a) <= BigInt(b) ? keccak256(concat([a, b])) : keccak256(concat([b, a]));
}

function modelTree(leaves: string[]): { root: string; proofs: string[][] } {
  const levels = [leaves.map((l) => l.toLowerCase())];
  while (levels[levels.length - 1]!.length > 1) {
    const level = levels[levels.length - 1]!;
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2)
      next.push(i + 1 < level.length ? modelPair(level[i]!, level[i + 1]!) : level[i]!);
    levels.push(next);
  }
  const proofs = leaves.map((_, index) => {
    const proof: string[] = [];
    let i = index;
    for (const level of levels.slice(0, -1)) {
      if ((i ^ 1) < level.length) proof.push(level[i ^ 1]!);
      i >>= 1;
    }
    return proof;
  });
  return { root: levels[levels.length - 1]![0]!, proofs };
}

// The tree that test/credentials/MerkleProofCompat.t.sol checks with OpenZeppelin's MerkleProof on the EVM.
const FIVE_LEAVES = [0, 1, 2, 3, 4].map((i) => solidityPackedKeccak256(["uint256"], [i]));
const FIVE_ROOT = "0xc96cb43f0149b257acfbc3ebf2822b945c02a7874dccbd55312bd44589068e0a";
const FIVE_PROOFS = [
  [
    "0xb10e2d527612073b26eecdfd717e6a320cf44b4afac2b0732d9fcbe2b7fa0cf6",
    "0xc5fd106a8e5214837c622e5fdef112b1d83ad6de66beafb53451c77843c9d04e",
    "0x8a35acfbc15ff81a39ae7d344fd709f28e8600b4aa8c65c6b64bfe7fe36bd19b",
  ],
  [
    "0x290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e563",
    "0xc5fd106a8e5214837c622e5fdef112b1d83ad6de66beafb53451c77843c9d04e",
    "0x8a35acfbc15ff81a39ae7d344fd709f28e8600b4aa8c65c6b64bfe7fe36bd19b",
  ],
  [
    "0xc2575a0e9e593c00f959f8c92f12db2869c3395a3b0502d05e2516446f71f85b",
    "0x891370df4fadf33f50e41f7c8a791e680c0655695ea3404385a909c8f5e13fb4",
    "0x8a35acfbc15ff81a39ae7d344fd709f28e8600b4aa8c65c6b64bfe7fe36bd19b",
  ],
  [
    "0x405787fa12a823e0f2b7631cc41b3ba8828b3321ca811111fa75cd3aa3bb5ace",
    "0x891370df4fadf33f50e41f7c8a791e680c0655695ea3404385a909c8f5e13fb4",
    "0x8a35acfbc15ff81a39ae7d344fd709f28e8600b4aa8c65c6b64bfe7fe36bd19b",
  ],
  ["0x2c24f92f65cdd0fde0264c1f41fadf17cb35cdffeaca769e5673e72b072be707"],
];

describe("Merkle trees of issuance batches", () => {
  describe("hashPair", () => {
    it("is keccak256 of the two hashes in ascending order, for any pair", () => {
      const hashes = pseudoRandomHashes("pair", 2_000);
      const edges = [
        `0x${"00".repeat(32)}`,
        `0x${"ff".repeat(32)}`,
        `0x${"00".repeat(31)}01`,
        `0x01${"00".repeat(31)}`,
      ];
      const pairs: [string, string][] = [];
      for (let i = 0; i + 1 < hashes.length; i += 2) pairs.push([hashes[i]!, hashes[i + 1]!]);
      for (const a of edges) for (const b of [...edges, hashes[0]!]) pairs.push([a, b]);
      const mismatches = pairs.filter(([a, b]) => hashPair(a, b) !== modelPair(a, b));
      expect(mismatches).to.deep.equal([]);
    });

    it("is commutative and hashes a pair of equal nodes too", () => {
      const [a, b] = pseudoRandomHashes("commute", 2) as [string, string];
      expect(hashPair(a, b)).to.equal(hashPair(b, a));
      expect(hashPair(a, a)).to.equal(keccak256(concat([a, a])));
    });
  });

  describe("buildMerkleTree and merkleRoot", () => {
    it("builds the five-leaf tree OpenZeppelin's MerkleProof accepts (odd levels promote the last node)", () => {
      const tree = buildMerkleTree(FIVE_LEAVES);
      expect({ root: tree.root, size: tree.size, proofs: FIVE_LEAVES.map((_, i) => tree.proof(i)) }).to.deep.equal({
        root: FIVE_ROOT,
        size: 5,
        proofs: FIVE_PROOFS,
      });
      expect(merkleRoot(FIVE_LEAVES)).to.equal(FIVE_ROOT);
    });

    it("a single leaf is its own root, with an empty proof", () => {
      const [leaf] = pseudoRandomHashes("single", 1) as [string];
      const tree = buildMerkleTree([leaf]);
      expect([tree.root, tree.proof(0), merkleRoot([leaf])]).to.deep.equal([leaf, [], leaf]);
      expect(verifyMerkleProof(leaf, [], leaf)).to.equal(true);
    });

    it("three leaves: the third is promoted and its proof is the hash of the first two", () => {
      const [a, b, c] = pseudoRandomHashes("three", 3) as [string, string, string];
      const tree = buildMerkleTree([a, b, c]);
      expect(tree.root).to.equal(hashPair(hashPair(a, b), c));
      expect([tree.proof(0), tree.proof(1), tree.proof(2)]).to.deep.equal([[b, c], [a, c], [hashPair(a, b)]]);
    });

    it("matches the model for every size from 1 to 70, and every proof verifies", () => {
      for (let size = 1; size <= 70; size++) {
        const leaves = pseudoRandomHashes(`size${size}`, size);
        const tree = buildMerkleTree(leaves);
        const model = modelTree(leaves);
        expect({ root: tree.root, proofs: leaves.map((_, i) => tree.proof(i)) }, `size ${size}`).to.deep.equal(model);
        expect(
          leaves.every((leaf, i) => verifyMerkleProof(leaf, tree.proof(i), tree.root)),
          `size ${size}`,
        ).to.equal(true);
        expect(merkleRoot(leaves)).to.equal(tree.root);
      }
    });

    it("reads hex in either case and answers in lowercase", () => {
      const upper = FIVE_LEAVES.map((l) => `0x${l.slice(2).toUpperCase()}`);
      const tree = buildMerkleTree(upper);
      expect([tree.root, tree.proof(4)]).to.deep.equal([FIVE_ROOT, FIVE_PROOFS[4]]);
    });

    it("100,000 leaves: sampled proofs match the model's hashing and verify; wrong leaves do not", function () {
      this.timeout(30_000);
      const size = 100_000;
      const leaves = xorshiftHashes(2024, size);
      expect(new Set(leaves).size).to.equal(size);
      const tree = buildMerkleTree(leaves);
      expect(tree.size).to.equal(size);
      expect(merkleRoot(leaves)).to.equal(tree.root);
      for (const index of [
        0,
        1,
        65_535,
        65_536,
        99_998,
        99_999,
        ...pseudoRandomHashes("sample", 60).map((h) => Number(BigInt(h) % BigInt(size))),
      ]) {
        const proof = tree.proof(index);
        expect(proof.length).to.be.at.most(17);
        // Fold with the model's hashing, independent of the fast path.
        expect(proof.reduce(modelPair, leaves[index]!), `leaf ${index}`).to.equal(tree.root);
        expect(verifyMerkleProof(leaves[index]!, proof, tree.root)).to.equal(true);
        expect(verifyMerkleProof(leaves[(index + 1) % size]!, proof, tree.root)).to.equal(false);
      }
    });

    it("refuses an empty batch", () => {
      for (const build of [() => buildMerkleTree([]), () => merkleRoot([])]) {
        expect(thrown(build).code).to.equal("empty_batch");
      }
    });

    it("refuses a leaf that is not a bytes32 hash, naming it", () => {
      const good = FIVE_LEAVES[0]!;
      for (const bad of ["0x12", good.slice(2), `${good}00`, `0x${"zz".repeat(32)}`, ` ${good}`, 7, null]) {
        const e = thrown(() => buildMerkleTree([good, bad as string]));
        expect([e.code, e.details?.field]).to.deep.equal(["invalid_hash", "leaves[1]"]);
      }
    });

    it("refuses a proof index outside the tree", () => {
      const tree = buildMerkleTree(FIVE_LEAVES);
      for (const index of [-1, 5, 1.5, Number.NaN]) {
        expect(thrown(() => tree.proof(index)).code).to.equal("index_out_of_range");
      }
    });
  });

  describe("verifyMerkleProof", () => {
    it("accepts each proof of the five-leaf tree and nothing altered", () => {
      const [leaf, proof] = [FIVE_LEAVES[2]!, FIVE_PROOFS[2]!];
      expect(verifyMerkleProof(leaf, proof, FIVE_ROOT)).to.equal(true);
      expect(verifyMerkleProof(FIVE_LEAVES[3]!, proof, FIVE_ROOT), "another leaf").to.equal(false);
      expect(verifyMerkleProof(leaf, proof.slice(0, 2), FIVE_ROOT), "a sibling missing").to.equal(false);
      expect(verifyMerkleProof(leaf, [...proof, proof[2]!], FIVE_ROOT), "a sibling added").to.equal(false);
      expect(verifyMerkleProof(leaf, [proof[1]!, proof[0]!, proof[2]!], FIVE_ROOT), "siblings swapped").to.equal(false);
      expect(verifyMerkleProof(leaf, proof, FIVE_PROOFS[4]![0]!), "another root").to.equal(false);
    });

    it("refuses malformed hashes instead of answering false", () => {
      const [leaf, proof] = [FIVE_LEAVES[2]!, FIVE_PROOFS[2]!];
      const cases: [() => unknown, string][] = [
        [() => verifyMerkleProof("0x1234", proof, FIVE_ROOT), "leaf"],
        [() => verifyMerkleProof(leaf, [proof[0]!, "0x"], FIVE_ROOT), "proof[1]"],
        [() => verifyMerkleProof(leaf, proof, FIVE_ROOT.slice(0, 65)), "root"],
        [() => verifyMerkleProof(leaf, "0x" as never, FIVE_ROOT), undefined as never],
      ];
      expect(cases.map(([run]) => [thrown(run).code, thrown(run).details?.field])).to.deep.equal(
        cases.map(([, field]) => ["invalid_hash", field]),
      );
    });
  });

  describe("anchorLeaf", () => {
    const payload = {
      iss: "did:ethr:0x5FbDB2315678afecb367f032d93F642f64180aa3",
      sub: "did:ethr:0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      jti: "urn:uuid:6f1b3c1e-0a54-4c4e-9d7a-1f1c2f0c7a10",
      nbf: 1_717_243_200,
      vc: {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        type: ["VerifiableCredential", "OpenBadgeCredential"],
        credentialSubject: { type: ["AchievementSubject"], achievement: { id: "https://example.edu/a/1", name: "Ä" } },
      },
    };
    const anchor = { type: "LERMerkleIssuanceAnchor", chainId: 31337, registry: "0x0", root: "0x0", proof: [] };

    it("is keccak256 of the UTF-8 of the payload's canonical JSON", () => {
      const text =
        '{"iss":"did:ethr:0x5FbDB2315678afecb367f032d93F642f64180aa3","jti":"urn:uuid:6f1b3c1e-0a54-4c4e-9d7a-1f1c2f0c7a10",' +
        '"nbf":1717243200,"sub":"did:ethr:0x70997970C51812dc3A010C7d01b50e0d17dc79C8","vc":{"@context":' +
        '["https://www.w3.org/2018/credentials/v1"],"credentialSubject":{"achievement":{"id":"https://example.edu/a/1",' +
        '"name":"Ä"},"type":["AchievementSubject"]},"type":["VerifiableCredential","OpenBadgeCredential"]}}';
      expect(canonicalize(payload)).to.equal(text);
      expect(anchorLeaf(payload)).to.equal(keccak256(toUtf8Bytes(text)));
      expect(anchorLeaf(payload)).to.equal("0xa96429cc3e3a20c84c007974b93b5d3b7f3907e4b5781740a255c69803b91269");
    });

    it("leaves out the anchor, whether in the vc claim or at the top of the payload", () => {
      const inVc = { ...payload, vc: { ...payload.vc, issuanceAnchor: anchor } };
      const atTop = { ...payload, issuanceAnchor: anchor };
      expect([anchorLeaf(inVc), anchorLeaf(atTop)]).to.deep.equal([anchorLeaf(payload), anchorLeaf(payload)]);
    });

    it("changes with any other member, however small the change", () => {
      const variants = [
        { ...payload, nbf: payload.nbf + 1 },
        { ...payload, vc: { ...payload.vc, type: ["VerifiableCredential"] } },
        { ...payload, vc: { ...payload.vc, issuanceanchor: anchor } },
        { ...payload, exp: 1_800_000_000 },
      ];
      const leaves = new Set([payload, ...variants].map((p) => anchorLeaf(p)));
      expect(leaves.size).to.equal(variants.length + 1);
    });

    it("does not modify its input, not even the vc claim it copies", () => {
      const input = structuredClone({
        ...payload,
        issuanceAnchor: anchor,
        vc: { ...payload.vc, issuanceAnchor: anchor },
      });
      const before = structuredClone(input);
      const vc = input.vc;
      anchorLeaf(input);
      expect(input).to.deep.equal(before);
      expect(input.vc).to.equal(vc);
    });

    it("refuses a payload that is not JSON data", () => {
      for (const bad of [[payload], { ...payload, exp: undefined }, { ...payload, nbf: Number.NaN }, new Date(0)]) {
        expect(thrown(() => anchorLeaf(bad)).code).to.equal("not_canonicalizable");
      }
    });
  });
});
