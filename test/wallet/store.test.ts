import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isSealedRecord, StoreKeys } from "../../src/store/sealed.js";
import { Wallet } from "../../src/wallet/store.js";
import { rejection } from "../helpers/assert.js";

// The holder's wallet at rest: one sealed record per credential, in a 0600 file; a plaintext wallet of an earlier
// release is sealed when first opened with the secret.

const KEYS = StoreKeys.fromKeyMaterial(randomBytes(32));
const JWT = (n: number) => `eyJhbGciOiJFUzI1NksifQ.eyJqdGkiOiJ1cm46dXVpZDo${n}In0.c2lnbmF0dXJl${n}`;
const NOW = new Date("2025-06-01T10:00:00Z");

describe("wallet/store", function () {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), "ler-wallet-"));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it("adds, lists and removes credentials, keeping every line sealed and the file 0600", async () => {
    const wallet = new Wallet(home, KEYS);
    const first = await wallet.add(
      [
        { id: "urn:uuid:1", jwt: JWT(1) },
        { id: "urn:uuid:2", jwt: JWT(2) },
      ],
      NOW,
    );
    expect(first.added.map((e) => e.id)).to.deep.equal(["urn:uuid:1", "urn:uuid:2"]);
    const again = await new Wallet(home, KEYS).add([{ id: "urn:uuid:2", jwt: JWT(2) }], NOW);
    expect(again.present.map((e) => e.id)).to.deep.equal(["urn:uuid:2"]);
    expect((await wallet.list()).map((e) => e.jwt)).to.deep.equal([JWT(1), JWT(2)]);
    expect((await wallet.remove(["urn:uuid:1"])).map((e) => e.id)).to.deep.equal(["urn:uuid:1"]);
    expect(await new Wallet(home, KEYS).list()).to.deep.equal([
      { id: "urn:uuid:2", jwt: JWT(2), addedAt: NOW.toISOString() },
    ]);

    const text = readFileSync(wallet.file, "utf8");
    for (const clear of ["urn:uuid", JWT(2), JWT(2).split(".")[1]!]) expect(text).to.not.contain(clear);
    expect(
      text
        .trim()
        .split("\n")
        .every((l) => isSealedRecord(JSON.parse(l))),
    ).to.equal(true);
    expect(statSync(wallet.file).mode & 0o777).to.equal(0o600);
    expect(statSync(wallet.dir).mode & 0o777).to.equal(0o700);
  });

  it("seals a plaintext wallet of an earlier release when it is first opened", async () => {
    mkdirSync(join(home, "wallet"), { recursive: true });
    const file = join(home, "wallet", "credentials.jsonl");
    const entries = [1, 2].map((n) => ({ id: `urn:uuid:${n}`, jwt: JWT(n), addedAt: NOW.toISOString() }));
    writeFileSync(file, entries.map((e) => JSON.stringify(e) + "\n").join(""), { mode: 0o644 });

    expect(await new Wallet(home, KEYS).list()).to.deep.equal(entries);
    expect(readFileSync(file, "utf8")).to.not.contain(JWT(1));
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    expect(await new Wallet(home, KEYS).list()).to.deep.equal(entries);
  });

  it("refuses a wallet sealed under another key store (wrong_store_key), and a damaged line (corrupt_wallet)", async () => {
    const wallet = new Wallet(home, KEYS);
    await wallet.add([{ id: "urn:uuid:1", jwt: JWT(1) }], NOW);
    const other = new Wallet(home, StoreKeys.fromKeyMaterial(randomBytes(32)));
    expect((await rejection(other.list())).code).to.equal("wrong_store_key");
    expect((await rejection(other.add([{ id: "urn:uuid:9", jwt: JWT(9) }], NOW))).code).to.equal("wrong_store_key");
    expect(await wallet.list()).to.have.length(1);

    const line = JSON.parse(readFileSync(wallet.file, "utf8"));
    const body = Buffer.from(line.c, "base64url");
    body[0] = body[0]! ^ 1;
    writeFileSync(wallet.file, JSON.stringify({ ...line, c: body.toString("base64url") }) + "\n");
    expect((await rejection(wallet.list())).code).to.equal("corrupt_wallet");
    // A sealed line that opens but is not an entry is corrupt_wallet too.
    writeFileSync(wallet.file, JSON.stringify(KEYS.sealer("wallet").seal({ nope: true })) + "\n");
    expect((await rejection(wallet.list())).code).to.equal("corrupt_wallet");
  });
});
