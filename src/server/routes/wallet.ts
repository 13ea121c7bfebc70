import type { FastifyInstance } from "fastify";
import { verifyBatch } from "../../verify/index.js";
import type { VerificationResult } from "../../verify/report.js";
import {
  heldCredentialsFromText,
  matchJobProfile,
  parseJobProfile,
  readHeldCredentials,
  skillsReport,
  verifiableInputs,
  verificationByRef,
  type HeldCredentials,
} from "../../wallet/skills.js";
import type { ServiceContext } from "../context.js";
import { badRequest, objectBody } from "../http.js";

/** Credentials one wallet request may verify (a presentation carries at most 100 too). */
export const MAX_WALLET_CREDENTIALS = 100;

/**
 * The learner's view over HTTP: POST /v1/wallet/skills and /v1/wallet/match. Credentials are verified first (one
 * chain snapshot for all), unless `verify: false`; invalid ones prove nothing in the match.
 */
export function registerWallet(app: FastifyInstance, ctx: ServiceContext): void {
  const held = async (body: Record<string, unknown>) => {
    if (body.credentials === undefined)
      throw badRequest("missing_parameter", '"credentials" is required.', { parameter: "credentials" });
    if (body.verify !== undefined && typeof body.verify !== "boolean") {
      throw badRequest("invalid_parameter", '"verify" must be true or false.', { parameter: "verify" });
    }
    const input = typeof body.credentials === "string" ? heldCredentialsFromText(body.credentials) : body.credentials;
    const h: HeldCredentials = readHeldCredentials(input);
    if (h.held.length > MAX_WALLET_CREDENTIALS) {
      throw badRequest("too_many_credentials", `At most ${MAX_WALLET_CREDENTIALS} credentials per request.`);
    }
    let verification = new Map<string, VerificationResult>();
    if (body.verify !== false && h.held.length > 0) {
      verification = verificationByRef(h, await verifyBatch(ctx.verifier, verifiableInputs(h), ctx.verifyOptions()));
    }
    return { h, verification };
  };

  app.post("/v1/wallet/skills", async (request) => {
    const body = objectBody(request.body, ["credentials", "verify"]);
    const { h, verification } = await held(body);
    return skillsReport(h, { verification });
  });

  app.post("/v1/wallet/match", async (request) => {
    const body = objectBody(request.body, ["credentials", "profile", "verify"]);
    if (body.profile === undefined)
      throw badRequest("missing_parameter", '"profile" is required.', { parameter: "profile" });
    const profile = parseJobProfile(body.profile);
    const { h, verification } = await held(body);
    return matchJobProfile(h, profile, { verification });
  });
}
