import { NO_END, roleNames, scopeTypeIds, type Version } from "../verify/trust.js";
import type { DisplayStatus, EntityState, HistoryEntry, RegistryState } from "../store/registryIndex.js";
import { chainUp, displayStatus, effectiveScope } from "./queries.js";

/** The JSON shapes of the registry endpoints (docs/http-api.md). Pure. */

export interface ViewContext {
  now: number;
  didOf: (address: string) => string;
  names: ReadonlyMap<string, string>;
}

export interface ScopeEntry {
  id: number;
  name?: string;
}

export interface EntityView {
  address: string;
  did: string;
  name?: string;
  isRoot: boolean;
  parent: string | null;
  parentDid: string | null;
  role: ("issuer" | "accreditor")[];
  /** As a reader sees it now: active, suspended, revoked, expired or not_yet_valid. */
  status: DisplayStatus;
  reason: number;
  validFrom: number;
  /** null: no end. */
  validUntil: number | null;
  /** The scope as written for this entity. */
  scope: ScopeEntry[];
  /** The scope in effect: narrowed by every parent's scope. */
  effectiveScope: ScopeEntry[];
  depth: number;
  children: number;
  accreditedAt: { block: number; time: number };
  /** How many versions the accreditation has had (see `versions` of the entity's detail and history). */
  versionCount: number;
  metadataURI?: string;
  metadataHash?: string;
}

/** One version of an accreditation, as TrustRegistry.historyOf holds it, in the words of the other views. */
export interface VersionView {
  /** The block time it took effect, seconds. */
  since: number;
  role: ("issuer" | "accreditor")[];
  status: "active" | "suspended" | "revoked";
  reason: number;
  validFrom: number;
  /** null: no end. For a revoked version, the revocation's effective time. */
  validUntil: number | null;
  scope: ScopeEntry[];
}

export interface HistoryView extends Omit<HistoryEntry, "scope" | "validUntil"> {
  scope?: ScopeEntry[];
  validUntil?: number | null;
}

export function typeNames(state: RegistryState): Map<number, string> {
  return new Map(state.types.map((t) => [t.id, t.name]));
}

export function scopeView(scope: bigint, names: ReadonlyMap<number, string>): ScopeEntry[] {
  return scopeTypeIds(scope).map((id) => {
    const name = names.get(id);
    return name === undefined ? { id } : { id, name };
  });
}

export function entityView(
  state: RegistryState,
  x: EntityState,
  ctx: ViewContext,
  types = typeNames(state),
): EntityView {
  const v: EntityView = {
    address: x.address,
    did: ctx.didOf(x.address),
    isRoot: x.parent === null,
    parent: x.parent,
    parentDid: x.parent === null ? null : ctx.didOf(x.parent),
    role: roleNames(x.role),
    status: displayStatus(x, ctx.now),
    reason: x.reason,
    validFrom: x.validFrom,
    validUntil: x.validUntil >= NO_END ? null : x.validUntil,
    scope: scopeView(x.scope, types),
    effectiveScope: scopeView(effectiveScope(state, x), types),
    depth: x.depth,
    children: x.children.length,
    accreditedAt: x.accreditedAt,
    versionCount: x.versions.length,
  };
  const name = ctx.names.get(x.address);
  if (name !== undefined) v.name = name;
  if (x.metadataURI !== "") v.metadataURI = x.metadataURI;
  if (!/^0x0{64}$/.test(x.metadataHash)) v.metadataHash = x.metadataHash;
  return v;
}

export function historyView(h: HistoryEntry, types: ReadonlyMap<number, string>): HistoryView {
  const { scope, validUntil, ...rest } = h;
  const v: HistoryView = { ...rest };
  if (scope !== undefined) v.scope = scopeView(scope, types);
  if (validUntil !== undefined) v.validUntil = validUntil >= NO_END ? null : validUntil;
  return v;
}

const VERSION_STATUS = { 1: "active", 2: "suspended", 3: "revoked" } as const;

export function versionView(v: Version, types: ReadonlyMap<number, string>): VersionView {
  return {
    since: Number(v.since),
    role: roleNames(v.role),
    status: VERSION_STATUS[v.status as 1 | 2 | 3] ?? "active",
    reason: v.reason,
    validFrom: Number(v.validFrom),
    validUntil: v.validUntil >= BigInt(NO_END) ? null : Number(v.validUntil),
    scope: scopeView(v.scope, types),
  };
}

/** The entity in full: its chain up to the root, its children, its history, its issuing activity. */
export function entityDetail(
  state: RegistryState,
  x: EntityState,
  ctx: ViewContext,
  statusListUrl: (list: bigint, purpose: string) => string,
) {
  const types = typeNames(state);
  const activity = state.activity.get(x.address);
  return {
    entity: entityView(state, x, ctx, types),
    chain: chainUp(state, x.address).map((e) => entityView(state, e, ctx, types)),
    children: x.children.flatMap((c) => {
      const child = state.entities.get(c);
      return child === undefined ? [] : [entityView(state, child, ctx, types)];
    }),
    history: x.history.map((h) => historyView(h, types)),
    versions: x.versions.map((v) => versionView(v, types)),
    credentials: {
      anchors: activity?.anchors ?? 0,
      lastAnchor: activity?.lastAnchor ?? null,
      revokedEntries: activity?.revokedEntries ?? 0,
      suspendedEntries: activity?.suspendedEntries ?? 0,
      revokedByHash: activity?.hashRevocations ?? 0,
      statusLists: [...(activity?.lists.values() ?? [])].map((l) => ({
        list: l.list.toString(),
        revokedEntries: l.revoked,
        suspendedEntries: l.suspended,
        revocationList: statusListUrl(l.list, "revocation"),
        suspensionList: statusListUrl(l.list, "suspension"),
      })),
    },
  };
}
