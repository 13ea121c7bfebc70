import { expect } from "chai";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Wallet, ZeroHash, getBytes } from "ethers";
import { createJWT, ES256KSigner } from "did-jwt";
import { createVerifiableCredentialJwt } from "did-jwt-vc";
import { createCredential, createList } from "@digitalbazaar/vc-bitstring-status-list";
import { signAccreditationConsent } from "../../src/chain/signedCall.js";
import { achievement, openBadgeCredential } from "../../src/credentials/index.js";
import { joseCredentialPayload } from "../../src/credentials/jose.js";
import { verifyCredentials } from "../../src/verify/credential.js";
import type { Check, CredentialReport } from "../../src/verify/report.js";
import { createAgentWorld, type AgentWorld } from "../helpers/world.js";
import { asVc11 } from "../helpers/vc11.js";

// A credential another tool issued, whose only status is a W3C BitstringStatusListEntry: `ler verify` (the agent's
// verification, which the CLI calls) fetches the list, checks it is the issuer's and signed by it, and reads the bit.
// Whatever goes wrong with the list makes the status unknown, never valid.

interface Route {
  status?: number;
  body: string;
  /** Never answer (until the server closes). */
  hang?: boolean;
}

describe("a credential with only a standard BitstringStatusListEntry (issued by another tool)", function () {
  this.timeout(120_000);
  let w: AgentWorld;
  let http: Server;
  let origin: string;
  let closedPort: string;
  let learner: string;
  let now: number;
  const routes = new Map<string, Route>();
  const hits = new Map<string, number>();
  const academy = Wallet.createRandom();
  const stranger = Wallet.createRandom();
  let academyDid: string;
  let strangerDid: string;

  const certificate = achievement({
    id: "https://academy.example/cert/data",
    name: "Data Analysis Certificate",
    description: "Six-week course",
    criteria: { narrative: "Passed the final project." },
    achievementType: "Certificate",
  });

  /** A list as another tool makes one: Digital Bazaar's library, secured as a VC-JOSE JWT by `signer`. */
  const listJwt = async (
    url: string,
    set: number[],
    o: { purpose?: string; signer?: { privateKey: string }; issuer?: string; validUntil?: string } = {},
  ) => {
    const list = await createList({ length: 131_072 });
    for (const i of set) list.setStatus(i, true);
    const credential = await createCredential({ id: url, list, statusPurpose: o.purpose ?? "revocation" });
    const issuer = o.issuer ?? academyDid;
    const payload = {
      ...credential,
      issuer,
      validFrom: new Date((now - 60) * 1000).toISOString(),
      ...(o.validUntil !== undefined && { validUntil: o.validUntil }),
    };
    return createJWT(
      payload,
      { issuer, signer: ES256KSigner(getBytes((o.signer ?? academy).privateKey)), alg: "ES256K" },
      { typ: "vc+jwt" } as never,
    );
  };
  const entry = (path: string, index: number, purpose = "revocation") => ({
    id: `${origin}${path}#${index}`,
    type: "BitstringStatusListEntry",
    statusPurpose: purpose,
    statusListIndex: String(index),
    statusListCredential: `${origin}${path}`,
  });
  /** The academy's credential, VC 2.0 secured VC-JOSE (as Open Badges 3.0 says) or VC-JWT 1.1 (stock did-jwt-vc). */
  const credentialJwt = async (credentialStatus: unknown, form: "vc-jose" | "vc-jwt-1.1" = "vc-jose") => {
    const base = openBadgeCredential({
      id: "urn:uuid:5b0c4b1e-2f3d-4c5b-8a9e-0b1c2d3e4f51",
      issuer: { id: academyDid, name: "External Academy" },
      subject: { id: learner },
      achievement: certificate,
      issuedAt: new Date((now - 10) * 1000),
    });
    const credential = { ...base, credentialStatus };
    const signer = ES256KSigner(getBytes(academy.privateKey));
    if (form === "vc-jwt-1.1")
      return createVerifiableCredentialJwt(asVc11(credential) as never, { did: academyDid, signer, alg: "ES256K" });
    const { iss: _iss, ...payload } = joseCredentialPayload(credential);
    return createJWT(payload, { issuer: academyDid, signer, alg: "ES256K" }, { typ: "vc+jwt" } as never);
  };
  const verify = (jwt: string) => w.agent.lerVerifyCredential({ credential: jwt, now });
  const status = (r: CredentialReport): Check => r.checks.find((c) => c.id === "status")!;

  before(async () => {
    w = await createAgentWorld("json-rpc");
    const { agent } = w;
    academyDid = `did:ethr:${w.network.name}:${academy.address}`;
    strangerDid = `did:ethr:${w.network.name}:${stranger.address}`;
    const root = await agent.lerCreateIdentity({ alias: "root" });
    learner = (await agent.lerCreateIdentity({ alias: "learner" })).did;
    await agent.lerRegisterType({ governor: w.governor, name: "Certificate" });
    await agent.lerAddRoot({ governor: w.governor, root: root.did, types: ["Certificate"] });
    // The academy's key is not in this agent: its owner consents to the terms, the root sends them.
    const deadline = (await w.now()) + 3600;
    const consent = await signAccreditationConsent(academy, {
      verifyingContract: w.network.deployment.contracts.TrustRegistry.address,
      chainId: w.network.chainId,
      terms: {
        parent: root.address,
        subject: academy.address,
        role: 1,
        scope: 1n,
        validFrom: 0,
        validUntil: 2 ** 40 - 1,
        metadataHash: ZeroHash,
        deadline,
      },
    });
    await agent.lerAccredit({
      accreditor: root.did,
      subject: academyDid,
      role: "issuer",
      types: ["Certificate"],
      consent,
      deadline,
    });
    now = (await w.now()) + 1;

    http = createServer((req, res) => {
      const path = req.url ?? "/";
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const route = routes.get(path);
      if (route?.hang === true) return;
      if (route === undefined) return void res.writeHead(404).end("not here");
      res.writeHead(route.status ?? 200, { "content-type": "application/vc+jwt" }).end(route.body);
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    // A port nothing listens on: bound, then released.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    closedPort = String((probe.address() as AddressInfo).port);
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    routes.set("/lists/1", { body: await listJwt(`${origin}/lists/1`, [5, 131_071]) });
    routes.set("/lists/2", { body: await listJwt(`${origin}/lists/2`, [7], { purpose: "suspension" }) });
    routes.set("/lists/stranger", {
      body: await listJwt(`${origin}/lists/stranger`, [], { signer: stranger, issuer: strangerDid }),
    });
    routes.set("/lists/forged", { body: await listJwt(`${origin}/lists/forged`, [], { signer: stranger }) });
    routes.set("/lists/expired", {
      body: await listJwt(`${origin}/lists/expired`, [], { validUntil: new Date((now - 3600) * 1000).toISOString() }),
    });
    routes.set("/lists/huge", { body: "a".repeat(300 * 1024) });
    routes.set("/lists/html", { body: "<html>maintenance</html>" });
    routes.set("/lists/down", { status: 503, body: "" });
    routes.set("/lists/slow", { body: "", hang: true });
  });
  after(async () => {
    http?.closeAllConnections();
    await new Promise<void>((resolve) => (http === undefined ? resolve() : http.close(() => resolve())));
    await w?.close();
  });

  it("not revoked: valid, the bit read from the issuer's signed list", async () => {
    const r = await verify(await credentialJwt([entry("/lists/1", 3)]));
    expect(r.result, JSON.stringify(r.checks)).to.equal("valid");
    expect(status(r)).to.deep.include({ outcome: "pass", code: "not_revoked" });
    expect(status(r).details).to.deep.equal({
      lists: [{ purpose: "revocation", url: `${origin}/lists/1`, index: "3" }],
    });
  });

  it("revoked: invalid, credential_revoked, in either credential form", async () => {
    for (const form of ["vc-jose", "vc-jwt-1.1"] as const) {
      const r = await verify(await credentialJwt([entry("/lists/1", 5)], form));
      expect([r.result, status(r).code], form).to.deep.equal(["invalid", "credential_revoked"]);
      const last = await verify(await credentialJwt([entry("/lists/1", 131_071)], form));
      expect([last.result, status(last).code], form).to.deep.equal(["invalid", "credential_revoked"]);
    }
  });

  it("suspended: invalid, credential_suspended; a revocation entry beside it that is clear does not hide it", async () => {
    const r = await verify(await credentialJwt([entry("/lists/1", 7), entry("/lists/2", 7, "suspension")]));
    expect([r.result, status(r).code]).to.deep.equal(["invalid", "credential_suspended"]);
    const clear = await verify(await credentialJwt([entry("/lists/1", 8), entry("/lists/2", 8, "suspension")]));
    expect([clear.result, status(clear).code]).to.deep.equal(["valid", "not_revoked"]);
  });

  const unknown: [string, () => unknown, string][] = [
    [
      "the list unreachable (nothing listens)",
      () => ({ ...entry("/lists/1", 3), statusListCredential: `http://127.0.0.1:${closedPort}/lists/1` }),
      "status_list_unreachable",
    ],
    ["the list's host answering 503", () => entry("/lists/down", 3), "status_list_unreachable"],
    ["no list at the URL (404)", () => entry("/lists/none", 3), "status_list_unreachable"],
    ["a list signed by someone else, as its own issuer", () => entry("/lists/stranger", 3), "status_list_wrong_issuer"],
    [
      "a list naming the issuer but signed by another key",
      () => entry("/lists/forged", 3),
      "status_list_invalid_signature",
    ],
    ["a list larger than the limit (300 KiB)", () => entry("/lists/huge", 3), "status_list_too_large"],
    ["a page that is no status list", () => entry("/lists/html", 3), "status_list_malformed"],
    ["a list whose validity ended", () => entry("/lists/expired", 3), "status_list_expired"],
    ["a list for another purpose than the entry's", () => entry("/lists/2", 3), "status_list_malformed"],
  ];
  for (const [name, make, code] of unknown) {
    it(`${name}: unknown (${code}), never valid`, async () => {
      const r = await verify(await credentialJwt([make()]));
      expect(r.result, JSON.stringify(r.checks)).to.equal("unknown");
      expect(status(r)).to.deep.include({ outcome: "unknown", code });
    });
  }

  it("a list that does not arrive in time: unknown (status_list_timeout); a batch fetches each list once", async () => {
    const ctx = { provider: w.network.provider, deployment: w.network.deployment, networkName: w.network.name };
    const slow = await credentialJwt([entry("/lists/slow", 3)]);
    const revoked = await credentialJwt([entry("/lists/1", 5)]);
    const clear = await credentialJwt([entry("/lists/1", 3)]);
    const before = hits.get("/lists/1") ?? 0;
    const started = Date.now();
    const [a, b, c] = await verifyCredentials(ctx, [slow, revoked, clear], { now, statusLists: { timeoutMs: 300 } });
    expect(Date.now() - started).to.be.below(5_000);
    expect([a!.result, status(a!).code]).to.deep.equal(["unknown", "status_list_timeout"]);
    expect([b!.result, status(b!).code]).to.deep.equal(["invalid", "credential_revoked"]);
    expect([c!.result, status(c!).code]).to.deep.equal(["valid", "not_revoked"]);
    expect((hits.get("/lists/1") ?? 0) - before).to.equal(1);
  });

  it("a verifier told not to fetch says unknown, and so does a credential whose status purpose it cannot read", async () => {
    const ctx = {
      provider: w.network.provider,
      deployment: w.network.deployment,
      networkName: w.network.name,
      fetchStatusList: false as const,
    };
    const [r] = await verifyCredentials(ctx, [await credentialJwt([entry("/lists/1", 3)])], { now });
    expect([r!.result, status(r!).code]).to.deep.equal(["unknown", "status_list_unreachable"]);
    const message = await verify(await credentialJwt([entry("/lists/1", 3), entry("/lists/3", 3, "message")]));
    expect([message.result, status(message).code]).to.deep.equal(["unknown", "unsupported_status_purpose"]);
  });
});
