import type { IIdentifier } from "@veramo/core";
import { computeAddress, encodeBytes32String, toUtf8Bytes, zeroPadBytes } from "ethers";
import { ChainError, LerError } from "../errors.js";
import { readBalance } from "../chain/accounts.js";
import {
  addDelegate as sendAddDelegate,
  changeOwner,
  didRegistry,
  revokeAttribute,
  revokeDelegate,
} from "../chain/didRegistry.js";
import { readIdentityOwner } from "../chain/identity.js";
import { readSnapshot } from "../chain/reads.js";
import type { WriteResult } from "../chain/writes.js";
import type { DidEvent } from "../did/ethr.js";
import type { IdentityKeys, IssuerDeps } from "./deps.js";
import { addressOf } from "./issue.js";
import type { LerIdentity, RevokedGrant, RotateOwnerResult } from "./types.js";

/** An identity's ERC-1056 side: who owns it, moving the ownership, and its signing delegates. */

/** The address of a secp256k1 public key given as hex, with or without 0x. */
export function computeAddressOf(publicKeyHex: string): string {
  return computeAddress(publicKeyHex.startsWith("0x") ? publicKeyHex : `0x${publicKeyHex}`);
}

/** An identity as the agent lists it: its DID, address, alias, and the address of its (controller) owner key. */
export function describeIdentity(identifier: IIdentifier): LerIdentity {
  const key = identifier.keys.find((k) => k.kid === identifier.controllerKeyId) ?? identifier.keys[0];
  return {
    did: identifier.did,
    address: addressOf(identifier.did),
    ...(identifier.alias !== undefined && { alias: identifier.alias }),
    owner: key === undefined ? addressOf(identifier.did) : computeAddressOf(key.publicKeyHex),
  };
}

/**
 * Checks on chain that `signer` (an address) is still the owner of `did`: `not_owner` when the identity moved to
 * another key. With `fund`, a key without gas is funded first (dev chains).
 */
export async function confirmOwner(
  deps: Pick<IssuerDeps, "network">,
  did: string,
  signer: string,
  { fund }: { fund?: ((address: string) => Promise<void>) | undefined } = {},
): Promise<void> {
  const { provider, deployment } = deps.network;
  const owner = await readIdentityOwner(provider, {
    registry: deployment.contracts.EthereumDIDRegistry.address,
    identity: addressOf(did),
  });
  if (owner !== signer) {
    throw new LerError("not_owner", `This agent's key for ${did} (${signer}) is no longer its owner (${owner}).`);
  }
  if (fund !== undefined && (await readBalance(provider, { address: signer })) === 0n) await fund(signer);
}

/**
 * Moves the identity's ERC-1056 ownership to a fresh key of the key store, then, as the new owner, revokes every
 * ERC-1056 delegate and `did/pub/*` attribute still live: `changeOwner` alone leaves them in force, and a leaked owner
 * key may have added its own (issue 12, item 3). The owner moves first, so that the leaked key can add nothing after
 * the history is read. The registry powers move with the owner (they follow `identityOwner`); credentials anchored
 * before the rotation stay valid, unanchored ones signed by the old key or a revoked grant do not. If a revocation
 * fails, the owner has already moved: the error lists what is still live, and running the rotation again (from the
 * new key) revokes it.
 */
export async function rotateOwner(
  deps: IssuerDeps,
  keys: IdentityKeys,
  args: { did: string },
): Promise<RotateOwnerResult> {
  const identifier = await keys.identifier(args.did);
  const signer = await keys.ownerSigner(identifier);
  const key = await keys.createKey();
  const newOwner = computeAddressOf(key.publicKeyHex);
  const identity = addressOf(identifier.did);
  const tx = await changeOwner(didRegistry(deps.network.deployment, signer), identity, newOwner, deps.writeOptions);
  // The former key leaves the identifier (it signs nothing more for it) but stays in the key store.
  const updated: IIdentifier = {
    ...identifier,
    controllerKeyId: key.kid,
    keys: [key, ...identifier.keys.filter((k) => k.kid !== identifier.controllerKeyId)],
  };
  await keys.saveIdentifier(updated, { required: true });
  const revoked = await revokeSigningGrants(deps, keys, updated);
  return { ...describeIdentity(updated), tx, revoked };
}

/**
 * Revokes, as the identity's (new) owner, every delegate and `did/pub/*` attribute its ERC-1056 history shows live,
 * read with the verifier's own reader and decoder. "Live" is judged at the chain's time, as the registry judges it:
 * revoking a delegate that has already expired would only move its end (`revokeDelegate` sets validTo to the
 * block's time) later.
 */
async function revokeSigningGrants(
  deps: IssuerDeps,
  keys: IdentityKeys,
  identifier: IIdentifier,
): Promise<RevokedGrant[]> {
  const identity = addressOf(identifier.did);
  const snapshot = await readSnapshot(
    deps.network.provider,
    deps.network.deployment,
    { issuers: [identity], typeNames: [], statuses: [], hashes: [], anchors: [] },
    deps.readOptions,
  );
  const { grants, unreadable } = liveGrants(snapshot.didEvents.get(identity) ?? [], snapshot.timestamp);
  if (unreadable !== undefined) {
    throw new ChainError(
      "chain_inconsistent",
      `The owner of ${identifier.did} moved to ${describeIdentity(identifier).owner}, but its DID history holds a log that does not decode (${unreadable}): its delegates cannot be listed. Run the rotation again against a node that answers consistently.`,
    );
  }
  if (grants.length === 0) return [];
  const signer = await keys.ownerSigner(identifier);
  const registry = didRegistry(deps.network.deployment, signer);
  const revoked: RevokedGrant[] = [];
  for (const [i, g] of grants.entries()) {
    try {
      if (g.kind === "delegate") {
        const tx = await revokeDelegate(registry, identity, bytes32Of(g.delegateType), g.delegate, deps.writeOptions);
        revoked.push({ kind: "delegate", delegateType: g.delegateType, delegate: g.delegate, tx });
      } else {
        const tx = await revokeAttribute(registry, identity, bytes32Of(g.name), g.value, deps.writeOptions);
        revoked.push({ kind: "attribute", name: g.name, value: g.value, tx });
      }
    } catch (e) {
      const left = grants
        .slice(i)
        .map((x) =>
          x.kind === "delegate" ? `delegate ${x.delegateType} ${x.delegate}` : `attribute ${x.name} ${x.value}`,
        );
      throw new LerError(
        "rotation_incomplete",
        `The owner of ${identifier.did} moved to ${describeIdentity(identifier).owner}, but ${left.length} signing grant(s) are still live: ${left.join("; ")}. Run the rotation again to revoke them.`,
        { details: { revoked, live: left }, cause: e },
      );
    }
  }
  return revoked;
}

/** Adds a fresh key of the key store as a `veriKey` signing delegate of the identity. */
export async function addDelegate(
  deps: IssuerDeps,
  keys: IdentityKeys,
  args: { did: string; validitySeconds?: number },
): Promise<{ delegate: string; tx: WriteResult }> {
  const identifier = await keys.identifier(args.did);
  const signer = await keys.ownerSigner(identifier);
  const key = await keys.createKey();
  const delegate = computeAddressOf(key.publicKeyHex);
  const validity = args.validitySeconds ?? 10 * 365 * 24 * 3600;
  const tx = await sendAddDelegate(
    didRegistry(deps.network.deployment, signer),
    addressOf(identifier.did),
    encodeBytes32String("veriKey"),
    delegate,
    validity,
    deps.writeOptions,
  );
  await keys.saveIdentifier({ ...identifier, keys: [...identifier.keys, key] }, { required: false });
  return { delegate, tx };
}

type Grant =
  { kind: "delegate"; delegateType: string; delegate: string } | { kind: "attribute"; name: string; value: string };

/**
 * The delegates and `did/pub/*` attributes live after `time` (the chain's, in seconds) in an identity's decoded
 * ERC-1056 history, in the order they were granted; `unreadable` names the first log that does not decode, if any. As
 * the registry (and ethr-did-resolver, and `signingKeysAt`) has it, each grant's last event sets its validity; one
 * whose validTo is 0 or not after `time` is not live. History before the last `changeOwner` counts: delegates
 * outlive owner changes. Every delegate type is taken (not only the signing ones the verifier honours today), except
 * a name whose bytes are not UTF-8, which cannot be named back (and is never a signing type or a key attribute the
 * verifier reads). Other attributes (`did/svc/*`, ...) are left alone. Pure.
 */
export function liveGrants(events: readonly DidEvent[], time: bigint): { grants: Grant[]; unreadable?: string } {
  const live = new Map<string, Grant>();
  for (const e of events) {
    if (e.kind === "unreadable") return { grants: [], unreadable: `block ${e.block}: ${e.reason}` };
    if (e.kind === "owner") continue;
    const grant: Grant =
      e.kind === "delegate"
        ? { kind: "delegate", delegateType: e.delegateType, delegate: e.delegate }
        : { kind: "attribute", name: e.name, value: e.value.toLowerCase() };
    const index =
      grant.kind === "delegate" ? `d|${grant.delegateType}|${grant.delegate}` : `a|${grant.name}|${grant.value}`;
    live.delete(index); // re-granted: ordered by its last grant
    if (e.validTo > time) live.set(index, grant);
  }
  const nameable = (text: string) => !text.includes("\uFFFD") && byteLength(text) <= 32;
  const grants = [...live.values()].filter((g) =>
    g.kind === "delegate" ? nameable(g.delegateType) : g.name.startsWith("did/pub/") && nameable(g.name),
  );
  return { grants };
}

const byteLength = (text: string) => toUtf8Bytes(text).length;

/** A bytes32 name (delegate type, attribute name) as the registry takes it: UTF-8, NUL-padded on the right. */
function bytes32Of(text: string): string {
  return zeroPadBytes(toUtf8Bytes(text), 32);
}

/**
 * The balances (wei) an identity's page shows: its address's, and its owner key's when another key owns it. An
 * empty address has none.
 */
export async function identityBalances(
  deps: Pick<IssuerDeps, "network">,
  address: string,
  owner: string | undefined,
): Promise<{ balance: bigint | undefined; ownerBalance: bigint | undefined }> {
  const { provider } = deps.network;
  const balance = address === "" ? undefined : await readBalance(provider, { address });
  const ownerBalance =
    owner !== undefined && owner.toLowerCase() !== address.toLowerCase()
      ? await readBalance(provider, { address: owner })
      : undefined;
  return { balance, ownerBalance };
}
