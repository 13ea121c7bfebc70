import { expect } from "chai";
import { randomBytes, scrypt } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DIDStoreJson, KeyStoreJson, PrivateKeyStoreJson } from "@veramo/data-store-json";
import { KeyManager, type AbstractPrivateKeyStore } from "@veramo/key-manager";
import { KeyManagementSystem, SecretBox } from "@veramo/kms-local";
import { computeAddress, verifyMessage } from "ethers";
import { withFileLock } from "../../src/store/files.js";
import { openKeyStore, SealedPrivateKeyStore, type KeyStoreHandle } from "../../src/store/keystore.js";
import { isSealedRecord } from "../../src/store/sealed.js";
import { rejection } from "../helpers/assert.js";
import { startFixture } from "../helpers/children.js";

// A fixed secp256k1 key (test vector): the file must never contain it in any encoding.
const PRIVATE_KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const ADDRESS = computeAddress("0x" + PRIVATE_KEY);
const SECRET = "correct horse battery staple";

/** A Veramo key manager over the store, as the agent wires it. */
function keyManager(
  h: KeyStoreHandle,
  privateKeys: AbstractPrivateKeyStore = new PrivateKeyStoreJson(h.json, h.secretBox),
) {
  const kms = new KeyManagementSystem(privateKeys);
  return { km: new KeyManager({ store: new KeyStoreJson(h.json), kms: { local: kms } }), kms };
}

async function signsAs(km: KeyManager, kid: string, address: string): Promise<void> {
  const signature = await km.keyManagerSign({ keyRef: kid, data: "LER", algorithm: "eth_signMessage" });
  expect(verifyMessage("LER", signature)).to.equal(address);
}

/** The Veramo tree a key store file holds, opened with the handle's key. */
function treeOf(h: KeyStoreHandle): Record<string, Record<string, unknown>> {
  const file = JSON.parse(readFileSync(h.file, "utf8"));
  expect(file.version).to.equal(2);
  expect(isSealedRecord(file.sealed)).to.equal(true);
  return h.storeKeys.sealer("keystore").open(file.sealed, { file: h.file, corrupt: "corrupt_keystore" }) as never;
}

/** The private key in every spelling a leak could take. */
function leaks(bytes: Buffer, hex: string): string[] {
  const raw = Buffer.from(hex, "hex");
  const text = bytes.toString("latin1");
  return [hex.toLowerCase(), hex.toUpperCase(), raw.toString("base64"), raw.toString("base64url")].filter((s) =>
    text.includes(s),
  );
}

describe("store/keystore", function () {
  this.timeout(30_000);
  let root: string;
  let home: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "ler-keys-"));
    home = join(root, "home");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  describe("openKeyStore", () => {
    it("creates a store at the scrypt cost asked (at least 2^10), and opens one at the cost its header names", async () => {
      await openKeyStore(home, SECRET, { kdf: { N: 1 << 12 } });
      const header = () => JSON.parse(readFileSync(join(home, "keystore.json"), "utf8")).kdf;
      expect(header()).to.deep.include({ N: 4096, r: 8, p: 1 });
      // Reopening with another cost (or the default) neither changes nor needs it.
      await openKeyStore(home, SECRET, { kdf: { N: 1 << 14 } });
      await openKeyStore(home, SECRET);
      expect(header().N).to.equal(4096);
      const other = join(root, "other");
      await openKeyStore(other, SECRET, { kdf: { N: 2 } });
      expect(JSON.parse(readFileSync(join(other, "keystore.json"), "utf8")).kdf.N).to.equal(1024);
    });

    it("creates an 0600 file in an 0700 directory, with scrypt parameters and a check value in its header", async () => {
      const h = await openKeyStore(home, SECRET);
      expect(h.file).to.equal(join(home, "keystore.json"));
      expect(statSync(home).mode & 0o777).to.equal(0o700);
      expect(statSync(h.file).mode & 0o777).to.equal(0o600);
      const file = JSON.parse(readFileSync(h.file, "utf8"));
      expect(file.version).to.equal(2);
      // N = 2^17 for new stores (128 MiB, about 0.45 s per unlock): today's usual scrypt cost.
      expect(file.kdf).to.deep.include({ name: "scrypt", N: 131072, r: 8, p: 1 });
      expect(file.kdf.salt).to.match(/^[0-9a-f]{32}$/);
      expect(file.check).to.be.a("string");
      // The header is all that is in the clear: the tree (identifiers, aliases, keys) is one sealed record.
      expect(Object.keys(file).sort()).to.deep.equal(["check", "kdf", "sealed", "version"]);
      expect(treeOf(h)).to.deep.equal({});
    });

    it("refuses a wrong secret with wrong_secret and an empty one with missing_secret", async () => {
      await openKeyStore(home, SECRET);
      const wrong = await rejection(openKeyStore(home, SECRET + "!"));
      expect(wrong.code).to.equal("wrong_secret");
      expect(wrong.message).to.match(/secret does not open/);
      expect((await rejection(openKeyStore(home, ""))).code).to.equal("missing_secret");
    });

    it("still opens a store written with the earlier cost N = 2^15 (the header says which), and keeps its keys usable", async () => {
      // A store as the previous release wrote it: scrypt N = 2^15 in the header, the check value sealed under it.
      const salt = randomBytes(16);
      const N = 1 << 15;
      const key = await new Promise<Buffer>((resolve, reject) =>
        scrypt(SECRET.normalize("NFC"), salt, 32, { N, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (e, k) =>
          e ? reject(e) : resolve(k),
        ),
      );
      const box = new SecretBox(key.toString("hex"));
      mkdirSync(home, { recursive: true, mode: 0o700 });
      const old = {
        version: 1,
        kdf: { name: "scrypt", salt: salt.toString("hex"), N, r: 8, p: 1 },
        check: await box.encrypt("ler-keystore-check-v1"),
        store: {},
      };
      writeFileSync(join(home, "keystore.json"), JSON.stringify(old), { mode: 0o600 });

      const h = await openKeyStore(home, SECRET);
      const { km } = keyManager(h);
      const imported = await km.keyManagerImport({ kms: "local", type: "Secp256k1", privateKeyHex: PRIVATE_KEY });
      expect(JSON.parse(readFileSync(h.file, "utf8")).kdf).to.deep.include({ N, salt: salt.toString("hex") });
      expect(Object.keys(treeOf(h).keys!)).to.deep.equal([imported.kid]); // and rewritten as version 2
      expect((await rejection(openKeyStore(home, SECRET + "!"))).code).to.equal("wrong_secret");
      const { km: again } = keyManager(await openKeyStore(home, SECRET));
      await signsAs(again, imported.kid, ADDRESS);
    });

    it("refuses a file that is not a key store with unsupported_keystore or corrupt_keystore", async () => {
      await openKeyStore(home, SECRET);
      writeFileSync(join(home, "keystore.json"), "{}");
      expect((await rejection(openKeyStore(home, SECRET))).code).to.equal("unsupported_keystore");
      writeFileSync(join(home, "keystore.json"), "not json");
      expect((await rejection(openKeyStore(home, SECRET))).code).to.equal("corrupt_keystore");
    });
  });

  describe("with Veramo", () => {
    it("keeps an imported key encrypted on disk and signs with it after reopening", async () => {
      const first = await openKeyStore(home, SECRET);
      const { km } = keyManager(first);
      const key = await km.keyManagerImport({ kms: "local", type: "Secp256k1", privateKeyHex: PRIVATE_KEY });
      await signsAs(km, key.kid, ADDRESS);

      const bytes = readFileSync(first.file);
      expect(leaks(bytes, PRIVATE_KEY)).to.deep.equal([]);
      expect(statSync(first.file).mode & 0o777).to.equal(0o600);

      const second = await openKeyStore(home, SECRET);
      const { km: km2 } = keyManager(second);
      expect((await km2.keyManagerGet({ kid: key.kid })).publicKeyHex).to.equal(key.publicKeyHex);
      await signsAs(km2, key.kid, ADDRESS);
    });

    it("never writes the plaintext that PrivateKeyStoreJson.listKeys() leaves in its cache, and repairs the cache", async () => {
      const h = await openKeyStore(home, SECRET);
      const { km, kms } = keyManager(h);
      const key = await km.keyManagerImport({ kms: "local", type: "Secp256k1", privateKeyHex: PRIVATE_KEY });
      await kms.listKeys(); // Veramo decrypts every cached private key in place here
      const cached = Object.values(h.json.privateKeys!)[0]!;
      expect(cached.privateKeyHex).to.equal(PRIVATE_KEY); // the pitfall, as Veramo 7.0.1 has it

      // The next persist (any change) must not write that plaintext out.
      const other = await km.keyManagerCreate({ kms: "local", type: "Secp256k1" });
      expect(leaks(readFileSync(h.file), PRIVATE_KEY)).to.deep.equal([]);
      const onDisk = treeOf(h).privateKeys as Record<string, { privateKeyHex: string }>;
      for (const entry of Object.values(onDisk)) {
        expect(await h.secretBox.decrypt(entry.privateKeyHex)).to.match(/^[0-9a-f]{64}$/);
      }
      // ...and memory holds ciphertext again, so the key signs in this process too.
      expect(h.json.privateKeys![cached.alias]!.privateKeyHex).to.not.equal(PRIVATE_KEY);
      await signsAs(km, key.kid, ADDRESS);

      const { km: reopened } = keyManager(await openKeyStore(home, SECRET));
      await signsAs(reopened, key.kid, ADDRESS);
      await reopened.keyManagerSign({ keyRef: other.kid, data: "x", algorithm: "eth_signMessage" });
    });

    it("seals plaintext even when listKeys() runs while a write waits for the lock (the change is in the diff)", async () => {
      const h = await openKeyStore(home, SECRET);
      const { km, kms } = keyManager(h);
      const key = await km.keyManagerImport({ kms: "local", type: "Secp256k1", privateKeyHex: PRIVATE_KEY });
      // Another process holds the store's lock: the next write snapshots its "before" now but persists later.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let entered!: () => void;
      const inside = new Promise<void>((r) => (entered = r));
      const other = withFileLock(`${h.file}.lock`, async () => {
        entered();
        await held;
      });
      await inside;
      const creating = km.keyManagerCreate({ kms: "local", type: "Secp256k1" });
      await kms.listKeys(); // decrypts the cached key between the snapshot and the persist
      release();
      await other;
      await creating;
      expect(leaks(readFileSync(h.file), PRIVATE_KEY)).to.deep.equal([]);
      await signsAs(km, key.kid, ADDRESS);
    });

    it("SealedPrivateKeyStore lists keys without decrypting its cache", async () => {
      const h = await openKeyStore(home, SECRET);
      const { km, kms } = keyManager(h, new SealedPrivateKeyStore(h.json, h.secretBox));
      const key = await km.keyManagerImport({ kms: "local", type: "Secp256k1", privateKeyHex: PRIVATE_KEY });
      expect((await kms.listKeys()).map((k) => k.publicKeyHex)).to.deep.equal([key.publicKeyHex]);
      expect(Object.values(h.json.privateKeys!)[0]!.privateKeyHex).to.not.equal(PRIVATE_KEY);
      await signsAs(km, key.kid, ADDRESS);
      // Veramo's importKey of an existing alias with other key material also decrypts the cache in place.
      const alias = Object.keys(h.json.privateKeys!)[0]!;
      const store = new SealedPrivateKeyStore(h.json, h.secretBox);
      const err = await rejection(store.importKey({ alias, privateKeyHex: "22".repeat(32), type: "Secp256k1" }));
      expect(err.message).to.match(/^key_already_exists/);
      expect(h.json.privateKeys![alias]!.privateKeyHex).to.not.equal(PRIVATE_KEY);
    });

    it("seals plaintext keys found in a file written by another tool, at open (in either layout)", async () => {
      const h = await openKeyStore(home, SECRET);
      const { kdf, check } = JSON.parse(readFileSync(h.file, "utf8"));
      const privateKeys = { a: { alias: "a", type: "Secp256k1", privateKeyHex: PRIVATE_KEY } };
      const layouts = [
        { version: 1, kdf, check, store: { privateKeys } }, // an earlier release's layout: the tree in the clear
        { version: 2, kdf, check, sealed: h.storeKeys.sealer("keystore").seal({ privateKeys }) },
      ];
      for (const layout of layouts) {
        writeFileSync(h.file, JSON.stringify(layout), { mode: 0o644 });
        const reopened = await openKeyStore(home, SECRET);
        expect(leaks(readFileSync(h.file), PRIVATE_KEY)).to.deep.equal([]);
        expect(statSync(h.file).mode & 0o777).to.equal(0o600);
        expect(await reopened.secretBox.decrypt(reopened.json.privateKeys!.a!.privateKeyHex)).to.equal(PRIVATE_KEY);
        const sealedKey = (treeOf(h).privateKeys as Record<string, { privateKeyHex: string }>).a!.privateKeyHex;
        expect(await h.secretBox.decrypt(sealedKey)).to.equal(PRIVATE_KEY);
      }
    });

    it("rewrites an earlier release's store (version 1) sealed: no identifier or alias stays in the clear", async () => {
      const h = await openKeyStore(home, SECRET);
      const { km } = keyManager(h);
      const key = await km.keyManagerImport({ kms: "local", type: "Secp256k1", privateKeyHex: PRIVATE_KEY });
      const did = `did:ethr:${ADDRESS}`;
      await new DIDStoreJson(h.json).importDID({
        did,
        alias: "Ada Lovelace-Byron",
        provider: "did:ethr",
        controllerKeyId: key.kid,
        keys: [key],
        services: [],
      });
      // The same tree in version 1, as an earlier release wrote it (0644 then): DIDs, aliases, public keys readable.
      const { kdf, check } = JSON.parse(readFileSync(h.file, "utf8"));
      writeFileSync(h.file, JSON.stringify({ version: 1, kdf, check, store: treeOf(h) }), { mode: 0o644 });
      expect(readFileSync(h.file, "utf8")).to.contain("Ada Lovelace-Byron");

      const again = await openKeyStore(home, SECRET);
      const text = readFileSync(h.file, "utf8");
      for (const clear of ["Ada Lovelace-Byron", ADDRESS, ADDRESS.toLowerCase().slice(2), key.publicKeyHex, key.kid])
        expect(text).to.not.contain(clear);
      expect(JSON.parse(text).version).to.equal(2);
      expect(statSync(h.file).mode & 0o777).to.equal(0o600);
      expect((await new DIDStoreJson(again.json).getDID({ did })).alias).to.equal("Ada Lovelace-Byron");
      const { km: km2 } = keyManager(again);
      await signsAs(km2, key.kid, ADDRESS);
    });

    it("gives the same store keys at every open, and other ones to a store made anew with the same secret", async () => {
      const a = await openKeyStore(home, SECRET);
      const b = await openKeyStore(home, SECRET);
      const sealed = a.storeKeys.sealer("wallet").seal({ x: 1 });
      expect(b.storeKeys.sealer("wallet").open(sealed, { file: "f", corrupt: "corrupt_wallet" })).to.deep.equal({
        x: 1,
      });
      rmSync(a.file);
      const fresh = await openKeyStore(home, SECRET); // a new salt: a new key
      const err = await rejection(
        Promise.resolve().then(() =>
          fresh.storeKeys.sealer("wallet").open(sealed, { file: "f", corrupt: "corrupt_wallet" }),
        ),
      );
      expect(err.code).to.equal("wrong_store_key");
    });

    it("persists DIDs and deletions", async () => {
      const h = await openKeyStore(home, SECRET);
      const { km } = keyManager(h);
      const key = await km.keyManagerImport({ kms: "local", type: "Secp256k1", privateKeyHex: PRIVATE_KEY });
      const did = `did:ethr:${ADDRESS}`;
      await new DIDStoreJson(h.json).importDID({
        did,
        provider: "did:ethr",
        controllerKeyId: key.kid,
        keys: [key],
        services: [],
      });
      const extra = await km.keyManagerCreate({ kms: "local", type: "Secp256k1" });
      await km.keyManagerDelete({ kid: extra.kid });

      const again = await openKeyStore(home, SECRET);
      expect((await new DIDStoreJson(again.json).getDID({ did })).controllerKeyId).to.equal(key.kid);
      expect(Object.keys(again.json.keys!)).to.deep.equal([key.kid]);
      expect(Object.keys(again.json.privateKeys!)).to.have.length(1);
    });

    it("rewrites a key store file removed while open from memory, not from the last change alone", async () => {
      const h = await openKeyStore(home, SECRET);
      const { km } = keyManager(h);
      const key = await km.keyManagerImport({ kms: "local", type: "Secp256k1", privateKeyHex: PRIVATE_KEY });
      rmSync(h.file);
      const other = await km.keyManagerCreate({ kms: "local", type: "Secp256k1" });
      const again = await openKeyStore(home, SECRET);
      expect(Object.keys(again.json.keys!).sort()).to.deep.equal([key.kid, other.kid].sort());
      expect(leaks(readFileSync(h.file), PRIVATE_KEY)).to.deep.equal([]);
    });

    it("merges writes of two handles (as two processes): neither loses the other's keys", async () => {
      const a = keyManager(await openKeyStore(home, SECRET));
      const bHandle = await openKeyStore(home, SECRET);
      const b = keyManager(bHandle);
      const ka = await a.km.keyManagerImport({ kms: "local", type: "Secp256k1", privateKeyHex: PRIVATE_KEY });
      const kb = await b.km.keyManagerCreate({ kms: "local", type: "Secp256k1" });
      // b's write took in a's key, so b can use it without reopening.
      await signsAs(b.km, ka.kid, ADDRESS);
      const after = await openKeyStore(home, SECRET);
      expect(Object.keys(after.json.keys!).sort()).to.deep.equal([ka.kid, kb.kid].sort());
    });

    it("keeps every key when two processes create one store and keys in it at the same time", async () => {
      const writers = [1, 2].map(() => startFixture("keystore-writer.ts", [home, "6"], { LER_SECRET: SECRET }));
      const exits = await Promise.all(writers.map((w) => w.exited));
      exits.forEach((e, i) => expect(e, writers[i]!.stderr()).to.deep.equal({ code: 0, signal: null }));
      const kids = writers.flatMap((w) => w.lines);
      expect(kids).to.have.length(12);

      const h = await openKeyStore(home, SECRET);
      expect(Object.keys(h.json.keys!).sort()).to.deep.equal([...kids].sort());
      expect(Object.keys(h.json.privateKeys!)).to.have.length(12);
      const { km } = keyManager(h);
      for (const kid of kids) await km.keyManagerSign({ keyRef: kid, data: "x", algorithm: "eth_signMessage" });
    });
  });
});
