/**
 * A thread of a VerifierPool (pool.ts): verifies the parts of batches it is sent with a provider and a chain cache of
 * its own, at the head the pool probed for the batch. Messages in: `PoolTask`; out: `PoolAnswer`.
 */
import { parentPort, workerData } from "node:worker_threads";
import { isLerError } from "../errors.js";
import { countJsonRpc, rpcProvider } from "../chain/provider.js";
import { createVerifierMemory, verifyBatch, type VerifierContext } from "./index.js";
import type { PoolAnswer, PoolTask, PoolWorkerData } from "./pool.js";

const data = workerData as PoolWorkerData;
const provider = rpcProvider(data.rpcUrl, data.deployment.chainId);
// The thread's memory and chain cache, kept as long as the thread runs.
const ctx: VerifierContext = {
  provider,
  deployment: data.deployment,
  networkName: data.networkName,
  memory: createVerifierMemory({ chain: data.cacheLimits ?? {} }),
};

// JSON-RPC requests by method since the last answer, as the node receives them.
let requests: Record<string, number> = {};
countJsonRpc(provider, (method) => (requests[method] = (requests[method] ?? 0) + 1));

parentPort!.on("message", (task: PoolTask) => {
  void run(task).then((answer) => parentPort!.postMessage(answer));
});

async function run(task: PoolTask): Promise<PoolAnswer> {
  try {
    const read = { ...task.options.read, ...(task.head !== undefined && { head: task.head }) };
    const reports = await verifyBatch(ctx, task.jwts, { ...task.options, read });
    return { id: task.id, reports, requests: take() };
  } catch (e) {
    const error = isLerError(e)
      ? { code: e.code, message: e.message }
      : { code: "internal_error", message: e instanceof Error ? e.message : String(e) };
    return { id: task.id, error, requests: take() };
  }
}

function take(): Record<string, number> {
  const taken = requests;
  requests = {};
  return taken;
}
