import { hexlify } from "ethers";
import { LerError } from "../errors.js";
import { canonicalize } from "./canonical.js";
import { keccak256Concat, keccak256Hex } from "./keccak.js";
import { isPlainObject } from "./values.js";

/**
 * Where the issuance anchor sits in a credential. did-jwt-vc keeps a W3C credential's `issuanceAnchor` member at the
 * top of the JWT payload; an issuer that writes JWT claims itself may put it in the `vc` claim. The leaf leaves out
 * both places, so the anchor (which carries the root computed from the leaves) can be signed with the credential.
 */
export const ISSUANCE_ANCHOR_MEMBER = "issuanceAnchor";

// The value of each ASCII hex digit, -1 for every other code unit below 128.
const HEX_VALUES = Int8Array.from({ length: 128 }, (_, c) =>
  "0123456789abcdef".indexOf(String.fromCharCode(c).toLowerCase()),
);

/** A Merkle tree over a batch of bytes32 leaves, with OpenZeppelin `MerkleProof`-compatible pair hashing. */
export interface MerkleTree {
  /** The root (the leaf itself for a batch of one), lowercase hex. */
  readonly root: string;
  /** How many leaves the tree holds. */
  readonly size: number;
  /** The sibling hashes from leaf `index` up to the root, lowercase hex; empty for a batch of one. */
  proof(index: number): string[];
}

/**
 * keccak256 of the two bytes32 values in ascending order: OpenZeppelin's `Hashes.commutativeKeccak256`, which
 * `MerkleProof.verify` uses, so a proof from this tree verifies on chain as well.
 */
export function hashPair(a: string, b: string): string {
  const x = parseHash(a, "a");
  const y = parseHash(b, "b");
  const out = new Uint8Array(32);
  hashSortedPair(x, 0, y, 0, out, 0);
  return hexlify(out);
}

/** The root of the tree over `leaves` (see {@link buildMerkleTree}), without keeping the inner levels. */
export function merkleRoot(leaves: readonly string[]): string {
  const levels = buildLevels(leaves, false);
  return hexlify(levels[levels.length - 1]!.subarray(0, 32));
}

/**
 * Builds the tree over `leaves`, in their order. Each level pairs neighbours (0 with 1, 2 with 3, ...) with
 * {@link hashPair}; an unpaired last node moves up unchanged, so it adds no element to the proofs below it.
 * Throws `empty_batch` for no leaves and `invalid_hash` for a leaf that is not 0x and 64 hex digits.
 */
export function buildMerkleTree(leaves: readonly string[]): MerkleTree {
  const levels = buildLevels(leaves, true);
  const size = leaves.length;
  const root = hexlify(levels[levels.length - 1]!.subarray(0, 32));
  return {
    root,
    size,
    proof(index: number): string[] {
      if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
        throw new LerError("index_out_of_range", `Leaf ${index} is not in a tree of ${size} leaves.`, {
          details: { index, size },
        });
      }
      const proof: string[] = [];
      let i = index;
      for (let level = 0; level < levels.length - 1; level++) {
        const nodes = levels[level]!;
        const sibling = i ^ 1;
        if (sibling * 32 < nodes.length) proof.push(hexlify(nodes.subarray(sibling * 32, sibling * 32 + 32)));
        i >>= 1;
      }
      return proof;
    },
  };
}

/**
 * Whether `proof` leads from `leaf` to `root` (OpenZeppelin `MerkleProof.verify`). Malformed hashes throw
 * `invalid_hash` instead of reading as a failed proof, so a caller can tell bad input from a wrong credential.
 */
export function verifyMerkleProof(leaf: string, proof: readonly string[], root: string): boolean {
  if (!Array.isArray(proof)) throw new LerError("invalid_hash", "The proof is not an array of bytes32 hashes.");
  // Every hash is checked before any is used: a malformed proof throws whatever its length.
  const buf = new Uint8Array(32 * (proof.length + 2));
  parseHashInto(leaf, "leaf", buf, 0);
  proof.forEach((p, i) => parseHashInto(p, `proof[${i}]`, buf, 32 * (i + 2)));
  parseHashInto(root, "root", buf, 32);
  for (let i = 0; i < proof.length; i++) hashSortedPair(buf, 0, buf, 32 * (i + 2), buf, 0);
  return compare32(buf, 0, buf, 32) === 0;
}

/**
 * The Merkle leaf of a credential: keccak256 of the UTF-8 bytes of the RFC 8785 canonical JSON of its JWT payload,
 * with the issuance anchor left out (the `issuanceAnchor` member of the payload and of its `vc` claim). The input is
 * not modified.
 */
export function anchorLeaf(jwtPayload: object): string {
  return keccak256Hex(canonicalize(withoutAnchor(jwtPayload)));
}

// A copy of `payload` without its issuance anchor: the objects on the way are copied, the rest is shared.
function withoutAnchor(payload: object): Record<string, unknown> {
  if (!isPlainObject(payload)) {
    throw new LerError("not_canonicalizable", "A JWT payload must be a plain JSON object.", { details: { path: "$" } });
  }
  const { [ISSUANCE_ANCHOR_MEMBER]: _top, ...rest } = payload;
  const vc = rest.vc;
  if (isPlainObject(vc) && ISSUANCE_ANCHOR_MEMBER in vc) {
    const { [ISSUANCE_ANCHOR_MEMBER]: _inVc, ...vcRest } = vc;
    rest.vc = vcRest;
  }
  return rest;
}

function buildLevels(leaves: readonly string[], keep: boolean): Uint8Array[] {
  if (!Array.isArray(leaves)) throw new LerError("invalid_hash", "The leaves are not an array of bytes32 hashes.");
  if (leaves.length === 0) throw new LerError("empty_batch", "A Merkle tree needs at least one leaf.");
  let nodes = new Uint8Array(leaves.length * 32);
  leaves.forEach((leaf, i) => parseHashInto(leaf, `leaves[${i}]`, nodes, i * 32));
  const levels = [nodes];
  for (let count = leaves.length; count > 1;) {
    const parents = Math.ceil(count / 2);
    const next = new Uint8Array(parents * 32);
    for (let i = 0; i + 1 < count; i += 2) hashSortedPair(nodes, i * 32, nodes, i * 32 + 32, next, i * 16);
    if (count % 2 === 1) next.set(nodes.subarray((count - 1) * 32, count * 32), (parents - 1) * 32);
    if (keep) levels.push(next);
    else levels[0] = next;
    nodes = next;
    count = parents;
  }
  return levels;
}

function hashSortedPair(x: Uint8Array, xo: number, y: Uint8Array, yo: number, out: Uint8Array, oo: number): void {
  if (compare32(x, xo, y, yo) <= 0) keccak256Concat(x, xo, y, yo, out, oo);
  else keccak256Concat(y, yo, x, xo, out, oo);
}

function compare32(x: Uint8Array, xo: number, y: Uint8Array, yo: number): number {
  for (let i = 0; i < 32; i++) {
    const d = x[xo + i]! - y[yo + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

function parseHash(value: unknown, what: string): Uint8Array {
  const out = new Uint8Array(32);
  parseHashInto(value, what, out, 0);
  return out;
}

// Decodes and checks in one pass: for a large batch, a regular expression and ethers' getBytes per leaf would cost
// more than hashing the whole tree.
function parseHashInto(value: unknown, what: string, out: Uint8Array, offset: number): void {
  if (typeof value === "string" && value.length === 66 && value.charCodeAt(0) === 48 && value.charCodeAt(1) === 120) {
    let bad = 0;
    for (let i = 0; i < 32; i++) {
      const hi = HEX_VALUES[value.charCodeAt(2 + 2 * i)] ?? -1;
      const lo = HEX_VALUES[value.charCodeAt(3 + 2 * i)] ?? -1;
      bad |= hi | lo;
      out[offset + i] = (hi << 4) | lo;
    }
    if (bad >= 0) return;
  }
  throw new LerError("invalid_hash", `${what} is not a bytes32 hash (0x and 64 hex digits).`, {
    details: { field: what, value },
  });
}
