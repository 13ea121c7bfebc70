import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { Signature, Transaction } from "ethers";
import { systemClock, unixSeconds } from "../clock.js";
import { LerError } from "../errors.js";
import { parseDeployment, type Deployment } from "./deployments.js";

/**
 * The state file of a dev chain (`ler node`): a journal from which the chain is rebuilt, block by block, when the node
 * starts again. Hardhat's simulated chain (EDR) can neither dump nor load its state, but it is deterministic: the same
 * genesis time and the same signed transactions, mined at the same timestamps, make the very same blocks (hashes and
 * state roots included). So the file records what made each block and nothing else.
 *
 * Format: JSON Lines, one record a line, appended and fsynced as each block is mined (before the request that mined it
 * is answered). The first line is the header: `{format: "ler-devchain-state", version: 1, chainId, genesis: {hash,
 * timestamp}, created, hardhat}`. Then records, by `k`:
 * - `block`: `{n, ts, hash, wall, off, txs}`: block `n`, its timestamp and hash, the wall-clock second it was saved at,
 *   how far the chain's clock ran ahead of the wall clock after it (seconds: `evm_increaseTime` and the like move it),
 *   and its transactions as signed raw transactions, in block order;
 * - `call`: `{m, p}`: a JSON-RPC call that changed the chain between blocks (`hardhat_setBalance`, `evm_increaseTime`, …);
 * - `snapshot` / `revert`: `{id}`: `evm_snapshot` and a successful `evm_revert` (the records since the snapshot are void);
 * - `deployment`: `{deployment, governor}`: the registries `ler node` deployed on this chain;
 * - `session`: `{at, hardhat}`: the node started (snapshot ids start again).
 *
 * A crash can leave a torn last line: it is dropped (and cut off before the next append). Anything else that is not a
 * record refuses the file (`state_corrupt`) rather than rebuild another chain than the one recorded.
 */

export const STATE_FORMAT = "ler-devchain-state";
export const STATE_VERSION = 1;

export interface StateHeader {
  format: typeof STATE_FORMAT;
  version: number;
  chainId: number;
  /** Block 0: Hardhat makes it from the genesis time (its `initialDate`), the dev accounts and the hardfork. */
  genesis: { hash: string; timestamp: number };
  created: string;
  /** The Hardhat version that made the chain (another may make other blocks of the same transactions). */
  hardhat?: string;
}

export type StateRecord =
  | { k: "session"; at: string; hardhat?: string }
  | { k: "block"; n: number; ts: number; hash: string; wall: number; off: number; txs: string[] }
  | { k: "call"; m: string; p: unknown[] }
  | { k: "snapshot"; id: string }
  | { k: "revert"; id: string }
  | { k: "deployment"; deployment: Deployment; governor: string };

export interface StateFile {
  file: string;
  header: StateHeader;
  records: StateRecord[];
  /** Bytes of the header and the whole records: where the next record goes. */
  length: number;
  /** Bytes of a torn last record, dropped. */
  torn: number;
}

// ---- reading -------------------------------------------------------------------------------------------------------

/** Reads a state file; `undefined` when there is none. */
export function readStateFile(file: string): StateFile | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new LerError("read_failed", `Cannot read the dev chain's state file ${file}.`, { cause: e });
  }
  const corrupt = (why: string) =>
    new LerError(
      "state_corrupt",
      `${file} ${why}: it is not used (nothing was changed). Start \`ler node\` with another --state, or --fresh to replace it.`,
      { details: { file } },
    );
  let header: StateHeader | undefined;
  const records: StateRecord[] = [];
  let start = 0;
  let length = 0;
  let line = 0;
  while (start < bytes.length) {
    const nl = bytes.indexOf(0x0a, start);
    if (nl < 0) break; // the torn tail
    line++;
    const text = bytes.subarray(start, nl).toString("utf8");
    const last = bytes.indexOf(0x0a, nl + 1) < 0;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (header === undefined) {
      header = parseHeader(value);
      if (header === undefined) throw corrupt("is not a ler dev chain state file");
      if (header.version > STATE_VERSION)
        throw corrupt(`was written by a newer ler (state file version ${header.version})`);
    } else {
      const record = parseRecord(value);
      if (record === undefined) {
        // A complete last line that is not a record is a write the crash cut short (the file system kept its length,
        // not all of its bytes): torn, like a line without its newline.
        if (last && isBlank(bytes.subarray(nl + 1))) break;
        throw corrupt(`has a malformed record on line ${line}`);
      }
      records.push(record);
    }
    start = nl + 1;
    length = start;
  }
  if (header === undefined) throw corrupt("is not a ler dev chain state file");
  return { file, header, records, length, torn: bytes.length - length };
}

function isBlank(bytes: Buffer): boolean {
  return bytes.every((b) => b === 0 || b === 0x0a || b === 0x20);
}

const HASH = /^0x[0-9a-f]{64}$/;
const HEX = /^0x[0-9a-f]*$/;

function parseHeader(v: unknown): StateHeader | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const h = v as Record<string, unknown>;
  const g = h.genesis as Record<string, unknown> | undefined;
  if (h.format !== STATE_FORMAT || !Number.isSafeInteger(h.version) || !Number.isSafeInteger(h.chainId))
    return undefined;
  if (typeof g !== "object" || g === null || typeof g.hash !== "string" || !HASH.test(g.hash)) return undefined;
  if (!Number.isSafeInteger(g.timestamp) || typeof h.created !== "string") return undefined;
  return {
    format: STATE_FORMAT,
    version: h.version as number,
    chainId: h.chainId as number,
    genesis: { hash: g.hash, timestamp: g.timestamp as number },
    created: h.created,
    ...(typeof h.hardhat === "string" && { hardhat: h.hardhat }),
  };
}

function parseRecord(v: unknown): StateRecord | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const r = v as Record<string, unknown>;
  const int = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
  switch (r.k) {
    case "block":
      if (!int(r.n) || !int(r.ts) || !int(r.wall) || typeof r.hash !== "string" || !HASH.test(r.hash)) return undefined;
      if (!Number.isSafeInteger(r.off)) return undefined;
      if (!Array.isArray(r.txs) || !r.txs.every((t) => typeof t === "string" && HEX.test(t))) return undefined;
      return {
        k: "block",
        n: r.n as number,
        ts: r.ts as number,
        hash: r.hash,
        wall: r.wall as number,
        off: r.off as number,
        txs: r.txs as string[],
      };
    case "call":
      if (typeof r.m !== "string" || !RECORDED_CALLS.has(r.m) || !Array.isArray(r.p)) return undefined;
      return { k: "call", m: r.m, p: r.p };
    case "snapshot":
    case "revert":
      return typeof r.id === "string" ? { k: r.k, id: r.id } : undefined;
    case "deployment":
      try {
        if (typeof r.governor !== "string") return undefined;
        return { k: "deployment", deployment: parseDeployment(r.deployment, "state"), governor: r.governor };
      } catch {
        return undefined;
      }
    case "session":
      return typeof r.at === "string"
        ? { k: "session", at: r.at, ...(typeof r.hardhat === "string" && { hardhat: r.hardhat }) }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * The records that make the chain: `evm_revert` voids the records since its snapshot (and the snapshots taken after
 * it), as it voided their blocks; snapshots do not outlive the node (a `session` forgets them).
 */
export function effectiveRecords(state: Pick<StateFile, "records" | "file">): StateRecord[] {
  const out: StateRecord[] = [];
  let marks: { id: string; at: number }[] = [];
  for (const r of state.records) {
    if (r.k === "session") marks = [];
    else if (r.k === "snapshot") marks.push({ id: r.id, at: out.length });
    else if (r.k === "revert") {
      const i = marks.findIndex((m) => m.id === r.id);
      if (i < 0) {
        throw new LerError("state_corrupt", `${state.file} reverts to snapshot ${r.id}, which it never took.`, {
          details: { file: state.file },
        });
      }
      out.length = marks[i]!.at;
      marks = marks.slice(0, i);
    } else out.push(r);
  }
  return out;
}

/** The registries `ler node` recorded in the state (the last deployment that was not reverted). */
export function recordedDeployment(
  records: readonly StateRecord[],
): { deployment: Deployment; governor: string } | undefined {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i]!;
    if (r.k === "deployment") return { deployment: r.deployment, governor: r.governor };
  }
  return undefined;
}

// ---- writing -------------------------------------------------------------------------------------------------------

/** An open state file, appended to. Each append is one write and an fsync. */
export class StateJournal {
  #fd: number | undefined;
  readonly file: string;

  private constructor(file: string, fd: number) {
    this.file = file;
    this.#fd = fd;
  }

  /** A new state file with `header` (replacing any file there, atomically: a crash leaves the old one or the new). */
  static create(file: string, header: StateHeader): StateJournal {
    const dir = dirname(file);
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `.${basename(file)}.${process.pid}.tmp`);
    try {
      const fd = openSync(tmp, "w", 0o644);
      try {
        writeAllSync(fd, `${JSON.stringify(header)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
      syncDir(dir);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        // nothing to remove
      }
      throw new LerError("write_failed", `Cannot write the dev chain's state file ${file}.`, { cause: e });
    }
    return StateJournal.open(file, undefined);
  }

  /** Opens a state file for appending, cutting it to `length` first (a torn last record goes). */
  static open(file: string, length: number | undefined): StateJournal {
    try {
      const fd = openSync(file, "r+");
      if (length !== undefined) {
        ftruncateSync(fd, length);
        fsyncSync(fd);
      }
      closeSync(fd);
      return new StateJournal(file, openSync(file, "a"));
    } catch (e) {
      throw new LerError("write_failed", `Cannot open the dev chain's state file ${file}.`, { cause: e });
    }
  }

  append(records: readonly StateRecord[]): void {
    if (records.length === 0) return;
    if (this.#fd === undefined) throw new LerError("write_failed", `${this.file} is closed.`);
    try {
      writeAllSync(this.#fd, records.map((r) => `${JSON.stringify(r)}\n`).join(""));
      fsyncSync(this.#fd);
    } catch (e) {
      throw new LerError("write_failed", `Cannot append to the dev chain's state file ${this.file}.`, { cause: e });
    }
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}

function writeAllSync(fd: number, text: string): void {
  const buf = Buffer.from(text, "utf8");
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; they order metadata themselves.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Takes `<file>.lock` for this process: one node per state file (two would write two chains into one file). A lock
 * whose process is gone (a node killed) is taken over. Returns its release.
 */
export function lockStateFile(file: string): () => void {
  const lock = `${file}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lock, "wx", 0o644);
      writeAllSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off("exit", release);
        try {
          unlinkSync(lock);
        } catch {
          // already gone
        }
      };
      process.on("exit", release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) {
        if (e instanceof LerError) throw e;
        throw new LerError("lock_failed", `Cannot create ${lock}.`, { cause: e });
      }
    }
    let pid = NaN;
    try {
      pid = Number(readFileSync(lock, "utf8").trim());
    } catch {
      // unreadable: taken over below
    }
    if (Number.isSafeInteger(pid) && pid > 0 && alive(pid)) {
      throw new LerError(
        "state_in_use",
        `${file} is in use by another \`ler node\` (pid ${pid}). Stop it first, or start this one with another --state (or --no-state).`,
        { details: { file, pid } },
      );
    }
    try {
      unlinkSync(lock);
    } catch {
      // another process took it over first: the next attempt says so
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

// ---- transactions --------------------------------------------------------------------------------------------------

/** A transaction as `eth_getBlockByNumber(n, true)` returns it. */
export interface RpcTransaction {
  hash: string;
  type?: string;
  nonce: string;
  gas: string;
  gasPrice?: string;
  maxFeePerGas?: string;
  maxPriorityFeePerGas?: string;
  to?: string | null;
  value: string;
  input: string;
  chainId?: string;
  accessList?: { address: string; storageKeys: string[] }[];
  authorizationList?: { chainId: string; address: string; nonce: string; yParity: string; r: string; s: string }[];
  v: string;
  r: string;
  s: string;
  yParity?: string;
}

/**
 * The signed raw form of a mined transaction, rebuilt from its fields (the node signed those it sent for its unlocked
 * accounts: their signature is in the block). Its hash must be the transaction's: one that is not (an impersonated
 * sender's, whose signature is made up) cannot be replayed, and is refused.
 */
export function rawTransaction(tx: RpcTransaction): string {
  const type = Number(tx.type ?? "0x0");
  const v = BigInt(tx.v);
  let rebuilt: Transaction;
  try {
    rebuilt = Transaction.from({
      type,
      // A legacy transaction's chain id is in its v (EIP-155), none before EIP-155.
      chainId: type === 0 ? (v >= 35n ? (v - 35n) / 2n : 0n) : BigInt(tx.chainId ?? "0x0"),
      nonce: Number(tx.nonce),
      gasLimit: tx.gas,
      to: tx.to ?? null,
      value: tx.value,
      data: tx.input,
      ...(type === 0 || type === 1
        ? { gasPrice: tx.gasPrice ?? null }
        : { maxFeePerGas: tx.maxFeePerGas ?? null, maxPriorityFeePerGas: tx.maxPriorityFeePerGas ?? null }),
      ...(type >= 1 && { accessList: tx.accessList ?? [] }),
      ...(type === 4 && {
        authorizationList: (tx.authorizationList ?? []).map((a) => ({
          chainId: BigInt(a.chainId),
          address: a.address,
          nonce: BigInt(a.nonce),
          signature: Signature.from({ r: a.r, s: a.s, yParity: Number(a.yParity) as 0 | 1 }),
        })),
      }),
      signature:
        type === 0 ? { r: tx.r, s: tx.s, v } : { r: tx.r, s: tx.s, yParity: Number(tx.yParity ?? tx.v) as 0 | 1 },
    });
  } catch (e) {
    throw new LerError("state_diverged", `Transaction ${tx.hash} (type ${type}) cannot be saved: ${String(e)}`, {
      cause: e,
    });
  }
  if (rebuilt.hash !== tx.hash.toLowerCase()) {
    throw new LerError(
      "state_diverged",
      `Transaction ${tx.hash} cannot be saved: its signed form does not rebuild (an impersonated sender?).`,
    );
  }
  return rebuilt.serialized;
}

// ---- recording and replaying ---------------------------------------------------------------------------------------

/** Sends one JSON-RPC request to the chain (in process: nothing else sees it). */
export type Send = (method: string, params?: unknown[]) => Promise<unknown>;

interface RpcBlock {
  number: string;
  hash: string;
  timestamp: string;
  transactions: RpcTransaction[] | string[];
}

/** The chain's block `n` (`latest` too), with full transactions when asked. */
async function blockAt(send: Send, n: number | "latest", full: boolean): Promise<RpcBlock> {
  const tag = n === "latest" ? n : `0x${n.toString(16)}`;
  const block = (await send("eth_getBlockByNumber", [tag, full])) as RpcBlock | null;
  if (block === null) throw new LerError("internal_error", `The dev chain has no block ${tag}.`);
  return block;
}

/** Block 0 of the chain: what the header records. */
export async function genesisOf(send: Send): Promise<{ hash: string; timestamp: number }> {
  const b = await blockAt(send, 0, false);
  return { hash: b.hash.toLowerCase(), timestamp: Number(b.timestamp) };
}

/** The `block` records of the blocks after `from`, up to the head (`off` 0: the caller knows it), and the head. */
export async function blocksAfter(
  send: Send,
  from: number,
): Promise<{ records: (StateRecord & { k: "block" })[]; head: number }> {
  const head = Number(await send("eth_blockNumber", []));
  const records: (StateRecord & { k: "block" })[] = [];
  const wall = unixSeconds(systemClock);
  for (let n = from + 1; n <= head; n++) {
    const b = await blockAt(send, n, true);
    records.push({
      k: "block",
      n,
      ts: Number(b.timestamp),
      hash: b.hash.toLowerCase(),
      wall,
      off: 0,
      txs: (b.transactions as RpcTransaction[]).map(rawTransaction),
    });
  }
  return { records, head };
}

/** Methods that only read: sent straight on, without a look at the chain after them. */
const READS = new Set([
  "eth_accounts",
  "eth_blobBaseFee",
  "eth_blockNumber",
  "eth_call",
  "eth_chainId",
  "eth_coinbase",
  "eth_createAccessList",
  "eth_estimateGas",
  "eth_feeHistory",
  "eth_gasPrice",
  "eth_getBalance",
  "eth_getBlockByHash",
  "eth_getBlockByNumber",
  "eth_getBlockReceipts",
  "eth_getBlockTransactionCountByHash",
  "eth_getBlockTransactionCountByNumber",
  "eth_getCode",
  "eth_getFilterChanges",
  "eth_getFilterLogs",
  "eth_getLogs",
  "eth_getProof",
  "eth_getStorageAt",
  "eth_getTransactionByBlockHashAndIndex",
  "eth_getTransactionByBlockNumberAndIndex",
  "eth_getTransactionByHash",
  "eth_getTransactionCount",
  "eth_getTransactionReceipt",
  "eth_getUncleByBlockHashAndIndex",
  "eth_getUncleByBlockNumberAndIndex",
  "eth_getUncleCountByBlockHash",
  "eth_getUncleCountByBlockNumber",
  "eth_maxPriorityFeePerGas",
  "eth_mining",
  "eth_newBlockFilter",
  "eth_newFilter",
  "eth_newPendingTransactionFilter",
  "eth_pendingTransactions",
  "eth_protocolVersion",
  "eth_sign",
  "eth_signTypedData_v4",
  "eth_subscribe",
  "eth_syncing",
  "eth_uninstallFilter",
  "eth_unsubscribe",
  "net_listening",
  "net_peerCount",
  "net_version",
  "personal_sign",
  "web3_clientVersion",
  "web3_sha3",
  "debug_traceCall",
  "debug_traceTransaction",
  "hardhat_getAutomine",
  "hardhat_metadata",
  "hardhat_getStackTraceFailuresCount",
  "hardhat_addCompilationResult",
  "hardhat_setLoggingEnabled",
  "hardhat_stopImpersonatingAccount",
]);

/** Calls that change the chain between blocks, recorded as they were made and made again on replay. */
const RECORDED_CALLS = new Set([
  "evm_increaseTime",
  "evm_setNextBlockTimestamp",
  "evm_setBlockGasLimit",
  "hardhat_setBalance",
  "hardhat_setCode",
  "hardhat_setNonce",
  "hardhat_setStorageAt",
  "hardhat_setCoinbase",
  "hardhat_setMinGasPrice",
  "hardhat_setNextBlockBaseFeePerGas",
  "hardhat_setPrevRandao",
]);

/** Calls a node that keeps its state refuses: what they do cannot be replayed. */
function refusal(method: string, params: unknown[]): string | undefined {
  const why = (what: string) =>
    `${method} is not available on a \`ler node\` that keeps its state (${what}); start it with --no-state to use it.`;
  if (method === "hardhat_reset") return why("the state file would no longer describe the chain");
  if (method === "hardhat_impersonateAccount") return why("an impersonated sender's transactions cannot be replayed");
  if (method === "evm_setIntervalMining" && params[0] !== 0 && params[0] !== "0x0")
    return why("blocks would be mined without a request to record them");
  return undefined;
}

/**
 * Records what changes the chain while the node runs. Every request that may change it runs alone, and the blocks it
 * mined (and the call itself, if it is one of {@link RECORDED_CALLS}) are in the state file, fsynced, before it is
 * answered: a client never sees a block the file does not have, unless another client reads it in between.
 */
export class StateRecorder {
  #journal: StateJournal;
  #head: number;
  #queue: Promise<unknown> = Promise.resolve();
  #broken: Error | undefined;
  readonly #onBroken: (e: Error) => void;

  constructor(journal: StateJournal, head: number, onBroken: (e: Error) => void) {
    this.#journal = journal;
    this.#head = head;
    this.#onBroken = onBroken;
  }

  /** Appends records now (the node's own: its session, its deployment). */
  append(records: readonly StateRecord[]): void {
    this.#journal.append(records);
  }

  /**
   * Runs one request: `run` sends it to the chain (and gives its JSON-RPC response), `send` reads the chain after it.
   * A refused request does not run: the caller answers it with `refused` as its error.
   */
  async handle<T>(
    method: string,
    params: unknown[],
    run: () => Promise<T>,
    send: Send,
  ): Promise<{ response: T } | { refused: string }> {
    if (READS.has(method)) return { response: await run() };
    const refused = refusal(method, params);
    if (refused !== undefined) return { refused };
    const turn = this.#queue.then(() => this.#run(method, params, run, send));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  async #run<T>(
    method: string,
    params: unknown[],
    run: () => Promise<T>,
    send: Send,
  ): Promise<{ response: T } | { refused: string }> {
    if (this.#broken !== undefined) {
      return {
        refused: `the dev chain's state can no longer be saved (${this.#broken.message}); restart \`ler node\` to go on from the chain as last saved`,
      };
    }
    let response: T | undefined;
    let failure: { error: unknown } | undefined;
    try {
      response = await run();
    } catch (error) {
      // A transaction that reverted was mined all the same: its block is recorded below.
      failure = { error };
    }
    try {
      await this.#record(
        method,
        params,
        (response as { result?: unknown } | undefined)?.result,
        failure === undefined,
        send,
      );
    } catch (e) {
      this.#broken = e instanceof Error ? e : new Error(String(e));
      this.#onBroken(this.#broken);
    }
    if (failure !== undefined) throw failure.error;
    return { response: response! };
  }

  async #record(method: string, params: unknown[], result: unknown, ok: boolean, send: Send): Promise<void> {
    if (ok && method === "evm_revert" && result === true) {
      this.#journal.append([{ k: "revert", id: String(params[0]) }]);
      this.#head = Number(await send("eth_blockNumber", []));
      return;
    }
    const { records, head } = await blocksAfter(send, this.#head);
    const out: StateRecord[] = records;
    if (records.length > 0) {
      // The node's own clock offset (evm_increaseTime answers with it; 0 moves nothing): moved by time travel, and by
      // the second each block mined within the same second as the one before it takes ahead.
      const offset = Number(await send("evm_increaseTime", [0]));
      for (const r of records) r.off = offset;
    }
    if (ok && method === "evm_snapshot") out.push({ k: "snapshot", id: String(result) });
    if (ok && RECORDED_CALLS.has(method)) out.push({ k: "call", m: method, p: params });
    this.#journal.append(out);
    this.#head = head;
  }

  /** Waits for the requests under way, then closes the file. */
  async close(): Promise<void> {
    await this.#queue;
    this.#journal.close();
  }
}

/** What a replay rebuilt. */
export interface Replayed {
  /** Blocks mined (the head's number). */
  blocks: number;
  headHash: string;
  /** Seconds the chain's clock runs ahead of the wall clock. */
  offset: number;
}

/**
 * Rebuilds the recorded chain on a new one that has the same genesis: each block's recorded calls, then its
 * transactions, mined at its timestamp; each block's hash must be the recorded one (`state_diverged` otherwise: the
 * node is not started on another chain than the one its homes know). Then the chain's clock runs on as it did: as far
 * ahead of the wall clock as it was (time travel included), or to the next block's timestamp if one was set.
 */
export async function replayState(send: Send, state: StateFile): Promise<Replayed> {
  const genesis = await genesisOf(send);
  const diverged = (at: number, why: string, cause?: unknown) =>
    new LerError(
      "state_diverged",
      `Replaying ${state.file} ${why} at block ${at}: this Hardhat${state.header.hardhat !== undefined ? ` (the file was made with Hardhat ${state.header.hardhat})` : ""} does not rebuild that chain. ` +
        `Nothing was changed; start \`ler node\` with --fresh (a new chain: homes made on the old one must be made again) or another --state.`,
      { details: { file: state.file, block: at }, ...(cause !== undefined && { cause }) },
    );
  if (genesis.hash !== state.header.genesis.hash) throw diverged(0, "gives another genesis block");
  let head = 0;
  let headHash = genesis.hash;
  let lastTs = genesis.timestamp;
  let offset = 0;
  let next: number | undefined;
  await send("evm_setAutomine", [false]);
  try {
    for (const r of effectiveRecords(state)) {
      if (r.k === "block") {
        if (r.n !== head + 1) {
          throw new LerError("state_corrupt", `${state.file} records block ${r.n} after block ${head}.`, {
            details: { file: state.file },
          });
        }
        try {
          await send("evm_setNextBlockTimestamp", [r.ts]);
          for (const raw of r.txs) await send("eth_sendRawTransaction", [raw]);
          await send("evm_mine", []);
        } catch (e) {
          throw diverged(r.n, `fails (${e instanceof Error ? e.message : String(e)})`, e);
        }
        const b = await blockAt(send, "latest", false);
        if (Number(b.number) !== r.n || b.hash.toLowerCase() !== r.hash) throw diverged(r.n, "gives another block");
        head = r.n;
        headHash = r.hash;
        lastTs = r.ts;
        offset = r.off;
        next = undefined;
      } else if (r.k === "call") {
        // The clock: only its effect on the blocks after the last one counts, and that is set below.
        if (r.m === "evm_increaseTime") offset += Number(r.p[0]);
        else if (r.m === "evm_setNextBlockTimestamp") next = Number(r.p[0]);
        else {
          try {
            await send(r.m, r.p);
          } catch (e) {
            throw diverged(head + 1, `fails before it (${r.m}: ${e instanceof Error ? e.message : String(e)})`, e);
          }
        }
      }
    }
  } finally {
    await send("evm_setAutomine", [true]);
  }
  if (next !== undefined && next > lastTs) await send("evm_setNextBlockTimestamp", [next]);
  else {
    // Mining at the recorded timestamps moved the node's clock back to them: it goes forward to the recorded offset.
    const current = Number(await send("evm_increaseTime", [0]));
    if (offset > current) await send("evm_increaseTime", [offset - current]);
  }
  return { blocks: head, headHash, offset };
}
