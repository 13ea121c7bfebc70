import { ChainError } from "../errors.js";
import { toChainError } from "../chain/reads.js";

/** Runs one JSON-RPC request with a deadline; every failure comes out as a ChainError with a stable code. */
export async function rpcWithTimeout<T>(timeoutMs: number, method: string, run: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ChainError("chain_timeout", `The node did not answer ${method} within ${timeoutMs} ms.`)), timeoutMs);
  });
  try {
    return await Promise.race([run(), timeout]);
  } catch (e) {
    throw e instanceof ChainError ? e : toChainError(e, method);
  } finally {
    clearTimeout(timer);
  }
}
