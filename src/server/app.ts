import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { ChainError, isLerError } from "../errors.js";
import {
  connectionLimits,
  DEFAULT_BODY_LIMIT,
  serviceContext,
  type ServerOptions,
  type ServiceContext,
} from "./context.js";
import { errorBody, HttpError } from "./http.js";
import { registerContexts } from "./routes/contexts.js";
import { registerPage } from "./routes/page.js";
import { registerRegistry } from "./routes/registry.js";
import { registerStatusListCredentials } from "./routes/statusListCredentials.js";
import { registerVerify } from "./routes/verify.js";
import { registerWallet } from "./routes/wallet.js";

/** Fastify's own request errors, as the service's stable codes. */
const FASTIFY_CODES: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: "body_too_large",
    message: "The request body is larger than this service accepts.",
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: "unsupported_media_type",
    message: "Send JSON with Content-Type: application/json.",
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: "empty_body", message: "The request body is empty." },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: "invalid_json", message: "The request body is not valid JSON." },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: "invalid_content_length",
    message: "Content-Length does not match the body.",
  },
};

/** Codes that say the service cannot do anything now, not that the request was wrong: 503. */
const UNAVAILABLE: ReadonlySet<string> = new Set([
  "store_unreachable",
  "store_failed",
  "lock_timeout",
  "service_stopping",
]);

// Everything the page needs is served from here: no CDN, no inline script, no external font.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The service as a Fastify instance, not yet listening (tests call `inject` on it). `startServer` listens on it.
 */
export async function buildServer(options: ServerOptions): Promise<{ app: FastifyInstance; context: ServiceContext }> {
  const context = serviceContext(options);
  const limits = connectionLimits(options);
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    // The service answers for itself; a proxy in front sets the public URL through `publicUrl`.
    trustProxy: options.trustProxy ?? false,
    // Request bodies with a schema (the issuer API) are checked as sent: nothing coerced, nothing silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
    // Fastify disables Node's request timeout by default: a client sending its request a byte at a time (slow loris)
    // would hold its connection for good. Every connection has a deadline for its headers, its request, and idleness.
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks the header and request deadlines on this interval (default 30 s): often enough to keep them.
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
  });
  app.server.maxConnections = limits.maxConnections;

  app.addHook("onSend", async (_request, reply) => {
    reply.header("X-Content-Type-Options", "nosniff");
    reply.header("Referrer-Policy", "no-referrer");
    reply.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    reply.header("Cross-Origin-Opener-Policy", "same-origin");
    if (reply.getHeader("Cache-Control") === undefined) reply.header("Cache-Control", "no-store");
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError)
      return reply.code(error.status).send(errorBody(error.code, error.message, error.details));
    if (error instanceof ChainError) return reply.code(503).send(errorBody(error.code, error.message, error.details));
    if (error.validation !== undefined) {
      return reply
        .code(400)
        .send(errorBody("invalid_body", `The request body ${error.message.replace(/^body\/?/, "")}.`));
    }
    // A store that cannot be used, or a service on its way down, refuses the request as a whole: nothing was done,
    // and the client may send it again (to another worker).
    if (isLerError(error) && UNAVAILABLE.has(error.code))
      return reply.code(503).send(errorBody(error.code, error.message));
    if (isLerError(error)) return reply.code(400).send(errorBody(error.code, error.message, error.details));
    const known = error.code === undefined ? undefined : FASTIFY_CODES[error.code];
    if (known !== undefined) return reply.code(known.status).send(errorBody(known.code, known.message));
    if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send(errorBody("bad_request", error.message));
    }
    // A bug, not a user error: it must reach the operator even when request logging is off.
    if (options.logger === true) request.log.error(error);
    else
      process.stderr.write(
        `ler serve: ${request.method} ${request.url.split("?")[0]} failed: ${error.stack ?? String(error)}\n`,
      );
    return reply
      .code(500)
      .send(errorBody("internal_error", "The service failed on this request; the error was logged."));
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(errorBody("not_found", `No ${request.method} ${request.url.split("?")[0]} here; see docs/http-api.md.`)),
  );

  registerVerify(app, context);
  registerRegistry(app, context);
  registerWallet(app, context);
  await registerPage(app);
  await registerContexts(app);
  registerStatusListCredentials(app, context);
  if (options.issuer !== undefined) {
    options.issuer.register(app);
    app.addHook("onClose", () => options.issuer!.close());
  }
  return { app, context };
}
