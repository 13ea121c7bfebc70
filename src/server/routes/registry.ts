import type { FastifyInstance, FastifyRequest } from "fastify";
import { ChainError } from "../../errors.js";
import { MAX_STATUS_LIST } from "../../credentials/index.js";
import type { ServiceContext } from "../context.js";
import { badRequest, HttpError, iso, objectBody, optionalString, parseCount } from "../http.js";
import { displayStatus, downsample, tallyByStatus, type EntityState, type Purpose } from "../../registry/queries.js";
import { headBlock, statusListAt } from "../../registry/statusLists.js";
import { statusListCredential } from "../../credentials/bitstring.js";
import type { IndexSnapshot } from "../../registry/indexer.js";
import { ROLE_ACCREDITOR, ROLE_ISSUER } from "../../verify/trust.js";
import {
  entityDetail,
  entityView,
  historyView,
  typeNames,
  versionView,
  type ViewContext,
} from "../../registry/views.js";
import { registerTrqp } from "./trqp.js";

const ROLES = ["root", "accreditor", "issuer"] as const;
const STATUSES = ["active", "suspended", "revoked", "expired", "not_yet_valid"] as const;
const PURPOSES: readonly Purpose[] = ["revocation", "suspension"];
/** Points of a metrics series: enough for a chart, small enough for a page. */
const SERIES_POINTS = 200;

export function registerRegistry(app: FastifyInstance, ctx: ServiceContext): void {
  const view = (): ViewContext => ({ now: ctx.now(), didOf: ctx.didOf, names: ctx.names });
  const meta = (snap: IndexSnapshot) => ({
    block: snap.state.block,
    blockTime: snap.state.blockTime,
    ...(snap.stale !== undefined && { stale: { code: snap.stale.code, message: snap.stale.message } }),
    ...(snap.skippedLogs !== undefined && { skippedLogs: snap.skippedLogs }),
  });

  app.get("/v1/health", async (_request, reply) => {
    const started = performance.now();
    try {
      const block = await headBlock(ctx.network, { timeoutMs: ctx.readTimeoutMs });
      return {
        status: "ok",
        chain: {
          reachable: true,
          network: ctx.network.name,
          chainId: ctx.network.chainId,
          block,
          latencyMs: Math.round(performance.now() - started),
        },
        contracts: ctx.network.deployment.contracts,
      };
    } catch (e) {
      if (!(e instanceof ChainError)) throw e;
      // The service is up and answers; verifications will say `unknown` until the chain is back.
      return reply.code(200).send({
        status: "degraded",
        chain: {
          reachable: false,
          network: ctx.network.name,
          chainId: ctx.network.chainId,
          error: { code: e.code, message: e.message },
        },
        contracts: ctx.network.deployment.contracts,
      });
    }
  });

  // ---- TRQP ----------------------------------------------------------------------------------------------------

  registerTrqp(app, ctx);

  // ---- registry ------------------------------------------------------------------------------------------------

  app.get("/v1/registry", async () => {
    const snap = await ctx.index.current();
    const v = view();
    const types = typeNames(snap.state);
    const all = [...snap.state.entities.values()];
    const pick = (f: (x: EntityState) => boolean) => all.filter(f).map((x) => entityView(snap.state, x, v, types));
    return {
      ...meta(snap),
      types: snap.state.types.map(({ id, name }) => ({ id, name })),
      counts: tallyByStatus(snap.state, v.now),
      roots: pick((x) => x.parent === null),
      accreditors: pick((x) => x.parent !== null && (x.role & ROLE_ACCREDITOR) !== 0),
      issuers: pick((x) => (x.role & ROLE_ISSUER) !== 0),
    };
  });

  app.get("/v1/registry/types", async () => {
    const snap = await ctx.index.current();
    return {
      ...meta(snap),
      types: snap.state.types.map(({ id, name, block, time }) => ({ id, name, registeredAt: { block, time } })),
    };
  });

  app.get("/v1/registry/entities", async (request) => {
    const q = objectBody(request.query, ["role", "status", "limit", "offset"]);
    const role = optionalString(q.role, "role", 32);
    const status = optionalString(q.status, "status", 32);
    if (role !== undefined && !(ROLES as readonly string[]).includes(role)) {
      throw badRequest("invalid_parameter", `"role" is one of ${ROLES.join(", ")}.`, { parameter: "role" });
    }
    if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
      throw badRequest("invalid_parameter", `"status" is one of ${STATUSES.join(", ")}.`, { parameter: "status" });
    }
    const limit = parseCount(q.limit, "limit", 100, 1000);
    const offset = parseCount(q.offset, "offset", 0, Number.MAX_SAFE_INTEGER);
    const snap = await ctx.index.current();
    const v = view();
    const types = typeNames(snap.state);
    const matches = [...snap.state.entities.values()].filter(
      (x) =>
        (role === undefined ||
          (role === "root"
            ? x.parent === null
            : (x.role & (role === "issuer" ? ROLE_ISSUER : ROLE_ACCREDITOR)) !== 0)) &&
        (status === undefined || displayStatus(x, v.now) === status),
    );
    return {
      ...meta(snap),
      total: matches.length,
      limit,
      offset,
      items: matches.slice(offset, offset + limit).map((x) => entityView(snap.state, x, v, types)),
    };
  });

  const entityOf = async (request: FastifyRequest) => {
    const { id } = request.params as { id: string };
    const address = ctx.addressOf(id, "entity id");
    const snap = await ctx.index.current();
    const x = snap.state.entities.get(address);
    if (x === undefined)
      throw new HttpError(404, "unknown_entity", `${ctx.didOf(address)} has no accreditation in the registry.`);
    return { snap, x };
  };

  app.get("/v1/registry/entities/:id", async (request) => {
    const { snap, x } = await entityOf(request);
    return {
      ...meta(snap),
      ...entityDetail(snap.state, x, view(), (list, purpose) => statusListPath(ctx.didOf(x.address), list, purpose)),
    };
  });

  app.get("/v1/registry/entities/:id/history", async (request) => {
    const { snap, x } = await entityOf(request);
    const types = typeNames(snap.state);
    return {
      ...meta(snap),
      entity: entityView(snap.state, x, view(), types),
      history: x.history.map((h) => historyView(h, types)),
      versions: x.versions.map((v) => versionView(v, types)),
    };
  });

  // ---- status lists --------------------------------------------------------------------------------------------

  const cache = new Map<string, { block: number; credential: Record<string, unknown> }>();
  app.get("/v1/status-lists/:issuer/:list/:purpose", async (request, reply) => {
    const p = request.params as { issuer: string; list: string; purpose: string };
    const issuer = ctx.addressOf(p.issuer, "issuer");
    if (!/^(0|[1-9][0-9]{0,19})$/.test(p.list) || BigInt(p.list) > MAX_STATUS_LIST) {
      throw badRequest("invalid_parameter", "The list is a decimal integer in 0 .. 2^64 - 1.", { parameter: "list" });
    }
    if (!(PURPOSES as readonly string[]).includes(p.purpose)) {
      throw badRequest("invalid_parameter", `The purpose is ${PURPOSES.join(" or ")}.`, { parameter: "purpose" });
    }
    const purpose = p.purpose as Purpose;
    const list = BigInt(p.list);
    const did = ctx.didOf(issuer);
    const url = `${baseUrl(ctx, request)}${statusListPath(did, list, purpose)}`;
    const rpc = { timeoutMs: ctx.readTimeoutMs };
    const block = await headBlock(ctx.network, rpc);
    const key = `${url}@${issuer}:${list}:${purpose}`;
    let cached = cache.get(key);
    if (cached?.block !== block) {
      const { words, blockTime } = await statusListAt(ctx.network, { issuer, purpose, list, block }, rpc);
      cached = {
        block,
        credential: statusListCredential({
          url,
          issuer: did,
          purpose,
          words,
          blockTime,
          ttlMs: ctx.options.statusListTtlMs ?? 60_000,
        }),
      };
      if (cache.size > 256) cache.clear();
      cache.set(key, cached);
    }
    reply.header("Cache-Control", `public, max-age=${Math.floor((ctx.options.statusListTtlMs ?? 60_000) / 1000)}`);
    reply.header("X-LER-Block", String(cached.block));
    reply.header("X-LER-Status-Registry", ctx.network.deployment.contracts.StatusRegistry.address);
    reply.header("X-LER-Chain-Id", String(ctx.network.chainId));
    return cached.credential;
  });

  // ---- metrics -------------------------------------------------------------------------------------------------

  app.get("/v1/metrics", async () => {
    const service = ctx.metrics.snapshot(Date.now());
    let snap: IndexSnapshot;
    try {
      snap = await ctx.index.current();
    } catch (e) {
      if (!(e instanceof ChainError)) throw e;
      return { generatedAt: iso(ctx.now()), chain: null, chainError: { code: e.code, message: e.message }, service };
    }
    const s = snap.state;
    const counts = tallyByStatus(s, ctx.now());
    return {
      generatedAt: iso(ctx.now()),
      chain: {
        ...meta(snap),
        registry: { types: s.types.length, ...counts },
        credentials: {
          anchors: s.totals.anchors,
          anchorsNote:
            "Anchors are issuance batches (one Merkle root each). How many credentials a batch holds is not on chain, so the number of credentials issued is unknown here.",
          revokedEntries: s.totals.revokedEntries,
          revokedByHash: s.totals.hashRevocations,
          suspendedEntries: s.totals.suspendedEntries,
          statusNote:
            "Counts of status-list entries whose revocation or suspension bit is set now, replayed from StatusRegistry events (popcount of each change); revocations by hash are counted apart.",
        },
        series: downsample(s.series, SERIES_POINTS),
      },
      service,
    };
  });
}

/** Where an issuer's status list is served, as a path. */
export function statusListPath(did: string, list: bigint, purpose: string): string {
  return `/v1/status-lists/${encodeURIComponent(did)}/${list}/${purpose}`;
}

function baseUrl(ctx: ServiceContext, request: FastifyRequest): string {
  if (ctx.options.publicUrl !== undefined) return ctx.options.publicUrl.replace(/\/+$/, "");
  return `${request.protocol}://${request.host}`;
}
