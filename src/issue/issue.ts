import { randomUUID } from "node:crypto";
import { getAddress } from "ethers";
import type { IKeyManager, TAgent } from "@veramo/core";
import { LerError } from "../errors.js";
import type { LerNetwork } from "../chain/network.js";
import {
  anchorBatch,
  checkAnchorProof,
  type IssuanceAnchorProof,
  clrCredential,
  credentialStatus,
  openBadgeCredential,
} from "../credentials/index.js";
import { joseCredentialPayload, secp256k1Jwk, type Secp256k1Jwk } from "../credentials/jose.js";
import { uncompressedKey } from "../verify/secp256k1.js";
import type { IndexAllocator, IssuedLedgerStore } from "../store/types.js";
import { decodeJwt } from "../verify/jwt.js";
import { parseEthrDid } from "../did/ethr.js";
import type { CredentialRequest, IssuedCredential } from "./types.js";

export interface IssueDeps {
  agent: TAgent<IKeyManager>;
  network: LerNetwork;
  allocator: IndexAllocator;
  ledger: IssuedLedgerStore;
}

export interface SignBatchParameters {
  /** `keyRef`: the Veramo key to sign with (the identity's controller key), whose public key is `publicKeyHex`. */
  issuer: { did: string; address: string; name: string; url?: string; keyRef: string; publicKeyHex: string };
  /** With `embed`, a record's request carries the compact JWTs of the credentials it embeds (CLR 2.0). */
  requests: readonly (CredentialRequest & { embed?: readonly string[] })[];
  /** The issuance time written into the credentials (the caller's clock). */
  issuedAt: Date;
  onProgress?: (done: number, total: number) => void;
  /** Called with the batch's root once every credential is signed, before the batch goes into the ledger. */
  beforeRecord?: (root: string) => Promise<void>;
  /** Where the issuer publishes its status lists (`ler issuer publish-status`); default `DEFAULT_STATUS_LIST_BASE_URL`. */
  statusListBaseUrl?: string;
}

/**
 * Signs a batch of LER credentials: reserves status indices (durably, so none is ever used twice), builds each
 * credential with its status entry, computes the batch's Merkle tree over the JWT payloads, embeds each
 * credential's anchor proof, signs through Veramo, and records every credential in the issuer's ledger before
 * returning it. Anchoring the root on chain is the caller's next step.
 */
export async function signBatch(
  deps: IssueDeps,
  { issuer, requests, issuedAt, onProgress, beforeRecord, statusListBaseUrl }: SignBatchParameters,
): Promise<{ credentials: IssuedCredential[]; root: string }> {
  if (requests.length === 0) throw new LerError("empty_batch", "Nothing to issue.");
  const { network } = deps;
  const registry = network.deployment.contracts.StatusRegistry.address;
  const slots = expand(await deps.allocator.reserve(issuer.address, requests.length));

  const credentials = buildCredentials(network, {
    issuer,
    requests,
    issuedAt,
    slots,
    ...(statusListBaseUrl !== undefined && { statusListBaseUrl }),
  });

  // The leaves are the JWT payloads exactly as they will be signed, minus the anchor member.
  const payloads = credentials.map((c) => joseCredentialPayload(c));
  const { root, anchors } = anchorBatch(payloads, { chainId: network.chainId, registry });

  const header = joseHeader(issuer);
  const issued: IssuedCredential[] = [];
  for (let i = 0; i < credentials.length; i++) {
    const jwt = await signWithAnchor(deps.agent, issuer.keyRef, header, payloads[i]!, anchors[i]!);
    const credential = credentials[i]!;
    issued.push({
      id: credential.id as string,
      jwt,
      subject: requests[i]!.subject,
      list: slots[i]!.list.toString(),
      index: slots[i]!.index,
    });
    onProgress?.(i + 1, credentials.length);
  }
  await beforeRecord?.(root);
  await deps.ledger.appendIssued(
    issuer.address,
    issued.map((c) => ({
      id: c.id,
      jwt: c.jwt,
      list: BigInt(c.list),
      index: c.index,
      batch: root,
      issuedAt: issuedAt.toISOString(),
    })),
  );
  return { credentials: issued, root };
}

/**
 * The credentials of `requests`, each with its status entry at `slots[i]` (one per request): Open Badges 3.0, or a
 * CLR 2.0 record for a request of several achievements. Unsigned, without an issuance anchor.
 */
export function buildCredentials(
  network: LerNetwork,
  {
    issuer,
    requests,
    issuedAt,
    slots,
    statusListBaseUrl,
  }: Pick<SignBatchParameters, "issuer" | "requests" | "issuedAt" | "statusListBaseUrl"> & {
    slots: readonly { list: bigint; index: number }[];
  },
): Record<string, unknown>[] {
  const registry = network.deployment.contracts.StatusRegistry.address;
  return requests.map((request, i) => {
    const slot = slots[i]!;
    const common = {
      id: request.id ?? `urn:uuid:${randomUUID()}`,
      issuer: { id: issuer.did, name: issuer.name, ...(issuer.url !== undefined && { url: issuer.url }) },
      subject: { id: request.subject },
      issuedAt,
      ...(request.validUntil !== undefined && { validUntil: new Date(request.validUntil * 1000) }),
      status: credentialStatus({
        chainId: network.chainId,
        registry,
        issuer: issuer.address,
        list: slot.list,
        index: slot.index,
        ...(statusListBaseUrl !== undefined && { statusListBaseUrl }),
      }),
    };
    if (request.achievements !== undefined) {
      return clrCredential({
        ...common,
        achievements: request.achievements,
        ...(request.embed !== undefined && { credentials: request.embed }),
      }) as Record<string, unknown>;
    }
    if (request.achievement === undefined) {
      throw new LerError("missing_achievement", `Credential ${i + 1} names no achievement.`);
    }
    return openBadgeCredential({ ...common, achievement: request.achievement }) as Record<string, unknown>;
  });
}

/**
 * Open Badges 3.0's JOSE header, base64url: the algorithm, `typ` JWT, and the public key as a `jwk` (did:ethr's
 * `#controller` method is an address, with no key for a `kid` to dereference to). Nothing else.
 */
export function joseHeader(issuer: { did: string; publicKeyHex: string }): string {
  return b64(JSON.stringify({ alg: "ES256K", typ: "JWT", jwk: issuerJwk(issuer) }));
}

/**
 * Signs `payload` (a credential's JWT payload, without its anchor) with `anchor` added as its last member, through
 * the agent's key manager, and checks that the signed payload still leads to the anchor's root.
 */
export async function signWithAnchor(
  agent: TAgent<IKeyManager>,
  keyRef: string,
  header: string,
  payload: Record<string, unknown>,
  anchor: IssuanceAnchorProof,
): Promise<string> {
  // The anchor proof is a member of the credential, after the others (the payload is the credential).
  const signingInput = `${header}.${b64(JSON.stringify({ ...payload, issuanceAnchor: anchor }))}`;
  const signature = await agent.keyManagerSign({ keyRef, algorithm: "ES256K", data: signingInput, encoding: "utf-8" });
  const jwt = `${signingInput}.${signature}`;
  // Self-check: had anything changed the payload between the tree and the signature, the proof would not hold.
  if (!checkAnchorProof(decodeJwt(jwt).payload, anchor)) {
    throw new LerError("anchor_leaf_mismatch", "The signed credential does not match its anchor leaf.");
  }
  return jwt;
}

const b64 = (json: string) => Buffer.from(json, "utf8").toString("base64url");

function issuerJwk(issuer: { did: string; publicKeyHex: string }): Secp256k1Jwk {
  const key = /^(?:0x)?((?:0[23][0-9a-fA-F]{64})|(?:04[0-9a-fA-F]{128}))$/.exec(issuer.publicKeyHex)?.[1];
  const point = key === undefined ? undefined : uncompressedKey(Buffer.from(key, "hex"));
  if (point === undefined)
    throw new LerError("invalid_key", `The signing key of ${issuer.did} is not a secp256k1 public key.`);
  return secp256k1Jwk(point);
}

function expand(
  allocations: readonly { list: bigint; start: number; count: number }[],
): { list: bigint; index: number }[] {
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
