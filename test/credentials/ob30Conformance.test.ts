import { expect } from "chai";
import { Ajv2019, type ErrorObject } from "ajv/dist/2019.js";
import addFormatsModule from "ajv-formats";
import { Contract, Wallet, concat, dataSlice, getAddress, keccak256 } from "ethers";
import { secp256k1 } from "@noble/curves/secp256k1";
import { sha256 } from "@noble/hashes/sha2";
import { didRegistryArtifact } from "../../src/chain/artifacts.js";
import { achievement } from "../../src/credentials/index.js";
import type { CredentialReport } from "../../src/verify/report.js";
import { roleWallet, signJwt } from "../adversarial/jws.js";
import { createAgentWorld, type AgentWorld } from "../helpers/world.js";

// Open Badges 3.0 conformance of the credentials the agent really issues, written from the specification's text
// (1EdTech/openbadges-specification, the VC Data Model 2.0 edition: ob_v3p0/microsites/spec/integrity.md, section
// "8. Proofs (Signatures)") and from 1EdTech's AchievementCredential JSON Schema (revision of 2024-07-30, Open Badges
// 3.0 on VC Data Model 2.0, $id https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential-jsonschema1.json).
// The rules are written out here; nothing is read from outside the repository. Section numbers are those of the
// published specification (https://www.imsglobal.org/spec/ob/v3p0/), with the heading's anchor:
//   §8.2.3   Create the JOSE Header (#joseheader)
//   §8.2.4.1 JWT Payload Format
//   §8.2.6   Verify a Credential (#jwt-verify)
//   §8.2.6.1 Verify a Credential VC-JWT Signature (#jwt-verify-credential)
// The data model rules are the schema's, named by its $defs (AchievementCredential, Profile, AchievementSubject,
// Achievement, Alignment, Criteria, Image, CredentialStatus).

// ---------------------------------------------------------------------------------------------------------------
// The data model: what 1EdTech's AchievementCredential schema (2024-07-30) requires, as a draft 2019-09 JSON Schema.
// Members the schema leaves open stay open (`additionalProperties` is true everywhere except Image, as there).
// ---------------------------------------------------------------------------------------------------------------

/** AchievementType (EnumExt): the vocabulary of the schema's Achievement.achievementType. */
const ACHIEVEMENT_TYPE_VOCABULARY = [
  "Achievement",
  "ApprenticeshipCertificate",
  "Assessment",
  "Assignment",
  "AssociateDegree",
  "Award",
  "Badge",
  "BachelorDegree",
  "Certificate",
  "CertificateOfCompletion",
  "Certification",
  "CommunityService",
  "Competency",
  "Course",
  "CoCurricular",
  "Degree",
  "Diploma",
  "DoctoralDegree",
  "Fieldwork",
  "GeneralEducationDevelopment",
  "JourneymanCertificate",
  "LearningProgram",
  "License",
  "Membership",
  "ProfessionalDoctorate",
  "QualityAssuranceCredential",
  "MasterCertificate",
  "MasterDegree",
  "MicroCredential",
  "ResearchDoctorate",
  "SecondarySchoolDiploma",
];

/** AlignmentTargetType (EnumExt): the vocabulary of the schema's Alignment.targetType. */
const ALIGNMENT_TARGET_TYPE_VOCABULARY = [
  "ceasn:Competency",
  "ceterms:Credential",
  "CFItem",
  "CFRubric",
  "CFRubricCriterion",
  "CFRubricCriterionLevel",
  "CTDL",
];

/** An extension term of an EnumExt vocabulary: the schema's pattern, as it is written there. */
const EXTENSION_TERM = "(ext:)[a-z|A-Z|0-9|.|-|_]+";

/** An array of type names of which one is `name` (the schema's `type` of Profile, AchievementSubject, Achievement, Alignment). */
const typeContaining = (...names: string[]) => ({
  type: "array",
  minItems: 1,
  contains: { enum: names },
  items: { type: "string" },
});

// The data model types these members URI (the schema's `$comment`: "Origin: URI"); the JSON Schema itself checks only
// `type: string`. `format: uri` (RFC 3986) is added here: urn:uuid, did:ethr and https identifiers all are URIs.
const URI = { type: "string", format: "uri" };
const DATE_TIME = { type: "string", format: "date-time" };

const CREDENTIAL_STATUS = {
  type: "object",
  required: ["id", "type"],
  properties: { id: URI, type: { type: "string" } },
};

const ACHIEVEMENT_CREDENTIAL_SCHEMA = {
  $schema: "https://json-schema.org/draft/2019-09/schema",
  $id: "urn:ler:test:ob30:achievementcredential",
  type: "object",
  // AchievementCredential: required @context, id, type, credentialSubject, issuer, validFrom.
  required: ["@context", "id", "type", "credentialSubject", "issuer", "validFrom"],
  properties: {
    "@context": {
      type: "array",
      minItems: 2,
      items: [
        { enum: ["https://www.w3.org/ns/credentials/v2"] },
        {
          type: "string",
          pattern: "^https:\\/\\/purl\\.imsglobal\\.org\\/spec\\/ob\\/v3p0\\/context(-3\\.\\d\\.\\d)*\\.json$",
        },
      ],
      additionalItems: { $ref: "#/$defs/Context" },
    },
    id: URI,
    // "One of the items MUST be the URI 'VerifiableCredential', and one of the items MUST be the URI
    // 'AchievementCredential' or the URI 'OpenBadgeCredential'."
    type: {
      allOf: [typeContaining("VerifiableCredential"), typeContaining("AchievementCredential", "OpenBadgeCredential")],
    },
    name: { type: "string" },
    description: { type: "string" },
    image: { $ref: "#/$defs/Image" },
    awardedDate: DATE_TIME,
    credentialSubject: { $ref: "#/$defs/AchievementSubject" },
    issuer: { $ref: "#/$defs/ProfileRef" },
    validFrom: DATE_TIME,
    validUntil: DATE_TIME,
    // The one deliberate deviation from the 1EdTech schema, which types `credentialStatus` as ONE CredentialStatus
    // object (required id and type). VC Data Model 2.0 §4.10 Status says its value "is a single object or a set of
    // one or more objects", and an LER may carry several: its on-chain LERStatusRegistryEntry plus one W3C
    // BitstringStatusListEntry per status purpose, for verifiers that know only the W3C status list. The schema's
    // rule is kept for each entry: an object with an `id` and a `type`.
    credentialStatus: {
      oneOf: [
        { $ref: "#/$defs/CredentialStatus" },
        { type: "array", minItems: 1, items: { $ref: "#/$defs/CredentialStatus" } },
      ],
    },
  },
  $defs: {
    Context: { oneOf: [{ type: "string" }, { type: "object" }] },
    // ProfileRef: a URI, or a Profile (required id, type containing Profile).
    ProfileRef: { oneOf: [URI, { $ref: "#/$defs/Profile" }] },
    Profile: {
      type: "object",
      required: ["id", "type"],
      properties: {
        id: URI,
        type: typeContaining("Profile"),
        name: { type: "string" },
        url: { type: "string" },
        email: { type: "string" },
        image: { $ref: "#/$defs/Image" },
      },
    },
    // AchievementSubject: required type (containing AchievementSubject) and achievement.
    AchievementSubject: {
      type: "object",
      required: ["type", "achievement"],
      properties: {
        id: URI,
        type: typeContaining("AchievementSubject"),
        achievement: { $ref: "#/$defs/Achievement" },
        activityEndDate: DATE_TIME,
        activityStartDate: DATE_TIME,
        creditsEarned: { type: "number" },
        image: { $ref: "#/$defs/Image" },
        licenseNumber: { type: "string" },
      },
    },
    // Achievement: required id, type (containing Achievement), criteria, description, name; achievementType from
    // the AchievementType vocabulary or an `ext:` extension.
    Achievement: {
      type: "object",
      required: ["id", "type", "criteria", "description", "name"],
      properties: {
        id: URI,
        type: typeContaining("Achievement"),
        alignment: { type: "array", items: { $ref: "#/$defs/Alignment" } },
        achievementType: {
          oneOf: [
            { type: "string", enum: ACHIEVEMENT_TYPE_VOCABULARY },
            { type: "string", pattern: EXTENSION_TERM },
          ],
        },
        creditsAvailable: { type: "number" },
        criteria: { $ref: "#/$defs/Criteria" },
        description: { type: "string" },
        image: { $ref: "#/$defs/Image" },
        name: { type: "string" },
      },
    },
    // Alignment: required type (containing Alignment), targetName, targetUrl; targetType from the
    // AlignmentTargetType vocabulary or an `ext:` extension.
    Alignment: {
      type: "object",
      required: ["type", "targetName", "targetUrl"],
      properties: {
        type: typeContaining("Alignment"),
        targetCode: { type: "string" },
        targetDescription: { type: "string" },
        targetName: { type: "string" },
        targetFramework: { type: "string" },
        targetType: {
          oneOf: [
            { type: "string", enum: ALIGNMENT_TARGET_TYPE_VOCABULARY },
            { type: "string", pattern: EXTENSION_TERM },
          ],
        },
        targetUrl: URI,
      },
    },
    Criteria: { type: "object", properties: { id: URI, narrative: { type: "string" } } },
    // Image: required id and type "Image"; nothing but id, type and caption (the schema closes Image).
    Image: {
      type: "object",
      required: ["id", "type"],
      properties: { id: URI, type: { type: "string", enum: ["Image"] }, caption: { type: "string" } },
      additionalProperties: false,
    },
    CredentialStatus: CREDENTIAL_STATUS,
  },
};

// strictTuples off: @context is an open tuple (two fixed items, then any contexts), as the schema means it.
const ajv = new Ajv2019({ strict: true, strictTuples: false, allErrors: true });
// ajv-formats is CommonJS: its plugin is the module itself, which also carries it as `default`.
addFormatsModule.default(ajv);
const validateAchievementCredential = ajv.compile(ACHIEVEMENT_CREDENTIAL_SCHEMA);

function schemaErrors(credential: unknown): string[] | undefined {
  if (validateAchievementCredential(credential)) return undefined;
  return (validateAchievementCredential.errors ?? []).map(
    (e: ErrorObject) => `${e.instancePath || "/"} ${e.message ?? e.keyword}`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The credentials: a Compact JWS taken apart by hand (RFC 7515 §7.1), without the project's decoder.
// ---------------------------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

interface Jws {
  jwt: string;
  header: Json;
  payload: Json;
  signingInput: string;
  signature: Uint8Array;
}

function jws(jwt: string): Jws {
  const parts = jwt.split(".");
  expect(parts, "a Compact JWS has three parts").to.have.length(3);
  for (const part of parts) expect(part).to.match(/^[A-Za-z0-9_-]+$/, "each part is base64url without padding");
  const [h, p, s] = parts as [string, string, string];
  const json = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Json;
  return { jwt, header: json(h), payload: json(p), signingInput: `${h}.${p}`, signature: Buffer.from(s, "base64url") };
}

const clone = <T>(value: T): T => structuredClone(value);
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
const ETHR_DID = /^did:ethr:(?:[A-Za-z0-9_.-]+:)?(0x[0-9a-fA-F]{40})$/;
const YEAR = 365 * 86_400;

const checksOf = (r: CredentialReport) => Object.fromEntries(r.checks.map((c) => [c.id, `${c.outcome}:${c.code}`]));
const failuresOf = (r: CredentialReport) =>
  r.checks.filter((c) => c.outcome !== "pass" && c.outcome !== "skipped").map((c) => `${c.id}:${c.code}`);

/** The uncompressed secp256k1 point (0x04 || x || y) of an EC JWK. */
function jwkPoint(jwk: Json): Uint8Array {
  const x = Buffer.from(String(jwk.x), "base64url");
  const y = Buffer.from(String(jwk.y), "base64url");
  return Uint8Array.from([4, ...x, ...y]);
}

// The achievements: a Degree with an aligned skill and an image, a Course whose criteria are a page, a License (issued
// with validUntil), a Certificate aligned to an extension target type.
const DEGREE = achievement({
  id: "https://university.example/programs/bsc-data-science",
  name: "BSc Data Science",
  description: "Bachelor of Science in Data Science.",
  criteria: { narrative: "Completed 180 ECTS, including a dissertation." },
  achievementType: "Degree",
  alignments: [
    {
      targetName: "Statistical analysis",
      targetUrl: "https://esco.example/skill/statistical-analysis",
      targetDescription: "Apply statistical methods to data.",
      targetFramework: "ESCO",
      targetCode: "S2.1.4",
      targetType: "ceasn:Competency",
    },
  ],
  image: "https://university.example/badges/bsc-data-science.png",
  creditsAvailable: 180,
});
const COURSE = achievement({
  id: "https://university.example/courses/db101",
  name: "Databases 101",
  description: "Relational databases and SQL.",
  criteria: { id: "https://university.example/courses/db101/criteria" },
  achievementType: "Course",
});
const LICENSE = achievement({
  id: "https://university.example/licenses/lab-safety",
  name: "Laboratory Safety License",
  description: "May work unsupervised in the chemistry laboratories.",
  criteria: {
    narrative: "Passed the laboratory safety examination.",
    id: "https://university.example/licenses/lab-safety/exam",
  },
  achievementType: "License",
});
const CERTIFICATE = achievement({
  id: "https://university.example/certificates/data-ethics",
  name: "Certificate in Data Ethics",
  description: "A six-week certificate programme.",
  criteria: { narrative: "Attended every seminar and passed the final essay." },
  achievementType: "Certificate",
  alignments: [
    {
      targetName: "Data ethics",
      targetUrl: "https://framework.example/items/data-ethics",
      targetType: "ext:LocalSkill",
    },
  ],
});

describe("Open Badges 3.0 conformance of the credentials the agent issues", function () {
  this.timeout(180_000);
  let w: AgentWorld;
  /** The university's key: imported into the agent, so that the test holds it too. */
  const universityKey = roleWallet("ob30-conformance/university");
  let university: string;
  let learner: string;
  let root: string;
  let validUntil: number;
  const issued: Record<"degree" | "course" | "license" | "certificate", Jws> = {} as never;
  let all: [string, Jws][];

  before(async () => {
    w = await createAgentWorld("in-process");
    const { agent } = w;
    root = (await agent.lerCreateIdentity({ alias: "root" })).did;
    university = (await agent.lerImportIdentity({ alias: "university", privateKeyHex: universityKey.privateKey })).did;
    learner = (await agent.lerCreateIdentity({ alias: "learner" })).did;
    const types = ["Degree", "Course", "License", "Certificate"];
    for (const name of types) await agent.lerRegisterType({ governor: w.governor, name });
    await agent.lerAddRoot({ governor: w.governor, root, types });
    await agent.lerAccredit({ accreditor: root, subject: university, role: "issuer", types });
    validUntil = (await w.now()) + 2 * YEAR;
    const batch = await agent.lerIssueCredentials({
      issuer: university,
      issuerName: "Example University",
      issuerUrl: "https://university.example",
      credentials: [
        { subject: learner, achievement: DEGREE },
        { subject: learner, achievement: COURSE },
        { subject: learner, achievement: LICENSE, validUntil },
      ],
    });
    const single = await agent.lerIssueCredentials({
      issuer: university,
      credentials: [{ subject: learner, achievement: CERTIFICATE }],
    });
    const [degree, course, license] = batch.credentials.map((c) => jws(c.jwt)) as [Jws, Jws, Jws];
    Object.assign(issued, { degree, course, license, certificate: jws(single.credentials[0]!.jwt) });
    all = Object.entries(issued);
  });
  after(async () => w?.close());

  const verify = async (jwt: string, now?: number, clockSkewSeconds?: number) =>
    w.agent.lerVerifyCredential({
      credential: jwt,
      now: now ?? (await w.now()),
      ...(clockSkewSeconds !== undefined && { clockSkewSeconds }),
    });

  it("the agent issued each credential as a valid one (the ground the other statements stand on)", async () => {
    for (const [name, c] of all) {
      const r = await verify(c.jwt);
      expect(r.result, `${name}: ${JSON.stringify(r.checks)}`).to.equal("valid");
    }
  });

  describe("JOSE header (§8.2.3 Create the JOSE Header)", () => {
    it('has only the JOSE headers alg, kid, jwk and typ: "Additional JOSE Headers are NOT allowed"', () => {
      for (const [name, { header }] of all) {
        expect(Object.keys(header), name).to.satisfy((keys: string[]) =>
          keys.every((k) => ["alg", "kid", "jwk", "typ"].includes(k)),
        );
      }
    });

    it("alg is present (Required) and names a signature algorithm: ES256K, ECDSA over secp256k1 (RFC 8812)", () => {
      for (const [name, { header, signature }] of all) {
        expect(header.alg, name).to.equal("ES256K");
        // ES256K is r || s, 32 bytes each (RFC 8812 §3.2, RFC 7518 §3.4): no recovery byte.
        expect(signature, name).to.have.length(64);
      }
    });

    it('typ, if present, is set to "JWT"', () => {
      for (const [name, { header }] of all) {
        if (Object.hasOwn(header, "typ")) expect(header.typ, name).to.equal("JWT");
      }
      // The agent sets it.
      expect(issued.degree.header).to.have.property("typ", "JWT");
    });

    it("has a kid or a jwk: without a kid the public key MUST be in jwk (and without a jwk, a kid MUST be there)", () => {
      for (const [name, { header }] of all) {
        expect(Object.hasOwn(header, "kid") || Object.hasOwn(header, "jwk"), name).to.equal(true);
        if (Object.hasOwn(header, "kid")) expect(header.kid, name).to.be.a("string").and.match(ABSOLUTE_URI);
      }
    });

    it('the jwk is a public key: "The JWK MUST never contain \\"d\\"" (an EC key with kty, crv, x, y only)', () => {
      for (const [name, { header }] of all) {
        const jwk = header.jwk as Json;
        expect(jwk, name).to.be.an("object");
        expect(jwk, name).not.to.have.property("d");
        expect(Object.keys(jwk).sort(), name).to.deep.equal(["crv", "kty", "x", "y"]);
        expect(jwk, name).to.include({ kty: "EC", crv: "secp256k1" });
        for (const c of ["x", "y"]) {
          expect(jwk[c], `${name} ${c}`).to.match(/^[A-Za-z0-9_-]{43}$/);
          expect(Buffer.from(String(jwk[c]), "base64url"), `${name} ${c}`).to.have.length(32);
        }
        // The point is on the curve.
        expect(() => secp256k1.ProjectivePoint.fromHex(jwkPoint(jwk)).assertValidity(), name).not.to.throw();
      }
    });

    it("the jwk is the key of the issuer's DID: keccak256(x || y) gives the address the DID names and the registry says owns it", async () => {
      const registry = new Contract(
        w.network.deployment.contracts.EthereumDIDRegistry.address,
        didRegistryArtifact().abi,
        w.network.provider,
      );
      for (const [name, { header, payload }] of all) {
        const jwk = header.jwk as Json;
        const keyAddress = getAddress(
          dataSlice(
            keccak256(concat([Buffer.from(String(jwk.x), "base64url"), Buffer.from(String(jwk.y), "base64url")])),
            12,
          ),
        );
        const issuerId = (payload.issuer as Json).id as string;
        const didAddress = getAddress(ETHR_DID.exec(issuerId)?.[1] ?? "0x");
        const owner = getAddress(await registry.getFunction("identityOwner")(didAddress));
        expect(keyAddress, name).to.equal(owner);
        expect(keyAddress, name).to.equal(didAddress);
        // And it is the key the test imported.
        expect(keyAddress, name).to.equal(universityKey.address);
      }
    });

    it("the jwk verifies the JWS signature (§8.2.6 step 4, RFC 7515 §5.2), and nothing else does", () => {
      const stranger = Wallet.createRandom();
      const strangerKey = secp256k1.getPublicKey(Buffer.from(stranger.privateKey.slice(2), "hex"), false);
      for (const [name, { header, signingInput, signature }] of all) {
        const key = jwkPoint(header.jwk as Json);
        const digest = sha256(Buffer.from(signingInput, "ascii"));
        expect(secp256k1.verify(signature, digest, key), name).to.equal(true);
        // The check can fail: another signing input, another key.
        expect(secp256k1.verify(signature, sha256(Buffer.from(`${signingInput}x`, "ascii")), key), name).to.equal(
          false,
        );
        expect(secp256k1.verify(signature, digest, strangerKey), name).to.equal(false);
      }
    });
  });

  describe("JWT payload (§8.2.4.1 JWT Payload Format)", () => {
    it("is the credential itself (VC Data Model 2.0): its @context, type and credentialSubject at the top, no vc claim", () => {
      for (const [name, { payload }] of all) {
        expect(payload, name).not.to.have.property("vc");
        expect((payload["@context"] as unknown[])[0], name).to.equal("https://www.w3.org/ns/credentials/v2");
        expect(payload, name).to.include.keys("type", "credentialSubject", "issuer", "validFrom");
      }
    });

    it("iss (Required, URI) is the issuer.id of the credential", () => {
      for (const [name, { payload }] of all) {
        expect(payload.iss, name).to.be.a("string").and.match(ABSOLUTE_URI);
        expect(payload.iss, name).to.equal((payload.issuer as Json).id);
        expect(payload.iss, name).to.equal(university);
      }
    });

    it("jti (Required, URI) is the id of the credential", () => {
      for (const [name, { payload }] of all) {
        expect(payload.jti, name).to.be.a("string").and.match(ABSOLUTE_URI);
        expect(payload.jti, name).to.equal(payload.id);
      }
      expect(new Set(all.map(([, c]) => c.payload.jti)).size, "every credential has its own id").to.equal(all.length);
    });

    it("nbf (Required, NumericDate) converted to a DateTime equals validFrom", () => {
      for (const [name, { payload }] of all) {
        expect(payload.nbf, name).to.be.a("number");
        expect(Number.isInteger(payload.nbf), `${name}: a NumericDate in whole seconds`).to.equal(true);
        expect(Date.parse(payload.validFrom as string), name).to.equal((payload.nbf as number) * 1000);
        expect(new Date((payload.nbf as number) * 1000).toISOString().replace(".000Z", "Z"), name).to.equal(
          payload.validFrom,
        );
      }
    });

    it("sub (Required, URI) is the credentialSubject.id of the credential", () => {
      for (const [name, { payload }] of all) {
        expect(payload.sub, name).to.be.a("string").and.match(ABSOLUTE_URI);
        expect(payload.sub, name).to.equal((payload.credentialSubject as Json).id);
        expect(payload.sub, name).to.equal(learner);
      }
    });

    it("exp (NumericDate) is there exactly when validUntil is, and converted to a DateTime equals it", () => {
      for (const [name, { payload }] of all) {
        expect(Object.hasOwn(payload, "exp"), name).to.equal(Object.hasOwn(payload, "validUntil"));
        if (payload.exp === undefined) continue;
        expect(Number.isInteger(payload.exp), name).to.equal(true);
        expect(Date.parse(payload.validUntil as string), name).to.equal((payload.exp as number) * 1000);
      }
      // The License was issued with validUntil, the others without.
      expect(issued.license.payload.exp).to.equal(validUntil);
      expect(issued.license.payload.validUntil).to.equal(
        new Date(validUntil * 1000).toISOString().replace(".000Z", "Z"),
      );
      for (const c of [issued.degree, issued.course, issued.certificate])
        expect(c.payload).not.to.have.any.keys("exp", "validUntil");
    });
  });

  describe("data model (1EdTech AchievementCredential JSON Schema, 2024-07-30)", () => {
    for (const name of ["degree", "course", "license", "certificate"] as const) {
      it(`the ${name} the agent issued is an AchievementCredential by the schema`, () => {
        expect(schemaErrors(issued[name].payload)).to.equal(undefined);
      });
    }

    it("the issued credentials exercise the schema's optional parts: Profile issuer, Alignment, Image, validUntil, credentialStatus", () => {
      const degree = issued.degree.payload;
      expect(degree.issuer).to.deep.include({
        id: university,
        type: ["Profile"],
        name: "Example University",
        url: "https://university.example",
      });
      const a = (degree.credentialSubject as Json).achievement as Json;
      expect(a.achievementType).to.equal("Degree");
      expect(a.alignment).to.deep.equal([
        {
          type: ["Alignment"],
          targetName: "Statistical analysis",
          targetUrl: "https://esco.example/skill/statistical-analysis",
          targetDescription: "Apply statistical methods to data.",
          targetFramework: "ESCO",
          targetCode: "S2.1.4",
          targetType: "ceasn:Competency",
        },
      ]);
      expect(a.image).to.deep.equal({ id: "https://university.example/badges/bsc-data-science.png", type: "Image" });
      expect(issued.license.payload).to.have.property("validUntil");
      for (const [name, { payload }] of all) expect(payload, name).to.have.property("credentialStatus");
    });

    // The schema can fail: an issued credential with one thing taken away or changed is refused, and a change the
    // schema allows is not.
    type Edit = (c: Json) => void;
    const subject = (c: Json) => c.credentialSubject as Json;
    const ach = (c: Json) => subject(c).achievement as Json;
    const alignment = (c: Json) => (ach(c).alignment as Json[])[0]!;
    const image = (c: Json) => ach(c).image as Json;
    const issuer = (c: Json) => c.issuer as Json;
    // credentialStatus as the agent issues it, one object or several: its entries, and the first of them.
    const statusEntries = (c: Json) => [c.credentialStatus].flat() as Json[];
    const firstStatus = (c: Json) => statusEntries(c)[0]!;
    const without =
      (at: (c: Json) => Json, member: string): Edit =>
      (c) =>
        void delete at(c)[member];
    const top = (c: Json) => c;

    const required: [string, Edit][] = [
      ...["@context", "id", "type", "credentialSubject", "issuer", "validFrom"].map((m): [string, Edit] => [
        m,
        without(top, m),
      ]),
      ...["id", "type"].map((m): [string, Edit] => [`issuer.${m}`, without(issuer, m)]),
      ...["type", "achievement"].map((m): [string, Edit] => [`credentialSubject.${m}`, without(subject, m)]),
      ...["id", "type", "criteria", "description", "name"].map((m): [string, Edit] => [
        `credentialSubject.achievement.${m}`,
        without(ach, m),
      ]),
      ...["type", "targetName", "targetUrl"].map((m): [string, Edit] => [
        `credentialSubject.achievement.alignment[0].${m}`,
        without(alignment, m),
      ]),
      ...["id", "type"].map((m): [string, Edit] => [`credentialSubject.achievement.image.${m}`, without(image, m)]),
      ...["id", "type"].map((m): [string, Edit] => [
        `credentialStatus (its first entry) .${m}`,
        without(firstStatus, m),
      ]),
    ];
    for (const [path, edit] of required) {
      it(`the schema refuses the issued degree without ${path} (required)`, () => {
        const c = clone(issued.degree.payload);
        expect(schemaErrors(c)).to.equal(undefined);
        edit(c);
        expect(schemaErrors(c)).to.be.an("array").that.is.not.empty;
      });
    }

    const BITSTRING_ENTRY = {
      id: "https://university.example/status/1#94567",
      type: "BitstringStatusListEntry",
      statusPurpose: "revocation",
      statusListIndex: "94567",
      statusListCredential: "https://university.example/status/1",
    };
    const changes: [string, Edit, boolean][] = [
      [
        "@context[0] the VC 1.1 context",
        (c) => void ((c["@context"] as string[])[0] = "https://www.w3.org/2018/credentials/v1"),
        false,
      ],
      [
        "@context[1] the CLR context instead of the OB one",
        (c) => void ((c["@context"] as string[])[1] = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"),
        false,
      ],
      [
        "@context[1] the OB 3.0 context without a version",
        (c) => void ((c["@context"] as string[])[1] = "https://purl.imsglobal.org/spec/ob/v3p0/context.json"),
        true,
      ],
      [
        "@context with the VC context alone",
        (c) => void (c["@context"] = ["https://www.w3.org/ns/credentials/v2"]),
        false,
      ],
      ["type without VerifiableCredential", (c) => void (c.type = ["OpenBadgeCredential"]), false],
      [
        "type without OpenBadgeCredential or AchievementCredential",
        (c) => void (c.type = ["VerifiableCredential", "ClrCredential"]),
        false,
      ],
      [
        "type AchievementCredential in place of OpenBadgeCredential",
        (c) => void (c.type = ["VerifiableCredential", "AchievementCredential"]),
        true,
      ],
      ["issuer a Profile whose type is Organization", (c) => void (issuer(c).type = ["Organization"]), false],
      ["issuer a URI instead of a Profile", (c) => void (c.issuer = issuer(c).id), true],
      ["credentialSubject.type without AchievementSubject", (c) => void (subject(c).type = ["ClrSubject"]), false],
      ["achievement.type without Achievement", (c) => void (ach(c).type = ["Badge"]), false],
      ["achievementType outside the vocabulary", (c) => void (ach(c).achievementType = "Bachelor"), false],
      ["achievementType an ext: extension", (c) => void (ach(c).achievementType = "ext:MicroMasters"), true],
      ["alignment.type without Alignment", (c) => void (alignment(c).type = ["Skill"]), false],
      ["alignment.targetType outside the vocabulary", (c) => void (alignment(c).targetType = "Skill"), false],
      ["alignment.targetType an ext: extension", (c) => void (alignment(c).targetType = "ext:EscoSkill"), true],
      ['image.type other than "Image"', (c) => void (image(c).type = "Picture"), false],
      ["image with a member the schema does not define", (c) => void (image(c).url = image(c).id), false],
      ["image with a caption", (c) => void (image(c).caption = "The degree's seal"), true],
      ["validFrom a date without a time", (c) => void (c.validFrom = "2024-06-01"), false],
      ["validFrom a date-time without a time zone", (c) => void (c.validFrom = "2024-06-01T12:00:00"), false],
      ["validFrom a date-time with an offset", (c) => void (c.validFrom = "2024-06-01T14:00:00+02:00"), true],
      ["validUntil not a date-time", (c) => void (c.validUntil = "in two years"), false],
      [
        "credentialStatus one object (its first entry), as the 1EdTech schema types it",
        (c) => void (c.credentialStatus = firstStatus(c)),
        true,
      ],
      [
        "credentialStatus an array: its entries and one more BitstringStatusListEntry",
        (c) => void (c.credentialStatus = [...statusEntries(c), BITSTRING_ENTRY]),
        true,
      ],
      [
        "credentialStatus an array with an entry without type",
        (c) => void (c.credentialStatus = [...statusEntries(c), { id: BITSTRING_ENTRY.id }]),
        false,
      ],
      [
        "credentialStatus an array with an entry without id",
        (c) => void (c.credentialStatus = [...statusEntries(c), { ...BITSTRING_ENTRY, id: undefined }]),
        false,
      ],
      ["credentialStatus an empty array", (c) => void (c.credentialStatus = []), false],
      ["credentialStatus a string", (c) => void (c.credentialStatus = firstStatus(c).id), false],
    ];
    for (const [what, edit, accepted] of changes) {
      it(`the schema ${accepted ? "accepts" : "refuses"} the issued degree with ${what}`, () => {
        const c = clone(issued.degree.payload);
        edit(c);
        // JSON, as a credential travels: a member set to undefined is no member.
        const errors = schemaErrors(JSON.parse(JSON.stringify(c)));
        if (accepted) expect(errors).to.equal(undefined);
        else expect(errors).to.be.an("array").that.is.not.empty;
      });
    }
  });

  // §8.2.6.1: "If they do not match, the credential is not valid." Each case is a credential the agent issued, its
  // payload changed in one claim and signed again with the issuer's own key under the same header, so that the
  // signature, the issuer and its accreditation all hold and only the statement is broken. The anchor proof (over the
  // payload) is left out of these re-signed tokens, so that a changed claim is not also an anchor failure; a control
  // shows the re-signed, unchanged credential is valid.
  describe("verifier: the claims must match the credential (§8.2.6.1 Verify a Credential VC-JWT Signature)", () => {
    const resign = (c: Jws, edit: (p: Json) => void = () => {}) => {
      const payload = clone(c.payload);
      delete payload.issuanceAnchor;
      edit(payload);
      return signJwt(payload, universityKey, { header: c.header });
    };

    it("control: the issued credential re-signed by the issuer, unchanged, is valid", async () => {
      for (const c of [issued.degree, issued.license]) {
        const r = await verify(resign(c));
        expect(r.result, JSON.stringify(r.checks)).to.equal("valid");
        expect(checksOf(r)).to.include({ signature: "pass:signature_valid", anchor: "skipped:not_anchored" });
      }
    });

    it("jti not the credential's id: not valid (claim_mismatch)", async () => {
      const r = await verify(
        resign(issued.degree, (p) => void (p.jti = "urn:uuid:00000000-0000-4000-8000-00000000beef")),
      );
      expect(r.result).to.equal("invalid");
      expect(failuresOf(r)).to.deep.equal(["schema:claim_mismatch"]);
    });

    it("nbf one second before validFrom: not valid (claim_mismatch)", async () => {
      const r = await verify(resign(issued.degree, (p) => void (p.nbf = (p.nbf as number) - 1)));
      expect(r.result).to.equal("invalid");
      expect(failuresOf(r)).to.deep.equal(["schema:claim_mismatch"]);
    });

    it("sub naming another subject than credentialSubject.id: not valid (subject_mismatch)", async () => {
      const r = await verify(resign(issued.degree, (p) => void (p.sub = root)));
      expect(r.result).to.equal("invalid");
      expect(failuresOf(r)).to.deep.equal(["schema:subject_mismatch"]);
    });

    it("exp one second after validUntil: not valid (claim_mismatch)", async () => {
      const r = await verify(resign(issued.license, (p) => void (p.exp = (p.exp as number) + 1)));
      expect(r.result).to.equal("invalid");
      expect(failuresOf(r)).to.deep.equal(["schema:claim_mismatch"]);
    });

    it("iss naming another issuer than issuer.id: not valid (iss_mismatch)", async () => {
      const r = await verify(resign(issued.degree, (p) => void (p.iss = root)));
      expect(r.result).to.equal("invalid");
      expect(checksOf(r)).to.have.property("issuer", "fail:iss_mismatch");
    });

    // "If ... the validFrom has not yet occurred, the credential is not valid"; "If the credential has expired, the
    // credential is not valid." Judged with no clock skew allowed, one second either side of the bound.
    it("before validFrom the credential is not valid; after validUntil it has expired and is not valid", async () => {
      const nbf = issued.degree.payload.nbf as number;
      const early = await verify(issued.degree.jwt, nbf - 1, 0);
      expect(early.result).to.equal("invalid");
      expect(checksOf(early)).to.have.property("validity", "fail:not_yet_valid");
      expect(checksOf(await verify(issued.degree.jwt, nbf, 0))).to.have.property("validity", "pass:within_validity");
      const late = await verify(issued.license.jwt, validUntil + 1, 0);
      expect(late.result).to.equal("invalid");
      expect(checksOf(late)).to.have.property("validity", "fail:expired");
      // The degree, without validUntil, does not expire.
      expect(checksOf(await verify(issued.degree.jwt, validUntil + 1, 0))).to.have.property(
        "validity",
        "pass:within_validity",
      );
    });
  });
});
