import { randomUUID } from "node:crypto";
import { getAddress } from "ethers";
import { transformCredentialInput } from "did-jwt-vc";
import type { ICredentialPlugin, TAgent } from "@veramo/core";
import { LerError } from "../errors.js";
import type { LerNetwork } from "../chain/network.js";
import { anchorBatch, checkAnchorProof, clrCredential, openBadgeCredential, statusEntry } from "../credentials/index.js";
import type { StatusIndexAllocator } from "../store/allocator.js";
import type { IssuedLedger } from "../store/ledger.js";
import { decodeJwt } from "../verify/jwt.js";
import { parseEthrDid } from "../did/ethr.js";
import type { CredentialRequest, IssuedCredential } from "../agent/types.js";

export interface IssueDeps {
  agent: TAgent<ICredentialPlugin>;
  network: LerNetwork;
  allocator: StatusIndexAllocator;
  ledger: IssuedLedger;
}

export interface SignBatchParameters {
  /** `keyRef`: the Veramo key to sign with (the identity's controller key). */
  issuer: { did: string; address: string; name: string; url?: string; keyRef?: string };
  requests: readonly CredentialRequest[];
  /** The issuance time written into the credentials (the caller's clock). */
  issuedAt: Date;
  onProgress?: (done: number, total: number) => void;
  /** Called with the batch's root once every credential is signed, before the batch goes into the ledger. */
  beforeRecord?: (root: string) => Promise<void>;
}

/**
 * Signs a batch of LER credentials: reserves status indices (durably, so none is ever used twice), builds each
 * credential with its status entry, computes the batch's Merkle tree over the JWT payloads, embeds each
 * credential's anchor proof, signs through Veramo, and records every credential in the issuer's ledger before
 * returning it. Anchoring the root on chain is the caller's next step.
 */
export async function signBatch(
  deps: IssueDeps,
  { issuer, requests, issuedAt, onProgress, beforeRecord }: SignBatchParameters,
): Promise<{ credentials: IssuedCredential[]; root: string }> {
  if (requests.length === 0) throw new LerError("empty_batch", "Nothing to issue.");
  const { network } = deps;
  const registry = network.deployment.contracts.StatusRegistry.address;
  const slots = expand(await deps.allocator.reserve(issuer.address, requests.length));

  const credentials: Record<string, unknown>[] = requests.map((request, i) => {
    const slot = slots[i]!;
    const common = {
      id: request.id ?? `urn:uuid:${randomUUID()}`,
      issuer: { id: issuer.did, name: issuer.name, ...(issuer.url !== undefined && { url: issuer.url }) },
      subject: { id: request.subject },
      issuedAt,
      ...(request.validUntil !== undefined && { validUntil: new Date(request.validUntil * 1000) }),
      status: statusEntry({ chainId: network.chainId, registry, issuer: issuer.address, list: slot.list, index: slot.index }),
    };
    if (request.achievements !== undefined) {
      return clrCredential({ ...common, achievements: request.achievements }) as Record<string, unknown>;
    }
    if (request.achievement === undefined) {
      throw new LerError("missing_achievement", `Credential ${i + 1} names no achievement.`);
    }
    return openBadgeCredential({ ...common, achievement: request.achievement }) as Record<string, unknown>;
  });

  // The leaves are the JWT payloads exactly as they will be signed, minus the anchor member.
  const payloads = credentials.map((c) => transformCredentialInput(structuredClone(c) as never) as object);
  const { root, anchors } = anchorBatch(payloads, { chainId: network.chainId, registry });

  const issued: IssuedCredential[] = [];
  for (let i = 0; i < credentials.length; i++) {
    const credential: Record<string, unknown> = { ...credentials[i]!, issuanceAnchor: anchors[i] };
    const vc = await deps.agent.createVerifiableCredential({
      credential: credential as never,
      proofFormat: "jwt",
      ...(issuer.keyRef !== undefined && { keyRef: issuer.keyRef }),
    });
    const jwt = (vc.proof as { jwt?: string }).jwt;
    if (typeof jwt !== "string") throw new LerError("signing_failed", "Veramo returned a credential without a JWT proof.");
    // Self-check: had anything changed the payload between the tree and the signature, the proof would not hold.
    if (!checkAnchorProof(decodeJwt(jwt).payload, anchors[i]!)) {
      throw new LerError("anchor_leaf_mismatch", "The signed credential does not match its anchor leaf.");
    }
    issued.push({ id: credential.id as string, jwt, subject: requests[i]!.subject, list: slots[i]!.list.toString(), index: slots[i]!.index });
    onProgress?.(i + 1, credentials.length);
  }
  await beforeRecord?.(root);
  await deps.ledger.appendIssued(
    issuer.address,
    issued.map((c) => ({ id: c.id, jwt: c.jwt, list: BigInt(c.list), index: c.index, batch: root, issuedAt: issuedAt.toISOString() })),
  );
  return { credentials: issued, root };
}

function expand(allocations: readonly { list: bigint; start: number; count: number }[]): { list: bigint; index: number }[] {
  return allocations.flatMap((a) => Array.from({ length: a.count }, (_, k) => ({ list: a.list, index: a.start + k })));
}

/** The address of an identity given as a did:ethr or an address. */
export function addressOf(didOrAddress: string): string {
  if (didOrAddress.startsWith("did:")) return parseEthrDid(didOrAddress).address;
  try {
    return getAddress(didOrAddress);
  } catch {
    throw new LerError("invalid_address", `Not an address or did:ethr: ${JSON.stringify(didOrAddress)}.`);
  }
}
