#!/usr/bin/env node
// The `ler` command, in this process: the bundled CLI (dist/bundle/, built from dist/ by `npm run build`, which
// `npm ci` in a checkout and `npm pack` run).
import { existsSync } from "node:fs";

const main = new URL("../dist/bundle/ler.js", import.meta.url);
if (!existsSync(main)) {
  process.stderr.write("error [artifacts_missing]: ler is not built: run `npm run build` (npm ci runs it).\n");
  process.exit(1);
}
await import(main.href);
