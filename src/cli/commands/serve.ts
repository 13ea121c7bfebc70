import cluster from "node:cluster";
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
    .option(
      "--issuer",
      "also serve the issuer API (POST /credentials/issue, /credentials/status; bearer tokens from `ler token create`): needs the key store's secret",
    )
    .addOption(
      new Option("--workers <n>", "with --issuer: worker processes sharing the port (default 1)")
        .default(1)
        .argParser(parseInteger("--workers", 1, 64)),
    )
    .addOption(
      new Option("--batch-size <n>", "with --issuer: credentials per anchored batch at most (default 1024)").argParser(
        parseInteger("--batch-size", 1, 1 << 20),
      ),
    )
    .addOption(
      new Option(
        "--batch-interval <ms>",
        "with --issuer: how long a credential waits for its batch to fill before the batch closes (default 200)",
      ).argParser(parseInteger("--batch-interval", 1, 60_000)),
    )
    .addOption(
      new Option("--rate-limit <n>", "with --issuer: requests per token per minute (default 6000)").argParser(
        parseInteger("--rate-limit", 1, 100_000_000),
      ),
    )
    .option("--trust-proxy", "take the client's address from X-Forwarded-For (behind a load balancer that sets it)")
    .action(act(serveCommand));
  examples(serve, [
    "LER_SECRET=… ler serve --issuer --store postgres://ler@db/ler --workers 2 --host 0.0.0.0",
    "ler serve                          # http://127.0.0.1:8080 over the local dev chain",
    "ler serve --rpc https://sepolia.base.org --network base-sepolia --port 8080 --public-url https://verify.example.org",
  ]);
  serve.addHelpText(
    "after",
    "\nThe API is described in docs/http-api.md (and the issuer API in docs/issuer-service.md). Without --issuer the\n" +
      "service holds no keys and never writes to the chain.\n",
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
  issuer?: boolean;
  workers: number;
  batchSize?: number;
  batchInterval?: number;
  rateLimit?: number;
  trustProxy?: boolean;
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
  if (opts.issuer !== true && (opts.workers > 1 || opts.batchSize !== undefined || opts.batchInterval !== undefined)) {
    throw new UsageError("invalid_argument", "--workers, --batch-size and --batch-interval go with --issuer.");
  }
  if (opts.workers > 1 && cluster.isPrimary) return superviseWorkers(s, opts);
  const network = await s.network(opts.issuer === true ? "chain" : "verify");
  const maxHeadAgeSeconds = headAgeBound(network.deployment, s.settings.maxHeadAgeSeconds);
  const names = await s.localNames();
  const { startServer } = await import("../../server/index.js");
  let issuer: import("../../server/issuer/index.js").IssuerService | undefined;
  if (opts.issuer === true) {
    const { createIssuerService } = await import("../../server/issuer/index.js");
    issuer = await createIssuerService({
      agent: await s.agent("chain"),
      network,
      store: await s.store(),
      ...(opts.batchSize !== undefined && { maxBatch: opts.batchSize }),
      ...(opts.batchInterval !== undefined && { intervalMs: opts.batchInterval }),
      ...(opts.rateLimit !== undefined && { rateLimitPerMinute: opts.rateLimit }),
    });
  }
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      ...(issuer !== undefined && { issuer }),
      ...(opts.trustProxy === true && { trustProxy: true }),
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
    await issuer?.close();
    throw e;
  }
  if (cluster.isWorker) {
    // A worker of `--workers`: the supervisor prints the ready line once every worker listens.
    process.send?.({ type: "ler-ready", url: server.url });
    await new Promise<void>((resolve) => {
      process.once("SIGTERM", resolve);
      process.once("SIGINT", resolve);
      process.once("disconnect", resolve);
    });
    await server.close();
    return 0;
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
      s.out.line(
        s.out.c.dim(
          issuer === undefined
            ? "Read only: no keys, no writes. Press Ctrl-C to stop."
            : `Issuer API on (store: ${s.settings.storeUrl === undefined ? "the home's files" : "PostgreSQL"}). Press Ctrl-C to stop.`,
        ),
      );
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

/**
 * `--workers n`: n copies of this command in worker processes (node:cluster) sharing the listening port; a worker
 * that dies is started again, and SIGINT/SIGTERM stop them all. The workers share nothing but the store: with
 * PostgreSQL, they may as well run on other machines.
 */
async function superviseWorkers(s: Session, opts: ServeOpts): Promise<number> {
  let stopping = false;
  let url: string | undefined;
  let ready = 0;
  const started = new Promise<void>((resolve) => {
    cluster.on("message", (_worker, m: { type?: string; url?: string }) => {
      if (m?.type !== "ler-ready") return;
      url ??= m.url;
      if (++ready === opts.workers) resolve();
    });
  });
  const failedEarly = new Promise<never>((_, reject) => {
    cluster.on("exit", (worker, code, signal) => {
      if (stopping) return;
      if (ready < opts.workers) {
        reject(new LerError("worker_failed", `A worker stopped before it listened (exit ${code ?? signal}).`));
        return;
      }
      s.out.note(`Worker ${worker.process.pid} stopped (${signal ?? `exit ${code}`}); starting another.`);
      cluster.fork();
    });
  });
  for (let i = 0; i < opts.workers; i++) cluster.fork();
  try {
    await Promise.race([started, failedEarly]);
  } catch (e) {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.kill("SIGTERM");
    throw e;
  }
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      stopping = true;
      s.out.note("Stopping the workers…");
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  s.out.result(
    { url, workers: opts.workers, pid: process.pid },
    () => {
      s.out.line(
        `${s.out.c.green("●")} ${s.out.c.bold("LER service")} at ${s.out.c.bold(url ?? "")} with ${opts.workers} workers (issuer API on). Press Ctrl-C to stop.`,
      );
    },
    { compact: true },
  );
  await stopped;
  const exits = Object.values(cluster.workers ?? {}).map(
    (w) =>
      new Promise<void>((resolve) => (w === undefined || w.isDead() ? resolve() : w.once("exit", () => resolve()))),
  );
  for (const w of Object.values(cluster.workers ?? {})) w?.kill("SIGTERM");
  await Promise.all(exits);
  s.out.note("Stopped.");
  return 0;
}
