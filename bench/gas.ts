/**
 * Gas benchmark: every write of this project's registries, and peers doing the same jobs (EAS, ERC-1056, a
 * one-hash-per-slot mapping), measured on one fresh in-process chain from the receipts' `gasUsed` (bench/lib/gasRun.ts).
 *
 * Run with `npm run bench:gas`. Writes bench/results/gas.md and bench/results/gas.json (or to LER_BENCH_RESULTS),
 * prints the table, and exits non-zero if a measurement fails to run (a missed target is reported, not an error).
 * `npm test` runs the same measurements (test/gas.test.ts) and fails when a figure differs from bench/results/gas.json:
 * rerun this to accept the new figures.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runGasBenchmark } from "./lib/gasRun.js";

/** Where results are written: bench/results, or LER_BENCH_RESULTS (a scratch folder for runs not to commit). */
const RESULTS = process.env.LER_BENCH_RESULTS ?? join(dirname(fileURLToPath(import.meta.url)), "results");

try {
  const started = performance.now();
  const { markdown, records } = await runGasBenchmark();
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, "gas.md"), markdown);
  writeFileSync(join(RESULTS, "gas.json"), `${JSON.stringify(records, null, 2)}\n`);
  console.log(markdown);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`Wrote ${join(RESULTS, "gas.md")} and gas.json; measuring took ${seconds} s.`);
} catch (e) {
  // A measurement that fails to run fails the benchmark; a missed target does not (it is reported).
  console.error(`Gas benchmark failed: ${e instanceof Error ? e.message : String(e)}`);
  if (e instanceof Error && e.cause !== undefined) console.error(e.cause);
  process.exitCode = 1;
}
