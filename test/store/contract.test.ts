import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import type { Client } from "pg";
import { FilesIssuerStore } from "../../src/store/filesStore.js";
import type { IssuedRecord } from "../../src/store/ledger.js";
import { openIssuerStore } from "../../src/store/open.js";
import { StoreKeys } from "../../src/store/sealed.js";
import type { IssuerStore, TokenRecord } from "../../src/store/types.js";
import { rejection } from "../helpers/assert.js";
import { startFixture } from "../helpers/children.js";

/**
 * The contract every IssuerStore keeps (src/store/types.ts), run against each implementation: the files of a home,
 * and PostgreSQL (a fresh schema per test). Without a PostgreSQL server the second half is skipped, saying so once.
 */

const PG_URL = process.env.LER_TEST_POSTGRES_URL ?? "postgres://127.0.0.1:5432/test";
const ISSUER = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
const OTHER = "0x00000000000000000000000000000000000000a1";
const TX = "0x" + "ab".repeat(32);
const LEARNER = "did:ethr:0x5c9f3a4b2e1d0c8b7a6f5e4d3c2b1a0f9e8d7c6b";

/** What the contract needs of an implementation. */
interface Harness {
  /** Opens a store on the current test's state with `keys` (several may be open at once: other processes). */
  open(keys?: StoreKeys): Promise<IssuerStore>;
  /** Everything the store keeps, as its bytes or rows: what someone with the disk or a dump sees. */
  raw(): Promise<string>;
  /** Arguments of test/fixtures/store/reserve-contender.ts after the issuer's: kind, where, schema. */
  contender(): string[];
}

interface HarnessFactory {
  name: string;
  /** Once per run: false (with a reason) when the implementation cannot be tested here. */
  setup(): Promise<string | undefined>;
  /** Fresh state per test. */
  fresh(): Promise<Harness>;
  /** After each test: closes the stores it opened and removes its state. */
  cleanup(): Promise<void>;
  teardown(): Promise<void>;
}

const KEYS = StoreKeys.fromKeyMaterial(randomBytes(32));

const skipsReported = new Set<string>();
/** One line per reason for the whole run, however many suites skip for it. */
function reportSkip(reason: string): void {
  if (!skipsReported.has(reason)) console.log(`    (skipped: ${reason})`);
  skipsReported.add(reason);
}

function filesFactory(): HarnessFactory {
  let home: string | undefined;
  const opened: IssuerStore[] = [];
  return {
    name: "files",
    setup: async () => undefined,
    fresh: async () => {
      const dir = mkdtempSync(join(tmpdir(), "ler-store-"));
      home = dir;
      return {
        open: async (keys = KEYS) => {
          const s = new FilesIssuerStore(dir, keys);
          opened.push(s);
          return s;
        },
        raw: async () => dump(dir),
        contender: () => ["files", dir, "-"],
      };
    },
    cleanup: async () => {
      for (const s of opened.splice(0)) await s.close();
      if (home !== undefined) rmSync(home, { recursive: true, force: true });
    },
    teardown: async () => {},
  };
}

/** Every file under `dir`, concatenated. */
function dump(dir: string): string {
  let out = "";
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out += statSync(p).isDirectory() ? dump(p) : readFileSync(p, "latin1");
  }
  return out;
}

function postgresFactory(): HarnessFactory {
  let admin: Client | undefined;
  let schema: string | undefined;
  const opened: IssuerStore[] = [];
  return {
    name: "postgres",
    setup: async () => {
      const pg = (await import("pg")).default;
      const client = new pg.Client({ connectionString: adminUrl(), connectionTimeoutMillis: 2_000 });
      client.on("error", () => {}); // a server going away mid-run fails the tests, not the process
      try {
        await client.connect();
      } catch (e) {
        return `no PostgreSQL at ${PG_URL.replace(/\/\/[^@/]*@/, "//")} (${(e as Error).message})`;
      }
      admin = client;
      return undefined;
    },
    fresh: async () => {
      const name = `ler_test_${randomBytes(6).toString("hex")}`;
      schema = name;
      await admin!.query(`CREATE SCHEMA ${name}`);
      const { openPostgresStore } = await import("../../src/store/postgres/store.js");
      return {
        open: async (keys = KEYS) => {
          const s = await openPostgresStore({ url: PG_URL, keys, schema: name, poolSize: 4 });
          opened.push(s);
          return s;
        },
        raw: async () => {
          const { rows } = await admin!.query<{ t: string }>(
            `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1`,
            [name],
          );
          let out = "";
          for (const { t } of rows) {
            const r = await admin!.query<{ row: string }>(`SELECT x::text AS row FROM ${name}.${t} x`);
            out += r.rows.map((x) => x.row).join("\n") + "\n";
          }
          return out;
        },
        contender: () => ["postgres", PG_URL, name],
      };
    },
    cleanup: async () => {
      for (const s of opened.splice(0)) await s.close();
      if (schema !== undefined) await admin!.query(`DROP SCHEMA ${schema} CASCADE`);
      schema = undefined;
    },
    teardown: async () => {
      await admin?.end();
    },
  };
}

/** The admin connection's URL: with the operating system's user when it names none, as the store does. */
function adminUrl(): string {
  const u = new URL(PG_URL);
  if (u.username === "" && process.env.PGUSER === undefined) u.username = userInfo().username;
  return u.toString();
}

const record = (n: number, extra: Partial<IssuedRecord> = {}): IssuedRecord => ({
  id: `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  jwt: `eyJhbGciOiJFUzI1NksifQ.eyJzdWIiOiJ${n}In0.c2lnYXR1cmU${n}`,
  issuedAt: "2025-03-01T12:00:00.000Z",
  ...extra,
});

/** A seeded generator, so that a failing interleaving can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The (list, index) pairs of allocations, in order. */
const expand = (runs: { list: bigint; start: number; count: number }[]) =>
  runs.flatMap((r) => Array.from({ length: r.count }, (_, i) => `${r.list}:${r.start + i}`));

function issuerStoreContract(factory: HarnessFactory): void {
  describe(`IssuerStore contract: ${factory.name}`, function () {
    this.timeout(60_000);
    let h: Harness;
    let store: IssuerStore;

    before(async function () {
      const skip = await factory.setup();
      if (skip !== undefined) {
        reportSkip(skip);
        this.skip();
      }
    });
    after(() => factory.teardown());
    beforeEach(async () => {
      h = await factory.fresh();
      store = await h.open();
    });
    afterEach(() => factory.cleanup());

    describe("allocator", () => {
      it("never hands out an index twice: random reservations against a model", async () => {
        const random = prng(7);
        const model = new Map<string, { list: number; next: number; size: number }>([
          [ISSUER, { list: 0, next: 0, size: 5 }],
          [OTHER, { list: 0, next: 0, size: 3 }],
        ]);
        for (let step = 0; step < 60; step++) {
          const issuer = random() < 0.5 ? ISSUER : OTHER;
          const m = model.get(issuer)!;
          const count = 1 + Math.floor(random() * 7);
          const expected: string[] = [];
          for (let i = 0; i < count; i++) {
            if (m.next === m.size) {
              m.list++;
              m.next = 0;
            }
            expected.push(`${m.list}:${m.next++}`);
          }
          expect(
            expand(await store.allocator.reserve(issuer, count, { listSize: m.size })),
            `step ${step}`,
          ).to.deep.equal(expected);
        }
        expect(await store.allocator.state(ISSUER.toLowerCase())).to.deep.equal({
          list: BigInt(model.get(ISSUER)!.list),
          next: model.get(ISSUER)!.next,
        });
      });

      it("rolls over to the next list where a list ends, and knows no issuer before its first reservation", async () => {
        expect(await store.allocator.state(ISSUER)).to.equal(undefined);
        expect(await store.allocator.reserve(ISSUER, 3, { listSize: 4 })).to.deep.equal([
          { list: 0n, start: 0, count: 3 },
        ]);
        expect(await store.allocator.reserve(ISSUER, 6, { listSize: 4 })).to.deep.equal([
          { list: 0n, start: 3, count: 1 },
          { list: 1n, start: 0, count: 4 },
          { list: 2n, start: 0, count: 1 },
        ]);
        expect(await store.allocator.state(ISSUER)).to.deep.equal({ list: 2n, next: 1 });
        expect((await rejection(store.allocator.reserve(ISSUER, 0))).code).to.equal("invalid_count");
        expect((await rejection(store.allocator.reserve(ISSUER, 1, { listSize: 0 }))).code).to.equal(
          "invalid_list_size",
        );
        expect((await rejection(store.allocator.reserve("0x12", 1))).code).to.equal("invalid_address");
      });

      it("never hands out an index twice to concurrent callers of one process", async () => {
        const other = await h.open();
        const runs = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).allocator.reserve(ISSUER, 3, { listSize: 7 })),
        );
        const all = runs.flatMap(expand);
        expect(new Set(all).size).to.equal(60);
      });

      it("never hands out an index twice to several processes at once", async function () {
        const children = [1, 2, 3].map((seed) =>
          startFixture("reserve-contender.ts", [...h.contender(), ISSUER, "15", "7", String(seed)]),
        );
        const exits = await Promise.all(children.map((c) => c.exited));
        exits.forEach((x, i) => expect(x.code, children[i]!.stderr()).to.equal(0));
        const all = children.flatMap((c) =>
          c.lines.flatMap((l) =>
            expand(
              (JSON.parse(l) as { list: string; start: number; count: number }[]).map((r) => ({
                ...r,
                list: BigInt(r.list),
              })),
            ),
          ),
        );
        expect(all.length).to.be.greaterThan(45);
        expect(new Set(all).size, "an index was handed out twice").to.equal(all.length);
        // And none skipped: the runs tile the lists from the start.
        const flat = all.map((p) => Number(p.split(":")[0]) * 7 + Number(p.split(":")[1])).sort((a, b) => a - b);
        expect(flat).to.deep.equal(Array.from({ length: all.length }, (_, i) => i));
      });
    });

    describe("ledger", () => {
      it("reads records back in the order appended, per issuer", async () => {
        await store.ledger.appendIssued(ISSUER, [record(1, { list: 2n ** 40n, index: 7, batch: "0xb1" }), record(2)]);
        await store.ledger.appendIssued(OTHER, [record(9)]);
        await store.ledger.appendIssued(ISSUER.toLowerCase(), [record(3, { list: 0n, index: 0 })]);
        const reopened = await h.open();
        expect(await reopened.ledger.readIssued(ISSUER)).to.deep.equal({
          records: [
            record(1, { list: 2n ** 40n, index: 7, batch: "0xb1" }),
            record(2),
            record(3, { list: 0n, index: 0 }),
          ],
          truncatedTail: false,
        });
        expect((await reopened.ledger.readIssued(OTHER)).records).to.deep.equal([record(9)]);
        expect(await store.ledger.readIssued("0x0000000000000000000000000000000000000bb1")).to.deep.equal({
          records: [],
          truncatedTail: false,
        });
      });

      it("appends a batch atomically: a malformed record keeps the whole batch out", async () => {
        await store.ledger.appendIssued(ISSUER, [record(1)]);
        const err = await rejection(store.ledger.appendIssued(ISSUER, [record(2), { ...record(3), jwt: "" }]));
        expect(err.code).to.equal("invalid_record");
        expect((await store.ledger.readIssued(ISSUER)).records).to.deep.equal([record(1)]);
      });

      it("keeps credentials and learners sealed at rest, and refuses another key store's keys", async () => {
        const secret = `${record(1).jwt}.${LEARNER}`;
        await store.ledger.appendIssued(ISSUER, [{ ...record(1), jwt: secret, list: 0n, index: 1 }]);
        const raw = await h.raw();
        expect(raw).to.not.contain(LEARNER).and.not.contain(record(1).jwt);
        const stranger = await h.open(StoreKeys.fromKeyMaterial(randomBytes(32)));
        expect((await rejection(stranger.ledger.readIssued(ISSUER))).code).to.equal("wrong_store_key");
        const locked = await h.open(StoreKeys.locked());
        expect((await rejection(locked.ledger.readIssued(ISSUER))).code).to.equal("store_locked");
      });
    });

    describe("intents", () => {
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
        chainId: 31337,
        registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      };

      it("lists what was recorded and not marked done, oldest first, across restarts", async () => {
        await store.pending.recordIntent(revocation);
        await store.pending.recordIntent(anchor);
        await store.pending.recordIntent({ ...revocation, id: "revoke-batch-2" });
        await store.pending.markDone(revocation.id, { txHash: TX, block: 12 });
        expect(await (await h.open()).pending.listPending()).to.deep.equal([
          { ...anchor, issuer: ISSUER.toLowerCase(), registry: anchor.registry.toLowerCase() },
          { ...revocation, id: "revoke-batch-2", issuer: ISSUER.toLowerCase() },
        ]);
      });

      it("treats recording the same intent again as a no-op, and other content under the same id as a conflict", async () => {
        expect(await store.pending.recordIntent(revocation)).to.deep.equal({ alreadyPending: false });
        expect(await store.pending.recordIntent(revocation)).to.deep.equal({ alreadyPending: true });
        const conflict = { ...revocation, payload: { list: "0", indices: [4] } };
        expect((await rejection(store.pending.recordIntent(conflict))).code).to.equal("intent_conflict");
        expect(await store.pending.listPending()).to.have.length(1);
      });

      it("records an intent once when several callers race to record it", async () => {
        const other = await h.open();
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => (i % 2 ? store : other).pending.recordIntent(anchor)),
        );
        expect(results.filter((r) => !r.alreadyPending)).to.have.length(1);
        expect(await store.pending.listPending()).to.have.length(1);
      });

      it("accepts the same receipt twice but refuses another, an unknown id, or re-recording a done intent", async () => {
        await store.pending.recordIntent(revocation);
        await store.pending.markDone(revocation.id, { txHash: TX, block: 12 });
        await store.pending.markDone(revocation.id, { txHash: TX.toUpperCase().replace("0X", "0x"), block: 12 });
        const other = { txHash: "0x" + "ef".repeat(32), block: 13 };
        expect((await rejection(store.pending.markDone(revocation.id, other))).code).to.equal("intent_conflict");
        expect((await rejection(store.pending.markDone("nope", other))).code).to.equal("unknown_intent");
        expect((await rejection(store.pending.recordIntent(revocation))).code).to.equal("intent_done");
      });

      it("reopens an intent done with a transaction a reorganisation dropped, once, and only with that transaction", async () => {
        await store.pending.recordIntent(anchor);
        await store.pending.markDone(anchor.id, { txHash: TX, block: 12 });
        const other = "0x" + "ef".repeat(32);
        // Done with another transaction meanwhile (another process sent it again): left done.
        await store.pending.reopen(anchor.id, other);
        expect(await store.pending.listPending()).to.deep.equal([]);
        await store.pending.reopen(anchor.id, TX.toUpperCase().replace("0X", "0x"));
        expect((await (await h.open()).pending.listPending()).map((i) => i.id)).to.deep.equal([anchor.id]);
        await store.pending.reopen(anchor.id, TX); // pending already: nothing to do
        expect(await store.pending.recordIntent(anchor)).to.deep.equal({ alreadyPending: true });
        // Sent again, it is done with the new transaction; the old one no longer reopens it.
        await store.pending.markDone(anchor.id, { txHash: other, block: 15 });
        await store.pending.reopen(anchor.id, TX);
        expect(await store.pending.listPending()).to.deep.equal([]);
        const done = (await rejection(store.pending.recordIntent(anchor))) as Error & { details?: object };
        expect(done.details).to.include({ txHash: other, block: 15 });
        expect((await rejection(store.pending.reopen("nope", TX))).code).to.equal("unknown_intent");
      });

      it("validates intents and receipts", async () => {
        const bad = [
          { ...revocation, id: "" },
          { ...revocation, kind: "suspension" as "revocation" },
          { ...revocation, payload: { list: 1n } },
          { ...revocation, payload: undefined },
          { ...revocation, chainId: 0 },
          { ...revocation, registry: "0x12" },
        ];
        for (const i of bad) expect((await rejection(store.pending.recordIntent(i))).code).to.equal("invalid_intent");
        expect((await rejection(store.pending.recordIntent({ ...revocation, issuer: "0x12" }))).code).to.equal(
          "invalid_address",
        );
        await store.pending.recordIntent(revocation);
        expect((await rejection(store.pending.markDone(revocation.id, { txHash: "0x12", block: 1 }))).code).to.equal(
          "invalid_intent",
        );
        expect((await rejection(store.pending.markDone(revocation.id, { txHash: TX, block: -1 }))).code).to.equal(
          "invalid_intent",
        );
      });

      it("compacts to the pending intents; a done id is then forgotten", async () => {
        await store.pending.recordIntent(revocation);
        await store.pending.recordIntent(anchor);
        await store.pending.markDone(anchor.id, { txHash: TX, block: 1 });
        expect(await store.pending.compact()).to.deep.equal({ kept: 1, dropped: 1 });
        expect(await store.pending.listPending()).to.deep.equal([{ ...revocation, issuer: ISSUER.toLowerCase() }]);
        expect(await store.pending.recordIntent(anchor)).to.deep.equal({ alreadyPending: false });
      });

      it("keeps payloads sealed at rest, and refuses another key store's keys", async () => {
        await store.pending.recordIntent({ ...revocation, payload: { hashes: [LEARNER] } });
        expect(await h.raw()).to.not.contain(LEARNER);
        const stranger = await h.open(StoreKeys.fromKeyMaterial(randomBytes(32)));
        expect((await rejection(stranger.pending.listPending())).code).to.equal("wrong_store_key");
      });
    });

    describe("tokens", () => {
      const token = (n: number, extra: Partial<TokenRecord> = {}): TokenRecord => ({
        id: n.toString(16).padStart(16, "0"),
        issuer: n % 2 ? ISSUER.toLowerCase() : OTHER,
        scopes: ["issue", "read"],
        hash: n.toString(16).padStart(64, "0"),
        createdAt: `2025-03-0${n}T12:00:00.000Z`,
        ...extra,
      });

      it("creates, finds, lists (by issuer, oldest first) and refuses a second token with the same id", async () => {
        await store.tokens.createToken(token(2, { label: "registrar SIS", expiresAt: "2026-01-01T00:00:00.000Z" }));
        await store.tokens.createToken(token(1));
        await store.tokens.createToken(token(3));
        expect(await store.tokens.findToken(token(2).id)).to.deep.equal(
          token(2, { label: "registrar SIS", expiresAt: "2026-01-01T00:00:00.000Z" }),
        );
        expect(await store.tokens.findToken("00000000000000ff")).to.equal(undefined);
        expect((await store.tokens.listTokens()).map((t) => t.id)).to.deep.equal([1, 2, 3].map((n) => token(n).id));
        expect((await store.tokens.listTokens(ISSUER)).map((t) => t.id)).to.deep.equal([token(1).id, token(3).id]);
        expect((await rejection(store.tokens.createToken(token(1)))).code).to.equal("token_exists");
      });

      it("revokes once: revoking again keeps the first time; an unknown id is false", async () => {
        await store.tokens.createToken(token(1));
        expect(await store.tokens.revokeToken(token(1).id, "2025-04-01T00:00:00Z")).to.equal(true);
        expect(await store.tokens.revokeToken(token(1).id, "2025-05-01T00:00:00Z")).to.equal(true);
        expect((await (await h.open()).tokens.findToken(token(1).id))?.revokedAt).to.equal("2025-04-01T00:00:00.000Z");
        expect(await store.tokens.revokeToken("00000000000000ff", "2025-05-01T00:00:00Z")).to.equal(false);
      });
    });

    describe("audit", () => {
      const entry = (n: number, issuer = ISSUER) => ({
        at: `2025-03-01T12:00:0${n}.000Z`,
        actor: n % 2 ? "cli" : "token:00000000000000a1",
        issuer: issuer.toLowerCase(),
        op: "issue",
        target: { ids: [`urn:uuid:${n}`], count: 1 },
        remote: `203.0.113.${70 + n}`,
        outcome: n === 3 ? ("denied" as const) : ("ok" as const),
        ...(n === 3 && { code: "token_revoked" }),
      });

      it("reads entries oldest first: the last `limit`, optionally only an issuer's", async () => {
        for (const n of [1, 2, 3, 4]) await store.audit.appendAudit(entry(n, n === 2 ? OTHER : ISSUER));
        const all = [entry(1), entry(2, OTHER), entry(3), entry(4)];
        expect(await (await h.open()).audit.readAudit()).to.deep.equal(all);
        expect(await store.audit.readAudit({ limit: 2 })).to.deep.equal(all.slice(2));
        expect(await store.audit.readAudit({ issuer: ISSUER, limit: 2 })).to.deep.equal([entry(3), entry(4)]);
        expect(await store.audit.readAudit({ issuer: OTHER })).to.deep.equal([entry(2, OTHER)]);
      });

      it("keeps the client's address and the target sealed at rest", async () => {
        await store.audit.appendAudit(entry(7));
        const raw = await h.raw();
        expect(raw).to.not.contain("203.0.113.77").and.not.contain("urn:uuid:7");
        const stranger = await h.open(StoreKeys.fromKeyMaterial(randomBytes(32)));
        expect((await rejection(stranger.audit.readAudit())).code).to.equal("wrong_store_key");
      });
    });

    describe("rate", () => {
      it("counts hits per key in fixed windows", async () => {
        const t0 = Date.UTC(2025, 2, 1, 12, 0, 0); // a window boundary for 60 s
        expect(await store.rate.hit("token:a", 60, t0)).to.equal(1);
        expect(await store.rate.hit("token:a", 60, t0 + 59_999)).to.equal(2);
        expect(await store.rate.hit("token:b", 60, t0 + 1)).to.equal(1);
        expect(await store.rate.hit("token:a", 1, t0 + 2)).to.equal(1); // another window size counts apart
        expect(await store.rate.hit("token:a", 60, t0 + 60_000)).to.equal(1); // the next window
        expect(await store.rate.hit("token:a", 60, t0 + 60_001)).to.equal(2);
        expect((await rejection(store.rate.hit("token:a", 0, t0))).code).to.equal("invalid_option");
      });
    });

    describe("senderLock", () => {
      const ADDRESS = `0x${randomBytes(20).toString("hex")}`;

      it("lets one caller at a time send for an address", async () => {
        const other = await h.open();
        let inside = 0;
        let most = 0;
        const order: number[] = [];
        await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            (i % 2 ? store : other).senderLock(ADDRESS, 20_000, async () => {
              most = Math.max(most, ++inside);
              await new Promise((r) => setTimeout(r, 10));
              order.push(i);
              inside--;
            }),
          ),
        );
        expect(most).to.equal(1);
        expect(order).to.have.length(6);
      });

      it("fails with lock_timeout while another holds the address, and frees it when the holder fails", async () => {
        const other = await h.open();
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let entered!: () => void;
        const inside = new Promise<void>((r) => (entered = r));
        const holder = store.senderLock(ADDRESS, 5_000, async () => {
          entered();
          await gate;
          throw new Error("send failed");
        });
        await inside;
        expect((await rejection(other.senderLock(ADDRESS, 150, async () => 1))).code).to.equal("lock_timeout");
        // Another address is not held.
        expect(await other.senderLock(`0x${"11".repeat(20)}`, 1_000, async () => "free")).to.equal("free");
        release();
        expect((await rejection(holder)).message).to.equal("send failed");
        expect(await other.senderLock(ADDRESS, 1_000, async () => "after")).to.equal("after");
      });
    });
  });
}

issuerStoreContract(filesFactory());
issuerStoreContract(postgresFactory());

describe("PostgreSQL store: schema and guards", function () {
  this.timeout(60_000);
  const factory = postgresFactory();
  let h: Harness;
  let admin: Client;
  let schema: string;

  before(async function () {
    const skip = await factory.setup();
    if (skip !== undefined) {
      reportSkip(skip);
      this.skip();
    }
    const pg = (await import("pg")).default;
    admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
  });
  after(async () => {
    await admin?.end();
    await factory.teardown();
  });
  beforeEach(async () => {
    h = await factory.fresh();
    schema = h.contender()[2]!;
  });
  afterEach(() => factory.cleanup());

  const versions = async () =>
    (
      await admin.query<{ version: number }>(`SELECT version FROM ${schema}.ler_schema_migrations ORDER BY version`)
    ).rows.map((r) => r.version);

  it("applies the migrations once, whoever opens the store and however many at once", async () => {
    const { MIGRATIONS } = await import("../../src/store/postgres/migrations.js");
    await Promise.all(Array.from({ length: 4 }, () => h.open()));
    await h.open();
    expect(await versions()).to.deep.equal(MIGRATIONS.map((m) => m.version));
  });

  it("applies a new migration to a database at an older version", async () => {
    const { MIGRATIONS } = await import("../../src/store/postgres/migrations.js");
    const { openPostgresStore } = await import("../../src/store/postgres/store.js");
    await h.open();
    const next = { version: MIGRATIONS.length + 1, name: "test", sql: "CREATE TABLE ler_test_next (x int)" };
    const s = await openPostgresStore({ url: PG_URL, keys: KEYS, schema, migrations: [...MIGRATIONS, next] });
    await s.close();
    expect(await versions()).to.deep.equal([...MIGRATIONS.map((m) => m.version), next.version]);
  });

  it("refuses a database migrated by a newer release (store_too_new), changing nothing", async () => {
    await h.open();
    await admin.query(`INSERT INTO ${schema}.ler_schema_migrations (version, name) VALUES (99, 'future')`);
    const err = await rejection(h.open());
    expect(err.code).to.equal("store_too_new");
    expect(err.message).to.contain("99");
  });

  it("guards the ledger against an index recorded twice (duplicate_index), keeping the batch out", async () => {
    const store = await h.open();
    await store.ledger.appendIssued(ISSUER, [record(1, { list: 0n, index: 4 })]);
    const err = await rejection(
      store.ledger.appendIssued(ISSUER, [record(2, { list: 0n, index: 5 }), record(3, { list: 0n, index: 4 })]),
    );
    expect(err.code).to.equal("duplicate_index");
    expect((await store.ledger.readIssued(ISSUER)).records).to.deep.equal([record(1, { list: 0n, index: 4 })]);
    // Another issuer's list 0 index 4 is its own.
    await store.ledger.appendIssued(OTHER, [record(4, { list: 0n, index: 4 })]);
  });

  it("names its database without the password", async () => {
    const { openPostgresStore } = await import("../../src/store/postgres/store.js");
    const u = new URL(PG_URL);
    u.password = "hunter2"; // trust authentication ignores it
    if (u.username === "") u.username = (await admin.query<{ u: string }>("SELECT current_user AS u")).rows[0]!.u;
    const s = await openPostgresStore({ url: u.toString(), keys: KEYS, schema });
    try {
      expect(s.kind).to.equal("postgres");
      expect(s.location).to.not.contain("hunter2");
      expect(s.location).to.contain(u.hostname);
    } finally {
      await s.close();
    }
  });
});

describe("openIssuerStore", function () {
  it("opens the home's files without a URL and refuses a URL that is not postgres://", async () => {
    const home = mkdtempSync(join(tmpdir(), "ler-open-"));
    try {
      for (const url of [undefined, ""]) {
        const s = await openIssuerStore({ url, home, keys: KEYS });
        expect(s.kind).to.equal("files");
        expect(s.location).to.equal(home);
        await s.close();
      }
      const err = await rejection(openIssuerStore({ url: "mysql://u:hunter2@db/x", home, keys: KEYS }));
      expect(err.code).to.equal("invalid_store_url");
      expect(err.message).to.not.contain("hunter2");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("reports an unreachable database with its host, never its password", async function () {
    this.timeout(20_000);
    const err = await rejection(
      openIssuerStore({ url: "postgres://ler:hunter2@127.0.0.1:1/ler", home: tmpdir(), keys: KEYS }),
    );
    expect(err.code).to.equal("store_unreachable");
    expect(err.message).to.contain("127.0.0.1:1").and.not.contain("hunter2");
  });
});
