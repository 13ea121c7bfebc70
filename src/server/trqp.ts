import { readSnapshot } from "../chain/reads.js";
import { evaluateTrust, isSuspendedNow, linkView, Verdict, verdictCode, verdictMessage, type ChainLink, type LinkView } from "../verify/trust.js";
import type { ServiceContext } from "./context.js";
import { iso } from "./http.js";

/**
 * Trust-registry queries in the style of the Trust Over IP Trust Registry Query Protocol (TRQP v2): "is entity X
 * authorized by authority Y to perform `action` on `resource` at time t?". Here the action is `issue` and the
 * resource a credential type of the registry. The answer is read from the chain at one block (every version of every
 * link of the entity's chain, TrustRegistry.historyOf through Multicall3) and judged with the rules of the registry's
 * `trustedAt`: each link by its version in effect at time t (none yet: not authorized, `accreditation_not_yet_valid`),
 * and, now, no link suspended and none revoked effective at or before t.
 */

export interface AuthorizationQuery {
  entityId: string;
  authorityId: string;
  action: string;
  resource: string;
  /** Unix seconds; default now. */
  time?: number;
}

/**
 * A link of the entity's chain as it stood at the time asked about (its version then, scope as type ids; status
 * `none` and `since: null` when it did not exist yet), with its status now when that differs, its DID and the name
 * this service knows it by.
 */
export type TrqpChainLink = LinkView & { did: string; name?: string };

export interface AuthorizationResponse {
  entity_id: string;
  authority_id: string;
  action: string;
  resource: string;
  authorized: boolean;
  /** The time asked about (echoed), ISO 8601. */
  time_requested?: string;
  /** When the service answered, ISO 8601. */
  time_evaluated: string;
  message: string;
  /** Stable code: `authorized`, or why not (the verification report's trust codes). */
  reason: string;
  /** The entity's accreditation chain, entity first, up to its root, each link in its version at the time asked about. */
  chain: TrqpChainLink[];
  /** The block the chain was read at. */
  block: number;
  context: { time: string };
}


/** Answers an authorization query. Chain failures throw ChainError (the route answers 503). */
export async function authorize(ctx: ServiceContext, q: AuthorizationQuery): Promise<AuthorizationResponse> {
  const entity = ctx.addressOf(q.entityId, "entity_id");
  const authority = ctx.addressOf(q.authorityId, "authority_id");
  const evaluatedAt = ctx.now();
  const at = q.time ?? evaluatedAt;
  const snap = await readSnapshot(
    ctx.network.provider,
    ctx.network.deployment,
    { issuers: [entity], typeNames: [q.resource], statuses: [], hashes: [], anchors: [] },
    { timeoutMs: ctx.readTimeoutMs },
  );
  const links = snap.chains.get(entity) ?? [];
  const response = (authorized: boolean, reason: string, message: string): AuthorizationResponse => ({
    entity_id: q.entityId,
    authority_id: q.authorityId,
    action: q.action,
    resource: q.resource,
    authorized,
    ...(q.time !== undefined && { time_requested: iso(q.time) }),
    time_evaluated: iso(evaluatedAt),
    message,
    reason,
    chain: links.map((l) => chainLink(ctx, l, BigInt(at))),
    block: snap.block,
    context: { time: iso(at) },
  });

  const typeId = snap.typeIds.get(q.resource);
  if (typeId === undefined) {
    return response(false, "unknown_credential_type", `"${q.resource}" is not a credential type of the registry.`);
  }
  const answer = evaluateTrust(links, { typeId, at: BigInt(at) });
  if (answer.verdict !== Verdict.Trusted) {
    const isEntity = answer.failedAt === links[0]?.subject;
    const accreditor = isEntity || answer.failedAt === undefined ? undefined : label(ctx, answer.failedAt);
    return response(false, verdictCode(answer.verdict, isEntity), verdictMessage(answer.verdict, { subject: "The entity", accreditor, type: q.resource, when: iso(at), suspendedNow: isSuspendedNow(links, answer.failedAt) }));
  }
  // The authority must stand above the entity in its chain: the root, or an accreditor between them.
  const above = links.slice(1).map((l) => l.subject);
  if (!above.includes(authority)) {
    return response(
      false,
      "authority_not_in_chain",
      `${ctx.didOf(authority)} is not an accreditor above ${ctx.didOf(entity)} in the registry (its chain ends at root ${answer.root}).`,
    );
  }
  const via = authority === answer.root ? "" : ` through ${label(ctx, authority)},`;
  return response(true, "authorized", `${label(ctx, entity)} was accredited to issue "${q.resource}" at ${iso(at)},${via} under root ${label(ctx, answer.root!)}.`);
}

function chainLink(ctx: ServiceContext, l: ChainLink, at: bigint): TrqpChainLink {
  const { address, ...view } = linkView(l, at);
  const link: TrqpChainLink = { address, did: ctx.didOf(address), ...view };
  const name = ctx.names.get(l.subject);
  if (name !== undefined) link.name = name;
  return link;
}

const label = (ctx: ServiceContext, address: string) => ctx.names.get(address) ?? ctx.didOf(address);

/** The same codes as the verification report's trust check, so that scripts match one vocabulary. */
export { verdictCode };

