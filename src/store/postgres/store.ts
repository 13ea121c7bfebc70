import { createHash } from "node:crypto";
import { userInfo } from "node:os";
import type { AnchorCoordinator, AnchoringOptions } from "../anchoring.js";
import { PgCoordinator, type SqlPool } from "./anchoring.js";
import pg from "pg";
import type { Pool, PoolClient } from "pg";
import { sleep, systemClock } from "../../clock.js";
import { LerError } from "../../errors.js";
import { allocate, reserveListSize, type Allocation, type AllocatorState, type ReserveOptions } from "../allocator.js";
import { auditEntry, auditFromJson, normaliseTime, rateWindow } from "../filesStore.js";
import { issuerFileKey } from "../issuer.js";
import { issuedRecordFromJson, issuedRecordJson, type IssuedRecord, type LedgerOptions } from "../ledger.js";
import {
  checkReceipt,
  intentEntry,
  intentFromEntry,
  type Intent,
  type IntentEntry,
  type IntentReceipt,
} from "../pending.js";
import { isSealedRecord, type RecordSealer, type StoreKeys } from "../sealed.js";
import { normaliseTokenRecord } from "../tokens.js";
import type {
  AuditEntry,
  AuditLog,
  IndexAllocator,
  IntentLog,
  IssuedLedgerStore,
  IssuerStore,
  RateCounter,
  TokenRecord,
  TokenScope,
  TokenStore,
} from "../types.js";
import { migrate, MIGRATIONS, type Migration } from "./migrations.js";

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (the password is never printed). */
  url: string;
  /** The key store's store keys: the ledger, intents and audit are sealed with them, as in a home. */
  keys: StoreKeys;
  /** A schema to use instead of the connection's default search path (tests use a fresh one each). */
  schema?: string;
  /** Connections in the pool (default 10); each held sender lock takes one. */
  poolSize?: number;
  /** How long connecting may take (default 10 s). */
  connectTimeoutMs?: number;
  /** The migrations to apply (default {@link MIGRATIONS}; tests pass others). */
  migrations?: readonly Migration[];
}

/**
 * Opens the issuer store in a PostgreSQL database and brings its schema up to date (migrations.ts). Errors:
 * `store_unreachable` (with the host, never the password), `store_too_new`.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresIssuerStore> {
  const where = describeUrl(options.url);
  const pool = new pg.Pool({
    connectionString: withDefaultUser(options.url),
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    ...(options.schema !== undefined && { options: `-c search_path=${quoteIdent(options.schema)}` }),
  });
  // An idle connection that breaks (the server restarted) is dropped by the pool, which connects anew on the next
  // query; without a listener the error event would end the process.
  pool.on("error", () => {});
  const store = new PostgresIssuerStore(pool, options.keys, where);
  try {
    await store.withClient((client) => migrate(client, options.migrations ?? MIGRATIONS));
  } catch (e) {
    await pool.end();
    throw e;
  }
  return store;
}

/**
 * `url` with the operating system's user name when it names no user and PGUSER is unset, as psql does (the driver
 * would take only $USER, which services and containers often lack).
 */
function withDefaultUser(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch (e) {
    throw new LerError("invalid_store_url", "The store URL does not parse as a URL.", { cause: e });
  }
  if (u.username !== "" || process.env.PGUSER !== undefined) return url;
  let user: string | undefined = process.env.USER;
  try {
    user ||= userInfo().username;
  } catch {
    return url; // no entry in the passwd database (a container's arbitrary uid): the driver's own default
  }
  if (user === undefined || user === "") return url;
  u.username = encodeURIComponent(user);
  return u.toString();
}

/** The URL without its password, and the host and port, for messages. */
export function describeUrl(url: string): { location: string; host: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch (e) {
    throw new LerError("invalid_store_url", "The store URL does not parse as a URL.", { cause: e });
  }
  if (u.password !== "") u.password = "";
  const host = `${u.hostname || "localhost"}:${u.port || "5432"}`;
  return { location: u.toString(), host };
}

/**
 * The issuer store in PostgreSQL, for several workers on several machines: the database is their only coordinator.
 * Each operation is one statement or one transaction; the allocator locks the issuer's row, the sender lock is a
 * session advisory lock. What a home seals, this seals with the same keys and record format (sealed.ts): a database
 * dump shows which issuer issued when, never a credential, a learner, or a client's address.
 */
export class PostgresIssuerStore implements IssuerStore {
  readonly kind = "postgres" as const;
  readonly location: string;
  readonly allocator: IndexAllocator;
  readonly ledger: IssuedLedgerStore;
  readonly pending: IntentLog;
  readonly tokens: TokenStore;
  readonly audit: AuditLog;
  readonly rate: RateCounter;
  readonly #pool: Pool;
  readonly #host: string;
  #closed = false;

  /** @internal Made by {@link openPostgresStore}. */
  constructor(pool: Pool, keys: StoreKeys, where: { location: string; host: string }) {
    this.#pool = pool;
    this.location = where.location;
    this.#host = where.host;
    this.allocator = new PgAllocator(this);
    this.ledger = new PgLedger(this, keys.sealer("ledger"));
    this.pending = new PgIntents(this, keys.sealer("intents"));
    this.tokens = new PgTokens(this);
    this.audit = new PgAudit(this, keys.sealer("audit"));
    this.rate = new PgRate(this);
  }

  /**
   * Coalesced anchoring over this database: the anchor queue's tables and a leader elected by advisory lock
   * (postgres/anchoring.ts). `record` is not called: the batch row is the durable record.
   */
  anchoring(options: AnchoringOptions): Promise<AnchorCoordinator> {
    return PgCoordinator.start(this.#pool as unknown as SqlPool, options.send, options);
  }

  /** @internal One statement on any connection of the pool. */
  async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.#pool.query<R>(text, values);
    } catch (e) {
      throw this.error(e);
    }
  }

  /** @internal Runs `fn` on one connection of the pool, released after (destroyed when it broke). */
  async withClient<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (e) {
      throw this.error(e);
    }
    let broken: Error | undefined;
    try {
      return await fn(client);
    } catch (e) {
      if (isConnectionError(e)) broken = e as Error;
      throw this.error(e);
    } finally {
      client.release(broken);
    }
  }

  /** @internal Runs `fn` in a transaction (READ COMMITTED), committed when it returns, rolled back when it throws. */
  transaction<T>(fn: (client: PoolClient) => Promise<T>, options: { lockTimeoutMs?: number } = {}): Promise<T> {
    return this.withClient(async (client) => {
      await client.query("BEGIN");
      try {
        if (options.lockTimeoutMs !== undefined) {
          await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(options.lockTimeoutMs))}`);
        }
        const result = await fn(client);
        await client.query("COMMIT");
        return result;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {
          // The connection broke: the server rolled back with it; the first error is the one to report.
        });
        throw e;
      }
    });
  }

  /** @internal The LerError for an error of the driver or the server. */
  error(e: unknown): LerError {
    if (e instanceof LerError) return e;
    const code = (e as { code?: unknown })?.code;
    const message = e instanceof Error ? e.message : String(e);
    if (isConnectionError(e)) {
      return new LerError(
        "store_unreachable",
        `The issuer store's database at ${this.#host} cannot be used: ${redact(message)}.`,
        { cause: e, details: { host: this.#host, ...(typeof code === "string" && { reason: code }) } },
      );
    }
    if (code === "55P03") {
      return new LerError("lock_timeout", `Timed out waiting for a row lock of the issuer store.`, { cause: e });
    }
    return new LerError("store_failed", `The issuer store's database failed a statement: ${redact(message)}.`, {
      cause: e,
      details: { host: this.#host, ...(typeof code === "string" && { sqlState: code }) },
    });
  }

  async senderLock<T>(address: string, timeoutMs: number, send: () => Promise<T>): Promise<T> {
    const key = senderLockKey(address);
    let client: PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (e) {
      throw this.error(e);
    }
    // A session lock, on a connection of its own for the whole send: it is released with the connection if this
    // process dies, so a crashed worker never blocks the key.
    let locked = false;
    let broken: Error | undefined;
    try {
      const deadline = systemClock.now() + timeoutMs;
      for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
        let ok: boolean;
        try {
          const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS ok", [key]);
          ok = rows[0]?.ok === true;
        } catch (e) {
          if (isConnectionError(e)) broken = e as Error;
          throw this.error(e);
        }
        if (ok) break;
        const left = deadline - systemClock.now();
        if (left <= 0) {
          throw new LerError(
            "lock_timeout",
            `Timed out after ${timeoutMs} ms waiting for the sender lock of ${address}.`,
            {
              details: { address, timeoutMs },
            },
          );
        }
        await sleep(Math.min(wait, left));
      }
      locked = true;
      return await send();
    } finally {
      if (locked && broken === undefined) {
        try {
          await client.query("SELECT pg_advisory_unlock($1::bigint)", [key]);
        } catch (e) {
          // Destroying the connection below releases its session locks all the same.
          broken = e as Error;
        }
      }
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

/** The advisory-lock key of a sending address: 64 bits of SHA-256, the same in every process and schema. */
export function senderLockKey(address: string): string {
  return createHash("sha256").update(`ler sender ${address.toLowerCase()}`).digest().readBigInt64BE(0).toString();
}

/** Whether an error means the database could not be reached or used at all (not a failed statement). */
function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === "string") {
    // Class 08 connection exception, 28 invalid authorization, 3D000 no such database, 57P0x shutdown.
    if (/^(08|28)/.test(code) || code === "3D000" || /^57P0[1-3]$/.test(code)) return true;
    if (/^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ENOTFOUND, ETIMEDOUT, ECONNRESET, …
  }
  const message = e instanceof Error ? e.message : "";
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    message,
  );
}

/** A driver message without anything that looks like a URL's credentials (`user:password@`). */
function redact(message: string): string {
  return message.replace(/\/\/[^\s/@]*@/g, "//***@");
}

function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new LerError("invalid_store_url", `A schema name is letters, digits and _, not "${name}".`);
  }
  return name;
}

function openSealed(sealer: RecordSealer, v: unknown, table: string, row: string): unknown {
  const file = `${table} (row ${row})`;
  if (!isSealedRecord(v)) throw new LerError("corrupt_log", `${file} is not a sealed record.`, { details: { file } });
  return sealer.open(v, { file, corrupt: "corrupt_log" });
}

// ---- allocator -------------------------------------------------------------------------------------------------

class PgAllocator implements IndexAllocator {
  readonly #db: PostgresIssuerStore;

  constructor(db: PostgresIssuerStore) {
    this.#db = db;
  }

  async reserve(issuer: string, count: number, options: ReserveOptions = {}): Promise<Allocation[]> {
    const key = issuerFileKey(issuer);
    const listSize = reserveListSize(count, options);
    return this.#db.transaction(
      async (client) => {
        await client.query("INSERT INTO ler_allocator (issuer, list, next) VALUES ($1, 0, 0) ON CONFLICT DO NOTHING", [
          key,
        ]);
        // The row lock makes every other reservation for the issuer wait until this one commits.
        const { rows } = await client.query<{ list: string; next: number }>(
          "SELECT list::text AS list, next FROM ler_allocator WHERE issuer = $1 FOR UPDATE",
          [key],
        );
        const { allocations, after } = allocate({ list: BigInt(rows[0]!.list), next: rows[0]!.next }, count, listSize);
        await client.query("UPDATE ler_allocator SET list = $2, next = $3 WHERE issuer = $1", [
          key,
          after.list.toString(),
          after.next,
        ]);
        return allocations;
      },
      options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs },
    );
  }

  async state(issuer: string): Promise<AllocatorState | undefined> {
    const { rows } = await this.#db.query<{ list: string; next: number }>(
      "SELECT list::text AS list, next FROM ler_allocator WHERE issuer = $1",
      [issuerFileKey(issuer)],
    );
    return rows[0] === undefined ? undefined : { list: BigInt(rows[0].list), next: rows[0].next };
  }
}

// ---- ledger ----------------------------------------------------------------------------------------------------

class PgLedger implements IssuedLedgerStore {
  readonly #db: PostgresIssuerStore;
  readonly #sealer: RecordSealer;

  constructor(db: PostgresIssuerStore, sealer: RecordSealer) {
    this.#db = db;
    this.#sealer = sealer;
  }

  async appendIssued(issuer: string, records: readonly IssuedRecord[], _options: LedgerOptions = {}): Promise<void> {
    const key = issuerFileKey(issuer);
    const rows = records.map((r, i) => ({ r, json: issuedRecordJson(r, i) }));
    if (rows.length === 0) return;
    try {
      // One statement: all of the records are on record, or none is. WITH ORDINALITY keeps the append order in seq.
      await this.#db.query(
        `INSERT INTO ler_ledger (issuer, id, list, idx, batch, issued_at, sealed)
         SELECT $1, id, list, idx, batch, issued_at, sealed
         FROM unnest($2::text[], $3::numeric[], $4::integer[], $5::text[], $6::timestamptz[], $7::jsonb[])
           WITH ORDINALITY AS t(id, list, idx, batch, issued_at, sealed, ord)
         ORDER BY ord`,
        [
          key,
          rows.map(({ r }) => r.id),
          rows.map(({ r }) => (r.list === undefined ? null : r.list.toString())),
          rows.map(({ r }) => r.index ?? null),
          rows.map(({ r }) => r.batch ?? null),
          rows.map(({ r }) => r.issuedAt),
          rows.map(({ json }) => JSON.stringify(this.#sealer.seal(json))),
        ],
      );
    } catch (e) {
      const err = e as LerError;
      const sqlState = (err.details as { sqlState?: unknown } | undefined)?.sqlState;
      if (sqlState === "23505") {
        throw new LerError(
          "duplicate_index",
          `A status index of this batch is on record for another credential of ${key} already: none was recorded.`,
          { cause: e, details: { issuer: key } },
        );
      }
      throw e;
    }
  }

  async readIssued(
    issuer: string,
    _options: LedgerOptions = {},
  ): Promise<{ records: IssuedRecord[]; truncatedTail: false }> {
    const { rows } = await this.#db.query<{ seq: string; sealed: unknown }>(
      "SELECT seq::text AS seq, sealed FROM ler_ledger WHERE issuer = $1 ORDER BY seq",
      [issuerFileKey(issuer)],
    );
    return { records: rows.map((row) => this.#record(row)), truncatedTail: false };
  }

  async findIssued(issuer: string, ids: readonly string[]): Promise<IssuedRecord[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.#db.query<{ seq: string; sealed: unknown }>(
      "SELECT seq::text AS seq, sealed FROM ler_ledger WHERE issuer = $1 AND id = ANY($2::text[]) ORDER BY seq",
      [issuerFileKey(issuer), [...ids]],
    );
    return rows.map((row) => this.#record(row));
  }

  #record({ seq, sealed }: { seq: string; sealed: unknown }): IssuedRecord {
    return issuedRecordFromJson(openSealed(this.#sealer, sealed, "ler_ledger", seq), Number(seq), "ler_ledger");
  }
}

// ---- intents ---------------------------------------------------------------------------------------------------

class PgIntents implements IntentLog {
  readonly #db: PostgresIssuerStore;
  readonly #sealer: RecordSealer;

  constructor(db: PostgresIssuerStore, sealer: RecordSealer) {
    this.#db = db;
    this.#sealer = sealer;
  }

  async recordIntent(intent: Intent): Promise<{ alreadyPending: boolean }> {
    const entry = intentEntry(intent);
    for (;;) {
      // ON CONFLICT: of two workers recording the same id, one inserts and the other compares.
      const inserted = await this.#db.query(
        `INSERT INTO ler_intents (id, kind, issuer, entry) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
        [entry.id, entry.kind, entry.issuer, JSON.stringify(this.#sealer.seal(entry))],
      );
      if (inserted.rowCount === 1) return { alreadyPending: false };
      const { rows } = await this.#db.query<{ entry: unknown; done_tx: string | null; done_block: string | null }>(
        "SELECT entry, done_tx, done_block::text AS done_block FROM ler_intents WHERE id = $1",
        [entry.id],
      );
      const row = rows[0];
      if (row === undefined) continue; // compacted away between the two statements: record it anew
      const previous = this.#entry(row.entry, entry.id);
      if (JSON.stringify(previous) !== JSON.stringify(entry)) {
        throw new LerError("intent_conflict", `Intent ${entry.id} was recorded with other content.`, {
          details: { id: entry.id },
        });
      }
      if (row.done_tx !== null) {
        throw new LerError("intent_done", `Intent ${entry.id} is already done (tx ${row.done_tx}).`, {
          details: { id: entry.id, txHash: row.done_tx, block: Number(row.done_block) },
        });
      }
      return { alreadyPending: true };
    }
  }

  async markDone(id: string, receipt: IntentReceipt): Promise<void> {
    checkReceipt(receipt);
    const txHash = receipt.txHash.toLowerCase();
    const updated = await this.#db.query(
      "UPDATE ler_intents SET done_tx = $2, done_block = $3, done_at = now() WHERE id = $1 AND done_tx IS NULL",
      [id, txHash, receipt.block],
    );
    if (updated.rowCount === 1) return;
    const { rows } = await this.#db.query<{ done_tx: string | null; done_block: string | null }>(
      "SELECT done_tx, done_block::text AS done_block FROM ler_intents WHERE id = $1",
      [id],
    );
    const row = rows[0];
    if (row === undefined) throw new LerError("unknown_intent", `No intent ${id} was recorded.`, { details: { id } });
    const previous = { txHash: row.done_tx!, block: Number(row.done_block) };
    if (previous.txHash === txHash && previous.block === receipt.block) return;
    throw new LerError("intent_conflict", `Intent ${id} is already done with tx ${previous.txHash}.`, {
      details: { id, ...previous },
    });
  }

  async reopen(id: string, txHash: string): Promise<void> {
    const updated = await this.#db.query(
      "UPDATE ler_intents SET done_tx = NULL, done_block = NULL, done_at = NULL WHERE id = $1 AND done_tx = $2",
      [id, txHash.toLowerCase()],
    );
    if (updated.rowCount === 1) return;
    const { rows } = await this.#db.query("SELECT 1 FROM ler_intents WHERE id = $1", [id]);
    if (rows.length === 0) throw new LerError("unknown_intent", `No intent ${id} was recorded.`, { details: { id } });
  }

  async listPending(): Promise<Intent[]> {
    const { rows } = await this.#db.query<{ id: string; entry: unknown }>(
      "SELECT id, entry FROM ler_intents WHERE done_tx IS NULL ORDER BY seq",
    );
    return rows.map((r) => {
      const { op: _op, ...intent } = this.#entry(r.entry, r.id);
      return intent;
    });
  }

  async compact(): Promise<{ kept: number; dropped: number }> {
    const { rows } = await this.#db.query<{ kept: number; dropped: number }>(
      `WITH dropped AS (DELETE FROM ler_intents WHERE done_tx IS NOT NULL RETURNING 1)
       SELECT (SELECT count(*) FROM ler_intents WHERE done_tx IS NULL)::int AS kept,
              (SELECT count(*) FROM dropped)::int AS dropped`,
    );
    return { kept: rows[0]!.kept, dropped: rows[0]!.dropped };
  }

  #entry(sealed: unknown, id: string): IntentEntry {
    const entry = intentFromEntry(openSealed(this.#sealer, sealed, "ler_intents", id));
    if (entry === undefined || entry.id !== id) {
      throw new LerError("corrupt_log", `Intent ${id} of ler_intents is not an intent log entry.`, { details: { id } });
    }
    return entry;
  }
}

// ---- tokens ----------------------------------------------------------------------------------------------------

interface TokenRow {
  id: string;
  issuer: string;
  scopes: string[];
  hash: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  label: string | null;
}

const TOKEN_COLUMNS = "id, issuer, scopes, hash, created_at, expires_at, revoked_at, label";

class PgTokens implements TokenStore {
  readonly #db: PostgresIssuerStore;

  constructor(db: PostgresIssuerStore) {
    this.#db = db;
  }

  async createToken(record: TokenRecord): Promise<void> {
    const r = normaliseTokenRecord(record);
    const inserted = await this.#db.query(
      `INSERT INTO ler_tokens (${TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
      [r.id, r.issuer, r.scopes, r.hash, r.createdAt, r.expiresAt ?? null, r.revokedAt ?? null, r.label ?? null],
    );
    if (inserted.rowCount !== 1) {
      throw new LerError("token_exists", `An API token with id ${r.id} exists already.`, { details: { id: r.id } });
    }
  }

  async findToken(id: string): Promise<TokenRecord | undefined> {
    const { rows } = await this.#db.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM ler_tokens WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : tokenOf(rows[0]);
  }

  async listTokens(issuer?: string): Promise<TokenRecord[]> {
    const { rows } = await this.#db.query<TokenRow>(
      `SELECT ${TOKEN_COLUMNS} FROM ler_tokens WHERE $1::text IS NULL OR issuer = $1 ORDER BY created_at, id`,
      [issuer?.toLowerCase() ?? null],
    );
    return rows.map(tokenOf);
  }

  async revokeToken(id: string, at: string): Promise<boolean> {
    const updated = await this.#db.query("UPDATE ler_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1", [
      id,
      normaliseTime(at),
    ]);
    return updated.rowCount === 1;
  }
}

function tokenOf(r: TokenRow): TokenRecord {
  return {
    id: r.id,
    issuer: r.issuer,
    scopes: r.scopes as TokenScope[],
    hash: r.hash,
    createdAt: r.created_at.toISOString(),
    ...(r.expires_at !== null && { expiresAt: r.expires_at.toISOString() }),
    ...(r.revoked_at !== null && { revokedAt: r.revoked_at.toISOString() }),
    ...(r.label !== null && { label: r.label }),
  };
}

// ---- audit -----------------------------------------------------------------------------------------------------

class PgAudit implements AuditLog {
  readonly #db: PostgresIssuerStore;
  readonly #sealer: RecordSealer;

  constructor(db: PostgresIssuerStore, sealer: RecordSealer) {
    this.#db = db;
    this.#sealer = sealer;
  }

  async appendAudit(entry: AuditEntry | readonly AuditEntry[]): Promise<void> {
    const entries = (Array.isArray(entry) ? entry : [entry]).map((x: AuditEntry) => auditEntry(x));
    if (entries.length === 0) return;
    const sealed = entries.map((e) =>
      JSON.stringify(
        this.#sealer.seal({
          ...(e.target !== undefined && { target: e.target }),
          ...(e.remote !== undefined && { remote: e.remote }),
        }),
      ),
    );
    // One statement: every entry or none; WITH ORDINALITY keeps their order in seq.
    await this.#db.query(
      `INSERT INTO ler_audit (at, actor, issuer, op, outcome, code, sealed)
       SELECT at, actor, issuer, op, outcome, code, sealed
       FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[])
         WITH ORDINALITY AS t(at, actor, issuer, op, outcome, code, sealed, ord)
       ORDER BY ord`,
      [
        entries.map((e) => e.at),
        entries.map((e) => e.actor),
        entries.map((e) => e.issuer),
        entries.map((e) => e.op),
        entries.map((e) => e.outcome),
        entries.map((e) => e.code ?? null),
        sealed,
      ],
    );
  }

  async readAudit(options: { issuer?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    const { rows } = await this.#db.query<{
      seq: string;
      at: Date;
      actor: string;
      issuer: string;
      op: string;
      outcome: string;
      code: string | null;
      sealed: unknown;
    }>(
      `SELECT * FROM (
         SELECT seq::text AS seq, at, actor, issuer, op, outcome, code, sealed FROM ler_audit
         WHERE $1::text IS NULL OR issuer = $1 ORDER BY ler_audit.seq DESC LIMIT $2
       ) last ORDER BY seq::bigint`,
      [options.issuer?.toLowerCase() ?? null, options.limit ?? null],
    );
    return rows.map((r) => {
      const hidden = openSealed(this.#sealer, r.sealed, "ler_audit", r.seq) as { target?: unknown; remote?: unknown };
      return auditFromJson(
        {
          at: r.at.toISOString(),
          actor: r.actor,
          issuer: r.issuer,
          op: r.op,
          ...(hidden.target !== undefined && { target: hidden.target }),
          ...(hidden.remote !== undefined && { remote: hidden.remote }),
          outcome: r.outcome,
          ...(r.code !== null && { code: r.code }),
        },
        `ler_audit (row ${r.seq})`,
      );
    });
  }
}

// ---- rate ------------------------------------------------------------------------------------------------------

/** Windows are swept once every this many hits of a process: a table of live windows only, without a timer. */
const RATE_SWEEP_EVERY = 100;

class PgRate implements RateCounter {
  readonly #db: PostgresIssuerStore;
  #hits = 0;

  constructor(db: PostgresIssuerStore) {
    this.#db = db;
  }

  async hit(key: string, windowSeconds: number, now: number, by = 1): Promise<number> {
    const { start, end } = rateWindow(windowSeconds, now);
    if (++this.#hits % RATE_SWEEP_EVERY === 0) {
      await this.#db.query("DELETE FROM ler_rate WHERE window_end <= $1", [now]);
    }
    const { rows } = await this.#db.query<{ count: number }>(
      `INSERT INTO ler_rate (key, window_seconds, window_start, window_end, count) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (key, window_seconds, window_start) DO UPDATE SET count = ler_rate.count + $5
       RETURNING count`,
      [key, windowSeconds, start, end, by],
    );
    return rows[0]!.count;
  }
}
