import { gunzipSync } from "node:zlib";
import { isLerError, LerError } from "../errors.js";
import { credentialOfPayload, jwkPublicKey } from "../credentials/jose.js";
import type { BitstringEntry } from "../credentials/status.js";
import { isPlainObject } from "../credentials/values.js";
import {
  decodeJwt,
  MAX_JWT_BYTES,
  signatureByKey,
  signatureValid,
  signingHash,
  type SignatureMemory,
  type SignatureParts,
} from "./jwt.js";
import { startTimer } from "../clock.js";
import { uncompressedKey } from "./secp256k1.js";
import type { SigningKeys } from "../did/ethr.js";

// Bitstring Status List v1.0 credentials as a verifier reads them: fetched over HTTP(S) with a size and a time limit,
// a compact JWT (VC-JOSE, or a VC-JWT 1.1 `vc` claim), its bitstring decompressed under a bound. Fetching is the only
// I/O here; reading and checking are pure, so that verification stays prepare / I/O / finish.

/** The standard's smallest list, in entries (16 KiB of bits): a shorter one is refused (STATUS_LIST_LENGTH_ERROR). */
export const MIN_STATUS_LIST_ENTRIES = 131_072;

/** The largest bitstring read, in bytes once decompressed (2^24 entries): a GZIP bomb stops here. */
export const MAX_BITSTRING_BYTES = 2 * 1024 * 1024;

/** The JOSE `typ` of a status list credential secured as VC-JOSE (W3C VC-JOSE-COSE: media type `application/vc+jwt`). */
export const VC_JWT_TYPE = "vc+jwt";
export const VC_JWT_MEDIA_TYPE = "application/vc+jwt";

/** Limits of the fetch step; every one has a default. */
export interface StatusListLimits {
  /** Largest response body, in bytes (default and most: the JWT size limit, 256 KiB). */
  maxBytes?: number;
  /** Time for one fetch, headers and body, in milliseconds (default 5,000). */
  timeoutMs?: number;
  /** Fetches at once (default 8). */
  concurrency?: number;
  /** Distinct lists one verification fetches (default 100); the others are reported unreachable. */
  maxLists?: number;
}

/** The WHATWG fetch signature (`globalThis.fetch` fits): tests pass their own. */
export type StatusListFetch = (url: string, init: RequestInit) => Promise<Response>;

/** Why a list could not be used. Each code makes the status `unknown`, never valid. */
export type StatusListErrorCode =
  | "status_list_unreachable"
  | "status_list_timeout"
  | "status_list_too_large"
  | "status_list_malformed"
  | "status_list_invalid_signature"
  | "status_list_wrong_issuer"
  | "status_list_expired";

export class StatusListError extends LerError {
  declare readonly code: StatusListErrorCode;
  constructor(code: StatusListErrorCode, message: string) {
    super(code, message);
  }
}

/** A status list credential, read and checked for shape; its signature is checked against its issuer's keys later. */
export interface StatusList {
  url: string;
  /** The JWT's `iss` (the credential's issuer, which must agree). */
  issuer: string;
  /** The credential's `id`, when it has one. */
  id: string | undefined;
  purposes: string[];
  bits: Uint8Array;
  /** Seconds: the strictest of `nbf`/`exp` and `validFrom`/`validUntil`. */
  validFrom: number | undefined;
  validUntil: number | undefined;
  signature: SignatureParts;
  /** The public key the JOSE header's `jwk` names, when it names one. */
  jwk: Uint8Array | undefined;
  /** Where a list published by `ler issuer publish-status` was derived from on chain. */
  snapshot: { chainId: number; registry: string; statusList: string; chainBlock: number } | undefined;
}

export type FetchedStatusList = { ok: true; list: StatusList } | { ok: false; error: StatusListError };

const DEFAULTS = { maxBytes: MAX_JWT_BYTES, timeoutMs: 5_000, concurrency: 8, maxLists: 100 };

/**
 * Fetches each distinct URL once, at most `concurrency` at a time, and reads what came back. Never throws: every
 * failure is the list's `error`. `fetcher` false fetches nothing (every list unreachable).
 */
export async function fetchStatusLists(
  urls: Iterable<string>,
  fetcher: StatusListFetch | false | undefined,
  limits: StatusListLimits = {},
): Promise<Map<string, FetchedStatusList>> {
  const { maxBytes, timeoutMs, concurrency, maxLists } = { ...DEFAULTS, ...definedOf(limits) };
  const distinct = [...new Set(urls)];
  const out = new Map<string, FetchedStatusList>();
  for (const url of distinct.slice(maxLists)) {
    out.set(
      url,
      failed("status_list_unreachable", `Not fetched: the verification names more than ${maxLists} status lists.`),
    );
  }
  const queue = distinct.slice(0, maxLists);
  const worker = async () => {
    for (let url = queue.shift(); url !== undefined; url = queue.shift()) {
      out.set(url, await fetchOne(url, fetcher, Math.min(maxBytes, MAX_JWT_BYTES), timeoutMs));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
  return out;
}

async function fetchOne(
  url: string,
  fetcher: StatusListFetch | false | undefined,
  maxBytes: number,
  timeoutMs: number,
): Promise<FetchedStatusList> {
  try {
    const text = await fetchText(url, fetcher, maxBytes, timeoutMs);
    return { ok: true, list: readStatusList(text, url) };
  } catch (e) {
    if (e instanceof StatusListError) return { ok: false, error: e };
    if (isLerError(e)) return failed("status_list_malformed", `The status list at ${url} cannot be read: ${e.message}`);
    return failed(
      "status_list_unreachable",
      `The status list at ${url} could not be fetched: ${(e as Error).message ?? String(e)}`,
    );
  }
}

/** The body of `url`, as text, within the limits. */
async function fetchText(
  url: string,
  fetcher: StatusListFetch | false | undefined,
  maxBytes: number,
  timeoutMs: number,
): Promise<string> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StatusListError("status_list_unreachable", `${JSON.stringify(url)} is not a URL.`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new StatusListError(
      "status_list_unreachable",
      `The status list at ${url} is not at an http(s) URL: not fetched.`,
    );
  }
  if (fetcher === false)
    throw new StatusListError("status_list_unreachable", `Status lists are not fetched by this verifier (${url}).`);
  if (fetcher === undefined && isReservedHost(parsed.hostname)) {
    throw new StatusListError(
      "status_list_unreachable",
      `The status list at ${url} is on a name reserved for documentation and testing (RFC 2606, RFC 6761): not looked up.`,
    );
  }
  // The time limit covers the headers and the body; the timer is the clock module's (see src/clock.ts).
  const abort = new AbortController();
  const signal = abort.signal;
  const cancel = startTimer(timeoutMs, () => abort.abort());
  try {
    return await fetchBody(url, fetcher, maxBytes, timeoutMs, signal);
  } finally {
    cancel();
  }
}

async function fetchBody(
  url: string,
  fetcher: StatusListFetch | undefined,
  maxBytes: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<string> {
  const timedOut = () =>
    new StatusListError("status_list_timeout", `The status list at ${url} did not arrive within ${timeoutMs} ms.`);
  let response: Response;
  try {
    response = await (fetcher ?? fetch)(url, {
      signal,
      redirect: "follow",
      headers: { accept: `${VC_JWT_MEDIA_TYPE}, application/jwt;q=0.9, */*;q=0.1` },
    });
  } catch (e) {
    if (signal.aborted) throw timedOut();
    throw new StatusListError(
      "status_list_unreachable",
      `The status list at ${url} could not be fetched: ${causeOf(e)}.`,
    );
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw new StatusListError("status_list_unreachable", `The status list at ${url} answered HTTP ${response.status}.`);
  }
  const declared = Number(response.headers.get("content-length"));
  const tooLarge = () =>
    new StatusListError("status_list_too_large", `The status list at ${url} is larger than ${maxBytes} bytes.`);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    if (response.body !== null) {
      for await (const chunk of response.body) {
        size += chunk.byteLength;
        if (size > maxBytes) {
          await response.body.cancel().catch(() => {});
          throw tooLarge();
        }
        chunks.push(chunk);
      }
    }
  } catch (e) {
    if (e instanceof StatusListError) throw e;
    if (signal.aborted) throw timedOut();
    throw new StatusListError("status_list_unreachable", `The status list at ${url} broke off: ${causeOf(e)}.`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new StatusListError("status_list_malformed", `The status list at ${url} is not UTF-8 text.`);
  }
}

/**
 * Reads a status list credential delivered as a compact JWT: a VC 2.0 BitstringStatusListCredential (VC-JOSE, or in a
 * VC-JWT 1.1 `vc` claim) with a BitstringStatusList subject whose bitstring decodes and holds at least the standard's
 * 131,072 entries. Throws a {@link StatusListError}; the signature is not checked here.
 */
export function readStatusList(text: string, url: string): StatusList {
  const token = text.trim();
  const malformed = (why: string) => new StatusListError("status_list_malformed", `The status list at ${url} ${why}.`);
  if (token.startsWith("{"))
    throw malformed("is a JSON document, not a JWT: only lists secured as a JWT (VC-JOSE) are checked here");
  let jwt;
  try {
    jwt = decodeJwt(token);
  } catch (e) {
    if (isLerError(e) && e.code === "token_too_large")
      throw new StatusListError("status_list_too_large", `The status list at ${url}: ${e.message}`);
    throw malformed(`is not a JWT this verifier accepts (${(e as Error).message})`);
  }
  let credential: Record<string, unknown>;
  try {
    ({ credential } = credentialOfPayload(jwt.payload));
  } catch (e) {
    throw malformed(`carries no credential (${(e as Error).message})`);
  }
  const iss = jwt.payload.iss;
  if (typeof iss !== "string" || iss === "") throw malformed("has no `iss` claim");
  const issuer = credential.issuer;
  const named = typeof issuer === "string" ? issuer : isPlainObject(issuer) ? issuer.id : undefined;
  if (named !== undefined && named !== iss) throw malformed(`names issuer ${String(named)} but was issued by ${iss}`);
  if (!asArray(credential.type).includes("BitstringStatusListCredential"))
    throw malformed("is not a BitstringStatusListCredential");
  const subject = credential.credentialSubject;
  if (!isPlainObject(subject) || !asArray(subject.type).includes("BitstringStatusList"))
    throw malformed("has no BitstringStatusList subject");
  const purposes = asArray(subject.statusPurpose);
  if (purposes.length === 0 || !purposes.every((p): p is string => typeof p === "string" && p !== ""))
    throw malformed("names no statusPurpose");
  const bits = decodeEncodedList(subject.encodedList, url);
  let jwk: Uint8Array | undefined;
  if (Object.hasOwn(jwt.header, "jwk")) {
    try {
      jwk = uncompressedKey(jwkPublicKey(jwt.header.jwk));
    } catch (e) {
      throw malformed(`has a JOSE header jwk that is no key (${(e as Error).message})`);
    }
    if (jwk === undefined) throw malformed("has a JOSE header jwk that is not a point of secp256k1");
  }
  const { validFrom, validUntil } = windowOf(jwt.payload, credential, malformed);
  return {
    url,
    issuer: iss,
    id: typeof credential.id === "string" ? credential.id : undefined,
    purposes,
    bits,
    validFrom,
    validUntil,
    signature: { alg: jwt.alg, signature: jwt.signature, digest: signingHash(jwt) },
    jwk,
    snapshot: snapshotOf(credential.statusRegistrySnapshot),
  };
}

/** GZIP-compressed, Multibase base64url (`u…`) bits, decompressed under {@link MAX_BITSTRING_BYTES}. */
function decodeEncodedList(encodedList: unknown, url: string): Uint8Array {
  const malformed = (why: string) =>
    new StatusListError("status_list_malformed", `The status list at ${url}: encodedList ${why}.`);
  if (typeof encodedList !== "string" || !/^u[A-Za-z0-9_-]+$/.test(encodedList))
    throw malformed("is not Multibase base64url (`u…`)");
  let bits: Buffer;
  try {
    bits = gunzipSync(Buffer.from(encodedList.slice(1), "base64url"), { maxOutputLength: MAX_BITSTRING_BYTES });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) {
      throw new StatusListError(
        "status_list_too_large",
        `The status list at ${url} decompresses to more than ${MAX_BITSTRING_BYTES} bytes.`,
      );
    }
    throw malformed("is not GZIP");
  }
  if (bits.length * 8 < MIN_STATUS_LIST_ENTRIES) {
    throw malformed(`holds ${bits.length * 8} entries, fewer than the standard's ${MIN_STATUS_LIST_ENTRIES}`);
  }
  return new Uint8Array(bits);
}

function windowOf(
  payload: Record<string, unknown>,
  credential: Record<string, unknown>,
  malformed: (why: string) => StatusListError,
) {
  const seconds = (v: unknown, name: string): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v === "number" && Number.isFinite(v)) return v;
    const t = typeof v === "string" ? Date.parse(v) : Number.NaN;
    if (Number.isNaN(t)) throw malformed(`has a ${name} that is not a time`);
    return Math.floor(t / 1000);
  };
  const from = [
    seconds(payload.nbf, "nbf"),
    seconds(credential.validFrom, "validFrom"),
    seconds(credential.issuanceDate, "issuanceDate"),
  ];
  const until = [
    seconds(payload.exp, "exp"),
    seconds(credential.validUntil, "validUntil"),
    seconds(credential.expirationDate, "expirationDate"),
  ];
  const defined = (xs: (number | undefined)[]) => xs.filter((x): x is number => x !== undefined);
  const f = defined(from);
  const u = defined(until);
  return {
    validFrom: f.length === 0 ? undefined : Math.max(...f),
    validUntil: u.length === 0 ? undefined : Math.min(...u),
  };
}

function snapshotOf(value: unknown): StatusList["snapshot"] {
  if (!isPlainObject(value)) return undefined;
  const { chainId, registry, statusList, chainBlock } = value;
  if (
    typeof chainId !== "number" ||
    typeof registry !== "string" ||
    typeof statusList !== "string" ||
    typeof chainBlock !== "number"
  )
    return undefined;
  return { chainId, registry, statusList, chainBlock };
}

/** Whether one of the issuer's `keys` signed the list (by the key its `jwk` names, when it names one). */
export function statusListSignedBy(list: StatusList, keys: SigningKeys, memory?: SignatureMemory): boolean {
  return list.jwk !== undefined
    ? signatureByKey(list.signature, keys, list.jwk, undefined, memory) === "valid"
    : signatureValid(list.signature, keys, undefined, memory);
}

/**
 * The status an entry reads from a list whose issuer and signature were checked: its bit, after the checks the
 * standard's validation makes (purpose, index in range) and ours (the list's `id` is the URL the entry names, so that
 * another list of the issuer cannot stand in for it; the list within its validity period). Throws a
 * {@link StatusListError}.
 */
export function statusBit(list: StatusList, entry: BitstringEntry, now: number, skew: number): boolean {
  const malformed = (why: string) =>
    new StatusListError("status_list_malformed", `The status list at ${list.url} ${why}.`);
  if (list.id !== entry.url)
    throw malformed(`is not the list the credential names (its id is ${JSON.stringify(list.id ?? null)})`);
  if (!list.purposes.includes(entry.purpose))
    throw malformed(`is for ${list.purposes.join(", ")}, not ${entry.purpose}`);
  if (list.validFrom !== undefined && list.validFrom > now + skew) {
    throw new StatusListError(
      "status_list_expired",
      `The status list at ${list.url} is valid only from ${iso(list.validFrom)}.`,
    );
  }
  if (list.validUntil !== undefined && list.validUntil <= now - skew) {
    throw new StatusListError(
      "status_list_expired",
      `The status list at ${list.url} expired at ${iso(list.validUntil)}.`,
    );
  }
  if (entry.index >= BigInt(list.bits.length * 8))
    throw malformed(`holds ${list.bits.length * 8} entries: index ${entry.index} is not in it`);
  const i = Number(entry.index);
  return ((list.bits[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0;
}

// RFC 2606 and RFC 6761 reserve these names for documentation and testing: nothing real is published there, and
// asking a resolver about them only leaks the question.
function isReservedHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (/(^|\.)(example|test|invalid)$/.test(host)) return true;
  return /(^|\.)example\.(com|net|org)$/.test(host);
}

function failed(code: StatusListErrorCode, message: string): FetchedStatusList {
  return { ok: false, error: new StatusListError(code, message) };
}

function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message ?? String(e);
}

function asArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function definedOf(limits: StatusListLimits): Partial<typeof DEFAULTS> {
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)) as Partial<typeof DEFAULTS>;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
