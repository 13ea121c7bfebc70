import type { Provider } from "ethers";
import { LIST_SIZE } from "../credentials/index.js";
import { ChainError } from "../errors.js";
import type { Deployment } from "./deployments.js";
import { statusInterface, type Purpose } from "./registryEvents.js";
import { rpcCall, type RpcCallOptions } from "./rpc.js";

/** Words (256 entries each) of one on-chain status list. */
export const WORDS_PER_LIST = LIST_SIZE / 256;
/** Words per `getWords` call: about 2,100 gas each, so a call stays near 2.2 M gas, under every node's eth_call cap. */
const WORDS_PER_CALL = 1024;

/** `IStatusRegistry.Purpose` of each status purpose. */
export const STATUS_PURPOSE_IDS: Record<Purpose, number> = { revocation: 0, suspension: 1 };

/**
 * Every word of one status list of `issuer` (`StatusRegistry.getWords`; bit `b` of word `w` is entry `256w + b`), at
 * `blockTag`, in a few `eth_call`s taken at that one block and sent together.
 */
export async function readStatusWords(
  provider: Provider,
  {
    deployment,
    issuer,
    purpose,
    list,
    blockTag,
  }: { deployment: Deployment; issuer: string; purpose: Purpose; list: bigint; blockTag: number },
  options: RpcCallOptions = {},
): Promise<bigint[]> {
  const to = deployment.contracts.StatusRegistry.address;
  const calls: Promise<bigint[]>[] = [];
  for (let from = 0; from < WORDS_PER_LIST; from += WORDS_PER_CALL) {
    const data = statusInterface.encodeFunctionData("getWords", [
      issuer,
      STATUS_PURPOSE_IDS[purpose],
      list,
      from,
      WORDS_PER_CALL,
    ]);
    calls.push(
      rpcCall("eth_call", () => provider.call({ to, data, blockTag }), options).then((raw) => {
        try {
          return [...(statusInterface.decodeFunctionResult("getWords", raw)[0] as bigint[])];
        } catch (e) {
          throw new ChainError("chain_inconsistent", "The node's answer to getWords could not be decoded.", {
            cause: e,
          });
        }
      }),
    );
  }
  const parts = await Promise.all(calls);
  const words = parts.flat();
  if (words.length !== WORDS_PER_LIST) {
    throw new ChainError("chain_inconsistent", `getWords returned ${words.length} words, not ${WORDS_PER_LIST}.`);
  }
  return words;
}
