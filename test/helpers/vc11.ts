import { VC_CONTEXT_V1 } from "../../src/credentials/index.js";

/**
 * The VC Data Model 1.1 form of a credential the project builds (in 2.0): `issuanceDate`/`expirationDate` for
 * `validFrom`/`validUntil`, the 1.1 context first. Credentials in this form, in a JWT's `vc` claim, are what earlier
 * releases issued and what other tools (stock did-jwt-vc, Veramo) issue: the verifier still reads them.
 */
export function asVc11<T extends object>(credential: T): Record<string, unknown> {
  const { validFrom, validUntil, ...rest } = credential as Record<string, unknown>;
  const context = rest["@context"] as unknown[];
  return {
    ...rest,
    "@context": [VC_CONTEXT_V1, ...context.slice(1)],
    issuanceDate: validFrom,
    ...(validUntil !== undefined && { expirationDate: validUntil }),
  };
}
