/**
 * The trust question, answered from an accreditation chain read off the registry: the same rules as
 * TrustRegistry.trustedAt, so that one batched read of `chainOf` serves any type and any time. Pure.
 */

export const ROLE_ISSUER = 1;
export const ROLE_ACCREDITOR = 2;

export enum AccreditationStatus {
  None = 0,
  Active = 1,
  Suspended = 2,
  Revoked = 3,
}

/** One link of `TrustRegistry.chainOf`, subject first. */
export interface ChainLink {
  subject: string;
  parent: string;
  validFrom: bigint;
  validUntil: bigint;
  role: number;
  status: AccreditationStatus;
  reason: number;
  depth: number;
  scope: bigint;
}

/** Mirrors ITrustRegistry.Verdict. */
export enum Verdict {
  Trusted = 0,
  NotAccredited = 1,
  NotIssuer = 2,
  NotAccreditor = 3,
  Suspended = 4,
  Revoked = 5,
  NotYetValid = 6,
  Expired = 7,
  OutOfScope = 8,
  DepthExceeded = 9,
}

export interface TrustAnswer {
  verdict: Verdict;
  /** The link that failed (undefined when trusted). */
  failedAt: string | undefined;
  /** The root the chain reached (undefined when it did not). */
  root: string | undefined;
}

export const MAX_DEPTH = 8;
const ZERO = "0x0000000000000000000000000000000000000000";
/** `validUntil` of an accreditation without an end: the largest uint40. */
export const NO_END = 2 ** 40 - 1;

/** A chain link as reports and services show it: role and status by name, no end as null, scope as type ids. */
export interface LinkView {
  address: string;
  role: ("issuer" | "accreditor")[];
  status: "active" | "suspended" | "revoked" | "none";
  validFrom: number;
  validUntil: number | null;
  scope: number[];
  isRoot: boolean;
}

export function linkView(link: ChainLink): LinkView {
  return {
    address: link.subject,
    role: roleNames(link.role),
    status: (["none", "active", "suspended", "revoked"] as const)[link.status] ?? "none",
    validFrom: Number(link.validFrom),
    validUntil: link.validUntil >= BigInt(NO_END) ? null : Number(link.validUntil),
    scope: scopeTypeIds(link.scope),
    isRoot: link.parent === ZERO,
  };
}

/** The roles in a role bitmap, by name. */
export function roleNames(bits: number): ("issuer" | "accreditor")[] {
  return [...((bits & ROLE_ISSUER) !== 0 ? ["issuer" as const] : []), ...((bits & ROLE_ACCREDITOR) !== 0 ? ["accreditor" as const] : [])];
}

/** Was the chain's subject trusted to issue `typeId` at `at` (seconds)? Suspension counts as it stands now. */
export function evaluateTrust(chain: readonly ChainLink[], { typeId, at }: { typeId: number; at: bigint }): TrustAnswer {
  if (chain.length === 0) return { verdict: Verdict.NotAccredited, failedAt: undefined, root: undefined };
  for (let i = 0; i < chain.length && i <= MAX_DEPTH; i++) {
    const link = chain[i]!;
    const verdict = linkVerdict(link, i === 0, typeId, at);
    if (verdict !== Verdict.Trusted) return { verdict, failedAt: link.subject, root: undefined };
    if (link.parent === ZERO) return { verdict: Verdict.Trusted, failedAt: undefined, root: link.subject };
  }
  const last = chain[Math.min(chain.length, MAX_DEPTH + 1) - 1]!;
  return { verdict: Verdict.DepthExceeded, failedAt: last.subject, root: undefined };
}

function linkVerdict(a: ChainLink, isSubject: boolean, typeId: number, at: bigint): Verdict {
  if (a.status === AccreditationStatus.None) return Verdict.NotAccredited;
  if (isSubject ? (a.role & ROLE_ISSUER) === 0 : (a.role & ROLE_ACCREDITOR) === 0) {
    return isSubject ? Verdict.NotIssuer : Verdict.NotAccreditor;
  }
  if (a.status === AccreditationStatus.Suspended) return Verdict.Suspended;
  if (at < a.validFrom) return Verdict.NotYetValid;
  if (at >= a.validUntil) return a.status === AccreditationStatus.Revoked ? Verdict.Revoked : Verdict.Expired;
  if (typeId < 0 || typeId >= 240 || ((a.scope >> BigInt(typeId)) & 1n) === 0n) return Verdict.OutOfScope;
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
      return `${who} is suspended.`;
    case Verdict.Revoked:
      return `${who}'s accreditation was revoked before ${words.when}.`;
    case Verdict.NotYetValid:
      return `${who}'s accreditation was not yet valid at ${words.when}.`;
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
export function verdictCode(v: Verdict, isIssuer: boolean): string {
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
