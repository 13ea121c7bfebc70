/**
 * Load test of the HTTP service's verify endpoint: POST /v1/verify of `ler serve` (startServer), on 127.0.0.1,
 * over a local chain with the registries, accredited issuers and real credentials issued through the agent (a mix
 * of valid and revoked). Bounded: a warm-up, then 30 s at 32 concurrent requests; it stops by itself.
 *
 *   npm run bench:load              writes bench/results/load.md and load.json
 *   npm run bench:load -- --quick   a 5 s run for a quick look (results not written)
 *
 * Three processes, so that the server's numbers are its own: this one (the chain: a Hardhat node over HTTP, and the
 * block producer), the server (bench/lib/loadServer.ts) and the client (bench/lib/loadClient.ts). With two cores or
 * more and `taskset`, the server has a core to itself. A block is mined every 2 s during the load, as on an L2:
 * each new head starts a new generation of the verifier's chain cache, so the load includes cold reads.
 * The run fails (exit 1) on any error or wrong result, or when the server's memory grows (see bench/lib/loadReport.ts).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { JsonRpcProvider } from "ethers";
import { network } from "hardhat";
import { deploymentPath, writeDeployment } from "../src/chain/deployments.js";
import type { ClientCommand, ClientMessage, ClientResult } from "./lib/loadClient.js";
import { loadRecord, renderLoadReport, type LoadRun } from "./lib/loadReport.js";
import type { MemorySample, ServerCommand, ServerMessage } from "./lib/loadServer.js";
import { packageVersion } from "./lib/peers.js";
import { buildRegistry, issueAll, NETWORK_NAME, worldData, writeWorld, type WorldSpec } from "./lib/world.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, "results");
const COMMAND = "npm run bench:load";

const quick = process.argv.includes("--quick");
const SPEC: WorldSpec = { issuers: 10, perIssuer: 200, withHistory: 4, revokedPerIssuer: 20 };
const CONCURRENCY = 32;
const WARMUP_MS = quick ? 2_000 : 5_000;
const DURATION_MS = quick ? 5_000 : 30_000;
const BLOCK_INTERVAL_MS = 2_000;
const SEED = 6;

try {
  await main();
} catch (e) {
  console.error(`Load test failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
}

async function main(): Promise<void> {
  const started = performance.now();
  const log = (line: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${line}`);
  // Counted before this process pins itself (the count follows the process's affinity).
  const cores = availableParallelism();
  const pin = cores >= 2 && spawnSync("taskset", ["-c", "0", "true"], { stdio: "ignore" }).status === 0;
  // This process (chain and block producer) and the client on core 0; the server on core 1.
  if (pin) spawnSync("taskset", ["-a", "-p", "-c", "0", String(process.pid)], { stdio: "ignore" });
  const node = await network.createServer({ network: "default" }, "127.0.0.1", 0);
  const { address, port } = await node.listen();
  const rpcUrl = `http://${address}:${port}`;
  const dir = mkdtempSync(join(tmpdir(), "ler-bench-load-"));
  const children: ChildProcess[] = [];
  const miner = new JsonRpcProvider(rpcUrl, 31337, { cacheTimeout: -1, staticNetwork: true });
  let mining: NodeJS.Timeout | undefined;
  try {
    const world = await buildRegistry(rpcUrl, SPEC, { log });
    await issueAll(world, SPEC, { log });
    const data = worldData(world);
    await world.close();
    const worldFile = join(dir, "world.json");
    writeWorld(worldFile, data);
    const deployments = join(dir, "deployments");
    writeDeployment(deploymentPath(deployments, NETWORK_NAME), data.deployment);
    const revoked = data.credentials.filter((c) => c.expected === "revoked").length;
    log(`${data.credentials.length} credentials (${revoked} revoked) from ${data.issuers.length} issuers`);

    const server = startChild(
      join(HERE, "lib", "loadServer.ts"),
      [rpcUrl, deployments, NETWORK_NAME],
      ["--expose-gc"],
      pin ? "1" : undefined,
    );
    children.push(server.child);
    const { url } = (await server.next((m: ServerMessage) => m.type === "ready")) as { url: string };
    const samples: { atMs: number; memory: MemorySample }[] = [];
    let measuringSince: number | undefined;
    server.child.on("message", (m: ServerMessage) => {
      if (m.type === "sample" && measuringSince !== undefined)
        samples.push({ atMs: performance.now() - measuringSince, memory: m.memory });
    });
    const gcSample = async () => {
      server.child.send({ type: "gc" } satisfies ServerCommand);
      return ((await server.next((m: ServerMessage) => m.type === "gc")) as { memory: MemorySample }).memory;
    };
    log(`server at ${url}${pin ? " (pinned to core 1)" : ""}`);

    const client = startChild(
      join(HERE, "lib", "loadClient.ts"),
      [url, worldFile, String(CONCURRENCY), String(SEED)],
      [],
      pin ? "0" : undefined,
    );
    children.push(client.child);
    await client.next((m: ClientMessage) => m.type === "ready");
    const runClient = async (phase: string, durationMs: number) => {
      client.child.send({ type: "run", phase, durationMs } satisfies ClientCommand);
      return ((await client.next((m: ClientMessage) => m.type === "result")) as { result: ClientResult }).result;
    };

    mining = setInterval(() => void miner.send("evm_mine", []).catch(() => undefined), BLOCK_INTERVAL_MS);
    const idle = await gcSample();
    log(`warm-up: ${WARMUP_MS / 1000} s at ${CONCURRENCY} concurrent`);
    const warmup = await runClient("warm-up", WARMUP_MS);
    const before = await gcSample();
    const headBefore = await miner.getBlockNumber();
    log(`load: ${DURATION_MS / 1000} s at ${CONCURRENCY} concurrent`);
    measuringSince = performance.now();
    const load = await runClient("load", DURATION_MS);
    measuringSince = undefined;
    const headAfter = await miner.getBlockNumber();
    const after = await gcSample();
    clearInterval(mining);
    mining = undefined;
    const metrics = (await (await fetch(new URL("/v1/metrics", url))).json()) as {
      service: { latencyMs: { window: number; p50: number; p95: number; p99: number } };
    };

    const run: LoadRun = {
      command: COMMAND,
      credentials: data.credentials.length,
      revoked,
      issuers: data.issuers.length,
      concurrency: CONCURRENCY,
      warmupMs: WARMUP_MS,
      durationMs: DURATION_MS,
      blockIntervalMs: BLOCK_INTERVAL_MS,
      blocksDuringLoad: headAfter - headBefore,
      pinned: pin,
      cores,
      versions: { node: process.versions.node, hardhat: packageVersion("hardhat"), fastify: packageVersion("fastify") },
      warmup,
      load,
      serverLatencyMs: metrics.service.latencyMs,
      memory: { idle, before, after, samples },
    };
    const markdown = renderLoadReport(run);
    console.log(markdown);
    if (quick) {
      log("quick run: results not written");
    } else {
      mkdirSync(RESULTS, { recursive: true });
      writeFileSync(join(RESULTS, "load.md"), markdown);
      writeFileSync(join(RESULTS, "load.json"), `${JSON.stringify(loadRecord(run), null, 2)}\n`);
      log("wrote bench/results/load.md and bench/results/load.json");
    }
    client.child.send({ type: "exit" } satisfies ClientCommand);
    server.child.send({ type: "stop" } satisfies ServerCommand);
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r)))));
    const bad = warmup.errors + warmup.wrongResults + load.errors + load.wrongResults;
    if (bad > 0)
      throw new Error(`${bad} errors or wrong results: ${[...warmup.samples, ...load.samples].slice(0, 5).join("; ")}`);
    const failed = loadRecord(run).targets.filter((t) => !t.pass);
    if (failed.length > 0)
      throw new Error(`targets failed: ${failed.map((t) => `${t.target}: ${t.measured}`).join("; ")}`);
  } finally {
    if (mining !== undefined) clearInterval(mining);
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    miner.destroy();
    await node.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A child process on this Node, with tsx, over IPC. Pinned to `core` by starting it under taskset, so that every
 * thread of it (V8's and libuv's too) is on that core.
 */
function startChild(script: string, args: string[], nodeFlags: string[], core: string | undefined) {
  const command = [process.execPath, ...nodeFlags, "--import", "tsx", script, ...args];
  const [file, ...rest] = core !== undefined ? ["taskset", "-c", core, ...command] : command;
  const child = spawn(file!, rest, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code, signal) => reject(new Error(`${script} exited (${code ?? signal})`))),
  );
  exited.catch(() => undefined);
  return {
    child,
    /** The next message that satisfies `test`; rejects if the child exits first. */
    next: <M>(test: (m: M) => boolean): Promise<M> =>
      Promise.race([
        new Promise<M>((resolve) => {
          const on = (m: M) => {
            if (!test(m)) return;
            child.off("message", on);
            resolve(m);
          };
          child.on("message", on);
        }),
        exited,
      ]),
  };
}
