import { LerError } from "../errors.js";
import { ISSUANCE_ANCHOR_MEMBER, anchorLeaf, buildMerkleTree, verifyMerkleProof } from "./merkle.js";
import { checksumAddress, isPlainObject, unknownMembers } from "./values.js";

export const ISSUANCE_ANCHOR_TYPE = "LERMerkleIssuanceAnchor";

/** Longest proof accepted: a batch of 2^64 credentials needs 64 siblings, so a longer proof can only be junk. */
export const MAX_PROOF_LENGTH = 64;

/**
 * Proof that a credential belongs to a batch whose Merkle root the issuer anchored with `StatusRegistry.anchor(issuer,
 * root)` on chain `chainId` at `registry`. It travels inside the signed credential; the block time of that anchor is
 * the credential's trusted issuance time.
 */
export type IssuanceAnchorProof = {
  type: typeof ISSUANCE_ANCHOR_TYPE;
  chainId: number;
  /** The StatusRegistry address, checksummed. */
  registry: string;
  /** The batch's Merkle root, lowercase hex. */
  root: string;
  /** Sibling hashes from the credential's leaf up to `root`, lowercase hex. */
  proof: string[];
};

export interface AnchorBatchParameters {
  chainId: number;
  /** The StatusRegistry the root will be anchored at. */
  registry: string;
}

export interface AnchorBatchReturnType {
  /** The root to pass to `StatusRegistry.anchor(issuer, root)`. */
  root: string;
  /** The anchor for each payload, in the order given, to embed before signing. */
  anchors: IssuanceAnchorProof[];
}

const MEMBERS = ["type", "chainId", "registry", "root", "proof"] as const;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const ZERO_ROOT = `0x${"0".repeat(64)}`;

/**
 * Checks an `issuanceAnchor` value member by member and returns it with the registry checksummed and the hashes in
 * lowercase. Anything else, including unknown members, throws `invalid_anchor` naming the member.
 */
export function parseIssuanceAnchor(value: unknown): IssuanceAnchorProof {
  if (!isPlainObject(value)) fail("issuanceAnchor", "is not an object");
  const extra = unknownMembers(value, MEMBERS);
  if (extra.length > 0) fail(`issuanceAnchor.${extra[0]}`, "is not a member of an issuance anchor");
  if (value.type !== ISSUANCE_ANCHOR_TYPE) fail("issuanceAnchor.type", `is not "${ISSUANCE_ANCHOR_TYPE}"`);
  const { chainId } = value;
  if (typeof chainId !== "number" || !Number.isSafeInteger(chainId) || chainId <= 0) {
    fail("issuanceAnchor.chainId", "is not a positive integer");
  }
  const registry = checksumAddress(value.registry);
  if (registry === undefined) fail("issuanceAnchor.registry", "is not an address (or its checksum is wrong)");
  const root = value.root;
  if (typeof root !== "string" || !BYTES32.test(root)) fail("issuanceAnchor.root", "is not a bytes32 hash");
  if (root.toLowerCase() === ZERO_ROOT) fail("issuanceAnchor.root", "is zero, which the registry never anchors");
  const proof = value.proof;
  if (!Array.isArray(proof)) fail("issuanceAnchor.proof", "is not an array");
  if (proof.length > MAX_PROOF_LENGTH) fail("issuanceAnchor.proof", `has more than ${MAX_PROOF_LENGTH} hashes`);
  proof.forEach((p: unknown, i) => {
    if (typeof p !== "string" || !BYTES32.test(p)) fail(`issuanceAnchor.proof[${i}]`, "is not a bytes32 hash");
  });
  return {
    type: ISSUANCE_ANCHOR_TYPE,
    chainId,
    registry,
    root: root.toLowerCase(),
    proof: (proof as string[]).map((p) => p.toLowerCase()),
  };
}

/**
 * The issuance anchor carried by a JWT payload or a W3C credential, parsed; undefined when it carries none. It is
 * read from the top-level `issuanceAnchor` member or from `vc.issuanceAnchor`; both at once is `invalid_anchor`.
 */
export function issuanceAnchorOf(payload: object): IssuanceAnchorProof | undefined {
  const top = (payload as Record<string, unknown>)[ISSUANCE_ANCHOR_MEMBER];
  const vc = (payload as Record<string, unknown>).vc;
  const inVc = isPlainObject(vc) ? vc[ISSUANCE_ANCHOR_MEMBER] : undefined;
  if (top !== undefined && inVc !== undefined) {
    fail("issuanceAnchor", "appears both at the top of the payload and in its vc claim");
  }
  const value = top !== undefined ? top : inVc;
  return value === undefined ? undefined : parseIssuanceAnchor(value);
}

/**
 * Whether `anchor.proof` leads from the credential's leaf ({@link anchorLeaf} of `jwtPayload`) to `anchor.root`. It
 * says nothing about the chain: the verifier still reads `StatusRegistry.anchorOf(issuer, anchor.root)` there.
 */
export function checkAnchorProof(jwtPayload: object, anchor: IssuanceAnchorProof): boolean {
  return verifyMerkleProof(anchorLeaf(jwtPayload), anchor.proof, anchor.root);
}

/**
 * The issuer's side: the tree over the JWT payloads of one batch (exactly as they will be signed, without anchors),
 * its root and one anchor per payload.
 */
export function anchorBatch(payloads: readonly object[], params: AnchorBatchParameters): AnchorBatchReturnType {
  const tree = buildMerkleTree(payloads.map((p) => anchorLeaf(p)));
  const base = parseIssuanceAnchor({
    type: ISSUANCE_ANCHOR_TYPE,
    chainId: params.chainId,
    registry: params.registry,
    root: tree.root,
    proof: [],
  });
  return { root: tree.root, anchors: payloads.map((_, i) => ({ ...base, proof: tree.proof(i) })) };
}

function fail(field: string, why: string): never {
  throw new LerError("invalid_anchor", `${field} ${why}.`, { details: { field } });
}
