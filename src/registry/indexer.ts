import type { Provider } from "ethers";
import { applyRegistryEvents, emptyRegistryState, type RegistryState } from "../store/registryIndex.js";
import { readBlock, readBlockNumber } from "../chain/blocks.js";
import { readRegistryEvents } from "../chain/registryLogs.js";
import { toChainError } from "../chain/rpc.js";
import { type Deployment } from "../chain/deployments.js";
import { type SkippedLog } from "../chain/registryEvents.js";
import { systemClock } from "../clock.js";
import { ChainError } from "../errors.js";

export interface RegistryIndexOptions {
  /** Refresh at most this often; requests in between are served from the cache (default 1000 ms; 0: every time). */
  minRefreshMs?: number;
  /** Blocks per `eth_getLogs` request (public RPC endpoints cap the range; default 10,000). */
  blockRange?: number;
  /** Give up on one JSON-RPC request after this long (default 10,000 ms). */
  timeoutMs?: number;
  /** Told of each registry log that could not be decoded and was skipped (the service writes it to stderr). */
  onSkipped?: (log: SkippedLog) => void;
  /** The clock for refresh pacing, in milliseconds. */
  clockMs?: () => number;
}

export interface IndexSnapshot {
  state: RegistryState;
  /** Set when the last refresh failed: the state is as of `state.block`, possibly behind the chain. */
  stale?: ChainError;
  /** Registry logs that could not be decoded at all and were left out (the index went on past them). */
  skippedLogs?: { count: number; recent: SkippedLog[] };
}

/** Skipped logs kept for the report (the count covers all of them). */
const SKIPPED_KEPT = 20;

/**
 * The registry rebuilt from the registries' logs, from their deployment block, then kept up incrementally: each
 * refresh reads only the blocks since the last one. A reorganisation (the last indexed block's hash changed) makes
 * it start over. Refreshes are shared: concurrent requests wait for one, never start several.
 */
export class RegistryIndex {
  private state: RegistryState = emptyRegistryState();
  private lastRefreshMs = -Infinity;
  private inFlight: Promise<IndexSnapshot> | undefined;
  private lastError: ChainError | undefined;
  private skipped: { count: number; recent: SkippedLog[] } = { count: 0, recent: [] };
  private readonly options: Required<RegistryIndexOptions>;

  constructor(
    private readonly provider: Provider,
    private readonly deployment: Deployment,
    options: RegistryIndexOptions = {},
  ) {
    this.options = {
      minRefreshMs: options.minRefreshMs ?? 1000,
      blockRange: options.blockRange ?? 10_000,
      timeoutMs: options.timeoutMs ?? 10_000,
      clockMs: options.clockMs ?? (() => systemClock.now()),
      onSkipped: options.onSkipped ?? (() => {}),
    };
  }

  /** The registry, refreshed first when the last refresh is older than `minRefreshMs`. */
  async current(): Promise<IndexSnapshot> {
    if (this.options.clockMs() - this.lastRefreshMs < this.options.minRefreshMs && this.state.block >= 0) {
      return this.snapshot();
    }
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private snapshot(): IndexSnapshot {
    return {
      state: this.state,
      ...(this.lastError !== undefined && { stale: this.lastError }),
      ...(this.skipped.count > 0 && { skippedLogs: { count: this.skipped.count, recent: [...this.skipped.recent] } }),
    };
  }

  private async refresh(): Promise<IndexSnapshot> {
    try {
      await this.catchUp();
      this.lastError = undefined;
      this.lastRefreshMs = this.options.clockMs();
    } catch (e) {
      this.lastError = e instanceof ChainError ? e : toChainError(e, "eth_getLogs");
      // A node that is down is not asked again on every request: the stale state is served until the next interval.
      this.lastRefreshMs = this.options.clockMs();
      // Nothing indexed yet: there is no registry to show, only the reason.
      if (this.state.block < 0) throw this.lastError;
    }
    return this.snapshot();
  }

  private async catchUp(): Promise<void> {
    const rpc = { timeoutMs: this.options.timeoutMs };
    const head = await readBlockNumber(this.provider, rpc);
    if (this.state.block >= 0) {
      const known = await readBlock(this.provider, { blockTag: this.state.block }, rpc);
      if (known === undefined || known.hash !== this.state.blockHash) {
        this.state = emptyRegistryState();
        this.skipped = { count: 0, recent: [] };
      }
    }
    const c = this.deployment.contracts;
    let from = this.state.block >= 0 ? this.state.block + 1 : Math.min(c.TrustRegistry.block, c.StatusRegistry.block);
    if (from > head) return;
    while (from <= head) {
      const to = Math.min(head, from + this.options.blockRange - 1);
      const { events, skipped, end } = await readRegistryEvents(
        this.provider,
        { deployment: this.deployment, fromBlock: from, toBlock: to },
        rpc,
      );
      // A chunk is applied whole or not at all: a failure half-way leaves the state at the previous chunk.
      applyRegistryEvents(this.state, events);
      this.state.block = to;
      this.state.blockHash = end.hash;
      this.state.blockTime = end.timestamp;
      if (skipped.length > 0) {
        this.skipped.count += skipped.length;
        this.skipped.recent = [...this.skipped.recent, ...skipped].slice(-SKIPPED_KEPT);
        for (const s of skipped) this.options.onSkipped(s);
      }
      from = to + 1;
    }
  }
}
