/**
 * The LER plugin's schema, in Veramo's format: each method with its arguments and what it returns, so agents
 * served over HTTP (Veramo's remote server) can expose and validate them.
 */
const object = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: "object",
  properties,
  required,
});
const str = { type: "string" };
const num = { type: "number" };
const strings = { type: "array", items: str };
const role = { type: "string", enum: ["issuer", "accreditor", "both"] };
const writeResult = object({ txHash: str, block: num, gasUsed: num }, ["txHash", "block"]);
const check = object(
  {
    id: str,
    outcome: { type: "string", enum: ["pass", "fail", "unknown", "skipped"] },
    code: str,
    message: str,
    details: { type: "object" },
  },
  ["id", "outcome", "code", "message"],
);
const report = object(
  {
    kind: str,
    result: { type: "string", enum: ["valid", "invalid", "unknown"] },
    checks: { type: "array", items: check },
  },
  ["result", "checks"],
);
const identity = object({ did: str, address: str, alias: str, owner: str }, ["did", "address", "owner"]);
const change = object({ accreditor: str, subject: str, reason: num }, ["accreditor", "subject"]);
const accredit = object(
  {
    accreditor: str,
    subject: str,
    role,
    types: strings,
    validFrom: num,
    validUntil: num,
    metadataURI: str,
    metadataHash: str,
    consent: str,
    deadline: num,
  },
  ["accreditor", "subject", "role", "types"],
);
const update = object(
  {
    accreditor: str,
    subject: str,
    role,
    types: strings,
    validFrom: num,
    validUntil: num,
    metadataURI: str,
    metadataHash: str,
    reason: num,
  },
  ["accreditor", "subject"],
);
const terms = object({
  role,
  types: strings,
  validFrom: num,
  validUntil: { type: ["number", "null"] },
  metadataURI: str,
  metadataHash: str,
});
const consentTerms = object({
  accreditor: str,
  subject: str,
  role,
  types: strings,
  scope: str,
  validFrom: num,
  validUntil: num,
  metadataHash: str,
});
const scopeEntry = object({ id: num, name: str }, ["id"]);
const chainLink = object(
  {
    address: str,
    did: str,
    role: strings,
    status: str,
    validFrom: num,
    validUntil: { type: ["number", "null"] },
    scope: { type: "array", items: scopeEntry },
    isRoot: { type: "boolean" },
    since: { type: ["number", "null"] },
    statusNow: str,
    revokedFrom: num,
  },
  ["address", "did", "role", "status", "scope", "isRoot", "since"],
);
const version = object(
  {
    since: num,
    role: strings,
    status: str,
    reason: num,
    validFrom: num,
    validUntil: { type: ["number", "null"] },
    scope: { type: "array", items: scopeEntry },
  },
  ["since", "role", "status", "reason", "validFrom", "validUntil", "scope"],
);
const historyLink = object(
  { address: str, did: str, parent: { type: ["string", "null"] }, versions: { type: "array", items: version } },
  ["address", "did", "parent", "versions"],
);
const entries = { type: "array", items: object({ list: str, index: num }, ["list", "index"]) };
const intentKind = { type: "string", enum: ["revocation", "anchor"] };
const resumeResult = object(
  {
    resumed: {
      type: "array",
      items: object({ id: str, kind: intentKind, issuer: str, txHash: str, block: num }, [
        "id",
        "kind",
        "issuer",
        "txHash",
        "block",
      ]),
    },
    failed: {
      type: "array",
      items: object({ id: str, kind: intentKind, issuer: str, code: str, message: str }, [
        "id",
        "kind",
        "issuer",
        "code",
        "message",
      ]),
    },
  },
  ["resumed", "failed"],
);

function method(description: string, args: Record<string, unknown>, returnType: Record<string, unknown>) {
  return { description, arguments: args, returnType };
}

export const lerPluginSchema = {
  components: {
    schemas: {
      LerWriteResult: writeResult,
      LerCheck: check,
      LerReport: report,
      LerIdentity: identity,
      LerResumeResult: resumeResult,
    },
    methods: {
      lerCreateIdentity: method(
        "Creates a did:ethr identity with a new key in the encrypted store.",
        object({ alias: str }),
        identity,
      ),
      lerImportIdentity: method(
        "Imports a did:ethr identity from a private key.",
        object({ alias: str, privateKeyHex: str }, ["privateKeyHex"]),
        identity,
      ),
      lerListIdentities: method("Lists the identities this agent holds keys for.", object({}), {
        type: "array",
        items: identity,
      }),
      lerRotateOwner: method(
        "Moves the identity's ERC-1056 ownership to a new key.",
        object({ did: str }, ["did"]),
        identity,
      ),
      lerAddDelegate: method(
        "Adds a signing delegate (veriKey) to the identity.",
        object({ did: str, validitySeconds: num }, ["did"]),
        object({ delegate: str, tx: writeResult }),
      ),
      lerRegisterType: method(
        "Registers a credential type (governance).",
        object({ governor: str, name: str }, ["governor", "name"]),
        object({ typeId: num, tx: writeResult }),
      ),
      lerAddRoot: method(
        "Adds a root authority (governance).",
        object(
          {
            governor: str,
            root: str,
            types: strings,
            validFrom: num,
            validUntil: num,
            metadataURI: str,
            metadataHash: str,
          },
          ["governor", "root", "types"],
        ),
        writeResult,
      ),
      lerAccredit: method("Accredits a subject for a scope of credential types.", accredit, writeResult),
      lerSignAccreditationConsent: method(
        "The subject's consent to being accredited on these terms, signed by its owner key (nothing is sent).",
        object(
          {
            subject: str,
            accreditor: str,
            role,
            types: strings,
            validFrom: num,
            validUntil: num,
            metadataHash: str,
            deadline: num,
          },
          ["subject", "accreditor", "role", "types"],
        ),
        object({ consent: str, deadline: num, terms: consentTerms, chainId: num, verifyingContract: str }, [
          "consent",
          "deadline",
          "terms",
        ]),
      ),
      lerUpdateAccreditation: method(
        "Changes only the given fields of an accreditation (role, scope, validity, metadata); refuses a change of nothing.",
        update,
        object({ tx: writeResult, before: terms, after: terms, changes: { type: "object" } }, [
          "tx",
          "before",
          "after",
          "changes",
        ]),
      ),
      lerSuspendAccreditation: method("Suspends an accreditation (and so its subtree).", change, writeResult),
      lerReinstateAccreditation: method("Lifts a suspension.", change, writeResult),
      lerRevokeAccreditation: method(
        "Revokes an accreditation, effective from a time not in the future.",
        object({ accreditor: str, subject: str, reason: num, effectiveAt: num }, ["accreditor", "subject"]),
        writeResult,
      ),
      lerIssueCredentials: method(
        "Issues a batch of LER credentials and anchors its Merkle root.",
        object(
          {
            issuer: str,
            credentials: { type: "array" },
            issuerName: str,
            issuerUrl: str,
            anchor: { enum: [true, false, "recorded"] },
            statusListBaseUrl: str,
          },
          ["issuer", "credentials"],
        ),
        object({ credentials: { type: "array" }, root: str, anchor: writeResult, records: { type: "object" } }),
      ),
      lerAnchor: method(
        "Anchors an issuance Merkle root.",
        object({ issuer: str, root: str }, ["issuer", "root"]),
        writeResult,
      ),
      lerRevoke: method("Revokes status entries (terminal).", object({ issuer: str, entries }, ["issuer", "entries"]), {
        type: "array",
        items: writeResult,
      }),
      lerSuspend: method("Suspends status entries.", object({ issuer: str, entries }, ["issuer", "entries"]), {
        type: "array",
        items: writeResult,
      }),
      lerReinstate: method(
        "Lifts the suspension of status entries.",
        object({ issuer: str, entries }, ["issuer", "entries"]),
        { type: "array", items: writeResult },
      ),
      lerRevokeByHash: method(
        "Revokes credentials by hash (for credentials without a status entry): each given as a credential (JWT: revoked by its identity, its id or else its claims, whatever the signature), a credential id (jti) or a bytes32 hash.",
        object({ issuer: str, credentials: strings }, ["issuer", "credentials"]),
        writeResult,
      ),
      lerVerifyCredential: method(
        "Verifies a credential: signature, trust, status, validity.",
        object(
          {
            credential: {},
            now: num,
            clockSkewSeconds: num,
            trustedRoots: strings,
            checkStatusLists: { type: "boolean" },
          },
          ["credential"],
        ),
        report,
      ),
      lerVerifyCredentials: method(
        "Verifies a batch of credentials with one chain snapshot.",
        object(
          {
            credentials: { type: "array" },
            now: num,
            clockSkewSeconds: num,
            trustedRoots: strings,
            checkStatusLists: { type: "boolean" },
            threads: num,
          },
          ["credentials"],
        ),
        { type: "array", items: report },
      ),
      lerVerifyPresentation: method(
        "Verifies a presentation and every credential in it.",
        object(
          { presentation: {}, challenge: str, domain: str, now: num, clockSkewSeconds: num, trustedRoots: strings },
          ["presentation"],
        ),
        report,
      ),
      lerCreatePresentation: method(
        "Makes a presentation for a verifier's challenge and domain.",
        object({ holder: str, credentials: strings, challenge: str, domain: str }, [
          "holder",
          "credentials",
          "challenge",
          "domain",
        ]),
        object({ jwt: str }),
      ),
      lerTrustChain: method(
        "The accreditation chain of an identity up to its root as it stood at a time (default now), each link's version then.",
        object({ did: str, at: num }, ["did"]),
        { type: "array", items: chainLink },
      ),
      lerAccreditationHistory: method(
        "Every version of every link of an identity's accreditation chain.",
        object({ did: str }, ["did"]),
        { type: "array", items: historyLink },
      ),
      lerResumePending: method(
        "Sends again the anchors and revocations a crash left between their intent and their confirmation (of one issuer, or all); idempotent, run it at every start.",
        object({ issuer: str }),
        resumeResult,
      ),
      lerPublishStatusList: method(
        "The issuer's status lists read from the chain, each signed by the issuer as a Bitstring Status List credential (VC-JOSE JWT), to publish where its credentials say.",
        object({ issuer: str, lists: strings, statusListBaseUrl: str, validForSeconds: num, ttlMs: num }, ["issuer"]),
        object(
          {
            issuer: str,
            block: num,
            blockHash: str,
            blockTime: num,
            lists: {
              type: "array",
              items: object(
                { list: str, purpose: str, url: str, path: str, jwt: str, credential: { type: "object" }, set: num },
                ["list", "purpose", "url", "path", "jwt", "credential", "set"],
              ),
            },
          },
          ["issuer", "block", "lists"],
        ),
      ),
    },
  },
} as const;
