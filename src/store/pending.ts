import { join } from "node:path";
import { LerError } from "../errors.js";
import { ensureDir, withFileLock } from "./files.js";
import { issuerFileKey } from "./issuer.js";
import { SealedJsonLines } from "./jsonl.js";
import type { StoreKeys } from "./sealed.js";

/**
 * On-chain batch writes that may be retried after a crash. This log only makes sure nothing is forgotten; what makes a
 * blind retry safe is the chain: both kinds are idempotent in the StatusRegistry.
 * - revocation: `revokeIndices`/`revokeWords` set bits (OR: setting a set bit changes nothing), and `revokeHashes` is
 *   first-wins (a repeat neither moves the revocation time nor logs again). A retry costs gas, nothing else.
 * - anchor: `anchor` reverts with `StatusRegistryAlreadyAnchored(issuer, root, timestamp)` for a root it holds. A
 *   retry that reverts so means an earlier attempt landed: read `anchorOf(issuer, root)` for its block, then markDone.
 * A crash between sending and `markDone` can leave the first transaction in flight while the retry is sent; by the
 * same properties, both landing is harmless.
 * Suspension is deliberately not here: suspend and reinstate undo each other, so replaying an old one is not safe.
 */
export type IntentKind = "revocation" | "anchor";

/** A chain write the issuer is about to send. */
export interface Intent {
  /** Chosen by the caller and stable across retries (e.g. the batch id or Merkle root). */
  id: string;
  kind: IntentKind;
  issuer: string;
  /** What is needed to send it again: JSON only (encode bigints as strings). */
  payload: unknown;
  /**
   * The chain the write is for. With `registry`, part of every intent the plugin records (and of its id): one home
   * used on two networks keeps their writes apart. Absent in logs written before that (legacy intents).
   */
  chainId?: number;
  /** The StatusRegistry the write is for (lower-case address); see `chainId`. */
  registry?: string;
}

/** Where a write landed. */
export interface IntentReceipt {
  txHash: string;
  block: number;
}

/** Options of the log's operations. */
export interface PendingOptions {
  /** How long to wait for another process using the log (default 10 s). */
  lockTimeoutMs?: number;
}

type Entry =
  | ({ op: "intent" } & Intent)
  | ({ op: "done"; id: string } & IntentReceipt)
  | { op: "reopen"; id: string; txHash: string };

const KINDS: readonly string[] = ["revocation", "anchor"];

/**
 * A durable intent log, `<dir>/pending/intents.jsonl`: record an intent (fsynced) before sending the transaction,
 * mark it done after the receipt is confirmed, and on restart send again whatever `listPending()` returns. Every
 * line is a sealed record (sealed.ts, the `intents` key), the file 0600: an intent names no learner, but its payload
 * says which credentials (status indices, credential hashes) an issuer is about to revoke. A plaintext log of an
 * earlier release is sealed on first use.
 *
 * Errors: `invalid_intent`, `intent_conflict` (same id, other content), `intent_done` (recording an id already
 * done), `unknown_intent`, `corrupt_log`, `wrong_store_key`, `store_locked`, `lock_timeout`.
 */
export class PendingWrites {
  readonly dir: string;
  readonly #lines: SealedJsonLines;

  /** `keys`: the home's store keys (the key store's `storeKeys`). */
  constructor(dir: string, keys: StoreKeys) {
    this.dir = dir;
    this.#lines = new SealedJsonLines(keys.sealer("intents"), "corrupt_log");
  }

  /** Records `intent` durably; recording the same pending intent again is a no-op. */
  async recordIntent(intent: Intent, options: PendingOptions = {}): Promise<{ alreadyPending: boolean }> {
    const entry = intentEntry(intent);
    return this.#locked(options, (file) => {
      const { intents, done } = this.#load(file);
      const previous = intents.get(intent.id);
      if (previous !== undefined) {
        if (JSON.stringify(previous) !== JSON.stringify(entry)) {
          throw new LerError("intent_conflict", `Intent ${intent.id} was recorded with other content.`, {
            details: { id: intent.id },
          });
        }
        const receipt = done.get(intent.id);
        if (receipt !== undefined) {
          throw new LerError("intent_done", `Intent ${intent.id} is already done (tx ${receipt.txHash}).`, {
            details: { id: intent.id, ...receipt },
          });
        }
        return { alreadyPending: true };
      }
      this.#lines.append(file, [entry]);
      return { alreadyPending: false };
    });
  }

  /** Marks the intent `id` as confirmed on chain; marking it again with the same receipt is a no-op. */
  async markDone(id: string, receipt: IntentReceipt, options: PendingOptions = {}): Promise<void> {
    checkReceipt(receipt);
    await this.#locked(options, (file) => {
      const { intents, done } = this.#load(file);
      if (!intents.has(id)) throw new LerError("unknown_intent", `No intent ${id} was recorded.`, { details: { id } });
      const previous = done.get(id);
      if (previous !== undefined) {
        if (previous.txHash.toLowerCase() === receipt.txHash.toLowerCase() && previous.block === receipt.block) return;
        throw new LerError("intent_conflict", `Intent ${id} is already done with tx ${previous.txHash}.`, {
          details: { id, ...previous },
        });
      }
      this.#lines.append(file, [{ op: "done", id, txHash: receipt.txHash.toLowerCase(), block: receipt.block }]);
    });
  }

  /**
   * Makes the intent `id` pending again: the write it was marked done with (`txHash`) is no longer on the canonical
   * chain, a reorganisation dropped it. Nothing happens when it is pending already or done with another transaction
   * (another process sent it again and marked that first).
   */
  async reopen(id: string, txHash: string, options: PendingOptions = {}): Promise<void> {
    await this.#locked(options, (file) => {
      const { intents, done } = this.#load(file);
      if (!intents.has(id)) throw new LerError("unknown_intent", `No intent ${id} was recorded.`, { details: { id } });
      if (done.get(id)?.txHash.toLowerCase() !== txHash.toLowerCase()) return;
      this.#lines.append(file, [{ op: "reopen", id, txHash: txHash.toLowerCase() }]);
    });
  }

  /** Intents recorded and not yet done, oldest first. */
  async listPending(options: PendingOptions = {}): Promise<Intent[]> {
    return this.#locked(options, (file) => {
      const { intents, done } = this.#load(file);
      return [...intents.values()].filter((i) => !done.has(i.id)).map(({ op: _op, ...intent }) => intent);
    });
  }

  /**
   * Rewrites the log with only the pending intents (atomically), so that it does not grow forever. Done ids are
   * forgotten afterwards: recording one of them again is accepted as new.
   */
  async compact(options: PendingOptions = {}): Promise<{ kept: number; dropped: number }> {
    return this.#locked(options, (file) => {
      const { intents, done } = this.#load(file);
      const kept = [...intents.values()].filter((i) => !done.has(i.id));
      this.#lines.rewrite(file, kept);
      return { kept: kept.length, dropped: intents.size - kept.length };
    });
  }

  #locked<T>(options: PendingOptions, fn: (file: string) => T): Promise<T> {
    const dir = join(this.dir, "pending");
    ensureDir(dir, 0o700);
    const lockOptions = options.lockTimeoutMs === undefined ? {} : { timeoutMs: options.lockTimeoutMs };
    return withFileLock(join(dir, "intents.lock"), () => fn(join(dir, "intents.jsonl")), lockOptions);
  }

  #load(file: string): { intents: Map<string, IntentEntry>; done: Map<string, IntentReceipt> } {
    const intents = new Map<string, IntentEntry>();
    const done = new Map<string, IntentReceipt>();
    const { values } = this.#lines.read(file);
    values.forEach((v, i) => {
      const e = v as Partial<Entry> | null;
      const bad = () =>
        new LerError("corrupt_log", `Line ${i + 1} of ${file} is not an intent log entry.`, {
          details: { file, line: i + 1 },
        });
      if (typeof e !== "object" || e === null || typeof e.id !== "string") throw bad();
      if (e.op === "intent") {
        const intent = intentFromEntry(e);
        if (intent === undefined) throw bad();
        intents.set(e.id, intent);
      } else if (e.op === "done") {
        if (typeof e.txHash !== "string" || typeof e.block !== "number") throw bad();
        done.set(e.id, { txHash: e.txHash, block: e.block });
      } else if (e.op === "reopen") {
        if (typeof e.txHash !== "string") throw bad();
        if (done.get(e.id)?.txHash === e.txHash) done.delete(e.id);
      } else {
        throw bad();
      }
    });
    return { intents, done };
  }
}

/** An intent as it is logged: `op: "intent"` and the intent, its fields always in the same order. */
export type IntentEntry = Entry & { op: "intent" };

/**
 * The intent from a logged entry (`op: "intent"`), or undefined when `v` is not one (the caller reports it as
 * corrupt): the same check for every IntentLog (types.ts).
 */
export function intentFromEntry(v: unknown): IntentEntry | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  const e = v as Partial<IntentEntry>;
  if (e.op !== "intent" || typeof e.id !== "string") return undefined;
  if (typeof e.kind !== "string" || !KINDS.includes(e.kind) || typeof e.issuer !== "string") return undefined;
  if (e.chainId !== undefined && (!Number.isSafeInteger(e.chainId) || e.chainId <= 0)) return undefined;
  if (e.registry !== undefined && (typeof e.registry !== "string" || !/^0x[0-9a-f]{40}$/.test(e.registry)))
    return undefined;
  return entryOf(e.id, e.kind, e.issuer, e.payload, e.chainId, e.registry);
}

/** Checks a receipt (`invalid_intent`): a transaction hash and a block number. */
export function checkReceipt(receipt: IntentReceipt): void {
  if (typeof receipt?.txHash !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(receipt.txHash)) {
    throw new LerError("invalid_intent", `Not a transaction hash: ${String(receipt?.txHash)}.`);
  }
  if (!Number.isSafeInteger(receipt.block) || receipt.block < 0) {
    throw new LerError("invalid_intent", `Not a block number: ${String(receipt.block)}.`);
  }
}

/** The entry of `intent`, checked (`invalid_intent`, `invalid_address`), issuer and registry lowercase. */
export function intentEntry(intent: Intent): IntentEntry {
  const bad = (why: string) => new LerError("invalid_intent", `Intent ${why}.`, { details: { id: intent?.id } });
  if (typeof intent !== "object" || intent === null) throw bad("is not an object");
  if (typeof intent.id !== "string" || intent.id.length === 0 || intent.id.length > 256) throw bad("has no usable id");
  if (!KINDS.includes(intent.kind)) throw bad(`has unknown kind ${String(intent.kind)}`);
  const issuer = issuerFileKey(intent.issuer);
  let text: string | undefined;
  try {
    text = JSON.stringify(intent.payload);
  } catch (e) {
    throw new LerError(
      "invalid_intent",
      `Intent ${intent.id} has a payload that is not JSON (bigints must be strings).`,
      {
        cause: e,
        details: { id: intent.id },
      },
    );
  }
  if (text === undefined) throw bad("has no payload");
  if (intent.chainId !== undefined && (!Number.isSafeInteger(intent.chainId) || intent.chainId <= 0))
    throw bad("has a malformed chain id");
  if (
    intent.registry !== undefined &&
    (typeof intent.registry !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(intent.registry))
  ) {
    throw bad("has a malformed registry address");
  }
  return entryOf(
    intent.id,
    intent.kind,
    issuer,
    JSON.parse(text) as unknown,
    intent.chainId,
    intent.registry?.toLowerCase(),
  );
}

/** A log entry, its fields always in the same order (entries are compared as JSON). */
function entryOf(
  id: string,
  kind: IntentKind,
  issuer: string,
  payload: unknown,
  chainId?: number,
  registry?: string,
): Entry & { op: "intent" } {
  return {
    op: "intent",
    id,
    kind,
    issuer,
    payload,
    ...(chainId !== undefined && { chainId }),
    ...(registry !== undefined && { registry }),
  };
}
