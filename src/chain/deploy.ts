import { ContractFactory, getAddress, type Provider, type Signer } from "ethers";
import { LerError } from "../errors.js";
import { didRegistryArtifact, projectArtifact, type ContractArtifact } from "./artifacts.js";
import { CONTRACT_VERSIONS, type ContractDeployment, type DeployedContracts, type Deployment } from "./deployments.js";

export interface DeployParameters {
  /** Name written into the deployment record (e.g. `localhost`, `base-sepolia`). */
  network: string;
  /** Holder of the trust registry's governance roles; defaults to the deployer. */
  governor?: string;
  /** Use this ERC-1056 registry instead of deploying one (on public chains one usually exists). */
  didRegistry?: string;
  /** Use this Multicall3 instead of deploying one. */
  multicall?: string;
  /**
   * A previous deployment on this network: contracts whose code is still there are kept. One whose code is another
   * version of the contract than this release compiles is refused (`outdated_contract`): its records cannot be moved,
   * so replacing it is the operator's decision (`force`).
   */
  previous?: Deployment;
  /** Deploy everything anew even where a previous deployment is still there. */
  force?: boolean;
  /** Confirmations to wait for after each deployment transaction. */
  confirmations?: number;
}

export interface DeployReturnType {
  deployment: Deployment;
  /** Names of the contracts this call deployed (the rest were kept or given). */
  deployed: (keyof DeployedContracts)[];
}

/**
 * Deploys the registries with `signer`, keeping what a previous deployment left on chain. The trust and status
 * registries are bound to one ERC-1056 registry for life, so a new ERC-1056 registry redeploys them too.
 */
export async function deployRegistries(signer: Signer, params: DeployParameters): Promise<DeployReturnType> {
  const provider = signer.provider;
  if (provider === null) throw new LerError("no_provider", "The deployer signer has no provider.");
  const chainId = Number((await provider.getNetwork()).chainId);
  const previous = params.previous?.chainId === chainId ? params.previous : undefined;
  if (params.previous !== undefined && previous === undefined) {
    throw new LerError(
      "wrong_chain",
      `The deployment record is for chain ${params.previous.chainId}, but the RPC endpoint serves chain ${chainId}.`,
      { details: { expected: params.previous.chainId, actual: chainId } },
    );
  }
  const confirmations = params.confirmations ?? 1;
  const deployed: (keyof DeployedContracts)[] = [];

  const keep = async (
    name: keyof DeployedContracts,
    artifact: ContractArtifact,
  ): Promise<ContractDeployment | undefined> => {
    const entry = previous?.contracts[name];
    if (params.force === true || entry === undefined) return undefined;
    const code = await provider.getCode(entry.address);
    if (code === "0x") return undefined;
    if (!sameCode(code, artifact)) {
      throw new LerError(
        "outdated_contract",
        `The ${name} at ${entry.address} is another version than this release's. Its records stay there; to deploy this ` +
          "version beside it, run again with --force (a new registry starts empty: nothing is carried over).",
        { details: { contract: name, address: entry.address } },
      );
    }
    return { ...entry, ...versionOf(name) };
  };
  const deploy = async (name: keyof DeployedContracts, artifact: ContractArtifact, args: unknown[]) => {
    const factory = new ContractFactory(artifact.abi, artifact.bytecode, signer);
    const contract = await factory.deploy(...args);
    const receipt = await contract.deploymentTransaction()!.wait(confirmations);
    if (receipt === null) throw new LerError("deploy_failed", `The ${name} deployment transaction was dropped.`);
    deployed.push(name);
    return { address: getAddress(await contract.getAddress()), block: receipt.blockNumber, ...versionOf(name) };
  };
  const given = async (name: string, address: string): Promise<ContractDeployment> => {
    if (!(await hasCode(provider, address))) {
      throw new LerError("no_contract", `No ${name} contract at ${address} on chain ${chainId}.`);
    }
    return { address: getAddress(address), block: 0 };
  };

  const didRegistry =
    params.didRegistry !== undefined
      ? await given("EthereumDIDRegistry", params.didRegistry)
      : ((await keep("EthereumDIDRegistry", didRegistryArtifact())) ??
        (await deploy("EthereumDIDRegistry", didRegistryArtifact(), [])));
  const sameDidRegistry = previous?.contracts.EthereumDIDRegistry.address === didRegistry.address;
  const governor = params.governor ?? (await signer.getAddress());

  const keepBound = async (name: "TrustRegistry" | "StatusRegistry") =>
    sameDidRegistry ? keep(name, projectArtifact(name)) : undefined;
  const trust =
    (await keepBound("TrustRegistry")) ??
    (await deploy("TrustRegistry", projectArtifact("TrustRegistry"), [didRegistry.address, governor]));
  const status =
    (await keepBound("StatusRegistry")) ??
    (await deploy("StatusRegistry", projectArtifact("StatusRegistry"), [didRegistry.address]));
  const multicall =
    params.multicall !== undefined
      ? await given("Multicall3", params.multicall)
      : ((await keep("Multicall3", projectArtifact("Multicall3"))) ??
        (await deploy("Multicall3", projectArtifact("Multicall3"), [])));

  return {
    deployment: {
      network: params.network,
      chainId,
      contracts: {
        EthereumDIDRegistry: didRegistry,
        TrustRegistry: trust,
        StatusRegistry: status,
        Multicall3: multicall,
      },
      // The operator's setting for this network survives a redeploy.
      ...(previous?.maxHeadAgeSeconds !== undefined && { maxHeadAgeSeconds: previous.maxHeadAgeSeconds }),
    },
    deployed,
  };
}

/**
 * Whether code on chain is the artifact's: the same bytes, except where the constructor wrote immutables and in the
 * compiler's metadata trailer (a hash of the sources, comments included). An artifact without its deployed code
 * cannot be checked and is taken as the same.
 */
export function sameCode(onChain: string, artifact: ContractArtifact): boolean {
  if (artifact.deployedBytecode === undefined) return true;
  const a = hexToBytes(onChain);
  const b = hexToBytes(artifact.deployedBytecode);
  if (a.length !== b.length) return false;
  for (const refs of Object.values(artifact.immutableReferences ?? {})) {
    for (const { start, length } of refs) a.fill(0, start, start + length);
  }
  const end = b.length - metadataLength(b);
  if (end < 0 || b.length - metadataLength(a) !== end) return false;
  for (let i = 0; i < end; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The length of solc's CBOR metadata trailer, with its 2-byte length (0 when there is none). */
function metadataLength(code: Uint8Array): number {
  if (code.length < 2) return 0;
  const n = (code[code.length - 2]! << 8) | code[code.length - 1]!;
  return n + 2 <= code.length ? n + 2 : 0;
}

function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.startsWith("0x") ? hex.slice(2) : hex, "hex"));
}

/** The version to record for a contract this release deploys (none for the ERC-1056 registry and Multicall3). */
function versionOf(name: keyof DeployedContracts): { version?: string } {
  return name === "TrustRegistry" || name === "StatusRegistry" ? { version: CONTRACT_VERSIONS[name] } : {};
}

async function hasCode(provider: Provider, address: string): Promise<boolean> {
  return (await provider.getCode(address)) !== "0x";
}
