import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ChainError, isLerError } from "../../errors.js";
import type { ServiceContext } from "../context.js";
import {
  authorize,
  describeEcosystem,
  parseQuery,
  PROBLEM_TYPES,
  recognize,
  TrqpProblem,
  type ProblemType,
} from "../../registry/trqp.js";

/**
 * The TRQP endpoint. The HTTPS binding (core/https_binding.md, conformance.md "TRQP HTTPS Binding Conformance") names
 * its queries `POST /authorization` and `POST /recognition` relative to the endpoint a consumer is given; this
 * service's endpoint is `/v1/trqp`, beside its other versioned APIs, so that one base URL (the metadata's `id`)
 * identifies it. It is served there only: a second copy at the root would be a second identity for the same endpoint.
 * `GET /v1/trqp/authorization` (query parameters, `time` for `context.time`) stays for the links and scripts of
 * earlier releases, with the same rules.
 */
export const TRQP_PREFIX = "/v1/trqp";

/** Fastify's own request errors, as problem types. */
const FASTIFY_PROBLEMS: Record<string, { type: ProblemType; code: string; detail: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    type: "body-too-large",
    code: "body_too_large",
    detail: "The request body is larger than this service accepts.",
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    type: "unsupported-media-type",
    code: "unsupported_media_type",
    detail: "Send the query as JSON with Content-Type: application/json.",
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { type: "malformed-query", code: "empty_body", detail: "The request body is empty." },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    type: "malformed-query",
    code: "invalid_json",
    detail: "The request body is not valid JSON.",
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    type: "malformed-query",
    code: "invalid_content_length",
    detail: "Content-Length does not match the body.",
  },
};

export function registerTrqp(app: FastifyInstance, ctx: ServiceContext): void {
  void app.register(
    async (trqp) => {
      const problem = (
        request: FastifyRequest,
        reply: FastifyReply,
        type: ProblemType,
        detail: string,
        extensions: Record<string, unknown> = {},
      ) => {
        const t = PROBLEM_TYPES[type];
        // RFC 9457: absolute type URIs, dereferenceable to documentation of the problem type (GET /problems/:type).
        return reply
          .code(t.status)
          .type("application/problem+json")
          .send({
            type: problemUri(ctx, request, type),
            title: t.title,
            status: t.status,
            detail,
            code: t.code,
            ...extensions,
          });
      };

      trqp.setErrorHandler((error: FastifyError, request, reply) => {
        if (error instanceof TrqpProblem) return problem(request, reply, error.type, error.detail, error.extensions);
        if (error instanceof ChainError) {
          return problem(request, reply, "chain-unavailable", error.message, {
            code: error.code,
            ...(error.details !== undefined && { details: error.details }),
          });
        }
        if (isLerError(error)) return problem(request, reply, "malformed-query", error.message, { code: error.code });
        const known = error.code === undefined ? undefined : FASTIFY_PROBLEMS[error.code];
        if (known !== undefined) return problem(request, reply, known.type, known.detail, { code: known.code });
        if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
          return problem(request, reply, "malformed-query", error.message, { code: "bad_request" });
        }
        // A bug, not a user error: it must reach the operator even when request logging is off.
        if (ctx.options.logger === true) request.log.error(error);
        else
          process.stderr.write(
            `ler serve: ${request.method} ${request.url.split("?")[0]} failed: ${error.stack ?? String(error)}\n`,
          );
        return problem(request, reply, "internal-error", "The service failed on this query; the error was logged.");
      });

      trqp.setNotFoundHandler((request, reply) =>
        problem(
          request,
          reply,
          "not-found",
          `No ${request.method} ${request.url.split("?")[0]} here: the TRQP endpoint answers POST ${TRQP_PREFIX}/authorization, POST ${TRQP_PREFIX}/recognition and GET ${TRQP_PREFIX}/metadata.`,
        ),
      );

      // Each answer links the description of the ecosystem its authority_id belongs to (where its governance
      // framework is), so that a consumer holding only the answer can find it.
      const describedBy = (request: FastifyRequest, reply: FastifyReply, authorityId: string) =>
        reply.header(
          "Link",
          `<${baseUrl(ctx, request)}${TRQP_PREFIX}/metadata?authority_id=${encodeURIComponent(authorityId)}>; rel="describedby"`,
        );

      trqp.post("/authorization", async (request, reply) => {
        const q = parseQuery(request.body);
        const answer = await authorize(ctx, q);
        describedBy(request, reply, q.authority_id);
        return answer;
      });

      trqp.get("/authorization", async (request, reply) => {
        const params = request.query as Record<string, unknown>;
        const body: Record<string, unknown> = {};
        for (const name of ["entity_id", "authority_id", "action", "resource"])
          if (params[name] !== undefined) body[name] = params[name];
        if (params.time !== undefined) body.context = { time: params.time };
        const q = parseQuery(body);
        const answer = await authorize(ctx, q);
        describedBy(request, reply, q.authority_id);
        return answer;
      });

      trqp.post("/recognition", async (request, reply) => {
        const q = parseQuery(request.body);
        const answer = await recognize(ctx, q);
        describedBy(request, reply, q.authority_id);
        return answer;
      });

      trqp.get("/metadata", async (request) => {
        const { authority_id } = request.query as Record<string, unknown>;
        if (authority_id !== undefined && typeof authority_id !== "string") {
          throw new TrqpProblem("malformed-query", '"authority_id" must be given once.', {
            code: "invalid_parameter",
            parameter: "authority_id",
          });
        }
        return describeEcosystem(ctx, `${baseUrl(ctx, request)}${TRQP_PREFIX}`, authority_id);
      });

      trqp.get("/problems/:type", async (request, reply) => {
        const { type } = request.params as { type: string };
        if (!Object.hasOwn(PROBLEM_TYPES, type)) {
          throw new TrqpProblem("not-found", `"${type.slice(0, 60)}" is not a problem type of this endpoint.`);
        }
        const t = PROBLEM_TYPES[type as ProblemType];
        reply.header("Cache-Control", "public, max-age=86400");
        return reply.type("text/html; charset=utf-8").send(problemPage(type, t));
      });
    },
    { prefix: TRQP_PREFIX },
  );
}

function problemUri(ctx: ServiceContext, request: FastifyRequest, type: ProblemType): string {
  return `${baseUrl(ctx, request)}${TRQP_PREFIX}/problems/${type}`;
}

function baseUrl(ctx: ServiceContext, request: FastifyRequest): string {
  if (ctx.options.publicUrl !== undefined) return ctx.options.publicUrl.replace(/\/+$/, "");
  return `${request.protocol}://${request.host}`;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

function problemPage(type: string, t: { status: number; title: string; code: string; about: string }): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    `<head><meta charset="utf-8"><title>${escapeHtml(t.title)}</title></head>`,
    "<body>",
    `<h1>${escapeHtml(t.title)}</h1>`,
    `<p>Problem type <code>${escapeHtml(type)}</code> of the TRQP endpoint (${TRQP_PREFIX}), answered with HTTP ${t.status} and <code>code</code> <code>${escapeHtml(t.code)}</code> as RFC 9457 problem details (application/problem+json).</p>`,
    `<p>${escapeHtml(t.about)}</p>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
