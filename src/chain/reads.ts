import { getAddress, Interface, type Log, type Provider } from "ethers";
import { ChainError } from "../errors.js";
import { decodeDidEvents, didEventTopics, type DidEvent } from "../did/ethr.js";
import { AccreditationStatus, type ChainLink } from "../verify/trust.js";
import { didRegistryArtifact, projectArtifact } from "./artifacts.js";
import type { Deployment } from "./deployments.js";

/** What a batch of verifications needs from the chain. Duplicates are read once. */
export interface ReadRequest {
  /** Issuers (addresses) whose accreditation chain and DID history are needed. */
  issuers: Iterable<string>;
  /** Credential type names to map to trust-registry type ids. */
  typeNames: Iterable<string>;
  statuses: Iterable<{ issuer: string; list: bigint; index: number }>;
  hashes: Iterable<{ issuer: string; hash: string }>;
  anchors: Iterable<{ issuer: string; root: string }>;
}

/** The chain's answers, all taken at one block. */
export interface ChainSnapshot {
  block: number;
  timestamp: bigint;
  chainId: number;
  chains: Map<string, ChainLink[]>;
  didEvents: Map<string, DidEvent[]>;
  typeIds: Map<string, number | undefined>;
  statuses: Map<string, { revoked: boolean; suspended: boolean }>;
  hashRevokedAt: Map<string, bigint>;
  anchors: Map<string, { timestamp: bigint; blockNumber: bigint }>;
}

export interface ReadOptions {
  /** Give up on a JSON-RPC request after this long. */
  timeoutMs?: number;
  /** Read at this block instead of the latest. */
  blockTag?: number;
  /** Called once per JSON-RPC request made, with its method: for counting. */
  onRequest?: (method: string) => void;
}

export const statusKey = (issuer: string, list: bigint, index: number) => `${issuer}:${list}:${index}`;
export const hashKey = (issuer: string, hash: string) => `${issuer}:${hash.toLowerCase()}`;

const multicallIface = new Interface(projectArtifact("Multicall3").abi);
const trustIface = new Interface(projectArtifact("TrustRegistry").abi);
const statusIface = new Interface(projectArtifact("StatusRegistry").abi);
const didIface = new Interface(didRegistryArtifact().abi);

interface Pending {
  target: string;
  iface: Interface;
  fn: string;
  args: unknown[];
  allowFailure: boolean;
  apply: (result: import("ethers").Result | undefined) => void;
}

/**
 * Reads everything a batch of verifications needs in one `eth_call` (Multicall3 over the registries) and, for
 * identities whose DID document ever changed, one `eth_getLogs` for all of them: two JSON-RPC requests at most.
 * Answers are checked for consistency (chain id, block order); a node that cannot be read or answers nonsense is
 * a ChainError, which verification reports as `unknown`.
 */
export async function readSnapshot(
  provider: Provider,
  deployment: Deployment,
  request: ReadRequest,
  options: ReadOptions = {},
): Promise<ChainSnapshot> {
  const c = deployment.contracts;
  const snap: ChainSnapshot = {
    block: 0,
    timestamp: 0n,
    chainId: 0,
    chains: new Map(),
    didEvents: new Map(),
    typeIds: new Map(),
    statuses: new Map(),
    hashRevokedAt: new Map(),
    anchors: new Map(),
  };
  const changed = new Map<string, bigint>();
  const calls: Pending[] = [
    { target: c.Multicall3.address, iface: multicallIface, fn: "getBlockNumber", args: [], allowFailure: false, apply: (r) => (snap.block = Number(r![0])) },
    { target: c.Multicall3.address, iface: multicallIface, fn: "getCurrentBlockTimestamp", args: [], allowFailure: false, apply: (r) => (snap.timestamp = r![0] as bigint) },
    { target: c.Multicall3.address, iface: multicallIface, fn: "getChainId", args: [], allowFailure: false, apply: (r) => (snap.chainId = Number(r![0])) },
  ];
  for (const issuer of unique(request.issuers)) {
    calls.push({ target: c.EthereumDIDRegistry.address, iface: didIface, fn: "changed", args: [issuer], allowFailure: false, apply: (r) => changed.set(issuer, r![0] as bigint) });
    calls.push({ target: c.TrustRegistry.address, iface: trustIface, fn: "chainOf", args: [issuer], allowFailure: false, apply: (r) => snap.chains.set(issuer, toLinks(r![0])) });
  }
  for (const name of unique(request.typeNames)) {
    calls.push({ target: c.TrustRegistry.address, iface: trustIface, fn: "typeIdOf", args: [name], allowFailure: true, apply: (r) => snap.typeIds.set(name, r === undefined ? undefined : Number(r[0])) });
  }
  for (const s of uniqueBy(request.statuses, (s) => statusKey(s.issuer, s.list, s.index))) {
    calls.push({ target: c.StatusRegistry.address, iface: statusIface, fn: "statusOf", args: [s.issuer, s.list, s.index], allowFailure: false, apply: (r) => snap.statuses.set(statusKey(s.issuer, s.list, s.index), { revoked: r![0] as boolean, suspended: r![1] as boolean }) });
  }
  for (const h of uniqueBy(request.hashes, (h) => hashKey(h.issuer, h.hash))) {
    calls.push({ target: c.StatusRegistry.address, iface: statusIface, fn: "hashRevokedAt", args: [h.issuer, h.hash], allowFailure: false, apply: (r) => snap.hashRevokedAt.set(hashKey(h.issuer, h.hash), r![0] as bigint) });
  }
  for (const a of uniqueBy(request.anchors, (a) => hashKey(a.issuer, a.root))) {
    calls.push({ target: c.StatusRegistry.address, iface: statusIface, fn: "anchorOf", args: [a.issuer, a.root], allowFailure: false, apply: (r) => { const v = r![0]; snap.anchors.set(hashKey(a.issuer, a.root), { timestamp: v[0] as bigint, blockNumber: v[1] as bigint }); } });
  }

  const data = multicallIface.encodeFunctionData("aggregate3", [
    calls.map((p) => ({ target: p.target, allowFailure: p.allowFailure, callData: p.iface.encodeFunctionData(p.fn, p.args) })),
  ]);
  const raw = await rpc(options, "eth_call", () =>
    provider.call({ to: c.Multicall3.address, data, blockTag: options.blockTag ?? "latest" }),
  );
  try {
    const [results] = multicallIface.decodeFunctionResult("aggregate3", raw) as unknown as [[boolean, string][]];
    if (results.length !== calls.length) throw new Error(`${results.length} results for ${calls.length} calls`);
    results.forEach(([success, returnData], i) => {
      const p = calls[i]!;
      p.apply(success ? p.iface.decodeFunctionResult(p.fn, returnData) : undefined);
    });
  } catch (e) {
    throw new ChainError("chain_inconsistent", "The node's answer to the registry reads could not be decoded.", { cause: e });
  }
  if (snap.chainId !== deployment.chainId) {
    throw new ChainError("wrong_chain", `The node serves chain ${snap.chainId}, not ${deployment.chainId}.`, {
      details: { expected: deployment.chainId, actual: snap.chainId },
    });
  }

  const withHistory = [...changed].filter(([, block]) => block !== 0n);
  for (const [issuer] of changed) snap.didEvents.set(issuer, []);
  if (withHistory.length > 0) {
    for (const [issuer, block] of withHistory) {
      if (block > BigInt(snap.block)) {
        throw new ChainError("chain_inconsistent", `The node reports a DID change of ${issuer} after its own head.`);
      }
    }
    const filter = {
      address: c.EthereumDIDRegistry.address,
      topics: [null, withHistory.map(([issuer]) => didEventTopics(issuer)[1])],
      fromBlock: c.EthereumDIDRegistry.block,
      toBlock: snap.block,
    };
    const logs = await rpc(options, "eth_getLogs", () => provider.getLogs(filter));
    const byIssuer = new Map<string, Log[]>();
    for (const log of logs) {
      const issuer = getAddress(`0x${log.topics[1]?.slice(26) ?? ""}`);
      byIssuer.set(issuer, [...(byIssuer.get(issuer) ?? []), log]);
    }
    for (const [issuer, block] of withHistory) {
      const events = decodeDidEvents(byIssuer.get(issuer) ?? []);
      // The registry says when the identity last changed; the log must contain that change.
      if (!events.some((e) => BigInt(e.block) === block)) {
        throw new ChainError("chain_inconsistent", `The node's logs lack the DID change of ${issuer} at block ${block}.`);
      }
      snap.didEvents.set(issuer, events);
    }
  }
  return snap;
}

function toLinks(value: import("ethers").Result): ChainLink[] {
  return [...value].map((link) => {
    const a = link[1];
    return {
      subject: getAddress(link[0] as string),
      parent: getAddress(a[0] as string),
      validFrom: a[1] as bigint,
      validUntil: a[2] as bigint,
      role: Number(a[3]),
      status: Number(a[4]) as AccreditationStatus,
      reason: Number(a[5]),
      depth: Number(a[6]),
      scope: a[7] as bigint,
    };
  });
}

async function rpc<T>(options: ReadOptions, method: string, run: () => Promise<T>): Promise<T> {
  options.onRequest?.(method);
  const timeoutMs = options.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ChainError("chain_timeout", `The node did not answer ${method} within ${timeoutMs} ms.`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([run(), timeout]);
  } catch (e) {
    if (e instanceof ChainError) throw e;
    throw toChainError(e, method);
  } finally {
    clearTimeout(timer);
  }
}

/** Maps a provider failure to a stable code. */
export function toChainError(e: unknown, method: string): ChainError {
  const err = e as { code?: string; message?: string; shortMessage?: string };
  const text = `${err.code ?? ""} ${err.shortMessage ?? err.message ?? ""}`;
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|socket hang up|fetch failed|NETWORK_ERROR/i.test(text)) {
    return new ChainError("chain_unreachable", `The chain cannot be reached (${method}).`, { cause: e });
  }
  if (/TIMEOUT/i.test(text)) return new ChainError("chain_timeout", `The node timed out on ${method}.`, { cause: e });
  if (/BAD_DATA|invalid json|SERVER_ERROR|UNKNOWN_ERROR|missing response/i.test(text)) {
    return new ChainError("chain_error", `The node answered ${method} with an error or malformed data.`, { cause: e });
  }
  return new ChainError("chain_error", `The ${method} request failed: ${err.shortMessage ?? err.message ?? String(e)}`, {
    cause: e,
  });
}

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

function uniqueBy<T>(values: Iterable<T>, key: (v: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const v of values) if (!seen.has(key(v))) seen.set(key(v), v);
  return [...seen.values()];
}
