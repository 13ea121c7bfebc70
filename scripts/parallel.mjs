// `node scripts/parallel.mjs a b …`: runs the npm scripts a, b, … at once (the machine has two cores; `npm test`
// runs the static checks beside the Solidity tests), prints each one's output whole, in the order given, and exits
// with the first non-zero exit code.
import { spawn } from "node:child_process";

const names = process.argv.slice(2);
const runs = names.map(
  (name) =>
    new Promise((resolve) => {
      const child = spawn("npm", ["run", "--silent", name], { stdio: ["ignore", "pipe", "pipe"] });
      const out = [];
      child.stdout.on("data", (d) => out.push(d));
      child.stderr.on("data", (d) => out.push(d));
      child.on("close", (code, signal) => resolve({ out, code: code ?? (signal ? 1 : 0) }));
    }),
);
let failed = 0;
for (const run of runs) {
  const { out, code } = await run;
  process.stdout.write(Buffer.concat(out));
  if (code !== 0 && failed === 0) failed = code;
}
process.exit(failed);
