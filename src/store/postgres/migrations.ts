import type { PoolClient } from "pg";
import { LerError } from "../../errors.js";

/**
 * The PostgreSQL schema of the issuer store, as numbered migrations applied in order (node-pg-migrate's and
 * graphile-worker's way): never an ad-hoc `CREATE TABLE IF NOT EXISTS` at start-up. Every table is prefixed `ler_`,
 * so the store can share a database (and a schema) with other applications. A migration is never edited once
 * released: a change is a new one.
 */
export interface Migration {
  /** 1, 2, 3, … without gaps. */
  version: number;
  /** What it does, for `ler_schema_migrations` and messages. */
  name: string;
  /** Statements run in one transaction. */
  sql: string;
}

/** Version 1: the issuer's state (allocations, ledger, intents) and the service's (tokens, audit, rate limits). */
const V1_ISSUER_STORE = `
CREATE TABLE ler_allocator (
  issuer text PRIMARY KEY,
  list numeric(20, 0) NOT NULL CHECK (list >= 0),
  next integer NOT NULL CHECK (next >= 0)
);

-- The JWT and the whole record are in "sealed" (sealed.ts, the ledger key); the rest is in the clear for queries.
CREATE TABLE ler_ledger (
  seq bigserial PRIMARY KEY,
  issuer text NOT NULL,
  id text NOT NULL,
  list numeric(20, 0),
  idx integer,
  batch text,
  issued_at timestamptz NOT NULL,
  sealed jsonb NOT NULL,
  CHECK ((list IS NULL) = (idx IS NULL)),
  -- A second guard behind the allocator: an index is on record for one credential only.
  UNIQUE (issuer, list, idx)
);
CREATE INDEX ler_ledger_issuer ON ler_ledger (issuer, seq);
CREATE INDEX ler_ledger_batch ON ler_ledger (issuer, batch);

-- "entry" is the intent as logged (sealed, the intents key): its payload says what is about to be revoked.
CREATE TABLE ler_intents (
  seq bigserial UNIQUE,
  id text PRIMARY KEY,
  kind text NOT NULL,
  issuer text NOT NULL,
  entry jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  done_tx text,
  done_block bigint,
  done_at timestamptz,
  CHECK ((done_tx IS NULL) = (done_block IS NULL))
);
CREATE INDEX ler_intents_pending ON ler_intents (seq) WHERE done_tx IS NULL;

CREATE TABLE ler_tokens (
  id text PRIMARY KEY,
  issuer text NOT NULL,
  scopes text[] NOT NULL,
  hash text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  revoked_at timestamptz,
  label text
);
CREATE INDEX ler_tokens_issuer ON ler_tokens (issuer, created_at);

-- "sealed" holds target and remote (sealed.ts, the audit key): a client's address is personal data.
CREATE TABLE ler_audit (
  seq bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  issuer text NOT NULL,
  op text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
  code text,
  sealed jsonb NOT NULL
);
CREATE INDEX ler_audit_issuer ON ler_audit (issuer, seq);

CREATE TABLE ler_rate (
  key text NOT NULL,
  window_seconds integer NOT NULL,
  window_start bigint NOT NULL,
  window_end bigint NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (key, window_seconds, window_start)
);
CREATE INDEX ler_rate_end ON ler_rate (window_end);
`;

/**
 * Version 2: the queue of coalesced anchoring (src/store/postgres/anchoring.ts). A leaf is a credential's Merkle leaf
 * (a hash) waiting for its batch; a batch is closed (root and proofs written) before any of its leaves is placed, and
 * its row is the durable intent to anchor it until `tx_hash` is set. Nothing here names a learner.
 */
const V2_ANCHOR_QUEUE = `
CREATE TABLE ler_anchor_batches (
  id bigserial PRIMARY KEY,
  issuer text NOT NULL,
  chain_id bigint NOT NULL,
  registry text NOT NULL,
  root text NOT NULL,
  size integer NOT NULL,
  closed_at timestamptz NOT NULL DEFAULT now(),
  tx_hash text,
  block bigint,
  gas_used bigint,
  anchored_at timestamptz,
  UNIQUE (chain_id, registry, issuer, root)
);
CREATE INDEX ler_anchor_batches_unanchored ON ler_anchor_batches (id) WHERE tx_hash IS NULL;
CREATE TABLE ler_anchor_leaves (
  id bigserial PRIMARY KEY,
  issuer text NOT NULL,
  chain_id bigint NOT NULL,
  registry text NOT NULL,
  leaf text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  batch_id bigint REFERENCES ler_anchor_batches (id),
  proof text
);
CREATE INDEX ler_anchor_leaves_open ON ler_anchor_leaves (chain_id, registry, issuer, id)
  WHERE batch_id IS NULL;
`;

/**
 * Every migration this release knows, in order. To change the schema, APPEND a migration here (the next version,
 * e.g. `{ version: 3, name: "…", sql: "ALTER TABLE …" }`); never edit or reorder a
 * released one: databases already at its version would not run it again.
 */
export const MIGRATIONS: Migration[] = [
  { version: 1, name: "issuer store", sql: V1_ISSUER_STORE },
  { version: 2, name: "anchor queue", sql: V2_ANCHOR_QUEUE },
];

/** Serialises migrations of every process using the database (`pg_advisory_xact_lock` key: "ler_schema_migrations"). */
const MIGRATION_LOCK = "ler_schema_migrations";

/**
 * Brings the database up to the last of `migrations`, in one transaction under an advisory lock: concurrent callers
 * (workers starting together) wait for the first, then find nothing left to do. A database at a version this release
 * does not know is refused (`store_too_new`) before anything is changed: an older worker must not write to a schema
 * it does not understand.
 */
export async function migrate(
  client: PoolClient,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<{ version: number; applied: number[] }> {
  checkMigrations(migrations);
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [MIGRATION_LOCK]);
    // The bookkeeping table itself is the one thing made if missing: it has to exist to know what else does.
    await client.query(
      `CREATE TABLE IF NOT EXISTS ler_schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number }>("SELECT version FROM ler_schema_migrations");
    const done = new Set(rows.map((r) => Number(r.version)));
    const known = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
    const newest = Math.max(0, ...done);
    if (newest > known) {
      throw new LerError(
        "store_too_new",
        `The issuer store's database is at schema version ${newest}, newer than this release knows (${known}). ` +
          `Upgrade this worker to the release that migrated it.`,
        { details: { version: newest, known } },
      );
    }
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query("INSERT INTO ler_schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
      applied.push(m.version);
    }
    await client.query("COMMIT");
    return { version: known, applied };
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {
      // The connection is gone: the transaction died with it, and the first error is the one to report.
    });
    throw e;
  }
}

function checkMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new LerError("internal_error", `Migration ${i + 1} is numbered ${m.version}: versions run 1, 2, 3, …`);
    }
  });
}
