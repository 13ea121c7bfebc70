import { expect } from "chai";
import type { LerNetwork } from "../../src/chain/network.js";
import { buildServer, type ServerOptions } from "../../src/server/index.js";
import type { CredentialReport, PresentationReport } from "../../src/verify/report.js";
import { CHALLENGE, DOMAIN, createAdversarialWorld, type AdversarialWorld } from "../adversarial/world.js";

// The service's verifications refuse a node whose head is older than its bound: POST /v1/verify (credentials and
// presentations) and the wallet's verification answer `unknown` with `chain_lagging`. The in-process chain's clock
// stands still between blocks; the service's clock is set hours after its head, as a node that stopped following the
// chain hours ago would look.

type Report = CredentialReport | PresentationReport;
const summary = (r: Report): string =>
  JSON.stringify({ result: r.result, checks: r.checks.map((c) => `${c.id}:${c.outcome}:${c.code}`) });
const lagging = (r: Report): boolean => r.checks.some((c) => c.outcome === "unknown" && c.code === "chain_lagging");

describe("ler serve: a lagging node (maxHeadAgeSeconds)", function () {
  this.timeout(180_000);
  let w: AdversarialWorld;
  let head: number;
  let hoursLater: number;

  before(async () => {
    w = await createAdversarialWorld("in-process");
    head = await w.base.now();
    hoursLater = head + 3 * 3600;
  });
  after(async () => w?.close());

  /** POSTs each body to `path` on a service built with `options` (the world's network unless given). */
  async function ask<T>(options: Partial<ServerOptions>, path: string, bodies: unknown[]): Promise<T[]> {
    const { app } = await buildServer({ network: w.base.network, readTimeoutMs: 5000, ...options });
    try {
      const out: T[] = [];
      for (const payload of bodies) {
        const res = await app.inject({ method: "POST", url: path, payload: payload as Record<string, unknown> });
        expect(res.statusCode, res.body).to.equal(200);
        out.push(res.json() as T);
      }
      return out;
    } finally {
      await app.close();
    }
  }
  const verifyBodies = () => [
    { credential: w.tokens.uniForAda },
    { presentation: w.presentation({ credentials: [w.tokens.uniForAda] }), challenge: CHALLENGE, domain: DOMAIN },
  ];
  const withRecord = (maxHeadAgeSeconds: number | null): LerNetwork => ({
    ...w.base.network,
    deployment: { ...w.base.network.deployment, maxHeadAgeSeconds },
  });

  it("POST /v1/verify: a head hours behind the service's clock -> unknown, chain_lagging (credential and presentation)", async () => {
    const reports = await ask<Report>({ now: () => hoursLater, maxHeadAgeSeconds: 120 }, "/v1/verify", verifyBodies());
    for (const r of reports) {
      expect(r.result, summary(r)).to.equal("unknown");
      expect(lagging(r), summary(r)).to.equal(true);
    }
    const presentation = reports[1] as PresentationReport;
    expect(presentation.credentials[0]!.result, summary(presentation.credentials[0]!)).to.equal("unknown");
  });

  it("POST /v1/verify: valid within the bound, and valid without one on the dev chain (its default is off)", async () => {
    for (const options of [{ now: () => head + 60, maxHeadAgeSeconds: 120 }, { now: () => hoursLater }]) {
      for (const r of await ask<Report>(options, "/v1/verify", verifyBodies()))
        expect(r.result, summary(r)).to.equal("valid");
    }
  });

  it("the deployment record's bound applies by default; the option overrides it (null: off)", async () => {
    const [onByRecord] = await ask<Report>({ network: withRecord(120), now: () => hoursLater }, "/v1/verify", [
      { credential: w.tokens.uniForAda },
    ]);
    expect(onByRecord!.result, summary(onByRecord!)).to.equal("unknown");
    expect(lagging(onByRecord!), summary(onByRecord!)).to.equal(true);
    const [offByOption] = await ask<Report>(
      { network: withRecord(120), now: () => hoursLater, maxHeadAgeSeconds: null },
      "/v1/verify",
      [{ credential: w.tokens.uniForAda }],
    );
    expect(offByOption!.result, summary(offByOption!)).to.equal("valid");
    const [widerByOption] = await ask<Report>(
      { network: withRecord(120), now: () => hoursLater, maxHeadAgeSeconds: 4 * 3600 },
      "/v1/verify",
      [{ credential: w.tokens.uniForAda }],
    );
    expect(widerByOption!.result, summary(widerByOption!)).to.equal("valid");
  });

  it("POST /v1/wallet/skills: the held credentials' verification is unknown too", async () => {
    const body = { credentials: [w.tokens.uniForAda] };
    type Skills = { credentials: { verification?: string }[] };
    const [late] = await ask<Skills>({ now: () => hoursLater, maxHeadAgeSeconds: 120 }, "/v1/wallet/skills", [body]);
    expect(late!.credentials.map((c) => c.verification)).to.deep.equal(["unknown"]);
    const [fresh] = await ask<Skills>({ now: () => head + 60, maxHeadAgeSeconds: 120 }, "/v1/wallet/skills", [body]);
    expect(fresh!.credentials.map((c) => c.verification)).to.deep.equal(["valid"]);
  });

  it("refuses a bound that is not a positive whole number (invalid_option)", async () => {
    for (const bad of [0, -1, 2.5]) {
      let error: unknown;
      try {
        await buildServer({ network: w.base.network, maxHeadAgeSeconds: bad });
      } catch (e) {
        error = e;
      }
      expect((error as { code?: string } | undefined)?.code, String(bad)).to.equal("invalid_option");
    }
  });
});
