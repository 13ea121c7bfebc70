import { expect } from "chai";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { Contract, id, type JsonRpcProvider } from "ethers";
import { projectArtifact } from "../../src/chain/artifacts.js";
import { createServerWorld, type ServerWorld } from "./world.js";

/**
 * The service's trust registry queries against Trust Over IP's Trust Registry Query Protocol v2
 * (trustoverip/tswg-trust-registry-protocol, specification/v2): POST /authorization and POST /recognition under
 * /v1/trqp, answers that conform to the response schemas, RFC 9457 problem details for every error with the status the
 * HTTPS binding gives it, and the ecosystem's description found from an answer's authority_id.
 */

// The TRQP v2 JSON Schemas (specification/v2/core/schema/*.schema.json), their constraints written out here
// (descriptions left out): a response that breaks them fails the test.

/** $id trqp-authorization-request */
const AUTHORIZATION_REQUEST = {
  $id: "trqp-authorization-request",
  type: "object",
  required: ["entity_id", "action", "resource", "authority_id"],
  properties: {
    entity_id: { type: "string" },
    authority_id: { type: "string" },
    action: { type: "string" },
    resource: { type: "string" },
    context: {
      type: "object",
      properties: { time: { type: "string", format: "date-time" }, locator: { type: "string" } },
      additionalProperties: { type: "string" },
    },
  },
};

/** $id trqp-authorization-response */
const AUTHORIZATION_RESPONSE = {
  $id: "trqp-authorization-response",
  type: "object",
  required: ["entity_id", "action", "resource", "authority_id", "time_evaluated", "authorized"],
  properties: {
    entity_id: { type: "string" },
    authority_id: { type: "string" },
    action: { type: "string" },
    resource: { type: "string" },
    authorized: { type: "boolean" },
    time_requested: { type: "string", format: "date-time" },
    time_evaluated: { type: "string", format: "date-time" },
    message: { type: "string" },
    context: {
      type: "object",
      properties: { time: { type: "string" }, locator: { type: "string" } },
      additionalProperties: { type: "string" },
    },
  },
};

/** $id trqp-recognition-request */
const RECOGNITION_REQUEST = {
  $id: "trqp-recognition-request",
  type: "object",
  required: ["entity_id", "action", "resource", "authority_id"],
  properties: {
    entity_id: { type: "string" },
    authority_id: { type: "string" },
    action: { type: "string" },
    resource: { type: "string" },
    context: {
      type: "object",
      properties: { time: { type: "string", format: "date-time" } },
      additionalProperties: { type: "string" },
    },
  },
};

/** $id trqp-recognition-response */
const RECOGNITION_RESPONSE = {
  $id: "trqp-recognition-response",
  type: "object",
  required: ["entity_id", "action", "resource", "authority_id", "time_evaluated", "recognized"],
  properties: {
    entity_id: { type: "string" },
    authority_id: { type: "string" },
    action: { type: "string" },
    resource: { type: "string" },
    recognized: { type: "boolean" },
    time_requested: { type: "string", format: "date-time" },
    time_evaluated: { type: "string", format: "date-time" },
    message: { type: "string" },
    context: {
      type: "object",
      properties: { time: { type: "string" } },
      additionalProperties: { type: "string" },
    },
  },
};

/**
 * RFC 9457 section 3.1's members, with the four the TRQP HTTPS binding's example carries (type, title, status, detail)
 * required: the RFC makes none mandatory, this service always sends them.
 */
const PROBLEM_DETAILS = {
  $id: "problem-details",
  type: "object",
  required: ["type", "title", "status", "detail"],
  properties: {
    type: { type: "string", format: "uri" },
    title: { type: "string" },
    status: { type: "integer", minimum: 400, maximum: 599 },
    detail: { type: "string" },
    instance: { type: "string", format: "uri-reference" },
  },
};

const ajv = new Ajv({ strict: true, allErrors: true });
// ajv-formats is CommonJS: its plugin is the module itself, which also carries it as `default`.
addFormatsModule.default(ajv);
const validators = {
  authorizationRequest: ajv.compile(AUTHORIZATION_REQUEST),
  authorizationResponse: ajv.compile(AUTHORIZATION_RESPONSE),
  recognitionRequest: ajv.compile(RECOGNITION_REQUEST),
  recognitionResponse: ajv.compile(RECOGNITION_RESPONSE),
  problem: ajv.compile(PROBLEM_DETAILS),
};
const conforms = (validate: ValidateFunction, value: unknown) => {
  const ok = validate(value);
  expect(ok, `${JSON.stringify(validate.errors)} in ${JSON.stringify(value)}`).to.equal(true);
};

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

describe("ler serve: TRQP v2 trust registry queries (/v1/trqp)", function () {
  this.timeout(90_000);
  let sw: ServerWorld;
  /** The ecosystem's authority_id (its TrustRegistry as a CAIP-10 account id). */
  let ecosystem: string;

  before(async () => {
    sw = await createServerWorld();
    ecosystem = `eip155:31337:${sw.w.network.deployment.contracts.TrustRegistry.address}`;
  });
  after(async () => sw?.close());

  const send = async (
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<Reply> => {
    const res = await fetch(`${sw.server.url}${path}`, {
      method,
      ...(body !== undefined && {
        headers: { "Content-Type": contentType },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text,
    };
  };
  const authorization = async (query: Record<string, unknown>) => {
    const r = await send("POST", "/v1/trqp/authorization", query);
    if (r.status === 200) conforms(validators.authorizationResponse, r.body);
    return r;
  };
  const recognition = async (query: Record<string, unknown>) => {
    const r = await send("POST", "/v1/trqp/recognition", query);
    if (r.status === 200) conforms(validators.recognitionResponse, r.body);
    return r;
  };
  /** A query that conforms to its request schema, so that what the service answers is about a valid query. */
  const issue = (entity: string, authority: string, resource: string, context?: Record<string, string>) => {
    const q = {
      entity_id: entity,
      authority_id: authority,
      action: "issue",
      resource,
      ...(context !== undefined && { context }),
    };
    conforms(validators.authorizationRequest, q);
    return q;
  };
  const accredit = (entity: string, authority: string, resource: string, context?: Record<string, string>) => {
    const q = {
      entity_id: entity,
      authority_id: authority,
      action: "accredit",
      resource,
      ...(context !== undefined && { context }),
    };
    conforms(validators.recognitionRequest, q);
    return q;
  };
  const at = (seconds: number) => new Date(seconds * 1000).toISOString();
  /** Checks problem details: the schema, the media type, the status and type given, the service's stable code. */
  const expectProblem = (r: Reply, status: number, type: string, code?: string) => {
    expect(r.status, JSON.stringify(r.body)).to.equal(status);
    expect(r.headers.get("content-type")).to.match(/^application\/problem\+json/);
    conforms(validators.problem, r.body);
    expect(r.body.status).to.equal(status);
    expect(r.body.type).to.equal(`${sw.server.url}/v1/trqp/problems/${type}`);
    expect(r.body.detail).to.be.a("string").and.not.equal("");
    if (code !== undefined) expect(r.body.code).to.equal(code);
  };
  const versionsOf = async (did: string) =>
    (await send("GET", `/v1/registry/entities/${encodeURIComponent(did)}/history`)).body.versions as {
      since: number;
      status: string;
    }[];

  describe("POST /v1/trqp/authorization", () => {
    it("authorizes an accredited issuer through its accreditor, its root, the ecosystem and a governance DID", async () => {
      for (const authority of [sw.ids.accreditor, sw.ids.root, ecosystem, sw.w.governor]) {
        const r = await authorization(issue(sw.ids.university, authority, "Degree"));
        expect(r.status, JSON.stringify(r.body)).to.equal(200);
        expect(r.headers.get("content-type")).to.match(/^application\/json/);
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
        expect(r.body).to.not.have.property("time_requested");
        expect(r.body).to.not.have.property("context");
      }
    });

    it("a known entity without the authorization is 200 authorized: false with the reason", async () => {
      const outOfScope = await authorization(issue(sw.ids.bootcamp, sw.ids.root, "Degree"));
      expect(outOfScope.status).to.equal(200);
      expect(outOfScope.body).to.include({ authorized: false, reason: "type_out_of_scope" });
      // Code Bootcamp is a known authority of the registry, but it does not stand above State University.
      const notAbove = await authorization(issue(sw.ids.university, sw.ids.bootcamp, "Degree"));
      expect(notAbove.status).to.equal(200);
      expect(notAbove.body).to.include({ authorized: false, reason: "authority_not_in_chain" });
    });

    it("echoes the context exactly as sent and answers at its time; members it does not use are ignored", async () => {
      const context = {
        time: at(await sw.w.now()),
        locator: "ler:localnet",
        "x-profile": "eu.europa.ec/ler",
        zone: "",
      };
      const sent = JSON.stringify({
        ...issue(sw.ids.university, sw.ids.root, "Course", context),
        nonce: "n-1",
        assertion_id: "Ignored",
      });
      const r = await authorization(JSON.parse(sent) as Record<string, unknown>);
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect(r.body.context).to.deep.equal(context);
      expect(JSON.stringify(r.body.context)).to.equal(JSON.stringify(context));
      expect(r.body.time_requested).to.equal(context.time);
      expect(r.body).to.include({ authorized: true, resource: "Course" });
      expect(r.body).to.not.have.property("nonce");
      // A blank time is "now", as the schemas' description of `time` says ("If blank, uses current server time"),
      // although their `format: date-time` does not admit it: accepted, echoed, nothing requested.
      const blankQuery = {
        entity_id: sw.ids.university,
        authority_id: sw.ids.root,
        action: "issue",
        resource: "Degree",
        context: { time: "" },
      };
      expect(validators.authorizationRequest(blankQuery)).to.equal(false);
      const blank = await authorization(blankQuery);
      expect(blank.body.context).to.deep.equal({ time: "" });
      expect(blank.body).to.include({ authorized: true }).and.not.have.property("time_requested");
      // RFC 3339 in UTC with the +00:00 offset is the same time as Z.
      const offset = await authorization(
        issue(sw.ids.university, sw.ids.root, "Degree", { time: "2020-01-01T00:00:00+00:00" }),
      );
      expect(offset.body).to.include({
        time_requested: "2020-01-01T00:00:00+00:00",
        reason: "accreditation_not_yet_valid",
      });
    });

    it("answers a time from the history: yes before a suspension, no during it, yes after the reinstatement, no before it existed", async () => {
      const versions = await versionsOf(sw.ids.bootcamp);
      expect(versions.map((v) => v.status)).to.deep.equal(["active", "suspended", "active"]);
      const when = (seconds: number) =>
        authorization(issue(sw.ids.bootcamp, sw.ids.accreditor, "Certificate", { time: at(seconds) }));
      expect((await when(versions[1]!.since - 1)).body).to.include({ authorized: true, reason: "authorized" });
      const during = await when(versions[1]!.since);
      expect(during.status).to.equal(200);
      expect(during.body).to.include({
        authorized: false,
        reason: "issuer_suspended",
        time_requested: at(versions[1]!.since),
      });
      expect(during.body.chain[0]).to.include({ status: "suspended", since: versions[1]!.since });
      expect((await when(versions[2]!.since + 1)).body).to.include({ authorized: true, reason: "authorized" });
      // Years before the registry existed the entity was known to nobody yet: a no from the history, not a 404.
      const early = await when(Date.parse("2020-01-01T00:00:00Z") / 1000);
      expect(early.status).to.equal(200);
      expect(early.body).to.include({ authorized: false, reason: "accreditation_not_yet_valid" });
      expect(early.body.chain[0]).to.include({ status: "none", since: null });
    });
  });

  describe("problem details", () => {
    it("a malformed query is 400, whatever is wrong with it; action is required", async () => {
      const good = issue(sw.ids.university, sw.ids.root, "Degree");
      const without = (name: string) => Object.fromEntries(Object.entries(good).filter(([k]) => k !== name));
      for (const name of ["action", "entity_id", "authority_id", "resource"]) {
        const r = await send("POST", "/v1/trqp/authorization", without(name));
        expectProblem(r, 400, "malformed-query", "missing_parameter");
        expect(r.body.parameter).to.equal(name);
        expect(validators.authorizationRequest(without(name))).to.equal(false);
      }
      const cases: [unknown, string, string][] = [
        [{ ...good, action: "" }, "action", "invalid_parameter"],
        [{ ...good, resource: 7 }, "resource", "invalid_parameter"],
        [{ ...good, entity_id: ["a"] }, "entity_id", "invalid_parameter"],
        [{ ...good, context: "now" }, "context", "invalid_parameter"],
        [{ ...good, context: [] }, "context", "invalid_parameter"],
        [{ ...good, context: { time: "yesterday" } }, "context.time", "invalid_time"],
        [{ ...good, context: { time: 1750000000 } }, "context.time", "invalid_parameter"],
        [{ ...good, context: { time: "2025-02-30T00:00:00Z" } }, "context.time", "invalid_time"],
        [{ ...good, context: { time: "2025-06-01T14:00:00+02:00" } }, "context.time", "invalid_time"],
        [{ ...good, context: { time: "2025-06-01" } }, "context.time", "invalid_time"],
        [{ ...good, context: { priority: 1 } }, "context.priority", "invalid_parameter"],
      ];
      for (const [body, parameter, code] of cases) {
        const r = await send("POST", "/v1/trqp/authorization", body);
        expectProblem(r, 400, "malformed-query", code);
        expect(r.body.parameter, JSON.stringify(body)).to.equal(parameter);
      }
      expectProblem(await send("POST", "/v1/trqp/authorization", [good]), 400, "malformed-query", "invalid_body");
      expectProblem(await send("POST", "/v1/trqp/recognition", "{not json"), 400, "malformed-query", "invalid_json");
      expectProblem(
        await send("POST", "/v1/trqp/recognition", "<query/>", "application/xml"),
        415,
        "unsupported-media-type",
        "unsupported_media_type",
      );
      expectProblem(
        await send("POST", "/v1/trqp/authorization", { ...good, resource: "x".repeat(1024 * 1024) }),
        413,
        "body-too-large",
        "body_too_large",
      );
    });

    it("an entity, authority, action or resource the registry does not know is 404; identifiers need not be DIDs", async () => {
      const university = sw.ids.university;
      // Any string is an identifier (the spec's own examples use "user-1234" and "auth-service-A"): one that names
      // nothing here is not recognized, never malformed.
      for (const entity of [
        "user-1234",
        "https://issuer.example.org",
        "did:web:issuer.example.org",
        university.replace("localnet", "sepolia"),
        sw.ids.learner,
      ]) {
        const r = await authorization(issue(entity, sw.ids.root, "Degree"));
        expectProblem(r, 404, "unknown-entity", "unknown_entity");
        expectProblem(
          await recognition(accredit(entity, sw.ids.root, "Degree")),
          404,
          "unknown-entity",
          "unknown_entity",
        );
      }
      const wrongChain = ecosystem.replace("eip155:31337:", "eip155:1:");
      for (const authority of [
        "auth-service-A",
        sw.ids.learner,
        wrongChain,
        `did:ethr:localnet:${sw.w.network.deployment.contracts.TrustRegistry.address}`,
      ]) {
        expectProblem(
          await authorization(issue(university, authority, "Degree")),
          404,
          "unknown-authority",
          "unknown_authority",
        );
      }
      expectProblem(
        await authorization({ ...issue(university, sw.ids.root, "Degree"), action: "verify" }),
        404,
        "unknown-action",
        "unknown_action",
      );
      expectProblem(
        await recognition({ ...accredit(sw.ids.accreditor, sw.ids.root, "Degree"), action: "issue" }),
        404,
        "unknown-action",
        "unknown_action",
      );
      expectProblem(
        await authorization(issue(university, sw.ids.root, "Diploma")),
        404,
        "unknown-resource",
        "unknown_resource",
      );
      expectProblem(
        await recognition(accredit(sw.ids.accreditor, sw.ids.root, "Diploma")),
        404,
        "unknown-resource",
        "unknown_resource",
      );
    });

    it("problem types are absolute URIs that resolve to their documentation; unknown paths are problems too", async () => {
      const r = await authorization(issue("user-1234", sw.ids.root, "Degree"));
      const doc = await fetch(r.body.type as string);
      expect(doc.status).to.equal(200);
      expect(doc.headers.get("content-type")).to.match(/^text\/html/);
      expect(await doc.text()).to.include(`<h1>${r.body.title as string}</h1>`);
      expectProblem(await send("GET", "/v1/trqp/problems/no-such-problem"), 404, "not-found", "not_found");
      expectProblem(await send("GET", "/v1/trqp/recognition"), 404, "not-found", "not_found");
      expectProblem(
        await send("POST", "/v1/trqp/delegation", issue(sw.ids.university, sw.ids.root, "Degree")),
        404,
        "not-found",
      );
    });
  });

  describe("POST /v1/trqp/recognition", () => {
    it("the ecosystem and the governance recognize the root; the root and the ecosystem recognize the accreditor, for types in scope", async () => {
      for (const [entity, authority] of [
        [sw.ids.root, ecosystem],
        [sw.ids.root, sw.w.governor],
        [sw.ids.accreditor, sw.ids.root],
        [sw.ids.accreditor, ecosystem],
      ] as const) {
        const r = await recognition(accredit(entity, authority, "Competency"));
        expect(r.status, JSON.stringify(r.body)).to.equal(200);
        expect(r.body).to.include({
          entity_id: entity,
          authority_id: authority,
          action: "accredit",
          resource: "Competency",
          recognized: true,
          reason: "recognized",
        });
        expect(r.body.chain[r.body.chain.length - 1]).to.include({ did: sw.ids.root, isRoot: true });
      }
    });

    it("the other way round is no: an accreditor does not recognize its root, an issuer is no authority", async () => {
      const up = await recognition(accredit(sw.ids.root, sw.ids.accreditor, "Degree"));
      expect(up.status).to.equal(200);
      expect(up.body).to.include({ recognized: false, reason: "authority_not_in_chain" });
      const issuer = await recognition(accredit(sw.ids.university, sw.ids.root, "Degree"));
      expect(issuer.body).to.include({ recognized: false, reason: "accreditor_not_accreditor" });
      // An authority is not its own peer.
      expect((await recognition(accredit(sw.ids.root, sw.ids.root, "Degree"))).body).to.include({
        recognized: false,
        reason: "authority_not_in_chain",
      });
    });

    it("answers a time from the history: a suspended accreditor is not recognized during its suspension, nor its issuers authorized", async () => {
      await sw.w.agent.lerSuspendAccreditation({ accreditor: sw.ids.root, subject: sw.ids.accreditor, reason: 4 });
      try {
        const held = await recognition(accredit(sw.ids.accreditor, sw.ids.root, "Degree"));
        expect(held.body).to.include({ recognized: false, reason: "accreditor_suspended" });
        expect(held.body.chain[0]).to.include({ did: sw.ids.accreditor, status: "suspended" });
        expect((await authorization(issue(sw.ids.university, ecosystem, "Degree"))).body).to.include({
          authorized: false,
          reason: "accreditor_suspended",
        });
      } finally {
        await sw.w.agent.lerReinstateAccreditation({ accreditor: sw.ids.root, subject: sw.ids.accreditor });
      }
      const versions = await versionsOf(sw.ids.accreditor);
      expect(versions.map((v) => v.status)).to.deep.equal(["active", "suspended", "active"]);
      const when = (seconds: number) =>
        recognition(accredit(sw.ids.accreditor, sw.ids.root, "Degree", { time: at(seconds) }));
      expect((await when(versions[1]!.since - 1)).body).to.include({ recognized: true });
      const during = await when(versions[1]!.since);
      expect(during.body).to.include({
        recognized: false,
        reason: "accreditor_suspended",
        time_requested: at(versions[1]!.since),
      });
      expect(during.body.context).to.deep.equal({ time: at(versions[1]!.since) });
      expect((await when(versions[2]!.since + 1)).body).to.include({ recognized: true });
      expect((await when(Date.parse("2020-01-01T00:00:00Z") / 1000)).body).to.include({
        recognized: false,
        reason: "accreditation_not_yet_valid",
      });
      const issuerDuring = await authorization(
        issue(sw.ids.university, sw.ids.root, "Degree", { time: at(versions[1]!.since) }),
      );
      expect(issuerDuring.body).to.include({ authorized: false, reason: "accreditor_suspended" });
    });
  });

  describe("GET /v1/trqp/authorization (the earlier path)", () => {
    const q = (params: Record<string, string>) => `/v1/trqp/authorization?${new URLSearchParams(params)}`;

    it("has the same rules: action required, time as the context echoed, 404 and 400 problem details", async () => {
      const params = {
        entity_id: sw.ids.university,
        authority_id: sw.ids.accreditor,
        action: "issue",
        resource: "Degree",
      };
      const ok = await send("GET", q({ ...params, time: "2030-01-01T00:00:00Z" }));
      expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
      conforms(validators.authorizationResponse, ok.body);
      expect(ok.body).to.include({ authorized: true, time_requested: "2030-01-01T00:00:00Z" });
      expect(ok.body.context).to.deep.equal({ time: "2030-01-01T00:00:00Z" });
      const { action: _action, ...noAction } = params;
      expectProblem(await send("GET", q(noAction)), 400, "malformed-query", "missing_parameter");
      expectProblem(await send("GET", q({ ...params, time: "1750000000" })), 400, "malformed-query", "invalid_time");
      expectProblem(await send("GET", q({ ...params, entity_id: "bob" })), 404, "unknown-entity");
      expectProblem(await send("GET", `${q(params)}&action=issue`), 400, "malformed-query");
      expect((await send("GET", q({ ...params, colour: "blue" }))).status).to.equal(200);
    });
  });

  describe("GET /v1/trqp/metadata: the governance framework from the authority_id", () => {
    it("every answer links the description of its authority's ecosystem, which names the governance framework", async () => {
      for (const authority of [sw.ids.accreditor, ecosystem]) {
        const r = await authorization(issue(sw.ids.university, authority, "Degree"));
        const link = /^<([^>]+)>; rel="describedby"$/.exec(r.headers.get("link") ?? "");
        expect(link, r.headers.get("link") ?? "no Link").to.not.equal(null);
        expect(link![1]).to.equal(`${sw.server.url}/v1/trqp/metadata?authority_id=${encodeURIComponent(authority)}`);
        const meta = await send("GET", link![1]!.slice(sw.server.url.length));
        expect(meta.status).to.equal(200);
        expect(meta.body).to.include({
          id: `${sw.server.url}/v1/trqp`,
          trqp_version: "2.0",
          authority_id: ecosystem,
          governance_framework_id: ecosystem,
        });
        expect(meta.body.authority.authority_id).to.equal(authority);
      }
    });

    it("describes the chain, the TrustRegistry, the governance and the credential types; and what an authority_id names", async () => {
      const provider = sw.w.network.provider as JsonRpcProvider;
      const [deployer] = (await provider.send("eth_accounts", [])) as string[];
      const r = await send("GET", "/v1/trqp/metadata");
      expect(r.status).to.equal(200);
      const trust = sw.w.network.deployment.contracts.TrustRegistry;
      expect(r.body.ecosystem).to.deep.include({
        network: "localnet",
        chainId: 31337,
        credentialTypes: [
          { id: 0, name: "Degree" },
          { id: 1, name: "Course" },
          { id: 2, name: "Certificate" },
          { id: 3, name: "Competency" },
        ],
      });
      expect(r.body.ecosystem.trustRegistry).to.include({ address: trust.address, block: trust.block });
      // The deployer holds the governance role from the constructor; the governor identity was granted it.
      const governorAddress = sw.w.governor.split(":").pop()!;
      expect(r.body.ecosystem.governance.map((a: string) => a.toLowerCase()).sort()).to.deep.equal(
        [deployer!.toLowerCase(), governorAddress.toLowerCase()].sort(),
      );
      expect(r.body.controllers).to.include(sw.w.governor);
      expect(r.body.queries.authorization).to.deep.equal({
        endpoint: `${sw.server.url}/v1/trqp/authorization`,
        actions: ["issue"],
        resources: ["Degree", "Course", "Certificate", "Competency"],
      });
      expect(r.body.queries.recognition.actions).to.deep.equal(["accredit"]);
      expect(r.body).to.not.have.property("authority");

      const named = async (authority: string) =>
        (await send("GET", `/v1/trqp/metadata?authority_id=${encodeURIComponent(authority)}`)).body.authority;
      expect(await named(ecosystem)).to.deep.equal({ authority_id: ecosystem, roles: ["ecosystem"] });
      expect(await named(sw.w.governor)).to.deep.include({ roles: ["governance"], did: sw.w.governor });
      expect(await named(sw.ids.root)).to.deep.include({ roles: ["root"], chain: [sw.ids.root] });
      expect(await named(sw.ids.university)).to.deep.include({
        roles: ["issuer"],
        chain: [sw.ids.university, sw.ids.accreditor, sw.ids.root],
      });
      expectProblem(await send("GET", "/v1/trqp/metadata?authority_id=auth-service-A"), 404, "unknown-authority");
    });

    it("governance is who holds the role now: a holder whose role was revoked is no longer the ecosystem's authority", async () => {
      const provider = sw.w.network.provider as JsonRpcProvider;
      const deployer = await provider.getSigner(0);
      const deployerDid = `did:ethr:localnet:${await deployer.getAddress()}`;
      // Asked a second after the chain's latest block: blocks mined faster than one a second run the chain's clock ahead
      // of the service's, and at the block time of a change (the reinstatement above) the version before it counts too.
      const now = async () => ({ time: at((await sw.w.now()) + 1) });
      expect((await authorization(issue(sw.ids.university, deployerDid, "Degree", await now()))).body).to.include({
        authorized: true,
      });
      const trust = new Contract(
        sw.w.network.deployment.contracts.TrustRegistry.address,
        projectArtifact("TrustRegistry").abi,
        deployer,
      );
      await (await trust.getFunction("renounceRole")(id("GOVERNOR_ROLE"), await deployer.getAddress())).wait();
      expectProblem(await authorization(issue(sw.ids.university, deployerDid, "Degree")), 404, "unknown-authority");
      const meta = await send("GET", "/v1/trqp/metadata");
      expect(meta.body.controllers).to.deep.equal([sw.w.governor]);
      // The ecosystem's own identifier does not depend on who governs it.
      expect((await authorization(issue(sw.ids.university, ecosystem, "Degree", await now()))).body).to.include({
        authorized: true,
      });
    });
  });

  describe("with the chain unreachable", () => {
    before(async () => sw.w.stopServer());

    it("a query that needs the chain is a 503 problem detail naming the chain error; what needs none is still answered", async () => {
      for (const r of [
        await authorization(issue(sw.ids.university, sw.ids.root, "Degree")),
        await recognition(accredit(sw.ids.accreditor, sw.ids.root, "Degree")),
        await send("GET", "/v1/trqp/metadata"),
      ]) {
        expectProblem(r, 503, "chain-unavailable", "chain_unreachable");
      }
      // An identifier that names nothing on this chain, or an action it does not answer, needs no read.
      expectProblem(await authorization(issue("user-1234", sw.ids.root, "Degree")), 404, "unknown-entity");
      expectProblem(
        await authorization({ ...issue(sw.ids.university, sw.ids.root, "Degree"), action: "verify" }),
        404,
        "unknown-action",
      );
      expectProblem(
        await send("POST", "/v1/trqp/authorization", { entity_id: sw.ids.university }),
        400,
        "malformed-query",
      );
    });
  });
});
