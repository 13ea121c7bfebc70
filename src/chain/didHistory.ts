import { getAddress } from "ethers";
import { ChainError } from "../errors.js";
import { decodeDidEvents, didEventTopics, type DidLog } from "../did/ethr.js";
import type { BlockHeader, ChainReadCache, Generation } from "./cache.js";
import type { Deployment } from "./deployments.js";
import { getRawLogs } from "./logs.js";
import type { RpcCallOptions } from "./rpc.js";
import { RpcAnswerError, type RpcTransport } from "./transport.js";

/**
 * The ERC-1056 DID-history log walk of the snapshot read: the EthereumDIDRegistry's logs of the identities whose DID
 * document ever changed, in one `eth_getLogs` up to the block read, or, from an endpoint that caps the range of
 * eth_getLogs, by following the registry's `previousChange` links one block at a time.
 */

/**
 * The DID histories of `issuers` (whose `changed` is in `g`): kept ones from the cache when still complete, the others
 * with one `eth_getLogs` up to the block read (or, from an endpoint that refuses that range, by following the
 * registry's previousChange links). The registry's `changed(identity)` must be the block of the last
 * event the logs give.
 */
export async function readDidHistories(
  transport: RpcTransport,
  deployment: Deployment,
  issuers: readonly string[],
  g: Generation,
  header: BlockHeader,
  options: RpcCallOptions,
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
      byIssuer = await didLogs(
        transport,
        deployment,
        fetch,
        deployment.contracts.EthereumDIDRegistry.block,
        header.number,
        options,
      );
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
      throw new ChainError(
        "chain_inconsistent",
        `The node's logs lack the DID change of ${issuer} at block ${g.changed.get(issuer)}.`,
      );
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
  options: RpcCallOptions,
): Promise<Map<string, DidLog[]>> {
  const did = deployment.contracts.EthereumDIDRegistry;
  const topics = [null, issuers.map((issuer) => didEventTopics(issuer)[1])];
  const raw = await getRawLogs(transport, { address: did.address, topics, fromBlock: from, toBlock: to }, options);
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
  options: RpcCallOptions,
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
      throw new ChainError(
        "chain_error",
        `The DID histories span more than ${MAX_HISTORY_BLOCKS} blocks, read one block at a time.`,
      );
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
            throw new ChainError(
              "chain_inconsistent",
              `The node's logs lack the DID change of ${issuer} at block ${block}.`,
            );
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
            throw new ChainError(
              "chain_inconsistent",
              `The DID change of ${issuer} at block ${block} does not link back in time.`,
            );
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
  if (!Array.isArray(raw))
    throw new ChainError("chain_inconsistent", "The node's answer to eth_getLogs is not a list.");
  const byIssuer = new Map<string, DidLog[]>();
  try {
    for (const log of raw as {
      topics: string[];
      data: string;
      blockNumber: string;
      logIndex: string;
      address: string;
      removed?: boolean;
    }[]) {
      if (log.removed === true || getAddress(log.address) !== registry) continue;
      const issuer = getAddress(`0x${log.topics[1]?.slice(26) ?? ""}`);
      let list = byIssuer.get(issuer);
      if (list === undefined) byIssuer.set(issuer, (list = []));
      list.push({
        topics: log.topics,
        data: log.data,
        blockNumber: Number(log.blockNumber),
        index: Number(log.logIndex),
      });
    }
  } catch (e) {
    throw new ChainError("chain_inconsistent", "The node's logs could not be read.", { cause: e });
  }
  return byIssuer;
}
