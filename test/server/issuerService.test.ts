import { expect } from "chai";
import { createLerAgent, openHome } from "../../src/agent/agent.js";
import { decodeJwt } from "../../src/verify/jwt.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { createIssuerService, type IssuerService } from "../../src/server/issuer/index.js";
import { FilesIssuerStore } from "../../src/store/filesStore.js";
import { newToken } from "../../src/store/tokens.js";
import type { IssuerStore, TokenScope } from "../../src/store/types.js";
import { createAgentWorld, type AgentWorld } from "../helpers/world.js";
import { pgStoresOrSkip } from "./issuerStores.js";

/**
 * The issuer service over HTTP, on a real chain: bearer tokens scoped to one issuer and to operations, schema-checked
 * bodies, rate limits, the audit log, coalesced anchoring, and status changes. Run against the files store (one
 * process) and, where a PostgreSQL server is up, against PostgreSQL with two services sharing the database.
 */

const SECRET = "correct horse battery staple";

interface Setup {
  w: AgentWorld;
  /** The first worker's store, service and server. */
  store: IssuerStore;
  service: IssuerService;
  server: RunningServer;
  /** Every worker's (two sharing one database for PostgreSQL; one for the files store). */
  stores: IssuerStore[];
  /** SQL in the PostgreSQL store's schema, from outside the service (undefined for the files store). */
  sql?: (text: string) => Promise<void>;
  services: IssuerService[];
  servers: RunningServer[];
  ids: { university: string; bootcamp: string; learner: string; universityAddress: string; bootcampAddress: string };
  token: (
    issuerAddress: string,
    scopes: TokenScope[],
    extra?: { expiresAt?: string },
  ) => Promise<{ token: string; id: string }>;
  close: () => Promise<void>;
}

const degree = (n = 0) => ({
  id: "https://university.example/achievements/bsc-cs",
  type: ["Achievement"],
  achievementType: "Degree",
  name: "BSc Computer Science",
  description: `Bachelor of Science in Computer Science ${n}`,
  criteria: { narrative: "Completed 180 ECTS." },
});

async function setup(storeKind: "files" | "postgres", ctx: Mocha.Context): Promise<Setup | undefined> {
  const w = await createAgentWorld("json-rpc", SECRET);
  const { agent } = w;
  const make = async (alias: string) => agent.lerCreateIdentity({ alias });
  const root = await make("Authority");
  const university = await make("State University");
  const bootcamp = await make("Code Bootcamp");
  const learner = await make("Learner");
  for (const name of ["Degree", "Certificate"]) await agent.lerRegisterType({ governor: w.governor, name });
  await agent.lerAddRoot({ governor: w.governor, root: root.did, types: ["Degree", "Certificate"] });
  await agent.lerAccredit({ accreditor: root.did, subject: university.did, role: "issuer", types: ["Degree"] });
  await agent.lerAccredit({ accreditor: root.did, subject: bootcamp.did, role: "issuer", types: ["Certificate"] });
  const keys = (await openHome(w.home, SECRET)).storeKeys;
  let stores: IssuerStore[];
  let closeStores: () => Promise<void>;
  let sql: ((text: string) => Promise<void>) | undefined;
  if (storeKind === "files") {
    stores = [new FilesIssuerStore(w.home, keys)];
    closeStores = async () => {};
  } else {
    const pg = await pgStoresOrSkip(ctx, keys, 2);
    if (pg === undefined) {
      await w.close();
      return undefined;
    }
    ({ stores, close: closeStores, sql } = pg);
  }
  const services: IssuerService[] = [];
  const servers: RunningServer[] = [];
  for (const store of stores) {
    // A worker's agent keeps its intents and nonce locks in the worker's store (the files store is the home's own).
    const agent =
      storeKind === "files"
        ? w.agent
        : await createLerAgent({ network: w.network, home: w.home, secret: SECRET, store, fund: w.fund });
    const service = await createIssuerService({ agent, network: w.network, store, intervalMs: 50, tokenCacheMs: 0 });
    services.push(service);
    servers.push(await startServer({ network: w.network, port: 0, issuer: service, readTimeoutMs: 5000 }));
  }
  const store = stores[0]!;
  const service = services[0]!;
  const server = servers[0]!;
  return {
    w,
    store,
    service,
    server,
    stores,
    ...(sql !== undefined && { sql }),
    services,
    servers,
    ids: {
      university: university.did,
      bootcamp: bootcamp.did,
      learner: learner.did,
      universityAddress: university.address.toLowerCase(),
      bootcampAddress: bootcamp.address.toLowerCase(),
    },
    async token(issuer, scopes, extra = {}) {
      const t = newToken();
      await store.tokens.createToken({
        id: t.id,
        issuer,
        scopes,
        hash: t.hash,
        createdAt: new Date().toISOString(),
        ...(extra.expiresAt !== undefined && { expiresAt: extra.expiresAt }),
      });
      return { token: t.token, id: t.id };
    },
    async close() {
      for (const sv of servers) await sv.close();
      await closeStores();
      await w.close();
    },
  };
}

async function call(
  server: RunningServer,
  method: "GET" | "POST",
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(token !== undefined && { authorization: `Bearer ${token}` }),
      ...(body !== undefined && { "content-type": "application/json" }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json(), headers: res.headers };
}

const jwtOfEnvelope = (vc: { id: string; type: string }) => {
  expect(vc.type).to.equal("EnvelopedVerifiableCredential");
  expect(vc.id.startsWith("data:application/vc+jwt,")).to.equal(true);
  return vc.id.slice("data:application/vc+jwt,".length);
};

for (const kind of ["files", "postgres"] as const) {
  describe(`issuer service (${kind} store)`, function () {
    this.timeout(180_000);
    let s: Setup;
    let full: string;
    let fullId: string;
    let campToken: string;

    before(async function () {
      const made = await setup(kind, this);
      if (made === undefined) return this.skip();
      s = made;
      ({ token: full, id: fullId } = await s.token(s.ids.universityAddress, ["issue", "status", "read"]));
      ({ token: campToken } = await s.token(s.ids.bootcampAddress, ["issue", "status", "read"]));
    });
    after(async () => s?.close());

    const issueBody = (n = 0, extra: Record<string, unknown> = {}) => ({
      credential: {
        "@context": [
          "https://www.w3.org/ns/credentials/v2",
          "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        type: ["VerifiableCredential", "OpenBadgeCredential"],
        credentialSubject: { id: s.ids.learner, type: ["AchievementSubject"], achievement: degree(n) },
        ...extra,
      },
    });

    it("publishes its OpenAPI document without a token", async () => {
      const r = await call(s.server, "GET", "/openapi.json");
      expect(r.status).to.equal(200);
      expect(r.json.openapi).to.equal("3.1.0");
      expect(Object.keys(r.json.paths)).to.include.members(["/credentials/issue", "/credentials/status"]);
    });

    it("issues an Open Badge as an EnvelopedVerifiableCredential that verifies once anchored", async () => {
      const r = await call(s.server, "POST", "/credentials/issue", full, {
        ...issueBody(),
        options: { wait: "anchored" },
      });
      expect(r.status, JSON.stringify(r.json)).to.equal(201);
      const jwt = jwtOfEnvelope(r.json.verifiableCredential);
      const { payload } = decodeJwt(jwt);
      expect(payload.iss).to.equal(s.ids.university);
      expect(payload.sub).to.equal(s.ids.learner);
      expect(r.json.anchor.state).to.equal("anchored");
      expect((payload as any).issuanceAnchor.root).to.equal(r.json.anchor.root);
      const report = await s.w.agent.lerVerifyCredential({ credential: jwt });
      expect(report.result, JSON.stringify(report.checks)).to.equal("valid");
      const read = await call(s.server, "GET", `/credentials/${encodeURIComponent(r.json.credentialId)}`, full);
      expect(read.status).to.equal(200);
      expect(jwtOfEnvelope(read.json.verifiableCredential)).to.equal(jwt);
    });

    it("refuses requests without a valid token, with the reason's code, and audits refused writes", async () => {
      const none = await call(s.server, "POST", "/credentials/issue", undefined, issueBody());
      expect([none.status, none.json.error.code]).to.deep.equal([401, "missing_token"]);
      expect(none.headers.get("www-authenticate")).to.match(/^Bearer/);
      const junk = await call(s.server, "POST", "/credentials/issue", "ler_nope", issueBody());
      expect([junk.status, junk.json.error.code]).to.deep.equal([401, "invalid_token"]);
      const wrongSecret = `${full.slice(0, -4)}AAAA`;
      const bad = await call(s.server, "POST", "/credentials/issue", wrongSecret, issueBody());
      expect([bad.status, bad.json.error.code]).to.deep.equal([401, "invalid_token"]);
      const expired = await s.token(s.ids.universityAddress, ["issue"], { expiresAt: "2020-01-01T00:00:00Z" });
      const e = await call(s.server, "POST", "/credentials/issue", expired.token, issueBody());
      expect([e.status, e.json.error.code]).to.deep.equal([401, "token_expired"]);
      const revoked = await s.token(s.ids.universityAddress, ["issue"]);
      expect(await s.store.tokens.revokeToken(revoked.id, new Date().toISOString())).to.equal(true);
      const rv = await call(s.server, "POST", "/credentials/issue", revoked.token, issueBody());
      expect([rv.status, rv.json.error.code]).to.deep.equal([401, "token_revoked"]);
      const readOnly = await s.token(s.ids.universityAddress, ["read"]);
      const ro = await call(s.server, "POST", "/credentials/issue", readOnly.token, issueBody());
      expect([ro.status, ro.json.error.code]).to.deep.equal([403, "insufficient_scope"]);
      const st = await call(s.server, "POST", "/credentials/status", readOnly.token, {
        credentialId: "urn:uuid:00000000-0000-4000-8000-000000000000",
        credentialStatus: [{ type: "BitstringStatusListEntry", status: "revoked" }],
      });
      expect([st.status, st.json.error.code]).to.deep.equal([403, "insufficient_scope"]);
      const entries = await s.store.audit.readAudit({ issuer: s.ids.universityAddress });
      const denied = entries.filter((a) => a.outcome === "denied").map((a) => a.code);
      expect(denied).to.include.members(["invalid_token", "token_expired", "token_revoked", "insufficient_scope"]);
      // No token, not even a refused one, is written to the audit log.
      expect(JSON.stringify(entries)).not.to.include(full.split("_")[2]!);
      expect(JSON.stringify(entries)).not.to.include(wrongSecret.split("_")[2]!);
    });

    it("never lets a token for one issuer issue, read or change the status of another issuer's credentials", async () => {
      const mine = await call(s.server, "POST", "/credentials/issue", full, issueBody(1));
      expect(mine.status).to.equal(201);
      const id = mine.json.credentialId as string;
      // Issue as the university with the bootcamp's token: refused before anything is signed.
      const asOther = await call(
        s.server,
        "POST",
        "/credentials/issue",
        campToken,
        issueBody(2, { issuer: s.ids.university }),
      );
      expect([asOther.status, asOther.json.error.code]).to.deep.equal([403, "wrong_issuer"]);
      // Without naming an issuer, the bootcamp's token issues as the bootcamp, which is not accredited for Degrees.
      const outOfScope = await call(s.server, "POST", "/credentials/issue", campToken, issueBody(3));
      expect(outOfScope.status).to.equal(400);
      expect(outOfScope.json.error.code).to.equal("type_out_of_scope");
      const read = await call(s.server, "GET", `/credentials/${encodeURIComponent(id)}`, campToken);
      expect([read.status, read.json.error.code]).to.deep.equal([404, "unknown_credential"]);
      const revoke = await call(s.server, "POST", "/credentials/status", campToken, {
        credentialId: id,
        credentialStatus: [{ type: "BitstringStatusListEntry", status: "revoked" }],
      });
      expect([revoke.status, revoke.json.error.code]).to.deep.equal([404, "unknown_credential"]);
      const batch = await call(s.server, "GET", `/batches/${mine.json.anchor.root}`, campToken);
      expect(batch.status).to.equal(404);
      // And the university's own token still reads it.
      expect((await call(s.server, "GET", `/credentials/${encodeURIComponent(id)}`, full)).status).to.equal(200);
    });

    it("checks bodies against the schema: unknown members, missing fields and bad values are 400 invalid_body", async () => {
      const cases: unknown[] = [
        { ...issueBody(), extra: 1 },
        { credential: { ...issueBody().credential, credentialSubject: { id: s.ids.learner } } },
        { credential: { ...issueBody().credential, id: "not-a-urn" } },
        { credential: { ...issueBody().credential, validUntil: "tomorrow" } },
        { ...issueBody(), options: { wait: "forever" } },
        { credentials: [] },
      ];
      for (const body of cases) {
        const r = await call(s.server, "POST", "/credentials/issue", full, body);
        expect([r.status, r.json.error.code], JSON.stringify(body)).to.deep.equal([400, "invalid_body"]);
      }
      const batch = await call(s.server, "POST", "/credentials/issue/batch", full, { credentials: [] });
      expect([batch.status, batch.json.error.code]).to.deep.equal([400, "invalid_body"]);
    });

    it("gathers concurrent requests into few batches, each index used once, every credential in the ledger", async () => {
      const n = 40;
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          call(s.servers[i % s.servers.length]!, "POST", "/credentials/issue", full, issueBody(100 + i)),
        ),
      );
      for (const r of results) expect(r.status, JSON.stringify(r.json)).to.equal(201);
      const roots = new Set(results.map((r) => r.json.anchor.root));
      expect(roots.size).to.be.lessThan(n / 4);
      const slots = results.map((r) => `${r.json.statusListIndex.list}:${r.json.statusListIndex.index}`);
      expect(new Set(slots).size).to.equal(n);
      const { records } = await s.store.ledger.readIssued(s.ids.universityAddress);
      const inLedger = new Map(records.map((r) => [r.id, r]));
      for (const r of results) {
        const rec = inLedger.get(r.json.credentialId)!;
        expect(rec, r.json.credentialId).to.not.equal(undefined);
        expect(rec.jwt).to.equal(jwtOfEnvelope(r.json.verifiableCredential));
      }
      const batch = await call(s.server, "POST", "/credentials/issue/batch", full, {
        credentials: [issueBody(200).credential, issueBody(201).credential],
        options: { wait: "anchored" },
      });
      expect(batch.status, JSON.stringify(batch.json)).to.equal(201);
      expect(batch.json.items).to.have.length(2);
      for (const root of roots) {
        const b = await s.service.coordinator.anchored(s.service.pipeline.scope(s.ids.universityAddress), root, 30_000);
        expect(b.anchor!.txHash).to.match(/^0x[0-9a-f]{64}$/);
      }
    });

    it("revokes a credential it issued through POST /credentials/status, and the audit log says who did", async () => {
      const r = await call(s.server, "POST", "/credentials/issue", full, {
        ...issueBody(300),
        options: { wait: "anchored" },
      });
      const jwt = jwtOfEnvelope(r.json.verifiableCredential);
      const revoke = await call(s.server, "POST", "/credentials/status", full, {
        credentialId: r.json.credentialId,
        credentialStatus: [{ type: "BitstringStatusListEntry", status: "revoked" }],
      });
      expect(revoke.status, JSON.stringify(revoke.json)).to.equal(200);
      expect(revoke.json.tx.txHash).to.match(/^0x[0-9a-f]{64}$/);
      const report = await s.w.agent.lerVerifyCredential({ credential: jwt });
      expect(report.result).to.equal("invalid");
      const entries = await s.store.audit.readAudit({ issuer: s.ids.universityAddress });
      const last = entries.filter((a) => a.op === "status.revoke" && a.outcome === "ok").at(-1)!;
      expect(last.actor).to.equal(`token:${fullId}`);
      expect(last.remote).to.match(/127\.0\.0\.1/);
      expect(JSON.stringify(last.target)).to.include(r.json.credentialId);
    });

    it("limits each token's requests per minute, counted in the store across every worker (429 rate_limited)", async () => {
      // Two more workers on the same store, each allowing 3 requests a minute per token.
      const limited = [];
      for (let i = 0; i < 2; i++) {
        const issuer = await createIssuerService({
          agent: s.w.agent,
          network: s.w.network,
          store: s.stores[i % s.stores.length]!,
          rateLimitPerMinute: 3,
          tokenCacheMs: 0,
          lead: false,
        });
        limited.push(await startServer({ network: s.w.network, port: 0, issuer }));
      }
      try {
        // The window is the clock's minute: start far from its end, so that the four requests share one.
        const second = new Date().getUTCSeconds();
        if (second >= 50) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
        const { token } = await s.token(s.ids.universityAddress, ["read"]);
        const other = await s.token(s.ids.universityAddress, ["read"]);
        const root = `0x${"00".repeat(32)}`;
        const codes: number[] = [];
        for (let i = 0; i < 3; i++) codes.push((await call(limited[i % 2]!, "GET", `/batches/${root}`, token)).status);
        expect(codes).to.deep.equal([404, 404, 404]);
        const over = await call(limited[1]!, "GET", `/batches/${root}`, token);
        expect([over.status, over.json.error.code]).to.deep.equal([429, "rate_limited"]);
        expect(Number(over.headers.get("retry-after"))).to.be.within(1, 60);
        expect(over.headers.get("ratelimit-remaining")).to.equal("0");
        // Another token of the same issuer has its own count.
        expect((await call(limited[0]!, "GET", `/batches/${root}`, other.token)).status).to.equal(404);
      } finally {
        for (const l of limited) await l.close();
      }
    });

    if (kind === "postgres") {
      it("has one anchoring leader among the workers, and another takes over when it stops", async () => {
        const leading = () => s.services.map((sv) => sv.coordinator.leading);
        expect(leading().filter(Boolean)).to.have.length(1);
        const leader = leading().indexOf(true);
        const other = 1 - leader;
        // Stopping the leader's service closes its coordinator: its lock connection ends, the lock is released.
        await s.servers[leader]!.close();
        const r = await call(s.servers[other]!, "POST", "/credentials/issue", full, {
          ...issueBody(400),
          options: { wait: "anchored" },
        });
        expect(r.status, JSON.stringify(r.json)).to.equal(201);
        expect(r.json.anchor.state).to.equal("anchored");
        expect(s.services[other]!.coordinator.leading).to.equal(true);
        const report = await s.w.agent.lerVerifyCredential({ credential: jwtOfEnvelope(r.json.verifiableCredential) });
        expect(report.result, JSON.stringify(report.checks)).to.equal("valid");
      });

      it("answers 503 with the store's code, and issues nothing, when a statement of its database fails", async () => {
        const before = (await s.store.ledger.readIssued(s.ids.universityAddress)).records.length;
        // The tokens table out of reach: the first statement of every request fails, as with a broken database.
        await s.sql!("ALTER TABLE ler_tokens RENAME TO ler_tokens_away");
        try {
          const alive = s.servers.filter((_, i) => s.services[i]!.coordinator.leading);
          const r = await call(alive[0]!, "POST", "/credentials/issue", full, issueBody(500));
          expect(r.status, JSON.stringify(r.json)).to.equal(503);
          expect(r.json.error.code).to.equal("store_failed");
        } finally {
          await s.sql!("ALTER TABLE ler_tokens_away RENAME TO ler_tokens");
        }
        expect((await s.store.ledger.readIssued(s.ids.universityAddress)).records.length).to.equal(before);
        // Back in reach, the same request succeeds.
        const alive = s.servers.filter((_, i) => s.services[i]!.coordinator.leading);
        expect((await call(alive[0]!, "POST", "/credentials/issue", full, issueBody(501))).status).to.equal(201);
      });
    }
  });
}
