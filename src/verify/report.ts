/** The verification report: the one shape every face (library, plugin, CLI, HTTP) returns. */

export type VerificationResult = "valid" | "invalid" | "unknown";

/** pass: checked and fine; fail: checked and wrong; unknown: could not be checked (chain unreadable);
 * skipped: does not apply to this credential (e.g. no status entry). */
export type CheckOutcome = "pass" | "fail" | "unknown" | "skipped";

export type CheckId =
  | "format"
  | "schema"
  | "issuer"
  | "anchor"
  | "signature"
  | "trust"
  | "status"
  | "validity"
  | "embedded"
  | "presentation"
  | "holder_signature"
  | "holder_binding";

export interface Check {
  id: CheckId;
  outcome: CheckOutcome;
  /** Stable snake_case code: scripts match on it. */
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * One link of the issuer's accreditation chain, issuer first, as the registry held it at the time trust was judged
 * (`CredentialReport.trustedTime`): the version of the link in effect then, with its status now when that differs.
 */
export interface TrustChainEntry {
  address: string;
  did: string;
  /**
   * The verifier's own name for this address (`VerifyOptions.names`), if it has one. Never a name the credential
   * gives: what a credential claims about its issuer is `CredentialSummary.issuerName`.
   */
  name?: string;
  role: ("issuer" | "accreditor")[];
  /** The status of the version shown; "none": the link did not exist yet at that time. */
  status: "active" | "suspended" | "revoked" | "none";
  validFrom: number;
  validUntil: number | null;
  scope: { id: number; name?: string }[];
  isRoot: boolean;
  /** When the version shown took effect (block time); null when the link did not exist at the time shown. */
  since: number | null;
  /** The status now, when it differs from that of the version shown (suspended or revoked since). */
  statusNow?: "active" | "suspended" | "revoked";
  /** When the link is revoked now: the revocation's effective time. */
  revokedFrom?: number;
}

export interface CredentialSummary {
  id?: string;
  issuer?: string;
  /**
   * The name the credential claims for its issuer (its `issuer.name`): the credential's claim, checked by nothing. It
   * is never shown as the registry's name for a link of the trust chain (see `TrustChainEntry.name`).
   */
  issuerName?: string;
  subject?: string;
  types?: string[];
  name?: string;
  issuedAt?: number;
  expiresAt?: number;
}

/**
 * What a credential's verification found. Parts that many reports repeat (passing checks, the trust chain, type
 * lists) are shared between reports and frozen: read them freely, copy them to change them.
 */
export interface CredentialReport {
  kind: "credential";
  result: VerificationResult;
  checks: Check[];
  credential: CredentialSummary;
  /** The issuer's accreditation chain, issuer first (empty when the chain could not be read). */
  trustChain: TrustChainEntry[];
  /**
   * The time trust was judged at, and why that time: the issuance time the chain anchored ("anchor"), or, for a
   * credential with no anchor on chain, the time of verification ("now": the history rules then protect nothing).
   */
  trustedTime?: { at: number; source: "anchor" | "now"; anchorBlock?: number };
  /** The block the chain was read at. */
  block?: number;
  /** The time (seconds) the verifier took as now. */
  verifiedAt: number;
  /** A record (CLR 2.0): the reports of the credentials it embeds, in its order (see its `embedded` check). */
  embedded?: CredentialReport[];
}

export interface PresentationReport {
  kind: "presentation";
  result: VerificationResult;
  checks: Check[];
  holder?: string;
  credentials: CredentialReport[];
  block?: number;
  verifiedAt: number;
}

/** fail beats unknown beats everything else: verification fails closed. */
export function combine(
  checks: readonly Check[],
  nested: readonly { result: VerificationResult }[] = [],
): VerificationResult {
  if (checks.some((c) => c.outcome === "fail") || nested.some((n) => n.result === "invalid")) return "invalid";
  if (checks.some((c) => c.outcome === "unknown") || nested.some((n) => n.result === "unknown")) return "unknown";
  return "valid";
}
