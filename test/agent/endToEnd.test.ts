import { expect } from "chai";
import { achievement, type Achievement } from "../../src/credentials/index.js";
import type { CredentialReport } from "../../src/verify/report.js";
import { createAgentWorld, type AgentWorld, type Transport } from "../helpers/world.js";

const degree: Achievement = achievement({
  id: "https://university.example/programs/bsc-cs",
  name: "BSc Computer Science",
  description: "Bachelor of Science in Computer Science",
  criteria: { narrative: "Completed 180 ECTS including a thesis." },
  achievementType: "Degree",
  alignments: [
    { targetName: "Software engineering", targetUrl: "https://esco.example/skill/se", targetFramework: "ESCO" },
  ],
});
const certificate: Achievement = achievement({
  id: "https://bootcamp.example/cert/fullstack",
  name: "Full-stack Web Developer",
  description: "Twelve-week full-stack bootcamp",
  criteria: { narrative: "Passed the capstone." },
  achievementType: "Certificate",
});

const codes = (r: CredentialReport) => Object.fromEntries(r.checks.map((c) => [c.id, `${c.outcome}:${c.code}`]));

// The same story on Hardhat's EDR (in process, and over JSON-RPC) and on anvil, a second and independent node.
for (const transport of ["in-process", "json-rpc", "anvil"] as Transport[]) {
  describe(`LER agent end to end (${transport})`, function () {
    this.timeout(120_000);
    let w: AgentWorld;
    let ids: Record<"root" | "accreditor" | "university" | "bootcamp" | "learner" | "other", string>;

    before(async () => {
      w = await createAgentWorld(transport);
      const { agent } = w;
      const make = async (alias: string) => (await agent.lerCreateIdentity({ alias })).did;
      ids = {
        root: await make("Qualifications Authority"),
        accreditor: await make("Regional Accreditor"),
        university: await make("State University"),
        bootcamp: await make("Code Bootcamp"),
        learner: await make("Ada"),
        other: await make("Grace"),
      };
      for (const name of ["Degree", "Course", "Certificate", "Competency"]) {
        await agent.lerRegisterType({ governor: w.governor, name });
      }
      await agent.lerAddRoot({
        governor: w.governor,
        root: ids.root,
        types: ["Degree", "Course", "Certificate", "Competency"],
      });
      await agent.lerAccredit({
        accreditor: ids.root,
        subject: ids.accreditor,
        role: "accreditor",
        types: ["Degree", "Course", "Certificate", "Competency"],
      });
      await agent.lerAccredit({
        accreditor: ids.accreditor,
        subject: ids.university,
        role: "issuer",
        types: ["Degree", "Course"],
      });
      await agent.lerAccredit({
        accreditor: ids.accreditor,
        subject: ids.bootcamp,
        role: "issuer",
        types: ["Certificate", "Competency"],
      });
    });
    after(async () => w?.close());

    const issue = async (issuer: string, a: Achievement, opts: { anchor?: boolean; subject?: string } = {}) => {
      const { credentials } = await w.agent.lerIssueCredentials({
        issuer,
        credentials: [{ subject: opts.subject ?? ids.learner, achievement: a }],
        ...(opts.anchor !== undefined && { anchor: opts.anchor }),
      });
      return credentials[0]!;
    };
    const verify = async (jwt: string) => w.agent.lerVerifyCredential({ credential: jwt, now: await w.now() });

    it("issues an anchored degree that verifies valid, with the whole trust chain", async () => {
      const c = await issue(ids.university, degree);
      const r = await verify(c.jwt);
      expect(r.result, JSON.stringify(r.checks)).to.equal("valid");
      expect(codes(r)).to.deep.equal({
        format: "pass:well_formed",
        schema: "pass:required_fields",
        issuer: "pass:issuer_did",
        anchor: "pass:anchored",
        signature: "pass:signature_valid",
        trust: "pass:trusted",
        status: "pass:not_revoked",
        validity: "pass:within_validity",
      });
      expect(r.trustChain.map((l) => l.did)).to.deep.equal([ids.university, ids.accreditor, ids.root]);
      // The registry knows no names: the one the credential gives its issuer is reported as the credential's claim.
      expect(r.trustChain[0]!.name).to.equal(undefined);
      expect(r.credential.issuerName).to.equal("State University");
      expect(r.trustedTime?.source).to.equal("anchor");
    });

    it("revoke -> invalid: credential_revoked", async () => {
      const c = await issue(ids.university, degree);
      await w.agent.lerRevoke({ issuer: ids.university, entries: [{ list: c.list, index: c.index }] });
      const r = await verify(c.jwt);
      expect(r.result).to.equal("invalid");
      expect(codes(r).status).to.equal("fail:credential_revoked");
    });

    it("suspend -> invalid: credential_suspended; reinstate -> valid", async () => {
      const c = await issue(ids.university, degree);
      await w.agent.lerSuspend({ issuer: ids.university, entries: [{ list: c.list, index: c.index }] });
      expect(codes(await verify(c.jwt)).status).to.equal("fail:credential_suspended");
      await w.agent.lerReinstate({ issuer: ids.university, entries: [{ list: c.list, index: c.index }] });
      expect((await verify(c.jwt)).result).to.equal("valid");
    });

    it("issuer suspended, then its accreditor suspended -> invalid with the right code; reinstated -> valid", async () => {
      const c = await issue(ids.bootcamp, certificate);
      expect((await verify(c.jwt)).result).to.equal("valid");
      await w.agent.lerSuspendAccreditation({ accreditor: ids.accreditor, subject: ids.bootcamp, reason: 5 });
      expect(codes(await verify(c.jwt)).trust).to.equal("fail:issuer_suspended");
      await w.agent.lerReinstateAccreditation({ accreditor: ids.accreditor, subject: ids.bootcamp });
      await w.agent.lerSuspendAccreditation({ accreditor: ids.root, subject: ids.accreditor, reason: 6 });
      const r = await verify(c.jwt);
      expect(codes(r).trust).to.equal("fail:accreditor_suspended");
      expect(r.checks.find((x) => x.id === "trust")!.details!.failedAt).to.equal(r.trustChain[1]!.address);
      await w.agent.lerReinstateAccreditation({ accreditor: ids.root, subject: ids.accreditor });
      expect((await verify(c.jwt)).result).to.equal("valid");
    });

    it("accreditation expired: credentials anchored before stay valid, those anchored after are invalid", async () => {
      const college = (await w.agent.lerCreateIdentity({ alias: "Short-lived College" })).did;
      const until = (await w.now()) + 1000;
      await w.agent.lerAccredit({
        accreditor: ids.accreditor,
        subject: college,
        role: "issuer",
        types: ["Degree"],
        validUntil: until,
      });
      const before = await issue(college, degree);
      // Signed while accredited, anchored only after the end of the accreditation.
      const late = await w.agent.lerIssueCredentials({
        issuer: college,
        credentials: [{ subject: ids.learner, achievement: degree }],
        anchor: false,
      });
      const unanchored = await issue(college, degree, { anchor: false });
      await w.increaseTime(2000);
      await w.agent.lerAnchor({ issuer: college, root: late.root });
      expect((await verify(before.jwt)).result).to.equal("valid");
      const r = await verify(late.credentials[0]!.jwt);
      expect(codes(r).trust).to.equal("fail:accreditation_expired");
      // The unanchored one is judged now, and fails the same way.
      expect(codes(await verify(unanchored.jwt))).to.include({
        anchor: "skipped:anchor_not_found",
        trust: "fail:accreditation_expired",
      });
      // Issuing now is refused before anything is signed.
      const refused = await w.agent
        .lerIssueCredentials({ issuer: college, credentials: [{ subject: ids.learner, achievement: degree }] })
        .then(
          () => undefined,
          (e: { code?: string }) => e,
        );
      expect(refused?.code).to.equal("accreditation_expired");
    });

    it("issuer key rotated: the anchored credential stays valid, an unanchored one by the old key is invalid", async () => {
      const issuer = (await w.agent.lerCreateIdentity({ alias: "Rotating Institute" })).did;
      await w.agent.lerAccredit({ accreditor: ids.accreditor, subject: issuer, role: "issuer", types: ["Degree"] });
      const anchored = await issue(issuer, degree);
      const unanchored = await issue(issuer, degree, { anchor: false });
      expect((await verify(unanchored.jwt)).result).to.equal("valid");
      const rotated = await w.agent.lerRotateOwner({ did: issuer });
      expect(rotated.owner).to.not.equal(rotated.address);
      expect((await verify(anchored.jwt)).result).to.equal("valid");
      const r = await verify(unanchored.jwt);
      expect(r.result).to.equal("invalid");
      expect(codes(r).signature).to.equal("fail:invalid_signature");
      // The new key issues, and revokes, as the same identity.
      const fresh = await issue(issuer, degree);
      expect((await verify(fresh.jwt)).result).to.equal("valid");
      await w.agent.lerRevoke({ issuer, entries: [{ list: fresh.list, index: fresh.index }] });
      expect(codes(await verify(fresh.jwt)).status).to.equal("fail:credential_revoked");
    });

    it("a tampered payload or signature -> invalid: invalid_signature", async () => {
      const c = await issue(ids.university, degree);
      const [h, p, s] = c.jwt.split(".") as [string, string, string];
      const payload = JSON.parse(Buffer.from(p, "base64url").toString());
      payload.credentialSubject.achievement.name = "PhD Computer Science";
      const tamperedPayload = `${h}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${s}`;
      const r1 = await verify(tamperedPayload);
      expect(r1.result).to.equal("invalid");
      expect(codes(r1).signature).to.equal("fail:invalid_signature");
      const sig = Buffer.from(s, "base64url");
      sig[10] = sig[10]! ^ 0xff;
      const r2 = await verify(`${h}.${p}.${sig.toString("base64url")}`);
      expect(codes(r2).signature).to.equal("fail:invalid_signature");
    });

    it("presentations: valid for the right challenge and domain; replays and other people's credentials are refused", async () => {
      const mine = await issue(ids.university, degree);
      const { jwt } = await w.agent.lerCreatePresentation({
        holder: ids.learner,
        credentials: [mine.jwt],
        challenge: "c-123",
        domain: "employer.example",
      });
      const ok = await w.agent.lerVerifyPresentation({
        presentation: jwt,
        challenge: "c-123",
        domain: "employer.example",
        now: await w.now(),
      });
      expect(ok.result, JSON.stringify(ok.checks)).to.equal("valid");
      expect(ok.credentials).to.have.length(1);
      const replay = await w.agent.lerVerifyPresentation({
        presentation: jwt,
        challenge: "c-999",
        domain: "employer.example",
        now: await w.now(),
      });
      expect(replay.checks.find((c) => c.code === "challenge_mismatch")?.outcome).to.equal("fail");
      const elsewhere = await w.agent.lerVerifyPresentation({
        presentation: jwt,
        challenge: "c-123",
        domain: "other.example",
        now: await w.now(),
      });
      expect(elsewhere.checks.find((c) => c.code === "domain_mismatch")?.outcome).to.equal("fail");
      const theirs = await issue(ids.university, degree, { subject: ids.other });
      const { jwt: stolen } = await w.agent.lerCreatePresentation({
        holder: ids.learner,
        credentials: [theirs.jwt],
        challenge: "c-1",
        domain: "employer.example",
      });
      const r = await w.agent.lerVerifyPresentation({
        presentation: stolen,
        challenge: "c-1",
        domain: "employer.example",
        now: await w.now(),
      });
      expect(r.result).to.equal("invalid");
      expect(r.checks.find((c) => c.id === "holder_binding")?.code).to.equal("subject_not_holder");
    });

    if (transport !== "in-process") {
      it("the chain unreachable -> unknown, never valid", async () => {
        const c = await issue(ids.university, degree);
        const now = await w.now();
        await w.stopServer();
        const r = await w.agent.lerVerifyCredential({ credential: c.jwt, now });
        expect(r.result).to.equal("unknown");
        expect(codes(r)).to.include({
          signature: "unknown:chain_unreachable",
          trust: "unknown:chain_unreachable",
          status: "unknown:chain_unreachable",
        });
      });
    }
  });
}
