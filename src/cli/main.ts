/**
 * The `ler` command's entry point (bin/ler.js loads it through tsx). Everything is in program.ts; this file only
 * runs it and exits with its code once stdout and stderr are flushed.
 */
import { run } from "./program.js";

// `ler … | head -1`: the reader is gone, so there is nobody left to tell; stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}

const code = await run(process.argv.slice(2));
// A dev chain's sockets, providers' timers and the like must not keep a finished command alive; but exiting
// before the pipes drain would cut off the output of `ler … --json | jq`.
await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
await new Promise<void>((resolve) => process.stderr.write("", () => resolve()));
process.exit(code);
