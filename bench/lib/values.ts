import { concat, encodeBase58, getAddress, keccak256, sha256, toUtf8Bytes } from "ethers";

/**
 * Deterministic, random-looking inputs. Calldata gas depends on how many bytes are zero, so small numbers would
 * flatter every system; hashes of fixed labels look like real addresses and hashes yet give the same gas on every
 * run, so the committed results change only when the code does.
 */

/** A random-looking 32-byte hash, the same for the same label on every run. */
export function pseudoHash(label: string, i = 0): string {
  return keccak256(toUtf8Bytes(`ler-bench/${label}/${i}`));
}

/** `count` distinct random-looking hashes. */
export function pseudoHashes(label: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => pseudoHash(label, from + i));
}

/** A random-looking address. */
export function pseudoAddress(label: string, i = 0): string {
  return getAddress(`0x${pseudoHash(label, i).slice(26)}`);
}

/** A random-looking integer in `[0, bound)`. */
export function pseudoInt(label: string, bound: bigint): bigint {
  return BigInt(pseudoHash(label)) % bound;
}

/** The CIDv0 (`Qm…`, sha2-256 multihash in base58btc) that IPFS gives `content`. */
export function cidV0(content: string): string {
  return encodeBase58(concat(["0x1220", sha256(toUtf8Bytes(content))]));
}

/** A document kept on IPFS, its 59-character `ipfs://` URI and the keccak256 hash bound to it on chain. */
export function metadata(label: string): { document: string; uri: string; hash: string } {
  const document = JSON.stringify({ name: label, digest: pseudoHash(label) });
  // "ipfs://" (7) + CIDv0 (46) + "/index" (6): a 59-character URI, the shape the brief asks for.
  const uri = `ipfs://${cidV0(document)}/index`;
  if (uri.length !== 59) throw new Error(`metadata URI has ${uri.length} characters, expected 59: ${uri}`);
  return { document, uri, hash: keccak256(toUtf8Bytes(document)) };
}

/** The words and masks that select the `count` sequential entries from `first` (a multiple of 256 or not). */
export function sequentialWords(first: bigint, count: number): { wordIndices: bigint[]; masks: bigint[] } {
  const wordIndices: bigint[] = [];
  const masks: bigint[] = [];
  const end = first + BigInt(count);
  for (let word = first >> 8n; word << 8n < end; ++word) {
    const lo = word << 8n > first ? 0n : first - (word << 8n);
    const hi = (word + 1n) << 8n < end ? 256n : end - (word << 8n);
    wordIndices.push(word);
    masks.push(((1n << hi) - 1n) ^ ((1n << lo) - 1n));
  }
  return { wordIndices, masks };
}

/** The `count` sequential indices from `first`. */
export function sequentialIndices(first: bigint, count: number): bigint[] {
  return Array.from({ length: count }, (_, i) => first + BigInt(i));
}
