import type { Signer, TypedDataDomain } from "ethers";

/** EIP-712 domain names of the registries (version "1"). */
export const DOMAIN_NAMES = {
  TrustRegistry: "LER TrustRegistry",
  StatusRegistry: "LER StatusRegistry",
} as const;

export const SIGNED_CALL_TYPES = {
  SignedCall: [
    { name: "signer", type: "address" },
    { name: "data", type: "bytes" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

export interface SignCallParameters {
  /** Which registry the call is for. */
  registry: keyof typeof DOMAIN_NAMES;
  /** The registry's address. */
  verifyingContract: string;
  chainId: bigint | number;
  /** ABI-encoded call to the registry (e.g. `iface.encodeFunctionData("revoke", [...])`). */
  data: string;
  /** The signer's next nonce on that registry (`nonces(signer)`). */
  nonce: bigint | number;
  /** Unix time after which the signature is void. */
  deadline: bigint | number;
}

export interface SignedCall {
  signer: string;
  data: string;
  nonce: bigint;
  deadline: bigint;
  signature: string;
}

/**
 * Signs a registry call as the identity's ERC-1056 owner, so that anyone can relay it with
 * `callWithSignature(signer, data, nonce, deadline, signature)` and pay the gas.
 */
export async function signCall(signer: Signer, params: SignCallParameters): Promise<SignedCall> {
  const domain: TypedDataDomain = {
    name: DOMAIN_NAMES[params.registry],
    version: "1",
    chainId: params.chainId,
    verifyingContract: params.verifyingContract,
  };
  const address = await signer.getAddress();
  const message = { signer: address, data: params.data, nonce: params.nonce, deadline: params.deadline };
  const signature = await signer.signTypedData(domain, SIGNED_CALL_TYPES, message);
  return { signer: address, data: params.data, nonce: BigInt(params.nonce), deadline: BigInt(params.deadline), signature };
}
