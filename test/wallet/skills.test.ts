import { expect } from "chai";
import { readFileSync } from "node:fs";
import { openBadgeCredential, clrCredential } from "../../src/credentials/index.js";
import { isLerError } from "../../src/errors.js";
import {
  heldCredentialsFromText,
  matchJobProfile,
  parseJobProfile,
  readHeldCredentials,
  skillsReport,
  verifiableInputs,
  verificationByRef,
  walletMatch,
  walletSkills,
} from "../../src/wallet/index.js";
import { bootcamp, course, degree, teamwork } from "../server/achievements.js";

// The learner's view is pure: these tests need no chain. (They live beside the service tests that use them.)

const ISSUER = { id: "did:ethr:localnet:0x00000000000000000000000000000000000000a1", name: "State University" };
const CAMP = { id: "did:ethr:localnet:0x00000000000000000000000000000000000000a2", name: "Code Bootcamp" };
const LEARNER = { id: "did:ethr:localnet:0x00000000000000000000000000000000000000b1" };
const issuedAt = new Date("2025-06-01T10:00:00Z");
const uuid = (n: number) => `urn:uuid:00000000-0000-4000-8000-${n.toString().padStart(12, "0")}`;

const degreeVc = openBadgeCredential({ id: uuid(1), issuer: ISSUER, subject: LEARNER, issuedAt, achievement: degree });
const campVc = openBadgeCredential({ id: uuid(2), issuer: CAMP, subject: LEARNER, issuedAt, achievement: bootcamp });
const teamVc = openBadgeCredential({ id: uuid(3), issuer: CAMP, subject: LEARNER, issuedAt, achievement: teamwork });
const clrVc = clrCredential({
  id: uuid(4),
  issuer: ISSUER,
  subject: LEARNER,
  issuedAt,
  achievements: [degree, course],
  name: "Transcript",
});
/** An unsigned JWT carrying a credential, as did-jwt-vc encodes one (the wallet reads; it does not verify). */
const asJwt = (vc: Record<string, unknown>) => {
  const { issuer, credentialSubject, id, issuanceDate, ...rest } = vc as Record<string, any>;
  const payload = {
    iss: issuer.id,
    sub: credentialSubject.id,
    jti: id,
    nbf: Date.parse(issuanceDate) / 1000,
    issuer: { name: issuer.name },
    vc: { ...rest, credentialSubject: { ...credentialSubject, id: undefined } },
  };
  return `eyJhbGciOiJFUzI1NksifQ.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.c2ln`;
};
const profile = JSON.parse(
  readFileSync(new URL("../../examples/job-profile.json", import.meta.url), "utf8"),
) as unknown;

const code = (run: () => unknown) => {
  try {
    run();
  } catch (e) {
    if (isLerError(e)) return e.code;
    throw e;
  }
  return "no error";
};

describe("wallet: skills from held credentials", () => {
  it("reads JWTs, W3C credentials, presentations and arrays; keeps duplicates once; reports what it cannot read", () => {
    const vp = { type: ["VerifiablePresentation"], verifiableCredential: [asJwt(campVc), teamVc] };
    const held = readHeldCredentials([asJwt(degreeVc), degreeVc, asJwt(degreeVc), vp, "not a jwt", { hello: "world" }]);
    expect(held.held.map((h) => h.ref)).to.deep.equal([uuid(1), uuid(2), uuid(3)]);
    expect(held.held[0]!.jwt).to.be.a("string");
    // The same credential as W3C JSON first and then as a JWT is held once, as the JWT (the form with a signature).
    const twice = readHeldCredentials([degreeVc, asJwt(degreeVc)]).held;
    expect(twice).to.have.length(1);
    expect(twice[0]!.jwt).to.be.a("string");
    expect(held.unreadable.map((u) => u.code)).to.deep.equal(["malformed_jwt", "invalid_credential"]);
    expect(held.unreadable.map((u) => u.position)).to.deep.equal([6, 7]);
  });

  it("splits pasted text: JWTs by lines or commas, or JSON", () => {
    expect(heldCredentialsFromText(" a.b.c\n\nd.e.f , g.h.i ")).to.deep.equal(["a.b.c", "d.e.f", "g.h.i"]);
    expect(heldCredentialsFromText('[{"a":1}]')).to.deep.equal([{ a: 1 }]);
    expect(code(() => heldCredentialsFromText("[oops"))).to.equal("invalid_json");
  });

  it("lists achievements, alignments and Competency achievements as skills, each with the credentials behind it", () => {
    const r = walletSkills([degreeVc, campVc, teamVc, clrVc]);
    expect(r.credentials.map((c) => c.name)).to.deep.equal([
      "BSc Computer Science",
      "Full-stack Web Developer",
      "Agile teamwork",
      "Transcript",
    ]);
    expect(r.skills.map((s) => s.name)).to.deep.equal([
      "Agile teamwork",
      "Algorithms",
      "Database design",
      "JavaScript",
      "Software engineering",
      "SQL",
      "Web application development",
    ]);
    const se = r.skills.find((s) => s.name === "Software engineering")!;
    expect(se.provenBy.map((e) => e.credential)).to.deep.equal([uuid(1), uuid(4)]);
    expect(se).to.include({ source: "alignment", targetFramework: "ESCO", targetCode: "S1.3" });
    expect(r.skills.find((s) => s.name === "Agile teamwork")!.source).to.equal("achievement");
    expect(r.achievements.find((a) => a.id === degree.id)!.provenBy).to.have.length(2);
  });

  it("carries each credential's verification result into the report", () => {
    const held = readHeldCredentials([degreeVc, campVc]);
    const r = skillsReport(held, { verification: new Map([[uuid(1), "invalid" as const]]) });
    expect(r.credentials.map((c) => c.verification)).to.deep.equal(["invalid", undefined]);
    expect(verificationByRef(held, [{ result: "valid" }, { result: "unknown" }])).to.deep.equal(
      new Map([
        [uuid(1), "valid"],
        [uuid(2), "unknown"],
      ]),
    );
    expect(code(() => verificationByRef(held, [{ result: "valid" }]))).to.equal("verification_mismatch");
    expect(verifiableInputs(held)).to.deep.equal([degreeVc, campVc]);
  });
});

describe("wallet: job profile and gap report", () => {
  it("parses the example profile, and refuses typos and empty requirements with the member's path", () => {
    const p = parseJobProfile(profile);
    expect(p.title).to.equal("Junior Software Engineer");
    expect(p.requiredAchievementTypes).to.deep.equal([
      { achievementType: ["Degree", "BachelorDegree"], label: "A bachelor's degree" },
    ]);
    expect(
      parseJobProfile({ title: "X", requiredSkills: ["SQL"], requiredAchievementTypes: ["Course"] }),
    ).to.deep.include({
      requiredSkills: [{ name: "SQL" }],
      requiredAchievementTypes: [{ achievementType: ["Course"] }],
    });
    expect(code(() => parseJobProfile({ title: "X", requiredSkill: ["SQL"] }))).to.equal("invalid_job_profile");
    expect(code(() => parseJobProfile({ title: "X" }))).to.equal("invalid_job_profile");
    expect(code(() => parseJobProfile({ requiredSkills: ["SQL"] }))).to.equal("invalid_job_profile");
    expect(code(() => parseJobProfile({ title: "X", requiredSkills: [{ framework: "ESCO" }] }))).to.equal(
      "invalid_job_profile",
    );
    expect(code(() => parseJobProfile({ title: "X", requiredSkills: [{ targetFramework: "ESCO" }] }))).to.equal(
      "invalid_job_profile",
    );
    expect(code(() => parseJobProfile([]))).to.equal("invalid_job_profile");
  });

  it("says what is met, by which credential and how, and what is missing", () => {
    const r = walletMatch([degreeVc, campVc, teamVc], profile);
    const by = Object.fromEntries(
      r.requirements.map((q) => [
        q.label,
        `${q.status}:${q.evidence.map((e) => `${e.credentialName}/${e.matchedBy}`).join(",")}`,
      ]),
    );
    expect(by).to.deep.equal({
      "A bachelor's degree": "met:BSc Computer Science/achievementType",
      "Software engineering": "met:BSc Computer Science/targetUrl",
      JavaScript: "met:Full-stack Web Developer/targetCode",
      "Cloud deployment": "missing:",
      "Agile teamwork": "met:Agile teamwork/name",
      Kubernetes: "missing:",
    });
    expect(r.summary).to.deep.equal({ required: 4, met: 3, unconfirmed: 0, missing: 1, preferred: 2, preferredMet: 1 });
    expect(r.satisfied).to.equal(false);
    expect(r.gaps).to.deep.equal(["Cloud deployment"]);
    expect(r.profile).to.deep.equal({
      id: "https://jobs.northwind.example/postings/2025-042",
      title: "Junior Software Engineer",
      organization: "Northwind Logistics",
      url: "https://jobs.northwind.example/postings/2025-042",
    });
  });

  it("identifiers decide when given: a same-named skill from another framework does not match a targetUrl requirement", () => {
    const p = parseJobProfile({
      title: "X",
      requiredSkills: [
        { name: "Software engineering", targetUrl: "https://other.example/se" },
        { targetUrl: "HTTPS://ESCO.EXAMPLE/skill/software-engineering/" },
      ],
    });
    const r = matchJobProfile(readHeldCredentials([degreeVc]), p);
    expect(r.requirements.map((q) => q.status)).to.deep.equal(["missing", "met"]);
  });

  it("a code matches only within the same framework when both name one; a name matches case- and space-insensitively", () => {
    const p = parseJobProfile({
      title: "X",
      requiredSkills: [
        { targetCode: "js-301", targetFramework: "Other Framework" },
        { targetCode: "JS-301" },
        { name: "  web   APPLICATION development" },
      ],
    });
    expect(matchJobProfile(readHeldCredentials([campVc]), p).requirements.map((q) => q.status)).to.deep.equal([
      "missing",
      "met",
      "met",
    ]);
  });

  it("invalid credentials prove nothing (listed as rejected); unknown ones leave the requirement unconfirmed", () => {
    const held = readHeldCredentials([degreeVc, clrVc]);
    const p = parseJobProfile({ title: "X", requiredAchievementTypes: ["Degree"] });
    const invalid = matchJobProfile(held, p, {
      verification: new Map([
        [uuid(1), "invalid" as const],
        [uuid(4), "invalid" as const],
      ]),
    });
    expect(invalid.requirements[0]).to.deep.include({ status: "missing" });
    expect(invalid.requirements[0]!.rejected).to.have.length(2);
    const unknown = matchJobProfile(held, p, {
      verification: new Map([
        [uuid(1), "unknown" as const],
        [uuid(4), "invalid" as const],
      ]),
    });
    expect(unknown.requirements[0]!.status).to.equal("unconfirmed");
    expect(unknown.satisfied).to.equal(false);
    expect(unknown.summary.unconfirmed).to.equal(1);
    const valid = matchJobProfile(held, p, {
      verification: new Map([
        [uuid(1), "unknown" as const],
        [uuid(4), "valid" as const],
      ]),
    });
    expect(valid.satisfied).to.equal(true);
  });
});
