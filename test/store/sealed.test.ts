import { expect } from "chai";
import { randomBytes } from "node:crypto";
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IssuedLedger, type IssuedRecord } from "../../src/store/ledger.js";
import { PendingWrites } from "../../src/store/pending.js";
import { isSealedRecord, PAD_TO, StoreKeys, type SealedRecord } from "../../src/store/sealed.js";
import { rejection } from "../helpers/assert.js";

// The sealing of records at rest (src/store/sealed.ts) and what the sealed JSON-lines stores do with it: files of an
// earlier release (plaintext) are sealed on first use, a file of another key store is refused before anything is
// appended to it, a damaged line is reported, and the crash-safety rules hold as before.

const ISSUER = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
const KEYS = StoreKeys.fromKeyMaterial(randomBytes(32));
const OTHER = StoreKeys.fromKeyMaterial(randomBytes(32));
const origin = { file: "f.jsonl", line: 3, corrupt: "corrupt_log" as const };

const record = (n: number): IssuedRecord => ({
  id: `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  jwt: `eyJhbGciOiJFUzI1NksifQ.eyJuIjo${n}fQ.sig${n}`,
  list: 0n,
  index: n,
  issuedAt: "2025-03-01T12:00:00.000Z",
});
/** A record as the ledger of an earlier release wrote it: in the clear. */
const plainLine = (n: number) => JSON.stringify({ ...record(n), list: "0" }) + "\n";

const lineValues = (file: string): unknown[] =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as unknown);

describe("store/sealed", function () {
  describe("StoreKeys and RecordSealer", () => {
    it("round-trips JSON values, each sealing with a fresh nonce", () => {
      const s = KEYS.sealer("wallet");
      const value = { name: "Zoë", n: [1, 2, { deep: true }] };
      const a = s.seal(value);
      const b = s.seal(value);
      expect(isSealedRecord(a)).to.equal(true);
      expect(a.n).to.not.equal(b.n);
      expect(a.c).to.not.equal(b.c);
      expect(a.k)
        .to.equal(s.keyId)
        .and.to.match(/^[0-9a-f]{16}$/);
      expect(s.open(a, origin)).to.deep.equal(value);
      expect(s.open(b, origin)).to.deep.equal(value);
    });

    it("pads plaintexts, so that short and long names seal to the same length", () => {
      const s = KEYS.sealer("ledger");
      const short = s.seal({ name: "Al" });
      const long = s.seal({ name: "Alexandrina Victoria of Kent-" });
      expect(short.c.length).to.equal(long.c.length);
      expect(Buffer.from(short.c, "base64url").length).to.equal(PAD_TO + 16);
    });

    it("gives each store its own key: a record of one store does not open as another's", () => {
      const wallet = KEYS.sealer("wallet");
      const ledger = KEYS.sealer("ledger");
      expect(wallet.keyId).to.not.equal(ledger.keyId);
      // Even with the key id forged to match, the key and the additional data differ: it does not authenticate.
      const forged: SealedRecord = { ...wallet.seal({ a: 1 }), k: ledger.keyId };
      expect(() => ledger.open(forged, origin))
        .to.throw()
        .with.property("code", "corrupt_log");
    });

    it("tells a record of another key store (wrong_store_key) from a damaged one (the store's corrupt code)", () => {
      const sealed = KEYS.sealer("intents").seal({ a: 1 });
      const wrong = catching(() => OTHER.sealer("intents").open(sealed, origin));
      expect(wrong.code).to.equal("wrong_store_key");
      expect(wrong.details).to.deep.include({ file: "f.jsonl", line: 3, store: "intents" });
      const body = Buffer.from(sealed.c, "base64url");
      body[0] = body[0]! ^ 1;
      const flipped = { ...sealed, c: body.toString("base64url") };
      expect(catching(() => KEYS.sealer("intents").open(flipped, origin)).code).to.equal("corrupt_log");
      const short = { ...sealed, n: "AAAA" };
      expect(catching(() => KEYS.sealer("intents").open(short, origin)).code).to.equal("corrupt_log");
    });

    it("locked keys fail with store_locked at the first seal or open", () => {
      const locked = StoreKeys.locked();
      expect(locked.unlocked).to.equal(false);
      expect(catching(() => locked.sealer("ledger").seal({})).code).to.equal("store_locked");
      expect(catching(() => locked.sealer("ledger").open(KEYS.sealer("ledger").seal({}), origin)).code).to.equal(
        "store_locked",
      );
    });

    it("recognises only the exact shape of a sealed record", () => {
      const sealed = KEYS.sealer("wallet").seal({});
      expect(isSealedRecord(sealed)).to.equal(true);
      expect(isSealedRecord({ ...sealed, extra: 1 })).to.equal(false);
      expect(isSealedRecord({ ...sealed, v: 2 })).to.equal(false);
      expect(isSealedRecord({ id: "x", jwt: "y", addedAt: "z" })).to.equal(false);
      expect(isSealedRecord(null)).to.equal(false);
    });
  });

  describe("sealed JSON-lines stores", () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "ler-sealed-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** A plaintext ledger of an earlier release (0644), with a stale temporary file of a killed writer. */
    function legacyLedger(lines: string): string {
      const issued = join(dir, "issued");
      mkdirSync(issued, { recursive: true });
      const file = join(issued, `${ISSUER.toLowerCase()}.jsonl`);
      writeFileSync(file, lines, { mode: 0o644 });
      // pid 2^22 + 1 is above Linux's pid_max: no such process runs.
      writeFileSync(join(issued, `.${ISSUER.toLowerCase()}.jsonl.4194305.abcdef.tmp`), plainLine(99));
      return file;
    }

    it("seals a plaintext ledger of an earlier release when it is first read: same records, 0600, no plaintext left", async () => {
      const file = legacyLedger(plainLine(1) + plainLine(2) + plainLine(3).slice(0, 40));
      const ledger = new IssuedLedger(dir, KEYS);
      expect(await ledger.readIssued(ISSUER)).to.deep.equal({ records: [record(1), record(2)], truncatedTail: true });
      expect(lineValues(file).every(isSealedRecord)).to.equal(true);
      expect(readFileSync(file, "utf8")).to.not.contain("urn:uuid");
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      expect(readdirSync(join(dir, "issued")).filter((n) => n.endsWith(".tmp"))).to.deep.equal([]);
      await ledger.appendIssued(ISSUER, [record(4)]);
      expect((await new IssuedLedger(dir, KEYS).readIssued(ISSUER)).records).to.deep.equal([
        record(1),
        record(2),
        record(4),
      ]);
    });

    it("seals a plaintext ledger before the first append to it, so the file is never half plaintext", async () => {
      const file = legacyLedger(plainLine(1));
      await new IssuedLedger(dir, KEYS).appendIssued(ISSUER, [record(2)]);
      expect(lineValues(file)).to.have.length(2);
      expect(lineValues(file).every(isSealedRecord)).to.equal(true);
      expect((await new IssuedLedger(dir, KEYS).readIssued(ISSUER)).records).to.deep.equal([record(1), record(2)]);
    });

    it("seals plaintext lines an earlier release appended to a sealed ledger", async () => {
      const ledger = new IssuedLedger(dir, KEYS);
      await ledger.appendIssued(ISSUER, [record(1)]);
      appendFileSync(ledger.file(ISSUER), plainLine(2));
      expect((await ledger.readIssued(ISSUER)).records).to.deep.equal([record(1), record(2)]);
      expect(lineValues(ledger.file(ISSUER)).every(isSealedRecord)).to.equal(true);
    });

    it("refuses a ledger sealed under another key store, on read and before appending anything", async () => {
      const ledger = new IssuedLedger(dir, KEYS);
      await ledger.appendIssued(ISSUER, [record(1)]);
      const before = readFileSync(ledger.file(ISSUER));
      const elsewhere = new IssuedLedger(dir, OTHER);
      expect((await rejection(elsewhere.readIssued(ISSUER))).code).to.equal("wrong_store_key");
      expect((await rejection(elsewhere.appendIssued(ISSUER, [record(2)]))).code).to.equal("wrong_store_key");
      expect(readFileSync(ledger.file(ISSUER))).to.deep.equal(before);
    });

    it("reports a sealed line that does not authenticate as corrupt_log, with its line number", async () => {
      const ledger = new IssuedLedger(dir, KEYS);
      await ledger.appendIssued(ISSUER, [record(1), record(2)]);
      const [first, second] = lineValues(ledger.file(ISSUER)) as SealedRecord[];
      const body = Buffer.from(second!.c, "base64url");
      body[5] = body[5]! ^ 0x80;
      writeFileSync(
        ledger.file(ISSUER),
        JSON.stringify(first) + "\n" + JSON.stringify({ ...second, c: body.toString("base64url") }) + "\n",
      );
      const err = await rejection(ledger.readIssued(ISSUER));
      expect(err.code).to.equal("corrupt_log");
      expect((err as { details?: unknown }).details).to.deep.include({ line: 2 });
    });

    it("a sealed record torn by a crash is an incomplete line: ignored, reported, cut off by the next append", async () => {
      const ledger = new IssuedLedger(dir, KEYS);
      await ledger.appendIssued(ISSUER, [record(1)]);
      const torn = JSON.stringify(KEYS.sealer("ledger").seal({ ...record(2), list: "0" }));
      appendFileSync(ledger.file(ISSUER), torn.slice(0, torn.length - 10));
      expect(await ledger.readIssued(ISSUER)).to.deep.equal({ records: [record(1)], truncatedTail: true });
      expect(await ledger.appendIssued(ISSUER, [record(3)])).to.deep.equal({ repairedTail: true });
      expect(await ledger.readIssued(ISSUER)).to.deep.equal({ records: [record(1), record(3)], truncatedTail: false });
    });

    it("seals a plaintext intent log of an earlier release, and keeps its pending intents", async () => {
      mkdirSync(join(dir, "pending"));
      const file = join(dir, "pending", "intents.jsonl");
      const intent = {
        op: "intent",
        id: "anchor-1",
        kind: "anchor",
        issuer: ISSUER.toLowerCase(),
        payload: { root: "0x" + "cd".repeat(32) },
      };
      writeFileSync(file, JSON.stringify(intent) + "\n", { mode: 0o644 });
      const pending = new PendingWrites(dir, KEYS);
      const { op: _op, ...expected } = intent;
      expect(await pending.listPending()).to.deep.equal([expected]);
      expect(lineValues(file).every(isSealedRecord)).to.equal(true);
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      expect(readFileSync(file, "utf8")).to.not.contain("anchor-1");
      expect((await rejection(new PendingWrites(dir, OTHER).listPending())).code).to.equal("wrong_store_key");
      expect((await rejection(new PendingWrites(dir, StoreKeys.locked()).listPending())).code).to.equal("store_locked");
    });
  });
});

function catching(fn: () => unknown): Error & { code?: unknown; details?: unknown } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: unknown; details?: unknown };
  }
  expect.fail("expected an error");
}
