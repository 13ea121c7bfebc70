import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { sleep, startTimer, systemClock, type Clock } from "../clock.js";
import { LerError } from "../errors.js";

/**
 * Durable file primitives for the issuer's local state. Everything here is synchronous system calls wrapped in an
 * async API: the calls are short (one fsync each), and keeping them synchronous means no other task of this process
 * can run between a check and the write it guards.
 */

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** Permission bits of the file (default 0o644; key material uses 0o600). */
  mode?: number;
}

/**
 * Replaces `path` with `data` so that, after a crash at any point, the file holds either the old or the new content,
 * never a mixture and never nothing: write a temporary file in the same directory, fsync it, rename it over `path`
 * (atomic on POSIX), then fsync the directory so that the rename itself survives a power loss.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  writeFileAtomicSync(path, data, options);
}

/** Synchronous form of {@link writeFileAtomic}, for code that must not yield between reading and writing. */
export function writeFileAtomicSync(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const fd = openSync(tmp, "wx", options.mode ?? 0o644);
    try {
      writeAll(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    removeQuietly(tmp);
    throw new LerError("write_failed", `Cannot write ${path}.`, {
      cause: e,
      details: { path },
    });
  }
  fsyncDir(dir);
}

/**
 * Removes the temporary files that {@link writeFileAtomic} left next to `path` when their writer was killed before
 * the rename (the writer's pid is in the name and is no longer running). Returns how many it removed.
 */
export function removeAbandonedTemps(path: string): number {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  let removed = 0;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith(".tmp")) continue;
    const pid = Number(name.slice(prefix.length).split(".")[0]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pidRunning(pid)) continue;
    removeQuietly(join(dir, name));
    removed++;
  }
  return removed;
}

/**
 * Appends `data` (one or more complete lines, each ending in "\n") to `path` and fsyncs before returning. A new file's
 * directory entry is fsynced too, so a record that was acknowledged cannot vanish with its file. A file it creates
 * gets the permission bits `mode` (default 0o644; the sealed stores use 0o600).
 */
export async function appendDurable(path: string, data: string, mode = 0o644): Promise<void> {
  appendDurableSync(path, data, mode);
}

/** Synchronous form of {@link appendDurable}. */
export function appendDurableSync(path: string, data: string, mode = 0o644): void {
  let created = false;
  let fd: number;
  try {
    try {
      fd = openSync(path, "ax", mode);
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      fd = openSync(path, "a");
    }
    try {
      // One write of the whole buffer: O_APPEND places it at the end as a unit for other appenders on this machine.
      writeAll(fd, Buffer.from(data, "utf8"));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw new LerError("write_failed", `Cannot append to ${path}.`, {
      cause: e,
      details: { path },
    });
  }
  if (created) fsyncDir(dirname(path));
}

/**
 * Creates `dir` and any missing parents, and fsyncs the parent of each directory it created: a file made durable
 * inside a new directory is only reachable after a power loss if the directory's own entry is on disk too.
 */
export function ensureDir(dir: string, mode = 0o755): void {
  let first: string | undefined;
  try {
    first = mkdirSync(dir, { recursive: true, mode });
  } catch (e) {
    throw new LerError("write_failed", `Cannot create directory ${dir}.`, { cause: e, details: { path: dir } });
  }
  if (first === undefined) return;
  for (let d = dir; ; d = dirname(d)) {
    fsyncDir(dirname(d));
    if (d === first || dirname(d) === d) break;
  }
}

/** Fsyncs a directory, so that entries created, renamed or removed in it are on disk. */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch (e) {
    throw new LerError("write_failed", `Cannot open directory ${dir} to sync it.`, {
      cause: e,
      details: { path: dir },
    });
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    // Some file systems refuse fsync on a directory (EINVAL); they order metadata themselves.
    if ((e as NodeJS.ErrnoException).code !== "EINVAL") {
      throw new LerError("write_failed", `Cannot sync directory ${dir}.`, {
        cause: e,
        details: { path: dir },
      });
    }
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, buf: Uint8Array): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    // Already gone is what we wanted; anything else would hide a real problem, so it is rethrown.
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Inter-process lock
// ---------------------------------------------------------------------------------------------------------------------

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** How long to wait for the lock before failing with `lock_timeout` (default 10 s). */
  timeoutMs?: number;
  /**
   * How old a lock file without a readable owner must be before it counts as abandoned (default 2 s). Such a file is
   * left by a process killed between creating the lock and writing its owner into it, a window of microseconds.
   */
  unreadableStaleMs?: number;
  /** The clock deadlines and lock ages are measured by (default the machine's). */
  clock?: Clock;
}

/** What a lock file holds: enough to tell whether its owner still runs, and a token that is unique per acquisition. */
interface LockOwner {
  pid: number;
  token: string;
  /** Linux boot id: a lock from before a reboot is stale even if its pid is in use again. */
  boot?: string;
  /** Start time of the owner (clock ticks since boot, /proc/<pid>/stat field 22): detects a reused pid. */
  start?: string;
}

/** Locks this process holds or waits for, by path: callers in the same process queue here instead of polling. */
const localQueues = new Map<string, Promise<void>>();

/**
 * Runs `fn` while holding an exclusive lock on `lockPath`, across the processes of this machine and across the async
 * tasks of this process.
 *
 * The lock is a file created with O_EXCL holding `{ pid, token, boot, start }`. A waiter backs off (exponential, with
 * jitter) while it is held. A lock whose owner is gone (`kill(pid, 0)` gives ESRCH, or the pid now belongs to another
 * process, or the machine rebooted since) is stale and is taken over; takeovers of one stale lock are serialized by
 * claim files `<lock>.takeover.<token>.<n>` created with O_EXCL, so two waiters can never both remove it (and so never
 * remove a fresh lock that a third one just created). A claim whose owner died is skipped by the next claimant, never
 * reused. The lock is released only while its token is still ours.
 *
 * Scope: processes of one machine in one PID namespace, on a local file system (pids mean nothing across hosts or
 * containers). A pid reused by an unrelated process is recognised through its start time on Linux; elsewhere such a
 * lock is taken for live, which errs on the safe side (`lock_timeout`). The lock file is not fsynced: after a power
 * loss every owner is gone, and the boot id marks its lock stale.
 *
 * Errors: `lock_timeout` when the lock stays held; `lock_lost` when, on release, the lock file no longer carries our
 * token (another party removed it: the section may not have been exclusive).
 */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T> | T,
  options: FileLockOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const unreadableStaleMs = options.unreadableStaleMs ?? 2_000;
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + timeoutMs;

  // In-process queue first, so that tasks of one process do not spin against each other on the file.
  const queueKey = resolve(lockPath);
  const previous = localQueues.get(queueKey) ?? Promise.resolve();
  let releaseLocal!: () => void;
  const mine = new Promise<void>((resolve) => (releaseLocal = resolve));
  const tail = previous.then(() => mine);
  localQueues.set(queueKey, tail);
  try {
    if (!(await settlesWithin(previous, timeoutMs))) throw lockTimeout(lockPath, timeoutMs, readOwner(lockPath));
    const owner = await acquire(lockPath, deadline, timeoutMs, unreadableStaleMs, clock);
    let result: T;
    try {
      result = await fn();
    } catch (e) {
      release(lockPath, owner);
      throw e;
    }
    if (!release(lockPath, owner)) {
      throw new LerError("lock_lost", `The lock ${lockPath} was taken from this process while it held it.`, {
        details: { lockPath },
      });
    }
    return result;
  } finally {
    releaseLocal();
    if (localQueues.get(queueKey) === tail) localQueues.delete(queueKey);
  }
}

/** Whether `p` settles within `ms`; the timer is cleared either way, so it never keeps the process alive. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let cancel: (() => void) | undefined;
  const expired = new Promise<boolean>((resolve) => (cancel = startTimer(ms, () => resolve(false))));
  try {
    return await Promise.race([p.then(() => true), expired]);
  } finally {
    cancel?.();
  }
}

async function acquire(
  lockPath: string,
  deadline: number,
  timeoutMs: number,
  unreadableStaleMs: number,
  clock: Clock,
): Promise<LockOwner> {
  const me = ownerRecord(16);
  const content = JSON.stringify(me);
  let delay = 1;
  for (;;) {
    if (tryCreate(lockPath, content)) return me;
    const held = readLockFile(lockPath);
    if (held === undefined) continue; // released between our attempt and the read
    if (isStale(held, unreadableStaleMs, clock)) {
      // Retry at once whether we removed it or another waiter did.
      if (takeOver(lockPath, held.text, unreadableStaleMs, clock)) continue;
    }
    if (clock.now() >= deadline) throw lockTimeout(lockPath, timeoutMs, held?.owner);
    await sleep(Math.min(delay, Math.max(0, deadline - clock.now())) * (0.5 + Math.random()));
    delay = Math.min(delay * 2, 50);
  }
}

function tryCreate(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new LerError("lock_failed", `Cannot create the lock file ${path}.`, {
      cause: e,
      details: { lockPath: path },
    });
  }
  try {
    writeAll(fd, Buffer.from(content, "utf8"));
  } finally {
    closeSync(fd);
  }
  return true;
}

interface LockFile {
  /** Exact bytes: a takeover removes the lock only if they are unchanged. */
  text: string;
  owner: LockOwner | undefined;
  mtimeMs: number;
}

function readLockFile(path: string): LockFile | undefined {
  let text: string;
  let mtimeMs: number;
  try {
    mtimeMs = statSync(path).mtimeMs;
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new LerError("lock_failed", `Cannot read the lock file ${path}.`, {
      cause: e,
      details: { lockPath: path },
    });
  }
  return { text, owner: parseOwner(text), mtimeMs };
}

function readOwner(path: string): LockOwner | undefined {
  return readLockFile(path)?.owner;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    if (typeof v.pid === "number" && Number.isSafeInteger(v.pid) && v.pid > 0 && typeof v.token === "string") {
      return v as LockOwner;
    }
  } catch {
    // A half-written lock file: handled by the caller through its age.
  }
  return undefined;
}

function isStale(file: LockFile, unreadableStaleMs: number, clock: Clock): boolean {
  if (file.owner === undefined) return clock.now() - file.mtimeMs > unreadableStaleMs;
  return !isAlive(file.owner);
}

/** Removes the stale lock whose exact content is `staleText`; true when it is gone (by us or by another waiter). */
function takeOver(lockPath: string, staleText: string, unreadableStaleMs: number, clock: Clock): boolean {
  const owner = parseOwner(staleText);
  // The claim name is per stale lock (its token, or a digest of an unreadable one), shared by all its waiters.
  const tag =
    owner?.token.replace(/[^0-9a-zA-Z]/g, "").slice(0, 64) ||
    Buffer.from(staleText).toString("hex").slice(0, 32) ||
    "empty";
  const me = JSON.stringify(ownerRecord(8));
  const claims: string[] = [];
  for (let n = 0, attempts = 0; n < 32 && attempts < 64; n++, attempts++) {
    const claim = `${lockPath}.takeover.${tag}.${n}`;
    if (tryCreate(claim, me)) {
      claims.push(claim);
      try {
        return removeStale(lockPath, staleText);
      } finally {
        // Claims of a removed lock are garbage: any later claimant finds the lock changed and backs off.
        for (const c of claims) removeQuietly(c);
      }
    }
    const held = readLockFile(claim);
    if (held === undefined) {
      n--; // the claim vanished between our attempt and the read: try the same number again
      continue;
    }
    if (!isStale(held, unreadableStaleMs, clock)) return false; // a live waiter is taking it over; wait
    claims.push(claim); // dead claimant: skip its number; clean it up if we end up removing the lock
  }
  return false;
}

/** Called only by the holder of a live claim for `staleText`, so no one else can remove or replace that lock. */
function removeStale(lockPath: string, staleText: string): boolean {
  try {
    const current = readLockFile(lockPath);
    if (current === undefined || current.text !== staleText) return true; // someone else already removed it
    // Only the holder of a live claim removes this stale lock, so it is still this exact file here: no other
    // party can have replaced it. The rename into a private name and the check after it are a second guard.
    const grave = `${lockPath}.stale.${randomBytes(8).toString("hex")}`;
    renameSync(lockPath, grave);
    const moved = readFileSync(grave, "utf8");
    if (moved !== staleText) {
      linkSync(grave, lockPath);
      unlinkSync(grave);
      throw new LerError("lock_failed", `Stale-lock takeover of ${lockPath} found a live lock; restored it.`, {
        details: { lockPath },
      });
    }
    unlinkSync(grave);
    return true;
  } catch (e) {
    if (e instanceof LerError) throw e;
    throw new LerError("lock_failed", `Cannot remove the stale lock ${lockPath}.`, { cause: e, details: { lockPath } });
  }
}

function ownerRecord(tokenBytes: number): LockOwner {
  const { boot, start } = identity(process.pid);
  return {
    pid: process.pid,
    token: randomBytes(tokenBytes).toString("hex"),
    ...(boot === undefined ? {} : { boot }),
    ...(start === undefined ? {} : { start }),
  };
}

/** Whether a process `pid` exists (EPERM: it does, under another user). */
function pidRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ESRCH") return false;
    if (code === "EPERM") return true;
    throw e;
  }
}

/** Whether the process that wrote `owner` is still running (conservative: unknown means alive). */
function isAlive(owner: LockOwner): boolean {
  if (!pidRunning(owner.pid)) return false;
  const now = identity(owner.pid);
  if (owner.boot !== undefined && now.boot !== undefined && owner.boot !== now.boot) return false;
  if (now.zombie) return false;
  if (owner.start !== undefined && now.start !== undefined && owner.start !== now.start) return false;
  return true;
}

/** Boot id and process start time from /proc where there is one (Linux); absent elsewhere. */
function identity(pid: number): {
  boot?: string;
  start?: string;
  zombie?: boolean;
} {
  const out: { boot?: string; start?: string; zombie?: boolean } = {};
  try {
    out.boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return out; // not Linux: pid liveness only
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may itself contain spaces or parentheses.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const state = rest[0];
    const start = rest[19];
    if (start !== undefined) out.start = start;
    if (state === "Z" || state === "X") out.zombie = true;
  } catch {
    // The process is gone or /proc is restricted: the caller relied on kill(pid, 0).
  }
  return out;
}

function release(lockPath: string, owner: LockOwner): boolean {
  const held = readLockFile(lockPath);
  if (held?.owner?.token !== owner.token || held.owner.pid !== owner.pid) return false;
  // Nobody else removes a lock whose owner is alive, so between this check and the unlink it stays ours.
  removeQuietly(lockPath);
  return true;
}

function lockTimeout(lockPath: string, timeoutMs: number, owner: LockOwner | undefined): LerError {
  return new LerError("lock_timeout", `Timed out after ${timeoutMs} ms waiting for the lock ${lockPath}.`, {
    details: {
      lockPath,
      timeoutMs,
      ...(owner === undefined ? {} : { holderPid: owner.pid }),
    },
  });
}

/** A per-key sender lock for `chain/writes` (one lock file per sending key in `dir`), so nonces are not reused. */
export function nonceLock(dir: string): <T>(address: string, timeoutMs: number, send: () => Promise<T>) => Promise<T> {
  return (address, timeoutMs, send) => {
    ensureDir(dir, 0o700);
    return withFileLock(join(dir, `nonce-${address}.lock`), send, { timeoutMs });
  };
}
