import { expect } from "chai";
import { Contract, decodeBase64, encodeBase64, toUtf8String, type BrowserProvider } from "ethers";
import { achievement, type Achievement } from "../../src/credentials/index.js";
import { didRegistryArtifact } from "../../src/chain/artifacts.js";
import { verifyCredentials, type VerifierContext } from "../../src/verify/credential.js";
import type { CredentialReport } from "../../src/verify/report.js";
import { createAgentWorld, type AgentWorld } from "../helpers/world.js";

const degree: Achievement = achievement({
  id: "https://university.example/programs/msc",
  name: "MSc Data Science",
  description: "Master of Science in Data Science",
  criteria: { narrative: "Completed 120 ECTS including a thesis." },
  achievementType: "Degree",
});

const notPass = (r: CredentialReport) => JSON.stringify(r.checks.filter((c) => c.outcome !== "pass"));

const b64url = {
  decode: (s: string) =>
    toUtf8String(decodeBase64(s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4))),
  encode: (s: string) =>
    encodeBase64(new TextEncoder().encode(s)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""),
};

/**
 * Issue 12, item 1: anyone may set an ERC-1056 attribute on their own identity whose name is not UTF-8, then hand
 * the verifier a junk credential naming that identity as issuer. The batch it rides in must still be answered: that
 * credential not valid, the others as they would be without it.
 */
describe("a DID whose history holds an attribute name that is not UTF-8 (issue 12, item 1)", function () {
  this.timeout(120_000);
  let w: AgentWorld;
  let university: string;
  let learner: string;

  before(async () => {
    w = await createAgentWorld("in-process");
    const { agent } = w;
    const root = (await agent.lerCreateIdentity({ alias: "Authority" })).did;
    university = (await agent.lerCreateIdentity({ alias: "University" })).did;
    learner = (await agent.lerCreateIdentity({ alias: "Learner" })).did;
    await agent.lerRegisterType({ governor: w.governor, name: "Degree" });
    await agent.lerAddRoot({ governor: w.governor, root, types: ["Degree"] });
    await agent.lerAccredit({ accreditor: root, subject: university, role: "issuer", types: ["Degree"] });
  });
  after(async () => {
    await w?.close();
  });

  const ctx = (): VerifierContext => ({
    provider: w.network.provider,
    deployment: w.network.deployment,
    networkName: w.network.name,
    cache: false,
  });
  const clock = async () => Math.max(await w.now(), Math.floor(Date.now() / 1000));

  it("is confined to the credential naming it: the legitimate one in the same batch stays valid", async () => {
    const [legit] = (
      await w.agent.lerIssueCredentials({
        issuer: university,
        credentials: [{ subject: learner, achievement: degree }],
      })
    ).credentials;
    const alone = await verifyCredentials(ctx(), [legit!.jwt], { now: await clock() });
    expect(alone[0]!.result, notPass(alone[0]!)).to.equal("valid");

    // An unlocked node account poisons its own DID: setAttribute with a bytes32 name of 0xff bytes.
    const poisoner = await (w.network.provider as BrowserProvider).getSigner(5);
    const identity = await poisoner.getAddress();
    const registry = new Contract(
      w.network.deployment.contracts.EthereumDIDRegistry.address,
      didRegistryArtifact().abi,
      poisoner,
    );
    await (await registry.getFunction("setAttribute")(identity, `0x${"ff".repeat(32)}`, "0x1234", 86_400)).wait();
    // A second attribute, not UTF-8 only in part (an overlong encoding after a valid prefix).
    await (
      await registry.getFunction("setAttribute")(
        identity,
        `0x${Buffer.from("did/pub/Secp256k1/").toString("hex")}c0af${"00".repeat(12)}`,
        "0x02",
        86_400,
      )
    ).wait();

    // The junk credential: the legitimate one with the issuer's DID replaced by the poisoned one (its signature is
    // the university's, so it cannot verify).
    const poisonDid = `did:ethr:${w.network.name}:${identity}`;
    const [h, p, s] = legit!.jwt.split(".") as [string, string, string];
    const junk = `${h}.${b64url.encode(b64url.decode(p).split(university).join(poisonDid))}.${s}`;
    expect(b64url.decode(junk.split(".")[1]!)).to.include(poisonDid);

    const reports = await verifyCredentials(ctx(), [legit!.jwt, junk], { now: await clock() });
    expect(reports).to.have.length(2);
    expect(reports[0]!.result, notPass(reports[0]!)).to.equal("valid");
    expect(reports[1]!.result).to.not.equal("valid");
    expect(reports[1]!.credential.issuer ?? poisonDid).to.equal(poisonDid);

    // The poisoned credential alone, and in the other order.
    const [only] = await verifyCredentials(ctx(), [junk], { now: await clock() });
    expect(only!.result).to.not.equal("valid");
    const swapped = await verifyCredentials(ctx(), [junk, legit!.jwt], { now: await clock() });
    expect(swapped.map((r) => r.result === "valid")).to.deep.equal([false, true]);
  });
});
