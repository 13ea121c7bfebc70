import { expect } from "chai";
import { readFileSync } from "node:fs";
import jsonld from "jsonld";
import type { JsonLdDocument, Options } from "jsonld";
import type { FastifyInstance } from "fastify";
import {
  CLR_CONTEXT,
  LER_CONTEXT,
  LER_CONTEXT_FILE,
  LER_CONTEXT_PATH,
  LER_VOCAB,
  OB_CONTEXT,
  VC_CONTEXT_V1,
  achievement,
  bundledContext,
  bundledContextUrls,
  contextIndex,
  createDocumentLoader,
  documentLoader,
  validateLerCredential,
  type Achievement,
} from "../../src/credentials/index.js";
import {
  VC_CONTEXT_V2,
  credentialJwtOf,
  credentialOfPayload,
  presentationOfPayload,
} from "../../src/credentials/jose.js";
import { LerError } from "../../src/errors.js";
import { buildServer } from "../../src/server/index.js";
import { decodeJwt } from "../../src/verify/jwt.js";
import { createAgentWorld, type AgentWorld } from "../helpers/world.js";

type Loader = (url: string) => Promise<unknown>;
type Json = Record<string, any>;

/** JSON-LD expansion in safe mode: a term no context defines, or a value that is not an IRI where one must be, fails. */
const expandSafe = (doc: object, loader: Loader = documentLoader) =>
  jsonld.expand(doc as JsonLdDocument, { documentLoader: loader, safe: true } as unknown as Options.Expand);

const rejection = async (p: Promise<unknown>): Promise<any> =>
  p.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );

// The vocabularies a term falls into when no context defines it: VC 2.0's issuer-dependent `@vocab` (in its drafts)
// and the opt-in undefined-terms context. A term of ours must never end up there.
const FALLBACK_VOCABULARIES = [
  "https://www.w3.org/ns/credentials/issuer-dependent#",
  "https://www.w3.org/ns/credentials/undefined-term#",
];

/** Every IRI of an expanded document: property names, node ids, types and datatypes. */
function irisOf(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const n of node) irisOf(n, out);
  } else if (typeof node === "object" && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (!key.startsWith("@")) out.add(key);
      if ((key === "@id" || key === "@type") && value !== undefined) {
        for (const v of [value].flat()) if (typeof v === "string") out.add(v);
      }
      if (key !== "@value") irisOf(value, out);
    }
  }
  return out;
}

/** Every member name of a compact document, at any depth. */
function keysOf(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const n of node) keysOf(n, out);
  } else if (typeof node === "object" && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      out.add(key);
      if (key !== "@context") keysOf(value, out);
    }
  }
  return out;
}

/** Expands in safe mode and checks that no IRI fell back to a catch-all vocabulary and that all are absolute. */
async function expandChecked(doc: object): Promise<{ expanded: unknown; iris: Set<string> }> {
  const expanded = await expandSafe(doc);
  const iris = irisOf(expanded);
  for (const iri of iris) {
    for (const fallback of FALLBACK_VOCABULARIES) expect(iri.startsWith(fallback), iri).to.equal(false);
  }
  const properties = [...iris].filter(
    (iri) => !iri.startsWith("did:") && !iri.startsWith("urn:") && !iri.startsWith("data:"),
  );
  for (const iri of properties) expect(iri, "an absolute IRI").to.match(/^https?:\/\/\S+$/);
  return { expanded, iris };
}

/** The first node in an expanded document that has `property`. */
function nodeWith(expanded: unknown, property: string): Json | undefined {
  if (Array.isArray(expanded)) {
    for (const n of expanded) {
      const found = nodeWith(n, property);
      if (found !== undefined) return found;
    }
  } else if (typeof expanded === "object" && expanded !== null) {
    if (Object.hasOwn(expanded, property)) return expanded as Json;
    for (const v of Object.values(expanded)) {
      const found = nodeWith(v, property);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

const XSD = "http://www.w3.org/2001/XMLSchema#";

// Every member the project adds to a credential, and the IRI its context gives it.
const LER_TERMS: Record<string, string> = {
  issuanceAnchor: `${LER_VOCAB}issuanceAnchor`,
  chainId: `${LER_VOCAB}chainId`,
  registry: `${LER_VOCAB}registry`,
  root: `${LER_VOCAB}merkleRoot`,
  proof: `${LER_VOCAB}merkleProof`,
  statusPurpose: `${LER_VOCAB}statusPurpose`,
  statusList: `${LER_VOCAB}statusList`,
  statusListIndex: `${LER_VOCAB}statusListIndex`,
};

const degree: Achievement = achievement({
  id: "https://university.example/programs/msc",
  name: "MSc Data Science",
  description: "Master of Science in Data Science",
  criteria: {
    narrative: "Completed 120 ECTS including a thesis.",
    id: "https://university.example/programs/msc/criteria",
  },
  achievementType: "Degree",
  alignments: [
    {
      targetName: "Machine learning",
      targetUrl: "https://esco.example/skill/ml",
      targetFramework: "ESCO",
      targetCode: "S1.2",
      targetDescription: "Build and evaluate learning models.",
      targetType: "ceasn:Competency",
    },
  ],
  image: "https://university.example/badges/msc.png",
  creditsAvailable: 120,
});

const course: Achievement = achievement({
  id: "https://university.example/courses/db101",
  name: "Databases 101",
  description: "Relational modelling, SQL and transactions.",
  criteria: { narrative: "Pass the final exam." },
  achievementType: "Course",
});

describe("JSON-LD: the documents the project produces expand in safe mode from bundled contexts only", function () {
  this.timeout(120_000);

  describe("the bundled contexts", () => {
    it("the map names our context's file, and every bundled context loads as a JSON-LD context", async () => {
      const index = contextIndex();
      expect(index[LER_CONTEXT]).to.deep.equal({ file: "ler-v1.jsonld" });
      expect(LER_CONTEXT_FILE.href.endsWith("/contexts/ler-v1.jsonld")).to.equal(true);
      expect(bundledContextUrls()).to.have.members([
        LER_CONTEXT,
        VC_CONTEXT_V1,
        VC_CONTEXT_V2,
        OB_CONTEXT,
        CLR_CONTEXT,
      ]);
      for (const url of bundledContextUrls()) {
        const remote = await documentLoader(url);
        expect(remote.documentUrl).to.equal(url);
        expect(remote.document, url).to.have.property("@context").that.is.an("object");
      }
      expect(bundledContext(LER_CONTEXT)).to.deep.equal(JSON.parse(readFileSync(LER_CONTEXT_FILE, "utf8")));
    });

    it("our context is JSON-LD 1.1, protected, and every term it defines is in the project's vocabulary", () => {
      const context = bundledContext(LER_CONTEXT)["@context"] as Json;
      expect(context["@version"]).to.equal(1.1);
      expect(context["@protected"]).to.equal(true);
      const ids: string[] = [];
      const walk = (ctx: Json) => {
        for (const [term, def] of Object.entries(ctx)) {
          if (term.startsWith("@") || def === "@id" || def === "@type") continue;
          ids.push((def as Json)["@id"]);
          if ((def as Json)["@context"] !== undefined) {
            expect((def as Json)["@context"]["@protected"], `${term}'s scoped context`).to.equal(true);
            walk((def as Json)["@context"]);
          }
        }
      };
      walk(context);
      expect(ids.length).to.be.greaterThan(8);
      // The JWT claims a VC-JOSE payload carries beside the VC 2.0 context's own (`jti`, `nonce`) keep their IANA
      // registry IRIs, as the VC 2.0 context names `iss`, `nbf` and the rest; every other term is ours.
      const claims = ["https://www.iana.org/assignments/jwt#jti", "https://www.iana.org/assignments/jwt#nonce"];
      expect(ids.filter((id) => claims.includes(id))).to.have.members(claims);
      for (const id of ids.filter((id) => !claims.includes(id))) expect(id.startsWith(LER_VOCAB), id).to.equal(true);
    });

    it("the loader refuses a context it does not bundle; CLR 2.0's, which no package carries, is bundled as a file", async () => {
      const unknown = await rejection(documentLoader("https://contexts.example/v1"));
      expect(unknown).to.be.instanceOf(LerError);
      expect([unknown.code, unknown.details]).to.deep.equal([
        "context_not_bundled",
        { url: "https://contexts.example/v1" },
      ]);
      const clr = await documentLoader(CLR_CONTEXT);
      expect(Object.keys(clr.document["@context"] as Json)).to.include.members([
        "ClrCredential",
        "ClrSubject",
        "Association",
      ]);
      // Through jsonld, the refusal is the cause of its loading error: nothing was fetched instead.
      const e = await rejection(expandSafe({ "@context": ["https://contexts.example/v1"], name: "x" }));
      expect(e.details.code).to.equal("loading remote context failed");
      expect(e.details.cause.code).to.equal("context_not_bundled");
    });

    it("a loader with the caller's own copies serves them beside the bundled ones, but never in their place", async () => {
      const url = "https://contexts.example/extra/v1";
      const extra = { "@context": { "@protected": true, motto: "https://schema.example/motto" } };
      const loader = createDocumentLoader(new Map([[url, extra]]));
      const [expanded] = (await expandSafe({ "@context": [LER_CONTEXT, url], motto: "Fiat lux" }, loader)) as Json[];
      expect(expanded).to.deep.equal({ "https://schema.example/motto": [{ "@value": "Fiat lux" }] });
      expect((await loader(OB_CONTEXT)).document).to.deep.equal(bundledContext(OB_CONTEXT));
      expect((await rejection(loader("https://contexts.example/other"))).code).to.equal("context_not_bundled");
      const conflict = () => createDocumentLoader(new Map([[OB_CONTEXT, extra]]));
      expect(conflict).to.throw(LerError).with.property("code", "context_conflict");
    });

    it("hands out copies: a caller that changes one changes no later expansion", async () => {
      const first = await documentLoader(LER_CONTEXT);
      (first.document["@context"] as Json).issuanceAnchor = "https://attacker.example/anchor";
      expect(bundledContext(LER_CONTEXT)).to.deep.equal(JSON.parse(readFileSync(LER_CONTEXT_FILE, "utf8")));
    });
  });

  describe("issued with the agent, and served by `ler serve`", () => {
    let w: AgentWorld;
    let app: FastifyInstance;
    let university: string;
    let learner: string;
    let badge: Json;
    let badgeJwt: string;
    let clrJwt: string;
    let clr: Json;
    let presentationJwt: string;
    let statusList: Json;

    before(async () => {
      w = await createAgentWorld("in-process");
      const { agent } = w;
      const root = (await agent.lerCreateIdentity({ alias: "Authority" })).did;
      university = (await agent.lerCreateIdentity({ alias: "University" })).did;
      learner = (await agent.lerCreateIdentity({ alias: "Learner" })).did;
      for (const name of ["Degree", "Course"]) await agent.lerRegisterType({ governor: w.governor, name });
      await agent.lerAddRoot({ governor: w.governor, root, types: ["Degree", "Course"] });
      await agent.lerAccredit({ accreditor: root, subject: university, role: "issuer", types: ["Degree", "Course"] });
      // Three credentials in one batch, so that the anchor proofs are not empty.
      const issued = await agent.lerIssueCredentials({
        issuer: university,
        issuerUrl: "https://university.example",
        credentials: [
          { subject: learner, achievement: degree, validUntil: Math.floor(Date.now() / 1000) + 10 * 365 * 86_400 },
          { subject: learner, achievement: course },
          { subject: learner, achievements: [degree, course] },
        ],
      });
      const [first, , third] = issued.credentials;
      badgeJwt = first!.jwt;
      clrJwt = third!.jwt;
      badge = credentialOfPayload(decodeJwt(first!.jwt).payload).credential;
      clr = credentialOfPayload(decodeJwt(third!.jwt).payload).credential;
      await agent.lerRevoke({ issuer: university, entries: [{ list: first!.list, index: first!.index }] });
      presentationJwt = (
        await agent.lerCreatePresentation({
          holder: learner,
          credentials: [first!.jwt, third!.jwt],
          challenge: "c-1",
          domain: "employer.example",
        })
      ).jwt;
      ({ app } = await buildServer({
        network: w.network,
        refreshIntervalMs: 0,
        readTimeoutMs: 3000,
        publicUrl: "https://verifier.example",
      }));
      const r = await app.inject({
        method: "GET",
        url: `/v1/status-lists/${encodeURIComponent(university)}/${first!.list}/revocation`,
      });
      expect(r.statusCode, r.body).to.equal(200);
      statusList = r.json();
    });
    after(async () => {
      await app?.close();
      await w?.close();
    });

    it("the credentials carry every member the project adds, and our context after the VC and Open Badges ones", () => {
      expect(badge["@context"]).to.deep.equal([VC_CONTEXT_V2, OB_CONTEXT, LER_CONTEXT]);
      expect(clr["@context"]).to.deep.equal([VC_CONTEXT_V2, CLR_CONTEXT, OB_CONTEXT, LER_CONTEXT]);
      const keys = keysOf(badge);
      for (const term of Object.keys(LER_TERMS)) expect(keys.has(term), term).to.equal(true);
      expect(badge.credentialStatus.map((e: Json) => e.type)).to.deep.equal([
        "LERStatusRegistryEntry",
        "BitstringStatusListEntry",
        "BitstringStatusListEntry",
      ]);
      expect(badge.issuanceAnchor.type).to.equal("LERMerkleIssuanceAnchor");
      expect(badge.issuanceAnchor.proof).to.have.length.greaterThan(1);
    });

    it("an Open Badge expands, every member of ours to its IRI in the project's vocabulary, with its datatype", async () => {
      const { expanded, iris } = await expandChecked(badge);
      for (const [term, iri] of Object.entries(LER_TERMS)) expect(iris.has(iri), `${term} -> ${iri}`).to.equal(true);
      expect(iris.has(`${LER_VOCAB}LERStatusRegistryEntry`)).to.equal(true);
      expect(iris.has(`${LER_VOCAB}LERMerkleIssuanceAnchor`)).to.equal(true);

      const status = nodeWith(expanded, `${LER_VOCAB}statusListIndex`)!;
      expect(status["@id"]).to.equal(badge.credentialStatus[0].id);
      expect(status[`${LER_VOCAB}statusListIndex`]).to.deep.equal([
        { "@value": badge.credentialStatus[0].statusListIndex, "@type": `${XSD}nonNegativeInteger` },
      ]);
      expect(status[`${LER_VOCAB}chainId`]).to.deep.equal([{ "@value": w.network.chainId, "@type": `${XSD}integer` }]);
      expect(status[`${LER_VOCAB}statusPurpose`].map((v: Json) => v["@value"])).to.have.members([
        "revocation",
        "suspension",
      ]);

      // The Merkle proof is a path: an ordered list, not a set.
      const anchor = nodeWith(expanded, `${LER_VOCAB}merkleProof`)!;
      const [list] = anchor[`${LER_VOCAB}merkleProof`];
      expect(list["@list"].map((v: Json) => v["@value"])).to.deep.equal(badge.issuanceAnchor.proof);
      expect(anchor[`${LER_VOCAB}merkleRoot`]).to.deep.equal([
        { "@value": badge.issuanceAnchor.root, "@type": `${XSD}string` },
      ]);
    });

    it("the standard status entries and the issuer's signed status list credential expand too, the list's chain snapshot in our vocabulary", async () => {
      const STATUS = "https://www.w3.org/ns/credentials/status#";
      const { iris } = await expandChecked(badge);
      for (const iri of [
        `${STATUS}BitstringStatusListEntry`,
        `${STATUS}statusListCredential`,
        `${STATUS}statusListIndex`,
        `${STATUS}statusPurpose`,
      ]) {
        expect(iris.has(iri), iri).to.equal(true);
      }
      expect(iris.has(badge.credentialStatus[1].statusListCredential), "the list URL as a node id").to.equal(true);

      const published = await w.agent.lerPublishStatusList({
        issuer: university,
        lists: [badge.credentialStatus[0].statusList],
      });
      const list = credentialOfPayload(decodeJwt(published.lists[0]!.jwt).payload).credential;
      expect(list["@context"]).to.deep.equal([VC_CONTEXT_V2, LER_CONTEXT]);
      const { iris: listIris, expanded } = await expandChecked(list);
      for (const term of [
        "statusRegistrySnapshot",
        "LERStatusRegistrySnapshot",
        "chainId",
        "registry",
        "statusList",
        "chainBlock",
        "blockHash",
      ]) {
        expect(listIris.has(`${LER_VOCAB}${term}`), term).to.equal(true);
      }
      for (const term of ["BitstringStatusListCredential", "BitstringStatusList", "encodedList", "statusPurpose"])
        expect(listIris.has(`${STATUS}${term}`), term).to.equal(true);
      const snapshot = nodeWith(expanded, `${LER_VOCAB}chainBlock`)!;
      expect(snapshot[`${LER_VOCAB}chainBlock`]).to.deep.equal([
        { "@value": published.block, "@type": `${XSD}nonNegativeInteger` },
      ]);
      // Our terms are defined only inside the snapshot: the same member elsewhere is undefined.
      const misplaced = { ...structuredClone(list), chainBlock: published.block };
      expect((await rejection(expandSafe(misplaced))).details.event.details.property).to.equal("chainBlock");
    });

    it("the Open Badges terms of the credential expand too (issuer profile, achievement, alignment, image, credits)", async () => {
      const { iris } = await expandChecked(badge);
      const OB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#";
      for (const iri of [
        `${OB}achievementType`,
        `${OB}alignment`,
        `${OB}image`,
        `${OB}creditsAvailable`,
        `${OB}Criteria`,
        `${OB}Profile`,
        "https://schema.org/url",
      ]) {
        expect(iris.has(iri), iri).to.equal(true);
      }
    });

    it("a CLR 2.0 record: every context bundled, its subject, achievements and enveloped credentials expand", async () => {
      for (const url of clr["@context"] as string[]) expect(bundledContextUrls(), url).to.include(url);
      const { iris } = await expandChecked(clr);
      const CLR = "https://purl.imsglobal.org/spec/vc/clr/vocab.html#";
      for (const iri of [
        `${CLR}ClrCredential`,
        `${CLR}ClrSubject`,
        `${CLR}achievement`,
        `${CLR}verifiableCredential`,
        "https://www.w3.org/2018/credentials#EnvelopedVerifiableCredential",
      ]) {
        expect(iris.has(iri), iri).to.equal(true);
      }
      // The embedded credentials are data: URLs of application/vc+jwt, node ids that JSON-LD leaves alone.
      expect([...iris].filter((iri) => iri.startsWith("data:application/vc+jwt,"))).to.have.length(2);
    });

    it("a presentation (VC 2.0, secured as a JWT): it expands with the credentials it envelopes, and so does each of those", async () => {
      const { payload } = decodeJwt(presentationJwt);
      const presentation = presentationOfPayload(payload)!;
      expect(keysOf(presentation).has("issuanceAnchor"), "the presentation carries no member of ours itself").to.equal(
        false,
      );
      const { iris } = await expandChecked(presentation);
      expect(iris.has("https://www.w3.org/2018/credentials#EnvelopedVerifiableCredential")).to.equal(true);
      expect((presentation.verifiableCredential as Json[]).map(credentialJwtOf)).to.deep.equal([badgeJwt, clrJwt]);
      await expandChecked(credentialOfPayload(decodeJwt(badgeJwt).payload).credential);
      await expandChecked(credentialOfPayload(decodeJwt(clrJwt).payload).credential);
    });

    it("the JWT payloads themselves, registered claims included, expand too (VC-JOSE: the payload is the document)", async () => {
      for (const jwt of [badgeJwt, clrJwt]) {
        const { iris } = await expandChecked(decodeJwt(jwt).payload);
        expect(iris.has("https://www.iana.org/assignments/jwt#jti"), "jti").to.equal(true);
      }
      // A presentation's `aud` is the verifier's domain as it asked for it (not an IRI), so it is left to the VC 2.0
      // context's own definition; every term still expands, none into a fallback vocabulary.
      const iris = irisOf(await expandSafe(decodeJwt(presentationJwt).payload));
      for (const iri of [
        "https://www.iana.org/assignments/jwt#jti",
        "https://www.iana.org/assignments/jwt#nonce",
        "https://www.iana.org/assignments/jwt#aud",
      ]) {
        expect(iris.has(iri), iri).to.equal(true);
      }
      for (const iri of iris)
        for (const fallback of FALLBACK_VOCABULARIES) expect(iri.startsWith(fallback), iri).to.equal(false);
    });

    it("the status list credential from `ler serve` expands with the VC 2.0 context alone: it has no term of ours", async () => {
      expect(statusList["@context"]).to.deep.equal([VC_CONTEXT_V2]);
      const { iris } = await expandChecked(statusList);
      expect(iris.has("https://www.w3.org/ns/credentials/status#encodedList")).to.equal(true);
      expect([...iris].some((iri) => iri.startsWith(LER_VOCAB))).to.equal(false);
    });

    it("every context URL the produced documents name is in the map", () => {
      const presentation = presentationOfPayload(decodeJwt(presentationJwt).payload)!;
      const used = new Set([badge, clr, presentation, statusList].flatMap((d) => d["@context"] as string[]));
      for (const url of used) expect(Object.hasOwn(contextIndex(), url), url).to.equal(true);
    });

    it("a term nobody defines fails in safe mode, so these checks can fail", async () => {
      const extra = structuredClone(badge);
      extra.credentialSubject.favouriteColour = "green";
      const e = await rejection(expandSafe(extra));
      expect(e.name).to.equal("jsonld.ValidationError");
      expect(e.details.event.details.property).to.equal("favouriteColour");
      // A member of ours outside the node it belongs to is undefined there as well.
      const misplaced = structuredClone(badge);
      misplaced.credentialSubject.statusListIndex = "1";
      expect((await rejection(expandSafe(misplaced))).details.event.details.property).to.equal("statusListIndex");
    });

    it("a credential issued before our context existed fails safe expansion on our terms, and still validates", async () => {
      const before = { ...structuredClone(badge), "@context": [VC_CONTEXT_V2, OB_CONTEXT] };
      const e = await rejection(expandSafe(before));
      expect(Object.keys(LER_TERMS)).to.include(e.details.event.details.property);
      expect(validateLerCredential(before)).to.deep.equal({ ok: true });
    });

    it("`ler serve` serves our context as application/ld+json, byte for byte the shipped file", async () => {
      const r = await app.inject({ method: "GET", url: LER_CONTEXT_PATH });
      expect(r.statusCode).to.equal(200);
      expect(r.headers["content-type"]).to.equal("application/ld+json");
      expect(r.headers["access-control-allow-origin"]).to.equal("*");
      expect(r.body).to.equal(readFileSync(LER_CONTEXT_FILE, "utf8"));
      // A verifier that dereferences our URL from the service instead of preloading it gets the same expansion.
      const fromService: Loader = async (url) =>
        url === LER_CONTEXT ? { contextUrl: null, documentUrl: url, document: r.json() } : documentLoader(url);
      expect(await expandSafe(badge, fromService)).to.deep.equal(await expandSafe(badge));
    });
  });
});
