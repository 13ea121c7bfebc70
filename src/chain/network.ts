import { BrowserProvider, type Eip1193Provider, type Provider } from "ethers";
import { ChainError, LerError } from "../errors.js";
import { deploymentPath, readDeployment, type Deployment } from "./deployments.js";
import { chainIdOf, rpcProvider } from "./provider.js";

/** A chain this project talks to: how to reach it, its registries, and the name its did:ethr DIDs use. */
export interface LerNetwork {
  /** The did:ethr network name (`did:ethr:<name>:0x…`), also the deployment file's name. */
  name: string;
  chainId: number;
  provider: Provider;
  deployment: Deployment;
  /** The JSON-RPC URL, when the chain is reached over HTTP. */
  rpcUrl?: string;
}

/**
 * Connects to a chain by RPC URL, with its registries from `deployments/<network>.json`. The record's chain id must
 * be the endpoint's: a node serving another chain is refused before anything is read or written.
 */
export async function connectNetwork({
  rpcUrl,
  network,
  deploymentsDir,
}: {
  rpcUrl: string;
  network: string;
  deploymentsDir: string;
}): Promise<LerNetwork> {
  const file = deploymentPath(deploymentsDir, network);
  const deployment = readDeployment(file);
  if (deployment === undefined) {
    throw new LerError(
      "no_deployment",
      `No deployment record for "${network}" (${file}): deploy first, or start \`ler node\`.`,
    );
  }
  const probe = rpcProvider(rpcUrl);
  let actual: number;
  try {
    actual = await chainIdOf(probe, rpcUrl);
  } finally {
    probe.destroy();
  }
  if (actual !== deployment.chainId) {
    throw new ChainError(
      "wrong_chain",
      `${rpcUrl} serves chain ${actual}, but "${network}" is chain ${deployment.chainId}.`,
      {
        details: { expected: deployment.chainId, actual },
      },
    );
  }
  const provider = rpcProvider(rpcUrl, deployment.chainId);
  return { name: network, chainId: deployment.chainId, provider, deployment, rpcUrl };
}

/** A network over an in-process EIP-1193 provider (the embedded Hardhat chain). */
export function embeddedNetwork(
  eip1193: Eip1193Provider,
  deployment: Deployment,
  name = deployment.network,
): LerNetwork {
  const provider = new BrowserProvider(eip1193, deployment.chainId, { cacheTimeout: -1 });
  return { name, chainId: deployment.chainId, provider, deployment };
}
