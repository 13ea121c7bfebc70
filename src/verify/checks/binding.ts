import { ChainError, LerError } from "../../errors.js";
import type { ChainSnapshot } from "../../chain/snapshotPlan.js";
import { didNamesChain, parseEthrDid, signingKeysAt, type EthrDid } from "../../did/ethr.js";
import type { VerifierScope } from "../context.js";
import { signedBy, type DecodedJwt } from "../jwt.js";
import type { VerifierMemory } from "../memory.js";
import type { Check, CredentialReport } from "../report.js";
import { secp256k1Backend } from "../secp256k1.js";
import { failure } from "./common.js";

// The checks that bind a presentation to its holder and to this verifier: who signed it, whether it names another
// holder, whether its credentials are the holder's, whether it answers this verifier's challenge and domain, and
// whether it is within its own validity window.

/** Most credentials one presentation may carry. */
export const MAX_PRESENTED = 100;

/** What the presentation binding checks take of the verifier's request. */
export interface BindingOptions {
  /** The challenge this verifier gave the holder; the presentation must carry it as `nonce`. */
  challenge?: string;
  /** This verifier's domain; the presentation's `aud` must name it. */
  domain?: string;
  /** Whether the presentation must carry at least one credential (see `VerifyPresentationOptions`). */
  requireCredentials?: boolean;
}

/**
 * The presentation's format check given what it carries: `well_formed`; `invalid_presentation` for a JWT with no
 * presentation (neither a `vp` claim nor a VC 2.0 payload) or more than MAX_PRESENTED credentials.
 */
export function presentationFormatCheck(
  jwt: DecodedJwt,
  vp: Record<string, unknown> | undefined,
  presented: number,
): Check {
  if (vp === undefined || presented > MAX_PRESENTED) {
    return {
      id: "format",
      outcome: "fail",
      code: "invalid_presentation",
      message:
        presented > MAX_PRESENTED
          ? `At most ${MAX_PRESENTED} credentials per presentation.`
          : "The JWT carries no presentation: neither a `vp` claim nor a VC 2.0 payload.",
    };
  }
  return { id: "format", outcome: "pass", code: "well_formed", message: `A well-formed ${jwt.alg} presentation.` };
}

/**
 * A presentation without credentials proves only that its holder controls a key of its DID: `no_credentials`, failed
 * when this verifier asked for credentials (by default: when it gave a challenge), skipped otherwise.
 */
export function noCredentialsCheck(options: BindingOptions): Check {
  const required = options.requireCredentials ?? options.challenge !== undefined;
  return required
    ? {
        id: "presentation",
        outcome: "fail",
        code: "no_credentials",
        message: "The presentation carries no credentials, and this verifier asked for credentials.",
      }
    : {
        id: "presentation",
        outcome: "skipped",
        code: "no_credentials",
        message:
          "The presentation carries no credentials: it proves only that the holder controls its key, nothing about the holder.",
      };
}

/** The holder: the presentation's `iss`, a did:ethr of this chain (`missing_holder`, `wrong_network`, or the DID's code). */
export function holderOf(payload: Record<string, unknown>, scope: VerifierScope): EthrDid | Check {
  try {
    if (typeof payload.iss !== "string")
      throw new LerError("missing_holder", "The presentation has no `iss` (holder).");
    const holder = parseEthrDid(payload.iss);
    if (!didNamesChain(holder, { name: scope.networkName, chainId: scope.deployment.chainId })) {
      throw new LerError("wrong_network", `The holder ${holder.did} is not on this chain.`);
    }
    return holder;
  } catch (e) {
    return failure("holder_signature", e);
  }
}

/**
 * `vp.holder`, when present, must name the DID that signed (`iss`): a presentation claiming another holder than its
 * signer is refused whatever else it carries (`holder_mismatch`).
 */
export function claimedHolderCheck(vp: Record<string, unknown>, iss: unknown): Check | undefined {
  if (vp.holder === undefined) return undefined;
  const claimed = typeof vp.holder === "string" ? vp.holder : (vp.holder as { id?: unknown } | null)?.id;
  if (sameDid(claimed, iss)) return undefined;
  return {
    id: "holder_binding",
    outcome: "fail",
    code: "holder_mismatch",
    message: `The presentation names ${typeof claimed === "string" ? claimed : "an unreadable holder"} as holder, but is signed as ${String(iss)}.`,
    details: { holder: typeof claimed === "string" ? claimed : null, signer: typeof iss === "string" ? iss : null },
  };
}

/**
 * Made for this verifier: the verifier's challenge as `nonce` (`challenge_mismatch`: a replay?) and its domain in
 * `aud` (`domain_mismatch`). Without a challenge asked, replay is not excluded (`no_challenge_requested`).
 */
export function challengeCheck(payload: Record<string, unknown>, options: BindingOptions): Check {
  const nonce = payload.nonce;
  const aud = payload.aud;
  const audiences = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [];
  if (options.challenge !== undefined && nonce !== options.challenge) {
    return {
      id: "presentation",
      outcome: "fail",
      code: "challenge_mismatch",
      message: "The presentation was not made for this verifier's challenge (a replay?).",
    };
  }
  if (options.domain !== undefined && !audiences.includes(options.domain)) {
    return {
      id: "presentation",
      outcome: "fail",
      code: "domain_mismatch",
      message: `The presentation is addressed to ${audiences.join(", ") || "nobody"}, not ${options.domain}.`,
    };
  }
  if (options.challenge === undefined) {
    return {
      id: "presentation",
      outcome: "pass",
      code: "no_challenge_requested",
      message: "No challenge was required: replay is not excluded.",
    };
  }
  return {
    id: "presentation",
    outcome: "pass",
    code: "challenge_matched",
    message: "Made for this verifier's challenge and domain.",
  };
}

/** The presentation's own window at `now`, within `skew`: `not_yet_valid`, `presentation_expired`, `within_validity`. */
export function presentationWindowCheck(payload: Record<string, unknown>, now: number, skew: number): Check {
  const { nbf, exp } = payload;
  if (typeof nbf === "number" && nbf > now + skew) {
    return {
      id: "presentation",
      outcome: "fail",
      code: "not_yet_valid",
      message: "The presentation is not valid yet.",
    };
  }
  if (typeof exp === "number" && exp <= now - skew) {
    return {
      id: "presentation",
      outcome: "fail",
      code: "presentation_expired",
      message: "The presentation has expired.",
    };
  }
  return {
    id: "presentation",
    outcome: "pass",
    code: "within_validity",
    message: "The presentation is within its validity.",
  };
}

/**
 * The holder's signature, by a key the holder's DID document has now (the snapshot's head): `signature_valid` or
 * `invalid_signature`; `unknown` (with the read's reason) when the chain was not read.
 */
export function holderSignatureCheck(
  jwt: DecodedJwt,
  holder: EthrDid,
  snap: ChainSnapshot | undefined,
  chainError: ChainError | undefined,
  now: number,
  memory: VerifierMemory,
): Check {
  if (snap === undefined) {
    const why = chainError ?? new ChainError("chain_unreachable", "The chain was not read.");
    return { id: "holder_signature", outcome: "unknown", code: why.code, message: why.message };
  }
  const keys = signingKeysAt(holder, snap.didEvents.get(holder.address) ?? [], {
    block: snap.block,
    time: BigInt(now),
  });
  return signedBy(jwt, keys, secp256k1Backend, memory)
    ? {
        id: "holder_signature",
        outcome: "pass",
        code: "signature_valid",
        message: `Signed by the holder ${holder.did}.`,
      }
    : {
        id: "holder_signature",
        outcome: "fail",
        code: "invalid_signature",
        message: `The presentation is not signed by a key of ${holder.did}.`,
      };
}

/** The holder is the subject of every credential presented (`holder_is_subject`), else `subject_not_holder`. */
export function subjectsCheck(holder: EthrDid, reports: readonly CredentialReport[]): Check {
  const strangers = reports.filter((r) => {
    if (r.credential.subject === undefined) return true;
    try {
      return parseEthrDid(r.credential.subject).address !== holder.address;
    } catch {
      return true;
    }
  });
  return strangers.length === 0
    ? {
        id: "holder_binding",
        outcome: "pass",
        code: "holder_is_subject",
        message: "The holder is the subject of every credential.",
      }
    : {
        id: "holder_binding",
        outcome: "fail",
        code: "subject_not_holder",
        message: `${strangers.length} credential(s) are about someone other than the holder.`,
        details: { subjects: strangers.map((r) => r.credential.subject ?? null) },
      };
}

/** Two DIDs name the same identity: equal, or did:ethr DIDs of the same address on the same network (any case or form). */
function sameDid(a: unknown, b: unknown): boolean {
  if (typeof a !== "string" || typeof b !== "string") return false;
  if (a === b) return true;
  try {
    const x = parseEthrDid(a);
    const y = parseEthrDid(b);
    return x.address === y.address && x.network === y.network;
  } catch {
    return false;
  }
}
