import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import { LER_CONTEXT_FILE, LER_CONTEXT_PATH } from "../../credentials/contexts.js";

/**
 * The project's JSON-LD context (https://w3id.org/ler/v1), byte for byte the file the package ships, for verifiers
 * that dereference it rather than preload it.
 */
export async function registerContexts(app: FastifyInstance): Promise<void> {
  const body = await readFile(LER_CONTEXT_FILE);
  app.get(LER_CONTEXT_PATH, async (_request, reply) => {
    reply.header("Content-Type", "application/ld+json");
    // A versioned context does not change; a new version gets a new URL.
    reply.header("Cache-Control", "public, max-age=86400");
    // JSON-LD processors in browsers load contexts from other origins.
    reply.header("Access-Control-Allow-Origin", "*");
    return reply.send(body);
  });
}
