import { expect } from "chai";
import { readFileSync } from "node:fs";
import { buildServer } from "../../src/server/index.js";
import { decodeBitstring, bitAt, MIN_BITSTRING_ENTRIES } from "../../src/credentials/bitstring.js";
import type { CredentialReport, PresentationReport } from "../../src/verify/report.js";
import { course } from "./achievements.js";
import { createServerWorld, type ServerWorld } from "./world.js";

const exampleProfile = JSON.parse(
  readFileSync(new URL("../../examples/job-profile.json", import.meta.url), "utf8"),
) as unknown;

interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

describe("ler serve: HTTP API", function () {
  this.timeout(60_000);
  let sw: ServerWorld;

  before(async () => {
    sw = await createServerWorld();
  });
  after(async () => sw?.close());

  const get = async <T = any>(path: string): Promise<Reply<T>> => {
    const res = await fetch(`${sw.server.url}${path}`);
    return { status: res.status, headers: res.headers, body: (await res.json()) as T };
  };
  const post = async <T = any>(path: string, body: unknown, contentType = "application/json"): Promise<Reply<T>> => {
    const res = await fetch(`${sw.server.url}${path}`, {
      method: "POST",
      headers: { "Content-Type": contentType },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as T };
  };
  const codes = (r: CredentialReport) => Object.fromEntries(r.checks.map((c) => [c.id, `${c.outcome}:${c.code}`]));
  const expectError = (r: Reply, status: number, code: string) => {
    expect(r.status, JSON.stringify(r.body)).to.equal(status);
    expect(r.body.error.code).to.equal(code);
    expect(r.body.error.message).to.be.a("string").and.not.equal("");
  };
  /** The TRQP endpoint's errors: RFC 9457 problem details with the service's stable code as `code`. */
  const expectProblem = (r: Reply, status: number, code: string) => {
    expect(r.status, JSON.stringify(r.body)).to.equal(status);
    expect(r.headers.get("content-type")).to.match(/^application\/problem\+json/);
    expect(r.body).to.include({ status, code });
    expect(r.body.type).to.be.a("string");
    expect(r.body.detail).to.be.a("string").and.not.equal("");
  };

  describe("GET /v1/health", () => {
    it("reports the chain reachable, its block and the deployment", async () => {
      const r = await get("/v1/health");
      expect(r.status).to.equal(200);
      expect(r.body.status).to.equal("ok");
      expect(r.body.chain).to.include({ reachable: true, network: "localnet", chainId: 31337 });
      expect(r.body.chain.block).to.be.greaterThan(10);
      expect(r.body.contracts.TrustRegistry.address).to.equal(sw.w.network.deployment.contracts.TrustRegistry.address);
    });
  });

  describe("POST /v1/verify", () => {
    it("returns the library's report for a valid credential, with the named trust chain", async () => {
      const r = await post<CredentialReport>("/v1/verify", { credential: sw.jwt.degree });
      expect(r.status).to.equal(200);
      expect(r.body.result).to.equal("valid");
      expect(codes(r.body)).to.include({
        signature: "pass:signature_valid",
        trust: "pass:trusted",
        status: "pass:not_revoked",
        anchor: "pass:anchored",
      });
      expect(r.body.trustChain.map((l) => l.name)).to.deep.equal([
        "State University",
        "Regional Accreditation Agency",
        "National Qualifications Authority",
      ]);
    });

    it("names the chain from the registry's aliases only; the name a credential claims for its issuer stays its claim", async () => {
      // Code Bootcamp signed a certificate whose issuer.name says "State University".
      const r = await post<CredentialReport>("/v1/verify", { credential: sw.jwt.impostor });
      expect(r.body.result).to.equal("valid");
      expect(r.body.trustChain.map((l) => l.name)).to.deep.equal([
        "Code Bootcamp",
        "Regional Accreditation Agency",
        "National Qualifications Authority",
      ]);
      expect(r.body.credential.issuerName).to.equal("State University");
      // A service that knows no names shows none: the claim never stands in for the registry.
      const { app } = await buildServer({ network: sw.w.network, readTimeoutMs: 3000, now: sw.now });
      try {
        const bare = (
          await app.inject({ method: "POST", url: "/v1/verify", payload: { credential: sw.jwt.impostor } })
        ).json() as CredentialReport;
        expect(bare.trustChain).to.have.length(3);
        expect(bare.trustChain.map((l) => l.name)).to.deep.equal([undefined, undefined, undefined]);
        expect(bare.credential.issuerName).to.equal("State University");
      } finally {
        await app.close();
      }
    });

    it("accepts a W3C credential carrying the JWT in proof.jwt", async () => {
      const r = await post<CredentialReport>("/v1/verify", {
        credential: { type: ["VerifiableCredential"], proof: { type: "JwtProof2020", jwt: sw.jwt.bootcamp } },
      });
      expect(r.body.result).to.equal("valid");
    });

    it("revoked and suspended credentials are invalid with their codes", async () => {
      expect(codes((await post<CredentialReport>("/v1/verify", { credential: sw.jwt.revoked })).body).status).to.equal(
        "fail:credential_revoked",
      );
      const s = await post<CredentialReport>("/v1/verify", { credential: sw.jwt.suspended });
      expect(s.status).to.equal(200);
      expect(s.body.result).to.equal("invalid");
      expect(codes(s.body).status).to.equal("fail:credential_suspended");
    });

    it("a string that is not a JWT is a well-formed request about an invalid credential: 200, invalid", async () => {
      const r = await post<CredentialReport>("/v1/verify", { credential: "hello world" });
      expect(r.status).to.equal(200);
      expect(r.body.result).to.equal("invalid");
      expect(codes(r.body).format).to.equal("fail:malformed_jwt");
    });

    it("verifies a presentation with the verifier's challenge and domain, and refuses a replay", async () => {
      const ok = await post<PresentationReport>("/v1/verify", {
        presentation: sw.jwt.presentation,
        challenge: "c-2025-06",
        domain: "northwind.example",
      });
      expect(ok.body.kind).to.equal("presentation");
      expect(ok.body.result, JSON.stringify(ok.body.checks)).to.equal("valid");
      expect(ok.body.credentials).to.have.length(2);
      const replay = await post<PresentationReport>("/v1/verify", {
        presentation: sw.jwt.presentation,
        challenge: "another",
        domain: "northwind.example",
      });
      expect(replay.body.result).to.equal("invalid");
      expect(replay.body.checks.find((c) => c.id === "presentation" && c.outcome === "fail")?.code).to.equal(
        "challenge_mismatch",
      );
    });

    it("bad requests get 400 with { error: { code, message } }", async () => {
      expectError(await post("/v1/verify", "{not json"), 400, "invalid_json");
      expectError(
        await post("/v1/verify", { credential: sw.jwt.degree, presentation: sw.jwt.presentation }),
        400,
        "invalid_body",
      );
      expectError(await post("/v1/verify", {}), 400, "invalid_body");
      expectError(await post("/v1/verify", { credentail: sw.jwt.degree }), 400, "unknown_member");
      expectError(await post("/v1/verify", { credential: 42 }), 400, "invalid_parameter");
      expectError(await post("/v1/verify", { credential: sw.jwt.degree, challenge: "x" }), 400, "invalid_parameter");
      expectError(
        await post("/v1/verify", { presentation: sw.jwt.presentation, challenge: 7 }),
        400,
        "invalid_parameter",
      );
      expectError(await post("/v1/verify", sw.jwt.degree, "text/plain"), 400, "invalid_body");
      expectError(await post("/v1/verify", "<x/>", "application/xml"), 415, "unsupported_media_type");
      expectError(await post("/v1/verify", [sw.jwt.degree]), 400, "invalid_body");
    });

    it("a body over the limit gets 413 body_too_large", async () => {
      expectError(await post("/v1/verify", { credential: "x".repeat(1024 * 1024 + 10) }), 413, "body_too_large");
    });
  });

  describe("GET|POST /v1/trqp/authorization", () => {
    const q = (params: Record<string, string>) => `/v1/trqp/authorization?${new URLSearchParams(params)}`;

    it("authorizes an accredited issuer for a type in scope, through its accreditor and its root, with the chain", async () => {
      for (const authority of [sw.ids.accreditor, sw.ids.root]) {
        const r = await get(
          q({
            entity_id: sw.ids.university,
            authority_id: authority,
            action: "issue",
            resource: "Degree",
            time: new Date((await sw.w.now()) * 1000).toISOString(),
          }),
        );
        expect(r.status).to.equal(200);
        expect(r.body).to.include({
          entity_id: sw.ids.university,
          authority_id: authority,
          action: "issue",
          resource: "Degree",
          authorized: true,
          reason: "authorized",
        });
        expect(r.body.chain.map((l: { name: string }) => l.name)).to.deep.equal([
          "State University",
          "Regional Accreditation Agency",
          "National Qualifications Authority",
        ]);
        expect(r.body.time_evaluated).to.match(/^\d{4}-\d\d-\d\dT/);
      }
    });

    it("says no, with a reason: type out of scope, authority not above the entity; an unknown type or entity is 404", async () => {
      const no = async (params: Record<string, string>) => get(q({ action: "issue", resource: "Degree", ...params }));
      expect((await no({ entity_id: sw.ids.bootcamp, authority_id: sw.ids.root })).body).to.include({
        authorized: false,
        reason: "type_out_of_scope",
      });
      expect((await no({ entity_id: sw.ids.university, authority_id: sw.ids.bootcamp })).body).to.include({
        authorized: false,
        reason: "authority_not_in_chain",
      });
      // TRQP v2's HTTPS binding: an entity or resource not recognised is 404 (problem details), not a denial.
      expectProblem(
        await no({ entity_id: sw.ids.university, authority_id: sw.ids.root, resource: "Diploma" }),
        404,
        "unknown_resource",
      );
      expectProblem(await no({ entity_id: sw.ids.learner, authority_id: sw.ids.root }), 404, "unknown_entity");
    });

    it("POST with a context time; a suspended accreditor distrusts its issuers until reinstated", async () => {
      const body = {
        entity_id: sw.ids.bootcamp,
        authority_id: sw.ids.root,
        action: "issue",
        resource: "Certificate",
        context: { time: new Date((await sw.w.now()) * 1000).toISOString() },
      };
      expect((await post("/v1/trqp/authorization", body)).body.authorized).to.equal(true);
      await sw.w.agent.lerSuspendAccreditation({ accreditor: sw.ids.root, subject: sw.ids.accreditor, reason: 4 });
      try {
        const r = await post("/v1/trqp/authorization", body);
        expect(r.body).to.include({ authorized: false, reason: "accreditor_suspended" });
        // The chain as it stood at the time asked about (active then), with its status now beside it.
        expect(r.body.chain[1]).to.include({ status: "active", statusNow: "suspended" });
      } finally {
        await sw.w.agent.lerReinstateAccreditation({ accreditor: sw.ids.root, subject: sw.ids.accreditor });
      }
      expect((await post("/v1/trqp/authorization", body)).body.authorized).to.equal(true);
    });

    it("answers from the history: before the accreditation existed is a no (not an error), a past suspension a no at its time", async () => {
      // 2020-01-01, years before this registry existed: the issuer was not yet accredited then.
      const early = await get(
        q({
          entity_id: sw.ids.university,
          authority_id: sw.ids.root,
          action: "issue",
          resource: "Degree",
          time: "2020-01-01T00:00:00Z",
        }),
      );
      expect(early.status).to.equal(200);
      expect(early.body).to.include({
        authorized: false,
        reason: "accreditation_not_yet_valid",
        time_requested: "2020-01-01T00:00:00Z",
      });
      expect(early.body.message).to.match(/not yet accredited/);
      expect(early.body.chain[0]).to.include({ status: "none", since: null });
      // Code Bootcamp was suspended, then reinstated: a time inside the suspension is judged by the suspended version.
      const versions = (await get(`/v1/registry/entities/${encodeURIComponent(sw.ids.bootcamp)}/history`)).body
        .versions as { since: number; status: string }[];
      expect(versions.map((v) => v.status)).to.deep.equal(["active", "suspended", "active"]);
      const at = (time: number) =>
        get(
          q({
            entity_id: sw.ids.bootcamp,
            authority_id: sw.ids.root,
            action: "issue",
            resource: "Certificate",
            time: new Date(time * 1000).toISOString(),
          }),
        );
      const during = await at(versions[1]!.since);
      expect(during.body).to.include({ authorized: false, reason: "issuer_suspended" });
      expect(during.body.chain[0]).to.include({ status: "suspended", since: versions[1]!.since });
      expect((await at(versions[1]!.since - 1)).body).to.include({ authorized: true, reason: "authorized" });
      // At the reinstatement's own block time the version before it (suspended) must pass too; a second later, yes.
      expect((await at(versions[2]!.since)).body).to.include({ authorized: false, reason: "issuer_suspended" });
      expect((await at(versions[2]!.since + 1)).body).to.include({ authorized: true, reason: "authorized" });
    });

    it("malformed queries get 400 problem details; identifiers and actions it does not know 404", async () => {
      const base = { entity_id: sw.ids.university, authority_id: sw.ids.root, action: "issue", resource: "Degree" };
      expectProblem(
        await get(q({ authority_id: sw.ids.root, action: "issue", resource: "Degree" })),
        400,
        "missing_parameter",
      );
      expectProblem(
        await get(q({ entity_id: sw.ids.university, authority_id: sw.ids.root, resource: "Degree" })),
        400,
        "missing_parameter",
      );
      expectProblem(await get(q({ ...base, time: "yesterday" })), 400, "invalid_time");
      expectProblem(await post("/v1/trqp/authorization", { ...base, context: "now" }), 400, "invalid_parameter");
      expectProblem(await get(q({ ...base, action: "verify" })), 404, "unknown_action");
      // Not DIDs of this chain: valid TRQP identifiers that name nothing here.
      expectProblem(await get(q({ ...base, entity_id: "bob" })), 404, "unknown_entity");
      expectProblem(
        await get(q({ ...base, entity_id: sw.ids.university.replace("localnet", "sepolia") })),
        404,
        "unknown_entity",
      );
      // Members a query does not use are ignored (TRQP v2, versioning: unrecognized optional fields).
      // A second after the chain's latest block, which may be the reinstatement above (at its own time, a no).
      const r = await get(
        q({ ...base, colour: "blue", time: new Date(((await sw.w.now()) + 1) * 1000).toISOString() }),
      );
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect(r.body).to.include({ authorized: true }).and.not.have.property("colour");
    });
  });

  describe("the registry from chain events", () => {
    it("GET /v1/registry: roots, accreditors, issuers with names, statuses and scopes; types", async () => {
      const r = await get("/v1/registry");
      expect(r.status).to.equal(200);
      expect(r.body.types.map((t: { name: string }) => t.name)).to.deep.equal([
        "Degree",
        "Course",
        "Certificate",
        "Competency",
      ]);
      expect(r.body.roots.map((e: { name: string }) => e.name)).to.deep.equal(["National Qualifications Authority"]);
      expect(r.body.accreditors.map((e: { name: string }) => e.name)).to.deep.equal(["Regional Accreditation Agency"]);
      const university = r.body.issuers.find((e: { name: string }) => e.name === "State University");
      expect(university).to.include({
        did: sw.ids.university,
        status: "active",
        isRoot: false,
        parentDid: sw.ids.accreditor,
        depth: 2,
      });
      expect(university.scope.map((s: { name: string }) => s.name)).to.deep.equal(["Degree", "Course"]);
      expect(university.validUntil).to.equal(null);
      expect(r.body.counts.issuers).to.include({ active: 2, total: 2 });
      expect(r.body.block).to.be.greaterThan(0);
    });

    it("GET /v1/registry/entities filters by role and status, pages, and refuses unknown filters", async () => {
      const issuers = await get("/v1/registry/entities?role=issuer&status=active");
      expect(issuers.body.total).to.equal(2);
      const page = await get("/v1/registry/entities?limit=1&offset=1");
      expect(page.body).to.include({ total: 4, limit: 1, offset: 1 });
      expect(page.body.items).to.have.length(1);
      expect((await get("/v1/registry/entities?role=root")).body.items[0].did).to.equal(sw.ids.root);
      expectError(await get("/v1/registry/entities?role=learner"), 400, "invalid_parameter");
      expectError(await get("/v1/registry/entities?status=sleeping"), 400, "invalid_parameter");
      expectError(await get("/v1/registry/entities?limit=-1"), 400, "invalid_parameter");
    });

    it("GET /v1/registry/entities/:id: chain, children, history and issuing activity, kept up to date by block", async () => {
      const path = `/v1/registry/entities/${encodeURIComponent(sw.ids.university)}`;
      const r = await get(path);
      expect(r.status).to.equal(200);
      expect(r.body.chain.map((e: { did: string }) => e.did)).to.deep.equal([
        sw.ids.university,
        sw.ids.accreditor,
        sw.ids.root,
      ]);
      expect(r.body.history.map((h: { event: string }) => h.event)).to.deep.equal(["accredited"]);
      expect(r.body.versions).to.have.length(1);
      expect(r.body.versions[0]).to.deep.include({
        since: r.body.entity.accreditedAt.time,
        role: ["issuer"],
        status: "active",
        reason: 0,
        validFrom: 0,
        validUntil: null,
      });
      expect(r.body.versions[0].scope.map((s: { name: string }) => s.name)).to.deep.equal(["Degree", "Course"]);
      expect(r.body.entity.versionCount).to.equal(1);
      // Two anchors: the batch, and its record (CLR 2.0) signed after the credentials it embeds.
      expect(r.body.credentials).to.include({ anchors: 2, revokedEntries: 1, suspendedEntries: 1, revokedByHash: 0 });
      expect(r.body.credentials.statusLists[0].revocationList).to.match(
        /^\/v1\/status-lists\/did%3Aethr%3Alocalnet%3A0x[0-9a-fA-F]{40}\/\d+\/revocation$/,
      );
      const accreditor = await get(`/v1/registry/entities/${sw.ids.accreditor.split(":").pop()}`);
      expect(accreditor.body.children.map((c: { name: string }) => c.name).sort()).to.deep.equal([
        "Code Bootcamp",
        "State University",
      ]);

      // A new revocation and a batch are picked up by the next request (incremental refresh).
      const extra = await sw.w.agent.lerIssueCredentials({
        issuer: sw.ids.university,
        credentials: [{ subject: sw.ids.learner, achievement: course }],
      });
      await sw.w.agent.lerRevoke({
        issuer: sw.ids.university,
        entries: [{ list: extra.credentials[0]!.list, index: extra.credentials[0]!.index }],
      });
      const after = await get(path);
      expect(after.body.credentials).to.include({ anchors: 3, revokedEntries: 2 });
      expect(after.body.block).to.be.greaterThan(r.body.block);
    });

    it("GET /v1/registry/entities/:id/history lists every change with actor and reason", async () => {
      const r = await get(`/v1/registry/entities/${encodeURIComponent(sw.ids.accreditor)}/history`);
      expect(r.status).to.equal(200);
      const events = r.body.history.map((h: { event: string }) => h.event);
      expect(events[0]).to.equal("accredited");
      // The TRQP test suspended and reinstated this accreditor; whichever ran first, the history is consistent.
      expect(events.filter((e: string) => e === "suspended").length).to.equal(
        events.filter((e: string) => e === "reinstated").length,
      );
      expect(r.body.history[0].actor).to.match(/^0x[0-9a-fA-F]{40}$/);
      expect(r.body.history[0].scope.map((s: { name: string }) => s.name)).to.deep.equal([
        "Degree",
        "Course",
        "Certificate",
        "Competency",
      ]);
    });

    it("unknown entities are 404, malformed ids 400", async () => {
      expectError(await get(`/v1/registry/entities/${encodeURIComponent(sw.ids.learner)}`), 404, "unknown_entity");
      expectError(await get("/v1/registry/entities/not-a-did"), 400, "invalid_identifier");
    });
  });

  describe("GET /v1/status-lists/:issuer/:list/:purpose", () => {
    it("exports the issuer's on-chain list as a W3C Bitstring Status List credential (GZIP, base64url, 2^20 entries)", async () => {
      const issuer = encodeURIComponent(sw.revoked.issuer);
      const rev = await get(`/v1/status-lists/${issuer}/${sw.revoked.list}/revocation`);
      expect(rev.status).to.equal(200);
      expect(rev.body.type).to.deep.equal(["VerifiableCredential", "BitstringStatusListCredential"]);
      expect(rev.body["@context"]).to.deep.equal(["https://www.w3.org/ns/credentials/v2"]);
      expect(rev.body.issuer).to.equal(sw.ids.university);
      expect(rev.body.id).to.equal(`${sw.server.url}/v1/status-lists/${issuer}/${sw.revoked.list}/revocation`);
      expect(rev.body.credentialSubject).to.include({
        type: "BitstringStatusList",
        statusPurpose: "revocation",
        id: `${rev.body.id}#list`,
      });
      expect(rev.headers.get("x-ler-block")).to.match(/^\d+$/);
      const bits = decodeBitstring(rev.body.credentialSubject.encodedList);
      expect(bits.length * 8)
        .to.equal(1_048_576)
        .and.be.at.least(MIN_BITSTRING_ENTRIES);
      expect(bitAt(bits, sw.revoked.index)).to.equal(true);
      expect(bitAt(bits, sw.suspended.index)).to.equal(false);
      const sus = await get(`/v1/status-lists/${issuer}/${sw.suspended.list}/suspension`);
      const sbits = decodeBitstring(sus.body.credentialSubject.encodedList);
      expect(sus.body.credentialSubject.statusPurpose).to.equal("suspension");
      expect(bitAt(sbits, sw.suspended.index)).to.equal(true);
      expect(bitAt(sbits, sw.revoked.index)).to.equal(false);
    });

    it("refuses a bad purpose, list or issuer", async () => {
      const issuer = encodeURIComponent(sw.ids.university);
      expectError(await get(`/v1/status-lists/${issuer}/0/expiry`), 400, "invalid_parameter");
      expectError(await get(`/v1/status-lists/${issuer}/18446744073709551616/revocation`), 400, "invalid_parameter");
      expectError(await get(`/v1/status-lists/${issuer}/-1/revocation`), 400, "invalid_parameter");
      expectError(await get(`/v1/status-lists/someone/0/revocation`), 400, "invalid_identifier");
    });
  });

  describe("POST /v1/wallet/skills and /v1/wallet/match", () => {
    it("lists the skills the held credentials prove, each credential verified", async () => {
      const r = await post("/v1/wallet/skills", {
        credentials: [sw.jwt.degree, sw.jwt.bootcamp, sw.jwt.teamwork, sw.jwt.revoked],
      });
      expect(r.status).to.equal(200);
      const skills = r.body.skills.map((s: { name: string }) => s.name);
      expect(skills).to.include.members([
        "Software engineering",
        "Database design",
        "JavaScript",
        "Web application development",
        "Agile teamwork",
      ]);
      expect(r.body.credentials.map((c: { verification: string }) => c.verification)).to.deep.equal([
        "valid",
        "valid",
        "valid",
        "invalid",
      ]);
      const se = r.body.skills.find((s: { name: string }) => s.name === "Software engineering");
      // The same degree, revoked, proves nothing more: it is listed, marked invalid.
      expect(se.provenBy.map((e: { verification: string }) => e.verification).sort()).to.deep.equal([
        "invalid",
        "valid",
      ]);
    });

    it("matches a job profile: what is met, by which credential, and what is missing", async () => {
      const r = await post("/v1/wallet/match", {
        credentials: `${sw.jwt.degree}\n${sw.jwt.bootcamp}\n${sw.jwt.teamwork}`,
        profile: exampleProfile,
      });
      expect(r.status).to.equal(200);
      const status = Object.fromEntries(
        r.body.requirements.map((q: { label: string; status: string }) => [q.label, q.status]),
      );
      expect(status).to.deep.equal({
        "A bachelor's degree": "met",
        "Software engineering": "met",
        JavaScript: "met",
        "Cloud deployment": "missing",
        "Agile teamwork": "met",
        Kubernetes: "missing",
      });
      expect(r.body.satisfied).to.equal(false);
      expect(r.body.gaps).to.deep.equal(["Cloud deployment"]);
      const js = r.body.requirements.find((q: { label: string }) => q.label === "JavaScript");
      expect(js.evidence[0]).to.include({
        credentialName: "Full-stack Web Developer",
        matchedBy: "targetCode",
        verification: "valid",
        issuerName: "Code Bootcamp",
      });
    });

    it("a revoked degree does not meet the degree requirement: it is listed as rejected", async () => {
      const r = await post("/v1/wallet/match", { credentials: [sw.jwt.revoked], profile: exampleProfile });
      const deg = r.body.requirements.find((q: { kind: string }) => q.kind === "achievementType");
      expect(deg.status).to.equal("missing");
      expect(deg.rejected).to.have.length(1);
      expect(deg.rejected[0].verification).to.equal("invalid");
    });

    it("takes a presentation as the held credentials", async () => {
      const r = await post("/v1/wallet/skills", { credentials: sw.jwt.presentation });
      expect(r.body.credentials).to.have.length(2);
    });

    it("bad input gets 400 with a code", async () => {
      expectError(
        await post("/v1/wallet/match", {
          credentials: [sw.jwt.degree],
          profile: { title: "X", requiredSkill: ["typo"] },
        }),
        400,
        "invalid_job_profile",
      );
      expectError(await post("/v1/wallet/match", { credentials: [sw.jwt.degree] }), 400, "missing_parameter");
      expectError(await post("/v1/wallet/skills", { verify: false }), 400, "missing_parameter");
      expectError(await post("/v1/wallet/skills", { credentials: "[oops" }), 400, "invalid_json");
      expectError(
        await post("/v1/wallet/skills", { credentials: [sw.jwt.degree], verify: "yes" }),
        400,
        "invalid_parameter",
      );
    });
  });

  describe("GET /v1/metrics", () => {
    it("counts accreditations, anchors, revocations and suspensions from events, and this service's verifications", async () => {
      await post("/v1/verify", { credential: sw.jwt.degree });
      await post("/v1/verify", { credential: sw.jwt.revoked });
      const r = await get("/v1/metrics");
      expect(r.status).to.equal(200);
      const chain = r.body.chain;
      expect(chain.registry.roots).to.include({ active: 1, total: 1 });
      expect(chain.registry.accreditors.total).to.equal(1);
      expect(chain.registry.issuers.total).to.equal(2);
      expect(chain.credentials.anchors).to.be.at.least(2);
      expect(chain.credentials.revokedEntries).to.be.at.least(1);
      expect(chain.credentials.suspendedEntries).to.equal(1);
      expect(chain.credentials.anchorsNote).to.match(/not on chain/);
      expect(chain.series.length).to.be.greaterThan(3);
      const last = chain.series[chain.series.length - 1];
      expect(last.issuers.active).to.equal(2);
      const svc = r.body.service;
      expect(svc.verifications.total).to.be.at.least(2);
      expect(svc.verifications.byResult.valid).to.be.at.least(1);
      expect(svc.verifications.byResult.invalid).to.be.at.least(1);
      expect(svc.latencyMs.p50).to.be.a("number");
      expect(svc.latencyMs.p99).to.be.at.least(svc.latencyMs.p50);
      expect(svc.latencyMs.histogram.reduce((a: number, b: { count: number }) => a + b.count, 0)).to.equal(
        svc.verifications.total,
      );
    });
  });

  describe("the page and its assets", () => {
    it("serves the page, its script and style from the service itself, with a strict CSP; unknown paths are JSON 404", async () => {
      const page = await fetch(`${sw.server.url}/`);
      expect(page.status).to.equal(200);
      expect(page.headers.get("content-type")).to.match(/^text\/html/);
      expect(page.headers.get("content-security-policy")).to.include("script-src 'self'");
      const html = await page.text();
      expect(html).to.not.match(/https?:\/\/(?!www\.w3\.org)/);
      for (const asset of ["/assets/app.js", "/assets/app.css", "/assets/favicon.svg", "/examples/job-profile.json"]) {
        expect((await fetch(`${sw.server.url}${asset}`)).status, asset).to.equal(200);
      }
      expectError(await get("/v1/nothing-here"), 404, "not_found");
    });
  });
});
