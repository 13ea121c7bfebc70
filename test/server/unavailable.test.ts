import { expect } from "chai";
import { readFileSync } from "node:fs";
import type { CredentialReport, PresentationReport } from "../../src/verify/report.js";
import { launchBrowser, openPage, screenshot } from "./browser.js";
import { createServerWorld, type ServerWorld } from "./world.js";

const exampleProfile = JSON.parse(
  readFileSync(new URL("../../examples/job-profile.json", import.meta.url), "utf8"),
) as unknown;

describe("ler serve with the chain unreachable: fails closed", function () {
  this.timeout(60_000);
  let sw: ServerWorld;

  before(async () => {
    sw = await createServerWorld();
    // The service has indexed the registry once; then the chain's JSON-RPC server stops.
    expect((await fetch(`${sw.server.url}/v1/registry`)).status).to.equal(200);
    await sw.w.stopServer();
  });
  after(async () => sw?.close());

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${sw.server.url}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const get = async (path: string) => {
    const res = await fetch(`${sw.server.url}${path}`);
    return { status: res.status, body: (await res.json()) as any };
  };

  it("POST /v1/verify answers 200 with result unknown, never valid, naming why", async () => {
    const r = await post("/v1/verify", { credential: sw.jwt.degree });
    expect(r.status).to.equal(200);
    const report = r.body as CredentialReport;
    expect(report.result).to.equal("unknown");
    const codes = Object.fromEntries(report.checks.map((c) => [c.id, `${c.outcome}:${c.code}`]));
    expect(codes).to.include({
      signature: "unknown:chain_unreachable",
      trust: "unknown:chain_unreachable",
      status: "unknown:chain_unreachable",
    });
    const vp = (
      await post("/v1/verify", {
        presentation: sw.jwt.presentation,
        challenge: "c-2025-06",
        domain: "northwind.example",
      })
    ).body as PresentationReport;
    expect(vp.result).to.equal("unknown");
    // A credential invalid on its face stays invalid: unknown never hides a failure.
    expect((await post("/v1/verify", { credential: "not-a-jwt" })).body.result).to.equal("invalid");
  });

  it("health says degraded; trust queries and status lists answer 503 with a code; the registry is served stale", async () => {
    const health = await get("/v1/health");
    expect(health.status).to.equal(200);
    expect(health.body.status).to.equal("degraded");
    expect(health.body.chain).to.include({ reachable: false });
    expect(health.body.chain.error.code).to.equal("chain_unreachable");
    // TRQP answers with RFC 9457 problem details, the chain error's code as `code`.
    const trqp = await get(
      `/v1/trqp/authorization?entity_id=${sw.ids.university}&authority_id=${sw.ids.root}&action=issue&resource=Degree`,
    );
    expect(trqp.status).to.equal(503);
    expect(trqp.body).to.include({ status: 503, code: "chain_unreachable" });
    const list = await get(`/v1/status-lists/${encodeURIComponent(sw.ids.university)}/0/revocation`);
    expect(list.status).to.equal(503);
    const registry = await get("/v1/registry");
    expect(registry.status).to.equal(200);
    expect(registry.body.stale.code).to.equal("chain_unreachable");
    expect(registry.body.issuers).to.have.length(2);
    const metrics = await get("/v1/metrics");
    expect(metrics.status).to.equal(200);
    expect(metrics.body.service.verifications.byResult.unknown).to.be.at.least(1);
  });

  it("the job match marks requirements unconfirmed, not met", async () => {
    const r = await post("/v1/wallet/match", {
      credentials: [sw.jwt.degree, sw.jwt.bootcamp],
      profile: exampleProfile,
    });
    expect(r.status).to.equal(200);
    expect(r.body.satisfied).to.equal(false);
    const deg = r.body.requirements.find((q: { kind: string }) => q.kind === "achievementType");
    expect(deg.status).to.equal("unconfirmed");
  });

  it("the page shows unknown, distinct from valid and invalid, and says the chain is unreachable", async () => {
    const browser = await launchBrowser();
    const { page, errors } = await openPage(browser, sw.server.url);
    try {
      await page.locator('#network-status[data-state="down"]').waitFor();
      expect(await page.locator("#network-status").innerText()).to.match(/unreachable/);
      await page.getByLabel("Credential or presentation (JWT or JSON)").fill(sw.jwt.degree);
      await page.getByRole("button", { name: "Verify", exact: true }).click();
      const verdict = page.locator(".verdict[data-verdict]");
      await verdict.waitFor();
      expect(await verdict.getAttribute("data-verdict")).to.equal("unknown");
      expect(await verdict.locator(".verdict-title").innerText()).to.equal("Credential: Unknown: could not be checked");
      expect(await verdict.locator(".verdict-text").innerText()).to.match(/cannot be reached.*never treated as valid/s);
      expect(await page.locator('tr[data-check="trust"]').getAttribute("data-outcome")).to.equal("unknown");
      expect(await page.locator(".cert-stamp").innerText()).to.match(/unverified/i);
      const colours = await page.evaluate("getComputedStyle(document.querySelector('.verdict')).backgroundColor");
      expect(colours).to.equal("rgb(255, 241, 214)");
      await screenshot(page, "verify-unknown");
      expect(errors).to.deep.equal([]);
    } finally {
      await browser.close();
    }
  });
});
