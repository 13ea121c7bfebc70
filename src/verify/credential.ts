/**
 * The library's earlier face of credential verification, kept for its callers: thin wrappers over the one entry
 * (src/verify/index.ts: `verify`, `verifyBatch`, `verifyPresentation`). The checks are src/verify/checks/*.ts, their
 * composition src/verify/batch.ts, what a verifier remembers src/verify/memory.ts.
 */
import { VerificationCache, type ChainCacheLimits } from "../chain/cache.js";
import type { VerifierContext, VerifyOptions } from "./context.js";
import { verify, verifyBatch } from "./index.js";
import type { CredentialReport } from "./report.js";
import { secp256k1Backend } from "./secp256k1.js";

export type { VerifierContext, VerifyOptions } from "./context.js";
export { MAX_EMBEDDED } from "./checks/schema.js";
export { AccreditationStatus } from "./trust.js";
export { VerificationCache, type ChainCacheLimits };
export { createVerifierMemory } from "./memory.js";

/** A cache to pass as `VerifierContext.cache` (a `VerifierMemory` holds one per provider: prefer passing `memory`). */
export function createVerificationCache(limits: ChainCacheLimits = {}): VerificationCache {
  return new VerificationCache(limits);
}

/** The secp256k1 implementation signature checks use here: libsecp256k1 (native) or @noble/curves (pure JS). */
export function signatureBackend(): string {
  return secp256k1Backend.name;
}

/** Verifies one credential JWT. Use `verify` (src/verify/index.ts). */
export function verifyCredential(
  ctx: VerifierContext,
  jwt: unknown,
  options: VerifyOptions,
): Promise<CredentialReport> {
  return verify(ctx, jwt, options);
}

/** Verifies a batch of credential JWTs with one chain snapshot. Use `verifyBatch` (src/verify/index.ts). */
export function verifyCredentials(
  ctx: VerifierContext,
  jwts: readonly unknown[],
  options: VerifyOptions,
): Promise<CredentialReport[]> {
  return verifyBatch(ctx, jwts, options);
}
