import { expect } from "chai";
import { gunzipSync } from "node:zlib";
import {
  bitAt,
  bitstringFromWords,
  decodeBitstring,
  encodeBitstring,
  MIN_BITSTRING_ENTRIES,
  statusListCredential,
} from "../../src/credentials/bitstring.js";
import { WORDS_PER_LIST } from "../../src/chain/statusWords.js";

describe("W3C Bitstring Status List export", () => {
  const words = (set: Record<number, bigint>) => Array.from({ length: WORDS_PER_LIST }, (_, i) => set[i] ?? 0n);

  it("puts entry i at bit i of the bitstring, most significant bit of each byte first, as the standard reads it", () => {
    // Entries 0, 9, 255 (word 0), 256 and 1000 (words 1 and 3), and the very last entry of the list.
    const bits = bitstringFromWords(
      words({
        0: (1n << 0n) | (1n << 9n) | (1n << 255n),
        1: 1n,
        3: 1n << BigInt(1000 - 768),
        [WORDS_PER_LIST - 1]: 1n << 255n,
      }),
    );
    expect(bits.length).to.equal(1_048_576 / 8);
    expect(bits[0]).to.equal(0b1000_0000);
    expect(bits[1]).to.equal(0b0100_0000);
    expect(bits[31]).to.equal(0b0000_0001);
    expect(bits[32]).to.equal(0b1000_0000);
    const set = [0, 9, 255, 256, 1000, 1_048_575];
    for (const i of set) expect(bitAt(bits, i), `entry ${i}`).to.equal(true);
    let count = 0;
    for (let i = 0; i < 1_048_576; i++) if (bitAt(bits, i)) count++;
    expect(count).to.equal(set.length);
  });

  it("encodes as Multibase base64url (u, no padding) of GZIP, and never below 131,072 entries", () => {
    const bits = bitstringFromWords(words({ 2: 1n << 7n }));
    const encoded = encodeBitstring(bits);
    expect(encoded).to.match(/^u[A-Za-z0-9_-]+$/);
    const raw = gunzipSync(Buffer.from(encoded.slice(1), "base64url"));
    expect(raw.length * 8).to.be.at.least(MIN_BITSTRING_ENTRIES);
    expect(bitAt(decodeBitstring(encoded), 2 * 256 + 7)).to.equal(true);
    // A small list is padded up to the standard's minimum.
    expect(bitstringFromWords([1n], 256).length * 8).to.equal(MIN_BITSTRING_ENTRIES);
  });

  it("builds a BitstringStatusListCredential served at its own URL", () => {
    const c = statusListCredential({
      url: "https://v.example/v1/status-lists/x/0/suspension",
      issuer: "did:ethr:localnet:0x0000000000000000000000000000000000000001",
      purpose: "suspension",
      words: words({}),
      blockTime: 1_750_000_000,
      ttlMs: 60_000,
    });
    expect(c).to.deep.include({
      "@context": ["https://www.w3.org/ns/credentials/v2"],
      id: "https://v.example/v1/status-lists/x/0/suspension",
      type: ["VerifiableCredential", "BitstringStatusListCredential"],
      issuer: "did:ethr:localnet:0x0000000000000000000000000000000000000001",
      validFrom: "2025-06-15T15:06:40Z",
    });
    expect(c.credentialSubject).to.deep.include({
      id: "https://v.example/v1/status-lists/x/0/suspension#list",
      type: "BitstringStatusList",
      statusPurpose: "suspension",
      ttl: 60_000,
    });
  });
});
