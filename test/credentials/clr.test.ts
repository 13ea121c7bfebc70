import { expect } from "chai";
import { Wallet } from "ethers";
import {
  achievement,
  clrCredential,
  embeddedCredentialsOf,
  ENVELOPED_JWT_PREFIX,
  joseCredentialPayload,
  validateLerCredential,
  type Achievement,
} from "../../src/credentials/index.js";
import type { CredentialReport } from "../../src/verify/report.js";
import { payloadOf, signJwt } from "../adversarial/jws.js";
import { createAgentWorld, type AgentWorld } from "../helpers/world.js";

const course = (n: number, type: "Course" | "Degree" = "Course"): Achievement =>
  achievement({
    id: `https://university.example/courses/${n}`,
    name: `Course ${n}`,
    description: `The course numbered ${n}`,
    criteria: { narrative: "Passed the exam." },
    achievementType: type,
  });

const codes = (r: CredentialReport) => Object.fromEntries(r.checks.map((c) => [c.id, `${c.outcome}:${c.code}`]));

// CLR 2.0: a record embeds the learner's credentials, each with its own signature, and a verifier checks every one.
describe("CLR 2.0 records: embedded credentials, issued and verified", function () {
  this.timeout(120_000);
  let w: AgentWorld;
  let learner: string;
  let other: string;
  let university: string;
  let universityKey: Wallet;

  before(async () => {
    w = await createAgentWorld("in-process");
    learner = (await w.agent.lerCreateIdentity({ alias: "learner" })).did;
    other = (await w.agent.lerCreateIdentity({ alias: "other learner" })).did;
    const authority = (await w.agent.lerCreateIdentity({ alias: "authority" })).did;
    universityKey = new Wallet(Wallet.createRandom().privateKey);
    university = (await w.agent.lerImportIdentity({ alias: "university", privateKeyHex: universityKey.privateKey }))
      .did;
    for (const name of ["Degree", "Course"]) await w.agent.lerRegisterType({ governor: w.governor, name });
    await w.agent.lerAddRoot({ governor: w.governor, root: authority, types: ["Degree", "Course"] });
    await w.agent.lerAccredit({
      accreditor: authority,
      subject: university,
      role: "issuer",
      types: ["Degree", "Course"],
    });
  });
  after(async () => w?.close());

  const verify = async (jwt: string) => w.agent.lerVerifyCredential({ credential: jwt, now: await w.now() });

  /** A record signed by the university's own key around `embedded` (as an issuer, or a forger holding its key, could). */
  const signRecord = (subject: string, embedded: string[], achievements: Achievement[]) =>
    signJwt(
      joseCredentialPayload(
        clrCredential({
          id: `urn:uuid:${crypto.randomUUID()}`,
          issuer: { id: university, name: "University" },
          subject: { id: subject },
          issuedAt: new Date(Date.now() - 60_000),
          achievements,
          credentials: embedded,
        }) as unknown as Record<string, unknown>,
      ),
      universityKey,
    );

  it("a request of several achievements issues one credential each, then the record embedding them, both batches anchored", async () => {
    const achievements = [course(1), course(2), course(3, "Degree")];
    const issued = await w.agent.lerIssueCredentials({
      issuer: university,
      credentials: [
        { subject: learner, achievements },
        { subject: learner, achievement: course(4) },
      ],
    });
    const record = issued.credentials[0]!;
    expect(record.embedded).to.have.length(3);
    expect(issued.credentials[1]!.embedded).to.equal(undefined);
    expect(issued.records?.root).to.match(/^0x[0-9a-f]{64}$/);
    expect(issued.records?.root).to.not.equal(issued.root);
    expect(issued.anchor?.txHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(issued.records?.anchor?.txHash).to.match(/^0x[0-9a-f]{64}$/);
    expect(issued.records?.anchor?.txHash).to.not.equal(issued.anchor?.txHash);

    const payload = payloadOf(record.jwt);
    expect(payload.type).to.deep.equal(["VerifiableCredential", "ClrCredential"]);
    expect(validateLerCredential(payload)).to.deep.equal({ ok: true });
    const subject = payload.credentialSubject as Record<string, unknown>;
    expect(subject.verifiableCredential).to.deep.equal(
      record.embedded!.map((c) => ({
        "@context": "https://www.w3.org/ns/credentials/v2",
        id: `${ENVELOPED_JWT_PREFIX}${c.jwt}`,
        type: "EnvelopedVerifiableCredential",
      })),
    );
    expect(embeddedCredentialsOf(payload)).to.deep.equal(record.embedded!.map((c) => c.jwt));
    expect((subject.achievement as Achievement[]).map((a) => a.id)).to.deep.equal(achievements.map((a) => a.id));
    // Each embedded credential is an Open Badge of its own, for the same learner.
    for (const [i, c] of record.embedded!.entries()) {
      const p = payloadOf(c.jwt);
      expect([p.type, p.sub, (p.credentialSubject as { achievement: Achievement }).achievement.id]).to.deep.equal([
        ["VerifiableCredential", "OpenBadgeCredential"],
        learner,
        achievements[i]!.id,
      ]);
      expect((await verify(c.jwt)).result).to.equal("valid");
    }

    const r = await verify(record.jwt);
    expect(r.result, JSON.stringify(codes(r))).to.equal("valid");
    expect(codes(r)).to.include({ anchor: "pass:anchored", embedded: "pass:embedded_valid", trust: "pass:trusted" });
    expect(r.embedded!.map((e) => [e.credential.id, e.result])).to.deep.equal(
      record.embedded!.map((c) => [c.id, "valid"]),
    );
  });

  it("a record is invalid when one embedded credential is revoked, and says which", async () => {
    const issued = await w.agent.lerIssueCredentials({
      issuer: university,
      credentials: [{ subject: learner, achievements: [course(5), course(6)] }],
    });
    const record = issued.credentials[0]!;
    const revoked = record.embedded![1]!;
    await w.agent.lerRevoke({ issuer: university, entries: [{ list: revoked.list, index: revoked.index }] });
    const r = await verify(record.jwt);
    expect(r.result).to.equal("invalid");
    expect(codes(r).embedded).to.equal("fail:embedded_invalid");
    expect(r.checks.find((c) => c.id === "embedded")!.details).to.deep.equal({
      failed: [{ index: 1, id: revoked.id, result: "invalid", code: "credential_revoked" }],
    });
    // The record itself is not revoked: its own status and signature pass.
    expect(codes(r)).to.include({ status: "pass:not_revoked", signature: "pass:signature_valid" });
    expect(r.embedded!.map((e) => e.result)).to.deep.equal(["valid", "invalid"]);
  });

  it("an embedded credential that was altered fails its own signature, inside a record its issuer signed", async () => {
    const { credentials } = await w.agent.lerIssueCredentials({
      issuer: university,
      credentials: [{ subject: learner, achievement: course(7) }],
    });
    const [h, p, s] = credentials[0]!.jwt.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as {
      credentialSubject: { achievement: { name: string } };
    };
    claims.credentialSubject.achievement.name = "Course 7 with distinction";
    const altered = `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`;
    const r = await verify(signRecord(learner, [credentials[0]!.jwt, altered], [course(7)]));
    expect(r.result).to.equal("invalid");
    // Its first failing check names it (the anchor proof no longer leads to the root); its signature fails too.
    expect(r.checks.find((c) => c.id === "embedded")!.details).to.deep.equal({
      failed: [{ index: 1, id: credentials[0]!.id, result: "invalid", code: "anchor_proof_mismatch" }],
    });
    expect(codes(r.embedded![1]!).signature).to.equal("fail:invalid_signature");
    expect(r.embedded![0]!.result).to.equal("valid");
  });

  it("an embedded credential about another learner is refused: a record is one learner's", async () => {
    const mine = await w.agent.lerIssueCredentials({
      issuer: university,
      credentials: [{ subject: learner, achievement: course(8) }],
    });
    const theirs = await w.agent.lerIssueCredentials({
      issuer: university,
      credentials: [{ subject: other, achievement: course(9) }],
    });
    const r = await verify(
      signRecord(learner, [mine.credentials[0]!.jwt, theirs.credentials[0]!.jwt], [course(8), course(9)]),
    );
    expect(r.result).to.equal("invalid");
    expect(
      (r.checks.find((c) => c.id === "embedded")!.details as { failed: { code: string }[] }).failed.map((f) => f.code),
    ).to.deep.equal(["embedded_subject_mismatch"]);
  });

  it("a record inside a record proves nothing (one level is verified)", async () => {
    const issued = await w.agent.lerIssueCredentials({
      issuer: university,
      credentials: [{ subject: learner, achievements: [course(10), course(11)] }],
    });
    const r = await verify(signRecord(learner, [issued.credentials[0]!.jwt], [course(10)]));
    expect(r.result).to.equal("invalid");
    expect(r.embedded![0]!.checks.find((c) => c.id === "embedded")?.code).to.equal("nested_record");
  });

  it("an embedded entry that carries no signature is refused by the schema", async () => {
    const record = payloadOf(
      signRecord(
        learner,
        [
          (
            await w.agent.lerIssueCredentials({
              issuer: university,
              credentials: [{ subject: learner, achievement: course(12) }],
            })
          ).credentials[0]!.jwt,
        ],
        [course(12)],
      ),
    );
    const subject = record.credentialSubject as { verifiableCredential: unknown[] };
    subject.verifiableCredential = [{ type: ["VerifiableCredential"], credentialSubject: { id: learner } }];
    const r = await verify(signJwt(record, universityKey));
    expect(r.result).to.equal("invalid");
    expect(codes(r).schema).to.equal("fail:invalid_field");
  });
});
