import { LerError } from "../../errors.js";
import { credentialOfPayload, jwkPublicKey, type CredentialForm } from "../../credentials/jose.js";
import { decodeJwt, signingHash, type DecodedJwt } from "../jwt.js";
import type { VerifierMemory } from "../memory.js";
import type { Check } from "../report.js";
import { uncompressedKey } from "../secp256k1.js";
import { failure, type PreparedJwt } from "./common.js";
import { validityWindow } from "./validity.js";

/** A credential JWT, decoded once: the token, and the credential it carries in W3C form. */
export interface DecodedCredential {
  jwt: DecodedJwt;
  credential: Record<string, unknown>;
  /** VC-JOSE (the payload is the credential, as issued now) or VC-JWT 1.1 (its `vc` claim, as issued before). */
  form: CredentialForm;
}

/**
 * The format check, first part: the input is a compact JWS this verifier accepts (or a token already decoded) that
 * carries a credential. Fails with the decoder's code (`malformed_jwt`, `unsupported_alg`, `token_too_large`,
 * `malformed_signature`, `invalid_encoding`, `unsupported_crit`, …) or the payload's.
 */
export function decodeCredential(input: unknown): DecodedCredential | Check {
  let jwt: DecodedJwt;
  try {
    jwt = decodeJwt(input);
  } catch (e) {
    return failure("format", e);
  }
  try {
    const { credential, form } = credentialOfPayload(jwt.payload);
    return { jwt, credential, form };
  } catch (e) {
    return failure("format", e);
  }
}

/** What the signature and validity checks need of a decoded JWT (its header's `jwk` aside: see `headerKeyOf`). */
export function preparedJwt(jwt: DecodedJwt): PreparedJwt {
  const parts = new Uint8Array(jwt.signature.length + 32);
  parts.set(jwt.signature);
  parts.set(signingHash(jwt), jwt.signature.length);
  const { nbf, exp } = validityWindow(jwt.payload);
  const p: PreparedJwt = { alg: jwt.alg, nbf, exp, iat: jwt.payload.iat, parts };
  if (Object.hasOwn(jwt.header, "kid")) p.kid = jwt.header.kid;
  return p;
}

/**
 * The format check, second part: the public key a JOSE header's `jwk` gives (Open Badges 3.0 credentials name their
 * key), which must be a point of secp256k1 (`invalid_jwk`). Every credential of an issuer carries the same one: the
 * key is remembered by its JSON.
 */
export function headerKeyOf(jwk: unknown, memory: VerifierMemory): Uint8Array | Check {
  try {
    return memory.headerKey(JSON.stringify(jwk), () => {
      const key = uncompressedKey(jwkPublicKey(jwk));
      if (key === undefined) throw new LerError("invalid_jwk", "The JOSE header's jwk is not a point of secp256k1.");
      return key;
    });
  } catch (e) {
    return failure("format", e);
  }
}

/** The format check's pass. */
export function wellFormed(alg: DecodedJwt["alg"], memory: VerifierMemory): Check {
  return memory.intern(`c|wf|${alg}`, (): Check => ({
    id: "format",
    outcome: "pass",
    code: "well_formed",
    message: `A well-formed ${alg} JWT.`,
  }));
}

/** Whether a check function answered with a check (a failure) rather than its value. */
export function isCheck(value: unknown): value is Check {
  return typeof value === "object" && value !== null && !(value instanceof Uint8Array) && "outcome" in value;
}
