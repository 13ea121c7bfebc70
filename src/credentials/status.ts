import { computeAddress } from "ethers";
import { LerError } from "../errors.js";
import { checksumAddress, isPlainObject, unknownMembers } from "./values.js";

export const STATUS_ENTRY_TYPE = "LERStatusRegistryEntry";

/** The W3C Bitstring Status List v1.0 entry type (https://www.w3.org/TR/vc-bitstring-status-list/). */
export const BITSTRING_ENTRY_TYPE = "BitstringStatusListEntry";

/**
 * Where `ler serve --status-dir` serves published status list credentials: `<path>/<issuer address>/<list>/<purpose>`.
 * Apart from the unsigned export (`/v1/status-lists/…`), which stock verifiers could not check.
 */
export const STATUS_LIST_CREDENTIALS_PATH = "/v1/status-list-credentials";

/** The base URL of status lists when the issuer names none: `ler serve --status-dir` on its default host and port. */
export const DEFAULT_STATUS_LIST_BASE_URL = `http://127.0.0.1:8080${STATUS_LIST_CREDENTIALS_PATH}`;

/** Most entries one credentialStatus may hold: each names a list a verifier may have to fetch. */
export const MAX_STATUS_ENTRIES = 8;

/** Entries in one status list of the StatusRegistry (`LIST_SIZE()` on chain): indices are 0 .. 2^20 - 1. */
export const LIST_SIZE = 1_048_576;

/** The largest list id (lists are uint64 on chain). */
export const MAX_STATUS_LIST = (1n << 64n) - 1n;

/** Both bits the StatusRegistry keeps for every entry; a verifier reads both. */
export const STATUS_PURPOSES = ["revocation", "suspension"] as const;

export type StatusPurpose = (typeof STATUS_PURPOSES)[number];

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

/**
 * A W3C BitstringStatusListEntry for one purpose of an LER's status: the same list and index, read from a status list
 * credential the issuer publishes (`ler issuer publish-status`), for verifiers that know only that standard.
 */
export type BitstringStatusListEntry = {
  /** `<statusListCredential>#<index>`: the entry's own URL, never the list's. */
  id: string;
  type: typeof BITSTRING_ENTRY_TYPE;
  statusPurpose: StatusPurpose;
  /** The index in the list, decimal (the LER entry's). */
  statusListIndex: string;
  /** `<base>/<issuer address>/<list>/<purpose>`: see {@link statusListUrl}. */
  statusListCredential: string;
};

/**
 * The credentialStatus of an LER as issued: the LER entry (what the chain decides), then one BitstringStatusListEntry
 * per purpose (what stock verifiers check), all three on the same list and index.
 */
export type CredentialStatusEntries = [StatusRegistryEntry, BitstringStatusListEntry, BitstringStatusListEntry];

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
  /** The BitstringStatusListEntry entries beside it, when there are any (see {@link mirrorsLerEntry}). */
  standard?: BitstringEntry[];
}

/** A parsed BitstringStatusListEntry: bit `index` (of `size` bits) of the list credential at `url`. */
export interface BitstringEntry {
  purpose: string;
  url: string;
  index: bigint;
  /** `statusSize`: 1 when the entry gives none. */
  size: number;
}

/** Only BitstringStatusListEntry entries (as other tools issue): the lists decide. */
export interface BitstringStatusEntries {
  kind: "bitstring";
  entries: BitstringEntry[];
}

/** A credentialStatus entry of a type this project does not check (e.g. StatusList2021Entry). */
export interface UnsupportedStatusEntry {
  kind: "unsupported";
  type: string;
}

export type StatusEntry = LerStatusEntry | BitstringStatusEntries | UnsupportedStatusEntry;

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
 * The URL of the status list credential for one purpose of `issuer`'s list `list`: `<base>/<issuer address>/<list>/<purpose>`,
 * the address checksummed. `ler issuer publish-status` writes the list under the same relative path.
 */
export function statusListUrl(baseUrl: string, issuer: string, list: bigint | number, purpose: StatusPurpose): string {
  const address = checksumAddress(issuer);
  if (address === undefined) fail("issuer", "is not an address (or its checksum is wrong)");
  return `${statusListBaseUrl(baseUrl)}/${address}/${BigInt(list)}/${purpose}`;
}

/**
 * A base URL for status lists as given (`--status-url`, `LER_STATUS_URL`): an absolute http(s) URL without query or
 * fragment, trailing slashes removed. Anything else throws `invalid_status_entry` (field `statusListBaseUrl`).
 */
export function statusListBaseUrl(value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === "string" ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:"))
    fail("statusListBaseUrl", "is not an http(s) URL");
  if (url.search !== "" || url.hash !== "" || (value as string).includes("?") || (value as string).includes("#")) {
    fail("statusListBaseUrl", "has a query or a fragment");
  }
  return (value as string).replace(/\/+$/, "");
}

/** The two BitstringStatusListEntry entries (revocation, suspension) of entry `index` of `issuer`'s list `list`. */
export function bitstringStatusEntries(params: {
  baseUrl: string;
  issuer: string;
  list: bigint | number;
  index: number;
}): [BitstringStatusListEntry, BitstringStatusListEntry] {
  if (!isIndex(params.index)) fail("index", `is not an integer in 0 .. ${LIST_SIZE - 1}`);
  const entry = (purpose: StatusPurpose): BitstringStatusListEntry => {
    const url = statusListUrl(params.baseUrl, params.issuer, params.list, purpose);
    const index = String(params.index);
    return {
      id: `${url}#${index}`,
      type: BITSTRING_ENTRY_TYPE,
      statusPurpose: purpose,
      statusListIndex: index,
      statusListCredential: url,
    };
  };
  return [entry("revocation"), entry("suspension")];
}

/**
 * The credentialStatus of an LER: the LER entry of {@link statusEntry}, then the revocation and suspension
 * BitstringStatusListEntry entries on the same list and index, their lists under `statusListBaseUrl` (default
 * {@link DEFAULT_STATUS_LIST_BASE_URL}). Bad input throws `invalid_status_entry`.
 */
export function credentialStatus(
  params: StatusEntryParameters & { statusListBaseUrl?: string },
): CredentialStatusEntries {
  const ler = statusEntry(params);
  const [revocation, suspension] = bitstringStatusEntries({
    baseUrl: params.statusListBaseUrl ?? DEFAULT_STATUS_LIST_BASE_URL,
    issuer: params.issuer,
    list: params.list,
    index: params.index,
  });
  return [ler, revocation, suspension];
}

/** A BitstringStatusListEntry as this project writes one: the members the standard defines for a one-bit entry. */
export function bitstringEntryOf(entry: BitstringEntry): Record<string, unknown> {
  return {
    id: `${entry.url}#${entry.index}`,
    type: BITSTRING_ENTRY_TYPE,
    statusPurpose: entry.purpose,
    statusListIndex: entry.index.toString(),
    statusListCredential: entry.url,
    ...(entry.size !== 1 && { statusSize: entry.size }),
  };
}

/**
 * Whether a BitstringStatusListEntry stands for one purpose of an LER entry: a one-bit revocation or suspension entry
 * at the LER entry's index, whose list URL ends in `/<issuer address>/<list>/<purpose>` (the issuer's lists are
 * published from the chain, so the chain answers for it). Any other entry is a status of its own, checked on its list.
 */
export function mirrorsLerEntry(entry: BitstringEntry, ler: LerStatusEntry): boolean {
  if (entry.size !== 1 || entry.index !== BigInt(ler.index)) return false;
  if (!(STATUS_PURPOSES as readonly string[]).includes(entry.purpose)) return false;
  let path: string[];
  try {
    path = new URL(entry.url).pathname.split("/");
  } catch {
    return false;
  }
  const [address, list, purpose] = path.slice(-3);
  return (
    purpose === entry.purpose && list === ler.list.toString() && address?.toLowerCase() === ler.issuer.toLowerCase()
  );
}

/**
 * Reads a credential's `credentialStatus` value. `undefined` means the credential has none. A malformed entry throws
 * `invalid_status_entry` naming the member.
 *
 * An array is read as its entries (at most {@link MAX_STATUS_ENTRIES}). One LERStatusRegistryEntry gives `ler`, with
 * the BitstringStatusListEntry entries beside it as `standard`; BitstringStatusListEntry entries alone give
 * `bitstring`. Any entry of another type makes the result `{ kind: "unsupported", type }`, so that a verifier says
 * it could not check it rather than skip it (the other bits cannot clear a credential whose status nobody checked).
 * Two LER entries are `invalid_status_entry`.
 */
export function parseStatusEntry(credentialStatus: unknown): StatusEntry | undefined {
  if (credentialStatus === undefined) return undefined;
  const array = Array.isArray(credentialStatus);
  const values: unknown[] = array ? credentialStatus : [credentialStatus];
  if (values.length === 0) fail("credentialStatus", "is an empty array");
  const entries = values.map((entry: unknown, i) =>
    parseOne(entry, array ? `credentialStatus[${i}]` : "credentialStatus"),
  );
  const unsupported = entries.find((e) => e.kind === "unsupported");
  if (unsupported !== undefined) return unsupported;
  const lers = entries.filter((e): e is LerStatusEntry => e.kind === "ler");
  if (lers.length > 1) fail("credentialStatus", `holds ${lers.length} ${STATUS_ENTRY_TYPE} entries`);
  if (entries.length > MAX_STATUS_ENTRIES)
    fail("credentialStatus", `holds ${entries.length} entries; at most ${MAX_STATUS_ENTRIES} are read`);
  const standard = entries.flatMap((e) => (e.kind === "entry" ? [e.entry] : []));
  const ler = lers[0];
  if (ler !== undefined) return standard.length === 0 ? ler : { ...ler, standard };
  return { kind: "bitstring", entries: standard };
}

function parseOne(
  value: unknown,
  at: string,
): LerStatusEntry | UnsupportedStatusEntry | { kind: "entry"; entry: BitstringEntry } {
  if (!isPlainObject(value)) fail(at, "is not an object");
  const type = value.type;
  if (type === BITSTRING_ENTRY_TYPE) return { kind: "entry", entry: parseBitstringEntry(value, at) };
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

// The standard's rules for an entry (Bitstring Status List v1.0, BitstringStatusListEntry). Other members (the
// standard's statusMessage and statusReference, other tools' own) are not read: only one-bit purposes are checked.
function parseBitstringEntry(value: Record<string, unknown>, at: string): BitstringEntry {
  const purpose = value.statusPurpose;
  if (typeof purpose !== "string" || purpose === "") fail(`${at}.statusPurpose`, "is not a string");
  // Any size is an integer; past 20 digits it is beyond every list a verifier could hold.
  if (
    typeof value.statusListIndex !== "string" ||
    !DECIMAL.test(value.statusListIndex) ||
    value.statusListIndex.length > 20
  ) {
    fail(
      `${at}.statusListIndex`,
      "is not a decimal string (digits only, no sign, no leading zeros, at most 20 digits)",
    );
  }
  const url = value.statusListCredential;
  if (typeof url !== "string" || !isAbsoluteUrl(url)) fail(`${at}.statusListCredential`, "is not an absolute URL");
  const size = value.statusSize ?? 1;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size <= 0)
    fail(`${at}.statusSize`, "is not an integer above 0");
  if (value.id !== undefined && typeof value.id !== "string") fail(`${at}.id`, "is not a string");
  if (value.id === url) fail(`${at}.id`, "is the URL of the status list (the standard forbids it)");
  return { purpose, url, index: BigInt(value.statusListIndex), size };
}

function isAbsoluteUrl(value: string): boolean {
  try {
    return new URL(value).protocol !== "" && !/\s/.test(value);
  } catch {
    return false;
  }
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
