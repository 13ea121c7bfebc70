import type { Provider } from "ethers";
import { ChainError } from "../errors.js";

/**
 * JSON-RPC requests for the verifier's reads, sent straight to the provider's transport. ethers' `send` queues each
 * request for 10 ms to batch it (JsonRpcProvider's default `batchStallTime`) and, with its default options, answers
 * identical calls from a 250 ms cache: the first costs a sequential verification most of its time, the second
 * would let a read miss the newest block. `JsonRpcApiProvider._send` (JsonRpcProvider, BrowserProvider) is the
 * transport itself: one request, no queue, no cache. Any other Provider is served through its public methods.
 */
export interface RpcTransport {
  /** Sends one JSON-RPC request; a JSON-RPC error answer throws a ChainError `chain_error` carrying `rpcError`. */
  request(method: string, params: readonly unknown[]): Promise<unknown>;
}

/** A JSON-RPC error answer, as the node gave it. */
export interface RpcErrorAnswer {
  code?: number;
  message?: string;
  data?: unknown;
}

export class RpcAnswerError extends ChainError {
  constructor(
    readonly method: string,
    readonly rpcError: RpcErrorAnswer,
  ) {
    super(
      "chain_error",
      `The node answered ${method} with an error: ${String(rpcError.message ?? rpcError.code ?? "unknown")}`,
      {
        details: { method, code: rpcError.code ?? null },
      },
    );
  }
}

type RawSend = (payload: {
  jsonrpc: "2.0";
  id: number;
  method: string;
  params: unknown[];
}) => Promise<{ id: number; result?: unknown; error?: RpcErrorAnswer }[]>;

const transports = new WeakMap<Provider, RpcTransport>();
let nextId = 1;

/** The transport of `provider` (one per provider object). */
export function transportOf(provider: Provider): RpcTransport {
  let t = transports.get(provider);
  if (t === undefined) {
    const send = (provider as unknown as { _send?: unknown })._send;
    t = typeof send === "function" ? direct((send as RawSend).bind(provider)) : viaMethods(provider);
    transports.set(provider, t);
  }
  return t;
}

function direct(send: RawSend): RpcTransport {
  return {
    async request(method, params) {
      const id = nextId++;
      const answers = await send({ jsonrpc: "2.0", id, method, params: [...params] });
      const answer = Array.isArray(answers)
        ? (answers.find((a) => a?.id === id) ?? (answers.length === 1 ? answers[0] : undefined))
        : undefined;
      if (answer === undefined || answer === null || typeof answer !== "object") {
        throw new ChainError("chain_error", `The node's answer to ${method} is missing.`);
      }
      if (answer.error !== undefined && answer.error !== null) throw new RpcAnswerError(method, answer.error);
      return answer.result;
    },
  };
}

/** For providers without a JSON-RPC transport (FallbackProvider, custom ones): the few methods the reads use. */
function viaMethods(provider: Provider): RpcTransport {
  return {
    async request(method, params) {
      switch (method) {
        case "eth_call": {
          const [tx, tag] = params as [{ to: string; data: string }, unknown];
          if (typeof tag !== "string")
            throw new ChainError("chain_error", "Reads pinned to a block hash need a JSON-RPC provider.");
          return provider.call({ to: tx.to, data: tx.data, blockTag: tag });
        }
        case "eth_getBlockByNumber": {
          const block = await provider.getBlock(params[0] as string);
          if (block === null) return null;
          return {
            number: `0x${block.number.toString(16)}`,
            hash: block.hash,
            parentHash: block.parentHash,
            timestamp: `0x${block.timestamp.toString(16)}`,
          };
        }
        case "eth_blockNumber":
          return `0x${(await provider.getBlockNumber()).toString(16)}`;
        case "eth_getLogs": {
          const [filter] = params as [
            { address: string | string[]; topics: unknown[]; fromBlock: string; toBlock: string },
          ];
          const logs = await provider.getLogs({
            address: filter.address,
            topics: filter.topics as never,
            fromBlock: filter.fromBlock,
            toBlock: filter.toBlock,
          });
          return logs.map((l) => ({
            address: l.address,
            topics: [...l.topics],
            data: l.data,
            blockNumber: `0x${l.blockNumber.toString(16)}`,
            blockHash: l.blockHash,
            logIndex: `0x${l.index.toString(16)}`,
            transactionHash: l.transactionHash,
            removed: l.removed,
          }));
        }
        default:
          throw new ChainError("chain_error", `${method} is not available through this provider.`);
      }
    },
  };
}

/** Whether `provider` is reached through its JSON-RPC transport (reads can then be pinned to a block hash). */
export function isDirect(provider: Provider): boolean {
  return typeof (provider as unknown as { _send?: unknown })._send === "function";
}
