import { expect } from "chai";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allocate, StatusIndexAllocator } from "../../src/store/allocator.js";
import { rejection } from "../helpers/assert.js";

const ISSUER = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
const ISSUER_FILE = "0x8ba1f109551bd432803012645ac136ddd64dba72.json";

describe("store/allocator", function () {
  let dir: string;
  let allocator: StatusIndexAllocator;
  const stateFile = () => join(dir, "status", ISSUER_FILE);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ler-alloc-"));
    allocator = new StatusIndexAllocator(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe("reserve", () => {
    it("hands out consecutive indices from list 0, and writes the mark before returning", async () => {
      expect(await allocator.reserve(ISSUER, 3)).to.deep.equal([{ list: 0n, start: 0, count: 3 }]);
      expect(JSON.parse(readFileSync(stateFile(), "utf8"))).to.deep.equal({ list: "0", next: 3 });
      expect(await allocator.reserve(ISSUER, 2)).to.deep.equal([{ list: 0n, start: 3, count: 2 }]);
    });

    it("continues in the next list when the current one fills, across as many lists as needed", async () => {
      await allocator.reserve(ISSUER, 6, { listSize: 8 });
      expect(await allocator.reserve(ISSUER, 20, { listSize: 8 })).to.deep.equal([
        { list: 0n, start: 6, count: 2 },
        { list: 1n, start: 0, count: 8 },
        { list: 2n, start: 0, count: 8 },
        { list: 3n, start: 0, count: 2 },
      ]);
      expect(await allocator.state(ISSUER)).to.deep.equal({ list: 3n, next: 2 });
    });

    it("moves to a new list when the last one is exactly full", async () => {
      await allocator.reserve(ISSUER, 8, { listSize: 8 });
      expect(await allocator.reserve(ISSUER, 1, { listSize: 8 })).to.deep.equal([{ list: 1n, start: 0, count: 1 }]);
    });

    it("continues where another instance (a restarted process) left off", async () => {
      await allocator.reserve(ISSUER, 5);
      expect(await new StatusIndexAllocator(dir).reserve(ISSUER, 1)).to.deep.equal([{ list: 0n, start: 5, count: 1 }]);
    });

    it("keeps one state per issuer, whatever the case of the address", async () => {
      await allocator.reserve(ISSUER, 4);
      expect(await allocator.reserve(ISSUER.toLowerCase(), 1)).to.deep.equal([{ list: 0n, start: 4, count: 1 }]);
      expect(await allocator.reserve("0x" + "11".repeat(20), 1)).to.deep.equal([{ list: 0n, start: 0, count: 1 }]);
    });

    it("accepts 1,000,000 and rejects counts outside 1..1,000,000 with invalid_count", async () => {
      for (const count of [0, -1, 1.5, Number.NaN, 1_000_001]) {
        expect((await rejection(allocator.reserve(ISSUER, count))).code, String(count)).to.equal("invalid_count");
      }
      const ranges = await allocator.reserve(ISSUER, 1_000_000);
      expect(ranges).to.deep.equal([{ list: 0n, start: 0, count: 1_000_000 }]);
    });

    it("rejects malformed addresses and bad checksums with invalid_address", async () => {
      for (const issuer of [
        "0x123",
        "8ba1f109551bd432803012645ac136ddd64dba72",
        "0x8BA1f109551bD432803012645Ac136ddd64DBA72",
        "../x",
      ]) {
        expect((await rejection(allocator.reserve(issuer, 1))).code, issuer).to.equal("invalid_address");
      }
    });

    it("rejects list sizes the registry cannot address with invalid_list_size", async () => {
      for (const listSize of [0, 2 ** 20 + 1, 3.5]) {
        expect((await rejection(allocator.reserve(ISSUER, 1, { listSize }))).code).to.equal("invalid_list_size");
      }
    });

    it("refuses a corrupt state file with corrupt_state and leaves it as it is", async () => {
      mkdirSync(join(dir, "status"));
      for (const content of [
        "",
        "{",
        "[]",
        '{"list":"-1","next":0}',
        '{"list":"0","next":-2}',
        '{"list":"0"}',
        '{"list":"x","next":1}',
      ]) {
        writeFileSync(stateFile(), content);
        expect((await rejection(allocator.reserve(ISSUER, 1))).code, content).to.equal("corrupt_state");
        expect(readFileSync(stateFile(), "utf8")).to.equal(content);
      }
    });

    it("reads a list written as a plain number", async () => {
      mkdirSync(join(dir, "status"));
      writeFileSync(stateFile(), '{"list":7,"next":9}');
      expect(await allocator.reserve(ISSUER, 1)).to.deep.equal([{ list: 7n, start: 9, count: 1 }]);
    });
  });

  describe("allocate", () => {
    it("never returns an index twice and covers exactly what it reports (random sizes)", () => {
      let state = { list: 0n, next: 0 };
      const seen = new Set<string>();
      let total = 0;
      for (let i = 0; i < 500; i++) {
        const count = 1 + ((i * 7919) % 37);
        const { allocations, after } = allocate(state, count, 13);
        expect(allocations.reduce((s, a) => s + a.count, 0)).to.equal(count);
        for (const a of allocations) {
          expect(a.start + a.count).to.be.at.most(13);
          for (let k = 0; k < a.count; k++) {
            const key = `${a.list}:${a.start + k}`;
            expect(seen.has(key), key).to.equal(false);
            seen.add(key);
          }
        }
        total += count;
        state = after;
      }
      expect(BigInt(total)).to.equal(state.list * 13n + BigInt(state.next));
    });
  });
});
