// Pure fixtures for the check suites (test/verify/checks/*.test.ts): a deployment, an issuer key, credentials signed
// with it, and chain snapshots built by hand. A helper module, not a test file: importing it has no side effects.
import { getAddress, Wallet } from "ethers";
import type { ChainSnapshot } from "../../../src/chain/snapshotPlan.js";
import type { Deployment } from "../../../src/chain/deployments.js";
import {
  AccreditationStatus,
  NO_END,
  ROLE_ACCREDITOR,
  ROLE_ISSUER,
  type ChainLink,
} from "../../../src/verify/trust.js";
import { createVerifierMemory } from "../../../src/verify/memory.js";
import type { VerifierScope } from "../../../src/verify/context.js";
import { signJwt } from "../../adversarial/jws.js";

export const CHAIN_ID = 31337;
export const NETWORK = "0x7a69";
const address = (n: number) => getAddress(`0x${n.toString(16).padStart(40, "a")}`);

export const deployment: Deployment = {
  network: "test",
  chainId: CHAIN_ID,
  contracts: {
    EthereumDIDRegistry: { address: address(1), block: 0 },
    TrustRegistry: { address: address(2), block: 0 },
    StatusRegistry: { address: address(3), block: 0 },
    Multicall3: { address: address(4), block: 0 },
  },
};

export const scope: VerifierScope = { deployment, networkName: NETWORK };

export const issuerKey = new Wallet(`0x${"1f".repeat(32)}`);
export const issuerDid = `did:ethr:${NETWORK}:${issuerKey.address}`;
export const accreditorAddress = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
export const NOW = 1_800_000_000;

export const memory = () => createVerifierMemory();

/** A VC 1.1 Degree credential payload of the issuer, with `extra` claims on top. */
export function payload(
  extra: Record<string, unknown> = {},
  vc: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    iss: issuerDid,
    sub: "did:example:learner",
    nbf: NOW - 1000,
    jti: "urn:uuid:6d1e2a7c-52b9-4c4c-9f4b-2d7a8a0f3b11",
    vc: {
      "@context": ["https://www.w3.org/2018/credentials/v1"],
      type: ["VerifiableCredential", "Degree"],
      credentialSubject: { id: "did:example:learner" },
      ...vc,
    },
    ...extra,
  };
}

/** The payload signed by `key` (default the issuer's). */
export function credential(p: Record<string, unknown> = payload(), key: string | Wallet = issuerKey): string {
  return signJwt(p, key);
}

/** An accreditation link of `subject` under `parent` with one version. */
export function link(
  subject: string,
  parent: string,
  opts: {
    role?: number;
    scope?: bigint;
    status?: AccreditationStatus;
    since?: bigint;
    validFrom?: bigint;
    validUntil?: bigint;
  } = {},
): ChainLink {
  return {
    subject,
    parent,
    versions: [
      {
        since: opts.since ?? 1n,
        role: opts.role ?? ROLE_ISSUER,
        status: opts.status ?? AccreditationStatus.Active,
        reason: 0,
        validFrom: opts.validFrom ?? 0n,
        validUntil: opts.validUntil ?? BigInt(NO_END),
        scope: opts.scope ?? 1n,
      },
    ],
  };
}

export const ZERO = "0x0000000000000000000000000000000000000000";

/** issuer -> accreditor (a root), both for type 0 ("Degree"). */
export function trustedChain(issuerOpts: Parameters<typeof link>[2] = {}): ChainLink[] {
  return [
    link(issuerKey.address, accreditorAddress, issuerOpts),
    link(accreditorAddress, ZERO, { role: ROLE_ACCREDITOR | ROLE_ISSUER }),
  ];
}

/** A snapshot at block 100 holding what is given. */
export function snapshot(parts: Partial<ChainSnapshot> = {}): ChainSnapshot {
  return {
    block: 100,
    timestamp: BigInt(NOW),
    chainId: CHAIN_ID,
    chains: new Map([[issuerKey.address, trustedChain()]]),
    didEvents: new Map(),
    typeIds: new Map([["Degree", 0]]),
    statuses: new Map(),
    hashRevokedAt: new Map(),
    anchors: new Map(),
    ...parts,
  };
}
