import type { Purpose, RegistryEvent } from "../chain/registryEvents.js";
import { AccreditationStatus, ROLE_ACCREDITOR, ROLE_ISSUER, type Version } from "../chain/types.js";

/**
 * The registry index `ler serve` keeps, as the registries' events (chain/registryEvents.ts) tell it: credential types,
 * every accreditation with its history, and per issuer the status bits set and the anchors made, with a running series
 * for the metrics. Pure: events in, state out; the time a view is taken at is an argument.
 */

const ZERO = "0x0000000000000000000000000000000000000000";

export type AccreditationState = "active" | "suspended" | "revoked";
/** What a reader sees at a time: expiry and not-yet-valid follow from the validity window. */
export type DisplayStatus = AccreditationState | "expired" | "not_yet_valid";

export interface HistoryEntry {
  event: "accredited" | "updated" | "suspended" | "reinstated" | "revoked";
  block: number;
  time: number;
  txHash: string;
  /** Who sent it (the parent's owner, governance, or a relayer's signer). */
  actor: string;
  parent: string | null;
  reason?: number;
  role?: number;
  scope?: bigint;
  validFrom?: number;
  validUntil?: number;
  effectiveAt?: number;
  metadataURI?: string;
}

export interface StatusListCounts {
  list: bigint;
  revoked: number;
  suspended: number;
}

export interface EntityState {
  address: string;
  /** null for a root (accredited by governance). */
  parent: string | null;
  role: number;
  scope: bigint;
  validFrom: number;
  validUntil: number;
  state: AccreditationState;
  reason: number;
  metadataURI: string;
  metadataHash: string;
  depth: number;
  accreditedAt: { block: number; time: number };
  children: string[];
  history: HistoryEntry[];
  /**
   * Every version of the accreditation, oldest first, as TrustRegistry stores it (`historyOf`): keyed by the block
   * time of the change, the last change of a block time standing for it. The fields above are those of the last one.
   */
  versions: Version[];
}

export interface IssuerActivity {
  anchors: number;
  lastAnchor?: { block: number; time: number };
  revokedEntries: number;
  suspendedEntries: number;
  hashRevocations: number;
  lists: Map<bigint, StatusListCounts>;
}

export interface RoleCounts {
  active: number;
  suspended: number;
  revoked: number;
}

/** One point of the running series: the registry as it stood after `block` (accreditors exclude roots). */
export interface SeriesPoint {
  block: number;
  time: number;
  accreditors: RoleCounts;
  issuers: RoleCounts;
  anchors: number;
  revoked: number;
  suspended: number;
}

export interface RegistryState {
  /** The last block applied (-1: none). */
  block: number;
  blockHash: string | undefined;
  blockTime: number;
  types: { id: number; name: string; block: number; time: number }[];
  entities: Map<string, EntityState>;
  activity: Map<string, IssuerActivity>;
  /** Status words touched so far, by `issuer:purpose:list:word`: popcounts of changes are exact, not estimates. */
  words: Map<string, bigint>;
  totals: { anchors: number; revokedEntries: number; suspendedEntries: number; hashRevocations: number };
  series: SeriesPoint[];
}

export function emptyRegistryState(): RegistryState {
  return {
    block: -1,
    blockHash: undefined,
    blockTime: 0,
    types: [],
    entities: new Map(),
    activity: new Map(),
    words: new Map(),
    totals: { anchors: 0, revokedEntries: 0, suspendedEntries: 0, hashRevocations: 0 },
    series: [],
  };
}

/** Applies events (in block and log order, after `state.block`) to the state, in place. */
export function applyRegistryEvents(state: RegistryState, events: readonly RegistryEvent[]): void {
  let pointBlock = -1;
  for (const e of events) {
    applyOne(state, e);
    if (e.block !== pointBlock) {
      state.series.push(point(state, e.block, e.time));
      pointBlock = e.block;
    } else {
      state.series[state.series.length - 1] = point(state, e.block, e.time);
    }
  }
}

function applyOne(s: RegistryState, e: RegistryEvent): void {
  switch (e.kind) {
    case "type_registered":
      s.types.push({ id: e.typeId, name: e.name, block: e.block, time: e.time });
      return;
    case "accredited": {
      const parent = e.parent === ZERO ? null : e.parent;
      const depth = parent === null ? 0 : (s.entities.get(parent)?.depth ?? 0) + 1;
      s.entities.set(e.subject, {
        address: e.subject,
        parent,
        role: e.role,
        scope: e.scope,
        validFrom: e.validFrom,
        validUntil: e.validUntil,
        state: "active",
        reason: 0,
        metadataURI: e.metadataURI,
        metadataHash: e.metadataHash,
        depth,
        accreditedAt: { block: e.block, time: e.time },
        children: [],
        history: [
          history(e, {
            role: e.role,
            scope: e.scope,
            validFrom: e.validFrom,
            validUntil: e.validUntil,
            metadataURI: e.metadataURI,
          }),
        ],
        versions: [],
      });
      pushVersion(s.entities.get(e.subject)!, e.time, {
        role: e.role,
        status: AccreditationStatus.Active,
        reason: 0,
        validFrom: BigInt(e.validFrom),
        validUntil: BigInt(e.validUntil),
        scope: e.scope,
      });
      if (parent !== null) s.entities.get(parent)?.children.push(e.subject);
      return;
    }
    case "updated": {
      const x = s.entities.get(e.subject);
      if (x === undefined) return;
      // As TrustRegistry.update: new terms, the status kept.
      pushVersion(x, e.time, {
        ...latestOf(x),
        role: e.role,
        reason: e.reason,
        validFrom: BigInt(e.validFrom),
        validUntil: BigInt(e.validUntil),
        scope: e.scope,
      });
      x.metadataURI = e.metadataURI;
      x.metadataHash = e.metadataHash;
      x.history.push(
        history(e, {
          reason: e.reason,
          role: e.role,
          scope: e.scope,
          validFrom: e.validFrom,
          validUntil: e.validUntil,
          metadataURI: e.metadataURI,
        }),
      );
      return;
    }
    case "suspended":
    case "reinstated": {
      const x = s.entities.get(e.subject);
      if (x === undefined) return;
      const status = e.kind === "suspended" ? AccreditationStatus.Suspended : AccreditationStatus.Active;
      pushVersion(x, e.time, { ...latestOf(x), status, reason: e.reason });
      x.history.push(history(e, { reason: e.reason }));
      return;
    }
    case "revoked": {
      const x = s.entities.get(e.subject);
      if (x === undefined) return;
      // As TrustRegistry.revoke: a revoked version's validUntil is the revocation's effective time (a second
      // revocation moves it earlier).
      pushVersion(x, e.time, {
        ...latestOf(x),
        status: AccreditationStatus.Revoked,
        reason: e.reason,
        validUntil: BigInt(e.effectiveAt),
      });
      x.history.push(history(e, { reason: e.reason, effectiveAt: e.effectiveAt }));
      return;
    }
    case "status_entry": {
      const word = e.index >> 8;
      const mask = 1n << BigInt(e.index & 255);
      changeWord(s, e.issuer, e.purpose, e.list, word, mask, e.set);
      return;
    }
    case "status_indices": {
      const masks = new Map<number, bigint>();
      for (const i of e.indices) masks.set(i >> 8, (masks.get(i >> 8) ?? 0n) | (1n << BigInt(i & 255)));
      for (const [word, mask] of masks) changeWord(s, e.issuer, e.purpose, e.list, word, mask, e.set);
      return;
    }
    case "status_words":
      e.wordIndices.forEach((word, i) => changeWord(s, e.issuer, e.purpose, e.list, word, e.masks[i] ?? 0n, e.set));
      return;
    case "hash_revoked": {
      activityOf(s, e.issuer).hashRevocations++;
      s.totals.hashRevocations++;
      return;
    }
    case "anchored": {
      const a = activityOf(s, e.issuer);
      a.anchors++;
      a.lastAnchor = { block: e.block, time: e.time };
      s.totals.anchors++;
      return;
    }
  }
}

const STATES: Record<AccreditationStatus, AccreditationState | undefined> = {
  [AccreditationStatus.None]: undefined,
  [AccreditationStatus.Active]: "active",
  [AccreditationStatus.Suspended]: "suspended",
  [AccreditationStatus.Revoked]: "revoked",
};

function latestOf(x: EntityState): Omit<Version, "since"> {
  const { since: _since, ...v } = x.versions[x.versions.length - 1]!;
  return v;
}

/**
 * Records `v` as the version from block time `time` on, as TrustRegistry's `_push`: a second change at the same
 * block time replaces the first one's version. The entity's current fields follow the new version.
 */
function pushVersion(x: EntityState, time: number, v: Omit<Version, "since">): void {
  const since = BigInt(time);
  const version: Version = { since, ...v };
  const last = x.versions[x.versions.length - 1];
  if (last !== undefined && last.since === since) x.versions[x.versions.length - 1] = version;
  else x.versions.push(version);
  x.role = v.role;
  x.scope = v.scope;
  x.validFrom = Number(v.validFrom);
  x.validUntil = Number(v.validUntil);
  x.reason = v.reason;
  x.state = STATES[v.status] ?? "active";
}

function history(
  e: RegistryEvent & { actor: string; parent: string },
  extra: Omit<HistoryEntry, "event" | "block" | "time" | "txHash" | "actor" | "parent">,
): HistoryEntry {
  const entry: HistoryEntry = {
    event: e.kind as HistoryEntry["event"],
    block: e.block,
    time: e.time,
    txHash: e.txHash,
    actor: e.actor,
    parent: e.parent === ZERO ? null : e.parent,
  };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) (entry as unknown as Record<string, unknown>)[k] = v;
  return entry;
}

function changeWord(
  s: RegistryState,
  issuer: string,
  purpose: Purpose,
  list: bigint,
  word: number,
  mask: bigint,
  set: boolean,
): void {
  const key = `${issuer}:${purpose}:${list}:${word}`;
  const before = s.words.get(key) ?? 0n;
  const after = set ? before | mask : before & ~mask;
  if (after === before) return;
  s.words.set(key, after);
  const delta = popcount(after) - popcount(before);
  const a = activityOf(s, issuer);
  let counts = a.lists.get(list);
  if (counts === undefined) {
    counts = { list, revoked: 0, suspended: 0 };
    a.lists.set(list, counts);
  }
  if (purpose === "revocation") {
    a.revokedEntries += delta;
    counts.revoked += delta;
    s.totals.revokedEntries += delta;
  } else {
    a.suspendedEntries += delta;
    counts.suspended += delta;
    s.totals.suspendedEntries += delta;
  }
}

function activityOf(s: RegistryState, issuer: string): IssuerActivity {
  let a = s.activity.get(issuer);
  if (a === undefined) {
    a = { anchors: 0, revokedEntries: 0, suspendedEntries: 0, hashRevocations: 0, lists: new Map() };
    s.activity.set(issuer, a);
  }
  return a;
}

export function popcount(x: bigint): number {
  let n = 0;
  let v = x < 0n ? -x : x;
  while (v !== 0n) {
    v &= v - 1n;
    n++;
  }
  return n;
}

function point(s: RegistryState, block: number, time: number): SeriesPoint {
  const accreditors: RoleCounts = { active: 0, suspended: 0, revoked: 0 };
  const issuers: RoleCounts = { active: 0, suspended: 0, revoked: 0 };
  for (const x of s.entities.values()) {
    if (x.parent !== null && (x.role & ROLE_ACCREDITOR) !== 0) accreditors[x.state]++;
    if ((x.role & ROLE_ISSUER) !== 0) issuers[x.state]++;
  }
  return {
    block,
    time,
    accreditors,
    issuers,
    anchors: s.totals.anchors,
    revoked: s.totals.revokedEntries + s.totals.hashRevocations,
    suspended: s.totals.suspendedEntries,
  };
}
