import { startTimer, systemClock } from "../clock.js";
import { ChainError, LerError } from "../errors.js";

/** Options of {@link rpcCall}. */
export interface RpcCallOptions {
  /** Deadline for the request (no deadline when absent). */
  timeoutMs?: number | undefined;
  /** Called once per request, with its method name (request counting). */
  onRequest?: ((method: string) => void) | undefined;
  /** The message of the `chain_timeout` error when the deadline passes (default: names the method and the deadline). */
  timeoutMessage?: string | undefined;
  /**
   * An absolute deadline (milliseconds on the system clock) that this request shares with the others of one read:
   * the request waits at most until then, however many came before it (`timeoutMs` still bounds it alone).
   */
  until?: number | undefined;
}

/**
 * The one wrapper for a JSON-RPC request: an optional deadline (`chain_timeout`), and every failure that is not
 * already one of this project's errors mapped to a `ChainError` with a stable code.
 */
export async function rpcCall<T>(
  method: string,
  run: () => Promise<T>,
  { timeoutMs: ownTimeoutMs, onRequest, timeoutMessage, until }: RpcCallOptions = {},
): Promise<T> {
  const left = until === undefined ? undefined : Math.max(0, until - systemClock.now());
  const timeoutMs =
    left === undefined ? ownTimeoutMs : ownTimeoutMs === undefined ? left : Math.min(ownTimeoutMs, left);
  if (timeoutMs === 0) {
    throw new ChainError(
      "chain_timeout",
      timeoutMessage ?? `The node did not answer in time: the read's deadline passed before ${method}.`,
    );
  }
  onRequest?.(method);
  let cancel: (() => void) | undefined;
  const deadline =
    timeoutMs === undefined
      ? undefined
      : new Promise<never>((_, reject) => {
          cancel = startTimer(timeoutMs, () =>
            reject(
              new ChainError(
                "chain_timeout",
                timeoutMessage ?? `The node did not answer ${method} within ${timeoutMs} ms.`,
              ),
            ),
          );
        });
  try {
    return await (deadline === undefined ? run() : Promise.race([run(), deadline]));
  } catch (e) {
    if (e instanceof LerError) throw e;
    throw toChainError(e, method);
  } finally {
    cancel?.();
  }
}

/** Maps a provider failure to a stable code. */
export function toChainError(e: unknown, method: string): ChainError {
  const err = e as { code?: string; message?: string; shortMessage?: string };
  const text = `${err.code ?? ""} ${err.shortMessage ?? err.message ?? ""}`;
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|socket hang up|fetch failed|NETWORK_ERROR/i.test(text)) {
    return new ChainError("chain_unreachable", `The chain cannot be reached (${method}).`, { cause: e });
  }
  if (/TIMEOUT/i.test(text)) return new ChainError("chain_timeout", `The node timed out on ${method}.`, { cause: e });
  if (/BAD_DATA|invalid json|SERVER_ERROR|UNKNOWN_ERROR|missing response/i.test(text)) {
    return new ChainError("chain_error", `The node answered ${method} with an error or malformed data.`, { cause: e });
  }
  return new ChainError(
    "chain_error",
    `The ${method} request failed: ${err.shortMessage ?? err.message ?? String(e)}`,
    {
      cause: e,
    },
  );
}
