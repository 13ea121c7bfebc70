import { LerError } from "../errors.js";

// A string holding a UTF-16 surrogate that is not half of a pair. With the `u` flag a well-formed pair is one code
// point, so only lone halves match.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The RFC 8785 JSON Canonicalization Scheme (JCS) text of `value`: object members sorted by their names' UTF-16 code
 * units, numbers in ECMAScript's shortest round-trip form, strings escaped as `JSON.stringify` does, no whitespace.
 * Two parties that hold the same JSON data therefore hash the same bytes.
 *
 * Only JSON data is accepted: `null`, booleans, finite numbers, well-formed strings, arrays and plain objects.
 * Anything JSON.stringify would silently drop or rewrite (undefined, functions, symbols, NaN, Infinity, BigInt, Date
 * and other class instances, sparse array holes, lone surrogates, cycles) throws a LerError `not_canonicalizable`
 * naming where it is, because a hash over a lossy rendering is a hash nobody else can reproduce.
 */
export function canonicalize(value: unknown): string {
  const parts: string[] = [];
  write(value, "$", parts, []);
  return parts.join("");
}

function write(value: unknown, path: string, out: string[], ancestors: object[]): void {
  switch (typeof value) {
    case "string":
      out.push(quote(value, path));
      return;
    case "number":
      if (!Number.isFinite(value)) fail(path, `${String(value)} is not a JSON number`);
      // ECMAScript Number::toString is the RFC's serialization; it already writes -0 as "0".
      out.push(String(value));
      return;
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "object":
      break;
    default:
      fail(path, `a ${typeof value} is not JSON data`);
  }
  if (value === null) {
    out.push("null");
    return;
  }
  if (ancestors.includes(value)) fail(path, "the value contains itself");
  ancestors.push(value);
  if (Array.isArray(value)) {
    out.push("[");
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) fail(`${path}[${i}]`, "a sparse array hole is not JSON data");
      if (i > 0) out.push(",");
      write(value[i], `${path}[${i}]`, out, ancestors);
    }
    out.push("]");
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      fail(path, `a ${(value as object).constructor?.name ?? "class"} instance is not a plain JSON object`);
    }
    const record = value as Record<string, unknown>;
    // Array.prototype.sort without a comparator orders strings by UTF-16 code units, which is what RFC 8785 asks.
    const names = Object.keys(record).sort();
    out.push("{");
    names.forEach((name, i) => {
      const at = `${path}.${name}`;
      if (i > 0) out.push(",");
      out.push(quote(name, at), ":");
      write(record[name], at, out, ancestors);
    });
    out.push("}");
  }
  ancestors.pop();
}

function quote(text: string, path: string): string {
  if (LONE_SURROGATE.test(text)) fail(path, "a string holds a lone UTF-16 surrogate");
  return JSON.stringify(text);
}

function fail(path: string, why: string): never {
  throw new LerError("not_canonicalizable", `Cannot canonicalize ${path}: ${why}.`, { details: { path } });
}
