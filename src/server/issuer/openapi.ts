import {
  errorSchema,
  issueBatchBodySchema,
  issueBodySchema,
  issuedSchema,
  statusBodySchema,
  anchorStateSchema,
} from "./schemas.js";

/** The issuer API as an OpenAPI 3.1 document, built from the schemas the routes validate with. */
export function issuerOpenApi(): Record<string, unknown> {
  const json = (schema: unknown) => ({ content: { "application/json": { schema } } });
  const errors = (...codes: number[]) =>
    Object.fromEntries(codes.map((c) => [String(c), { description: ERROR_TEXT[c] ?? "Error", ...json(errorSchema) }]));
  const secured = [{ bearer: [] }];
  return {
    openapi: "3.1.0",
    info: {
      title: "LER issuer service",
      version: "1",
      description:
        "Issues Open Badges 3.0 credentials signed by a did:ethr issuer, anchored on chain in coalesced Merkle batches, " +
        "and changes their status in the StatusRegistry. Follows the W3C VC API where it fits. Tokens come from " +
        "`ler token create`; each acts for one issuer and the scopes it names (issue, status, read).",
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "ler_<id>_<secret>" } },
    },
    paths: {
      "/credentials/issue": {
        post: {
          summary: "Issue one credential",
          security: secured,
          requestBody: { required: true, ...json(issueBodySchema) },
          responses: {
            "201": { description: "Issued: signed, in the ledger, its batch durable.", ...json(issuedSchema) },
            ...errors(400, 401, 403, 429, 503),
          },
        },
      },
      "/credentials/issue/batch": {
        post: {
          summary: "Issue up to 1,000 credentials in one request",
          security: secured,
          requestBody: { required: true, ...json(issueBatchBodySchema) },
          responses: {
            "201": {
              description: "Issued, in the order sent.",
              ...json({ type: "object", properties: { items: { type: "array", items: issuedSchema } } }),
            },
            ...errors(400, 401, 403, 429, 503),
          },
        },
      },
      "/credentials/status": {
        post: {
          summary: "Revoke, suspend or reinstate a credential this issuer issued",
          security: secured,
          requestBody: { required: true, ...json(statusBodySchema) },
          responses: {
            "200": {
              description: "The status change is confirmed on chain.",
              ...json({
                type: "object",
                properties: {
                  credentialId: { type: "string" },
                  status: { type: "string" },
                  tx: { type: "object", properties: { txHash: { type: "string" }, block: { type: "integer" } } },
                },
              }),
            },
            ...errors(400, 401, 403, 404, 429, 503),
          },
        },
      },
      "/credentials/{id}": {
        get: {
          summary: "A credential this issuer issued, from its ledger",
          security: secured,
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": { description: "The credential and its anchor's state.", ...json(issuedSchema) },
            ...errors(401, 403, 404, 429),
          },
        },
      },
      "/batches/{root}": {
        get: {
          summary: "An issuance batch and its anchor",
          security: secured,
          parameters: [{ name: "root", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": { description: "The batch.", ...json(anchorStateSchema) },
            ...errors(400, 401, 403, 404, 429),
          },
        },
      },
    },
  };
}

const ERROR_TEXT: Record<number, string> = {
  400: "The request is malformed (code names what).",
  401: "No token, or a token that is unknown, expired or revoked.",
  403: "The token lacks the scope, or names another issuer.",
  404: "This issuer has no such credential or batch.",
  429: "Over the token's rate limit (Retry-After says when to try again).",
  503: "The chain or the database cannot be reached; nothing was issued.",
};
