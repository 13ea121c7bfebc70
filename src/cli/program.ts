import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError, Help, Option } from "commander";
import { ChainError, errorCodeInfo, isErrorCode, LerError } from "../errors.js";
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

export interface CliIo {
  stdout: Stream;
  stderr: Stream;
  env: NodeJS.ProcessEnv;
}

/**
 * The exit code for an error: its code's, from the registry (ERROR_CODES of src/errors.ts: 64 usage, 1 refused or
 * failed, 2 the chain could not be read, 130 interrupted), whatever class of error carries the code. A code the
 * registry gives no exit code (a check's, the service's) or does not know: 2 for a ChainError, else 1. Commander's
 * own errors (an unknown option, a missing argument) are usage errors.
 */
export function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (e instanceof LerError) {
    const exit = isErrorCode(e.code) ? errorCodeInfo(e.code).exit : undefined;
    return exit ?? (e instanceof ChainError ? EXIT.unknown : EXIT.invalid);
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
export function printError(
  e: unknown,
  io: CliIo,
  json: boolean,
  commandPath: string | undefined,
  compact = false,
): void {
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

export function wantsJson(argv: readonly string[]): boolean {
  return argv.includes("--json") || argv.includes("--jsonl");
}

function version(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

/** A top-level command: what `ler --help` lists, and the module that defines it (loaded only to run it). */
export interface CommandEntry {
  name: string;
  aliases: readonly string[];
  /** Its term in `ler --help`: name, alias, `[options]` and arguments, as commander would write them. */
  term: string;
  description: string;
  /** The register function of its module (which may define its neighbours too: `node` and `deploy`). */
  load: () => Promise<(program: Command, act: Act) => void>;
}

const entry = (
  name: string,
  aliases: readonly string[],
  term: string,
  description: string,
  load: CommandEntry["load"],
): CommandEntry => ({ name, aliases, term, description, load });

/** Every top-level command, in the groups of `ler --help`. test/cli/program.test.ts checks them against the modules. */
export const COMMAND_GROUPS: readonly { heading: string; commands: readonly CommandEntry[] }[] = [
  {
    heading: "Dev chain and deployment:",
    commands: [
      entry(
        "node",
        [],
        "node [options]",
        "run a local JSON-RPC dev chain with every registry deployed",
        async () => (await import("./commands/chain.js")).registerChainCommands,
      ),
      entry(
        "deploy",
        [],
        "deploy [options]",
        "deploy the registries to a network and record them in deployments/<network>.json",
        async () => (await import("./commands/chain.js")).registerChainCommands,
      ),
    ],
  },
  {
    heading: "Identities:",
    commands: [
      entry(
        "id",
        ["identity"],
        "id|identity",
        "did:ethr identities in the encrypted key store: create, import, list, show, rotate, add-delegate, consent",
        async () => (await import("./commands/identity.js")).registerIdentityCommands,
      ),
    ],
  },
  {
    heading: "Governance and accreditors:",
    commands: [
      entry(
        "gov",
        ["governance"],
        "gov|governance",
        "governance: register credential types and root authorities",
        async () => (await import("./commands/governance.js")).registerGovernanceCommands,
      ),
      entry(
        "accreditor",
        ["acc"],
        "accreditor|acc",
        "accreditors: accredit issuers (or accreditors) within their own scope; update, suspend, reinstate, revoke; show trust chains and their history",
        async () => (await import("./commands/accreditor.js")).registerAccreditorCommands,
      ),
    ],
  },
  {
    heading: "Issuers:",
    commands: [
      entry(
        "issue",
        [],
        "issue [options]",
        "issue one LER credential (Open Badges 3.0) from flags or a JSON file, and anchor it",
        async () => (await import("./commands/issuer.js")).registerIssuerCommands,
      ),
      entry(
        "issuer",
        [],
        "issuer",
        "issuers: issue batches, anchor them, revoke / suspend / reinstate credentials, list what was issued",
        async () => (await import("./commands/issuer.js")).registerIssuerCommands,
      ),
      entry(
        "token",
        [],
        "token",
        "API tokens of the issuer service: create (shown once), list, revoke",
        async () => (await import("./commands/token.js")).registerTokenCommands,
      ),
    ],
  },
  {
    heading: "Holders and verifiers:",
    commands: [
      entry(
        "wallet",
        ["holder"],
        "wallet|holder",
        "holders: keep received credentials in a local wallet, see what they prove, present them to verifiers",
        async () => (await import("./commands/wallet.js")).registerWalletCommands,
      ),
      entry(
        "verify",
        [],
        "verify [options] <file...>",
        "verify credentials or presentations (detected from the input) against the chain",
        async () => (await import("./commands/verify.js")).registerVerifyCommand,
      ),
    ],
  },
  {
    heading: "Service:",
    commands: [
      entry(
        "serve",
        [],
        "serve [options]",
        "run the read-only HTTP service: verify API, trust-registry queries, registry browser and metrics, with a web page",
        async () => (await import("./commands/serve.js")).registerServeCommand,
      ),
    ],
  },
];

/** Global options that take a value: skipped, with their value, when looking for the command in argv. */
const VALUE_OPTIONS = new Set([
  "--rpc",
  "--network",
  "--deployments",
  "--home",
  "--store",
  "--confirmations",
  "--timeout",
  "--max-head-age",
]);

/** The top-level command argv runs (`ler help <command>` too), or undefined when it names none. */
export function commandNamed(argv: readonly string[]): CommandEntry | undefined {
  let helpFor = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") return undefined;
    if (a.startsWith("-")) {
      if (VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    if (a === "help" && !helpFor) {
      helpFor = true;
      continue;
    }
    for (const group of COMMAND_GROUPS) {
      for (const e of group.commands) if (e.name === a || e.aliases.includes(a)) return e;
    }
    return undefined;
  }
  return undefined;
}

/** Lists a command in `ler --help` without loading it; running it is never reached (argv named another). */
function listCommand(program: Command, e: CommandEntry): void {
  const cmd = program.command(e.name).description(e.description);
  for (const a of e.aliases) cmd.alias(a);
  LISTED_TERMS.set(cmd, e.term);
}

const LISTED_TERMS = new WeakMap<Command, string>();

/** Builds the command tree; `act` runs a handler with a session and records its exit code. */
export async function buildProgram(act: Act, io: CliIo, argv: readonly string[] = []): Promise<Command> {
  const program = new Command("ler");
  program
    .description(
      "Learning and Employment Records on a public ledger: issue, hold, present and verify LERs as did:ethr Verifiable Credentials.",
    )
    .version(version(), "-V, --version")
    .configureHelp({
      showGlobalOptions: true,
      sortSubcommands: false,
      subcommandTerm: (cmd) => LISTED_TERMS.get(cmd) ?? new Help().subcommandTerm(cmd),
    })
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
      new Option(
        "--store <url>",
        "postgres://… database holding the issuer's state (allocations, ledger, intents, tokens) for several workers; default: the home's files",
      ).env("LER_STORE_URL"),
    )
    .addOption(
      new Option("--confirmations <n>", "blocks each write waits for (default 1)")
        .env("LER_CONFIRMATIONS")
        .argParser(parseInteger("--confirmations", 1, 100)),
    )
    .addOption(
      new Option(
        "--timeout <seconds>",
        "how long a verification may take from the command's start, and each other chain read (default 10)",
      )
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

  // Only the command group that runs is loaded (its modules bring ethers, Veramo and the rest); the others are
  // listed by their entries in COMMANDS, so `ler --help` and `ler --version` load none of them.
  const wanted = commandNamed(argv);
  for (const group of COMMAND_GROUPS) {
    program.commandsGroup(group.heading);
    for (const entry of group.commands) {
      if (wanted === undefined || wanted === entry) {
        if (wanted === entry) (await entry.load())(program, act);
        else listCommand(program, entry);
      }
    }
  }

  program.addHelpText(
    "after",
    `
Environment:
  LER_SECRET        the key store's secret (else asked for on a terminal; never printed)
  LER_RPC_URL, LER_NETWORK, LER_DEPLOYMENTS, LER_HOME, LER_STORE_URL, LER_CONFIRMATIONS, LER_TIMEOUT, LER_MAX_HEAD_AGE
                    as the options above (a database password: PGPASSWORD, or in LER_STORE_URL, never on the command line)
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

/**
 * Runs the CLI on `argv` (without the node and script paths); resolves to the exit code. `startedAt` (ms since the
 * epoch): when the command started, which a verification's `--timeout` counts from (bin/ler.js: the process's start).
 */
export async function run(
  argv: readonly string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env },
  startedAt?: number,
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
      const settings = settingsFrom(opts);
      if (startedAt !== undefined) settings.startedAt = startedAt;
      const session: Session = new SessionClass(settings, out);
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
    program = await buildProgram(act, io, argv);
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
