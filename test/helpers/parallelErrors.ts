// Loaded by mocha in each worker process when the test files run in parallel (hardhat.config.ts). A worker sends its
// results to the main process as JSON, which has no BigInt: a failed `expect(x).to.equal(0n)` would arrive as an
// "Uncaught error outside test suite" about serialization instead of the assertion. The failure's actual and
// expected values are written as strings ("12n") before the results are sent.

type Failure = Error & { actual?: unknown; expected?: unknown };

function jsonSafe(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value !== "object" || value === null || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => jsonSafe(v, seen));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v, seen)]));
}

export const mochaHooks = {
  afterEach(this: Mocha.Context) {
    const err = this.currentTest?.err as Failure | undefined;
    if (err === undefined) return;
    for (const key of ["actual", "expected"] as const) if (key in err) err[key] = jsonSafe(err[key]);
  },
};
