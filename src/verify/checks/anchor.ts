import { LerError } from "../../errors.js";
import {
  checkAnchorProof,
  issuanceAnchorOf,
  verifyMerkleProof,
  type IssuanceAnchorProof,
} from "../../credentials/index.js";
import { hashKey, type ChainSnapshot } from "../../chain/snapshotPlan.js";
import type { VerifierScope } from "../context.js";
import type { VerifierMemory } from "../memory.js";
import type { Check } from "../report.js";
import { failure, iso, type JudgedAt } from "./common.js";

/**
 * The anchor check before the chain is read: a credential's issuance anchor, when it has one, is on this chain
 * (`anchor_wrong_chain`), in this deployment's StatusRegistry (`anchor_unknown_registry`), and its Merkle proof leads
 * from the credential to the root (`anchor_proof_mismatch`); a malformed anchor fails with its code. Gives the root
 * to look up, or undefined for a credential without an anchor. `leaf`: the credential hash, when the payload has one
 * (computed once, for the revocation and the proof).
 */
export function anchorProofCheck(
  payload: Record<string, unknown>,
  leaf: string | undefined,
  scope: VerifierScope,
  memory: VerifierMemory,
): string | Check | undefined {
  let anchor: IssuanceAnchorProof | undefined;
  try {
    anchor = issuanceAnchorOf(payload);
  } catch (e) {
    return failure("anchor", e);
  }
  if (anchor === undefined) return undefined;
  try {
    if (anchor.chainId !== scope.deployment.chainId) {
      throw new LerError(
        "anchor_wrong_chain",
        `The anchor is on chain ${anchor.chainId}, not ${scope.deployment.chainId}.`,
      );
    }
    // parseIssuanceAnchor gives the registry checksummed, as deployments hold addresses.
    if (anchor.registry !== scope.deployment.contracts.StatusRegistry.address) {
      throw new LerError(
        "anchor_unknown_registry",
        `The anchor names registry ${anchor.registry}, which is not this deployment's.`,
      );
    }
    // Without a leaf, checkAnchorProof says why the payload has none.
    if (
      !(leaf !== undefined ? verifyMerkleProof(leaf, anchor.proof, anchor.root) : checkAnchorProof(payload, anchor))
    ) {
      throw new LerError("anchor_proof_mismatch", "The anchor proof does not lead from this credential to its root.");
    }
    const root = anchor.root;
    return memory.text(`rt|${root}`, () => root);
  } catch (e) {
    return failure("anchor", e);
  }
}

/**
 * The anchor check against the chain: the issuance time is the block time the issuer's root was anchored at
 * (`anchored`); a root not on chain (`anchor_not_found`) or no anchor (`not_anchored`) leaves trust judged at `now`,
 * and the check (skipped) says so. `root`: what `anchorProofCheck` gave, undefined without an anchor (or when that
 * check failed: `check` is then undefined, the failure standing). Also gives the time trust and keys are judged at.
 */
export function anchorCheck(
  issuer: string,
  root: string | undefined,
  failed: boolean,
  snap: ChainSnapshot,
  now: number,
  memory: VerifierMemory,
): {
  check: Check | undefined;
  judged: JudgedAt;
  trustedTime: { at: number; source: "anchor" | "now"; anchorBlock?: number };
} {
  if (root !== undefined) {
    const anchored = snap.anchors.get(hashKey(issuer, root));
    if (anchored !== undefined && anchored.timestamp > 0n) {
      const at = Number(anchored.timestamp);
      const block = Number(anchored.blockNumber);
      return {
        judged: { at: anchored.timestamp, source: "anchor", keysAt: { block, time: anchored.timestamp } },
        trustedTime: memory.intern(`tt|${at}|${block}`, () => ({ at, source: "anchor" as const, anchorBlock: block })),
        check: memory.intern(`c|an|${root}|${at}|${block}`, (): Check => ({
          id: "anchor",
          outcome: "pass",
          code: "anchored",
          message: `Issued by ${iso(at)} (anchored in block ${block}).`,
          details: { root, block, timestamp: at },
        })),
      };
    }
  }
  const judged: JudgedAt = { at: BigInt(now), source: "now", keysAt: { block: snap.block, time: BigInt(now) } };
  const trustedTime = memory.intern(`tt|${now}`, () => ({ at: now, source: "now" as const }));
  if (root !== undefined) {
    return {
      judged,
      trustedTime,
      check: {
        id: "anchor",
        outcome: "skipped",
        code: "anchor_not_found",
        message: "The anchor root is not on chain (yet): trust is judged now.",
      },
    };
  }
  return {
    judged,
    trustedTime,
    check: failed
      ? undefined
      : { id: "anchor", outcome: "skipped", code: "not_anchored", message: "No issuance anchor: trust is judged now." },
  };
}
