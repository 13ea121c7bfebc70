// LER Registry page. Vanilla JS, no build step. Everything it shows comes from this service's API
// (docs/http-api.md); untrusted text (credentials, names) is only ever set as text, never parsed as HTML.

const SVG_NS = "http://www.w3.org/2000/svg";

// ---- DOM helpers -----------------------------------------------------------------------------------------------

/** An element with attributes and children (strings become text nodes). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.setAttribute("class", v);
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

const $ = (id) => document.getElementById(id);

function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

// ---- API -------------------------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(path, body) {
  const init =
    body === undefined
      ? {}
      : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, "service_unreachable", "This page cannot reach its service.");
  }
  let json;
  try {
    json = await res.json();
  } catch {
    throw new ApiError(res.status, "bad_response", `The service answered ${res.status} without JSON.`);
  }
  if (!res.ok)
    throw new ApiError(res.status, json?.error?.code ?? "error", json?.error?.message ?? `HTTP ${res.status}`);
  return json;
}

function errorBox(e) {
  return h(
    "div",
    { class: "alert", role: "alert" },
    h("strong", {}, "The request failed. "),
    e.message,
    " ",
    e.code ? h("code", {}, `(${e.code})`) : null,
  );
}

// ---- formatting ------------------------------------------------------------------------------------------------

const dateFmt = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeStyle: "short", timeZone: "UTC" });
const dayFmt = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" });
// Versions are keyed by block time: to the second, or two versions a few seconds apart would read the same.
const secondFmt = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeStyle: "medium", timeZone: "UTC" });

function fmtTime(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return "—";
  return `${dateFmt.format(new Date(seconds * 1000))} UTC`;
}

function fmtIso(s) {
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? fmtTime(ms / 1000) : s;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

function shortDid(did) {
  if (typeof did !== "string") return "";
  const m = /^(did:ethr:(?:[^:]+:)?)(0x[0-9a-fA-F]{40})$/.exec(did);
  return m ? `${m[1]}${m[2].slice(0, 6)}…${m[2].slice(-4)}` : did;
}

function didText(did) {
  return h("code", { title: did }, shortDid(did));
}

const STATUS_LABEL = {
  active: "Active",
  suspended: "Suspended",
  revoked: "Revoked",
  expired: "Expired",
  not_yet_valid: "Not yet valid",
  none: "Not yet accredited then",
};
const OUTCOME = {
  pass: { icon: "✓", label: "Pass" },
  fail: { icon: "✗", label: "Fail" },
  unknown: { icon: "?", label: "Unknown" },
  skipped: { icon: "–", label: "Not applicable" },
};
const CHECK_LABEL = {
  format: "Format",
  schema: "Required fields",
  issuer: "Issuer identity",
  anchor: "Issuance anchor",
  signature: "Issuer signature",
  trust: "Issuer accreditation",
  status: "Revocation and suspension",
  validity: "Validity period",
  presentation: "Presentation validity",
  holder_signature: "Holder signature",
  holder_binding: "Holder is the subject",
  embedded: "Embedded credentials",
};

function badge(kind, label, icon) {
  return h("span", { class: `badge badge-${kind}` }, icon ? h("span", { "aria-hidden": "true" }, icon) : null, label);
}

function statusBadge(status) {
  return badge(status, STATUS_LABEL[status] ?? status);
}

// ---- tabs ------------------------------------------------------------------------------------------------------

const TABS = ["verify", "registry", "metrics", "skills"];
const loaders = { registry: loadRegistry, metrics: loadMetrics };
const loaded = new Set();

function selectTab(name, { focus = false, updateHash = true } = {}) {
  for (const t of TABS) {
    const tab = $(`tab-${t}`);
    const on = t === name;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    $(`panel-${t}`).hidden = !on;
    if (on && focus) tab.focus();
  }
  if (updateHash && location.hash !== `#${name}`) history.replaceState(null, "", `#${name}`);
  if (loaders[name] && !loaded.has(name)) {
    loaded.add(name);
    loaders[name]();
  }
}

function initTabs() {
  const list = $("tabs");
  list.addEventListener("click", (e) => {
    const tab = e.target.closest('[role="tab"]');
    if (tab) selectTab(tab.id.replace("tab-", ""));
  });
  list.addEventListener("keydown", (e) => {
    const current = TABS.findIndex((t) => $(`tab-${t}`).getAttribute("aria-selected") === "true");
    const next = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: TABS.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    selectTab(TABS[(next + TABS.length) % TABS.length], { focus: true });
  });
  const fromHash = location.hash.slice(1);
  selectTab(TABS.includes(fromHash) ? fromHash : "verify", { updateHash: false });
  window.addEventListener("hashchange", () => {
    const name = location.hash.slice(1);
    if (TABS.includes(name)) selectTab(name, { updateHash: false });
  });
}

// ---- header: chain status --------------------------------------------------------------------------------------

async function loadHealth() {
  const el = $("network-status");
  try {
    const health = await api("/v1/health");
    if (health.status === "ok") {
      el.dataset.state = "ok";
      el.textContent = `Chain ${health.chain.network} (id ${health.chain.chainId}), block ${health.chain.block}`;
    } else {
      el.dataset.state = "down";
      el.textContent = `Chain ${health.chain.network} unreachable: verifications will report unknown`;
    }
  } catch (e) {
    el.dataset.state = "down";
    el.textContent = e.message;
  }
}

// ---- credential decoding (display only: the verdict always comes from the service) -----------------------------

function decodeJwtPayload(jwt) {
  const parts = typeof jwt === "string" ? jwt.trim().split(".") : [];
  if (parts.length !== 3) return undefined;
  try {
    const b64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    const bin = atob(b64 + "===".slice((b64.length + 3) % 4));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    const value = JSON.parse(new TextDecoder().decode(bytes));
    return value && typeof value === "object" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** What was pasted: a credential or a presentation, as a JWT string or a JSON object. */
function classify(text) {
  const t = text.trim();
  if (t.startsWith("{")) {
    let obj;
    try {
      obj = JSON.parse(t);
    } catch {
      return { kind: "credential", value: t };
    }
    const types = [].concat(obj.type ?? []);
    const jwt = obj.proof && typeof obj.proof.jwt === "string" ? obj.proof.jwt : undefined;
    const payload = jwt ? decodeJwtPayload(jwt) : undefined;
    if (types.includes("VerifiablePresentation") || payload?.vp) return { kind: "presentation", value: obj };
    return { kind: "credential", value: obj };
  }
  const payload = decodeJwtPayload(t);
  // A VC 2.0 presentation secured as a JWT is its payload: `type` says which.
  const isVp = payload?.vp || [].concat(payload?.type ?? []).includes("VerifiablePresentation");
  return { kind: isVp ? "presentation" : "credential", value: t };
}

/** The W3C credential a JWT (or an object carrying one) holds, for the certificate view. */
function credentialOf(value) {
  const jwt = typeof value === "string" ? value : value?.proof?.jwt;
  const payload = typeof jwt === "string" ? decodeJwtPayload(jwt) : undefined;
  if (payload?.vc) {
    // As did-jwt-vc's normalizeCredential: members the JWT encoding moved out of `vc` (issuer profile, name, …) and
    // the registered claims come back into the W3C form.
    const { iss, sub, nbf, exp, jti, iat, aud, nonce, vc: inner, ...extra } = payload;
    const vc = { ...extra, ...inner };
    vc.credentialSubject = { ...(vc.credentialSubject ?? {}) };
    if (sub && !vc.credentialSubject.id) vc.credentialSubject.id = sub;
    if (jti && !vc.id) vc.id = jti;
    if (iss)
      vc.issuer =
        typeof vc.issuer === "object" && vc.issuer !== null
          ? { ...vc.issuer, id: vc.issuer.id ?? iss }
          : (vc.issuer ?? iss);
    if (typeof nbf === "number" && !vc.issuanceDate) vc.issuanceDate = new Date(nbf * 1000).toISOString();
    if (typeof exp === "number" && !vc.expirationDate) vc.expirationDate = new Date(exp * 1000).toISOString();
    return vc;
  }
  if (payload?.["@context"]) {
    // VC-JOSE (VC 2.0, as Open Badges 3.0 secures it): the payload is the credential; the registered claims mirror it.
    const { iss, sub, nbf, exp, jti, iat, ...vc } = payload;
    return vc;
  }
  return value && typeof value === "object" ? value : undefined;
}

function presentedCredentials(value) {
  const jwt = typeof value === "string" ? value : value?.proof?.jwt;
  const payload = typeof jwt === "string" ? decodeJwtPayload(jwt) : undefined;
  // The `vp` claim (VC 1.1), or the payload itself (VC 2.0 secured as a JWT).
  const list = payload?.vp?.verifiableCredential ?? payload?.verifiableCredential ?? value?.verifiableCredential ?? [];
  // An enveloped credential carries its JWT in a data: URL.
  return []
    .concat(list)
    .map((c) =>
      c && typeof c === "object" && typeof c.id === "string" && c.id.startsWith("data:application/vc+jwt,")
        ? c.id.slice("data:application/vc+jwt,".length)
        : c,
    );
}

// ---- verify ----------------------------------------------------------------------------------------------------

function initVerify() {
  const form = $("verify-form");
  const input = $("verify-input");
  const drop = $("verify-drop");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    await runVerify();
  });
  $("verify-clear").addEventListener("click", () => {
    input.value = "";
    $("verify-challenge").value = "";
    $("verify-domain").value = "";
    replace($("verify-result"));
    input.focus();
  });
  $("verify-file").addEventListener("change", async (e) => {
    const file = e.target.files?.[0];
    if (file) input.value = (await file.text()).trim();
  });
  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, (e) => {
      e.preventDefault();
      drop.classList.add("dragging");
    });
  }
  for (const type of ["dragleave", "drop"]) drop.addEventListener(type, () => drop.classList.remove("dragging"));
  drop.addEventListener("drop", async (e) => {
    e.preventDefault();
    const file = e.dataTransfer?.files?.[0];
    const text = file ? await file.text() : e.dataTransfer?.getData("text/plain");
    if (text) {
      input.value = text.trim();
      await runVerify();
    }
  });
}

async function runVerify() {
  const out = $("verify-result");
  const text = $("verify-input").value;
  if (text.trim() === "") {
    replace(out, h("div", { class: "alert", role: "alert" }, "Paste a credential or a presentation first."));
    $("verify-input").focus();
    return;
  }
  const { kind, value } = classify(text);
  const body = { [kind]: value };
  if (kind === "presentation") {
    const challenge = $("verify-challenge").value.trim();
    const domain = $("verify-domain").value.trim();
    if (challenge) body.challenge = challenge;
    if (domain) body.domain = domain;
  }
  const button = $("verify-submit");
  button.disabled = true;
  replace(out, h("p", { class: "muted", role: "status" }, "Checking against the chain…"));
  try {
    const report = await api("/v1/verify", body);
    await ensureTypes();
    replace(
      out,
      kind === "presentation" ? renderPresentation(report, value) : renderCredentialReport(report, value, 2),
    );
    out.querySelector(".verdict")?.focus();
  } catch (e) {
    replace(out, errorBox(e));
  } finally {
    button.disabled = false;
  }
}

let typeNames = new Map();
async function ensureTypes() {
  if (typeNames.size > 0) return;
  try {
    const { types } = await api("/v1/registry/types");
    typeNames = new Map(types.map((t) => [t.id, t.name]));
  } catch {
    // Without names, scopes show type ids: still correct, only less readable.
  }
}

const VERDICT = {
  valid: { icon: "✓", title: "Valid" },
  invalid: { icon: "✗", title: "Invalid" },
  unknown: { icon: "?", title: "Unknown: could not be checked" },
};

function verdictBanner(report, subject) {
  const v = VERDICT[report.result] ?? VERDICT.unknown;
  let text;
  if (report.result === "valid") {
    text =
      subject === "presentation"
        ? "The holder signed this presentation, and every credential in it is valid."
        : "Signed by its issuer, issued while the issuer was accredited for it, neither revoked nor suspended, and within its validity period.";
  } else if (report.result === "invalid") {
    const failed = report.checks.find((c) => c.outcome === "fail");
    const nested = report.credentials?.find((c) => c.result === "invalid");
    text = failed
      ? failed.message
      : nested
        ? "A credential in this presentation is invalid (see below)."
        : "It did not pass verification.";
  } else {
    const unknown = report.checks.find((c) => c.outcome === "unknown");
    text = `${unknown ? unknown.message + " " : ""}Do not rely on it until it can be checked: unknown is never treated as valid.`;
  }
  return h(
    "div",
    { class: `verdict verdict-${report.result}`, "data-verdict": report.result, tabindex: "-1", role: "status" },
    h("span", { class: "verdict-icon", "aria-hidden": "true" }, v.icon),
    h(
      "div",
      {},
      h("p", { class: "verdict-title" }, `${subject === "presentation" ? "Presentation" : "Credential"}: ${v.title}`),
      h("p", { class: "verdict-text" }, text),
    ),
  );
}

// A presentation carries two checks with the id "presentation": the verifier's challenge and domain, and its window.
const CHALLENGE_CODES = new Set([
  "challenge_matched",
  "no_challenge_requested",
  "challenge_mismatch",
  "domain_mismatch",
]);
function checkLabel(c) {
  if (c.id === "presentation" && CHALLENGE_CODES.has(c.code)) return "Challenge and domain";
  return CHECK_LABEL[c.id] ?? c.id;
}

function checksTable(checks, caption) {
  return h(
    "table",
    { class: "checks" },
    h("caption", { class: "visually-hidden" }, caption),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Check"),
        h("th", { scope: "col" }, "Outcome"),
        h("th", { scope: "col" }, "Detail"),
      ),
    ),
    h(
      "tbody",
      {},
      checks.map((c) => {
        const o = OUTCOME[c.outcome] ?? OUTCOME.unknown;
        return h(
          "tr",
          { "data-check": c.id, "data-outcome": c.outcome },
          h("td", { class: "check-name" }, checkLabel(c)),
          h("td", {}, badge(c.outcome, o.label, o.icon)),
          h(
            "td",
            {},
            h("p", { class: "check-message" }, c.message),
            h("span", { class: "check-code" }, "code ", h("code", {}, c.code)),
          ),
        );
      }),
    ),
  );
}

let uid = 0;
const nextId = (prefix) => `${prefix}-${++uid}`;

function renderCredentialReport(report, input, level) {
  const Hn = `h${level}`;
  const chainId = nextId("chain");
  const checksId = nextId("checks");
  const trust = report.checks.find((c) => c.id === "trust");
  const failedAt = trust?.outcome === "fail" ? trust.details?.failedAt : undefined;
  return h(
    "div",
    { class: "credential-report", "data-result": report.result },
    verdictBanner(report, "credential"),
    h(
      "section",
      { class: "card", "aria-labelledby": chainId },
      h(Hn, { id: chainId }, "Trust chain"),
      trustChain(
        report.trustChain.map((l, i) => ({
          ...l,
          isIssuer: i === 0,
          scope: l.scope.map((s) => ({ id: s.id, name: s.name ?? typeNames.get(s.id) })),
        })),
        {
          failedAt,
          claimedName: report.credential?.issuerName,
          emptyText:
            report.result === "unknown"
              ? "The chain could not be read, so the issuer's accreditation is unknown."
              : "The issuer has no accreditation in the registry.",
        },
      ),
      report.trustedTime
        ? h(
            "p",
            { class: "meta" },
            report.trustedTime.source === "anchor"
              ? `Judged at the anchored issuance time, ${fmtTime(report.trustedTime.at)} (block ${report.trustedTime.anchorBlock}).`
              : `Judged now, ${fmtTime(report.trustedTime.at)}: the credential carries no anchored issuance time.`,
          )
        : null,
    ),
    h(
      "div",
      { class: "report-grid" },
      certificate(credentialOf(input), report),
      h(
        "section",
        { class: "card", "aria-labelledby": checksId },
        h(Hn, { id: checksId }, "Checks"),
        checksTable(report.checks, "Verification checks"),
      ),
    ),
  );
}

function renderPresentation(report, input) {
  const credentials = presentedCredentials(input);
  return h(
    "div",
    { class: "presentation-report", "data-result": report.result },
    verdictBanner(report, "presentation"),
    h(
      "section",
      { class: "card" },
      h("h2", {}, "Presentation checks"),
      report.holder ? h("p", {}, "Holder ", didText(report.holder)) : null,
      checksTable(report.checks, "Presentation checks"),
    ),
    report.credentials.map((r, i) =>
      h(
        "section",
        { class: "sub-report" },
        h(
          "h2",
          {},
          `Credential ${i + 1} of ${report.credentials.length}${r.credential?.name ? `: ${r.credential.name}` : ""}`,
        ),
        renderCredentialReport(r, credentials[i], 3),
      ),
    ),
  );
}

/**
 * The accreditation chain drawn root first: root authority -> accreditor(s) -> issuer. Nodes come issuer first. Names
 * are the service's own (its aliases) only; `claimedName`, the name a credential gives its issuer, is shown beside
 * the issuer as the credential's claim, never as the node's name.
 */
function trustChain(nodes, { failedAt, emptyText, onSelect, claimedName } = {}) {
  if (!nodes || nodes.length === 0) return h("p", { class: "muted" }, emptyText ?? "No accreditation chain.");
  const ordered = [...nodes].reverse();
  return h(
    "ol",
    { class: "chain", "aria-label": "Trust chain, from the root authority down to the issuer" },
    ordered.map((n, i) => {
      const isLast = i === ordered.length - 1;
      const roleLabel = n.isRoot
        ? "Root authority"
        : isLast && (n.isIssuer ?? n.role?.includes("issuer"))
          ? "Issuer"
          : "Accreditor";
      const failed = failedAt !== undefined && failedAt === n.address;
      const status = n.displayStatus ?? displayStatusOf(n);
      const scope = (n.scope ?? []).map((s) => s.name ?? `type ${s.id}`).join(", ");
      const name = n.name ?? "Unnamed";
      const isIssuerNode = isLast && !n.isRoot;
      const claim = isIssuerNode && typeof claimedName === "string" && claimedName !== n.name ? claimedName : undefined;
      return h(
        "li",
        { "data-address": n.address },
        h(
          "div",
          {
            class: `node ${n.isRoot ? "node-root" : ""} ${isLast && !n.isRoot ? "node-issuer" : ""} ${failed ? "node-failed" : ""}`,
          },
          h("p", { class: "node-role" }, roleLabel),
          onSelect
            ? h(
                "p",
                { class: "node-name" },
                h("button", { type: "button", class: "link-button", onclick: () => onSelect(n.did) }, name),
              )
            : h("p", { class: "node-name" }, name),
          h("p", { class: "node-did" }, didText(n.did)),
          claim !== undefined
            ? h(
                "p",
                { class: "node-claim" },
                "The credential calls its issuer “",
                claim,
                "” (the credential's claim, not the registry's)",
              )
            : null,
          statusBadge(status),
          n.statusNow
            ? [" ", badge(n.statusNow, `Now ${(STATUS_LABEL[n.statusNow] ?? n.statusNow).toLowerCase()}`)]
            : null,
          typeof n.since === "number"
            ? h("p", { class: "node-since" }, `This version since ${fmtTime(n.since)}`)
            : null,
          scope ? h("p", { class: "node-scope" }, "Scope: ", scope) : null,
          failed
            ? h("p", { class: "node-broke" }, h("span", { "aria-hidden": "true" }, "✗ "), "The chain breaks here")
            : null,
        ),
      );
    }),
  );
}

function displayStatusOf(n) {
  if (n.status !== "active") return n.status;
  const now = Date.now() / 1000;
  if (n.validUntil !== null && n.validUntil !== undefined && now >= n.validUntil) return "expired";
  if (typeof n.validFrom === "number" && now < n.validFrom) return "not_yet_valid";
  return "active";
}

/** The credential as a readable certificate: achievement(s), issuer, learner, dates, skills. */
function certificate(vc, report) {
  const stampText = { valid: "Verified", invalid: "Not valid", unknown: "Unverified" }[report.result];
  const section = h("section", { class: `certificate cert-${report.result}`, "aria-label": "Credential" });
  section.append(h("span", { class: `cert-stamp cert-stamp-${report.result}` }, stampText));
  if (!vc) {
    section.append(h("p", {}, "The credential cannot be read, so there is nothing to show."));
    return section;
  }
  const issuer = typeof vc.issuer === "string" ? { id: vc.issuer } : (vc.issuer ?? {});
  const subjects = [].concat(vc.credentialSubject ?? []);
  const subject = subjects[0] ?? {};
  const achievements = subjects.flatMap((s) => [].concat(s.achievement ?? []));
  const isClr = [].concat(vc.type ?? []).includes("ClrCredential");
  const single = !isClr && achievements.length === 1;
  section.append(
    h(
      "p",
      { class: "cert-kicker" },
      isClr
        ? "Comprehensive learner record"
        : `Open Badge${achievements[0]?.achievementType ? ` · ${achievements[0].achievementType}` : ""}`,
    ),
  );
  section.append(h("h3", {}, single ? (achievements[0].name ?? vc.name ?? "Achievement") : (vc.name ?? "Credential")));
  section.append(
    h(
      "p",
      { class: "cert-line" },
      "Awarded to ",
      subject.id ? h("strong", {}, didText(subject.id)) : h("strong", {}, "an unnamed holder"),
    ),
    // The issuer's name here is what the credential says about itself; the trust chain above names who the registry
    // accredited. Shown as a claim so that nobody reads it as the registry's word.
    issuer.name
      ? h(
          "p",
          { class: "cert-line" },
          "By ",
          h("strong", {}, issuer.name),
          " ",
          h(
            "span",
            { class: "muted cert-claim" },
            "(the credential's claim",
            issuer.id ? [", signed by ", didText(issuer.id)] : null,
            ")",
          ),
        )
      : h("p", { class: "cert-line" }, "By ", h("strong", {}, issuer.id ? didText(issuer.id) : "an unnamed issuer")),
  );
  achievements.forEach((a, i) => section.append(achievementBlock(a, single, i)));
  const facts = h("dl", { class: "cert-facts" });
  const fact = (k, v) => v && facts.append(h("dt", {}, k), h("dd", {}, v));
  fact("Issued", vc.issuanceDate ? fmtIso(vc.issuanceDate) : vc.validFrom ? fmtIso(vc.validFrom) : undefined);
  if (report.trustedTime?.source === "anchor")
    fact("Anchored on chain", `${fmtTime(report.trustedTime.at)}, block ${report.trustedTime.anchorBlock}`);
  fact("Expires", vc.expirationDate ? fmtIso(vc.expirationDate) : vc.validUntil ? fmtIso(vc.validUntil) : "No expiry");
  fact("Credential ID", vc.id ? h("code", {}, vc.id) : undefined);
  section.append(facts);
  return section;
}

function achievementBlock(a, single, i) {
  const block = h("div", { class: "cert-achievement", "data-achievement": a.id ?? i });
  if (!single)
    block.append(
      h(
        "h4",
        {},
        a.name ?? "Achievement",
        a.achievementType ? h("span", { class: "muted" }, ` · ${a.achievementType}`) : null,
      ),
    );
  if (a.description) block.append(h("p", { class: "cert-description" }, a.description));
  const narrative = a.criteria?.narrative;
  if (narrative) block.append(h("p", { class: "cert-line" }, h("strong", {}, "Criteria: "), narrative));
  const alignments = [].concat(a.alignment ?? []);
  if (alignments.length > 0) {
    block.append(h("p", { class: "cert-line" }, h("strong", {}, "Skills and alignments")));
    block.append(
      h(
        "ul",
        { class: "skills" },
        alignments.map((al) => skillItem(al)),
      ),
    );
  }
  return block;
}

function skillItem(al) {
  const meta = [al.targetFramework, al.targetCode].filter(Boolean).join(" · ");
  const url = typeof al.targetUrl === "string" && /^https?:\/\//i.test(al.targetUrl) ? al.targetUrl : undefined;
  return h(
    "li",
    {},
    h("span", { class: "skill-name" }, al.targetName ?? al.name ?? "Skill"),
    meta ? h("span", { class: "skill-meta" }, meta) : null,
    url
      ? h(
          "a",
          { href: url, rel: "noopener noreferrer", target: "_blank", class: "skill-meta" },
          "framework entry",
          h("span", { class: "visually-hidden" }, ` for ${al.targetName ?? "this skill"} (opens in a new tab)`),
        )
      : null,
  );
}

// ---- registry --------------------------------------------------------------------------------------------------

let registry;
let selectedEntity;

async function loadRegistry() {
  const meta = $("registry-meta");
  meta.textContent = "Loading the registry…";
  try {
    registry = await api("/v1/registry");
    typeNames = new Map(registry.types.map((t) => [t.id, t.name]));
    meta.textContent = `As of block ${registry.block} (${fmtTime(registry.blockTime)}).${registry.stale ? ` The chain could not be read just now (${registry.stale.code}): this may be behind.` : ""}`;
    replace(
      $("registry-types"),
      registry.types.length === 0 ? h("li", {}, "No types registered") : registry.types.map((t) => h("li", {}, t.name)),
    );
    renderRegistryList();
  } catch (e) {
    meta.textContent = "";
    replace($("registry-tree"), errorBox(e));
  }
}

function allEntities() {
  const map = new Map();
  for (const e of [...registry.roots, ...registry.accreditors, ...registry.issuers]) map.set(e.address, e);
  return [...map.values()];
}

function entityButton(e) {
  const roleText = e.isRoot
    ? "Root authority"
    : e.role.map((r) => (r === "issuer" ? "Issuer" : "Accreditor")).join(" and ");
  return h(
    "button",
    {
      type: "button",
      class: "entity-button",
      "data-address": e.address,
      "aria-current": selectedEntity === e.address ? "true" : false,
      onclick: () => selectEntity(e.did),
    },
    h("span", { class: "entity-name" }, e.name ?? shortDid(e.did)),
    h("span", { class: "entity-role" }, roleText),
    statusBadge(e.status),
  );
}

function renderRegistryList() {
  if (!registry) return;
  const q = $("registry-search").value.trim().toLowerCase();
  const status = $("registry-status").value;
  const entities = allEntities();
  const out = $("registry-tree");
  if (entities.length === 0) {
    replace(out, h("p", { class: "muted" }, "Nobody is accredited yet."));
    return;
  }
  if (q || status) {
    const hits = entities.filter(
      (e) =>
        (!status || e.status === status) &&
        (!q || [e.name ?? "", e.did, e.address].some((s) => s.toLowerCase().includes(q))),
    );
    $("registry-tree-title").textContent = `Matching entities (${hits.length})`;
    replace(
      out,
      hits.length === 0
        ? h("p", { class: "muted" }, "No entity matches.")
        : h(
            "ul",
            { class: "tree" },
            hits.map((e) => h("li", {}, entityButton(e))),
          ),
    );
    return;
  }
  $("registry-tree-title").textContent = "Accreditations";
  const children = new Map();
  for (const e of entities) {
    if (!e.parent) continue;
    children.set(e.parent, [...(children.get(e.parent) ?? []), e]);
  }
  const branch = (e, depth) =>
    h(
      "li",
      {},
      entityButton(e),
      depth < 10 && children.has(e.address)
        ? h(
            "ul",
            {},
            children.get(e.address).map((c) => branch(c, depth + 1)),
          )
        : null,
    );
  replace(
    out,
    h(
      "ul",
      { class: "tree", "aria-label": "Accreditation tree" },
      entities.filter((e) => e.isRoot).map((e) => branch(e, 0)),
    ),
  );
}

async function selectEntity(did) {
  const out = $("registry-detail");
  replace(out, h("p", { class: "muted", role: "status" }, "Loading…"));
  try {
    const d = await api(`/v1/registry/entities/${encodeURIComponent(did)}`);
    selectedEntity = d.entity.address;
    for (const b of document.querySelectorAll(".entity-button"))
      b.setAttribute("aria-current", String(b.dataset.address === selectedEntity));
    replace(out, entityDetail(d));
    $("registry-detail-title").focus();
  } catch (e) {
    replace(out, errorBox(e));
  }
}

const EVENT_LABEL = {
  accredited: "Accredited",
  updated: "Updated",
  suspended: "Suspended",
  reinstated: "Reinstated",
  revoked: "Revoked",
};

function entityDetail(d) {
  const e = d.entity;
  const c = d.credentials;
  return h(
    "div",
    { class: "card", "data-entity": e.address },
    h("h3", {}, e.name ?? "Unnamed entity", " ", statusBadge(e.status)),
    h("p", { class: "node-did" }, h("code", {}, e.did)),
    h(
      "dl",
      { class: "cert-facts" },
      h("dt", {}, "Role"),
      h(
        "dd",
        {},
        e.isRoot
          ? "Root authority (accreditor)"
          : e.role.map((r) => (r === "issuer" ? "Issuer" : "Accreditor")).join(" and "),
      ),
      h("dt", {}, "Scope in effect"),
      h("dd", {}, e.effectiveScope.map((s) => s.name ?? `type ${s.id}`).join(", ") || "None"),
      h("dt", {}, "Valid"),
      h(
        "dd",
        {},
        `${e.validFrom ? `from ${fmtTime(e.validFrom)}` : "from the start"}, ${e.validUntil === null ? "no end" : `until ${fmtTime(e.validUntil)}`}`,
      ),
      h("dt", {}, "Accredited"),
      h("dd", {}, `${fmtTime(e.accreditedAt.time)} (block ${e.accreditedAt.block})`),
      e.metadataURI ? [h("dt", {}, "Profile"), h("dd", {}, h("code", {}, e.metadataURI))] : null,
      e.role.includes("issuer")
        ? [
            h("dt", {}, "Issuance batches anchored"),
            h("dd", {}, String(c.anchors)),
            h("dt", {}, "Entries revoked / suspended"),
            h(
              "dd",
              {},
              `${c.revokedEntries} / ${c.suspendedEntries}${c.revokedByHash ? ` (and ${c.revokedByHash} revoked by hash)` : ""}`,
            ),
          ]
        : null,
    ),
    h("h4", {}, "Trust chain"),
    trustChain(
      d.chain.map((n) => ({ ...n, displayStatus: n.status, scope: n.effectiveScope })),
      { onSelect: selectEntity },
    ),
    d.children.length > 0
      ? [
          h("h4", {}, `Accredited by it (${d.children.length})`),
          h(
            "ul",
            { class: "tree" },
            d.children.map((x) => h("li", {}, entityButton(x))),
          ),
        ]
      : null,
    c.statusLists.length > 0
      ? [
          h("h4", {}, "Status lists (W3C Bitstring Status List)"),
          h(
            "ul",
            {},
            c.statusLists.map((l) =>
              h(
                "li",
                {},
                `List ${l.list}: `,
                h("a", { href: l.revocationList }, "revocation"),
                " · ",
                h("a", { href: l.suspensionList }, "suspension"),
                ` (${l.revokedEntries} revoked, ${l.suspendedEntries} suspended)`,
              ),
            ),
          ),
        ]
      : null,
    h("h4", {}, `Versions (${d.versions.length})`),
    h(
      "p",
      { class: "meta" },
      "What the accreditation said from each block time on, oldest first: trust at a time is judged by the version then in force.",
    ),
    versionsTable(d.versions),
    h("h4", {}, "History"),
    h(
      "table",
      { class: "history" },
      h("caption", { class: "visually-hidden" }, "Accreditation history, oldest first"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "When"),
          h("th", { scope: "col" }, "Event"),
          h("th", { scope: "col" }, "By"),
          h("th", { scope: "col" }, "Detail"),
        ),
      ),
      h(
        "tbody",
        {},
        d.history.map((x) =>
          h(
            "tr",
            {},
            h("td", {}, fmtTime(x.time), h("br"), h("span", { class: "check-code" }, `block ${x.block}`)),
            h("td", {}, EVENT_LABEL[x.event] ?? x.event),
            h("td", {}, didText(x.actor)),
            h("td", {}, historyDetail(x)),
          ),
        ),
      ),
    ),
  );
}

function versionsTable(versions) {
  return h(
    "table",
    { class: "versions" },
    h("caption", { class: "visually-hidden" }, "Versions of the accreditation, oldest first"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["Since", "Role", "Status", "Scope", "Valid", "Reason"].map((c) => h("th", { scope: "col" }, c)),
      ),
    ),
    h(
      "tbody",
      {},
      versions.map((v) =>
        h(
          "tr",
          { "data-since": String(v.since), "data-status": v.status },
          h("td", {}, `${secondFmt.format(new Date(v.since * 1000))} UTC`),
          h("td", {}, v.role.map((r) => (r === "issuer" ? "Issuer" : "Accreditor")).join(" and ")),
          h("td", {}, statusBadge(v.status)),
          h("td", { class: "version-scope" }, v.scope.map((s) => s.name ?? `type ${s.id}`).join(", ") || "None"),
          h(
            "td",
            {},
            v.status === "revoked"
              ? `revoked from ${fmtTime(v.validUntil)}`
              : `${v.validFrom ? `from ${fmtTime(v.validFrom)}` : "from the start"}, ${v.validUntil === null ? "no end" : `until ${fmtTime(v.validUntil)}`}`,
          ),
          h("td", {}, v.reason ? String(v.reason) : "—"),
        ),
      ),
    ),
  );
}

function historyDetail(x) {
  const parts = [];
  if (x.scope) parts.push(`scope ${x.scope.map((s) => s.name ?? s.id).join(", ")}`);
  if (x.validUntil !== undefined) parts.push(x.validUntil === null ? "no end" : `until ${fmtTime(x.validUntil)}`);
  if (x.effectiveAt !== undefined) parts.push(`effective ${fmtTime(x.effectiveAt)}`);
  if (x.reason) parts.push(`reason ${x.reason}`);
  return parts.join("; ") || "—";
}

function initRegistry() {
  $("registry-search").addEventListener("input", renderRegistryList);
  $("registry-status").addEventListener("change", renderRegistryList);
  $("registry-refresh").addEventListener("click", loadRegistry);
}

// ---- metrics ---------------------------------------------------------------------------------------------------

const PALETTE = [
  { color: "#0b5cad", dash: "" },
  { color: "#1e7e3e", dash: "6 3" },
  { color: "#a15c00", dash: "2 3" },
  { color: "#b3261e", dash: "9 3 2 3" },
];

async function loadMetrics() {
  const meta = $("metrics-meta");
  meta.textContent = "Loading metrics…";
  let m;
  try {
    m = await api("/v1/metrics");
  } catch (e) {
    meta.textContent = "";
    replace($("metrics-cards"), errorBox(e));
    return;
  }
  const chain = m.chain;
  meta.textContent = chain
    ? `Chain figures as of block ${chain.block} (${fmtTime(chain.blockTime)}); service figures since ${fmtIso(m.service.since)}.`
    : `The chain could not be read (${m.chainError.code}); only this service's own figures are shown.`;
  const svc = m.service;
  const stat = (label, value, note) =>
    h(
      "div",
      { class: "stat" },
      h("p", { class: "stat-label" }, label),
      h("p", { class: "stat-value" }, String(value)),
      note ? h("p", { class: "stat-note" }, note) : null,
    );
  const tally = (t) => `${t.active} active · ${t.suspended} suspended · ${t.revoked} revoked · ${t.expired} expired`;
  replace(
    $("metrics-cards"),
    chain
      ? [
          stat("Root authorities", chain.registry.roots.total, tally(chain.registry.roots)),
          stat("Accreditors", chain.registry.accreditors.total, tally(chain.registry.accreditors)),
          stat("Issuers", chain.registry.issuers.total, tally(chain.registry.issuers)),
          stat("Issuance batches anchored", chain.credentials.anchors, "Credentials per batch are not on chain."),
          stat(
            "Credentials revoked",
            chain.credentials.revokedEntries + chain.credentials.revokedByHash,
            `${chain.credentials.revokedByHash} of them by hash`,
          ),
          stat("Credentials suspended", chain.credentials.suspendedEntries, "Now; suspensions can be lifted."),
        ]
      : null,
    stat(
      "Verifications served",
      svc.verifications.total,
      `${svc.verifications.byResult.valid} valid · ${svc.verifications.byResult.invalid} invalid · ${svc.verifications.byResult.unknown} unknown`,
    ),
    stat(
      "Latency p50 / p95 / p99",
      svc.latencyMs.p50 === null ? "—" : `${svc.latencyMs.p50} ms`,
      svc.latencyMs.p50 === null
        ? "No verification yet."
        : `p95 ${svc.latencyMs.p95} ms · p99 ${svc.latencyMs.p99} ms · max ${svc.latencyMs.max} ms`,
    ),
  );
  const nowSec = Date.parse(m.generatedAt) / 1000;
  if (chain) {
    lineChart($("chart-accreditation"), {
      title: "Accreditations over time",
      points: chain.series,
      end: nowSec,
      lines: [
        { label: "Active accreditors", value: (p) => p.accreditors.active },
        { label: "Active issuers", value: (p) => p.issuers.active },
        { label: "Suspended", value: (p) => p.accreditors.suspended + p.issuers.suspended },
        { label: "Revoked", value: (p) => p.accreditors.revoked + p.issuers.revoked },
      ],
      note: "An entity with both roles counts in both lines. Expiry is not an event, so expired accreditations stay in the active lines here.",
    });
    lineChart($("chart-credentials"), {
      title: "Credentials over time",
      points: chain.series,
      end: nowSec,
      lines: [
        { label: "Issuance batches anchored", value: (p) => p.anchors },
        { label: "Revoked", value: (p) => p.revoked },
        { label: "Suspended", value: (p) => p.suspended },
      ],
      note: chain.credentials.anchorsNote,
    });
  } else {
    for (const id of ["chart-accreditation", "chart-credentials"])
      replace(
        $(id),
        h("figcaption", {}, "Chain figures unavailable"),
        h("p", { class: "muted" }, "The chain could not be read."),
      );
  }
  barChart($("chart-outcomes"), {
    title: "Verification outcomes (this service)",
    bars: [
      { label: "Valid", value: svc.verifications.byResult.valid, color: "#1e7e3e" },
      { label: "Invalid", value: svc.verifications.byResult.invalid, color: "#b3261e" },
      { label: "Unknown", value: svc.verifications.byResult.unknown, color: "#a15c00" },
    ],
    note: `${plural(svc.verifications.byKind.credential, "credential")} and ${plural(svc.verifications.byKind.presentation, "presentation")} verified since the service started.`,
  });
  barChart($("chart-latency"), {
    title: "Verification latency (this service)",
    bars: svc.latencyMs.histogram.map((b, i, all) => ({
      label: b.le === null ? `>${all[i - 1].le}` : `≤${b.le}`,
      value: b.count,
      color: "#0b5cad",
    })),
    axis: "milliseconds (bucket upper bound)",
    note:
      svc.latencyMs.p50 === null
        ? "No verification yet."
        : `p50 ${svc.latencyMs.p50} ms, p95 ${svc.latencyMs.p95} ms, p99 ${svc.latencyMs.p99} ms over the last ${svc.latencyMs.window} verifications.`,
  });
}

/** Integer ticks for counts: 0 .. top in steps of 1, 2 or 5 times a power of ten. */
function countTicks(maxValue) {
  if (maxValue <= 4) {
    const top = Math.max(1, Math.ceil(maxValue));
    return Array.from({ length: top + 1 }, (_, i) => i);
  }
  const raw = maxValue / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const top = Math.ceil(maxValue / step) * step;
  return Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
}

function timeLabel(seconds, span) {
  const d = new Date(seconds * 1000);
  if (span < 3600) return d.toISOString().slice(11, 19);
  if (span < 2 * 86400) return d.toISOString().slice(11, 16);
  return dayFmt.format(d);
}

/** A step chart (counts change only at events) of several series over time, with a legend and a data table. */
function lineChart(fig, { title, points, lines, end, note }) {
  const W = 640;
  const H = 260;
  const m = { l: 44, r: 16, t: 12, b: 34 };
  const iw = W - m.l - m.r;
  const ih = H - m.t - m.b;
  const captionId = `${fig.id}-caption`;
  if (points.length === 0) {
    replace(fig, h("figcaption", { id: captionId }, title), h("p", { class: "muted" }, "No events yet."));
    return;
  }
  const t0 = points[0].time;
  const t1 = Math.max(end ?? t0, points[points.length - 1].time, t0 + 60);
  const ticks = countTicks(Math.max(...points.flatMap((p) => lines.map((l) => l.value(p)))));
  const max = ticks[ticks.length - 1];
  const x = (t) => m.l + ((t - t0) / (t1 - t0)) * iw;
  const y = (v) => m.t + ih - (v / max) * ih;
  const g = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": captionId });
  const desc = lines.map((l) => `${l.label}: ${l.value(points[points.length - 1])}`).join("; ");
  g.append(svg("desc", {}, `Latest values: ${desc}.`));
  for (const v of ticks) {
    g.append(svg("line", { x1: m.l, x2: W - m.r, y1: y(v), y2: y(v), stroke: "#e1e5eb" }));
    g.append(svg("text", { x: m.l - 6, y: y(v) + 4, "text-anchor": "end" }, String(v)));
  }
  for (let i = 0; i <= 3; i++) {
    const t = t0 + ((t1 - t0) / 3) * i;
    g.append(
      svg(
        "text",
        { x: x(t), y: H - 10, "text-anchor": i === 0 ? "start" : i === 3 ? "end" : "middle" },
        timeLabel(t, t1 - t0),
      ),
    );
  }
  g.append(svg("line", { x1: m.l, x2: W - m.r, y1: y(0), y2: y(0), stroke: "#8a94a3" }));
  lines.forEach((l, i) => {
    const style = PALETTE[i % PALETTE.length];
    let d = "";
    points.forEach((p, j) => {
      const v = l.value(p);
      d += j === 0 ? `M${x(p.time)},${y(v)}` : `H${x(p.time)}V${y(v)}`;
    });
    d += `H${x(t1)}`;
    g.append(
      svg("path", {
        d,
        fill: "none",
        stroke: style.color,
        "stroke-width": 2.5,
        "stroke-dasharray": style.dash || null,
        "stroke-linejoin": "round",
      }),
    );
  });
  const legend = h(
    "ul",
    { class: "legend" },
    lines.map((l, i) => {
      const style = PALETTE[i % PALETTE.length];
      return h("li", {}, svgSwatch(style), `${l.label} (${l.value(points[points.length - 1])})`);
    }),
  );
  const table = h(
    "table",
    {},
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Time (UTC)"),
        h("th", { scope: "col" }, "Block"),
        lines.map((l) => h("th", { scope: "col" }, l.label)),
      ),
    ),
    h(
      "tbody",
      {},
      points.map((p) =>
        h(
          "tr",
          {},
          h("td", {}, fmtTime(p.time)),
          h("td", {}, String(p.block)),
          lines.map((l) => h("td", {}, String(l.value(p)))),
        ),
      ),
    ),
  );
  replace(
    fig,
    h("figcaption", { id: captionId }, title),
    g,
    legend,
    note ? h("p", { class: "chart-note" }, note) : null,
    h("details", {}, h("summary", {}, "Show the data"), table),
  );
}

function svgSwatch(style) {
  const s = svg("svg", { width: 28, height: 10, viewBox: "0 0 28 10", "aria-hidden": "true" });
  s.append(
    svg("line", {
      x1: 1,
      x2: 27,
      y1: 5,
      y2: 5,
      stroke: style.color,
      "stroke-width": 3,
      "stroke-dasharray": style.dash || null,
    }),
  );
  return s;
}

function barChart(fig, { title, bars, note, axis }) {
  const W = 640;
  const H = 240;
  const m = { l: 44, r: 12, t: 18, b: 46 };
  const iw = W - m.l - m.r;
  const ih = H - m.t - m.b;
  const captionId = `${fig.id}-caption`;
  const ticks = countTicks(Math.max(0, ...bars.map((b) => b.value)));
  const max = ticks[ticks.length - 1];
  const y = (v) => m.t + ih - (v / max) * ih;
  const slot = iw / bars.length;
  const bw = Math.min(72, slot * 0.7);
  const g = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": captionId });
  g.append(svg("desc", {}, bars.map((b) => `${b.label}: ${b.value}`).join("; ")));
  for (const v of ticks) {
    g.append(svg("line", { x1: m.l, x2: W - m.r, y1: y(v), y2: y(v), stroke: "#e1e5eb" }));
    g.append(svg("text", { x: m.l - 6, y: y(v) + 4, "text-anchor": "end" }, String(v)));
  }
  bars.forEach((b, i) => {
    const cx = m.l + slot * i + slot / 2;
    g.append(
      svg("rect", {
        x: cx - bw / 2,
        y: y(b.value),
        width: bw,
        height: Math.max(0, y(0) - y(b.value)),
        fill: b.color,
        rx: 3,
      }),
    );
    g.append(svg("text", { x: cx, y: y(b.value) - 4, "text-anchor": "middle", "font-weight": "700" }, String(b.value)));
    g.append(svg("text", { x: cx, y: H - 24, "text-anchor": "middle" }, b.label));
  });
  g.append(svg("line", { x1: m.l, x2: W - m.r, y1: y(0), y2: y(0), stroke: "#8a94a3" }));
  if (axis) g.append(svg("text", { x: m.l + iw / 2, y: H - 2, "text-anchor": "middle" }, axis));
  const table = h(
    "table",
    {},
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Bucket"), h("th", { scope: "col" }, "Count"))),
    h(
      "tbody",
      {},
      bars.map((b) => h("tr", {}, h("td", {}, b.label), h("td", {}, String(b.value)))),
    ),
  );
  replace(
    fig,
    h("figcaption", { id: captionId }, title),
    g,
    note ? h("p", { class: "chart-note" }, note) : null,
    h("details", {}, h("summary", {}, "Show the data"), table),
  );
}

// ---- learner: skills and job match -----------------------------------------------------------------------------

function initSkills() {
  $("skills-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    await runSkills();
  });
  $("skills-example").addEventListener("click", async () => {
    try {
      const res = await fetch("/examples/job-profile.json");
      $("skills-profile").value = await res.text();
      $("skills-profile").focus();
    } catch {
      replace(
        $("skills-result"),
        h("div", { class: "alert", role: "alert" }, "The example profile could not be loaded."),
      );
    }
  });
}

async function runSkills() {
  const out = $("skills-result");
  const credentials = $("skills-credentials").value.trim();
  const profileText = $("skills-profile").value.trim();
  if (credentials === "") {
    replace(out, h("div", { class: "alert", role: "alert" }, "Paste your credentials first."));
    $("skills-credentials").focus();
    return;
  }
  let profile;
  if (profileText !== "") {
    try {
      profile = JSON.parse(profileText);
    } catch (e) {
      replace(out, h("div", { class: "alert", role: "alert" }, `The job profile is not valid JSON: ${e.message}`));
      $("skills-profile").focus();
      return;
    }
  }
  const button = $("skills-submit");
  button.disabled = true;
  replace(out, h("p", { class: "muted", role: "status" }, "Verifying your credentials…"));
  try {
    if (profile === undefined) {
      const report = await api("/v1/wallet/skills", { credentials });
      replace(out, skillsView(report));
    } else {
      const report = await api("/v1/wallet/match", { credentials, profile });
      replace(out, matchView(report), skillsView(report.skills));
    }
    out.querySelector("h2")?.focus();
  } catch (e) {
    replace(out, errorBox(e));
  } finally {
    button.disabled = false;
  }
}

const REQ_STATUS = {
  met: { icon: "✓", label: "Met" },
  unconfirmed: { icon: "?", label: "Unconfirmed" },
  missing: { icon: "✗", label: "Missing" },
};
const MATCHED_BY = {
  targetUrl: "framework item",
  targetCode: "code",
  name: "name",
  achievementId: "achievement",
  achievementType: "achievement type",
};

function matchView(r) {
  const s = r.summary;
  const verdict = r.satisfied ? "valid" : s.unconfirmed > 0 && s.missing === 0 ? "unknown" : "invalid";
  const headline = r.satisfied ? "You meet every requirement" : `${s.met} of ${s.required} requirements met`;
  const text = r.satisfied
    ? `Your verified credentials cover all ${s.required} requirements${s.preferred ? `, and ${s.preferredMet} of ${s.preferred} preferred skills` : ""}.`
    : `Still to show: ${r.gaps.join(", ")}.`;
  return h(
    "section",
    { class: "match", "data-satisfied": String(r.satisfied) },
    h(
      "h2",
      { tabindex: "-1" },
      `Match: ${r.profile.title}${r.profile.organization ? ` at ${r.profile.organization}` : ""}`,
    ),
    h(
      "div",
      { class: `verdict verdict-${verdict}`, role: "status" },
      h(
        "span",
        { class: "verdict-icon", "aria-hidden": "true" },
        r.satisfied ? "✓" : verdict === "unknown" ? "?" : "!",
      ),
      h("div", {}, h("p", { class: "verdict-title" }, headline), h("p", { class: "verdict-text" }, text)),
    ),
    h(
      "div",
      { class: "card" },
      h(
        "table",
        { class: "requirements" },
        h(
          "caption",
          { class: "visually-hidden" },
          "Requirements of the job profile and the credentials that meet them",
        ),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Requirement"),
            h("th", { scope: "col" }, "Status"),
            h("th", { scope: "col" }, "Shown by"),
          ),
        ),
        h(
          "tbody",
          {},
          r.requirements.map((q) => {
            const st = REQ_STATUS[q.status];
            return h(
              "tr",
              { "data-requirement": q.label, "data-status": q.status },
              h(
                "td",
                {},
                h("strong", {}, q.label),
                h("br"),
                h(
                  "span",
                  { class: "check-code" },
                  `${q.kind === "skill" ? "Skill" : "Achievement type"}${q.required ? "" : " (preferred)"}`,
                ),
              ),
              h("td", {}, badge(q.status, st.label, st.icon)),
              h(
                "td",
                {},
                q.evidence.length === 0 && q.rejected.length === 0
                  ? h("span", { class: "muted" }, "No credential shows this.")
                  : h(
                      "ul",
                      { class: "evidence" },
                      q.evidence.map((e) => evidenceItem(e)),
                      q.rejected.map((e) => evidenceItem(e, true)),
                    ),
              ),
            );
          }),
        ),
      ),
    ),
  );
}

function evidenceItem(e, rejected = false) {
  return h(
    "li",
    {},
    h("strong", {}, e.credentialName ?? e.achievement.name),
    e.issuerName ? ` from “${e.issuerName}” (as the credential names its issuer)` : "",
    h("span", { class: "skill-meta" }, ` (by ${MATCHED_BY[e.matchedBy] ?? e.matchedBy})`),
    " ",
    e.verification
      ? badge(
          e.verification,
          e.verification === "valid"
            ? "Verified"
            : e.verification === "invalid"
              ? "Invalid: not counted"
              : "Unverified",
        )
      : badge("unverified", "Not verified"),
    rejected ? h("span", { class: "visually-hidden" }, " (rejected)") : null,
  );
}

/** "shown by A, B", each credential name once, with credentials that failed verification counted apart. */
function shownBy(evidence) {
  const good = [
    ...new Set(evidence.filter((e) => e.verification !== "invalid").map((e) => e.credentialName ?? e.achievement.name)),
  ];
  const bad = evidence.filter((e) => e.verification === "invalid").length;
  const parts = [];
  if (good.length > 0) parts.push(`shown by ${good.join(", ")}`);
  if (bad > 0) parts.push(`${bad} invalid credential${bad === 1 ? "" : "s"} not counted`);
  return parts.join(" · ");
}

function skillsView(r) {
  return h(
    "section",
    { class: "skills-report" },
    h("h2", { tabindex: "-1" }, "What your credentials prove"),
    h(
      "div",
      { class: "report-grid" },
      h(
        "div",
        { class: "card" },
        h("h3", {}, `Skills and competencies (${r.skills.length})`),
        r.skills.length === 0
          ? h("p", { class: "muted" }, "No skill alignments in these credentials.")
          : h(
              "ul",
              { class: "skills" },
              r.skills.map((s) =>
                h(
                  "li",
                  { "data-skill": s.name },
                  h("span", { class: "skill-name" }, s.name),
                  [s.targetFramework, s.targetCode].some(Boolean)
                    ? h("span", { class: "skill-meta" }, [s.targetFramework, s.targetCode].filter(Boolean).join(" · "))
                    : null,
                  h("span", { class: "skill-meta" }, shownBy(s.provenBy)),
                ),
              ),
            ),
      ),
      h(
        "div",
        { class: "card" },
        h("h3", {}, `Credentials (${r.credentials.length})`),
        h(
          "ul",
          { class: "skills" },
          r.credentials.map((c) =>
            h(
              "li",
              {},
              h("span", { class: "skill-name" }, c.name ?? c.ref),
              c.issuerName
                ? h("span", { class: "skill-meta" }, `issuer as the credential names it: ${c.issuerName}`)
                : null,
              c.verification
                ? badge(c.verification, { valid: "Valid", invalid: "Invalid", unknown: "Unknown" }[c.verification])
                : badge("unverified", "Not verified"),
            ),
          ),
        ),
        r.unreadable.length > 0
          ? [
              h("h4", {}, "Could not be read"),
              h(
                "ul",
                {},
                r.unreadable.map((u) => h("li", {}, `Item ${u.position}: ${u.message} `, h("code", {}, u.code))),
              ),
            ]
          : null,
      ),
    ),
  );
}

// ---- start -----------------------------------------------------------------------------------------------------

function start() {
  initTabs();
  initVerify();
  initRegistry();
  initSkills();
  $("metrics-refresh").addEventListener("click", loadMetrics);
  loadHealth();
}

start();
