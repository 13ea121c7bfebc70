import { registries, type WriteResult } from "../chain/writes.js";
import { statusListBaseUrl } from "../credentials/index.js";
import { LerError } from "../errors.js";
import type { IdentityKeys, IssuerDeps } from "./deps.js";
import { anchorIntent, intentScope, recordOnce } from "./intents.js";
import { checkIssuable, readIssuableStanding } from "./accreditation.js";
import { labelWith } from "./governance.js";
import { addressOf, signBatch, type SignBatchParameters } from "./issue.js";
import { readAnchor } from "../chain/registryReads.js";
import { carryOut, landedAnchor, markDoneOnce } from "./resume.js";
import type { IssueArgs, IssuedCredential, IssueResult } from "./types.js";

/** Issuing a batch and anchoring its Merkle root, each anchor recorded as an intent before it is sent. */

/**
 * Issues a batch. First, before anything is signed (no status index reserved, no ledger entry, no anchor), every
 * achievement type must be registered and the issuer trusted for it at the chain's current time: what could never
 * verify is refused (`unknown_credential_type`, or the verdict's code such as `type_out_of_scope`).
 */
export async function issueCredentials(deps: IssuerDeps, keys: IdentityKeys, args: IssueArgs): Promise<IssueResult> {
  // A base no list could be published under is refused before any index is reserved.
  if (args.statusListBaseUrl !== undefined) statusListBaseUrl(args.statusListBaseUrl);
  const identifier = await keys.identifier(args.issuer);
  await checkIssuableNow(deps, keys, addressOf(identifier.did), args.credentials);
  const key = identifier.keys.find((k) => k.kid === identifier.controllerKeyId) ?? identifier.keys[0];
  if (key === undefined)
    throw new LerError(
      "no_signer",
      `This key store holds no key for ${identifier.did}: only your own identities can issue.`,
    );
  const issuedAt = new Date(deps.now() * 1000);
  const sign = (requests: SignBatchParameters["requests"], done: number, total: number) =>
    signBatch(
      { agent: keys.agent, network: deps.network, allocator: deps.allocator, ledger: deps.ledger },
      {
        issuer: {
          did: identifier.did,
          keyRef: key.kid,
          publicKeyHex: key.publicKeyHex,
          address: addressOf(identifier.did),
          name: args.issuerName ?? identifier.alias ?? identifier.did,
          ...(args.issuerUrl !== undefined && { url: args.issuerUrl }),
        },
        requests,
        issuedAt,
        ...(args.statusListBaseUrl !== undefined && { statusListBaseUrl: args.statusListBaseUrl }),
        ...(args.onProgress !== undefined && { onProgress: (n: number) => args.onProgress!(done + n, total) }),
        // The anchor intent goes on record before the batch does: a crash once the ledger holds the batch leaves
        // its anchor pending for lerResumePending, never forgotten.
        ...(args.anchor !== false && {
          beforeRecord: async (root: string) =>
            void (await recordOnce(
              deps.pending,
              anchorIntent(intentScope(deps.network), addressOf(identifier.did), root),
            )),
        }),
      },
    );
  // A record of several achievements (CLR 2.0) embeds a signed Open Badge for each: those are issued first, with
  // the single credentials, and the records then in a batch of their own (a record's Merkle leaf covers the
  // credentials it embeds, anchor proofs included, so both cannot share one tree).
  const parts = args.credentials.map((r) =>
    r.achievements === undefined
      ? [r]
      : r.achievements.map((achievement) => ({
          subject: r.subject,
          achievement,
          ...(r.validUntil !== undefined && { validUntil: r.validUntil }),
        })),
  );
  const records = args.credentials.flatMap((r, i) => (r.achievements === undefined ? [] : [i]));
  const total = parts.flat().length + records.length;
  const first = await sign(parts.flat(), 0, total);
  const byRequest: IssuedCredential[][] = [];
  let k = 0;
  for (const p of parts) byRequest.push(first.credentials.slice(k, (k += p.length)));
  const credentials = byRequest.map((c) => c[0]!);
  const result: IssueResult = { credentials, root: first.root };
  if (records.length > 0) {
    const second = await sign(
      records.map((i) => ({ ...args.credentials[i]!, embed: byRequest[i]!.map((c) => c.jwt) })),
      first.credentials.length,
      total,
    );
    records.forEach((i, j) => (credentials[i] = { ...second.credentials[j]!, embedded: byRequest[i]! }));
    result.records = { root: second.root };
  }
  if (args.anchor === undefined || args.anchor === true) {
    result.anchor = await anchorRoot(deps, keys, { issuer: identifier.did, root: first.root });
    if (result.records !== undefined)
      result.records.anchor = await anchorRoot(deps, keys, { issuer: identifier.did, root: result.records.root });
  }
  return result;
}

/**
 * Anchors an issuance root. Recorded as an intent first, so a crash between sending and confirming is retried
 * from the pending log; a retry of a root that already landed is reported as done, not as an error.
 */
export async function anchorRoot(
  deps: IssuerDeps,
  keys: IdentityKeys,
  args: { issuer: string; root: string },
): Promise<WriteResult> {
  const intent = anchorIntent(intentScope(deps.network), addressOf(args.issuer), args.root);
  const earlier = await recordOnce(deps.pending, intent);
  const chain = { provider: deps.network.provider, deployment: deps.network.deployment };
  if (earlier !== undefined) {
    // Done before: where the chain has it now (a reorganisation may have moved it to a later block), or, when a
    // reorganisation dropped it, pending again and sent anew: never reported done while it is not on chain.
    const landed = await readAnchor(chain.provider, {
      deployment: chain.deployment,
      issuer: intent.issuer,
      root: args.root,
    });
    if (landed !== undefined)
      return landed.block === earlier.block ? earlier : landedAnchor(chain, intent.issuer, args.root);
    await deps.pending.reopen(intent.id, earlier.txHash);
  }
  const { status } = registries(deps.network.deployment, await keys.ownerSigner(await keys.identifier(args.issuer)));
  // An anchor that already landed (an earlier attempt, before a crash) comes back with the transaction that landed it.
  const result = await carryOut({ ...chain, writeOptions: deps.writeOptions }, status, intent);
  await markDoneOnce(deps.pending, intent.id, result);
  return result;
}

/** Refuses, before anything is signed, types that are not registered or that the issuer is not trusted for now. */
async function checkIssuableNow(
  deps: IssuerDeps,
  keys: IdentityKeys,
  issuer: string,
  requests: readonly IssueArgs["credentials"][number][],
): Promise<void> {
  const types: string[] = requests.flatMap((r) =>
    (r.achievements ?? (r.achievement !== undefined ? [r.achievement] : [])).map((a) => a.achievementType),
  );
  const named = types.filter((t) => typeof t === "string" && t !== "");
  if (named.length === 0) return;
  const standing = await readIssuableStanding(deps.network, issuer, named);
  const labels = await keys.labels();
  checkIssuable(standing, issuer, named, (a) => labelWith(labels, a, deps.network.name));
}
