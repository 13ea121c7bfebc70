import { normalizeCredential } from "did-jwt-vc";
import { LerError } from "../errors.js";
import { LER_CONTEXT } from "./contexts.js";
import { isPlainObject } from "./values.js";

// How a credential travels as a JWT. Two forms are read:
//
// - **VC-JOSE** (VC Data Model 2.0 secured with JOSE, as Open Badges 3.0 on VC 2.0 specifies): the credential is the
//   JWT payload itself, and the registered claims mirror its members: `iss` = `issuer.id`, `jti` = `id`, `sub` =
//   `credentialSubject.id`, `nbf` = `validFrom`, `exp` = `validUntil`. This is what the project issues.
// - **VC-JWT 1.1** (VC Data Model 1.1): the credential is in the `vc` claim, and did-jwt-vc's normalisation moves the
//   registered claims into it. Issued by earlier releases and by other tools (stock did-jwt-vc, Veramo); read, never
//   produced.

export const VC_CONTEXT_V2 = "https://www.w3.org/ns/credentials/v2";

/** The JWT registered claims the VC-JOSE form mirrors from the credential (and `iat`, which it may add). */
const MIRRORED_CLAIMS = ["iss", "jti", "sub", "nbf", "exp", "iat"] as const;

export type CredentialForm = "vc-jose" | "vc-jwt-1.1";

/** The credential a JWT payload carries, in W3C form, and which form carried it. */
export interface PayloadCredential {
  form: CredentialForm;
  credential: Record<string, unknown>;
}

/**
 * The credential of a JWT payload: the `vc` claim, normalised (VC-JWT 1.1), or the payload itself without the
 * registered claims (VC-JOSE, recognised by a top-level `@context` and no `vc` claim). Throws `invalid_payload` when
 * the payload carries neither, or both.
 */
export function credentialOfPayload(payload: Record<string, unknown>): PayloadCredential {
  const hasVc = Object.hasOwn(payload, "vc");
  const hasContext = Object.hasOwn(payload, "@context");
  if (hasVc) {
    if (!isPlainObject(payload.vc)) throw new LerError("invalid_payload", "The JWT's `vc` claim is not an object.");
    if (hasContext) {
      throw new LerError(
        "invalid_payload",
        "The JWT carries both a `vc` claim and a credential of its own (`@context` at the top).",
      );
    }
    let credential: Record<string, unknown>;
    try {
      credential = normalizeCredential(payload as never) as unknown as Record<string, unknown>;
    } catch (e) {
      throw new LerError("invalid_payload", `The credential cannot be read: ${(e as Error).message}`);
    }
    return { form: "vc-jwt-1.1", credential };
  }
  if (!hasContext)
    throw new LerError("invalid_payload", "The JWT carries no credential: neither a `vc` claim nor a VC 2.0 payload.");
  if (Object.hasOwn(payload, "vp"))
    throw new LerError("invalid_payload", "The JWT carries a presentation, not a credential.");
  // VC-JOSE secures VC Data Model 2.0 only (VC 1.1 travels in a `vc` claim).
  const context = payload["@context"];
  if ((Array.isArray(context) ? context[0] : context) !== VC_CONTEXT_V2) {
    throw new LerError(
      "invalid_payload",
      `A credential secured as the JWT payload is VC 2.0: its @context starts with "${VC_CONTEXT_V2}".`,
    );
  }
  const credential: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (!(MIRRORED_CLAIMS as readonly string[]).includes(k)) credential[k] = v;
  }
  return { form: "vc-jose", credential };
}

/**
 * The JWT payload that secures a VC 2.0 credential the VC-JOSE way, with the registered claims Open Badges 3.0
 * requires mirrored from it: `iss` (issuer.id), `jti` (id), `sub` (credentialSubject.id), `nbf` (validFrom) and `exp`
 * (validUntil, when there is one). Throws `invalid_field` when a member the claims mirror is missing or malformed.
 */
export function joseCredentialPayload(credential: Record<string, unknown>): Record<string, unknown> {
  const issuer = credential.issuer;
  const iss = typeof issuer === "string" ? issuer : isPlainObject(issuer) ? issuer.id : undefined;
  const subject = credential.credentialSubject;
  const sub = isPlainObject(subject) ? subject.id : undefined;
  const claims: Record<string, unknown> = {
    iss: text(iss, "issuer.id"),
    jti: text(credential.id, "id"),
    sub: text(sub, "credentialSubject.id"),
    nbf: seconds(credential.validFrom, "validFrom"),
  };
  if (credential.validUntil !== undefined) claims.exp = seconds(credential.validUntil, "validUntil");
  return { ...credential, ...claims };
}

/**
 * Where the registered claims of a VC-JOSE payload contradict the credential they secure (Open Badges 3.0: `iss`,
 * `jti`, `sub`, `nbf` and `exp` must equal `issuer.id`, `id`, `credentialSubject.id`, `validFrom`, `validUntil`):
 * the first contradiction as `[claim, member]`, or undefined. A claim or member that is absent contradicts nothing
 * here (the issuer and subject rules are checked elsewhere; other issuers may leave claims out).
 */
export function mirrorMismatch(payload: Record<string, unknown>): [string, string] | undefined {
  const pairs: [string, string, (v: unknown) => unknown][] = [
    ["jti", "id", (v) => v],
    ["nbf", "validFrom", toSeconds],
    ["exp", "validUntil", toSeconds],
  ];
  for (const [claim, member, convert] of pairs) {
    const c = payload[claim];
    const m = payload[member];
    if (c === undefined || m === undefined) continue;
    if (convert(m) !== c) return [claim, member];
  }
  return undefined;
}

function toSeconds(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const t = Date.parse(v);
  // A NumericDate in whole seconds, as every JWT library writes one: a fraction of validFrom is dropped.
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
}

function text(value: unknown, path: string): string {
  if (typeof value !== "string" || value === "") {
    throw new LerError("invalid_field", `The credential's ${path} must be a string for the JWT to mirror it.`, {
      details: { path },
    });
  }
  return value;
}

function seconds(value: unknown, path: string): number {
  const t = toSeconds(value);
  if (t === undefined) {
    throw new LerError("invalid_field", `The credential's ${path} must be a date-time for the JWT to mirror it.`, {
      details: { path },
    });
  }
  return t;
}

/** A secp256k1 public key as a JWK (RFC 7517, `crv` secp256k1 as RFC 8812 registers it): the public part only. */
export interface Secp256k1Jwk {
  kty: "EC";
  crv: "secp256k1";
  x: string;
  y: string;
}

/** The JWK of an uncompressed secp256k1 public key (65 bytes, 0x04 || x || y). */
export function secp256k1Jwk(uncompressed: Uint8Array): Secp256k1Jwk {
  if (uncompressed.length !== 65 || uncompressed[0] !== 4) {
    throw new LerError(
      "invalid_key",
      "A secp256k1 JWK is made from an uncompressed public key (65 bytes, 0x04 first).",
    );
  }
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
  return { kty: "EC", crv: "secp256k1", x: b64(uncompressed.subarray(1, 33)), y: b64(uncompressed.subarray(33, 65)) };
}

/**
 * The uncompressed public key (65 bytes) a JOSE header's `jwk` gives: an EC secp256k1 public key with 32-byte `x`
 * and `y` in canonical base64url. Throws `invalid_jwk` for anything else, and for a JWK that carries a private key
 * (`d`), which Open Badges 3.0 forbids. Whether the point is on the curve is the caller's check.
 */
export function jwkPublicKey(jwk: unknown): Uint8Array {
  if (!isPlainObject(jwk)) throw new LerError("invalid_jwk", "The JOSE header's jwk is not a JSON object.");
  if (Object.hasOwn(jwk, "d")) throw new LerError("invalid_jwk", "The JOSE header's jwk carries a private key (`d`).");
  if (jwk.kty !== "EC" || jwk.crv !== "secp256k1") {
    throw new LerError(
      "invalid_jwk",
      `The JOSE header's jwk is not an EC secp256k1 key (kty ${JSON.stringify(jwk.kty)}, crv ${JSON.stringify(jwk.crv)}).`,
    );
  }
  const coordinate = (v: unknown, name: string): Buffer => {
    const bytes = typeof v === "string" && /^[A-Za-z0-9_-]{43}$/.test(v) ? Buffer.from(v, "base64url") : undefined;
    if (bytes === undefined || bytes.length !== 32 || bytes.toString("base64url") !== v) {
      throw new LerError("invalid_jwk", `The JOSE header's jwk ${name} is not 32 bytes in canonical base64url.`);
    }
    return bytes;
  };
  const out = new Uint8Array(65);
  out[0] = 4;
  out.set(coordinate(jwk.x, "x"), 1);
  out.set(coordinate(jwk.y, "y"), 33);
  return out;
}

/** The JWT claims a VC-JOSE presentation carries besides the presentation: the holder, the verifier's challenge and audience, its time. */
const PRESENTATION_CLAIMS = ["iss", "jti", "nonce", "aud", "nbf", "exp", "iat"] as const;

/**
 * The presentation a JWT payload carries: its `vp` claim (VC-JWT 1.1, as Veramo and did-jwt-vc make them), or the
 * payload itself without the JWT claims (VC-JOSE: VC 2.0, `@context` first the 2.0 context, `type` including
 * VerifiablePresentation). Undefined when it carries neither.
 */
export function presentationOfPayload(payload: Record<string, unknown>): Record<string, unknown> | undefined {
  if (Object.hasOwn(payload, "vp")) return isPlainObject(payload.vp) ? payload.vp : undefined;
  const context = payload["@context"];
  const type = payload.type;
  if ((Array.isArray(context) ? context[0] : context) !== VC_CONTEXT_V2) return undefined;
  if (!(Array.isArray(type) ? type : [type]).includes("VerifiablePresentation")) return undefined;
  const presentation: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (!(PRESENTATION_CLAIMS as readonly string[]).includes(k)) presentation[k] = v;
  }
  return presentation;
}

/**
 * The JWT payload of a VC-JOSE presentation (VC 2.0): `holder` presents `credentials` (compact JWTs, each enveloped so
 * that its own signature travels with it) to the verifier whose challenge is `nonce` and whose domain is `aud`.
 */
export function josePresentationPayload(params: {
  id: string;
  holder: string;
  credentials: readonly string[];
  challenge: string;
  domain: string;
  issuedAt: number;
}): Record<string, unknown> {
  return {
    // The project's context defines the JWT claims the VC 2.0 one does not (`jti`, `nonce`).
    "@context": [VC_CONTEXT_V2, LER_CONTEXT],
    id: params.id,
    type: ["VerifiablePresentation"],
    holder: params.holder,
    verifiableCredential: params.credentials.map((jwt) => ({
      "@context": VC_CONTEXT_V2,
      id: `data:application/vc+jwt,${jwt}`,
      type: "EnvelopedVerifiableCredential",
    })),
    iss: params.holder,
    jti: params.id,
    nonce: params.challenge,
    aud: params.domain,
    nbf: params.issuedAt,
  };
}

/** The compact JWT a presented or embedded credential entry carries: a JWT string, an enveloped credential, or a W3C object with `proof.jwt`. */
export function credentialJwtOf(entry: unknown): unknown {
  if (typeof entry === "string") return entry;
  if (!isPlainObject(entry)) return entry;
  const id = entry.id;
  const types = Array.isArray(entry.type) ? entry.type : [entry.type];
  if (
    types.includes("EnvelopedVerifiableCredential") &&
    typeof id === "string" &&
    id.startsWith("data:application/vc+jwt,")
  ) {
    return id.slice("data:application/vc+jwt,".length);
  }
  const jwt = isPlainObject(entry.proof) ? entry.proof.jwt : undefined;
  return typeof jwt === "string" ? jwt : entry;
}
