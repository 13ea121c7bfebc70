/**
 * Issuer service load and crash benchmark: `ler serve --issuer` worker processes on one PostgreSQL database, issuing
 * over HTTP with 1, 2 and 4 workers (100,000 credentials in all), one anchoring leader coalescing every worker's
 * credentials into batches. Reports credentials per second, p50/p99 latency (answer once signed and recorded; and,
 * for a sample, once the anchor is confirmed), gas per credential, and credentials per CPU-second of the worker
 * processes beside stock Veramo's `createVerifiableCredential` (JWT, local KMS) measured in the same run.
 *
 * During the run it kills (SIGKILL) one worker that is not the leader and, twice, the anchoring leader; the client
 * sends a request that got no answer again to a live worker. Afterwards it checks that no status index was handed
 * out twice, that every credential a client received is in the ledger, anchored, and verifies, that every anchor is
 * on chain exactly once, and that every revocation asked for is on chain and none is pending.
 *
 *   npm run bench:issuer              (100,000 credentials; a few minutes)
 *   npm run bench:issuer -- --quick   (5,000; results not written)
 *
 * Needs the PostgreSQL server at LER_BENCH_PG (default postgres://127.0.0.1:5432/test): it creates and drops a
 * database of its own, ler_bench. Writes bench/results/issuer.md and issuer.json.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Contract } from "ethers";
import { network } from "hardhat";
import pg from "pg";
import { openHome } from "../src/agent/agent.js";
import { projectArtifact } from "../src/chain/artifacts.js";
import { deploymentPath, writeDeployment } from "../src/chain/deployments.js";
import { openBadgeCredential } from "../src/credentials/index.js";
import { LEADER_LOCK } from "../src/store/postgres/anchoring.js";
import { openIssuerStore } from "../src/store/open.js";
import { newToken } from "../src/store/tokens.js";
import { packageVersion } from "./lib/peers.js";
import { stockVeramoIssuer } from "./lib/stockVeramo.js";
import { pseudoHash } from "./lib/values.js";
import { buildRegistry, NETWORK_NAME, requestsFor, worldData } from "./lib/world.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..");
const RESULTS = process.env.LER_BENCH_RESULTS ?? join(HERE, "results");
const quick = process.argv.includes("--quick");
const SECRET = "bench secret, not a real one";
const ADMIN_URL = withUser(process.env.LER_BENCH_PG ?? "postgres://127.0.0.1:5432/test");
const DB = "ler_bench";
const STORE_URL = ADMIN_URL.replace(/\/[^/?]*(\?|$)/, `/${DB}$1`);
type Kill = { at: number; who: "worker" | "leader" };
const scale = (n: number) => (quick ? n / 20 : n);
const KILL_LEADER: Kill[] = [{ at: 0.5, who: "leader" }];
const KILL_BOTH: Kill[] = [
  { at: 0.3, who: "worker" },
  { at: 0.6, who: "leader" },
];
/** Each phase starts its workers afresh; `perRequest` 1 is POST /credentials/issue, more is /credentials/issue/batch. */
const PHASES: { workers: number; perRequest: number; credentials: number; kills: Kill[] }[] = [
  { workers: 1, perRequest: 1, credentials: scale(10_000), kills: [] },
  { workers: 1, perRequest: 100, credentials: scale(20_000), kills: [] },
  { workers: 2, perRequest: 1, credentials: scale(10_000), kills: KILL_LEADER },
  { workers: 2, perRequest: 100, credentials: scale(20_000), kills: KILL_LEADER },
  { workers: 4, perRequest: 1, credentials: scale(10_000), kills: KILL_BOTH },
  { workers: 4, perRequest: 100, credentials: scale(30_000), kills: KILL_BOTH },
];
/** Requests in flight per worker: 64 of one credential, 4 of 100. */
const IN_FLIGHT_PER_WORKER = 64;
/** Every so many requests waits for the anchor's confirmation (`wait: "anchored"`). */
const ANCHORED_EVERY = 50;
/** Every so many credentials received, one is revoked through the API. */
const REVOKE_EVERY = 1000;
const REFERENCE = quick ? 500 : 3000;
const CLK_TCK = 100;

interface Worker {
  name: string;
  child: ChildProcess;
  url: string;
  alive: boolean;
  cpuAtStart: number;
  cpuAtEnd?: number;
}

/** What POST /credentials/issue (and, per item, /credentials/issue/batch) answers, as far as the benchmark reads it. */
interface IssuedItem {
  credentialId: string;
  verifiableCredential: { id: string };
  statusListIndex: { list: string; index: number };
  anchor: { root: string };
}
type IssueAnswer = IssuedItem & { items: IssuedItem[]; error?: { code: string } };

interface Received {
  id: string;
  jwt: string;
  list: string;
  index: number;
  root: string;
}

interface PhaseResult {
  workers: number;
  perRequest: number;
  credentials: number;
  seconds: number;
  perSecond: number;
  workerCpuSeconds: number;
  perWorkerCpuSecond: number;
  signedP50: number;
  signedP99: number;
  anchoredP50: number;
  anchoredP99: number;
  anchoredSamples: number;
  batches: number;
  meanBatch: number;
  gasPerCredential: number;
  retried: number;
  killed: string[];
}

const started = performance.now();
const log = (line: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${line}`);

try {
  await main();
} catch (e) {
  console.error(`Issuer benchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB}`);
  const server = await network.createServer({ network: "default" }, "127.0.0.1", 0);
  const { address, port } = await server.listen();
  const rpcUrl = `http://${address}:${port}`;
  const workers: Worker[] = [];
  const world = await buildRegistry(rpcUrl, { issuers: 1, perIssuer: 0, withHistory: 0, revokedPerIssuer: 0 }, { log });
  const dir = mkdtempSync(join(tmpdir(), "ler-bench-issuer-"));
  const deployments = join(dir, "deployments");
  writeDeployment(deploymentPath(deployments, NETWORK_NAME), worldData(world).deployment);
  const keys = (await openHome(world.home, SECRET)).storeKeys;
  const store = await openIssuerStore({ url: STORE_URL, home: world.home, keys });
  const db = new pg.Client({ connectionString: STORE_URL });
  await db.connect();
  try {
    const issuer = world.issuers[0]!;
    const t = newToken();
    await store.tokens.createToken({
      id: t.id,
      issuer: issuer.address.toLowerCase(),
      scopes: ["issue", "status", "read"],
      hash: t.hash,
      createdAt: new Date().toISOString(),
      label: "bench",
    });
    const program = requestsFor(0, 1)[0]!.achievement!;
    const credentialOf = (k: number) => ({
      type: ["VerifiableCredential", "OpenBadgeCredential"],
      credentialSubject: {
        id: `did:ethr:${NETWORK_NAME}:0x${(k + 1).toString(16).padStart(40, "0")}`,
        achievement: {
          id: program.id,
          achievementType: program.achievementType,
          name: program.name,
          description: program.description,
          criteria: program.criteria,
          alignment: program.alignment?.map(({ type: _t, ...a }) => a),
        },
      },
    });
    const body = (k: number, n: number, anchored: boolean) =>
      JSON.stringify({
        ...(n === 1
          ? { credential: credentialOf(k) }
          : { credentials: Array.from({ length: n }, (_, i) => credentialOf(k + i)) }),
        ...(anchored && { options: { wait: "anchored" } }),
      });

    const received = new Map<string, Received>();
    const revokeAsked: string[] = [];
    const results: PhaseResult[] = [];
    let serial = 0;
    let workerSerial = 0;

    const startWorker = async (): Promise<Worker> => {
      const name = `ler-worker-${++workerSerial}`;
      const child = spawn(
        process.execPath,
        [
          // e.g. LER_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the workers.
          ...(process.env.LER_BENCH_NODE_ARGS?.split(" ").filter((a) => a !== "") ?? []),
          join(ROOT, "bin", "ler.js"),
          "serve",
          "--issuer",
          "--json",
          "--port",
          "0",
          "--rate-limit",
          "100000000",
        ],
        {
          env: {
            ...process.env,
            LER_SECRET: SECRET,
            LER_HOME: world.home,
            LER_RPC_URL: rpcUrl,
            LER_NETWORK: NETWORK_NAME,
            LER_DEPLOYMENTS: deployments,
            LER_STORE_URL: STORE_URL,
            PGAPPNAME: name,
          },
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (d: Buffer) => {
          out += d.toString();
          const line = out.split("\n").find((l) => l.includes('"url"'));
          if (line !== undefined) resolve((JSON.parse(line) as { url: string }).url);
        });
        child.once("exit", (code) => reject(new Error(`${name} exited with ${code} before listening`)));
      });
      child.stdout!.resume();
      return { name, child, url, alive: true, cpuAtStart: cpuSeconds(child.pid!) };
    };

    const leaderName = async (): Promise<string | undefined> => {
      const { rows } = await db.query<{ application_name: string }>(
        `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objsubid = 2`,
        [LEADER_LOCK],
      );
      return rows[0]?.application_name;
    };

    // `--only 1` runs the first phase alone (with `--quick`, for profiling a worker: LER_BENCH_NODE_ARGS).
    const onlyAt = process.argv.indexOf("--only");
    const phases = onlyAt < 0 ? PHASES : [PHASES[Number(process.argv[onlyAt + 1]) - 1]!];
    for (const phase of phases) {
      for (const w of workers) if (w.alive) await stopWorker(w);
      workers.length = 0;
      for (let i = 0; i < phase.workers; i++) workers.push(await startWorker());
      const firstBatch = Number(
        (await db.query("SELECT coalesce(max(id), 0) AS id FROM ler_anchor_batches")).rows[0].id,
      );
      const n = phase.perRequest;
      const what = n === 1 ? "one per request" : `${n} per request`;
      log(`${phase.workers} worker(s), ${what}: issuing ${phase.credentials.toLocaleString("en")} credentials`);
      const signed: number[] = [];
      const anchored: number[] = [];
      const killed: string[] = [];
      let retried = 0;
      let done = 0;
      let next = 0;
      const kills = [...phase.kills];
      const begin = performance.now();
      const worker = async (slot: number) => {
        while (next < phase.credentials) {
          const k = next;
          next += n;
          const every = n === 1 ? ANCHORED_EVERY : 5;
          const isAnchored = (k / n) % every === every - 1;
          for (let attempt = 0; ; attempt++) {
            const live = workers.filter((w) => w.alive);
            if (live.length === 0) throw new Error("every worker is gone");
            const w = live[(slot + attempt) % live.length]!;
            const t0 = performance.now();
            let res: Response;
            try {
              res = await fetch(`${w.url}/credentials/issue${n === 1 ? "" : "/batch"}`, {
                method: "POST",
                headers: { authorization: `Bearer ${t.token}`, "content-type": "application/json" },
                body: body(serial, n, isAnchored),
              });
              serial += n;
            } catch {
              // No answer (the worker died with the request): nothing was received; send it again elsewhere.
              retried++;
              continue;
            }
            const json = (await res.json()) as IssueAnswer;
            if (res.status === 503 && json?.error?.code === "service_stopping") {
              retried++;
              continue;
            }
            if (res.status !== 201) throw new Error(`issue answered ${res.status}: ${JSON.stringify(json)}`);
            (isAnchored ? anchored : signed).push(performance.now() - t0);
            for (const item of n === 1 ? [json] : json.items) {
              const jwt = (item.verifiableCredential.id as string).slice("data:application/vc+jwt,".length);
              received.set(item.credentialId, {
                id: item.credentialId,
                jwt,
                list: item.statusListIndex.list,
                index: item.statusListIndex.index,
                root: item.anchor.root,
              });
            }
            break;
          }
          const before = done;
          done += n;
          if (Math.floor(done / REVOKE_EVERY) > Math.floor(before / REVOKE_EVERY)) {
            const id = [...received.keys()].at(-1)!;
            revokeAsked.push(id);
            await revokeThroughApi(workers, t.token, id);
          }
          while (kills.length > 0 && done >= kills[0]!.at * phase.credentials) {
            const kill = kills.shift()!;
            const leader = await leaderName();
            const victim =
              kill.who === "leader"
                ? workers.find((w) => w.alive && w.name === leader)
                : workers.find((w) => w.alive && w.name !== leader);
            if (victim === undefined) throw new Error(`no ${kill.who} to kill (leader: ${leader ?? "none"})`);
            victim.cpuAtEnd = cpuSeconds(victim.child.pid!);
            victim.alive = false;
            victim.child.kill("SIGKILL");
            killed.push(`${kill.who} ${victim.name} at ${done.toLocaleString("en")}`);
            log(`killed ${kill.who} ${victim.name} (kill -9) after ${done.toLocaleString("en")} credentials`);
          }
        }
      };
      const requestsInFlight = Math.max(1, Math.round(IN_FLIGHT_PER_WORKER / Math.min(n, 16))) * phase.workers;
      await Promise.all(Array.from({ length: requestsInFlight }, (_, i) => worker(i)));
      const seconds = (performance.now() - begin) / 1000;
      let cpu = 0;
      for (const w of workers) cpu += (w.cpuAtEnd ?? cpuSeconds(w.child.pid!)) - w.cpuAtStart;
      await waitAnchored(db);
      const gas = await db.query(
        `SELECT count(*) AS n, coalesce(sum(size), 0) AS size, coalesce(sum(gas_used), 0) AS gas
         FROM ler_anchor_batches WHERE id > $1`,
        [firstBatch],
      );
      const g = gas.rows[0] as { n: string; size: string; gas: string };
      const r: PhaseResult = {
        workers: phase.workers,
        perRequest: n,
        credentials: phase.credentials,
        seconds,
        perSecond: phase.credentials / seconds,
        workerCpuSeconds: cpu,
        perWorkerCpuSecond: phase.credentials / cpu,
        signedP50: percentile(signed, 0.5),
        signedP99: percentile(signed, 0.99),
        anchoredP50: percentile(anchored, 0.5),
        anchoredP99: percentile(anchored, 0.99),
        anchoredSamples: anchored.length,
        batches: Number(g.n),
        meanBatch: Number(g.size) / Math.max(1, Number(g.n)),
        gasPerCredential: Number(g.gas) / Math.max(1, Number(g.size)),
        retried,
        killed,
      };
      results.push(r);
      log(
        `${phase.workers} worker(s), ${what}: ${r.perSecond.toFixed(0)}/s, ${r.perWorkerCpuSecond.toFixed(0)} per worker CPU-second, ` +
          `p50 ${r.signedP50.toFixed(0)} ms, p99 ${r.signedP99.toFixed(0)} ms, anchored p50 ${r.anchoredP50.toFixed(0)} ms, ` +
          `${r.batches} batches of ${r.meanBatch.toFixed(0)}, ${r.gasPerCredential.toFixed(0)} gas per credential`,
      );
    }
    for (const w of workers) if (w.alive) await stopWorker(w);

    // The checks.
    log("checking: ledger, indices, anchors, verification, revocations");
    const checks = await check(world, store, db, received, revokeAsked);
    for (const c of checks) log(`${c.ok ? "ok" : "FAILED"}: ${c.what}`);

    // Stock Veramo: createVerifiableCredential (JWT, kms-local), the same key, CPU time of this process.
    const stock = await stockVeramoIssuer(issuer.did, pseudoHash("world/issuer", 0));
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    for (let i = 0; i < REFERENCE; i++) {
      const credential = openBadgeCredential({
        id: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
        issuer: { id: issuer.did, name: "Reference Issuer" },
        subject: { id: `did:ethr:${NETWORK_NAME}:0x${(i + 1).toString(16).padStart(40, "0")}` },
        achievement: program,
        issuedAt: new Date(),
      });
      await stock.agent.createVerifiableCredential({
        credential: credential as never,
        proofFormat: "jwt",
        keyRef: stock.keyRef,
      });
    }
    const used = process.cpuUsage(cpu0);
    const referenceCpu = (used.user + used.system) / 1e6;
    const referencePerCpuSecond = REFERENCE / referenceCpu;
    const referencePerSecond = REFERENCE / ((performance.now() - w0) / 1000);
    log(`stock Veramo createVerifiableCredential: ${referencePerCpuSecond.toFixed(0)} per CPU-second`);

    const text = render(results, checks, { referencePerCpuSecond, referencePerSecond });
    console.log(text);
    if (quick || phases.length < PHASES.length) log("quick or partial run: results not written");
    else {
      mkdirSync(RESULTS, { recursive: true });
      writeFileSync(join(RESULTS, "issuer.md"), text);
      writeFileSync(
        join(RESULTS, "issuer.json"),
        `${JSON.stringify({ phases: results, checks, referencePerCpuSecond, referencePerSecond }, null, 2)}\n`,
      );
      log("wrote bench/results/issuer.md and bench/results/issuer.json");
    }
    if (checks.some((c) => !c.ok)) process.exitCode = 1;
  } finally {
    for (const w of workers) if (w.alive) w.child.kill("SIGKILL");
    await db.end().catch(() => undefined);
    await store.close().catch(() => undefined);
    await world.close();
    await server.close();
    await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

async function revokeThroughApi(workers: Worker[], token: string, id: string): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const live = workers.filter((w) => w.alive);
    const w = live[attempt % live.length]!;
    try {
      const res = await fetch(`${w.url}/credentials/status`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          credentialId: id,
          credentialStatus: [{ type: "BitstringStatusListEntry", status: "revoked" }],
        }),
      });
      if (res.status === 200) return;
      throw new Error(`status answered ${res.status}: ${await res.text()}`);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith("status answered")) throw e;
    }
  }
  throw new Error(`could not revoke ${id}`);
}

async function stopWorker(w: Worker): Promise<void> {
  w.cpuAtEnd = cpuSeconds(w.child.pid!);
  w.alive = false;
  const exited = new Promise<void>((r) => w.child.once("exit", () => r()));
  w.child.kill("SIGTERM");
  await exited;
}

/** User + system CPU seconds of a process so far (Linux /proc). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** As psql does, the operating system's user when the URL names none. */
function withUser(url: string): string {
  const u = new URL(url);
  if (u.username === "" && process.env.PGUSER === undefined) u.username = userInfo().username;
  return u.toString();
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function waitAnchored(db: pg.Client): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const { rows } = await db.query("SELECT count(*) AS n FROM ler_anchor_batches WHERE tx_hash IS NULL");
    const open = await db.query("SELECT count(*) AS n FROM ler_anchor_leaves WHERE batch_id IS NULL");
    if (Number(rows[0].n) === 0 && Number(open.rows[0].n) === 0) return;
    if (Date.now() > deadline) throw new Error(`${rows[0].n} batches still unanchored after 180 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Check {
  what: string;
  ok: boolean;
}

async function check(
  world: Awaited<ReturnType<typeof buildRegistry>>,
  store: Awaited<ReturnType<typeof openIssuerStore>>,
  db: pg.Client,
  received: Map<string, Received>,
  revokeAsked: string[],
): Promise<Check[]> {
  const checks: Check[] = [];
  const issuer = world.issuers[0]!;
  const { records } = await store.ledger.readIssued(issuer.address);
  const slots = new Set(records.map((r) => `${r.list}:${r.index}`));
  checks.push({
    what: `no status index used twice in the ledger (${records.length.toLocaleString("en")} records)`,
    ok: slots.size === records.length,
  });
  const receivedSlots = new Set([...received.values()].map((r) => `${r.list}:${r.index}`));
  checks.push({
    what: `no status index handed out twice to clients (${received.size.toLocaleString("en")} received)`,
    ok: receivedSlots.size === received.size,
  });
  const byId = new Map(records.map((r) => [r.id, r]));
  const missing = [...received.values()].filter((r) => byId.get(r.id)?.jwt !== r.jwt);
  checks.push({ what: "every credential a client received is in the ledger, as received", ok: missing.length === 0 });
  const roots = [...new Set([...received.values()].map((r) => r.root))];
  const unanchored = await db.query("SELECT count(*) AS n FROM ler_anchor_batches WHERE tx_hash IS NULL");
  checks.push({
    what: `every batch closed has its anchor transaction (${roots.length} roots received)`,
    ok: Number(unanchored.rows[0].n) === 0,
  });
  const status = new Contract(
    world.network.deployment.contracts.StatusRegistry.address,
    projectArtifact("StatusRegistry").abi,
    world.provider,
  );
  const events = await status.queryFilter(status.filters.IssuanceAnchored!(issuer.address), 0, "latest");
  const perRoot = new Map<string, number>();
  for (const e of events) {
    const root = String((e as unknown as { args: { root: string } }).args.root).toLowerCase();
    perRoot.set(root, (perRoot.get(root) ?? 0) + 1);
  }
  checks.push({
    what: `every root a client received is anchored on chain exactly once (${events.length} anchor events)`,
    ok: roots.every((r) => perRoot.get(r.toLowerCase()) === 1) && [...perRoot.values()].every((n) => n === 1),
  });
  const sample = [...received.values()].filter((_, i) => i % Math.max(1, Math.floor(received.size / 300)) === 0);
  const revoked = new Set(revokeAsked);
  const reports = await world.agent.lerVerifyCredentials({ credentials: sample.map((r) => r.jwt) });
  const wrong = reports.filter((rep, i) => rep.result !== (revoked.has(sample[i]!.id) ? "invalid" : "valid"));
  checks.push({
    what: `a sample of ${sample.length} received credentials verifies (valid, or invalid where revoked)`,
    ok: wrong.length === 0,
  });
  let revokedOnChain = 0;
  for (const id of revokeAsked) {
    const r = received.get(id)!;
    const s = (await status.getFunction("statusOf")(issuer.address, BigInt(r.list), BigInt(r.index))) as unknown[];
    if (s[0] === true) revokedOnChain++;
  }
  checks.push({
    what: `every revocation asked for (${revokeAsked.length}) is on chain`,
    ok: revokedOnChain === revokeAsked.length,
  });
  const pending = await store.pending.listPending();
  checks.push({ what: "no anchor or revocation intent is left pending", ok: pending.length === 0 });
  return checks;
}

function render(
  phases: PhaseResult[],
  checks: Check[],
  ref: { referencePerCpuSecond: number; referencePerSecond: number },
): string {
  const n = (x: number, d = 0) =>
    Number.isFinite(x) ? x.toLocaleString("en", { maximumFractionDigits: d, minimumFractionDigits: d }) : "–";
  const total = phases.reduce((a, p) => a + p.credentials, 0);
  const lines = [
    "# Issuer service: load and crash test",
    "",
    `\`npm run bench:issuer\`: ${n(total)} credentials issued over HTTP by \`ler serve --issuer\` worker processes on one`,
    `PostgreSQL database, with one credential per request (${IN_FLIGHT_PER_WORKER} requests in flight per worker) and 100 per`,
    `request (\`/credentials/issue/batch\`, 4 in flight per worker); a Hardhat ${packageVersion("hardhat")}`,
    "node (automine) in the benchmark's process; 2 cores shared by the workers, PostgreSQL, the chain and the client.",
    `Batches close at 1,024 credentials or 200 ms (the defaults). Every ${ANCHORED_EVERY}th single request, and every 5th`,
    "batch request, waits for its anchor's confirmation; latencies are per request.",
    "",
    "| Workers | Per request | Credentials | Per second | Per worker CPU-second | vs stock Veramo per CPU-second | p50 signed | p99 signed | p50 anchored | p99 anchored | Batches (mean size) | Gas per credential | Killed (kill -9) | Requests sent again |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ...phases.map(
      (p) =>
        `| ${p.workers} | ${p.perRequest} | ${n(p.credentials)} | ${n(p.perSecond)} | ${n(p.perWorkerCpuSecond)} | ${n(p.perWorkerCpuSecond / ref.referencePerCpuSecond, 2)}× | ${n(p.signedP50)} ms | ${n(p.signedP99)} ms | ${n(p.anchoredP50)} ms | ${n(p.anchoredP99)} ms | ${n(p.batches)} (${n(p.meanBatch)}) | ${n(p.gasPerCredential)} | ${p.killed.length === 0 ? "–" : p.killed.join("; ")} | ${n(p.retried)} |`,
    ),
    "",
    `Stock Veramo \`createVerifiableCredential\` (JWT, local KMS, the same key and Open Badges payload, without status`,
    `entry, anchor, ledger or HTTP), measured in the same run: ${n(ref.referencePerCpuSecond)} per CPU-second (${n(ref.referencePerSecond)}/s on one core).`,
    '"Per worker CPU-second" divides the credentials by the user + system CPU time of the worker processes (PostgreSQL\'s,',
    "the chain's and the client's not counted); the service does, per credential, what stock Veramo does plus the status",
    "index, the Merkle leaf and proof, the ledger's encryption and insert, the audit entry, and HTTP.",
    "",
    'Latency: "signed" is the answer once the credential is signed, recorded in the ledger and its batch durable (the',
    'default); "anchored" is the answer with `options.wait: "anchored"`, once the batch\'s anchor transaction is confirmed.',
    "",
    "## Checks after the run",
    "",
    ...checks.map((c) => `- ${c.ok ? "✔" : "✘ FAILED:"} ${c.what}`),
    "",
  ];
  return lines.join("\n");
}
