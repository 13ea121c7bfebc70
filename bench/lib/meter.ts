import type { ContractTransactionResponse, TransactionReceipt, TransactionResponse } from "ethers";
import type { Measurement } from "./report.js";

/** The part of an EIP-1193 provider the meter needs. */
export interface RpcProvider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

type Sent = Promise<ContractTransactionResponse | TransactionResponse>;

/** A measurement failed to run: the benchmark must exit non-zero. */
export class MeasurementError extends Error {
  override readonly name = "MeasurementError";
}

/**
 * Sends transactions and records their receipts' gas. Every transaction is mined at a pinned timestamp (`start`,
 * then `step` seconds apart) so that values derived from block time, such as EAS attestation uids that later appear
 * in calldata, are the same on every run.
 */
export class GasMeter {
  readonly measurements: Measurement[] = [];
  #nextTimestamp: number;

  constructor(
    private readonly provider: RpcProvider,
    start: number,
    private readonly step = 12,
  ) {
    this.#nextTimestamp = start;
  }

  /** Sends a transaction that is set-up, not measured; returns its receipt. */
  async send(what: string, send: () => Sent): Promise<TransactionReceipt> {
    try {
      await this.provider.request({ method: "evm_setNextBlockTimestamp", params: [this.#nextTimestamp] });
      this.#nextTimestamp += this.step;
      const tx = await send();
      const receipt = await tx.wait();
      if (receipt === null || receipt.status !== 1) throw new Error(`transaction ${tx.hash} failed`);
      return receipt;
    } catch (e) {
      if (e instanceof MeasurementError) throw e;
      throw new MeasurementError(`${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  /** Sends the transaction and records its `gasUsed` as `m`; returns the receipt. */
  async measure(m: Omit<Measurement, "gas">, send: () => Sent): Promise<TransactionReceipt> {
    if (this.measurements.some((x) => x.id === m.id)) throw new MeasurementError(`duplicate measurement id ${m.id}`);
    const receipt = await this.send(`measurement "${m.id}"`, send);
    this.measurements.push({ ...m, gas: receipt.gasUsed });
    return receipt;
  }

  get(id: string): Measurement {
    const m = this.measurements.find((x) => x.id === id);
    if (m === undefined) throw new MeasurementError(`no measurement "${id}"`);
    return m;
  }
}

/**
 * Whether a transaction fits the per-transaction gas limit: its gas estimate succeeds. An estimate that fails for
 * any reason other than gas (a revert) is a broken measurement, not a batch that is too big.
 */
export async function fitsInTransaction(estimate: () => Promise<bigint>): Promise<boolean> {
  try {
    await estimate();
    return true;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/gas/i.test(message) && !/revert/i.test(message)) return false;
    throw new MeasurementError(`gas estimate failed: ${message}`, { cause: e });
  }
}

/** The fixed and per-item parts of a batch's gas, from two batches of different sizes. */
export function linearFit(a: Measurement, b: Measurement): { fixed: number; perItem: number } {
  const perItem = Number(b.gas - a.gas) / (b.batchSize - a.batchSize);
  return { fixed: Number(a.gas) - perItem * a.batchSize, perItem };
}

export interface LargestBatchParameters {
  /** The batch size wanted; the answer is never larger. */
  max: number;
  /** A batch size known to fit. */
  known: number;
  /** A first guess at the largest fitting size (from `linearFit`). */
  guess: number;
  fits(n: number): Promise<boolean>;
  /** Makes a batch of `n` possible (e.g. creates the attestations it revokes); called with growing `n`. */
  prepare?(n: number): Promise<void>;
}

/** The largest batch size up to `max` whose transaction fits, found around a guess by bisection. */
export async function largestBatch(p: LargestBatchParameters): Promise<number> {
  const margin = Math.max(16, Math.ceil(p.guess * 0.02));
  let hi = Math.min(p.max, Math.max(p.known + 1, p.guess + margin));
  await p.prepare?.(hi);
  while (await p.fits(hi)) {
    if (hi === p.max) return hi;
    hi = Math.min(p.max, Math.ceil(hi * 1.25));
    await p.prepare?.(hi);
  }
  let lo = p.known;
  const low = Math.max(p.known, p.guess - margin);
  if (low > lo && low < hi && (await p.fits(low))) lo = low;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await p.fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
