import { startTimer } from "../../clock.js";
import { LerError } from "../../errors.js";
import {
  closeTree,
  DEFAULT_INTERVAL_MS,
  DEFAULT_MAX_BATCH,
  pollFor,
  sleep,
  stopping,
  type AnchorCoordinator,
  type AnchorScope,
  type AnchorSender,
  type BatchStatus,
  type CoalescingOptions,
  type Placement,
} from "../anchoring.js";

/**
 * Coalesced anchoring across worker processes and machines, coordinated by nothing but PostgreSQL:
 *
 * - A worker inserts its leaves into `ler_anchor_leaves` (open: no batch yet) and waits for them to be placed: it
 *   listens on the channel `ler_anchor_closed` and, in case a notification is lost, polls.
 * - One worker at a time is the leader: it holds the session-level advisory lock {@link LEADER_LOCK} on a connection
 *   of its own. If it dies its connection closes, PostgreSQL releases the lock, and the next worker that asks (every
 *   `leaderPollMs`) takes over. Nothing is handed over: the state is all in the tables.
 * - The leader closes a scope's open leaves into a batch once there are `maxBatch` of them or the oldest has waited
 *   `intervalMs` (the database's clock): one transaction builds the tree, inserts the batch row and writes every
 *   leaf's proof, then notifies. The batch row is the durable intent to anchor it.
 * - The leader sends one `anchor(issuer, root)` per batch, oldest first, and records the receipt in the batch row.
 *   A new leader finds batches without a receipt and sends them; a root that already landed (an old leader's
 *   transaction) comes back from the sender as done, with the block that holds it, not as an error.
 */

/**
 * The advisory lock whose holder is the anchoring leader: the two-key form, this constant ("LERA") and the hash of the
 * schema, so that stores in different schemas of one database have a leader each.
 */
export const LEADER_LOCK = 0x4c455241;
const CHANNEL = "ler_anchor_closed";

/** What the coordinator needs of a `pg.Pool` (kept structural so that this module does not load `pg`). */
export interface SqlQueryable {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}
export interface SqlConnection extends SqlQueryable {
  release(destroy?: boolean | Error): void;
  on(event: "notification", listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
}
export interface SqlPool extends SqlQueryable {
  connect(): Promise<SqlConnection>;
}

export interface PgCoordinatorOptions extends CoalescingOptions {
  /** How often a worker that is not the leader asks for the lock, in ms (default 500). */
  leaderPollMs?: number;
  /** How often a waiting worker looks for its placements without a notification, in ms (default 100). */
  placePollMs?: number;
  /** How often the leader looks for batches to close, in ms (default 25). */
  tickMs?: number;
  /** Whether this process may lead (default true). */
  lead?: boolean;
  /** Anchor transactions the leader has in flight at most (default 8). */
  anchorConcurrency?: number;
}

interface Waiter {
  resolve: (p: Placement) => void;
  reject: (e: unknown) => void;
}

export class PgCoordinator implements AnchorCoordinator {
  readonly #pool: SqlPool;
  readonly #send: AnchorSender;
  readonly #maxBatch: number;
  readonly #intervalMs: number;
  readonly #leaderPollMs: number;
  readonly #placePollMs: number;
  readonly #tickMs: number;
  readonly #lead: boolean;
  readonly #anchorConcurrency: number;
  readonly #onError: (e: unknown) => void;
  readonly #waiting = new Map<string, Waiter>();
  #listener: SqlConnection | undefined;
  #leader: SqlConnection | undefined;
  #closed = false;
  #wake: (() => void) | undefined;
  readonly #loops: Promise<void>[] = [];
  /** The leader's anchoring turn in progress (one at a time). */
  #sending: Promise<void> | undefined;

  private constructor(pool: SqlPool, send: AnchorSender, options: PgCoordinatorOptions) {
    this.#pool = pool;
    this.#send = send;
    this.#maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.#intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.#leaderPollMs = options.leaderPollMs ?? 500;
    this.#placePollMs = options.placePollMs ?? 100;
    this.#tickMs = options.tickMs ?? 25;
    this.#lead = options.lead ?? true;
    this.#anchorConcurrency = options.anchorConcurrency ?? 8;
    this.#onError = options.onError ?? (() => {});
  }

  /** Starts a coordinator on `pool` (whose database has the anchor queue tables). */
  static async start(pool: SqlPool, send: AnchorSender, options: PgCoordinatorOptions = {}): Promise<PgCoordinator> {
    const c = new PgCoordinator(pool, send, options);
    await c.#listen();
    c.#loops.push(c.#placeLoop());
    if (c.#lead) c.#loops.push(c.#leaderLoop());
    return c;
  }

  get leading(): boolean {
    return this.#leader !== undefined;
  }

  async #listen(): Promise<void> {
    const conn = await this.#pool.connect();
    conn.on("notification", () => this.#wake?.());
    conn.on("error", () => {
      // The poll goes on without notifications; a new listener is made on the next failure-free turn.
      if (this.#listener === conn) this.#listener = undefined;
    });
    await conn.query(`LISTEN ${CHANNEL}`);
    this.#listener = conn;
  }

  async place(scope: AnchorScope, leaves: readonly string[]): Promise<Placement[]> {
    if (this.#closed) throw stopping();
    if (leaves.length === 0) return [];
    const { rows } = await this.#pool.query<{ id: string; ord: string }>(
      `INSERT INTO ler_anchor_leaves (issuer, chain_id, registry, leaf)
       SELECT $1, $2, $3, t.leaf FROM unnest($4::text[]) WITH ORDINALITY AS t(leaf, ord) ORDER BY t.ord
       RETURNING id`,
      [scope.issuer, scope.chainId, scope.registry, leaves],
    );
    if (rows.length !== leaves.length) throw new LerError("internal_error", "The anchor queue lost a leaf.");
    // bigserial ids of one INSERT … SELECT … ORDER BY are handed out in that order.
    const ids = rows.map((r) => String(r.id)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    // Placed once the leader closes their batch: its notification wakes the loop (which also polls, in case one is lost).
    return Promise.all(
      ids.map((id) => new Promise<Placement>((resolve, reject) => this.#waiting.set(id, { resolve, reject }))),
    );
  }

  /** Resolves the waiting leaves whose batch is closed; woken by notifications, and polls in case one is lost. */
  async #placeLoop(): Promise<void> {
    while (!this.#closed) {
      if (this.#waiting.size > 0) {
        try {
          const ids = [...this.#waiting.keys()];
          const { rows } = await (this.#listener ?? this.#pool).query<{ id: string; proof: string; root: string }>(
            `SELECT l.id, l.proof, b.root FROM ler_anchor_leaves l JOIN ler_anchor_batches b ON b.id = l.batch_id
             WHERE l.id = ANY($1::bigint[])`,
            [ids],
          );
          for (const r of rows) {
            const w = this.#waiting.get(String(r.id));
            if (w === undefined) continue;
            this.#waiting.delete(String(r.id));
            w.resolve({ root: r.root, proof: r.proof === "" ? [] : r.proof.split(",") });
          }
        } catch (e) {
          if (this.#closed) break;
          this.#onError(e);
        }
        if (this.#listener === undefined && !this.#closed) await this.#listen().catch(() => undefined);
      }
      await new Promise<void>((r) => {
        const cancel = startTimer(this.#waiting.size > 0 ? this.#placePollMs : 1000, r);
        this.#wake = () => {
          cancel();
          r();
        };
      });
      this.#wake = undefined;
    }
  }

  async #leaderLoop(): Promise<void> {
    while (!this.#closed) {
      if (this.#leader === undefined) {
        try {
          await this.#tryLead();
        } catch (e) {
          this.#onError(e);
        }
        if (this.#leader === undefined) {
          await sleep(this.#leaderPollMs);
          continue;
        }
      }
      try {
        await this.#closeDue();
        this.#anchorPending();
      } catch (e) {
        if (this.#closed) break;
        this.#onError(e);
        // A broken leader connection means the lock may be gone: give it up and ask again.
        this.#dropLeadership();
      }
      await sleep(this.#tickMs);
    }
  }

  async #tryLead(): Promise<void> {
    const conn = await this.#pool.connect();
    let ok = false;
    try {
      const { rows } = await conn.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock($1::integer, hashtext(current_schema())) AS locked",
        [LEADER_LOCK],
      );
      ok = rows[0]?.locked === true;
    } finally {
      if (!ok) conn.release();
    }
    if (!ok) return;
    conn.on("error", () => {
      if (this.#leader === conn) this.#dropLeadership();
    });
    this.#leader = conn;
  }

  #dropLeadership(): void {
    const conn = this.#leader;
    this.#leader = undefined;
    // Destroying the connection ends its session, which releases the lock.
    conn?.release(true);
  }

  /** Closes every scope whose open leaves are due: `maxBatch` of them, or the oldest older than `intervalMs`. */
  async #closeDue(): Promise<void> {
    const leader = this.#leader!;
    const { rows } = await leader.query<{ issuer: string; chain_id: string; registry: string }>(
      `SELECT issuer, chain_id, registry FROM ler_anchor_leaves WHERE batch_id IS NULL
       GROUP BY issuer, chain_id, registry
       HAVING count(*) >= $1 OR min(created_at) <= clock_timestamp() - make_interval(secs => $2::double precision / 1000)`,
      [this.#maxBatch, this.#intervalMs],
    );
    for (const r of rows) {
      const scope = { issuer: r.issuer, chainId: Number(r.chain_id), registry: r.registry };
      // A scope with more than one batch's worth closes in several batches, in this turn.
      while ((await this.#closeOne(leader, scope)) === this.#maxBatch && !this.#closed);
    }
  }

  async #closeOne(conn: SqlConnection, scope: AnchorScope): Promise<number> {
    await conn.query("BEGIN");
    try {
      const { rows } = await conn.query<{ id: string; leaf: string }>(
        `SELECT id, leaf FROM ler_anchor_leaves
         WHERE batch_id IS NULL AND chain_id = $1 AND registry = $2 AND issuer = $3
         ORDER BY id LIMIT $4 FOR UPDATE`,
        [scope.chainId, scope.registry, scope.issuer, this.#maxBatch],
      );
      if (rows.length === 0) {
        await conn.query("COMMIT");
        return 0;
      }
      const { root, proofs } = closeTree(rows.map((r) => r.leaf));
      const batch = await conn.query<{ id: string }>(
        `INSERT INTO ler_anchor_batches (issuer, chain_id, registry, root, size) VALUES ($1, $2, $3, $4, $5)
         RETURNING id`,
        [scope.issuer, scope.chainId, scope.registry, root, rows.length],
      );
      await conn.query(
        `UPDATE ler_anchor_leaves l SET batch_id = $1, proof = t.proof
         FROM unnest($2::bigint[], $3::text[]) AS t(id, proof) WHERE l.id = t.id`,
        [batch.rows[0]!.id, rows.map((r) => r.id), proofs.map((p) => p.join(","))],
      );
      await conn.query(`SELECT pg_notify('${CHANNEL}', $1)`, [String(batch.rows[0]!.id)]);
      await conn.query("COMMIT");
      return rows.length;
    } catch (e) {
      await conn.query("ROLLBACK").catch(() => undefined);
      throw e;
    }
  }

  /**
   * Sends the anchors of closed batches without a receipt, oldest first, in the background: up to
   * `anchorConcurrency` at a time (each send holds the key's lock only to pick its nonce and broadcast, so their
   * confirmations are awaited together).
   */
  #anchorPending(): void {
    if (this.#sending !== undefined) return;
    this.#sending = (async () => {
      if (this.#leader === undefined || this.#closed) return;
      const { rows } = await this.#pool.query<{
        id: string;
        issuer: string;
        chain_id: string;
        registry: string;
        root: string;
      }>(
        `SELECT id, issuer, chain_id, registry, root FROM ler_anchor_batches WHERE tx_hash IS NULL ORDER BY id LIMIT $1`,
        [this.#anchorConcurrency * 4],
      );
      let failed = false;
      const queue = [...rows];
      const lane = async () => {
        for (let b = queue.shift(); b !== undefined && !failed; b = queue.shift()) {
          if (this.#leader === undefined || this.#closed) return;
          try {
            const r = await this.#send({ issuer: b.issuer, chainId: Number(b.chain_id), registry: b.registry }, b.root);
            await this.#pool.query(
              `UPDATE ler_anchor_batches SET tx_hash = $2, block = $3, gas_used = $4, anchored_at = now()
               WHERE id = $1 AND tx_hash IS NULL`,
              [b.id, r.txHash, r.block, r.gasUsed],
            );
          } catch (e) {
            failed = true;
            this.#onError(e);
          }
        }
      };
      await Promise.all(Array.from({ length: this.#anchorConcurrency }, lane));
      if (failed) await sleep(500);
    })()
      // A turn that fails as a whole (the database went away) is reported and tried again at the next tick; it must
      // never become an unhandled rejection, which would end the worker.
      .catch((e: unknown) => {
        if (!this.#closed) this.#onError(e);
      })
      .finally(() => (this.#sending = undefined));
  }

  async batch(scope: AnchorScope, root: string): Promise<BatchStatus | undefined> {
    const { rows } = await this.#pool.query<{
      root: string;
      issuer: string;
      size: number;
      closed_at: Date;
      tx_hash: string | null;
      block: string | null;
      gas_used: string | null;
      anchored_at: Date | null;
    }>(
      `SELECT root, issuer, size, closed_at, tx_hash, block, gas_used, anchored_at FROM ler_anchor_batches
       WHERE chain_id = $1 AND registry = $2 AND issuer = $3 AND root = $4`,
      [scope.chainId, scope.registry, scope.issuer, root.toLowerCase()],
    );
    const r = rows[0];
    if (r === undefined) return undefined;
    return {
      root: r.root,
      issuer: r.issuer,
      size: r.size,
      closedAt: r.closed_at.toISOString(),
      ...(r.tx_hash !== null && {
        anchor: {
          txHash: r.tx_hash,
          block: Number(r.block),
          gasUsed: Number(r.gas_used ?? 0),
          anchoredAt: r.anchored_at!.toISOString(),
        },
      }),
    };
  }

  async anchored(scope: AnchorScope, root: string, timeoutMs: number): Promise<BatchStatus> {
    return pollFor(
      async () => {
        const b = await this.batch(scope, root);
        return b?.anchor === undefined ? undefined : b;
      },
      { everyMs: 50, timeoutMs, what: `The anchor of ${root}` },
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    for (const [id, w] of this.#waiting) {
      w.reject(stopping());
      this.#waiting.delete(id);
    }
    await Promise.allSettled(this.#loops);
    await this.#sending?.catch(() => undefined);
    this.#dropLeadership();
    const l = this.#listener;
    this.#listener = undefined;
    l?.release(true);
  }
}
