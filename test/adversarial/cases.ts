// The adversarial credential and presentation cases, as data: each names what is handed to the verifier, the
// result it must get and the check and stable code that must say why. None may come out `valid`.
// Shared by the library suite (credentials.test.ts) and the CLI suite: a module, not a test file. Importing it
// defines the table and nothing else (mocha loads every .ts under test/, so it must have no side effects).
import { createHmac } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1";
import { anchorBatch } from "../../src/credentials/index.js";
import type { CheckId } from "../../src/verify/report.js";
import { b64url, malleate, nonCanonicalSignature, parts, payloadOf, signJwt, signRaw } from "./jws.js";
import { CHALLENGE, DOMAIN, type AdversarialWorld, type CredentialOptions } from "./world.js";

export type CaseCategory =
  | "jose"
  | "encoding"
  | "signature"
  | "issuer"
  | "validity"
  | "trust"
  | "status"
  | "anchor"
  | "presentation"
  | "structure"
  | "vcjose";

/** What a case hands to the verifier. */
export interface CaseInput {
  kind: "credential" | "presentation";
  /** A token (normally a string; some cases pass other values). */
  token: unknown;
  /** Presentations: the verifier's challenge and domain (default CHALLENGE and DOMAIN). */
  challenge?: string;
  domain?: string;
  trustedRoots?: string[];
  /** The verifier's clock; default the scenario's now. */
  now?: number;
}

export interface Expected {
  result: "invalid" | "unknown";
  /** The check that must carry `code` (with `outcome`). */
  check: CheckId;
  code: string;
  /** Default "fail" for an invalid result, "unknown" for an unknown one. */
  outcome?: "fail" | "unknown";
  /** Presentations: the code is in the report of the credential at this position, not the presentation's own. */
  inCredential?: number;
}

export interface AdversarialCase {
  id: string;
  category: CaseCategory;
  description: string;
  build: (w: AdversarialWorld) => CaseInput;
  expected: Expected;
}

const cred = (token: unknown, extra: Partial<CaseInput> = {}): CaseInput => ({ kind: "credential", token, ...extra });
const pres = (token: unknown, extra: Partial<CaseInput> = {}): CaseInput => ({
  kind: "presentation",
  token,
  challenge: CHALLENGE,
  domain: DOMAIN,
  ...extra,
});
const fail = (check: CheckId, code: string, extra: Partial<Expected> = {}): Expected => ({
  result: "invalid",
  check,
  code,
  ...extra,
});
const unknown = (check: CheckId, code: string): Expected => ({ result: "unknown", check, code, outcome: "unknown" });

/** The baseline: a credential the university really could have issued (valid by itself; see the controls). */
const UNI: CredentialOptions = { issuer: "university" };

/** The baseline payload signed under another header. */
function withHeader(
  w: AdversarialWorld,
  header: Record<string, unknown> | string,
  signer = w.wallets.university.privateKey,
): string {
  return signJwt(w.payload(UNI), signer, { header });
}

/** The baseline payload with `header`, signed by `sign` over the signing input (any algorithm). */
function customSigned(
  w: AdversarialWorld,
  header: Record<string, unknown>,
  sign: (input: string) => Uint8Array,
): string {
  const h = b64url(header);
  const p = b64url(w.payload(UNI));
  return `${h}.${p}.${b64url(sign(`${h}.${p}`))}`;
}

/** A string of `bytes` characters, to pad a claim with. */
const filler = (bytes: number) => "x".repeat(bytes);

/** A mixed-case address with the case of its first letter flipped: the EIP-55 checksum no longer holds. */
function breakChecksum(address: string): string {
  const i = [...address].findIndex((c, k) => k > 1 && /[a-fA-F]/.test(c));
  const c = address[i]!;
  return address.slice(0, i) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + address.slice(i + 1);
}

/** Replaces the issuer DID in `iss` (and keeps everything else), signed by `signer`. */
function issAs(w: AdversarialWorld, iss: unknown, signer: keyof AdversarialWorld["wallets"] = "mallory"): string {
  return w.credential({ ...UNI, signer }, (p) => {
    p.iss = iss;
  });
}

/**
 * The baseline payload (or header) as JSON text with `bytes` put inside a string value, signed over exactly those
 * bytes by the issuer: bytes no JSON.stringify can write (invalid UTF-8).
 */
function rawSigned(w: AdversarialWorld, insert: { payload?: number[]; header?: number[] }): string {
  const mark = "@@RAW@@";
  const withBytes = (json: string, bytes: number[] | undefined) => {
    const text = Buffer.from(json, "utf8");
    if (bytes === undefined) return text.toString("base64url");
    const at = text.indexOf(mark);
    return Buffer.concat([text.subarray(0, at), Buffer.from(bytes), text.subarray(at + mark.length)]).toString(
      "base64url",
    );
  };
  const payload = w.payload(UNI);
  (payload.vc as Record<string, unknown>).name = `Degree ${mark}`;
  const h = withBytes(JSON.stringify({ alg: "ES256K", typ: `JWT${insert.header ? mark : ""}` }), insert.header);
  const p = withBytes(JSON.stringify(payload), insert.payload);
  return `${h}.${p}.${b64url(signRaw(`${h}.${p}`, w.wallets.university.privateKey))}`;
}

function edited(token: string, edit: (p: Record<string, unknown>) => void): string {
  const [h, , s] = parts(token);
  const p = payloadOf(token);
  edit(p);
  return `${h}.${b64url(p)}.${s}`;
}

/** The credential of a payload: its `vc` claim (VC 1.1, as the world crafts), or the payload itself (VC-JOSE, as the agent issues). */
function vcOf(p: Record<string, unknown>): Record<string, unknown> {
  return (p.vc ?? p) as Record<string, unknown>;
}

export const CASES: readonly AdversarialCase[] = [
  // ---- JOSE header: algorithms and key hints --------------------------------------------------------------------
  {
    id: "jose/alg-none-unsigned",
    category: "jose",
    description: "alg none with an empty signature part",
    build: (w) => cred(`${b64url({ alg: "none", typ: "JWT" })}.${b64url(w.payload(UNI))}.`),
    expected: fail("format", "malformed_jwt"),
  },
  {
    id: "jose/alg-none-with-signature",
    category: "jose",
    description: "alg none carrying a real ES256K signature by the issuer",
    build: (w) => cred(withHeader(w, { alg: "none", typ: "JWT" })),
    expected: fail("format", "unsupported_alg"),
  },
  {
    id: "jose/alg-hs256-public-key-as-secret",
    category: "jose",
    description: "HS256 keyed with the issuer's public key (the classic algorithm-confusion forgery)",
    build: (w) =>
      cred(
        customSigned(w, { alg: "HS256", typ: "JWT" }, (input) =>
          createHmac("sha256", Buffer.from(w.wallets.university.signingKey.compressedPublicKey.slice(2), "hex"))
            .update(input)
            .digest(),
        ),
      ),
    expected: fail("format", "unsupported_alg"),
  },
  {
    id: "jose/alg-eddsa",
    category: "jose",
    description: "EdDSA header with a 64-byte signature",
    build: (w) => cred(customSigned(w, { alg: "EdDSA", typ: "JWT" }, () => new Uint8Array(64).fill(7))),
    expected: fail("format", "unsupported_alg"),
  },
  {
    id: "jose/alg-es256-p256",
    category: "jose",
    description: "ES256 (P-256) header over a secp256k1 signature",
    build: (w) =>
      cred(customSigned(w, { alg: "ES256", typ: "JWT" }, (i) => signRaw(i, w.wallets.university.privateKey))),
    expected: fail("format", "unsupported_alg"),
  },
  {
    id: "jose/alg-lowercase",
    category: "jose",
    description: "alg es256k in lower case",
    build: (w) =>
      cred(customSigned(w, { alg: "es256k", typ: "JWT" }, (i) => signRaw(i, w.wallets.university.privateKey))),
    expected: fail("format", "unsupported_alg"),
  },
  {
    id: "jose/alg-missing",
    category: "jose",
    description: "no alg member at all",
    build: (w) => cred(customSigned(w, { typ: "JWT" }, (i) => signRaw(i, w.wallets.university.privateKey))),
    expected: fail("format", "unsupported_alg"),
  },
  {
    id: "jose/alg-array",
    category: "jose",
    description: 'alg as an array ["ES256K"]',
    build: (w) =>
      cred(customSigned(w, { alg: ["ES256K"], typ: "JWT" }, (i) => signRaw(i, w.wallets.university.privateKey))),
    expected: fail("format", "unsupported_alg"),
  },
  {
    id: "jose/alg-duplicate-member",
    category: "jose",
    description: 'header {"alg":"ES256K","alg":"none"}: the last member counts, and it is none',
    build: (w) => cred(withHeader(w, '{"alg":"ES256K","alg":"none","typ":"JWT"}')),
    expected: fail("format", "unsupported_alg"),
  },
  {
    id: "jose/es256k-r-with-64-bytes",
    category: "jose",
    description: "ES256K-R header with a 64-byte signature (no recovery byte)",
    build: (w) =>
      cred(customSigned(w, { alg: "ES256K-R", typ: "JWT" }, (i) => signRaw(i, w.wallets.university.privateKey))),
    expected: fail("format", "malformed_signature"),
  },
  {
    id: "jose/es256k-with-65-bytes",
    category: "jose",
    description: "ES256K header with a 65-byte recoverable signature",
    build: (w) =>
      cred(
        customSigned(w, { alg: "ES256K", typ: "JWT" }, (i) => signRaw(i, w.wallets.university.privateKey, "ES256K-R")),
      ),
    expected: fail("format", "malformed_signature"),
  },
  {
    id: "jose/kid-unknown",
    category: "jose",
    description: "kid names a key the issuer never had; signed by the attacker",
    build: (w) =>
      cred(
        withHeader(
          w,
          { alg: "ES256K", typ: "JWT", kid: `${w.dids.university}#delegate-99` },
          w.wallets.mallory.privateKey,
        ),
      ),
    expected: fail("signature", "unknown_kid"),
  },
  {
    id: "jose/kid-issuer-controller-other-signer",
    category: "jose",
    description: "kid names the issuer's controller key; signed by the attacker",
    build: (w) =>
      cred(
        withHeader(
          w,
          { alg: "ES256K", typ: "JWT", kid: `${w.dids.university}#controller` },
          w.wallets.mallory.privateKey,
        ),
      ),
    expected: fail("signature", "invalid_signature"),
  },
  {
    id: "jose/kid-attacker-did",
    category: "jose",
    description: "kid names the attacker's own DID key (mismatched with iss); signed by the attacker",
    build: (w) =>
      cred(
        withHeader(w, { alg: "ES256K", typ: "JWT", kid: `${w.dids.mallory}#controller` }, w.wallets.mallory.privateKey),
      ),
    expected: fail("signature", "unknown_kid"),
  },
  {
    id: "jose/embedded-jwk",
    category: "jose",
    description: "the attacker's public key embedded as a jwk header (key injection)",
    build: (w) => {
      const point = secp256k1.ProjectivePoint.fromHex(w.wallets.mallory.signingKey.publicKey.slice(2)).toRawBytes(
        false,
      );
      const jwk = { kty: "EC", crv: "secp256k1", x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33)) };
      return cred(withHeader(w, { alg: "ES256K", typ: "JWT", jwk }, w.wallets.mallory.privateKey));
    },
    expected: fail("signature", "invalid_signature"),
  },
  {
    id: "jose/jku-x5u",
    category: "jose",
    description: "jku and x5u headers pointing at the attacker's key set",
    build: (w) =>
      cred(
        withHeader(
          w,
          {
            alg: "ES256K",
            typ: "JWT",
            jku: "https://evil.example/jwks.json",
            x5u: "https://evil.example/cert.pem",
            kid: "1",
          },
          w.wallets.mallory.privateKey,
        ),
      ),
    expected: fail("signature", "unknown_kid"),
  },

  // ---- encoding: truncation, alphabet, JSON, size, type --------------------------------------------------------
  {
    id: "encoding/truncated-signature",
    category: "encoding",
    description: "the last ten characters of the signature cut off",
    build: (w) => cred(w.credential(UNI).slice(0, -10)),
    expected: fail("format", "malformed_signature"),
  },
  {
    id: "encoding/truncated-two-parts",
    category: "encoding",
    description: "header and payload only",
    build: (w) => cred(parts(w.credential(UNI)).slice(0, 2).join(".")),
    expected: fail("format", "malformed_jwt"),
  },
  {
    id: "encoding/truncated-mid-payload",
    category: "encoding",
    description: "the payload cut in half, the signature kept",
    build: (w) => {
      const [h, p, s] = parts(w.credential(UNI));
      return cred(`${h}.${p.slice(0, Math.floor(p.length / 2))}.${s}`);
    },
    expected: fail("format", "malformed_jwt"),
  },
  {
    id: "encoding/non-base64url-character",
    category: "encoding",
    description: "a '*' in the payload part",
    build: (w) => {
      const [h, p, s] = parts(w.credential(UNI));
      return cred(`${h}.${p.slice(0, 20)}*${p.slice(21)}.${s}`);
    },
    expected: fail("format", "malformed_jwt"),
  },
  {
    id: "encoding/padded-standard-base64",
    category: "encoding",
    description: "the signature in standard base64 with '=' padding",
    build: (w) => {
      const [h, p, s] = parts(w.credential(UNI));
      return cred(`${h}.${p}.${Buffer.from(s, "base64url").toString("base64")}`);
    },
    expected: fail("format", "malformed_jwt"),
  },
  {
    id: "encoding/invalid-json-payload",
    category: "encoding",
    description: "a payload that is not JSON",
    build: (w) => cred(signJwt('{"iss": "did:ethr:x", "vc": {', w.wallets.university)),
    expected: fail("format", "malformed_jwt"),
  },
  {
    id: "encoding/json-array-payload",
    category: "encoding",
    description: "a payload that is a JSON array",
    build: (w) => cred(signJwt("[]", w.wallets.university)),
    expected: fail("format", "malformed_jwt"),
  },
  {
    id: "encoding/header-not-json",
    category: "encoding",
    description: "a header that is not JSON",
    build: (w) => cred(withHeader(w, "ES256K")),
    expected: fail("format", "malformed_jwt"),
  },
  {
    id: "encoding/oversized-1mb",
    category: "encoding",
    description: "a 1 MB token, validly signed by the issuer",
    build: (w) => cred(w.credential(UNI, (p) => void (p.padding = filler(1 << 20)))),
    expected: fail("format", "token_too_large"),
  },
  {
    id: "encoding/oversized-4mb",
    category: "encoding",
    description: "a 4 MB token",
    build: (w) => cred(w.credential(UNI, (p) => void (p.padding = filler(4 << 20)))),
    expected: fail("format", "token_too_large"),
  },
  {
    id: "encoding/oversized-just-over-limit",
    category: "encoding",
    description: "a token one byte over the 256 KiB limit",
    build: (w) => {
      const base = w.credential(UNI, (p) => void (p.padding = ""));
      // Base64url turns 3 bytes of padding into 4 characters; aim just over the limit.
      const grow = Math.ceil((256 * 1024 + 1 - base.length) * 0.75) + 3;
      return cred(w.credential(UNI, (p) => void (p.padding = filler(grow))));
    },
    expected: fail("format", "token_too_large"),
  },
  {
    id: "encoding/not-a-string",
    category: "encoding",
    description: "a number where a JWT belongs",
    build: () => cred(42),
    expected: fail("format", "malformed_jwt"),
  },
  {
    id: "encoding/object-without-proof",
    category: "encoding",
    description: "a W3C credential object with no proof.jwt",
    build: (w) => cred(payloadOf(w.credential(UNI)).vc),
    expected: fail("format", "malformed_jwt"),
  },
  {
    id: "encoding/jwe-shape",
    category: "encoding",
    description: "five dot-separated parts (a JWE), not a JWS",
    build: (w) => cred(`${w.credential(UNI)}.AAAA.BBBB`),
    expected: fail("format", "malformed_jwt"),
  },
  {
    id: "encoding/empty-string",
    category: "encoding",
    description: "the empty string",
    build: () => cred(""),
    expected: fail("format", "malformed_jwt"),
  },
  {
    id: "encoding/non-ascii",
    category: "encoding",
    description: "non-ASCII letters inside the payload part",
    build: (w) => {
      const [h, p, s] = parts(w.credential(UNI));
      return cred(`${h}.${p.slice(0, 10)}é${p.slice(10)}.${s}`);
    },
    expected: fail("format", "malformed_jwt"),
  },

  // ---- signature: keys that are not the issuer's (at the trusted time), tampering, malformed values -------------
  {
    id: "signature/stranger-key",
    category: "signature",
    description: "iss is the university, the signature is the attacker's",
    build: (w) => cred(w.credential({ ...UNI, signer: "mallory" })),
    expected: fail("signature", "invalid_signature"),
  },
  {
    id: "signature/former-owner-unanchored",
    category: "signature",
    description: "signed by the issuer's former owner key after its rotation, not anchored",
    build: (w) => cred(w.credential({ issuer: "rotated" })),
    expected: fail("signature", "invalid_signature"),
  },
  {
    id: "signature/former-owner-borrowed-anchor",
    category: "signature",
    description: "former owner key, with the proof of a root anchored before the rotation that does not hold it",
    build: (w) => cred(w.credential({ issuer: "rotated" }, (p) => void (p.issuanceAnchor = w.anchors.rotatedRoot))),
    expected: fail("anchor", "anchor_proof_mismatch"),
  },
  {
    id: "signature/expired-delegate",
    category: "signature",
    description: "signed by a veriKey delegate whose validity ended",
    build: (w) => cred(w.credential({ ...UNI, signer: "delegateExpired" })),
    expected: fail("signature", "invalid_signature"),
  },
  {
    id: "signature/revoked-delegate",
    category: "signature",
    description: "signed by a veriKey delegate the issuer revoked",
    build: (w) => cred(w.credential({ ...UNI, signer: "delegateRevoked" })),
    expected: fail("signature", "invalid_signature"),
  },
  {
    id: "signature/delegate-of-other-type",
    category: "signature",
    description: 'signed by a delegate of a type that does not sign ("attestor")',
    build: (w) => cred(w.credential({ ...UNI, signer: "delegateWrongType" })),
    expected: fail("signature", "invalid_signature"),
  },
  {
    id: "signature/key-agreement-key",
    category: "signature",
    description: "signed by the issuer's Secp256k1 key-agreement (enc) attribute key",
    build: (w) => cred(w.credential({ ...UNI, signer: "encKey" })),
    expected: fail("signature", "invalid_signature"),
  },
  {
    id: "signature/deactivated-issuer",
    category: "signature",
    description: "signed by the identity key of an issuer whose DID is deactivated",
    build: (w) => cred(w.credential({ issuer: "deactivated" })),
    expected: fail("signature", "issuer_deactivated"),
  },
  {
    id: "signature/tampered-achievement",
    category: "signature",
    description: "the achievement renamed after signing",
    build: (w) =>
      cred(
        edited(w.tokens.uniForAda, (p) => {
          (vcOf(p).credentialSubject as Record<string, Record<string, unknown>>).achievement!.name =
            "Doctor of Medicine";
        }),
      ),
    expected: fail("signature", "invalid_signature"),
  },
  {
    id: "signature/tampered-subject",
    category: "signature",
    description: "sub changed to the attacker after signing",
    build: (w) => cred(edited(w.tokens.uniForAda, (p) => void (p.sub = w.dids.mallory))),
    expected: fail("signature", "invalid_signature"),
  },
  {
    id: "signature/transplanted",
    category: "signature",
    description: "the issuer's signature of another credential on this payload",
    build: (w) => {
      const [h, p] = parts(w.credential(UNI));
      return cred(`${h}.${p}.${parts(w.tokens.uniForAda)[2]}`);
    },
    expected: fail("signature", "invalid_signature"),
  },
  {
    id: "signature/all-zero",
    category: "signature",
    description: "a signature of 64 zero bytes",
    build: (w) => {
      const [h, p] = parts(w.credential(UNI));
      return cred(`${h}.${p}.${b64url(new Uint8Array(64))}`);
    },
    expected: fail("format", "malformed_signature"),
  },
  {
    id: "signature/s-equals-n",
    category: "signature",
    description: "s set to the curve order (out of range)",
    build: (w) => {
      const [h, p, s] = parts(w.credential(UNI));
      const sig = Buffer.from(s, "base64url");
      Buffer.from(secp256k1.CURVE.n.toString(16).padStart(64, "0"), "hex").copy(sig, 32);
      return cred(`${h}.${p}.${sig.toString("base64url")}`);
    },
    expected: fail("format", "malformed_signature"),
  },
  {
    id: "signature/recovery-byte-out-of-range",
    category: "signature",
    description: "an ES256K-R signature with recovery byte 5",
    build: (w) => {
      const [h, p, s] = parts(w.credential({ ...UNI, alg: "ES256K-R" }));
      const sig = Buffer.from(s, "base64url");
      sig[64] = 5;
      return cred(`${h}.${p}.${sig.toString("base64url")}`);
    },
    expected: fail("format", "malformed_signature"),
  },

  // ---- issuer: iss and the credential's issuer, DID syntax, look-alikes -----------------------------------------
  {
    id: "issuer/vc-issuer-mismatch",
    category: "issuer",
    description: "signed by the (accredited) bootcamp as iss, the vc claim names the university as issuer",
    build: (w) =>
      cred(
        w.credential(
          { issuer: "bootcamp", types: ["Certificate"] },
          (p) => void (vcOf(p).issuer = { id: w.dids.university, name: "The university institution" }),
        ),
      ),
    expected: fail("issuer", "iss_mismatch"),
  },
  {
    id: "issuer/top-level-issuer-object-spoof",
    category: "issuer",
    description: "signed by the bootcamp as iss; the payload's issuer profile claims the university's DID",
    build: (w) =>
      cred(
        w.credential(
          { issuer: "bootcamp", types: ["Certificate"], status: false },
          (p) => void (p.issuer = { id: w.dids.university, type: ["Profile"], name: "The university institution" }),
        ),
      ),
    expected: fail("issuer", "iss_mismatch"),
  },
  {
    id: "issuer/top-level-issuer-string-spoof",
    category: "issuer",
    description: "signed by the bootcamp as iss; the payload's issuer is the university's DID as a string",
    build: (w) =>
      cred(
        w.credential(
          { issuer: "bootcamp", types: ["Certificate"], status: false },
          (p) => void (p.issuer = w.dids.university),
        ),
      ),
    expected: fail("issuer", "iss_mismatch"),
  },
  {
    id: "issuer/iss-missing",
    category: "issuer",
    description: "no iss claim",
    build: (w) => cred(w.credential(UNI, (p) => void delete p.iss)),
    expected: fail("issuer", "missing_issuer"),
  },
  {
    id: "issuer/iss-other-method",
    category: "issuer",
    description: "iss is a did:web",
    build: (w) => cred(issAs(w, "did:web:university.example")),
    expected: fail("issuer", "unsupported_did"),
  },
  {
    id: "issuer/iss-other-network",
    category: "issuer",
    description: "the university's address on another did:ethr network, signed by its key",
    build: (w) => cred(issAs(w, `did:ethr:sepolia:${w.wallets.university.address}`, "university")),
    expected: fail("issuer", "wrong_network"),
  },
  {
    id: "issuer/iss-mainnet-form",
    category: "issuer",
    description: "the university's address with no network part (mainnet), signed by its key",
    build: (w) => cred(issAs(w, `did:ethr:${w.wallets.university.address}`, "university")),
    expected: fail("issuer", "wrong_network"),
  },
  {
    id: "issuer/lookalike-uppercase-0x",
    category: "issuer",
    description: "look-alike DID: 0X prefix",
    build: (w) => cred(issAs(w, w.dids.university.replace(":0x", ":0X"))),
    expected: fail("issuer", "unsupported_did"),
  },
  {
    id: "issuer/lookalike-bad-checksum",
    category: "issuer",
    description: "look-alike DID: one letter's case changed (EIP-55 checksum broken)",
    build: (w) => cred(issAs(w, `did:ethr:${w.networkName}:${breakChecksum(w.wallets.university.address)}`)),
    expected: fail("issuer", "unsupported_did"),
  },
  {
    id: "issuer/lookalike-cyrillic-method",
    category: "issuer",
    description: "look-alike DID: Cyrillic 'е' in ethr",
    build: (w) => cred(issAs(w, w.dids.university.replace("ethr", "\u0435thr"))),
    expected: fail("issuer", "unsupported_did"),
  },
  {
    id: "issuer/lookalike-fullwidth-digit",
    category: "issuer",
    description: "look-alike DID: a fullwidth digit in the address",
    build: (w) => {
      const did = w.dids.university;
      const i = did.search(/[0-9](?=[^:]*$)/);
      return cred(issAs(w, did.slice(0, i) + String.fromCharCode(0xff10 + Number(did[i])) + did.slice(i + 1)));
    },
    expected: fail("issuer", "unsupported_did"),
  },
  {
    id: "issuer/lookalike-zero-width",
    category: "issuer",
    description: "look-alike DID: a zero-width space after it",
    build: (w) => cred(issAs(w, `${w.dids.university}\u200b`)),
    expected: fail("issuer", "unsupported_did"),
  },
  {
    id: "issuer/lookalike-uppercase-scheme",
    category: "issuer",
    description: "look-alike DID: DID:ETHR: in capitals",
    build: (w) => cred(issAs(w, w.dids.university.replace("did:ethr:", "DID:ETHR:"))),
    expected: fail("issuer", "unsupported_did"),
  },
  {
    id: "issuer/lookalike-network-case",
    category: "issuer",
    description: "look-alike DID: the network name capitalised",
    build: (w) =>
      cred(
        issAs(
          w,
          w.dids.university.replace(
            `:${w.networkName}:`,
            `:${w.networkName[0]!.toUpperCase()}${w.networkName.slice(1)}:`,
          ),
        ),
      ),
    expected: fail("issuer", "unsupported_did"),
  },
  {
    id: "issuer/lowercase-form-other-signer",
    category: "issuer",
    description: "the university's DID in all-lower case (same identity), signed by the attacker",
    build: (w) => cred(issAs(w, `did:ethr:${w.networkName}:${w.wallets.university.address.toLowerCase()}`)),
    expected: fail("signature", "invalid_signature"),
  },

  // ---- validity window -------------------------------------------------------------------------------------------
  {
    id: "validity/expired",
    category: "validity",
    description: "exp an hour ago",
    build: (w) => cred(w.credential({ ...UNI, exp: w.now - 3600 })),
    expected: fail("validity", "expired"),
  },
  {
    id: "validity/not-yet-valid",
    category: "validity",
    description: "nbf an hour ahead",
    build: (w) => cred(w.credential({ ...UNI, nbf: w.now + 3600 })),
    expected: fail("validity", "not_yet_valid"),
  },
  {
    id: "validity/expired-at-skew-edge",
    category: "validity",
    description: "exp exactly the allowed clock skew (60 s) ago",
    build: (w) => cred(w.credential({ ...UNI, exp: w.now - 60 })),
    expected: fail("validity", "expired"),
  },
  {
    id: "validity/nbf-past-skew",
    category: "validity",
    description: "nbf 61 s ahead, one second past the skew",
    build: (w) => cred(w.credential({ ...UNI, nbf: w.now + 61 })),
    expected: fail("validity", "not_yet_valid"),
  },
  {
    id: "validity/exp-as-string",
    category: "validity",
    description: "exp as a string of digits",
    build: (w) => cred(w.credential(UNI, (p) => void (p.exp = String(w.now + 10_000)))),
    expected: fail("validity", "invalid_field"),
  },
  {
    id: "validity/nbf-as-string",
    category: "validity",
    description: "nbf as a string of digits",
    build: (w) => cred(w.credential(UNI, (p) => void (p.nbf = String(w.now - 10_000)))),
    expected: fail("validity", "invalid_field"),
  },
  {
    id: "validity/exp-null",
    category: "validity",
    description: "exp null",
    build: (w) => cred(w.credential(UNI, (p) => void (p.exp = null))),
    expected: fail("validity", "invalid_field"),
  },
  {
    id: "validity/expiration-date-without-exp",
    category: "validity",
    description: "no exp claim, but the credential's expirationDate passed an hour ago",
    build: (w) =>
      cred(w.credential(UNI, (p) => void (p.expirationDate = new Date((w.now - 3600) * 1000).toISOString()))),
    expected: fail("validity", "expired"),
  },
  {
    id: "validity/issuance-date-ahead-without-nbf",
    category: "validity",
    description: "no nbf claim, but the credential's issuanceDate is a day ahead",
    build: (w) =>
      cred(
        w.credential(UNI, (p) => {
          delete p.nbf;
          p.issuanceDate = new Date((w.now + 86_400) * 1000).toISOString();
        }),
      ),
    expected: fail("validity", "not_yet_valid"),
  },

  // ---- trust: accreditation at the trusted time -------------------------------------------------------------------
  {
    id: "trust/never-accredited",
    category: "trust",
    description: "an issuer no accreditor ever accredited",
    build: (w) => cred(w.credential({ issuer: "never" })),
    expected: fail("trust", "issuer_not_accredited"),
  },
  {
    id: "trust/other-type",
    category: "trust",
    description: "the bootcamp (Certificate, Competency) issues a Degree",
    build: (w) => cred(w.credential({ issuer: "bootcamp", types: ["Degree"] })),
    expected: fail("trust", "type_out_of_scope"),
  },
  {
    id: "trust/accreditor-role-only",
    category: "trust",
    description: "a subject accredited to accredit, not to issue",
    build: (w) => cred(w.credential({ issuer: "accOnly" })),
    expected: fail("trust", "issuer_not_issuer"),
  },
  {
    id: "trust/accreditation-expired",
    category: "trust",
    description: "unanchored credential of an issuer whose accreditation has expired",
    build: (w) => cred(w.credential({ issuer: "expiring" })),
    expected: fail("trust", "accreditation_expired"),
  },
  {
    id: "trust/accreditation-expired-anchored-after",
    category: "trust",
    description: "credential anchored after its issuer's accreditation expired",
    build: (w) => cred(w.tokens.expiringAnchoredAfter),
    expected: fail("trust", "accreditation_expired"),
  },
  {
    id: "trust/accreditation-not-yet-valid",
    category: "trust",
    description: "an issuer whose accreditation starts in the future",
    build: (w) => cred(w.credential({ issuer: "notYet" })),
    expected: fail("trust", "accreditation_not_yet_valid"),
  },
  {
    id: "trust/issuer-suspended",
    category: "trust",
    description: "an issuer whose accreditation is suspended",
    build: (w) => cred(w.credential({ issuer: "suspended" })),
    expected: fail("trust", "issuer_suspended"),
  },
  {
    id: "trust/accreditor-suspended",
    category: "trust",
    description: "an issuer whose accreditor is suspended",
    build: (w) => cred(w.credential({ issuer: "underSuspended" })),
    expected: fail("trust", "accreditor_suspended"),
  },
  {
    id: "trust/accreditor-revoked",
    category: "trust",
    description: "an issuer whose accreditor's accreditation was revoked",
    build: (w) => cred(w.credential({ issuer: "underRevoked" })),
    expected: fail("trust", "accreditor_revoked"),
  },
  {
    id: "trust/parent-scope-narrowed",
    category: "trust",
    description: "the accreditor lost Degree after accrediting the issuer for it",
    build: (w) => cred(w.credential({ issuer: "underNarrowed" })),
    expected: fail("trust", "type_out_of_scope"),
  },
  {
    id: "trust/unregistered-type",
    category: "trust",
    description: "a License, a type governance never registered",
    build: (w) => cred(w.credential({ ...UNI, types: ["License"] })),
    expected: fail("trust", "unknown_credential_type"),
  },
  {
    id: "trust/clr-one-type-out-of-scope",
    category: "trust",
    description: "a CLR bundling a Degree (in scope) and a Certificate (not)",
    build: (w) => cred(w.credential({ ...UNI, types: ["Degree", "Certificate"] })),
    expected: fail("trust", "type_out_of_scope"),
  },
  {
    id: "trust/untyped-achievement",
    category: "trust",
    description: "a CLR whose second achievement has no achievementType (it must not escape the check)",
    build: (w) =>
      cred(
        w.credential({ ...UNI, types: ["Degree", "Course"] }, (p) => {
          const achievements = (vcOf(p).credentialSubject as { achievement: Record<string, unknown>[] }).achievement;
          delete achievements[1]!.achievementType;
        }),
      ),
    expected: fail("trust", "unknown_credential_type"),
  },
  {
    id: "trust/untrusted-root",
    category: "trust",
    description: "accredited under a root this verifier does not trust",
    build: (w) => cred(w.credential({ issuer: "underRoot2" }), { trustedRoots: [w.dids.root] }),
    expected: fail("trust", "untrusted_root"),
  },
  {
    id: "trust/anchored-after-revocation-effective-time",
    category: "trust",
    description: "anchored after the time the issuer's accreditation was later revoked from (key compromise)",
    build: (w) => cred(w.tokens.millLate),
    expected: fail("trust", "issuer_revoked"),
  },
  {
    id: "trust/backdated-nbf-unanchored",
    category: "trust",
    description: "nbf backdated to before the revoked issuer's revocation, not anchored",
    build: (w) => cred(w.credential({ issuer: "mill", nbf: w.times.millEarlyAnchor - 600 })),
    expected: fail("trust", "issuer_revoked"),
  },
  {
    id: "trust/backdated-iat-unanchored",
    category: "trust",
    description: "iat (no nbf) backdated to before the revoked issuer's revocation",
    build: (w) =>
      cred(
        w.credential({ issuer: "mill" }, (p) => {
          delete p.nbf;
          p.iat = w.times.millEarlyAnchor - 600;
        }),
      ),
    expected: fail("trust", "issuer_revoked"),
  },
  {
    id: "trust/backdated-with-unanchored-root",
    category: "trust",
    description: "backdated, carrying a self-made anchor whose root was never anchored",
    build: (w) => {
      const p = w.payload({ issuer: "mill", nbf: w.times.millEarlyAnchor - 600 });
      const { anchors } = anchorBatch([p], { chainId: w.chainId, registry: w.registry });
      return cred(signJwt({ ...p, issuanceAnchor: anchors[0] }, w.wallets.mill));
    },
    expected: fail("trust", "issuer_revoked"),
  },
  {
    id: "trust/root-anchored-by-another-issuer",
    category: "trust",
    description: "backdated, with a valid proof to a root that another issuer (not the mill) anchored in time",
    build: (w) => {
      const { payload, anchor } = w.anchors.millRootByUniversity;
      return cred(signJwt({ ...payload, issuanceAnchor: anchor }, w.wallets.mill));
    },
    expected: fail("trust", "issuer_revoked"),
  },

  // ---- status ----------------------------------------------------------------------------------------------------
  {
    id: "status/revoked",
    category: "status",
    description: "revoked in its status list",
    build: (w) => cred(w.tokens.revoked),
    expected: fail("status", "credential_revoked"),
  },
  {
    id: "status/suspended",
    category: "status",
    description: "suspended in its status list",
    build: (w) => cred(w.tokens.suspended),
    expected: fail("status", "credential_suspended"),
  },
  {
    id: "status/revoked-by-hash",
    category: "status",
    description: "no status entry, revoked by its hash",
    build: (w) => cred(w.tokens.hashRevoked),
    expected: fail("status", "credential_revoked"),
  },
  {
    id: "status/revoked-by-hash-with-whitespace",
    category: "status",
    description: "revoked by hash, presented with surrounding whitespace",
    build: (w) => cred(`  ${w.tokens.hashRevoked}\n`),
    expected: fail("status", "credential_revoked"),
  },
  {
    id: "status/revoked-by-hash-high-s",
    category: "status",
    description: "revoked by hash, re-presented with the malleated (high-S) form of the same signature",
    build: (w) => cred(malleate(w.tokens.hashRevoked)),
    expected: fail("format", "malformed_signature"),
  },
  {
    id: "status/revoked-by-hash-noncanonical-base64url",
    category: "status",
    description: "revoked by hash, re-presented with unused bits of the signature's last base64url character set",
    build: (w) => cred(nonCanonicalSignature(w.tokens.hashRevoked)),
    expected: fail("format", "malformed_signature"),
  },
  {
    id: "status/revoked-by-hash-recovery-byte-27",
    category: "status",
    description: "ES256K-R, revoked by hash, re-presented with the recovery byte as 27/28 instead of 0/1",
    build: (w) => {
      const [h, p, s] = parts(w.tokens.hashRevokedR);
      const sig = Buffer.from(s, "base64url");
      sig[64] = sig[64]! + 27;
      return cred(`${h}.${p}.${sig.toString("base64url")}`);
    },
    expected: fail("format", "malformed_signature"),
  },
  {
    id: "status/other-chain",
    category: "status",
    description: "a status entry on chain 1",
    build: (w) => cred(w.credential({ ...UNI, status: { chainId: 1 } })),
    expected: fail("status", "status_wrong_chain"),
  },
  {
    id: "status/unknown-registry",
    category: "status",
    description: "a status entry at a registry this deployment does not have",
    build: (w) => cred(w.credential({ ...UNI, status: { registry: w.wallets.mallory.address } })),
    expected: fail("status", "status_unknown_registry"),
  },
  {
    id: "status/index-out-of-range",
    category: "status",
    description: "statusListIndex 2^20 (the list size)",
    build: (w) =>
      cred(
        w.credential(UNI, (p) => {
          const s = vcOf(p).credentialStatus as Record<string, string>;
          s.id = s.id!.replace(/:\d+$/, ":1048576");
          s.statusListIndex = "1048576";
        }),
      ),
    expected: fail("status", "invalid_status_entry"),
  },
  {
    id: "status/list-out-of-range",
    category: "status",
    description: "statusList 2^64",
    build: (w) =>
      cred(
        w.credential(UNI, (p) => {
          const s = vcOf(p).credentialStatus as Record<string, string>;
          const big = (1n << 64n).toString();
          s.id = s.id!.replace(/:(\d+):(\d+)$/, `:${big}:$2`);
          s.statusList = big;
        }),
      ),
    expected: fail("status", "invalid_status_entry"),
  },
  {
    id: "status/other-issuers-list",
    category: "status",
    description: "a status entry in the bootcamp's lists, on a university credential",
    build: (w) =>
      cred(
        w.credential(UNI, (p) => {
          const s = vcOf(p).credentialStatus as Record<string, string>;
          s.id = s.id!.replace(w.wallets.university.address, w.wallets.bootcamp.address);
        }),
      ),
    expected: fail("status", "status_issuer_mismatch"),
  },
  {
    id: "status/mixed-types-array",
    category: "status",
    description:
      "credentialStatus array mixing an LER entry and a BitstringStatusListEntry of another list, which cannot be fetched",
    build: (w) =>
      cred(
        w.credential(UNI, (p) => {
          const vc = vcOf(p);
          vc.credentialStatus = [
            vc.credentialStatus,
            {
              id: "https://status.example/1#5",
              type: "BitstringStatusListEntry",
              statusPurpose: "revocation",
              statusListIndex: "5",
              statusListCredential: "https://status.example/1",
            },
          ];
        }),
      ),
    expected: unknown("status", "status_list_unreachable"),
  },
  {
    id: "status/only-other-type",
    category: "status",
    description: "only a BitstringStatusListEntry, whose list cannot be fetched (a name reserved for documentation)",
    build: (w) =>
      cred(
        w.credential(UNI, (p) => {
          vcOf(p).credentialStatus = {
            id: "https://status.example/1#5",
            type: "BitstringStatusListEntry",
            statusPurpose: "revocation",
            statusListIndex: "5",
            statusListCredential: "https://status.example/1",
          };
        }),
      ),
    expected: unknown("status", "status_list_unreachable"),
  },
  {
    id: "status/two-ler-entries",
    category: "status",
    description: "two LER entries (a revoked one and a fresh one)",
    build: (w) => {
      const fresh = vcOf(w.payload(UNI)).credentialStatus;
      const revoked = vcOf(payloadOf(w.tokens.revoked)).credentialStatus;
      return cred(w.credential(UNI, (p) => void (vcOf(p).credentialStatus = [fresh, revoked])));
    },
    expected: fail("status", "invalid_status_entry"),
  },
  {
    id: "status/index-as-number",
    category: "status",
    description: "statusListIndex as a JSON number",
    build: (w) =>
      cred(w.credential(UNI, (p) => void ((vcOf(p).credentialStatus as Record<string, unknown>).statusListIndex = 5))),
    expected: fail("status", "invalid_status_entry"),
  },
  {
    id: "status/chain-id-as-string",
    category: "status",
    description: "chainId as a string",
    build: (w) =>
      cred(
        w.credential(
          UNI,
          (p) => void ((vcOf(p).credentialStatus as Record<string, unknown>).chainId = String(w.chainId)),
        ),
      ),
    expected: fail("status", "invalid_status_entry"),
  },
  {
    id: "status/index-leading-zeros",
    category: "status",
    description: "statusListIndex with leading zeros (another spelling of an index)",
    build: (w) =>
      cred(
        w.credential(UNI, (p) => {
          const s = vcOf(p).credentialStatus as Record<string, string>;
          s.statusListIndex = `00${s.statusListIndex}`;
          s.id = s.id!.replace(/:(\d+)$/, ":00$1");
        }),
      ),
    expected: fail("status", "invalid_status_entry"),
  },
  {
    id: "status/huge-array",
    category: "status",
    description: "a credentialStatus array of 300 LER entries",
    build: (w) => {
      const entry = vcOf(w.payload(UNI)).credentialStatus;
      return cred(w.credential(UNI, (p) => void (vcOf(p).credentialStatus = Array.from({ length: 300 }, () => entry))));
    },
    expected: fail("status", "invalid_status_entry"),
  },

  // ---- anchor ----------------------------------------------------------------------------------------------------
  {
    id: "anchor/proof-of-sibling",
    category: "anchor",
    description: "a batch member carrying its sibling's proof",
    build: (w) => {
      const { payloads, anchors } = w.anchors.universityPair;
      return cred(signJwt({ ...payloads[0]!, issuanceAnchor: anchors[1] }, w.wallets.university));
    },
    expected: fail("anchor", "anchor_proof_mismatch"),
  },
  {
    id: "anchor/root-of-issuer-not-containing-it",
    category: "anchor",
    description: "a root the issuer did anchor, but the credential is not in it",
    build: (w) => cred(w.credential(UNI, (p) => void (p.issuanceAnchor = w.anchors.universityPair.anchors[0]))),
    expected: fail("anchor", "anchor_proof_mismatch"),
  },
  {
    id: "anchor/other-chain",
    category: "anchor",
    description: "an anchor on chain 1",
    build: (w) =>
      cred(w.credential(UNI, (p) => void (p.issuanceAnchor = { ...w.anchors.universityPair.anchors[0]!, chainId: 1 }))),
    expected: fail("anchor", "anchor_wrong_chain"),
  },
  {
    id: "anchor/unknown-registry",
    category: "anchor",
    description: "an anchor at another registry",
    build: (w) =>
      cred(
        w.credential(
          UNI,
          (p) =>
            void (p.issuanceAnchor = { ...w.anchors.universityPair.anchors[0]!, registry: w.wallets.mallory.address }),
        ),
      ),
    expected: fail("anchor", "anchor_unknown_registry"),
  },
  {
    id: "anchor/proof-too-long",
    category: "anchor",
    description: "a proof of 65 hashes",
    build: (w) =>
      cred(
        w.credential(UNI, (p) => {
          const a = w.anchors.universityPair.anchors[0]!;
          p.issuanceAnchor = { ...a, proof: Array.from({ length: 65 }, () => a.root) };
        }),
      ),
    expected: fail("anchor", "invalid_anchor"),
  },
  {
    id: "anchor/in-both-places",
    category: "anchor",
    description: "an anchor both at the top of the payload and in the vc claim",
    build: (w) =>
      cred(
        w.credential(UNI, (p) => {
          p.issuanceAnchor = w.anchors.universityPair.anchors[0];
          vcOf(p).issuanceAnchor = w.anchors.universityPair.anchors[1];
        }),
      ),
    expected: fail("anchor", "invalid_anchor"),
  },
  {
    id: "anchor/zero-root",
    category: "anchor",
    description: "an anchor with the zero root",
    build: (w) =>
      cred(
        w.credential(
          UNI,
          (p) =>
            void (p.issuanceAnchor = {
              ...w.anchors.universityPair.anchors[0]!,
              root: `0x${"0".repeat(64)}`,
              proof: [],
            }),
        ),
      ),
    expected: fail("anchor", "invalid_anchor"),
  },
  {
    id: "anchor/extra-member",
    category: "anchor",
    description: "an anchor with a self-declared timestamp member",
    build: (w) =>
      cred(
        w.credential(
          UNI,
          (p) => void (p.issuanceAnchor = { ...w.anchors.universityPair.anchors[0]!, timestamp: 1_000_000 }),
        ),
      ),
    expected: fail("anchor", "invalid_anchor"),
  },
  {
    id: "anchor/chain-id-as-string",
    category: "anchor",
    description: "an anchor whose chainId is a string",
    build: (w) =>
      cred(
        w.credential(
          UNI,
          (p) => void (p.issuanceAnchor = { ...w.anchors.universityPair.anchors[0]!, chainId: String(w.chainId) }),
        ),
      ),
    expected: fail("anchor", "invalid_anchor"),
  },

  // ---- presentations ---------------------------------------------------------------------------------------------
  {
    id: "presentation/subject-not-holder",
    category: "presentation",
    description: "ada presents grace's credential",
    build: (w) => pres(w.presentation({ credentials: [w.tokens.uniForGrace] })),
    expected: fail("holder_binding", "subject_not_holder"),
  },
  {
    id: "presentation/vp-holder-claims-subject",
    category: "presentation",
    description: "the attacker signs as itself, naming ada as vp.holder, with ada's credential",
    build: (w) =>
      pres(
        w.presentation(
          { holder: "mallory", credentials: [w.tokens.uniForAda] },
          (p) => void ((p.vp as Record<string, unknown>).holder = w.dids.ada),
        ),
      ),
    expected: fail("holder_binding", "subject_not_holder"),
  },
  {
    id: "presentation/replay-wrong-challenge",
    category: "presentation",
    description: "replayed: made for another challenge",
    build: (w) => pres(w.presentation({ credentials: [w.tokens.uniForAda], nonce: "challenge-of-yesterday" })),
    expected: fail("presentation", "challenge_mismatch"),
  },
  {
    id: "presentation/no-nonce",
    category: "presentation",
    description: "no nonce while the verifier asked for one",
    build: (w) => pres(w.presentation({ credentials: [w.tokens.uniForAda] }, (p) => void delete p.nonce)),
    expected: fail("presentation", "challenge_mismatch"),
  },
  {
    id: "presentation/duplicate-nonce-member",
    category: "presentation",
    description: "payload with the nonce member twice: right first, wrong last (last counts)",
    build: (w) => {
      const base = JSON.stringify({
        iss: w.dids.ada,
        aud: DOMAIN,
        nbf: w.now - 60,
        vp: {
          "@context": ["https://www.w3.org/2018/credentials/v1"],
          type: ["VerifiablePresentation"],
          verifiableCredential: [w.tokens.uniForAda],
        },
      });
      return pres(signJwt(`{"nonce":${JSON.stringify(CHALLENGE)},"nonce":"other",${base.slice(1)}`, w.wallets.ada));
    },
    expected: fail("presentation", "challenge_mismatch"),
  },
  {
    id: "presentation/replay-wrong-domain",
    category: "presentation",
    description: "replayed: addressed to another verifier",
    build: (w) => pres(w.presentation({ credentials: [w.tokens.uniForAda], aud: "other-employer.example" })),
    expected: fail("presentation", "domain_mismatch"),
  },
  {
    id: "presentation/no-aud",
    category: "presentation",
    description: "no aud while the verifier has a domain",
    build: (w) => pres(w.presentation({ credentials: [w.tokens.uniForAda] }, (p) => void delete p.aud)),
    expected: fail("presentation", "domain_mismatch"),
  },
  {
    id: "presentation/huge-aud-array",
    category: "presentation",
    description: "aud an array of 10,000 other domains",
    build: (w) =>
      pres(
        w.presentation({
          credentials: [w.tokens.uniForAda],
          aud: Array.from({ length: 10_000 }, (_, i) => `d${i}.example`),
        }),
      ),
    expected: fail("presentation", "domain_mismatch"),
  },
  {
    id: "presentation/signed-by-other-key",
    category: "presentation",
    description: "iss is ada, signed by the attacker",
    build: (w) => pres(w.presentation({ credentials: [w.tokens.uniForAda], signer: "mallory" })),
    expected: fail("holder_signature", "invalid_signature"),
  },
  {
    id: "presentation/expired",
    category: "presentation",
    description: "a presentation whose exp passed",
    build: (w) => pres(w.presentation({ credentials: [w.tokens.uniForAda], exp: w.now - 3600 })),
    expected: fail("presentation", "presentation_expired"),
  },
  {
    id: "presentation/not-yet-valid",
    category: "presentation",
    description: "a presentation valid from tomorrow",
    build: (w) => pres(w.presentation({ credentials: [w.tokens.uniForAda], nbf: w.now + 86_400 })),
    expected: fail("presentation", "not_yet_valid"),
  },
  {
    id: "presentation/too-many-credentials",
    category: "presentation",
    description: "101 credentials",
    build: (w) => {
      // A small credential, so that 101 of them stay under the token size limit: the count is what is refused.
      const small = w.credential(UNI);
      return pres(w.presentation({ credentials: Array.from({ length: 101 }, () => small) }));
    },
    expected: fail("format", "invalid_presentation"),
  },
  {
    id: "presentation/no-vp",
    category: "presentation",
    description: "no vp claim",
    build: (w) => pres(w.presentation({ credentials: [] }, (p) => void delete p.vp)),
    expected: fail("format", "invalid_presentation"),
  },
  {
    id: "presentation/vp-string",
    category: "presentation",
    description: "vp is a string",
    build: (w) => pres(w.presentation({ credentials: [] }, (p) => void (p.vp = "VerifiablePresentation"))),
    expected: fail("format", "invalid_presentation"),
  },
  {
    id: "presentation/revoked-credential-inside",
    category: "presentation",
    description: "a well-made presentation of a revoked credential",
    build: (w) => pres(w.presentation({ credentials: [w.tokens.revoked] })),
    expected: fail("status", "credential_revoked", { inCredential: 0 }),
  },
  {
    id: "presentation/forged-credential-inside",
    category: "presentation",
    description: "a well-made presentation of a credential the attacker signed in the university's name",
    build: (w) => pres(w.presentation({ credentials: [w.credential({ ...UNI, signer: "mallory" })] })),
    expected: fail("signature", "invalid_signature", { inCredential: 0 }),
  },
  {
    id: "presentation/nested-presentation",
    category: "presentation",
    description: "a presentation carrying another presentation where a credential belongs",
    build: (w) => pres(w.presentation({ credentials: [w.presentation({ credentials: [w.tokens.uniForAda] })] })),
    expected: fail("format", "invalid_payload", { inCredential: 0 }),
  },
  {
    id: "presentation/holder-lookalike",
    category: "presentation",
    description: "the holder's DID with a 0X prefix",
    build: (w) =>
      pres(
        w.presentation({ credentials: [w.tokens.uniForAda] }, (p) => void (p.iss = w.dids.ada.replace(":0x", ":0X"))),
      ),
    expected: fail("holder_signature", "unsupported_did"),
  },
  {
    id: "presentation/alg-none",
    category: "presentation",
    description: "a presentation with alg none",
    build: (w) => {
      const [, p, s] = parts(w.presentation({ credentials: [w.tokens.uniForAda] }));
      return pres(`${b64url({ alg: "none" })}.${p}.${s}`);
    },
    expected: fail("format", "unsupported_alg"),
  },
  {
    id: "presentation/oversized-1mb",
    category: "presentation",
    description: "a 1 MB presentation",
    build: (w) =>
      pres(w.presentation({ credentials: [w.tokens.uniForAda] }, (p) => void (p.padding = filler(1 << 20)))),
    expected: fail("format", "token_too_large"),
  },

  // ---- structure: odd JSON the issuer's key may really have signed ----------------------------------------------
  {
    id: "structure/nested-jwt-as-vc",
    category: "structure",
    description: "vc is a JWT string (a valid credential nested inside)",
    build: (w) => cred(w.credential({ issuer: "mallory" }, (p) => void (p.vc = w.tokens.uniForAda))),
    expected: fail("format", "invalid_payload"),
  },
  {
    id: "structure/vc-null",
    category: "structure",
    description: "vc null",
    build: (w) => cred(w.credential(UNI, (p) => void (p.vc = null))),
    expected: fail("format", "invalid_payload"),
  },
  {
    id: "structure/vc-array",
    category: "structure",
    description: "vc an array",
    build: (w) => cred(w.credential(UNI, (p) => void (p.vc = [p.vc]))),
    expected: fail("format", "invalid_payload"),
  },
  {
    id: "structure/iss-null",
    category: "structure",
    description: "iss null",
    build: (w) => cred(w.credential(UNI, (p) => void (p.iss = null))),
    expected: fail("issuer", "missing_issuer"),
  },
  {
    id: "structure/iss-number",
    category: "structure",
    description: "iss a number",
    build: (w) => cred(w.credential(UNI, (p) => void (p.iss = 12345))),
    expected: fail("issuer", "missing_issuer"),
  },
  {
    id: "structure/duplicate-exp-member",
    category: "structure",
    description: "exp twice: a day ahead first, an hour ago last (last counts)",
    build: (w) => {
      const p = JSON.stringify(w.payload(UNI));
      return cred(signJwt(`{"exp":${w.now + 86_400},"exp":${w.now - 3600},${p.slice(1)}`, w.wallets.university));
    },
    expected: fail("validity", "expired"),
  },
  {
    id: "structure/duplicate-iss-member",
    category: "structure",
    description: "iss twice: the university first, the attacker last; the attacker signs",
    build: (w) => {
      const p = w.payload(UNI);
      delete p.iss;
      const json = JSON.stringify(p);
      return cred(
        signJwt(
          `{"iss":${JSON.stringify(w.dids.university)},${json.slice(1, -1)},"vc_issuer_note":"x","iss":${JSON.stringify(w.dids.mallory)}}`,
          w.wallets.mallory,
        ),
      );
    },
    expected: fail("trust", "issuer_not_accredited"),
  },
  {
    id: "structure/huge-type-array",
    category: "structure",
    description:
      "a CLR of 3,000 achievements of distinct unregistered types: must fail as unknown types, not make the chain read fail",
    build: (w) =>
      cred(
        w.credential({ ...UNI, types: ["Degree", "Course"] }, (p) => {
          const subject = vcOf(p).credentialSubject as Record<string, unknown>;
          subject.achievement = Array.from({ length: 3000 }, (_, i) => ({ achievementType: `ext:T${i}` }));
        }),
      ),
    expected: fail("trust", "unknown_credential_type"),
  },
  {
    id: "structure/deep-nesting",
    category: "structure",
    description: "a claim nested 50,000 arrays deep",
    build: (w) => {
      const json = JSON.stringify(w.payload(UNI));
      return cred(signJwt(`{"deep":${"[".repeat(50_000)}${"]".repeat(50_000)},${json.slice(1)}`, w.wallets.university));
    },
    expected: fail("format", "invalid_payload"),
  },
  {
    id: "structure/credential-subject-null",
    category: "structure",
    description: "credentialSubject null",
    build: (w) => cred(w.credential(UNI, (p) => void (vcOf(p).credentialSubject = null))),
    expected: fail("schema", "missing_field"),
  },
  {
    id: "structure/anchor-null",
    category: "structure",
    description: "issuanceAnchor null",
    build: (w) => cred(w.credential(UNI, (p) => void (p.issuanceAnchor = null))),
    expected: fail("anchor", "invalid_anchor"),
  },

  // ---- issue 12, found by the adversarial corpus: each of these was answered `valid` (or `unknown`) --------------
  // crit (RFC 7515 §4.1.11): this verifier understands no extension, so any `crit` is refused, even an empty one.
  {
    id: "jose/crit-unknown-extension",
    category: "jose",
    description: "crit names an extension this verifier does not understand; signed by the issuer",
    build: (w) => cred(withHeader(w, { alg: "ES256K", typ: "JWT", crit: ["x-ler-policy"], "x-ler-policy": "strict" })),
    expected: fail("format", "unsupported_crit"),
  },
  {
    id: "jose/crit-b64-false",
    category: "jose",
    description: 'crit ["b64"] with b64 false (RFC 7797 unencoded payload); signed by the issuer',
    build: (w) => cred(withHeader(w, { alg: "ES256K", typ: "JWT", b64: false, crit: ["b64"] })),
    expected: fail("format", "unsupported_crit"),
  },
  {
    id: "jose/crit-empty",
    category: "jose",
    description: "crit as an empty list (RFC 7515 forbids it); signed by the issuer",
    build: (w) => cred(withHeader(w, { alg: "ES256K", typ: "JWT", crit: [] })),
    expected: fail("format", "unsupported_crit"),
  },
  {
    id: "jose/crit-not-a-list",
    category: "jose",
    description: "crit as a string; signed by the issuer",
    build: (w) => cred(withHeader(w, { alg: "ES256K", typ: "JWT", crit: "exp" })),
    expected: fail("format", "unsupported_crit"),
  },
  // kid: when present, it must dereference to a verification method of the issuer's DID document.
  {
    id: "jose/kid-unknown-issuer-signed",
    category: "jose",
    description: "kid names a method the issuer's document does not have; signed by the issuer's own key",
    build: (w) => cred(withHeader(w, { alg: "ES256K", typ: "JWT", kid: `${w.dids.university}#delegate-99` })),
    expected: fail("signature", "unknown_kid"),
  },
  {
    id: "jose/kid-other-did-issuer-signed",
    category: "jose",
    description: "kid names another DID's controller; signed by the issuer's own key",
    build: (w) => cred(withHeader(w, { alg: "ES256K", typ: "JWT", kid: `${w.dids.bootcamp}#controller` })),
    expected: fail("signature", "unknown_kid"),
  },
  {
    id: "jose/kid-controller-key-of-address-did",
    category: "jose",
    description: "kid #controllerKey, which only a public-key DID's document has; signed by the issuer",
    build: (w) => cred(withHeader(w, { alg: "ES256K", typ: "JWT", kid: `${w.dids.university}#controllerKey` })),
    expected: fail("signature", "unknown_kid"),
  },
  {
    id: "jose/kid-bare-fragment-unknown",
    category: "jose",
    description: "kid a bare fragment #delegate-99 (relative to the issuer), no such method; signed by the issuer",
    build: (w) => cred(withHeader(w, { alg: "ES256K", typ: "JWT", kid: "#delegate-99" })),
    expected: fail("signature", "unknown_kid"),
  },
  {
    id: "jose/kid-expired-delegate-issuer-signed",
    category: "jose",
    description: "kid #delegate-1, the university's veriKey delegate that expired before now; signed by the issuer",
    build: (w) => cred(withHeader(w, { alg: "ES256K", typ: "JWT", kid: `${w.dids.university}#delegate-1` })),
    expected: fail("signature", "unknown_kid"),
  },
  {
    id: "jose/kid-non-signing-delegate-type",
    category: "jose",
    description: "kid #delegate-2, an `attestor` delegate (no verification method); signed by the issuer",
    build: (w) => cred(withHeader(w, { alg: "ES256K", typ: "JWT", kid: `${w.dids.university}#delegate-2` })),
    expected: fail("signature", "unknown_kid"),
  },
  {
    id: "jose/kid-revoked-delegate-issuer-signed",
    category: "jose",
    description: "kid #delegate-3, a veriKey delegate since revoked; signed by the issuer",
    build: (w) => cred(withHeader(w, { alg: "ES256K", typ: "JWT", kid: `${w.dids.university}#delegate-3` })),
    expected: fail("signature", "unknown_kid"),
  },
  {
    id: "jose/kid-not-a-string",
    category: "jose",
    description: "kid as a number; signed by the issuer",
    build: (w) => cred(withHeader(w, { alg: "ES256K", typ: "JWT", kid: 1 })),
    expected: fail("signature", "unknown_kid"),
  },
  // UTF-8 (RFC 7519 §7.2): the signed bytes of the header and the payload must be UTF-8.
  {
    id: "encoding/payload-invalid-utf8",
    category: "encoding",
    description: "a 0xFF byte inside a string of the payload, signed over those bytes by the issuer",
    build: (w) => cred(rawSigned(w, { payload: [0xff] })),
    expected: fail("format", "invalid_encoding"),
  },
  {
    id: "encoding/payload-overlong-utf8",
    category: "encoding",
    description: "an overlong UTF-8 sequence (C0 AF for '/') in the payload, signed by the issuer",
    build: (w) => cred(rawSigned(w, { payload: [0xc0, 0xaf] })),
    expected: fail("format", "invalid_encoding"),
  },
  {
    id: "encoding/payload-lone-surrogate",
    category: "encoding",
    description: "a UTF-8-encoded lone surrogate (ED A0 80, CESU-8) in the payload, signed by the issuer",
    build: (w) => cred(rawSigned(w, { payload: [0xed, 0xa0, 0x80] })),
    expected: fail("format", "invalid_encoding"),
  },
  {
    id: "encoding/payload-truncated-utf8",
    category: "encoding",
    description: "a truncated multi-byte sequence (E2 82) in the payload, signed by the issuer",
    build: (w) => cred(rawSigned(w, { payload: [0xe2, 0x82] })),
    expected: fail("format", "invalid_encoding"),
  },
  {
    id: "encoding/header-invalid-utf8",
    category: "encoding",
    description: "a 0xFF byte inside a string of the header, signed by the issuer",
    build: (w) => cred(rawSigned(w, { header: [0xff] })),
    expected: fail("format", "invalid_encoding"),
  },
  // sub: when present, it names the subject, and the credential's subject must be that one.
  {
    id: "structure/sub-other-subject",
    category: "structure",
    description: "sub names grace while vc.credentialSubject.id names ada; signed by the issuer",
    build: (w) =>
      cred(
        w.credential(UNI, (p) => {
          (vcOf(p).credentialSubject as Record<string, unknown>).id = w.dids.ada;
          p.sub = w.dids.grace;
        }),
      ),
    expected: fail("schema", "subject_mismatch"),
  },
  {
    id: "structure/sub-other-than-top-level-subject",
    category: "structure",
    description: "sub names ada while a top-level credentialSubject.id names grace; signed by the issuer",
    build: (w) =>
      cred(
        w.credential(UNI, (p) => {
          p.sub = w.dids.ada;
          p.credentialSubject = { id: w.dids.grace };
        }),
      ),
    expected: fail("schema", "subject_mismatch"),
  },
  // iat: an issuer cannot have signed later than now (beyond the clock-skew allowance), whatever nbf says.
  {
    id: "validity/iat-in-future-nbf-past",
    category: "validity",
    description: "iat an hour ahead, nbf an hour ago",
    build: (w) => cred(w.credential(UNI, (p) => void (p.iat = w.now + 3600))),
    expected: fail("validity", "issued_in_future"),
  },
  {
    id: "validity/iat-in-future-no-nbf",
    category: "validity",
    description: "iat an hour ahead, no nbf and no issuance date",
    build: (w) =>
      cred(
        w.credential(UNI, (p) => {
          delete p.nbf;
          p.iat = w.now + 3600;
        }),
      ),
    expected: fail("validity", "issued_in_future"),
  },
  {
    id: "validity/iat-past-skew",
    category: "validity",
    description: "iat 61 s ahead, one second past the skew",
    build: (w) => cred(w.credential(UNI, (p) => void (p.iat = w.now + 61))),
    expected: fail("validity", "issued_in_future"),
  },
  {
    id: "validity/iat-as-string",
    category: "validity",
    description: "iat as a string of digits",
    build: (w) => cred(w.credential(UNI, (p) => void (p.iat = String(w.now - 10)))),
    expected: fail("validity", "invalid_field"),
  },
  // A public-key-form did:ethr whose key is no point of secp256k1 is an invalid issuer, not an unanswerable one.
  {
    id: "issuer/public-key-off-curve",
    category: "issuer",
    description: "iss a public-key did:ethr whose 33-byte key (x = 5) is not on the curve",
    build: (w) => cred(issAs(w, `did:ethr:${w.networkName}:0x02${"5".padStart(64, "0")}`)),
    expected: fail("issuer", "invalid_issuer"),
  },
  {
    id: "issuer/public-key-x-beyond-field",
    category: "issuer",
    description: "iss a public-key did:ethr whose x coordinate is not below the field prime",
    build: (w) => cred(issAs(w, `did:ethr:${w.networkName}:0x03${"f".repeat(64)}`)),
    expected: fail("issuer", "invalid_issuer"),
  },
  // ---- VC-JOSE: the credential is the JWT payload (VC 2.0, as Open Badges 3.0 secures it) ----------------------
  // Open Badges 3.0: `iss`, `jti`, `sub`, `nbf` and `exp` mirror issuer.id, id, credentialSubject.id, validFrom and
  // validUntil; the header carries `kid` or `jwk` (never a private key), `typ` JWT if present.
  {
    id: "vcjose/jti-not-id",
    category: "vcjose",
    description: "jti naming another credential than the payload's id",
    build: (w) => cred(w.joseCredential(UNI, (p) => void (p.jti = "urn:uuid:00000000-0000-4000-8000-00000000beef"))),
    expected: fail("schema", "claim_mismatch"),
  },
  {
    id: "vcjose/nbf-not-validFrom",
    category: "vcjose",
    description: "nbf a day before validFrom",
    build: (w) => cred(w.joseCredential(UNI, (p) => void (p.nbf = Number(p.nbf) - 86_400))),
    expected: fail("schema", "claim_mismatch"),
  },
  {
    id: "vcjose/exp-beyond-validUntil",
    category: "vcjose",
    description: "exp a year after validUntil (both in the future)",
    build: (w) =>
      cred(w.joseCredential({ ...UNI, exp: w.now + 3600 }, (p) => void (p.exp = w.now + 3600 + 365 * 86_400))),
    expected: fail("schema", "claim_mismatch"),
  },
  {
    id: "vcjose/sub-not-subject",
    category: "vcjose",
    description: "sub naming grace while credentialSubject.id names ada",
    build: (w) => cred(w.joseCredential(UNI, (p) => void (p.sub = w.dids.grace))),
    expected: fail("schema", "subject_mismatch"),
  },
  {
    id: "vcjose/iss-not-issuer",
    category: "vcjose",
    description: "issuer.id naming the university, signed and iss by mallory",
    build: (w) => cred(w.joseCredential({ ...UNI, signer: "mallory" }, (p) => void (p.iss = w.dids.mallory))),
    expected: fail("issuer", "iss_mismatch"),
  },
  {
    id: "vcjose/vc-claim-and-payload-credential",
    category: "vcjose",
    description: "a VC 2.0 payload that also carries a vc claim (which credential is it?)",
    build: (w) => cred(w.joseCredential(UNI, (p) => void (p.vc = { ...p }))),
    expected: fail("format", "invalid_payload"),
  },
  {
    id: "vcjose/vc11-context-as-payload",
    category: "vcjose",
    description: "the VC 1.1 context at the top of the payload (VC-JOSE secures VC 2.0 only)",
    build: (w) =>
      cred(
        w.joseCredential(UNI, (p) => {
          (p["@context"] as string[])[0] = "https://www.w3.org/2018/credentials/v1";
          p.issuanceDate = p.validFrom;
        }),
      ),
    expected: fail("format", "invalid_payload"),
  },
  {
    id: "vcjose/no-validFrom",
    category: "vcjose",
    description: "validFrom removed (Open Badges 3.0 requires it), nbf kept",
    build: (w) => cred(w.joseCredential(UNI, (p) => void delete p.validFrom)),
    expected: fail("schema", "missing_field"),
  },
  {
    id: "vcjose/jwk-with-private-key",
    category: "vcjose",
    description: "the jwk header carries the private key d",
    build: (w) => {
      const key = w.wallets.university;
      const point = secp256k1.ProjectivePoint.fromHex(key.signingKey.publicKey.slice(2)).toRawBytes(false);
      const jwk = {
        kty: "EC",
        crv: "secp256k1",
        x: b64url(point.subarray(1, 33)),
        y: b64url(point.subarray(33)),
        d: b64url(Buffer.from(key.privateKey.slice(2), "hex")),
      };
      return cred(w.joseCredential({ ...UNI, header: { alg: "ES256K", typ: "JWT", jwk } }));
    },
    expected: fail("format", "invalid_jwk"),
  },
  {
    id: "vcjose/jwk-off-curve",
    category: "vcjose",
    description: "a jwk whose point is not on secp256k1",
    build: (w) =>
      cred(
        w.joseCredential({
          ...UNI,
          header: {
            alg: "ES256K",
            typ: "JWT",
            jwk: { kty: "EC", crv: "secp256k1", x: b64url(Buffer.alloc(32, 1)), y: b64url(Buffer.alloc(32, 2)) },
          },
        }),
      ),
    expected: fail("format", "invalid_jwk"),
  },
  {
    id: "vcjose/jwk-p256",
    category: "vcjose",
    description: "a jwk on another curve (P-256)",
    build: (w) =>
      cred(
        w.joseCredential({
          ...UNI,
          header: {
            alg: "ES256K",
            typ: "JWT",
            jwk: { kty: "EC", crv: "P-256", x: b64url(Buffer.alloc(32, 1)), y: b64url(Buffer.alloc(32, 2)) },
          },
        }),
      ),
    expected: fail("format", "invalid_jwk"),
  },
  {
    id: "vcjose/jwk-names-delegate-signed-by-mallory",
    category: "vcjose",
    description: "the jwk names the university's valid delegate, the signature is mallory's",
    build: (w) => {
      const point = secp256k1.ProjectivePoint.fromHex(w.wallets.delegateValid.signingKey.publicKey.slice(2)).toRawBytes(
        false,
      );
      const jwk = { kty: "EC", crv: "secp256k1", x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33)) };
      return cred(w.joseCredential({ ...UNI, signer: "mallory", header: { alg: "ES256K", typ: "JWT", jwk } }));
    },
    expected: fail("signature", "invalid_signature"),
  },
  {
    id: "vcjose/jwk-names-issuer-signed-by-revoked-delegate",
    category: "vcjose",
    description: "signed by the university's revoked delegate, its own key as jwk",
    build: (w) => cred(w.joseCredential({ ...UNI, signer: "delegateRevoked" })),
    expected: fail("signature", "invalid_signature"),
  },
];
