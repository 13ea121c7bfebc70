import { Interface } from "ethers";

/**
 * Multicall3 `aggregate3` calldata and results, written and read as hex by hand. A batch verification sends tens of
 * thousands of sub-calls; ethers' ABI coder builds a Result object per value and costs tens of microseconds per
 * sub-call each way, more than the node takes to run them. The layout is the Solidity ABI's:
 *
 *   aggregate3((address target, bool allowFailure, bytes callData)[]) returns ((bool success, bytes returnData)[])
 *
 * Checked against ethers' Interface in test/chain/multicall.test.ts.
 */

/** One sub-call: `callData` is hex without 0x. */
export interface SubCall {
  target: string;
  allowFailure: boolean;
  callData: string;
}

/** One sub-call's answer: `returnData` is hex without 0x. */
export interface SubResult {
  success: boolean;
  returnData: string;
}

const AGGREGATE3 = new Interface([
  "function aggregate3((address target, bool allowFailure, bytes callData)[] calls) payable returns ((bool success, bytes returnData)[] returnData)",
]).getFunction("aggregate3")!.selector;

/** The 4-byte selector of a function signature, as 8 hex digits. */
export function selectorOf(iface: Interface, name: string): string {
  const fn = iface.getFunction(name);
  if (fn === null) throw new Error(`no function ${name}`);
  return fn.selector.slice(2);
}

const ZEROS = "0".repeat(64);

/** A 32-byte word of `value` (a bigint, or a number below 2^53). */
export function word(value: bigint | number): string {
  const hex = value.toString(16);
  return hex.length >= 64 ? hex : ZEROS.slice(hex.length) + hex;
}

/** An address as a 32-byte word (left-padded). */
export function addressWord(address: string): string {
  return `000000000000000000000000${address.slice(2).toLowerCase()}`;
}

/** A bytes32 value (0x and 64 hex digits) as a word. */
export function bytes32Word(value: string): string {
  return value.slice(2).toLowerCase();
}

/** The calldata of `aggregate3(calls)`, 0x-prefixed. */
export function encodeAggregate3(calls: readonly SubCall[]): string {
  const n = calls.length;
  const heads: string[] = new Array(n);
  const tails: string[] = new Array(n);
  let offset = 32 * n;
  for (let i = 0; i < n; i++) {
    const c = calls[i]!;
    const bytes = c.callData.length / 2;
    const padded = Math.ceil(bytes / 32) * 32;
    heads[i] = word(offset);
    tails[i] =
      addressWord(c.target) +
      word(c.allowFailure ? 1 : 0) +
      word(96) +
      word(bytes) +
      c.callData +
      "0".repeat((padded - bytes) * 2);
    offset += 128 + padded;
  }
  return `0x${AGGREGATE3.slice(2)}${word(32)}${word(n)}${heads.join("")}${tails.join("")}`;
}

/** Thrown when the node's answer is not a well-formed `aggregate3` result for `expected` sub-calls. */
export class MalformedResultError extends Error {
  override readonly name = "MalformedResultError";
}

/** Decodes the result of `aggregate3` for `expected` sub-calls. Offsets are checked: a bad answer throws. */
export function decodeAggregate3(hex: string, expected: number): SubResult[] {
  if (typeof hex !== "string" || !/^0x[0-9a-fA-F]*$/.test(hex) || (hex.length - 2) % 64 !== 0) {
    throw new MalformedResultError("not ABI-encoded data");
  }
  const data = hex.slice(2);
  const words = data.length / 64;
  const at = (w: number): string => {
    if (w < 0 || w >= words) throw new MalformedResultError("offset out of range");
    return data.slice(w * 64, w * 64 + 64);
  };
  const small = (w: number): number => {
    const v = at(w);
    // Offsets and lengths fit easily in 53 bits; anything larger is malformed.
    if (v.slice(0, 50) !== ZEROS.slice(0, 50)) throw new MalformedResultError("value too large");
    return parseInt(v.slice(50), 16);
  };
  const arrayStart = small(0) / 32;
  if (!Number.isInteger(arrayStart)) throw new MalformedResultError("misaligned offset");
  const n = small(arrayStart);
  if (n !== expected) throw new MalformedResultError(`${n} results for ${expected} calls`);
  const base = arrayStart + 1;
  const out: SubResult[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const rel = small(base + i);
    if (rel % 32 !== 0) throw new MalformedResultError("misaligned offset");
    const el = base + rel / 32;
    const flag = small(el);
    if (flag > 1) throw new MalformedResultError("not a bool");
    const bytesOffset = small(el + 1);
    if (bytesOffset % 32 !== 0) throw new MalformedResultError("misaligned offset");
    const len = small(el + bytesOffset / 32);
    const start = (el + bytesOffset / 32 + 1) * 64;
    if (start + len * 2 > data.length) throw new MalformedResultError("data out of range");
    out[i] = { success: flag === 1, returnData: data.slice(start, start + len * 2) };
  }
  return out;
}

/** Word `i` of ABI-encoded return data (hex without 0x), as a bigint; throws if it is not there. */
export function returnWord(returnData: string, i = 0): bigint {
  const w = returnData.slice(i * 64, i * 64 + 64);
  if (w.length !== 64) throw new MalformedResultError("return data too short");
  return BigInt(`0x${w}`);
}

/** A `uint256[]` return value. */
export function returnUintArray(returnData: string): bigint[] {
  const offset = Number(returnWord(returnData, 0));
  if (offset % 32 !== 0) throw new MalformedResultError("misaligned offset");
  const n = Number(returnWord(returnData, offset / 32));
  if (n > returnData.length / 64) throw new MalformedResultError("array longer than the data");
  const out: bigint[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = returnWord(returnData, offset / 32 + 1 + i);
  return out;
}
