import { ChainError, LerError } from "../errors.js";
import { readBlock } from "../chain/blocks.js";
import { sleep, systemClock, type Clock } from "../clock.js";
import type { LerNetwork } from "../chain/network.js";
import {
  readAccreditationMetadata,
  readHistory as readChainHistory,
  readHistoryAndTypeIds,
  readTypeIds,
  readTypeNames,
} from "../chain/registryReads.js";
import {
  evaluateTrust,
  isSuspendedNow,
  NO_END,
  roleNames,
  scopeTypeIds,
  Verdict,
  verdictCode,
  verdictMessage,
  type ChainLink,
  type Version,
} from "../verify/trust.js";

/**
 * The registry reads that issuing and accrediting need before they write: type ids by name, an accreditation's
 * history and its latest metadata, and the issuer's standing now. Each is one JSON-RPC request or two (a Multicall3
 * batch at the latest block), never one per type; the requests themselves are `chain/registryReads.ts`'s. The
 * judgement itself is pure (`checkIssuable`).
 */

/** The id of each type name (undefined: not registered), in one request. */
export function typeIdsOf(
  network: LerNetwork,
  names: readonly string[],
  blockTag: number | "latest" = "latest",
): Promise<Map<string, number | undefined>> {
  return readTypeIds(network.provider, { deployment: network.deployment, names, blockTag });
}

/** Every registered type's name, by id, in two requests (the count, then every name). */
export function typeNamesById(network: LerNetwork): Promise<Map<number, string>> {
  return readTypeNames(network.provider, { deployment: network.deployment });
}

/** The chain of `subject` up to its root, each link with every version (`TrustRegistry.historyOf`). */
export function readHistory(network: LerNetwork, subject: string): Promise<ChainLink[]> {
  return readChainHistory(network.provider, { deployment: network.deployment, subject });
}

/** What an issuer's standing now is read from: the time judged at, its chain's history and the type ids. */
export interface IssuerStanding {
  /**
   * The earliest time an anchor sent now can carry: the latest block's time. Not a second later: block times never
   * decrease, but several blocks may share a second (anvil mines them so, and so do L2s with sub-second blocks), so
   * the anchor may land in the latest block's second.
   */
  at: bigint;
  block: number;
  chain: ChainLink[];
  typeIds: Map<string, number | undefined>;
}

/** The issuer's chain with its history and the ids of `typeNames`, read at the latest block: two requests. */
export async function readIssuerStanding(
  network: LerNetwork,
  issuer: string,
  typeNames: readonly string[],
): Promise<IssuerStanding> {
  const head = await readBlock(network.provider, { blockTag: "latest" });
  if (head === undefined) throw new ChainError("chain_error", "The node has no latest block.");
  const { chain, typeIds } = await readHistoryAndTypeIds(network.provider, {
    deployment: network.deployment,
    subject: issuer,
    names: typeNames,
    blockTag: head.number,
  });
  return { at: BigInt(head.timestamp), block: head.number, chain, typeIds };
}

/**
 * The issuer's standing for issuing now ({@link readIssuerStanding}), read again in the next second when a link of
 * its chain changed in the latest block's second. An anchor landing in that same second would be judged by the
 * version before the change as well as the one after (the rule of `TrustRegistry.trustedAt` for a change at the very
 * time asked about): an issuer accredited a moment ago would sign credentials that never verify. On chains that give
 * every block a later second than the one before this changes nothing; anvil and L2s with sub-second blocks may put
 * several blocks in one second. Block times follow the wall clock in whole seconds (a dev chain's offset too), so
 * waiting for the clock's next second (at most one) moves every block still to come past the change; the time
 * judged is then the second after it, or the latest block's if that is later.
 */
export async function readIssuableStanding(
  network: LerNetwork,
  issuer: string,
  typeNames: readonly string[],
  { clock = systemClock, wait = sleep }: { clock?: Clock; wait?: (ms: number) => Promise<void> } = {},
): Promise<IssuerStanding> {
  const first = await readIssuerStanding(network, issuer, typeNames);
  if (!changedAt(first.chain, first.at)) return first;
  await wait(1000 - (clock.now() % 1000) + 20);
  const again = await readIssuerStanding(network, issuer, typeNames);
  return again.at > first.at ? again : { ...again, at: first.at + 1n };
}

/** Whether a link of `chain` changed at `at` or later (a version that took effect then). */
function changedAt(chain: readonly ChainLink[], at: bigint): boolean {
  return chain.some((link) => link.versions.some((v) => v.since >= at));
}

/**
 * Refuses types the issuer could not issue now: a type that is not registered (`unknown_credential_type`), or one it
 * is not trusted for at the chain's current time by the rules of `TrustRegistry.trustedAt` (the verdict's code, e.g.
 * `type_out_of_scope`, `issuer_suspended`). Pure: `standing` was read before. `name` labels an address in messages.
 */
export function checkIssuable(
  standing: IssuerStanding,
  issuer: string,
  types: readonly string[],
  name: (address: string) => string,
): void {
  for (const type of new Set(types)) {
    const typeId = standing.typeIds.get(type);
    if (typeId === undefined) {
      throw new LerError(
        "unknown_credential_type",
        `"${type}" is not a registered credential type: nothing was signed (see \`ler gov types\`).`,
        {
          details: { type },
        },
      );
    }
    const answer = evaluateTrust(standing.chain, { typeId, at: standing.at });
    if (answer.verdict === Verdict.Trusted) continue;
    const isIssuer = answer.failedAt === undefined || answer.failedAt.toLowerCase() === issuer.toLowerCase();
    const words = verdictMessage(answer.verdict, {
      subject: name(issuer),
      accreditor: isIssuer ? undefined : name(answer.failedAt!),
      type,
      when: "the time its anchor would carry",
      suspendedNow: isSuspendedNow(standing.chain, answer.failedAt),
    });
    throw new LerError(
      verdictCode(answer.verdict, isIssuer),
      `Not issued: ${words} Verifiers would reject it. Nothing was signed, no status index used, no anchor sent.`,
      {
        details: {
          type,
          typeId,
          verdict: Verdict[answer.verdict],
          ...(answer.failedAt !== undefined && { failedAt: answer.failedAt }),
          at: Number(standing.at),
        },
      },
    );
  }
}

/** The metadata URI and hash of the latest `Accredited` or `AccreditationUpdated` event of `subject` (not in the versions). */
export function latestMetadata(
  network: LerNetwork,
  subject: string,
): Promise<{ metadataURI: string; metadataHash: string }> {
  return readAccreditationMetadata(network.provider, { deployment: network.deployment, subject });
}

/** An accreditation's terms as people read them: role and types by name, no end as null. */
export interface AccreditationTermsView {
  role: "issuer" | "accreditor" | "both";
  types: string[];
  validFrom: number;
  validUntil: number | null;
  metadataURI: string;
  metadataHash: string;
}

/** The terms of a version, types named from `names` (`#id` for an id without a name). */
export function termsOf(
  v: Pick<Version, "role" | "scope" | "validFrom" | "validUntil">,
  meta: { metadataURI: string; metadataHash: string },
  names: ReadonlyMap<number, string>,
): AccreditationTermsView {
  const roles = roleNames(v.role);
  return {
    role: roles.length === 2 ? "both" : (roles[0] ?? "issuer"),
    types: scopeTypeIds(v.scope).map((id) => names.get(id) ?? `#${id}`),
    validFrom: Number(v.validFrom),
    validUntil: v.validUntil >= BigInt(NO_END) ? null : Number(v.validUntil),
    metadataURI: meta.metadataURI,
    metadataHash: meta.metadataHash.toLowerCase(),
  };
}

/** The fields that differ between two sets of terms, each with its value before and after. */
export function changedTerms(
  before: AccreditationTermsView,
  after: AccreditationTermsView,
): Partial<Record<keyof AccreditationTermsView, { before: unknown; after: unknown }>> {
  const changes: Partial<Record<keyof AccreditationTermsView, { before: unknown; after: unknown }>> = {};
  for (const key of Object.keys(before) as (keyof AccreditationTermsView)[]) {
    const a = before[key];
    const b = after[key];
    const same =
      Array.isArray(a) && Array.isArray(b)
        ? a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n")
        : a === b;
    if (!same) changes[key] = { before: a, after: b };
  }
  return changes;
}
