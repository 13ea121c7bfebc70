import { Contract, type ContractRunner } from "ethers";
import { didRegistryArtifact } from "./artifacts.js";
import type { Deployment } from "./deployments.js";
import { sendWrite, type WriteOptions, type WriteResult } from "./writes.js";

/**
 * The ERC-1056 EthereumDIDRegistry writes an identity's owner makes (ownership, delegates, attributes), through
 * `sendWrite`. The owner read that comes before each is `readIdentityOwner` (identity.ts).
 */

/** The DID registry bound to `runner` (a signer to write, a provider to read). */
export function didRegistry(deployment: Deployment, runner: ContractRunner): Contract {
  return new Contract(deployment.contracts.EthereumDIDRegistry.address, didRegistryArtifact().abi, runner);
}

/** `changeOwner(identity, newOwner)`, sent by the identity's current owner (`registry`'s signer). */
export function changeOwner(
  registry: Contract,
  identity: string,
  newOwner: string,
  options: WriteOptions,
): Promise<WriteResult> {
  return sendWrite(registry, "changeOwner", [identity, newOwner], options);
}

/** `addDelegate(identity, delegateType, delegate, validity)`; `delegateType` is a bytes32 name. */
export function addDelegate(
  registry: Contract,
  identity: string,
  delegateType: string,
  delegate: string,
  validitySeconds: number,
  options: WriteOptions,
): Promise<WriteResult> {
  return sendWrite(registry, "addDelegate", [identity, delegateType, delegate, validitySeconds], options);
}

/** `revokeDelegate(identity, delegateType, delegate)`; `delegateType` is a bytes32 name. */
export function revokeDelegate(
  registry: Contract,
  identity: string,
  delegateType: string,
  delegate: string,
  options: WriteOptions,
): Promise<WriteResult> {
  return sendWrite(registry, "revokeDelegate", [identity, delegateType, delegate], options);
}

/** `revokeAttribute(identity, name, value)`; `name` is a bytes32 name, `value` hex bytes. */
export function revokeAttribute(
  registry: Contract,
  identity: string,
  name: string,
  value: string,
  options: WriteOptions,
): Promise<WriteResult> {
  return sendWrite(registry, "revokeAttribute", [identity, name, value], options);
}
