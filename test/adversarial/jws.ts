// Raw compact-JWS tools for the adversarial suites: build tokens byte by byte (duplicate members, odd headers,
// non-canonical encodings) and sign them with a known secp256k1 key, bypassing every library that would refuse.
// A helper module, not a test file: importing it has no side effects.
import { secp256k1 } from "@noble/curves/secp256k1";
import { sha256 } from "@noble/hashes/sha2";
import { Wallet } from "ethers";

/** base64url of a string (taken as UTF-8), a byte array, or a JSON value. */
export function b64url(value: unknown): string {
  if (typeof value === "string") return Buffer.from(value, "utf8").toString("base64url");
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64url");
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

export type Alg = "ES256K" | "ES256K-R";

export interface SignOptions {
  /** The header as an object or as raw JSON text (for duplicate members); default `{ alg, typ: "JWT" }`. */
  header?: Record<string, unknown> | string;
  /** Which signature encoding to produce; default ES256K (64 bytes r || s). */
  alg?: Alg;
}

/** The secp256k1 signature of sha256(signingInput), low-S, as ES256K (64 bytes) or ES256K-R (65 bytes). */
export function signRaw(signingInput: string, privateKey: string, alg: Alg = "ES256K"): Uint8Array {
  const hash = sha256(Buffer.from(signingInput, "ascii"));
  const sig = secp256k1.sign(hash, Buffer.from(privateKey.replace(/^0x/, ""), "hex"), { lowS: true });
  const compact = sig.toCompactRawBytes();
  if (alg === "ES256K") return compact;
  return Uint8Array.from([...compact, sig.recovery]);
}

/**
 * A compact JWS over `payload` (an object, or raw JSON text for payloads JSON.stringify cannot write), signed by
 * `key` (a private key hex or a Wallet).
 */
export function signJwt(
  payload: Record<string, unknown> | string,
  key: string | Wallet,
  options: SignOptions = {},
): string {
  const alg = options.alg ?? "ES256K";
  const header = options.header ?? { alg, typ: "JWT" };
  const h = typeof header === "string" ? b64url(header) : b64url(header);
  const p = typeof payload === "string" ? b64url(payload) : b64url(payload);
  const privateKey = typeof key === "string" ? key : key.privateKey;
  return `${h}.${p}.${b64url(signRaw(`${h}.${p}`, privateKey, alg))}`;
}

/** The three parts of a compact JWS. */
export function parts(jwt: string): [string, string, string] {
  const [h, p, s] = jwt.split(".");
  return [h ?? "", p ?? "", s ?? ""];
}

/** The decoded payload of a compact JWS. */
export function payloadOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(parts(jwt)[1], "base64url").toString("utf8")) as Record<string, unknown>;
}

/** The same ES256K signature with s replaced by n - s: equally valid for the same key, a different token. */
export function malleate(jwt: string): string {
  const [h, p, s] = parts(jwt);
  const sig = Buffer.from(s, "base64url");
  const n = secp256k1.CURVE.n;
  const high = n - BigInt(`0x${sig.subarray(32, 64).toString("hex")}`);
  const out = Buffer.concat([
    sig.subarray(0, 32),
    Buffer.from(high.toString(16).padStart(64, "0"), "hex"),
    sig.subarray(64),
  ]);
  return `${h}.${p}.${out.toString("base64url")}`;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * The same signature bytes with the unused low bits of the last base64url character set: a base64url decoder
 * ignores them, so the token differs while the signature it carries does not. (64 bytes take 86 characters, whose
 * last one carries 2 bits of data and 4 unused ones.)
 */
export function nonCanonicalSignature(jwt: string): string {
  const [h, p, s] = parts(jwt);
  const last = ALPHABET.indexOf(s[s.length - 1]!);
  const unused = s.length % 4 === 2 ? 0b1111 : s.length % 4 === 3 ? 0b11 : 0;
  if (unused === 0) throw new Error("this signature length has no unused bits");
  const flipped = ALPHABET[(last & ~unused) | (~last & unused)]!;
  return `${h}.${p}.${s.slice(0, -1)}${flipped}`;
}

/** A deterministic wallet for a role, so that every run of the suites uses the same keys. */
export function roleWallet(name: string): Wallet {
  const hash = Buffer.from(sha256(Buffer.from(`ler-adversarial/${name}`, "utf8"))).toString("hex");
  return new Wallet(`0x${hash}`);
}
