/**
 * The JSON Schemas of the issuer API: Fastify validates every request body against them (ajv), and the OpenAPI
 * document (GET /openapi.json) is built from the same objects, so the docs cannot drift from what is enforced.
 */

const str = (maxLength: number, extra: Record<string, unknown> = {}) => ({ type: "string", maxLength, ...extra });
const URN_UUID = "^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

export const alignmentSchema = {
  type: "object",
  required: ["targetName", "targetUrl"],
  additionalProperties: false,
  properties: {
    type: { type: "array", items: { const: "Alignment" } },
    targetName: str(512),
    targetUrl: str(2048),
    targetDescription: str(4096),
    targetFramework: str(512),
    targetCode: str(256),
    targetType: str(128),
  },
} as const;

export const achievementSchema = {
  type: "object",
  required: ["id", "achievementType", "name"],
  additionalProperties: false,
  properties: {
    id: str(2048, { minLength: 1 }),
    type: { type: "array", items: { const: "Achievement" } },
    achievementType: str(128, { minLength: 1 }),
    name: str(512, { minLength: 1 }),
    description: str(8192),
    criteria: {
      type: "object",
      additionalProperties: false,
      properties: { id: str(2048), type: str(64), narrative: str(16384) },
    },
    alignment: { type: "array", maxItems: 64, items: alignmentSchema },
    image: { oneOf: [str(2048), { type: "object", required: ["id"], properties: { id: str(2048), type: str(64) } }] },
    creditsAvailable: { type: "number", minimum: 0 },
  },
} as const;

/**
 * An Open Badges 3.0 credential to issue, as VC API clients send it: the learner and the achievement. What the
 * issuer adds (issuer profile, validFrom, status entries, anchor, signature) is not the client's to say; `issuer`, if
 * present, must be the token's issuer.
 */
export const credentialSchema = {
  type: "object",
  required: ["credentialSubject"],
  additionalProperties: false,
  properties: {
    "@context": { type: "array", maxItems: 16, items: str(2048) },
    id: str(64, { pattern: URN_UUID }),
    type: { type: "array", maxItems: 8, items: str(128) },
    issuer: { oneOf: [str(512), { type: "object", required: ["id"], properties: { id: str(512) } }] },
    name: str(512),
    validUntil: str(64, { format: "date-time" }),
    credentialSubject: {
      type: "object",
      required: ["id", "achievement"],
      additionalProperties: false,
      properties: {
        id: str(512, { pattern: "^did:" }),
        type: { type: "array", items: { const: "AchievementSubject" } },
        achievement: achievementSchema,
      },
    },
  },
} as const;

export const issueOptionsSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    /**
     * `signed` (default): answer once the credential is signed and in the ledger, its batch durable and its anchor on
     * its way; `anchored`: answer once the anchor transaction is confirmed, with its block.
     */
    wait: { enum: ["signed", "anchored"] },
  },
} as const;

export const MAX_BATCH_REQUEST = 1000;

export const issueBodySchema = {
  type: "object",
  required: ["credential"],
  additionalProperties: false,
  properties: { credential: credentialSchema, options: issueOptionsSchema },
} as const;

export const issueBatchBodySchema = {
  type: "object",
  required: ["credentials"],
  additionalProperties: false,
  properties: {
    credentials: { type: "array", minItems: 1, maxItems: MAX_BATCH_REQUEST, items: credentialSchema },
    options: issueOptionsSchema,
  },
} as const;

export const statusBodySchema = {
  type: "object",
  required: ["credentialId", "credentialStatus"],
  additionalProperties: false,
  properties: {
    credentialId: str(64, { pattern: URN_UUID }),
    credentialStatus: {
      type: "array",
      minItems: 1,
      maxItems: 1,
      items: {
        type: "object",
        required: ["type", "status"],
        additionalProperties: false,
        properties: {
          type: { enum: ["BitstringStatusListEntry", "BitstringStatusListCredential", "LERStatusRegistryEntry"] },
          status: { enum: ["revoked", "suspended", "active"] },
        },
      },
    },
  },
} as const;

export const envelopeSchema = {
  type: "object",
  required: ["@context", "id", "type"],
  properties: {
    "@context": { type: "array", items: { type: "string" } },
    id: { type: "string", description: "data:application/vc+jwt,<compact JWS>" },
    type: { const: "EnvelopedVerifiableCredential" },
  },
} as const;

export const anchorStateSchema = {
  type: "object",
  required: ["root", "state"],
  properties: {
    root: { type: "string" },
    state: { enum: ["pending", "anchored"] },
    txHash: { type: "string" },
    block: { type: "integer" },
    anchoredAt: { type: "string" },
  },
} as const;

export const issuedSchema = {
  type: "object",
  required: ["verifiableCredential", "credentialId", "anchor"],
  properties: {
    verifiableCredential: envelopeSchema,
    credentialId: { type: "string" },
    statusListIndex: { type: "object", properties: { list: { type: "string" }, index: { type: "integer" } } },
    anchor: anchorStateSchema,
  },
} as const;

export const errorSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" }, details: { type: "object" } },
    },
  },
} as const;
