import { keccak256Hex } from "./keccak.js";
import { anchorLeaf } from "./merkle.js";

/**
 * What a revocation by hash (`StatusRegistry.revokeHash`, under the issuer's address) names: the credential's
 * **identity**, not the bytes of one token of it.
 *
 * - A credential with an id (`jti`, which mirrors its `id`) is named by {@link credentialIdHash}: keccak256 of the
 *   id's UTF-8 bytes. Every token with that id from that issuer is the same credential: the same claims re-signed
 *   (another `alg`, another `kid`, a key that was valid when its batch was anchored, a malleated signature) are revoked
 *   with it. A token whose claims differ in anything else is not the anchored credential (its anchor proof fails), so
 *   it is judged by today's keys, which a former key holder does not have.
 * - A credential without an id is named by {@link credentialHash}: keccak256 of the RFC 8785 canonical JSON of its
 *   payload without the issuance anchor (its anchor leaf), which leaves the header and the signature out as well.
 * - A VC 1.1 credential (a `vc` claim) is also revoked by the hash of its token's bytes, which earlier releases
 *   revoked: what was revoked stays revoked. Those releases issued only that form.
 */
export function credentialHash(payload: object): string {
  return anchorLeaf(payload);
}

/** The hash a revocation by credential id names: keccak256 of the id's UTF-8 bytes. */
export function credentialIdHash(id: string): string {
  return keccak256Hex(id);
}

/** The hashes a credential is revoked by, as {@link revocationHashesOf} gives them. */
export interface RevocationHashes {
  /** Its credential hash (its anchor leaf), unless the payload is not canonical JSON (a float, a number beyond 2^53). */
  credential: string | undefined;
  /** The hash that names it: its id's when it has one, else its credential hash (else, not canonical, its token's). */
  identity: string;
  /** Every hash whose revocation under the issuer revokes it, distinct: its identity, and its token's in VC 1.1. */
  all: string[];
}

/** The hashes whose revocation (under the issuer) revokes the credential of this payload and compact token. */
export function revocationHashesOf(payload: Record<string, unknown>, token: string): RevocationHashes {
  let credential: string | undefined;
  try {
    credential = credentialHash(payload);
  } catch {
    // Not canonical JSON: no credential hash, and no anchor either (the anchor check reports why).
  }
  const tokenHash = (): string => keccak256Hex(token);
  const identity = typeof payload.jti === "string" ? credentialIdHash(payload.jti) : (credential ?? tokenHash());
  const legacy = Object.hasOwn(payload, "vc") ? tokenHash() : undefined;
  return { credential, identity, all: legacy === undefined || legacy === identity ? [identity] : [identity, legacy] };
}
