import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";

/** The web page: static files read once at start, served from this service only. */

const ASSETS: Record<string, { file: URL; type: string }> = {
  "/": { file: new URL("../public/index.html", import.meta.url), type: "text/html; charset=utf-8" },
  "/assets/app.js": { file: new URL("../public/app.js", import.meta.url), type: "text/javascript; charset=utf-8" },
  "/assets/app.css": { file: new URL("../public/app.css", import.meta.url), type: "text/css; charset=utf-8" },
  "/assets/favicon.svg": { file: new URL("../public/favicon.svg", import.meta.url), type: "image/svg+xml" },
  "/examples/job-profile.json": {
    file: new URL("../../../examples/job-profile.json", import.meta.url),
    type: "application/json; charset=utf-8",
  },
};

export async function registerPage(app: FastifyInstance): Promise<void> {
  for (const [path, { file, type }] of Object.entries(ASSETS)) {
    const body = await readFile(file);
    app.get(path, async (_request, reply) => {
      reply.header("Content-Type", type);
      reply.header("Cache-Control", "no-cache");
      return reply.send(body);
    });
  }
  app.get("/favicon.ico", async (_request, reply) => reply.redirect("/assets/favicon.svg", 301));
}
