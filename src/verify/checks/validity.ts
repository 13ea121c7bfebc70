import type { Check } from "../report.js";
import type { VerifierMemory } from "../memory.js";
import { deepFrozen } from "../memory.js";
import { iso, type PreparedJwt } from "./common.js";

/**
 * The validity window a credential claims: the JWT's `nbf`/`exp` and the credential's own dates
 * (`issuanceDate`/`validFrom`, `expirationDate`/`validUntil`, in the vc claim or at the top), the strictest of
 * them. A date that is not a date makes the window invalid (null).
 */
export function validityWindow(p: Record<string, unknown>): { nbf: unknown; exp: unknown } {
  const vc = (typeof p.vc === "object" && p.vc !== null ? p.vc : {}) as Record<string, unknown>;
  const dates = (names: string[]) => names.flatMap((n) => [vc[n], p[n]]).filter((v) => v !== undefined);
  const seconds = (v: unknown) =>
    typeof v === "string" && !Number.isNaN(Date.parse(v)) ? Math.floor(Date.parse(v) / 1000) : null;
  let nbf: unknown = p.nbf;
  let exp: unknown = p.exp;
  for (const d of dates(["issuanceDate", "validFrom"])) {
    const t = seconds(d);
    if (t === null) return { nbf: "invalid", exp };
    if (nbf === undefined || (typeof nbf === "number" && t > nbf)) nbf = t;
  }
  for (const d of dates(["expirationDate", "validUntil"])) {
    const t = seconds(d);
    if (t === null) return { nbf, exp: "invalid" };
    if (exp === undefined || (typeof exp === "number" && t < exp)) exp = t;
  }
  return { nbf, exp };
}

const VALID_FOREVER: Check = deepFrozen({
  id: "validity",
  outcome: "pass",
  code: "within_validity",
  message: "Valid, with no expiry.",
});

/**
 * The validity check: at `now` (seconds), within `skew`, the credential is issued (`iat` not ahead of the verifier's
 * clock: `issued_in_future`), valid from (`not_yet_valid`) and not expired (`expired`). Windows that are not numbers
 * of seconds fail (`invalid_field`).
 */
export function validityCheck(
  jwt: Pick<PreparedJwt, "nbf" | "exp" | "iat">,
  now: number,
  skew: number,
  memory: VerifierMemory,
): Check {
  const nbf = numericClaim(jwt.nbf);
  const exp = numericClaim(jwt.exp);
  const iat = numericClaim(jwt.iat);
  if (nbf === null || exp === null) {
    return {
      id: "validity",
      outcome: "fail",
      code: "invalid_field",
      message: "`nbf` and `exp` must be numbers of seconds.",
    };
  }
  if (iat === null) {
    return { id: "validity", outcome: "fail", code: "invalid_field", message: "`iat` must be a number of seconds." };
  }
  // No issuer signs later than now: an `iat` ahead of the verifier's clock by more than the clock-skew allowance is
  // refused, whatever `nbf` says.
  if (iat !== undefined && iat > now + skew) {
    return {
      id: "validity",
      outcome: "fail",
      code: "issued_in_future",
      message: `Issued at ${iso(iat)}, later than the verifier's time ${iso(now)} by more than the clock-skew allowance of ${skew} s.`,
      details: { iat, now, clockSkewSeconds: skew },
    };
  }
  if (nbf !== undefined && nbf > now + skew) {
    return {
      id: "validity",
      outcome: "fail",
      code: "not_yet_valid",
      message: `Valid from ${iso(nbf)} only.`,
      details: { nbf },
    };
  }
  if (exp !== undefined && exp <= now - skew) {
    return { id: "validity", outcome: "fail", code: "expired", message: `Expired at ${iso(exp)}.`, details: { exp } };
  }
  return exp === undefined
    ? VALID_FOREVER
    : memory.intern(`c|va|${exp}`, (): Check => ({
        id: "validity",
        outcome: "pass",
        code: "within_validity",
        message: `Valid until ${iso(exp)}.`,
      }));
}

function numericClaim(v: unknown): number | undefined | null {
  if (v === undefined) return undefined;
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}
