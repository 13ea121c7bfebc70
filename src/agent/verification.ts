import type { LerNetwork } from "../chain/network.js";
import type { VerifierContext, VerifierMemory } from "../verify/index.js";

/** How the plugin's verification methods call src/verify/: the verifier's context and options from the agent's. */

/** A JWT from a JWT string or a W3C credential/presentation carrying one in `proof.jwt`. */
export function jwtOf(value: unknown): unknown {
  if (typeof value === "object" && value !== null) {
    const jwt = (value as { proof?: { jwt?: unknown } }).proof?.jwt;
    if (typeof jwt === "string") return jwt;
  }
  return value;
}

/** The verifier's context over the agent's network, with the agent's memory (and its endpoint, for threads). */
export function verifierContext(network: LerNetwork, memory: VerifierMemory): VerifierContext {
  return {
    provider: network.provider,
    deployment: network.deployment,
    networkName: network.name,
    memory,
    ...(network.rpcUrl !== undefined && { rpcUrl: network.rpcUrl }),
  };
}

/** A verification's options: its arguments over the agent's clock (`now`, seconds) and read options. */
export function verifyOptions(
  args: { now?: number; clockSkewSeconds?: number; trustedRoots?: string[]; checkStatusLists?: boolean },
  now: number,
  read: { timeoutMs?: number; maxHeadAgeSeconds?: number },
) {
  return {
    now: args.now ?? now,
    ...(args.clockSkewSeconds !== undefined && { clockSkewSeconds: args.clockSkewSeconds }),
    ...(args.trustedRoots !== undefined && { trustedRoots: args.trustedRoots }),
    ...(args.checkStatusLists === true && { checkStatusLists: true }),
    read,
  };
}
