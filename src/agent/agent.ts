import {
  createAgent,
  type ICredentialPlugin,
  type IDIDManager,
  type IKeyManager,
  type IResolver,
  type TAgent,
} from "@veramo/core";
import { CredentialProviderJWT } from "@veramo/credential-jwt";
import { CredentialPlugin } from "@veramo/credential-w3c";
import { DIDStoreJson, KeyStoreJson } from "@veramo/data-store-json";
import { DIDManager } from "@veramo/did-manager";
import { EthrDIDProvider } from "@veramo/did-provider-ethr";
import { DIDResolverPlugin } from "@veramo/did-resolver";
import { KeyManager } from "@veramo/key-manager";
import { LerKeyManagementSystem } from "./kms.js";
import { EthrDidController, getResolver } from "ethr-did-resolver";
import type { LerNetwork } from "../chain/network.js";
import { openKeyStore, SealedPrivateKeyStore, type KeyStoreHandle } from "../store/keystore.js";
import { LerPlugin, type LerPluginOptions } from "./plugin.js";
import type { ILerPlugin } from "./types.js";

/** The agent every face uses: Veramo's identity, key and credential plugins, plus the LER plugin. */
export type LerAgent = TAgent<IDIDManager & IKeyManager & IResolver & ICredentialPlugin & ILerPlugin>;

export interface CreateLerAgentOptions extends Omit<LerPluginOptions, "network" | "home" | "didStore" | "storeKeys"> {
  network: LerNetwork;
  /** The agent's home: the encrypted key store, status allocations, issued-credential ledger, wallet. */
  home: string;
  /** The key store's passphrase (LER_SECRET, or asked for at a prompt). Never written anywhere. */
  secret: string;
  /** The home's key store, already opened with `secret` ({@link openHome}): it is then not unlocked a second time. */
  keyStore?: KeyStoreHandle;
}

/**
 * Opens (creating it if need be) the encrypted key store of `home` with `secret`: the handle `createLerAgent` takes
 * as `keyStore`, whose `storeKeys` open the home's wallet and issued ledger.
 */
export function openHome(home: string, secret: string): Promise<KeyStoreHandle> {
  return openKeyStore(home, secret);
}

/** did:ethr resolution for one network, with ethr-did-resolver. */
export function ethrResolver(network: LerNetwork) {
  // ethr-did-resolver is CommonJS and sees ethers' CommonJS types; at run time both are the same ethers.
  type EthrProvider = NonNullable<ConstructorParameters<typeof EthrDidController>[4]>;
  return getResolver({
    networks: [
      {
        name: network.name,
        chainId: network.chainId,
        registry: network.deployment.contracts.EthereumDIDRegistry.address,
        provider: network.provider as unknown as EthrProvider,
      },
    ],
  });
}

/**
 * Creates a Veramo agent for `network` with a persistent, encrypted key store in `home`. An existing Veramo agent
 * gains the same LER support by adding `new LerPlugin(...)` to its plugins.
 */
export async function createLerAgent(options: CreateLerAgentOptions): Promise<LerAgent> {
  const { network, home, secret, keyStore, ...pluginOptions } = options;
  const store = keyStore ?? (await openKeyStore(home, secret));
  const didStore = new DIDStoreJson(store.json);
  const provider = `did:ethr:${network.name}`;
  return createAgent<IDIDManager & IKeyManager & IResolver & ICredentialPlugin & ILerPlugin>({
    plugins: [
      new KeyManager({
        store: new KeyStoreJson(store.json),
        kms: { local: new LerKeyManagementSystem(new SealedPrivateKeyStore(store.json, store.secretBox)) },
      }),
      new DIDManager({
        store: didStore,
        defaultProvider: provider,
        providers: {
          [provider]: new EthrDIDProvider({
            defaultKms: "local",
            networks: [
              {
                name: network.name,
                chainId: network.chainId,
                registry: network.deployment.contracts.EthereumDIDRegistry.address,
                provider: network.provider as never,
              },
            ],
          }),
        },
      }),
      new DIDResolverPlugin(ethrResolver(network)),
      new CredentialPlugin([new CredentialProviderJWT()]),
      new LerPlugin({ ...pluginOptions, network, home, didStore, storeKeys: store.storeKeys }),
    ],
  });
}
