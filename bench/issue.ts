/**
 * Issuance benchmark: credentials issued through the agent (`lerIssueCredentials`: status indices reserved on disk,
 * credentials built and signed through Veramo, the batch's Merkle tree, the ledger, and the root anchored on chain)
 * at batch sizes 1, 256 and 10,000, and revoked through it (`lerRevoke`: entries packed into status words). Reports
 * credentials per second and gas per credential; stock Veramo's `createVerifiableCredential` (signature only, same
 * agent and key) is the reference for speed.
 *
 *   npm run bench:issue              (about a minute)
 *   npm run bench:issue -- --quick   (smaller batches, results not written)
 *
 * The chain is a Hardhat node served over HTTP by this process; writes wait for one confirmation, as the CLI's do.
 * Writes bench/results/issue.md and issue.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { network } from "hardhat";
import { openBadgeCredential } from "../src/credentials/index.js";
import { renderIssueReport, type IssueMeasurement, type RevokeMeasurement } from "./lib/issueReport.js";
import { packageVersion } from "./lib/peers.js";
import { stockVeramoIssuer } from "./lib/stockVeramo.js";
import { pseudoHash } from "./lib/values.js";
import { buildRegistry, requestsFor, type World } from "./lib/world.js";

/** Where results are written: bench/results, or LER_BENCH_RESULTS (a scratch folder for runs not to commit). */
const RESULTS = process.env.LER_BENCH_RESULTS ?? join(dirname(fileURLToPath(import.meta.url)), "results");
const quick = process.argv.includes("--quick");
const BATCHES: { size: number; batches: number }[] = quick
  ? [
      { size: 1, batches: 10 },
      { size: 256, batches: 1 },
      { size: 1000, batches: 1 },
    ]
  : [
      { size: 1, batches: 50 },
      { size: 256, batches: 4 },
      { size: 10_000, batches: 1 },
    ];
const REFERENCE = quick ? 200 : 1000;

try {
  await main();
} catch (e) {
  console.error(`Issuance benchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exitCode = 1;
}

async function main(): Promise<void> {
  const started = performance.now();
  const log = (line: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${line}`);
  const server = await network.createServer({ network: "default" }, "127.0.0.1", 0);
  const { address, port } = await server.listen();
  let world: World | undefined;
  try {
    const issuers = BATCHES.length + 1;
    world = await buildRegistry(
      `http://${address}:${port}`,
      { issuers, perIssuer: 0, withHistory: 0, revokedPerIssuer: 0 },
      { log },
    );
    const { agent } = world;

    const issued: IssueMeasurement[] = [];
    const credentialsOf: { list: string; index: number }[][] = [];
    for (const [k, { size, batches }] of BATCHES.entries()) {
      const issuer = world.issuers[k]!;
      let ms = 0;
      let signingMs = 0;
      let gas = 0;
      const entries: { list: string; index: number }[] = [];
      for (let b = 0; b < batches; b++) {
        const begin = performance.now();
        let lastSigned = begin;
        const result = await agent.lerIssueCredentials({
          issuer: issuer.did,
          credentials: requestsFor(k, size),
          onProgress: () => {
            lastSigned = performance.now();
          },
        });
        ms += performance.now() - begin;
        signingMs += lastSigned - begin;
        gas += result.anchor?.gasUsed ?? 0;
        entries.push(...result.credentials.map((c) => ({ list: c.list, index: c.index })));
      }
      credentialsOf.push(entries);
      const credentials = size * batches;
      issued.push({
        batchSize: size,
        batches,
        credentials,
        ms,
        signingMs,
        anchorGas: gas,
        perSecond: (credentials / ms) * 1000,
      });
      log(
        `batches of ${size}: ${((credentials / ms) * 1000).toFixed(0)}/s, ${(gas / credentials).toFixed(1)} gas per credential`,
      );
    }

    const revoked: RevokeMeasurement[] = [];
    const revoke = async (
      what: string,
      issuer: string,
      entries: { list: string; index: number }[],
      issuedInBatch: number,
    ) => {
      const begin = performance.now();
      const txs = await agent.lerRevoke({ issuer, entries });
      const ms = performance.now() - begin;
      const gas = txs.reduce((a, t) => a + t.gasUsed, 0);
      revoked.push({ what, count: entries.length, transactions: txs.length, gas, ms, issuedInBatch });
      log(
        `revoke ${what}: ${entries.length} in ${txs.length} transaction(s), ${(gas / entries.length).toFixed(1)} gas each`,
      );
    };
    const big = credentialsOf[2]!;
    const bigIssuer = world.issuers[2]!.did;
    await revoke("one", world.issuers[0]!.did, credentialsOf[0]!.slice(0, 1), 1);
    await revoke("256 sequential (one status word)", world.issuers[1]!.did, credentialsOf[1]!.slice(0, 256), 256);
    const step = 50;
    const spread = big.filter((_, i) => i % step === 0);
    await revoke(`2% of a batch of ${big.length.toLocaleString("en")}, spread evenly`, bigIssuer, spread, big.length);
    const rest = big.filter((_, i) => i % step !== 0);
    await revoke(`the other ${rest.length.toLocaleString("en")} of that batch`, bigIssuer, rest, big.length);

    // Stock Veramo, signature only (its own agent with kms-local, in memory): the same key and Open Badges payload,
    // without status entry or anchor; measured last, so that it runs as warm as the issuance did.
    const referenceIssuer = world.issuers[BATCHES.length]!;
    const stock = await stockVeramoIssuer(referenceIssuer.did, pseudoHash("world/issuer", BATCHES.length));
    const t0 = performance.now();
    for (const [i, request] of requestsFor(0, REFERENCE).entries()) {
      const credential = openBadgeCredential({
        id: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
        issuer: { id: referenceIssuer.did, name: "Reference Issuer" },
        subject: { id: request.subject },
        achievement: request.achievement!,
        issuedAt: new Date(),
      });
      await stock.agent.createVerifiableCredential({
        credential: credential as never,
        proofFormat: "jwt",
        keyRef: stock.keyRef,
      });
    }
    const referenceRate = (REFERENCE / (performance.now() - t0)) * 1000;
    log(`stock Veramo createVerifiableCredential: ${referenceRate.toFixed(0)}/s`);

    const markdown = renderIssueReport({
      command: "npm run bench:issue",
      hardhat: packageVersion("hardhat"),
      veramo: packageVersion("@veramo/core"),
      referenceRate,
      reference: REFERENCE,
      issued,
      revoked,
    });
    console.log(markdown.text);
    if (quick) {
      log("quick run: results not written");
    } else {
      mkdirSync(RESULTS, { recursive: true });
      writeFileSync(join(RESULTS, "issue.md"), markdown.text);
      writeFileSync(join(RESULTS, "issue.json"), `${JSON.stringify(markdown.records, null, 2)}\n`);
      log("wrote bench/results/issue.md and bench/results/issue.json");
    }
  } finally {
    await world?.close();
    await server.close();
  }
}
