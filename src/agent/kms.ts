import { createHash } from "node:crypto";
import type { IKey } from "@veramo/core";
import type { AbstractPrivateKeyStore } from "@veramo/key-manager";
import { KeyManagementSystem } from "@veramo/kms-local";
import { secp256k1Backend } from "../verify/secp256k1.js";

/**
 * Veramo's local KMS, signing ES256K with libsecp256k1 (the `secp256k1` package's N-API binding) where kms-local
 * signs with pure-JS @noble/curves: the same bytes (SHA-256 of the data, RFC 6979 nonce, low s, `r || s` in
 * base64url), about twenty times faster, which is most of what issuing a credential costs. Every other algorithm and
 * key type is kms-local's own. Where the binding does not load it falls back to @noble/curves, as verification does.
 * test/agent/kms.test.ts holds its signatures equal to kms-local's.
 */
export class LerKeyManagementSystem extends KeyManagementSystem {
  readonly #keys: AbstractPrivateKeyStore;

  constructor(keyStore: AbstractPrivateKeyStore) {
    super(keyStore);
    this.#keys = keyStore;
  }

  override async sign(args: { keyRef: Pick<IKey, "kid">; algorithm?: string; data: Uint8Array }): Promise<string> {
    if (args.algorithm === undefined || args.algorithm === "ES256K") {
      let key;
      try {
        key = await this.#keys.getKey({ alias: args.keyRef.kid });
      } catch {
        return super.sign(args); // kms-local's own error for a missing key
      }
      if (key.type === "Secp256k1") {
        const hash = createHash("sha256").update(args.data).digest();
        const signature = secp256k1Backend.sign(hash, Buffer.from(key.privateKeyHex, "hex"));
        return Buffer.from(signature).toString("base64url");
      }
    }
    return super.sign(args);
  }
}
