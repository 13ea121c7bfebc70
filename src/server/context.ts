import { getAddress, isAddress } from "ethers";
import type { LerNetwork } from "../chain/network.js";
import { didNamesChain, parseEthrDid } from "../did/ethr.js";
import { LerError } from "../errors.js";
import type { VerifierContext, VerifyOptions } from "../verify/credential.js";
import { VerificationMetrics } from "./metrics.js";
import { RegistryIndex } from "./registry/indexer.js";

/** What `startServer` (and `ler serve`) takes. Every member but `network` has a default. */
export interface ServerOptions {
  /** The chain and its registries (src/chain/network.ts: `connectNetwork` or `embeddedNetwork`). */
  network: LerNetwork;
  /** Interface to listen on (default 127.0.0.1: reachable from this machine only). */
  host?: string;
  /** Port to listen on (default 8080; 0 picks a free one, read it from the returned `url`). */
  port?: number;
  /** Largest request body accepted, in bytes (default 1 MiB); larger ones get 413 `body_too_large`. */
  bodyLimitBytes?: number;
  /** Roots (DIDs or addresses) this verifier trusts; default every root the registry's governance added. */
  trustedRoots?: readonly string[];
  /** Display names of registry members, by address or DID (e.g. the agent's identity aliases). */
  names?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** Tolerance for validity windows, in seconds (default 60, as the library). */
  clockSkewSeconds?: number;
  /** Timeout for each JSON-RPC request, in milliseconds (default 10,000). A timeout makes a verification `unknown`. */
  readTimeoutMs?: number;
  /** The registry index refreshes from the chain at most this often, in milliseconds (default 1000; 0: every request). */
  refreshIntervalMs?: number;
  /** Blocks per eth_getLogs request when indexing (default 10,000; lower it for RPC providers with a smaller cap). */
  logBlockRange?: number;
  /** The public base URL (e.g. https://verify.example.org) for the ids of status list credentials; default the request's Host. */
  publicUrl?: string;
  /** Cache lifetime advertised by status list credentials (`ttl`), in milliseconds (default 60,000). */
  statusListTtlMs?: number;
  /** The clock, in seconds. Tests pass a chain-bound one; default the wall clock. */
  now?: () => number;
  /** Log requests to stdout (fastify's pino logger). Default off. */
  logger?: boolean;
}

/** The running service's shared parts. */
export interface ServiceContext {
  options: ServerOptions;
  network: LerNetwork;
  verifier: VerifierContext;
  index: RegistryIndex;
  metrics: VerificationMetrics;
  names: Map<string, string>;
  readTimeoutMs: number;
  now(): number;
  verifyOptions(): VerifyOptions;
  /** `did:ethr:<network>:<address>`. */
  didOf(address: string): string;
  /** An address from a did:ethr of this chain or a bare address; throws `invalid_identifier` / `wrong_network`. */
  addressOf(id: string, what?: string): string;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export function serviceContext(options: ServerOptions): ServiceContext {
  const network = options.network;
  const readTimeoutMs = options.readTimeoutMs ?? 10_000;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const didOf = (address: string) => `did:ethr:${network.name}:${address}`;
  const addressOf = (id: string, what = "identifier") => {
    if (isAddress(id) && /^0x[0-9a-fA-F]{40}$/.test(id)) return getAddress(id.toLowerCase());
    let did;
    try {
      did = parseEthrDid(id);
    } catch {
      throw new LerError("invalid_identifier", `The ${what} is neither a did:ethr nor an address: ${JSON.stringify(id).slice(0, 120)}.`);
    }
    if (!didNamesChain(did, { name: network.name, chainId: network.chainId })) {
      throw new LerError("wrong_network", `${did.did} is not on this chain (${network.name}, ${network.chainId}).`);
    }
    return did.address;
  };
  const names = new Map<string, string>();
  const given = options.names instanceof Map ? [...options.names] : Object.entries(options.names ?? {});
  for (const [key, name] of given) names.set(addressOf(key, "name key"), name);
  const verifier: VerifierContext = { provider: network.provider, deployment: network.deployment, networkName: network.name };
  return {
    options,
    network,
    verifier,
    index: new RegistryIndex(network.provider, network.deployment, {
      minRefreshMs: options.refreshIntervalMs ?? 1000,
      blockRange: options.logBlockRange ?? 10_000,
      timeoutMs: readTimeoutMs,
    }),
    metrics: new VerificationMetrics(Date.now()),
    names,
    readTimeoutMs,
    now,
    verifyOptions: () => ({
      now: now(),
      ...(options.clockSkewSeconds !== undefined && { clockSkewSeconds: options.clockSkewSeconds }),
      ...(options.trustedRoots !== undefined && { trustedRoots: options.trustedRoots }),
      names,
      read: { timeoutMs: readTimeoutMs },
    }),
    didOf,
    addressOf,
  };
}
