/**
 * The one entry of verification: every face (the agent plugin's methods, the pool's threads, the HTTP service, the
 * CLI through the agent) verifies through `verify`, `verifyBatch` and `verifyPresentation` here. A verification is a
 * list of pure checks (src/verify/checks/) over a decoded input, one batched chain snapshot and `now`
 * (src/verify/batch.ts); what a verifier remembers between verifications is its `VerifierMemory`
 * (src/verify/memory.ts), made by the caller and passed in `VerifierContext.memory`.
 */
import { UsageError } from "../errors.js";
import { verifyWithMemory } from "./batch.js";
import type { VerifierContext, VerifyOptions } from "./context.js";
import { isDecodedJwt } from "./jwt.js";
import { memoryOf, type VerifierMemory } from "./memory.js";
import { VerifierPool, type PoolVerifyOptions } from "./pool.js";
import { verifyPresentationWithMemory, type VerifyPresentationOptions } from "./presentation.js";
import type { CredentialReport, PresentationReport } from "./report.js";

export type { VerifierContext, VerifierScope, VerifyOptions } from "./context.js";
export { createVerifierMemory, VerifierMemory, type VerifierMemoryLimits } from "./memory.js";
export type { VerifyPresentationOptions } from "./presentation.js";
export { decodeJwt, isDecodedJwt, type DecodedJwt } from "./jwt.js";
export { VerifierPool } from "./pool.js";

/** A batch's options: those of every verification, and how to run it. */
export interface VerifyBatchOptions extends VerifyOptions {
  /**
   * Verify on this many worker threads (src/verify/pool.ts), for batches of thousands: the reports are the same, in
   * order, all at one block. Needs `VerifierContext.rpcUrl` (each thread connects on its own); default 1 (this
   * thread). Only what can cross to a thread is passed on (`read` without callbacks and caches; the threads fetch
   * status lists with `fetch`).
   */
  threads?: number;
  /** A pool kept by the caller, to run on instead of one made for this batch (`threads` is then ignored). */
  pool?: VerifierPool;
}

/**
 * Verifies one credential: a compact JWT, or a token `decodeJwt` already decoded (it is not decoded again). The
 * report never throws for what the credential is: a credential that cannot be checked is `unknown`.
 */
export async function verify(ctx: VerifierContext, input: unknown, options: VerifyOptions): Promise<CredentialReport> {
  const { reports } = await verifyWithMemory(ctx, memoryOf(ctx), [input], options);
  return reports[0]!;
}

/**
 * Verifies a batch of credentials with one chain snapshot: one `eth_call` for every registry read of the batch and
 * at most one `eth_getLogs` for DID histories; on worker threads with `threads` (or `pool`).
 */
export async function verifyBatch(
  ctx: VerifierContext,
  inputs: readonly unknown[],
  options: VerifyBatchOptions,
): Promise<CredentialReport[]> {
  const { threads, pool, ...rest } = options;
  if (pool === undefined && (threads === undefined || threads <= 1))
    return (await verifyWithMemory(ctx, memoryOf(ctx), inputs, rest)).reports;
  // Threads take tokens (a decoded token does not cross to a thread) and options without functions.
  const tokens = inputs.map((x) => (isDecodedJwt(x) ? x.raw : x));
  const onPool: PoolVerifyOptions = { ...rest, ...(rest.read !== undefined && { read: portableRead(rest.read) }) };
  if (pool !== undefined) return pool.verifyCredentials(tokens, onPool);
  if (ctx.rpcUrl === undefined)
    throw new UsageError("invalid_argument", "Verifying on threads needs a JSON-RPC endpoint (--rpc).");
  const own = new VerifierPool({
    rpcUrl: ctx.rpcUrl,
    deployment: ctx.deployment,
    networkName: ctx.networkName,
    threads: threads!,
    memory: memoryOf(ctx),
  });
  try {
    return await own.verifyCredentials(tokens, onPool);
  } finally {
    await own.close();
  }
}

/**
 * Verifies a presentation (a compact JWT, or one `decodeJwt` decoded): the holder's signature and binding, the
 * verifier's challenge and domain, and every credential it carries, with one chain snapshot.
 */
export async function verifyPresentation(
  ctx: VerifierContext,
  input: unknown,
  options: VerifyPresentationOptions,
): Promise<PresentationReport> {
  return verifyPresentationWithMemory(ctx, memoryOf(ctx), input, options);
}

/** The memory verifications through `ctx` use (its own, else the one kept for its provider). */
export function verifierMemoryOf(ctx: VerifierContext): VerifierMemory {
  return memoryOf(ctx);
}

function portableRead(read: NonNullable<VerifyOptions["read"]>): NonNullable<PoolVerifyOptions["read"]> {
  const { timeoutMs, callGasBudget, maxHeadAgeSeconds } = read;
  return {
    ...(timeoutMs !== undefined && { timeoutMs }),
    ...(callGasBudget !== undefined && { callGasBudget }),
    ...(maxHeadAgeSeconds !== undefined && { maxHeadAgeSeconds }),
  };
}
