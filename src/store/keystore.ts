import { randomBytes, scrypt as scryptCallback, type ScryptOptions } from "node:crypto";
import { chmodSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { PrivateKeyStoreJson, type VeramoJsonCache, type VeramoJsonStore } from "@veramo/data-store-json";
import type { ImportablePrivateKey, ManagedPrivateKey } from "@veramo/key-manager";
import { SecretBox } from "@veramo/kms-local";
import { LerError } from "../errors.js";
import { ensureDir, removeAbandonedTemps, withFileLock, writeFileAtomicSync } from "./files.js";
import { isSealedRecord, StoreKeys, type RecordSealer, type SealedRecord } from "./sealed.js";

/** An open key store: pass `json` to KeyStoreJson, DIDStoreJson and (with `secretBox`) a private-key store. */
export interface KeyStoreHandle {
  /** Veramo's in-memory tree; every `notifyUpdate` persists it to `file`. */
  json: VeramoJsonStore;
  /** Encrypts private keys, with the key derived from the user's secret. */
  secretBox: SecretBox;
  /**
   * The keys of the home's sealed stores (wallet, issued ledger, intent log), derived from the same unlocked key:
   * pass them to `Wallet`, `IssuedLedger` and `PendingWrites`.
   */
  storeKeys: StoreKeys;
  /** `<home>/keystore.json`. */
  file: string;
}

/** Options of {@link openKeyStore}. */
export interface OpenKeyStoreOptions {
  /** How long to wait for another process writing the same store (default 10 s). */
  lockTimeoutMs?: number;
  /**
   * scrypt's cost for a store created by this call (default {@link KDF_DEFAULTS}, at least N = 2^10); an existing
   * store is always opened at the cost its header names. Tests that start hundreds of processes use a low one.
   */
  kdf?: { N: number };
}

/** Key derivation parameters, stored in the file header. */
export interface KdfParams {
  name: "scrypt";
  /** 16 random bytes, hex. */
  salt: string;
  N: number;
  r: number;
  p: number;
}

/**
 * The layout of `keystore.json`. Only the header is in the clear: the key derivation's salt and cost (needed to
 * derive the key from the secret) and the check value (to tell a wrong secret at once). Everything Veramo keeps
 * (identifiers and their aliases, public keys, private keys) is in `sealed`, one sealed record (sealed.ts, the
 * `keystore` key) of the whole tree, in which private keys are sealed once more with the SecretBox.
 */
export interface KeyStoreFile {
  version: 2;
  kdf: KdfParams;
  /** SecretBox encryption of {@link CHECK_PLAINTEXT}: tells a wrong secret from a right one before any key is used. */
  check: string;
  /** The sealed {@link VeramoJsonCache}. */
  sealed: SealedRecord;
}

/**
 * The layout earlier releases wrote (version 1): the same header, and the tree in the clear but for the private keys.
 * Such a file still opens, and is rewritten as version 2 when it is opened with its secret.
 */
export interface LegacyKeyStoreFile {
  version: 1;
  kdf: KdfParams;
  check: string;
  store: VeramoJsonCache;
}

type AnyKeyStoreFile = KeyStoreFile | LegacyKeyStoreFile;

/**
 * scrypt cost for new stores: N = 2^17, r = 8, p = 1, i.e. 128 × N × r = 128 MiB of memory and about 0.45 s per
 * unlock (measured on a 2-core CI machine, Node 20: 0.43–0.60 s; 2^15 took 0.10 s there). Stores written with an
 * earlier cost (2^15 until this change) still open: the cost used is read from each file's header.
 */
export const KDF_DEFAULTS = { N: 1 << 17, r: 8, p: 1 } as const;
const CHECK_PLAINTEXT = "ler-keystore-check-v1";
/** The tables of a VeramoJsonCache; each is a map by id, merged entry by entry when two processes write. */
const TABLES = ["dids", "keys", "privateKeys", "credentials", "claims", "presentations", "messages"] as const;
type Table = (typeof TABLES)[number];
type Tables = Record<Table, Record<string, unknown>>;

/**
 * Opens (or creates) the encrypted key store `<home>/keystore.json`, with `secret` as passphrase.
 *
 * - The directory is created with mode 0700 (an existing one is left as it is); the file is always 0600.
 * - The SecretBox key is scrypt(secret NFC-normalized, salt, 32 bytes); salt and cost are in the file's header, with an
 *   encrypted check value: a wrong secret fails here with `wrong_secret`, not later inside Veramo. The same scrypt
 *   output keys, through HKDF, the sealed tree of this file and the home's other sealed stores (`storeKeys`).
 * - Everything but the header is sealed (see {@link KeyStoreFile}); a version 1 file of an earlier release is
 *   rewritten as version 2 when it is opened.
 * - Every Veramo `notifyUpdate` writes the file atomically under `<home>/keystore.json.lock`. The write re-reads the
 *   file and applies only what this update changed (entries set or deleted, per table), so two processes adding keys at
 *   once both keep theirs; afterwards the in-memory tables take in what other processes wrote.
 * - Private keys never reach the disk in plaintext: before each write every `privateKeys` entry must decrypt with the
 *   box, and one that does not (Veramo's `PrivateKeyStoreJson.listKeys()` decrypts its cache in place, which a
 *   later persist would otherwise write out) is encrypted first; the in-memory copy is replaced by the sealed one.
 *   Use {@link SealedPrivateKeyStore} to avoid the in-place decryption altogether.
 *
 * Errors: `missing_secret`, `wrong_secret`, `corrupt_keystore`, `unsupported_keystore`, `keystore_replaced` (the file
 * was recreated under a different secret while open), `lock_timeout`, `write_failed`.
 */
export async function openKeyStore(
  home: string,
  secret: string,
  options: OpenKeyStoreOptions = {},
): Promise<KeyStoreHandle> {
  if (typeof secret !== "string" || secret.length === 0) {
    throw new LerError("missing_secret", "No key store secret given: set LER_SECRET or enter it when asked.");
  }
  ensureDir(home, 0o700);
  const file = join(home, "keystore.json");
  const lockPath = `${file}.lock`;
  const lockOptions = options.lockTimeoutMs === undefined ? {} : { timeoutMs: options.lockTimeoutMs };

  // The file is only ever replaced atomically, so reading it without the lock sees one complete version.
  let header = readKeyStoreFile(file);
  let unlocked: Unlocked;
  if (header === undefined) {
    const created = await withFileLock(
      lockPath,
      async () => {
        const existing = readKeyStoreFile(file);
        if (existing !== undefined) return undefined; // another process created it first
        const kdf: KdfParams = {
          name: "scrypt",
          salt: randomBytes(16).toString("hex"),
          ...KDF_DEFAULTS,
          ...(options.kdf !== undefined && { N: Math.max(1 << 10, options.kdf.N) }),
        };
        const keys = keysOf(await deriveKey(secret, kdf));
        const fresh: KeyStoreFile = {
          version: 2,
          kdf,
          check: await keys.secretBox.encrypt(CHECK_PLAINTEXT),
          sealed: keys.sealer.seal({}),
        };
        writeFileAtomicSync(file, serializeFile(fresh), { mode: 0o600 });
        return { fresh, keys };
      },
      lockOptions,
    );
    if (created !== undefined) {
      header = created.fresh;
      unlocked = created.keys;
    } else {
      header = readKeyStoreFile(file)!;
      unlocked = await unlock(header, secret, file);
    }
  } else {
    unlocked = await unlock(header, secret, file);
  }
  const { secretBox, storeKeys, sealer } = unlocked;
  tightenMode(file);
  removeAbandonedTemps(file); // they may hold (encrypted) keys: do not leave them lying around

  const kdf = header.kdf;
  const check = header.check;
  const tables = emptyTables();
  const json = tables as VeramoJsonStore;
  json.notifyUpdate = async (oldState, newState) => {
    await withFileLock(lockPath, () => persist(oldState, newState), lockOptions);
  };
  const handle: KeyStoreHandle = { json, secretBox, storeKeys, file };

  /** Read, merge this update into what is on disk, seal, write, refresh memory. Runs under the file lock. */
  async function persist(oldState: Partial<VeramoJsonCache>, newState: Partial<VeramoJsonCache>): Promise<void> {
    // What memory holds now, to tell later whether another task of this process changed an entry meanwhile.
    const before = fingerprint(json);
    const disk = readKeyStoreFile(file);
    if (disk !== undefined && (disk.kdf.salt !== kdf.salt || disk.check !== check)) {
      throw new LerError("keystore_replaced", `${file} was replaced by a store with another secret while open.`, {
        details: { file },
      });
    }
    // A file removed behind our back is rewritten from memory rather than from this update alone.
    const merged = toTables(disk === undefined ? (clone(tables) as VeramoJsonCache) : contentOf(disk, sealer, file));
    for (const t of TABLES) {
      const oldT = (oldState[t] ?? {}) as Record<string, unknown>;
      const newT = (newState[t] ?? {}) as Record<string, unknown>;
      for (const [id, value] of Object.entries(newT)) {
        if (JSON.stringify(value) !== JSON.stringify(oldT[id])) merged[t][id] = clone(value);
      }
      for (const id of Object.keys(oldT)) if (!(id in newT)) delete merged[t][id];
    }
    await sealPrivateKeys(merged.privateKeys, secretBox);
    writeFileAtomicSync(file, serializeFile({ version: 2, kdf, check, sealed: sealer.seal(merged) }), {
      mode: 0o600,
    });
    refresh(json, merged, before);
  }

  // Load, sealing any plaintext a foreign tool may have left, and rewrite at once if there was some, or if the file is
  // an earlier release's (version 1: its tree in the clear).
  const loaded = toTables(contentOf(header, sealer, file));
  const plaintext = await sealPrivateKeys(loaded.privateKeys, secretBox);
  for (const t of TABLES) Object.assign(tables[t], loaded[t]);
  if (plaintext > 0 || header.version === 1) {
    await withFileLock(
      lockPath,
      () => persist({ privateKeys: {} }, { privateKeys: json.privateKeys ?? {} }),
      lockOptions,
    );
  }
  return handle;
}

/**
 * A PrivateKeyStoreJson that never decrypts its cache in place. Veramo's own `listKeys()` (reached through
 * `KeyManagementSystem.listKeys()`) and `importKey()` of an existing alias overwrite the cached ciphertext with the
 * plaintext; until the next persist, `getKey` then fails (it decrypts plaintext) and the plaintext sits in memory.
 * This class works on copies instead. Persisting is safe with either class.
 */
export class SealedPrivateKeyStore extends PrivateKeyStoreJson {
  readonly #tree: VeramoJsonStore;
  readonly #box: SecretBox;

  constructor(jsonStore: VeramoJsonStore, secretBox: SecretBox) {
    super(jsonStore, secretBox);
    this.#tree = jsonStore;
    this.#box = secretBox;
  }

  override async listKeys(): Promise<ManagedPrivateKey[]> {
    const out: ManagedPrivateKey[] = [];
    for (const key of Object.values(this.#tree.privateKeys ?? {})) {
      out.push({ ...clone(key), privateKeyHex: await this.#box.decrypt(key.privateKeyHex) });
    }
    return out;
  }

  override async importKey(args: ImportablePrivateKey): Promise<ManagedPrivateKey> {
    const existing = args.alias === undefined ? undefined : this.#tree.privateKeys?.[args.alias];
    if (existing !== undefined && (await this.#box.decrypt(existing.privateKeyHex)) !== args.privateKeyHex) {
      throw new Error(
        "key_already_exists: A key with this alias exists but with different data. Please use a different alias.",
      );
    }
    return super.importKey(args);
  }
}

/**
 * Encrypts, in place, every entry of `privateKeys` whose `privateKeyHex` is not ciphertext of `box`; returns how many.
 * Ciphertext is recognised by authenticated decryption succeeding (a plaintext key passing poly1305 has odds 2^-128).
 */
async function sealPrivateKeys(privateKeys: Record<string, unknown>, box: SecretBox): Promise<number> {
  let sealed = 0;
  for (const entry of Object.values(privateKeys)) {
    const key = entry as Partial<ManagedPrivateKey>;
    if (typeof key.privateKeyHex !== "string" || key.privateKeyHex.length === 0) continue;
    if (await isSealed(key.privateKeyHex, box)) continue;
    key.privateKeyHex = await box.encrypt(key.privateKeyHex);
    sealed++;
  }
  return sealed;
}

async function isSealed(value: string, box: SecretBox): Promise<boolean> {
  // nonce (24) + MAC (16) + at least one byte, as hex
  if (!/^(?:[0-9a-f]{2})+$/i.test(value) || value.length < 2 * 41) return false;
  // SecretBox.decrypt answers "" when authentication fails: that is the test, not an error to report.
  return (await box.decrypt(value)) !== "";
}

/** What the unlocked key opens: the private keys' SecretBox, the home's store keys, and this file's sealer. */
interface Unlocked {
  secretBox: SecretBox;
  storeKeys: StoreKeys;
  sealer: RecordSealer;
}

function keysOf(key: Buffer): Unlocked {
  const storeKeys = StoreKeys.fromKeyMaterial(key);
  return { secretBox: new SecretBox(key.toString("hex")), storeKeys, sealer: storeKeys.sealer("keystore") };
}

async function unlock(header: AnyKeyStoreFile, secret: string, file: string): Promise<Unlocked> {
  const keys = keysOf(await deriveKey(secret, header.kdf));
  const box = keys.secretBox;
  let plain: string;
  try {
    plain = await box.decrypt(header.check);
  } catch (e) {
    throw new LerError("corrupt_keystore", `The check value in ${file} is malformed.`, { cause: e, details: { file } });
  }
  if (plain !== CHECK_PLAINTEXT) {
    throw new LerError("wrong_secret", `The secret does not open the key store ${file}. Check LER_SECRET.`, {
      details: { file },
    });
  }
  return keys;
}

/** scrypt → 32-byte key (as hex, it is SecretBox's key; through HKDF, the sealed stores'). */
async function deriveKey(secret: string, kdf: KdfParams): Promise<Buffer> {
  // Node refuses scrypt above `maxmem` (32 MiB by default): 128 × N × r bytes are needed, twice that is allowed.
  const options: ScryptOptions = { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + (1 << 20) };
  const key = await new Promise<Buffer>((resolve, reject) =>
    scryptCallback(secret.normalize("NFC"), Buffer.from(kdf.salt, "hex"), 32, options, (err, k) =>
      err ? reject(err) : resolve(k),
    ),
  );
  return key;
}

/** The tree a file holds: as written (version 1), or opened (version 2) and checked. */
function contentOf(f: AnyKeyStoreFile, sealer: RecordSealer, file: string): VeramoJsonCache {
  if (f.version === 1) return f.store;
  const store = sealer.open(f.sealed, { file, corrupt: "corrupt_keystore" });
  if (!isObject(store)) throw corruptKeyStore(file, "the sealed store is not an object");
  checkTables(store, file);
  return store as VeramoJsonCache;
}

function corruptKeyStore(file: string, why: string, cause?: unknown): LerError {
  return new LerError("corrupt_keystore", `The key store ${file} is corrupt (${why}).`, {
    details: { file },
    ...(cause === undefined ? {} : { cause }),
  });
}

function checkTables(store: Record<string, unknown>, file: string): void {
  for (const t of TABLES)
    if (store[t] !== undefined && !isObject(store[t])) throw corruptKeyStore(file, `table ${t} is not a map`);
}

function readKeyStoreFile(file: string): AnyKeyStoreFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new LerError("read_failed", `Cannot read ${file}.`, { cause: e, details: { file } });
  }
  const corrupt = (why: string, cause?: unknown) => corruptKeyStore(file, why, cause);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw corrupt("not JSON", e);
  }
  if (!isObject(v)) throw corrupt("not an object");
  if (v.version !== 1 && v.version !== 2) {
    throw new LerError(
      "unsupported_keystore",
      `The key store ${file} has version ${String(v.version)}; this release reads 1 and 2.`,
      { details: { file, version: v.version } },
    );
  }
  const kdf = v.kdf;
  if (!isObject(kdf) || kdf.name !== "scrypt") throw corrupt("unknown key derivation");
  const { salt, N, r, p } = kdf;
  if (typeof salt !== "string" || !/^[0-9a-f]{32,}$/i.test(salt)) throw corrupt("bad salt");
  // Bounds keep a hostile header from making us allocate gigabytes; they admit every sane scrypt setting.
  const pow2 = (n: unknown): n is number =>
    Number.isSafeInteger(n) && (n as number) >= 2 && ((n as number) & ((n as number) - 1)) === 0;
  if (!pow2(N) || N > 1 << 20) throw corrupt("bad scrypt N");
  if (!Number.isSafeInteger(r) || (r as number) < 1 || (r as number) > 32) throw corrupt("bad scrypt r");
  if (!Number.isSafeInteger(p) || (p as number) < 1 || (p as number) > 16) throw corrupt("bad scrypt p");
  if (128 * N * (r as number) > 1 << 28) throw corrupt("scrypt memory over 256 MiB");
  if (typeof v.check !== "string") throw corrupt("no check value");
  const header = { kdf: { name: "scrypt" as const, salt, N, r: r as number, p: p as number }, check: v.check };
  if (v.version === 2) {
    if (!isSealedRecord(v.sealed)) throw corrupt("no sealed store");
    return { version: 2, ...header, sealed: v.sealed };
  }
  if (!isObject(v.store)) throw corrupt("no store");
  checkTables(v.store, file);
  return { version: 1, ...header, store: v.store as VeramoJsonCache };
}

function serializeFile(f: KeyStoreFile): string {
  return JSON.stringify(f, null, 2) + "\n";
}

/** A file left with group or world access by another tool is narrowed to 0600; it holds our keys. */
function tightenMode(file: string): void {
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
}

function emptyTables(): Tables {
  return Object.fromEntries(TABLES.map((t) => [t, {}])) as Tables;
}

function toTables(store: VeramoJsonCache): Tables {
  const out = emptyTables();
  for (const t of TABLES) Object.assign(out[t], clone(store[t] ?? {}));
  return out;
}

/** Per table and id, the JSON of what `json` holds now. */
function fingerprint(json: VeramoJsonStore): Record<Table, Map<string, string>> {
  const out = {} as Record<Table, Map<string, string>>;
  for (const t of TABLES) {
    out[t] = new Map(
      Object.entries((json[t] ?? {}) as Record<string, unknown>).map(([id, v]) => [id, JSON.stringify(v)]),
    );
  }
  return out;
}

/**
 * Makes memory match what was written, entry by entry, except entries another task of this process changed while
 * the write was in progress: those have their own update queued and must not be overwritten.
 */
function refresh(json: VeramoJsonStore, written: Tables, before: Record<Table, Map<string, string>>): void {
  for (const t of TABLES) {
    const live = ((json as unknown as Record<Table, Record<string, unknown> | undefined>)[t] ??= {});
    const ids = new Set([...Object.keys(live), ...Object.keys(written[t]), ...before[t].keys()]);
    for (const id of ids) {
      const now = id in live ? JSON.stringify(live[id]) : undefined;
      if (now !== before[t].get(id)) continue;
      if (id in written[t]) live[id] = clone(written[t][id]);
      else delete live[id];
    }
  }
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
