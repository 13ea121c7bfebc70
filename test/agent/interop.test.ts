import { expect } from "chai";
import { Wallet, ZeroHash, getBytes } from "ethers";
import {
  createVerifiableCredentialJwt,
  verifyCredential as stockVerifyCredential,
  verifyPresentation as stockVerifyPresentation,
} from "did-jwt-vc";
import { ES256KSigner } from "did-jwt";
import { Resolver } from "did-resolver";
import { ethrResolver } from "../../src/agent/agent.js";
import { signAccreditationConsent } from "../../src/chain/signedCall.js";
import { achievement, openBadgeCredential } from "../../src/credentials/index.js";
import { createAgentWorld, type AgentWorld } from "../helpers/world.js";
import { asVc11 } from "../helpers/vc11.js";

describe("interoperability with stock did-jwt-vc and ethr-did-resolver", function () {
  this.timeout(120_000);
  let w: AgentWorld;
  let root: string;
  let university: string;
  let learner: string;

  before(async () => {
    w = await createAgentWorld("json-rpc");
    const { agent } = w;
    root = (await agent.lerCreateIdentity({ alias: "root" })).did;
    university = (await agent.lerCreateIdentity({ alias: "university" })).did;
    learner = (await agent.lerCreateIdentity({ alias: "learner" })).did;
    for (const name of ["Degree", "Certificate"]) await agent.lerRegisterType({ governor: w.governor, name });
    await agent.lerAddRoot({ governor: w.governor, root, types: ["Degree", "Certificate"] });
    await agent.lerAccredit({ accreditor: root, subject: university, role: "issuer", types: ["Degree"] });
  });
  after(async () => w?.close());

  const degree = achievement({
    id: "https://university.example/degrees/ba",
    name: "BA History",
    description: "Bachelor of Arts in History",
    criteria: { narrative: "Passed every module." },
    achievementType: "Degree",
  });

  it("a credential this agent issues passes stock did-jwt-vc verification with a stock ethr-did-resolver", async () => {
    const { credentials } = await w.agent.lerIssueCredentials({
      issuer: university,
      credentials: [{ subject: learner, achievement: degree }],
    });
    const stock = new Resolver(ethrResolver(w.network));
    // did-jwt-vc's `format` policy checks the payload as a VC 1.1 JWT (a `vc` claim whose first context is the 1.1
    // one) and refuses VC 2.0 secured the VC-JOSE way, as Open Badges 3.0 specifies it. Turned off, the signature
    // (did-jwt, against the DID document the stock resolver builds) and the time claims are still checked.
    const result = await stockVerifyCredential(credentials[0]!.jwt, stock, { policies: { format: false } });
    expect(result.verified).to.equal(true);
    expect(result.payload.iss).to.equal(university);
    expect(result.payload.sub).to.equal(learner);
    // With the format policy on, stock did-jwt-vc says why it refuses.
    const strict = await stockVerifyCredential(credentials[0]!.jwt, stock).then(
      () => "verified",
      (e: Error) => e.message,
    );
    expect(strict).to.match(/context|vc|format|schema/i);
    // A tampered credential is refused by stock did-jwt-vc too.
    const [h, p, sig] = credentials[0]!.jwt.split(".") as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, name: "PhD" })).toString("base64url")}.${sig}`;
    const refused = await stockVerifyCredential(tampered, stock, { policies: { format: false } }).then(
      () => "verified",
      (e: Error) => e.message,
    );
    expect(refused).to.match(/signature/i);
  });

  it("a presentation this agent makes passes stock did-jwt-vc and stock Veramo verifyPresentation", async () => {
    const { credentials } = await w.agent.lerIssueCredentials({
      issuer: university,
      credentials: [{ subject: learner, achievement: degree }],
    });
    const { jwt } = await w.agent.lerCreatePresentation({
      holder: learner,
      credentials: [credentials[0]!.jwt],
      challenge: "c-42",
      domain: "employer.example",
    });
    const stock = new Resolver(ethrResolver(w.network));
    // The format policy also checks each credential inside as VC 1.1 (see above): off, as for credentials.
    const result = await stockVerifyPresentation(jwt, stock, {
      challenge: "c-42",
      domain: "employer.example",
      policies: { format: false },
    });
    expect(result.verified).to.equal(true);
    expect(result.payload.iss).to.equal(learner);
    const veramo = await w.agent.verifyPresentation({
      presentation: jwt,
      challenge: "c-42",
      domain: "employer.example",
      policies: { format: false },
    } as never);
    expect(veramo.verified, JSON.stringify(veramo.error)).to.equal(true);
    // The wrong challenge is refused by both.
    const wrong = await stockVerifyPresentation(jwt, stock, {
      challenge: "c-43",
      domain: "employer.example",
      policies: { format: false },
    }).then(
      () => "verified",
      (e: Error) => e.message,
    );
    expect(wrong).to.not.equal("verified");
  });

  it("a credential stock Veramo issues (createVerifiableCredential, JWT) from an accredited DID verifies here", async () => {
    const now = await w.now();
    const credential = asVc11(
      openBadgeCredential({
        id: "urn:uuid:9a1c4b1e-2f3d-4c5b-8a9e-0b1c2d3e4f51",
        issuer: { id: university, name: "University" },
        subject: { id: learner },
        achievement: degree,
        issuedAt: new Date((now - 10) * 1000),
      }),
    );
    const vc = await w.agent.createVerifiableCredential({ credential: credential as never, proofFormat: "jwt" });
    const jwt = (vc.proof as { jwt: string }).jwt;
    const r = await w.agent.lerVerifyCredential({ credential: jwt, now: now + 1 });
    expect(r.result, JSON.stringify(r.checks)).to.equal("valid");
    // As a W3C object with the JWT in proof.jwt, as Veramo hands it out, too.
    expect((await w.agent.lerVerifyCredential({ credential: vc, now: now + 1 })).result).to.equal("valid");
  });

  it("stock Veramo's verifyCredential accepts it too, with the same policy turned off", async () => {
    const { credentials } = await w.agent.lerIssueCredentials({
      issuer: university,
      credentials: [{ subject: learner, achievement: degree }],
    });
    const result = await w.agent.verifyCredential({
      credential: credentials[0]!.jwt,
      policies: { format: false },
    } as never);
    expect(result.verified, JSON.stringify(result.error)).to.equal(true);
  });

  for (const alg of ["ES256K", "ES256K-R"] as const) {
    it(`a credential signed by stock did-jwt-vc (${alg}) for an accredited issuer verifies here; status not applicable`, async () => {
      const wallet = Wallet.createRandom();
      const issuerDid = `did:ethr:${w.network.name}:${wallet.address}`;
      // The issuer's key is not in this agent: its owner signs its consent to the terms, the accreditor sends it.
      const deadline = (await w.now()) + 3600;
      const rootAddress = (await w.agent.lerListIdentities({})).find((i) => i.did === root)!.address;
      const consent = await signAccreditationConsent(wallet, {
        verifyingContract: w.network.deployment.contracts.TrustRegistry.address,
        chainId: w.network.chainId,
        terms: {
          parent: rootAddress,
          subject: wallet.address,
          role: 1,
          scope: 2n /* Certificate is type 1 */,
          validFrom: 0,
          validUntil: 2 ** 40 - 1,
          metadataHash: ZeroHash,
          deadline,
        },
      });
      await w.agent.lerAccredit({
        accreditor: root,
        subject: issuerDid,
        role: "issuer",
        types: ["Certificate"],
        consent,
        deadline,
      });
      const now = await w.now();
      // Stock did-jwt-vc issues VC 1.1 (the project's builder gives 2.0: asVc11 turns it into what stock tools issue).
      const credential = asVc11(
        openBadgeCredential({
          id: "urn:uuid:7a0c4b1e-2f3d-4c5b-8a9e-0b1c2d3e4f50",
          issuer: { id: issuerDid, name: "External Academy" },
          subject: { id: learner },
          achievement: achievement({
            id: "https://academy.example/cert/data",
            name: "Data Analysis Certificate",
            description: "Six-week course",
            criteria: { narrative: "Passed the final project." },
            achievementType: "Certificate",
          }),
          issuedAt: new Date((now - 10) * 1000),
        }),
      );
      const jwt = await createVerifiableCredentialJwt(credential as never, {
        did: issuerDid,
        signer: ES256KSigner(getBytes(wallet.privateKey), alg === "ES256K-R"),
        alg,
      });
      // Judged a second after the accreditation's block: at that block's own time the version before it (none) counts too.
      const r = await w.agent.lerVerifyCredential({ credential: jwt, now: now + 1 });
      expect(r.result, JSON.stringify(r.checks)).to.equal("valid");
      const byId = Object.fromEntries(r.checks.map((c) => [c.id, `${c.outcome}:${c.code}`]));
      expect(byId).to.include({
        signature: "pass:signature_valid",
        trust: "pass:trusted",
        status: "skipped:no_status_entry",
        anchor: "skipped:not_anchored",
        validity: "pass:within_validity",
      });
      // The same credential from an issuer nobody accredited is refused on trust.
      const stranger = Wallet.createRandom();
      const strangerDid = `did:ethr:${w.network.name}:${stranger.address}`;
      const forged = await createVerifiableCredentialJwt(
        { ...credential, issuer: { id: strangerDid, name: "External Academy" } } as never,
        {
          did: strangerDid,
          signer: ES256KSigner(getBytes(stranger.privateKey), alg === "ES256K-R"),
          alg,
        },
      );
      const f = await w.agent.lerVerifyCredential({ credential: forged, now });
      expect(f.result).to.equal("invalid");
      expect(f.checks.find((c) => c.id === "trust")?.code).to.equal("issuer_not_accredited");
    });
  }
});
