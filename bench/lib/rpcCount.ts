import type { JsonRpcApiProvider, JsonRpcPayload } from "ethers";

/** What went over the wire through one provider: HTTP requests and the JSON-RPC calls in them, by method. */
export interface RpcCounts {
  /** Transport round trips (one per HTTP request; a JSON-RPC batch is one). */
  http: number;
  /** JSON-RPC requests by method (a batch of n counts n). */
  byMethod: Record<string, number>;
}

export interface RpcCounter {
  readonly counts: RpcCounts;
  /** Counts since the last reset, and starts again. */
  take(): RpcCounts;
}

/**
 * Counts every request an ethers JSON-RPC provider sends, at `_send`: the one place where ethers' JsonRpcProvider
 * (and BrowserProvider) hand payloads to the transport, after its own batching and caching. Whatever a library does
 * above it (ethr-did-resolver's contract calls, this project's direct reads), this is what the node receives.
 */
export function countRequests(provider: JsonRpcApiProvider): RpcCounter {
  let counts: RpcCounts = { http: 0, byMethod: {} };
  const send = provider._send.bind(provider);
  provider._send = async (payload: JsonRpcPayload | JsonRpcPayload[]) => {
    counts.http++;
    for (const p of Array.isArray(payload) ? payload : [payload]) {
      counts.byMethod[p.method] = (counts.byMethod[p.method] ?? 0) + 1;
    }
    return send(payload);
  };
  return {
    get counts() {
      return counts;
    },
    take() {
      const taken = counts;
      counts = { http: 0, byMethod: {} };
      return taken;
    },
  };
}

/** The total of JSON-RPC requests in `counts`. */
export function jsonRpcTotal(counts: RpcCounts): number {
  return Object.values(counts.byMethod).reduce((a, b) => a + b, 0);
}
