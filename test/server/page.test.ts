import { expect } from "chai";
import type { Page } from "playwright-core";
import { launchBrowser, openPage, screenshot, type Browser } from "./browser.js";
import { createServerWorld, type ServerWorld } from "./world.js";

// Runs in the page (a string: the test's TypeScript has no DOM types, and tsx would wrap named functions).
const CONTRAST_PROBE = `(() => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
  const lum = (rgb) => {
    const [r, g, b] = rgb.map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => { const [x, y] = [lum(parse(a)), lum(parse(b))].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const clear = (c) => c === "rgba(0, 0, 0, 0)";
  const probe = (cls, tag = "div", inside = document.body) => {
    const el = document.createElement(tag);
    el.className = cls;
    el.textContent = "x";
    inside.append(el);
    const s = getComputedStyle(el);
    const parentBg = getComputedStyle(inside).backgroundColor;
    const bg = !clear(s.backgroundColor) ? s.backgroundColor : !clear(parentBg) ? parentBg : "rgb(255, 255, 255)";
    const ratio = contrast(s.color, bg);
    el.remove();
    return ratio;
  };
  const out = {};
  for (const c of ["verdict verdict-valid", "verdict verdict-invalid", "verdict verdict-unknown"]) out[c] = probe(c);
  for (const c of ["pass", "fail", "unknown", "skipped", "suspended", "revoked", "missing", "unconfirmed"]) out["badge-" + c] = probe("badge badge-" + c, "span");
  out["button.primary"] = probe("primary", "button");
  out.button = probe("", "button");
  out["muted on page"] = probe("muted");
  const card = document.createElement("div");
  card.className = "card";
  document.body.append(card);
  out["muted on card"] = probe("muted", "p", card);
  card.remove();
  return out;
})()`;

describe("ler serve: the web page in Chromium", function () {
  this.timeout(60_000);
  let sw: ServerWorld;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    browser = await launchBrowser();
    sw = await createServerWorld();
  });
  after(async () => {
    await browser?.close();
    await sw?.close();
  });
  beforeEach(async () => {
    ({ page, errors } = await openPage(browser, sw.server.url));
  });
  afterEach(async () => {
    await page?.close();
    expect(errors, "JavaScript errors on the page").to.deep.equal([]);
  });

  const verify = async (text: string) => {
    await page.getByLabel("Credential or presentation (JWT or JSON)").fill(text);
    await page.getByRole("button", { name: "Verify", exact: true }).click();
    return page.locator(".verdict[data-verdict]").first();
  };
  const chainNames = (scope = page.locator(".credential-report").first()) =>
    scope.locator(".chain .node-name").allInnerTexts();

  it("a valid credential: the verdict, every check passed, the trust chain root -> accreditor -> issuer, the certificate", async () => {
    const verdict = await verify(sw.jwt.degree);
    await expect(await verdict.getAttribute("data-verdict")).to.equal("valid");
    expect(await verdict.locator(".verdict-title").innerText()).to.equal("Credential: Valid");
    expect(await chainNames()).to.deep.equal([
      "National Qualifications Authority",
      "Regional Accreditation Agency",
      "State University",
    ]);
    expect(await page.locator(".chain .node-role").allInnerTexts()).to.deep.equal([
      "ROOT AUTHORITY",
      "ACCREDITOR",
      "ISSUER",
    ]);
    const outcomes = await page
      .locator("tr[data-check]")
      .evaluateAll((rows) => rows.map((r) => `${r.getAttribute("data-check")}:${r.getAttribute("data-outcome")}`));
    expect(outcomes).to.deep.equal([
      "format:pass",
      "schema:pass",
      "issuer:pass",
      "anchor:pass",
      "signature:pass",
      "trust:pass",
      "status:pass",
      "validity:pass",
    ]);
    const cert = page.locator(".certificate");
    expect(await cert.locator("h3").innerText()).to.equal("BSc Computer Science");
    const certText = await cert.innerText();
    expect(certText, certText)
      .to.include("By State University (the credential's claim")
      .and.include("Anchored on chain")
      .and.include("Awarded to");
    expect(await cert.locator(".skill-name").allInnerTexts()).to.deep.equal([
      "Software engineering",
      "Database design",
      "Algorithms",
    ]);
    expect(await cert.locator(".cert-stamp").innerText()).to.match(/verified/i);
    // Focus moves to the verdict, so that keyboard and screen-reader users land on the answer.
    expect(await page.evaluate("document.activeElement?.classList.contains('verdict')")).to.equal(true);
    await screenshot(page, "verify-valid");
  });

  it("a credential claiming another issuer's name: the chain names the registry's issuer, the claim is shown as a claim", async () => {
    const verdict = await verify(sw.jwt.impostor);
    expect(await verdict.getAttribute("data-verdict")).to.equal("valid");
    expect(await chainNames()).to.deep.equal([
      "National Qualifications Authority",
      "Regional Accreditation Agency",
      "Code Bootcamp",
    ]);
    expect(await page.locator(".chain .node-claim").innerText()).to.equal(
      "The credential calls its issuer “State University” (the credential's claim, not the registry's)",
    );
    expect(await page.locator(".certificate").innerText()).to.include(
      "By State University (the credential's claim, signed by",
    );
  });

  it("nothing overflows sideways, on a wide screen or a phone", async () => {
    await verify(sw.jwt.clr);
    await page.locator(".verdict[data-verdict]").waitFor();
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      expect(await page.evaluate("document.documentElement.scrollWidth"), `at ${width}px`).to.be.at.most(width);
    }
    expect(await page.locator(".certificate h4").allInnerTexts()).to.deep.equal([
      "BSc Computer Science · Degree",
      "Databases 101 · Course",
    ]);
    await screenshot(page, "verify-clr-phone");
  });

  it("a revoked credential: invalid, the status check failed with its reason", async () => {
    const verdict = await verify(sw.jwt.revoked);
    expect(await verdict.getAttribute("data-verdict")).to.equal("invalid");
    expect(await verdict.locator(".verdict-text").innerText()).to.match(/Revoked by its issuer/);
    expect(await page.locator('tr[data-check="status"]').getAttribute("data-outcome")).to.equal("fail");
    expect(await page.locator('tr[data-check="status"] code').innerText()).to.equal("credential_revoked");
    expect(await page.locator(".cert-stamp").innerText()).to.match(/not valid/i);
    await screenshot(page, "verify-invalid");
  });

  it("a credential file dropped onto the box is verified", async () => {
    const transfer = await page.evaluateHandle(
      `(() => { const t = new DataTransfer(); t.items.add(new File([${JSON.stringify(sw.jwt.bootcamp)}], "certificate.jwt", { type: "text/plain" })); return t; })()`,
    );
    await page.dispatchEvent("#verify-drop", "drop", { dataTransfer: transfer });
    const verdict = page.locator(".verdict[data-verdict]");
    await verdict.waitFor();
    expect(await verdict.getAttribute("data-verdict")).to.equal("valid");
    expect(await page.locator(".certificate h3").innerText()).to.equal("Full-stack Web Developer");
  });

  it("a tampered credential: invalid signature", async () => {
    const [h, p, s] = sw.jwt.degree.split(".") as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, "base64url").toString());
    payload.credentialSubject.achievement.name = "PhD Computer Science";
    const verdict = await verify(`${h}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${s}`);
    expect(await verdict.getAttribute("data-verdict")).to.equal("invalid");
    expect(await page.locator('tr[data-check="signature"]').getAttribute("data-outcome")).to.equal("fail");
  });

  it("a presentation, by keyboard only: challenge and domain, then one report per credential", async () => {
    await page.locator("#verify-input").focus();
    await page.keyboard.insertText(sw.jwt.presentation);
    await page.keyboard.press("Tab"); // file input
    await page.keyboard.press("Tab"); // presentation options
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    await page.keyboard.type("c-2025-06");
    await page.keyboard.press("Tab");
    await page.keyboard.type("northwind.example");
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement?.id")).to.equal("verify-submit");
    await page.keyboard.press("Enter");
    const verdict = page.locator(".verdict[data-verdict]").first();
    await verdict.waitFor();
    expect(await verdict.getAttribute("data-verdict")).to.equal("valid");
    expect(await verdict.locator(".verdict-title").innerText()).to.equal("Presentation: Valid");
    expect(await page.locator(".credential-report").count()).to.equal(2);
    expect(await page.locator(".certificate h3").allInnerTexts()).to.deep.equal([
      "BSc Computer Science",
      "Full-stack Web Developer",
    ]);
    expect(await chainNames(page.locator(".credential-report").nth(1))).to.deep.equal([
      "National Qualifications Authority",
      "Regional Accreditation Agency",
      "Code Bootcamp",
    ]);
    await screenshot(page, "verify-presentation");
  });

  it("tabs follow the WAI-ARIA pattern: arrow keys move between sections", async () => {
    await page.getByRole("tab", { name: "Verify" }).focus();
    await page.keyboard.press("ArrowRight");
    expect(await page.getByRole("tab", { name: "Registry" }).getAttribute("aria-selected")).to.equal("true");
    expect(await page.locator("#panel-registry").isVisible()).to.equal(true);
    expect(await page.locator("#panel-verify").isVisible()).to.equal(false);
    await page.keyboard.press("End");
    expect(await page.getByRole("tab", { name: "My skills" }).getAttribute("aria-selected")).to.equal("true");
  });

  it("the registry browser: the accreditation tree, an entity's chain, scope and history", async () => {
    await page.getByRole("tab", { name: "Registry" }).click();
    const tree = page.locator("#registry-tree .tree");
    await tree.waitFor();
    expect(await tree.locator(".entity-name").allInnerTexts()).to.deep.equal([
      "National Qualifications Authority",
      "Regional Accreditation Agency",
      "State University",
      "Code Bootcamp",
    ]);
    await page
      .getByRole("button", { name: /State University/ })
      .first()
      .click();
    const detail = page.locator("#registry-detail [data-entity]");
    await detail.waitFor();
    expect(await detail.locator("h3").innerText()).to.match(/^State University/);
    expect(await detail.locator(".chain .node-name").allInnerTexts()).to.deep.equal([
      "National Qualifications Authority",
      "Regional Accreditation Agency",
      "State University",
    ]);
    expect(await detail.innerText())
      .to.include("Degree, Course")
      .and.include("Accredited");
    expect(await detail.locator("table.history tbody tr").count()).to.equal(1);
    expect(await detail.locator("table.versions tbody tr").count()).to.equal(1);

    // Code Bootcamp was suspended and reinstated: three versions, each with its time, role, status, scope and validity.
    await page
      .getByRole("button", { name: /Code Bootcamp/ })
      .first()
      .click();
    const camp = page.locator("#registry-detail [data-entity]");
    await page.locator("#registry-detail h3", { hasText: /^Code Bootcamp/ }).waitFor();
    const versions = camp.locator("table.versions");
    expect(await versions.locator("thead th").allTextContents()).to.deep.equal([
      "Since",
      "Role",
      "Status",
      "Scope",
      "Valid",
      "Reason",
    ]);
    const rows = await versions
      .locator("tbody tr")
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => (td.textContent ?? "").trim())));
    expect(rows.map((r) => r.slice(1))).to.deep.equal([
      ["Issuer", "Active", "Certificate, Competency", "from the start, no end", "—"],
      ["Issuer", "Suspended", "Certificate, Competency", "from the start, no end", "3"],
      ["Issuer", "Active", "Certificate, Competency", "from the start, no end", "—"],
    ]);
    const since = await versions
      .locator("tbody tr")
      .evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute("data-since"))));
    expect(since[0]).to.be.lessThan(since[1]!);
    expect(since[1]).to.be.lessThan(since[2]!);
    expect(rows[0]![0]).to.match(/UTC$/);
    await screenshot(page, "registry-versions");
    await page.getByLabel("Status").selectOption("active");
    await page.getByLabel("Find by name, DID or address").fill("boot");
    expect(await page.locator("#registry-tree .entity-name").allInnerTexts()).to.deep.equal(["Code Bootcamp"]);
    await page.getByLabel("Find by name, DID or address").fill("");
    await page.getByLabel("Status").selectOption("");
    await screenshot(page, "registry");
  });

  it("the metrics: counts, and charts drawn as inline SVG with their data", async () => {
    await verify(sw.jwt.degree);
    await page.getByRole("tab", { name: "Metrics" }).click();
    await page.locator("#chart-accreditation svg[role=img]").waitFor();
    const stats = await page
      .locator(".stat")
      .evaluateAll((cards) =>
        Object.fromEntries(
          cards.map((c) => [c.querySelector(".stat-label")!.textContent, c.querySelector(".stat-value")!.textContent]),
        ),
      );
    expect(stats).to.include({ "Root authorities": "1", Accreditors: "1", Issuers: "2", "Credentials suspended": "1" });
    expect(Number(stats["Verifications served"])).to.be.at.least(1);
    for (const id of ["chart-accreditation", "chart-credentials", "chart-outcomes", "chart-latency"]) {
      const fig = page.locator(`#${id}`);
      expect(await fig.locator("svg[role=img]").count(), id).to.equal(1);
      expect(await fig.locator("figcaption").innerText(), id).to.not.equal("");
      expect(await fig.locator("table tbody tr").count(), id).to.be.greaterThan(0);
    }
    expect(await page.locator("#chart-accreditation svg path").count()).to.equal(4);
    expect(await page.locator("#chart-outcomes svg rect").count()).to.equal(3);
    await screenshot(page, "metrics");
  });

  it("the learner view: skills proven, and the job match with what is met, by which credential, and what is missing", async () => {
    await page.getByRole("tab", { name: "My skills" }).click();
    await page
      .getByLabel("Your credentials")
      .fill([sw.jwt.degree, sw.jwt.bootcamp, sw.jwt.teamwork, sw.jwt.revoked].join("\n"));
    await page.getByRole("button", { name: "Load the example profile" }).click();
    await page.waitForFunction("document.getElementById('skills-profile').value.includes('Junior Software Engineer')");
    await page.getByRole("button", { name: "Show my skills and the match" }).click();
    const match = page.locator(".match");
    await match.waitFor();
    expect(await match.getAttribute("data-satisfied")).to.equal("false");
    const rows = await match
      .locator("tr[data-requirement]")
      .evaluateAll((trs) =>
        Object.fromEntries(trs.map((tr) => [tr.getAttribute("data-requirement"), tr.getAttribute("data-status")])),
      );
    expect(rows).to.deep.equal({
      "A bachelor's degree": "met",
      "Software engineering": "met",
      JavaScript: "met",
      "Cloud deployment": "missing",
      "Agile teamwork": "met",
      Kubernetes: "missing",
    });
    expect(await match.locator('tr[data-requirement="JavaScript"]').innerText()).to.include("Full-stack Web Developer");
    expect(await match.locator(".verdict-text").innerText()).to.include("Cloud deployment");
    expect(await page.locator(".skills-report [data-skill]").count()).to.be.at.least(5);
    expect(await page.locator(".skills-report").innerText()).to.include("Invalid");
    await screenshot(page, "skills-match");
  });

  it("verdicts, badges, muted text and buttons meet WCAG AA contrast (4.5:1)", async () => {
    const ratios = (await page.evaluate(CONTRAST_PROBE)) as Record<string, number>;
    for (const [name, ratio] of Object.entries(ratios)) expect(ratio, name).to.be.at.least(4.5);
  });
});
