import type { Provider } from "ethers";
import { rpcCall, type RpcCallOptions } from "./rpc.js";

/** Block reads outside the snapshot: the head's number, and a block's number, hash and time. */

/** A block as the reads outside the snapshot know it. */
export interface BlockRef {
  number: number;
  /** The block hash (0x…). */
  hash: string;
  /** Block time, unix seconds. */
  timestamp: number;
}

/** The number of the chain's latest block (`eth_blockNumber`). */
export function readBlockNumber(provider: Provider, options: RpcCallOptions = {}): Promise<number> {
  return rpcCall("eth_blockNumber", () => provider.getBlockNumber(), options);
}

/**
 * Block `blockTag` (a number, or `"latest"`), undefined when the node does not know it (`eth_getBlockByNumber`
 * answered null, or a block without a hash).
 */
export async function readBlock(
  provider: Provider,
  { blockTag }: { blockTag: number | "latest" },
  options: RpcCallOptions = {},
): Promise<BlockRef | undefined> {
  const block = await rpcCall("eth_getBlockByNumber", () => provider.getBlock(blockTag), options);
  if (block === null || block.hash === null) return undefined;
  return { number: block.number, hash: block.hash, timestamp: block.timestamp };
}

/**
 * The block that holds transaction `txHash` on the node's canonical chain, undefined when it holds none (never sent,
 * still in the mempool, or dropped by a reorganisation): `eth_getTransactionReceipt`.
 */
export async function readTransactionBlock(
  provider: Provider,
  txHash: string,
  options: RpcCallOptions = {},
): Promise<number | undefined> {
  const receipt = await rpcCall("eth_getTransactionReceipt", () => provider.getTransactionReceipt(txHash), options);
  return receipt === null ? undefined : receipt.blockNumber;
}
