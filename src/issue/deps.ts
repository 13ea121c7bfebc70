import type { IIdentifier, IKey, IKeyManager, TAgent } from "@veramo/core";
import type { Signer } from "ethers";
import type { LerNetwork } from "../chain/network.js";
import type { WriteOptions } from "../chain/writes.js";
import type { IndexAllocator, IntentLog, IssuedLedgerStore } from "../store/types.js";

/**
 * What the issuing, status and accreditation operations are given instead of reaching for it: the network, how to
 * write and read, the issuer's local state, and the clock. The agent builds it once (src/agent/plugin.ts).
 */
export interface IssuerDeps {
  network: LerNetwork;
  /** Confirmations and the sending key's lock, for every write. */
  writeOptions: WriteOptions;
  /** Deadline of each JSON-RPC read and the oldest head believed (`ReadOptions`). */
  readOptions: { timeoutMs?: number; maxHeadAgeSeconds?: number };
  /** Where status indices are reserved, the issued ledger and the intent log (a home's files, or a database). */
  allocator: IndexAllocator;
  ledger: IssuedLedgerStore;
  pending: IntentLog;
  /** The clock, in unix seconds. */
  now: () => number;
}

/** A signer of an identity's owner key, its address known without asking. */
export interface OwnerSigner extends Signer {
  readonly address: string;
}

/**
 * What the operations need from the agent's key store, bound to one call's agent (src/agent/keys.ts implements it
 * over Veramo's DID and key managers).
 */
export interface IdentityKeys {
  /** Signs with a key of the store (credentials, presentations, status lists). */
  readonly agent: TAgent<IKeyManager>;
  /** This agent's identity for a DID or alias (`unknown_identity` when it holds no key for it). */
  identifier(didOrAlias: string): Promise<IIdentifier>;
  /** This agent's identity for a DID or address, matched by address; undefined when it holds no key for it. */
  ownIdentifier(didOrAddress: string): Promise<IIdentifier | undefined>;
  /** The signer of the identity's current owner key, after checking on chain that it is still the owner. */
  ownerSigner(identifier: IIdentifier, options?: { fund?: boolean }): Promise<OwnerSigner>;
  /** A new secp256k1 key in the store. */
  createKey(): Promise<IKey>;
  /**
   * Saves an identifier's new keys in the DID store. `required`: without a DID store, `no_did_store`; otherwise a
   * store that is not there is skipped.
   */
  saveIdentifier(identifier: IIdentifier, options: { required: boolean }): Promise<void>;
  /** Aliases of this agent's identities, by address. */
  labels(): Promise<Map<string, string>>;
}
