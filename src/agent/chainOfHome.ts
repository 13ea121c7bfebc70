import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readDeploymentOnChain, RESETTABLE_CHAIN_IDS, type DeployedContracts } from "../chain/deployments.js";
import type { LerNetwork } from "../chain/network.js";
import { rpcProvider } from "../chain/provider.js";
import { rpcCall } from "../chain/rpc.js";
import { ChainError } from "../errors.js";
import { ensureDir, writeFileAtomicSync } from "../store/files.js";

/**
 * Is the chain a command is about to use the one its deployment record, and its home, were made on? A dev chain
 * (`ler node --no-state`, a Hardhat or Anvil node) that restarted is empty, or has the registries again at the same
 * addresses but none of their records: a home made on the old one would then fail in confusing ways (`not_owner`,
 * `unknown_credential_type`). Checked once per command, with one batched round trip:
 * - every contract of the record has code;
 * - on a dev chain, the blocks the record names (`blockHash`) are still those blocks;
 * - on a dev chain, the block the home last saw its TrustRegistry deployed in is still that block. The home
 *   remembers it in `chains/<network>.json` (written by the commands that use the chain, not by verifications).
 * Otherwise: `deployment_not_on_chain`, in one line that says what to do. A verification is not refused: it gets a
 * network whose every read fails with that error, so that what needs the chain is `unknown`, with that reason.
 */

/** What a home remembers of the dev chain it was used with. */
interface ChainPin {
  network: string;
  chainId: number;
  /** The TrustRegistry of the record it was used with, and the block it was deployed in. */
  address: string;
  block: number;
  blockHash: string;
}

/** Where a home remembers the dev chain of `network`. */
export function chainPinPath(home: string, network: string): string {
  return join(home, "chains", `${network}.json`);
}

/**
 * Returns `network` when its deployment is on the chain (and, in `chain` mode on a dev chain, has the home remember
 * it); otherwise throws `deployment_not_on_chain` (in `verify` mode, returns a network that answers every read with it).
 * The endpoint's own failures (`chain_unreachable`, `chain_timeout`) are thrown as they are.
 */
export async function checkDeploymentOnChain(
  network: LerNetwork,
  { home, mode, timeoutMs }: { home: string; mode: "chain" | "verify"; timeoutMs: number },
): Promise<LerNetwork> {
  const { deployment, chainId } = network;
  const url = network.rpcUrl ?? "the endpoint";
  const dev = RESETTABLE_CHAIN_IDS.has(chainId);
  const pinFile = chainPinPath(home, network.name);
  const pin = dev ? readPin(pinFile, network.name, chainId) : undefined;
  const trust = deployment.contracts.TrustRegistry;
  const blocks = [...(pin !== undefined ? [pin.block] : []), ...(dev && mode === "chain" ? [trust.block] : [])];
  let problem: { message: string; details: Record<string, unknown> } | undefined;
  let hashes: Map<number, string | undefined>;
  try {
    const found = await rpcCall("eth_call", () => readDeploymentOnChain(network.provider, deployment, blocks), {
      timeoutMs,
      timeoutMessage: `${url} did not answer within ${timeoutMs / 1000} s.`,
    });
    hashes = found.hashes;
    const restart = dev
      ? " A dev chain that restarted without its state? Start `ler node` again on its state file (it keeps one unless --no-state or --fresh: see --state), or deploy anew with `ler deploy` (what was made on the old chain must then be made again)."
      : " Check --network and --deployments, or deploy with `ler deploy`.";
    const moved = (Object.keys(deployment.contracts) as (keyof DeployedContracts)[]).filter((name) => {
      const c = deployment.contracts[name];
      return c.blockHash !== undefined && found.hashes.get(c.block) !== c.blockHash;
    });
    if (found.missing.length > 0) {
      const names = found.missing.map((n) => `${n} ${deployment.contracts[n].address}`).join(", ");
      problem = {
        message: `The chain at ${url} does not have the contracts the deployment record of "${network.name}" names (no code at ${names}).${restart}`,
        details: { rpcUrl: network.rpcUrl, network: network.name, missing: found.missing },
      };
    } else if (moved.length > 0) {
      const c = deployment.contracts[moved[0]!];
      problem = {
        message: `The chain at ${url} is not the one the deployment record of "${network.name}" was written on: its block ${c.block}, where ${moved[0]} was deployed, is another block now.${restart}`,
        details: { rpcUrl: network.rpcUrl, network: network.name, block: c.block, expected: c.blockHash },
      };
    } else if (pin !== undefined && found.hashes.get(pin.block) !== pin.blockHash) {
      problem = {
        message:
          `The chain at ${url} is not the one this home (${home}) was used with: block ${pin.block}, where its TrustRegistry was deployed, is another block there (\`ler node\` restarted without its state?). ` +
          `Start \`ler node\` on that chain's state file (--state <file>; --fresh moved the one before to <file>.previous), or use a new home (--home); to use this home on this chain anyway, remove ${pinFile}.`,
        details: { rpcUrl: network.rpcUrl, network: network.name, home, block: pin.block, expected: pin.blockHash },
      };
    }
  } catch (e) {
    // A node that refuses the code-size call itself (an eth_call without `to`) leaves a public chain unchecked, as
    // before this check; its unreachability or slowness is the command's to report.
    if (!dev && e instanceof ChainError && e.code === "chain_error") return network;
    network.provider.destroy();
    throw e;
  }
  if (problem !== undefined) {
    const error = new ChainError("deployment_not_on_chain", problem.message, { details: problem.details });
    network.provider.destroy();
    if (mode === "verify" && network.rpcUrl !== undefined) return refusing(network, error);
    throw error;
  }
  if (dev && mode === "chain") {
    const blockHash = hashes.get(trust.block);
    const same =
      pin !== undefined && pin.address === trust.address && pin.block === trust.block && pin.blockHash === blockHash;
    if (blockHash !== undefined && !same) {
      const next: ChainPin = { network: network.name, chainId, address: trust.address, block: trust.block, blockHash };
      ensureDir(home, 0o700);
      ensureDir(join(home, "chains"), 0o700);
      writeFileAtomicSync(pinFile, `${JSON.stringify(next, null, 2)}\n`);
    }
  }
  return network;
}

function readPin(file: string, network: string, chainId: number): ChainPin | undefined {
  let pin: Partial<ChainPin>;
  try {
    pin = JSON.parse(readFileSync(file, "utf8")) as Partial<ChainPin>;
  } catch {
    return undefined; // none (or unreadable: the next command that uses the chain writes it again)
  }
  if (pin.network !== network || pin.chainId !== chainId) return undefined;
  if (typeof pin.address !== "string" || !Number.isSafeInteger(pin.block) || typeof pin.blockHash !== "string")
    return undefined;
  return pin as ChainPin;
}

/** The network with a provider that answers every request with `error` (nothing is sent). */
function refusing(network: LerNetwork, error: ChainError): LerNetwork {
  const provider = rpcProvider(network.rpcUrl!, network.chainId);
  provider._send = () => Promise.reject(error);
  return { ...network, provider };
}
