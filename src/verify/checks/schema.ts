import { credentialTypesOf, embeddedCredentialsOf, validateLerCredential } from "../../credentials/index.js";
import { mirrorMismatch, type CredentialForm } from "../../credentials/jose.js";
import { deepFrozen, type VerifierMemory } from "../memory.js";
import type { Check } from "../report.js";
import { failure } from "./common.js";

const SCHEMA_PASS: Check = deepFrozen({
  id: "schema",
  outcome: "pass",
  code: "required_fields",
  message: "Every required field is present.",
});

/** Credentials one record may embed (a presentation carries at most 100 too). */
export const MAX_EMBEDDED = 100;

/** The schema check: every field an LER requires, of the right shape (`required_fields`; else the field's code and path). */
export function schemaCheck(credential: Record<string, unknown>): Check {
  const schema = validateLerCredential(credential);
  return schema.ok
    ? SCHEMA_PASS
    : { id: "schema", outcome: "fail", code: schema.code, message: schema.message, details: { path: schema.path } };
}

/**
 * A record's (CLR 2.0) embedded credentials, as compact JWTs; an `embedded` failure (`too_many_embedded`) past
 * MAX_EMBEDDED; undefined for a credential that embeds none (or a malformed list, which the schema check reports).
 */
export function embeddedOf(credential: Record<string, unknown>): string[] | Check | undefined {
  let embedded: string[] | undefined;
  try {
    embedded = embeddedCredentialsOf(credential);
  } catch {
    return undefined;
  }
  if (embedded !== undefined && embedded.length > MAX_EMBEDDED) {
    return {
      id: "embedded",
      outcome: "fail",
      code: "too_many_embedded",
      message: `The record embeds ${embedded.length} credentials; at most ${MAX_EMBEDDED} are verified.`,
    };
  }
  return embedded;
}

/**
 * `sub`, when present, names the credential's subject (did-jwt-vc makes it `credentialSubject.id`): every subject id
 * the payload gives (in the vc claim or at the top, one subject or several) must be that one (`subject_mismatch`).
 */
export function subjectCheck(payload: Record<string, unknown>): Check | undefined {
  const sub = payload.sub;
  if (sub === undefined) return undefined;
  const vc = payload.vc as Record<string, unknown> | undefined;
  const ids: unknown[] = [];
  for (const subjects of [vc?.credentialSubject, payload.credentialSubject]) {
    for (const s of Array.isArray(subjects) ? subjects : [subjects]) {
      if (typeof s === "object" && s !== null && (s as Record<string, unknown>).id !== undefined)
        ids.push((s as Record<string, unknown>).id);
    }
  }
  const other = typeof sub === "string" ? ids.find((id) => id !== sub) : sub;
  if (other === undefined) return undefined;
  return {
    id: "schema",
    outcome: "fail",
    code: "subject_mismatch",
    message:
      typeof sub === "string"
        ? `The JWT's sub names ${sub} but the credential's subject is ${String(other)}.`
        : "The JWT's `sub` claim is not a string.",
    details: { sub, credentialSubject: other },
  };
}

/** A VC-JOSE credential's registered claims mirror its members (`jti` its `id`, `nbf` its `validFrom`, …): `claim_mismatch`. */
export function mirrorCheck(payload: Record<string, unknown>, form: CredentialForm): Check | undefined {
  const mirrored = form === "vc-jose" ? mirrorMismatch(payload) : undefined;
  if (mirrored === undefined) return undefined;
  const [claim, member] = mirrored;
  return {
    id: "schema",
    outcome: "fail",
    code: "claim_mismatch",
    message: `The JWT's ${claim} (${JSON.stringify(payload[claim])}) does not mirror the credential's ${member} (${JSON.stringify(payload[member])}).`,
    details: { claim, member },
  };
}

/** The credential types the trust check asks accreditation for (shared between credentials), or a schema failure. */
export function typesOf(credential: Record<string, unknown>, memory: VerifierMemory): readonly string[] | Check {
  try {
    const types = credentialTypesOf(credential);
    return memory.intern(`ty|${JSON.stringify(types)}`, () => types);
  } catch (e) {
    return failure("schema", e);
  }
}
