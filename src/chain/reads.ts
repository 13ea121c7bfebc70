import type { Provider } from "ethers";
import { systemClock, unixSeconds, type Clock } from "../clock.js";
import { ChainError } from "../errors.js";
import { Generation, type BlockHeader, type ChainReadCache } from "./cache.js";
import type { Deployment } from "./deployments.js";
import { readDidHistories } from "./didHistory.js";
import { rpcCall, type RpcCallOptions } from "./rpc.js";
import {
  aggregateCalldata,
  applyAnswer,
  assemble,
  chunk,
  DEFAULT_CALL_GAS_BUDGET,
  emptyReadHeader,
  hashKey,
  headerCalls,
  headerOf,
  isEmpty,
  keysOf,
  merge,
  missing,
  placeholder,
  planCalls,
  todoSize,
  uniqueBy,
  wordKey,
  type ChainSnapshot,
  type Keys,
  type Pin,
  type Planned,
  type ReadRequest,
} from "./snapshotPlan.js";
import { isDirect, RpcAnswerError, transportOf, type RpcTransport } from "./transport.js";

/**
 * The snapshot read's I/O: sends the plan of `snapshotPlan.ts` (Multicall3 `aggregate3` calls, pinned to one block,
 * through the block-keyed cache of `cache.ts`) and reads the DID histories (`didHistory.ts`).
 */

export interface ReadOptions {
  /**
   * Give up on the read after this long (default 10 s): its requests share this budget (a deadline set when the read
   * starts), so a read of several requests against a node that answers slowly or never still ends in time.
   */
  timeoutMs?: number;
  /** The read's deadline, in milliseconds on the system clock (default: `timeoutMs` from the read's start). */
  until?: number;
  /** Read at this block instead of the latest (never cached). */
  blockTag?: number;
  /**
   * Read at this head, which the caller probed after the verification began (as `eth_getBlockByNumber("latest")`
   * would): no probe is sent. The threads of a pool read one batch's parts at the head the pool probed. Ignored with
   * `blockTag`.
   */
  head?: BlockHeader;
  /** Called once per JSON-RPC request made, with its method: for counting. */
  onRequest?: (method: string) => void;
  /** Reuse answers read at the same block (see cache.ts); without it every read goes to the chain. */
  cache?: ChainReadCache;
  /** Gas budget of one `eth_call` (sub-calls are split across calls to stay under it). Default 12,000,000. */
  callGasBudget?: number;
  /**
   * The oldest head this verifier believes, in seconds behind its clock (`now`): a read whose block is older fails
   * with ChainError `chain_lagging` (the verification is then `unknown`), since a node that lags shows every
   * revocation made since its head as absent. Undefined (the default, on every network for now): not checked. Dev
   * chains that mine only on demand and networks that skip empty blocks must leave it off (their head may be old on
   * a healthy node); production networks that produce blocks steadily should set it (e.g. 120 s on an L2 with
   * second-scale blocks, a few minutes on Ethereum mainnet). Not applied to reads at a `blockTag` (a past block on
   * purpose).
   */
  maxHeadAgeSeconds?: number;
  /** The verifier's clock in seconds, for `maxHeadAgeSeconds`; default `clock`'s time. `verifyPresentation` passes its `now`. */
  now?: number;
  /** The clock read for `maxHeadAgeSeconds` when `now` is not given; default the system clock. */
  clock?: Clock;
}

/**
 * Refuses a head older than `options.maxHeadAgeSeconds` behind `options.now` (default the wall clock): ChainError
 * `chain_lagging`. No bound, or a read at a `blockTag`: nothing is checked.
 */
export function checkHeadAge(timestamp: bigint, options: ReadOptions): void {
  const bound = options.maxHeadAgeSeconds;
  if (bound === undefined || options.blockTag !== undefined) return;
  const now = options.now ?? unixSeconds(options.clock ?? systemClock);
  const age = now - Number(timestamp);
  if (age > bound) {
    throw new ChainError(
      "chain_lagging",
      `The node's latest block is ${age} s old, more than the ${bound} s this verifier allows: it may lag, and miss recent revocations.`,
      { details: { headTimestamp: Number(timestamp), now, maxHeadAgeSeconds: bound } },
    );
  }
}

/**
 * Reads everything a batch of verifications needs, all at one block: Multicall3 `aggregate3` over the registries
 * (split into several `eth_call`s when a batch would exceed `callGasBudget`, all pinned to the same block), and, for
 * identities whose DID document ever changed, one `eth_getLogs` for all of them (one per change block from an
 * endpoint that caps the range of eth_getLogs).
 *
 * Without a cache, or for the first read through one: at most two requests for a read that fits one call. With a
 * cache: one `eth_getBlockByNumber` for the head, then only what that block's generation does not hold yet (see
 * cache.ts). Answers are checked for consistency (chain id, block, logs against `changed`); a node that cannot be
 * read or answers nonsense is a ChainError, which verification reports as `unknown`.
 */
export async function readSnapshot(
  provider: Provider,
  deployment: Deployment,
  request: ReadRequest,
  options: ReadOptions = {},
): Promise<ChainSnapshot> {
  const timed =
    options.until === undefined ? { ...options, until: systemClock.now() + (options.timeoutMs ?? 10_000) } : options;
  const snapshot = await readSnapshotAtHead(provider, deployment, request, timed);
  checkHeadAge(snapshot.timestamp, options);
  return snapshot;
}

async function readSnapshotAtHead(
  provider: Provider,
  deployment: Deployment,
  request: ReadRequest,
  options: ReadOptions,
): Promise<ChainSnapshot> {
  const keys = keysOf(request);
  const transport = transportOf(provider);
  const direct = isDirect(provider);
  const cache = options.cache !== undefined && options.blockTag === undefined && direct ? options.cache : undefined;
  const budget = options.callGasBudget ?? DEFAULT_CALL_GAS_BUDGET;
  let plan: Planned[] | undefined;
  const planned = () => (plan ??= planCalls(deployment, keys, budget));
  const uncached = () => readUncached(transport, direct, deployment, keys, planned(), options, budget);
  const given = options.blockTag === undefined ? options.head : undefined;

  if (cache === undefined) return uncached();
  if (!cache.used && given === undefined && chunk(planned(), budget).length <= 1) {
    cache.used = true;
    return uncached();
  }
  cache.used = true;
  const head = given !== undefined ? cache.adopt(given) : await cache.head(() => probeHead(transport, options));
  let g = cache.generationFor(head);
  let todo = missing(keys, g);
  if (!isEmpty(todo) && g.size + todoSize(todo) > cache.maxEntries) {
    g = cache.reset(head);
    todo = missing(keys, g);
  }
  if (!isEmpty(todo)) {
    try {
      await fill(g, todo, { transport, deployment, options, budget, cache });
    } catch (e) {
      // A load-balanced endpoint may not know a block another of its nodes just served: read unpinned instead (a
      // given head too: this part of a pool's batch is then read at the block the endpoint has).
      if (!(e instanceof RpcAnswerError)) throw e;
      const { head: _unpinned, ...unpinned } = options;
      return readUncached(transport, direct, deployment, keys, planned(), unpinned, budget);
    }
  }
  return assemble(keys, g, head, head.hash);
}

/**
 * A read without the cache: one call at the latest block (or at `blockTag`); a read too big for one call is split,
 * every part pinned to the same block (by hash when the provider is a JSON-RPC one).
 */
async function readUncached(
  transport: RpcTransport,
  direct: boolean,
  deployment: Deployment,
  keys: Keys,
  plan: Planned[],
  options: ReadOptions,
  budget: number,
): Promise<ChainSnapshot> {
  let pin: Pin;
  if (options.blockTag !== undefined) pin = { number: options.blockTag };
  else if (options.head !== undefined) pin = direct ? options.head : { number: options.head.number };
  else if (chunk(plan, budget).length <= 1) pin = "latest";
  else pin = direct ? await probeHead(transport, options) : { number: await blockNumber(transport, options) };
  const g = new Generation(pin === "latest" ? placeholder : headerOf(pin));
  const header = await readInto(transport, deployment, plan, g, pin, options, budget);
  await readDidHistories(transport, deployment, keys.issuers, g, header, rpcOptions(options), undefined);
  return assemble(keys, g, header, header.hash === "" ? undefined : header.hash);
}

interface FillContext {
  transport: RpcTransport;
  deployment: Deployment;
  options: ReadOptions;
  budget: number;
  cache: ChainReadCache;
}

/** Keys waiting to be read into a generation, and the read that will bring them. */
interface PendingFill {
  keys: Keys;
  done: Promise<void>;
}
const pendingFills = new WeakMap<Generation, PendingFill>();

/**
 * Reads `todo` into `g`, together with what concurrent verifications at the same block are missing: their keys
 * gather until the next turn of the event loop and go out as one read, pinned to the generation's block hash like
 * every read into it (so merging them is exact).
 */
async function fill(g: Generation, todo: Keys, ctx: FillContext): Promise<void> {
  let pending = pendingFills.get(g);
  if (pending === undefined) {
    const keys: Keys = { issuers: [], typeNames: [], words: [], hashes: [], anchors: [], statuses: [] };
    const done = (async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      pendingFills.delete(g);
      const unique = missing(
        {
          issuers: [...new Set(keys.issuers)],
          typeNames: [...new Set(keys.typeNames)],
          words: uniqueBy(keys.words, (w) => wordKey(w.issuer, w.list, w.word)),
          hashes: uniqueBy(keys.hashes, (h) => hashKey(h.issuer, h.hash)),
          anchors: uniqueBy(keys.anchors, (a) => hashKey(a.issuer, a.root)),
          statuses: [],
        },
        g,
      );
      if (isEmpty(unique)) return;
      const into = new Generation(g.header);
      await readInto(
        ctx.transport,
        ctx.deployment,
        planCalls(ctx.deployment, unique, ctx.budget),
        into,
        g.header,
        ctx.options,
        ctx.budget,
      );
      await readDidHistories(
        ctx.transport,
        ctx.deployment,
        unique.issuers,
        into,
        g.header,
        rpcOptions(ctx.options),
        ctx.cache,
      );
      merge(g, into);
    })();
    pending = { keys, done };
    pendingFills.set(g, pending);
  }
  const k = pending.keys;
  for (const x of todo.issuers) k.issuers.push(x);
  for (const x of todo.typeNames) k.typeNames.push(x);
  for (const x of todo.words) k.words.push(x);
  for (const x of todo.hashes) k.hashes.push(x);
  for (const x of todo.anchors) k.anchors.push(x);
  await pending.done;
}

/**
 * Runs the plan at `pin` into `g`, split into calls under the gas budget (sent together); every call also reads
 * the block number, and the first the time and chain id, which must agree. Returns the block read.
 */
async function readInto(
  transport: RpcTransport,
  deployment: Deployment,
  plan: readonly Planned[],
  g: Generation,
  pin: Pin,
  options: ReadOptions,
  budget: number,
): Promise<BlockHeader> {
  const mc = deployment.contracts.Multicall3.address;
  const tag = pin === "latest" ? "latest" : "hash" in pin ? { blockHash: pin.hash } : `0x${pin.number.toString(16)}`;
  const chunks = chunk(plan, budget);
  const header = emptyReadHeader();
  const run = async (calls: readonly Planned[], first: boolean, depth: number): Promise<void> => {
    const all = [...headerCalls(mc, header, first), ...calls];
    let raw: unknown;
    try {
      raw = await rpc(options, "eth_call", () =>
        transport.request("eth_call", [{ to: mc, data: aggregateCalldata(all) }, tag]),
      );
    } catch (e) {
      // A node whose eth_call gas cap is below the budget: halve and retry, a few times at most.
      if (e instanceof RpcAnswerError && /gas/i.test(String(e.rpcError.message)) && calls.length > 1 && depth < 6) {
        const half = Math.ceil(calls.length / 2);
        await Promise.all([run(calls.slice(0, half), first, depth + 1), run(calls.slice(half), false, depth + 1)]);
        return;
      }
      throw e;
    }
    applyAnswer(all, raw, g);
  };
  await Promise.all(chunks.map((c, i) => run(c, i === 0, 0)));
  if (header.chainId !== deployment.chainId) {
    throw new ChainError("wrong_chain", `The node serves chain ${header.chainId}, not ${deployment.chainId}.`, {
      details: { expected: deployment.chainId, actual: header.chainId },
    });
  }
  if (pin !== "latest" && header.number !== pin.number) {
    throw new ChainError(
      "chain_inconsistent",
      `The node read block ${header.number} when asked for block ${pin.number}.`,
    );
  }
  g.chainId = header.chainId;
  // A probed head is the block read; otherwise the block is known by the number and time the node gave.
  if (pin !== "latest" && "hash" in pin) return pin;
  return { number: header.number, hash: "", parentHash: "", timestamp: header.timestamp };
}

/** The head, for pinning: number, hash, parent hash and time of the latest block. */
export async function latestHead(provider: Provider, options: ReadOptions = {}): Promise<BlockHeader> {
  if (!isDirect(provider)) throw new ChainError("chain_error", "Reading at a probed head needs a JSON-RPC provider.");
  return probeHead(transportOf(provider), options);
}

async function probeHead(transport: RpcTransport, options: ReadOptions): Promise<BlockHeader> {
  const block = (await rpc(options, "eth_getBlockByNumber", () =>
    transport.request("eth_getBlockByNumber", ["latest", false]),
  )) as { number?: string; hash?: string; parentHash?: string; timestamp?: string } | null;
  if (
    block === null ||
    typeof block !== "object" ||
    typeof block.number !== "string" ||
    typeof block.hash !== "string" ||
    !/^0x[0-9a-fA-F]{64}$/.test(block.hash) ||
    typeof block.parentHash !== "string" ||
    typeof block.timestamp !== "string"
  ) {
    throw new ChainError("chain_inconsistent", "The node's latest block has no number, hash or time.");
  }
  return {
    number: Number(block.number),
    hash: block.hash.toLowerCase(),
    parentHash: block.parentHash.toLowerCase(),
    timestamp: BigInt(block.timestamp),
  };
}

async function blockNumber(transport: RpcTransport, options: ReadOptions): Promise<number> {
  const n = await rpc(options, "eth_blockNumber", () => transport.request("eth_blockNumber", []));
  if (typeof n !== "string" || !/^0x[0-9a-fA-F]+$/.test(n))
    throw new ChainError("chain_inconsistent", "The node's block number is not a number.");
  return Number(n);
}

/** The deadline and request counting of `options`, as every request of a read takes them. */
function rpcOptions(options: ReadOptions): RpcCallOptions {
  return { timeoutMs: options.timeoutMs ?? 10_000, onRequest: options.onRequest, until: options.until };
}

function rpc<T>(options: ReadOptions, method: string, run: () => Promise<T>): Promise<T> {
  return rpcCall(method, run, rpcOptions(options));
}
