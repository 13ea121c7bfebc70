import { ChainError, isLerError, LerError } from "../errors.js";
import { didNamesChain, parseEthrDid, signingKeysAt, type EthrDid } from "../did/ethr.js";
import { verifyWithSnapshot, type VerifierContext, type VerifyOptions } from "./credential.js";
import { credentialJwtOf, presentationOfPayload } from "../credentials/jose.js";
import { decodeJwt, signedBy, type DecodedJwt } from "./jwt.js";
import { combine, type Check, type PresentationReport } from "./report.js";

export interface VerifyPresentationOptions extends VerifyOptions {
  /** The challenge this verifier gave the holder; the presentation must carry it as `nonce`. */
  challenge?: string;
  /** This verifier's domain; the presentation's `aud` must name it. */
  domain?: string;
  /**
   * Whether the presentation must carry at least one credential. A presentation without credentials proves only that
   * its holder controls a key of its DID (DID authentication), nothing about the holder: with this true it is
   * `invalid` (`presentation` check, `no_credentials`); with it false it may be valid, and its report says that it
   * proves nothing (a `skipped` check with the same code). Default: true when a `challenge` is given (a verifier that
   * asks for a presentation asks for credentials), false otherwise. A verifier that wants DID authentication only
   * passes `false` with its challenge.
   */
  requireCredentials?: boolean;
}

/** Most credentials one presentation may carry. */
export const MAX_PRESENTED = 100;

/**
 * Verifies a presentation JWT: the holder's signature, the verifier's challenge and domain (against replay), that
 * the holder is the subject of every credential, and every credential in full. One chain snapshot for all of it.
 */
export async function verifyPresentation(
  ctx: VerifierContext,
  token: unknown,
  options: VerifyPresentationOptions,
): Promise<PresentationReport> {
  const now = options.now;
  const checks: Check[] = [];
  const report: PresentationReport = { kind: "presentation", result: "invalid", checks, credentials: [], verifiedAt: now };
  let jwt: DecodedJwt;
  try {
    jwt = decodeJwt(token);
  } catch (e) {
    checks.push(fail("format", e));
    return done(report);
  }
  // The presentation: the `vp` claim (VC-JWT 1.1), or the payload itself (VC-JOSE, VC 2.0).
  const vp = presentationOfPayload(jwt.payload);
  const list = vp?.verifiableCredential;
  const presented = list === undefined ? [] : Array.isArray(list) ? list : [list];
  if (vp === undefined || presented.length > MAX_PRESENTED) {
    checks.push({
      id: "format",
      outcome: "fail",
      code: "invalid_presentation",
      message: presented.length > MAX_PRESENTED ? `At most ${MAX_PRESENTED} credentials per presentation.` : "The JWT carries no presentation: neither a `vp` claim nor a VC 2.0 payload.",
    });
    return done(report);
  }
  checks.push({ id: "format", outcome: "pass", code: "well_formed", message: `A well-formed ${jwt.alg} presentation.` });
  if (presented.length === 0) {
    const required = options.requireCredentials ?? options.challenge !== undefined;
    checks.push(
      required
        ? { id: "presentation", outcome: "fail", code: "no_credentials", message: "The presentation carries no credentials, and this verifier asked for credentials." }
        : {
            id: "presentation",
            outcome: "skipped",
            code: "no_credentials",
            message: "The presentation carries no credentials: it proves only that the holder controls its key, nothing about the holder.",
          },
    );
  }
  const credentialJwts = presented.map(credentialJwtOf);

  let holder: EthrDid | undefined;
  try {
    if (typeof jwt.payload.iss !== "string") throw new LerError("missing_holder", "The presentation has no `iss` (holder).");
    holder = parseEthrDid(jwt.payload.iss);
    if (!didNamesChain(holder, { name: ctx.networkName, chainId: ctx.deployment.chainId })) {
      throw new LerError("wrong_network", `The holder ${holder.did} is not on this chain.`);
    }
    report.holder = holder.did;
  } catch (e) {
    checks.push(fail("holder_signature", e));
  }
  // `vp.holder`, when present, must name the DID that signed (`iss`): a presentation claiming another holder than its
  // signer is refused whatever else it carries.
  const claimedHolder = vp.holder === undefined ? undefined : typeof vp.holder === "string" ? vp.holder : (vp.holder as { id?: unknown } | null)?.id;
  if (vp.holder !== undefined && !sameDid(claimedHolder, jwt.payload.iss)) {
    checks.push({
      id: "holder_binding",
      outcome: "fail",
      code: "holder_mismatch",
      message: `The presentation names ${typeof claimedHolder === "string" ? claimedHolder : "an unreadable holder"} as holder, but is signed as ${String(jwt.payload.iss)}.`,
      details: { holder: typeof claimedHolder === "string" ? claimedHolder : null, signer: typeof jwt.payload.iss === "string" ? jwt.payload.iss : null },
    });
  }

  checks.push(challengeAndDomain(jwt, options));
  checks.push(window(jwt, now, options.clockSkewSeconds ?? 60));

  const { reports, snapshot, chainError } = await verifyWithSnapshot(
    ctx,
    credentialJwts,
    { ...options, now },
    holder === undefined ? [] : [holder.address],
  );
  report.credentials = reports;
  if (snapshot !== undefined) report.block = snapshot.block;

  if (holder !== undefined) {
    if (snapshot === undefined) {
      const why = chainError ?? new ChainError("chain_unreachable", "The chain was not read.");
      checks.push({ id: "holder_signature", outcome: "unknown", code: why.code, message: why.message });
    } else {
      const keys = signingKeysAt(holder, snapshot.didEvents.get(holder.address) ?? [], { block: snapshot.block, time: BigInt(now) });
      checks.push(
        signedBy(jwt, keys)
          ? { id: "holder_signature", outcome: "pass", code: "signature_valid", message: `Signed by the holder ${holder.did}.` }
          : { id: "holder_signature", outcome: "fail", code: "invalid_signature", message: `The presentation is not signed by a key of ${holder.did}.` },
      );
    }
    const strangers = reports.filter((r) => {
      if (r.credential.subject === undefined) return true;
      try {
        return parseEthrDid(r.credential.subject).address !== holder!.address;
      } catch {
        return true;
      }
    });
    checks.push(
      strangers.length === 0
        ? { id: "holder_binding", outcome: "pass", code: "holder_is_subject", message: "The holder is the subject of every credential." }
        : {
            id: "holder_binding",
            outcome: "fail",
            code: "subject_not_holder",
            message: `${strangers.length} credential(s) are about someone other than the holder.`,
            details: { subjects: strangers.map((r) => r.credential.subject ?? null) },
          },
    );
  }
  return done(report);
}

function challengeAndDomain(jwt: DecodedJwt, options: VerifyPresentationOptions): Check {
  const nonce = jwt.payload.nonce;
  const aud = jwt.payload.aud;
  const audiences = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [];
  if (options.challenge !== undefined && nonce !== options.challenge) {
    return { id: "presentation", outcome: "fail", code: "challenge_mismatch", message: "The presentation was not made for this verifier's challenge (a replay?)." };
  }
  if (options.domain !== undefined && !audiences.includes(options.domain)) {
    return { id: "presentation", outcome: "fail", code: "domain_mismatch", message: `The presentation is addressed to ${audiences.join(", ") || "nobody"}, not ${options.domain}.` };
  }
  if (options.challenge === undefined) {
    return { id: "presentation", outcome: "pass", code: "no_challenge_requested", message: "No challenge was required: replay is not excluded." };
  }
  return { id: "presentation", outcome: "pass", code: "challenge_matched", message: "Made for this verifier's challenge and domain." };
}

function window(jwt: DecodedJwt, now: number, skew: number): Check {
  const { nbf, exp } = jwt.payload;
  if (typeof nbf === "number" && nbf > now + skew) {
    return { id: "presentation", outcome: "fail", code: "not_yet_valid", message: "The presentation is not valid yet." };
  }
  if (typeof exp === "number" && exp <= now - skew) {
    return { id: "presentation", outcome: "fail", code: "presentation_expired", message: "The presentation has expired." };
  }
  return { id: "presentation", outcome: "pass", code: "within_validity", message: "The presentation is within its validity." };
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

function fail(id: Check["id"], e: unknown): Check {
  if (isLerError(e)) return { id, outcome: "fail", code: e.code, message: e.message };
  throw e;
}

function done(report: PresentationReport): PresentationReport {
  report.result = combine(report.checks, report.credentials);
  return report;
}
