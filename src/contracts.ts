/**
 * `ler-registry/contracts`: the registries' compiled artifacts (ABI, bytecode) and deployment records, for code that
 * talks to the contracts directly (ethers, viem, web3) without the rest of the library.
 */
import type { InterfaceAbi } from "ethers";
import {
  didRegistryArtifact,
  projectArtifact,
  type ContractArtifact,
  type ProjectContract,
} from "./chain/artifacts.js";

export type { ContractArtifact, ProjectContract } from "./chain/artifacts.js";
export { deploymentPath, readDeployment, type Deployment } from "./chain/deployments.js";

/** The contracts a deployment record names. */
export type ContractName = ProjectContract | "EthereumDIDRegistry";

/** Every contract a deployment has, in the order `ler deploy` deploys them. */
export const CONTRACT_NAMES: readonly ContractName[] = [
  "EthereumDIDRegistry",
  "TrustRegistry",
  "StatusRegistry",
  "Multicall3",
];

/** The compiled artifact of one of the registries (ERC-1056's is the `ethr-did-registry` package's own). */
export function artifact(name: ContractName): ContractArtifact {
  return name === "EthereumDIDRegistry" ? didRegistryArtifact() : projectArtifact(name);
}

/** The ABI of one of the registries. */
export function abi(name: ContractName): InterfaceAbi {
  return artifact(name).abi;
}
