import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LerError } from "../errors.js";
import { ensureDir, removeAbandonedTemps, withFileLock, writeFileAtomicSync } from "./files.js";
import { issuerFileKey } from "./issuer.js";

/** A run of consecutive status indices in one list: `start`, `start + 1`, … `start + count - 1`. */
export interface Allocation {
  list: bigint;
  start: number;
  count: number;
}

/** Options of {@link StatusIndexAllocator.reserve}. */
export interface ReserveOptions {
  /** Indices per list (default 2^20, the StatusRegistry's LIST_SIZE); a reservation that fills a list continues in the next. */
  listSize?: number;
  /** How long to wait for another process reserving for the same issuer (default 10 s). */
  lockTimeoutMs?: number;
}

/** Where an issuer's next reservation starts. */
export interface AllocatorState {
  list: bigint;
  next: number;
}

/** Largest count one call may reserve. */
export const MAX_RESERVE_COUNT = 1_000_000;
/** Largest list size: the StatusRegistry packs the index into 20 bits. */
export const MAX_LIST_SIZE = 1 << 20;
/** Largest list number: the StatusRegistry packs the list into 64 bits. */
export const MAX_LIST = (1n << 64n) - 1n;

/**
 * Hands out status-list indices so that no (issuer, list, index) is ever given twice: not across crashes, not across
 * processes. Each issuer's high-water mark lives in `<dir>/status/<issuer>.json` as `{ "list": "<decimal>", "next": n }`
 * (the list as a string, as it is a uint64 on chain). It is the one state file in the clear (mode 0600 all the
 * same): it holds two counters and names no learner or credential, and an operator may have to repair it by hand. A reservation moves the mark under the issuer's file lock and
 * makes it durable (atomic replace + fsync) before it returns, so a crash after `reserve` leaves a gap, never a reuse.
 */
export class StatusIndexAllocator {
  readonly dir: string;
  /** State files whose abandoned temporary files (from writers killed mid-write) this instance already removed. */
  readonly #swept = new Set<string>();

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Reserves `count` fresh indices for `issuer`, in one or more runs (a run ends where its list ends). */
  async reserve(issuer: string, count: number, options: ReserveOptions = {}): Promise<Allocation[]> {
    const key = issuerFileKey(issuer);
    const listSize = reserveListSize(count, options);
    const statusDir = join(this.dir, "status");
    ensureDir(statusDir, 0o700);
    const file = join(statusDir, `${key}.json`);
    const lockOptions = options.lockTimeoutMs === undefined ? {} : { timeoutMs: options.lockTimeoutMs };
    return withFileLock(
      join(statusDir, `${key}.lock`),
      () => {
        if (!this.#swept.has(file)) {
          removeAbandonedTemps(file);
          this.#swept.add(file);
        }
        const state = readState(file) ?? { list: 0n, next: 0 };
        const { allocations, after } = allocate(state, count, listSize);
        writeFileAtomicSync(file, JSON.stringify({ list: after.list.toString(), next: after.next }) + "\n", {
          mode: 0o600,
        });
        return allocations;
      },
      lockOptions,
    );
  }

  /** The issuer's current high-water mark (`undefined` before its first reservation). */
  async state(issuer: string): Promise<AllocatorState | undefined> {
    return readState(join(this.dir, "status", `${issuerFileKey(issuer)}.json`));
  }
}

/**
 * Checks a reservation's `count` and list size (`invalid_count`, `invalid_list_size`) and returns the list size: the
 * same bounds for every IndexAllocator (types.ts).
 */
export function reserveListSize(count: number, options: ReserveOptions = {}): number {
  if (!Number.isSafeInteger(count) || count <= 0 || count > MAX_RESERVE_COUNT) {
    throw new LerError("invalid_count", `Can reserve 1 to ${MAX_RESERVE_COUNT} indices at a time, not ${count}.`, {
      details: { count },
    });
  }
  const listSize = options.listSize ?? MAX_LIST_SIZE;
  if (!Number.isSafeInteger(listSize) || listSize <= 0 || listSize > MAX_LIST_SIZE) {
    throw new LerError("invalid_list_size", `A list holds 1 to ${MAX_LIST_SIZE} indices, not ${listSize}.`, {
      details: { listSize },
    });
  }
  return listSize;
}

/** Pure step of a reservation: the runs for `count` indices from `state`, and the state after them. */
export function allocate(
  state: AllocatorState,
  count: number,
  listSize: number,
): { allocations: Allocation[]; after: AllocatorState } {
  let { list, next } = state;
  const allocations: Allocation[] = [];
  let remaining = count;
  while (remaining > 0) {
    if (next >= listSize) {
      list += 1n;
      next = 0;
    }
    if (list > MAX_LIST) {
      throw new LerError("lists_exhausted", `The issuer has used every status list.`, { details: { list } });
    }
    const take = Math.min(remaining, listSize - next);
    allocations.push({ list, start: next, count: take });
    next += take;
    remaining -= take;
  }
  return { allocations, after: { list, next } };
}

function readState(file: string): AllocatorState | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new LerError("read_failed", `Cannot read ${file}.`, { cause: e, details: { path: file } });
  }
  const corrupt = (why: string, cause?: unknown) =>
    new LerError(
      "corrupt_state",
      `Allocator state ${file} is corrupt (${why}). It is not reset automatically: indices could be reused. ` +
        `Restore it from a backup, or set it above every index already issued (\`ler issuer list\` shows them).`,
      cause === undefined ? { details: { path: file } } : { cause, details: { path: file } },
    );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw corrupt("not JSON", e);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw corrupt("not an object");
  const { list, next } = json as Record<string, unknown>;
  let parsedList: bigint;
  if (typeof list === "string" && /^(0|[1-9][0-9]*)$/.test(list)) parsedList = BigInt(list);
  else if (typeof list === "number" && Number.isSafeInteger(list) && list >= 0) parsedList = BigInt(list);
  else throw corrupt("bad list");
  if (parsedList > MAX_LIST) throw corrupt("list out of range");
  if (typeof next !== "number" || !Number.isSafeInteger(next) || next < 0) throw corrupt("bad next");
  return { list: parsedList, next };
}
