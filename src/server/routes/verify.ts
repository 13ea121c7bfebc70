import type { FastifyInstance } from "fastify";
import { jwtOf } from "../../agent/verification.js";
import { verify, verifyPresentation } from "../../verify/index.js";
import type { CredentialReport, PresentationReport } from "../../verify/report.js";
import type { ServiceContext } from "../context.js";
import { badRequest, objectBody, optionalString } from "../http.js";

/**
 * POST /v1/verify: the library's verification report, unchanged. The request being well-formed, the answer is
 * 200 whatever the verdict: a chain that cannot be read gives `result: "unknown"` (fail closed), never an HTTP
 * error that a careless client might skip past.
 */
export function registerVerify(app: FastifyInstance, ctx: ServiceContext): void {
  app.post("/v1/verify", async (request) => {
    const body = objectBody(request.body, ["credential", "presentation", "challenge", "domain"]);
    const challenge = optionalString(body.challenge, "challenge");
    const domain = optionalString(body.domain, "domain");
    const hasCredential = body.credential !== undefined;
    const hasPresentation = body.presentation !== undefined;
    if (hasCredential === hasPresentation) {
      throw badRequest("invalid_body", 'Send exactly one of "credential" and "presentation".');
    }
    const input = hasCredential ? body.credential : body.presentation;
    if (typeof input !== "string" && (typeof input !== "object" || input === null || Array.isArray(input))) {
      throw badRequest(
        "invalid_parameter",
        `"${hasCredential ? "credential" : "presentation"}" must be a JWT string or a JSON object.`,
      );
    }
    if (hasCredential && (challenge !== undefined || domain !== undefined)) {
      throw badRequest("invalid_parameter", '"challenge" and "domain" apply to presentations only.');
    }
    const started = performance.now();
    let report: CredentialReport | PresentationReport;
    if (hasCredential) {
      report = await verify(ctx.verifier, jwtOf(input), ctx.verifyOptions());
    } else {
      report = await verifyPresentation(ctx.verifier, jwtOf(input), {
        ...ctx.verifyOptions(),
        ...(challenge !== undefined && { challenge }),
        ...(domain !== undefined && { domain }),
      });
    }
    ctx.metrics.record({
      kind: report.kind,
      result: report.result,
      latencyMs: performance.now() - started,
      atMs: Date.now(),
    });
    return report;
  });
}
