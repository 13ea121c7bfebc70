import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { JsonRpcProvider } from "ethers";
import { ChainError, LerError, type ErrorCode } from "../errors.js";
import type { BlockHeader, ChainCacheLimits } from "../chain/cache.js";
import type { Deployment } from "../chain/deployments.js";
import { countJsonRpc, rpcProvider } from "../chain/provider.js";
import { latestHead } from "../chain/reads.js";
import { reportsWithoutChain } from "./batch.js";
import type { VerifyOptions } from "./context.js";
import { createVerifierMemory, type VerifierMemory } from "./memory.js";
import type { CredentialReport } from "./report.js";

/**
 * Batch verification across worker threads, for the cores one thread leaves idle. The pool probes the chain head
 * once per batch (after the batch began, as every verification does) and splits the batch into one part per thread;
 * each thread verifies its part with a provider and a chain cache of its own, pinned to that head, so the whole
 * batch is judged at one block, as `verifyCredentials` judges it. The reports are the ones `verifyCredentials` gives,
 * in order (copies: what one thread's reports share, another's do not).
 *
 * A thread that dies fails the batches it held (`worker_failed`) and is replaced for the next one; nothing is ever
 * reported valid that was not verified.
 */
export interface VerifierPoolOptions {
  /** The JSON-RPC endpoint every thread reads (http:// or https://). */
  rpcUrl: string;
  deployment: Deployment;
  /** The DID network name of this chain (`did:ethr:<name>:0x…`). */
  networkName: string;
  /** Threads; default: the cores the machine has. */
  threads?: number;
  /** Each thread's chain cache. */
  cacheLimits?: ChainCacheLimits;
  /**
   * The memory of what the pool itself verifies (a batch whose chain cannot be read); each thread has one of its own.
   * Default: one made for the pool.
   */
  memory?: VerifierMemory;
}

/** What a pool's verification takes: VerifyOptions without what cannot cross to a thread (callbacks, caches). */
export type PoolVerifyOptions = Omit<VerifyOptions, "read"> & {
  read?: { timeoutMs?: number; callGasBudget?: number; maxHeadAgeSeconds?: number };
};

/** @internal What a thread starts with. */
export interface PoolWorkerData {
  rpcUrl: string;
  deployment: Deployment;
  networkName: string;
  cacheLimits?: ChainCacheLimits;
}

/** @internal One part of a batch, for one thread. */
export interface PoolTask {
  id: number;
  jwts: readonly unknown[];
  options: PoolVerifyOptions;
  head?: BlockHeader;
}

/** @internal A thread's answer, with the JSON-RPC requests it made since its last answer. */
export type PoolAnswer = { id: number; requests: Record<string, number> } & (
  { reports: CredentialReport[] } | { error: { code: string; message: string } }
);

/** Below this many credentials a part is not split further: each part costs its thread a chain read. */
const MIN_PART = 256;

interface Pending {
  thread: number;
  resolve: (reports: CredentialReport[]) => void;
  reject: (e: Error) => void;
}

export class VerifierPool {
  readonly threads: number;
  private readonly workers: (Worker | undefined)[];
  private readonly pending = new Map<number, Pending>();
  private readonly provider: JsonRpcProvider;
  private readonly requests: Record<string, number> = {};
  private readonly memory: VerifierMemory;
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: VerifierPoolOptions) {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
      throw new LerError("invalid_argument", `A pool has 1 to 256 threads, not ${String(threads)}.`);
    }
    this.threads = threads;
    this.workers = new Array<Worker | undefined>(threads).fill(undefined);
    this.provider = rpcProvider(options.rpcUrl, options.deployment.chainId);
    this.memory = options.memory ?? createVerifierMemory();
    countJsonRpc(this.provider, (method) => this.count({ [method]: 1 }));
  }

  /**
   * Verifies a batch of credential JWTs, split across the threads: the reports `verifyCredentials` would give, in
   * order, all at one block.
   */
  async verifyCredentials(jwts: readonly unknown[], options: PoolVerifyOptions): Promise<CredentialReport[]> {
    if (this.closed) throw new LerError("pool_closed", "The verifier pool is closed.");
    if (jwts.length === 0) return [];
    // The head, probed now. If the chain cannot be read, nothing that needs it can be verified: unknown, with why.
    let head: BlockHeader;
    try {
      head = await latestHead(
        this.provider,
        options.read?.timeoutMs === undefined ? {} : { timeoutMs: options.read.timeoutMs },
      );
    } catch (e) {
      if (!(e instanceof ChainError)) throw e;
      const { deployment, networkName } = this.options;
      return reportsWithoutChain({ provider: this.provider, deployment, networkName }, this.memory, jwts, options, e);
    }
    const parts = Math.min(this.threads, Math.ceil(jwts.length / MIN_PART));
    const size = Math.ceil(jwts.length / parts);
    const answers = await Promise.all(
      Array.from({ length: parts }, (_, i) =>
        this.run(i, { jwts: jwts.slice(i * size, (i + 1) * size), options, head }),
      ),
    );
    return answers.flat();
  }

  /** JSON-RPC requests by method since the pool started: the threads' reads and the pool's head probes. */
  requestCounts(): Record<string, number> {
    return { ...this.requests };
  }

  /** Stops the threads; batches still running fail with `pool_closed`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(() => true, new LerError("pool_closed", "The verifier pool was closed during the batch."));
    await Promise.all(this.workers.map((w) => w?.terminate()));
    this.provider.destroy();
  }

  private run(thread: number, task: Omit<PoolTask, "id">): Promise<CredentialReport[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { thread, resolve, reject });
      const w = this.worker(thread);
      w.ref(); // busy: keeps the process alive until the answer
      w.postMessage({ id, ...task } satisfies PoolTask);
    });
  }

  private worker(thread: number): Worker {
    let w = this.workers[thread];
    if (w !== undefined) return w;
    const { rpcUrl, deployment, networkName, cacheLimits } = this.options;
    const data: PoolWorkerData = { rpcUrl, deployment, networkName, ...(cacheLimits !== undefined && { cacheLimits }) };
    // Built, the thread runs poolWorker.js; from the TypeScript sources (tests, tsx), through the same loader.
    const compiled = import.meta.url.endsWith(".js");
    w = new Worker(new URL(compiled ? "./poolWorker.js" : "./poolWorker.ts", import.meta.url), {
      workerData: data,
      ...(!compiled && { execArgv: ["--import", import.meta.resolve("tsx")] }),
    });
    const current = w;
    this.workers[thread] = w;
    w.unref();
    w.on("message", (answer: PoolAnswer) => {
      this.count(answer.requests);
      const p = this.pending.get(answer.id);
      if (p === undefined) return;
      this.pending.delete(answer.id);
      if (![...this.pending.values()].some((q) => q.thread === thread)) current.unref(); // idle: does not hold the process
      if ("reports" in answer) p.resolve(answer.reports);
      else p.reject(new LerError(answer.error.code as ErrorCode, answer.error.message));
    });
    const lost = (why: string) => {
      if (this.workers[thread] !== current) return;
      this.workers[thread] = undefined;
      this.fail(
        (p) => p.thread === thread,
        new LerError(
          "worker_failed",
          `A verification thread stopped (${why}); its part of the batch was not verified.`,
        ),
      );
    };
    w.on("error", (e) => lost(e.message));
    w.on("exit", (code) => lost(`exit code ${code}`));
    return w;
  }

  private fail(which: (p: Pending) => boolean, error: LerError): void {
    for (const [id, p] of this.pending) {
      if (!which(p)) continue;
      this.pending.delete(id);
      p.reject(error);
    }
  }

  private count(requests: Record<string, number>): void {
    for (const [method, n] of Object.entries(requests)) this.requests[method] = (this.requests[method] ?? 0) + n;
  }
}
