import { Command, Option } from "commander";
import { LerError } from "../../errors.js";
import { collect, parseInteger } from "../config.js";
import type { Session } from "../context.js";
import { examples, type Act } from "./common.js";

export function registerServeCommand(program: Command, act: Act): void {
  const serve = program
    .command("serve")
    .description("run the read-only HTTP service: verify API, trust-registry queries, registry browser and metrics, with a web page")
    .addOption(new Option("--host <host>", "interface to listen on").default("127.0.0.1"))
    .addOption(new Option("--port <port>", "port to listen on (0: any free port)").default(8080).argParser(parseInteger("--port", 0, 65535)))
    .option("--trusted-root <did>", "trust only chains ending at this root (repeatable; default: every root the registry holds)", collect)
    .option("--public-url <url>", "the service's public base URL, when it runs behind a proxy")
    .option("--log", "log every request to stdout")
    .action(act(serveCommand));
  examples(serve, [
    "ler serve                          # http://127.0.0.1:8080 over the local dev chain",
    "ler serve --rpc https://sepolia.base.org --network base-sepolia --port 8080 --public-url https://verify.example.org",
  ]);
  serve.addHelpText("after", "\nThe API is described in docs/http-api.md. The service holds no keys and never writes to the chain.\n");
}

async function serveCommand(s: Session, opts: { host: string; port: number; trustedRoot?: string[]; publicUrl?: string; log?: boolean }): Promise<number> {
  const network = await s.network("verify");
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
      ...(opts.log === true && { logger: true }),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new LerError("port_in_use", `${opts.host}:${opts.port} is already in use. Choose another with --port.`, { cause: e });
    if (code === "EADDRNOTAVAIL" || code === "EACCES" || code === "ENOTFOUND") throw new LerError("cannot_listen", `Cannot listen on ${opts.host}:${opts.port} (${code}).`, { cause: e });
    throw e;
  }
  s.out.result(
    { url: server.url, network: network.name, chainId: network.chainId },
    () => {
      s.out.line(`${s.out.c.green("●")} ${s.out.c.bold("LER service")} at ${s.out.c.bold(server.url)}  (${network.name}, chain ${network.chainId}, via ${s.settings.rpcUrl})`);
      s.out.line(s.out.c.dim("Read only: no keys, no writes. Press Ctrl-C to stop."));
    },
    { compact: true },
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      s.out.note("Stopping the service…");
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await server.close();
  s.out.note("Stopped.");
  return 0;
}
