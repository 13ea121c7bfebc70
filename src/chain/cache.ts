import type { DidEvent } from "../did/ethr.js";
import type { ChainLink } from "./types.js";
import type { Deployment } from "./deployments.js";

/**
 * The verifier's chain cache. Its one rule: an answer is reused only by a read of the very block it was read at.
 *
 * - A generation is one block, named by number and hash. Every answer in it was read by an `eth_call` pinned to that
 *   block hash (EIP-1898), so it is exactly what a fresh read of that block returns.
 * - A verification learns the head with one `eth_getBlockByNumber("latest")` that is sent after the verification
 *   began (concurrent verifications share it, but never one sent before they started). It uses the generation only if
 *   the head is that generation's block, same hash; otherwise a new generation begins and everything it needs is
 *   read again, at the new head. So a change in block N is seen by every verification whose head is N or later:
 *   staleness 0 blocks. A reorganisation, or a test chain reverted to a snapshot, gives another hash at the same
 *   height and is a new generation too.
 * - DID histories (ERC-1056 logs) are the one thing kept across generations, and only while the chain provably
 *   extended the block they were read at: every head seen since is the child of the one before (parent hash), and
 *   the registry's `changed(identity)` read at the new head is still the block of the last event kept. A gap between
 *   heads, a reorg or a change drops them.
 */

const noop = () => undefined;

/** The block a read is pinned to. */
export interface BlockHeader {
  number: number;
  hash: string;
  parentHash: string;
  timestamp: bigint;
}

/** Revocation and suspension words of one 256-entry word of a status list. */
export interface StatusWords {
  revoked: bigint;
  suspended: bigint;
}

/** Everything read at one block. Keys: see reads.ts (`wordKey`, `hashKey`). */
export class Generation {
  chainId: number | undefined;
  readonly chains = new Map<string, ChainLink[]>();
  readonly changed = new Map<string, bigint>();
  readonly didEvents = new Map<string, DidEvent[]>();
  readonly typeIds = new Map<string, number | undefined>();
  readonly words = new Map<string, StatusWords>();
  readonly hashRevokedAt = new Map<string, bigint>();
  readonly anchors = new Map<string, { timestamp: bigint; blockNumber: bigint }>();

  constructor(readonly header: BlockHeader) {}

  get size(): number {
    return this.chains.size + this.typeIds.size + this.words.size + this.hashRevokedAt.size + this.anchors.size;
  }
}

interface KeptHistory {
  events: DidEvent[];
  /** Block of the last event (0: none): must equal `changed(identity)` for the history to be complete. */
  last: number;
  lineage: number;
}

export interface ChainCacheLimits {
  /** Answers kept for the current block (about 200 bytes each); past it the generation starts empty. Default 100,000. */
  maxEntries?: number;
  /** DID histories kept across blocks. Default 10,000 identities. */
  maxHistories?: number;
}

/** The cache of one chain and deployment. Use through {@link VerificationCache}. */
export class ChainReadCache {
  generation: Generation | undefined;
  /** Set after the first read: a first verification reads without the head probe (two requests at most). */
  used = false;
  readonly maxEntries: number;
  private readonly maxHistories: number;
  private readonly histories = new Map<string, KeptHistory>();
  private lineage = 0;
  private last: BlockHeader | undefined;
  private inflight: Promise<BlockHeader> | undefined;
  private pending: Promise<BlockHeader> | undefined;

  constructor(limits: ChainCacheLimits = {}) {
    this.maxEntries = limits.maxEntries ?? 100_000;
    this.maxHistories = limits.maxHistories ?? 10_000;
  }

  /**
   * The chain head, from a probe sent after this call began: callers join a probe that has not been sent yet (it goes
   * out at the next turn of the event loop, once the previous one is answered), never one already on its way, which
   * might predate a block this caller must see.
   */
  head(probe: () => Promise<BlockHeader>): Promise<BlockHeader> {
    if (this.pending !== undefined) return this.pending;
    const previous = this.inflight;
    const p = (async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (previous !== undefined) await previous.then(noop, noop);
      this.pending = undefined; // sent from here on: later callers wait for the next probe
      const h = await probe();
      this.observe(h);
      return h;
    })();
    this.pending = p;
    this.inflight = p;
    return p;
  }

  /**
   * A head probed by the caller (after its verification began), taken as if this cache had probed it. Not shared
   * with other callers: each brings its own.
   */
  adopt(head: BlockHeader): BlockHeader {
    this.observe(head);
    return head;
  }

  /** Follows the chain from head to head: a head that is not the last one or its child starts a new lineage. */
  private observe(h: BlockHeader): void {
    const last = this.last;
    const extends_ =
      last !== undefined && (h.hash === last.hash || (h.number === last.number + 1 && h.parentHash === last.hash));
    if (!extends_) {
      this.lineage++;
      this.histories.clear();
    }
    this.last = h;
  }

  /** The generation of `header`: the current one if it is that block, else a new, empty one. */
  generationFor(header: BlockHeader): Generation {
    const g = this.generation;
    if (g !== undefined && g.header.hash === header.hash && g.header.number === header.number) return g;
    const fresh = new Generation(header);
    // The latest head seen becomes the shared generation (after a reorg or a revert too, even at a lower height); a
    // slower verification whose probe was overtaken reads into a generation of its own.
    if (this.last === undefined || this.last.hash === header.hash) this.generation = fresh;
    return fresh;
  }

  /** Starts the generation of `header` afresh (it grew past `maxEntries`). */
  reset(header: BlockHeader): Generation {
    const fresh = new Generation(header);
    if (this.generation?.header.hash === header.hash) this.generation = fresh;
    return fresh;
  }

  /** The kept DID history of `identity`, if it is still complete at a block whose `changed(identity)` is `changed`. */
  history(identity: string, changed: bigint): DidEvent[] | undefined {
    const h = this.histories.get(identity);
    if (h === undefined || h.lineage !== this.lineage || BigInt(h.last) !== changed) return undefined;
    return h.events;
  }

  /** Keeps a history read at a block of the current lineage. */
  keepHistory(identity: string, events: DidEvent[], header: BlockHeader): void {
    if (this.last?.hash !== header.hash) return; // read at a head that is no longer the latest seen: not kept
    const last = events.reduce((m, e) => Math.max(m, e.block), 0);
    this.histories.delete(identity);
    this.histories.set(identity, { events, last, lineage: this.lineage });
    if (this.histories.size > this.maxHistories) {
      const oldest = this.histories.keys().next().value;
      if (oldest !== undefined) this.histories.delete(oldest);
    }
  }
}

/**
 * A verifier's cache of chain reads, for any number of deployments. Safe to share between concurrent verifications
 * and across a long-running process (see the rules above): it never answers for a block other than the head a
 * verification probed. Pass it as `VerifierContext.cache`; without one, verifications through the same provider
 * object share a default cache.
 */
export class VerificationCache {
  private readonly byDeployment = new Map<string, ChainReadCache>();

  constructor(private readonly limits: ChainCacheLimits = {}) {}

  /** The cache of one deployment. */
  of(deployment: Deployment): ChainReadCache {
    const c = deployment.contracts;
    const key = `${deployment.chainId}:${c.EthereumDIDRegistry.address}:${c.TrustRegistry.address}:${c.StatusRegistry.address}:${c.Multicall3.address}`;
    let cache = this.byDeployment.get(key);
    if (cache === undefined) {
      cache = new ChainReadCache(this.limits);
      this.byDeployment.set(key, cache);
    }
    return cache;
  }

  /** Forgets everything (the next verification reads the chain as the first one did). */
  clear(): void {
    this.byDeployment.clear();
  }
}
