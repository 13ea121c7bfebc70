import { expect } from "chai";
import {
  Contract,
  encodeBytes32String,
  hexlify,
  parseEther,
  Wallet,
  type BrowserProvider,
  type JsonRpcSigner,
} from "ethers";
import { didRegistryArtifact } from "../../src/chain/artifacts.js";
import { achievement } from "../../src/credentials/index.js";
import { ISSUANCE_ANCHOR_MEMBER } from "../../src/credentials/merkle.js";
import type { CredentialReport } from "../../src/verify/report.js";
import { signJwt, payloadOf } from "../adversarial/jws.js";
import { createAgentWorld, type AgentWorld } from "../helpers/world.js";

const degree = achievement({
  id: "https://university.example/programs/bsc-cs",
  name: "BSc Computer Science",
  description: "Bachelor of Science in Computer Science",
  criteria: { narrative: "Completed 180 ECTS including a thesis." },
  achievementType: "Degree",
});

/** The payload without its issuance-anchor proof (which covers the jti): a forged credential that is never anchored. */
function withoutAnchorProof(payload: Record<string, unknown>): Record<string, unknown> {
  const { [ISSUANCE_ANCHOR_MEMBER]: _top, ...rest } = payload;
  if (typeof rest.vc === "object" && rest.vc !== null) {
    const { [ISSUANCE_ANCHOR_MEMBER]: _inVc, ...vc } = rest.vc as Record<string, unknown>;
    rest.vc = vc;
  }
  return rest;
}

/** The payload as another credential: a new `id`, mirrored in `jti`. */
const withId = (payload: Record<string, unknown>, id: string) => ({ ...payload, id, jti: id });

const codes = (r: CredentialReport) => Object.fromEntries(r.checks.map((c) => [c.id, `${c.outcome}:${c.code}`]));

// Issue 12, item 3: rotating the owner, the answer to a key compromise, must not leave the attacker's delegates and
// public-key attributes in force.
describe("agent: owner rotation after a key compromise revokes delegates and public-key attributes", function () {
  this.timeout(120_000);
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

  /** An accredited issuer whose owner key has leaked: the attacker holds it too. */
  async function compromisedIssuer(alias: string) {
    const leaked = Wallet.createRandom();
    const issuer = (await w.agent.lerImportIdentity({ alias, privateKeyHex: leaked.privateKey })).did;
    await w.agent.lerAccredit({ accreditor: authority, subject: issuer, role: "issuer", types: ["Degree"] });
    await (await funder.sendTransaction({ to: leaked.address, value: parseEther("1") })).wait();
    const registry = new Contract(
      w.network.deployment.contracts.EthereumDIDRegistry.address,
      didRegistryArtifact().abi,
      leaked.connect(w.network.provider),
    );
    // A template the attacker re-signs: a genuine credential of the issuer, never anchored.
    const { credentials } = await w.agent.lerIssueCredentials({
      issuer,
      credentials: [{ subject: learner, achievement: degree }],
      anchor: false,
    });
    return { issuer, leaked, registry, template: withoutAnchorProof(payloadOf(credentials[0]!.jwt)) };
  }

  it("a veriKey delegate the leaked key added signs valid credentials before rotation and invalid ones after", async () => {
    const { issuer, registry, template } = await compromisedIssuer("Leaky University");
    const delegate = Wallet.createRandom();
    await (
      await registry.getFunction("addDelegate")(
        issuer.split(":").pop()!,
        encodeBytes32String("veriKey"),
        delegate.address,
        365 * 86_400,
      )
    ).wait();
    // A new id (`jti` mirrors `id`) for each forgery.
    const forged = (n: number) =>
      signJwt(withId(template, `${String(template.jti ?? "urn:forged")}-${n}`), delegate.privateKey);
    // The control: the delegate signs for the issuer. Before the fix, forged(2) below, after the rotation, was valid too.
    expect((await verify(forged(1))).result).to.equal("valid");

    const rotated = await w.agent.lerRotateOwner({ did: issuer });
    // ERC-1056 ends a revoked delegate at the revoking block's time, which still counts as live in that second.
    await w.increaseTime(1);
    // Signed by the delegate after the rotation, unanchored: judged against today's keys, where it has none.
    const r = await verify(forged(2));
    expect(r.result).to.equal("invalid");
    expect(codes(r).signature).to.equal("fail:invalid_signature");
    expect(rotated.revoked.map((r) => (r.kind === "delegate" ? [r.delegateType, r.delegate] : [r.name]))).to.deep.equal(
      [["veriKey", delegate.address]],
    );
    expect(rotated.revoked[0]!.tx.block).to.be.greaterThan(rotated.tx.block - 1);
    // The issuer's new key still issues.
    const { credentials } = await w.agent.lerIssueCredentials({
      issuer,
      credentials: [{ subject: learner, achievement: degree }],
      anchor: false,
    });
    expect((await verify(credentials[0]!.jwt)).result).to.equal("valid");
  });

  it("a did/pub secp256k1 attribute the leaked key added is revoked too; expired and already revoked ones are left", async () => {
    const { issuer, registry, template } = await compromisedIssuer("Leaky College");
    const identity = issuer.split(":").pop()!;
    const attackerKey = Wallet.createRandom();
    const name = encodeBytes32String("did/pub/Secp256k1/veriKey/hex");
    const value = attackerKey.signingKey.compressedPublicKey;
    await (await registry.getFunction("setAttribute")(identity, name, value, 365 * 86_400)).wait();
    // Already gone: a delegate revoked by the attacker itself, and one that expires before the rotation.
    const gone = Wallet.createRandom();
    await (
      await registry.getFunction("addDelegate")(identity, encodeBytes32String("veriKey"), gone.address, 365 * 86_400)
    ).wait();
    await (await registry.getFunction("revokeDelegate")(identity, encodeBytes32String("veriKey"), gone.address)).wait();
    const brief = Wallet.createRandom();
    await (
      await registry.getFunction("addDelegate")(identity, encodeBytes32String("sigAuth"), brief.address, 10)
    ).wait();
    await w.increaseTime(100);
    expect((await verify(signJwt(withId(template, "urn:forged-attr-1"), attackerKey.privateKey))).result).to.equal(
      "valid",
    );

    const rotated = await w.agent.lerRotateOwner({ did: issuer });
    expect((await verify(signJwt(withId(template, "urn:forged-attr-2"), attackerKey.privateKey))).result).to.equal(
      "invalid",
    );
    expect(
      rotated.revoked.map((r) => (r.kind === "attribute" ? [r.name, r.value] : [r.delegateType, r.delegate])),
    ).to.deep.equal([["did/pub/Secp256k1/veriKey/hex", hexlify(value)]]);
  });

  it("an identity with no delegates rotates with nothing to revoke", async () => {
    const plain = (await w.agent.lerCreateIdentity({ alias: "plain" })).did;
    const rotated = await w.agent.lerRotateOwner({ did: plain });
    expect(rotated.revoked).to.deep.equal([]);
    expect(rotated.owner).to.not.equal(rotated.address);
  });
});
