import { createHash } from "node:crypto";
import { getAddress } from "ethers";
import { LerError } from "../errors.js";
import type { SigningKeys } from "../did/ethr.js";
import { addressOfPublicKey, secp256k1Backend, uncompressedKey, type Secp256k1Backend } from "./secp256k1.js";

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

/**
 * A token `decodeJwt` decoded: what every later step reads (checks, summaries, the CLI's report) instead of decoding
 * the token again. Passed where a token is expected, it is taken as it is (`decodeJwt` returns it).
 */
class Jwt implements DecodedJwt {
  constructor(
    readonly raw: string,
    readonly header: Record<string, unknown>,
    readonly payload: Record<string, unknown>,
    readonly alg: JwtAlgorithm,
    readonly signingInput: string,
    readonly signature: Uint8Array,
  ) {}
}

/** Whether `value` is a token `decodeJwt` already decoded (never true of parsed JSON, whatever its members). */
export function isDecodedJwt(value: unknown): value is DecodedJwt {
  return value instanceof Jwt;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes a compact JWS strictly: three base64url parts, JSON objects, an accepted algorithm. A token this function
 * decoded before is returned as it is.
 */
export function decodeJwt(token: unknown): DecodedJwt {
  if (token instanceof Jwt) return token;
  if (typeof token !== "string") throw new LerError("malformed_jwt", "The credential is not a JWT string.");
  if (token.length > MAX_JWT_BYTES) {
    throw new LerError(
      "token_too_large",
      `The token has ${token.length} bytes; at most ${MAX_JWT_BYTES} are accepted.`,
    );
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
  // RFC 7515 §4.1.11: a recipient must refuse a JWS whose `crit` names an extension it does not understand. This
  // verifier understands none, and an empty or malformed `crit` is itself an error: any `crit` is refused.
  if (Object.hasOwn(header, "crit")) {
    throw new LerError(
      "unsupported_crit",
      `The JOSE header marks ${JSON.stringify(header.crit)} critical: no header extension is supported here.`,
    );
  }
  // A copy: a small Buffer is a view of an 8 KB pool slab, which it would keep alive as long as the JWT is kept.
  const signature = new Uint8Array(Buffer.from(s, "base64url"));
  const expected = alg === "ES256K" ? 64 : 65;
  if (signature.length !== expected) {
    throw new LerError("malformed_signature", `An ${alg} signature has ${expected} bytes, not ${signature.length}.`);
  }
  checkCanonicalSignature(s, signature, alg as JwtAlgorithm);
  return new Jwt(token.trim(), header, payload, alg as JwtAlgorithm, `${h}.${p}`, signature);
}

// Half the order of secp256k1: a canonical signature has s at most this (the "low-S" form every signer produces).
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/**
 * One signature, one token: revocation by hash keys on the token's bytes, so every other encoding of the same
 * signature (its high-S twin, base64url with other unused bits, a 27/28 recovery byte) is refused rather than
 * given a fresh, unrevoked hash.
 */
function checkCanonicalSignature(encoded: string, signature: Uint8Array, alg: JwtAlgorithm): void {
  if (Buffer.from(signature).toString("base64url") !== encoded) {
    throw new LerError("malformed_signature", "The signature is not in canonical base64url.");
  }
  let sValue = 0n;
  for (const byte of signature.subarray(32, 64)) sValue = (sValue << 8n) | BigInt(byte);
  if (sValue === 0n || sValue > HALF_N) {
    throw new LerError("malformed_signature", "The signature is not in canonical low-S form.");
  }
  if (alg === "ES256K-R" && signature[64]! > 1) {
    throw new LerError("malformed_signature", "The ES256K-R recovery byte must be 0 or 1.");
  }
}

// Strict UTF-8: a decoder that replaced bad bytes with U+FFFD would read one meaning out of many byte strings, each
// with its own signature and hash. A byte-order mark is kept (and then fails JSON.parse): JSON text has none.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function jsonPart(part: string, name: string): Record<string, unknown> {
  let text: string;
  try {
    text = UTF8.decode(Buffer.from(part, "base64url"));
  } catch {
    // RFC 7519 §7.2: the header and the claims are UTF-8 (invalid, overlong, surrogate and truncated sequences are not).
    throw new LerError("invalid_encoding", `The JWT ${name} is not valid UTF-8.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new LerError("malformed_jwt", `The JWT ${name} is not valid JSON.`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new LerError("malformed_jwt", `The JWT ${name} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

/** sha256 of the JWS signing input: what an ES256K signature signs. */
export function signingHash(jwt: DecodedJwt): Uint8Array {
  return createHash("sha256").update(jwt.signingInput, "latin1").digest();
}

/**
 * The addresses whose keys could have made this signature: one for ES256K-R, up to two for ES256K (both recovery
 * ids). A signature checks out against a key set when one of these is an allowed address or the address of an
 * allowed public key; recovering to an address proves the signature valid for that key.
 */
export function signerCandidates(jwt: DecodedJwt, backend: Secp256k1Backend = secp256k1Backend): string[] {
  const hash = signingHash(jwt);
  const compact = jwt.signature.subarray(0, 64);
  const ids = jwt.alg === "ES256K-R" ? [normalizeRecovery(jwt.signature[64]!)] : [0, 1];
  const out: string[] = [];
  for (const id of ids) {
    if (id === undefined) continue;
    const key = backend.recover(compact, id, hash);
    if (key !== undefined) out.push(getAddress(addressOfPublicKey(key)));
  }
  return out;
}

function normalizeRecovery(v: number): number | undefined {
  if (v === 0 || v === 1) return v;
  if (v === 27 || v === 28) return v - 27;
  return undefined;
}

/** The addresses (lowercase) a key set allows, and the public keys it names (uncompressed). */
export interface AllowedKeys {
  addresses: Set<string>;
  keys: Uint8Array[];
}

/**
 * What signature checks may remember (a `VerifierMemory` is one): public keys learnt from signatures that recovered
 * to an address (keccak256 ties a key to its address for good, so the next signature by the same address needs one
 * verification instead of up to two recoveries), and the addresses and keys of key sets by their content (every
 * credential of an issuer at one time has the same key set; public keys cost a point decompression each). Without
 * one, nothing is remembered.
 */
export interface SignatureMemory {
  readonly learnt: Map<string, Uint8Array>;
  readonly allowedSets: Map<string, AllowedKeys>;
  readonly maxKeys: number;
}

function learn(memory: SignatureMemory | undefined, address: string, key: Uint8Array): void {
  if (memory === undefined) return;
  if (memory.learnt.size >= memory.maxKeys) memory.learnt.clear();
  memory.learnt.set(address, key);
}

function allowed(keys: SigningKeys, memory: SignatureMemory | undefined): AllowedKeys {
  const id = memory === undefined ? "" : `${keys.addresses.join(",")}|${keys.publicKeys.join(",")}`;
  let a = memory?.allowedSets.get(id);
  if (a !== undefined) return a;
  a = { addresses: new Set(keys.addresses.map((x) => x.toLowerCase())), keys: [] };
  for (const pk of keys.publicKeys) {
    // A malformed key attribute signs nothing.
    const hex = /^0x[0-9a-f]{128}$/.test(pk) ? `04${pk.slice(2)}` : pk.slice(2);
    const bytes = /^(?:0[23][0-9a-f]{64}|04[0-9a-f]{128})$/.test(hex)
      ? uncompressedKey(Buffer.from(hex, "hex"))
      : undefined;
    if (bytes === undefined) continue;
    a.keys.push(bytes);
    a.addresses.add(addressOfPublicKey(bytes));
  }
  if (memory !== undefined) {
    if (memory.allowedSets.size >= memory.maxKeys) memory.allowedSets.clear();
    memory.allowedSets.set(id, a);
  }
  return a;
}

/**
 * The check of a signature whose JOSE header names the signing key as a `jwk` (`publicKey`, uncompressed): `valid`
 * when that key is one of `keys` and made the signature; `not_issuer_key` when the key is none of the issuer's; else
 * `invalid`. One verification, as the key is given.
 */
export function signatureByKey(
  jwt: SignatureParts,
  keys: SigningKeys,
  publicKey: Uint8Array,
  backend: Secp256k1Backend = secp256k1Backend,
  memory?: SignatureMemory,
): "valid" | "not_issuer_key" | "invalid" {
  if (keys.deactivated) return "invalid";
  if (!allowed(keys, memory).addresses.has(addressOfPublicKey(publicKey))) return "not_issuer_key";
  const compact = jwt.signature.subarray(0, 64);
  if (jwt.alg === "ES256K-R") {
    const id = normalizeRecovery(jwt.signature[64]!);
    const key = id === undefined ? undefined : backend.recover(compact, id, jwt.digest);
    return key !== undefined && Buffer.compare(key, publicKey) === 0 ? "valid" : "invalid";
  }
  return backend.verify(compact, jwt.digest, publicKey) ? "valid" : "invalid";
}

/** What a signature check needs of a JWT: its algorithm, its signature, and the sha256 of its signing input. */
export interface SignatureParts {
  alg: JwtAlgorithm;
  signature: Uint8Array;
  digest: Uint8Array;
}

/** Whether one of `keys` made the signature of `jwt`. */
export function signedBy(
  jwt: DecodedJwt,
  keys: SigningKeys,
  backend: Secp256k1Backend = secp256k1Backend,
  memory?: SignatureMemory,
): boolean {
  return signatureValid({ alg: jwt.alg, signature: jwt.signature, digest: signingHash(jwt) }, keys, backend, memory);
}

/** Whether one of `keys` made the signature whose parts are given. */
export function signatureValid(
  jwt: SignatureParts,
  keys: SigningKeys,
  backend: Secp256k1Backend = secp256k1Backend,
  memory?: SignatureMemory,
): boolean {
  if (keys.deactivated) return false;
  const { addresses, keys: publicKeys } = allowed(keys, memory);
  const hash = jwt.digest;
  const compact = jwt.signature.subarray(0, 64);
  if (jwt.alg === "ES256K-R") {
    const id = normalizeRecovery(jwt.signature[64]!);
    const key = id === undefined ? undefined : backend.recover(compact, id, hash);
    return key !== undefined && addresses.has(addressOfPublicKey(key));
  }
  // ES256K: first the keys known for the allowed addresses (one verification each), then the two recoveries.
  for (const key of publicKeys) if (backend.verify(compact, hash, key)) return true;
  if (memory !== undefined) {
    for (const address of addresses) {
      const key = memory.learnt.get(address);
      if (key !== undefined && !publicKeys.includes(key) && backend.verify(compact, hash, key)) return true;
    }
  }
  for (const id of [0, 1]) {
    const key = backend.recover(compact, id, hash);
    if (key === undefined) continue;
    const address = addressOfPublicKey(key);
    if (addresses.has(address)) {
      learn(memory, address, key);
      return true;
    }
  }
  return false;
}
