import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { LerError } from "../../src/errors.js";

/** Runs `fn`, which must throw a LerError, and returns it. */
export function thrown(fn: () => unknown): LerError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(LerError);
    return e as LerError;
  }
  expect.fail("expected a LerError, but nothing was thrown");
}

/** A deterministic stream of bytes32 values (keccak256 of a label and a counter): fixed inputs that look random. */
export function pseudoRandomHashes(label: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => keccak256(toUtf8Bytes(`${label}:${i}`)));
}

/** Many distinct bytes32 values, fast: a xorshift32 stream written as hex. For inputs too large to hash one by one. */
export function xorshiftHashes(seed: number, count: number): string[] {
  let x = seed | 0 || 1;
  const next = (): string => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0).toString(16).padStart(8, "0");
  };
  return Array.from(
    { length: count },
    () => `0x${next()}${next()}${next()}${next()}${next()}${next()}${next()}${next()}`,
  );
}
