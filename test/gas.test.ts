import { expect } from "chai";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runGasBenchmark } from "../bench/lib/gasRun.js";
import type { GasRecord } from "../bench/lib/report.js";

/**
 * The gas table is a snapshot: every figure of bench/results/gas.json is measured again (the whole gas benchmark, on
 * a fresh in-process chain with fixed keys, inputs, genesis and block times: about 20 s) and must be the same. A
 * change in gas, up or down, fails here with a table of what moved; accept it on purpose with `npm run bench:gas`
 * (which rewrites bench/results/gas.md and gas.json), or `UPDATE_GAS_SNAPSHOT=1` on this test.
 */

const RESULTS = join(import.meta.dirname, "..", "bench", "results");
const SNAPSHOT = join(RESULTS, "gas.json");

const key = (r: GasRecord) => `${r.system} | ${r.operation} | ${r.batchSize}`;

/** The rows that differ, as a readable table (empty when none does). */
export function gasDiff(snapshot: readonly GasRecord[], now: readonly GasRecord[]): string[] {
  const before = new Map(snapshot.map((r) => [key(r), r]));
  const after = new Map(now.map((r) => [key(r), r]));
  const rows: string[] = [];
  for (const [k, r] of after) {
    const old = before.get(k);
    if (old === undefined) rows.push(`+ ${k}: ${r.gas} gas (new)`);
    else if (old.gas !== r.gas || old.gasPerItem !== r.gasPerItem) {
      const delta = r.gas - old.gas;
      const pct = ((delta / old.gas) * 100).toFixed(2);
      rows.push(`~ ${k}: ${old.gas} -> ${r.gas} gas (${delta > 0 ? "+" : ""}${delta}, ${delta > 0 ? "+" : ""}${pct}%)`);
    }
  }
  for (const [k, r] of before) if (!after.has(k)) rows.push(`- ${k}: ${r.gas} gas (no longer measured)`);
  return rows;
}

describe("gas snapshot (bench/results/gas.json)", function () {
  this.timeout(300_000);

  it("every figure of the gas table is unchanged", async function () {
    const { markdown, records } = await runGasBenchmark();
    if (process.env.UPDATE_GAS_SNAPSHOT === "1") {
      writeFileSync(join(RESULTS, "gas.md"), markdown);
      writeFileSync(SNAPSHOT, `${JSON.stringify(records, null, 2)}\n`);
      return;
    }
    const snapshot = JSON.parse(readFileSync(SNAPSHOT, "utf8")) as GasRecord[];
    const diff = gasDiff(snapshot, records);
    expect(
      diff,
      `gas changed; if on purpose, run \`npm run bench:gas\` (or UPDATE_GAS_SNAPSHOT=1) and commit bench/results:\n  ${diff.join("\n  ")}\n`,
    ).to.deep.equal([]);
    // The order of the table is part of it too.
    expect(records.map(key)).to.deep.equal(snapshot.map(key));
  });

  it("the diff names what moved", function () {
    const row = (operation: string, gas: number): GasRecord => ({
      system: "S",
      operation,
      batchSize: 1,
      gas,
      gasPerItem: gas,
    });
    expect(gasDiff([row("a", 100), row("b", 50)], [row("a", 110), row("c", 7)])).to.deep.equal([
      "~ S | a | 1: 100 -> 110 gas (+10, +10.00%)",
      "+ S | c | 1: 7 gas (new)",
      "- S | b | 1: 50 gas (no longer measured)",
    ]);
  });
});
