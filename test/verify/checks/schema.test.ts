import { expect } from "chai";
import {
  embeddedOf,
  MAX_EMBEDDED,
  mirrorCheck,
  schemaCheck,
  subjectCheck,
  typesOf,
} from "../../../src/verify/checks/schema.js";
import { isCheck } from "../../../src/verify/checks/format.js";
import { openBadgeCredential } from "../../../src/credentials/index.js";
import { issuerDid, memory, NOW } from "./world.js";

const DEGREE = {
  id: "https://uni.example/achievements/bsc",
  type: ["Achievement"],
  achievementType: "BachelorDegree",
  name: "BSc Computer Science",
  description: "Three years of computing.",
  criteria: { narrative: "Passed every course." },
};

const credential = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  ...(openBadgeCredential({
    id: "urn:uuid:6d1e2a7c-52b9-4c4c-9f4b-2d7a8a0f3b11",
    issuer: { id: issuerDid, name: "Example University" },
    subject: { id: "did:example:learner" },
    achievement: DEGREE,
    issuedAt: new Date(NOW * 1000),
  } as Parameters<typeof openBadgeCredential>[0]) as unknown as Record<string, unknown>),
  ...extra,
});

describe("checks/schema: the fields an LER requires, and claims that agree with each other", () => {
  it("a complete credential passes; one without a subject fails with the field's path", () => {
    expect(schemaCheck(credential())).to.include({ id: "schema", outcome: "pass", code: "required_fields" });
    const { credentialSubject: _, ...without } = credential();
    const r = schemaCheck(without);
    expect(r.outcome).to.equal("fail");
    expect(r.details?.path).to.be.a("string").and.contain("credentialSubject");
  });

  it("`sub` naming someone other than the subject -> subject_mismatch", () => {
    expect(
      subjectCheck({ sub: "did:example:learner", vc: { credentialSubject: { id: "did:example:learner" } } }),
    ).to.equal(undefined);
    expect(
      subjectCheck({ sub: "did:example:mallory", vc: { credentialSubject: { id: "did:example:learner" } } }),
    ).to.include({ outcome: "fail", code: "subject_mismatch" });
    expect(subjectCheck({ sub: 7 })).to.include({ code: "subject_mismatch" });
  });

  it("a VC-JOSE credential whose jti does not mirror its id -> claim_mismatch; VC 1.1 is not asked", () => {
    const p = { "@context": ["https://www.w3.org/ns/credentials/v2"], id: "urn:uuid:a", jti: "urn:uuid:b" };
    expect(mirrorCheck(p, "vc-jose")).to.include({ outcome: "fail", code: "claim_mismatch" });
    expect(mirrorCheck(p, "vc-jwt-1.1")).to.equal(undefined);
  });

  it("a record embedding more than MAX_EMBEDDED credentials -> too_many_embedded", () => {
    const many = Array.from({ length: MAX_EMBEDDED + 1 }, () => "a.b.c");
    const r = embeddedOf(
      credential({
        type: ["VerifiableCredential", "ClrCredential"],
        credentialSubject: { id: "did:example:learner", type: ["ClrSubject"], verifiableCredential: many },
      }),
    );
    expect(isCheck(r) && [r.id, r.code]).to.deep.equal(["embedded", "too_many_embedded"]);
    expect(embeddedOf(credential())).to.equal(undefined);
  });

  it("the types asked about are the credential's own (not VerifiableCredential), shared between credentials", () => {
    const m = memory();
    const a = typesOf(credential(), m);
    const b = typesOf(credential(), m);
    expect(a).to.be.an("array").that.is.not.empty;
    expect(a).to.not.include("VerifiableCredential");
    expect(a).to.equal(b);
    expect(Object.isFrozen(a)).to.equal(true);
  });
});
