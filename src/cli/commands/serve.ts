import { resolve } from "node:path";
import { Command, Option } from "commander";
import { headAgeBound } from "../../agent/network.js";
import { LerError, UsageError } from "../../errors.js";
import { DEFAULT_CONNECTION_LIMITS } from "../../server/context.js";
import { collect, parseInteger } from "../config.js";
import type { Session } from "../context.js";
import { examples, type Act } from "./common.js";

export function registerServeCommand(program: Command, act: Act): void {
  const serve = program
    .command("serve")
    .description(
      "run the read-only HTTP service: verify API, trust-registry queries, registry browser and metrics, with a web page",
    )
    .addOption(new Option("--host <host>", "interface to listen on").default("127.0.0.1"))
    .addOption(
      new Option("--port <port>", "port to listen on (0: any free port)")
        .default(8080)
        .argParser(parseInteger("--port", 0, 65535)),
    )
    .option(
      "--trusted-root <did>",
      "trust only chains ending at this root (repeatable; default: every root the registry holds)",
      collect,
    )
    .option("--public-url <url>", "the service's public base URL, when it runs behind a proxy")
    .option("--log", "log every request to stdout")
    .option(
      "--status-dir <dir>",
      "serve the status lists `ler issuer publish-status --out <dir>` wrote, at /v1/status-list-credentials/…",
    )
    .option(
      "--fetch-status-lists",
      "fetch the Bitstring Status Lists other tools' credentials name (off by default: requests then make the service fetch nothing)",
    )
    .addOption(
      new Option(
        "--request-timeout <seconds>",
        `a whole request must arrive within this long, and a silent connection closes after it (default ${DEFAULT_CONNECTION_LIMITS.requestTimeoutMs / 1000})`,
      ).argParser(parseInteger("--request-timeout", 1, 3600)),
    )
    .addOption(
      new Option(
        "--headers-timeout <seconds>",
        `a request's headers must arrive within this long, at most the request timeout (default ${DEFAULT_CONNECTION_LIMITS.headersTimeoutMs / 1000})`,
      ).argParser(parseInteger("--headers-timeout", 1, 3600)),
    )
    .addOption(
      new Option(
        "--keep-alive-timeout <seconds>",
        `an idle keep-alive connection closes after this long (default ${DEFAULT_CONNECTION_LIMITS.keepAliveTimeoutMs / 1000})`,
      ).argParser(parseInteger("--keep-alive-timeout", 1, 3600)),
    )
    .addOption(
      new Option(
        "--max-connections <n>",
        `connections open at once; more are closed as they arrive (default ${DEFAULT_CONNECTION_LIMITS.maxConnections})`,
      ).argParser(parseInteger("--max-connections", 1, 1_000_000)),
    )
    .action(act(serveCommand));
  examples(serve, [
    "ler serve                          # http://127.0.0.1:8080 over the local dev chain",
    "ler serve --rpc https://sepolia.base.org --network base-sepolia --port 8080 --public-url https://verify.example.org",
  ]);
  serve.addHelpText(
    "after",
    "\nThe API is described in docs/http-api.md. The service holds no keys and never writes to the chain.\n",
  );
}

interface ServeOpts {
  host: string;
  port: number;
  trustedRoot?: string[];
  publicUrl?: string;
  log?: boolean;
  statusDir?: string;
  fetchStatusLists?: boolean;
  requestTimeout?: number;
  headersTimeout?: number;
  keepAliveTimeout?: number;
  maxConnections?: number;
}

/** The connection limits of the flags given, in the server's units; the others keep the server's defaults. */
function connectionLimitsOf(opts: ServeOpts) {
  let headersTimeoutMs = opts.headersTimeout === undefined ? undefined : opts.headersTimeout * 1000;
  const requestTimeoutMs = opts.requestTimeout === undefined ? undefined : opts.requestTimeout * 1000;
  if (requestTimeoutMs !== undefined && headersTimeoutMs !== undefined && headersTimeoutMs > requestTimeoutMs) {
    throw new UsageError(
      "invalid_argument",
      `--headers-timeout (${opts.headersTimeout} s) must not be longer than --request-timeout (${opts.requestTimeout} s).`,
    );
  }
  // The headers are part of the request: a request timeout shorter than the default header timeout bounds both.
  if (requestTimeoutMs !== undefined && headersTimeoutMs === undefined) {
    headersTimeoutMs = Math.min(requestTimeoutMs, DEFAULT_CONNECTION_LIMITS.headersTimeoutMs);
  }
  return {
    ...(headersTimeoutMs !== undefined && { headersTimeoutMs }),
    ...(requestTimeoutMs !== undefined && { requestTimeoutMs }),
    ...(opts.keepAliveTimeout !== undefined && { keepAliveTimeoutMs: opts.keepAliveTimeout * 1000 }),
    ...(opts.maxConnections !== undefined && { maxConnections: opts.maxConnections }),
  };
}

async function serveCommand(s: Session, opts: ServeOpts): Promise<number> {
  const limits = connectionLimitsOf(opts);
  const network = await s.network("verify");
  const maxHeadAgeSeconds = headAgeBound(network.deployment, s.settings.maxHeadAgeSeconds);
  const names = await s.localNames();
  const { startServer } = await import("../../server/index.js");
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      network,
      host: opts.host,
      port: opts.port,
      names,
      ...(opts.trustedRoot !== undefined && { trustedRoots: opts.trustedRoot }),
      ...(opts.publicUrl !== undefined && { publicUrl: opts.publicUrl }),
      ...(s.settings.readTimeoutMs !== undefined && { readTimeoutMs: s.settings.readTimeoutMs }),
      maxHeadAgeSeconds: maxHeadAgeSeconds ?? null,
      ...limits,
      ...(opts.log === true && { logger: true }),
      ...(opts.statusDir !== undefined && { statusDir: resolve(opts.statusDir) }),
      ...(opts.fetchStatusLists === true && { fetchStatusLists: true }),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE")
      throw new LerError("port_in_use", `${opts.host}:${opts.port} is already in use. Choose another with --port.`, {
        cause: e,
      });
    if (code === "EADDRNOTAVAIL" || code === "EACCES" || code === "ENOTFOUND")
      throw new LerError("cannot_listen", `Cannot listen on ${opts.host}:${opts.port} (${code}).`, { cause: e });
    throw e;
  }
  // Listening for the signals before the ready line goes out: a supervisor that stops the service as soon as it has
  // read that line must not find the default action (death by signal) still in place.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      s.out.note("Stopping the service…");
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  s.out.result(
    { url: server.url, network: network.name, chainId: network.chainId, maxHeadAgeSeconds: maxHeadAgeSeconds ?? null },
    () => {
      s.out.line(
        `${s.out.c.green("●")} ${s.out.c.bold("LER service")} at ${s.out.c.bold(server.url)}  (${network.name}, chain ${network.chainId}, via ${s.settings.rpcUrl})`,
      );
      s.out.line(s.out.c.dim("Read only: no keys, no writes. Press Ctrl-C to stop."));
      s.out.line(
        s.out.c.dim(
          maxHeadAgeSeconds === undefined
            ? "The node's head age is not checked (--max-head-age to set a bound)."
            : `Verifications are unknown while the node's latest block is more than ${maxHeadAgeSeconds} s old.`,
        ),
      );
    },
    { compact: true },
  );
  await stopped;
  await server.close();
  s.out.note("Stopped.");
  return 0;
}
