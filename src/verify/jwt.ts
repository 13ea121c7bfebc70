import { secp256k1 } from "@noble/curves/secp256k1";
import { sha256 } from "@noble/hashes/sha2";
import { computeAddress, hexlify } from "ethers";
import { LerError } from "../errors.js";
import type { SigningKeys } from "../did/ethr.js";

/** Tokens larger than this are refused before any parsing (credentials are a few kilobytes). */
export const MAX_JWT_BYTES = 256 * 1024;

/** The only algorithms a did:ethr key signs with. Anything else (`none`, HS256, …) is refused. */
export const JWT_ALGORITHMS = ["ES256K", "ES256K-R"] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export interface DecodedJwt {
  raw: string;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  alg: JwtAlgorithm;
  /** `header.payload`, the bytes the signature covers. */
  signingInput: string;
  signature: Uint8Array;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Decodes a compact JWS strictly: three base64url parts, JSON objects, an accepted algorithm. */
export function decodeJwt(token: unknown): DecodedJwt {
  if (typeof token !== "string") throw new LerError("malformed_jwt", "The credential is not a JWT string.");
  if (token.length > MAX_JWT_BYTES) {
    throw new LerError("token_too_large", `The token has ${token.length} bytes; at most ${MAX_JWT_BYTES} are accepted.`);
  }
  const parts = token.trim().split(".");
  if (parts.length !== 3 || parts.some((p) => p.length === 0 || !BASE64URL.test(p))) {
    throw new LerError("malformed_jwt", "A JWT has three non-empty base64url parts separated by dots.");
  }
  const [h, p, s] = parts as [string, string, string];
  const header = jsonPart(h, "header");
  const payload = jsonPart(p, "payload");
  const alg = header.alg;
  if (typeof alg !== "string" || !(JWT_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new LerError("unsupported_alg", `JWT algorithm ${JSON.stringify(alg)} is not accepted (ES256K or ES256K-R).`);
  }
  const signature = Buffer.from(s, "base64url");
  const expected = alg === "ES256K" ? 64 : 65;
  if (signature.length !== expected) {
    throw new LerError("malformed_signature", `An ${alg} signature has ${expected} bytes, not ${signature.length}.`);
  }
  return { raw: token.trim(), header, payload, alg: alg as JwtAlgorithm, signingInput: `${h}.${p}`, signature };
}

function jsonPart(part: string, name: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    throw new LerError("malformed_jwt", `The JWT ${name} is not valid JSON.`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new LerError("malformed_jwt", `The JWT ${name} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

/**
 * The addresses whose keys could have made this signature: one for ES256K-R, up to two for ES256K (both recovery
 * ids). A signature checks out against a key set when one of these is an allowed address or the address of an
 * allowed public key; recovering to an address proves the signature valid for that key.
 */
export function signerCandidates(jwt: DecodedJwt): string[] {
  const hash = sha256(Buffer.from(jwt.signingInput, "ascii"));
  const compact = jwt.signature.subarray(0, 64);
  const ids = jwt.alg === "ES256K-R" ? [normalizeRecovery(jwt.signature[64]!)] : [0, 1];
  const out: string[] = [];
  for (const id of ids) {
    if (id === undefined) continue;
    try {
      const point = secp256k1.Signature.fromCompact(compact).addRecoveryBit(id).recoverPublicKey(hash);
      out.push(computeAddress(hexlify(point.toRawBytes(false))));
    } catch {
      // Not a point for this recovery id: that candidate does not exist.
    }
  }
  return out;
}

function normalizeRecovery(v: number): number | undefined {
  if (v === 0 || v === 1) return v;
  if (v === 27 || v === 28) return v - 27;
  return undefined;
}

/** Whether one of `keys` made the signature of `jwt`. */
export function signedBy(jwt: DecodedJwt, keys: SigningKeys): boolean {
  if (keys.deactivated) return false;
  const allowed = new Set(keys.addresses);
  for (const pk of keys.publicKeys) {
    try {
      allowed.add(computeAddress(pk));
    } catch {
      // A malformed key attribute signs nothing.
    }
  }
  return signerCandidates(jwt).some((a) => allowed.has(a));
}
