import { expect } from "chai";
import {
  Contract,
  encodeBytes32String,
  keccak256,
  parseEther,
  toUtf8Bytes,
  Wallet,
  type BrowserProvider,
  type JsonRpcSigner,
} from "ethers";
import { didRegistryArtifact } from "../../src/chain/artifacts.js";
import {
  achievement,
  credentialHash,
  credentialIdHash,
  openBadgeCredential,
  revocationHashesOf,
} from "../../src/credentials/index.js";
import type { CredentialReport } from "../../src/verify/report.js";
import { malleate, nonCanonicalSignature, payloadOf, signJwt, type Alg } from "../adversarial/jws.js";
import { createAgentWorld, type AgentWorld } from "../helpers/world.js";
import { rejection } from "../helpers/assert.js";
import { asVc11 } from "../helpers/vc11.js";

const degree = achievement({
  id: "https://university.example/programs/ba-history",
  name: "BA History",
  description: "Bachelor of Arts in History",
  criteria: { narrative: "Completed 180 ECTS including a dissertation." },
  achievementType: "Degree",
});

/** A Wallet (not an HDNodeWallet) with a fresh key. */
const randomWallet = () => new Wallet(Wallet.createRandom().privateKey);

const codes = (r: CredentialReport) => Object.fromEntries(r.checks.map((c) => [c.id, `${c.outcome}:${c.code}`]));

/** A deterministic pseudo-random generator (mulberry32), so that a failure replays. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Issue 12, item 2: a revocation by hash names the credential (its claims), not the bytes of one token of it.
describe("revocation by hash names the credential (its id, else its claims), not the token", function () {
  this.timeout(120_000);

  describe("the hashes that name a credential (pure)", () => {
    it("are the same for every header and signature over the same claims; any other claims are another credential", () => {
      const random = rng(12);
      const keys = Array.from({ length: 4 }, () => randomWallet());
      // The VC-JOSE form (the credential is the payload) and the VC 1.1 form (a vc claim), with and without an id.
      const jose = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        type: ["VerifiableCredential"],
        iss: `did:ethr:0x${"11".repeat(20)}`,
        jti: "urn:uuid:5b0e6c1a-1f7d-4f0e-9a51-0c4d1c2b7a11",
        nbf: 1_700_000_000,
        credentialSubject: { id: "did:example:ada", grade: "A" },
      };
      const vc11 = {
        iss: jose.iss,
        jti: jose.jti,
        nbf: jose.nbf,
        vc: { type: ["VerifiableCredential"], credentialSubject: { id: "did:example:ada", grade: "A" } },
      };
      const { jti: _a, ...joseNoId } = jose;
      const { jti: _b, ...vc11NoId } = vc11;
      for (const base of [jose, vc11, joseNoId, vc11NoId] as Record<string, unknown>[]) {
        const identity = typeof base.jti === "string" ? credentialIdHash(base.jti) : credentialHash(base);
        for (let i = 0; i < 50; i++) {
          const alg: Alg = random() < 0.5 ? "ES256K" : "ES256K-R";
          const header: Record<string, unknown> = { alg, typ: random() < 0.5 ? "JWT" : "vc+jwt" };
          if (random() < 0.5) header.kid = `${String(base.iss)}#controller`;
          if (random() < 0.3) header.cty = "vc";
          // The same claims in another member order: the canonical JSON is the same.
          const claims = random() < 0.5 ? base : Object.fromEntries(Object.entries(base).reverse());
          const token = signJwt(claims, keys[Math.floor(random() * keys.length)]!, { header, alg });
          const hashes = revocationHashesOf(payloadOf(token), token);
          expect(hashes.credential).to.equal(credentialHash(base));
          expect(hashes.identity).to.equal(identity);
          // A VC 1.1 token is also revoked by its bytes' hash, as earlier releases revoked it; a VC-JOSE one is not.
          expect(hashes.all).to.deep.equal("vc" in base ? [identity, keccak256(toUtf8Bytes(token))] : [identity]);
        }
      }
      // Any change of a claim is another credential (by its credential hash; by its id when the id changes).
      const changed = [
        { ...jose, jti: `${jose.jti}0` },
        { ...jose, nbf: jose.nbf + 1 },
        { ...jose, credentialSubject: { ...jose.credentialSubject, grade: "B" } },
        { ...jose, exp: 1_800_000_000 },
      ];
      expect(new Set([credentialHash(jose), ...changed.map((c) => credentialHash(c))]).size).to.equal(
        changed.length + 1,
      );
    });

    it("a payload that is not canonical JSON (a lone surrogate) has no credential hash; its id names it, else its token", () => {
      const token = signJwt(
        '{"iss":"did:ethr:0x1111111111111111111111111111111111111111","jti":"urn:x","note":"\\ud800"}',
        randomWallet(),
      );
      const withId = revocationHashesOf(payloadOf(token), token);
      expect([withId.credential, withId.identity, withId.all]).to.deep.equal([
        undefined,
        credentialIdHash("urn:x"),
        [credentialIdHash("urn:x")],
      ]);
      const anonymous = signJwt(
        '{"iss":"did:ethr:0x1111111111111111111111111111111111111111","note":"\\ud800"}',
        randomWallet(),
      );
      expect(revocationHashesOf(payloadOf(anonymous), anonymous).all).to.deep.equal([
        keccak256(toUtf8Bytes(anonymous)),
      ]);
    });
  });

  describe("on chain, through the agent", () => {
    let w: AgentWorld;
    let funder: JsonRpcSigner;
    let learner: string;
    let authority: string;

    before(async () => {
      w = await createAgentWorld("in-process");
      funder = await (w.network.provider as BrowserProvider).getSigner(0);
      learner = (await w.agent.lerCreateIdentity({ alias: "learner" })).did;
      authority = (await w.agent.lerCreateIdentity({ alias: "authority" })).did;
      await w.agent.lerRegisterType({ governor: w.governor, name: "Degree" });
      await w.agent.lerAddRoot({ governor: w.governor, root: authority, types: ["Degree"] });
    });
    after(async () => w?.close());

    const verify = async (jwt: string) => w.agent.lerVerifyCredential({ credential: jwt, now: await w.now() });

    /** An accredited issuer whose owner key is known (to re-sign with it later), with one anchored credential. */
    async function issuerWithCredential(alias: string) {
      const ownerKey = randomWallet();
      const issuer = (await w.agent.lerImportIdentity({ alias, privateKeyHex: ownerKey.privateKey })).did;
      await w.agent.lerAccredit({ accreditor: authority, subject: issuer, role: "issuer", types: ["Degree"] });
      await (await funder.sendTransaction({ to: ownerKey.address, value: parseEther("1") })).wait();
      const registry = new Contract(
        w.network.deployment.contracts.EthereumDIDRegistry.address,
        didRegistryArtifact().abi,
        ownerKey.connect(w.network.provider),
      );
      const { credentials } = await w.agent.lerIssueCredentials({
        issuer,
        credentials: [{ subject: learner, achievement: degree }],
      });
      return { issuer, ownerKey, registry, jwt: credentials[0]!.jwt, id: credentials[0]!.id };
    }

    it("an anchored credential revoked by hash stays revoked when a key valid at its anchor re-signs the same claims", async () => {
      const { issuer, ownerKey, registry, jwt } = await issuerWithCredential("Rotating University");
      // A delegate, valid when the batch was anchored, revoked later.
      const delegate = randomWallet();
      await (
        await registry.getFunction("addDelegate")(
          issuer.split(":").pop()!,
          encodeBytes32String("veriKey"),
          delegate.address,
          365 * 86_400,
        )
      ).wait();
      await w.increaseTime(1);
      const { credentials } = await w.agent.lerIssueCredentials({
        issuer,
        credentials: [{ subject: learner, achievement: degree }],
      });
      const anchored = credentials[0]!.jwt;
      expect((await verify(anchored)).result).to.equal("valid");

      await w.agent.lerRevokeByHash({ issuer, credentials: [anchored, jwt] });
      // Both keys leave: the owner rotates (which revokes the delegate too).
      await w.agent.lerRotateOwner({ did: issuer });
      await w.increaseTime(1);

      const claims = payloadOf(anchored);
      const twins = {
        original: anchored,
        "old owner key, ES256K-R": signJwt(claims, ownerKey, { alg: "ES256K-R" }),
        "old owner key, another kid": signJwt(claims, ownerKey, {
          header: { alg: "ES256K", typ: "JWT", kid: `${issuer}#controller` },
        }),
        "revoked delegate, ES256K": signJwt(claims, delegate),
        "revoked delegate, ES256K-R": signJwt(claims, delegate, { alg: "ES256K-R" }),
      };
      for (const [name, token] of Object.entries(twins)) {
        const r = await verify(token);
        // The re-signed tokens are well signed for the anchor's time: only the revocation stops them.
        expect(codes(r).signature, name).to.equal("pass:signature_valid");
        expect(codes(r).anchor, name).to.equal("pass:anchored");
        expect(codes(r).status, name).to.equal("fail:credential_revoked");
        expect(r.result, name).to.equal("invalid");
      }
      // A malleated (high-S) or re-encoded signature is refused before any of that.
      for (const token of [malleate(anchored), nonCanonicalSignature(anchored)]) {
        const r = await verify(token);
        expect(r.result).to.equal("invalid");
        expect(codes(r).format).to.equal("fail:malformed_signature");
      }
      // The first credential, revoked in the same transaction.
      expect(codes(await verify(jwt)).status).to.equal("fail:credential_revoked");
    });

    it("a revocation by credential id revokes every token of that id; other credentials of the issuer stay valid", async () => {
      const { issuer, ownerKey, jwt, id } = await issuerWithCredential("Id University");
      const { credentials } = await w.agent.lerIssueCredentials({
        issuer,
        credentials: [{ subject: learner, achievement: degree }],
      });
      await w.agent.lerRevokeByHash({ issuer, credentials: [id] });
      const r = await verify(jwt);
      expect(codes(r).status).to.equal("fail:credential_revoked");
      expect(r.checks.find((c) => c.id === "status")!.details).to.deep.include({ hash: credentialIdHash(id) });
      expect(codes(await verify(signJwt(payloadOf(jwt), ownerKey, { alg: "ES256K-R" }))).status).to.equal(
        "fail:credential_revoked",
      );
      expect((await verify(credentials[0]!.jwt)).result).to.equal("valid");
    });

    it("a VC 1.1 credential whose token bytes an earlier release revoked stays revoked", async () => {
      const { issuer } = await issuerWithCredential("Legacy University");
      // Earlier releases issued VC 1.1 (a vc claim, through Veramo) and revoked a credential by its token's hash.
      const legacy = await w.agent.createVerifiableCredential({
        credential: asVc11(
          openBadgeCredential({
            id: "urn:uuid:0c7a3e1b-2d4f-4a6b-8c9d-0e1f2a3b4c5d",
            issuer: { id: issuer, name: "Legacy University" },
            subject: { id: learner },
            achievement: degree,
            issuedAt: new Date((await w.now()) * 1000 - 60_000),
          }),
        ) as never,
        proofFormat: "jwt",
      });
      const jwt = (legacy.proof as { jwt: string }).jwt;
      expect((await verify(jwt)).result).to.equal("valid");
      await w.agent.lerRevokeByHash({ issuer, credentials: [keccak256(toUtf8Bytes(jwt))] });
      const r = await verify(jwt);
      expect(codes(r).status).to.equal("fail:credential_revoked");
      expect(r.checks.find((c) => c.id === "status")!.details).to.deep.include({ hash: keccak256(toUtf8Bytes(jwt)) });
    });

    it("refuses to revoke another issuer's credential and an empty id, sending nothing", async () => {
      const a = await issuerWithCredential("Issuer A");
      const b = await issuerWithCredential("Issuer B");
      const before = await w.network.provider.getBlockNumber();
      const foreign = await rejection(w.agent.lerRevokeByHash({ issuer: a.issuer, credentials: [b.jwt] }));
      expect(foreign.code).to.equal("iss_mismatch");
      expect(foreign.message).to.match(/only its issuer can revoke it/);
      expect((await rejection(w.agent.lerRevokeByHash({ issuer: a.issuer, credentials: [" "] }))).code).to.equal(
        "invalid_argument",
      );
      expect(await w.network.provider.getBlockNumber()).to.equal(before);
      expect((await verify(b.jwt)).result).to.equal("valid");
    });
  });
});
