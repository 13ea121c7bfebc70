// The published package.json is the repository's without what only building and testing this repository needs:
// `npm pack` / `npm publish` run `trim` before packing (prepack) and `restore` after (postpack).
//
// Dropped: devDependencies (Hardhat, its EVM, solc, the test and lint tools); optionalDependencies (the Node 22 binary
// for linux-x64, which lets a checkout run Hardhat on an older Node: 185 MB a verifier has no use for, and one that
// would shadow the user's own `node` in their npm scripts); and the scripts, which build and test the repository (the
// package ships built). Hardhat stays an optional peer dependency, for `ler node` only.
//
// `node scripts/pack-manifest.mjs trim|restore [dir]`: the package.json of dir (default this repository).
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = process.argv[3] ?? fileURLToPath(new URL("..", import.meta.url));
const file = join(dir, "package.json");
const saved = join(dir, "package.json.repo");

const mode = process.argv[2];
if (mode === "trim") {
  if (existsSync(saved)) renameSync(saved, file); // an earlier pack that died before its postpack
  const text = readFileSync(file, "utf8");
  const manifest = JSON.parse(text);
  for (const key of ["devDependencies", "optionalDependencies", "scripts"]) delete manifest[key];
  writeFileSync(saved, text);
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
} else if (mode === "restore") {
  if (existsSync(saved)) renameSync(saved, file);
} else {
  process.stderr.write("usage: node scripts/pack-manifest.mjs trim|restore [dir]\n");
  process.exit(64);
}
