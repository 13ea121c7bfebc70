/**
 * The load generator, in a process of its own (bench/load.ts starts it), so that the server's event loop serves
 * requests and nothing else. `concurrency` lanes each send POST /v1/verify with one credential, wait for the
 * answer, check it against what the credential must get (valid, or invalid with credential_revoked) and send the
 * next, over keep-alive connections, for as long as the parent says.
 *
 *   node --import tsx bench/lib/loadClient.ts <url> <world.json> <concurrency> <seed>
 *
 * Messages from the parent: {type: "run", phase, durationMs}, {type: "exit"}. To the parent: {type: "ready"} and, at
 * the end of each run, {type: "result", result: ClientResult}.
 */
import { Agent, request } from "node:http";
import { readWorld } from "./worldFile.js";

export interface ClientResult {
  phase: string;
  /** Measured from the first request sent to the last answer received. */
  ms: number;
  requests: number;
  /** Answers per second of the run, second by second (the last, partial second left out). */
  perSecond: number[];
  latenciesMs: number[];
  /** Transport failures and non-200 answers. */
  errors: number;
  /** 200 answers with another result than the credential must get. */
  wrongResults: number;
  results: { valid: number; invalid: number; unknown: number };
  /** The first few errors and wrong results, for the report. */
  samples: string[];
}

export type ClientCommand = { type: "run"; phase: string; durationMs: number } | { type: "exit" };
export type ClientMessage = { type: "ready" } | { type: "result"; result: ClientResult };

interface Item {
  body: Buffer;
  expected: "valid" | "revoked";
}

/** Deterministic shuffle (mulberry32), so that every run sends the credentials in the same order. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

if (process.send !== undefined && process.argv[1]?.endsWith("loadClient.ts")) main();

function main(): void {
  const [url, worldFile, concurrencyArg, seedArg] = process.argv.slice(2);
  if (url === undefined || worldFile === undefined)
    throw new Error("usage: loadClient.ts <url> <world.json> <concurrency> <seed>");
  const concurrency = Number(concurrencyArg ?? 32);
  const target = new URL("/v1/verify", url);
  const world = readWorld(worldFile);
  const items: Item[] = shuffled(
    world.credentials.map((c) => ({ body: Buffer.from(JSON.stringify({ credential: c.jwt })), expected: c.expected })),
    Number(seedArg ?? 1),
  );
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;

  const post = (body: Buffer) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": body.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });

  async function run(phase: string, durationMs: number): Promise<ClientResult> {
    const out: ClientResult = {
      phase,
      ms: 0,
      requests: 0,
      perSecond: [],
      latenciesMs: [],
      errors: 0,
      wrongResults: 0,
      results: { valid: 0, invalid: 0, unknown: 0 },
      samples: [],
    };
    const note = (s: string) => void (out.samples.length < 10 && out.samples.push(s));
    const started = performance.now();
    const end = started + durationMs;
    const buckets: number[] = [];
    const lane = async () => {
      while (performance.now() < end) {
        const item = items[next++ % items.length]!;
        const t0 = performance.now();
        try {
          const { status, text } = await post(item.body);
          const t1 = performance.now();
          out.latenciesMs.push(t1 - t0);
          const second = Math.floor((t1 - started) / 1000);
          buckets[second] = (buckets[second] ?? 0) + 1;
          out.requests++;
          if (status !== 200) {
            out.errors++;
            note(`HTTP ${status}: ${text.slice(0, 200)}`);
            continue;
          }
          const report = JSON.parse(text) as {
            result: "valid" | "invalid" | "unknown";
            checks: { id: string; code: string }[];
          };
          out.results[report.result]++;
          const right =
            item.expected === "valid"
              ? report.result === "valid"
              : report.result === "invalid" &&
                report.checks.some((c) => c.id === "status" && c.code === "credential_revoked");
          if (!right) {
            out.wrongResults++;
            note(
              `expected ${item.expected}, got ${report.result}: ${JSON.stringify(report.checks.filter((c) => c.id !== "format")).slice(0, 300)}`,
            );
          }
        } catch (e) {
          out.requests++;
          out.errors++;
          note(`request failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    out.ms = performance.now() - started;
    out.perSecond = Array.from({ length: Math.floor(out.ms / 1000) }, (_, s) => buckets[s] ?? 0);
    return out;
  }

  process.on("message", (m: ClientCommand) => {
    if (m.type === "exit") {
      agent.destroy();
      process.disconnect();
      return;
    }
    void run(m.phase, m.durationMs).then((result) => process.send!({ type: "result", result } satisfies ClientMessage));
  });
  process.send!({ type: "ready" } satisfies ClientMessage);
}
