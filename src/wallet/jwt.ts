/**
 * What a credential JWT says about itself, decoded without verification: for listing, lookups and reading what a
 * holder holds (the verifier decodes strictly, in src/verify/jwt.ts). Pure.
 */

/** The decoded payload of a credential JWT (no verification: for listing and lookups). */
export function jwtPayload(jwt: string): Record<string, unknown> | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as unknown;
    return typeof payload === "object" && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined;
  } catch {
    // Not JSON: nothing to show.
    return undefined;
  }
}

/** A credential's id, name, issuer, subject and types as its JWT states them. */
export function describeJwt(jwt: string): {
  id?: string;
  name?: string;
  issuer?: string;
  issuerName?: string;
  subject?: string;
  types: string[];
  issuedAt?: number;
  expiresAt?: number;
} {
  const p = jwtPayload(jwt) ?? {};
  // The credential: the `vc` claim (VC 1.1), or the payload itself (VC-JOSE).
  const vc = (typeof p.vc === "object" && p.vc !== null ? p.vc : p) as Record<string, unknown>;
  const subject = (vc.credentialSubject ?? {}) as Record<string, unknown>;
  const achievementValue = subject.achievement;
  const achievements = (
    Array.isArray(achievementValue) ? achievementValue : achievementValue !== undefined ? [achievementValue] : []
  ) as Record<string, unknown>[];
  // did-jwt-vc moves members it has no claim for (name, issuer profile) from `vc` to the top of the payload.
  const issuer = (vc.issuer ?? p.issuer) as { name?: unknown } | string | undefined;
  const out: ReturnType<typeof describeJwt> = {
    types: [...new Set(achievements.map((a) => a.achievementType).filter((t): t is string => typeof t === "string"))],
  };
  const id = p.jti ?? vc.id;
  if (typeof id === "string") out.id = id;
  const name = vc.name ?? p.name;
  if (typeof name === "string") out.name = name;
  if (typeof p.iss === "string") out.issuer = p.iss;
  if (typeof issuer === "object" && typeof issuer?.name === "string") out.issuerName = issuer.name;
  const sub = p.sub ?? subject.id;
  if (typeof sub === "string") out.subject = sub;
  if (typeof p.nbf === "number") out.issuedAt = p.nbf;
  if (typeof p.exp === "number") out.expiresAt = p.exp;
  return out;
}
