import { getAddress, type Provider } from "ethers";
import { ChainError, isLerError, LerError } from "../errors.js";
import { VerificationCache, type ChainCacheLimits } from "../chain/cache.js";
import { readSnapshot, hashKey, statusKey, type ChainSnapshot, type ReadOptions } from "../chain/reads.js";
import type { Deployment } from "../chain/deployments.js";
import { didNamesChain, parseEthrDid, signingKeysAt, type DidEvent, type EthrDid, type SigningKeys } from "../did/ethr.js";
import {
  checkAnchorProof,
  credentialTypesOf,
  embeddedCredentialsOf,
  issuanceAnchorOf,
  parseStatusEntry,
  revocationHashesOf,
  validateLerCredential,
  verifyMerkleProof,
  type IssuanceAnchorProof,
  type StatusEntry,
} from "../credentials/index.js";
import { credentialOfPayload, jwkPublicKey, mirrorMismatch, type CredentialForm } from "../credentials/jose.js";
import { decodeJwt, signatureByKey, signatureValid, signingHash, type DecodedJwt, type SignatureParts } from "./jwt.js";
import { combine, type Check, type CredentialReport, type CredentialSummary, type TrustChainEntry } from "./report.js";
import { secp256k1Backend, uncompressedKey } from "./secp256k1.js";
import { AccreditationStatus, evaluateTrust, isSuspendedNow, linkView, Verdict, type ChainLink, verdictCode, verdictMessage } from "./trust.js";
import {
  fetchStatusLists,
  statusBit,
  statusListSignedBy,
  StatusListError,
  type FetchedStatusList,
  type StatusList,
  type StatusListFetch,
  type StatusListLimits,
} from "./statusLists.js";
import { mirrorsLerEntry, type BitstringEntry, type LerStatusEntry } from "../credentials/status.js";

/** Where to read: the chain, its registries, and the name did:ethr DIDs use for it. */
export interface VerifierContext {
  provider: Provider;
  deployment: Deployment;
  /** The DID network name of this chain (`did:ethr:<name>:0x…`); the hex chain id is accepted too. */
  networkName: string;
  /**
   * Chain reads to reuse (see src/chain/cache.ts: an answer is reused only at the block it was read at, so a change on
   * chain is seen by the next verification). Default: one cache per provider object, shared by every context that
   * uses it. `false`: read everything afresh each time.
   */
  cache?: VerificationCache | false;
  /**
   * How Bitstring Status List credentials are fetched (see src/verify/statusLists.ts): default `fetch`; tests pass
   * their own; `false` fetches nothing, and every standard-only status is then `unknown`.
   */
  fetchStatusList?: StatusListFetch | false;
}

export { VerificationCache, type ChainCacheLimits };

/** A cache to pass as `VerifierContext.cache`: one per verifier process is the usual choice. */
export function createVerificationCache(limits: ChainCacheLimits = {}): VerificationCache {
  return new VerificationCache(limits);
}

/** The secp256k1 implementation signature checks use here: libsecp256k1 (native) or @noble/curves (pure JS). */
export function signatureBackend(): string {
  return secp256k1Backend.name;
}

const defaultCaches = new WeakMap<Provider, VerificationCache>();

function cacheOf(ctx: VerifierContext) {
  if (ctx.cache === false) return undefined;
  let cache = ctx.cache;
  if (cache === undefined) {
    cache = defaultCaches.get(ctx.provider);
    if (cache === undefined) defaultCaches.set(ctx.provider, (cache = new VerificationCache()));
  }
  return cache.of(ctx.deployment);
}

export interface VerifyOptions {
  /** The verifier's clock, in seconds. The faces pass the wall clock; tests pass a fixed time. */
  now: number;
  /** Tolerance for the validity window, in seconds. */
  clockSkewSeconds?: number;
  /** Roots (addresses or did:ethr) this verifier trusts; by default every root the registry's governance added. */
  trustedRoots?: readonly string[];
  /**
   * The verifier's own names for addresses, shown in trust chains (`TrustChainEntry.name`). The only source of names
   * there: a name the credential claims for its issuer is reported as its claim (`CredentialSummary.issuerName`).
   */
  names?: ReadonlyMap<string, string>;
  read?: ReadOptions;
  /**
   * Also fetch the status list credentials an LER's BitstringStatusListEntry entries name and compare them with the
   * chain (`status_list_agrees` / `status_list_disagrees`). The chain still decides. Lists that are a status of their
   * own (a credential with standard entries only) are always fetched.
   */
  checkStatusLists?: boolean;
  /** Size, time and count limits of status list fetches. */
  statusLists?: StatusListLimits;
}

/**
 * What verification keeps of a credential between parsing and the chain's answer: a batch holds ten thousand of
 * these at once, so only what the later checks need, and shared parts where credentials repeat each other.
 */
interface Prepared {
  checks: Check[];
  summary: CredentialSummary;
  /** What the signature and validity checks need of the JWT (the decoded payload itself is not kept). */
  jwt?: {
    alg: SignatureParts["alg"];
    nbf: unknown;
    exp: unknown;
    /** The JWT's `iat` claim, as given. */
    iat: unknown;
    /** The JOSE header's `kid`, as given, when there is one. */
    kid?: unknown;
    /** The public key (uncompressed) the JOSE header's `jwk` gives, when there is one. */
    jwk?: Uint8Array;
    /** The signature, then the 32-byte digest. */
    parts: Uint8Array;
  };
  issuer?: EthrDid;
  types?: readonly string[];
  status?: StatusEntry | undefined;
  /** The anchor's root, once its proof checked out (the proof itself is not kept). */
  anchorRoot?: string | undefined;
  /** The hashes whose revocation revokes it (see `revocationHashesOf`): the credential's, its id's, its token's. */
  hashes?: string[];
  /** A record's (CLR 2.0) embedded credentials, as compact JWTs. */
  embedded?: string[];
}

const DEFAULT_SKEW = 60;

/** What the credentials of one batch share: key sets per issuer and time, the trusted roots. */
interface Shared {
  keysAt(did: EthrDid, events: Parameters<typeof signingKeysAt>[1], at: { block: number; time: bigint }): SigningKeys;
  readonly trustedRoots: ReadonlySet<string> | undefined;
  /** The issuer's chain as it stood at `at`, as reports show it: one frozen copy per issuer and time in a batch. */
  chainOf(issuer: string, links: readonly ChainLink[], at: bigint): TrustChainEntry[];
  /** The status lists fetched for the batch, by URL. */
  readonly statusLists: ReadonlyMap<string, FetchedStatusList>;
}

function sharedOf(ctx: VerifierContext, options: VerifyOptions, statusLists: ReadonlyMap<string, FetchedStatusList> = new Map()): Shared {
  const keys = new Map<string, SigningKeys>();
  const chains = new Map<string, TrustChainEntry[]>();
  let roots: ReadonlySet<string> | undefined;
  return {
    statusLists,
    chainOf(issuer, links, at) {
      const k = `${issuer}|${at}`;
      let v = chains.get(k);
      if (v === undefined) chains.set(k, (v = deepFrozen(describeChain(links, ctx, options.names, at))));
      return v;
    },
    // One key set per issuer and moment: every credential of an anchored batch asks the same question.
    keysAt(did, events, at) {
      const k = `${did.did}|${at.block}|${at.time}`;
      let v = keys.get(k);
      if (v === undefined) keys.set(k, (v = signingKeysAt(did, events, at)));
      return v;
    },
    // Parsed when first needed, as before: a bad entry throws only if a chain reaches a root.
    get trustedRoots() {
      if (options.trustedRoots === undefined) return undefined;
      roots ??= new Set(options.trustedRoots.map((r) => (r.startsWith("did:") ? parseEthrDid(r).address : getAddress(r))));
      return roots;
    },
  };
}

// What many reports repeat (messages, DIDs, passing checks, trust chains, type lists) is made once and shared: ten
// thousand reports of a batch hold one copy instead of ten thousand. Strings are immutable; shared objects are
// frozen, so sharing is invisible to callers except that these parts cannot be changed in place. Bounded: cleared
// when full.
const interned = new Map<string, unknown>();

function intern<T>(key: string, make: () => T): T {
  let value = interned.get(key) as T | undefined;
  if (value === undefined) {
    value = make();
    if (typeof value === "object" && value !== null) deepFreeze(value);
    if (interned.size >= 50_000) interned.clear();
    interned.set(key, value);
  }
  return value;
}

const text = (key: string, make: () => string): string => intern(`t|${key}`, make);

function deepFreeze(value: object): void {
  Object.freeze(value);
  for (const v of Object.values(value)) if (typeof v === "object" && v !== null && !Object.isFrozen(v)) deepFreeze(v);
}

const SCHEMA_PASS: Check = deepFrozen({ id: "schema", outcome: "pass", code: "required_fields", message: "Every required field is present." });

function deepFrozen<T extends object>(value: T): T {
  deepFreeze(value);
  return value;
}

// Public keys of JOSE `jwk` headers, by their JSON (every credential of an issuer carries the same one): parsing
// checks that the point is on the curve. Bounded: cleared when full.
const headerKeys = new Map<string, Uint8Array>();

function headerKey(jwk: unknown): Uint8Array {
  const id = JSON.stringify(jwk);
  let key = headerKeys.get(id);
  if (key === undefined) {
    key = uncompressedKey(jwkPublicKey(jwk));
    if (key === undefined) throw new LerError("invalid_jwk", "The JOSE header's jwk is not a point of secp256k1.");
    if (headerKeys.size >= 10_000) headerKeys.clear();
    headerKeys.set(id, key);
  }
  return key;
}

// Parsed issuer DIDs (parsing checks the address checksum: a keccak each time). Bounded: cleared when full.
const issuers = new Map<string, EthrDid>();

function issuerDid(iss: string): EthrDid {
  let did = issuers.get(iss);
  if (did === undefined) {
    // A public-key did:ethr names its key: one that is no point of secp256k1 names no one (parseEthrDid would throw a
    // bare curve error for it, which is no answer about the credential).
    const key = /:0x(0[23][0-9a-fA-F]{64})$/.exec(iss)?.[1];
    if (key !== undefined && /^did:ethr:/.test(iss) && uncompressedKey(Buffer.from(key, "hex")) === undefined) {
      throw new LerError("invalid_issuer", `The public key in ${iss} is not a point of secp256k1: no key can sign for it.`);
    }
    did = parseEthrDid(iss);
    if (issuers.size >= 10_000) issuers.clear();
    issuers.set(iss, did);
  }
  return did;
}

/** Verifies one credential JWT. */
export async function verifyCredential(ctx: VerifierContext, jwt: unknown, options: VerifyOptions): Promise<CredentialReport> {
  const [report] = await verifyCredentials(ctx, [jwt], options);
  return report!;
}

/**
 * Verifies a batch of credential JWTs with one chain snapshot: one `eth_call` for every registry read of the
 * batch and at most one `eth_getLogs` for DID histories.
 */
export async function verifyCredentials(
  ctx: VerifierContext,
  jwts: readonly unknown[],
  options: VerifyOptions,
): Promise<CredentialReport[]> {
  return (await verifyWithSnapshot(ctx, jwts, options, [])).reports;
}

/** The batch verification, also handing back the snapshot (presentations check the holder's keys in it). */
export async function verifyWithSnapshot(
  ctx: VerifierContext,
  jwts: readonly unknown[],
  options: VerifyOptions,
  extraIssuers: readonly string[],
): Promise<{ reports: CredentialReport[]; snapshot: ChainSnapshot | undefined; chainError: ChainError | undefined }> {
  const outer = jwts.map((jwt) => prepare(ctx, jwt));
  // The credentials records embed (CLR 2.0) are verified with the batch, from the same snapshot.
  const inner = outer.flatMap((p) => (p.embedded ?? []).map((jwt) => prepare(ctx, jwt)));
  const prepared = inner.length === 0 ? outer : [...outer, ...inner];
  const ready = prepared.filter((p) => p.issuer !== undefined);
  const cache = cacheOf(ctx);
  // Status lists are fetched while the chain is read: every distinct list of the batch once, a few at a time.
  const fetchingLists = fetchStatusLists(statusListUrlsOf(ready, options), ctx.fetchStatusList, options.statusLists);
  let snapshot: ChainSnapshot | undefined;
  let chainError: ChainError | undefined;
  if (ready.length > 0 || extraIssuers.length > 0) {
    try {
      snapshot = await readSnapshot(
        ctx.provider,
        ctx.deployment,
        {
          issuers: [...ready.map((p) => p.issuer!.address), ...extraIssuers],
          typeNames: ready.flatMap((p) => p.types ?? []),
          statuses: ready.flatMap((p) =>
            p.status?.kind === "ler" ? [{ issuer: p.issuer!.address, list: p.status.list, index: p.status.index }] : [],
          ),
          hashes: ready.flatMap((p) => p.hashes!.map((hash) => ({ issuer: p.issuer!.address, hash }))),
          anchors: ready.flatMap((p) => (p.anchorRoot !== undefined ? [{ issuer: p.issuer!.address, root: p.anchorRoot }] : [])),
        },
        // The head's age (`ReadOptions.maxHeadAgeSeconds`) is judged by this verification's clock.
        {
          ...options.read,
          ...(cache !== undefined && options.read?.cache === undefined && { cache }),
          now: options.read?.now ?? options.now,
        },
      );
    } catch (e) {
      if (!(e instanceof ChainError)) throw e;
      chainError = e;
    }
  }
  const shared = sharedOf(ctx, options, await fetchingLists);
  const reports = outer.map((p) => finish(ctx, p, snapshot, chainError, options, shared));
  if (inner.length > 0) {
    let k = 0;
    outer.forEach((p, i) => {
      if (p.embedded === undefined) return;
      const embedded = inner.slice(k, (k += p.embedded.length)).map((q) => {
        const r = finish(ctx, q, snapshot, chainError, options, shared);
        // One level: a record inside a record is not expanded, so it proves nothing here.
        if (q.embedded !== undefined) {
          r.checks = [...r.checks, { id: "embedded", outcome: "fail", code: "nested_record", message: "A record inside a record is not verified: embed the credentials themselves." }];
          r.result = combine(r.checks);
        }
        return r;
      });
      withEmbedded(reports[i]!, embedded);
    });
  }
  return { reports, snapshot, chainError };
}

/** Credentials one record may embed (a presentation carries at most 100 too). */
export const MAX_EMBEDDED = 100;

/**
 * A record's report with its embedded credentials' reports: an `embedded` check that passes when every one is
 * valid and the record's subject's, and names each that is not. The record is no more valid than its worst part.
 */
function withEmbedded(report: CredentialReport, embedded: CredentialReport[]): void {
  report.embedded = embedded;
  const subject = report.credential.subject;
  const bad = embedded.flatMap((r, i) => {
    const name = r.credential.id ?? r.credential.name ?? `credential ${i + 1}`;
    if (r.result !== "valid") {
      const code = r.checks.find((c) => c.outcome === r.result.replace("invalid", "fail"))?.code ?? r.result;
      return [{ index: i, id: r.credential.id, result: r.result, code, text: `${name}: ${r.result} (${code})` }];
    }
    if (subject !== undefined && r.credential.subject !== subject) {
      return [{ index: i, id: r.credential.id, result: "invalid" as const, code: "embedded_subject_mismatch", text: `${name}: about ${r.credential.subject ?? "no subject"}, not ${subject}` }];
    }
    return [];
  });
  const outcome = bad.some((b) => b.result === "invalid") ? "fail" : bad.length > 0 ? "unknown" : "pass";
  report.checks = [
    ...report.checks,
    outcome === "pass"
      ? { id: "embedded", outcome, code: "embedded_valid", message: `Every embedded credential (${embedded.length}) is valid and the record's subject's.` }
      : {
          id: "embedded",
          outcome,
          code: outcome === "fail" ? "embedded_invalid" : "embedded_unknown",
          message: `${bad.length} of ${embedded.length} embedded credential${embedded.length === 1 ? "" : "s"} ${bad.length === 1 ? "is" : "are"} not valid: ${bad.map((b) => b.text).join("; ")}.`,
          details: { failed: bad.map(({ index, id, result, code }) => ({ index, ...(id !== undefined && { id }), result, code })) },
        },
  ];
  report.result = combine(report.checks);
}

/**
 * The reports of a batch whose chain cannot be read (`why`): what needs no chain is checked as usual, what needs it
 * is `unknown` with the reason, as `verifyCredentials` reports a failed read.
 */
export function reportsWithoutChain(ctx: VerifierContext, jwts: readonly unknown[], options: VerifyOptions, why: ChainError): CredentialReport[] {
  const shared = sharedOf(ctx, options);
  return jwts.map((jwt) => finish(ctx, prepare(ctx, jwt), undefined, why, options, shared));
}

/** Everything that needs no chain: parsing, schema, issuer DID, anchor proof, validity window inputs. */
function prepare(ctx: VerifierContext, input: unknown): Prepared {
  const p: Prepared = { checks: [], summary: {} };
  let jwt: DecodedJwt;
  try {
    jwt = decodeJwt(input);
  } catch (e) {
    p.checks.push(failure("format", e));
    return p;
  }
  // The credential: the payload itself (VC-JOSE, as issued now) or its `vc` claim (VC-JWT 1.1, as issued before and by
  // other tools).
  let credential: Record<string, unknown>;
  let form: CredentialForm;
  try {
    ({ credential, form } = credentialOfPayload(jwt.payload));
  } catch (e) {
    p.checks.push(failure("format", e));
    return p;
  }
  // Signature and digest in one buffer: ten thousand pending credentials hold ten thousand buffers, not twenty.
  const parts = new Uint8Array(jwt.signature.length + 32);
  parts.set(jwt.signature);
  parts.set(signingHash(jwt), jwt.signature.length);
  const { nbf, exp } = validityWindow(jwt);
  p.jwt = { alg: jwt.alg, nbf, exp, iat: jwt.payload.iat, parts };
  if (Object.hasOwn(jwt.header, "kid")) p.jwt.kid = jwt.header.kid;
  if (Object.hasOwn(jwt.header, "jwk")) {
    try {
      p.jwt.jwk = headerKey(jwt.header.jwk);
    } catch (e) {
      p.checks.push(failure("format", e));
      return p;
    }
  }
  const revocation = revocationHashesOf(jwt.payload, jwt.raw);
  p.hashes = revocation.all;
  p.checks.push(intern(`c|wf|${jwt.alg}`, (): Check => ({ id: "format", outcome: "pass", code: "well_formed", message: `A well-formed ${jwt.alg} JWT.` })));
  p.summary = summarize(credential, jwt);

  const schema = validateLerCredential(credential);
  p.checks.push(
    schema.ok ? SCHEMA_PASS : { id: "schema", outcome: "fail", code: schema.code, message: schema.message, details: { path: schema.path } },
  );
  try {
    const embedded = embeddedCredentialsOf(credential);
    if (embedded !== undefined && embedded.length > MAX_EMBEDDED) {
      p.checks.push({ id: "embedded", outcome: "fail", code: "too_many_embedded", message: `The record embeds ${embedded.length} credentials; at most ${MAX_EMBEDDED} are verified.` });
    } else if (embedded !== undefined) {
      p.embedded = embedded;
    }
  } catch {
    // The schema check reports a malformed verifiableCredential list.
  }
  const subjectMismatch = subjectMismatchOf(jwt.payload);
  if (subjectMismatch !== undefined) p.checks.push(subjectMismatch);
  const mirrored = form === "vc-jose" ? mirrorMismatch(jwt.payload) : undefined;
  if (mirrored !== undefined) {
    const [claim, member] = mirrored;
    p.checks.push({
      id: "schema",
      outcome: "fail",
      code: "claim_mismatch",
      message: `The JWT's ${claim} (${JSON.stringify(jwt.payload[claim])}) does not mirror the credential's ${member} (${JSON.stringify(jwt.payload[member])}).`,
      details: { claim, member },
    });
  }

  // The issuer: a did:ethr of this chain, named the same in `iss` and in the credential.
  const iss = jwt.payload.iss;
  try {
    if (typeof iss !== "string") throw new LerError("missing_issuer", "The JWT has no `iss` claim.");
    const issuer = issuerDid(iss);
    if (!didNamesChain(issuer, { name: ctx.networkName, chainId: ctx.deployment.chainId })) {
      throw new LerError("wrong_network", `The issuer ${iss} is not on this chain (${ctx.networkName}, ${ctx.deployment.chainId}).`);
    }
    // Every place a credential can name its issuer must name the signer: the vc claim, a top-level claim (which
    // did-jwt-vc's normalisation lets override `iss`), and the normalised credential itself.
    for (const value of [(jwt.payload.vc as Record<string, unknown> | undefined)?.issuer, jwt.payload.issuer, credential.issuer]) {
      if (value === undefined) continue;
      // An issuer object without an id (did-jwt-vc moves the id into `iss`) names no one else.
      const named = typeof value === "string" ? value : (value as { id?: unknown } | null)?.id;
      if (named !== undefined && named !== iss) {
        throw new LerError("iss_mismatch", `The credential names issuer ${String(named)} but the JWT was issued by ${iss}.`);
      }
    }
    p.issuer = issuer;
    p.checks.push(intern(`c|is|${iss}`, (): Check => ({ id: "issuer", outcome: "pass", code: "issuer_did", message: `Issuer ${iss}.` })));
  } catch (e) {
    p.checks.push(failure("issuer", e));
    return p;
  }

  try {
    const types = credentialTypesOf(credential);
    p.types = intern(`ty|${JSON.stringify(types)}`, () => types);
  } catch (e) {
    p.checks.push(failure("schema", e));
    p.types = [];
  }
  try {
    const status = parseStatusEntry(credential.credentialStatus);
    if (status?.kind === "ler") {
      const { registry, issuer } = status;
      status.registry = text(`ad|${registry}`, () => registry);
      status.issuer = text(`ad|${issuer}`, () => issuer);
    }
    p.status = status;
  } catch (e) {
    p.checks.push(failure("status", e));
  }
  let anchor: IssuanceAnchorProof | undefined;
  try {
    anchor = issuanceAnchorOf(jwt.payload);
  } catch (e) {
    p.checks.push(failure("anchor", e));
  }
  if (anchor !== undefined) {
    try {
      if (anchor.chainId !== ctx.deployment.chainId) {
        throw new LerError("anchor_wrong_chain", `The anchor is on chain ${anchor.chainId}, not ${ctx.deployment.chainId}.`);
      }
      // parseIssuanceAnchor gives the registry checksummed, as deployments hold addresses.
      if (anchor.registry !== ctx.deployment.contracts.StatusRegistry.address) {
        throw new LerError("anchor_unknown_registry", `The anchor names registry ${anchor.registry}, which is not this deployment's.`);
      }
      // The credential hash is the anchor leaf: computed once, for the revocation and the proof. Without it,
      // checkAnchorProof says why the payload has no leaf.
      const leaf = revocation.credential;
      if (!(leaf !== undefined ? verifyMerkleProof(leaf, anchor.proof, anchor.root) : checkAnchorProof(jwt.payload, anchor))) {
        throw new LerError("anchor_proof_mismatch", "The anchor proof does not lead from this credential to its root.");
      }
      p.anchorRoot = text(`rt|${anchor.root}`, () => anchor.root);
    } catch (e) {
      p.checks.push(failure("anchor", e));
    }
  }
  return p;
}

function finish(
  ctx: VerifierContext,
  p: Prepared,
  snap: ChainSnapshot | undefined,
  chainError: ChainError | undefined,
  options: VerifyOptions,
  shared: Shared,
): CredentialReport {
  const now = options.now;
  const report: CredentialReport = {
    kind: "credential",
    result: "invalid",
    checks: p.checks,
    credential: p.summary,
    trustChain: [],
    verifiedAt: now,
  };
  if (p.jwt !== undefined) report.checks.push(validity(p.jwt, now, options.clockSkewSeconds ?? DEFAULT_SKEW));
  if (p.issuer === undefined || p.jwt === undefined) {
    report.result = combine(report.checks);
    return report;
  }
  const has = (id: Check["id"]) => report.checks.some((c) => c.id === id);
  if (snap === undefined) {
    const why = chainError ?? new ChainError("chain_unreachable", "The chain was not read.");
    for (const id of ["anchor", "signature", "trust", "status"] as const) {
      if (!has(id)) report.checks.push({ id, outcome: "unknown", code: why.code, message: why.message });
    }
    report.checks.sort(byCheckOrder);
    report.result = combine(report.checks);
    return report;
  }
  report.block = snap.block;
  const issuer = p.issuer.address;

  // Anchor: the trusted issuance time, when the root is on chain. Without it trust is judged now, and the report says so
  // (the anchor check, `trustedTime.source` and the trust check's details): the history protects anchored credentials.
  let trustedAt = BigInt(now);
  let keysAt = { block: snap.block, time: BigInt(now) };
  const root = p.anchorRoot;
  if (root !== undefined) {
    const anchored = snap.anchors.get(hashKey(issuer, root));
    if (anchored !== undefined && anchored.timestamp > 0n) {
      const at = Number(anchored.timestamp);
      const block = Number(anchored.blockNumber);
      trustedAt = anchored.timestamp;
      keysAt = { block, time: anchored.timestamp };
      report.trustedTime = intern(`tt|${at}|${block}`, () => ({ at, source: "anchor" as const, anchorBlock: block }));
      report.checks.push(
        intern(`c|an|${root}|${at}|${block}`, (): Check => ({
          id: "anchor",
          outcome: "pass",
          code: "anchored",
          message: `Issued by ${iso(at)} (anchored in block ${block}).`,
          details: { root, block, timestamp: at },
        })),
      );
    } else {
      report.checks.push({ id: "anchor", outcome: "skipped", code: "anchor_not_found", message: "The anchor root is not on chain (yet): trust is judged now." });
    }
  } else if (!has("anchor")) {
    report.checks.push({ id: "anchor", outcome: "skipped", code: "not_anchored", message: "No issuance anchor: trust is judged now." });
  }
  report.trustedTime ??= intern(`tt|${now}`, () => ({ at: now, source: "now" as const }));

  // Signature, against the keys the issuer's DID document had at the trusted time.
  // A history the node gave but that cannot be read (a log that does not decode) leaves this credential's signature
  // unknown, and only this issuer's credentials: the rest of the batch is answered as usual.
  let keys: SigningKeys | undefined;
  let keysError: ChainError | undefined;
  try {
    keys = shared.keysAt(p.issuer, snap.didEvents.get(issuer) ?? [], keysAt);
  } catch (e) {
    if (!(e instanceof ChainError)) throw e;
    keysError = e;
  }
  if (keys === undefined) {
    const why = keysError ?? new ChainError("chain_inconsistent", `The DID history of ${p.issuer.did} could not be read.`);
    report.checks.push({ id: "signature", outcome: "unknown", code: why.code, message: why.message });
  } else if (keys.deactivated) {
    report.checks.push({ id: "signature", outcome: "fail", code: "issuer_deactivated", message: `The issuer's DID was deactivated.` });
  } else if (p.jwt.kid !== undefined && !kidNamesMethod(p.jwt.kid, p.issuer, snap.didEvents.get(issuer) ?? [], keysAt)) {
    report.checks.push({
      id: "signature",
      outcome: "fail",
      code: "unknown_kid",
      message: `The JOSE header's kid ${JSON.stringify(p.jwt.kid)} names no verification method of ${p.issuer.did} as of block ${keysAt.block}.`,
      details: { kid: p.jwt.kid },
    });
  } else {
    // A header that names its key (`jwk`, as Open Badges 3.0 credentials do) is checked against that key, which must
    // be one of the issuer's; otherwise every key of the issuer is tried.
    const jwk = p.jwt.jwk;
    const by = jwk !== undefined ? signatureByKey(signatureOf(p.jwt), keys, jwk) : signatureValid(signatureOf(p.jwt), keys) ? "valid" : "invalid";
    if (by === "valid") {
      const did = p.issuer.did;
      report.checks.push(intern(`c|sg|${did}`, (): Check => ({ id: "signature", outcome: "pass", code: "signature_valid", message: `Signed by a key of ${did}.` })));
    } else {
      report.checks.push({
        id: "signature",
        outcome: "fail",
        code: "invalid_signature",
        message:
          by === "not_issuer_key"
            ? `The JOSE header's jwk is no key of ${p.issuer.did} as of block ${keysAt.block}.`
            : jwk !== undefined
              ? "The signature is not by the key the JOSE header's jwk gives."
              : `The signature is not by a key of ${p.issuer.did} as of block ${keysAt.block}.`,
      });
    }
  }

  // Trust: accredited for every type the credential claims, at the trusted time, by the chain's history, under a
  // trusted root. The chain is shown as it stood then.
  const chain = snap.chains.get(issuer) ?? [];
  const judged = { at: trustedAt, source: report.trustedTime.source };
  report.trustChain = shared.chainOf(issuer, chain, trustedAt);
  report.checks.push(trustCheck(chain, p.types ?? [], snap, judged, () => shared.trustedRoots));

  // Status: revocation and suspension now.
  if (!has("status")) report.checks.push(...statusCheck(ctx, p, snap, options, shared));

  // Sorted, and no spare capacity: a batch holds ten thousand of these arrays.
  report.checks = report.checks.sort(byCheckOrder).slice();
  report.result = combine(report.checks);
  return report;
}

/** The signature and digest as the signature check takes them (views of one buffer). */
function signatureOf(jwt: NonNullable<Prepared["jwt"]>): SignatureParts {
  const n = jwt.parts.length - 32;
  return { alg: jwt.alg, signature: jwt.parts.subarray(0, n), digest: jwt.parts.subarray(n) };
}

/** When trust was judged: the anchored issuance time, or now (no anchor on chain). */
interface Judged {
  at: bigint;
  source: "anchor" | "now";
}

function trustCheck(
  chain: ChainLink[],
  types: readonly string[],
  snap: ChainSnapshot,
  judged: Judged,
  trustedRootsOf: () => ReadonlySet<string> | undefined,
): Check {
  const { at, source } = judged;
  // Every trust check says when trust was judged and why that time.
  const when = { at: Number(at), source };
  if (types.length === 0) {
    return { id: "trust", outcome: "fail", code: "no_credential_type", message: "The credential names no type to check accreditation for.", details: when };
  }
  let root: string | undefined;
  for (const type of types) {
    const typeId = snap.typeIds.get(type);
    if (typeId === undefined) {
      return { id: "trust", outcome: "fail", code: "unknown_credential_type", message: `"${type}" is not a credential type of the registry.`, details: { type, ...when } };
    }
    const answer = evaluateTrust(chain, { typeId, at });
    if (answer.verdict !== Verdict.Trusted) {
      const isIssuer = answer.failedAt === chain[0]?.subject;
      return {
        id: "trust",
        outcome: "fail",
        code: verdictCode(answer.verdict, isIssuer),
        message: verdictMessage(answer.verdict, {
          subject: "The issuer",
          accreditor: isIssuer ? undefined : answer.failedAt,
          type,
          when: source === "anchor" ? `its anchored issuance time (${iso(Number(at))})` : `the time of verification (${iso(Number(at))}; no anchor)`,
          suspendedNow: isSuspendedNow(chain, answer.failedAt),
        }),
        details: { type, failedAt: answer.failedAt, ...when },
      };
    }
    root = answer.root;
  }
  const trustedRoots = root === undefined ? undefined : trustedRootsOf();
  if (trustedRoots !== undefined && root !== undefined) {
    if (!trustedRoots.has(root)) {
      return { id: "trust", outcome: "fail", code: "untrusted_root", message: `The chain ends at root ${root}, which this verifier does not trust.`, details: { root, ...when } };
    }
  }
  return intern(`c|tr|${JSON.stringify(types)}|${at}|${source}|${root}`, (): Check => ({
    id: "trust",
    outcome: "pass",
    code: "trusted",
    message:
      source === "anchor"
        ? `Accredited for ${types.join(", ")} at ${iso(Number(at))}, its anchored issuance time, under root ${root}.`
        : `Accredited for ${types.join(", ")} now (${iso(Number(at))}): not anchored, so trust is judged at verification time; under root ${root}.`,
    details: { types, root, ...when },
  }));
}

/**
 * The status checks of a credential: revocation by hash, then its credentialStatus. An LER entry is answered by the
 * chain; BitstringStatusListEntry entries that stand for it (see `mirrorsLerEntry`) only with `checkStatusLists`, as
 * extra checks that never change the result; other BitstringStatusListEntry entries are a status of their own, read
 * from their (fetched) lists. A list that cannot be used makes the status `unknown`, never valid.
 */
function statusCheck(ctx: VerifierContext, p: Prepared, snap: ChainSnapshot, options: VerifyOptions, shared: Shared): Check[] {
  const issuer = p.issuer!.address;
  for (const hash of p.hashes!) {
    const revokedAt = snap.hashRevokedAt.get(hashKey(issuer, hash)) ?? 0n;
    if (revokedAt > 0n) {
      return [{
        id: "status",
        outcome: "fail",
        code: "credential_revoked",
        message: `Revoked by its issuer (by hash) at ${new Date(Number(revokedAt) * 1000).toISOString()}.`,
        details: { hash, revokedAt: Number(revokedAt) },
      }];
    }
  }
  const entry = p.status;
  if (entry === undefined) {
    return [{ id: "status", outcome: "skipped", code: "no_status_entry", message: "No credentialStatus entry: status not applicable (revocation by hash checked)." }];
  }
  if (entry.kind === "unsupported") {
    return [{ id: "status", outcome: "unknown", code: "unsupported_status_type", message: `Status type "${entry.type}" cannot be checked here.` }];
  }
  const read = (e: BitstringEntry) => readStatusBit(ctx, p, snap, options, shared, e);
  if (entry.kind === "bitstring") return [standardStatus(entry.entries, read)];
  if (entry.chainId !== ctx.deployment.chainId) {
    return [{ id: "status", outcome: "fail", code: "status_wrong_chain", message: `The status entry is on chain ${entry.chainId}, not ${ctx.deployment.chainId}.` }];
  }
  // parseStatusEntry gives both addresses checksummed.
  if (entry.registry !== ctx.deployment.contracts.StatusRegistry.address) {
    return [{ id: "status", outcome: "fail", code: "status_unknown_registry", message: `The status entry names registry ${entry.registry}, which is not this deployment's.` }];
  }
  if (entry.issuer !== issuer) {
    return [{ id: "status", outcome: "fail", code: "status_issuer_mismatch", message: `The status entry belongs to ${entry.issuer}, not the issuer.` }];
  }
  const s = snap.statuses.get(statusKey(issuer, entry.list, entry.index));
  if (s === undefined) return [{ id: "status", outcome: "unknown", code: "chain_error", message: "The status was not read." }];
  const where = { list: entry.list.toString(), index: entry.index };
  let chain: Check;
  if (s.revoked) chain = { id: "status", outcome: "fail", code: "credential_revoked", message: `Revoked by its issuer (list ${entry.list}, index ${entry.index}).`, details: where };
  else if (s.suspended) chain = { id: "status", outcome: "fail", code: "credential_suspended", message: `Suspended by its issuer (list ${entry.list}, index ${entry.index}).`, details: where };
  else chain = { id: "status", outcome: "pass", code: "not_revoked", message: "Neither revoked nor suspended.", details: where };
  const standard = entry.standard ?? [];
  const own = standard.filter((e) => !mirrorsLerEntry(e, entry));
  const status = chain.outcome === "fail" || own.length === 0 ? chain : beside(chain, standardStatus(own, read));
  if (options.checkStatusLists !== true) return [status];
  const mirrored = standard.filter((e) => mirrorsLerEntry(e, entry));
  return [status, ...mirrored.map((e) => listAgainstChain(e, entry, s, read(e), snap.block))];
}

/** A bit read from a status list, or why it could not be. */
type ListRead = { set: boolean; list: StatusList } | LerError;

// Signature verdicts per list and key set: every credential of a batch on one list asks the same question.
const listSignatures = new WeakMap<StatusList, Map<string, boolean>>();

/**
 * The bit of `entry` in its fetched list, once the list is shown to be the credential issuer's (a did:ethr of this
 * chain with the issuer's address) and signed by a key of that issuer now (the head the chain was read at). A list
 * the issuer did not sign says nothing about its credentials: `status_list_wrong_issuer`.
 */
function readStatusBit(ctx: VerifierContext, p: Prepared, snap: ChainSnapshot, options: VerifyOptions, shared: Shared, entry: BitstringEntry): ListRead {
  const fetched = shared.statusLists.get(entry.url);
  if (fetched === undefined) return new StatusListError("status_list_unreachable", `The status list at ${entry.url} was not fetched.`);
  if (!fetched.ok) return fetched.error;
  const list = fetched.list;
  const did = p.issuer!;
  let listIssuer: EthrDid | undefined;
  try {
    listIssuer = parseEthrDid(list.issuer);
  } catch {
    listIssuer = undefined;
  }
  if (listIssuer === undefined || listIssuer.address !== did.address || !didNamesChain(listIssuer, { name: ctx.networkName, chainId: ctx.deployment.chainId })) {
    return new StatusListError("status_list_wrong_issuer", `The status list at ${entry.url} was issued by ${list.issuer}, not by the credential's issuer ${did.did}.`);
  }
  const now = options.now;
  let keys: SigningKeys;
  try {
    keys = shared.keysAt(did, snap.didEvents.get(did.address) ?? [], { block: snap.block, time: BigInt(now) });
  } catch (e) {
    if (e instanceof ChainError) return e;
    throw e;
  }
  const keysId = `${did.did}|${snap.block}|${now}`;
  let verdicts = listSignatures.get(list);
  if (verdicts === undefined) listSignatures.set(list, (verdicts = new Map()));
  let signed = verdicts.get(keysId);
  if (signed === undefined) verdicts.set(keysId, (signed = !keys.deactivated && statusListSignedBy(list, keys)));
  if (!signed) return new StatusListError("status_list_invalid_signature", `The status list at ${entry.url} is not signed by a key of ${did.did} as of block ${snap.block}.`);
  try {
    return { set: statusBit(list, entry, now, options.clockSkewSeconds ?? DEFAULT_SKEW), list };
  } catch (e) {
    if (e instanceof StatusListError) return e;
    throw e;
  }
}

/**
 * The status BitstringStatusListEntry entries give: revoked before suspended, then any entry that could not be read
 * (`unknown`, with its code), then not revoked. `refresh` entries say nothing about validity; a purpose or size this
 * verifier cannot read is `unknown`.
 */
function standardStatus(entries: readonly BitstringEntry[], read: (e: BitstringEntry) => ListRead): Check {
  const found: { purpose: string; url: string; index: string }[] = [];
  let unknown: Check | undefined;
  for (const purpose of ["revocation", "suspension"] as const) {
    for (const e of entries.filter((x) => x.purpose === purpose)) {
      const where = { purpose, url: e.url, index: e.index.toString() };
      if (e.size !== 1) {
        unknown ??= { id: "status", outcome: "unknown", code: "unsupported_status_size", message: `The ${purpose} entry has statusSize ${e.size}: only one-bit entries are read here.`, details: where };
        continue;
      }
      const r = read(e);
      if (r instanceof LerError) {
        unknown ??= { id: "status", outcome: "unknown", code: r.code, message: r.message, details: where };
        continue;
      }
      if (r.set) {
        return purpose === "revocation"
          ? { id: "status", outcome: "fail", code: "credential_revoked", message: `Revoked by its issuer (status list ${e.url}, index ${e.index}).`, details: where }
          : { id: "status", outcome: "fail", code: "credential_suspended", message: `Suspended by its issuer (status list ${e.url}, index ${e.index}).`, details: where };
      }
      found.push(where);
    }
  }
  const other = entries.find((e) => e.purpose !== "revocation" && e.purpose !== "suspension" && e.purpose !== "refresh");
  if (unknown === undefined && other !== undefined) {
    unknown = { id: "status", outcome: "unknown", code: "unsupported_status_purpose", message: `Status purpose "${other.purpose}" cannot be checked here.`, details: { purpose: other.purpose, url: other.url } };
  }
  if (unknown !== undefined) return unknown;
  if (found.length === 0) return { id: "status", outcome: "skipped", code: "no_status_entry", message: "No revocation or suspension entry: status not applicable (revocation by hash checked)." };
  return { id: "status", outcome: "pass", code: "not_revoked", message: "Neither revoked nor suspended (status lists).", details: { lists: found } };
}

/** The chain's answer, unless a status of the credential's own (a list the chain does not keep) says worse. */
function beside(chain: Check, standard: Check): Check {
  return standard.outcome === "fail" || standard.outcome === "unknown" ? standard : chain;
}

/**
 * What a published list says of an LER entry beside what the chain says: informational, never the result (the chain
 * decides). Agreeing is a pass; disagreeing, or a list that cannot be used, is reported and skipped.
 */
function listAgainstChain(e: BitstringEntry, entry: LerStatusEntry, chain: { revoked: boolean; suspended: boolean }, r: ListRead, block: number): Check {
  const onChain = e.purpose === "revocation" ? chain.revoked : chain.suspended;
  const where = { purpose: e.purpose, url: e.url, list: entry.list.toString(), index: entry.index, chainBlock: block };
  if (r instanceof LerError) {
    return { id: "status", outcome: "skipped", code: "status_list_unavailable", message: `${r.message} The chain decides.`, details: { ...where, reason: r.code } };
  }
  const listBlock = r.list.snapshot?.chainBlock;
  const said = (set: boolean) => (set ? (e.purpose === "revocation" ? "revoked" : "suspended") : `not ${e.purpose === "revocation" ? "revoked" : "suspended"}`);
  const at = listBlock === undefined ? "" : ` (published from block ${listBlock})`;
  if (r.set === onChain) {
    return { id: "status", outcome: "pass", code: "status_list_agrees", message: `The published ${e.purpose} list${at} agrees with the chain: ${said(onChain)}.`, details: { ...where, listBlock: listBlock ?? null, set: r.set } };
  }
  return {
    id: "status",
    outcome: "skipped",
    code: "status_list_disagrees",
    message: `The published ${e.purpose} list${at} says ${said(r.set)}, the chain at block ${block} says ${said(onChain)}: the chain decides. The issuer should publish its lists again (ler issuer publish-status).`,
    details: { ...where, listBlock: listBlock ?? null, set: r.set, onChain },
  };
}

/** The status lists a batch must fetch: every entry that is a status of its own; with `checkStatusLists`, all. */
function statusListUrlsOf(ready: readonly Prepared[], options: VerifyOptions): string[] {
  const urls = new Set<string>();
  const readable = (e: BitstringEntry) => (e.purpose === "revocation" || e.purpose === "suspension") && e.size === 1;
  for (const p of ready) {
    const s = p.status;
    if (s?.kind === "bitstring") {
      for (const e of s.entries) if (readable(e)) urls.add(e.url);
    } else if (s?.kind === "ler") {
      for (const e of s.standard ?? []) if (readable(e) && (options.checkStatusLists === true || !mirrorsLerEntry(e, s))) urls.add(e.url);
    }
  }
  return [...urls];
}

/**
 * `sub`, when present, names the credential's subject (did-jwt-vc makes it `credentialSubject.id`): every subject id
 * the payload gives (in the vc claim or at the top, one subject or several) must be that one.
 */
function subjectMismatchOf(payload: Record<string, unknown>): Check | undefined {
  const sub = payload.sub;
  if (sub === undefined) return undefined;
  const vc = payload.vc as Record<string, unknown> | undefined;
  const ids: unknown[] = [];
  for (const subjects of [vc?.credentialSubject, payload.credentialSubject]) {
    for (const s of Array.isArray(subjects) ? subjects : [subjects]) {
      if (typeof s === "object" && s !== null && (s as Record<string, unknown>).id !== undefined) ids.push((s as Record<string, unknown>).id);
    }
  }
  const other = typeof sub === "string" ? ids.find((id) => id !== sub) : sub;
  if (other === undefined) return undefined;
  return {
    id: "schema",
    outcome: "fail",
    code: "subject_mismatch",
    message:
      typeof sub === "string"
        ? `The JWT's sub names ${sub} but the credential's subject is ${String(other)}.`
        : "The JWT's `sub` claim is not a string.",
    details: { sub, credentialSubject: other },
  };
}

/**
 * Whether a JOSE `kid` (the issuer's DID URL, or a bare fragment relative to it) names a verification method of the
 * issuer's DID document at `at`, as ethr-did-resolver builds it: `#controller`, `#controllerKey` (a public-key DID
 * whose owner is unchanged), and `#delegate-N` for each live delegate (veriKey, sigAuth) and `did/pub/…` key, numbered
 * by every delegate event and `did/pub/` attribute event in order, live or not.
 */
function kidNamesMethod(kid: unknown, did: EthrDid, events: readonly DidEvent[], at: { block: number; time: bigint }): boolean {
  if (typeof kid !== "string") return false;
  const fragment = kid.startsWith("#") ? kid.slice(1) : kid.startsWith(`${did.did}#`) ? kid.slice(did.did.length + 1) : undefined;
  if (fragment === undefined) return false;
  let owner = did.address;
  let count = 0;
  const methods = new Map<string, string>();
  for (const e of events) {
    if (e.kind === "unreadable" || e.block > at.block) continue;
    if (e.kind === "owner") {
      owner = e.owner;
      continue;
    }
    const index = e.kind === "delegate" ? `d-${e.delegateType}-${e.delegate}` : `a-${e.name}-${e.value}`;
    if (e.validTo !== 0n && e.validTo >= at.time) {
      if (e.kind === "delegate") {
        count++;
        if (e.delegateType === "veriKey" || e.delegateType === "sigAuth") methods.set(index, `delegate-${count}`);
      } else if (/^did\/pub\/\w+(?:\/\w+)?(?:\/\w+)?$/.test(e.name)) {
        count++;
        methods.set(index, `delegate-${count}`);
      }
    } else {
      if (e.kind === "delegate" || /^did\/pub\//.test(e.name)) count++;
      methods.delete(index);
    }
  }
  if (fragment === "controller") return true;
  if (fragment === "controllerKey") return did.publicKey !== undefined && owner === did.address;
  return [...methods.values()].includes(fragment);
}

/**
 * The validity window a credential claims: the JWT's `nbf`/`exp` and the credential's own dates
 * (`issuanceDate`/`validFrom`, `expirationDate`/`validUntil`, in the vc claim or at the top), the strictest of
 * them. A date that is not a date makes the window invalid (null).
 */
function validityWindow(jwt: { payload: Record<string, unknown> }): { nbf: unknown; exp: unknown } {
  const p = jwt.payload;
  const vc = (typeof p.vc === "object" && p.vc !== null ? p.vc : {}) as Record<string, unknown>;
  const dates = (names: string[]) => names.flatMap((n) => [vc[n], p[n]]).filter((v) => v !== undefined);
  const seconds = (v: unknown) => (typeof v === "string" && !Number.isNaN(Date.parse(v)) ? Math.floor(Date.parse(v) / 1000) : null);
  let nbf: unknown = p.nbf;
  let exp: unknown = p.exp;
  for (const d of dates(["issuanceDate", "validFrom"])) {
    const t = seconds(d);
    if (t === null) return { nbf: "invalid", exp };
    if (nbf === undefined || (typeof nbf === "number" && t > nbf)) nbf = t;
  }
  for (const d of dates(["expirationDate", "validUntil"])) {
    const t = seconds(d);
    if (t === null) return { nbf, exp: "invalid" };
    if (exp === undefined || (typeof exp === "number" && t < exp)) exp = t;
  }
  return { nbf, exp };
}

function validity(jwt: { nbf: unknown; exp: unknown; iat: unknown }, now: number, skew: number): Check {
  const nbf = numericClaim(jwt.nbf);
  const exp = numericClaim(jwt.exp);
  const iat = numericClaim(jwt.iat);
  if (nbf === null || exp === null) {
    return { id: "validity", outcome: "fail", code: "invalid_field", message: "`nbf` and `exp` must be numbers of seconds." };
  }
  if (iat === null) {
    return { id: "validity", outcome: "fail", code: "invalid_field", message: "`iat` must be a number of seconds." };
  }
  // No issuer signs later than now: an `iat` ahead of the verifier's clock by more than the clock-skew allowance is
  // refused, whatever `nbf` says.
  if (iat !== undefined && iat > now + skew) {
    return {
      id: "validity",
      outcome: "fail",
      code: "issued_in_future",
      message: `Issued at ${iso(iat)}, later than the verifier's time ${iso(now)} by more than the clock-skew allowance of ${skew} s.`,
      details: { iat, now, clockSkewSeconds: skew },
    };
  }
  if (nbf !== undefined && nbf > now + skew) {
    return { id: "validity", outcome: "fail", code: "not_yet_valid", message: `Valid from ${iso(nbf)} only.`, details: { nbf } };
  }
  if (exp !== undefined && exp <= now - skew) {
    return { id: "validity", outcome: "fail", code: "expired", message: `Expired at ${iso(exp)}.`, details: { exp } };
  }
  return exp === undefined
    ? VALID_FOREVER
    : intern(`c|va|${exp}`, (): Check => ({ id: "validity", outcome: "pass", code: "within_validity", message: `Valid until ${iso(exp)}.` }));
}

const VALID_FOREVER: Check = deepFrozen({ id: "validity", outcome: "pass", code: "within_validity", message: "Valid, with no expiry." });

function numericClaim(v: unknown): number | undefined | null {
  if (v === undefined) return undefined;
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

const ORDER: Check["id"][] = ["format", "schema", "issuer", "anchor", "signature", "trust", "status", "validity", "embedded"];
function byCheckOrder(a: Check, b: Check): number {
  return ORDER.indexOf(a.id) - ORDER.indexOf(b.id);
}

function failure(id: Check["id"], e: unknown): Check {
  if (isLerError(e)) return { id, outcome: "fail", code: e.code, message: e.message };
  throw e;
}

function summarize(credential: Record<string, unknown>, jwt: DecodedJwt): CredentialSummary {
  const s: CredentialSummary = {};
  // Values credentials of one issuer repeat are shared (see intern); ids and subjects are their own.
  const shared = (v: string) => text(`sm|${v}`, () => v);
  const issuer = credential.issuer as { id?: string; name?: string } | string | undefined;
  if (typeof credential.id === "string") s.id = credential.id;
  if (typeof issuer === "string") s.issuer = shared(issuer);
  else if (issuer !== undefined) {
    if (typeof issuer.id === "string") s.issuer = shared(issuer.id);
    if (typeof issuer.name === "string") s.issuerName = shared(issuer.name);
  }
  const subject = credential.credentialSubject as { id?: string } | undefined;
  if (typeof subject?.id === "string") s.subject = subject.id;
  if (Array.isArray(credential.type)) {
    const types = credential.type.filter((t): t is string => typeof t === "string");
    s.types = intern(`ty|${JSON.stringify(types)}`, () => types);
  }
  if (typeof credential.name === "string") s.name = shared(credential.name);
  if (typeof jwt.payload.nbf === "number") s.issuedAt = jwt.payload.nbf;
  if (typeof jwt.payload.exp === "number") s.expiresAt = jwt.payload.exp;
  return s;
}

/**
 * An accreditation chain as reports show it, issuer first: each link as it stood at `at` (by default now), with its
 * status now when that differs. Names come only from `names`, the verifier's own aliases: never from a credential.
 */
export function describeChain(
  chain: readonly ChainLink[],
  ctx: Pick<VerifierContext, "networkName">,
  names: ReadonlyMap<string, string> | undefined,
  at?: bigint,
): TrustChainEntry[] {
  return chain.map((link) => {
    const { address, ...view } = linkView(link, at);
    const did = text(`did|${ctx.networkName}|${address}`, () => `did:ethr:${ctx.networkName}:${address}`);
    const entry: TrustChainEntry = { address, did, ...view, scope: view.scope.map((id) => ({ id })) };
    const name = names?.get(link.subject);
    if (name !== undefined) entry.name = name;
    return entry;
  });
}

export { AccreditationStatus };
