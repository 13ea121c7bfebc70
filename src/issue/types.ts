import type { WriteResult } from "../chain/writes.js";
import type { Achievement } from "../credentials/index.js";
import type { AccreditationTermsView } from "./accreditation.js";

/** Where a write landed: its transaction, block and gas (0: not known, e.g. a write found done earlier). */
export type { WriteResult };

/**
 * What the issuing, status and accreditation operations take and give: the requests and results of `src/issue/`,
 * which the agent's interface (`ILerPlugin`, src/agent/types.ts) re-exports unchanged.
 */

/** Role of an accreditation: what the subject may do. */
export type AccreditationRole = "issuer" | "accreditor" | "both";

export interface LerIdentity {
  did: string;
  address: string;
  alias?: string;
  /** The address whose key signs for the identity now (its ERC-1056 owner, as far as this agent knows). */
  owner: string;
}

/** A signing grant of an identity that {@link ILerPlugin.lerRotateOwner} revoked, with the transaction that did it. */
export type RevokedGrant =
  | { kind: "delegate"; delegateType: string; delegate: string; tx: WriteResult }
  | { kind: "attribute"; name: string; value: string; tx: WriteResult };

/**
 * What a rotation did: the identity with its new owner key, the `changeOwner` transaction, and every ERC-1056
 * delegate and `did/pub/*` attribute that was live and is now revoked (empty: there were none).
 */
export interface RotateOwnerResult extends LerIdentity {
  tx: WriteResult;
  revoked: RevokedGrant[];
}

export interface AccreditArgs {
  /** The accreditor's DID (a root or an accredited accreditor managed by this agent). */
  accreditor: string;
  /** The DID (or address) being accredited. */
  subject: string;
  role: AccreditationRole;
  /** Credential type names, each registered in the trust registry and held by the accreditor. */
  types: string[];
  /**
   * Unix seconds; default 0: no start of its own, so the accreditation is in force from the block that records it
   * (trust never reaches before the accreditation existed).
   */
  validFrom?: number;
  /** Unix seconds; default no end. */
  validUntil?: number;
  /** Where the subject's public profile lives, and its keccak256 (any bytes32). */
  metadataURI?: string;
  metadataHash?: string;
  /**
   * The subject's consent to exactly these terms: its owner's EIP-712 signature (see `lerSignAccreditationConsent`),
   * with the `deadline` it signed. Not needed when this agent holds the subject's key: it then signs the consent.
   */
  consent?: string;
  /** Unix seconds after which the consent is void; with `consent`, the deadline it was signed with. */
  deadline?: number;
}

/** The terms a subject consents to, as `lerSignAccreditationConsent` takes them. */
export interface AccreditationConsentArgs {
  /** The subject: an identity of this agent (its owner key signs). */
  subject: string;
  /** The accreditor that will accredit it (its DID or address). */
  accreditor: string;
  role: AccreditationRole;
  types: string[];
  validFrom?: number;
  validUntil?: number;
  metadataHash?: string;
  /** Unix seconds after which the consent is void; default one week from now. */
  deadline?: number;
}

/** A subject's signed consent, and the terms it covers (what `lerAccredit` must be called with). */
export interface AccreditationConsent {
  consent: string;
  deadline: number;
  terms: {
    accreditor: string;
    subject: string;
    role: AccreditationRole;
    types: string[];
    /** The scope bitmap, as a decimal string. */
    scope: string;
    validFrom: number;
    validUntil: number;
    metadataHash: string;
  };
  chainId: number;
  verifyingContract: string;
}

/** A change of an accreditation: every field left out keeps its current value. */
export interface UpdateAccreditationArgs {
  /** The parent's DID (the accreditor who accredited the subject), an ancestor in force, or governance. */
  accreditor: string;
  subject: string;
  /** The new role; default unchanged. */
  role?: AccreditationRole;
  /** The new scope; default unchanged. */
  types?: string[];
  validFrom?: number;
  validUntil?: number;
  metadataURI?: string;
  metadataHash?: string;
  reason?: number;
}

/** What an update did: the terms before and after, and each changed field. */
export interface UpdateAccreditationResult {
  tx: WriteResult;
  before: AccreditationTermsView;
  after: AccreditationTermsView;
  changes: Partial<Record<keyof AccreditationTermsView, { before: unknown; after: unknown }>>;
}

export interface AccreditationChangeArgs {
  /** The parent's DID. For a root, the governor's DID. */
  accreditor: string;
  subject: string;
  reason?: number;
}

export interface RevokeAccreditationArgs extends AccreditationChangeArgs {
  /** When the revocation takes effect (unix seconds, not in the future); default now. */
  effectiveAt?: number;
}

export interface RegisterTypeArgs {
  /** The governor's DID. */
  governor: string;
  name: string;
}

export interface AddRootArgs {
  governor: string;
  root: string;
  types: string[];
  validFrom?: number;
  validUntil?: number;
  metadataURI?: string;
  metadataHash?: string;
}

/** One credential to issue: an Open Badges 3.0 credential (one achievement) or a CLR bundle (several). */
export interface CredentialRequest {
  /** The learner's DID. */
  subject: string;
  achievement?: Achievement;
  achievements?: Achievement[];
  /** Defaults to a fresh urn:uuid. */
  id?: string;
  /** Unix seconds. */
  validUntil?: number;
}

export interface IssueArgs {
  issuer: string;
  credentials: CredentialRequest[];
  /** The issuer's public profile in the credential; default the identity's alias. */
  issuerName?: string;
  issuerUrl?: string;
  /**
   * Anchor the batch's Merkle root on chain right away (true, the default); not at all (false: `lerAnchor` later);
   * or `"recorded"`: the anchor's intent goes on record before the batch enters the ledger, as with true, but is not
   * sent: the caller sends it next with `lerAnchor` (after writing the credentials out, say), and a crash before
   * then leaves it pending for `lerResumePending` rather than forgotten.
   */
  anchor?: boolean | "recorded";
  /** Called after each credential is signed (for progress bars). */
  onProgress?: (done: number, total: number) => void;
  /**
   * Where the issuer publishes its status lists (`lerPublishStatusList`): the credentials' BitstringStatusListEntry
   * entries name `<statusListBaseUrl>/<issuer address>/<list>/<purpose>`. Default `DEFAULT_STATUS_LIST_BASE_URL`.
   */
  statusListBaseUrl?: string;
}

export interface IssuedCredential {
  id: string;
  jwt: string;
  subject: string;
  list: string;
  index: number;
  /** A record (CLR 2.0): the credentials it embeds, one per achievement, each issued and anchored in its own right. */
  embedded?: IssuedCredential[];
}

export interface IssueResult {
  credentials: IssuedCredential[];
  /** The batch's Merkle root (anchored when `anchor` was true or left out). */
  root: string;
  anchor?: WriteResult;
  /** When the batch holds records (CLR 2.0): their own batch, issued after the credentials they embed. */
  records?: { root: string; anchor?: WriteResult };
}

export interface StatusChangeArgs {
  issuer: string;
  /** Entries to change; `list` as a decimal string or bigint. */
  entries: { list: string | bigint; index: number }[];
  /** Called after each transaction with the entries it covered so far (for progress bars). */
  onProgress?: (done: number, total: number) => void;
}

/** What `lerPublishStatusList` signs: the issuer's status lists as Bitstring Status List credentials. */
export interface PublishStatusListArgs {
  /** The issuing identity (alias, DID or address) of this agent. */
  issuer: string;
  /** Lists to publish, decimal; default every list the issuer has used (0 to its current one). */
  lists?: string[];
  /** The base the issuer's credentials name (`IssueArgs.statusListBaseUrl`); default: the base its latest credential names, else `DEFAULT_STATUS_LIST_BASE_URL`. */
  statusListBaseUrl?: string;
  /** Seconds from the block's time to the lists' validUntil; default none. */
  validForSeconds?: number;
  /** The lists' `ttl`, in milliseconds; default none. */
  ttlMs?: number;
}
