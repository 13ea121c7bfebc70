import { join } from "node:path";
import { computeAddress, Contract, encodeBytes32String, getAddress, Interface, keccak256, toUtf8Bytes, Wallet, ZeroHash, type Signer } from "ethers";
import type { IAgentPlugin, IIdentifier } from "@veramo/core";
import type { DIDStoreJson } from "@veramo/data-store-json";
import { ChainError, LerError } from "../errors.js";
import { didRegistryArtifact, projectArtifact } from "../chain/artifacts.js";
import type { LerNetwork } from "../chain/network.js";
import { readSnapshot } from "../chain/reads.js";
import { registries, sendWrite, type WriteResult } from "../chain/writes.js";
import { addressOf, signBatch } from "../issue/issue.js";
import { chunkWords, packStatusWords } from "../issue/pack.js";
import { StatusIndexAllocator } from "../store/allocator.js";
import { IssuedLedger } from "../store/ledger.js";
import { PendingWrites } from "../store/pending.js";
import { verifyCredential as verifyOne, verifyCredentials, type VerifierContext } from "../verify/credential.js";
import { verifyPresentation } from "../verify/presentation.js";
import { kmsSigner } from "./kmsSigner.js";
import { lerPluginSchema } from "./schema.js";
import type {
  AccreditationRole,
  AccreditArgs,
  AddRootArgs,
  AccreditationChangeArgs,
  CreatePresentationArgs,
  ILerPlugin,
  IssueArgs,
  IssueResult,
  LerContext,
  LerIdentity,
  RegisterTypeArgs,
  RevokeAccreditationArgs,
  StatusChangeArgs,
  UpdateAccreditationArgs,
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
}

const FOREVER = 2 ** 40 - 1;
const ROLE_BITS: Record<AccreditationRole, number> = { issuer: 1, accreditor: 2, both: 3 };

/** The LER plugin: see {@link ILerPlugin}. */
export class LerPlugin implements IAgentPlugin {
  readonly methods: ILerPlugin;
  readonly schema = lerPluginSchema;
  private readonly network: LerNetwork;
  private readonly allocator: StatusIndexAllocator;
  private readonly ledger: IssuedLedger;
  private readonly pending: PendingWrites;
  private readonly options: LerPluginOptions;

  constructor(options: LerPluginOptions) {
    this.options = options;
    this.network = options.network;
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
   * Moves the identity's ERC-1056 ownership to a fresh key in this agent's store. The registry powers move with it
   * (they follow `identityOwner`); credentials anchored before the rotation stay valid, unanchored ones signed by
   * the old key do not.
   */
  private async lerRotateOwner(args: { did: string }, context: LerContext): Promise<LerIdentity & { tx: WriteResult }> {
    const identifier = await this.identifier(args.did, context);
    const signer = await this.ownerSigner(identifier, context);
    const key = await context.agent.keyManagerCreate({ kms: "local", type: "Secp256k1" });
    const newOwner = computeAddressOf(key.publicKeyHex);
    const did = this.didRegistry(signer);
    const tx = await sendWrite(did, "changeOwner", [addressOf(identifier.did), newOwner], this.writeOptions);
    const store = this.didStoreOrThrow();
    // The former key leaves the identifier (it signs nothing more for it) but stays in the key store.
    const updated: IIdentifier = {
      ...identifier,
      controllerKeyId: key.kid,
      keys: [key, ...identifier.keys.filter((k) => k.kid !== identifier.controllerKeyId)],
    };
    await store.importDID(updated);
    return { ...this.describe(updated), tx };
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
    const tx = await sendWrite(trust, "registerType", [args.name], this.writeOptions);
    const typeId = Number(await trust.getFunction("typeIdOf")(args.name));
    return { typeId, tx };
  }

  private async lerAddRoot(args: AddRootArgs, context: LerContext): Promise<WriteResult> {
    const { trust } = await this.registriesAs(args.governor, context);
    const scope = await this.scopeOf(args.types);
    return sendWrite(
      trust,
      "addRoot",
      [addressOf(args.root), scope, args.validFrom ?? 0, args.validUntil ?? FOREVER, args.metadataURI ?? "", args.metadataHash ?? ZeroHash],
      this.writeOptions,
    );
  }

  private async lerAccredit(args: AccreditArgs, context: LerContext): Promise<WriteResult> {
    const { trust } = await this.registriesAs(args.accreditor, context);
    const scope = await this.scopeOf(args.types);
    return sendWrite(
      trust,
      "accredit",
      [
        addressOf(args.accreditor),
        addressOf(args.subject),
        roleBits(args.role),
        scope,
        args.validFrom ?? 0,
        args.validUntil ?? FOREVER,
        args.metadataURI ?? "",
        args.metadataHash ?? ZeroHash,
      ],
      this.writeOptions,
    );
  }

  private async lerUpdateAccreditation(args: UpdateAccreditationArgs, context: LerContext): Promise<WriteResult> {
    const { trust } = await this.registriesAs(args.accreditor, context);
    const scope = await this.scopeOf(args.types);
    return sendWrite(
      trust,
      "update",
      [
        addressOf(args.subject),
        roleBits(args.role),
        scope,
        args.validFrom ?? 0,
        args.validUntil ?? FOREVER,
        args.reason ?? 0,
        args.metadataURI ?? "",
        args.metadataHash ?? ZeroHash,
      ],
      this.writeOptions,
    );
  }

  private async lerSuspendAccreditation(args: AccreditationChangeArgs, context: LerContext): Promise<WriteResult> {
    const { trust } = await this.registriesAs(args.accreditor, context);
    return sendWrite(trust, "suspend", [addressOf(args.subject), args.reason ?? 0], this.writeOptions);
  }

  private async lerReinstateAccreditation(args: AccreditationChangeArgs, context: LerContext): Promise<WriteResult> {
    const { trust } = await this.registriesAs(args.accreditor, context);
    return sendWrite(trust, "reinstate", [addressOf(args.subject), args.reason ?? 0], this.writeOptions);
  }

  private async lerRevokeAccreditation(args: RevokeAccreditationArgs, context: LerContext): Promise<WriteResult> {
    const { trust } = await this.registriesAs(args.accreditor, context);
    const effectiveAt = args.effectiveAt ?? Number((await this.network.provider.getBlock("latest"))?.timestamp ?? this.now());
    return sendWrite(trust, "revoke", [addressOf(args.subject), effectiveAt, args.reason ?? 0], this.writeOptions);
  }

  // ---- issuing -------------------------------------------------------------------------------------------------

  private async lerIssueCredentials(args: IssueArgs, context: LerContext): Promise<IssueResult> {
    const identifier = await this.identifier(args.issuer, context);
    const { credentials, root } = await signBatch(
      { agent: context.agent, network: this.network, allocator: this.allocator, ledger: this.ledger },
      {
        issuer: {
          did: identifier.did,
          ...(identifier.controllerKeyId !== undefined && { keyRef: identifier.controllerKeyId }),
          address: addressOf(identifier.did),
          name: args.issuerName ?? identifier.alias ?? identifier.did,
          ...(args.issuerUrl !== undefined && { url: args.issuerUrl }),
        },
        requests: args.credentials,
        issuedAt: new Date(this.now() * 1000),
        ...(args.onProgress !== undefined && { onProgress: args.onProgress }),
      },
    );
    const result: IssueResult = { credentials, root };
    if (args.anchor !== false) result.anchor = await this.lerAnchor({ issuer: identifier.did, root }, context);
    return result;
  }

  /**
   * Anchors an issuance root. Recorded as an intent first, so a crash between sending and confirming is retried
   * from the pending log; a retry of a root that already landed is reported as done, not as an error.
   */
  private async lerAnchor(args: { issuer: string; root: string }, context: LerContext): Promise<WriteResult> {
    const issuer = addressOf(args.issuer);
    const intent = `anchor:${issuer}:${args.root.toLowerCase()}`;
    await this.pending.recordIntent({ id: intent, kind: "anchor", issuer, payload: { root: args.root } });
    const { status } = await this.registriesAs(args.issuer, context);
    let result: WriteResult;
    try {
      result = await sendWrite(status, "anchor", [issuer, args.root], this.writeOptions);
    } catch (e) {
      if (!(e instanceof LerError && e.code === "already_anchored")) throw e;
      const anchored = await status.getFunction("anchorOf")(issuer, args.root);
      result = { txHash: "", block: Number(anchored[1]), gasUsed: 0 };
    }
    await this.pending.markDone(intent, { txHash: result.txHash, block: result.block });
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
      return [await this.withIntent(how.intent, issuer, { list: t.list.toString(), indices: [t.index] }, () =>
        sendWrite(status, how.single, [issuer, t.list, t.index], this.writeOptions),
      )];
    }
    const results: WriteResult[] = [];
    for (const words of packStatusWords(targets)) {
      for (const chunk of chunkWords(words)) {
        const payload = { list: chunk.list.toString(), wordIndices: chunk.wordIndices.map(String), masks: chunk.masks.map((m) => `0x${m.toString(16)}`) };
        results.push(
          await this.withIntent(how.intent, issuer, payload, () =>
            sendWrite(status, how.words, [issuer, chunk.list, chunk.wordIndices, chunk.masks], this.writeOptions),
          ),
        );
      }
    }
    return results;
  }

  private async withIntent(log: boolean, issuer: string, payload: unknown, send: () => Promise<WriteResult>): Promise<WriteResult> {
    if (!log) return send();
    const id = `revocation:${issuer}:${keccak256(toUtf8Bytes(JSON.stringify(payload)))}`;
    await this.pending.recordIntent({ id, kind: "revocation", issuer, payload });
    const result = await send();
    await this.pending.markDone(id, { txHash: result.txHash, block: result.block });
    return result;
  }

  private async lerRevokeByHash(args: { issuer: string; credentials: string[] }, context: LerContext): Promise<WriteResult> {
    const issuer = addressOf(args.issuer);
    const { status } = await this.registriesAs(args.issuer, context);
    const hashes = args.credentials.map((c) => (/^0x[0-9a-fA-F]{64}$/.test(c) ? c : keccak256(toUtf8Bytes(c.trim()))));
    if (hashes.length === 1) return sendWrite(status, "revokeHash", [issuer, hashes[0]], this.writeOptions);
    return sendWrite(status, "revokeHashes", [issuer, hashes], this.writeOptions);
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
    const vp = await context.agent.createVerifiablePresentation({
      presentation: { holder: identifier.did, verifiableCredential: args.credentials },
      proofFormat: "jwt",
      ...(identifier.controllerKeyId !== undefined && { keyRef: identifier.controllerKeyId }),
      challenge: args.challenge,
      domain: args.domain,
    });
    const jwt = (vp.proof as { jwt?: string }).jwt;
    if (typeof jwt !== "string") throw new LerError("signing_failed", "Veramo returned a presentation without a JWT proof.");
    return { jwt };
  }

  private async lerTrustChain(args: { did: string }, _context: LerContext) {
    const address = addressOf(args.did);
    const snap = await readSnapshot(this.network.provider, this.network.deployment, {
      issuers: [address], typeNames: [], statuses: [], hashes: [], anchors: [],
    }, this.readOptions);
    return (snap.chains.get(address) ?? []).map((l) => ({
      address: l.subject,
      did: `did:ethr:${this.network.name}:${l.subject}`,
      role: [...(l.role & 1 ? ["issuer" as const] : []), ...(l.role & 2 ? ["accreditor" as const] : [])],
      status: (["none", "active", "suspended", "revoked"] as const)[l.status] ?? "none",
      validFrom: Number(l.validFrom),
      validUntil: l.validUntil >= BigInt(FOREVER) ? null : Number(l.validUntil),
      scope: scopeIds(l.scope).map((id) => ({ id })),
      isRoot: l.parent === "0x0000000000000000000000000000000000000000",
    }));
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  private get providerName(): string {
    return `did:ethr:${this.network.name}`;
  }

  private get writeOptions() {
    return { confirmations: this.options.confirmations ?? 1 };
  }

  private get readOptions() {
    return this.options.readTimeoutMs === undefined ? {} : { timeoutMs: this.options.readTimeoutMs };
  }

  private now(): number {
    return this.options.now?.() ?? Math.floor(Date.now() / 1000);
  }

  private get verifier(): VerifierContext {
    return { provider: this.network.provider, deployment: this.network.deployment, networkName: this.network.name };
  }

  private verifyOptions(args: { now?: number; clockSkewSeconds?: number; trustedRoots?: string[] }) {
    return {
      now: args.now ?? this.now(),
      ...(args.clockSkewSeconds !== undefined && { clockSkewSeconds: args.clockSkewSeconds }),
      ...(args.trustedRoots !== undefined && { trustedRoots: args.trustedRoots }),
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
  private async ownerSigner(identifier: IIdentifier, context: LerContext): Promise<Signer> {
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
    if (this.options.fund !== undefined && (await this.network.provider.getBalance(signer.address)) === 0n) {
      await this.options.fund(signer.address);
    }
    return signer;
  }

  private async registriesAs(didOrAlias: string, context: LerContext) {
    return registries(this.network.deployment, await this.ownerSigner(await this.identifier(didOrAlias, context), context));
  }

  private didRegistry(signer: Signer): Contract {
    return new Contract(this.network.deployment.contracts.EthereumDIDRegistry.address, didRegistryArtifact().abi, signer);
  }

  private async scopeOf(types: readonly string[]): Promise<bigint> {
    if (types.length === 0) throw new LerError("empty_scope", "Name at least one credential type.");
    const trust = new Contract(this.network.deployment.contracts.TrustRegistry.address, trustAbi, this.network.provider);
    let scope = 0n;
    for (const name of types) {
      try {
        scope |= 1n << BigInt(await trust.getFunction("typeIdOf")(name));
      } catch (e) {
        const err = e as { revert?: { name?: string } };
        if (err.revert?.name === "TrustRegistryUnknownTypeName") {
          throw new LerError("unknown_type_name", `"${name}" is not a registered credential type.`);
        }
        throw new ChainError("chain_error", `Cannot read the id of type "${name}".`, { cause: e });
      }
    }
    return scope;
  }
}

const trustAbi = new Interface(projectArtifact("TrustRegistry").abi);

function roleBits(role: AccreditationRole): number {
  const bits = ROLE_BITS[role];
  if (bits === undefined) throw new LerError("invalid_role", `Role is issuer, accreditor or both, not "${role}".`);
  return bits;
}

function scopeIds(scope: bigint): number[] {
  const ids: number[] = [];
  for (let i = 0; scope >> BigInt(i) !== 0n; i++) if (((scope >> BigInt(i)) & 1n) === 1n) ids.push(i);
  return ids;
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
