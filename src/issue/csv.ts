import { UsageError } from "../errors.js";

/** CSV as issuers' batch files hold it (RFC 4180, a header row). Pure. */

/**
 * RFC 4180 CSV: fields separated by commas, optionally in double quotes (which may hold commas, newlines and `""`
 * for a quote). Returns rows of fields with the line each row starts on.
 */
export function parseCsv(text: string, where: string): { line: number; fields: string[] }[] {
  const rows: { line: number; fields: string[] }[] = [];
  let field = "";
  let fields: string[] = [];
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let fieldStarted = false;
  const s = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const endRow = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === "")) rows.push({ line: rowLine, fields });
    fields = [];
    field = "";
    fieldStarted = false;
  };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (ch === ",") {
      fields.push(field);
      field = "";
      fieldStarted = false;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && s[i + 1] === "\n") i++;
      endRow();
      line++;
      rowLine = line;
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (quoted)
    throw new UsageError("invalid_csv", `${where}: a quoted field starting on line ${rowLine} is never closed.`);
  if (field !== "" || fields.length > 0) endRow();
  return rows;
}

/** CSV rows as objects keyed by the header row (header names compared without case, spaces, `_` or `-`). */
export function csvRecords(text: string, where: string): { line: number; value: Record<string, string> }[] {
  const rows = parseCsv(text, where);
  const header = rows.shift();
  if (header === undefined) return [];
  const keys = header.fields.map((h) => normalizeKey(h));
  return rows.map(({ line, fields }) => {
    if (fields.length !== keys.length) {
      throw new UsageError(
        "invalid_csv",
        `Line ${line} of ${where} has ${fields.length} fields; the header has ${keys.length}.`,
      );
    }
    const value: Record<string, string> = {};
    keys.forEach((k, i) => {
      const v = fields[i]!.trim();
      if (v !== "") value[k] = v;
    });
    return { line, value };
  });
}

/** A header or member name as matched: without case, spaces, `_` or `-`. */
export function normalizeKey(k: string): string {
  return k
    .trim()
    .toLowerCase()
    .replace(/[\s_-]/g, "");
}
