import type { IKeyManager, TAgent } from "@veramo/core";
import { ChainError, LerError } from "../errors.js";
import type { LerNetwork } from "../chain/network.js";
import { readBlock } from "../chain/blocks.js";
import { readStatusWords } from "../chain/statusWords.js";
import { bitstringFromWords, encodeBitstring } from "../credentials/bitstring.js";
import { LER_CONTEXT } from "../credentials/contexts.js";
import { joseCredentialPayload, secp256k1Jwk, VC_CONTEXT_V2 } from "../credentials/jose.js";
import { STATUS_PURPOSES, statusListBaseUrl, statusListUrl, type StatusPurpose } from "../credentials/status.js";
import { uncompressedKey } from "../verify/secp256k1.js";
import { VC_JWT_TYPE } from "../verify/statusLists.js";

// An issuer's status lists as W3C Bitstring Status List credentials, signed by the issuer: derived bit for bit from the
// StatusRegistry at one block, which each list names (`statusRegistrySnapshot`), so that anyone can check it against
// the chain. The issuer publishes the files wherever its credentials say (`statusListBaseUrl`); the chain stays the
// source of truth, and a list is as fresh as its last publication.

/** Where a list was derived from: the chain, the StatusRegistry, the list, the block. */
export interface StatusRegistrySnapshot {
  chainId: number;
  registry: string;
  list: bigint;
  block: number;
  blockHash: string;
  /** The block's time, in seconds: the list's `validFrom`. */
  blockTime: number;
}

export interface StatusListCredentialParameters {
  /** The URL the credentials' entries name: the list credential's `id`. */
  url: string;
  /** The issuer's DID. */
  issuer: string;
  purpose: StatusPurpose;
  /** The bitstring, GZIP and Multibase (`u…`), as the standard encodes it. */
  encodedList: string;
  snapshot: StatusRegistrySnapshot;
  /** Unix seconds: the list's `validUntil`; none by default. */
  validUntil?: number;
  /** The standard's `ttl`, in milliseconds: how long a verifier may keep the list before fetching it again. */
  ttlMs?: number;
}

/**
 * A BitstringStatusListCredential (VC Data Model 2.0) for one purpose of one list, valid from the block it was read
 * at. Unsigned: {@link signStatusListCredential} secures it.
 */
export function statusListCredentialOf(p: StatusListCredentialParameters): Record<string, unknown> {
  const validFrom = isoSeconds(p.snapshot.blockTime);
  if (p.validUntil !== undefined && !(p.validUntil > p.snapshot.blockTime)) {
    throw new LerError(
      "invalid_argument",
      `The list's validUntil (${isoSeconds(p.validUntil)}) is not after its validFrom (${validFrom}).`,
    );
  }
  return {
    "@context": [VC_CONTEXT_V2, LER_CONTEXT],
    id: p.url,
    type: ["VerifiableCredential", "BitstringStatusListCredential"],
    issuer: p.issuer,
    validFrom,
    ...(p.validUntil !== undefined && { validUntil: isoSeconds(p.validUntil) }),
    credentialSubject: {
      id: `${p.url}#list`,
      type: "BitstringStatusList",
      statusPurpose: p.purpose,
      encodedList: p.encodedList,
      ...(p.ttlMs !== undefined && { ttl: p.ttlMs }),
    },
    statusRegistrySnapshot: {
      type: "LERStatusRegistrySnapshot",
      chainId: p.snapshot.chainId,
      registry: p.snapshot.registry,
      statusList: p.snapshot.list.toString(),
      chainBlock: p.snapshot.block,
      blockHash: p.snapshot.blockHash,
    },
  };
}

/** The signing key of an identity, as the agent holds it: its Veramo key and public key. */
export interface SigningIdentity {
  did: string;
  address: string;
  keyRef: string;
  publicKeyHex: string;
}

/**
 * Secures a credential the way the project's credentials are (VC-JOSE: the credential is the JWT payload, with `iss`,
 * `jti`, `sub`, `nbf`, `exp` mirrored), with the JOSE `typ` of a verifiable credential, `vc+jwt`, and the signing key as
 * a `jwk`. Signed through the agent's key manager.
 */
export async function signStatusListCredential(
  agent: TAgent<IKeyManager>,
  signer: SigningIdentity,
  credential: Record<string, unknown>,
): Promise<string> {
  const key = /^(?:0x)?((?:0[23][0-9a-fA-F]{64})|(?:04[0-9a-fA-F]{128}))$/.exec(signer.publicKeyHex)?.[1];
  const point = key === undefined ? undefined : uncompressedKey(Buffer.from(key, "hex"));
  if (point === undefined)
    throw new LerError("invalid_key", `The signing key of ${signer.did} is not a secp256k1 public key.`);
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
  const signingInput = `${b64({ alg: "ES256K", typ: VC_JWT_TYPE, jwk: secp256k1Jwk(point) })}.${b64(joseCredentialPayload(credential))}`;
  const signature = await agent.keyManagerSign({
    keyRef: signer.keyRef,
    algorithm: "ES256K",
    data: signingInput,
    encoding: "utf-8",
  });
  return `${signingInput}.${signature}`;
}

export interface PublishStatusListsParameters {
  agent: TAgent<IKeyManager>;
  network: LerNetwork;
  issuer: SigningIdentity;
  lists: readonly bigint[];
  /** Where the lists are published: the base of the URLs the issuer's credentials name. */
  baseUrl: string;
  /** Seconds from the block's time to the lists' `validUntil`; none by default. */
  validForSeconds?: number;
  ttlMs?: number;
  /** Timeout of each JSON-RPC read, in milliseconds. */
  timeoutMs: number;
}

export interface PublishedStatusList {
  list: string;
  purpose: StatusPurpose;
  /** The list credential's URL (its `id`). */
  url: string;
  /** `<issuer address>/<list>/<purpose>`: where the file goes under the published directory. */
  path: string;
  jwt: string;
  credential: Record<string, unknown>;
  /** Entries set in the list. */
  set: number;
}

export interface PublishedStatusLists {
  issuer: string;
  block: number;
  blockHash: string;
  blockTime: number;
  lists: PublishedStatusList[];
}

/** Reads every list given (both purposes) at the chain's latest block, and signs each as the issuer. */
export async function publishStatusLists(p: PublishStatusListsParameters): Promise<PublishedStatusLists> {
  const baseUrl = statusListBaseUrl(p.baseUrl);
  if (p.validForSeconds !== undefined && !(Number.isSafeInteger(p.validForSeconds) && p.validForSeconds > 0)) {
    throw new LerError(
      "invalid_argument",
      `validForSeconds must be a positive whole number, not ${p.validForSeconds}.`,
    );
  }
  if (p.ttlMs !== undefined && !(Number.isSafeInteger(p.ttlMs) && p.ttlMs > 0)) {
    throw new LerError("invalid_argument", `ttlMs must be a positive whole number, not ${p.ttlMs}.`);
  }
  const { provider, deployment, chainId } = p.network;
  // Every list is read at one block: what the files say is the chain's state at that block, all of them.
  const rpc = { timeoutMs: p.timeoutMs };
  const head = await readBlock(provider, { blockTag: "latest" }, rpc);
  if (head === undefined) throw new ChainError("chain_inconsistent", "The node gave no latest block.");
  const registry = deployment.contracts.StatusRegistry.address;
  const lists = [...new Set(p.lists)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: PublishedStatusList[] = [];
  for (const list of lists) {
    for (const purpose of STATUS_PURPOSES) {
      const words = await readStatusWords(
        provider,
        { deployment, issuer: p.issuer.address, purpose, list, blockTag: head.number },
        rpc,
      );
      const bits = bitstringFromWords(words);
      const url = statusListUrl(baseUrl, p.issuer.address, list, purpose);
      const credential = statusListCredentialOf({
        url,
        issuer: p.issuer.did,
        purpose,
        encodedList: encodeBitstring(bits),
        snapshot: { chainId, registry, list, block: head.number, blockHash: head.hash, blockTime: head.timestamp },
        ...(p.validForSeconds !== undefined && { validUntil: head.timestamp + p.validForSeconds }),
        ...(p.ttlMs !== undefined && { ttlMs: p.ttlMs }),
      });
      const jwt = await signStatusListCredential(p.agent, p.issuer, credential);
      out.push({
        list: list.toString(),
        purpose,
        url,
        path: url.slice(baseUrl.length + 1),
        jwt,
        credential,
        set: countSet(bits),
      });
    }
  }
  return { issuer: p.issuer.did, block: head.number, blockHash: head.hash, blockTime: head.timestamp, lists: out };
}

function countSet(bits: Uint8Array): number {
  let n = 0;
  for (const byte of bits) for (let b = byte; b !== 0; b &= b - 1) n++;
  return n;
}

function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, "Z");
}
