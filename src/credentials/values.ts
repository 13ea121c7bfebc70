import { getAddress, isAddress } from "ethers";

// Shared checks for values read from credentials. Internal to src/credentials (not re-exported).

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** An object parsed from JSON or built as a literal: not an array, not a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The EIP-55 checksummed form of an address written as 0x and 40 hex digits, or undefined. All-lowercase (and
 * all-uppercase) digits carry no checksum and are accepted; mixed case must be the correct checksum. ethers'
 * getAddress alone would also take a missing 0x and ICAP forms, which have no place in a credential.
 */
export function checksumAddress(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const known = checksums.get(value);
  if (known !== undefined) return known;
  if (!HEX_ADDRESS.test(value) || !isAddress(value)) return undefined;
  const address = getAddress(value);
  if (checksums.size >= 10_000) checksums.clear();
  checksums.set(value, address);
  return address;
}

// Checksummed addresses by their written form. Verifying a credential checks the same few addresses (its issuer,
// the status registry) up to a dozen times, each check two keccak256s: without this, more than a third of a warm
// verification's time. Only valid addresses are kept, so the answer for every input is what it was.
const checksums = new Map<string, string>();

/** The members of `value` that are not in `allowed`. */
export function unknownMembers(value: Record<string, unknown>, allowed: readonly string[]): string[] {
  return Object.keys(value).filter((k) => !allowed.includes(k));
}
