import { Contract, Interface, type ContractRunner, type TransactionReceipt } from "ethers";
import { ChainError, LerError } from "../errors.js";
import { projectArtifact } from "./artifacts.js";
import type { Deployment } from "./deployments.js";
import { toChainError } from "./reads.js";

/** Handles on the registries for writing, bound to a signer. */
export function registries(deployment: Deployment, runner: ContractRunner) {
  return {
    trust: new Contract(deployment.contracts.TrustRegistry.address, projectArtifact("TrustRegistry").abi, runner),
    status: new Contract(deployment.contracts.StatusRegistry.address, projectArtifact("StatusRegistry").abi, runner),
  };
}

export interface WriteResult {
  txHash: string;
  block: number;
  gasUsed: number;
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
  { confirmations = 1, timeoutMs = 120_000 }: { confirmations?: number; timeoutMs?: number } = {},
): Promise<WriteResult> {
  let receipt: TransactionReceipt | null;
  try {
    const tx = await contract.getFunction(fn)(...args);
    receipt = await tx.wait(confirmations, timeoutMs);
  } catch (e) {
    throw decodeWriteError(e, contract.interface, fn);
  }
  if (receipt === null) throw new ChainError("tx_dropped", `The ${fn} transaction was dropped.`);
  return { txHash: receipt.hash, block: receipt.blockNumber, gasUsed: Number(receipt.gasUsed) };
}

const PREFIXES = ["TrustRegistry", "StatusRegistry", "IdentityAuth", "AccessControl"];

/** The custom error in a failed call, as a LerError with a stable code and readable arguments. */
export function decodeWriteError(e: unknown, iface: Interface, fn: string): Error {
  if (e instanceof LerError) return e;
  const err = e as { revert?: { name: string; args: unknown[] } | null; data?: string; info?: { error?: { data?: string } }; code?: string };
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
    return new LerError(code === "unauthorized_account" ? "unauthorized" : code, `${fn} was refused: ${revert.name}(${args.join(", ")}).`, {
      details: { error: revert.name, args },
      cause: e,
    });
  }
  if (err.code === "CALL_EXCEPTION") return new LerError("reverted", `${fn} reverted.`, { cause: e });
  if (err.code === "INSUFFICIENT_FUNDS") {
    return new LerError("insufficient_funds", `The sending key has no funds for ${fn}'s gas: fund it, or relay a signed call.`, { cause: e });
  }
  return toChainError(e, fn);
}
