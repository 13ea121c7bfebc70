import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { LerError, type ErrorCode } from "../errors.js";

/**
 * Encryption of the home's data at rest. Every store that can hold personal data (a learner's name, a subject's DID,
 * a credential) writes only sealed records: AES-256-GCM under a key of its own, derived with HKDF-SHA256 from the
 * key store's key (scrypt of the secret: see keystore.ts), so the secret that opens the keys opens the data and
 * nothing else does. A record is one JSON object, `{"v":1,"k":<key id>,"n":<nonce>,"c":<ciphertext and tag>}`, small
 * enough to be one line of an append-only log: crash safety stays line by line (a torn last line is still just an
 * incomplete line), and a complete line that does not authenticate is corruption, never skipped.
 *
 * - `k`, the key id, is 8 bytes of HKDF output of the same key material under another label: it tells "sealed under
 *   another key store" (`wrong_store_key`) from "damaged" (the store's corrupt code) without trying to decrypt, and
 *   reveals nothing a guess of the secret could not already be checked against (the key store's header has its own
 *   check value, as costly to test).
 * - `n` is a random 96-bit nonce per record (a store key seals far fewer than the 2^32 records GCM allows with random
 *   nonces).
 * - The additional data is `ler-sealed-v1 <store>`: a record of one store does not open as another's.
 * - The plaintext is the record's JSON padded with spaces to a multiple of {@link PAD_TO} bytes, so a record's length
 *   says little about a name's or a credential's length.
 */

/** The stores whose records are sealed, each with its own key. */
export type StoreName = "keystore" | "wallet" | "ledger" | "intents" | "audit";

/** A sealed record as it is written. */
export interface SealedRecord {
  v: 1;
  /** Key id: 16 hex digits. */
  k: string;
  /** Nonce, base64url (12 bytes). */
  n: string;
  /** Ciphertext followed by the 16-byte GCM tag, base64url. */
  c: string;
}

/** Plaintexts are padded to a multiple of this many bytes. */
export const PAD_TO = 64;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const LABEL = "ler at-rest v1";

/**
 * The keys of the sealed stores of one home. Made by the key store from its unlocked key ({@link openKeyStore}'s
 * `storeKeys`); {@link StoreKeys.locked} stands in where no secret was given (an agent that only verifies), and
 * fails with `store_locked` the moment a sealed store is used.
 */
export class StoreKeys {
  readonly #ikm: Buffer | undefined;
  readonly #sealers = new Map<StoreName, RecordSealer>();

  private constructor(ikm: Buffer | undefined) {
    this.#ikm = ikm;
  }

  /** Keys derived from `keyMaterial` (at least 32 bytes of secret key: the key store's scrypt output). */
  static fromKeyMaterial(keyMaterial: Uint8Array): StoreKeys {
    if (!(keyMaterial instanceof Uint8Array) || keyMaterial.length < 32) {
      throw new LerError("internal_error", "Store keys need at least 32 bytes of key material.");
    }
    return new StoreKeys(Buffer.from(keyMaterial));
  }

  /** Keys that are not there: every seal or open fails with `store_locked`. */
  static locked(): StoreKeys {
    return new StoreKeys(undefined);
  }

  /** Whether these keys can seal and open (false for {@link StoreKeys.locked}). */
  get unlocked(): boolean {
    return this.#ikm !== undefined;
  }

  /** The sealer of one store. */
  sealer(store: StoreName): RecordSealer {
    let s = this.#sealers.get(store);
    if (s === undefined) {
      s =
        this.#ikm === undefined
          ? new RecordSealer(store, undefined, "")
          : new RecordSealer(
              store,
              derive(this.#ikm, `${LABEL} ${store} aes-256-gcm`, 32),
              derive(this.#ikm, `${LABEL} ${store} key-id`, 8).toString("hex"),
            );
      this.#sealers.set(store, s);
    }
    return s;
  }
}

/** Where a record was read from, for the errors of {@link RecordSealer.open}. */
export interface RecordOrigin {
  file: string;
  /** 1-based line of a JSON-lines file. */
  line?: number;
  /** The code of a record that is damaged (does not authenticate under the right key). */
  corrupt: ErrorCode;
}

/** Seals and opens the records of one store. */
export class RecordSealer {
  readonly store: StoreName;
  /** The id of this store's key, as records carry it ("" when locked). */
  readonly keyId: string;
  readonly #key: Buffer | undefined;
  readonly #aad: Buffer;

  /** @internal Made by {@link StoreKeys.sealer}. */
  constructor(store: StoreName, key: Buffer | undefined, keyId: string) {
    this.store = store;
    this.#key = key;
    this.keyId = keyId;
    this.#aad = Buffer.from(`ler-sealed-v1 ${store}`, "utf8");
  }

  /** Seals a JSON value. */
  seal(value: unknown): SealedRecord {
    const key = this.#unlocked();
    const json = JSON.stringify(value);
    if (json === undefined) throw new LerError("internal_error", `Cannot seal a value that is not JSON.`);
    const text = Buffer.from(json, "utf8");
    const padded = Buffer.alloc(Math.ceil((text.length + 1) / PAD_TO) * PAD_TO, 0x20);
    text.copy(padded);
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(this.#aad);
    const body = Buffer.concat([cipher.update(padded), cipher.final(), cipher.getAuthTag()]);
    return { v: 1, k: this.keyId, n: nonce.toString("base64url"), c: body.toString("base64url") };
  }

  /**
   * Opens a sealed record. Errors: `wrong_store_key` (sealed under another key store's secret), `origin.corrupt`
   * (sealed under this key but damaged, or not a record at all), `store_locked`.
   */
  open(record: SealedRecord, origin: RecordOrigin): unknown {
    const key = this.#unlocked();
    const where = origin.line === undefined ? origin.file : `line ${origin.line} of ${origin.file}`;
    const details = { file: origin.file, ...(origin.line === undefined ? {} : { line: origin.line }) };
    if (record.k !== this.keyId) {
      throw new LerError(
        "wrong_store_key",
        `${where} was encrypted under another key store's secret: the key store of this home was replaced, or the ` +
          `file comes from another home. Restore the key store it was written with (keystore.json and its secret).`,
        { details: { ...details, store: this.store } },
      );
    }
    const nonce = Buffer.from(record.n, "base64url");
    const body = Buffer.from(record.c, "base64url");
    let plain: Buffer;
    try {
      if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) throw new Error("truncated record");
      const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(this.#aad);
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      plain = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
    } catch (e) {
      throw new LerError(origin.corrupt, `${where} is damaged: it does not decrypt (authentication failed).`, {
        cause: e,
        details,
      });
    }
    try {
      return JSON.parse(plain.toString("utf8")) as unknown;
    } catch (e) {
      throw new LerError(origin.corrupt, `${where} decrypts to something that is not JSON.`, { cause: e, details });
    }
  }

  #unlocked(): Buffer {
    if (this.#key === undefined) {
      throw new LerError(
        "store_locked",
        `The ${this.store} is encrypted with the key store's secret, and this was opened without it.`,
        { details: { store: this.store } },
      );
    }
    return this.#key;
  }
}

/** Whether `v` has the shape of a sealed record (any other JSON line is a plaintext record of an earlier release). */
export function isSealedRecord(v: unknown): v is SealedRecord {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  return (
    keys.length === 4 &&
    o.v === 1 &&
    typeof o.k === "string" &&
    /^[0-9a-f]{16}$/.test(o.k) &&
    typeof o.n === "string" &&
    /^[A-Za-z0-9_-]+$/.test(o.n) &&
    typeof o.c === "string" &&
    /^[A-Za-z0-9_-]+$/.test(o.c)
  );
}

function derive(ikm: Buffer, info: string, length: number): Buffer {
  return Buffer.from(hkdfSync("sha256", ikm, Buffer.alloc(0), Buffer.from(info, "utf8"), length));
}
