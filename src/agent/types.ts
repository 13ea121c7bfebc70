import type { IAgentContext, ICredentialPlugin, IDIDManager, IKeyManager, IPluginMethodMap } from "@veramo/core";
import type { Achievement } from "../credentials/index.js";
import type { WriteResult } from "../chain/writes.js";
import type { CredentialReport, PresentationReport, TrustChainEntry } from "../verify/report.js";
import type { ResumeResult } from "../issue/resume.js";
import type { AccreditationTermsView } from "../issue/accreditation.js";
import type { PublishedStatusLists } from "../status/publish.js";

export type { AccreditationTermsView, PublishedStatusLists };

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

/**
 * One link of a trust chain as it stood at a time (the link's version then), with its status now if different: a
 * verification report's chain entry, without a name (names are the caller's own aliases).
 */
export type TrustChainLink = Omit<TrustChainEntry, "name">;

/** One version of an accreditation, as `lerAccreditationHistory` lists it. */
export interface AccreditationVersionView {
  /** Block time it took effect. */
  since: number;
  role: ("issuer" | "accreditor")[];
  status: "active" | "suspended" | "revoked" | "none";
  reason: number;
  validFrom: number;
  /** For a revoked version: the revocation's effective time. */
  validUntil: number | null;
  scope: { id: number; name?: string }[];
}

export interface AccreditationHistoryLink {
  address: string;
  did: string;
  parent: string | null;
  versions: AccreditationVersionView[];
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
  /** Anchor the batch's Merkle root on chain right away (default true). */
  anchor?: boolean;
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
  /** The batch's Merkle root (anchored when `anchor` was not false). */
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

export interface VerifyCredentialArgs {
  /** A JWT, or a W3C credential whose `proof.jwt` holds one. */
  credential: unknown;
  /** Unix seconds; default the wall clock. */
  now?: number;
  clockSkewSeconds?: number;
  trustedRoots?: string[];
  /** Also fetch the status lists an LER names and compare them with the chain (see `VerifyOptions.checkStatusLists`). */
  checkStatusLists?: boolean;
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

export interface VerifyPresentationArgs extends Omit<VerifyCredentialArgs, "credential"> {
  presentation: unknown;
  challenge?: string;
  domain?: string;
}

export interface CreatePresentationArgs {
  holder: string;
  credentials: string[];
  challenge: string;
  domain: string;
}

/**
 * The LER operations as a Veramo plugin: issue, anchor, revoke, suspend and reinstate credentials; accredit and
 * manage accreditations; register types and roots; verify credentials and presentations; read trust chains.
 */
export interface ILerPlugin extends IPluginMethodMap {
  lerCreateIdentity(args: { alias?: string }, context: LerContext): Promise<LerIdentity>;
  lerImportIdentity(args: { alias?: string; privateKeyHex: string }, context: LerContext): Promise<LerIdentity>;
  lerListIdentities(args: Record<string, never>, context: LerContext): Promise<LerIdentity[]>;
  lerRotateOwner(args: { did: string }, context: LerContext): Promise<RotateOwnerResult>;
  lerAddDelegate(args: { did: string; validitySeconds?: number }, context: LerContext): Promise<{ delegate: string; tx: WriteResult }>;
  lerRegisterType(args: RegisterTypeArgs, context: LerContext): Promise<{ typeId: number; tx: WriteResult }>;
  lerAddRoot(args: AddRootArgs, context: LerContext): Promise<WriteResult>;
  lerAccredit(args: AccreditArgs, context: LerContext): Promise<WriteResult>;
  /** The subject's side of an accreditation: its owner's signed consent to the terms, for the accreditor to send. */
  lerSignAccreditationConsent(args: AccreditationConsentArgs, context: LerContext): Promise<AccreditationConsent>;
  /** Changes only the fields given (the rest are read from the registry first); refuses a change of nothing. */
  lerUpdateAccreditation(args: UpdateAccreditationArgs, context: LerContext): Promise<UpdateAccreditationResult>;
  lerSuspendAccreditation(args: AccreditationChangeArgs, context: LerContext): Promise<WriteResult>;
  lerReinstateAccreditation(args: AccreditationChangeArgs, context: LerContext): Promise<WriteResult>;
  lerRevokeAccreditation(args: RevokeAccreditationArgs, context: LerContext): Promise<WriteResult>;
  lerIssueCredentials(args: IssueArgs, context: LerContext): Promise<IssueResult>;
  lerAnchor(args: { issuer: string; root: string }, context: LerContext): Promise<WriteResult>;
  lerRevoke(args: StatusChangeArgs, context: LerContext): Promise<WriteResult[]>;
  lerSuspend(args: StatusChangeArgs, context: LerContext): Promise<WriteResult[]>;
  lerReinstate(args: StatusChangeArgs, context: LerContext): Promise<WriteResult[]>;
  lerRevokeByHash(args: { issuer: string; credentials: string[] }, context: LerContext): Promise<WriteResult>;
  lerVerifyCredential(args: VerifyCredentialArgs, context: LerContext): Promise<CredentialReport>;
  lerVerifyCredentials(args: Omit<VerifyCredentialArgs, "credential"> & { credentials: unknown[] }, context: LerContext): Promise<CredentialReport[]>;
  lerVerifyPresentation(args: VerifyPresentationArgs, context: LerContext): Promise<PresentationReport>;
  lerCreatePresentation(args: CreatePresentationArgs, context: LerContext): Promise<{ jwt: string }>;
  /** The chain of an identity up to its root as it stood at `at` (unix seconds; default now), subject first. */
  lerTrustChain(args: { did: string; at?: number }, context: LerContext): Promise<TrustChainLink[]>;
  /** Every version of every link of an identity's chain, subject first, oldest version first. */
  lerAccreditationHistory(args: { did: string }, context: LerContext): Promise<AccreditationHistoryLink[]>;
  /**
   * Sends again the revocations and anchors a crash left between their intent and their confirmation (of one
   * issuer, or all). Idempotent: run it at every start.
   */
  lerResumePending(args: { issuer?: string }, context: LerContext): Promise<ResumeResult>;
  /**
   * The issuer's status lists read from the chain at its latest block, each purpose of each list a
   * BitstringStatusListCredential signed by the issuer (a VC-JOSE JWT), ready to publish at the URLs its credentials
   * name. Nothing is written.
   */
  lerPublishStatusList(args: PublishStatusListArgs, context: LerContext): Promise<PublishedStatusLists>;
}

export type LerContext = IAgentContext<IDIDManager & IKeyManager & ICredentialPlugin>;
