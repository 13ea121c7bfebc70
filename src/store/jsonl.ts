import { chmodSync, closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync } from "node:fs";
import { LerError, type ErrorCode } from "../errors.js";
import { appendDurableSync, removeAbandonedTemps, writeFileAtomicSync } from "./files.js";
import { isSealedRecord, type RecordSealer } from "./sealed.js";

/**
 * Append-only JSON-lines files that survive a crash mid-append. A line counts only once its "\n" is on disk, so the
 * bytes after the last "\n" are a torn tail: readers ignore it and report it, and the next append cuts it off before
 * writing. A complete line that does not parse is corruption, not a crash artifact, and is reported, never skipped.
 * Callers hold the file's lock around both operations.
 */

/** The complete lines of a JSON-lines file. */
export interface JsonLines {
  values: unknown[];
  /** An incomplete last line was found (a crash during an append) and ignored. */
  truncatedTail: boolean;
  /** Byte length of the complete lines: where the next append must start. */
  validLength: number;
}

/** Reads the complete lines of `path`; a missing file has none. */
export function readJsonLines(path: string): JsonLines {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { values: [], truncatedTail: false, validLength: 0 };
    throw new LerError("read_failed", `Cannot read ${path}.`, { cause: e, details: { path } });
  }
  const validLength = buf.lastIndexOf(0x0a) + 1;
  const values: unknown[] = [];
  let start = 0;
  let line = 0;
  while (start < validLength) {
    const end = buf.indexOf(0x0a, start);
    line++;
    const text = buf.toString("utf8", start, end);
    try {
      values.push(JSON.parse(text));
    } catch (e) {
      throw new LerError("corrupt_log", `Line ${line} of ${path} is complete but is not valid JSON.`, {
        cause: e,
        details: { path, line },
      });
    }
    start = end + 1;
  }
  return { values, truncatedTail: validLength < buf.length, validLength };
}

/**
 * Appends `values` as lines (one write, one fsync) after cutting off a torn tail, if any. When this returns, every
 * line is on disk.
 */
export function appendJsonLines(
  path: string,
  values: readonly unknown[],
  { mode = 0o644 }: { mode?: number } = {},
): { repairedTail: boolean } {
  const repairedTail = cutTornTail(path);
  if (values.length === 0) return { repairedTail };
  const text = values.map((v) => JSON.stringify(v) + "\n").join("");
  appendDurableSync(path, text, mode);
  return { repairedTail };
}

/**
 * A JSON-lines file whose every line is a sealed record (sealed.ts), mode 0600: the same crash safety as
 * {@link readJsonLines} and {@link appendJsonLines}, line by line, with the values encrypted. A file of an earlier
 * release, in plaintext, is rewritten sealed (atomically) the first time it is read or appended to; so are plaintext
 * lines an earlier release appended since. Callers hold the file's lock around every operation.
 *
 * Errors: `wrong_store_key` (the file was sealed under another key store's secret), `corrupt` (a complete line that
 * is not JSON, or does not authenticate), `store_locked`, `read_failed`, `write_failed`.
 */
export class SealedJsonLines {
  readonly sealer: RecordSealer;
  readonly corrupt: ErrorCode;
  /** Files this instance has checked: key, plaintext lines, mode, temporary files of killed writers. */
  readonly #checked = new Set<string>();

  constructor(sealer: RecordSealer, corrupt: ErrorCode) {
    this.sealer = sealer;
    this.corrupt = corrupt;
  }

  /** The complete lines of `path`, opened; plaintext lines of an earlier release are sealed on disk first. */
  read(path: string): { values: unknown[]; truncatedTail: boolean } {
    const raw = readJsonLines(path);
    let plaintext = false;
    const values = raw.values.map((v, i) => {
      if (!isSealedRecord(v)) {
        plaintext = true;
        return v;
      }
      return this.sealer.open(v, { file: path, line: i + 1, corrupt: this.corrupt });
    });
    if (plaintext) {
      // Migration: the same values in the same order, sealed; a torn tail is dropped (it was never acknowledged).
      this.rewrite(path, values);
    }
    this.#prepare(path);
    return { values, truncatedTail: raw.truncatedTail };
  }

  /** Seals and appends `values` (one write, one fsync), as {@link appendJsonLines}. */
  append(path: string, values: readonly unknown[]): { repairedTail: boolean } {
    if (!this.#checked.has(path)) {
      // Only the first line is looked at: enough to tell a file of an earlier release or of another key store
      // (both refused or migrated before anything is appended under this key), without reading a large log.
      const first = readFirstLine(path);
      let parsed: unknown;
      try {
        parsed = first === undefined ? undefined : JSON.parse(first);
      } catch {
        parsed = undefined; // a damaged line: reported by the next read, as it would have been without sealing
      }
      if (parsed !== undefined && !isSealedRecord(parsed)) {
        this.read(path); // migrates
      } else if (parsed !== undefined && parsed.k !== this.sealer.keyId) {
        // Another key store's file (`wrong_store_key`), or no key here (`store_locked`); a line under this key is not
        // decrypted here: a damaged one is reported by the next read and does not block appends.
        this.sealer.open(parsed, { file: path, line: 1, corrupt: this.corrupt });
      }
      this.#prepare(path);
    }
    return appendJsonLines(
      path,
      values.map((v) => this.sealer.seal(v)),
      { mode: 0o600 },
    );
  }

  /** Replaces the whole file, atomically, with `values` sealed. */
  rewrite(path: string, values: readonly unknown[]): void {
    writeFileAtomicSync(path, values.map((v) => JSON.stringify(this.sealer.seal(v)) + "\n").join(""), {
      mode: 0o600,
    });
    this.#prepare(path);
  }

  /** Once per file: mode 0600, and no temporary file of a killed writer left (an earlier release's is plaintext). */
  #prepare(path: string): void {
    if (this.#checked.has(path)) return;
    tightenMode(path);
    removeAbandonedTemps(path);
    this.#checked.add(path);
  }
}

/** Narrows an existing file to 0600 (files of earlier releases were 0644). */
function tightenMode(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new LerError("read_failed", `Cannot read ${path}.`, { cause: e, details: { path } });
  }
  try {
    if ((fstatSync(fd).mode & 0o077) !== 0) chmodSync(path, 0o600);
  } finally {
    closeSync(fd);
  }
}

/** The first complete line of `path` (without its "\n"), or undefined when it has none or does not exist. */
function readFirstLine(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new LerError("read_failed", `Cannot read ${path}.`, { cause: e, details: { path } });
  }
  try {
    const chunks: Buffer[] = [];
    let position = 0;
    for (;;) {
      const buf = Buffer.alloc(64 * 1024);
      const n = readSync(fd, buf, 0, buf.length, position);
      if (n === 0) return undefined;
      const chunk = buf.subarray(0, n);
      const nl = chunk.indexOf(0x0a);
      if (nl >= 0) {
        chunks.push(chunk.subarray(0, nl));
        return Buffer.concat(chunks).toString("utf8");
      }
      chunks.push(chunk);
      position += n;
    }
  } finally {
    closeSync(fd);
  }
}

function cutTornTail(path: string): boolean {
  let buf: Buffer;
  try {
    buf = readTail(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new LerError("read_failed", `Cannot read ${path}.`, { cause: e, details: { path } });
  }
  if (buf.length === 0 || buf[buf.length - 1] === 0x0a) return false;
  // Only the tail is cut: complete lines are not parsed here, so one bad line elsewhere does not block appends.
  const validLength = readFileSync(path).lastIndexOf(0x0a) + 1;
  const fd = openSync(path, "r+");
  try {
    ftruncateSync(fd, validLength);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The last byte of the file (enough to know whether it ends with a complete line), without reading all of it. */
function readTail(path: string): Buffer {
  const fd = openSync(path, "r");
  try {
    const { size } = fstatSync(fd);
    if (size === 0) return Buffer.alloc(0);
    const buf = Buffer.alloc(1);
    readSync(fd, buf, 0, 1, size - 1);
    return buf;
  } finally {
    closeSync(fd);
  }
}
