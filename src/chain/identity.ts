import { getAddress, Interface, type Provider } from "ethers";
import { ChainError } from "../errors.js";
import { didRegistryArtifact } from "./artifacts.js";
import { rpcCall, type RpcCallOptions } from "./rpc.js";

/** ERC-1056 (EthereumDIDRegistry) reads of one identity. */

const didIface = new Interface(didRegistryArtifact().abi);

/**
 * The ERC-1056 owner of `identity` (checksummed) at `blockTag` (default the latest block), from the DID registry at
 * `registry` (`identityOwner`: the identity itself until its owner was changed). An answer that does not decode is a
 * ChainError `chain_inconsistent`.
 */
export async function readIdentityOwner(
  provider: Provider,
  { registry, identity, blockTag = "latest" }: { registry: string; identity: string; blockTag?: number | "latest" },
  options: RpcCallOptions = {},
): Promise<string> {
  const data = didIface.encodeFunctionData("identityOwner", [identity]);
  const raw = await rpcCall("identityOwner", () => provider.call({ to: registry, data, blockTag }), options);
  try {
    return getAddress(didIface.decodeFunctionResult("identityOwner", raw)[0] as string);
  } catch (e) {
    throw new ChainError("chain_inconsistent", "The node's answer to identityOwner could not be decoded.", {
      cause: e,
    });
  }
}
