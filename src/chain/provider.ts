import { JsonRpcProvider, Wallet, type JsonRpcApiProvider, type JsonRpcPayload, type Signer } from "ethers";
import { ChainError, LerError } from "../errors.js";

/**
 * A JSON-RPC provider for sending transactions and reading state. ethers caches identical calls for 250 ms by
 * default, which makes back-to-back transactions reuse a nonce: the cache is off here.
 */
export function rpcProvider(url: string, chainId?: number): JsonRpcProvider {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LerError("invalid_rpc_url", `Not a URL: "${url}".`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new LerError("invalid_rpc_url", `RPC URLs are http:// or https://, not "${parsed.protocol}".`);
  }
  return new JsonRpcProvider(url, chainId, { cacheTimeout: -1, staticNetwork: chainId !== undefined });
}

/** The chain id the endpoint serves, as a clear error when it cannot be reached. */
export async function chainIdOf(provider: JsonRpcProvider, url: string): Promise<number> {
  try {
    return Number((await provider.getNetwork()).chainId);
  } catch (e) {
    throw new ChainError("chain_unreachable", `Cannot reach the chain at ${url}.`, { cause: e });
  }
}

/**
 * Calls `count` with the method of every JSON-RPC request `provider` sends, at `_send`: where ethers' JSON-RPC
 * providers hand requests to the transport, after their own batching and caching, so what the node receives.
 */
export function countJsonRpc(provider: JsonRpcApiProvider, count: (method: string) => void): void {
  const send = provider._send.bind(provider);
  provider._send = async (payload: JsonRpcPayload | JsonRpcPayload[]) => {
    for (const p of Array.isArray(payload) ? payload : [payload]) count(p.method);
    return send(payload);
  };
}

/**
 * The signer for a write: a private key from the environment, or on a local dev node its first unlocked account.
 * The key is never printed; an invalid one is reported without echoing it.
 */
export async function signerFrom(
  provider: JsonRpcProvider,
  { privateKey, allowUnlocked }: { privateKey: string | undefined; allowUnlocked: boolean },
): Promise<Signer> {
  if (privateKey !== undefined && privateKey !== "") {
    try {
      return new Wallet(privateKey.startsWith("0x") ? privateKey : `0x${privateKey}`, provider);
    } catch {
      throw new LerError("invalid_private_key", "The private key in the environment is not a valid secp256k1 key.");
    }
  }
  if (!allowUnlocked) {
    throw new LerError("no_signer", "No key: set LER_DEPLOYER_KEY (never pass keys on the command line).");
  }
  const accounts = (await provider.send("eth_accounts", [])) as string[];
  if (accounts.length === 0)
    throw new LerError("no_signer", "The node has no unlocked accounts; set LER_DEPLOYER_KEY.");
  return provider.getSigner(accounts[0]);
}
