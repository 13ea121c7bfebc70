import type { WriteResult } from "../chain/writes.js";
import { buildMerkleTree } from "../credentials/merkle.js";
import { sleep, startTimer, systemClock, type Clock } from "../clock.js";
import { LerError } from "../errors.js";

/**
 * Coalesced anchoring. Every worker computes the Merkle leaves of the credentials it is about to sign and hands them
 * to the coordinator; the coordinator gathers the leaves of every worker for one issuer into a batch, closed once it
 * holds `maxBatch` leaves or its oldest leaf has waited `intervalMs`, builds the tree and gives each leaf its root and
 * proof. The workers then sign (the proof is part of the signed credential, and does not depend on the block that
 * will include the anchor), and one leader sends one `anchor(issuer, root)` transaction per batch. Under load batches
 * fill up, so gas per credential falls as the load rises.
 *
 * A leaf whose credential is never signed (its worker died between the two steps) is harmless: a root vouches only
 * for credentials that exist. What must never happen, a credential handed out whose root is never anchored, cannot:
 * a batch is durable (the intent log for one process, the batch table for many) before any of its leaves is placed.
 */

/** The chain and registry a batch is anchored on, and the issuer (lower-case addresses). */
export interface AnchorScope {
  issuer: string;
  chainId: number;
  registry: string;
}

/** Where a leaf landed: its batch's root and the leaf's proof in it. */
export interface Placement {
  root: string;
  proof: string[];
}

/** A batch as the coordinator knows it. */
export interface BatchStatus {
  root: string;
  issuer: string;
  size: number;
  /** ISO 8601: when the batch was closed (its leaves placed). */
  closedAt: string;
  /** Set once the anchor transaction is confirmed. */
  anchor?: { txHash: string; block: number; gasUsed: number; anchoredAt: string };
}

/** Batch sizes and timing. */
export interface CoalescingOptions {
  /** Leaves per batch at most (default 1024). */
  maxBatch?: number;
  /** How long the oldest leaf of an open batch waits before it closes, in ms (default 200). */
  intervalMs?: number;
  /** The clock of batch times and timeouts (default the system's). */
  clock?: Clock;
  /** Told what anchoring could not do (it is retried, or left pending for `ler issuer resume`); default: nothing. */
  onError?: (e: unknown) => void;
}

export const DEFAULT_MAX_BATCH = 1024;
export const DEFAULT_INTERVAL_MS = 200;

/** Sends `anchor(issuer, root)` and waits for its confirmation (a root already anchored comes back as done). */
export type AnchorSender = (scope: AnchorScope, root: string) => Promise<WriteResult>;

/** What {@link IssuerStore.anchoring} takes. */
export interface AnchoringOptions extends CoalescingOptions {
  send: AnchorSender;
  /**
   * Records a closed batch's anchor as an intent, before any of its leaves is placed (the files store: the home's
   * intent log). PostgreSQL's batch table is itself that record, so it does not call this.
   */
  record: (scope: AnchorScope, root: string) => Promise<void>;
  /** Whether this process may become the anchoring leader (default true). */
  lead?: boolean;
}

export interface AnchorCoordinator {
  /** Places `leaves` in batches; resolves once every one is in a closed, durable batch. */
  place(scope: AnchorScope, leaves: readonly string[]): Promise<Placement[]>;
  /** The batch of `root`, undefined if this coordinator never closed it. */
  batch(scope: AnchorScope, root: string): Promise<BatchStatus | undefined>;
  /** Resolves once the batch of `root` is anchored (or rejects after `timeoutMs`: `anchor_timeout`). */
  anchored(scope: AnchorScope, root: string, timeoutMs: number): Promise<BatchStatus>;
  /** Whether this process is the anchoring leader now. */
  readonly leading: boolean;
  /** Stops the loops; pending places reject with `service_stopping`. */
  close(): Promise<void>;
}

/** The root and each leaf's proof of one batch. */
export function closeTree(leaves: readonly string[]): { root: string; proofs: string[][] } {
  const tree = buildMerkleTree(leaves);
  return { root: tree.root, proofs: leaves.map((_, i) => tree.proof(i)) };
}

export function scopeKey(scope: AnchorScope): string {
  return `${scope.chainId}:${scope.registry}:${scope.issuer}`;
}

/** Polls `check` every `everyMs` until it returns a value or `timeoutMs` passes. */
export async function pollFor<T>(
  check: () => Promise<T | undefined>,
  {
    everyMs,
    timeoutMs,
    what,
    clock = systemClock,
  }: { everyMs: number; timeoutMs: number; what: string; clock?: Clock },
): Promise<T> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (clock.now() >= deadline)
      throw new LerError("anchor_timeout", `${what} was not confirmed within ${Math.round(timeoutMs / 1000)} s.`);
    await sleep(everyMs);
  }
}

export { sleep };

interface OpenLeaf {
  leaf: string;
  resolve: (p: Placement) => void;
  reject: (e: unknown) => void;
}

/**
 * The coordinator of one process (the files store: one machine, one worker). Batches live in memory until closed;
 * closing records the anchor intent in the home's intent log (through `send`, which is the agent's `lerAnchor`: it
 * records the intent before sending), so a crash after a credential went out leaves its anchor pending for
 * `ler issuer resume`, never forgotten. Here the intent is recorded before the leaves are placed: `record`.
 */
export class MemoryCoordinator implements AnchorCoordinator {
  readonly leading = true;
  readonly #open = new Map<string, { scope: AnchorScope; leaves: OpenLeaf[]; cancel: () => void }>();
  readonly #batches = new Map<string, BatchStatus>();
  readonly #queue: (() => Promise<void>)[] = [];
  readonly #running = new Set<Promise<void>>();
  #inFlight = 0;
  #closed = false;
  readonly #maxBatch: number;
  readonly #intervalMs: number;
  readonly #clock: Clock;
  readonly #onError: (e: unknown) => void;

  constructor(
    private readonly record: (scope: AnchorScope, root: string) => Promise<void>,
    private readonly send: AnchorSender,
    options: CoalescingOptions = {},
  ) {
    this.#maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.#intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.#clock = options.clock ?? systemClock;
    this.#onError = options.onError ?? (() => {});
  }

  place(scope: AnchorScope, leaves: readonly string[]): Promise<Placement[]> {
    if (this.#closed) return Promise.reject(stopping());
    const key = scopeKey(scope);
    return Promise.all(
      leaves.map(
        (leaf) =>
          new Promise<Placement>((resolve, reject) => {
            let open = this.#open.get(key);
            if (open === undefined) {
              open = { scope, leaves: [], cancel: startTimer(this.#intervalMs, () => void this.#close(key)) };
              this.#open.set(key, open);
            }
            open.leaves.push({ leaf, resolve, reject });
            if (open.leaves.length >= this.#maxBatch) void this.#close(key);
          }),
      ),
    );
  }

  async #close(key: string): Promise<void> {
    const open = this.#open.get(key);
    if (open === undefined) return;
    this.#open.delete(key);
    open.cancel();
    const { scope, leaves } = open;
    try {
      const { root, proofs } = closeTree(leaves.map((l) => l.leaf));
      await this.record(scope, root);
      this.#batches.set(`${key}:${root}`, {
        root,
        issuer: scope.issuer,
        size: leaves.length,
        closedAt: new Date(this.#clock.now()).toISOString(),
      });
      leaves.forEach((l, i) => l.resolve({ root, proof: proofs[i]! }));
      this.#anchor(scope, root);
    } catch (e) {
      for (const l of leaves) l.reject(e);
    }
  }

  /**
   * Anchors a closed batch, up to 8 at a time (a send holds its key's lock only to pick the nonce and broadcast).
   * One that fails three times stays pending in the intent log, for `ler issuer resume`.
   */
  #anchor(scope: AnchorScope, root: string): void {
    const k = `${scopeKey(scope)}:${root}`;
    const run = async () => {
      for (let attempt = 0; attempt < 3 && !this.#closed; attempt++) {
        try {
          const r = await this.send(scope, root);
          const b = this.#batches.get(k);
          if (b !== undefined)
            b.anchor = {
              txHash: r.txHash,
              block: r.block,
              gasUsed: r.gasUsed,
              anchoredAt: new Date(this.#clock.now()).toISOString(),
            };
          return;
        } catch (e) {
          if (attempt === 2) this.#onError(e);
          else await sleep(500 * (attempt + 1));
        }
      }
    };
    this.#queue.push(run);
    this.#pump();
  }

  #pump(): void {
    while (this.#inFlight < 8 && this.#queue.length > 0) {
      const run = this.#queue.shift()!;
      this.#inFlight++;
      const done = run().finally(() => {
        this.#inFlight--;
        this.#running.delete(done);
        this.#pump();
      });
      this.#running.add(done);
    }
  }

  async batch(scope: AnchorScope, root: string): Promise<BatchStatus | undefined> {
    return this.#batches.get(`${scopeKey(scope)}:${root.toLowerCase()}`);
  }

  async anchored(scope: AnchorScope, root: string, timeoutMs: number): Promise<BatchStatus> {
    return pollFor(
      async () => {
        const b = await this.batch(scope, root);
        return b?.anchor === undefined ? undefined : b;
      },
      { everyMs: 20, timeoutMs, what: `The anchor of ${root}`, clock: this.#clock },
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const [key, open] of this.#open) {
      open.cancel();
      for (const l of open.leaves) l.reject(stopping());
      this.#open.delete(key);
    }
    this.#queue.length = 0;
    await Promise.allSettled([...this.#running]);
  }
}

export function stopping(): LerError {
  return new LerError("service_stopping", "The service is stopping; send the request again.");
}
