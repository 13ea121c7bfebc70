/**
 * One system's verification measurements, run in a child process of bench/verify.ts so that each system starts cold
 * (nothing compiled, nothing cached) and its peak memory is its own:
 *
 *   node --import tsx bench/lib/verifyRunner.ts <system> <world.json> <out.json>
 *
 * Systems: `ler` (this project: full checks), `veramo` (stock Veramo 7 agent: DIDResolverPlugin with
 * ethr-did-resolver, CredentialPlugin with CredentialProviderJWT), `did-jwt-vc` (stock did-jwt-vc with a stock
 * did-resolver and ethr-did-resolver). The peers check the signature and the JWT's time claims only.
 */
import { writeFileSync } from "node:fs";
import { getHeapStatistics } from "node:v8";
import { JsonRpcProvider } from "ethers";
import type { ICredentialPlugin, IResolver } from "@veramo/core";
import type { EthrDidController } from "ethr-did-resolver";
import type * as Verify from "../../src/verify/credential.js";
import type { CredentialReport } from "../../src/verify/report.js";
import { countRequests, jsonRpcTotal, type RpcCounter, type RpcCounts } from "./rpcCount.js";
import { readWorld, type WorldData } from "./worldFile.js";

export type SystemName = "ler" | "veramo" | "did-jwt-vc";

export interface Phase {
  /** Stable key, e.g. `batch.warm`. */
  id: string;
  api: string;
  cache: "cold" | "warm";
  concurrency: number;
  credentials: number;
  ms: number;
  /** Credentials per second. */
  rate: number;
  requests: RpcCounts;
  /** Results that differ from what the world expects (must be 0). */
  mismatches: number;
  /** Most JSON-RPC requests one verification made (measured one at a time only). */
  maxRequests?: number;
  /** The process's peak RSS so far, at the end of this phase (MB): where it jumps, this phase set it. */
  maxRssMb: number;
  note?: string;
}

export interface RunnerResult {
  system: SystemName;
  /** Set for a second run of a system under other conditions (e.g. a V8 heap cap). */
  variant?: string;
  phases: Phase[];
  memory: { rssStartMb: number; peakRssMb: number; peakHeapMb: number };
  /** Secp256k1 backend, for this project. */
  backend?: string;
  /** keccak256 backend for inputs of a block or more, for this project. */
  keccak?: string;
}

const MB = 1024 * 1024;

/** `items` through `fn`, at most `concurrency` at a time, in order of start. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  });
  await Promise.all(lanes);
}

/** Every `step`-th item, so that a subset still covers every issuer. */
export function spread<T>(items: readonly T[], count: number): T[] {
  if (count >= items.length) return [...items];
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)]!);
}

async function main(): Promise<void> {
  const [system, worldFile, outFile, sizesArg] = process.argv.slice(2) as [
    SystemName,
    string,
    string,
    string | undefined,
  ];
  const world = readWorld(worldFile);
  const sizes = JSON.parse(sizesArg ?? "{}") as {
    single?: number;
    peer?: number;
    sequential?: number;
    concurrency?: number;
    /** Only the batch measurements (the run under a heap cap, the pool's run). */
    batchOnly?: number;
    /** Verify the batches through a VerifierPool of this many worker threads. */
    pool?: number;
    variant?: string;
  };
  let peakHeap = getHeapStatistics().used_heap_size;
  const sample = () => {
    peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size);
  };
  const sampler = setInterval(sample, 10);
  // Taken before the first measurement: the process with its code and the credentials loaded.
  let rssStart = 0;
  const result: RunnerResult = {
    system,
    ...(sizes.variant !== undefined && { variant: sizes.variant }),
    phases: [],
    memory: { rssStartMb: 0, peakRssMb: 0, peakHeapMb: 0 },
  };
  const measure = async (
    p: Omit<Phase, "ms" | "rate" | "requests" | "mismatches" | "credentials" | "maxRssMb">,
    counter: RpcCounter,
    items: readonly WorldData["credentials"][number][],
    run: (items: readonly WorldData["credentials"][number][]) => Promise<number>,
  ) => {
    if (rssStart === 0) rssStart = process.memoryUsage().rss;
    counter.take();
    maxRequests = 0;
    const started = performance.now();
    const mismatches = await run(items);
    const ms = performance.now() - started;
    sample();
    const phase: Phase = {
      ...p,
      credentials: items.length,
      ms,
      rate: (items.length / ms) * 1000,
      requests: counter.take(),
      mismatches,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    };
    if (p.concurrency === 1) phase.maxRequests = maxRequests;
    result.phases.push(phase);
    process.stderr.write(`  ${system} ${p.id}: ${phase.rate.toFixed(0)}/s (${items.length} in ${ms.toFixed(0)} ms)\n`);
  };
  const all = world.credentials;
  // One at a time, the requests a verification made are the counter's growth during it.
  let maxRequests = 0;
  const tracked = async <T>(counter: RpcCounter, lanes: number, run: () => Promise<T>): Promise<T> => {
    if (lanes !== 1) return run();
    const before = jsonRpcTotal(counter.counts);
    const out = await run();
    maxRequests = Math.max(maxRequests, jsonRpcTotal(counter.counts) - before);
    return out;
  };
  const concurrency = sizes.concurrency ?? 32;

  // Each system loads only its own code, so that its memory is its own.
  if (system === "ler") {
    const verify = await import("../../src/verify/credential.js");
    type VerifierContext = Verify.VerifierContext;
    const mod = verify as Record<string, unknown>;
    result.backend =
      typeof mod.signatureBackend === "function" ? (mod.signatureBackend as () => string)() : "noble (pure JS)";
    const hashing = (await import("../../src/credentials/keccak.js")) as Record<string, unknown>;
    result.keccak = typeof hashing.keccakBackend === "string" ? hashing.keccakBackend : "JS";
    const provider = new JsonRpcProvider(world.rpcUrl, world.deployment.chainId, {
      cacheTimeout: -1,
      staticNetwork: true,
    });
    const counter = countRequests(provider);
    const now = Math.max(world.chainTime, Math.floor(Date.now() / 1000)) + 60;
    // One verifier memory for the run (keys learnt, report parts), as an agent or a server keeps one; builds before
    // memories were passed in kept the same in module state.
    const makeMemory = mod.createVerifierMemory as (() => object) | undefined;
    const memory = makeMemory?.();
    const ctx = (cache: "fresh" | "off" | object): VerifierContext => {
      const base = {
        provider,
        deployment: world.deployment,
        networkName: world.networkName,
        ...(memory !== undefined && { memory }),
      };
      // Older builds of this project have no cache; the option is ignored there (every read is fresh).
      if (cache === "off") return { ...base, cache: false } as VerifierContext;
      if (cache === "fresh") {
        const make = mod.createVerificationCache as (() => object) | undefined;
        return (make === undefined ? base : { ...base, cache: make() }) as VerifierContext;
      }
      return { ...base, cache } as VerifierContext;
    };
    const check = (r: CredentialReport, expected: "valid" | "revoked") =>
      expected === "valid"
        ? r.result === "valid"
        : r.result === "invalid" && r.checks.some((c) => c.id === "status" && c.code === "credential_revoked");
    const batch = (c: VerifierContext) => async (items: readonly WorldData["credentials"][number][]) => {
      const reports = await verify.verifyCredentials(
        c,
        items.map((x) => x.jwt),
        { now },
      );
      return reports.filter((r, i) => !check(r, items[i]!.expected)).length;
    };
    const single =
      (c: () => VerifierContext, lanes: number) => async (items: readonly WorldData["credentials"][number][]) => {
        let bad = 0;
        await pool(items, lanes, async (x) => {
          if (!check(await tracked(counter, lanes, () => verify.verifyCredential(c(), x.jwt, { now })), x.expected))
            bad++;
        });
        return bad;
      };

    if (sizes.pool !== undefined) {
      // The pool's threads read through providers of their own: the pool counts their requests (and its head probes).
      const { VerifierPool } = await import("../../src/verify/pool.js");
      const pool = new VerifierPool({
        rpcUrl: world.rpcUrl,
        deployment: world.deployment,
        networkName: world.networkName,
        threads: sizes.pool,
      });
      let seen: Record<string, number> = {};
      const poolCounter: RpcCounter = {
        get counts() {
          const byMethod = Object.fromEntries(
            Object.entries(pool.requestCounts())
              .map(([m, n]) => [m, n - (seen[m] ?? 0)] as const)
              .filter(([, n]) => n > 0),
          );
          return { http: Object.values(byMethod).reduce((a, b) => a + b, 0), byMethod };
        },
        take() {
          const taken = this.counts;
          seen = pool.requestCounts();
          return taken;
        },
      };
      const api = `VerifierPool.verifyCredentials (one batch, ${sizes.pool} threads)`;
      const viaPool = async (items: readonly WorldData["credentials"][number][]) => {
        const reports = await pool.verifyCredentials(
          items.map((x) => x.jwt),
          { now },
        );
        return reports.filter((r, i) => !check(r, items[i]!.expected)).length;
      };
      await measure(
        { id: "batch.cold", api, cache: "cold", concurrency: 1, note: "threads started by the first batch" },
        poolCounter,
        all,
        viaPool,
      );
      for (let i = 0; i < 3; i++)
        await measure({ id: `batch.warm.${i}`, api, cache: "warm", concurrency: 1 }, poolCounter, all, viaPool);
      await pool.close();
      provider.destroy();
      return finish();
    }
    const batchCtx = ctx("fresh");
    await measure(
      { id: "batch.cold", api: "verifyCredentials (one batch)", cache: "cold", concurrency: 1 },
      counter,
      all,
      batch(batchCtx),
    );
    for (let i = 0; i < 3; i++) {
      await measure(
        { id: `batch.warm.${i}`, api: "verifyCredentials (one batch)", cache: "warm", concurrency: 1 },
        counter,
        all,
        batch(batchCtx),
      );
    }
    if (sizes.batchOnly === 1) {
      provider.destroy();
      return finish();
    }
    const sequential = spread(all, sizes.sequential ?? 2000);
    const off = ctx("off");
    await measure(
      {
        id: "single.cold.c1",
        api: "verifyCredential",
        cache: "cold",
        concurrency: 1,
        note: "no cache: every verification reads the chain",
      },
      counter,
      sequential,
      single(() => off, 1),
    );
    await measure(
      {
        id: "single.cold.cN",
        api: "verifyCredential",
        cache: "cold",
        concurrency,
        note: "no cache: every verification reads the chain",
      },
      counter,
      spread(all, sizes.single ?? 10_000),
      single(() => off, concurrency),
    );
    const shared = ctx("fresh");
    await measure(
      {
        id: "single.first.cN",
        api: "verifyCredential",
        cache: "cold",
        concurrency,
        note: "shared cache, first sight of each credential",
      },
      counter,
      all,
      single(() => shared, concurrency),
    );
    await measure(
      { id: "single.warm.c1", api: "verifyCredential", cache: "warm", concurrency: 1 },
      counter,
      sequential,
      single(() => shared, 1),
    );
    await measure(
      { id: "single.warm.cN", api: "verifyCredential", cache: "warm", concurrency },
      counter,
      all,
      single(() => shared, concurrency),
    );
    provider.destroy();
  } else {
    const { createAgent } = await import("@veramo/core");
    const { CredentialProviderJWT } = await import("@veramo/credential-jwt");
    const { CredentialPlugin } = await import("@veramo/credential-w3c");
    const { DIDResolverPlugin } = await import("@veramo/did-resolver");
    const { verifyCredential: didJwtVcVerify } = await import("did-jwt-vc");
    const { Resolver } = await import("did-resolver");
    const { getResolver } = await import("ethr-did-resolver");
    const items = spread(all, sizes.peer ?? 2000);
    type EthrProvider = NonNullable<ConstructorParameters<typeof EthrDidController>[4]>;
    const stock = (cache: boolean) => {
      // What ethr-did-resolver builds from an `rpcUrl`: a JsonRpcProvider with ethers' defaults.
      const provider = new JsonRpcProvider(world.rpcUrl, world.deployment.chainId);
      const counter = countRequests(provider);
      const resolver = new Resolver(
        getResolver({
          networks: [
            {
              name: world.networkName,
              chainId: world.deployment.chainId,
              registry: world.deployment.contracts.EthereumDIDRegistry.address,
              provider: provider as unknown as EthrProvider,
            },
          ],
        }),
        { cache },
      );
      return { provider, counter, resolver };
    };
    const runs: { cache: boolean; label: string }[] = [
      { cache: false, label: "" },
      { cache: true, label: ".resolverCache" },
    ];
    for (const { cache, label } of runs) {
      const { provider, counter, resolver } = stock(cache);
      let verifyOne: (jwt: string) => Promise<boolean>;
      if (system === "veramo") {
        const agent = createAgent<IResolver & ICredentialPlugin>({
          plugins: [new DIDResolverPlugin({ resolver }), new CredentialPlugin([new CredentialProviderJWT()])],
        });
        verifyOne = async (jwt) => (await agent.verifyCredential({ credential: jwt })).verified;
      } else {
        verifyOne = async (jwt) => (await didJwtVcVerify(jwt, resolver)).verified === true;
      }
      const run = (lanes: number) => async (xs: readonly WorldData["credentials"][number][]) => {
        let bad = 0;
        await pool(xs, lanes, async (x) => {
          let ok: boolean;
          try {
            ok = await tracked(counter, lanes, () => verifyOne(x.jwt));
          } catch {
            ok = false;
          }
          if (!ok) bad++;
        });
        return bad;
      };
      const note = cache ? "did-resolver cache on: never expires, so a key revoked on chain stays accepted" : undefined;
      const api = system === "veramo" ? "agent.verifyCredential" : "verifyCredential";
      await measure(
        { id: `single${label}.cold.cN`, api, cache: "cold", concurrency, ...(note !== undefined && { note }) },
        counter,
        items,
        run(concurrency),
      );
      await measure(
        { id: `single${label}.warm.cN`, api, cache: "warm", concurrency, ...(note !== undefined && { note }) },
        counter,
        items,
        run(concurrency),
      );
      if (!cache) {
        await measure(
          { id: "single.warm.c1", api, cache: "warm", concurrency: 1 },
          counter,
          spread(items, sizes.sequential ?? 2000),
          run(1),
        );
      }
      provider.destroy();
    }
  }
  finish();

  function finish() {
    clearInterval(sampler);
    sample();
    result.memory = {
      rssStartMb: rssStart / MB,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      peakHeapMb: peakHeap / MB,
    };
    writeFileSync(outFile, JSON.stringify(result));
  }
}

await main();
