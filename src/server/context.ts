import { getAddress, isAddress } from "ethers";
import { headAgeBound, type LerNetwork } from "../agent/network.js";
import { didNamesChain, parseEthrDid } from "../did/ethr.js";
import { LerError } from "../errors.js";
import { createVerifierMemory, type VerifierContext, type VerifyOptions } from "../verify/index.js";
import { VerificationMetrics } from "./metrics.js";
import { RegistryIndex } from "../registry/indexer.js";

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
  /**
   * Timeout of each chain read, in milliseconds (default 10,000): the requests of one read (a verification's snapshot)
   * share it. A timeout makes a verification `unknown`.
   */
  readTimeoutMs?: number;
  /**
   * The oldest chain head a verification believes, in seconds behind the service's clock (`now`): an older one makes
   * it `unknown` (`chain_lagging`), since a lagging node shows revocations made since as absent. Default: the
   * network's bound (the deployment record's `maxHeadAgeSeconds`, else the chain's preset; off on dev chains and on
   * chains that skip empty blocks); null: not checked.
   */
  maxHeadAgeSeconds?: number | null;
  /** The registry index refreshes from the chain at most this often, in milliseconds (default 1000; 0: every request). */
  refreshIntervalMs?: number;
  /** Blocks per eth_getLogs request when indexing (default 10,000; lower it for RPC providers with a smaller cap). */
  logBlockRange?: number;
  /** The public base URL (e.g. https://verify.example.org) for the ids of status list credentials; default the request's Host. */
  publicUrl?: string;
  /** Cache lifetime advertised by status list credentials (`ttl`), in milliseconds (default 60,000). */
  statusListTtlMs?: number;
  /**
   * A directory `ler issuer publish-status --out` wrote: its signed status list credentials are served at
   * `/v1/status-list-credentials/<issuer address>/<list>/<purpose>`. Default none (the route is absent).
   */
  statusDir?: string;
  /**
   * Whether `POST /v1/verify` and the wallet endpoints fetch the Bitstring Status Lists that credentials of other
   * tools name (a `BitstringStatusListEntry` without an on-chain entry). Default false: the service then fetches no
   * URL a request names (a verifier that did would let anyone make it send requests into its own network), and such
   * a status is `unknown` (`status_list_unreachable`). Credentials with an on-chain entry need no fetch either way.
   */
  fetchStatusLists?: boolean;
  /** The clock, in seconds. Tests pass a chain-bound one; default the wall clock. */
  now?: () => number;
  /** A request's headers must arrive within this long, in milliseconds (default 10,000); else 408 and the connection closes. */
  headersTimeoutMs?: number;
  /**
   * A whole request must arrive within this long, in milliseconds (default 30,000); a connection silent for this long
   * is closed too. Not less than `headersTimeoutMs`.
   */
  requestTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this long, in milliseconds (default 5,000). */
  keepAliveTimeoutMs?: number;
  /** Connections open at once (default 1024); more are closed as they arrive. */
  maxConnections?: number;
  /**
   * The issuer API (`createIssuerService`), mounted beside the read-only one: POST /credentials/issue and the rest.
   * Default none: the service then holds no keys and writes nothing.
   */
  issuer?: import("./issuer/index.js").IssuerService;
  /**
   * Whether to believe X-Forwarded-For for the client's address (the audit log's "from where"): true behind a load
   * balancer that sets it, or the proxies' addresses. Default false.
   */
  trustProxy?: boolean | string;
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
  /** The head-age bound verifications apply (undefined: not checked), for reads that judge the present state. */
  maxHeadAgeSeconds: number | undefined;
  now(): number;
  verifyOptions(): VerifyOptions;
  /** `did:ethr:<network>:<address>`. */
  didOf(address: string): string;
  /** An address from a did:ethr of this chain or a bare address; throws `invalid_identifier` / `wrong_network`. */
  addressOf(id: string, what?: string): string;
}

export const DEFAULT_PORT = 8080;
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** The connection limits that keep slow or idle clients from holding the service's connections. */
export interface ConnectionLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1024,
};

/** The connection limits of `options`, defaults filled in; throws `invalid_option` on a value that is not a positive integer. */
export function connectionLimits(options: ServerOptions): ConnectionLimits {
  const pick = (name: keyof ConnectionLimits): number => {
    const value = options[name] ?? DEFAULT_CONNECTION_LIMITS[name];
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new LerError("invalid_option", `${name} must be a positive integer, not ${String(value)}.`);
    }
    return value;
  };
  const limits = {
    headersTimeoutMs: pick("headersTimeoutMs"),
    requestTimeoutMs: pick("requestTimeoutMs"),
    keepAliveTimeoutMs: pick("keepAliveTimeoutMs"),
    maxConnections: pick("maxConnections"),
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    // Node refuses a header timeout longer than the request timeout; the headers are part of the request anyway.
    if (options.requestTimeoutMs !== undefined) {
      throw new LerError("invalid_option", "headersTimeoutMs must not be longer than requestTimeoutMs.");
    }
    limits.requestTimeoutMs = limits.headersTimeoutMs;
  }
  return limits;
}

export function serviceContext(options: ServerOptions): ServiceContext {
  const network = options.network;
  const readTimeoutMs = options.readTimeoutMs ?? 10_000;
  const maxHeadAgeSeconds = headAgeBound(network.deployment, options.maxHeadAgeSeconds);
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const didOf = (address: string) => `did:ethr:${network.name}:${address}`;
  const addressOf = (id: string, what = "identifier") => {
    if (isAddress(id) && /^0x[0-9a-fA-F]{40}$/.test(id)) return getAddress(id.toLowerCase());
    let did;
    try {
      did = parseEthrDid(id);
    } catch {
      throw new LerError(
        "invalid_identifier",
        `The ${what} is neither a did:ethr nor an address: ${JSON.stringify(id).slice(0, 120)}.`,
      );
    }
    if (!didNamesChain(did, { name: network.name, chainId: network.chainId })) {
      throw new LerError("wrong_network", `${did.did} is not on this chain (${network.name}, ${network.chainId}).`);
    }
    return did.address;
  };
  const names = new Map<string, string>();
  const given = options.names instanceof Map ? [...options.names] : Object.entries(options.names ?? {});
  for (const [key, name] of given) names.set(addressOf(key, "name key"), name);
  const verifier: VerifierContext = {
    provider: network.provider,
    deployment: network.deployment,
    networkName: network.name,
    memory: createVerifierMemory(),
    ...(options.fetchStatusLists !== true && { fetchStatusList: false as const }),
  };
  return {
    options,
    network,
    verifier,
    index: new RegistryIndex(network.provider, network.deployment, {
      minRefreshMs: options.refreshIntervalMs ?? 1000,
      blockRange: options.logBlockRange ?? 10_000,
      timeoutMs: readTimeoutMs,
      onSkipped: (s) =>
        process.stderr.write(
          `ler serve: registry log skipped (block ${s.block}, log ${s.logIndex}, tx ${s.txHash}): ${s.reason}\n`,
        ),
    }),
    metrics: new VerificationMetrics(Date.now()),
    names,
    readTimeoutMs,
    maxHeadAgeSeconds,
    now,
    verifyOptions: () => ({
      now: now(),
      ...(options.clockSkewSeconds !== undefined && { clockSkewSeconds: options.clockSkewSeconds }),
      ...(options.trustedRoots !== undefined && { trustedRoots: options.trustedRoots }),
      names,
      read: { timeoutMs: readTimeoutMs, ...(maxHeadAgeSeconds !== undefined && { maxHeadAgeSeconds }) },
    }),
    didOf,
    addressOf,
  };
}
