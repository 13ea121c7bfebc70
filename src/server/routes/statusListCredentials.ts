import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { getAddress } from "ethers";
import { MAX_STATUS_LIST, STATUS_LIST_CREDENTIALS_PATH, STATUS_PURPOSES } from "../../credentials/index.js";
import { VC_JWT_MEDIA_TYPE } from "../../verify/statusLists.js";
import type { ServiceContext } from "../context.js";
import { badRequest, errorBody } from "../http.js";

/**
 * The status list credentials an issuer published with `ler issuer publish-status --out <dir>`, served from that
 * directory (`ler serve --status-dir <dir>`) at the URLs its credentials name when they were issued with this
 * service's address as `--status-url` (the default is `http://127.0.0.1:8080/v1/status-list-credentials`). The files
 * are the issuer's signed JWTs, read afresh on every request: publishing again takes effect at once.
 */
export function registerStatusListCredentials(app: FastifyInstance, ctx: ServiceContext): void {
  const dir = ctx.options.statusDir;
  if (dir === undefined) return;
  app.get(`${STATUS_LIST_CREDENTIALS_PATH}/:issuer/:list/:purpose`, async (request, reply) => {
    const p = request.params as { issuer: string; list: string; purpose: string };
    // Only these three shapes reach the file system: no other path can be named.
    if (!/^0x[0-9a-fA-F]{40}$/.test(p.issuer))
      throw badRequest("invalid_parameter", "The issuer is an address (0x and 40 hex digits).", {
        parameter: "issuer",
      });
    if (!/^(0|[1-9][0-9]{0,19})$/.test(p.list) || BigInt(p.list) > MAX_STATUS_LIST) {
      throw badRequest("invalid_parameter", "The list is a decimal integer in 0 .. 2^64 - 1.", { parameter: "list" });
    }
    if (!(STATUS_PURPOSES as readonly string[]).includes(p.purpose)) {
      throw badRequest("invalid_parameter", `The purpose is ${STATUS_PURPOSES.join(" or ")}.`, {
        parameter: "purpose",
      });
    }
    let jwt: string;
    try {
      jwt = (await readFile(join(dir, getAddress(p.issuer.toLowerCase()), p.list, p.purpose), "utf8")).trim();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      return reply
        .code(404)
        .send(
          errorBody(
            "status_list_not_published",
            `No ${p.purpose} list ${p.list} of ${p.issuer} is published here: run \`ler issuer publish-status\`.`,
          ),
        );
    }
    reply.header("Content-Type", VC_JWT_MEDIA_TYPE);
    reply.header("Access-Control-Allow-Origin", "*");
    // The standard asks publishers to align HTTP caching with the list's ttl; a list without one is revalidated.
    const ttl = ttlOf(jwt);
    reply.header("Cache-Control", ttl === undefined ? "no-cache" : `public, max-age=${Math.floor(ttl / 1000)}`);
    return jwt;
  });
}

function ttlOf(jwt: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as {
      credentialSubject?: { ttl?: unknown };
    };
    const ttl = payload.credentialSubject?.ttl;
    return typeof ttl === "number" && Number.isSafeInteger(ttl) && ttl >= 0 ? ttl : undefined;
  } catch {
    return undefined;
  }
}
