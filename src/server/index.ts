// The service behind `ler serve`: an HTTP API (verify, TRQP v2 trust registry queries, the registry rebuilt from chain
// events, W3C Bitstring Status Lists, metrics, the learner's skills and job match) and the web page that uses it.
// docs/http-api.md documents every endpoint.

import type { FastifyInstance } from "fastify";
import { buildServer } from "./app.js";
import { DEFAULT_PORT, type ServerOptions } from "./context.js";

export { buildServer } from "./app.js";
export { DEFAULT_BODY_LIMIT, DEFAULT_PORT, type ServerOptions } from "./context.js";
export type { ServiceMetrics } from "./metrics.js";
export type { AuthorizationResponse, RecognitionResponse, TrqpMetadata } from "../registry/trqp.js";

export interface RunningServer {
  /** Where it listens, e.g. `http://127.0.0.1:8080` (with the real port when `port` was 0). */
  url: string;
  host: string;
  port: number;
  /** Stops accepting connections and closes open ones; resolves when the server is down. */
  close(): Promise<void>;
  /** The Fastify instance, for embedding or tests. */
  app: FastifyInstance;
}

/**
 * Starts the service on `options.host` (default 127.0.0.1) and `options.port` (default 8080; 0: a free port). It
 * reads the chain through `options.network` only; nothing is written. Rejects with the listen error (e.g. EADDRINUSE).
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { app } = await buildServer(options);
  const host = options.host ?? "127.0.0.1";
  await app.listen({ host, port: options.port ?? DEFAULT_PORT });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : (options.port ?? DEFAULT_PORT);
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    host,
    port,
    close: () => app.close(),
    app,
  };
}
