import { getAddress } from "ethers";
import { registries, sendWrite, type WriteResult } from "../chain/writes.js";
import { readTransactionBlock } from "../chain/blocks.js";
import {
  credentialIdHash,
  DEFAULT_STATUS_LIST_BASE_URL,
  MAX_STATUS_LIST,
  revocationHashesOf,
} from "../credentials/index.js";
import { LerError, UsageError } from "../errors.js";
import { publishStatusLists, type PublishedStatusLists } from "./publishStatus.js";
import { decodeJwt } from "../verify/jwt.js";
import type { IdentityKeys, IssuerDeps } from "./deps.js";
import { intentScope, recordOnce, revocationIntent, withIntent, wordsPayload } from "./intents.js";
import { addressOf } from "./issue.js";
import { chunkWords, packStatusWords } from "./pack.js";
import { resumePending, type ResumeResult } from "./resume.js";
import type { PublishStatusListArgs, StatusChangeArgs } from "./types.js";

/**
 * Status changes of issued credentials (revoke, suspend, reinstate; revoke by hash), replaying what a crash left
 * pending, and publishing the issuer's status lists.
 */

/** The registry functions of one kind of status change, and whether it is logged as an intent (revocations only). */
export interface StatusChange {
  single: "revoke" | "suspend" | "reinstate";
  words: "revokeWords" | "suspendWords" | "reinstateWords";
  intent: boolean;
}

export const STATUS_CHANGES = {
  revoke: { single: "revoke", words: "revokeWords", intent: true },
  suspend: { single: "suspend", words: "suspendWords", intent: false },
  reinstate: { single: "reinstate", words: "reinstateWords", intent: false },
} as const satisfies Record<string, StatusChange>;

/**
 * One transaction for a single entry; otherwise the entries packed into 256-bit words, a few hundred words per
 * transaction. Revocations are logged as intents first: setting a bit twice is harmless, so a retry after a crash
 * is always safe.
 */
export async function changeStatus(
  deps: IssuerDeps,
  keys: IdentityKeys,
  how: StatusChange,
  args: StatusChangeArgs,
): Promise<WriteResult[]> {
  if (args.entries.length === 0) throw new LerError("empty_batch", "No entries given.");
  const issuer = addressOf(args.issuer);
  const { status } = registries(deps.network.deployment, await keys.ownerSigner(await keys.identifier(args.issuer)));
  const scope = intentScope(deps.network);
  const targets = args.entries.map((e) => ({ list: BigInt(e.list), index: e.index }));
  if (targets.length === 1) {
    const t = targets[0]!;
    const result = await withIntent(
      deps.pending,
      scope,
      how.intent,
      issuer,
      { list: t.list.toString(), indices: [t.index] },
      () => sendWrite(status, how.single, [issuer, t.list, t.index], deps.writeOptions),
      canonicalIn(deps),
    );
    args.onProgress?.(1, 1);
    return [result];
  }
  const packed = packStatusWords(targets);
  // Every transaction's intent goes on record before the first is sent: a crash part-way leaves the rest pending
  // for lerResumePending, not forgotten.
  if (how.intent) {
    for (const words of packed)
      for (const chunk of chunkWords(words))
        await recordOnce(deps.pending, revocationIntent(scope, issuer, wordsPayload(chunk)));
  }
  // Duplicates collapse when packed: progress counts distinct entries.
  const total = packed.reduce((n, w) => n + w.count, 0);
  let done = 0;
  const results: WriteResult[] = [];
  for (const words of packed) {
    for (const chunk of chunkWords(words)) {
      const payload = wordsPayload(chunk);
      results.push(
        await withIntent(
          deps.pending,
          scope,
          how.intent,
          issuer,
          payload,
          () => sendWrite(status, how.words, [issuer, chunk.list, chunk.wordIndices, chunk.masks], deps.writeOptions),
          canonicalIn(deps),
        ),
      );
      done += chunk.count;
      args.onProgress?.(done, total);
    }
  }
  return results;
}

/** Revokes credentials by hash (see {@link hashToRevoke}), logged like every revocation. */
export async function revokeByHash(
  deps: IssuerDeps,
  keys: IdentityKeys,
  args: { issuer: string; credentials: string[] },
): Promise<WriteResult> {
  const issuer = addressOf(args.issuer);
  const { status } = registries(deps.network.deployment, await keys.ownerSigner(await keys.identifier(args.issuer)));
  const hashes = [...new Set(args.credentials.map((c) => hashToRevoke(c, issuer)))];
  // Logged like every revocation, so that a crash before the receipt is retried by lerResumePending.
  return withIntent(
    deps.pending,
    intentScope(deps.network),
    true,
    issuer,
    { hashes },
    () =>
      hashes.length === 1
        ? sendWrite(status, "revokeHash", [issuer, hashes[0]], deps.writeOptions)
        : sendWrite(status, "revokeHashes", [issuer, hashes], deps.writeOptions),
    canonicalIn(deps),
  );
}

/** Where a transaction is on `deps`' chain now (its block), if it is there: for writes done before. */
function canonicalIn(deps: IssuerDeps): (txHash: string) => Promise<number | undefined> {
  return (txHash) => readTransactionBlock(deps.network.provider, txHash, deps.readOptions);
}

/**
 * Sends again every revocation and anchor a crash left between its intent and its confirmation (see
 * src/issue/resume.ts), on this network. Idempotent; safe to run at every start.
 */
export async function resumeIntents(
  deps: IssuerDeps,
  keys: IdentityKeys,
  args: { issuer?: string },
  { legacyChainId }: { legacyChainId?: number | undefined } = {},
): Promise<ResumeResult> {
  return resumePending(
    {
      pending: deps.pending,
      provider: deps.network.provider,
      deployment: deps.network.deployment,
      writeOptions: deps.writeOptions,
      network: intentScope(deps.network),
      ...(legacyChainId !== undefined && { legacyChainId }),
      statusFor: async (issuer) =>
        registries(
          deps.network.deployment,
          await keys.ownerSigner(await keys.identifier(`did:ethr:${deps.network.name}:${getAddress(issuer)}`)),
        ).status,
    },
    args.issuer === undefined ? {} : { issuer: addressOf(args.issuer) },
  );
}

/**
 * Signs the issuer's status lists as read at the chain's latest block (see src/status/publish.ts). By default every
 * list the issuer has used: its allocator's lists, 0 to the current one.
 */
export async function publishStatusList(
  deps: IssuerDeps,
  keys: IdentityKeys,
  args: PublishStatusListArgs,
): Promise<PublishedStatusLists> {
  const identifier = await keys.identifier(args.issuer);
  const key = identifier.keys.find((k) => k.kid === identifier.controllerKeyId) ?? identifier.keys[0];
  if (key === undefined)
    throw new LerError(
      "no_signer",
      `This key store holds no key for ${identifier.did}: only your own identities can publish.`,
    );
  const address = addressOf(identifier.did);
  let lists: bigint[];
  if (args.lists !== undefined) {
    lists = args.lists.map((l) => {
      if (!/^(0|[1-9][0-9]{0,19})$/.test(String(l)) || BigInt(l) > MAX_STATUS_LIST)
        throw new UsageError(
          "invalid_argument",
          `A list is a decimal integer in 0 .. 2^64 - 1, not ${JSON.stringify(l)}.`,
        );
      return BigInt(l);
    });
  } else {
    const state = await deps.allocator.state(address);
    lists = Array.from({ length: Number((state?.list ?? 0n) + 1n) }, (_, i) => BigInt(i));
  }
  return publishStatusLists({
    agent: keys.agent,
    network: deps.network,
    issuer: { did: identifier.did, address, keyRef: key.kid, publicKeyHex: key.publicKeyHex },
    lists,
    baseUrl: args.statusListBaseUrl ?? (await publishedBase(deps, address)),
    ...(args.validForSeconds !== undefined && { validForSeconds: args.validForSeconds }),
    ...(args.ttlMs !== undefined && { ttlMs: args.ttlMs }),
    timeoutMs: deps.readOptions.timeoutMs ?? 10_000,
  });
}

/**
 * Where the issuer's credentials say its lists are, when the caller does not: the base its latest credential names
 * (the lists must be published where the credentials point), else the default.
 */
async function publishedBase(deps: IssuerDeps, issuer: string): Promise<string> {
  const { records } = await deps.ledger.readIssued(issuer);
  for (let i = records.length - 1; i >= 0; i--) {
    const base = statusListBaseOf(records[i]!.jwt);
    if (base !== undefined) return base;
  }
  return DEFAULT_STATUS_LIST_BASE_URL;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * What `lerRevokeByHash` revokes for one argument (see `revocationHashesOf` for what the verifier checks): a bytes32
 * hash as given; a credential (compact JWT) by its identity (its id's hash, or its credential hash when it has no
 * id), whatever its header and signature; anything else as a credential id (`jti`). Pure.
 */
export function hashToRevoke(value: string, issuer: string): string {
  const text = value.trim();
  if (/^0x[0-9a-fA-F]{64}$/.test(text)) return text.toLowerCase();
  if (!JWT_SHAPE.test(text)) {
    if (text === "") throw new UsageError("invalid_argument", "An empty string names no credential to revoke.");
    return credentialIdHash(text);
  }
  const jwt = decodeJwt(text);
  const iss = jwt.payload.iss;
  let named: string | undefined;
  try {
    named = typeof iss === "string" ? addressOf(iss) : undefined;
  } catch {
    // Not a did:ethr: not this issuer's.
  }
  if (named !== issuer) {
    throw new LerError(
      "iss_mismatch",
      `The credential was issued by ${String(iss)}, not by ${issuer}: only its issuer can revoke it.`,
    );
  }
  return revocationHashesOf(jwt.payload, jwt.raw).identity;
}

/** The status list base a credential names: its BitstringStatusListEntry's list URL without `/<address>/<list>/<purpose>`. Pure. */
export function statusListBaseOf(jwt: string): string | undefined {
  try {
    const { payload } = decodeJwt(jwt);
    const status = (payload.credentialStatus ??
      (payload.vc as Record<string, unknown> | undefined)?.credentialStatus) as unknown;
    for (const entry of Array.isArray(status) ? status : [status]) {
      const url = (entry as { type?: unknown; statusListCredential?: unknown } | null)?.statusListCredential;
      const base =
        typeof url === "string"
          ? /^(.*)\/0x[0-9a-fA-F]{40}\/\d+\/(?:revocation|suspension)$/.exec(url)?.[1]
          : undefined;
      if (base !== undefined) return base;
    }
  } catch {
    // A record that cannot be read names no base.
  }
  return undefined;
}
