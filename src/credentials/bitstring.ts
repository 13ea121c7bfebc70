import { gunzipSync, gzipSync } from "node:zlib";
import type { StatusPurpose as Purpose } from "./status.js";
import { LIST_SIZE } from "./status.js";

/**
 * An issuer's on-chain status list as a W3C Bitstring Status List v1.0 credential
 * (https://www.w3.org/TR/vc-bitstring-status-list/), so that a verifier that knows only that standard can check
 * status. The bitstring is the list's bits in entry order (entry 0 is the most significant bit of the first byte),
 * GZIP-compressed and Multibase base64url-encoded (`u` prefix). Our lists hold 2^20 entries, above the standard's
 * 131,072-entry minimum.
 */

/** The standard's smallest bitstring, in entries (16 KiB). */
export const MIN_BITSTRING_ENTRIES = 131_072;

/** Packs on-chain words (bit `b` of word `w` is entry `256w + b`) into the standard's bitstring. */
export function bitstringFromWords(words: readonly bigint[], entries = LIST_SIZE): Uint8Array {
  const bytes = new Uint8Array(Math.max(entries, MIN_BITSTRING_ENTRIES) / 8);
  words.forEach((word, w) => {
    if (word === 0n) return;
    for (let b = 0; b < 256; b++) {
      if (((word >> BigInt(b)) & 1n) === 0n) continue;
      const entry = w * 256 + b;
      bytes[entry >> 3]! |= 0x80 >> (entry & 7);
    }
  });
  return bytes;
}

/** GZIP, then Multibase base64url without padding (`u…`), as `encodedList` must be. */
export function encodeBitstring(bits: Uint8Array): string {
  return `u${Buffer.from(gzipSync(bits)).toString("base64url")}`;
}

/** The inverse of {@link encodeBitstring}: what a standard verifier does with `encodedList`. */
export function decodeBitstring(encodedList: string): Uint8Array {
  if (!encodedList.startsWith("u")) throw new Error("encodedList is not Multibase base64url (no `u` prefix).");
  return new Uint8Array(gunzipSync(Buffer.from(encodedList.slice(1), "base64url")));
}

/** Whether entry `index` is set in a decoded bitstring (the standard's bit order). */
export function bitAt(bits: Uint8Array, index: number): boolean {
  return ((bits[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0;
}

export interface StatusListCredentialParameters {
  /** The URL the credential is served at: its `id`. */
  url: string;
  /** The issuer's DID. */
  issuer: string;
  purpose: Purpose;
  words: readonly bigint[];
  /** Block time of the block the words were read at (seconds): `validFrom`. */
  blockTime: number;
  /** How long a verifier may cache it, in milliseconds (the standard's `ttl`). */
  ttlMs: number;
}

/**
 * The BitstringStatusListCredential, without a proof: this service holds no issuer key. Its authority is the
 * chain, which the response names (block, registry) so that anyone can re-derive it.
 */
export function statusListCredential(p: StatusListCredentialParameters): Record<string, unknown> {
  return {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    id: p.url,
    type: ["VerifiableCredential", "BitstringStatusListCredential"],
    issuer: p.issuer,
    validFrom: new Date(p.blockTime * 1000).toISOString().replace(/\.000Z$/, "Z"),
    credentialSubject: {
      id: `${p.url}#list`,
      type: "BitstringStatusList",
      statusPurpose: p.purpose,
      encodedList: encodeBitstring(bitstringFromWords(p.words)),
      ttl: p.ttlMs,
    },
  };
}
