import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { InterfaceAbi } from "ethers";
import { LerError } from "../errors.js";

/** A compiled contract: what ethers needs to deploy it and to talk to it. */
export interface ContractArtifact {
  contractName: string;
  abi: InterfaceAbi;
  bytecode: string;
  /** The code a deployment leaves on chain, with zeros where the constructor writes immutables. */
  deployedBytecode?: string;
  /** Where the immutables are in `deployedBytecode` (byte offsets). */
  immutableReferences?: Record<string, { start: number; length: number }[]>;
}

/** The project's own contracts, compiled by `npm run build` (run by `npm ci`). */
export type ProjectContract = "TrustRegistry" | "StatusRegistry" | "Multicall3";

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(import.meta.url);

const sources: Record<ProjectContract, string> = {
  TrustRegistry: "contracts/TrustRegistry.sol",
  StatusRegistry: "contracts/StatusRegistry.sol",
  Multicall3: "contracts/utils/Multicall3.sol",
};

const cache = new Map<string, ContractArtifact>();

/** The artifact of one of the project's contracts. */
export function projectArtifact(name: ProjectContract): ContractArtifact {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const file = join(packageRoot, "artifacts", sources[name], `${name}.json`);
  if (!existsSync(file)) {
    throw new LerError("artifacts_missing", `The compiled ${name} contract is missing: run \`npm run build\`.`, {
      details: { file: `artifacts/${sources[name]}/${name}.json` },
    });
  }
  const json = JSON.parse(readFileSync(file, "utf8")) as ContractArtifact;
  const artifact: ContractArtifact = { contractName: json.contractName, abi: json.abi, bytecode: json.bytecode };
  if (json.deployedBytecode !== undefined) artifact.deployedBytecode = json.deployedBytecode;
  if (json.immutableReferences !== undefined) artifact.immutableReferences = json.immutableReferences;
  cache.set(name, artifact);
  return artifact;
}

/** The ERC-1056 EthereumDIDRegistry, as compiled and published by the `ethr-did-registry` package. */
export function didRegistryArtifact(): ContractArtifact {
  const pkg = require("ethr-did-registry") as { EthereumDIDRegistry: ContractArtifact };
  const { contractName, abi, bytecode, deployedBytecode } = pkg.EthereumDIDRegistry;
  return { contractName, abi, bytecode, ...(deployedBytecode !== undefined && { deployedBytecode }) };
}
