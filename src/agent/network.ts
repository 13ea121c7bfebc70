import { LerError } from "../errors.js";
import { readBlock } from "../chain/blocks.js";
import { deploymentPath, readDeployment } from "../chain/deployments.js";
import { connectNetwork, type LerNetwork } from "../chain/network.js";
import { rpcProvider } from "../chain/provider.js";
import { readAnchor, readTrustedAt, readTypeNames } from "../chain/registryReads.js";
import { rpcCall } from "../chain/rpc.js";
import { Verdict, verdictCode } from "../verify/trust.js";
import { systemClock, unixSeconds } from "../clock.js";

/**
 * What the faces (`cli/`, `server/`) need of the chain and of the registry index, without importing `chain/` or
 * `store/` themselves: the network a command or the service talks to, its deployment record and presets, and the
 * typed reads they show to people. Verification and writes go through the agent's plugin instead.
 */

// ---- the network ---------------------------------------------------------------------------------------------------

export type { LerNetwork } from "../chain/network.js";
export type { Deployment } from "../chain/deployments.js";
export { deploymentPath } from "../chain/deployments.js";
export { headAgeBound } from "../chain/presets.js";

/**
 * Connects to `network` at `rpcUrl` (its deployment record from `deploymentsDir`), the endpoint probed for its chain
 * id, within `timeoutMs`: an endpoint that does not answer in time is a ChainError `chain_timeout`.
 */
export function connectNetworkWithin({
  rpcUrl,
  network,
  deploymentsDir,
  timeoutMs,
}: {
  rpcUrl: string;
  network: string;
  deploymentsDir: string;
  timeoutMs: number;
}): Promise<LerNetwork> {
  return rpcCall("eth_chainId", () => connectNetwork({ rpcUrl, network, deploymentsDir }), {
    timeoutMs,
    timeoutMessage: `${rpcUrl} did not answer within ${timeoutMs / 1000} s.`,
  });
}

/**
 * `network` at `rpcUrl` with its deployment record from `deploymentsDir`, nothing sent: for commands that need only
 * the network's name and addresses, and for verifications while the endpoint cannot be reached.
 */
export function unprobedNetwork({
  rpcUrl,
  network,
  deploymentsDir,
}: {
  rpcUrl: string;
  network: string;
  deploymentsDir: string;
}): LerNetwork {
  const file = deploymentPath(deploymentsDir, network);
  const deployment = readDeployment(file);
  if (deployment === undefined) {
    throw new LerError(
      "no_deployment",
      `No deployment record for "${network}" (${file}): start \`ler node\`, or deploy with \`ler deploy\`.`,
    );
  }
  return {
    name: network,
    chainId: deployment.chainId,
    provider: rpcProvider(rpcUrl, deployment.chainId),
    deployment,
    rpcUrl,
  };
}

// ---- registry reads shown to people (CLI) --------------------------------------------------------------------------

/** Every registered credential type, by id. */
export async function registeredTypes(network: LerNetwork): Promise<{ id: number; name: string }[]> {
  const names = await readTypeNames(network.provider, { deployment: network.deployment });
  return [...names].map(([id, name]) => ({ id, name }));
}

/** When `issuer` anchored `root`, or undefined when it did not. */
export function anchorOf(
  network: LerNetwork,
  issuer: string,
  root: string,
): Promise<{ timestamp: number; block: number } | undefined> {
  return readAnchor(network.provider, { deployment: network.deployment, issuer, root });
}

/**
 * The registry's own answer to "is `subject` trusted for type `typeId` at `at`?" (`TrustRegistry.trustedAt`), with
 * the verdict's code as verification reports it (`trusted`, or `verdictCode`'s: `issuer_suspended`, …).
 */
export async function trustedAt(
  network: LerNetwork,
  subject: string,
  typeId: number,
  at: number,
): Promise<{ verdict: Verdict; code: string; failedAt: string; root: string }> {
  const { verdict, failedAt, root } = await readTrustedAt(network.provider, {
    deployment: network.deployment,
    subject,
    typeId,
    at,
  });
  const code =
    verdict === Verdict.Trusted ? "trusted" : verdictCode(verdict, failedAt.toLowerCase() === subject.toLowerCase());
  return { verdict, code, failedAt, root };
}

/** The chain's latest block time (the registry's idea of now); the system clock's time when the node has no block. */
export async function chainNow(network: LerNetwork): Promise<number> {
  const block = await readBlock(network.provider, { blockTag: "latest" });
  return block?.timestamp ?? unixSeconds(systemClock);
}
