import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { StatusIndexAllocator } from "../../../src/store/allocator.js";
import { IssuedLedger } from "../../../src/store/ledger.js";
import { StoreKeys } from "../../../src/store/sealed.js";
import { prng, startFixture, type Child } from "../../helpers/children.js";

// Real processes, really killed: the allocator and the ledger must hold their promises across SIGKILL at any moment
// and across concurrent processes. Kill times are random; the seed is in every failure message.
const ISSUER = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
const SEED = Number(process.env.LER_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
// The ledger is encrypted, as in a real home: the children get the store key material in their environment.
const STORE_KEY = randomBytes(32);
const KEYS = StoreKeys.fromKeyMaterial(STORE_KEY);
const loop = (args: string[]) => startFixture("issue-loop.ts", args, { LER_TEST_STORE_KEY: STORE_KEY.toString("hex") });

interface Range {
  list: bigint;
  start: number;
  count: number;
}

/** Every reservation a child printed ("R list:start:count ..."), in order. */
function reservations(child: Child): Range[] {
  return child.lines
    .filter((l) => l.startsWith("R "))
    .flatMap((l) =>
      l
        .slice(2)
        .split(" ")
        .map((r) => {
          const [list, start, count] = r.split(":");
          return { list: BigInt(list!), start: Number(start), count: Number(count) };
        }),
    );
}

/** Fails on any (list, index) given out twice; returns the set of all of them. */
function expectDisjoint(ranges: Range[], listSize: number, why: string): Set<bigint> {
  const seen = new Set<bigint>();
  for (const r of ranges) {
    expect(r.count, why).to.be.greaterThan(0);
    expect(r.start + r.count, why).to.be.at.most(listSize);
    for (let k = 0; k < r.count; k++) {
      const position = r.list * BigInt(listSize) + BigInt(r.start + k);
      expect(seen.has(position), `${why}: list ${r.list} index ${r.start + k} given out twice`).to.equal(false);
      seen.add(position);
    }
  }
  return seen;
}

const exitedCleanly = async (child: Child) =>
  expect(await child.exited, child.stderr()).to.deep.equal({ code: 0, signal: null });

describe("store: crash and concurrency (child processes)", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ler-crash-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("never reuses an index and never loses or tears a ledger line when issuers are SIGKILLed at random", async () => {
    const why = `seed ${SEED}`;
    const random = prng(SEED);
    const listSize = 64;
    const all: Child[] = [];
    for (let round = 0; round < 6; round++) {
      // Two issuing processes at once, each killed at its own random moment while it loops.
      const pair = [0, 1].map(() => loop([dir, ISSUER, "0", "40", String(listSize)]));
      all.push(...pair);
      await Promise.all(pair.map((c) => c.waitForLine((l) => l === "ready")));
      await Promise.all(
        pair.map(async (c) => {
          await sleep(20 + random() * 300);
          c.process.kill("SIGKILL");
          expect((await c.exited).signal, `${why}: ${c.stderr()}`).to.equal("SIGKILL");
        }),
      );
    }
    // A survivor runs to completion: it must get past whatever locks the killed ones held.
    const last = loop([dir, ISSUER, "25", "40", String(listSize)]);
    all.push(last);
    await exitedCleanly(last);

    // Locks of killed holders were taken over and released, and temporary files of killed writers swept.
    expect(readdirSync(join(dir, "status")), why).to.deep.equal([`${ISSUER.toLowerCase()}.json`]);
    expect(readdirSync(join(dir, "issued")), why).to.deep.equal([`${ISSUER.toLowerCase()}.jsonl`]);

    const ranges = all.flatMap(reservations);
    const given = expectDisjoint(ranges, listSize, why);
    expect(
      all.filter((c) => c !== last && reservations(c).length > 0).length,
      `${why}: too few kills landed in the loop`,
    ).to.be.greaterThan(3);

    // The mark is above everything given out (a crash after reserve leaves a gap, never a step back).
    const state = (await new StatusIndexAllocator(dir).state(ISSUER))!;
    const mark = state.list * BigInt(listSize) + BigInt(state.next);
    const max = [...given].reduce((a, b) => (a > b ? a : b));
    expect(mark > max, `${why}: state ${mark} not above ${max}`).to.equal(true);

    // Every ledger line is complete and parses, and uses an index that was reserved (printed) before, once.
    const { records, truncatedTail } = await new IssuedLedger(dir, KEYS).readIssued(ISSUER);
    expect(truncatedTail, why).to.equal(false); // the survivor's append repaired any torn tail
    const used = new Set<bigint>();
    for (const r of records) {
      const position = r.list! * BigInt(listSize) + BigInt(r.index!);
      expect(given.has(position), `${why}: ledger uses unreserved ${r.list}/${r.index}`).to.equal(true);
      expect(used.has(position), `${why}: ledger uses ${r.list}/${r.index} twice`).to.equal(false);
      used.add(position);
    }
    // Everything a finished append acknowledged ("A n") is in the ledger.
    const acknowledged = all.reduce(
      (n, c) => n + c.lines.filter((l) => l.startsWith("A ")).reduce((s, l) => s + Number(l.slice(2)), 0),
      0,
    );
    expect(records.length, why).to.be.at.least(acknowledged);
  });

  it("gives three concurrent processes disjoint ranges that together fill the lists without gaps", async () => {
    const listSize = 97; // not a multiple of anything the children ask for, so reservations straddle lists
    const children = [0, 1, 2].map(() => loop([dir, ISSUER, "60", "25", String(listSize)]));
    for (const c of children) await exitedCleanly(c);

    const ranges = children.flatMap(reservations);
    const given = expectDisjoint(ranges, listSize, "concurrent");
    const total = ranges.reduce((n, r) => n + r.count, 0);
    // Without crashes nothing is skipped: positions 0 .. total-1 exactly, and the mark right after them.
    expect([...given].every((p) => p < BigInt(total))).to.equal(true);
    const state = (await new StatusIndexAllocator(dir).state(ISSUER))!;
    expect(state.list * BigInt(listSize) + BigInt(state.next)).to.equal(BigInt(total));
    const { records } = await new IssuedLedger(dir, KEYS).readIssued(ISSUER);
    expect(records).to.have.length(total);
  });
});
