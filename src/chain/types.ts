/**
 * The trust registry's data as the chain holds it (ITrustRegistry's structs and enums) and its decoding. Pure; the
 * rules that judge it live in `verify/trust.ts`.
 */

export const ROLE_ISSUER = 1;
export const ROLE_ACCREDITOR = 2;

export enum AccreditationStatus {
  None = 0,
  Active = 1,
  Suspended = 2,
  Revoked = 3,
}

/** One version of an accreditation (ITrustRegistry.Version) and the block time it took effect. */
export interface Version {
  since: bigint;
  role: number;
  status: AccreditationStatus;
  reason: number;
  validFrom: bigint;
  /** For a revoked version: the revocation's effective time. */
  validUntil: bigint;
  scope: bigint;
}

/** One link of `TrustRegistry.historyOf`, subject first: its parent and every version, oldest first. */
export interface ChainLink {
  subject: string;
  parent: string;
  versions: readonly Version[];
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

/** `validUntil` of an accreditation without an end: the largest uint40. */
export const NO_END = 2 ** 40 - 1;
const M40 = (1n << 40n) - 1n;

/** Decodes a checkpoint of `historyOf` (`since << 208 | version`, the layout of ITrustRegistry.Version). */
export function decodeVersion(packed: bigint): Version {
  return {
    since: packed >> 208n,
    scope: packed & ((1n << 112n) - 1n),
    validFrom: (packed >> 112n) & M40,
    validUntil: (packed >> 152n) & M40,
    reason: Number((packed >> 192n) & 0xffn),
    role: Number((packed >> 200n) & 3n),
    status: Number((packed >> 202n) & 3n) as AccreditationStatus,
  };
}
