import type { AnchorCoordinator, AnchoringOptions } from "./anchoring.js";
import type { Allocation, AllocatorState, ReserveOptions } from "./allocator.js";
import type { IssuedRecord, LedgerOptions, ReadIssuedResult } from "./ledger.js";
import type { Intent, IntentReceipt, PendingOptions } from "./pending.js";

/**
 * What an issuer's state is kept in, whatever keeps it: the files of one home (the embedded default, one machine) or
 * a PostgreSQL database (several worker processes and machines, coordinated by nothing but the database). Both pass
 * the same contract suite (test/store/contract.test.ts). Every method is safe to call from several processes at once.
 */

/** Hands out status-list indices; no (issuer, list, index) is ever given twice, across processes and machines. */
export interface IndexAllocator {
  reserve(issuer: string, count: number, options?: ReserveOptions): Promise<Allocation[]>;
  /** The issuer's high-water mark (`undefined` before its first reservation). */
  state(issuer: string): Promise<AllocatorState | undefined>;
}

/** The append-only record of what each issuer issued, sealed at rest (a credential names its learner). */
export interface IssuedLedgerStore {
  /** Appends `records` for `issuer` atomically: all of them are on record when it returns, or none is. */
  appendIssued(issuer: string, records: readonly IssuedRecord[], options?: LedgerOptions): Promise<unknown>;
  /** Every record of `issuer`, in the order appended. */
  readIssued(issuer: string, options?: LedgerOptions): Promise<ReadIssuedResult>;
  /** The records of `issuer` with these ids (in append order; unknown ids are left out). */
  findIssued(issuer: string, ids: readonly string[]): Promise<IssuedRecord[]>;
}

/** The durable log of chain writes that may be retried after a crash (see src/store/pending.ts for the semantics). */
export interface IntentLog {
  recordIntent(intent: Intent, options?: PendingOptions): Promise<{ alreadyPending: boolean }>;
  markDone(id: string, receipt: IntentReceipt, options?: PendingOptions): Promise<void>;
  /** Pending again, when still done with `txHash`: a reorganisation dropped that transaction. */
  reopen(id: string, txHash: string, options?: PendingOptions): Promise<void>;
  listPending(options?: PendingOptions): Promise<Intent[]>;
  compact(options?: PendingOptions): Promise<{ kept: number; dropped: number }>;
}

/** What a bearer token of the issuer service may do. */
export type TokenScope = "issue" | "status" | "read";
export const TOKEN_SCOPES: readonly TokenScope[] = ["issue", "status", "read"];

/**
 * An API token as it is stored: never the token itself, only the SHA-256 of its secret part. A token is
 * `ler_<id>_<secret>`: `id` (16 lowercase hex digits) finds the record, the secret (43 base64url characters, 256 random
 * bits) is compared by its hash in constant time.
 */
export interface TokenRecord {
  id: string;
  /** The one issuer (address, lowercase) the token acts for. */
  issuer: string;
  scopes: TokenScope[];
  /** SHA-256 of the secret part, lowercase hex. */
  hash: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601; absent: no expiry. */
  expiresAt?: string;
  /** ISO 8601; set once, never cleared. */
  revokedAt?: string;
  /** A name for people ("registrar SIS"). */
  label?: string;
}

/** The service's API tokens. */
export interface TokenStore {
  /** Stores a new token record; `token_exists` if its id is taken. */
  createToken(record: TokenRecord): Promise<void>;
  findToken(id: string): Promise<TokenRecord | undefined>;
  /** Every token, or only `issuer`'s, oldest first. */
  listTokens(issuer?: string): Promise<TokenRecord[]>;
  /** Marks the token revoked at `at` (ISO 8601); false when there is no such token; revoking again keeps the first time. */
  revokeToken(id: string, at: string): Promise<boolean>;
}

/** One entry of the audit log: who did what, when, from where, and how it ended. */
export interface AuditEntry {
  /** ISO 8601. */
  at: string;
  /** Who: `token:<id>` for the service, `cli` for the command line. */
  actor: string;
  /** The issuer acted for (address, lowercase). */
  issuer: string;
  /** What: `issue`, `status`, `token.create`, `token.revoke`, … */
  op: string;
  /** On what (credential ids, counts, a batch root): JSON, never a key, a token or a credential's content. */
  target?: unknown;
  /** From where: the client's address as the service saw it. */
  remote?: string;
  outcome: "ok" | "denied" | "failed";
  /** The error code when the outcome is not `ok`. */
  code?: string;
}

/** The append-only audit log of every write. Sealed at rest where it holds a client's address. */
export interface AuditLog {
  /** Appends one entry, or several in one write (all of them or none). */
  appendAudit(entry: AuditEntry | readonly AuditEntry[]): Promise<void>;
  /** Entries oldest first, optionally only `issuer`'s, the last `limit` of them. */
  readAudit(options?: { issuer?: string; limit?: number }): Promise<AuditEntry[]>;
}

/** A fixed-window counter shared by every worker using the store (per process for the files store). */
export interface RateCounter {
  /** Counts `by` hits (default 1) on `key` in the window of `windowSeconds` holding `now` (unix ms); the count so far in it. */
  hit(key: string, windowSeconds: number, now: number, by?: number): Promise<number>;
}

/** Everything an issuer keeps, from one place. */
export interface IssuerStore {
  /** `files` (one home) or `postgres`. */
  readonly kind: "files" | "postgres";
  /** Where, for messages: the home's path or the database URL without its password. */
  readonly location: string;
  readonly allocator: IndexAllocator;
  readonly ledger: IssuedLedgerStore;
  readonly pending: IntentLog;
  readonly tokens: TokenStore;
  readonly audit: AuditLog;
  readonly rate: RateCounter;
  /**
   * Serialises the chain writes of one sending address across everyone using the store (a file lock, or a PostgreSQL
   * advisory lock), so that no two processes pick the same nonce. Same shape as `WriteOptions.senderLock`.
   */
  senderLock<T>(address: string, timeoutMs: number, send: () => Promise<T>): Promise<T>;
  /** Coalesced anchoring for the issuer service (src/store/anchoring.ts): in process for files, across workers for PostgreSQL. */
  anchoring(options: AnchoringOptions): Promise<AnchorCoordinator>;
  close(): Promise<void>;
}
