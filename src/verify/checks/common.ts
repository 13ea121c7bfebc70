import { isLerError } from "../../errors.js";
import type { EthrDid, SigningKeys, signingKeysAt } from "../../did/ethr.js";
import type { StatusEntry } from "../../credentials/index.js";
import type { SignatureParts } from "../jwt.js";
import type { Check, CredentialSummary, TrustChainEntry } from "../report.js";
import type { FetchedStatusList } from "../statusLists.js";
import type { ChainLink } from "../trust.js";

// What the checks share. A check (src/verify/checks/*.ts) is pure: it takes the decoded input, the chain snapshot
// (already read) and `now`, and returns its outcome; it never does I/O or reads the clock. What it remembers goes to
// the `VerifierMemory` it is given.

/** The validity windows' default tolerance, in seconds. */
export const DEFAULT_SKEW = 60;

/**
 * A credential once decoded and checked for everything that needs no chain: what the later checks need of it, and
 * nothing more (a batch holds ten thousand of these at once; parts credentials repeat are shared).
 */
export interface Prepared {
  checks: Check[];
  summary: CredentialSummary;
  /** What the signature and validity checks need of the JWT (the decoded payload itself is not kept). */
  jwt?: PreparedJwt;
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

/** What the signature and validity checks need of a JWT. */
export interface PreparedJwt {
  alg: SignatureParts["alg"];
  nbf: unknown;
  exp: unknown;
  /** The JWT's `iat` claim, as given. */
  iat: unknown;
  /** The JOSE header's `kid`, as given, when there is one. */
  kid?: unknown;
  /** The public key (uncompressed) the JOSE header's `jwk` gives, when there is one. */
  jwk?: Uint8Array;
  /** The signature, then the 32-byte digest (one buffer: ten thousand pending credentials hold ten thousand, not twenty). */
  parts: Uint8Array;
}

/** What the credentials of one batch share: key sets per issuer and time, the trusted roots, the fetched lists. */
export interface Shared {
  keysAt(did: EthrDid, events: Parameters<typeof signingKeysAt>[1], at: { block: number; time: bigint }): SigningKeys;
  readonly trustedRoots: ReadonlySet<string> | undefined;
  /** The issuer's chain as it stood at `at`, as reports show it: one frozen copy per issuer and time in a batch. */
  chainOf(issuer: string, links: readonly ChainLink[], at: bigint): TrustChainEntry[];
  /** The status lists fetched for the batch, by URL. */
  readonly statusLists: ReadonlyMap<string, FetchedStatusList>;
}

/** The moment the keys and the trust of a credential are judged at: its anchored issuance, or now. */
export interface JudgedAt {
  /** The trusted time, in seconds. */
  at: bigint;
  source: "anchor" | "now";
  /** The block and time the issuer's keys are taken at. */
  keysAt: { block: number; time: bigint };
}

/** A failed check with the error's code and message (a LerError); anything else is a bug, thrown on. */
export function failure(id: Check["id"], e: unknown): Check {
  if (isLerError(e)) return { id, outcome: "fail", code: e.code, message: e.message };
  throw e;
}

/** A time (seconds) as reports write it. */
export const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

const ORDER: Check["id"][] = [
  "format",
  "schema",
  "issuer",
  "anchor",
  "signature",
  "trust",
  "status",
  "validity",
  "embedded",
];

/** The order of a credential report's checks. */
export function byCheckOrder(a: Check, b: Check): number {
  return ORDER.indexOf(a.id) - ORDER.indexOf(b.id);
}
