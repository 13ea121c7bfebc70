import type { IIdentifier } from "@veramo/core";
import type { DIDStoreJson } from "@veramo/data-store-json";
import { Wallet } from "ethers";
import { LerError } from "../errors.js";
import type { LerNetwork } from "../chain/network.js";
import type { IdentityKeys } from "../issue/deps.js";
import { computeAddressOf, confirmOwner, describeIdentity } from "../issue/identity.js";
import { addressOf } from "../issue/issue.js";
import type { LerIdentity } from "../issue/types.js";
import { kmsSigner } from "./kmsSigner.js";
import type { LerContext } from "./types.js";

/**
 * The agent's identities and keys, through Veramo's DID and key managers: what the operations of src/issue/ are
 * given as {@link IdentityKeys}, and creating, importing and listing identities.
 */
export interface KeyStoreOptions {
  network: LerNetwork;
  /** The DID store the DIDManager uses: rotation updates an identifier's controller key there. */
  didStore?: DIDStoreJson | undefined;
  /** Pays gas for a key that has none (dev chains fund new identities this way). */
  fund?: ((address: string) => Promise<void>) | undefined;
}

/** The DIDManager provider of `network`'s identities. */
export function providerName(network: LerNetwork): string {
  return `did:ethr:${network.name}`;
}

/** {@link IdentityKeys} over one call's Veramo context. */
export function identityKeys(options: KeyStoreOptions, context: LerContext): IdentityKeys {
  const provider = providerName(options.network);
  const all = () => context.agent.didManagerFind({ provider });
  return {
    agent: context.agent,
    async identifier(didOrAlias) {
      try {
        if (didOrAlias.startsWith("did:")) return await context.agent.didManagerGet({ did: didOrAlias });
        return await context.agent.didManagerGetByAlias({ alias: didOrAlias, provider });
      } catch {
        throw new LerError("unknown_identity", `This agent holds no key for ${didOrAlias}.`);
      }
    },
    async ownIdentifier(didOrAddress) {
      const address = addressOf(didOrAddress);
      return (await all()).find((i) => addressOf(i.did) === address);
    },
    async ownerSigner(identifier, { fund = true } = {}) {
      const key = identifier.keys.find((k) => k.kid === identifier.controllerKeyId);
      if (key === undefined) throw new LerError("no_controller_key", `No controller key for ${identifier.did}.`);
      const signer = kmsSigner(context.agent, key, options.network.provider);
      await confirmOwner({ network: options.network }, identifier.did, signer.address, {
        fund: fund ? options.fund : undefined,
      });
      return signer;
    },
    createKey: () => context.agent.keyManagerCreate({ kms: "local", type: "Secp256k1" }),
    async saveIdentifier(identifier, { required }) {
      if (options.didStore === undefined) {
        if (required) throw noDidStore();
        return;
      }
      await options.didStore.importDID(identifier);
    },
    async labels() {
      return new Map(
        (await all()).flatMap((i) => (i.alias === undefined ? [] : [[addressOf(i.did), i.alias] as const])),
      );
    },
  };
}

function noDidStore(): LerError {
  return new LerError("no_did_store", "This agent has no DID store for the LER plugin.");
}

/**
 * Creates an identity with a new key in the encrypted store. Its DID is the address form,
 * `did:ethr:<network>:<address>`: the registries key identities by address, and so do verifiers' reports.
 */
export async function createIdentity(
  options: KeyStoreOptions,
  context: LerContext,
  args: { alias?: string },
): Promise<LerIdentity> {
  const store = options.didStore;
  if (store === undefined) throw noDidStore();
  if (args.alias !== undefined) await checkAliasFree(options, context, args.alias);
  const key = await context.agent.keyManagerCreate({ kms: "local", type: "Secp256k1" });
  const identifier: IIdentifier = {
    did: `did:ethr:${options.network.name}:${computeAddressOf(key.publicKeyHex)}`,
    provider: providerName(options.network),
    ...(args.alias !== undefined && { alias: args.alias }),
    controllerKeyId: key.kid,
    keys: [key],
    services: [],
  };
  await store.importDID(identifier);
  return describeIdentity(identifier);
}

/** Imports an identity from its private key (hex, with or without 0x). */
export async function importIdentity(
  options: KeyStoreOptions,
  context: LerContext,
  args: { alias?: string; privateKeyHex: string },
): Promise<LerIdentity> {
  let wallet: Wallet;
  try {
    wallet = new Wallet(args.privateKeyHex.startsWith("0x") ? args.privateKeyHex : `0x${args.privateKeyHex}`);
  } catch {
    throw new LerError("invalid_private_key", "Not a valid secp256k1 private key.");
  }
  if (args.alias !== undefined) await checkAliasFree(options, context, args.alias);
  const kid = `${wallet.address.toLowerCase()}#controller`;
  const did = `did:ethr:${options.network.name}:${wallet.address}`;
  const identifier = await context.agent.didManagerImport({
    did,
    provider: providerName(options.network),
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
  return describeIdentity(identifier);
}

/** This agent's identities on the network. */
export async function listIdentities(options: KeyStoreOptions, context: LerContext): Promise<LerIdentity[]> {
  const ids = await context.agent.didManagerFind({ provider: providerName(options.network) });
  return ids.map((i) => describeIdentity(i));
}

async function checkAliasFree(options: KeyStoreOptions, context: LerContext, alias: string): Promise<void> {
  const existing = await context.agent.didManagerFind({ alias, provider: providerName(options.network) });
  if (existing.length > 0) throw new LerError("alias_taken", `An identity called "${alias}" exists already.`);
}
