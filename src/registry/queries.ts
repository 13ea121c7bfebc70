/**
 * Reads over the registry index `ler serve` keeps (src/store/registryIndex.ts): statuses as a reader sees them at a
 * time, effective scopes, chains up to a root, tallies and the metrics series. Pure.
 */
import { ROLE_ACCREDITOR, ROLE_ISSUER, type ChainLink } from "../chain/types.js";
import type { DisplayStatus, EntityState, RegistryState, SeriesPoint } from "../store/registryIndex.js";

export type { DisplayStatus, EntityState, RegistryState, SeriesPoint } from "../store/registryIndex.js";
export type { Purpose } from "../chain/registryEvents.js";

const ZERO = "0x0000000000000000000000000000000000000000";

/** The status a reader sees at `now` (seconds). */
export function displayStatus(x: EntityState, now: number): DisplayStatus {
  if (x.state !== "active") return x.state;
  if (now >= x.validUntil) return "expired";
  if (now < x.validFrom) return "not_yet_valid";
  return "active";
}

/** The scope the entity holds in effect: its own, narrowed by every parent's (as TrustRegistry.accreditationOf). */
export function effectiveScope(s: RegistryState, x: EntityState): bigint {
  let scope = x.scope;
  let parent = x.parent;
  for (let i = 0; parent !== null && i < 16; i++) {
    const p = s.entities.get(parent);
    if (p === undefined) break;
    scope &= p.scope;
    parent = p.parent;
  }
  return scope;
}

/** The entity and its parents up to the root, the entity first. */
export function chainUp(s: RegistryState, address: string): EntityState[] {
  const out: EntityState[] = [];
  let current: string | null = address;
  while (current !== null && out.length <= 16) {
    const x = s.entities.get(current);
    if (x === undefined) break;
    out.push(x);
    current = x.parent;
  }
  return out;
}

/** The entity's chain with every version, the entity first: the shape `evaluateTrust` and `linkView` take. */
export function chainLinks(s: RegistryState, address: string): ChainLink[] {
  return chainUp(s, address).map((x) => ({ subject: x.address, parent: x.parent ?? ZERO, versions: x.versions }));
}

export interface StatusTally {
  active: number;
  suspended: number;
  revoked: number;
  expired: number;
  not_yet_valid: number;
  total: number;
}

/** Roots, accreditors below them, and issuers, by the status a reader sees at `now` (an entity with both roles counts twice). */
export function tallyByStatus(
  s: RegistryState,
  now: number,
): { roots: StatusTally; accreditors: StatusTally; issuers: StatusTally } {
  const blank = (): StatusTally => ({ active: 0, suspended: 0, revoked: 0, expired: 0, not_yet_valid: 0, total: 0 });
  const out = { roots: blank(), accreditors: blank(), issuers: blank() };
  for (const x of s.entities.values()) {
    const st = displayStatus(x, now);
    const bump = (t: StatusTally) => {
      t[st]++;
      t.total++;
    };
    if (x.parent === null) bump(out.roots);
    else if ((x.role & ROLE_ACCREDITOR) !== 0) bump(out.accreditors);
    if ((x.role & ROLE_ISSUER) !== 0) bump(out.issuers);
  }
  return out;
}

/**
 * About `max` points of the series, evenly spread in time: the first point, then the last point of each time
 * bucket, so that every value shown is one the registry really had and the latest value is always there.
 */
export function downsample(series: readonly SeriesPoint[], max: number): SeriesPoint[] {
  if (series.length <= max || max < 2) return [...series];
  const first = series[0]!.time;
  const last = series[series.length - 1]!.time;
  const width = Math.max(1, (last - first) / (max - 1));
  const out: SeriesPoint[] = [series[0]!];
  let bucket = -1;
  for (const p of series.slice(1)) {
    const b = Math.floor((p.time - first) / width);
    if (b === bucket) out[out.length - 1] = p;
    else {
      out.push(p);
      bucket = b;
    }
  }
  return out;
}
