import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { achievement, type AchievementInput, type AlignmentInput } from "../../credentials/openBadges.js";
import { isLerError, LerError, type ErrorCode } from "../../errors.js";
import type { CredentialRequest } from "../../issue/types.js";
import {
  checkToken,
  parseToken,
  type AnchorCoordinator,
  type AnchorScope,
  type AuditEntry,
  type BatchStatus,
  type IssuerStore,
  type TokenRecord,
  type TokenScope,
} from "../../agent/store.js";
import { HttpError } from "../http.js";
import type { IssuancePipeline, ServiceCredential } from "./pipeline.js";
import { gathered } from "./gather.js";
import { issuerOpenApi } from "./openapi.js";
import { issueBatchBodySchema, issueBodySchema, statusBodySchema } from "./schemas.js";

/**
 * The issuer API, after the W3C VC API where it fits: POST /credentials/issue (and /credentials/issue/batch),
 * POST /credentials/status, GET /credentials/:id, GET /batches/:root, and GET /openapi.json. Every route but the
 * document needs a bearer token (`ler token create`), which acts for one issuer and for the scopes it names; a token
 * for issuer A never reaches what issuer B issued (every lookup is by the token's issuer). Every write, and every
 * refused attempt at one, goes into the audit log: who (the token's id), what, when, from where.
 */

export interface IssuerRoutesOptions {
  store: IssuerStore;
  pipeline: IssuancePipeline;
  coordinator: AnchorCoordinator;
  /** Changes a credential's status on chain (the agent's lerRevoke / lerSuspend / lerReinstate). */
  changeStatus: (
    issuerDid: string,
    action: "revoke" | "suspend" | "reinstate",
    entry: { list: bigint; index: number },
  ) => Promise<{ txHash: string; block: number }>;
  /** Requests per token per minute (default 6000); over it, 429 `rate_limited`. */
  rateLimitPerMinute?: number;
  /** How long a token record read from the store is believed, in ms (default 1000: a revocation bites within 1 s). */
  tokenCacheMs?: number;
  /** How long `wait: "anchored"` waits for the anchor's confirmation, in ms (default 120,000). */
  anchorWaitMs?: number;
}

const ENVELOPE_CONTEXT = "https://www.w3.org/ns/credentials/v2";

interface Caller {
  token: TokenRecord;
}

declare module "fastify" {
  interface FastifyRequest {
    lerCaller?: Caller;
  }
}

export function registerIssuer(app: FastifyInstance, o: IssuerRoutesOptions): void {
  const tokens = new Map<string, { record: TokenRecord | undefined; until: number }>();
  const cacheMs = o.tokenCacheMs ?? 1000;
  const limit = o.rateLimitPerMinute ?? 6000;

  async function tokenRecord(id: string): Promise<TokenRecord | undefined> {
    const now = Date.now();
    const hit = tokens.get(id);
    if (hit !== undefined && hit.until > now) return hit.record;
    const record = await o.store.tokens.findToken(id);
    if (cacheMs > 0) {
      if (tokens.size > 10_000) tokens.clear();
      tokens.set(id, { record, until: now + cacheMs });
    }
    return record;
  }

  // Audit entries and rate counts of requests arriving together go to the store in one write each.
  const appendAudit = gathered<AuditEntry, void>(
    async (_key, entries) => {
      await o.store.audit.appendAudit(entries);
      return entries.map(() => undefined);
    },
    { waitMs: 2, max: 512 },
  );
  const audit = (request: FastifyRequest, entry: Omit<AuditEntry, "at" | "remote">) =>
    appendAudit("", { at: new Date().toISOString(), remote: request.ip, ...entry });
  const countHit = gathered<number, number>(
    async (key, hits) => {
      const total = await o.store.rate.hit(key, 60, Date.now(), hits.length);
      // The i-th of n hits counted together is the (total - n + i + 1)-th of the window.
      return hits.map((_, i) => total - hits.length + i + 1);
    },
    { waitMs: 2, max: 512 },
  );

  // The batches answered with issued credentials: the requests placed in one batch within a few ms share one read.
  const readBatch = gathered<{ scope: AnchorScope; root: string }, BatchStatus | undefined>(
    async (_key, asked) => {
      const found = await o.coordinator.batch(asked[0]!.scope, asked[0]!.root);
      return asked.map(() => found);
    },
    { waitMs: 2, max: 4096 },
  );
  const batchNow = (scope: AnchorScope, root: string) =>
    readBatch(`${scope.chainId}:${scope.registry}:${scope.issuer}:${root.toLowerCase()}`, { scope, root });

  /** Authenticates the bearer token, checks its scope and its rate; a refused write is audited. */
  function guard(scope: TokenScope, op: string | undefined) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const header = request.headers.authorization;
      let actor = "anonymous";
      let issuer = "";
      try {
        if (typeof header !== "string" || !/^Bearer\s+\S+$/i.test(header)) {
          reply.header("WWW-Authenticate", 'Bearer realm="ler"');
          throw new HttpError(401, "missing_token", "Send a bearer token: Authorization: Bearer ler_…");
        }
        const parsed = parseToken(header.replace(/^Bearer\s+/i, "").trim());
        actor = `token:${parsed.id}`;
        const record = await tokenRecord(parsed.id);
        if (record === undefined) throw new LerError("invalid_token", "The token is not valid.");
        issuer = record.issuer;
        const refused = checkToken(record, parsed.secret, Date.now());
        if (refused !== undefined) throw refused;
        if (!record.scopes.includes(scope)) {
          throw new HttpError(403, "insufficient_scope", `This token may not ${scopeVerb(scope)}.`, {
            required: scope,
          });
        }
        const count = await countHit(`token:${record.id}`, 1);
        reply.header("RateLimit-Limit", String(limit));
        reply.header("RateLimit-Remaining", String(Math.max(0, limit - count)));
        if (count > limit) {
          reply.header("Retry-After", String(60 - (Math.floor(Date.now() / 1000) % 60)));
          throw new HttpError(429, "rate_limited", `This token may make ${limit} requests a minute.`);
        }
        request.lerCaller = { token: record };
      } catch (e) {
        const err =
          e instanceof HttpError
            ? e
            : isLerError(e) && ["invalid_token", "token_expired", "token_revoked"].includes(e.code)
              ? new HttpError(401, e.code, e.message)
              : e;
        if (err instanceof HttpError && err.status === 401)
          reply.header("WWW-Authenticate", 'Bearer error="invalid_token"');
        if (op !== undefined && err instanceof HttpError) {
          await audit(request, { actor, issuer, op, outcome: "denied", code: err.code }).catch(() => undefined);
        }
        throw err;
      }
    };
  }

  app.get("/openapi.json", async (_request, reply) => {
    reply.header("Cache-Control", "public, max-age=300");
    return issuerOpenApi();
  });

  app.post(
    "/credentials/issue",
    { schema: { body: issueBodySchema }, preHandler: guard("issue", "issue") },
    async (request, reply) => {
      const { token } = request.lerCaller!;
      const body = request.body as { credential: Record<string, unknown>; options?: { wait?: string } };
      const issued = await auditedIssue(request, token, [body.credential]);
      const [item] = await withAnchors(token.issuer, issued, body.options?.wait === "anchored");
      reply.code(201);
      return item;
    },
  );

  app.post(
    "/credentials/issue/batch",
    { schema: { body: issueBatchBodySchema }, preHandler: guard("issue", "issue") },
    async (request, reply) => {
      const { token } = request.lerCaller!;
      const body = request.body as { credentials: Record<string, unknown>[]; options?: { wait?: string } };
      const issued = await auditedIssue(request, token, body.credentials);
      reply.code(201);
      return { items: await withAnchors(token.issuer, issued, body.options?.wait === "anchored") };
    },
  );

  async function auditedIssue(
    request: FastifyRequest,
    token: TokenRecord,
    credentials: readonly Record<string, unknown>[],
  ): Promise<ServiceCredential[]> {
    const actor = `token:${token.id}`;
    try {
      const identity = await o.pipeline.identity(token.issuer);
      const requests = credentials.map((c, i) => requestOf(c, identity.did, credentials.length > 1 ? i : undefined));
      const issued = await o.pipeline.issue(token.issuer, requests);
      await audit(request, {
        actor,
        issuer: token.issuer,
        op: "issue",
        target: { credentials: issued.map((c) => c.id), roots: [...new Set(issued.map((c) => c.root))] },
        outcome: "ok",
      });
      return issued;
    } catch (e) {
      await audit(request, {
        actor,
        issuer: token.issuer,
        op: "issue",
        target: { count: credentials.length },
        outcome: "failed",
        code: isLerError(e) ? e.code : "internal_error",
      }).catch(() => undefined);
      throw e;
    }
  }

  async function withAnchors(issuer: string, issued: ServiceCredential[], wait: boolean) {
    const scope = o.pipeline.scope(issuer);
    const batches = new Map<string, BatchStatus | undefined>();
    for (const root of new Set(issued.map((c) => c.root))) {
      // Asked to wait for the anchor, and it is late: the credentials are issued and recorded all the same, so they
      // go back with the anchor still pending, not as an error that would lose them.
      const anchored = wait
        ? await o.coordinator.anchored(scope, root, o.anchorWaitMs ?? 120_000).catch((e: unknown) => {
            if (isLerError(e) && e.code === "anchor_timeout") return undefined;
            throw e;
          })
        : undefined;
      batches.set(root, anchored ?? (await batchNow(scope, root)));
    }
    return issued.map((c) => ({
      verifiableCredential: envelope(c.jwt),
      credentialId: c.id,
      statusListIndex: { list: c.list, index: c.index },
      anchor: anchorState(c.root, batches.get(c.root)),
    }));
  }

  app.post(
    "/credentials/status",
    { schema: { body: statusBodySchema }, preHandler: guard("status", "status") },
    async (request) => {
      const { token } = request.lerCaller!;
      const body = request.body as { credentialId: string; credentialStatus: { status: string }[] };
      const wanted = body.credentialStatus[0]!.status;
      const action = wanted === "revoked" ? "revoke" : wanted === "suspended" ? "suspend" : "reinstate";
      const actor = `token:${token.id}`;
      try {
        const record = await findIssued(o.store, token.issuer, body.credentialId);
        if (record?.list === undefined || record.index === undefined) {
          throw new HttpError(404, "unknown_credential", `This issuer issued no credential ${body.credentialId}.`);
        }
        const identity = await o.pipeline.identity(token.issuer);
        const tx = await o.changeStatus(identity.did, action, { list: record.list, index: record.index });
        await audit(request, {
          actor,
          issuer: token.issuer,
          op: `status.${action}`,
          target: { credential: body.credentialId, tx: tx.txHash },
          outcome: "ok",
        });
        return { credentialId: body.credentialId, status: wanted, tx: { txHash: tx.txHash, block: tx.block } };
      } catch (e) {
        await audit(request, {
          actor,
          issuer: token.issuer,
          op: `status.${action}`,
          target: { credential: body.credentialId },
          outcome: "failed",
          code: isLerError(e) ? e.code : "internal_error",
        }).catch(() => undefined);
        throw e;
      }
    },
  );

  app.get<{ Params: { id: string } }>("/credentials/:id", { preHandler: guard("read", undefined) }, async (request) => {
    const { token } = request.lerCaller!;
    const record = await findIssued(o.store, token.issuer, request.params.id);
    if (record === undefined) {
      throw new HttpError(404, "unknown_credential", `This issuer issued no credential ${request.params.id}.`);
    }
    const batch =
      record.batch === undefined ? undefined : await o.coordinator.batch(o.pipeline.scope(token.issuer), record.batch);
    return {
      verifiableCredential: envelope(record.jwt),
      credentialId: record.id,
      issuedAt: record.issuedAt,
      ...(record.list !== undefined && { statusListIndex: { list: record.list.toString(), index: record.index } }),
      ...(record.batch !== undefined && { anchor: anchorState(record.batch, batch) }),
    };
  });

  app.get<{ Params: { root: string } }>("/batches/:root", { preHandler: guard("read", undefined) }, async (request) => {
    const { token } = request.lerCaller!;
    if (!/^0x[0-9a-fA-F]{64}$/.test(request.params.root)) {
      throw new HttpError(400, "invalid_parameter", "A batch is named by its Merkle root (0x and 64 hex digits).");
    }
    const batch = await o.coordinator.batch(o.pipeline.scope(token.issuer), request.params.root);
    if (batch === undefined) throw new HttpError(404, "unknown_batch", "This issuer has no such batch here.");
    return { ...anchorState(batch.root, batch), size: batch.size, closedAt: batch.closedAt };
  });
}

/** A compact JWT the VC API way: an EnvelopedVerifiableCredential with the JWT in a data: URL. */
export function envelope(jwt: string) {
  return {
    "@context": [ENVELOPE_CONTEXT],
    id: `data:application/vc+jwt,${jwt}`,
    type: "EnvelopedVerifiableCredential",
  };
}

function anchorState(root: string, batch: BatchStatus | undefined) {
  return batch?.anchor === undefined
    ? { root, state: "pending" as const }
    : {
        root,
        state: "anchored" as const,
        txHash: batch.anchor.txHash,
        block: batch.anchor.block,
        anchoredAt: batch.anchor.anchoredAt,
      };
}

function scopeVerb(scope: TokenScope): string {
  return scope === "issue" ? "issue credentials" : scope === "status" ? "change credential status" : "read credentials";
}

async function findIssued(store: IssuerStore, issuer: string, id: string) {
  return (await store.ledger.findIssued(issuer, [id]))[0];
}

/** The credential request of a VC API credential (already schema-checked). */
function requestOf(
  credential: Record<string, unknown>,
  issuerDid: string,
  position: number | undefined,
): CredentialRequest {
  const where = position === undefined ? "credential" : `credentials[${position}]`;
  const fail = (code: ErrorCode, message: string, status = 400) => new HttpError(status, code, `${where}: ${message}`);
  const issuer = credential.issuer;
  if (issuer !== undefined) {
    const id = typeof issuer === "string" ? issuer : (issuer as { id: string }).id;
    if (id.toLowerCase() !== issuerDid.toLowerCase())
      throw fail("wrong_issuer", `issuer is ${id}, but this token issues as ${issuerDid}.`, 403);
  }
  const types = credential.type as string[] | undefined;
  if (types !== undefined && !types.some((t) => t === "OpenBadgeCredential" || t === "AchievementCredential")) {
    throw fail("unsupported_credential_type", "this service issues Open Badges 3.0 credentials (OpenBadgeCredential).");
  }
  const subject = credential.credentialSubject as { id: string; achievement: Record<string, unknown> };
  const a = subject.achievement;
  const image = a.image;
  const description = (a.description as string | undefined) ?? (a.name as string);
  const criteria = a.criteria as { id?: string; narrative?: string } | undefined;
  const input: AchievementInput = {
    id: a.id as string,
    name: a.name as string,
    description,
    criteria:
      criteria?.id !== undefined
        ? { id: criteria.id, ...(criteria.narrative !== undefined && { narrative: criteria.narrative }) }
        : { narrative: criteria?.narrative ?? description },
    achievementType: a.achievementType as AchievementInput["achievementType"],
    ...(a.alignment !== undefined && {
      alignments: (a.alignment as (AlignmentInput & { type?: unknown })[]).map(({ type: _t, ...rest }) => rest),
    }),
    ...(image !== undefined && { image: typeof image === "string" ? image : (image as { id: string }).id }),
    ...(a.creditsAvailable !== undefined && { creditsAvailable: a.creditsAvailable as number }),
  };
  let built;
  try {
    built = achievement(input);
  } catch (e) {
    if (isLerError(e)) throw fail(e.code, e.message);
    throw e;
  }
  const request: CredentialRequest = { subject: subject.id, achievement: built };
  if (credential.id !== undefined) request.id = credential.id as string;
  if (credential.validUntil !== undefined)
    request.validUntil = Math.floor(Date.parse(credential.validUntil as string) / 1000);
  return request;
}
