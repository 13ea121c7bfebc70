import { expect } from "chai";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { secp256k1 } from "@noble/curves/secp256k1";
import {
  computeAddress,
  getAddress,
  getBytes,
  hexlify,
  keccak256,
  sha256,
  toBeArray,
  toUtf8Bytes,
  Wallet,
} from "ethers";
import { ES256KSigner, createJWT } from "did-jwt";
import {
  keccak256Bytes,
  keccak256BytesJs,
  keccak256Hex,
  keccak256HexJs,
  keccakBackend,
} from "../../src/credentials/keccak.js";
import type { SigningKeys } from "../../src/did/ethr.js";
import { decodeJwt, signedBy, signerCandidates } from "../../src/verify/jwt.js";
import {
  addressOfPublicKey,
  jsBackend,
  nativeBackend,
  secp256k1Backend,
  type Secp256k1Backend,
} from "../../src/verify/secp256k1.js";

const N = secp256k1.CURVE.n;
const key = (i: number) => keccak256(toUtf8Bytes(`signature-test/key/${i}`));
const keysOf = (p: Partial<SigningKeys>): SigningKeys => ({
  owner: "",
  deactivated: false,
  addresses: [],
  publicKeys: [],
  versionId: 0,
  ...p,
});
const backends: Secp256k1Backend[] = [jsBackend, ...(nativeBackend === undefined ? [] : [nativeBackend])];

describe("verify/hashing: keccak256 for the hot paths", () => {
  it("agrees with ethers' keccak256 on bytes of every length around the 136-byte block", () => {
    for (const n of [0, 1, 31, 32, 55, 64, 135, 136, 137, 271, 272, 273, 1000, 3100]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 255);
      expect(hexlify(keccak256Bytes(bytes)), `${n} bytes`).to.equal(keccak256(bytes));
      expect(hexlify(keccak256BytesJs(bytes)), `${n} bytes, JS`).to.equal(keccak256(bytes));
      expect(keccak256Hex(bytes), `${n} bytes, hex`).to.equal(keccak256(bytes));
      // A view into a larger buffer is hashed over its own bytes only.
      const framed = new Uint8Array(n + 10).fill(0xee);
      framed.set(bytes, 5);
      expect(hexlify(keccak256Bytes(framed.subarray(5, 5 + n))), `${n} bytes, a view`).to.equal(keccak256(bytes));
    }
  });

  it("uses the native sponge where the binding is prebuilt for the platform, unless LER_KECCAK=js", () => {
    const prebuilt = existsSync(
      join(
        dirname(createRequire(import.meta.url).resolve("keccak/package.json")),
        "prebuilds",
        `${process.platform}-${process.arch}`,
      ),
    );
    expect(keccakBackend).to.equal(
      process.env.LER_KECCAK !== "js" && prebuilt ? "native (keccak N-API binding)" : "JS",
    );
  });

  it("hashes a string's UTF-8 bytes, ASCII or not", () => {
    const long = ["x".repeat(20_000), "é".repeat(6_000), "🎓".repeat(3_000), "東".repeat(7_000)]; // past the reused buffer
    for (const text of [
      "",
      "eyJhbGciOiJFUzI1NksifQ.e30.sig",
      "x".repeat(136),
      "x".repeat(500),
      "Zürich · 東京 · 🎓".repeat(20),
      ...long,
      "short again",
    ]) {
      expect(keccak256Hex(text), JSON.stringify(text.slice(0, 20))).to.equal(keccak256(toUtf8Bytes(text)));
      expect(keccak256HexJs(text), `${JSON.stringify(text.slice(0, 20))}, JS`).to.equal(keccak256(toUtf8Bytes(text)));
    }
  });

  it("derives addresses as ethers does", () => {
    for (let i = 0; i < 5; i++) {
      const pub = secp256k1.getPublicKey(getBytes(key(i)), false);
      expect(getAddress(addressOfPublicKey(pub))).to.equal(computeAddress(hexlify(pub)));
    }
  });
});

describe("verify/secp256k1: the native and pure-JS backends accept the same signatures", () => {
  it(`uses ${secp256k1Backend.name} here`, () => {
    // On linux-x64 the prebuilt binding loads; elsewhere the fallback is used and this only documents it.
    expect(secp256k1Backend.name).to.be.a("string");
    if (process.platform === "linux" && process.arch === "x64" && process.env.LER_SECP256K1 !== "js") {
      expect(nativeBackend, "the prebuilt N-API binding loads on linux-x64").to.not.equal(undefined);
    }
  });

  it("recover and verify agree, for low-s and high-s signatures, and refuse wrong keys and out-of-range values", () => {
    for (let i = 0; i < 12; i++) {
      const priv = getBytes(key(i));
      const pub = secp256k1.getPublicKey(priv, false);
      const other = secp256k1.getPublicKey(getBytes(key(100 + i)), true);
      const hash = getBytes(sha256(toUtf8Bytes(`message ${i}`)));
      const sig = secp256k1.sign(hash, priv);
      const low = sig.toCompactRawBytes();
      // The same signature with s replaced by n - s, and the other recovery id: valid for the same key.
      const high = new secp256k1.Signature(sig.r, N - sig.s).toCompactRawBytes();
      for (const b of backends) {
        expect(hexlify(b.recover(low, sig.recovery, hash)!), `${b.name} low-s`).to.equal(hexlify(pub));
        expect(hexlify(b.recover(high, sig.recovery ^ 1, hash)!), `${b.name} high-s`).to.equal(hexlify(pub));
        expect(b.verify(low, hash, pub), `${b.name} verify low-s`).to.equal(true);
        expect(b.verify(high, hash, pub), `${b.name} verify high-s`).to.equal(true);
        expect(b.verify(low, hash, other), `${b.name} other key`).to.equal(false);
        const wrong = b.recover(low, sig.recovery ^ 1, hash);
        expect(wrong === undefined || hexlify(wrong) !== hexlify(pub), `${b.name} wrong recovery id`).to.equal(true);
        const zero = new Uint8Array(64);
        expect(b.recover(zero, 0, hash), `${b.name} r = s = 0`).to.equal(undefined);
        expect(b.verify(zero, hash, pub)).to.equal(false);
        const outOfRange = Uint8Array.from([...toBeArray(N), ...low.subarray(32)]);
        expect(b.recover(outOfRange, 0, hash), `${b.name} r = n`).to.equal(undefined);
        expect(b.verify(outOfRange, hash, pub)).to.equal(false);
      }
    }
  });

  for (const alg of ["ES256K", "ES256K-R"] as const) {
    it(`${alg}: signedBy accepts the owner, a delegate and a public-key attribute, and nothing else, with either backend`, async () => {
      const signer = new Wallet(key(1));
      const jwt = decodeJwt(
        await createJWT(
          { iss: "did:ethr:0x1", sub: "x" },
          { issuer: "did:ethr:0x1", signer: ES256KSigner(getBytes(key(1)), alg === "ES256K-R"), alg },
          { alg },
        ),
      );
      const stranger = new Wallet(key(2));
      const uncompressed = signer.signingKey.publicKey;
      const cases: [string, SigningKeys, boolean][] = [
        ["owner", keysOf({ owner: signer.address, addresses: [signer.address] }), true],
        ["delegate", keysOf({ owner: stranger.address, addresses: [stranger.address, signer.address] }), true],
        [
          "compressed key attribute",
          keysOf({ addresses: [stranger.address], publicKeys: [signer.signingKey.compressedPublicKey] }),
          true,
        ],
        [
          "uncompressed key attribute",
          keysOf({ addresses: [stranger.address], publicKeys: [uncompressed.toLowerCase()] }),
          true,
        ],
        [
          "raw 64-byte key attribute",
          keysOf({ addresses: [], publicKeys: [`0x${uncompressed.slice(4)}`.toLowerCase()] }),
          true,
        ],
        ["someone else", keysOf({ owner: stranger.address, addresses: [stranger.address] }), false],
        ["malformed key attribute", keysOf({ addresses: [stranger.address], publicKeys: ["0x1234"] }), false],
        ["deactivated", keysOf({ owner: signer.address, addresses: [signer.address], deactivated: true }), false],
      ];
      for (const b of backends) {
        for (const [what, keys, expected] of cases) {
          expect(signedBy(jwt, keys, b), `${b.name}: ${what}`).to.equal(expected);
          // Twice: the second time the signer's key may be known from the first.
          expect(signedBy(jwt, keys, b), `${b.name}: ${what}, again`).to.equal(expected);
        }
        expect(signerCandidates(jwt, b), b.name).to.include(signer.address);
      }
      // A tampered payload is signed by nobody allowed.
      const [h, p, s] = jwt.raw.split(".") as [string, string, string];
      const payload = { ...(JSON.parse(Buffer.from(p, "base64url").toString()) as object), sub: "y" };
      const tampered = decodeJwt(`${h}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${s}`);
      for (const b of backends) {
        expect(signedBy(tampered, keysOf({ addresses: [signer.address] }), b), b.name).to.equal(false);
      }
    });
  }
});
