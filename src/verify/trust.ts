/**
 * The trust question, answered from an accreditation chain with its history, read off the registry
 * (`TrustRegistry.historyOf`): the same rules as `TrustRegistry.trustedAt`, so that one batched read serves any type
 * and any time. Pure.
 *
 * The rule: a credential anchored at `t` is trusted for type T when every link of its chain, in the version in effect
 * at `t`, existed, was active, had the role the link needs, held T and had `t` inside its validity window; and, now,
 * no link is suspended and none was revoked with an effective time at or before `t`. When a change took effect at
 * `t` itself, the version before it must pass too.
 */

import {
  AccreditationStatus,
  NO_END,
  ROLE_ACCREDITOR,
  ROLE_ISSUER,
  Verdict,
  type ChainLink,
  type Version,
} from "../chain/types.js";
import type { ErrorCode } from "../errors.js";

export { ROLE_ISSUER, ROLE_ACCREDITOR, AccreditationStatus, Verdict, NO_END, decodeVersion } from "../chain/types.js";
export type { ChainLink, Version } from "../chain/types.js";

export interface TrustAnswer {
  verdict: Verdict;
  /** The link that failed (undefined when trusted). */
  failedAt: string | undefined;
  /** The root the chain reached (undefined when it did not). */
  root: string | undefined;
}

export const MAX_DEPTH = 8;
/** Most credential types: a scope is a 112-bit set. */
export const MAX_TYPES = 112;
const ZERO = "0x0000000000000000000000000000000000000000";
const MAX_KEY = (1n << 48n) - 1n;

/** The version of `link` in effect at `at` (the last that took effect at or before it), if any. */
export function versionAt(link: ChainLink, at: bigint): Version | undefined {
  const v = link.versions;
  let low = 0;
  let high = v.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (v[mid]!.since > at) high = mid;
    else low = mid + 1;
  }
  return high === 0 ? undefined : v[high - 1];
}

/** The version of `link` now. */
export function latestVersion(link: ChainLink): Version | undefined {
  return link.versions[link.versions.length - 1];
}

/** A chain link as reports and services show it: role and status by name, no end as null, scope as type ids. */
export interface LinkView {
  address: string;
  role: ("issuer" | "accreditor")[];
  /** The status of the version shown. */
  status: "active" | "suspended" | "revoked" | "none";
  validFrom: number;
  validUntil: number | null;
  scope: number[];
  isRoot: boolean;
  /** When the version shown took effect (block time); null when the link did not exist at the time asked about. */
  since: number | null;
  /** The status now, when it differs from that of the version shown (a suspension or revocation since). */
  statusNow?: "active" | "suspended" | "revoked";
  /** When the link is revoked now: the revocation's effective time. */
  revokedFrom?: number;
}

const STATUS_NAMES = ["none", "active", "suspended", "revoked"] as const;

/** The link as it stood at `at` (by default now), with its status now when that differs. */
export function linkView(link: ChainLink, at?: bigint): LinkView {
  const latest = latestVersion(link);
  const shown = at === undefined ? latest : versionAt(link, at);
  const v = shown ?? latest;
  const view: LinkView = {
    address: link.subject,
    role: roleNames(v?.role ?? 0),
    status: shown === undefined ? "none" : (STATUS_NAMES[shown.status] ?? "none"),
    validFrom: Number(v?.validFrom ?? 0n),
    validUntil: v === undefined || v.validUntil >= BigInt(NO_END) ? null : Number(v.validUntil),
    scope: scopeTypeIds(v?.scope ?? 0n),
    isRoot: link.parent === ZERO,
    since: shown === undefined ? null : Number(shown.since),
  };
  if (
    latest !== undefined &&
    latest !== shown &&
    latest.status !== AccreditationStatus.None &&
    latest.status !== shown?.status
  ) {
    view.statusNow = STATUS_NAMES[latest.status] as "active" | "suspended" | "revoked";
  }
  if (latest?.status === AccreditationStatus.Revoked) view.revokedFrom = Number(latest.validUntil);
  return view;
}

/** Whether the link of `address` in `chain` is suspended now (its latest version). */
export function isSuspendedNow(chain: readonly ChainLink[], address: string | undefined): boolean {
  const link = chain.find((l) => l.subject.toLowerCase() === address?.toLowerCase());
  return link !== undefined && latestVersion(link)?.status === AccreditationStatus.Suspended;
}

/** The roles in a role bitmap, by name. */
export function roleNames(bits: number): ("issuer" | "accreditor")[] {
  return [
    ...((bits & ROLE_ISSUER) !== 0 ? ["issuer" as const] : []),
    ...((bits & ROLE_ACCREDITOR) !== 0 ? ["accreditor" as const] : []),
  ];
}

/** Was the chain's subject trusted to issue `typeId` at `at` (seconds)? The rules of `TrustRegistry.trustedAt`. */
export function evaluateTrust(
  chain: readonly ChainLink[],
  { typeId, at }: { typeId: number; at: bigint },
): TrustAnswer {
  if (chain.length === 0) return { verdict: Verdict.NotAccredited, failedAt: undefined, root: undefined };
  const key = at > MAX_KEY ? MAX_KEY : at < 0n ? 0n : at;
  for (let i = 0; i < chain.length && i <= MAX_DEPTH; i++) {
    const link = chain[i]!;
    const latest = latestVersion(link);
    if (latest === undefined) return { verdict: Verdict.NotAccredited, failedAt: link.subject, root: undefined };
    const verdict = linkVerdict(
      latest,
      versionAt(link, key),
      key === 0n ? undefined : versionAt(link, key - 1n),
      i === 0,
      typeId,
      at,
    );
    if (verdict !== Verdict.Trusted) return { verdict, failedAt: link.subject, root: undefined };
    if (link.parent === ZERO) return { verdict: Verdict.Trusted, failedAt: undefined, root: link.subject };
  }
  const last = chain[Math.min(chain.length, MAX_DEPTH + 1) - 1]!;
  return { verdict: Verdict.DepthExceeded, failedAt: last.subject, root: undefined };
}

/** One link at `at`: the rules that hold now (`latest`), then the version at `at` and, if a change took effect at `at`, the one before. */
function linkVerdict(
  latest: Version,
  current: Version | undefined,
  before: Version | undefined,
  isSubject: boolean,
  typeId: number,
  at: bigint,
): Verdict {
  if (latest.status === AccreditationStatus.Suspended) return Verdict.Suspended;
  if (latest.status === AccreditationStatus.Revoked && at >= latest.validUntil) return Verdict.Revoked;
  const verdict = versionVerdict(current, isSubject, typeId, at);
  if (verdict !== Verdict.Trusted || before === current) return verdict;
  return versionVerdict(before, isSubject, typeId, at);
}

function versionVerdict(v: Version | undefined, isSubject: boolean, typeId: number, at: bigint): Verdict {
  if (v === undefined) return Verdict.NotYetValid;
  if (isSubject ? (v.role & ROLE_ISSUER) === 0 : (v.role & ROLE_ACCREDITOR) === 0) {
    return isSubject ? Verdict.NotIssuer : Verdict.NotAccreditor;
  }
  if (v.status === AccreditationStatus.Suspended) return Verdict.Suspended;
  if (v.status === AccreditationStatus.Revoked) return Verdict.Revoked;
  if (at < v.validFrom) return Verdict.NotYetValid;
  if (at >= v.validUntil) return Verdict.Expired;
  if (typeId < 0 || typeId >= MAX_TYPES || ((v.scope >> BigInt(typeId)) & 1n) === 0n) return Verdict.OutOfScope;
  return Verdict.Trusted;
}

/** The type ids in a scope bitmap. */
export function scopeTypeIds(scope: bigint): number[] {
  const ids: number[] = [];
  for (let i = 0; scope >> BigInt(i) !== 0n; i++) if (((scope >> BigInt(i)) & 1n) === 1n) ids.push(i);
  return ids;
}

/** The message of a verdict, in the words of who asks (a verification report, a registry query). */
export function verdictMessage(
  v: Verdict,
  words: {
    /** How the chain's subject is named: "The issuer", "The entity". */
    subject: string;
    /** The accreditor whose link failed, as it is to be shown; undefined when the subject's own link failed. */
    accreditor: string | undefined;
    /** The credential type asked about. */
    type: string;
    /** The time trust was judged at, in words: "the credential's trusted time", "that time". */
    when: string;
    /**
     * For `Suspended`: whether the failing link is suspended now (a hold that lifts with reinstatement) rather than
     * only at the time judged (which stays distrusted). Unknown: both are named.
     */
    suspendedNow?: boolean;
  },
): string {
  const who = words.accreditor === undefined ? words.subject : `Accreditor ${words.accreditor}`;
  switch (v) {
    case Verdict.NotAccredited:
      return `${words.subject} is not accredited in the trust registry.`;
    case Verdict.NotIssuer:
      return `${words.subject} is accredited, but not to issue credentials.`;
    case Verdict.NotAccreditor:
      return `${who} may not accredit.`;
    case Verdict.Suspended:
      if (words.suspendedNow === true) return `${who} is suspended.`;
      if (words.suspendedNow === false)
        return `${who} was suspended at ${words.when}: what was issued then stays distrusted.`;
      return `${who} is suspended, or was at ${words.when}.`;
    case Verdict.Revoked:
      return `${who}'s accreditation was revoked before ${words.when}.`;
    case Verdict.NotYetValid:
      return `${who} was not yet accredited at ${words.when}.`;
    case Verdict.Expired:
      return `${who}'s accreditation had expired at ${words.when}.`;
    case Verdict.OutOfScope:
      return `${who} is not accredited for "${words.type}".`;
    default:
      return "No root within the depth bound.";
  }
}

/**
 * The stable code of a verdict, as the verification report's trust check and the TRQP endpoint name it: one
 * vocabulary for scripts. `isIssuer`: the failing link is the subject itself (not one of its accreditors).
 */
export function verdictCode(v: Verdict, isIssuer: boolean): ErrorCode {
  switch (v) {
    case Verdict.NotAccredited:
      return "issuer_not_accredited";
    case Verdict.NotIssuer:
      return "issuer_not_issuer";
    case Verdict.NotAccreditor:
      return "accreditor_not_accreditor";
    case Verdict.Suspended:
      return isIssuer ? "issuer_suspended" : "accreditor_suspended";
    case Verdict.Revoked:
      return isIssuer ? "issuer_revoked" : "accreditor_revoked";
    case Verdict.NotYetValid:
      return "accreditation_not_yet_valid";
    case Verdict.Expired:
      return "accreditation_expired";
    case Verdict.OutOfScope:
      return "type_out_of_scope";
    case Verdict.DepthExceeded:
      return "depth_exceeded";
    default:
      return "untrusted";
  }
}
