import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { ChainError, LerError, UsageError } from "../errors.js";
import {
  DEFAULT_NETWORK,
  DEFAULT_RPC_URL,
  PACKAGE_ROOT,
  defaultHome,
  parseHeadAge,
  parseInteger,
  settingsFrom,
  type GlobalOptions,
} from "./config.js";
import type { Session } from "./context.js";
import { Output, toJson, type Stream } from "./output.js";
import type { Act, Handler } from "./commands/common.js";

/** Exit codes: the scripting interface (documented in the README). */
export const EXIT = { ok: 0, invalid: 1, unknown: 2, usage: 64, interrupted: 130 } as const;

const CHAIN_CODES = new Set(["chain_unreachable", "chain_timeout", "chain_error", "wrong_chain", "tx_dropped"]);

export interface CliIo {
  stdout: Stream;
  stderr: Stream;
  env: NodeJS.ProcessEnv;
}

/** The exit code for an error: 64 usage, 2 chain unreachable (or unreadable), 130 interrupted, 1 anything else. */
export function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (e instanceof UsageError) return EXIT.usage;
  if (e instanceof ChainError) return EXIT.unknown;
  if (e instanceof LerError) {
    if (e.code === "interrupted") return EXIT.interrupted;
    if (["missing_secret", "invalid_rpc_url", "invalid_network_name", "invalid_private_key"].includes(e.code))
      return EXIT.usage;
    return CHAIN_CODES.has(e.code) ? EXIT.unknown : EXIT.invalid;
  }
  return EXIT.invalid;
}

/** Errors other parts throw that are really the chain (ethers' network failures), as ChainErrors. */
function normalize(e: unknown): unknown {
  if (e instanceof LerError || e instanceof CommanderError) return e;
  const err = e as { code?: unknown; message?: unknown; shortMessage?: unknown };
  const text = `${String(err?.code ?? "")} ${String(err?.shortMessage ?? err?.message ?? "")}`;
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|socket hang up|fetch failed|NETWORK_ERROR/i.test(text)) {
    return new ChainError("chain_unreachable", "The chain cannot be reached.", { cause: e });
  }
  if (/\bTIMEOUT\b/.test(text)) return new ChainError("chain_timeout", "The node timed out.", { cause: e });
  return e;
}

/** Prints `error [code]: message` on stderr (and `{error}` on stdout with --json); the stack only with LER_DEBUG=1. */
function printError(e: unknown, io: CliIo, json: boolean, commandPath: string | undefined, compact = false): void {
  let code: string;
  let message: string;
  let details: Record<string, unknown> | undefined;
  if (e instanceof CommanderError) {
    code = "usage";
    message = e.message.replace(/^error:\s*/i, "").trim();
    if (commandPath !== undefined) message += ` (see \`${commandPath} --help\`)`;
  } else if (e instanceof LerError) {
    code = e.code;
    message = e.message;
    details = e.details;
  } else {
    code = "internal_error";
    message = e instanceof Error ? e.message : String(e);
  }
  const oneLine = message.replace(/\s*\n\s*/g, " ");
  const debug = io.env.LER_DEBUG === "1";
  const hint = code === "internal_error" && !debug ? " (a bug: LER_DEBUG=1 shows where)" : "";
  io.stderr.write(`error [${code}]: ${oneLine}${hint}\n`);
  if (debug) {
    for (let c: unknown = e; c !== undefined && c !== null; c = (c as { cause?: unknown }).cause) {
      io.stderr.write(`${(c as Error).stack ?? String(c)}\n`);
    }
  }
  if (json)
    io.stdout.write(
      `${toJson({ error: { code, message: oneLine, ...(details !== undefined && { details }) } }, compact)}\n`,
    );
}

function wantsJson(argv: readonly string[]): boolean {
  return argv.includes("--json") || argv.includes("--jsonl");
}

function version(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

/** Builds the command tree; `act` runs a handler with a session and records its exit code. */
export async function buildProgram(act: Act, io: CliIo): Promise<Command> {
  const program = new Command("ler");
  program
    .description(
      "Learning and Employment Records on a public ledger: issue, hold, present and verify LERs as did:ethr Verifiable Credentials.",
    )
    .version(version(), "-V, --version")
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: () => {},
    })
    .showSuggestionAfterError(true)
    .optionsGroup("Global Options:")
    .option("--json", "print the result as one JSON object on stdout (errors: {error: {code, message}})")
    .addOption(new Option("--rpc <url>", "JSON-RPC endpoint of the chain").env("LER_RPC_URL").default(DEFAULT_RPC_URL))
    .addOption(
      new Option(
        "--network <name>",
        "network name: the deployment record deployments/<name>.json and the did:ethr network",
      )
        .env("LER_NETWORK")
        .default(DEFAULT_NETWORK),
    )
    .addOption(
      new Option(
        "--deployments <dir>",
        "directory of deployment records (default: ./deployments if it has the record, else the package's)",
      ).env("LER_DEPLOYMENTS"),
    )
    .addOption(
      new Option("--home <dir>", "key store, issuer ledger and wallet")
        .env("LER_HOME")
        .default(defaultHome(), "~/.ler"),
    )
    .addOption(
      new Option("--confirmations <n>", "blocks each write waits for (default 1)")
        .env("LER_CONFIRMATIONS")
        .argParser(parseInteger("--confirmations", 1, 100)),
    )
    .addOption(
      new Option("--timeout <seconds>", "timeout of each chain read")
        .env("LER_TIMEOUT")
        .argParser(parseInteger("--timeout", 1, 3600)),
    )
    .addOption(
      new Option(
        "--max-head-age <seconds|off>",
        "a verification is unknown when the node's latest block is older than this (default: the deployment record's bound, else the chain's preset; off on dev chains)",
      )
        .env("LER_MAX_HEAD_AGE")
        .argParser(parseHeadAge("--max-head-age")),
    );

  const { registerChainCommands } = await import("./commands/chain.js");
  const { registerIdentityCommands } = await import("./commands/identity.js");
  const { registerGovernanceCommands } = await import("./commands/governance.js");
  const { registerAccreditorCommands } = await import("./commands/accreditor.js");
  const { registerIssuerCommands } = await import("./commands/issuer.js");
  const { registerWalletCommands } = await import("./commands/wallet.js");
  const { registerVerifyCommand } = await import("./commands/verify.js");
  const { registerServeCommand } = await import("./commands/serve.js");

  program.commandsGroup("Dev chain and deployment:");
  registerChainCommands(program, act);
  program.commandsGroup("Identities:");
  registerIdentityCommands(program, act);
  program.commandsGroup("Governance and accreditors:");
  registerGovernanceCommands(program, act);
  registerAccreditorCommands(program, act);
  program.commandsGroup("Issuers:");
  registerIssuerCommands(program, act);
  program.commandsGroup("Holders and verifiers:");
  registerWalletCommands(program, act);
  registerVerifyCommand(program, act);
  program.commandsGroup("Service:");
  registerServeCommand(program, act);

  program.addHelpText(
    "after",
    `
Environment:
  LER_SECRET        the key store's secret (else asked for on a terminal; never printed)
  LER_RPC_URL, LER_NETWORK, LER_DEPLOYMENTS, LER_HOME, LER_CONFIRMATIONS, LER_TIMEOUT, LER_MAX_HEAD_AGE   as the options above
  LER_PRIVATE_KEY   the key \`ler id import\` reads;  LER_DEPLOYER_KEY  the key \`ler deploy\` uses
  NO_COLOR          no colours;  LER_DEBUG=1  stack traces on errors

Exit status: 0 success or valid, 1 invalid or failed, 2 unknown or chain unreachable, 64 usage error.

Start here:
  $ ler node                    # a local chain with the registries (keep it running)
  $ ler id create --alias ada   # in another terminal
  $ ler <command> --help        # every command has examples
`,
  );
  return program;
}

/** Runs the CLI on `argv` (without the node and script paths); resolves to the exit code. */
export async function run(
  argv: readonly string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  let code: number = EXIT.ok;
  let failed = false;
  const act: Act =
    <H extends Handler>(handler: H, options: { failureExit?: number } = {}) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      // `ler verify --jsonl` is JSON output too: its errors come as {error} on stdout, on one line.
      const jsonl = (opts as { jsonl?: boolean }).jsonl === true;
      const json = opts.json === true || jsonl;
      const out = new Output({ json, stdout: io.stdout, stderr: io.stderr, env: io.env });
      // Loaded here, not at the top: `--help`, `--version` and usage errors need none of the agent's modules.
      const { Session: SessionClass } = await import("./context.js");
      const session: Session = new SessionClass(settingsFrom(opts), out);
      try {
        code =
          (await (handler as unknown as (s: Session, ...a: unknown[]) => Promise<number | void>)(
            session,
            ...args.slice(0, -1),
          )) ?? EXIT.ok;
      } catch (e) {
        const err = normalize(e);
        printError(err, io, out.json, undefined, jsonl);
        code = exitCodeFor(err);
        if (code === EXIT.invalid && options.failureExit !== undefined) code = options.failureExit;
        failed = true;
      } finally {
        await session.close();
      }
    };

  let program: Command;
  try {
    program = await buildProgram(act, io);
  } catch (e) {
    printError(e, io, wantsJson(argv), undefined, argv.includes("--jsonl"));
    return exitCodeFor(e);
  }
  // Every command reports parse errors to us instead of exiting, so that they get the one-line format.
  const paths = new Map<Command, string>();
  let current: Command = program;
  const walk = (cmd: Command, path: string) => {
    paths.set(cmd, path);
    cmd.exitOverride();
    cmd.hook("preSubcommand", (_thisCommand, sub) => {
      current = sub;
    });
    for (const sub of cmd.commands) walk(sub, `${path} ${sub.name()}`);
  };
  walk(program, "ler");
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (e) {
    if (failed) return code;
    if (e instanceof CommanderError && e.exitCode === 0) return EXIT.ok;
    if (e instanceof CommanderError && (e.code === "commander.help" || e.code === "commander.helpDisplayed"))
      return EXIT.usage;
    const err = normalize(e);
    printError(
      err,
      io,
      wantsJson(argv),
      err instanceof CommanderError ? paths.get(current) : undefined,
      argv.includes("--jsonl"),
    );
    return exitCodeFor(err);
  }
  return code;
}
