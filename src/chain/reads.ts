import { getAddress, Interface } from "ethers";
import { ChainError, LerError } from "../errors.js";
import { decodeDidEvents, didEventTopics, type DidEvent, type DidLog } from "../did/ethr.js";
import { decodeVersion, type ChainLink, type Version } from "./types.js";
import { didRegistryArtifact, projectArtifact } from "./artifacts.js";
import { Generation, type BlockHeader, type ChainReadCache } from "./cache.js";
import type { Deployment } from "./deployments.js";
import {
  addressWord,
  bytes32Word,
  decodeAggregate3,
  encodeAggregate3,
  returnUintArray,
  returnWord,
  selectorOf,
  word,
  type SubCall,
  type SubResult,
} from "./multicall.js";
import { rpcCall } from "./rpc.js";
import { isDirect, RpcAnswerError, transportOf, type RpcTransport } from "./transport.js";

/** What a batch of verifications needs from the chain. Duplicates are read once. */
export interface ReadRequest {
  /**
   * Issuers (addresses) whose accreditation chain and DID history are needed. The chain is read with every version of
   * every link (`TrustRegistry.historyOf`), which does not depend on the time trust is judged at: one read per issuer
   * serves credentials anchored at any time.
   */
  issuers: Iterable<string>;
  /** Credential type names to map to trust-registry type ids. */
  typeNames: Iterable<string>;
  statuses: Iterable<{ issuer: string; list: bigint; index: number }>;
  hashes: Iterable<{ issuer: string; hash: string }>;
  anchors: Iterable<{ issuer: string; root: string }>;
}

/** The chain's answers, all taken at one block. Treat as read-only: with a cache, its values are shared. */
export interface ChainSnapshot {
  block: number;
  timestamp: bigint;
  chainId: number;
  /** Each issuer's chain, issuer first, with each link's whole history (empty: not accredited). */
  chains: Map<string, ChainLink[]>;
  didEvents: Map<string, DidEvent[]>;
  typeIds: Map<string, number | undefined>;
  statuses: Map<string, { revoked: boolean; suspended: boolean }>;
  hashRevokedAt: Map<string, bigint>;
  anchors: Map<string, { timestamp: bigint; blockNumber: bigint }>;
  /** The hash of `block`, when the read was pinned to it. */
  blockHash?: string;
}

export interface ReadOptions {
  /** Give up on a JSON-RPC request after this long. */
  timeoutMs?: number;
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
  /** The verifier's clock in seconds, for `maxHeadAgeSeconds`; default the wall clock. `verifyPresentation` passes its `now`. */
  now?: number;
}

/**
 * Refuses a head older than `options.maxHeadAgeSeconds` behind `options.now` (default the wall clock): ChainError
 * `chain_lagging`. No bound, or a read at a `blockTag`: nothing is checked.
 */
export function checkHeadAge(timestamp: bigint, options: ReadOptions): void {
  const bound = options.maxHeadAgeSeconds;
  if (bound === undefined || options.blockTag !== undefined) return;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const age = now - Number(timestamp);
  if (age > bound) {
    throw new ChainError(
      "chain_lagging",
      `The node's latest block is ${age} s old, more than the ${bound} s this verifier allows: it may lag, and miss recent revocations.`,
      { details: { headTimestamp: Number(timestamp), now, maxHeadAgeSeconds: bound } },
    );
  }
}

export const statusKey = (issuer: string, list: bigint, index: number) => `${issuer}:${list}:${index}`;
export const hashKey = (issuer: string, hash: string) => `${issuer}:${hash.toLowerCase()}`;
/** The key of one status word (256 entries of a list, both purposes). */
export const wordKey = (issuer: string, list: bigint, word: number) => `${issuer}:${list}:${word}`;

const multicallIface = new Interface(projectArtifact("Multicall3").abi);
const trustIface = new Interface(projectArtifact("TrustRegistry").abi);
const statusIface = new Interface(projectArtifact("StatusRegistry").abi);
const didIface = new Interface(didRegistryArtifact().abi);

const SEL = {
  getBlockNumber: selectorOf(multicallIface, "getBlockNumber"),
  getCurrentBlockTimestamp: selectorOf(multicallIface, "getCurrentBlockTimestamp"),
  getChainId: selectorOf(multicallIface, "getChainId"),
  changed: selectorOf(didIface, "changed"),
  historyOf: selectorOf(trustIface, "historyOf"),
  getWords: selectorOf(statusIface, "getWords"),
  hashesRevokedAt: selectorOf(statusIface, "hashesRevokedAt"),
  anchorOf: selectorOf(statusIface, "anchorOf"),
};

/** Status purposes, as `IStatusRegistry.Purpose`. */
const REVOCATION = 0;
const SUSPENSION = 1;
/** Words read by one getWords call at most; runs of needed words closer than GAP are read as one. */
const MAX_WORDS_PER_CALL = 64;
const WORD_GAP = 4;
/** Hashes read by one hashesRevokedAt call at most. */
const MAX_HASHES_PER_CALL = 512;
/**
 * A sub-call's gas, about: its execution, or the EIP-7623 calldata floor of its ~256 calldata bytes. A hash read in a
 * batch costs a cold SLOAD and its 32 calldata bytes. A chain's history (`historyOf`) costs a cold SLOAD per link and
 * per version, so it grows with every change: about 20,300 gas for three links of one version each and 49,000 for
 * three links with fifteen versions in all (measured with eth_estimateGas); the estimate is the latter, with the
 * sub-call's own overhead. A longer history only makes a call's real cost exceed its estimate, which a node with a
 * tight gas cap answers with an error that the read recovers from by halving the call.
 */
const GAS = {
  header: 4_000,
  changed: 7_000,
  historyOf: 60_000,
  typeId: 12_000,
  hashes: 6_000,
  perHash: 3_000,
  anchor: 7_000,
  words: 8_000,
  perWord: 2_300,
};
const DEFAULT_CALL_GAS_BUDGET = 12_000_000;
const MAX_CALLS_PER_CHUNK = 2_000;

/** The unique keys of a request. */
interface Keys {
  issuers: string[];
  typeNames: string[];
  words: { issuer: string; list: bigint; word: number }[];
  hashes: { issuer: string; hash: string }[];
  anchors: { issuer: string; root: string }[];
  statuses: { issuer: string; list: bigint; index: number }[];
}

function keysOf(request: ReadRequest): Keys {
  const statuses = uniqueBy(request.statuses, (s) => statusKey(s.issuer, s.list, s.index));
  return {
    issuers: [...new Set(request.issuers)],
    typeNames: [...new Set(request.typeNames)],
    statuses,
    words: uniqueBy(
      statuses.map((s) => ({ issuer: s.issuer, list: s.list, word: s.index >> 8 })),
      (w) => wordKey(w.issuer, w.list, w.word),
    ),
    hashes: uniqueBy(request.hashes, (h) => hashKey(h.issuer, h.hash)),
    anchors: uniqueBy(request.anchors, (a) => hashKey(a.issuer, a.root)),
  };
}

/** Keys the generation cannot answer. */
function missing(keys: Keys, g: Generation): Keys {
  return {
    issuers: keys.issuers.filter((i) => !(g.chains.has(i) && g.changed.has(i) && g.didEvents.has(i))),
    typeNames: keys.typeNames.filter((t) => !g.typeIds.has(t)),
    words: keys.words.filter((w) => !g.words.has(wordKey(w.issuer, w.list, w.word))),
    hashes: keys.hashes.filter((h) => !g.hashRevokedAt.has(hashKey(h.issuer, h.hash))),
    anchors: keys.anchors.filter((a) => !g.anchors.has(hashKey(a.issuer, a.root))),
    statuses: [],
  };
}

const isEmpty = (k: Keys) =>
  k.issuers.length + k.typeNames.length + k.words.length + k.hashes.length + k.anchors.length === 0;

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
  provider: import("ethers").Provider,
  deployment: Deployment,
  request: ReadRequest,
  options: ReadOptions = {},
): Promise<ChainSnapshot> {
  const snapshot = await readSnapshotAtHead(provider, deployment, request, options);
  checkHeadAge(snapshot.timestamp, options);
  return snapshot;
}

async function readSnapshotAtHead(
  provider: import("ethers").Provider,
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
  await readHistories(transport, deployment, keys.issuers, g, header, options, undefined);
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
      await readInto(ctx.transport, ctx.deployment, planCalls(ctx.deployment, unique, ctx.budget), into, g.header, ctx.options, ctx.budget);
      await readHistories(ctx.transport, ctx.deployment, unique.issuers, into, g.header, ctx.options, ctx.cache);
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

const placeholder: BlockHeader = { number: 0, hash: "", parentHash: "", timestamp: 0n };

function todoSize(k: Keys): number {
  return k.issuers.length + k.typeNames.length + k.words.length + k.hashes.length + k.anchors.length;
}

function merge(into: Generation, from: Generation): void {
  into.chainId ??= from.chainId;
  for (const [k, v] of from.chains) into.chains.set(k, v);
  for (const [k, v] of from.changed) into.changed.set(k, v);
  for (const [k, v] of from.didEvents) into.didEvents.set(k, v);
  for (const [k, v] of from.typeIds) into.typeIds.set(k, v);
  for (const [k, v] of from.words) into.words.set(k, v);
  for (const [k, v] of from.hashRevokedAt) into.hashRevokedAt.set(k, v);
  for (const [k, v] of from.anchors) into.anchors.set(k, v);
}

/** The snapshot of `keys`, from a generation that holds them all. */
function assemble(keys: Keys, g: Generation, header: BlockHeader, blockHash?: string): ChainSnapshot {
  const snap: ChainSnapshot = {
    block: header.number,
    timestamp: header.timestamp,
    chainId: g.chainId ?? 0,
    chains: new Map(),
    didEvents: new Map(),
    typeIds: new Map(),
    statuses: new Map(),
    hashRevokedAt: new Map(),
    anchors: new Map(),
  };
  if (blockHash !== undefined) snap.blockHash = blockHash;
  for (const i of keys.issuers) {
    snap.chains.set(i, g.chains.get(i)!);
    snap.didEvents.set(i, g.didEvents.get(i)!);
  }
  for (const t of keys.typeNames) snap.typeIds.set(t, g.typeIds.get(t));
  for (const s of keys.statuses) {
    const w = g.words.get(wordKey(s.issuer, s.list, s.index >> 8))!;
    const bit = BigInt(s.index & 255);
    snap.statuses.set(statusKey(s.issuer, s.list, s.index), {
      revoked: ((w.revoked >> bit) & 1n) === 1n,
      suspended: ((w.suspended >> bit) & 1n) === 1n,
    });
  }
  for (const h of keys.hashes) {
    const k = hashKey(h.issuer, h.hash);
    snap.hashRevokedAt.set(k, g.hashRevokedAt.get(k)!);
  }
  for (const a of keys.anchors) {
    const k = hashKey(a.issuer, a.root);
    snap.anchors.set(k, g.anchors.get(k)!);
  }
  return snap;
}

/** A planned sub-call: its calldata, its gas (about), and where its answer goes. */
interface Planned {
  call: SubCall;
  gas: number;
  apply(r: SubResult, g: Generation): void;
}

function planCalls(deployment: Deployment, keys: Keys, budget: number): Planned[] {
  const c = deployment.contracts;
  const planned: Planned[] = [];
  const need = (r: SubResult, what: string) => {
    if (!r.success) throw new ChainError("chain_inconsistent", `The registry read ${what} failed.`);
    return r.returnData;
  };
  for (const issuer of keys.issuers) {
    planned.push({
      call: { target: c.EthereumDIDRegistry.address, allowFailure: false, callData: SEL.changed + addressWord(issuer) },
      gas: GAS.changed,
      apply: (r, g) => g.changed.set(issuer, returnWord(need(r, "changed"))),
    });
    planned.push({
      call: { target: c.TrustRegistry.address, allowFailure: false, callData: SEL.historyOf + addressWord(issuer) },
      gas: GAS.historyOf,
      apply: (r, g) => g.chains.set(issuer, toLinks(issuer, trustIface.decodeFunctionResult("historyOf", `0x${need(r, "historyOf")}`)[0])),
    });
  }
  for (const name of keys.typeNames) {
    planned.push({
      call: { target: c.TrustRegistry.address, allowFailure: true, callData: trustIface.encodeFunctionData("typeIdOf", [name]).slice(2) },
      gas: GAS.typeId,
      apply: (r, g) => g.typeIds.set(name, r.success ? Number(returnWord(r.returnData)) : undefined),
    });
  }
  for (const run of wordRuns(keys.words)) {
    const read = (purpose: number) =>
      SEL.getWords + addressWord(run.issuer) + word(purpose) + word(run.list) + word(run.from) + word(run.count);
    let revoked: bigint[] | undefined;
    const setBoth = (g: Generation, suspended: bigint[]) => {
      if (revoked === undefined || revoked.length !== run.count || suspended.length !== run.count) {
        throw new ChainError("chain_inconsistent", "The node's status words do not match the request.");
      }
      for (let i = 0; i < run.count; i++) {
        g.words.set(wordKey(run.issuer, run.list, run.from + i), { revoked: revoked[i]!, suspended: suspended[i]! });
      }
    };
    const gas = GAS.words + GAS.perWord * run.count;
    planned.push({
      call: { target: c.StatusRegistry.address, allowFailure: false, callData: read(REVOCATION) },
      gas,
      apply: (r) => {
        revoked = returnUintArray(need(r, "getWords"));
      },
    });
    planned.push({
      call: { target: c.StatusRegistry.address, allowFailure: false, callData: read(SUSPENSION) },
      gas,
      apply: (r, g) => setBoth(g, returnUintArray(need(r, "getWords"))),
    });
  }
  // A group fits the gas budget of one call on its own (a node with a low eth_call gas cap gets smaller groups).
  const perGroup = Math.max(1, Math.min(MAX_HASHES_PER_CALL, Math.floor((budget - GAS.header - GAS.hashes) / GAS.perHash)));
  for (const { issuer, hashes } of hashGroups(keys.hashes, perGroup)) {
    planned.push({
      call: {
        target: c.StatusRegistry.address,
        allowFailure: false,
        callData: SEL.hashesRevokedAt + addressWord(issuer) + word(64) + word(hashes.length) + hashes.map(bytes32Word).join(""),
      },
      gas: GAS.hashes + GAS.perHash * hashes.length,
      apply: (r, g) => {
        const times = returnUintArray(need(r, "hashesRevokedAt"));
        if (times.length !== hashes.length) {
          throw new ChainError("chain_inconsistent", "The node's hash revocation times do not match the request.");
        }
        for (let i = 0; i < hashes.length; i++) g.hashRevokedAt.set(hashKey(issuer, hashes[i]!), times[i]!);
      },
    });
  }
  for (const a of keys.anchors) {
    planned.push({
      call: { target: c.StatusRegistry.address, allowFailure: false, callData: SEL.anchorOf + addressWord(a.issuer) + bytes32Word(a.root) },
      gas: GAS.anchor,
      apply: (r, g) => {
        const data = need(r, "anchorOf");
        g.anchors.set(hashKey(a.issuer, a.root), { timestamp: returnWord(data, 0), blockNumber: returnWord(data, 1) });
      },
    });
  }
  return planned;
}

/** Needed words grouped into runs of one list: nearby words are read together (a few extra are cheap). */
function wordRuns(words: Keys["words"]): { issuer: string; list: bigint; from: number; count: number }[] {
  const byList = new Map<string, { issuer: string; list: bigint; words: number[] }>();
  for (const w of words) {
    const k = `${w.issuer}:${w.list}`;
    let e = byList.get(k);
    if (e === undefined) byList.set(k, (e = { issuer: w.issuer, list: w.list, words: [] }));
    e.words.push(w.word);
  }
  const runs: { issuer: string; list: bigint; from: number; count: number }[] = [];
  for (const { issuer, list, words: ws } of byList.values()) {
    ws.sort((a, b) => a - b);
    let from = ws[0]!;
    let to = from;
    for (const w of ws.slice(1)) {
      if (w - to <= WORD_GAP && w - from < MAX_WORDS_PER_CALL) {
        to = w;
        continue;
      }
      runs.push({ issuer, list, from, count: to - from + 1 });
      from = to = w;
    }
    runs.push({ issuer, list, from, count: to - from + 1 });
  }
  return runs;
}

/** Hashes grouped by issuer, at most `size` a group: one hashesRevokedAt sub-call each. */
function hashGroups(hashes: Keys["hashes"], size: number): { issuer: string; hashes: string[] }[] {
  const byIssuer = new Map<string, string[]>();
  for (const h of hashes) {
    let list = byIssuer.get(h.issuer);
    if (list === undefined) byIssuer.set(h.issuer, (list = []));
    list.push(h.hash);
  }
  const groups: { issuer: string; hashes: string[] }[] = [];
  for (const [issuer, list] of byIssuer) {
    for (let i = 0; i < list.length; i += size) groups.push({ issuer, hashes: list.slice(i, i + size) });
  }
  return groups;
}

/** Sub-calls split into calls under the gas budget. A pair of getWords calls is never split. */
function chunk(plan: readonly Planned[], budget: number): Planned[][] {
  const chunks: Planned[][] = [];
  let current: Planned[] = [];
  let gas = 0;
  for (let i = 0; i < plan.length; i++) {
    const p = plan[i]!;
    const paired = p.call.callData.startsWith(SEL.getWords) && i + 1 < plan.length && plan[i + 1]!.call.callData.startsWith(SEL.getWords);
    const add = paired ? p.gas + plan[i + 1]!.gas : p.gas;
    if (current.length > 0 && (gas + add > budget || current.length + (paired ? 2 : 1) > MAX_CALLS_PER_CHUNK)) {
      chunks.push(current);
      current = [];
      gas = 0;
    }
    current.push(p);
    gas += p.gas;
    if (paired) {
      current.push(plan[++i]!);
      gas += plan[i]!.gas;
    }
  }
  if (current.length > 0 || chunks.length === 0) chunks.push(current);
  return chunks;
}

/** The block a read is pinned to: the latest, a number, or a probed head (number and hash). */
type Pin = "latest" | { number: number } | BlockHeader;

function headerOf(pin: Exclude<Pin, "latest">): BlockHeader {
  return "hash" in pin ? pin : { number: pin.number, hash: "", parentHash: "", timestamp: 0n };
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
  const header = { number: -1, timestamp: 0n, chainId: 0 };
  const run = async (calls: readonly Planned[], first: boolean, depth: number): Promise<void> => {
    const head: Planned[] = [
      { call: { target: mc, allowFailure: false, callData: SEL.getBlockNumber }, gas: GAS.header, apply: (r) => agree(Number(returnWord(r.returnData))) },
    ];
    if (first) {
      head.push(
        { call: { target: mc, allowFailure: false, callData: SEL.getCurrentBlockTimestamp }, gas: GAS.header, apply: (r) => (header.timestamp = returnWord(r.returnData)) },
        { call: { target: mc, allowFailure: false, callData: SEL.getChainId }, gas: GAS.header, apply: (r) => (header.chainId = Number(returnWord(r.returnData))) },
      );
    }
    const all = [...head, ...calls];
    let raw: unknown;
    try {
      raw = await rpc(options, "eth_call", () =>
        transport.request("eth_call", [{ to: mc, data: encodeAggregate3(all.map((p) => p.call)) }, tag]),
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
    let results: SubResult[];
    try {
      results = decodeAggregate3(raw as string, all.length);
      results.forEach((r, i) => {
        if (!r.success && !all[i]!.call.allowFailure) throw new Error("a required sub-call failed");
        all[i]!.apply(r, g);
      });
    } catch (e) {
      if (e instanceof ChainError) throw e;
      throw new ChainError("chain_inconsistent", "The node's answer to the registry reads could not be decoded.", { cause: e });
    }
  };
  const agree = (n: number) => {
    if (header.number === -1) header.number = n;
    else if (header.number !== n) throw new ChainError("chain_inconsistent", "The node answered parts of one read at different blocks.");
  };
  await Promise.all(chunks.map((c, i) => run(c, i === 0, 0)));
  if (header.chainId !== deployment.chainId) {
    throw new ChainError("wrong_chain", `The node serves chain ${header.chainId}, not ${deployment.chainId}.`, {
      details: { expected: deployment.chainId, actual: header.chainId },
    });
  }
  if (pin !== "latest" && header.number !== pin.number) {
    throw new ChainError("chain_inconsistent", `The node read block ${header.number} when asked for block ${pin.number}.`);
  }
  g.chainId = header.chainId;
  // A probed head is the block read; otherwise the block is known by the number and time the node gave.
  if (pin !== "latest" && "hash" in pin) return pin;
  return { number: header.number, hash: "", parentHash: "", timestamp: header.timestamp };
}

/**
 * The DID histories of `issuers` (whose `changed` is in `g`): kept ones from the cache when still complete, the others
 * with one `eth_getLogs` up to the block read (or, from an endpoint that refuses that range, by following the
 * registry's previousChange links). The registry's `changed(identity)` must be the block of the last
 * event the logs give.
 */
async function readHistories(
  transport: RpcTransport,
  deployment: Deployment,
  issuers: readonly string[],
  g: Generation,
  header: BlockHeader,
  options: ReadOptions,
  cache: ChainReadCache | undefined,
): Promise<void> {
  const fetch: string[] = [];
  for (const issuer of issuers) {
    const changed = g.changed.get(issuer)!;
    if (changed === 0n) {
      g.didEvents.set(issuer, []);
      continue;
    }
    if (changed > BigInt(header.number)) {
      throw new ChainError("chain_inconsistent", `The node reports a DID change of ${issuer} after its own head.`);
    }
    const kept = cache?.history(issuer, changed);
    if (kept !== undefined) g.didEvents.set(issuer, kept);
    else fetch.push(issuer);
  }
  if (fetch.length === 0) return;
  let byIssuer: Map<string, DidLog[]>;
  if (refusesRanges.has(transport)) {
    byIssuer = await logsByLinks(transport, deployment, fetch, g, options);
  } else {
    try {
      byIssuer = await didLogs(transport, deployment, fetch, deployment.contracts.EthereumDIDRegistry.block, header.number, options);
    } catch (e) {
      // Endpoints cap the block range (or result count) of eth_getLogs and answer wide queries with an error:
      // follow ERC-1056's previousChange links instead, one block at a time, as ethr-did-resolver does.
      if (!(e instanceof RpcAnswerError)) throw e;
      byIssuer = await logsByLinks(transport, deployment, fetch, g, options);
      refusesRanges.add(transport);
    }
  }
  for (const issuer of fetch) {
    const events = decodeDidEvents(byIssuer.get(issuer) ?? []);
    const last = events.reduce((m, e) => Math.max(m, e.block), 0);
    // The registry says when the identity last changed; the logs must end with that change.
    if (BigInt(last) !== g.changed.get(issuer)) {
      throw new ChainError("chain_inconsistent", `The node's logs lack the DID change of ${issuer} at block ${g.changed.get(issuer)}.`);
    }
    g.didEvents.set(issuer, events);
    cache?.keepHistory(issuer, events, header);
  }
}

/** Transports whose endpoint refused an eth_getLogs over the DID registry's whole range: they get link walks. */
const refusesRanges = new WeakSet<RpcTransport>();

/** Most blocks one DID history walk may visit, for all its identities together: a bound on the requests it makes. */
const MAX_HISTORY_BLOCKS = 1_000;
/** eth_getLogs requests of a history walk in flight at once. */
const HISTORY_CONCURRENCY = 8;

/** The ERC-1056 logs of `issuers` in blocks `from` to `to`, with one eth_getLogs, by identity. */
async function didLogs(
  transport: RpcTransport,
  deployment: Deployment,
  issuers: readonly string[],
  from: number,
  to: number,
  options: ReadOptions,
): Promise<Map<string, DidLog[]>> {
  const did = deployment.contracts.EthereumDIDRegistry;
  const filter = {
    address: did.address,
    topics: [null, issuers.map((issuer) => didEventTopics(issuer)[1])],
    fromBlock: `0x${from.toString(16)}`,
    toBlock: `0x${to.toString(16)}`,
  };
  const raw = await rpc(options, "eth_getLogs", () => transport.request("eth_getLogs", [filter]));
  return logsByIssuer(raw, did.address);
}

/**
 * The ERC-1056 logs of `issuers` found by following the registry's links: `changed(identity)` names the block of the
 * last change, and every event names the block of the one before it (`previousChange`). Each step reads one block's
 * logs (identities at the same block share the request); steps run concurrently across blocks. A block that should
 * hold a change of an identity but does not, or a link that does not lead back in time, is an inconsistent answer.
 */
async function logsByLinks(
  transport: RpcTransport,
  deployment: Deployment,
  issuers: readonly string[],
  g: Generation,
  options: ReadOptions,
): Promise<Map<string, DidLog[]>> {
  const found = new Map<string, DidLog[]>(issuers.map((issuer) => [issuer, []]));
  let frontier = new Map<number, string[]>();
  const visit = (block: number, issuer: string, into: Map<number, string[]>) => {
    const at = into.get(block);
    if (at === undefined) into.set(block, [issuer]);
    else at.push(issuer);
  };
  for (const issuer of issuers) visit(Number(g.changed.get(issuer)!), issuer, frontier);
  let visited = 0;
  while (frontier.size > 0) {
    visited += frontier.size;
    if (visited > MAX_HISTORY_BLOCKS) {
      throw new ChainError("chain_error", `The DID histories span more than ${MAX_HISTORY_BLOCKS} blocks, read one block at a time.`);
    }
    const steps = [...frontier];
    const next = new Map<number, string[]>();
    for (let i = 0; i < steps.length; i += HISTORY_CONCURRENCY) {
      const answers = await Promise.all(
        steps.slice(i, i + HISTORY_CONCURRENCY).map(async ([block, at]) => ({
          block,
          at,
          logs: await didLogs(transport, deployment, at, block, block, options),
        })),
      );
      for (const { block, at, logs } of answers) {
        for (const issuer of at) {
          const here = (logs.get(issuer) ?? []).filter((l) => l.blockNumber === block);
          const events = decodeDidEvents(here);
          if (events.length === 0) {
            throw new ChainError("chain_inconsistent", `The node's logs lack the DID change of ${issuer} at block ${block}.`);
          }
          found.get(issuer)!.push(...here);
          // A log that does not decode (a node misreporting) names no link: the walk stops there for this identity,
          // and its history, holding the unreadable event, gives no key set (signingKeysAt refuses it) while the other
          // identities of the batch are read as usual.
          const linked = events.flatMap((e) => (e.kind === "unreadable" ? [] : [e.previousChange]));
          if (linked.length < events.length) continue;
          // The first change in a block links to the block before; later ones in the same block link to this one.
          const previous = linked.reduce((m, c) => (c < m ? c : m), linked[0]!);
          if (previous >= BigInt(block)) {
            throw new ChainError("chain_inconsistent", `The DID change of ${issuer} at block ${block} does not link back in time.`);
          }
          if (previous > 0n) visit(Number(previous), issuer, next);
        }
      }
    }
    frontier = next;
  }
  return found;
}

/** An eth_getLogs answer, as the DID registry's logs by identity; anything else in it is ignored or refused. */
function logsByIssuer(raw: unknown, registry: string): Map<string, DidLog[]> {
  if (!Array.isArray(raw)) throw new ChainError("chain_inconsistent", "The node's answer to eth_getLogs is not a list.");
  const byIssuer = new Map<string, DidLog[]>();
  try {
    for (const log of raw as { topics: string[]; data: string; blockNumber: string; logIndex: string; address: string; removed?: boolean }[]) {
      if (log.removed === true || getAddress(log.address) !== registry) continue;
      const issuer = getAddress(`0x${log.topics[1]?.slice(26) ?? ""}`);
      let list = byIssuer.get(issuer);
      if (list === undefined) byIssuer.set(issuer, (list = []));
      list.push({ topics: log.topics, data: log.data, blockNumber: Number(log.blockNumber), index: Number(log.logIndex) });
    }
  } catch (e) {
    throw new ChainError("chain_inconsistent", "The node's logs could not be read.", { cause: e });
  }
  return byIssuer;
}

/** The head, for pinning: number, hash, parent hash and time of the latest block. */
export async function latestHead(provider: import("ethers").Provider, options: ReadOptions = {}): Promise<BlockHeader> {
  if (!isDirect(provider)) throw new ChainError("chain_error", "Reading at a probed head needs a JSON-RPC provider.");
  return probeHead(transportOf(provider), options);
}

async function probeHead(transport: RpcTransport, options: ReadOptions): Promise<BlockHeader> {
  const block = (await rpc(options, "eth_getBlockByNumber", () => transport.request("eth_getBlockByNumber", ["latest", false]))) as
    | { number?: string; hash?: string; parentHash?: string; timestamp?: string }
    | null;
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
  return { number: Number(block.number), hash: block.hash.toLowerCase(), parentHash: block.parentHash.toLowerCase(), timestamp: BigInt(block.timestamp) };
}

async function blockNumber(transport: RpcTransport, options: ReadOptions): Promise<number> {
  const n = await rpc(options, "eth_blockNumber", () => transport.request("eth_blockNumber", []));
  if (typeof n !== "string" || !/^0x[0-9a-fA-F]+$/.test(n)) throw new ChainError("chain_inconsistent", "The node's block number is not a number.");
  return Number(n);
}

/**
 * The links of `historyOf(issuer)`, checked as far as they can be without another read: the issuer first, each link's
 * parent the next link's subject, every link with a version, and each history's times strictly increasing. A node
 * answering otherwise is not believed (chain_inconsistent, so the verification is `unknown`).
 */
export function toLinks(issuer: string, value: import("ethers").Result): ChainLink[] {
  const links: ChainLink[] = [...value].map((link) => {
    const versions: Version[] = [...(link[2] as Iterable<bigint>)].map((packed) => decodeVersion(packed));
    return { subject: getAddress(link[0] as string), parent: getAddress(link[1] as string), versions };
  });
  const bad = (why: string) => new ChainError("chain_inconsistent", `The registry's history of ${issuer} ${why}.`);
  if (links.length > 0 && links[0]!.subject !== getAddress(issuer)) throw bad("starts at another subject");
  links.forEach((link, i) => {
    if (link.versions.length === 0) throw bad(`has a link without versions (${link.subject})`);
    for (let j = 1; j < link.versions.length; j++) {
      if (link.versions[j]!.since <= link.versions[j - 1]!.since) throw bad(`is not in time order (${link.subject})`);
    }
    const next = links[i + 1];
    if (next !== undefined && next.subject !== link.parent) throw bad(`is not a chain (${link.subject})`);
  });
  return links;
}

function rpc<T>(options: ReadOptions, method: string, run: () => Promise<T>): Promise<T> {
  return rpcCall(method, run, { timeoutMs: options.timeoutMs ?? 10_000, onRequest: options.onRequest });
}

/**
 * Runs one provider read: a failure that is not already one of this project's errors becomes a `ChainError` with a
 * stable code. The one wrapper for reads made through an ethers provider outside the batched snapshot.
 */
export function chainRead<T>(method: string, run: () => Promise<T>): Promise<T> {
  return rpcCall(method, run);
}

export { toChainError } from "./rpc.js";

function uniqueBy<T>(values: Iterable<T>, key: (v: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const v of values) {
    const k = key(v);
    if (!seen.has(k)) seen.set(k, v);
  }
  return [...seen.values()];
}
