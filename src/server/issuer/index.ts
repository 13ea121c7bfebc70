import type { FastifyInstance } from "fastify";
import type { LerAgent } from "../../agent/agent.js";
import type { LerNetwork } from "../../agent/network.js";
import type { AnchorCoordinator, AnchorSender, CoalescingOptions, IssuerStore } from "../../agent/store.js";
import { anchorIntent, intentScope, recordOnce } from "../../issue/intents.js";
import { IssuancePipeline } from "./pipeline.js";
import { registerIssuer } from "./routes.js";

// The issuer service: issuing over HTTP for one or many worker processes sharing one store. See routes.ts for the
// API, pipeline.ts for the issuing path, anchoring.ts / pgAnchoring.ts for coalesced anchoring.

export { envelope } from "./routes.js";
export { issuerOpenApi } from "./openapi.js";
export type { AnchorCoordinator, BatchStatus, Placement } from "../../agent/store.js";

export interface IssuerServiceOptions extends CoalescingOptions {
  /** The agent whose key store holds the issuers' keys (every worker has the same key store and secret). */
  agent: LerAgent;
  network: LerNetwork;
  /** Where indices, the ledger, tokens, the audit log and (for PostgreSQL) the anchor queue are kept. */
  store: IssuerStore;
  /** Whether this process may become the anchoring leader (default true). */
  lead?: boolean;
  /** Requests per token per minute (default 6000). */
  rateLimitPerMinute?: number;
  /** How long a token record is believed once read, in ms (default 1000). */
  tokenCacheMs?: number;
  /** Indices a worker reserves at a time (default 256). */
  reserveBlock?: number;
  /** How long `wait: "anchored"` waits, in ms (default 120,000). */
  anchorWaitMs?: number;
  statusListBaseUrl?: string;
  /** Unix seconds. */
  now?: () => number;
  /** Told what anchoring could not do; default: a line on stderr. */
  onError?: (e: unknown) => void;
}

/** The issuer service's parts, ready to be mounted on the HTTP service. */
export interface IssuerService {
  readonly pipeline: IssuancePipeline;
  readonly coordinator: AnchorCoordinator;
  register(app: FastifyInstance): void;
  /** Stops the coordinator (pending requests get `service_stopping`). The store is the caller's to close. */
  close(): Promise<void>;
}

export async function createIssuerService(o: IssuerServiceOptions): Promise<IssuerService> {
  // The anchor sender needs the pipeline's identities, and the pipeline the coordinator: tied up after both exist.
  const ref: { pipeline?: IssuancePipeline } = {};
  const send: AnchorSender = async (scope, root) =>
    o.agent.lerAnchor({ issuer: (await ref.pipeline!.identity(scope.issuer)).did, root });
  const coalescing = {
    ...(o.maxBatch !== undefined && { maxBatch: o.maxBatch }),
    ...(o.intervalMs !== undefined && { intervalMs: o.intervalMs }),
  };
  // PostgreSQL: a queue in the database and one leader among the workers. Files: in this process, each closed
  // batch's anchor recorded in the home's intent log before any of its leaves is placed.
  const coordinator: AnchorCoordinator = await o.store.anchoring({
    ...coalescing,
    ...(o.lead !== undefined && { lead: o.lead }),
    send,
    // What anchoring could not do reaches the operator (it is retried, or left pending for `ler issuer resume`).
    onError: o.onError ?? ((e) => process.stderr.write(`ler serve: anchoring: ${(e as Error).message}\n`)),
    record: async (scope, root) => {
      const identity = await ref.pipeline!.identity(scope.issuer);
      await recordOnce(o.store.pending, anchorIntent(intentScope(o.network), identity.address, root));
    },
  });
  const pipeline = (ref.pipeline = new IssuancePipeline({
    agent: o.agent,
    network: o.network,
    store: o.store,
    coordinator,
    now: o.now ?? (() => Math.floor(Date.now() / 1000)),
    ...(o.reserveBlock !== undefined && { reserveBlock: o.reserveBlock }),
    ...(o.statusListBaseUrl !== undefined && { statusListBaseUrl: o.statusListBaseUrl }),
  }));
  const p = pipeline;
  return {
    pipeline: p,
    coordinator,
    register(app) {
      registerIssuer(app, {
        store: o.store,
        pipeline: p,
        coordinator,
        changeStatus: async (issuer, action, entry) => {
          const args = { issuer, entries: [{ list: entry.list, index: entry.index }] };
          const results =
            action === "revoke"
              ? await o.agent.lerRevoke(args)
              : action === "suspend"
                ? await o.agent.lerSuspend(args)
                : await o.agent.lerReinstate(args);
          const last = results[results.length - 1]!;
          return { txHash: last.txHash, block: last.block };
        },
        ...(o.rateLimitPerMinute !== undefined && { rateLimitPerMinute: o.rateLimitPerMinute }),
        ...(o.tokenCacheMs !== undefined && { tokenCacheMs: o.tokenCacheMs }),
        ...(o.anchorWaitMs !== undefined && { anchorWaitMs: o.anchorWaitMs }),
      });
    },
    close: () => coordinator.close(),
  };
}
