import { readDeployment, type Deployment } from "../chain/deployments.js";
import { headAgeBound } from "../chain/presets.js";
import { chainIdOf, rpcProvider } from "../chain/provider.js";
import { rpcCall } from "../chain/rpc.js";
import { unixSeconds, type Clock } from "../clock.js";
import { ChainError, LerError } from "../errors.js";
import {
  createVerifierMemory,
  verify,
  verifyBatch,
  verifyPresentation,
  type VerifierContext,
  type VerifyOptions,
} from "../verify/index.js";
import type { CredentialReport, PresentationReport } from "../verify/report.js";

/** Where a verifier reads, and how it judges. */
export interface VerifierOptions {
  /** The chain's JSON-RPC endpoint (http:// or https://). */
  rpcUrl: string;
  /** The registries: a deployment record, or the path of one (`deployments/<network>.json`). */
  deployment: Deployment | string;
  /** The did:ethr network name of the chain (default: the record's `network`). */
  networkName?: string;
  /** Every chain read of one verification must finish within this long, in milliseconds (default 10,000). */
  timeoutMs?: number;
  /** Tolerance for validity windows, in seconds (default 0). */
  clockSkewSeconds?: number;
  /** Roots (addresses or did:ethr) this verifier trusts; by default every root the registry's governance added. */
  trustedRoots?: readonly string[];
  /** A verification is unknown when the node's latest block is older than this (default: the chain's preset). */
  maxHeadAgeSeconds?: number | null;
  /** The verifier's clock (default: the system's). */
  clock?: Clock;
}

/** A verifier bound to one chain: it remembers what it read between verifications, and re-reads what may change. */
export interface Verifier {
  readonly chainId: number;
  readonly deployment: Deployment;
  /** Verifies one credential (a compact JWT). Never throws for what the credential is: see `report.result`. */
  verify(jwt: string): Promise<CredentialReport>;
  /** Verifies credentials with one chain snapshot, in order. */
  verifyBatch(jwts: readonly string[]): Promise<CredentialReport[]>;
  /** Verifies a presentation: the holder's binding to the challenge and domain, and every credential in it. */
  verifyPresentation(jwt: string, expected?: { challenge?: string; domain?: string }): Promise<PresentationReport>;
  /** Closes the connection to the node. */
  close(): void;
}

/**
 * Connects a verifier to a chain: the endpoint must serve the deployment record's chain (else `wrong_chain`), and
 * answer within `timeoutMs` (else `chain_timeout`).
 */
export async function createVerifier(options: VerifierOptions): Promise<Verifier> {
  const deployment = typeof options.deployment === "string" ? readRecord(options.deployment) : options.deployment;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const networkName = options.networkName ?? deployment.network;
  const probe = rpcProvider(options.rpcUrl);
  let actual: number;
  try {
    actual = await rpcCall("eth_chainId", () => chainIdOf(probe, options.rpcUrl), {
      timeoutMs,
      timeoutMessage: `${options.rpcUrl} did not answer within ${timeoutMs / 1000} s.`,
    });
  } finally {
    probe.destroy();
  }
  if (actual !== deployment.chainId) {
    throw new ChainError(
      "wrong_chain",
      `${options.rpcUrl} serves chain ${actual}, but the deployment record is for chain ${deployment.chainId}.`,
      { details: { expected: deployment.chainId, actual } },
    );
  }
  const provider = rpcProvider(options.rpcUrl, deployment.chainId);
  const ctx: VerifierContext = {
    provider,
    deployment,
    networkName,
    memory: createVerifierMemory(),
    rpcUrl: options.rpcUrl,
  };
  const maxHeadAgeSeconds = headAgeBound(deployment, options.maxHeadAgeSeconds);
  const verifyOptions = (): VerifyOptions => ({
    now: unixSeconds(options.clock),
    ...(options.clockSkewSeconds !== undefined && { clockSkewSeconds: options.clockSkewSeconds }),
    ...(options.trustedRoots !== undefined && { trustedRoots: options.trustedRoots }),
    read: { timeoutMs, ...(maxHeadAgeSeconds !== undefined && { maxHeadAgeSeconds }) },
  });
  return {
    chainId: deployment.chainId,
    deployment,
    verify: (jwt) => verify(ctx, jwt, verifyOptions()),
    verifyBatch: (jwts) => verifyBatch(ctx, jwts, verifyOptions()),
    verifyPresentation: (jwt, expected = {}) => verifyPresentation(ctx, jwt, { ...verifyOptions(), ...expected }),
    close: () => provider.destroy(),
  };
}

function readRecord(file: string): Deployment {
  const deployment = readDeployment(file);
  if (deployment === undefined) throw new LerError("no_deployment", `No deployment record at ${file}.`);
  return deployment;
}
