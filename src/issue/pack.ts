/** Status entries grouped for the cheapest registry writes. Pure. */

export interface StatusTarget {
  list: bigint;
  index: number;
}

export interface ListWords {
  list: bigint;
  wordIndices: bigint[];
  masks: bigint[];
  /** How many entries the masks select. */
  count: number;
}

/**
 * Groups entries by list and packs each list's indices into 256-bit words (word = index >> 8, bit = index & 255),
 * words in ascending order. Duplicates collapse: setting a bit twice is the same as once.
 */
export function packStatusWords(targets: readonly StatusTarget[]): ListWords[] {
  const lists = new Map<bigint, Map<number, bigint>>();
  for (const { list, index } of targets) {
    const words = lists.get(list) ?? new Map<number, bigint>();
    lists.set(list, words);
    const w = index >> 8;
    words.set(w, (words.get(w) ?? 0n) | (1n << BigInt(index & 255)));
  }
  return [...lists.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([list, words]) => {
      const sorted = [...words.entries()].sort(([a], [b]) => a - b);
      return {
        list,
        wordIndices: sorted.map(([w]) => BigInt(w)),
        masks: sorted.map(([, m]) => m),
        count: sorted.reduce((n, [, m]) => n + popcount(m), 0),
      };
    });
}

/** Splits a list's words into chunks that each fit one transaction comfortably (a fresh word costs ~22,100 gas). */
export function chunkWords(words: ListWords, maxWords = 400): ListWords[] {
  const out: ListWords[] = [];
  for (let i = 0; i < words.wordIndices.length; i += maxWords) {
    const masks = words.masks.slice(i, i + maxWords);
    out.push({
      list: words.list,
      wordIndices: words.wordIndices.slice(i, i + maxWords),
      masks,
      count: masks.reduce((n, m) => n + popcount(m), 0),
    });
  }
  return out;
}

function popcount(x: bigint): number {
  let n = 0;
  for (let v = x; v !== 0n; v &= v - 1n) n++;
  return n;
}
