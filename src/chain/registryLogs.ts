import type { Provider } from "ethers";
import { ChainError } from "../errors.js";
import { readBlock, type BlockRef } from "./blocks.js";
import type { Deployment } from "./deployments.js";
import { getLogs } from "./logs.js";
import { decodeRegistryLogs, type RegistryEvent, type SkippedLog } from "./registryEvents.js";
import type { RpcCallOptions } from "./rpc.js";

/** The registries' events of a range of blocks, as the service's registry index reads them. */
export interface RegistryEventChunk {
  /** Decoded events, in (block, logIndex) order. */
  events: RegistryEvent[];
  /** Registry logs that could not be decoded at all (left out). */
  skipped: SkippedLog[];
  /** The range's last block: what the index is then up to. */
  end: BlockRef;
}

/** Blocks whose time is read at once. */
const BLOCK_READS_IN_FLIGHT = 8;

/**
 * The TrustRegistry's and StatusRegistry's events in blocks `fromBlock` to `toBlock`, each with its block's time:
 * one `eth_getLogs` for both registries (in halves when the endpoint refuses the range), then the blocks that hold
 * logs and the last one (its hash and time are what the index is then up to). A block the node does not know is a
 * ChainError `chain_inconsistent`.
 */
export async function readRegistryEvents(
  provider: Provider,
  { deployment, fromBlock, toBlock }: { deployment: Deployment; fromBlock: number; toBlock: number },
  options: RpcCallOptions = {},
): Promise<RegistryEventChunk> {
  const c = deployment.contracts;
  const addresses = { trust: c.TrustRegistry.address, status: c.StatusRegistry.address };
  const logs = await getLogs(provider, { address: [addresses.trust, addresses.status], fromBlock, toBlock }, options);
  const blocks = [...new Set([...logs.map((l) => l.blockNumber), toBlock])];
  const times = new Map<number, BlockRef>();
  await pool(blocks, BLOCK_READS_IN_FLIGHT, async (n) => {
    const b = await readBlock(provider, { blockTag: n }, options);
    if (b === undefined) throw new ChainError("chain_inconsistent", `The node does not know block ${n}.`);
    times.set(n, b);
  });
  const skipped: SkippedLog[] = [];
  const events = decodeRegistryLogs(
    logs,
    addresses,
    (n) => times.get(n)!.timestamp,
    (s) => skipped.push(s),
  );
  return { events, skipped, end: times.get(toBlock)! };
}

async function pool<T>(items: readonly T[], width: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await run(items[next++]!);
  });
  await Promise.all(workers);
}
