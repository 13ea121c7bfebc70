import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { LerError } from "../errors.js";
import { TOKEN_SCOPES, type TokenRecord, type TokenScope } from "./types.js";

/**
 * API tokens of the issuer service: `ler_<id>_<secret>`. The id (16 hex digits, 64 random bits) finds the record, and
 * is safe to print and log; the secret (43 base64url characters, 256 random bits) is shown once, when the token is
 * made, and only its SHA-256 is kept. A fast hash is enough: the secret is random, not a password, so there is nothing
 * to guess from its hash.
 */

const TOKEN = /^ler_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** A new token: the text to hand out once, and its id and secret hash to store. */
export function newToken(): { token: string; id: string; hash: string } {
  const id = randomBytes(8).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  return { token: `ler_${id}_${secret}`, id, hash: secretHash(secret) };
}

/** The id and secret of a token's text; `invalid_token` (the message never repeats the text) if malformed. */
export function parseToken(text: string): { id: string; secret: string } {
  const m = typeof text === "string" ? TOKEN.exec(text.trim()) : null;
  if (m === null) throw new LerError("invalid_token", "Not an API token (ler_<id>_<secret>).");
  return { id: m[1]!, secret: m[2]! };
}

/** SHA-256 of a token's secret, lowercase hex: what a {@link TokenRecord} keeps. */
export function secretHash(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/**
 * Whether `secret` opens `record` at `now` (unix ms): undefined when it does, else the reason as a LerError
 * (`invalid_token`, `token_revoked`, `token_expired`), to throw or to report. The hashes are compared in constant
 * time; a wrong secret is checked before revocation and expiry, so that those say nothing to someone without it.
 */
export function checkToken(record: TokenRecord, secret: string, now: number): LerError | undefined {
  const given = Buffer.from(secretHash(secret), "hex");
  const kept = Buffer.from(/^[0-9a-f]{64}$/.test(record.hash) ? record.hash : "00".repeat(32), "hex");
  if (!timingSafeEqual(given, kept)) {
    return new LerError("invalid_token", "The API token is not valid.", { details: { id: record.id } });
  }
  if (record.revokedAt !== undefined) {
    return new LerError("token_revoked", `API token ${record.id} was revoked at ${record.revokedAt}.`, {
      details: { id: record.id, revokedAt: record.revokedAt },
    });
  }
  if (record.expiresAt !== undefined && !(Date.parse(record.expiresAt) > now)) {
    return new LerError("token_expired", `API token ${record.id} expired at ${record.expiresAt}.`, {
      details: { id: record.id, expiresAt: record.expiresAt },
    });
  }
  return undefined;
}

/** Parses a comma-separated scope list (`issue,status`); `invalid_argument` for an unknown scope or none. */
export function parseScopes(text: string | readonly string[]): TokenScope[] {
  const items = (typeof text === "string" ? text.split(",") : text.flatMap((t) => t.split(",")))
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const unknown = items.filter((s) => !(TOKEN_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0 || items.length === 0) {
    throw new LerError(
      "invalid_argument",
      `Scopes are a comma-separated list of ${TOKEN_SCOPES.join(", ")}${unknown.length > 0 ? `, not ${unknown.join(", ")}` : ""}.`,
    );
  }
  // In the canonical order, once each, so that equal grants compare equal.
  return TOKEN_SCOPES.filter((s) => items.includes(s));
}

/**
 * A token record checked and normalised before it is stored (times as `Date#toISOString`, scopes canonical), so that
 * every store returns the same record for it; `invalid_argument` when malformed.
 */
export function normaliseTokenRecord(record: TokenRecord): TokenRecord {
  const bad = (why: string) =>
    new LerError("invalid_argument", `Token record ${why}.`, { details: { id: record?.id } });
  if (typeof record !== "object" || record === null) throw bad("is not an object");
  if (typeof record.id !== "string" || !/^[0-9a-f]{16}$/.test(record.id)) throw bad("has a malformed id");
  if (typeof record.hash !== "string" || !/^[0-9a-f]{64}$/.test(record.hash)) throw bad("has a malformed hash");
  if (typeof record.issuer !== "string" || !/^0x[0-9a-f]{40}$/.test(record.issuer)) throw bad("has a malformed issuer");
  if (!Array.isArray(record.scopes)) throw bad("has no scopes");
  const scopes = parseScopes(record.scopes);
  const time = (v: string | undefined, name: string): string | undefined => {
    if (v === undefined) return undefined;
    const ms = typeof v === "string" ? Date.parse(v) : NaN;
    if (Number.isNaN(ms)) throw bad(`has a malformed ${name}`);
    return new Date(ms).toISOString();
  };
  const createdAt = time(record.createdAt, "createdAt");
  if (createdAt === undefined) throw bad("has no createdAt");
  const expiresAt = time(record.expiresAt, "expiresAt");
  const revokedAt = time(record.revokedAt, "revokedAt");
  if (record.label !== undefined && typeof record.label !== "string") throw bad("has a malformed label");
  return {
    id: record.id,
    issuer: record.issuer,
    scopes,
    hash: record.hash,
    createdAt,
    ...(expiresAt !== undefined && { expiresAt }),
    ...(revokedAt !== undefined && { revokedAt }),
    ...(record.label !== undefined && { label: record.label }),
  };
}
