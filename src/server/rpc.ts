import { rpcCall } from "../chain/rpc.js";

/** Runs one JSON-RPC request with a deadline; every failure comes out as a ChainError with a stable code. */
export function rpcWithTimeout<T>(timeoutMs: number, method: string, run: () => Promise<T>): Promise<T> {
  return rpcCall(method, run, { timeoutMs });
}
