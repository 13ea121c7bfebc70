import { chainUp } from "./queries.js";
import { GOVERNOR_ROLE, readHasRole, readRoleGrants } from "../chain/registryReads.js";
import { readSnapshot } from "../chain/reads.js";
import { type ChainSnapshot } from "../chain/snapshotPlan.js";
import {
  AccreditationStatus,
  evaluateTrust,
  isSuspendedNow,
  linkView,
  NO_END,
  ROLE_ACCREDITOR,
  ROLE_ISSUER,
  Verdict,
  verdictCode,
  verdictMessage,
  type ChainLink,
  type LinkView,
} from "../verify/trust.js";
import type { LerNetwork } from "../chain/network.js";
import type { RegistryIndex } from "./indexer.js";

/** What a TRQP query reads: the network, the registry index, the verifier's names and clock, and its read limits. */
export interface TrqpContext {
  network: LerNetwork;
  index: Pick<RegistryIndex, "current">;
  /** The verifier's own names for addresses. */
  names: ReadonlyMap<string, string>;
  readTimeoutMs: number;
  /** The oldest chain head believed, in seconds behind `now` (undefined: not checked). */
  maxHeadAgeSeconds: number | undefined;
  /** The clock, in seconds. */
  now(): number;
  didOf(address: string): string;
  addressOf(id: string, what?: string): string;
  options: { logBlockRange?: number };
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.000Z$/, "Z");

/**
 * Trust Over IP's Trust Registry Query Protocol, v2 (TRQP; trustoverip/tswg-trust-registry-protocol,
 * specification/v2), answered from the chain. The spec's two queries:
 *
 * - authorization (core/api.md): "does `authority_id` authorize `entity_id` to take `action` on `resource`?". Here the
 *   action is `issue`, the resource a credential type of the registry, and the answer that of `TrustRegistry.trustedAt`
 *   for the entity's chain at the time asked about (`context.time`, default now);
 * - recognition (core/api.md): "does `authority_id` recognize `entity_id` (another authority) to be authoritative for
 *   `action` on `resource`?". Here the action is `accredit`: the entity is recognized when, at that time, it held an
 *   accreditor's accreditation for the type with its whole chain up to a root in force by the same rules, so that an
 *   issuer it accredited for the type would be trusted as far as it and those above it are concerned.
 *
 * `authority_id` names either the ecosystem (its governance framework: the TrustRegistry contract on its chain, as a
 * CAIP-10 account id `eip155:<chainId>:<address>`, or the did:ethr of a holder of its GOVERNOR_ROLE), which stands
 * above every chain, or a root or accreditor of the registry, which stands above the chains through it. Identifiers
 * are any strings (core/identifiers.md: RFC 3986 identifiers, DIDs only recommended); one that names nothing this
 * registry knows is answered 404, as are actions and resources it does not know (core/https_binding.md, "Error
 * Handling"). A known entity without the authorization is 200 with `authorized: false` and a `reason`.
 *
 * Every answer is read at one block (`historyOf` of each chain through Multicall3): each link judged by its version in
 * effect at the time asked about, and, now, no link suspended and none revoked effective at or before that time.
 */

/** The ecosystem's identifier as a CAIP-10 account id: the TrustRegistry on its chain. */
export const ecosystemId = (ctx: TrqpContext) =>
  `eip155:${ctx.network.chainId}:${ctx.network.deployment.contracts.TrustRegistry.address}`;

export const AUTHORIZATION_ACTION = "issue";
export const RECOGNITION_ACTION = "accredit";
/** The TRQP version these queries follow (versioning.md asks endpoints to name it in their metadata). */
export const TRQP_VERSION = "2.0";

// ---- problems ------------------------------------------------------------------------------------------------------

/**
 * The problem types of the TRQP endpoint (RFC 9457 problem details, as core/https_binding.md requires: 400 for
 * malformed queries, 404 for an entity, authority, action or resource not recognised, 5xx for the service's own
 * failures). `code` is the stable code the rest of the service's errors use.
 */
export const PROBLEM_TYPES = {
  "malformed-query": {
    status: 400,
    title: "The query is malformed",
    code: "invalid_query",
    about:
      "The request is not a TRQP query this endpoint can read: the body is not a JSON object, a required member (entity_id, authority_id, action, resource) is missing, empty or not a string, context is not an object of strings, or context.time is not an RFC 3339 date-time in UTC. `parameter` names the member at fault.",
  },
  "unknown-entity": {
    status: 404,
    title: "Entity not recognized",
    code: "unknown_entity",
    about:
      "entity_id names no entity of this registry: it is not a did:ethr (or address) of this chain, or that identity was never accredited.",
  },
  "unknown-authority": {
    status: 404,
    title: "Authority not recognized",
    code: "unknown_authority",
    about:
      "authority_id names neither this ecosystem (its eip155 id, or the did:ethr of a holder of its governance role) nor an identity ever accredited in it.",
  },
  "unknown-action": {
    status: 404,
    title: "Action not recognized",
    code: "unknown_action",
    about: 'Authorization queries answer the action "issue"; recognition queries the action "accredit".',
  },
  "unknown-resource": {
    status: 404,
    title: "Resource not recognized",
    code: "unknown_resource",
    about: "resource names no credential type registered in the TrustRegistry (see GET /v1/trqp/metadata).",
  },
  "not-found": {
    status: 404,
    title: "No such TRQP endpoint",
    code: "not_found",
    about: "The TRQP endpoint answers POST /authorization, POST /recognition and GET /metadata under /v1/trqp.",
  },
  "body-too-large": {
    status: 413,
    title: "The request body is too large",
    code: "body_too_large",
    about: "The body is larger than this service accepts (bodyLimitBytes).",
  },
  "unsupported-media-type": {
    status: 415,
    title: "Send JSON",
    code: "unsupported_media_type",
    about: "TRQP queries are sent with Content-Type: application/json.",
  },
  "chain-unavailable": {
    status: 503,
    title: "The chain cannot be read",
    code: "chain_unreachable",
    about:
      "The answer comes from the chain and the service could not read it (node down, timeout, error, a head that lags). `code` says which. Nothing is answered from a guess: ask again later.",
  },
  "internal-error": {
    status: 500,
    title: "The service failed on this query",
    code: "internal_error",
    about: "A bug in the service; it was logged.",
  },
} as const satisfies Record<string, { status: number; title: string; code: string; about: string }>;

export type ProblemType = keyof typeof PROBLEM_TYPES;

/** A query refused, rendered as problem details of `type`; `extensions` become members of the problem object. */
export class TrqpProblem extends Error {
  override readonly name = "TrqpProblem";

  constructor(
    readonly type: ProblemType,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

const malformed = (parameter: string, detail: string, code = "invalid_parameter") =>
  new TrqpProblem("malformed-query", detail, { code, parameter });

// ---- the query -----------------------------------------------------------------------------------------------------

/** Longest identifier, action or resource accepted. */
const MAX_LENGTH = 2048;

/** A query as the request schemas (trqp_authorization_request, trqp_recognition_request) define it, checked. */
export interface TrqpQuery {
  entity_id: string;
  authority_id: string;
  action: string;
  resource: string;
  /** As sent, to be echoed unchanged. */
  context?: Record<string, string>;
  /** `context.time` in Unix seconds; undefined: now. */
  time?: number;
}

/**
 * Reads a query body. Members the schemas do not define are ignored, as versioning.md requires of an endpoint ("MUST
 * accept and process queries from any minor version ... ignoring any unrecognized OPTIONAL fields"), and so are
 * context members other than `time`; but every context member must be a string, as the schemas say
 * (`additionalProperties: { type: string }`), or the context echoed back would break the response schema.
 */
export function parseQuery(body: unknown): TrqpQuery {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new TrqpProblem("malformed-query", "The query must be a JSON object (Content-Type: application/json).", {
      code: "invalid_body",
    });
  }
  const b = body as Record<string, unknown>;
  const text = (name: "entity_id" | "authority_id" | "action" | "resource"): string => {
    const value = b[name];
    if (value === undefined || value === null) throw malformed(name, `"${name}" is required.`, "missing_parameter");
    if (typeof value !== "string") throw malformed(name, `"${name}" must be a string.`);
    // conformance.md: identifiers are single strings, action and resource non-empty ones.
    if (value === "") throw malformed(name, `"${name}" must not be empty.`);
    if (value.length > MAX_LENGTH) throw malformed(name, `"${name}" is longer than ${MAX_LENGTH} characters.`);
    return value;
  };
  const query: TrqpQuery = {
    entity_id: text("entity_id"),
    authority_id: text("authority_id"),
    action: text("action"),
    resource: text("resource"),
  };
  const context = b.context;
  if (context === undefined) return query;
  if (typeof context !== "object" || context === null || Array.isArray(context))
    throw malformed("context", '"context" must be a JSON object.');
  for (const [key, value] of Object.entries(context)) {
    if (typeof value !== "string")
      throw malformed(`context.${key}`, `"context.${key}" must be a string, as every context member.`);
  }
  query.context = context as Record<string, string>;
  const time = query.context.time;
  // The schemas: "If blank, uses current server time."
  if (time !== undefined && time !== "") query.time = parseUtcTime(time);
  return query;
}

const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|\+00:00)$/;

/**
 * An RFC 3339 date-time in UTC, as Unix seconds (fractions dropped: block times are whole seconds). The schemas ask for
 * "RFC3339 ... using only Z (+00:00) offset"; other offsets are refused rather than converted, so that what is echoed
 * in `time_requested` is what was judged.
 */
function parseUtcTime(value: string): number {
  const m = RFC3339_UTC.exec(value);
  const fail = () =>
    malformed(
      "context.time",
      '"context.time" must be an RFC 3339 date-time in UTC, such as 2025-06-01T12:00:00Z.',
      "invalid_time",
    );
  if (m === null) throw fail();
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  // Date rolls 2025-02-30 over into March: a date that does not come back unchanged does not exist.
  if (
    d.getUTCFullYear() !== year ||
    d.getUTCMonth() !== month - 1 ||
    d.getUTCDate() !== day ||
    d.getUTCHours() !== hour ||
    d.getUTCMinutes() !== minute ||
    d.getUTCSeconds() !== second
  ) {
    throw fail();
  }
  return Math.floor(d.getTime() / 1000);
}

// ---- identifiers ---------------------------------------------------------------------------------------------------

type Authority = { kind: "ecosystem" } | { kind: "identity"; address: string };

/** The address an identifier names on this chain (a did:ethr of it, or a bare address); undefined when none. */
function addressNamed(ctx: TrqpContext, identifier: string): string | undefined {
  try {
    return ctx.addressOf(identifier);
  } catch {
    // Not a did:ethr of this chain: a valid TRQP identifier that names nothing here.
    return undefined;
  }
}

function authorityNamed(ctx: TrqpContext, identifier: string): Authority | undefined {
  const caip10 = /^eip155:(\d{1,20}):(0x[0-9a-fA-F]{40})$/.exec(identifier);
  if (caip10 !== null) {
    const trust = ctx.network.deployment.contracts.TrustRegistry.address;
    return caip10[1] === String(ctx.network.chainId) && caip10[2]!.toLowerCase() === trust.toLowerCase()
      ? { kind: "ecosystem" }
      : undefined;
  }
  const address = addressNamed(ctx, identifier);
  return address === undefined ? undefined : { kind: "identity", address };
}

const unknownEntity = (ctx: TrqpContext, identifier: string, address: string | undefined) =>
  new TrqpProblem(
    "unknown-entity",
    address === undefined
      ? `"${clip(identifier)}" names no entity of this registry: it is not a did:ethr of ${ctx.network.name} (chain ${ctx.network.chainId}).`
      : `${ctx.didOf(address)} has never been accredited in this registry.`,
  );

const unknownAuthority = (ctx: TrqpContext, identifier: string) =>
  new TrqpProblem(
    "unknown-authority",
    `"${clip(identifier)}" names no authority of this registry: not the ecosystem (${ecosystemId(ctx)}), not a holder of its governance role, and not an identity ever accredited in it.`,
  );

const clip = (s: string) => (s.length > 120 ? `${s.slice(0, 120)}…` : s);

// ---- chain reads ---------------------------------------------------------------------------------------------------

/** Whether `address` holds the TrustRegistry's GOVERNOR_ROLE at `block`. */
export function isGovernor(ctx: TrqpContext, address: string, block: number): Promise<boolean> {
  return readHasRole(
    ctx.network.provider,
    { deployment: ctx.network.deployment, role: GOVERNOR_ROLE, account: address, blockTag: block },
    { timeoutMs: ctx.readTimeoutMs },
  );
}

/** Blocks scanned again on every refresh: a reorganisation may have replaced them. */
const RESCAN_BLOCKS = 64;
const roleScans = new WeakMap<TrqpContext, { to: number; candidates: Set<string> }>();

/**
 * The holders of GOVERNOR_ROLE at `block`, in the order they were first granted it. AccessControl does not enumerate
 * members: every account ever granted the role (RoleGranted logs, scanned incrementally) is asked `hasRole` at the block.
 */
export async function governors(ctx: TrqpContext, block: number): Promise<string[]> {
  const trust = ctx.network.deployment.contracts.TrustRegistry;
  const range = ctx.options.logBlockRange ?? 10_000;
  let scan = roleScans.get(ctx);
  if (scan === undefined) roleScans.set(ctx, (scan = { to: trust.block - 1, candidates: new Set() }));
  const granted = await readRoleGrants(
    ctx.network.provider,
    {
      deployment: ctx.network.deployment,
      role: GOVERNOR_ROLE,
      fromBlock: Math.max(trust.block, Math.min(scan.to, block) + 1 - RESCAN_BLOCKS),
      toBlock: block,
    },
    { timeoutMs: ctx.readTimeoutMs, maxBlockRange: range },
  );
  for (const account of granted) scan.candidates.add(account);
  scan.to = Math.max(scan.to, block);
  const held = await Promise.all(
    [...scan.candidates].map(async (a) => ((await isGovernor(ctx, a, block)) ? a : undefined)),
  );
  return held.filter((a): a is string => a !== undefined);
}

async function readChains(ctx: TrqpContext, addresses: string[], resource: string): Promise<ChainSnapshot> {
  return readSnapshot(
    ctx.network.provider,
    ctx.network.deployment,
    { issuers: [...new Set(addresses)], typeNames: [resource], statuses: [], hashes: [], anchors: [] },
    {
      timeoutMs: ctx.readTimeoutMs,
      // Every answer applies today's suspensions and revocations: a node that lags would hide them.
      ...(ctx.maxHeadAgeSeconds !== undefined && { maxHeadAgeSeconds: ctx.maxHeadAgeSeconds, now: ctx.now() }),
    },
  );
}

/**
 * What both queries establish before judging: the entity's chain (404 when it was never accredited), the authority
 * (404 when unknown) and where it stands, and the resource's type id (404 when not registered). The 404s come in the
 * order the binding lists them: entity, authority, resource (the action was checked before any read).
 */
async function prepare(ctx: TrqpContext, q: TrqpQuery) {
  const entity = addressNamed(ctx, q.entity_id);
  if (entity === undefined) throw unknownEntity(ctx, q.entity_id, undefined);
  const authority = authorityNamed(ctx, q.authority_id);
  if (authority === undefined) throw unknownAuthority(ctx, q.authority_id);
  const snap = await readChains(
    ctx,
    authority.kind === "identity" ? [entity, authority.address] : [entity],
    q.resource,
  );
  const links = snap.chains.get(entity) ?? [];
  if (links.length === 0) throw unknownEntity(ctx, q.entity_id, entity);
  const above = links.slice(1).map((l) => l.subject);
  let governs = authority.kind === "ecosystem";
  if (authority.kind === "identity" && !above.includes(authority.address)) {
    governs = await isGovernor(ctx, authority.address, snap.block);
    if (!governs && (snap.chains.get(authority.address) ?? []).length === 0)
      throw unknownAuthority(ctx, q.authority_id);
  }
  const typeId = snap.typeIds.get(q.resource);
  if (typeId === undefined) {
    throw new TrqpProblem("unknown-resource", `"${clip(q.resource)}" is not a credential type of this registry.`);
  }
  const evaluatedAt = ctx.now();
  const asked = q.time ?? evaluatedAt;
  // Block times are unsigned: nothing the chain records precedes the epoch, so an earlier time is judged as 0.
  const at = BigInt(Math.max(0, asked));
  const authorityLabel =
    authority.kind === "ecosystem"
      ? "The ecosystem's governance"
      : `${label(ctx, authority.address)}${governs ? " (governance)" : ""}`;
  return { entity, authority, snap, links, above, governs, typeId, evaluatedAt, asked, at, authorityLabel };
}

// ---- authorization -------------------------------------------------------------------------------------------------

/**
 * A link of the entity's chain as it stood at the time asked about (its version then, scope as type ids; status
 * `none` and `since: null` when it did not exist yet), with its status now when that differs, its DID and the name
 * this service knows it by.
 */
export type TrqpChainLink = LinkView & { did: string; name?: string };

/** The members the response schemas define, then this registry's own (`reason`, `chain`, `block`). */
interface Answer {
  entity_id: string;
  authority_id: string;
  action: string;
  resource: string;
  /** `context.time` as sent, when it was given (not blank). */
  time_requested?: string;
  /** When the service answered (its clock), RFC 3339 in UTC. */
  time_evaluated: string;
  message: string;
  /** The query's `context`, exactly as sent. */
  context?: Record<string, string>;
  /** Stable code: `authorized` / `recognized`, or why not (the verification report's trust codes). */
  reason: string;
  /** The entity's accreditation chain, entity first, up to its root, each link in its version at the time asked about. */
  chain: TrqpChainLink[];
  /** The block the chain was read at. */
  block: number;
}

export type AuthorizationResponse = Answer & { authorized: boolean };
export type RecognitionResponse = Answer & { recognized: boolean };

function answer<K extends "authorized" | "recognized">(
  ctx: TrqpContext,
  q: TrqpQuery,
  p: Awaited<ReturnType<typeof prepare>>,
  key: K,
  value: boolean,
  reason: string,
  message: string,
): Answer & Record<K, boolean> {
  return {
    entity_id: q.entity_id,
    authority_id: q.authority_id,
    action: q.action,
    resource: q.resource,
    ...({ [key]: value } as Record<K, boolean>),
    ...(q.time !== undefined && { time_requested: q.context!.time! }),
    time_evaluated: iso(p.evaluatedAt),
    message,
    ...(q.context !== undefined && { context: q.context }),
    reason,
    chain: p.links.map((l) => chainLink(ctx, l, p.at)),
    block: p.snap.block,
  };
}

/** What both queries begin with: the action checked, the query prepared, the time asked about, a way to say no. */
async function start(
  ctx: TrqpContext,
  q: TrqpQuery,
  kind: string,
  action: string,
  verdict: "authorized" | "recognized",
) {
  if (q.action !== action) {
    throw new TrqpProblem(
      "unknown-action",
      `${kind} queries answer the action "${action}" (with a credential type as the resource), not "${clip(q.action)}".`,
    );
  }
  const p = await prepare(ctx, q);
  return {
    p,
    when: iso(p.asked),
    no: (reason: string, message: string) => answer(ctx, q, p, verdict, false, reason, message),
  };
}

/** Answers an authorization query. Chain failures throw ChainError (the route answers 503). */
export async function authorize(ctx: TrqpContext, q: TrqpQuery): Promise<AuthorizationResponse> {
  const { p, when, no } = await start(ctx, q, "Authorization", AUTHORIZATION_ACTION, "authorized");
  const verdict = evaluateTrust(p.links, { typeId: p.typeId, at: p.at });
  if (verdict.verdict !== Verdict.Trusted) {
    const isEntity = verdict.failedAt === p.entity;
    const accreditor = isEntity || verdict.failedAt === undefined ? undefined : label(ctx, verdict.failedAt);
    return no(
      verdictCode(verdict.verdict, isEntity),
      verdictMessage(verdict.verdict, {
        subject: "The entity",
        accreditor,
        type: q.resource,
        when,
        suspendedNow: isSuspendedNow(p.links, verdict.failedAt),
      }),
    );
  }
  const root = label(ctx, verdict.root!);
  if (!p.governs && !(p.authority.kind === "identity" && p.above.includes(p.authority.address))) {
    return no(
      "authority_not_in_chain",
      `${p.authorityLabel} is not an accreditor above ${label(ctx, p.entity)} in the registry (its chain ends at root ${root}).`,
    );
  }
  const via =
    p.authority.kind === "identity" && !p.governs && p.authority.address !== verdict.root
      ? ` through ${label(ctx, p.authority.address)},`
      : "";
  return answer(
    ctx,
    q,
    p,
    "authorized",
    true,
    "authorized",
    `${label(ctx, p.entity)} was accredited to issue "${q.resource}" at ${when},${via} under root ${root}.`,
  );
}

// ---- recognition ---------------------------------------------------------------------------------------------------

const ZERO = "0x0000000000000000000000000000000000000000";

/**
 * Answers a recognition query: is the entity, at the time asked about, an authority in force for accrediting issuers
 * of the type, and does the authority stand above it (the ecosystem's governance stands above every root)? Chain
 * failures throw ChainError.
 */
export async function recognize(ctx: TrqpContext, q: TrqpQuery): Promise<RecognitionResponse> {
  const { p, when, no } = await start(ctx, q, "Recognition", RECOGNITION_ACTION, "recognized");
  // An issuer the entity would accredit for the type, in force from the start: the registry's rules then judge the
  // entity and everything above it as accreditor links, exactly as trustedAt judges the accreditors above any issuer.
  const probe: ChainLink = {
    subject: ZERO,
    parent: p.entity,
    versions: [
      {
        since: 0n,
        role: ROLE_ISSUER,
        status: AccreditationStatus.Active,
        reason: 0,
        validFrom: 0n,
        validUntil: BigInt(NO_END),
        scope: 1n << BigInt(p.typeId),
      },
    ],
  };
  const verdict = evaluateTrust([probe, ...p.links], { typeId: p.typeId, at: p.at });
  if (verdict.verdict !== Verdict.Trusted) {
    const failed = verdict.failedAt === undefined ? undefined : label(ctx, verdict.failedAt);
    return no(
      verdictCode(verdict.verdict, false),
      verdictMessage(verdict.verdict, {
        subject: "The entity",
        accreditor: failed,
        type: q.resource,
        when,
        suspendedNow: isSuspendedNow(p.links, verdict.failedAt),
      }),
    );
  }
  const root = label(ctx, verdict.root!);
  if (!p.governs && !(p.authority.kind === "identity" && p.above.includes(p.authority.address))) {
    return no(
      "authority_not_in_chain",
      `${p.authorityLabel} is not an accreditor above ${label(ctx, p.entity)} in the registry (its chain ends at root ${root}).`,
    );
  }
  const under = p.entity === verdict.root ? "as a root of the registry" : `under root ${root}`;
  return answer(
    ctx,
    q,
    p,
    "recognized",
    true,
    "recognized",
    `${p.authorityLabel} recognizes ${label(ctx, p.entity)} as an authority to accredit issuers of "${q.resource}" at ${when}: it was an accreditor for it in force then, ${under}.`,
  );
}

function chainLink(ctx: TrqpContext, l: ChainLink, at: bigint): TrqpChainLink {
  const { address, ...view } = linkView(l, at);
  const link: TrqpChainLink = { address, did: ctx.didOf(address), ...view };
  const name = ctx.names.get(l.subject);
  if (name !== undefined) link.name = name;
  return link;
}

const label = (ctx: TrqpContext, address: string) => ctx.names.get(address) ?? ctx.didOf(address);

// ---- metadata ------------------------------------------------------------------------------------------------------

/**
 * The ecosystem as this endpoint serves it: where its governance framework is (core/identifiers.md and conformance.md:
 * "The ecosystem governance framework MUST be discoverable via the authority_id"), what the queries answer, and, for an
 * `authority_id`, where that authority stands. TRQP v2 leaves metadata queries to a later version (its change history:
 * "Deferred delegation and description (metadata) query types"); the names of the first members follow the Ayra TRQP
 * profile's `GET /metadata` (id, name, description, controllers, authority_id, governance_framework_id,
 * supported_did_methods); the rest is this registry's own.
 */
export interface TrqpMetadata {
  /** The TRQP endpoint: POST {id}/authorization, POST {id}/recognition. */
  id: string;
  name: string;
  description: string;
  trqp_version: string;
  /** The ecosystem's authority_id: its TrustRegistry as a CAIP-10 account id. */
  authority_id: string;
  /** The governance framework: the same contract, whose rules the framework is and whose state holds its statements. */
  governance_framework_id: string;
  /** The holders of the governance role now, as DIDs (each may be used as the ecosystem's authority_id too). */
  controllers: string[];
  supported_did_methods: string[];
  queries: Record<"authorization" | "recognition", { endpoint: string; actions: string[]; resources: string[] }>;
  ecosystem: {
    network: string;
    chainId: number;
    trustRegistry: { address: string; block: number; version?: string };
    governance: string[];
    credentialTypes: { id: number; name: string }[];
  };
  /** The block the registry was indexed to, and its time. */
  block: number;
  blockTime: number;
  stale?: { code: string; message: string };
  /** With `?authority_id=`: what that identifier names here. */
  authority?: {
    authority_id: string;
    roles: ("ecosystem" | "governance" | "root" | "accreditor" | "issuer")[];
    did?: string;
    /** For an accredited identity: its chain up to its root, as DIDs. */
    chain?: string[];
  };
}

/** The metadata, read from the registry index (its block) and the governance role at that block. */
export async function describeEcosystem(
  ctx: TrqpContext,
  endpoint: string,
  authorityId: string | undefined,
): Promise<TrqpMetadata> {
  if (authorityId !== undefined && (authorityId === "" || authorityId.length > MAX_LENGTH)) {
    throw malformed("authority_id", `"authority_id" must be a non-empty string of at most ${MAX_LENGTH} characters.`);
  }
  const snap = await ctx.index.current();
  const s = snap.state;
  const governance = await governors(ctx, s.block);
  const eco = ecosystemId(ctx);
  const types = s.types.map(({ id: typeId, name }) => ({ id: typeId, name }));
  const names = types.map((t) => t.name);
  const trust = ctx.network.deployment.contracts.TrustRegistry;
  const metadata: TrqpMetadata = {
    id: endpoint,
    name: `LER trust registry (${ctx.network.name})`,
    description:
      `Accreditation of issuers of Learning and Employment Records on chain ${ctx.network.chainId}: the ecosystem's governance adds root authorities, which accredit accreditors and issuers for credential types, each change kept with its history in the TrustRegistry contract. ` +
      `Authorization queries (action "${AUTHORIZATION_ACTION}", a credential type as the resource) ask whether an entity was accredited to issue the type at a time; recognition queries (action "${RECOGNITION_ACTION}") whether an authority was in force to accredit issuers of it.`,
    trqp_version: TRQP_VERSION,
    authority_id: eco,
    governance_framework_id: eco,
    controllers: governance.map((a) => ctx.didOf(a)),
    supported_did_methods: ["ethr"],
    queries: {
      authorization: { endpoint: `${endpoint}/authorization`, actions: [AUTHORIZATION_ACTION], resources: names },
      recognition: { endpoint: `${endpoint}/recognition`, actions: [RECOGNITION_ACTION], resources: names },
    },
    ecosystem: {
      network: ctx.network.name,
      chainId: ctx.network.chainId,
      trustRegistry: {
        address: trust.address,
        block: trust.block,
        ...(trust.version !== undefined && { version: trust.version }),
      },
      governance,
      credentialTypes: types,
    },
    block: s.block,
    blockTime: s.blockTime,
    ...(snap.stale !== undefined && { stale: { code: snap.stale.code, message: snap.stale.message } }),
  };
  if (authorityId === undefined) return metadata;

  const named = authorityNamed(ctx, authorityId);
  const roles: NonNullable<TrqpMetadata["authority"]>["roles"] = [];
  let did: string | undefined;
  let chain: string[] | undefined;
  if (named?.kind === "ecosystem") roles.push("ecosystem");
  if (named?.kind === "identity") {
    did = ctx.didOf(named.address);
    if (governance.includes(named.address)) roles.push("governance");
    const x = s.entities.get(named.address);
    if (x !== undefined) {
      if (x.parent === null) roles.push("root");
      else if ((x.role & ROLE_ACCREDITOR) !== 0) roles.push("accreditor");
      if ((x.role & ROLE_ISSUER) !== 0) roles.push("issuer");
      chain = chainUp(s, named.address).map((l) => ctx.didOf(l.address));
    }
  }
  if (roles.length === 0) throw unknownAuthority(ctx, authorityId);
  metadata.authority = {
    authority_id: authorityId,
    roles,
    ...(did !== undefined && { did }),
    ...(chain !== undefined && { chain }),
  };
  return metadata;
}
