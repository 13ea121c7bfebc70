import { join } from "node:path";
import { keccak256, toUtf8Bytes } from "ethers";
import { LerError } from "../errors.js";
import { ensureDir, withFileLock } from "../store/files.js";
import { SealedJsonLines } from "../store/jsonl.js";
import type { StoreKeys } from "../store/sealed.js";

/** One credential in the holder's wallet. */
export interface WalletEntry {
  /** The credential's id (its `jti`), or the hash of the JWT when it has none. */
  id: string;
  jwt: string;
  /** When it was stored, ISO 8601. */
  addedAt: string;
}

/**
 * The holder's wallet: `<home>/wallet/credentials.jsonl`, one credential per line, appended durably under a lock
 * (two `ler wallet add` at once both keep theirs). Credentials are stored as received, each line a sealed record
 * (store/sealed.ts: AES-256-GCM under the wallet's key, derived from the key store's secret), in a 0600 file: nothing
 * of a credential, not even its id, is readable without the secret. A plaintext wallet of an earlier release is
 * sealed the first time it is opened.
 *
 * Errors: `corrupt_wallet` (a line that does not decrypt, or is not an entry), `wrong_store_key`, `store_locked`.
 */
export class Wallet {
  readonly dir: string;
  readonly #lines: SealedJsonLines;

  /** `keys`: the home's store keys (the key store's `storeKeys`). */
  constructor(home: string, keys: StoreKeys) {
    this.dir = join(home, "wallet");
    this.#lines = new SealedJsonLines(keys.sealer("wallet"), "corrupt_wallet");
  }

  get file(): string {
    return join(this.dir, "credentials.jsonl");
  }

  /** Adds credentials not already present (same id); returns which were added and which were already there. */
  async add(
    items: readonly { id: string | undefined; jwt: string }[],
    now: Date,
  ): Promise<{ added: WalletEntry[]; present: WalletEntry[] }> {
    return this.#locked(() => {
      const existing = this.#read();
      const byId = new Map(existing.map((e) => [e.id, e]));
      const added: WalletEntry[] = [];
      const present: WalletEntry[] = [];
      for (const item of items) {
        const id = item.id ?? keccak256(toUtf8Bytes(item.jwt));
        const known = byId.get(id);
        if (known !== undefined) {
          present.push(known);
          continue;
        }
        const entry = { id, jwt: item.jwt, addedAt: now.toISOString() };
        byId.set(id, entry);
        added.push(entry);
      }
      this.#lines.append(this.file, added);
      return { added, present };
    });
  }

  async list(): Promise<WalletEntry[]> {
    return this.#locked(() => this.#read());
  }

  /** Removes the entries with these ids; returns those it removed. */
  async remove(ids: readonly string[]): Promise<WalletEntry[]> {
    return this.#locked(() => {
      const all = this.#read();
      const drop = new Set(ids);
      const removed = all.filter((e) => drop.has(e.id));
      if (removed.length > 0)
        this.#lines.rewrite(
          this.file,
          all.filter((e) => !drop.has(e.id)),
        );
      return removed;
    });
  }

  #read(): WalletEntry[] {
    return this.#lines.read(this.file).values.map((v, i) => {
      const e = v as Partial<WalletEntry> | null;
      if (typeof e?.id !== "string" || typeof e.jwt !== "string" || typeof e.addedAt !== "string") {
        throw new LerError("corrupt_wallet", `Line ${i + 1} of ${this.file} is not a wallet entry.`, {
          details: { file: this.file, line: i + 1 },
        });
      }
      return { id: e.id, jwt: e.jwt, addedAt: e.addedAt };
    });
  }

  #locked<T>(fn: () => T): Promise<T> {
    ensureDir(this.dir, 0o700);
    return withFileLock(join(this.dir, "credentials.lock"), fn);
  }
}
