import { expect } from "chai";
import type { CredentialReport, PresentationReport } from "../../src/verify/report.js";
import { CASES, type AdversarialCase, type CaseInput } from "./cases.js";
import { Resolver } from "did-resolver";
import { getResolver } from "ethr-did-resolver";
import { signJwt } from "./jws.js";
import { CHALLENGE, DOMAIN, createAdversarialWorld, type AdversarialWorld } from "./world.js";

/** The number ethr-did-resolver gives the university's valid veriKey delegate (#delegate-N): see world.ts's setup. */
const DELEGATE_VALID_METHOD = 5;

// Every case of the adversarial table through the library (the agent's LER plugin), each with the result and the
// stable code it must get. A verifier that says "valid" once when it should not is worthless: none may.

type Report = CredentialReport | PresentationReport;

async function verify(w: AdversarialWorld, input: CaseInput): Promise<Report> {
  const now = input.now ?? w.now;
  const roots = input.trustedRoots === undefined ? {} : { trustedRoots: input.trustedRoots };
  if (input.kind === "credential") return w.agent.lerVerifyCredential({ credential: input.token, now, ...roots });
  return w.agent.lerVerifyPresentation({
    presentation: input.token,
    now,
    challenge: input.challenge ?? CHALLENGE,
    domain: input.domain ?? DOMAIN,
    ...roots,
  });
}

const summary = (r: Report): string =>
  JSON.stringify({
    result: r.result,
    checks: r.checks.map((c) => `${c.id}:${c.outcome}:${c.code}`),
    ...(r.kind === "presentation" && {
      credentials: r.credentials.map((c) => c.checks.map((x) => `${x.id}:${x.outcome}:${x.code}`)),
    }),
    ...(r.kind === "credential" && { issuer: r.credential.issuer }),
  });

function expectCase(c: AdversarialCase, report: Report): void {
  const why = `${c.id}: ${summary(report)}`;
  expect(report.result, why).to.not.equal("valid");
  expect(report.result, why).to.equal(c.expected.result);
  const checks =
    c.expected.inCredential === undefined
      ? report.checks
      : ((report as PresentationReport).credentials[c.expected.inCredential]?.checks ?? []);
  const found = checks.find((x) => x.id === c.expected.check && x.code === c.expected.code);
  expect(found, `${why}: no ${c.expected.check} check with code ${c.expected.code}`).to.not.equal(undefined);
  expect(found!.outcome, why).to.equal(c.expected.outcome ?? (c.expected.result === "invalid" ? "fail" : "unknown"));
}

describe("adversarial credentials and presentations (library)", function () {
  this.timeout(120_000);
  let w: AdversarialWorld;

  before(async () => {
    w = await createAdversarialWorld("in-process");
  });
  after(async () => w?.close());

  const UNI = { issuer: "university" } as const;

  describe("controls: what the cases alter verifies valid when left alone", () => {
    const controls: [string, (w: AdversarialWorld) => CaseInput][] = [
      [
        "the baseline credential the cases alter",
        (w) => ({ kind: "credential", token: w.credential({ issuer: "university" }) }),
      ],
      [
        "the baseline signed ES256K-R",
        (w) => ({ kind: "credential", token: w.credential({ issuer: "university", alg: "ES256K-R" }) }),
      ],
      [
        "a CLR of two in-scope types",
        (w) => ({ kind: "credential", token: w.credential({ issuer: "university", types: ["Degree", "Course"] }) }),
      ],
      ["a credential issued and anchored by the agent", (w) => ({ kind: "credential", token: w.tokens.uniForAda })],
      [
        "a credential signed by a valid veriKey delegate",
        (w) => ({ kind: "credential", token: w.credential({ issuer: "university", signer: "delegateValid" }) }),
      ],
      [
        "the bootcamp's own Certificate (the spoofing cases' base)",
        (w) => ({ kind: "credential", token: w.credential({ issuer: "bootcamp", types: ["Certificate"] }) }),
      ],
      [
        "the mill's credential anchored before its revocation's effective time",
        (w) => ({ kind: "credential", token: w.tokens.millEarly }),
      ],
      [
        "the rotated issuer's credential anchored before the rotation, by the former key",
        (w) => ({ kind: "credential", token: w.tokens.rotatedAnchoredBefore }),
      ],
      [
        "an issuer under the second root, with no trusted-roots filter",
        (w) => ({ kind: "credential", token: w.credential({ issuer: "underRoot2" }) }),
      ],
      [
        "a credential expiring after now",
        (w) => ({ kind: "credential", token: w.credential({ issuer: "university", exp: w.now + 3600 }) }),
      ],
      [
        "the baseline with kid naming the issuer's #controller",
        (w) => ({
          kind: "credential",
          token: signJwt(w.payload({ issuer: "university" }), w.wallets.university, {
            header: { alg: "ES256K", typ: "JWT", kid: `${w.dids.university}#controller` },
          }),
        }),
      ],
      [
        "the baseline with kid the bare fragment #controller",
        (w) => ({
          kind: "credential",
          token: signJwt(w.payload({ issuer: "university" }), w.wallets.university, {
            header: { alg: "ES256K", typ: "JWT", kid: "#controller" },
          }),
        }),
      ],
      [
        "a valid veriKey delegate's credential whose kid names that delegate's method",
        (w) => ({
          kind: "credential",
          token: signJwt(w.payload({ issuer: "university" }), w.wallets.delegateValid, {
            header: { alg: "ES256K", typ: "JWT", kid: `${w.dids.university}#delegate-${DELEGATE_VALID_METHOD}` },
          }),
        }),
      ],
      [
        "the issuer's own signature under a kid naming its valid delegate's method",
        (w) => ({
          kind: "credential",
          token: signJwt(w.payload({ issuer: "university" }), w.wallets.university, {
            header: { alg: "ES256K", typ: "JWT", kid: `#delegate-${DELEGATE_VALID_METHOD}` },
          }),
        }),
      ],
      [
        "iat within the clock-skew allowance (30 s ahead)",
        (w) => ({
          kind: "credential",
          token: w.credential({ issuer: "university" }, (p) => void (p.iat = w.now + 30)),
        }),
      ],
      [
        "sub naming the credential's own subject",
        (w) => ({
          kind: "credential",
          token: w.credential({ issuer: "university" }, (p) => void (p.sub = w.dids.ada)),
        }),
      ],
      [
        "a crit-free header with unregistered members",
        (w) => ({
          kind: "credential",
          token: signJwt(w.payload({ issuer: "university" }), w.wallets.university, {
            header: { alg: "ES256K", typ: "JWT", "x-ler-note": "ignored" },
          }),
        }),
      ],
      [
        "the baseline presentation",
        (w) => ({ kind: "presentation", token: w.presentation({ credentials: [w.tokens.uniForAda] }) }),
      ],
      [
        "the baseline as VC-JOSE (VC 2.0 payload, Open Badges 3.0 header with jwk)",
        (w) => ({ kind: "credential", token: w.joseCredential(UNI) }),
      ],
      [
        "VC-JOSE signed ES256K-R",
        (w) => ({ kind: "credential", token: w.joseCredential({ ...UNI, alg: "ES256K-R" }) }),
      ],
      [
        "VC-JOSE without jwk or kid (the key found in the DID document)",
        (w) => ({ kind: "credential", token: w.joseCredential({ ...UNI, header: { alg: "ES256K", typ: "JWT" } }) }),
      ],
      [
        "VC-JOSE with typ vc+jwt (the VC-JOSE-COSE media type)",
        (w) => ({ kind: "credential", token: w.joseCredential({ ...UNI, header: { alg: "ES256K", typ: "vc+jwt" } }) }),
      ],
      [
        "VC-JOSE by a valid delegate, its key as jwk",
        (w) => ({ kind: "credential", token: w.joseCredential({ ...UNI, signer: "delegateValid" }) }),
      ],
      [
        "VC-JOSE CLR of two in-scope types",
        (w) => ({ kind: "credential", token: w.joseCredential({ ...UNI, types: ["Degree", "Course"] }) }),
      ],
      [
        "VC-JOSE validFrom with milliseconds, nbf its whole second",
        (w) => ({
          kind: "credential",
          token: w.joseCredential(UNI, (p) => void (p.validFrom = new Date(Number(p.nbf) * 1000 + 250).toISOString())),
        }),
      ],
    ];
    for (const [name, build] of controls) {
      it(`${name} -> valid`, async () => {
        const report = await verify(w, build(w));
        expect(report.result, summary(report)).to.equal("valid");
      });
    }

    it(`ethr-did-resolver names the university's valid delegate #delegate-${DELEGATE_VALID_METHOD} (the kid control's premise)`, async () => {
      const net = w.base.network;
      const stock = new Resolver(
        getResolver({
          networks: [
            {
              name: w.networkName,
              chainId: w.chainId,
              registry: net.deployment.contracts.EthereumDIDRegistry.address,
              provider: net.provider as never,
            },
          ],
        }),
      );
      const doc = (await stock.resolve(w.dids.university)).didDocument!;
      const method = doc.verificationMethod!.find(
        (m) => m.id === `${w.dids.university}#delegate-${DELEGATE_VALID_METHOD}`,
      );
      expect(method?.blockchainAccountId?.toLowerCase() ?? "", JSON.stringify(doc.verificationMethod)).to.match(
        new RegExp(`${w.wallets.delegateValid.address.toLowerCase()}$`),
      );
    });

    it("the bootcamp's own credential naming itself as the university -> valid, the name reported as its claim only", async () => {
      const token = w.credential(
        { issuer: "bootcamp", types: ["Certificate"] },
        (p) => void (p.issuer = { name: "The university institution" }),
      );
      const report = (await verify(w, { kind: "credential", token })) as CredentialReport;
      expect(report.result, summary(report)).to.equal("valid");
      expect(report.credential.issuerName).to.equal("The university institution");
      expect(report.trustChain[0]!.address).to.equal(w.wallets.bootcamp.address);
      // The chain is the registry's: no link carries the name the credential gave itself.
      expect(report.trustChain.map((l) => l.name).filter((n) => n !== undefined)).to.deep.equal([]);
    });
  });

  describe(`${CASES.length} cases, none valid`, () => {
    it("the table has at least 60 cases with unique ids, in every category", () => {
      expect(CASES.length).to.be.at.least(60);
      expect(new Set(CASES.map((c) => c.id)).size).to.equal(CASES.length);
      const categories = new Set(CASES.map((c) => c.category));
      expect([...categories].sort()).to.deep.equal([
        "anchor",
        "encoding",
        "issuer",
        "jose",
        "presentation",
        "signature",
        "status",
        "structure",
        "trust",
        "validity",
        "vcjose",
      ]);
    });

    for (const c of CASES) {
      it(`${c.id}: ${c.description} -> ${c.expected.result} (${c.expected.check}: ${c.expected.code})`, async () => {
        expectCase(c, await verify(w, c.build(w)));
      });
    }

    it("zero of the cases comes out valid (all run again, one after another)", async () => {
      const valid: string[] = [];
      for (const c of CASES) {
        const report = await verify(w, c.build(w));
        if (report.result === "valid") valid.push(`${c.id}: ${summary(report)}`);
      }
      expect(valid, valid.join("\n")).to.deep.equal([]);
    });

    it("in one batch with a valid credential, no hostile credential is valid and none spoils the valid one", async () => {
      // Cases that need verifier options of their own (trusted roots, another clock) cannot share a batch.
      const inputs = CASES.map((c) => ({ c, input: c.build(w) })).filter(
        ({ input }) => input.kind === "credential" && input.trustedRoots === undefined && input.now === undefined,
      );
      const good = w.tokens.uniForAda;
      const reports = await w.agent.lerVerifyCredentials({
        credentials: [good, ...inputs.map((i) => i.input.token)],
        now: w.now,
      });
      expect(reports).to.have.length(inputs.length + 1);
      expect(reports[0]!.result, summary(reports[0]!)).to.equal("valid");
      const valid = inputs.filter((_, i) => reports[i + 1]!.result === "valid").map((i) => i.c.id);
      expect(valid).to.deep.equal([]);
    });
  });
});
