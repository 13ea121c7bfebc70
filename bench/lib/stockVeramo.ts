/**
 * Stock Veramo, as an issuer that uses nothing of this project would: `createAgent` with the key manager, kms-local
 * (its own @noble/curves ES256K signer), the DID manager and the W3C credential plugin with JWT proofs, all in
 * memory. The benchmarks' reference for signing speed; the same key as the issuer being measured.
 */
import { createAgent, type ICredentialPlugin, type IDIDManager, type IKeyManager } from "@veramo/core";
import { CredentialPlugin } from "@veramo/credential-w3c";
import { CredentialProviderJWT } from "@veramo/credential-jwt";
import { DIDManager, MemoryDIDStore } from "@veramo/did-manager";
import { KeyManager, MemoryKeyStore, MemoryPrivateKeyStore } from "@veramo/key-manager";
import { KeyManagementSystem } from "@veramo/kms-local";
import { EthrDIDProvider } from "@veramo/did-provider-ethr";
import { SigningKey } from "ethers";

export async function stockVeramoIssuer(did: string, privateKeyHex: string) {
  const network = did.split(":")[2]!;
  const agent = createAgent<IKeyManager & IDIDManager & ICredentialPlugin>({
    plugins: [
      new KeyManager({
        store: new MemoryKeyStore(),
        kms: { local: new KeyManagementSystem(new MemoryPrivateKeyStore()) },
      }),
      new DIDManager({
        store: new MemoryDIDStore(),
        defaultProvider: `did:ethr:${network}`,
        providers: {
          [`did:ethr:${network}`]: new EthrDIDProvider({
            defaultKms: "local",
            networks: [{ name: network, chainId: 31337 }],
          }),
        },
      }),
      new CredentialPlugin([new CredentialProviderJWT()]),
    ],
  });
  const key = privateKeyHex.replace(/^0x/, "");
  const publicKeyHex = SigningKey.computePublicKey(`0x${key}`, true).slice(2);
  const identifier = await agent.didManagerImport({
    did,
    provider: `did:ethr:${network}`,
    controllerKeyId: publicKeyHex,
    keys: [{ kid: publicKeyHex, kms: "local", type: "Secp256k1", privateKeyHex: key, publicKeyHex }],
    services: [],
  });
  return { agent, keyRef: identifier.controllerKeyId! };
}
