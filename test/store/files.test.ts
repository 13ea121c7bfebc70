import { expect } from "chai";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  utimesSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { appendDurable, removeAbandonedTemps, withFileLock, writeFileAtomic } from "../../src/store/files.js";
import { rejection } from "../helpers/assert.js";
import { deadPid, startFixture } from "../helpers/children.js";

describe("store/files", function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ler-files-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe("writeFileAtomic", () => {
    it("replaces the content, applies the mode and leaves no temporary file", async () => {
      const file = join(dir, "state.json");
      await writeFileAtomic(file, "old");
      await writeFileAtomic(file, "new", { mode: 0o600 });
      expect(readFileSync(file, "utf8")).to.equal("new");
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      expect(readdirSync(dir)).to.deep.equal(["state.json"]);
    });

    it("fails with write_failed, and no temporary file, when the directory is missing", async () => {
      const err = await rejection(writeFileAtomic(join(dir, "missing", "x.json"), "x"));
      expect(err.code).to.equal("write_failed");
      expect(readdirSync(dir)).to.deep.equal([]);
    });
  });

  describe("removeAbandonedTemps", () => {
    it("removes temporary files of dead writers only", async () => {
      const file = join(dir, "state.json");
      const dead = `.state.json.${deadPid()}.0a1b2c.tmp`;
      const live = `.state.json.${process.pid}.0a1b2c.tmp`;
      writeFileSync(join(dir, dead), "x");
      writeFileSync(join(dir, live), "x");
      writeFileSync(join(dir, "other.tmp"), "x");
      expect(removeAbandonedTemps(file)).to.equal(1);
      expect(readdirSync(dir).sort()).to.deep.equal([live, "other.tmp"].sort());
    });
  });

  describe("appendDurable", () => {
    it("appends lines, creating the file", async () => {
      const file = join(dir, "log.jsonl");
      await appendDurable(file, "a\n");
      await appendDurable(file, "b\nc\n");
      expect(readFileSync(file, "utf8")).to.equal("a\nb\nc\n");
    });
  });

  describe("withFileLock", () => {
    const lockFile = () => join(dir, "x.lock");
    const leftovers = () => readdirSync(dir).filter((f) => f !== "counter");

    it("runs tasks of one process one at a time and returns their results", async () => {
      let inside = 0;
      let maxInside = 0;
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          withFileLock(lockFile(), async () => {
            maxInside = Math.max(maxInside, ++inside);
            await sleep(1);
            inside--;
            return i;
          }),
        ),
      );
      expect(results).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(maxInside).to.equal(1);
      expect(leftovers()).to.deep.equal([]);
    });

    it("releases the lock when the function throws, and rethrows", async () => {
      const err = await rejection(withFileLock(lockFile(), () => Promise.reject(new Error("boom"))));
      expect(err.message).to.equal("boom");
      expect(existsSync(lockFile())).to.equal(false);
    });

    it("times out with lock_timeout while a live process holds the lock, and leaves that lock alone", async () => {
      const held = JSON.stringify({ pid: process.pid, token: "someone-else" });
      writeFileSync(lockFile(), held);
      const err = await rejection(withFileLock(lockFile(), () => "never", { timeoutMs: 150 }));
      expect(err.code).to.equal("lock_timeout");
      expect(readFileSync(lockFile(), "utf8")).to.equal(held);
    });

    it("takes over a lock whose owner process is dead, and cleans up after itself", async () => {
      writeFileSync(lockFile(), JSON.stringify({ pid: deadPid(), token: "dead-owner" }));
      expect(await withFileLock(lockFile(), () => "mine", { timeoutMs: 2_000 })).to.equal("mine");
      expect(leftovers()).to.deep.equal([]);
    });

    it("treats a lock whose pid now belongs to another process (other start time) as stale", async function () {
      if (!existsSync("/proc/self/stat")) this.skip();
      writeFileSync(lockFile(), JSON.stringify({ pid: process.pid, token: "old", start: "1" }));
      expect(await withFileLock(lockFile(), () => "mine", { timeoutMs: 2_000 })).to.equal("mine");
    });

    it("treats a lock from before a reboot (other boot id) as stale", async function () {
      if (!existsSync("/proc/sys/kernel/random/boot_id")) this.skip();
      writeFileSync(lockFile(), JSON.stringify({ pid: process.pid, token: "old", boot: "another-boot" }));
      expect(await withFileLock(lockFile(), () => "mine", { timeoutMs: 2_000 })).to.equal("mine");
    });

    it("waits on a fresh unreadable lock (owner still writing it) but takes over an old one", async () => {
      writeFileSync(lockFile(), "");
      expect((await rejection(withFileLock(lockFile(), () => 1, { timeoutMs: 100 }))).code).to.equal("lock_timeout");
      const past = new Date(Date.now() - 60_000);
      utimesSync(lockFile(), past, past);
      expect(await withFileLock(lockFile(), () => 2, { timeoutMs: 2_000 })).to.equal(2);
    });

    it("skips a takeover claim left by a dead waiter but waits while a live waiter is taking over", async () => {
      writeFileSync(lockFile(), JSON.stringify({ pid: deadPid(), token: "deadowner" }));
      writeFileSync(`${lockFile()}.takeover.deadowner.0`, JSON.stringify({ pid: process.pid, token: "live-claimant" }));
      expect((await rejection(withFileLock(lockFile(), () => 1, { timeoutMs: 150 }))).code).to.equal("lock_timeout");
      writeFileSync(`${lockFile()}.takeover.deadowner.0`, JSON.stringify({ pid: deadPid(), token: "dead-claimant" }));
      expect(await withFileLock(lockFile(), () => 2, { timeoutMs: 2_000 })).to.equal(2);
      expect(leftovers()).to.deep.equal([]);
    });

    it("does not remove a lock that is no longer its own, and reports lock_lost", async () => {
      const foreign = JSON.stringify({ pid: process.pid, token: "intruder" });
      const err = await rejection(withFileLock(lockFile(), () => writeFileSync(lockFile(), foreign)));
      expect(err.code).to.equal("lock_lost");
      expect(readFileSync(lockFile(), "utf8")).to.equal(foreign);
    });

    it("excludes other processes, including three that race to take over the same stale lock", async () => {
      const counter = join(dir, "counter");
      writeFileSync(counter, "0");
      writeFileSync(lockFile(), JSON.stringify({ pid: deadPid(), token: "stale" }));
      const children = [1, 2, 3].map(() => startFixture("lock-contender.ts", [lockFile(), counter, "40"]));
      const exits = await Promise.all(children.map((c) => c.exited));
      exits.forEach((e, i) => expect(e, children[i]!.stderr()).to.deep.equal({ code: 0, signal: null }));
      expect(readFileSync(counter, "utf8")).to.equal("120");
      expect(leftovers()).to.deep.equal([]);
    });
  });
});
