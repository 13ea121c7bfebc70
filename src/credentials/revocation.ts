import { keccak256Hex } from "./keccak.js";
import { anchorLeaf } from "./merkle.js";

/**
 * What a revocation by hash (`StatusRegistry.revokeHash`, under the issuer's address) names. A credential is revoked
 * by hash when any of these, under its issuer, is:
 *
 * - **the credential**: {@link credentialHash}, the keccak256 of the canonical JSON of its JWT payload without the
 *   issuance anchor, which is its anchor leaf. The header and the signature are left out, so the same claims re-signed
 *   (another `alg`, another `kid`, a key that was valid when the batch was anchored, a malleated signature) are the
 *   same credential, revoked too. This is what the agent revokes when given a credential.
 * - **its id**: {@link credentialIdHash} of the `jti`, keccak256 of its UTF-8 bytes: every credential of the issuer
 *   with that id. This is what the agent revokes when given an id.
 * - **the token** (releases before the credential hash): keccak256 of the compact JWT's bytes. Still honoured, so
 *   that what was revoked stays revoked; it names only those exact bytes.
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
  /** Every hash whose revocation under the issuer revokes it, distinct: the credential's, its id's, its token's. */
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
  const all = credential === undefined ? [] : [credential];
  if (typeof payload.jti === "string") all.push(credentialIdHash(payload.jti));
  all.push(keccak256Hex(token));
  return { credential, all: [...new Set(all)] };
}
