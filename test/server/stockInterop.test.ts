import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { decodeJWT, verifyJWT } from "did-jwt";
import { verifyCredential as stockVerifyCredential } from "did-jwt-vc";
import { Resolver } from "did-resolver";
import { checkStatus, decodeList } from "@digitalbazaar/vc-bitstring-status-list";
import { ethrResolver } from "../../src/agent/agent.js";
import type { IssuedCredential } from "../../src/agent/types.js";
import { achievement, LIST_SIZE } from "../../src/credentials/index.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import type { Check } from "../../src/verify/report.js";
import { createAgentWorld, type AgentWorld } from "../helpers/world.js";

// A stock verifier — did-jwt-vc for the credential, did-jwt for the list's signature, Digital Bazaar's Bitstring
// Status List library for the status — against credentials this agent issues and lists it publishes, served by
// `ler serve --status-dir`. It knows nothing of LERStatusRegistryEntry or of the chain.

describe("revocation and suspension that stock verifiers honour", function () {
  this.timeout(180_000);
  let w: AgentWorld;
  let server: RunningServer;
  let dir: string;
  let base: string;
  let university: string;
  let fresh: IssuedCredential;
  let revoked: IssuedCredential;
  let suspended: IssuedCredential;

  const stock = () => new Resolver(ethrResolver(w.network));
  const degree = achievement({
    id: "https://university.example/degrees/ba",
    name: "BA History",
    description: "Bachelor of Arts in History",
    criteria: { narrative: "Passed every module." },
    achievementType: "Degree",
  });

  /** `ler issuer publish-status`, as the library does it: signed lists written under the served directory. */
  const publish = async () => {
    const published = await w.agent.lerPublishStatusList({ issuer: university, statusListBaseUrl: base });
    for (const l of published.lists) {
      const file = join(dir, ...l.path.split("/"));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, l.jwt);
    }
    return published;
  };

  /** What a stock verifier concludes: did-jwt-vc verifies the credential, then each BitstringStatusListEntry is checked. */
  const stockStatus = async (jwt: string): Promise<Record<string, boolean>> => {
    const verified = await stockVerifyCredential(jwt, stock(), { policies: { format: false } });
    expect(verified.verified).to.equal(true);
    const credential = decodeJWT(jwt).payload;
    // The library checks Data Integrity proofs only: the list's JWT is checked here with stock did-jwt first.
    const documentLoader = async (url: string) => {
      const r = await fetch(url);
      expect(r.status, url).to.equal(200);
      const { payload } = await verifyJWT(await r.text(), { resolver: stock() });
      return { document: payload, documentUrl: url, contextUrl: null };
    };
    const result = await checkStatus({ credential, documentLoader, verifyBitstringStatusListCredential: false });
    expect(result.verified, String(result.error)).to.equal(true);
    return Object.fromEntries(result.results!.map((r) => [r.credentialStatus.statusPurpose, r.status]));
  };

  const statusChecks = (checks: readonly Check[]) =>
    checks
      .filter((c) => c.id === "status")
      .map((c) => `${c.outcome}:${c.code}${c.details?.purpose ? `:${c.details.purpose}` : ""}`);

  before(async () => {
    w = await createAgentWorld("json-rpc");
    const { agent } = w;
    dir = mkdtempSync(join(tmpdir(), "ler-status-"));
    server = await startServer({ network: w.network, port: 0, statusDir: dir, refreshIntervalMs: 0 });
    base = `${server.url}/v1/status-list-credentials`;
    const root = (await agent.lerCreateIdentity({ alias: "root" })).did;
    university = (await agent.lerCreateIdentity({ alias: "university" })).did;
    const learner = (await agent.lerCreateIdentity({ alias: "learner" })).did;
    await agent.lerRegisterType({ governor: w.governor, name: "Degree" });
    await agent.lerAddRoot({ governor: w.governor, root, types: ["Degree"] });
    await agent.lerAccredit({ accreditor: root, subject: university, role: "issuer", types: ["Degree"] });
    const issued = await agent.lerIssueCredentials({
      issuer: university,
      statusListBaseUrl: base,
      credentials: [0, 1, 2].map(() => ({ subject: learner, achievement: degree })),
    });
    [fresh, revoked, suspended] = issued.credentials as [IssuedCredential, IssuedCredential, IssuedCredential];
    await agent.lerRevoke({ issuer: university, entries: [{ list: revoked.list, index: revoked.index }] });
    await agent.lerSuspend({ issuer: university, entries: [{ list: suspended.list, index: suspended.index }] });
    await publish();
  });
  after(async () => {
    await server?.close();
    await w?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("issued credentials carry the LER entry and one BitstringStatusListEntry per purpose, on the same list and index", () => {
    const { payload } = decodeJWT(fresh.jwt);
    const status = payload.credentialStatus as Record<string, string>[];
    expect(status.map((e) => e.type)).to.deep.equal([
      "LERStatusRegistryEntry",
      "BitstringStatusListEntry",
      "BitstringStatusListEntry",
    ]);
    const address = university.split(":").pop()!;
    for (const [i, purpose] of [
      [1, "revocation"],
      [2, "suspension"],
    ] as const) {
      expect(status[i]).to.deep.equal({
        id: `${base}/${address}/${fresh.list}/${purpose}#${fresh.index}`,
        type: "BitstringStatusListEntry",
        statusPurpose: purpose,
        statusListIndex: String(fresh.index),
        statusListCredential: `${base}/${address}/${fresh.list}/${purpose}`,
      });
    }
    expect([status[0]!.statusList, status[0]!.statusListIndex]).to.deep.equal([fresh.list, String(fresh.index)]);
  });

  it("the published lists are issuer-signed VC-JOSE JWTs that stock did-jwt verifies, whose bits Digital Bazaar's library decodes", async () => {
    const url = `${base}/${university.split(":").pop()}/${revoked.list}/revocation`;
    const r = await fetch(url);
    expect(r.status).to.equal(200);
    expect(r.headers.get("content-type")).to.equal("application/vc+jwt");
    const jwt = await r.text();
    expect(decodeJWT(jwt).header).to.deep.include({ alg: "ES256K", typ: "vc+jwt" });
    const { payload, issuer } = await verifyJWT(jwt, { resolver: stock() });
    expect(issuer).to.equal(university);
    expect(payload).to.deep.include({ iss: university, jti: url, sub: `${url}#list`, id: url, issuer: university });
    expect(payload.type).to.deep.equal(["VerifiableCredential", "BitstringStatusListCredential"]);
    expect(payload.credentialSubject).to.deep.include({
      id: `${url}#list`,
      type: "BitstringStatusList",
      statusPurpose: "revocation",
    });
    // Derived from the chain at a block, which it names.
    const head = await w.network.provider.getBlock("latest");
    expect(payload.statusRegistrySnapshot).to.deep.include({
      type: "LERStatusRegistrySnapshot",
      chainId: w.network.chainId,
      registry: w.network.deployment.contracts.StatusRegistry.address,
      statusList: revoked.list,
    });
    expect(payload.statusRegistrySnapshot.chainBlock).to.be.a("number").and.at.most(head!.number);
    expect(payload.validFrom).to.equal(new Date(payload.nbf! * 1000).toISOString().replace(".000Z", "Z"));

    const list = await decodeList({ encodedList: payload.credentialSubject.encodedList });
    expect(list.length).to.equal(LIST_SIZE);
    expect([list.getStatus(revoked.index), list.getStatus(fresh.index), list.getStatus(suspended.index)]).to.deep.equal(
      [true, false, false],
    );

    // A list changed after signing is refused by stock did-jwt.
    const [h, p, s] = jwt.split(".") as [string, string, string];
    const forged = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
    forged.credentialSubject.encodedList = payload.credentialSubject.encodedList.replace(/.$/, (c: string) =>
      c === "A" ? "B" : "A",
    );
    const refused = await verifyJWT(`${h}.${Buffer.from(JSON.stringify(forged)).toString("base64url")}.${s}`, {
      resolver: stock(),
    }).then(
      () => "verified",
      (e: Error) => e.message,
    );
    expect(refused).to.match(/signature/i);
  });

  it("a stock verifier sees the revoked credential as revoked, the suspended one as suspended, and the fresh one as neither", async () => {
    expect(await stockStatus(revoked.jwt)).to.deep.equal({ revocation: true, suspension: false });
    expect(await stockStatus(suspended.jwt)).to.deep.equal({ revocation: false, suspension: true });
    expect(await stockStatus(fresh.jwt)).to.deep.equal({ revocation: false, suspension: false });
  });

  it("ler verify decides by the chain; asked to, it also reads the published lists and reports that they agree", async () => {
    const plain = await w.agent.lerVerifyCredential({ credential: revoked.jwt });
    expect([plain.result, statusChecks(plain.checks)]).to.deep.equal(["invalid", ["fail:credential_revoked"]]);
    const checked = await w.agent.lerVerifyCredential({ credential: revoked.jwt, checkStatusLists: true });
    expect([checked.result, statusChecks(checked.checks)]).to.deep.equal([
      "invalid",
      ["fail:credential_revoked", "pass:status_list_agrees:revocation", "pass:status_list_agrees:suspension"],
    ]);
    const ok = await w.agent.lerVerifyCredential({ credential: fresh.jwt, checkStatusLists: true });
    expect([ok.result, statusChecks(ok.checks)]).to.deep.equal([
      "valid",
      ["pass:not_revoked", "pass:status_list_agrees:revocation", "pass:status_list_agrees:suspension"],
    ]);
  });

  it("after reinstatement the chain says valid at once; the list disagrees (reported) until published again, then no longer suspended", async () => {
    await w.agent.lerReinstate({ issuer: university, entries: [{ list: suspended.list, index: suspended.index }] });
    const stale = await w.agent.lerVerifyCredential({ credential: suspended.jwt, checkStatusLists: true });
    expect(stale.result).to.equal("valid");
    expect(statusChecks(stale.checks)).to.deep.equal([
      "pass:not_revoked",
      "pass:status_list_agrees:revocation",
      "skipped:status_list_disagrees:suspension",
    ]);
    const disagreement = stale.checks.find((c) => c.code === "status_list_disagrees")!;
    expect(disagreement.details).to.deep.include({ set: true, onChain: false, purpose: "suspension" });
    expect(disagreement.message).to.contain("publish");
    // A stock verifier reads the list, which is stale until the issuer publishes again.
    expect(await stockStatus(suspended.jwt)).to.deep.equal({ revocation: false, suspension: true });

    const published = await publish();
    expect(published.lists.find((l) => l.purpose === "suspension" && l.list === suspended.list)?.set).to.equal(0);
    expect(await stockStatus(suspended.jwt)).to.deep.equal({ revocation: false, suspension: false });
    const fresher = await w.agent.lerVerifyCredential({ credential: suspended.jwt, checkStatusLists: true });
    expect([fresher.result, statusChecks(fresher.checks)]).to.deep.equal([
      "valid",
      ["pass:not_revoked", "pass:status_list_agrees:revocation", "pass:status_list_agrees:suspension"],
    ]);
  });

  it("a list at the URL that is not the one the credential names (another list of the issuer) is reported, and still the chain decides", async () => {
    const address = university.split(":").pop()!;
    const file = join(dir, address, revoked.list, "revocation");
    // The suspension list of the same issuer put where the revocation list belongs: signed, but not that list.
    const other = await (await fetch(`${base}/${address}/${revoked.list}/suspension`)).text();
    writeFileSync(file, other);
    const r = await w.agent.lerVerifyCredential({ credential: fresh.jwt, checkStatusLists: true });
    expect(r.result).to.equal("valid");
    const unavailable = r.checks.find((c) => c.code === "status_list_unavailable");
    expect(unavailable?.details).to.deep.include({ purpose: "revocation", reason: "status_list_malformed" });
    await publish();
  });
});
