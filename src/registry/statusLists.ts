import { readBlock, readBlockNumber } from "../chain/blocks.js";
import type { LerNetwork } from "../chain/network.js";
import type { Purpose } from "../chain/registryEvents.js";
import { readStatusWords } from "../chain/statusWords.js";
import { ChainError } from "../errors.js";

/** The chain's head block number (the service's health probe and the key of what it caches per block). */
export function headBlock(network: LerNetwork, { timeoutMs }: { timeoutMs: number }): Promise<number> {
  return readBlockNumber(network.provider, { timeoutMs });
}

/** Every word of one status list of `issuer` at `block`, and that block's time: what a published list is made of. */
export async function statusListAt(
  network: LerNetwork,
  { issuer, purpose, list, block }: { issuer: string; purpose: Purpose; list: bigint; block: number },
  { timeoutMs }: { timeoutMs: number },
): Promise<{ words: bigint[]; blockTime: number }> {
  const rpc = { timeoutMs };
  const [words, header] = await Promise.all([
    readStatusWords(network.provider, { deployment: network.deployment, issuer, purpose, list, blockTag: block }, rpc),
    readBlock(network.provider, { blockTag: block }, rpc),
  ]);
  if (header === undefined)
    throw new ChainError("chain_inconsistent", `The node does not know its own head block ${block}.`);
  return { words, blockTime: header.timestamp };
}
