import { join } from "node:path";
import type { IAgentPlugin } from "@veramo/core";
import type { DIDStoreJson } from "@veramo/data-store-json";
import { systemClock, unixSeconds } from "../clock.js";
import type { LerNetwork } from "../chain/network.js";
import { headAgeBound } from "../chain/presets.js";
import { anchorRoot, issueCredentials } from "../issue/anchor.js";
import type { IssuerDeps } from "../issue/deps.js";
import {
  accredit,
  accreditationHistory,
  addRoot,
  changeAccreditation,
  registerType,
  revokeAccreditation,
  signConsent,
  trustChain,
  updateAccreditation,
} from "../issue/governance.js";
import { addDelegate, rotateOwner } from "../issue/identity.js";
import { legacyIntentsChainId } from "../issue/intents.js";
import { changeStatus, publishStatusList, resumeIntents, revokeByHash, STATUS_CHANGES } from "../issue/status.js";
import type { WriteResult } from "../chain/writes.js";
import type { ResumeResult } from "../issue/resume.js";
import { StatusIndexAllocator } from "../store/allocator.js";
import { nonceLock } from "../store/files.js";
import { IssuedLedger } from "../store/ledger.js";
import { PendingWrites } from "../store/pending.js";
import { StoreKeys } from "../store/sealed.js";
import type { IssuerStore } from "../store/types.js";
import {
  createVerifierMemory,
  verify,
  verifyBatch,
  verifyPresentation,
  type VerifierContext,
} from "../verify/index.js";
import type { CredentialReport, PresentationReport } from "../verify/report.js";
import { createPresentation } from "../wallet/present.js";
import { createIdentity, identityKeys, importIdentity, listIdentities, type KeyStoreOptions } from "./keys.js";
import { lerPluginSchema } from "./schema.js";
import type {
  AccreditArgs,
  AccreditationChangeArgs,
  AccreditationConsent,
  AccreditationConsentArgs,
  AccreditationHistoryLink,
  AddRootArgs,
  CreatePresentationArgs,
  ILerPlugin,
  IssueArgs,
  IssueResult,
  LerContext,
  LerIdentity,
  PublishedStatusLists,
  PublishStatusListArgs,
  RegisterTypeArgs,
  RevokeAccreditationArgs,
  RotateOwnerResult,
  StatusChangeArgs,
  TrustChainLink,
  UpdateAccreditationArgs,
  UpdateAccreditationResult,
  VerifyCredentialArgs,
  VerifyCredentialsArgs,
  VerifyPresentationArgs,
} from "./types.js";
import { jwtOf, verifierContext, verifyOptions } from "./verification.js";

export interface LerPluginOptions {
  network: LerNetwork;
  /** Where allocations, the issued ledger and pending writes are kept. */
  home: string;
  /** The DID store the DIDManager uses: rotation updates an identifier's controller key there. */
  didStore?: DIDStoreJson;
  /**
   * The keys of the home's encrypted ledger and intent log (the key store's `storeKeys`; `createLerAgent` passes
   * them). Without them, what needs either (issuing, anchoring, revoking, resuming, publishing status lists) fails
   * with `store_locked`; verifying needs neither.
   */
  storeKeys?: StoreKeys;
  /**
   * Where the issuer's state is kept instead of the home's files (`openIssuerStore`: a PostgreSQL database shared by
   * several workers): its allocator, ledger and intent log, and its sender lock for every write. The caller owns it
   * (and closes it); the key store stays in `home` either way.
   */
  store?: IssuerStore;
  /** Confirmations a write waits for before it is reported done (1 on a dev chain; more on public chains). */
  confirmations?: number;
  /** The clock, in seconds. Tests pass a fixed one. */
  now?: () => number;
  /** Pays gas for a key that has none (dev chains fund new identities this way). */
  fund?: (address: string) => Promise<void>;
  /** Timeout of each chain read, in milliseconds: the requests of one read (a verification's snapshot) share it. */
  readTimeoutMs?: number;
  /**
   * The oldest chain head a verification believes, in seconds behind its clock (`ReadOptions.maxHeadAgeSeconds`): an
   * older one makes it `unknown` (`chain_lagging`). Undefined: the network's bound (the deployment record's, else the
   * chain's preset: see `headAgeBound`); null: not checked.
   */
  maxHeadAgeSeconds?: number | null;
  /**
   * The chain id that intents logged before intents named their chain and registry were written for: such legacy
   * intents are resumed only on that chain (and reported as `intent_network_unknown` elsewhere). Defaults to the
   * `LER_LEGACY_INTENTS_CHAIN_ID` environment variable; unset, legacy intents are only reported.
   */
  legacyIntentsChainId?: number;
}

/**
 * The LER plugin: see {@link ILerPlugin}. A Veramo adapter: each method hands its arguments, the agent's key store
 * (src/agent/keys.ts) and the operations' dependencies to an operation of src/issue/, src/verify/ or src/wallet/.
 */
export class LerPlugin implements IAgentPlugin {
  readonly methods: ILerPlugin;
  readonly schema = lerPluginSchema;
  private readonly options: LerPluginOptions;
  private readonly deps: IssuerDeps;
  private readonly keyStore: KeyStoreOptions;
  /** What this agent's verifications remember between calls (chain reads at a block, keys, report parts). */
  private readonly verifier: VerifierContext;

  constructor(options: LerPluginOptions) {
    this.options = options;
    const maxHeadAgeSeconds = headAgeBound(options.network.deployment, options.maxHeadAgeSeconds);
    const store = options.store;
    this.deps = {
      network: options.network,
      // Every write holds its sending key's lock (a file under `<home>/locks`, or the store's advisory lock) while it
      // picks a nonce and broadcasts: processes sharing the home or the store never race for a key's nonce.
      writeOptions: {
        confirmations: options.confirmations ?? 1,
        senderLock: store === undefined ? nonceLock(join(options.home, "locks")) : store.senderLock.bind(store),
      },
      readOptions: {
        ...(options.readTimeoutMs !== undefined && { timeoutMs: options.readTimeoutMs }),
        ...(maxHeadAgeSeconds !== undefined && { maxHeadAgeSeconds }),
      },
      allocator: store?.allocator ?? new StatusIndexAllocator(options.home),
      ledger: store?.ledger ?? new IssuedLedger(options.home, options.storeKeys ?? StoreKeys.locked()),
      pending: store?.pending ?? new PendingWrites(join(options.home), options.storeKeys ?? StoreKeys.locked()),
      now: () => options.now?.() ?? unixSeconds(systemClock),
    };
    this.keyStore = { network: options.network, didStore: options.didStore, fund: options.fund };
    this.verifier = verifierContext(options.network, createVerifierMemory());
    this.methods = {
      lerCreateIdentity: this.lerCreateIdentity.bind(this),
      lerImportIdentity: this.lerImportIdentity.bind(this),
      lerListIdentities: this.lerListIdentities.bind(this),
      lerRotateOwner: this.lerRotateOwner.bind(this),
      lerAddDelegate: this.lerAddDelegate.bind(this),
      lerRegisterType: this.lerRegisterType.bind(this),
      lerAddRoot: this.lerAddRoot.bind(this),
      lerAccredit: this.lerAccredit.bind(this),
      lerSignAccreditationConsent: this.lerSignAccreditationConsent.bind(this),
      lerUpdateAccreditation: this.lerUpdateAccreditation.bind(this),
      lerSuspendAccreditation: this.lerSuspendAccreditation.bind(this),
      lerReinstateAccreditation: this.lerReinstateAccreditation.bind(this),
      lerRevokeAccreditation: this.lerRevokeAccreditation.bind(this),
      lerIssueCredentials: this.lerIssueCredentials.bind(this),
      lerAnchor: this.lerAnchor.bind(this),
      lerRevoke: this.lerRevoke.bind(this),
      lerSuspend: this.lerSuspend.bind(this),
      lerReinstate: this.lerReinstate.bind(this),
      lerRevokeByHash: this.lerRevokeByHash.bind(this),
      lerVerifyCredential: this.lerVerifyCredential.bind(this),
      lerVerifyCredentials: this.lerVerifyCredentials.bind(this),
      lerVerifyPresentation: this.lerVerifyPresentation.bind(this),
      lerCreatePresentation: this.lerCreatePresentation.bind(this),
      lerTrustChain: this.lerTrustChain.bind(this),
      lerAccreditationHistory: this.lerAccreditationHistory.bind(this),
      lerResumePending: this.lerResumePending.bind(this),
      lerPublishStatusList: this.lerPublishStatusList.bind(this),
    };
  }

  /** The agent's key store as the operations take it, bound to this call's agent. */
  private keys(context: LerContext) {
    return identityKeys(this.keyStore, context);
  }

  // ---- identities ----------------------------------------------------------------------------------------------

  private lerCreateIdentity(args: { alias?: string }, context: LerContext): Promise<LerIdentity> {
    return createIdentity(this.keyStore, context, args);
  }

  private lerImportIdentity(
    args: { alias?: string; privateKeyHex: string },
    context: LerContext,
  ): Promise<LerIdentity> {
    return importIdentity(this.keyStore, context, args);
  }

  private lerListIdentities(_args: Record<string, never>, context: LerContext): Promise<LerIdentity[]> {
    return listIdentities(this.keyStore, context);
  }

  private lerRotateOwner(args: { did: string }, context: LerContext): Promise<RotateOwnerResult> {
    return rotateOwner(this.deps, this.keys(context), args);
  }

  private lerAddDelegate(
    args: { did: string; validitySeconds?: number },
    context: LerContext,
  ): Promise<{ delegate: string; tx: WriteResult }> {
    return addDelegate(this.deps, this.keys(context), args);
  }

  // ---- governance and accreditation ----------------------------------------------------------------------------

  private lerRegisterType(args: RegisterTypeArgs, context: LerContext): Promise<{ typeId: number; tx: WriteResult }> {
    return registerType(this.deps, this.keys(context), args);
  }

  private lerAddRoot(args: AddRootArgs, context: LerContext): Promise<WriteResult> {
    return addRoot(this.deps, this.keys(context), args);
  }

  private lerAccredit(args: AccreditArgs, context: LerContext): Promise<WriteResult> {
    return accredit(this.deps, this.keys(context), args);
  }

  private lerSignAccreditationConsent(
    args: AccreditationConsentArgs,
    context: LerContext,
  ): Promise<AccreditationConsent> {
    return signConsent(this.deps, this.keys(context), args);
  }

  private lerUpdateAccreditation(
    args: UpdateAccreditationArgs,
    context: LerContext,
  ): Promise<UpdateAccreditationResult> {
    return updateAccreditation(this.deps, this.keys(context), args);
  }

  private lerSuspendAccreditation(args: AccreditationChangeArgs, context: LerContext): Promise<WriteResult> {
    return changeAccreditation(this.deps, this.keys(context), "suspend", args);
  }

  private lerReinstateAccreditation(args: AccreditationChangeArgs, context: LerContext): Promise<WriteResult> {
    return changeAccreditation(this.deps, this.keys(context), "reinstate", args);
  }

  private lerRevokeAccreditation(args: RevokeAccreditationArgs, context: LerContext): Promise<WriteResult> {
    return revokeAccreditation(this.deps, this.keys(context), args);
  }

  private lerTrustChain(args: { did: string; at?: number }, _context: LerContext): Promise<TrustChainLink[]> {
    return trustChain(this.deps, args);
  }

  private lerAccreditationHistory(args: { did: string }, _context: LerContext): Promise<AccreditationHistoryLink[]> {
    return accreditationHistory(this.deps, args);
  }

  // ---- issuing -------------------------------------------------------------------------------------------------

  private lerIssueCredentials(args: IssueArgs, context: LerContext): Promise<IssueResult> {
    return issueCredentials(this.deps, this.keys(context), args);
  }

  private lerAnchor(args: { issuer: string; root: string }, context: LerContext): Promise<WriteResult> {
    return anchorRoot(this.deps, this.keys(context), args);
  }

  private lerRevoke(args: StatusChangeArgs, context: LerContext): Promise<WriteResult[]> {
    return changeStatus(this.deps, this.keys(context), STATUS_CHANGES.revoke, args);
  }

  private lerSuspend(args: StatusChangeArgs, context: LerContext): Promise<WriteResult[]> {
    return changeStatus(this.deps, this.keys(context), STATUS_CHANGES.suspend, args);
  }

  private lerReinstate(args: StatusChangeArgs, context: LerContext): Promise<WriteResult[]> {
    return changeStatus(this.deps, this.keys(context), STATUS_CHANGES.reinstate, args);
  }

  private lerRevokeByHash(args: { issuer: string; credentials: string[] }, context: LerContext): Promise<WriteResult> {
    return revokeByHash(this.deps, this.keys(context), args);
  }

  private lerResumePending(args: { issuer?: string }, context: LerContext): Promise<ResumeResult> {
    return resumeIntents(this.deps, this.keys(context), args, {
      legacyChainId: legacyIntentsChainId(this.options.legacyIntentsChainId, process.env.LER_LEGACY_INTENTS_CHAIN_ID),
    });
  }

  private lerPublishStatusList(args: PublishStatusListArgs, context: LerContext): Promise<PublishedStatusLists> {
    return publishStatusList(this.deps, this.keys(context), args);
  }

  // ---- verifying and presenting --------------------------------------------------------------------------------

  private lerVerifyCredential(args: VerifyCredentialArgs, _context: LerContext): Promise<CredentialReport> {
    return verify(this.verifier, jwtOf(args.credential), verifyOptions(args, this.deps.now(), this.deps.readOptions));
  }

  private lerVerifyCredentials(args: VerifyCredentialsArgs, _context: LerContext): Promise<CredentialReport[]> {
    const options = verifyOptions(args, this.deps.now(), this.deps.readOptions);
    return verifyBatch(this.verifier, args.credentials.map(jwtOf), {
      ...options,
      ...(args.threads !== undefined && { threads: args.threads }),
    });
  }

  private lerVerifyPresentation(args: VerifyPresentationArgs, _context: LerContext): Promise<PresentationReport> {
    return verifyPresentation(this.verifier, jwtOf(args.presentation), {
      ...verifyOptions(args, this.deps.now(), this.deps.readOptions),
      ...(args.challenge !== undefined && { challenge: args.challenge }),
      ...(args.domain !== undefined && { domain: args.domain }),
    });
  }

  private async lerCreatePresentation(args: CreatePresentationArgs, context: LerContext): Promise<{ jwt: string }> {
    return createPresentation(context.agent, await this.keys(context).identifier(args.holder), args, this.deps.now());
  }
}
