/**
 * The `ler` command's entry point (bin/ler.js imports it). Everything is in program.ts; this file runs it in this
 * process, and exits with its code once stdout and stderr are flushed. The one exception is `ler node` on a Node.js
 * older than Hardhat needs: it runs in a child under the Node 22 installed beside the package, this process passing
 * signals and the exit code through.
 */
import { fileURLToPath } from "node:url";
import { bundledNode, relay, requireHardhat, runsHardhat } from "./node22.js";
import { commandNamed, exitCodeFor, printError, run, wantsJson } from "./program.js";
import { LerError } from "../errors.js";

// `ler … | head -1`: the reader is gone, so there is nobody left to tell; stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}

const argv = process.argv.slice(2);
const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };

async function main(): Promise<number> {
  const runsNode = commandNamed(argv)?.name === "node" && !argv.includes("--help") && !argv.includes("-h");
  if (!runsNode || runsHardhat(process.versions.node)) {
    if (runsNode) requireHardhat();
    // `ler verify --timeout N` answers within N seconds of the process's start, loading its modules included.
    return run(argv, io, performance.timeOrigin);
  }
  requireHardhat();
  const node = bundledNode();
  if (node === undefined || process.env.LER_RELAYED === "1") {
    throw new LerError(
      "node_too_old",
      `\`ler node\` runs Hardhat, which needs Node.js 22.13 or newer; this is ${process.versions.node}. Run it with Node 22.`,
    );
  }
  process.env.LER_RELAYED = "1";
  return relay(node, fileURLToPath(new URL("../../bin/ler.js", import.meta.url)), argv);
}

let code: number;
try {
  code = await main();
} catch (e) {
  printError(e, io, wantsJson(argv), undefined, argv.includes("--jsonl"));
  code = exitCodeFor(e);
}
// A dev chain's sockets, providers' timers and the like must not keep a finished command alive; but exiting
// before the pipes drain would cut off the output of `ler … --json | jq`.
await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
await new Promise<void>((resolve) => process.stderr.write("", () => resolve()));
process.exit(code);
