import { getAddress, Interface } from "ethers";
import { ChainError } from "../errors.js";
import type { DidEvent } from "../did/ethr.js";
import { decodeVersion, type ChainLink, type Version } from "./types.js";
import { didRegistryArtifact, projectArtifact } from "./artifacts.js";
import { Generation, type BlockHeader } from "./cache.js";
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

/**
 * The snapshot read's plan, pure: what a batch of verifications needs, as the Multicall3 sub-calls that read it
 * (grouped, de-duplicated, split under a gas budget), and the decoding of their answers into a {@link Generation}
 * and then a {@link ChainSnapshot}. No request is sent here: `reads.ts` sends the calls, `didHistory.ts` reads the
 * DID logs.
 */

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

export const statusKey = (issuer: string, list: bigint, index: number) => `${issuer}:${list}:${index}`;
export const hashKey = (issuer: string, hash: string) => `${issuer}:${hash.toLowerCase()}`;
/** The key of one status word (256 entries of a list, both purposes). */
export const wordKey = (issuer: string, list: bigint, word: number) => `${issuer}:${list}:${word}`;

const multicallIface = new Interface(projectArtifact("Multicall3").abi);
const trustIface = new Interface(projectArtifact("TrustRegistry").abi);
const statusIface = new Interface(projectArtifact("StatusRegistry").abi);
const didIface = new Interface(didRegistryArtifact().abi);

export const SEL = {
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
export const GAS = {
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
export const DEFAULT_CALL_GAS_BUDGET = 12_000_000;
const MAX_CALLS_PER_CHUNK = 2_000;

/** The unique keys of a request. */
export interface Keys {
  issuers: string[];
  typeNames: string[];
  words: { issuer: string; list: bigint; word: number }[];
  hashes: { issuer: string; hash: string }[];
  anchors: { issuer: string; root: string }[];
  statuses: { issuer: string; list: bigint; index: number }[];
}

export function keysOf(request: ReadRequest): Keys {
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
export function missing(keys: Keys, g: Generation): Keys {
  return {
    issuers: keys.issuers.filter((i) => !(g.chains.has(i) && g.changed.has(i) && g.didEvents.has(i))),
    typeNames: keys.typeNames.filter((t) => !g.typeIds.has(t)),
    words: keys.words.filter((w) => !g.words.has(wordKey(w.issuer, w.list, w.word))),
    hashes: keys.hashes.filter((h) => !g.hashRevokedAt.has(hashKey(h.issuer, h.hash))),
    anchors: keys.anchors.filter((a) => !g.anchors.has(hashKey(a.issuer, a.root))),
    statuses: [],
  };
}

export const isEmpty = (k: Keys) =>
  k.issuers.length + k.typeNames.length + k.words.length + k.hashes.length + k.anchors.length === 0;

export const placeholder: BlockHeader = { number: 0, hash: "", parentHash: "", timestamp: 0n };

export function todoSize(k: Keys): number {
  return k.issuers.length + k.typeNames.length + k.words.length + k.hashes.length + k.anchors.length;
}

export function merge(into: Generation, from: Generation): void {
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
export function assemble(keys: Keys, g: Generation, header: BlockHeader, blockHash?: string): ChainSnapshot {
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
export interface Planned {
  call: SubCall;
  gas: number;
  apply(r: SubResult, g: Generation): void;
}

export function planCalls(deployment: Deployment, keys: Keys, budget: number): Planned[] {
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
      apply: (r, g) =>
        g.chains.set(
          issuer,
          toLinks(issuer, trustIface.decodeFunctionResult("historyOf", `0x${need(r, "historyOf")}`)[0]),
        ),
    });
  }
  for (const name of keys.typeNames) {
    planned.push({
      call: {
        target: c.TrustRegistry.address,
        allowFailure: true,
        callData: trustIface.encodeFunctionData("typeIdOf", [name]).slice(2),
      },
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
  const perGroup = Math.max(
    1,
    Math.min(MAX_HASHES_PER_CALL, Math.floor((budget - GAS.header - GAS.hashes) / GAS.perHash)),
  );
  for (const { issuer, hashes } of hashGroups(keys.hashes, perGroup)) {
    planned.push({
      call: {
        target: c.StatusRegistry.address,
        allowFailure: false,
        callData:
          SEL.hashesRevokedAt + addressWord(issuer) + word(64) + word(hashes.length) + hashes.map(bytes32Word).join(""),
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
      call: {
        target: c.StatusRegistry.address,
        allowFailure: false,
        callData: SEL.anchorOf + addressWord(a.issuer) + bytes32Word(a.root),
      },
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
export function wordRuns(words: Keys["words"]): { issuer: string; list: bigint; from: number; count: number }[] {
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
export function hashGroups(hashes: Keys["hashes"], size: number): { issuer: string; hashes: string[] }[] {
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
export function chunk(plan: readonly Planned[], budget: number): Planned[][] {
  const chunks: Planned[][] = [];
  let current: Planned[] = [];
  let gas = 0;
  for (let i = 0; i < plan.length; i++) {
    const p = plan[i]!;
    const paired =
      p.call.callData.startsWith(SEL.getWords) &&
      i + 1 < plan.length &&
      plan[i + 1]!.call.callData.startsWith(SEL.getWords);
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
export type Pin = "latest" | { number: number } | BlockHeader;

export function headerOf(pin: Exclude<Pin, "latest">): BlockHeader {
  return "hash" in pin ? pin : { number: pin.number, hash: "", parentHash: "", timestamp: 0n };
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

export function uniqueBy<T>(values: Iterable<T>, key: (v: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const v of values) {
    const k = key(v);
    if (!seen.has(k)) seen.set(k, v);
  }
  return [...seen.values()];
}

/** The block a read's calls report, which every call of the read must agree on; the first also gives time and chain id. */
export interface ReadHeader {
  number: number;
  timestamp: bigint;
  chainId: number;
}

/** A header not read yet. */
export function emptyReadHeader(): ReadHeader {
  return { number: -1, timestamp: 0n, chainId: 0 };
}

/**
 * The sub-calls one call of a read starts with: the block number (every call; calls answered at different blocks are
 * refused as `chain_inconsistent`), and for the first call also the block time and the chain id, into `header`.
 */
export function headerCalls(multicall: string, header: ReadHeader, first: boolean): Planned[] {
  const calls: Planned[] = [
    {
      call: { target: multicall, allowFailure: false, callData: SEL.getBlockNumber },
      gas: GAS.header,
      apply: (r) => {
        const n = Number(returnWord(r.returnData));
        if (header.number === -1) header.number = n;
        else if (header.number !== n)
          throw new ChainError("chain_inconsistent", "The node answered parts of one read at different blocks.");
      },
    },
  ];
  if (first) {
    calls.push(
      {
        call: { target: multicall, allowFailure: false, callData: SEL.getCurrentBlockTimestamp },
        gas: GAS.header,
        apply: (r) => void (header.timestamp = returnWord(r.returnData)),
      },
      {
        call: { target: multicall, allowFailure: false, callData: SEL.getChainId },
        gas: GAS.header,
        apply: (r) => void (header.chainId = Number(returnWord(r.returnData))),
      },
    );
  }
  return calls;
}

/** The calldata of one `aggregate3` call of `calls` (to the Multicall3 contract). */
export function aggregateCalldata(calls: readonly Planned[]): string {
  return encodeAggregate3(calls.map((p) => p.call));
}

/**
 * Decodes the node's answer to the `aggregate3` call of `calls` into `g`. A required sub-call that failed, or an
 * answer that does not decode, is a ChainError `chain_inconsistent`.
 */
export function applyAnswer(calls: readonly Planned[], raw: unknown, g: Generation): void {
  try {
    const results = decodeAggregate3(raw as string, calls.length);
    results.forEach((r, i) => {
      if (!r.success && !calls[i]!.call.allowFailure) throw new Error("a required sub-call failed");
      calls[i]!.apply(r, g);
    });
  } catch (e) {
    if (e instanceof ChainError) throw e;
    throw new ChainError("chain_inconsistent", "The node's answer to the registry reads could not be decoded.", {
      cause: e,
    });
  }
}
