import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { computeAddress, Contract, encodeBytes32String, getAddress, id, Interface, keccak256, toUtf8Bytes, Wallet, ZeroAddress, ZeroHash, zeroPadBytes, type Signer } from "ethers";
import type { IAgentPlugin, IIdentifier } from "@veramo/core";
import type { DIDStoreJson } from "@veramo/data-store-json";
import { ChainError, isLerError, LerError, UsageError } from "../errors.js";
import { didRegistryArtifact, projectArtifact } from "../chain/artifacts.js";
import type { LerNetwork } from "../chain/network.js";
import { headAgeBound } from "../chain/presets.js";
import { chainRead, readSnapshot } from "../chain/reads.js";
import type { DidEvent } from "../did/ethr.js";
import { signAccreditationConsent } from "../chain/signedCall.js";
import { registries, sendWrite, type WriteOptions, type WriteResult } from "../chain/writes.js";
import { credentialIdHash, DEFAULT_STATUS_LIST_BASE_URL, MAX_STATUS_LIST, revocationHashesOf, statusListBaseUrl } from "../credentials/index.js";
import { credentialJwtOf, josePresentationPayload } from "../credentials/jose.js";
import { publishStatusLists, type PublishedStatusLists } from "../status/publish.js";
import { addressOf, signBatch, type SignBatchParameters } from "../issue/issue.js";
import { changedTerms, checkIssuable, latestMetadata, readHistory, readIssuerStanding, termsOf, typeIdsOf, typeNamesById } from "../issue/accreditation.js";
import { chunkWords, packStatusWords } from "../issue/pack.js";
import { carryOut, markDoneOnce, resumePending, type ResumeResult } from "../issue/resume.js";
import { StatusIndexAllocator } from "../store/allocator.js";
import { nonceLock } from "../store/files.js";
import { IssuedLedger } from "../store/ledger.js";
import { PendingWrites, type Intent } from "../store/pending.js";
import { decodeJwt } from "../verify/jwt.js";
import { verifyCredential as verifyOne, verifyCredentials, type VerifierContext } from "../verify/credential.js";
import { AccreditationStatus, linkView, NO_END, ROLE_ACCREDITOR, ROLE_ISSUER, roleNames, scopeTypeIds } from "../verify/trust.js";
import { verifyPresentation } from "../verify/presentation.js";
import { kmsSigner, type KmsSigner } from "./kmsSigner.js";
import { lerPluginSchema } from "./schema.js";
import type {
  AccreditationConsent,
  AccreditationConsentArgs,
  AccreditationHistoryLink,
  AccreditationRole,
  AccreditArgs,
  AddRootArgs,
  AccreditationChangeArgs,
  CreatePresentationArgs,
  ILerPlugin,
  IssueArgs,
  IssueResult,
  IssuedCredential,
  LerContext,
  LerIdentity,
  PublishStatusListArgs,
  RegisterTypeArgs,
  RevokeAccreditationArgs,
  RevokedGrant,
  RotateOwnerResult,
  StatusChangeArgs,
  TrustChainLink,
  UpdateAccreditationArgs,
  UpdateAccreditationResult,
  VerifyCredentialArgs,
  VerifyPresentationArgs,
} from "./types.js";

export interface LerPluginOptions {
  network: LerNetwork;
  /** Where allocations, the issued ledger and pending writes are kept. */
  home: string;
  /** The DID store the DIDManager uses: rotation updates an identifier's controller key there. */
  didStore?: DIDStoreJson;
  /** Confirmations a write waits for before it is reported done (1 on a dev chain; more on public chains). */
  confirmations?: number;
  /** The clock, in seconds. Tests pass a fixed one. */
  now?: () => number;
  /** Pays gas for a key that has none (dev chains fund new identities this way). */
  fund?: (address: string) => Promise<void>;
  /** Timeout for each JSON-RPC read, in milliseconds. */
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

const ROLE_BITS: Record<AccreditationRole, number> = { issuer: ROLE_ISSUER, accreditor: ROLE_ACCREDITOR, both: ROLE_ISSUER | ROLE_ACCREDITOR };

/** The LER plugin: see {@link ILerPlugin}. */
export class LerPlugin implements IAgentPlugin {
  readonly methods: ILerPlugin;
  readonly schema = lerPluginSchema;
  private readonly network: LerNetwork;
  private readonly allocator: StatusIndexAllocator;
  private readonly ledger: IssuedLedger;
  private readonly pending: PendingWrites;
  private readonly options: LerPluginOptions;
  private readonly maxHeadAgeSeconds: number | undefined;

  constructor(options: LerPluginOptions) {
    this.options = options;
    this.network = options.network;
    this.maxHeadAgeSeconds = headAgeBound(options.network.deployment, options.maxHeadAgeSeconds);
    this.allocator = new StatusIndexAllocator(options.home);
    this.ledger = new IssuedLedger(options.home);
    this.pending = new PendingWrites(join(options.home));
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

  // ---- identities ----------------------------------------------------------------------------------------------

  /**
   * Creates an identity with a new key in the encrypted store. Its DID is the address form,
   * `did:ethr:<network>:<address>`: the registries key identities by address, and so do verifiers' reports.
   */
  private async lerCreateIdentity(args: { alias?: string }, context: LerContext): Promise<LerIdentity> {
    const store = this.didStoreOrThrow();
    if (args.alias !== undefined) await this.checkAliasFree(args.alias, context);
    const key = await context.agent.keyManagerCreate({ kms: "local", type: "Secp256k1" });
    const identifier: IIdentifier = {
      did: `did:ethr:${this.network.name}:${computeAddressOf(key.publicKeyHex)}`,
      provider: this.providerName,
      ...(args.alias !== undefined && { alias: args.alias }),
      controllerKeyId: key.kid,
      keys: [key],
      services: [],
    };
    await store.importDID(identifier);
    return this.describe(identifier);
  }

  private async checkAliasFree(alias: string, context: LerContext): Promise<void> {
    const existing = await context.agent.didManagerFind({ alias, provider: this.providerName });
    if (existing.length > 0) throw new LerError("alias_taken", `An identity called "${alias}" exists already.`);
  }

  private didStoreOrThrow(): DIDStoreJson {
    if (this.options.didStore === undefined) throw new LerError("no_did_store", "This agent has no DID store for the LER plugin.");
    return this.options.didStore;
  }

  private async lerImportIdentity(args: { alias?: string; privateKeyHex: string }, context: LerContext): Promise<LerIdentity> {
    let wallet: Wallet;
    try {
      wallet = new Wallet(args.privateKeyHex.startsWith("0x") ? args.privateKeyHex : `0x${args.privateKeyHex}`);
    } catch {
      throw new LerError("invalid_private_key", "Not a valid secp256k1 private key.");
    }
    if (args.alias !== undefined) await this.checkAliasFree(args.alias, context);
    const kid = `${wallet.address.toLowerCase()}#controller`;
    const did = `did:ethr:${this.network.name}:${wallet.address}`;
    const identifier = await context.agent.didManagerImport({
      did,
      provider: this.providerName,
      ...(args.alias !== undefined && { alias: args.alias }),
      controllerKeyId: kid,
      keys: [
        {
          kid,
          kms: "local",
          type: "Secp256k1",
          privateKeyHex: wallet.privateKey.slice(2),
          publicKeyHex: wallet.signingKey.publicKey.slice(2),
        },
      ],
      services: [],
    });
    return this.describe(identifier);
  }

  private async lerListIdentities(_args: Record<string, never>, context: LerContext): Promise<LerIdentity[]> {
    const ids = await context.agent.didManagerFind({ provider: this.providerName });
    return ids.map((i) => this.describe(i));
  }

  /**
   * Moves the identity's ERC-1056 ownership to a fresh key in this agent's store, then, as the new owner, revokes
   * every ERC-1056 delegate and `did/pub/*` attribute still live: `changeOwner` alone leaves them in force, and a
   * leaked owner key may have added its own (issue 12, item 3). The owner moves first, so that the leaked key can add
   * nothing after the history is read. The registry powers move with the owner (they follow `identityOwner`);
   * credentials anchored before the rotation stay valid, unanchored ones signed by the old key or a revoked grant do
   * not. If a revocation fails, the owner has already moved: the error lists what is still live, and running the
   * rotation again (from the new key) revokes it.
   */
  private async lerRotateOwner(args: { did: string }, context: LerContext): Promise<RotateOwnerResult> {
    const identifier = await this.identifier(args.did, context);
    const signer = await this.ownerSigner(identifier, context);
    const key = await context.agent.keyManagerCreate({ kms: "local", type: "Secp256k1" });
    const newOwner = computeAddressOf(key.publicKeyHex);
    const identity = addressOf(identifier.did);
    const tx = await sendWrite(this.didRegistry(signer), "changeOwner", [identity, newOwner], this.writeOptions);
    const store = this.didStoreOrThrow();
    // The former key leaves the identifier (it signs nothing more for it) but stays in the key store.
    const updated: IIdentifier = {
      ...identifier,
      controllerKeyId: key.kid,
      keys: [key, ...identifier.keys.filter((k) => k.kid !== identifier.controllerKeyId)],
    };
    await store.importDID(updated);
    const revoked = await this.revokeSigningGrants(updated, context);
    return { ...this.describe(updated), tx, revoked };
  }

  /**
   * Revokes, as the identity's (new) owner, every delegate and `did/pub/*` attribute its ERC-1056 history shows live,
   * read with the verifier's own reader and decoder. "Live" is judged at the chain's time, as the registry judges it:
   * revoking a delegate that has already expired would only move its end (`revokeDelegate` sets validTo to the
   * block's time) later.
   */
  private async revokeSigningGrants(identifier: IIdentifier, context: LerContext): Promise<RevokedGrant[]> {
    const identity = addressOf(identifier.did);
    const snapshot = await readSnapshot(
      this.network.provider,
      this.network.deployment,
      { issuers: [identity], typeNames: [], statuses: [], hashes: [], anchors: [] },
      this.readOptions,
    );
    const { grants, unreadable } = liveGrants(snapshot.didEvents.get(identity) ?? [], snapshot.timestamp);
    if (unreadable !== undefined) {
      throw new ChainError(
        "chain_inconsistent",
        `The owner of ${identifier.did} moved to ${this.describe(identifier).owner}, but its DID history holds a log that does not decode (${unreadable}): its delegates cannot be listed. Run the rotation again against a node that answers consistently.`,
      );
    }
    if (grants.length === 0) return [];
    const signer = await this.ownerSigner(identifier, context);
    const registry = this.didRegistry(signer);
    const revoked: RevokedGrant[] = [];
    for (const [i, g] of grants.entries()) {
      try {
        if (g.kind === "delegate") {
          const tx = await sendWrite(registry, "revokeDelegate", [identity, bytes32Of(g.delegateType), g.delegate], this.writeOptions);
          revoked.push({ kind: "delegate", delegateType: g.delegateType, delegate: g.delegate, tx });
        } else {
          const tx = await sendWrite(registry, "revokeAttribute", [identity, bytes32Of(g.name), g.value], this.writeOptions);
          revoked.push({ kind: "attribute", name: g.name, value: g.value, tx });
        }
      } catch (e) {
        const left = grants.slice(i).map((x) => (x.kind === "delegate" ? `delegate ${x.delegateType} ${x.delegate}` : `attribute ${x.name} ${x.value}`));
        throw new LerError(
          "rotation_incomplete",
          `The owner of ${identifier.did} moved to ${this.describe(identifier).owner}, but ${left.length} signing grant(s) are still live: ${left.join("; ")}. Run the rotation again to revoke them.`,
          { details: { revoked, live: left }, cause: e },
        );
      }
    }
    return revoked;
  }

  /** Adds a fresh key of this agent's store as a `veriKey` signing delegate of the identity. */
  private async lerAddDelegate(
    args: { did: string; validitySeconds?: number },
    context: LerContext,
  ): Promise<{ delegate: string; tx: WriteResult }> {
    const identifier = await this.identifier(args.did, context);
    const signer = await this.ownerSigner(identifier, context);
    const key = await context.agent.keyManagerCreate({ kms: "local", type: "Secp256k1" });
    const delegate = computeAddressOf(key.publicKeyHex);
    const validity = args.validitySeconds ?? 10 * 365 * 24 * 3600;
    const tx = await sendWrite(
      this.didRegistry(signer),
      "addDelegate",
      [addressOf(identifier.did), encodeBytes32String("veriKey"), delegate, validity],
      this.writeOptions,
    );
    const store = this.options.didStore;
    if (store !== undefined) await store.importDID({ ...identifier, keys: [...identifier.keys, key] });
    return { delegate, tx };
  }

  // ---- governance and accreditation ----------------------------------------------------------------------------

  private async lerRegisterType(args: RegisterTypeArgs, context: LerContext): Promise<{ typeId: number; tx: WriteResult }> {
    const { trust } = await this.registriesAs(args.governor, context);
    const tx = await this.send(trust, "registerType", [args.name], { actor: args.governor }, context);
    const typeId = Number(await trust.getFunction("typeIdOf")(args.name));
    return { typeId, tx };
  }

  private async lerAddRoot(args: AddRootArgs, context: LerContext): Promise<WriteResult> {
    const { trust } = await this.registriesAs(args.governor, context);
    const scope = await this.scopeOf(args.types);
    return this.send(
      trust,
      "addRoot",
      [addressOf(args.root), scope, args.validFrom ?? 0, args.validUntil ?? NO_END, args.metadataURI ?? "", args.metadataHash ?? ZeroHash],
      { actor: args.governor, subject: args.root },
      context,
    );
  }

  /**
   * Accredits a subject with its consent: the signature given (`consent` and its `deadline`), or, when this agent
   * holds the subject's key, one its owner key signs here. The accreditor's owner sends the transaction.
   */
  private async lerAccredit(args: AccreditArgs, context: LerContext): Promise<WriteResult> {
    const { trust, signer } = await this.registriesWithSigner(args.accreditor, context);
    const terms = await this.consentTerms(args);
    let consent: string;
    let deadline: number;
    if (args.consent !== undefined) {
      if (args.deadline === undefined) throw new UsageError("missing_deadline", "A consent signature comes with the deadline it was signed with: give it too.");
      if (!/^0x([0-9a-fA-F]{2})*$/.test(args.consent)) throw new UsageError("invalid_consent", "A consent is a hex signature (0x…).");
      consent = args.consent;
      deadline = args.deadline;
    } else {
      const own = await this.ownIdentifier(terms.subject, context);
      if (own === undefined) {
        throw new LerError(
          "consent_required",
          `${await this.label(terms.subject, context)} is not an identity of this key store: its owner must consent to being accredited. ` +
            "Ask it for a consent to these terms (`ler id consent`) and pass it with its deadline.",
        );
      }
      const owner = await this.ownerSigner(own, context, { fund: false });
      deadline = args.deadline ?? (await this.chainNow()) + 3600;
      // The subject's owner sending the call itself consents by sending it.
      consent =
        owner.address === (await signer.getAddress())
          ? "0x"
          : await signAccreditationConsent(owner, { verifyingContract: this.trustAddress, chainId: this.network.chainId, terms: { ...terms, deadline } });
    }
    return this.send(
      trust,
      "accredit",
      [terms.parent, terms.subject, terms.role, terms.scope, terms.validFrom, terms.validUntil, args.metadataURI ?? "", terms.metadataHash, deadline, consent],
      { actor: args.accreditor, subject: args.subject },
      context,
    );
  }

  /** The subject's side: its owner key signs its consent to being accredited on these terms. Nothing is sent. */
  private async lerSignAccreditationConsent(args: AccreditationConsentArgs, context: LerContext): Promise<AccreditationConsent> {
    const terms = await this.consentTerms(args);
    const own = await this.ownIdentifier(terms.subject, context);
    if (own === undefined) throw new LerError("unknown_identity", `This agent holds no key for ${args.subject}: only its owner can consent.`);
    const owner = await this.ownerSigner(own, context, { fund: false });
    const deadline = args.deadline ?? (await this.chainNow()) + 7 * 24 * 3600;
    const consent = await signAccreditationConsent(owner, { verifyingContract: this.trustAddress, chainId: this.network.chainId, terms: { ...terms, deadline } });
    return {
      consent,
      deadline,
      terms: {
        accreditor: `did:ethr:${this.network.name}:${terms.parent}`,
        subject: own.did,
        role: args.role,
        types: [...args.types],
        scope: terms.scope.toString(),
        validFrom: terms.validFrom,
        validUntil: terms.validUntil,
        metadataHash: terms.metadataHash,
      },
      chainId: this.network.chainId,
      verifyingContract: this.trustAddress,
    };
  }

  /** The terms of `accredit` (and of the subject's consent to it), defaults filled in. */
  private async consentTerms(args: { accreditor: string; subject: string; role: AccreditationRole; types: readonly string[]; validFrom?: number; validUntil?: number; metadataHash?: string }) {
    return {
      parent: addressOf(args.accreditor),
      subject: addressOf(args.subject),
      role: roleBits(args.role),
      scope: await this.scopeOf(args.types),
      validFrom: args.validFrom ?? 0,
      validUntil: args.validUntil ?? NO_END,
      metadataHash: (args.metadataHash ?? ZeroHash).toLowerCase(),
    };
  }

  /**
   * Changes only what is given: the current version and metadata are read first and the rest is kept. A change that
   * changes nothing is refused (`nothing_to_change`) before anything is sent.
   */
  private async lerUpdateAccreditation(args: UpdateAccreditationArgs, context: LerContext): Promise<UpdateAccreditationResult> {
    const { trust } = await this.registriesAs(args.accreditor, context);
    const subject = addressOf(args.subject);
    const reader = new Contract(this.trustAddress, trustAbi, this.network.provider);
    const [[, , current], meta, names] = await Promise.all([
      this.read("accreditationOf", () => reader.getFunction("accreditationOf")(subject) as Promise<[string, bigint, [bigint, bigint, bigint, bigint, bigint, bigint]]>),
      latestMetadata(this.network, subject),
      typeNamesById(this.network),
    ]);
    const [role, status, , validFrom, validUntil, scope] = current.map((x) => BigInt(x));
    if (status === BigInt(AccreditationStatus.None)) {
      throw new LerError("not_accredited", `${await this.label(subject, context)} has no accreditation to update.`);
    }
    const was = { role: Number(role), scope: scope!, validFrom: validFrom!, validUntil: validUntil! };
    const next = {
      role: args.role === undefined ? was.role : roleBits(args.role),
      scope: args.types === undefined ? was.scope : await this.scopeOf(args.types),
      validFrom: args.validFrom === undefined ? was.validFrom : BigInt(args.validFrom),
      validUntil: args.validUntil === undefined ? was.validUntil : BigInt(args.validUntil),
    };
    const nextMeta = { metadataURI: args.metadataURI ?? meta.metadataURI, metadataHash: args.metadataHash ?? meta.metadataHash };
    const before = termsOf(was, meta, names);
    const after = termsOf(next, nextMeta, names);
    const changes = changedTerms(before, after);
    if (Object.keys(changes).length === 0) {
      throw new UsageError("nothing_to_change", `The update changes nothing: ${await this.label(subject, context)} already has these terms. Nothing was sent.`);
    }
    const tx = await this.send(
      trust,
      "update",
      [subject, next.role, next.scope, next.validFrom, next.validUntil, args.reason ?? 0, nextMeta.metadataURI, nextMeta.metadataHash],
      { actor: args.accreditor, subject },
      context,
    );
    return { tx, before, after, changes };
  }

  private async lerSuspendAccreditation(args: AccreditationChangeArgs, context: LerContext): Promise<WriteResult> {
    const { trust } = await this.registriesAs(args.accreditor, context);
    return this.send(trust, "suspend", [addressOf(args.subject), args.reason ?? 0], { actor: args.accreditor, subject: args.subject }, context);
  }

  private async lerReinstateAccreditation(args: AccreditationChangeArgs, context: LerContext): Promise<WriteResult> {
    const { trust } = await this.registriesAs(args.accreditor, context);
    return this.send(trust, "reinstate", [addressOf(args.subject), args.reason ?? 0], { actor: args.accreditor, subject: args.subject }, context);
  }

  private async lerRevokeAccreditation(args: RevokeAccreditationArgs, context: LerContext): Promise<WriteResult> {
    const { trust } = await this.registriesAs(args.accreditor, context);
    const effectiveAt = args.effectiveAt ?? (await this.chainNow());
    return this.send(trust, "revoke", [addressOf(args.subject), effectiveAt, args.reason ?? 0], { actor: args.accreditor, subject: args.subject }, context);
  }

  // ---- issuing -------------------------------------------------------------------------------------------------

  /**
   * Issues a batch. First, before anything is signed (no status index reserved, no ledger entry, no anchor), every
   * achievement type must be registered and the issuer trusted for it at the chain's current time: what could never
   * verify is refused (`unknown_credential_type`, or the verdict's code such as `type_out_of_scope`).
   */
  private async lerIssueCredentials(args: IssueArgs, context: LerContext): Promise<IssueResult> {
    // A base no list could be published under is refused before any index is reserved.
    if (args.statusListBaseUrl !== undefined) statusListBaseUrl(args.statusListBaseUrl);
    const identifier = await this.identifier(args.issuer, context);
    await this.checkIssuable(addressOf(identifier.did), args.credentials, context);
    const key = identifier.keys.find((k) => k.kid === identifier.controllerKeyId) ?? identifier.keys[0];
    if (key === undefined) throw new LerError("no_signer", `This key store holds no key for ${identifier.did}: only your own identities can issue.`);
    const issuedAt = new Date(this.now() * 1000);
    const sign = (requests: SignBatchParameters["requests"], done: number, total: number) =>
      signBatch(
        { agent: context.agent, network: this.network, allocator: this.allocator, ledger: this.ledger },
        {
          issuer: {
            did: identifier.did,
            keyRef: key.kid,
            publicKeyHex: key.publicKeyHex,
            address: addressOf(identifier.did),
            name: args.issuerName ?? identifier.alias ?? identifier.did,
            ...(args.issuerUrl !== undefined && { url: args.issuerUrl }),
          },
          requests,
          issuedAt,
          ...(args.statusListBaseUrl !== undefined && { statusListBaseUrl: args.statusListBaseUrl }),
          ...(args.onProgress !== undefined && { onProgress: (n: number) => args.onProgress!(done + n, total) }),
          // The anchor intent goes on record before the batch does: a crash once the ledger holds the batch leaves
          // its anchor pending for lerResumePending, never forgotten.
          ...(args.anchor !== false && {
            beforeRecord: async (root: string) => void (await this.recordOnce(anchorIntent(this.intentScope(), addressOf(identifier.did), root))),
          }),
        },
      );
    // A record of several achievements (CLR 2.0) embeds a signed Open Badge for each: those are issued first, with
    // the single credentials, and the records then in a batch of their own (a record's Merkle leaf covers the
    // credentials it embeds, anchor proofs included, so both cannot share one tree).
    const parts = args.credentials.map((r) =>
      r.achievements === undefined ? [r] : r.achievements.map((achievement) => ({ subject: r.subject, achievement, ...(r.validUntil !== undefined && { validUntil: r.validUntil }) })),
    );
    const records = args.credentials.flatMap((r, i) => (r.achievements === undefined ? [] : [i]));
    const total = parts.flat().length + records.length;
    const first = await sign(parts.flat(), 0, total);
    const byRequest: IssuedCredential[][] = [];
    let k = 0;
    for (const p of parts) byRequest.push(first.credentials.slice(k, (k += p.length)));
    const credentials = byRequest.map((c) => c[0]!);
    const result: IssueResult = { credentials, root: first.root };
    if (records.length > 0) {
      const second = await sign(
        records.map((i) => ({ ...args.credentials[i]!, embed: byRequest[i]!.map((c) => c.jwt) })),
        first.credentials.length,
        total,
      );
      records.forEach((i, j) => (credentials[i] = { ...second.credentials[j]!, embedded: byRequest[i]! }));
      result.records = { root: second.root };
    }
    if (args.anchor !== false) {
      result.anchor = await this.lerAnchor({ issuer: identifier.did, root: first.root }, context);
      if (result.records !== undefined) result.records.anchor = await this.lerAnchor({ issuer: identifier.did, root: result.records.root }, context);
    }
    return result;
  }

  /**
   * Anchors an issuance root. Recorded as an intent first, so a crash between sending and confirming is retried
   * from the pending log; a retry of a root that already landed is reported as done, not as an error.
   */
  private async lerAnchor(args: { issuer: string; root: string }, context: LerContext): Promise<WriteResult> {
    const intent = anchorIntent(this.intentScope(), addressOf(args.issuer), args.root);
    const earlier = await this.recordOnce(intent);
    if (earlier !== undefined) return earlier;
    const { status } = await this.registriesAs(args.issuer, context);
    // An anchor that already landed (an earlier attempt, before a crash) comes back with the transaction that landed it.
    const result = await carryOut({ provider: this.network.provider, writeOptions: this.writeOptions }, status, intent);
    await markDoneOnce(this.pending, intent.id, result);
    return result;
  }

  private async lerRevoke(args: StatusChangeArgs, context: LerContext): Promise<WriteResult[]> {
    return this.changeStatus(args, context, { single: "revoke", words: "revokeWords", intent: true });
  }

  private async lerSuspend(args: StatusChangeArgs, context: LerContext): Promise<WriteResult[]> {
    return this.changeStatus(args, context, { single: "suspend", words: "suspendWords", intent: false });
  }

  private async lerReinstate(args: StatusChangeArgs, context: LerContext): Promise<WriteResult[]> {
    return this.changeStatus(args, context, { single: "reinstate", words: "reinstateWords", intent: false });
  }

  /**
   * One transaction for a single entry; otherwise the entries packed into 256-bit words, a few hundred words per
   * transaction. Revocations are logged as intents first: setting a bit twice is harmless, so a retry after a crash
   * is always safe.
   */
  private async changeStatus(
    args: StatusChangeArgs,
    context: LerContext,
    how: { single: string; words: string; intent: boolean },
  ): Promise<WriteResult[]> {
    if (args.entries.length === 0) throw new LerError("empty_batch", "No entries given.");
    const issuer = addressOf(args.issuer);
    const { status } = await this.registriesAs(args.issuer, context);
    const targets = args.entries.map((e) => ({ list: BigInt(e.list), index: e.index }));
    if (targets.length === 1) {
      const t = targets[0]!;
      const result = await this.withIntent(how.intent, issuer, { list: t.list.toString(), indices: [t.index] }, () =>
        sendWrite(status, how.single, [issuer, t.list, t.index], this.writeOptions),
      );
      args.onProgress?.(1, 1);
      return [result];
    }
    const packed = packStatusWords(targets);
    // Every transaction's intent goes on record before the first is sent: a crash part-way leaves the rest pending
    // for lerResumePending, not forgotten.
    if (how.intent) {
      for (const words of packed) for (const chunk of chunkWords(words)) await this.recordOnce(revocationIntent(this.intentScope(), issuer, wordsPayload(chunk)));
    }
    // Duplicates collapse when packed: progress counts distinct entries.
    const total = packed.reduce((n, w) => n + w.count, 0);
    let done = 0;
    const results: WriteResult[] = [];
    for (const words of packed) {
      for (const chunk of chunkWords(words)) {
        const payload = wordsPayload(chunk);
        results.push(
          await this.withIntent(how.intent, issuer, payload, () =>
            sendWrite(status, how.words, [issuer, chunk.list, chunk.wordIndices, chunk.masks], this.writeOptions),
          ),
        );
        done += chunk.count;
        args.onProgress?.(done, total);
      }
    }
    return results;
  }

  private async withIntent(log: boolean, issuer: string, payload: unknown, send: () => Promise<WriteResult>): Promise<WriteResult> {
    if (!log) return send();
    const intent = revocationIntent(this.intentScope(), issuer, payload);
    // The same revocation done before: revocation is terminal, so its receipt still stands.
    const earlier = await this.recordOnce(intent);
    if (earlier !== undefined) return earlier;
    const result = await send();
    await markDoneOnce(this.pending, intent.id, result);
    return result;
  }

  /** The network every intent is recorded for: its chain and StatusRegistry, part of each intent and its id. */
  private intentScope(): IntentScope {
    return { chainId: this.network.chainId, registry: this.network.deployment.contracts.StatusRegistry.address.toLowerCase() };
  }

  /** Records `intent`; if the same intent is already done, its receipt (nothing is to be sent again). */
  private async recordOnce(intent: Intent): Promise<WriteResult | undefined> {
    try {
      await this.pending.recordIntent(intent);
      return undefined;
    } catch (e) {
      if (!(isLerError(e) && e.code === "intent_done")) throw e;
      const { txHash, block } = e.details as { txHash: string; block: number };
      return { txHash, block, gasUsed: 0 };
    }
  }

  /**
   * Sends again every revocation and anchor a crash left between its intent and its confirmation (see
   * src/issue/resume.ts). Idempotent; safe to run at every start.
   */
  /**
   * Signs the issuer's status lists as read at the chain's latest block (see src/status/publish.ts). By default every
   * list the issuer has used: its allocator's lists, 0 to the current one.
   */
  private async lerPublishStatusList(args: PublishStatusListArgs, context: LerContext): Promise<PublishedStatusLists> {
    const identifier = await this.identifier(args.issuer, context);
    const key = identifier.keys.find((k) => k.kid === identifier.controllerKeyId) ?? identifier.keys[0];
    if (key === undefined) throw new LerError("no_signer", `This key store holds no key for ${identifier.did}: only your own identities can publish.`);
    const address = addressOf(identifier.did);
    let lists: bigint[];
    if (args.lists !== undefined) {
      lists = args.lists.map((l) => {
        if (!/^(0|[1-9][0-9]{0,19})$/.test(String(l)) || BigInt(l) > MAX_STATUS_LIST) throw new UsageError("invalid_argument", `A list is a decimal integer in 0 .. 2^64 - 1, not ${JSON.stringify(l)}.`);
        return BigInt(l);
      });
    } else {
      const state = await this.allocator.state(address);
      lists = Array.from({ length: Number((state?.list ?? 0n) + 1n) }, (_, i) => BigInt(i));
    }
    return publishStatusLists({
      agent: context.agent,
      network: this.network,
      issuer: { did: identifier.did, address, keyRef: key.kid, publicKeyHex: key.publicKeyHex },
      lists,
      baseUrl: args.statusListBaseUrl ?? (await this.publishedBase(address)),
      ...(args.validForSeconds !== undefined && { validForSeconds: args.validForSeconds }),
      ...(args.ttlMs !== undefined && { ttlMs: args.ttlMs }),
      timeoutMs: this.options.readTimeoutMs ?? 10_000,
    });
  }

  /**
   * Where the issuer's credentials say its lists are, when the caller does not: the base its latest credential names
   * (the lists must be published where the credentials point), else the default.
   */
  private async publishedBase(issuer: string): Promise<string> {
    const { records } = await this.ledger.readIssued(issuer);
    for (let i = records.length - 1; i >= 0; i--) {
      const base = statusListBaseOf(records[i]!.jwt);
      if (base !== undefined) return base;
    }
    return DEFAULT_STATUS_LIST_BASE_URL;
  }

  private async lerResumePending(args: { issuer?: string }, context: LerContext): Promise<ResumeResult> {
    return resumePending(
      {
        pending: this.pending,
        provider: this.network.provider,
        writeOptions: this.writeOptions,
        network: this.intentScope(),
        ...(this.legacyIntentsChainId() !== undefined && { legacyChainId: this.legacyIntentsChainId()! }),
        statusFor: async (issuer) => (await this.registriesAs(`did:ethr:${this.network.name}:${getAddress(issuer)}`, context)).status,
      },
      args.issuer === undefined ? {} : { issuer: addressOf(args.issuer) },
    );
  }

  private legacyIntentsChainId(): number | undefined {
    if (this.options.legacyIntentsChainId !== undefined) return this.options.legacyIntentsChainId;
    const env = process.env.LER_LEGACY_INTENTS_CHAIN_ID;
    if (env === undefined || env.trim() === "") return undefined;
    const n = Number(env);
    if (!Number.isSafeInteger(n) || n <= 0) {
      throw new LerError("invalid_config", `LER_LEGACY_INTENTS_CHAIN_ID must be a chain id, not "${env}".`);
    }
    return n;
  }

  private async lerRevokeByHash(args: { issuer: string; credentials: string[] }, context: LerContext): Promise<WriteResult> {
    const issuer = addressOf(args.issuer);
    const { status } = await this.registriesAs(args.issuer, context);
    const hashes = [...new Set(args.credentials.map((c) => hashToRevoke(c, issuer)))];
    // Logged like every revocation, so that a crash before the receipt is retried by lerResumePending.
    return this.withIntent(true, issuer, { hashes }, () =>
      hashes.length === 1
        ? sendWrite(status, "revokeHash", [issuer, hashes[0]], this.writeOptions)
        : sendWrite(status, "revokeHashes", [issuer, hashes], this.writeOptions),
    );
  }

  // ---- verifying -----------------------------------------------------------------------------------------------

  private async lerVerifyCredential(args: VerifyCredentialArgs, _context: LerContext) {
    return verifyOne(this.verifier, jwtOf(args.credential), this.verifyOptions(args));
  }

  private async lerVerifyCredentials(args: Omit<VerifyCredentialArgs, "credential"> & { credentials: unknown[] }, _context: LerContext) {
    return verifyCredentials(this.verifier, args.credentials.map(jwtOf), this.verifyOptions(args));
  }

  private async lerVerifyPresentation(args: VerifyPresentationArgs, _context: LerContext) {
    return verifyPresentation(this.verifier, jwtOf(args.presentation), {
      ...this.verifyOptions(args),
      ...(args.challenge !== undefined && { challenge: args.challenge }),
      ...(args.domain !== undefined && { domain: args.domain }),
    });
  }

  private async lerCreatePresentation(args: CreatePresentationArgs, context: LerContext): Promise<{ jwt: string }> {
    const identifier = await this.identifier(args.holder, context);
    const key = identifier.keys.find((k) => k.kid === identifier.controllerKeyId) ?? identifier.keys[0];
    if (key === undefined) throw new LerError("no_signer", `This key store holds no key for ${identifier.did}.`);
    // VC 2.0 secured as a JWT (VC-JOSE): the presentation is the payload, each credential enveloped whole.
    const payload = josePresentationPayload({
      id: `urn:uuid:${randomUUID()}`,
      holder: identifier.did,
      credentials: args.credentials.map((c) => {
        const jwt = credentialJwtOf(c);
        if (typeof jwt !== "string") throw new UsageError("invalid_argument", "A presented credential is a compact JWT (or carries one).");
        return jwt;
      }),
      challenge: args.challenge,
      domain: args.domain,
      issuedAt: this.now(),
    });
    const b64 = (value: object) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
    const signingInput = `${b64({ alg: "ES256K", typ: "vp+jwt" })}.${b64(payload)}`;
    const signature = await context.agent.keyManagerSign({ keyRef: key.kid, algorithm: "ES256K", data: signingInput, encoding: "utf-8" });
    return { jwt: `${signingInput}.${signature}` };
  }

  /** The chain as it stood at `at` (default now): each link's version then, and its status now when that differs. */
  private async lerTrustChain(args: { did: string; at?: number }, _context: LerContext): Promise<TrustChainLink[]> {
    const [links, names] = await Promise.all([readHistory(this.network, addressOf(args.did)), typeNamesById(this.network)]);
    return links.map((link) => {
      const { address, scope, ...view } = linkView(link, args.at === undefined ? undefined : BigInt(args.at));
      return { address, did: this.didOfAddress(address), ...view, scope: scope.map((id) => namedType(id, names)) };
    });
  }

  private async lerAccreditationHistory(args: { did: string }, _context: LerContext): Promise<AccreditationHistoryLink[]> {
    const [links, names] = await Promise.all([readHistory(this.network, addressOf(args.did)), typeNamesById(this.network)]);
    return links.map((link) => ({
      address: link.subject,
      did: this.didOfAddress(link.subject),
      parent: link.parent === ZeroAddress ? null : link.parent,
      versions: link.versions.map((v) => ({
        since: Number(v.since),
        role: roleNames(v.role),
        status: STATUS_NAMES[v.status] ?? "none",
        reason: v.reason,
        validFrom: Number(v.validFrom),
        validUntil: v.validUntil >= BigInt(NO_END) ? null : Number(v.validUntil),
        scope: scopeTypeIds(v.scope).map((id) => namedType(id, names)),
      })),
    }));
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  private get providerName(): string {
    return `did:ethr:${this.network.name}`;
  }

  /**
   * Every write of this agent holds its sending key's lock under `<home>/locks` while it picks a nonce and
   * broadcasts: processes sharing the home never race for a key's nonce.
   */
  private get writeOptions(): WriteOptions {
    return { confirmations: this.options.confirmations ?? 1, senderLock: nonceLock(join(this.options.home, "locks")) };
  }

  private get readOptions() {
    return {
      ...(this.options.readTimeoutMs !== undefined && { timeoutMs: this.options.readTimeoutMs }),
      ...(this.maxHeadAgeSeconds !== undefined && { maxHeadAgeSeconds: this.maxHeadAgeSeconds }),
    };
  }

  private now(): number {
    return this.options.now?.() ?? Math.floor(Date.now() / 1000);
  }

  private get verifier(): VerifierContext {
    return { provider: this.network.provider, deployment: this.network.deployment, networkName: this.network.name };
  }

  private verifyOptions(args: { now?: number; clockSkewSeconds?: number; trustedRoots?: string[]; checkStatusLists?: boolean }) {
    return {
      now: args.now ?? this.now(),
      ...(args.clockSkewSeconds !== undefined && { clockSkewSeconds: args.clockSkewSeconds }),
      ...(args.trustedRoots !== undefined && { trustedRoots: args.trustedRoots }),
      ...(args.checkStatusLists === true && { checkStatusLists: true }),
      read: this.readOptions,
    };
  }

  private describe(identifier: IIdentifier): LerIdentity {
    const key = identifier.keys.find((k) => k.kid === identifier.controllerKeyId) ?? identifier.keys[0];
    return {
      did: identifier.did,
      address: addressOf(identifier.did),
      ...(identifier.alias !== undefined && { alias: identifier.alias }),
      owner: key === undefined ? addressOf(identifier.did) : computeAddressOf(key.publicKeyHex),
    };
  }

  private async identifier(didOrAlias: string, context: LerContext): Promise<IIdentifier> {
    try {
      if (didOrAlias.startsWith("did:")) return await context.agent.didManagerGet({ did: didOrAlias });
      return await context.agent.didManagerGetByAlias({ alias: didOrAlias, provider: this.providerName });
    } catch {
      throw new LerError("unknown_identity", `This agent holds no key for ${didOrAlias}.`);
    }
  }

  /** The signer for the identity's current owner key, after checking on chain that it is still the owner. */
  private async ownerSigner(identifier: IIdentifier, context: LerContext, { fund = true }: { fund?: boolean } = {}): Promise<KmsSigner> {
    const key = identifier.keys.find((k) => k.kid === identifier.controllerKeyId);
    if (key === undefined) throw new LerError("no_controller_key", `No controller key for ${identifier.did}.`);
    const signer = kmsSigner(context.agent, key, this.network.provider);
    const registry = new Contract(this.network.deployment.contracts.EthereumDIDRegistry.address, didRegistryArtifact().abi, this.network.provider);
    let owner: string;
    try {
      owner = getAddress(await registry.getFunction("identityOwner")(addressOf(identifier.did)));
    } catch (e) {
      throw e instanceof ChainError ? e : new ChainError("chain_unreachable", "Cannot read the identity's owner from the chain.", { cause: e });
    }
    if (owner !== signer.address) {
      throw new LerError("not_owner", `This agent's key for ${identifier.did} (${signer.address}) is no longer its owner (${owner}).`);
    }
    if (fund && this.options.fund !== undefined && (await this.network.provider.getBalance(signer.address)) === 0n) {
      await this.options.fund(signer.address);
    }
    return signer;
  }

  private async registriesAs(didOrAlias: string, context: LerContext) {
    return registries(this.network.deployment, await this.ownerSigner(await this.identifier(didOrAlias, context), context));
  }

  private async registriesWithSigner(didOrAlias: string, context: LerContext) {
    const signer = await this.ownerSigner(await this.identifier(didOrAlias, context), context);
    return { ...registries(this.network.deployment, signer), signer };
  }

  private didRegistry(signer: Signer): Contract {
    return new Contract(this.network.deployment.contracts.EthereumDIDRegistry.address, didRegistryArtifact().abi, signer);
  }

  /** The scope bitmap of type names, read in one request; a name that is not registered is refused. */
  private async scopeOf(types: readonly string[]): Promise<bigint> {
    if (types.length === 0) throw new LerError("empty_scope", "Name at least one credential type.");
    const ids = await typeIdsOf(this.network, types);
    const unknown = types.filter((t) => ids.get(t) === undefined);
    if (unknown.length > 0) {
      throw new LerError("unknown_type_name", `${unknown.map((t) => `"${t}"`).join(", ")} ${unknown.length === 1 ? "is not a registered credential type" : "are not registered credential types"}.`, {
        details: { unknown },
      });
    }
    return types.reduce((scope, t) => scope | (1n << BigInt(ids.get(t)!)), 0n);
  }

  /** Refuses, before anything is signed, types that are not registered or that the issuer is not trusted for now. */
  private async checkIssuable(issuer: string, requests: readonly IssueArgs["credentials"][number][], context: LerContext): Promise<void> {
    const types: string[] = requests.flatMap((r) => (r.achievements ?? (r.achievement !== undefined ? [r.achievement] : [])).map((a) => a.achievementType));
    const named = types.filter((t) => typeof t === "string" && t !== "");
    if (named.length === 0) return;
    const standing = await readIssuerStanding(this.network, issuer, named);
    const labels = await this.labels(context);
    checkIssuable(standing, issuer, named, (a) => labelWith(labels, a, this.network.name));
  }

  /** The chain's latest block time. */
  private async chainNow(): Promise<number> {
    const block = await this.read("getBlock", () => this.network.provider.getBlock("latest"));
    return block?.timestamp ?? this.now();
  }

  private read<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return chainRead(what, fn);
  }

  private get trustAddress(): string {
    return this.network.deployment.contracts.TrustRegistry.address;
  }

  private didOfAddress(address: string): string {
    return `did:ethr:${this.network.name}:${address}`;
  }

  /** This agent's identity for `didOrAddress`, matched by address; undefined when it holds no key for it. */
  private async ownIdentifier(didOrAddress: string, context: LerContext): Promise<IIdentifier | undefined> {
    const address = addressOf(didOrAddress);
    const all = await context.agent.didManagerFind({ provider: this.providerName });
    return all.find((i) => addressOf(i.did) === address);
  }

  /** Aliases of this agent's identities, by address. */
  private async labels(context: LerContext): Promise<Map<string, string>> {
    const all = await context.agent.didManagerFind({ provider: this.providerName });
    return new Map(all.flatMap((i) => (i.alias === undefined ? [] : [[addressOf(i.did), i.alias] as const])));
  }

  /** `did:ethr:…:0x… (alias)`, or the DID alone. */
  private async label(address: string, context: LerContext): Promise<string> {
    return labelWith(await this.labels(context), address, this.network.name);
  }

  /**
   * Sends a registry write; a refusal comes back in words: types by name, identities by DID and alias, the role an
   * actor lacks, times as dates. The code is the one `sendWrite` gave (the contract error's, e.g. `scope_not_subset`).
   */
  private async send(contract: Contract, fn: string, args: readonly unknown[], who: { actor: string; subject?: string }, context: LerContext): Promise<WriteResult> {
    try {
      return await sendWrite(contract, fn, args, this.writeOptions);
    } catch (e) {
      if (!(e instanceof LerError) || e instanceof ChainError) throw e;
      const error = e.details?.error;
      if (typeof error !== "string") throw e;
      const words = await this.errorWords(error, (e.details?.args ?? []) as unknown[], fn, who, context).catch(() => undefined);
      if (words === undefined) throw e;
      throw new LerError(e.code, words, { details: e.details ?? {}, cause: e });
    }
  }

  private async errorWords(error: string, args: unknown[], fn: string, who: { actor: string; subject?: string }, context: LerContext): Promise<string | undefined> {
    const labels = await this.labels(context);
    const name = (a: unknown) => labelWith(labels, addressOf(String(a)), this.network.name);
    const actor = name(addressOf(who.actor));
    const subject = who.subject === undefined ? undefined : name(addressOf(who.subject));
    const types = async (scope: bigint) => {
      const names = await typeNamesById(this.network);
      return scopeTypeIds(scope).map((id) => names.get(id) ?? `#${id}`).join(", ") || "no type";
    };
    const when = (t: unknown) => new Date(Number(t) * 1000).toISOString().replace(".000Z", "Z");
    switch (error) {
      case "TrustRegistryScopeNotSubset": {
        const [s, scope, parentScope] = [args[0], BigInt(String(args[1])), BigInt(String(args[2]))];
        return `${fn} was refused: the scope of ${name(s)} may not include ${await types(scope & ~parentScope)}, which its accreditor is not accredited for (it holds ${await types(parentScope)}).`;
      }
      case "TrustRegistryUnauthorized":
        return `${actor} may not change the accreditation of ${name(args[1])}: only its accreditor in force, an ancestor in force, or governance may.`;
      case "AccessControlUnauthorizedAccount":
        return `${actor} may not ${fn === "registerType" ? "register credential types" : fn === "addRoot" ? "add root authorities" : `call ${fn}`}: it lacks the ${roleName(String(args[1]))} role of the trust registry.`;
      case "TrustRegistryNotAccreditor":
        return `${name(args[0])} may not accredit now: its accreditation is not active, not in its validity window, or lacks the accreditor role.`;
      case "TrustRegistryNoConsent":
        return `${name(args[0])} did not consent to these terms: the consent must be its owner's signature over exactly this accreditor, role, types, validity, metadata hash and deadline.`;
      case "TrustRegistryConsentExpired":
        return `The subject's consent expired at ${when(args[0])}: ask it for a new one.`;
      case "TrustRegistryInvalidEffectiveTime":
        return `A revocation cannot take effect at ${when(args[0])}: it must not lie in the future, and for an accreditation already revoked it must be earlier than its current effective time (the bound is ${when(args[1])}).`;
      case "TrustRegistryAlreadyAccredited":
        return `${name(args[0])} holds an accreditation already (or held one that was revoked): a subject is accredited once.`;
      case "TrustRegistryNotAccredited":
        return `${name(args[0])} has no accreditation.`;
      case "TrustRegistryInvalidStatus":
        return `${fn} was refused: the accreditation of ${name(args[0])} is ${STATUS_NAMES[Number(args[1])] ?? "in another state"}.`;
      case "TrustRegistryUnknownType":
        return `${fn} was refused: the scope names types that are not registered.`;
      case "TrustRegistryInvalidValidity":
        return `${fn} was refused: the end of validity (${when(args[1])}) is not after its start (${when(args[0])}).`;
      case "TrustRegistryCycle":
        return `${subject ?? name(args[1])} is ${actor} or above it: accrediting it would close a cycle.`;
      default:
        return undefined;
    }
  }
}

const trustAbi = new Interface(projectArtifact("TrustRegistry").abi);

const STATUS_NAMES = ["none", "active", "suspended", "revoked"] as const;

/** `did:ethr:<network>:0x… (alias)`, or the DID alone. */
function labelWith(labels: ReadonlyMap<string, string>, address: string, network: string): string {
  const alias = labels.get(address);
  return `did:ethr:${network}:${address}${alias === undefined ? "" : ` (${alias})`}`;
}

/** An AccessControl role by name, not by hash. */
function roleName(hash: string): string {
  if (hash === ZeroHash) return "DEFAULT_ADMIN_ROLE (registry administrator)";
  if (hash.toLowerCase() === id("GOVERNOR_ROLE")) return "GOVERNOR_ROLE (governance)";
  return hash;
}

function namedType(id: number, names: ReadonlyMap<number, string>): { id: number; name?: string } {
  const name = names.get(id);
  return name === undefined ? { id } : { id, name };
}

/** The chain and StatusRegistry (lower-case address) an intent is for. */
interface IntentScope {
  chainId: number;
  registry: string;
}

/**
 * The intent of anchoring `root` for `issuer` (an address) on one chain and registry; its id,
 * `anchor:<chainId>:<registry>:<issuer>:<root>`, is stable across retries. The chain and registry are in the id: a
 * home used on two networks must not take one network's anchor for the other's.
 */
function anchorIntent(scope: IntentScope, issuer: string, root: string): Intent {
  const r = root.toLowerCase();
  return { id: `anchor:${scope.chainId}:${scope.registry}:${issuer}:${r}`, kind: "anchor", issuer, payload: { root: r }, ...scope };
}

/**
 * The intent of one revocation transaction on one chain and registry; the id,
 * `revocation:<chainId>:<registry>:<issuer>:<hash of the payload>`, names what it revokes and where.
 */
function revocationIntent(scope: IntentScope, issuer: string, payload: unknown): Intent {
  const hash = keccak256(toUtf8Bytes(JSON.stringify(payload)));
  return { id: `revocation:${scope.chainId}:${scope.registry}:${issuer}:${hash}`, kind: "revocation", issuer, payload, ...scope };
}

/** The intent payload of one words transaction (bigints as strings: the log is JSON). */
function wordsPayload(chunk: { list: bigint; wordIndices: bigint[]; masks: bigint[] }) {
  return { list: chunk.list.toString(), wordIndices: chunk.wordIndices.map(String), masks: chunk.masks.map((m) => `0x${m.toString(16)}`) };
}

function roleBits(role: AccreditationRole): number {
  const bits = ROLE_BITS[role];
  if (bits === undefined) throw new LerError("invalid_role", `Role is issuer, accreditor or both, not "${role}".`);
  return bits;
}

type Grant = { kind: "delegate"; delegateType: string; delegate: string } | { kind: "attribute"; name: string; value: string };

/**
 * The delegates and `did/pub/*` attributes live after `time` (the chain's, in seconds) in an identity's decoded
 * ERC-1056 history, in the order they were granted; `unreadable` names the first log that does not decode, if any. As
 * the registry (and ethr-did-resolver, and `signingKeysAt`) has it, each grant's last event sets its validity; one
 * whose validTo is 0 or not after `time` is not live. History before the last `changeOwner` counts: delegates
 * outlive owner changes. Every delegate type is taken (not only the signing ones the verifier honours today), except
 * a name whose bytes are not UTF-8, which cannot be named back (and is never a signing type or a key attribute the
 * verifier reads). Other attributes (`did/svc/*`, ...) are left alone.
 */
function liveGrants(events: readonly DidEvent[], time: bigint): { grants: Grant[]; unreadable?: string } {
  const live = new Map<string, Grant>();
  for (const e of events) {
    if (e.kind === "unreadable") return { grants: [], unreadable: `block ${e.block}: ${e.reason}` };
    if (e.kind === "owner") continue;
    const grant: Grant =
      e.kind === "delegate" ? { kind: "delegate", delegateType: e.delegateType, delegate: e.delegate } : { kind: "attribute", name: e.name, value: e.value.toLowerCase() };
    const index = grant.kind === "delegate" ? `d|${grant.delegateType}|${grant.delegate}` : `a|${grant.name}|${grant.value}`;
    live.delete(index); // re-granted: ordered by its last grant
    if (e.validTo > time) live.set(index, grant);
  }
  const nameable = (text: string) => !text.includes("\uFFFD") && byteLength(text) <= 32;
  const grants = [...live.values()].filter((g) => (g.kind === "delegate" ? nameable(g.delegateType) : g.name.startsWith("did/pub/") && nameable(g.name)));
  return { grants };
}

const byteLength = (text: string) => toUtf8Bytes(text).length;

/** A bytes32 name (delegate type, attribute name) as the registry takes it: UTF-8, NUL-padded on the right. */
function bytes32Of(text: string): string {
  return zeroPadBytes(toUtf8Bytes(text), 32);
}

function computeAddressOf(publicKeyHex: string): string {
  return computeAddress(publicKeyHex.startsWith("0x") ? publicKeyHex : `0x${publicKeyHex}`);
}

/** A JWT from a JWT string or a W3C credential/presentation carrying one in `proof.jwt`. */
export function jwtOf(value: unknown): unknown {
  if (typeof value === "object" && value !== null) {
    const jwt = (value as { proof?: { jwt?: unknown } }).proof?.jwt;
    if (typeof jwt === "string") return jwt;
  }
  return value;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * What `lerRevokeByHash` revokes for one argument (see `revocationHashesOf` for what the verifier checks): a bytes32
 * hash as given; a credential (compact JWT) by its identity (its id's hash, or its credential hash when it has no
 * id), whatever its header and signature; anything else as a credential id (`jti`).
 */
function hashToRevoke(value: string, issuer: string): string {
  const text = value.trim();
  if (/^0x[0-9a-fA-F]{64}$/.test(text)) return text.toLowerCase();
  if (!JWT_SHAPE.test(text)) {
    if (text === "") throw new UsageError("invalid_argument", "An empty string names no credential to revoke.");
    return credentialIdHash(text);
  }
  const jwt = decodeJwt(text);
  const iss = jwt.payload.iss;
  let named: string | undefined;
  try {
    named = typeof iss === "string" ? addressOf(iss) : undefined;
  } catch {
    // Not a did:ethr: not this issuer's.
  }
  if (named !== issuer) {
    throw new LerError("iss_mismatch", `The credential was issued by ${String(iss)}, not by ${issuer}: only its issuer can revoke it.`);
  }
  return revocationHashesOf(jwt.payload, jwt.raw).identity;
}

/** The status list base a credential names: its BitstringStatusListEntry's list URL without `/<address>/<list>/<purpose>`. */
function statusListBaseOf(jwt: string): string | undefined {
  try {
    const { payload } = decodeJwt(jwt);
    const status = (payload.credentialStatus ?? (payload.vc as Record<string, unknown> | undefined)?.credentialStatus) as unknown;
    for (const entry of Array.isArray(status) ? status : [status]) {
      const url = (entry as { type?: unknown; statusListCredential?: unknown } | null)?.statusListCredential;
      const base = typeof url === "string" ? /^(.*)\/0x[0-9a-fA-F]{40}\/\d+\/(?:revocation|suspension)$/.exec(url)?.[1] : undefined;
      if (base !== undefined) return base;
    }
  } catch {
    // A record that cannot be read names no base.
  }
  return undefined;
}
