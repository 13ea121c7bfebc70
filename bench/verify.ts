/**
 * Verification benchmark: this project's full verification against stock Veramo and stock did-jwt-vc (signature
 * only), on the same credentials, served by the same local JSON-RPC node, in the same run.
 *
 *   npm run bench:verify                 10,000 credentials from 20 issuers (about three minutes)
 *   npm run bench:verify -- --quick      2,000 credentials, for a quick look (results not written)
 *
 * The chain is a Hardhat node (`network.createServer`) in this process, reached over HTTP on 127.0.0.1. Each system
 * is measured in a child process of its own, pinned to one core when `taskset` exists (the node keeps the other),
 * so it starts cold and its peak memory is its own. Writes bench/results/verify.md and verify.json.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { network } from "hardhat";
import { packageVersion } from "./lib/peers.js";
import type { RunnerResult, SystemName } from "./lib/verifyRunner.js";
import { renderVerifyReport, verifyRecords, type VerifyReportContext } from "./lib/verifyReport.js";
import { buildRegistry, issueAll, worldData, writeWorld, type WorldSpec } from "./lib/world.js";

const HERE = dirname(fileURLToPath(import.meta.url));
/** Where results are written: bench/results, or LER_BENCH_RESULTS (a scratch folder for runs not to commit). */
const RESULTS = process.env.LER_BENCH_RESULTS ?? join(HERE, "results");
const RUNNER = join(HERE, "lib", "verifyRunner.ts");
const COMMAND = "npm run bench:verify";

const quick = process.argv.includes("--quick");
const SPEC: WorldSpec = quick
  ? { issuers: 20, perIssuer: 100, withHistory: 8, revokedPerIssuer: 2 }
  : { issuers: 20, perIssuer: 500, withHistory: 8, revokedPerIssuer: 10 };
const SIZES: Record<SystemName, Record<string, number>> = {
  ler: { sequential: quick ? 500 : 2000, single: quick ? 2000 : 10_000, concurrency: 32 },
  veramo: { peer: quick ? 500 : 2000, sequential: quick ? 50 : 200, concurrency: 32 },
  "did-jwt-vc": { peer: quick ? 500 : 2000, sequential: quick ? 50 : 200, concurrency: 32 },
};
/** V8 lets a busy heap grow to about four times what is live before collecting; a service caps it. */
const HEAP_CAP_MB = 192;
/** Worker threads of the pool run: one per core (the node shares the first core; it idles during warm batches). */
const POOL_THREADS = 2;
const RUNS: { system: SystemName; flags: string[]; sizes: Record<string, number | string>; cores?: string }[] = [
  { system: "ler", flags: [], sizes: SIZES.ler },
  {
    system: "ler",
    flags: [`--max-old-space-size=${HEAP_CAP_MB}`],
    sizes: { batchOnly: 1, variant: `V8 heap capped at ${HEAP_CAP_MB} MB` },
  },
  {
    system: "ler",
    flags: [],
    sizes: { batchOnly: 1, pool: POOL_THREADS, variant: `${POOL_THREADS} worker threads, two cores` },
    cores: "0,1",
  },
  { system: "veramo", flags: [], sizes: SIZES.veramo },
  { system: "did-jwt-vc", flags: [], sizes: SIZES["did-jwt-vc"] },
];

try {
  await main();
} catch (e) {
  console.error(`Verification benchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
}

async function main(): Promise<void> {
  const started = performance.now();
  const pin = canPin();
  if (pin) spawnSync("taskset", ["-p", "-c", "0", String(process.pid)], { stdio: "ignore" });
  const server = await network.createServer({ network: "default" }, "127.0.0.1", 0);
  const { address, port } = await server.listen();
  const rpcUrl = `http://${address}:${port}`;
  const dir = mkdtempSync(join(tmpdir(), "ler-bench-verify-"));
  const log = (line: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${line}`);
  try {
    const world = await buildRegistry(rpcUrl, SPEC, { log });
    await issueAll(world, SPEC, { log });
    const data = worldData(world);
    await world.close();
    const worldFile = join(dir, "world.json");
    writeWorld(worldFile, data);
    log(`${data.credentials.length} credentials from ${data.issuers.length} issuers; head block ${data.headBlock}`);

    const results: RunnerResult[] = [];
    for (const [i, run] of RUNS.entries()) {
      log(`measuring ${run.system}${run.flags.length > 0 ? ` (${run.flags.join(" ")})` : ""}`);
      const out = join(dir, `run-${i}.json`);
      await runChild(run, worldFile, out, pin);
      results.push(JSON.parse(readFileSync(out, "utf8")) as RunnerResult);
    }
    const context: VerifyReportContext = {
      command: COMMAND,
      credentials: data.credentials.length,
      issuers: data.issuers,
      revoked: data.credentials.filter((c) => c.expected === "revoked").length,
      pinned: pin,
      cores: availableParallelism(),
      versions: {
        hardhat: packageVersion("hardhat"),
        veramo: packageVersion("@veramo/core"),
        "did-jwt-vc": packageVersion("did-jwt-vc"),
        "did-jwt": packageVersion("did-jwt"),
        "ethr-did-resolver": packageVersion("ethr-did-resolver"),
        "did-resolver": packageVersion("did-resolver"),
        ethers: packageVersion("ethers"),
      },
      sizes: SIZES,
      heapCapMb: HEAP_CAP_MB,
    };
    const markdown = renderVerifyReport(results, context);
    console.log(markdown);
    if (quick) {
      log("quick run: results not written");
    } else {
      mkdirSync(RESULTS, { recursive: true });
      writeFileSync(join(RESULTS, "verify.md"), markdown);
      writeFileSync(join(RESULTS, "verify.json"), `${JSON.stringify(verifyRecords(results, context), null, 2)}\n`);
      log("wrote bench/results/verify.md and bench/results/verify.json");
    }
    const failed = results.flatMap((r) =>
      r.phases.filter((p) => p.mismatches > 0 && r.system === "ler").map((p) => `${r.system} ${p.id}`),
    );
    if (failed.length > 0) throw new Error(`wrong verification results in ${failed.join(", ")}`);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function canPin(): boolean {
  return availableParallelism() >= 2 && spawnSync("taskset", ["-c", "0", "true"], { stdio: "ignore" }).status === 0;
}

/** Runs one system's measurements in a child process (Node of this process, tsx loader), on core 1 if pinned (or the run's cores). */
function runChild(run: (typeof RUNS)[number], worldFile: string, out: string, pin: boolean): Promise<void> {
  const { system } = run;
  const node = [
    process.execPath,
    ...run.flags,
    "--import",
    "tsx",
    RUNNER,
    system,
    worldFile,
    out,
    JSON.stringify(run.sizes),
  ];
  const [command, ...args] = pin ? ["taskset", "-c", run.cores ?? "1", ...node] : node;
  return new Promise((resolve, reject) => {
    const child = spawn(command!, args, { stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${system} runner exited with ${code ?? signal}`)),
    );
  });
}
