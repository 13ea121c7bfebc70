import { LerError } from "../errors.js";

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
  return write(value, [], []);
}

/**
 * The canonical text of `value`. `at` is the path of member names and indices to it, turned into text only for an
 * error (building it for every value cost more than the rest); `ancestors` the objects it is inside of.
 */
function write(value: unknown, at: (string | number)[], ancestors: object[]): string {
  switch (typeof value) {
    case "string":
      return quote(value, at);
    case "number":
      if (!Number.isFinite(value)) fail(at, `${String(value)} is not a JSON number`);
      // ECMAScript Number::toString is the RFC's serialization; it already writes -0 as "0".
      return String(value);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      break;
    default:
      fail(at, `a ${typeof value} is not JSON data`);
  }
  if (value === null) return "null";
  if (ancestors.includes(value)) fail(at, "the value contains itself");
  ancestors.push(value);
  let out: string;
  if (Array.isArray(value)) {
    out = "[";
    for (let i = 0; i < value.length; i++) {
      at.push(i);
      if (!(i in value)) fail(at, "a sparse array hole is not JSON data");
      out += (i > 0 ? "," : "") + write(value[i], at, ancestors);
      at.pop();
    }
    out += "]";
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      fail(at, `a ${(value as object).constructor?.name ?? "class"} instance is not a plain JSON object`);
    }
    const record = value as Record<string, unknown>;
    // Array.prototype.sort without a comparator orders strings by UTF-16 code units, which is what RFC 8785 asks.
    const names = Object.keys(record).sort();
    out = "{";
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      at.push(name);
      out += (i > 0 ? "," : "") + quote(name, at) + ":" + write(record[name], at, ancestors);
      at.pop();
    }
    out += "}";
  }
  ancestors.pop();
  return out;
}

function quote(text: string, at: (string | number)[]): string {
  if (!text.isWellFormed()) fail(at, "a string holds a lone UTF-16 surrogate");
  return JSON.stringify(text);
}

function fail(at: readonly (string | number)[], why: string): never {
  const path = at.reduce<string>((p, k) => (typeof k === "number" ? `${p}[${k}]` : `${p}.${k}`), "$");
  throw new LerError("not_canonicalizable", `Cannot canonicalize ${path}: ${why}.`, { details: { path } });
}
