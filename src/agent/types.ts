import type { IAgentContext, ICredentialPlugin, IDIDManager, IKeyManager, IPluginMethodMap } from "@veramo/core";
import type { WriteResult } from "../chain/writes.js";
import type { CredentialReport, PresentationReport, TrustChainEntry } from "../verify/report.js";
import type { ResumeResult } from "../issue/resume.js";
import type { AccreditationTermsView } from "../issue/accreditation.js";
import type { PublishedStatusLists } from "../issue/publishStatus.js";
import type {
  AccreditArgs,
  AccreditationChangeArgs,
  AccreditationConsent,
  AccreditationConsentArgs,
  AddRootArgs,
  IssueArgs,
  IssueResult,
  LerIdentity,
  PublishStatusListArgs,
  RegisterTypeArgs,
  RevokeAccreditationArgs,
  RotateOwnerResult,
  StatusChangeArgs,
  UpdateAccreditationArgs,
  UpdateAccreditationResult,
} from "../issue/types.js";

export type { AccreditationTermsView, PublishedStatusLists };
// The requests and results of the issuing operations live with them (src/issue/types.ts); the interface names them here.
export type * from "../issue/types.js";

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

export interface VerifyCredentialsArgs extends Omit<VerifyCredentialArgs, "credential"> {
  credentials: unknown[];
  /**
   * Verify on this many worker threads (for batches of thousands; needs a JSON-RPC endpoint): the same reports, in
   * order, all at one block. Default 1.
   */
  threads?: number;
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
  lerAddDelegate(
    args: { did: string; validitySeconds?: number },
    context: LerContext,
  ): Promise<{ delegate: string; tx: WriteResult }>;
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
  lerVerifyCredentials(args: VerifyCredentialsArgs, context: LerContext): Promise<CredentialReport[]>;
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
