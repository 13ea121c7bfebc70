import type { Log, Provider } from "ethers";
import { ChainError } from "../errors.js";
import { rpcCall, type RpcCallOptions } from "./rpc.js";
import { RpcAnswerError, type RpcTransport } from "./transport.js";

/**
 * The one `eth_getLogs` helper. Public endpoints cap the block range (or the result count) of a query and answer a
 * wide one with a JSON-RPC error; a caller that knows the cap passes it as `maxBlockRange` (the range is then read in
 * chunks of at most that many blocks), and a chunk an endpoint refuses as too wide is read again in halves, down to
 * single blocks, the smaller width kept for the chunks after it.
 */

/** Topic filter of a query: per position, a topic, any of several, or anything (`null`). */
export type LogTopics = readonly (string | readonly string[] | null)[];

/** What {@link getLogs} reads: logs of `address` matching `topics`, in blocks `fromBlock` to `toBlock`. */
export interface LogQuery {
  address: string | readonly string[];
  topics?: LogTopics | undefined;
  fromBlock: number;
  /** A block number, or `"latest"` for the head (read first when the range is split). */
  toBlock: number | "latest";
}

/** Options of {@link getLogs}. */
export interface GetLogsOptions extends RpcCallOptions {
  /** Most blocks per request (no limit when absent: one request over the whole range, unless the endpoint refuses it). */
  maxBlockRange?: number | undefined;
}

/**
 * The logs matching `query`, oldest first, every request through {@link rpcCall} (deadline and error mapping). An
 * endpoint's refusal of a single block, or any other failure, is thrown as a ChainError.
 */
export async function getLogs(provider: Provider, query: LogQuery, options: GetLogsOptions = {}): Promise<Log[]> {
  const { maxBlockRange } = options;
  if (maxBlockRange !== undefined && (!Number.isSafeInteger(maxBlockRange) || maxBlockRange < 1)) {
    throw new ChainError(
      "chain_error",
      `A block range of ${maxBlockRange} blocks per eth_getLogs is not a positive whole number.`,
    );
  }
  const address = typeof query.address === "string" ? query.address : [...query.address];
  const topics =
    query.topics === undefined
      ? undefined
      : query.topics.map((t) => (t === null || typeof t === "string" ? t : [...t]));
  const request = (fromBlock: number, toBlock: number | "latest") =>
    rpcCall(
      "eth_getLogs",
      () => provider.getLogs({ address, ...(topics !== undefined && { topics }), fromBlock, toBlock }),
      options,
    );
  if (maxBlockRange === undefined) {
    // One request over the whole range; split only when the endpoint refuses it.
    try {
      return await request(query.fromBlock, query.toBlock);
    } catch (e) {
      if (!isRangeRefusal(e)) throw e;
    }
  }
  const to =
    query.toBlock === "latest"
      ? await rpcCall("eth_blockNumber", () => provider.getBlockNumber(), options)
      : query.toBlock;
  const logs: Log[] = [];
  let width = maxBlockRange ?? Math.max(1, Math.ceil((to - query.fromBlock + 1) / 2));
  for (let from = query.fromBlock; from <= to;) {
    const end = Math.min(to, from + width - 1);
    try {
      logs.push(...(await request(from, end)));
      from = end + 1;
    } catch (e) {
      if (end === from || !isRangeRefusal(e)) throw e;
      width = Math.max(1, Math.floor((end - from + 1) / 2));
    }
  }
  return logs;
}

/** A raw `eth_getLogs` filter, as sent on the wire (block numbers as hex quantities). */
export interface RawLogFilter {
  address: string | readonly string[];
  topics: LogTopics;
  fromBlock: number;
  toBlock: number;
}

/**
 * One `eth_getLogs` request sent straight to the transport (the verifier's hot path: no ethers formatting), answered
 * as the node gave it. A refusal comes out as an {@link RpcAnswerError}, for callers with their own fallback.
 */
export function getRawLogs(
  transport: RpcTransport,
  filter: RawLogFilter,
  options: RpcCallOptions = {},
): Promise<unknown> {
  const wire = {
    address: filter.address,
    topics: filter.topics,
    fromBlock: `0x${filter.fromBlock.toString(16)}`,
    toBlock: `0x${filter.toBlock.toString(16)}`,
  };
  return rpcCall("eth_getLogs", () => transport.request("eth_getLogs", [wire]), options);
}

/**
 * Whether `e` is an endpoint's refusal of a query as too wide (block range or result count capped): a JSON-RPC error
 * answer (-32005 "limit exceeded", or a message about the range or the number of results). Timeouts, unreachable
 * nodes and malformed answers are not refusals.
 */
export function isRangeRefusal(e: unknown): boolean {
  if (e instanceof ChainError && e.code !== "chain_error") return false;
  const texts: string[] = [];
  let code: unknown;
  const seen = new Set<unknown>();
  const visit = (x: unknown, depth: number) => {
    if (x === null || typeof x !== "object" || seen.has(x) || depth > 4) return;
    seen.add(x);
    const o = x as {
      code?: unknown;
      message?: unknown;
      shortMessage?: unknown;
      error?: unknown;
      info?: unknown;
      cause?: unknown;
      rpcError?: unknown;
    };
    if (typeof o.code === "number") code ??= o.code;
    if (typeof o.message === "string") texts.push(o.message);
    if (typeof o.shortMessage === "string") texts.push(o.shortMessage);
    for (const inner of [o.rpcError, o.error, o.info, o.cause]) visit(inner, depth + 1);
  };
  if (e instanceof RpcAnswerError) visit(e.rpcError, 0);
  visit(e, 0);
  if (code === -32005) return true;
  return texts.some((t) =>
    /block range|range (is )?too (large|wide|big)|exceeds? (the )?max(imum)? (block )?range|more than \d+ (results|logs|blocks)|too many (results|logs|blocks)|limit exceeded|query timeout exceeded|response size exceeded/i.test(
      t,
    ),
  );
}
