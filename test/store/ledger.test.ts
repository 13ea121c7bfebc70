import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IssuedLedger, type IssuedRecord } from "../../src/store/ledger.js";
import { PendingWrites } from "../../src/store/pending.js";
import { isSealedRecord, StoreKeys } from "../../src/store/sealed.js";
import { rejection } from "../helpers/assert.js";

const KEYS = StoreKeys.fromKeyMaterial(randomBytes(32));
/** The records of a sealed JSON-lines file, opened. */
const opened = (file: string, store: "ledger" | "intents") =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l, i) => {
      const v: unknown = JSON.parse(l);
      expect(isSealedRecord(v), `line ${i + 1} is sealed`).to.equal(true);
      return KEYS.sealer(store).open(v as never, { file, line: i + 1, corrupt: "corrupt_log" });
    });

const ISSUER = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
const TX = "0x" + "ab".repeat(32);

const record = (n: number, extra: Partial<IssuedRecord> = {}): IssuedRecord => ({
  id: `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  jwt: `eyJhbGciOiJFUzI1NksifQ.eyJuIjo${n}fQ.sig${n}`,
  issuedAt: "2025-03-01T12:00:00.000Z",
  ...extra,
});

describe("store/ledger", function () {
  let dir: string;
  let ledger: IssuedLedger;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ler-ledger-"));
    ledger = new IssuedLedger(dir, KEYS);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe("appendIssued and readIssued", () => {
    it("round-trips records, with and without a status entry, in order", async () => {
      const records = [record(1, { list: 2n ** 40n, index: 7, batch: "b1" }), record(2)];
      await ledger.appendIssued(ISSUER, records);
      await ledger.appendIssued(ISSUER.toLowerCase(), [record(3, { list: 0n, index: 0 })]);
      expect(await new IssuedLedger(dir, KEYS).readIssued(ISSUER)).to.deep.equal({
        records: [...records, record(3, { list: 0n, index: 0 })],
        truncatedTail: false,
      });
      // One sealed record per line, in a 0600 file; inside, the record with `list` as a decimal string.
      const lines = opened(ledger.file(ISSUER), "ledger");
      expect(lines).to.have.length(3);
      expect(lines[0]).to.deep.equal({ ...records[0], list: "1099511627776" });
      expect(statSync(ledger.file(ISSUER)).mode & 0o777).to.equal(0o600);
      expect(readFileSync(ledger.file(ISSUER), "utf8")).to.not.contain("urn:uuid");
    });

    it("reads an issuer with no ledger as empty", async () => {
      expect(await ledger.readIssued(ISSUER)).to.deep.equal({ records: [], truncatedTail: false });
    });

    it("ignores and reports a torn last line, and the next append cuts it off first", async () => {
      await ledger.appendIssued(ISSUER, [record(1), record(2)]);
      const torn = JSON.stringify(record(3)).slice(0, 60); // a crash part-way through writing record 3 (its id is in it)
      appendFileSync(ledger.file(ISSUER), torn);

      expect(await ledger.readIssued(ISSUER)).to.deep.equal({ records: [record(1), record(2)], truncatedTail: true });
      expect(await ledger.appendIssued(ISSUER, [record(4)])).to.deep.equal({ repairedTail: true });
      expect(await ledger.readIssued(ISSUER)).to.deep.equal({
        records: [record(1), record(2), record(4)],
        truncatedTail: false,
      });
      expect(readFileSync(ledger.file(ISSUER), "utf8")).to.not.contain(torn);
    });

    it("reports a complete line that does not parse as corrupt_log instead of skipping it", async () => {
      await ledger.appendIssued(ISSUER, [record(1)]);
      appendFileSync(ledger.file(ISSUER), "{not json}\n");
      await ledger.appendIssued(ISSUER, [record(2)]);
      const err = await rejection(ledger.readIssued(ISSUER));
      expect(err.code).to.equal("corrupt_log");
      expect((err as { details?: unknown }).details).to.deep.include({ line: 2 });
    });

    it("rejects malformed records with invalid_record and writes none of the batch", async () => {
      const bad: IssuedRecord[] = [
        { ...record(1), id: "" },
        { ...record(1), jwt: "" },
        { ...record(1), issuedAt: "yesterday" },
        record(1, { list: 1n }),
        record(1, { list: -1n, index: 0 }),
        record(1, { list: 0n, index: 1.5 }),
      ];
      for (const r of bad) {
        const err = await rejection(ledger.appendIssued(ISSUER, [record(0), r]));
        expect(
          err.code,
          JSON.stringify(r, (_, v) => (typeof v === "bigint" ? v.toString() : v)),
        ).to.equal("invalid_record");
      }
      expect((await ledger.readIssued(ISSUER)).records).to.deep.equal([]);
    });
  });
});

describe("store/pending", function () {
  let dir: string;
  let pending: PendingWrites;
  const revocation = {
    id: "revoke-batch-1",
    kind: "revocation" as const,
    issuer: ISSUER,
    payload: { list: "0", indices: [3, 9] },
  };
  const anchor = {
    id: "anchor-0xroot",
    kind: "anchor" as const,
    issuer: ISSUER,
    payload: { root: "0x" + "cd".repeat(32) },
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ler-pending-"));
    pending = new PendingWrites(dir, KEYS);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("lists what was recorded and not marked done, across restarts", async () => {
    await pending.recordIntent(revocation);
    await pending.recordIntent(anchor);
    await pending.markDone(revocation.id, { txHash: TX, block: 12 });
    expect(await new PendingWrites(dir, KEYS).listPending()).to.deep.equal([
      { ...anchor, issuer: ISSUER.toLowerCase() },
    ]);
    expect(opened(join(dir, "pending", "intents.jsonl"), "intents")).to.have.length(3);
  });

  it("treats recording the same intent again as a no-op, and other content under the same id as a conflict", async () => {
    expect(await pending.recordIntent(revocation)).to.deep.equal({ alreadyPending: false });
    expect(await pending.recordIntent(revocation)).to.deep.equal({ alreadyPending: true });
    const conflict = { ...revocation, payload: { list: "0", indices: [4] } };
    expect((await rejection(pending.recordIntent(conflict))).code).to.equal("intent_conflict");
    expect(await pending.listPending()).to.have.length(1);
  });

  it("accepts the same receipt twice but refuses another, an unknown id, or re-recording a done intent", async () => {
    await pending.recordIntent(revocation);
    await pending.markDone(revocation.id, { txHash: TX, block: 12 });
    await pending.markDone(revocation.id, { txHash: TX.toUpperCase().replace("0X", "0x"), block: 12 });
    const other = { txHash: "0x" + "ef".repeat(32), block: 13 };
    expect((await rejection(pending.markDone(revocation.id, other))).code).to.equal("intent_conflict");
    expect((await rejection(pending.markDone("nope", other))).code).to.equal("unknown_intent");
    expect((await rejection(pending.recordIntent(revocation))).code).to.equal("intent_done");
  });

  it("validates intents and receipts", async () => {
    const bad = [
      { ...revocation, id: "" },
      { ...revocation, kind: "suspension" as "revocation" },
      { ...revocation, payload: { list: 1n } },
      { ...revocation, payload: undefined },
    ];
    for (const i of bad) expect((await rejection(pending.recordIntent(i))).code).to.equal("invalid_intent");
    expect((await rejection(pending.recordIntent({ ...revocation, issuer: "0x12" }))).code).to.equal("invalid_address");
    await pending.recordIntent(revocation);
    expect((await rejection(pending.markDone(revocation.id, { txHash: "0x12", block: 1 }))).code).to.equal(
      "invalid_intent",
    );
    expect((await rejection(pending.markDone(revocation.id, { txHash: TX, block: -1 }))).code).to.equal(
      "invalid_intent",
    );
  });

  it("survives a torn last line and compacts to the pending intents", async () => {
    await pending.recordIntent(revocation);
    await pending.recordIntent(anchor);
    appendFileSync(join(dir, "pending", "intents.jsonl"), '{"op":"done","id":"anch');
    expect(await pending.listPending()).to.have.length(2);
    await pending.markDone(anchor.id, { txHash: TX, block: 1 });
    expect(await pending.compact()).to.deep.equal({ kept: 1, dropped: 1 });
    expect(await pending.listPending()).to.deep.equal([{ ...revocation, issuer: ISSUER.toLowerCase() }]);
    expect(
      readFileSync(join(dir, "pending", "intents.jsonl"), "utf8")
        .trim()
        .split("\n"),
    ).to.have.length(1);
  });

  it("refuses a log with a complete line it cannot read (corrupt_log), in the clear or sealed", async () => {
    mkdirSync(join(dir, "pending"));
    writeFileSync(join(dir, "pending", "intents.jsonl"), '{"op":"maybe","id":"x"}\n');
    expect((await rejection(pending.listPending())).code).to.equal("corrupt_log");
    writeFileSync(
      join(dir, "pending", "intents.jsonl"),
      JSON.stringify(KEYS.sealer("intents").seal({ op: "maybe", id: "x" })) + "\n",
    );
    expect((await rejection(pending.listPending())).code).to.equal("corrupt_log");
  });
});
