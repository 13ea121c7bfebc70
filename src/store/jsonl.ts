import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync } from "node:fs";
import { LerError } from "../errors.js";
import { appendDurableSync } from "./files.js";

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
export function appendJsonLines(path: string, values: readonly unknown[]): { repairedTail: boolean } {
  const repairedTail = cutTornTail(path);
  if (values.length === 0) return { repairedTail };
  const text = values.map((v) => JSON.stringify(v) + "\n").join("");
  appendDurableSync(path, text);
  return { repairedTail };
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
