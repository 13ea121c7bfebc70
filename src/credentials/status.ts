import { computeAddress } from "ethers";
import { LerError } from "../errors.js";
import { checksumAddress, isPlainObject, unknownMembers } from "./values.js";

export const STATUS_ENTRY_TYPE = "LERStatusRegistryEntry";

/** Entries in one status list of the StatusRegistry (`LIST_SIZE()` on chain): indices are 0 .. 2^20 - 1. */
export const LIST_SIZE = 1_048_576;

/** The largest list id (lists are uint64 on chain). */
export const MAX_STATUS_LIST = (1n << 64n) - 1n;

/** Both bits the StatusRegistry keeps for every entry; a verifier reads both. */
export const STATUS_PURPOSES = ["revocation", "suspension"] as const;

/** The `credentialStatus` entry of an LER: where on chain its revocation and suspension bits live. */
export type StatusRegistryEntry = {
  /** `urn:ler:status:eip155:<chainId>:<registry>:<issuer>:<list>:<index>`, addresses checksummed. */
  id: string;
  type: typeof STATUS_ENTRY_TYPE;
  statusPurpose: ["revocation", "suspension"];
  chainId: number;
  /** The StatusRegistry address, checksummed. */
  registry: string;
  /** The list id, decimal. */
  statusList: string;
  /** The index in the list, decimal. */
  statusListIndex: string;
};

export interface StatusEntryParameters {
  chainId: number;
  /** The StatusRegistry address. */
  registry: string;
  /** The issuer's address (its did:ethr identity), whose lists hold the entry. */
  issuer: string;
  list: bigint | number;
  index: number;
}

/** A parsed LERStatusRegistryEntry: read `StatusRegistry.statusOf(issuer, list, index)` at `registry` on `chainId`. */
export interface LerStatusEntry {
  kind: "ler";
  chainId: number;
  registry: string;
  issuer: string;
  list: bigint;
  index: number;
}

/** A credentialStatus entry of a type this project does not check (e.g. BitstringStatusListEntry). */
export interface UnsupportedStatusEntry {
  kind: "unsupported";
  type: string;
}

export type StatusEntry = LerStatusEntry | UnsupportedStatusEntry;

const ID_PREFIX = "urn:ler:status:eip155:";
const MEMBERS = ["id", "type", "statusPurpose", "chainId", "registry", "statusList", "statusListIndex"] as const;
const DECIMAL = /^(0|[1-9][0-9]*)$/;
const SECP256K1_P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const ETHR_DID = /^did:ethr:(?:[A-Za-z0-9_.-]+:)?(0x[0-9a-fA-F]{40}|0x0[23][0-9a-fA-F]{64})$/;

/**
 * Builds the credentialStatus entry for entry `index` of list `list` of `issuer`. Bad input throws
 * `invalid_status_entry`.
 */
export function statusEntry(params: StatusEntryParameters): StatusRegistryEntry {
  const chainId = params.chainId;
  if (!isChainId(chainId)) fail("chainId", "is not a positive integer");
  const registry = checksumAddress(params.registry);
  if (registry === undefined) fail("registry", "is not an address (or its checksum is wrong)");
  const issuer = checksumAddress(params.issuer);
  if (issuer === undefined) fail("issuer", "is not an address (or its checksum is wrong)");
  const list = params.list;
  if (typeof list === "number" ? !Number.isSafeInteger(list) : typeof list !== "bigint") {
    fail("list", "is not an integer");
  }
  if (BigInt(list) < 0n || BigInt(list) > MAX_STATUS_LIST) fail("list", "is not in 0 .. 2^64 - 1");
  const index = params.index;
  if (!isIndex(index)) fail("index", `is not an integer in 0 .. ${LIST_SIZE - 1}`);
  return {
    id: statusEntryId(chainId, registry, issuer, BigInt(list), index),
    type: STATUS_ENTRY_TYPE,
    statusPurpose: ["revocation", "suspension"],
    chainId,
    registry,
    statusList: BigInt(list).toString(),
    statusListIndex: String(index),
  };
}

/**
 * Reads a credential's `credentialStatus` value. `undefined` means the credential has none. An entry of another type
 * comes back as `{ kind: "unsupported", type }`, so a verifier can say it could not check it rather than skip it.
 * A malformed LERStatusRegistryEntry throws `invalid_status_entry` naming the member.
 *
 * An array is read as its entries: one entry is that entry. With several, any entry of another type makes the
 * result `unsupported` (the LER bits alone cannot clear a credential whose other status nobody checked), and two
 * LER entries are `invalid_status_entry`.
 */
export function parseStatusEntry(credentialStatus: unknown): StatusEntry | undefined {
  if (credentialStatus === undefined) return undefined;
  if (!Array.isArray(credentialStatus)) return parseOne(credentialStatus, "credentialStatus");
  if (credentialStatus.length === 0) fail("credentialStatus", "is an empty array");
  const entries = credentialStatus.map((entry: unknown, i) => parseOne(entry, `credentialStatus[${i}]`));
  const unsupported = entries.find((e) => e.kind === "unsupported");
  if (unsupported !== undefined) return unsupported;
  if (entries.length > 1) fail("credentialStatus", `holds ${entries.length} ${STATUS_ENTRY_TYPE} entries`);
  return entries[0];
}

function parseOne(value: unknown, at: string): StatusEntry {
  if (!isPlainObject(value)) fail(at, "is not an object");
  const type = value.type;
  if (type !== STATUS_ENTRY_TYPE) {
    if (typeof type === "string" && type !== "") return { kind: "unsupported", type };
    if (Array.isArray(type) && type.length > 0 && type.every((t) => typeof t === "string" && t !== "")) {
      if (type.includes(STATUS_ENTRY_TYPE)) fail(`${at}.type`, `must be the string "${STATUS_ENTRY_TYPE}"`);
      return { kind: "unsupported", type: type.join(",") };
    }
    fail(`${at}.type`, "is not a type name");
  }
  const extra = unknownMembers(value, MEMBERS);
  if (extra.length > 0) fail(`${at}.${extra[0]}`, `is not a member of a ${STATUS_ENTRY_TYPE}`);

  const purpose = value.statusPurpose;
  if (
    !Array.isArray(purpose) ||
    purpose.length !== STATUS_PURPOSES.length ||
    !STATUS_PURPOSES.every((p) => purpose.includes(p))
  ) {
    fail(`${at}.statusPurpose`, `is not ["revocation", "suspension"]`);
  }
  const chainId = value.chainId;
  if (!isChainId(chainId)) fail(`${at}.chainId`, "is not a positive integer");
  const registry = checksumAddress(value.registry);
  if (registry === undefined) fail(`${at}.registry`, "is not an address (or its checksum is wrong)");
  const list = parseDecimal(value.statusList, `${at}.statusList`);
  if (list > MAX_STATUS_LIST) fail(`${at}.statusList`, "is above 2^64 - 1");
  const index = parseDecimal(value.statusListIndex, `${at}.statusListIndex`);
  if (index >= BigInt(LIST_SIZE)) fail(`${at}.statusListIndex`, `is not below ${LIST_SIZE}`);

  // The id repeats the fields and adds the issuer; the two must agree, or two verifiers could read different bits.
  const id = value.id;
  if (typeof id !== "string" || !id.startsWith(ID_PREFIX)) fail(`${at}.id`, `does not start with "${ID_PREFIX}"`);
  const parts = id.slice(ID_PREFIX.length).split(":");
  if (parts.length !== 5) fail(`${at}.id`, "is not eip155:<chainId>:<registry>:<issuer>:<list>:<index>");
  const [idChain, idRegistry, idIssuer, idList, idIndex] = parts as [string, string, string, string, string];
  if (idChain !== String(chainId)) fail(`${at}.id`, "names another chain than chainId");
  if (checksumAddress(idRegistry) !== registry) fail(`${at}.id`, "names another registry than registry");
  const issuer = checksumAddress(idIssuer);
  if (issuer === undefined) fail(`${at}.id`, "does not name the issuer's address (or its checksum is wrong)");
  if (idList !== value.statusList) fail(`${at}.id`, "names another list than statusList");
  if (idIndex !== value.statusListIndex) fail(`${at}.id`, "names another index than statusListIndex");

  return { kind: "ler", chainId, registry, issuer, list, index: Number(index) };
}

/**
 * The address of a did:ethr identity (`did:ethr:[<network>:]<address or compressed public key>`), checksummed;
 * undefined for another DID method or a malformed one. A credential's status entry must name this address.
 */
export function ethrDidAddress(did: string): string | undefined {
  const match = ETHR_DID.exec(did);
  if (match === null) return undefined;
  const id = match[1]!;
  if (id.length === 42) return checksumAddress(id);
  return isCompressedPoint(id) ? computeAddress(id) : undefined;
}

// Whether 0x02/0x03 || x is a point on secp256k1: x below the field prime and x^3 + 7 a square (p = 3 mod 4, so the
// candidate root is (x^3 + 7)^((p + 1) / 4)). computeAddress throws on anything else.
function isCompressedPoint(hex: string): boolean {
  const x = BigInt(`0x${hex.slice(4)}`);
  if (x >= SECP256K1_P) return false;
  const rhs = (x * x * x + 7n) % SECP256K1_P;
  const root = modPow(rhs, (SECP256K1_P + 1n) / 4n, SECP256K1_P);
  return (root * root) % SECP256K1_P === rhs;
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  for (let b = base % modulus, e = exponent; e > 0n; e >>= 1n, b = (b * b) % modulus) {
    if (e & 1n) result = (result * b) % modulus;
  }
  return result;
}

function statusEntryId(chainId: number, registry: string, issuer: string, list: bigint, index: number): string {
  return `${ID_PREFIX}${chainId}:${registry}:${issuer}:${list}:${index}`;
}

function parseDecimal(value: unknown, field: string): bigint {
  if (typeof value !== "string" || !DECIMAL.test(value)) {
    fail(field, "is not a decimal string (digits only, no sign, no leading zeros)");
  }
  // Past 20 digits the value is out of every range checked here; do not spend time converting a huge string.
  return value.length > 20 ? MAX_STATUS_LIST + 1n : BigInt(value);
}

function isChainId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

function isIndex(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value < LIST_SIZE;
}

function fail(field: string, why: string): never {
  throw new LerError("invalid_status_entry", `${field} ${why}.`, { details: { field } });
}
