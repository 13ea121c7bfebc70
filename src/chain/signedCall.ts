import type { Signer, TypedDataDomain } from "ethers";
import { CONTRACT_VERSIONS } from "./deployments.js";

/** EIP-712 domain names of the registries. */
export const DOMAIN_NAMES = {
  TrustRegistry: "LER TrustRegistry",
  StatusRegistry: "LER StatusRegistry",
} as const;

/** EIP-712 domain versions of the registries: the contract versions this release deploys. */
export const DOMAIN_VERSIONS = CONTRACT_VERSIONS;

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
    version: DOMAIN_VERSIONS[params.registry],
    chainId: params.chainId,
    verifyingContract: params.verifyingContract,
  };
  const address = await signer.getAddress();
  const message = { signer: address, data: params.data, nonce: params.nonce, deadline: params.deadline };
  const signature = await signer.signTypedData(domain, SIGNED_CALL_TYPES, message);
  return {
    signer: address,
    data: params.data,
    nonce: BigInt(params.nonce),
    deadline: BigInt(params.deadline),
    signature,
  };
}

export const ACCREDITATION_CONSENT_TYPES = {
  AccreditationConsent: [
    { name: "parent", type: "address" },
    { name: "subject", type: "address" },
    { name: "role", type: "uint8" },
    { name: "scope", type: "uint256" },
    { name: "validFrom", type: "uint40" },
    { name: "validUntil", type: "uint40" },
    { name: "metadataHash", type: "bytes32" },
    { name: "deadline", type: "uint256" },
  ],
};

/** The terms a subject consents to: exactly the arguments `TrustRegistry.accredit` will be called with. */
export interface AccreditationTerms {
  parent: string;
  subject: string;
  role: number;
  scope: bigint;
  validFrom: bigint | number;
  validUntil: bigint | number;
  metadataHash: string;
  /** Unix time after which the consent is void. */
  deadline: bigint | number;
}

/**
 * The subject's consent to be accredited on `terms`, signed (EIP-712) by the subject's ERC-1056 owner, for
 * `TrustRegistry.accredit(..., deadline, consent)`. A subject is accredited at most once, so it cannot be replayed.
 */
export async function signAccreditationConsent(
  owner: Signer,
  params: { verifyingContract: string; chainId: bigint | number; terms: AccreditationTerms },
): Promise<string> {
  const domain: TypedDataDomain = {
    name: DOMAIN_NAMES.TrustRegistry,
    version: DOMAIN_VERSIONS.TrustRegistry,
    chainId: params.chainId,
    verifyingContract: params.verifyingContract,
  };
  return owner.signTypedData(domain, ACCREDITATION_CONSENT_TYPES, params.terms);
}
