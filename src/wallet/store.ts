import { join } from "node:path";
import { keccak256, toUtf8Bytes } from "ethers";
import { LerError } from "../errors.js";
import { ensureDir, withFileLock, writeFileAtomicSync } from "../store/files.js";
import { appendJsonLines, readJsonLines } from "../store/jsonl.js";

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
 * (two `ler wallet add` at once both keep theirs). Credentials are stored as received; they hold no keys.
 */
export class Wallet {
  readonly dir: string;

  constructor(home: string) {
    this.dir = join(home, "wallet");
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
      appendJsonLines(this.file, added);
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
      if (removed.length > 0) {
        writeFileAtomicSync(
          this.file,
          all
            .filter((e) => !drop.has(e.id))
            .map((e) => `${JSON.stringify(e)}\n`)
            .join(""),
        );
      }
      return removed;
    });
  }

  #read(): WalletEntry[] {
    return readJsonLines(this.file).values.map((v, i) => {
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
