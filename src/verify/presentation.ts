import { credentialJwtOf, presentationOfPayload } from "../credentials/jose.js";
import { verifyWithMemory } from "./batch.js";
import {
  challengeCheck,
  claimedHolderCheck,
  holderOf,
  holderSignatureCheck,
  noCredentialsCheck,
  presentationFormatCheck,
  presentationWindowCheck,
  subjectsCheck,
  type BindingOptions,
} from "./checks/binding.js";
import { DEFAULT_SKEW, failure } from "./checks/common.js";
import { isCheck } from "./checks/format.js";
import type { VerifierContext, VerifyOptions } from "./context.js";
import { decodeJwt, type DecodedJwt } from "./jwt.js";
import type { VerifierMemory } from "./memory.js";
import { combine, type Check, type PresentationReport } from "./report.js";

export { MAX_PRESENTED } from "./checks/binding.js";

export interface VerifyPresentationOptions extends VerifyOptions, BindingOptions {
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

/**
 * Verifies a presentation JWT (or one `decodeJwt` decoded): the holder's signature, the verifier's challenge and
 * domain (against replay), that the holder is the subject of every credential, and every credential in full. One
 * chain snapshot for all of it. The entry (src/verify/index.ts) resolves the memory.
 */
export async function verifyPresentationWithMemory(
  ctx: VerifierContext,
  memory: VerifierMemory,
  token: unknown,
  options: VerifyPresentationOptions,
): Promise<PresentationReport> {
  const now = options.now;
  const checks: Check[] = [];
  const report: PresentationReport = {
    kind: "presentation",
    result: "invalid",
    checks,
    credentials: [],
    verifiedAt: now,
  };
  let jwt: DecodedJwt;
  try {
    jwt = decodeJwt(token);
  } catch (e) {
    checks.push(failure("format", e));
    return done(report);
  }
  // The presentation: the `vp` claim (VC-JWT 1.1), or the payload itself (VC-JOSE, VC 2.0).
  const vp = presentationOfPayload(jwt.payload);
  const list = vp?.verifiableCredential;
  const presented = list === undefined ? [] : Array.isArray(list) ? list : [list];
  const format = presentationFormatCheck(jwt, vp, presented.length);
  checks.push(format);
  if (vp === undefined || format.outcome === "fail") return done(report);
  if (presented.length === 0) checks.push(noCredentialsCheck(options));
  const credentialJwts = presented.map(credentialJwtOf);

  const holderOrFailure = holderOf(jwt.payload, ctx);
  const holder = isCheck(holderOrFailure) ? undefined : holderOrFailure;
  if (holder === undefined) checks.push(holderOrFailure as Check);
  else report.holder = holder.did;
  const claimed = claimedHolderCheck(vp, jwt.payload.iss);
  if (claimed !== undefined) checks.push(claimed);

  checks.push(challengeCheck(jwt.payload, options));
  checks.push(presentationWindowCheck(jwt.payload, now, options.clockSkewSeconds ?? DEFAULT_SKEW));

  const { reports, snapshot, chainError } = await verifyWithMemory(
    ctx,
    memory,
    credentialJwts,
    { ...options, now },
    holder === undefined ? [] : [holder.address],
  );
  report.credentials = reports;
  if (snapshot !== undefined) report.block = snapshot.block;

  if (holder !== undefined) {
    checks.push(holderSignatureCheck(jwt, holder, snapshot, chainError, now, memory));
    checks.push(subjectsCheck(holder, reports));
  }
  return done(report);
}

function done(report: PresentationReport): PresentationReport {
  report.result = combine(report.checks, report.credentials);
  return report;
}
