import { expect } from "chai";
import { Wallet, ZeroHash } from "ethers";
import { signAccreditationConsent } from "../../src/chain/signedCall.js";
import { achievement, type Achievement } from "../../src/credentials/index.js";
import { isLerError, type LerError } from "../../src/errors.js";
import { createAgentWorld, type AgentWorld } from "../helpers/world.js";

// The agent's side of accreditation on TrustRegistry v2: consent, updates of only the fields given, chains and
// history as they stood at a time, refusals before signing, and contract errors in words.

const badge = (type: string): Achievement =>
  achievement({
    id: `https://example.edu/${type.toLowerCase()}`,
    name: `A ${type}`,
    description: `A ${type} for the tests`,
    criteria: { narrative: "Passed." },
    achievementType: type as Achievement["achievementType"],
  });

const NO_END = 2 ** 40 - 1;

async function rejection(p: Promise<unknown>): Promise<LerError> {
  try {
    await p;
  } catch (e) {
    if (isLerError(e)) return e;
    throw e;
  }
  throw new Error("expected a rejection");
}

describe("LER agent: accreditation with consent, updates, chains at a time, refusals", function () {
  this.timeout(120_000);
  let w: AgentWorld;
  let ids: Record<"root" | "university" | "bootcamp" | "learner", string>;

  before(async () => {
    w = await createAgentWorld("in-process");
    const make = async (alias: string) => (await w.agent.lerCreateIdentity({ alias })).did;
    ids = {
      root: await make("Qualifications Authority"),
      university: await make("State University"),
      bootcamp: await make("Code Bootcamp"),
      learner: await make("Ada"),
    };
    for (const name of ["Degree", "Course", "Certificate"])
      await w.agent.lerRegisterType({ governor: w.governor, name });
    await w.agent.lerAddRoot({ governor: w.governor, root: ids.root, types: ["Degree", "Course", "Certificate"] });
    // Both subjects' keys are in this agent's store: it signs their consent itself.
    await w.agent.lerAccredit({
      accreditor: ids.root,
      subject: ids.university,
      role: "issuer",
      types: ["Degree", "Course"],
      validUntil: 4_000_000_000,
    });
    await w.agent.lerAccredit({ accreditor: ids.root, subject: ids.bootcamp, role: "issuer", types: ["Certificate"] });
  });
  after(async () => w?.close());

  describe("consent", () => {
    it("a subject whose key is elsewhere needs its consent: refused without it, accepted with its owner's signature", async () => {
      const outsider = Wallet.createRandom();
      const subject = `did:ethr:${w.network.name}:${outsider.address}`;
      const refused = await rejection(
        w.agent.lerAccredit({ accreditor: ids.root, subject, role: "issuer", types: ["Course"] }),
      );
      expect(refused.code).to.equal("consent_required");
      const deadline = (await w.now()) + 3600;
      const root = (await w.agent.lerListIdentities({})).find((i) => i.did === ids.root)!.address;
      const terms = {
        parent: root,
        subject: outsider.address,
        role: 1,
        scope: 2n,
        validFrom: 0,
        validUntil: NO_END,
        metadataHash: ZeroHash,
        deadline,
      };
      const sign = (t: typeof terms) =>
        signAccreditationConsent(outsider, {
          verifyingContract: w.network.deployment.contracts.TrustRegistry.address,
          chainId: w.network.chainId,
          terms: t,
        });
      // A consent to other terms (Degree, not Course) does not count, and the refusal says so in words.
      const other = await sign({ ...terms, scope: 1n });
      const wrong = await rejection(
        w.agent.lerAccredit({
          accreditor: ids.root,
          subject,
          role: "issuer",
          types: ["Course"],
          consent: other,
          deadline,
        }),
      );
      expect(wrong.code).to.equal("no_consent");
      expect(wrong.message)
        .to.include(subject)
        .and.to.match(/did not consent to these terms/);
      await w.agent.lerAccredit({
        accreditor: ids.root,
        subject,
        role: "issuer",
        types: ["Course"],
        consent: await sign(terms),
        deadline,
      });
      const [link] = await w.agent.lerTrustChain({ did: subject });
      expect(link!.scope).to.deep.equal([{ id: 1, name: "Course" }]);
    });

    it("lerSignAccreditationConsent gives the subject's consent that lerAccredit then sends; an expired one is refused in words", async () => {
      const college = (await w.agent.lerCreateIdentity({ alias: "City College" })).did;
      const now = await w.now();
      const expired = await w.agent.lerSignAccreditationConsent({
        subject: college,
        accreditor: ids.root,
        role: "issuer",
        types: ["Degree"],
        deadline: now - 10,
      });
      const late = await rejection(
        w.agent.lerAccredit({
          accreditor: ids.root,
          subject: college,
          role: "issuer",
          types: ["Degree"],
          consent: expired.consent,
          deadline: expired.deadline,
        }),
      );
      expect(late.code).to.equal("consent_expired");
      expect(late.message).to.match(/consent expired at \d{4}-\d\d-\d\dT/);
      const signed = await w.agent.lerSignAccreditationConsent({
        subject: college,
        accreditor: ids.root,
        role: "issuer",
        types: ["Degree"],
      });
      expect(signed.terms).to.include({
        subject: college,
        role: "issuer",
        validFrom: 0,
        validUntil: NO_END,
        scope: "1",
      });
      expect(signed.deadline).to.be.greaterThan(now);
      await w.agent.lerAccredit({
        accreditor: ids.root,
        subject: college,
        role: "issuer",
        types: ["Degree"],
        consent: signed.consent,
        deadline: signed.deadline,
      });
      expect((await w.agent.lerTrustChain({ did: college }))[0]!.status).to.equal("active");
    });
  });

  describe("update", () => {
    it("changes only the fields given, reports before and after, and refuses a change of nothing", async () => {
      const result = await w.agent.lerUpdateAccreditation({
        accreditor: ids.root,
        subject: ids.university,
        types: ["Degree"],
      });
      expect(result.changes).to.deep.equal({ types: { before: ["Degree", "Course"], after: ["Degree"] } });
      expect(result.after).to.deep.include({ role: "issuer", validUntil: 4_000_000_000 });
      const [link] = await w.agent.lerTrustChain({ did: ids.university });
      expect([link!.role, link!.validUntil, link!.scope.map((s) => s.name)]).to.deep.equal([
        ["issuer"],
        4_000_000_000,
        ["Degree"],
      ]);
      const nothing = await rejection(
        w.agent.lerUpdateAccreditation({ accreditor: ids.root, subject: ids.university, types: ["Degree"] }),
      );
      expect(nothing.code).to.equal("nothing_to_change");
      const back = await w.agent.lerUpdateAccreditation({
        accreditor: ids.root,
        subject: ids.university,
        types: ["Degree", "Course"],
        validUntil: NO_END,
      });
      expect(Object.keys(back.changes).sort()).to.deep.equal(["types", "validUntil"]);
      expect(back.changes.validUntil).to.deep.equal({ before: 4_000_000_000, after: null });
    });

    it("a scope beyond the accreditor's names the types, not bitmasks; an unauthorized actor is named with the rule", async () => {
      const sub = (await w.agent.lerCreateIdentity({ alias: "Sub Accreditor" })).did;
      await w.agent.lerAccredit({ accreditor: ids.root, subject: sub, role: "accreditor", types: ["Degree"] });
      const campus = (await w.agent.lerCreateIdentity({ alias: "Campus" })).did;
      const wide = await rejection(
        w.agent.lerAccredit({ accreditor: sub, subject: campus, role: "issuer", types: ["Degree", "Certificate"] }),
      );
      expect(wide.code).to.equal("scope_not_subset");
      expect(wide.message).to.include("may not include Certificate").and.to.include("it holds Degree");
      expect(wide.message).to.not.match(/\(\d+, \d+\)|0x[0-9a-f]{40}, \d/);
      const stranger = await rejection(
        w.agent.lerSuspendAccreditation({ accreditor: ids.bootcamp, subject: ids.university }),
      );
      expect(stranger.code).to.equal("unauthorized");
      expect(stranger.message).to.include(
        `${ids.bootcamp} (Code Bootcamp) may not change the accreditation of ${ids.university} (State University)`,
      );
      const notGov = await rejection(w.agent.lerRegisterType({ governor: ids.bootcamp, name: "License" }));
      expect(notGov.code).to.equal("unauthorized");
      expect(notGov.message)
        .to.include("(Code Bootcamp) may not register credential types")
        .and.to.include("GOVERNOR_ROLE");
    });
  });

  describe("chain and history", () => {
    it("the chain at a time before the accreditation existed shows it as not existing; history lists every version", async () => {
      const before = (await w.now()) - 1;
      const late = (await w.agent.lerCreateIdentity({ alias: "Late Institute" })).did;
      await w.agent.lerAccredit({ accreditor: ids.root, subject: late, role: "issuer", types: ["Course"] });
      await w.agent.lerSuspendAccreditation({ accreditor: ids.root, subject: late, reason: 3 });
      const then = await w.agent.lerTrustChain({ did: late, at: before });
      expect([then[0]!.status, then[0]!.since, then[0]!.statusNow]).to.deep.equal(["none", null, "suspended"]);
      const now = await w.agent.lerTrustChain({ did: late });
      expect(now.map((l) => l.status)).to.deep.equal(["suspended", "active"]);
      const history = await w.agent.lerAccreditationHistory({ did: late });
      expect(history[0]!.versions.map((v) => [v.status, v.reason])).to.deep.equal([
        ["active", 0],
        ["suspended", 3],
      ]);
      expect(history[0]!.versions[0]!.since).to.be.greaterThan(before);
      expect(history[1]!.parent).to.equal(null);
    });
  });

  describe("issuing refuses, before signing, what could never verify", () => {
    const issueOne = (issuer: string, type: string, anchor = true) =>
      w.agent.lerIssueCredentials({
        issuer,
        credentials: [{ subject: ids.learner, achievement: badge(type) }],
        anchor,
      });

    it("an unregistered type or one out of scope: no index used, no anchor sent, a stable code", async () => {
      const first = (await issueOne(ids.bootcamp, "Certificate")).credentials[0]!;
      const block = (await w.network.provider.getBlock("latest"))!.number;
      const unregistered = await rejection(issueOne(ids.bootcamp, "License"));
      expect(unregistered.code).to.equal("unknown_credential_type");
      expect(unregistered.message).to.include('"License" is not a registered credential type');
      const out = await rejection(issueOne(ids.bootcamp, "Degree"));
      expect(out.code).to.equal("type_out_of_scope");
      expect(out.message).to.include('not accredited for "Degree"').and.to.include("Nothing was signed");
      expect((await w.network.provider.getBlock("latest"))!.number, "no anchor was sent").to.equal(block);
      const next = (await issueOne(ids.bootcamp, "Certificate", false)).credentials[0]!;
      expect([next.list, next.index], "no status index was used").to.deep.equal([first.list, first.index + 1]);
    });

    it("a suspended issuer: refused with issuer_suspended; once reinstated, issues again", async () => {
      await w.agent.lerSuspendAccreditation({ accreditor: ids.root, subject: ids.bootcamp });
      expect((await rejection(issueOne(ids.bootcamp, "Certificate"))).code).to.equal("issuer_suspended");
      await w.agent.lerReinstateAccreditation({ accreditor: ids.root, subject: ids.bootcamp });
      expect((await issueOne(ids.bootcamp, "Certificate")).credentials).to.have.length(1);
    });
  });
});
