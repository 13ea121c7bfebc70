import { createRequire } from "node:module";
import { secp256k1 as noble } from "@noble/curves/secp256k1";
import { keccak256Bytes } from "../credentials/keccak.js";

/**
 * secp256k1 for signature checks: libsecp256k1 through the `secp256k1` package's N-API binding (prebuilt for
 * linux-x64, darwin-arm64 and win32-x64: no build step), about 30 times faster than the pure-JS @noble/curves, which
 * stays the fallback where the binding does not load. `LER_SECP256K1=js` forces the fallback. Both accept the same
 * signatures (high-s included, as a recovery does); test/verify/signature.test.ts holds them together.
 */
export interface Secp256k1Backend {
  readonly name: string;
  /** The uncompressed public key (65 bytes) that made the 64-byte `r || s` over `hash` with recovery id `recid`. */
  recover(signature: Uint8Array, recid: number, hash: Uint8Array): Uint8Array | undefined;
  /** Whether `publicKey` (33 or 65 bytes) made the 64-byte `r || s` over `hash`. */
  verify(signature: Uint8Array, hash: Uint8Array, publicKey: Uint8Array): boolean;
  /**
   * The 64-byte `r || s` signature of `hash` (32 bytes) by `privateKey` (32 bytes): RFC 6979 deterministic nonce,
   * low s. Both backends give the same bytes for the same input (test/verify/signature.test.ts).
   */
  sign(hash: Uint8Array, privateKey: Uint8Array): Uint8Array;
}

interface NativeSecp256k1 {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed?: boolean): Uint8Array;
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, publicKey: Uint8Array): boolean;
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
  signatureNormalize(sig: Uint8Array): Uint8Array;
}

/** The pure-JS backend (@noble/curves). */
export const jsBackend: Secp256k1Backend = {
  name: "@noble/curves (pure JS)",
  recover(signature, recid, hash) {
    try {
      return noble.Signature.fromCompact(signature).addRecoveryBit(recid).recoverPublicKey(hash).toRawBytes(false);
    } catch {
      // No point for this recovery id, or r/s out of range: nothing signed it.
      return undefined;
    }
  },
  verify(signature, hash, publicKey) {
    try {
      return noble.verify(signature, hash, publicKey, { lowS: false, prehash: false, format: "compact" });
    } catch {
      return false;
    }
  },
  sign(hash, privateKey) {
    return noble.sign(hash, privateKey, { lowS: true, prehash: false }).toCompactRawBytes();
  },
};

function loadNative(): Secp256k1Backend | undefined {
  if (process.env.LER_SECP256K1 === "js") return undefined;
  let native: NativeSecp256k1;
  try {
    native = createRequire(import.meta.url)("secp256k1/bindings") as NativeSecp256k1;
  } catch {
    return undefined;
  }
  return {
    name: "libsecp256k1 (secp256k1 N-API binding)",
    recover(signature, recid, hash) {
      try {
        return native.ecdsaRecover(signature, recid, hash, false);
      } catch {
        return undefined;
      }
    },
    verify(signature, hash, publicKey) {
      try {
        // libsecp256k1 verifies lower-s signatures only; the upper-s twin is the same signature by the same key.
        return native.ecdsaVerify(native.signatureNormalize(Uint8Array.from(signature)), hash, publicKey);
      } catch {
        return false;
      }
    },
    sign(hash, privateKey) {
      // libsecp256k1's default nonce is RFC 6979's, and its signatures are low-s: the same bytes as @noble/curves.
      return Uint8Array.from(native.ecdsaSign(hash, privateKey).signature);
    },
  };
}

/** The native backend, when it loads. */
export const nativeBackend: Secp256k1Backend | undefined = loadNative();

/** The backend signature checks use. */
export const secp256k1Backend: Secp256k1Backend = nativeBackend ?? jsBackend;

/** The Ethereum address of an uncompressed public key (65 bytes, 0x04 first), lowercase 0x hex. */
export function addressOfPublicKey(uncompressed: Uint8Array): string {
  return `0x${Buffer.from(keccak256Bytes(uncompressed.subarray(1))).toString("hex", 12)}`;
}

/** The uncompressed form of a 33- or 65-byte public key; undefined if it is not a curve point. */
export function uncompressedKey(publicKey: Uint8Array): Uint8Array | undefined {
  try {
    return noble.ProjectivePoint.fromHex(publicKey).toRawBytes(false);
  } catch {
    return undefined;
  }
}
