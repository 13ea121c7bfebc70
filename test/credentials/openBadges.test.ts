import { asVc11 } from "../helpers/vc11.js";
import { expect } from "chai";
import {
  ACHIEVEMENT_TYPES,
  type Achievement,
  type IssuanceAnchorProof,
  type OpenBadgeCredential,
  achievement,
  achievementsOf,
  clrCredential,
  credentialTypesOf,
  openBadgeCredential,
  skillsOf,
  statusEntry,
  validateLerCredential,
} from "../../src/credentials/index.js";
import { thrown } from "./helpers.js";

const REGISTRY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const ISSUER_ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const ISSUER_DID = `did:ethr:hardhat:${ISSUER_ADDRESS}`;
const HOLDER_DID = "did:ethr:hardhat:0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const ISSUED_AT = new Date("2024-06-01T12:00:00.789Z");
const VALID_UNTIL = new Date("2029-06-01T12:00:00Z");
const ID = "urn:uuid:6f1b3c1e-0a54-4c4e-9d7a-1f1c2f0c7a10";
const STATUS = statusEntry({ chainId: 31337, registry: REGISTRY, issuer: ISSUER_ADDRESS, list: 0, index: 7 });
const ANCHOR: IssuanceAnchorProof = {
  type: "LERMerkleIssuanceAnchor",
  chainId: 31337,
  registry: REGISTRY,
  root: `0x${"ab".repeat(32)}`,
  proof: [`0x${"cd".repeat(32)}`],
};

const PYTHON = {
  targetName: "Python programming",
  targetUrl: "https://esco.example/skill/python",
  targetFramework: "ESCO",
  targetCode: "S1.2.3",
  targetType: "ceasn:Competency",
} as const;
const SQL = { targetName: "SQL", targetUrl: "https://esco.example/skill/sql" } as const;

const DEGREE: Achievement = {
  id: "https://uni.example/achievements/bsc-cs",
  type: ["Achievement"],
  achievementType: "BachelorDegree",
  name: "BSc Computer Science",
  description: "Three-year honours degree in computer science.",
  criteria: { narrative: "Pass 180 ECTS, including a final project." },
  alignment: [{ type: ["Alignment"], ...PYTHON }],
  image: { id: "https://uni.example/badges/bsc-cs.png", type: "Image" },
  creditsAvailable: 180,
};

const COURSE: Achievement = {
  id: "https://uni.example/achievements/db101",
  type: ["Achievement"],
  achievementType: "Course",
  name: "Databases 101",
  description: "Relational databases.",
  criteria: { id: "https://uni.example/courses/db101" },
  alignment: [{ type: ["Alignment"], ...SQL }],
};

const SKILL: Achievement = {
  id: "https://uni.example/achievements/teamwork",
  type: ["Achievement"],
  achievementType: "ext:SoftSkill",
  name: "Teamwork",
  description: "Worked in a team of five for a term.",
  criteria: { narrative: "Peer review." },
};

function degreeBadge(): OpenBadgeCredential {
  return openBadgeCredential({
    id: ID,
    issuer: { id: ISSUER_DID, name: "Example University", url: "https://uni.example" },
    subject: { id: HOLDER_DID, creditsEarned: 180 },
    achievement: DEGREE,
    issuedAt: ISSUED_AT,
    validUntil: VALID_UNTIL,
    status: STATUS,
    issuanceAnchor: ANCHOR,
  });
}

// A deep copy of `value` changed by `change`, for one mutation per case.
function mutate<T>(value: T, change: (copy: any) => void): T {
  const copy = structuredClone(value);
  change(copy);
  return copy;
}

describe("Open Badges 3.0 and CLR credentials", () => {
  describe("achievement", () => {
    it("builds an Open Badges Achievement, alignments typed Alignment and the image an Image", () => {
      const built = achievement({
        id: DEGREE.id,
        name: DEGREE.name,
        description: DEGREE.description,
        criteria: { narrative: "Pass 180 ECTS, including a final project." },
        achievementType: "BachelorDegree",
        alignments: [PYTHON],
        image: "https://uni.example/badges/bsc-cs.png",
        creditsAvailable: 180,
      });
      expect(built).to.deep.equal(DEGREE);
    });

    it("leaves optional members out rather than writing them as undefined", () => {
      const built = achievement({
        id: COURSE.id,
        name: COURSE.name,
        description: COURSE.description,
        criteria: { id: "https://uni.example/courses/db101" },
        achievementType: "Course",
        alignments: [SQL],
      });
      expect(built).to.deep.equal(COURSE);
      expect(Object.keys(built.alignment![0]!)).to.deep.equal(["type", "targetName", "targetUrl"]);
    });

    it("accepts every term of the vocabulary and ext: extensions", () => {
      expect(ACHIEVEMENT_TYPES).to.include.members([
        "Degree",
        "Certificate",
        "Course",
        "Competency",
        "License",
        "Badge",
      ]);
      for (const type of [...ACHIEVEMENT_TYPES, "ext:SoftSkill", "ext:eu.esco-2"] as const) {
        const input = { id: SKILL.id, name: SKILL.name, description: SKILL.description, criteria: { narrative: "x" } };
        expect(achievement({ ...input, achievementType: type }).achievementType).to.equal(type);
      }
    });

    const base = {
      id: SKILL.id,
      name: SKILL.name,
      description: SKILL.description,
      criteria: SKILL.criteria as { narrative: string },
      achievementType: "Badge",
    };
    const cases: [string, Record<string, unknown>, string, string][] = [
      ["no id", { id: undefined }, "missing_field", "achievement.id"],
      ["an id that is not a URI", { id: "teamwork" }, "invalid_field", "achievement.id"],
      ["no name", { name: undefined }, "missing_field", "achievement.name"],
      ["a blank name", { name: "  " }, "invalid_field", "achievement.name"],
      ["no description", { description: undefined }, "missing_field", "achievement.description"],
      ["no criteria", { criteria: undefined }, "missing_field", "achievement.criteria"],
      ["empty criteria", { criteria: {} }, "missing_field", "achievement.criteria"],
      ["criteria that are a string", { criteria: "pass" }, "invalid_field", "achievement.criteria"],
      ["a criteria id that is not a URI", { criteria: { id: "page" } }, "invalid_field", "achievement.criteria.id"],
      ["no achievementType", { achievementType: undefined }, "missing_field", "achievement.achievementType"],
      ["a misspelt achievementType", { achievementType: "Degreee" }, "invalid_field", "achievement.achievementType"],
      ["an empty extension", { achievementType: "ext:" }, "invalid_field", "achievement.achievementType"],
      ["alignments that are not an array", { alignments: PYTHON }, "invalid_field", "achievement.alignments"],
      ["an alignment that is not an object", { alignments: ["python"] }, "invalid_field", "achievement.alignments[0]"],
      [
        "an alignment without a URL",
        { alignments: [{ targetName: "x" }] },
        "missing_field",
        "achievement.alignment[0].targetUrl",
      ],
      [
        "an alignment without a name",
        { alignments: [{ targetUrl: "https://x.example" }] },
        "missing_field",
        "achievement.alignment[0].targetName",
      ],
      [
        "an unknown targetType",
        { alignments: [{ ...SQL, targetType: "Skill" }] },
        "invalid_field",
        "achievement.alignment[0].targetType",
      ],
      ["an image that is not a URI", { image: "badge.png" }, "invalid_field", "achievement.image.id"],
      ["negative credits", { creditsAvailable: -1 }, "invalid_field", "achievement.creditsAvailable"],
      ["credits that are not a number", { creditsAvailable: "180" }, "invalid_field", "achievement.creditsAvailable"],
    ];
    for (const [name, change, code, path] of cases) {
      it(`refuses ${name}`, () => {
        const e = thrown(() => achievement({ ...base, ...change } as never));
        expect([e.code, e.details]).to.deep.equal([code, { path }]);
      });
    }
  });

  describe("openBadgeCredential", () => {
    it("builds the whole credential, validFrom in whole seconds", () => {
      expect(degreeBadge()).to.deep.equal({
        "@context": [
          "https://www.w3.org/ns/credentials/v2",
          "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
          "https://w3id.org/ler/v1",
        ],
        type: ["VerifiableCredential", "OpenBadgeCredential"],
        id: ID,
        name: "BSc Computer Science",
        issuer: { id: ISSUER_DID, type: ["Profile"], name: "Example University", url: "https://uni.example" },
        validFrom: "2024-06-01T12:00:00Z",
        validUntil: "2029-06-01T12:00:00Z",
        credentialSubject: { id: HOLDER_DID, type: ["AchievementSubject"], achievement: DEGREE, creditsEarned: 180 },
        credentialStatus: STATUS,
        issuanceAnchor: ANCHOR,
      });
    });

    it("without the optional parts, has no members for them; the name can be set", () => {
      const badge = openBadgeCredential({
        id: ID,
        issuer: { id: ISSUER_DID, name: "Example University", email: "registry@uni.example" },
        subject: { id: HOLDER_DID },
        achievement: SKILL,
        issuedAt: new Date("2024-06-01T12:00:00Z"),
        name: "Teamwork badge",
      });
      expect(badge).to.deep.equal({
        "@context": [
          "https://www.w3.org/ns/credentials/v2",
          "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
          "https://w3id.org/ler/v1",
        ],
        type: ["VerifiableCredential", "OpenBadgeCredential"],
        id: ID,
        name: "Teamwork badge",
        issuer: { id: ISSUER_DID, type: ["Profile"], name: "Example University", email: "registry@uni.example" },
        validFrom: "2024-06-01T12:00:00Z",
        credentialSubject: { id: HOLDER_DID, type: ["AchievementSubject"], achievement: SKILL },
      });
    });

    it("copies the achievement: members the type does not know stay out, and the caller's object is not shared", () => {
      const extended = { ...SKILL, fieldOfStudy: "Soft skills" } as Achievement;
      const badge = openBadgeCredential({
        id: ID,
        issuer: { id: ISSUER_DID, name: "U" },
        subject: { id: HOLDER_DID },
        achievement: extended,
        issuedAt: ISSUED_AT,
      });
      expect(badge.credentialSubject.achievement).to.deep.equal(SKILL);
      expect(badge.credentialSubject.achievement).to.not.equal(extended);
    });

    const base = {
      id: ID,
      issuer: { id: ISSUER_DID, name: "Example University" },
      subject: { id: HOLDER_DID },
      achievement: DEGREE,
      issuedAt: ISSUED_AT,
    };
    const otherIssuerStatus = statusEntry({ chainId: 31337, registry: REGISTRY, issuer: REGISTRY, list: 0, index: 7 });
    const cases: [string, Record<string, unknown>, string, string][] = [
      ["an id that is not a urn:uuid", { id: "https://uni.example/c/1" }, "invalid_field", "id"],
      ["an uppercase UUID", { id: ID.toUpperCase().replace("URN:UUID", "urn:uuid") }, "invalid_field", "id"],
      ["no issuer", { issuer: undefined }, "missing_field", "issuer"],
      ["an issuer that is a string", { issuer: ISSUER_DID }, "invalid_field", "issuer"],
      ["an issuer without a name", { issuer: { id: ISSUER_DID } }, "missing_field", "issuer.name"],
      ["an issuer id that is not a DID", { issuer: { id: ISSUER_ADDRESS, name: "U" } }, "invalid_field", "issuer.id"],
      [
        "an issuer URL that is not http(s)",
        { issuer: { id: ISSUER_DID, name: "U", url: "ftp://uni" } },
        "invalid_field",
        "issuer.url",
      ],
      [
        "a malformed email",
        { issuer: { id: ISSUER_DID, name: "U", email: "registry" } },
        "invalid_field",
        "issuer.email",
      ],
      ["no subject id", { subject: {} }, "missing_field", "credentialSubject.id"],
      ["a subject id that is not a DID", { subject: { id: "mailto:a@b.c" } }, "invalid_field", "credentialSubject.id"],
      [
        "negative credits earned",
        { subject: { id: HOLDER_DID, creditsEarned: -5 } },
        "invalid_field",
        "credentialSubject.creditsEarned",
      ],
      ["no achievement", { achievement: undefined }, "missing_field", "credentialSubject.achievement"],
      [
        "a malformed achievement",
        { achievement: { ...DEGREE, criteria: {} } },
        "missing_field",
        "credentialSubject.achievement.criteria",
      ],
      ["no issuance time", { issuedAt: undefined }, "missing_field", "issuedAt"],
      ["an invalid Date", { issuedAt: new Date("nonsense") }, "invalid_field", "issuedAt"],
      ["a time as a string", { issuedAt: "2024-06-01T12:00:00Z" }, "invalid_field", "issuedAt"],
      ["a year past 9999", { issuedAt: new Date(Date.UTC(10_000, 0, 1)) }, "invalid_field", "issuedAt"],
      ["an expiry before issuance", { validUntil: new Date("2024-06-01T11:59:59Z") }, "invalid_field", "validUntil"],
      [
        "an expiry within the same second",
        { validUntil: new Date("2024-06-01T12:00:00.999Z") },
        "invalid_field",
        "validUntil",
      ],
      [
        "a status entry of another type",
        { status: { type: "StatusList2021Entry" } },
        "invalid_field",
        "credentialStatus",
      ],
      [
        "a malformed BitstringStatusListEntry",
        { status: { type: "BitstringStatusListEntry" } },
        "invalid_field",
        "credentialStatus.statusPurpose",
      ],
      [
        "a malformed status entry",
        { status: { ...STATUS, statusList: "01" } },
        "invalid_field",
        "credentialStatus.statusList",
      ],
      ["another issuer's status list", { status: otherIssuerStatus }, "invalid_field", "credentialStatus.id"],
      [
        "a malformed anchor",
        { issuanceAnchor: { ...ANCHOR, proof: ["0x"] } },
        "invalid_field",
        "issuanceAnchor.proof[0]",
      ],
    ];
    for (const [name, change, code, path] of cases) {
      it(`refuses ${name}`, () => {
        const e = thrown(() => openBadgeCredential({ ...base, ...change } as never));
        expect([e.code, e.details?.path]).to.deep.equal([code, path]);
      });
    }
  });

  describe("clrCredential", () => {
    it("bundles several achievements under one issuer and one signature", () => {
      const clr = clrCredential({
        id: ID,
        issuer: { id: ISSUER_DID, name: "Example University" },
        subject: { id: HOLDER_DID },
        achievements: [DEGREE, COURSE, SKILL],
        issuedAt: ISSUED_AT,
        name: "Transcript of records",
        description: "All achievements 2021-2024.",
        status: STATUS,
      });
      expect(clr).to.deep.equal({
        "@context": [
          "https://www.w3.org/ns/credentials/v2",
          "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
          "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
          "https://w3id.org/ler/v1",
        ],
        type: ["VerifiableCredential", "ClrCredential"],
        id: ID,
        name: "Transcript of records",
        description: "All achievements 2021-2024.",
        issuer: { id: ISSUER_DID, type: ["Profile"], name: "Example University" },
        validFrom: "2024-06-01T12:00:00Z",
        credentialSubject: { id: HOLDER_DID, type: ["ClrSubject"], achievement: [DEGREE, COURSE, SKILL] },
        credentialStatus: STATUS,
      });
    });

    it("is named Comprehensive Learner Record unless told otherwise", () => {
      const clr = clrCredential({
        id: ID,
        issuer: { id: ISSUER_DID, name: "U" },
        subject: { id: HOLDER_DID },
        achievements: [COURSE],
        issuedAt: ISSUED_AT,
      });
      expect(clr.name).to.equal("Comprehensive Learner Record");
    });

    const base = {
      id: ID,
      issuer: { id: ISSUER_DID, name: "U" },
      subject: { id: HOLDER_DID },
      achievements: [COURSE],
      issuedAt: ISSUED_AT,
    };
    const cases: [string, Record<string, unknown>, string, string][] = [
      ["no achievements", { achievements: [] }, "invalid_field", "credentialSubject.achievement"],
      [
        "achievements that are not an array",
        { achievements: COURSE },
        "invalid_field",
        "credentialSubject.achievement",
      ],
      [
        "the same achievement twice",
        { achievements: [COURSE, SKILL, COURSE] },
        "invalid_field",
        "credentialSubject.achievement[2].id",
      ],
      [
        "a malformed achievement",
        { achievements: [COURSE, { ...SKILL, achievementType: "Skill" }] },
        "invalid_field",
        "credentialSubject.achievement[1].achievementType",
      ],
      ["a blank name", { name: "" }, "invalid_field", "name"],
    ];
    for (const [name, change, code, path] of cases) {
      it(`refuses ${name}`, () => {
        const e = thrown(() => clrCredential({ ...base, ...change } as never));
        expect([e.code, e.details?.path]).to.deep.equal([code, path]);
      });
    }
  });

  describe("credentialTypesOf", () => {
    const clr = () =>
      clrCredential({
        id: ID,
        issuer: { id: ISSUER_DID, name: "U" },
        subject: { id: HOLDER_DID },
        achievements: [COURSE, SKILL, { ...COURSE, id: "https://uni.example/achievements/db102" }],
        issuedAt: ISSUED_AT,
      });

    it("an Open Badge: its achievementType", () => {
      expect(credentialTypesOf(degreeBadge())).to.deep.equal(["BachelorDegree"]);
    });

    it("a CLR: every achievementType, in order, once each", () => {
      expect(credentialTypesOf(clr())).to.deep.equal(["Course", "ext:SoftSkill"]);
    });

    it("any other VC: its types but VerifiableCredential", () => {
      const vc = {
        type: ["VerifiableCredential", "EmploymentCredential", "EmploymentCredential"],
        credentialSubject: { id: HOLDER_DID },
      };
      expect(credentialTypesOf(vc)).to.deep.equal(["EmploymentCredential"]);
      expect(credentialTypesOf({ type: "ProofOfWork", credentialSubject: [{}, {}] })).to.deep.equal(["ProofOfWork"]);
    });

    it("an achievement without achievementType adds the VC types, so it cannot slip through unchecked", () => {
      const untyped = mutate(clr(), (c) => delete c.credentialSubject.achievement[1].achievementType);
      expect(credentialTypesOf(untyped)).to.deep.equal(["Course", "ClrCredential"]);
      const byReference = mutate(degreeBadge(), (c) => (c.credentialSubject.achievement = "https://uni.example/a/1"));
      expect(credentialTypesOf(byReference)).to.deep.equal(["OpenBadgeCredential"]);
    });

    it("refuses a credential with nothing to check, rather than answer an empty list", () => {
      for (const vc of [
        { type: ["VerifiableCredential"] },
        {},
        { type: [""], credentialSubject: { achievement: [] } },
      ]) {
        const e = thrown(() => credentialTypesOf(vc));
        expect([e.code, e.details?.path]).to.deep.equal(["invalid_field", "type"]);
      }
    });
  });

  describe("achievementsOf and skillsOf", () => {
    const clr = clrCredential({
      id: ID,
      issuer: { id: ISSUER_DID, name: "U" },
      subject: { id: HOLDER_DID },
      achievements: [DEGREE, COURSE, SKILL],
      issuedAt: ISSUED_AT,
    });

    it("lists the achievements of an Open Badge, of a CLR, and none of another VC", () => {
      expect(achievementsOf(degreeBadge())).to.deep.equal([DEGREE]);
      expect(achievementsOf(clr)).to.deep.equal([DEGREE, COURSE, SKILL]);
      expect(achievementsOf({ type: ["VerifiableCredential"], credentialSubject: { id: HOLDER_DID } })).to.deep.equal(
        [],
      );
    });

    it("returns copies: changing them leaves the credential as it was", () => {
      const [first] = achievementsOf(clr);
      first!.name = "changed";
      first!.alignment![0]!.targetName = "changed";
      expect(clr.credentialSubject.achievement[0]).to.deep.equal(DEGREE);
    });

    it("refuses a malformed achievement, naming where it is", () => {
      const bad = mutate(clr, (c) => delete c.credentialSubject.achievement[1].name);
      const e = thrown(() => achievementsOf(bad));
      expect([e.code, e.details?.path]).to.deep.equal(["missing_field", "credentialSubject.achievement[1].name"]);
      const many = { credentialSubject: [{ achievement: COURSE }, { achievement: { ...COURSE, id: 3 } }] };
      expect(thrown(() => achievementsOf(many)).details?.path).to.equal("credentialSubject[1].achievement.id");
    });

    it("flattens the alignments into skills, each with the achievement it came from", () => {
      expect(skillsOf(clr)).to.deep.equal([
        { ...PYTHON, achievement: { id: DEGREE.id, name: DEGREE.name, achievementType: "BachelorDegree" } },
        { ...SQL, achievement: { id: COURSE.id, name: COURSE.name, achievementType: "Course" } },
      ]);
      expect(skillsOf({ type: ["VerifiableCredential", "X"] })).to.deep.equal([]);
    });
  });

  describe("validateLerCredential", () => {
    it("accepts what the builders make", () => {
      const clr = clrCredential({
        id: ID,
        issuer: { id: ISSUER_DID, name: "U" },
        subject: { id: HOLDER_DID },
        achievements: [COURSE],
        issuedAt: ISSUED_AT,
      });
      expect([validateLerCredential(degreeBadge()), validateLerCredential(clr)]).to.deep.equal([
        { ok: true },
        { ok: true },
      ]);
    });

    it("accepts the VC 1.1 form did-jwt-vc gives back: string issuer, milliseconds, AchievementCredential, extra members", () => {
      const normalized = mutate(asVc11(degreeBadge()), (c) => {
        c.issuer = ISSUER_DID;
        c.issuanceDate = "2024-06-01T12:00:00.000Z";
        c.expirationDate = "2029-06-01T14:00:00+02:00";
        c.type = ["VerifiableCredential", "AchievementCredential"];
        c.proof = { type: "JwtProof2020", jwt: "e30.e30.sig" };
        c.credentialStatus = [c.credentialStatus];
      });
      expect(validateLerCredential(normalized)).to.deep.equal({ ok: true });
    });

    it("accepts a credential whose status is of another type: checking it is the verifier's job", () => {
      const other = mutate(
        degreeBadge(),
        (c) => (c.credentialStatus = { id: "https://s.example/1#2", type: "StatusList2021Entry" }),
      );
      expect(validateLerCredential(other)).to.deep.equal({ ok: true });
      const standard = mutate(
        degreeBadge(),
        (c) =>
          (c.credentialStatus = {
            id: "https://s.example/1#2",
            type: "BitstringStatusListEntry",
            statusPurpose: "revocation",
            statusListIndex: "2",
            statusListCredential: "https://s.example/1",
          }),
      );
      expect(validateLerCredential(standard)).to.deep.equal({ ok: true });
    });

    it("accepts a credential without the LER context, as built before there was one: it is not required", () => {
      const earlier = mutate(degreeBadge(), (c) => c["@context"].pop());
      expect(earlier["@context"]).to.not.include("https://w3id.org/ler/v1");
      expect(validateLerCredential(earlier)).to.deep.equal({ ok: true });
    });

    const cases: [string, (c: any) => void, "missing_field" | "invalid_field", string][] = [
      ["no @context", (c) => delete c["@context"], "missing_field", "@context"],
      ["a context not starting with VC 2.0 (or 1.1)", (c) => c["@context"].reverse(), "invalid_field", "@context"],
      ["no Open Badges context", (c) => c["@context"].splice(1, 1), "invalid_field", "@context"],
      ["no type", (c) => delete c.type, "missing_field", "type"],
      ["a type string", (c) => (c.type = "OpenBadgeCredential"), "invalid_field", "type"],
      ["no LER type", (c) => (c.type = ["VerifiableCredential"]), "invalid_field", "type"],
      ["both LER types", (c) => c.type.push("ClrCredential"), "invalid_field", "type"],
      ["an id that is not a URI", (c) => (c.id = "1234"), "invalid_field", "id"],
      ["no issuer", (c) => delete c.issuer, "missing_field", "issuer"],
      ["no issuer id", (c) => delete c.issuer.id, "missing_field", "issuer.id"],
      ["an issuer id that is not a DID", (c) => (c.issuer.id = "https://uni.example"), "invalid_field", "issuer.id"],
      ["an issuer string that is not a DID", (c) => (c.issuer = "Example University"), "invalid_field", "issuer"],
      ["an issuer name that is not text", (c) => (c.issuer.name = 7), "invalid_field", "issuer.name"],
      ["no validFrom", (c) => delete c.validFrom, "missing_field", "validFrom"],
      [
        "VC 1.1 without issuanceDate",
        (c) => Object.assign(c, asVc11(c), { issuanceDate: undefined }),
        "missing_field",
        "issuanceDate",
      ],
      [
        "VC 1.1 with an expiry before issuance",
        (c) => Object.assign(c, asVc11(c), { expirationDate: "2024-06-01T11:00:00Z" }),
        "invalid_field",
        "expirationDate",
      ],
      ["a date only", (c) => (c.validFrom = "2024-06-01"), "invalid_field", "validFrom"],
      ["a date without a time zone", (c) => (c.validFrom = "2024-06-01T12:00:00"), "invalid_field", "validFrom"],
      ["February 30", (c) => (c.validFrom = "2024-02-30T12:00:00Z"), "invalid_field", "validFrom"],
      ["February 29 of 2023", (c) => (c.validFrom = "2023-02-29T12:00:00Z"), "invalid_field", "validFrom"],
      ["hour 24", (c) => (c.validFrom = "2024-06-01T24:00:00Z"), "invalid_field", "validFrom"],
      ["an offset of +24:00", (c) => (c.validFrom = "2024-06-01T12:00:00+24:00"), "invalid_field", "validFrom"],
      ["a Unix time", (c) => (c.validFrom = 1_717_243_200), "invalid_field", "validFrom"],
      ["an expiry that does not parse", (c) => (c.validUntil = "soon"), "invalid_field", "validUntil"],
      ["an expiry before issuance", (c) => (c.validUntil = "2024-06-01T11:00:00Z"), "invalid_field", "validUntil"],
      ["no credentialSubject", (c) => delete c.credentialSubject, "missing_field", "credentialSubject"],
      ["several subjects", (c) => (c.credentialSubject = [c.credentialSubject]), "invalid_field", "credentialSubject"],
      ["no subject id", (c) => delete c.credentialSubject.id, "missing_field", "credentialSubject.id"],
      [
        "no achievement",
        (c) => delete c.credentialSubject.achievement,
        "missing_field",
        "credentialSubject.achievement",
      ],
      [
        "an achievement given by URL",
        (c) => (c.credentialSubject.achievement = DEGREE.id),
        "invalid_field",
        "credentialSubject.achievement",
      ],
      [
        "an achievement not typed Achievement",
        (c) => (c.credentialSubject.achievement.type = ["Badge"]),
        "invalid_field",
        "credentialSubject.achievement.type",
      ],
      [
        "no achievement id",
        (c) => delete c.credentialSubject.achievement.id,
        "missing_field",
        "credentialSubject.achievement.id",
      ],
      [
        "no achievement name",
        (c) => delete c.credentialSubject.achievement.name,
        "missing_field",
        "credentialSubject.achievement.name",
      ],
      [
        "no criteria",
        (c) => delete c.credentialSubject.achievement.criteria,
        "missing_field",
        "credentialSubject.achievement.criteria",
      ],
      [
        "no achievementType",
        (c) => delete c.credentialSubject.achievement.achievementType,
        "missing_field",
        "credentialSubject.achievement.achievementType",
      ],
      [
        "an alignment not typed Alignment",
        (c) => (c.credentialSubject.achievement.alignment[0].type = "Skill"),
        "invalid_field",
        "credentialSubject.achievement.alignment[0].type",
      ],
      [
        "an image without a type",
        (c) => delete c.credentialSubject.achievement.image.type,
        "invalid_field",
        "credentialSubject.achievement.image",
      ],
      [
        "a malformed status entry",
        (c) => (c.credentialStatus.chainId = "31337"),
        "invalid_field",
        "credentialStatus.chainId",
      ],
      ["an empty status array", (c) => (c.credentialStatus = []), "invalid_field", "credentialStatus"],
      ["a malformed anchor", (c) => (c.issuanceAnchor.type = "MerkleAnchor"), "invalid_field", "issuanceAnchor.type"],
    ];
    for (const [name, change, code, path] of cases) {
      it(`reports ${name} as ${code} at ${path}`, () => {
        const result = validateLerCredential(mutate(degreeBadge(), change));
        expect(result).to.deep.include({ ok: false, code, path });
        expect((result as { message: string }).message).to.match(new RegExp(`^${path.replace(/[.[\]@]/g, "\\$&")} `));
      });
    }

    it("reports a CLR without achievements, and something that is not an object at all", () => {
      const clr = clrCredential({
        id: ID,
        issuer: { id: ISSUER_DID, name: "U" },
        subject: { id: HOLDER_DID },
        achievements: [COURSE],
        issuedAt: ISSUED_AT,
      });
      expect(validateLerCredential(mutate(clr, (c) => (c.credentialSubject.achievement = [])))).to.deep.include({
        ok: false,
        code: "invalid_field",
        path: "credentialSubject.achievement",
      });
      for (const value of [null, "eyJhbGciOi...", [degreeBadge()]]) {
        expect(validateLerCredential(value)).to.deep.equal({
          ok: false,
          code: "invalid_field",
          message: "The credential is not a JSON object.",
          path: "",
        });
      }
    });
  });
});
