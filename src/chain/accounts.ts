import type { Provider } from "ethers";
import { rpcCall, type RpcCallOptions } from "./rpc.js";

/** Account reads: an address's balance (a dev chain funds a key that has none before it sends). */

/** The balance of `address`, in wei (`eth_getBalance` at the latest block). */
export function readBalance(
  provider: Provider,
  { address }: { address: string },
  options: RpcCallOptions = {},
): Promise<bigint> {
  return rpcCall("eth_getBalance", () => provider.getBalance(address), options);
}
