import { Contract, Interface, type ContractRunner, type TransactionReceipt } from "ethers";
import { ChainError, LerError, type ErrorCode } from "../errors.js";
import { projectArtifact } from "./artifacts.js";
import type { Deployment } from "./deployments.js";
import { toChainError } from "./rpc.js";

/** Handles on the registries for writing, bound to a signer. */
export function registries(deployment: Deployment, runner: ContractRunner) {
  return {
    trust: new Contract(deployment.contracts.TrustRegistry.address, registryInterface("TrustRegistry"), runner),
    status: new Contract(deployment.contracts.StatusRegistry.address, registryInterface("StatusRegistry"), runner),
  };
}

// Parsing an ABI into an Interface costs more than the rest of a write's local work; a service sends many.
const interfaces = new Map<string, Interface>();
function registryInterface(name: "TrustRegistry" | "StatusRegistry"): Interface {
  let iface = interfaces.get(name);
  if (iface === undefined) interfaces.set(name, (iface = new Interface(projectArtifact(name).abi)));
  return iface;
}

/** Runs `send` holding the lock of the sending key `address` (lower case), waiting for it at most `timeoutMs`. */
export type SenderLock = <T>(address: string, timeoutMs: number, send: () => Promise<T>) => Promise<T>;

export interface WriteResult {
  txHash: string;
  block: number;
  gasUsed: number;
}

/** Options of {@link sendWrite}. */
export interface WriteOptions {
  /** Blocks the write waits for before it is reported done (default 1). */
  confirmations?: number;
  /** How long to wait for the receipt, and for the sending key's nonce lock (default 120 s). */
  timeoutMs?: number;
  /**
   * A lock per sending key (the agent's is a lock file in `<home>/locks`). With it, choosing the nonce, signing and
   * broadcasting hold that key's lock, across the processes sharing it and the tasks of this one; the wait for the
   * receipt does not. Without it, two senders of one key at once can both pick the same nonce and one fails ("nonce
   * too low").
   */
  senderLock?: SenderLock;
}

/**
 * Sends a registry transaction and waits for `confirmations` blocks, so that success is reported only once the
 * write is as final as the caller asked. A revert becomes a LerError whose code names the contract's custom error
 * (`TrustRegistryScopeNotSubset` -> `scope_not_subset`); a node failure becomes a ChainError.
 */
export async function sendWrite(
  contract: Contract,
  fn: string,
  args: readonly unknown[],
  { confirmations = 1, timeoutMs = 120_000, senderLock }: WriteOptions = {},
): Promise<WriteResult> {
  let receipt: TransactionReceipt | null;
  try {
    const send = () => contract.getFunction(fn)(...args);
    const tx =
      senderLock === undefined ? await send() : await withSenderLock(contract.runner, senderLock, timeoutMs, send);
    receipt = await tx.wait(confirmations, timeoutMs);
  } catch (e) {
    throw decodeWriteError(e, contract.interface, fn);
  }
  if (receipt === null) throw new ChainError("tx_dropped", `The ${fn} transaction was dropped.`);
  return { txHash: receipt.hash, block: receipt.blockNumber, gasUsed: Number(receipt.gasUsed) };
}

/**
 * Runs `send` (populate: nonce, gas, fees; sign; broadcast) holding the lock of the runner's key. The node
 * counts a broadcast transaction in the key's pending nonce at once, so the next holder picks the next nonce; the
 * lock is released before the receipt is awaited. A runner without an address (a read-only provider) is not locked.
 */
async function withSenderLock<T>(
  runner: ContractRunner | null,
  lock: SenderLock,
  timeoutMs: number,
  send: () => Promise<T>,
): Promise<T> {
  const getAddress = (runner as { getAddress?: () => Promise<string> } | null)?.getAddress;
  if (typeof getAddress !== "function") return send();
  const address = (await getAddress.call(runner)).toLowerCase();
  return lock(address, timeoutMs, send);
}

const PREFIXES = ["TrustRegistry", "StatusRegistry", "IdentityAuth", "AccessControl"];

/** The custom error in a failed call, as a LerError with a stable code and readable arguments. */
export function decodeWriteError(e: unknown, iface: Interface, fn: string): Error {
  if (e instanceof LerError) return e;
  const err = e as {
    revert?: { name: string; args: unknown[] } | null;
    data?: string;
    info?: { error?: { data?: string } };
    code?: string;
  };
  // ethers sets `revert` to null (not undefined) when it could not decode the revert data itself.
  let revert = err.revert ?? undefined;
  const data = err.data ?? err.info?.error?.data;
  if (revert === undefined && typeof data === "string" && data.length >= 10) {
    const parsed = iface.parseError(data);
    if (parsed !== null) revert = { name: parsed.name, args: [...parsed.args] };
  }
  if (revert !== undefined) {
    const prefix = PREFIXES.find((p) => revert!.name.startsWith(p)) ?? "";
    const bare = revert.name.slice(prefix.length) || revert.name;
    const code = bare.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
    const args = revert.args.map((a) => (typeof a === "bigint" ? a.toString() : a));
    return new LerError(
      (code === "unauthorized_account" ? "unauthorized" : code) as ErrorCode,
      `${fn} was refused: ${revert.name}(${args.join(", ")}).`,
      {
        details: { error: revert.name, args },
        cause: e,
      },
    );
  }
  if (err.code === "CALL_EXCEPTION") return new LerError("reverted", `${fn} reverted.`, { cause: e });
  if (err.code === "INSUFFICIENT_FUNDS") {
    return new LerError(
      "insufficient_funds",
      `The sending key has no funds for ${fn}'s gas: fund it, or relay a signed call.`,
      { cause: e },
    );
  }
  return toChainError(e, fn);
}
