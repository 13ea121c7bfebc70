import { MemoryCoordinator, type AnchorCoordinator, type AnchoringOptions } from "./anchoring.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LerError } from "../errors.js";
import { StatusIndexAllocator } from "./allocator.js";
import { ensureDir, nonceLock, withFileLock, writeFileAtomicSync } from "./files.js";
import { SealedJsonLines } from "./jsonl.js";
import { IssuedLedger } from "./ledger.js";
import { PendingWrites } from "./pending.js";
import type { StoreKeys } from "./sealed.js";
import { normaliseTokenRecord } from "./tokens.js";
import type { AuditEntry, AuditLog, IssuerStore, RateCounter, TokenRecord, TokenStore } from "./types.js";

/**
 * The issuer's state in the files of one home: the embedded default, for one machine (processes of that machine
 * coordinate through file locks). Allocations, ledger and intents are the home's as they always were; tokens are
 * `<home>/tokens.json`, the audit log `<home>/audit.jsonl` (sealed), the rate counter lives in this process.
 */
export class FilesIssuerStore implements IssuerStore {
  readonly kind = "files" as const;
  readonly location: string;
  readonly allocator: StatusIndexAllocator;
  readonly ledger: IssuedLedger;
  readonly pending: PendingWrites;
  readonly tokens: FileTokenStore;
  readonly audit: FileAuditLog;
  readonly rate: MemoryRateCounter;
  readonly #senderLock: ReturnType<typeof nonceLock>;

  /** `keys`: the home's store keys (the key store's `storeKeys`). */
  constructor(home: string, keys: StoreKeys) {
    this.location = home;
    this.allocator = new StatusIndexAllocator(home);
    this.ledger = new IssuedLedger(home, keys);
    this.pending = new PendingWrites(home, keys);
    this.tokens = new FileTokenStore(home);
    this.audit = new FileAuditLog(home, keys);
    this.rate = new MemoryRateCounter();
    this.#senderLock = nonceLock(join(home, "locks"));
  }

  senderLock<T>(address: string, timeoutMs: number, send: () => Promise<T>): Promise<T> {
    return this.#senderLock(address, timeoutMs, send);
  }

  /**
   * Coalesced anchoring in this process: batches gather in memory, and each closed batch's anchor is recorded in the
   * home's intent log (`record`) before any of its leaves is placed. Other processes on the home coalesce their own.
   */
  async anchoring(options: AnchoringOptions): Promise<AnchorCoordinator> {
    return new MemoryCoordinator(options.record, options.send, options);
  }

  async close(): Promise<void> {
    // Nothing is held open between calls: every operation opens, locks and closes its files.
  }
}

/** `<home>/tokens.json`: `{ "tokens": [TokenRecord, …] }`, 0600, replaced atomically under `<home>/tokens.lock`. */
export class FileTokenStore implements TokenStore {
  readonly file: string;
  readonly #home: string;

  constructor(home: string) {
    this.#home = home;
    this.file = join(home, "tokens.json");
  }

  async createToken(record: TokenRecord): Promise<void> {
    const r = normaliseTokenRecord(record);
    await this.#update((tokens) => {
      if (tokens.some((t) => t.id === r.id)) {
        throw new LerError("token_exists", `An API token with id ${r.id} exists already.`, { details: { id: r.id } });
      }
      tokens.push(r);
      return true;
    });
  }

  async findToken(id: string): Promise<TokenRecord | undefined> {
    return this.#read().find((t) => t.id === id);
  }

  async listTokens(issuer?: string): Promise<TokenRecord[]> {
    const all = this.#read().sort((a, b) =>
      a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1,
    );
    return issuer === undefined ? all : all.filter((t) => t.issuer === issuer.toLowerCase());
  }

  async revokeToken(id: string, at: string): Promise<boolean> {
    const revokedAt = normaliseTime(at);
    return this.#update((tokens) => {
      const t = tokens.find((x) => x.id === id);
      if (t === undefined) return false;
      t.revokedAt ??= revokedAt;
      return true;
    });
  }

  /** Runs `change` on the tokens under the lock and writes them back (atomically) when it returns true. */
  async #update(change: (tokens: TokenRecord[]) => boolean): Promise<boolean> {
    ensureDir(this.#home, 0o700);
    return withFileLock(join(this.#home, "tokens.lock"), () => {
      const tokens = this.#read();
      if (!change(tokens)) return false;
      writeFileAtomicSync(this.file, JSON.stringify({ tokens }, null, 2) + "\n", { mode: 0o600 });
      return true;
    });
  }

  /** Readers need no lock: the file is only ever replaced whole. */
  #read(): TokenRecord[] {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw new LerError("read_failed", `Cannot read ${this.file}.`, { cause: e, details: { path: this.file } });
    }
    try {
      const json = JSON.parse(text) as { tokens?: unknown };
      if (!Array.isArray(json?.tokens)) throw new Error("no tokens array");
      return json.tokens.map((t) => normaliseTokenRecord(t as TokenRecord));
    } catch (e) {
      throw new LerError("corrupt_state", `The token file ${this.file} is corrupt.`, {
        cause: e,
        details: { path: this.file },
      });
    }
  }
}

/** `<home>/audit.jsonl`: one sealed entry per line (the `audit` key: an entry holds a client's address). */
export class FileAuditLog implements AuditLog {
  readonly file: string;
  readonly #home: string;
  readonly #lines: SealedJsonLines;

  constructor(home: string, keys: StoreKeys) {
    this.#home = home;
    this.file = join(home, "audit.jsonl");
    this.#lines = new SealedJsonLines(keys.sealer("audit"), "corrupt_log");
  }

  async appendAudit(entry: AuditEntry | readonly AuditEntry[]): Promise<void> {
    const entries = (Array.isArray(entry) ? entry : [entry]).map((x: AuditEntry) => auditEntry(x));
    if (entries.length === 0) return;
    await this.#locked(() => this.#lines.append(this.file, entries));
  }

  async readAudit(options: { issuer?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    const { values } = await this.#locked(() => this.#lines.read(this.file));
    const issuer = options.issuer?.toLowerCase();
    const entries = values
      .map((v, i) => auditFromJson(v, `line ${i + 1} of ${this.file}`))
      .filter((e) => issuer === undefined || e.issuer === issuer);
    return options.limit === undefined ? entries : entries.slice(Math.max(0, entries.length - options.limit));
  }

  #locked<T>(fn: () => T): Promise<T> {
    ensureDir(this.#home, 0o700);
    return withFileLock(join(this.#home, "audit.lock"), fn);
  }
}

/**
 * A fixed-window counter in this process's memory: with the files store each process counts its own hits (a second
 * process on the same home has its own counts); the postgres store shares them between workers.
 */
export class MemoryRateCounter implements RateCounter {
  readonly #windows = new Map<string, { end: number; count: number }>();

  async hit(key: string, windowSeconds: number, now: number, by = 1): Promise<number> {
    const { start, end } = rateWindow(windowSeconds, now);
    const k = `${windowSeconds} ${start} ${key}`;
    const w = this.#windows.get(k) ?? { end, count: 0 };
    w.count += by;
    this.#windows.set(k, w);
    if (this.#windows.size > 10_000) {
      for (const [other, { end: otherEnd }] of this.#windows) if (otherEnd <= now) this.#windows.delete(other);
    }
    return w.count;
  }
}

/** The fixed window of `windowSeconds` holding `now` (unix ms): `[start, end)`. */
export function rateWindow(windowSeconds: number, now: number): { start: number; end: number } {
  if (!Number.isSafeInteger(windowSeconds) || windowSeconds <= 0) {
    throw new LerError("invalid_option", `A rate window is a positive whole number of seconds, not ${windowSeconds}.`);
  }
  const size = windowSeconds * 1000;
  const start = Math.floor(now / size) * size;
  return { start, end: start + size };
}

/** An audit entry checked and normalised (`at` as `Date#toISOString`, issuer lowercase); `invalid_argument`. */
export function auditEntry(entry: AuditEntry): AuditEntry {
  const bad = (why: string) => new LerError("invalid_argument", `Audit entry ${why}.`);
  if (typeof entry !== "object" || entry === null) throw bad("is not an object");
  for (const k of ["actor", "issuer", "op"] as const) {
    if (typeof entry[k] !== "string" || entry[k] === "") throw bad(`has no ${k}`);
  }
  if (!["ok", "denied", "failed"].includes(entry.outcome)) throw bad("has an unknown outcome");
  if (entry.code !== undefined && typeof entry.code !== "string") throw bad("has a malformed code");
  if (entry.remote !== undefined && typeof entry.remote !== "string") throw bad("has a malformed remote");
  if (entry.target !== undefined && JSON.stringify(entry.target) === undefined)
    throw bad("has a target that is not JSON");
  return {
    at: normaliseTime(entry.at),
    actor: entry.actor,
    issuer: entry.issuer.toLowerCase(),
    op: entry.op,
    ...(entry.target !== undefined && { target: JSON.parse(JSON.stringify(entry.target)) as unknown }),
    ...(entry.remote !== undefined && { remote: entry.remote }),
    outcome: entry.outcome,
    ...(entry.code !== undefined && { code: entry.code }),
  };
}

/** An audit entry read back; `corrupt_log` (naming `where`) when it is not one. */
export function auditFromJson(v: unknown, where: string): AuditEntry {
  const o = v as Partial<AuditEntry> | null;
  const ok =
    typeof o === "object" &&
    o !== null &&
    typeof o.at === "string" &&
    typeof o.actor === "string" &&
    typeof o.issuer === "string" &&
    typeof o.op === "string" &&
    (o.outcome === "ok" || o.outcome === "denied" || o.outcome === "failed") &&
    (o.code === undefined || typeof o.code === "string") &&
    (o.remote === undefined || typeof o.remote === "string");
  if (!ok) throw new LerError("corrupt_log", `${where} is not an audit entry.`);
  return o as AuditEntry;
}

/** An ISO 8601 time as `Date#toISOString` writes it; `invalid_argument` when it does not parse. */
export function normaliseTime(at: string): string {
  const ms = typeof at === "string" ? Date.parse(at) : NaN;
  if (Number.isNaN(ms)) throw new LerError("invalid_argument", `Not an ISO 8601 time: ${String(at)}.`);
  return new Date(ms).toISOString();
}
