import { join } from "node:path";
import { LerError } from "../errors.js";
import { ensureDir, withFileLock } from "./files.js";
import { issuerFileKey } from "./issuer.js";
import { SealedJsonLines } from "./jsonl.js";
import type { StoreKeys } from "./sealed.js";

/** One issued credential, as the issuer's ledger keeps it. */
export interface IssuedRecord {
  /** The credential's id (e.g. `urn:uuid:…`). */
  id: string;
  /** The credential as issued (compact JWT). */
  jwt: string;
  /** Status list and index, when the credential carries a credentialStatus entry (both or neither). */
  list?: bigint;
  index?: number;
  /** Issuance batch (its Merkle root is what gets anchored). */
  batch?: string;
  /** Issuance time, ISO 8601 (the caller's clock: the ledger never reads one). */
  issuedAt: string;
}

/** What {@link IssuedLedger.readIssued} returns. */
export interface ReadIssuedResult {
  records: IssuedRecord[];
  /** The file ended in an incomplete line (a crash during an append); it was ignored, and the next append removes it. */
  truncatedTail: boolean;
}

/** Options of the ledger's operations. */
export interface LedgerOptions {
  /** How long to wait for another process using the same issuer's ledger (default 10 s). */
  lockTimeoutMs?: number;
}

/**
 * The append-only record of what an issuer issued: `<dir>/issued/<issuer>.jsonl`, one sealed record per line (see
 * sealed.ts: AES-256-GCM under the ledger's key, derived from the key store's secret; the record inside is a JSON
 * object with `list` as a decimal string). The file is 0600; its name, the issuer's address, is in the clear (the
 * ledger is found by it before anything is decrypted, and issuers' addresses are public on chain). `appendIssued`
 * returns only once every line is fsynced, so a credential handed out after it returns is on record. After a crash
 * mid-append the file may end in a torn line: `readIssued` ignores and reports it, and the next append cuts it off
 * first; a complete line is never lost or skipped. A plaintext ledger of an earlier release is sealed on first use.
 */
export class IssuedLedger {
  readonly dir: string;
  readonly #lines: SealedJsonLines;

  /** `keys`: the home's store keys (the key store's `storeKeys`). */
  constructor(dir: string, keys: StoreKeys) {
    this.dir = dir;
    this.#lines = new SealedJsonLines(keys.sealer("ledger"), "corrupt_log");
  }

  /** Appends `records` for `issuer` in one write and one fsync. */
  async appendIssued(
    issuer: string,
    records: readonly IssuedRecord[],
    options: LedgerOptions = {},
  ): Promise<{ repairedTail: boolean }> {
    const key = issuerFileKey(issuer);
    const lines = records.map((r, i) => issuedRecordJson(r, i));
    const dir = join(this.dir, "issued");
    ensureDir(dir, 0o700);
    return withFileLock(
      join(dir, `${key}.lock`),
      () => this.#lines.append(join(dir, `${key}.jsonl`), lines),
      lockOpts(options),
    );
  }

  /** Every complete record of `issuer`, in the order they were appended. */
  async readIssued(issuer: string, options: LedgerOptions = {}): Promise<ReadIssuedResult> {
    const key = issuerFileKey(issuer);
    const dir = join(this.dir, "issued");
    const file = join(dir, `${key}.jsonl`);
    const read = () => {
      const { values, truncatedTail } = this.#lines.read(file);
      return { records: values.map((v, i) => issuedRecordFromJson(v, i + 1, file)), truncatedTail };
    };
    // Without the lock a reader could take an append in progress for a torn tail.
    ensureDir(dir, 0o700);
    return withFileLock(join(dir, `${key}.lock`), read, lockOpts(options));
  }

  /** The records of `issuer` with these ids (the whole ledger is read: it is one file). */
  async findIssued(issuer: string, ids: readonly string[]): Promise<IssuedRecord[]> {
    const wanted = new Set(ids);
    return (await this.readIssued(issuer)).records.filter((r) => wanted.has(r.id));
  }

  /** Path of the issuer's ledger file. */
  file(issuer: string): string {
    return join(this.dir, "issued", `${issuerFileKey(issuer)}.jsonl`);
  }
}

function lockOpts(options: LedgerOptions): { timeoutMs?: number } {
  return options.lockTimeoutMs === undefined ? {} : { timeoutMs: options.lockTimeoutMs };
}

/** The JSON form of an issued record as every ledger seals it (`list` as a decimal string); `invalid_record` if malformed. */
export function issuedRecordJson(r: IssuedRecord, i: number): Record<string, unknown> {
  const bad = (why: string) =>
    new LerError("invalid_record", `Issued record ${i} ${why}.`, { details: { position: i, id: r?.id } });
  if (typeof r !== "object" || r === null) throw bad("is not an object");
  if (typeof r.id !== "string" || r.id.length === 0) throw bad("has no id");
  if (typeof r.jwt !== "string" || r.jwt.length === 0) throw bad("has no jwt");
  if (typeof r.issuedAt !== "string" || Number.isNaN(Date.parse(r.issuedAt))) throw bad("has no valid issuedAt");
  if ((r.list === undefined) !== (r.index === undefined)) throw bad("has a list without an index or the reverse");
  if (r.list !== undefined && (typeof r.list !== "bigint" || r.list < 0n)) throw bad("has a bad list");
  if (r.index !== undefined && (!Number.isSafeInteger(r.index) || r.index < 0)) throw bad("has a bad index");
  if (r.batch !== undefined && typeof r.batch !== "string") throw bad("has a bad batch");
  return {
    id: r.id,
    jwt: r.jwt,
    ...(r.list === undefined ? {} : { list: r.list.toString(), index: r.index }),
    ...(r.batch === undefined ? {} : { batch: r.batch }),
    issuedAt: r.issuedAt,
  };
}

/** An issued record from its sealed JSON form; `corrupt_log` (naming `line` of `file`) if it is not one. */
export function issuedRecordFromJson(v: unknown, line: number, file: string): IssuedRecord {
  const bad = (why: string) =>
    new LerError("corrupt_log", `Line ${line} of ${file} is not an issued record (${why}).`, {
      details: { file, line },
    });
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad("not an object");
  const o = v as Record<string, unknown>;
  if (typeof o.id !== "string" || typeof o.jwt !== "string" || typeof o.issuedAt !== "string") throw bad("fields");
  const record: IssuedRecord = { id: o.id, jwt: o.jwt, issuedAt: o.issuedAt };
  if (o.list !== undefined || o.index !== undefined) {
    if (typeof o.list !== "string" || !/^(0|[1-9][0-9]*)$/.test(o.list)) throw bad("list");
    if (typeof o.index !== "number" || !Number.isSafeInteger(o.index) || o.index < 0) throw bad("index");
    record.list = BigInt(o.list);
    record.index = o.index;
  }
  if (o.batch !== undefined) {
    if (typeof o.batch !== "string") throw bad("batch");
    record.batch = o.batch;
  }
  return record;
}
