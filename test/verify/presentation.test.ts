import { expect } from "chai";
import type { VerifierContext } from "../../src/verify/credential.js";
import { verifyPresentation, type VerifyPresentationOptions } from "../../src/verify/index.js";
import type { PresentationReport } from "../../src/verify/report.js";
import { rejection } from "../helpers/assert.js";
import { CHALLENGE, DOMAIN, createAdversarialWorld, type AdversarialWorld } from "../adversarial/world.js";

// Issue 12: a presentation whose `vp.holder` is not its signer, and one that carries no credentials.

const summary = (r: PresentationReport): string =>
  JSON.stringify({ result: r.result, checks: r.checks.map((c) => `${c.id}:${c.outcome}:${c.code}`) });

describe("presentations: holder and emptiness (issue 12)", function () {
  this.timeout(180_000);
  let w: AdversarialWorld;

  before(async () => {
    w = await createAdversarialWorld("in-process");
  });
  after(async () => w?.close());

  const ctx = (): VerifierContext => ({
    provider: w.base.network.provider,
    deployment: w.base.network.deployment,
    networkName: w.networkName,
    cache: false,
  });
  /** Verified with the suite's challenge and domain, or (`challenge: false`) with neither. */
  const verify = (token: string, extra: Partial<VerifyPresentationOptions> = {}, challenge = true) =>
    verifyPresentation(ctx(), token, {
      now: w.now,
      ...(challenge && { challenge: CHALLENGE, domain: DOMAIN }),
      ...extra,
    });
  const has = (r: PresentationReport, id: string, outcome: string, code: string) =>
    r.checks.some((c) => c.id === id && c.outcome === outcome && c.code === code);

  it("control: ada presents her own credential -> valid", async () => {
    const r = await verify(w.presentation({ credentials: [w.tokens.uniForAda] }));
    expect(r.result, summary(r)).to.equal("valid");
  });

  it("control: `vp.holder` naming the signer (in any address case) -> valid", async () => {
    const same = await verify(
      w.presentation(
        { credentials: [w.tokens.uniForAda] },
        (p) => void ((p.vp as Record<string, unknown>).holder = w.dids.ada),
      ),
    );
    expect(same.result, summary(same)).to.equal("valid");
    const lower = await verify(
      w.presentation(
        { credentials: [w.tokens.uniForAda] },
        (p) => void ((p.vp as Record<string, unknown>).holder = w.dids.ada.toLowerCase()),
      ),
    );
    expect(lower.result, summary(lower)).to.equal("valid");
  });

  it("`vp.holder` naming another DID than the signer -> invalid, holder_mismatch", async () => {
    // Ada signs her own presentation of her own credential, but claims grace as holder.
    const r = await verify(
      w.presentation(
        { credentials: [w.tokens.uniForAda] },
        (p) => void ((p.vp as Record<string, unknown>).holder = w.dids.grace),
      ),
    );
    expect(r.result, summary(r)).to.equal("invalid");
    expect(has(r, "holder_binding", "fail", "holder_mismatch"), summary(r)).to.equal(true);
    // An object holder, and one that is not a DID at all.
    for (const holder of [{ id: w.dids.grace }, "not a did", 42]) {
      const o = await verify(
        w.presentation(
          { credentials: [w.tokens.uniForAda] },
          (p) => void ((p.vp as Record<string, unknown>).holder = holder),
        ),
      );
      expect(o.result, summary(o)).to.equal("invalid");
      expect(has(o, "holder_binding", "fail", "holder_mismatch"), summary(o)).to.equal(true);
    }
  });

  it("no credentials, verifier gave a challenge (credentials required by default) -> invalid, no_credentials", async () => {
    const r = await verify(w.presentation({ credentials: [] }));
    expect(r.result, summary(r)).to.equal("invalid");
    expect(has(r, "presentation", "fail", "no_credentials"), summary(r)).to.equal(true);
    const explicit = await verify(w.presentation({ credentials: [] }), { requireCredentials: true }, false);
    expect(explicit.result, summary(explicit)).to.equal("invalid");
    expect(has(explicit, "presentation", "fail", "no_credentials"), summary(explicit)).to.equal(true);
  });

  it("no credentials, credentials not required -> valid, but the report says it proves nothing", async () => {
    for (const [extra, challenge] of [
      [{ requireCredentials: false }, true],
      [{}, false],
    ] as const) {
      const r = await verify(w.presentation({ credentials: [] }), extra, challenge);
      expect(r.result, summary(r)).to.equal("valid");
      const check = r.checks.find((c) => c.code === "no_credentials");
      expect(check?.outcome, summary(r)).to.equal("skipped");
      expect(check?.message).to.match(/proves only/);
    }
  });

  it("a presentation with a credential gets no no_credentials check", async () => {
    const r = await verify(w.presentation({ credentials: [w.tokens.uniForAda] }), { requireCredentials: true });
    expect(r.result, summary(r)).to.equal("valid");
    expect(r.checks.some((c) => c.code === "no_credentials")).to.equal(false);
  });

  // A public-key did:ethr whose key is no point of secp256k1 names no one: as holder it is an invalid one, and as a
  // trusted root a configuration error with its own code (before, both threw a bare "point is not on curve").
  it("a holder DID whose public key is off the curve -> invalid, invalid_did", async () => {
    for (const key of [`0x02${"5".padStart(64, "0")}`, `0x03${"f".repeat(64)}`]) {
      const r = await verify(
        w.presentation({ credentials: [w.tokens.uniForAda] }, (p) => void (p.iss = `did:ethr:${w.networkName}:${key}`)),
      );
      expect(r.result, summary(r)).to.equal("invalid");
      expect(has(r, "holder_signature", "fail", "invalid_did"), summary(r)).to.equal(true);
    }
  });

  it("a trusted root DID whose public key is off the curve is refused with invalid_did", async () => {
    const err = await rejection(
      verify(w.presentation({ credentials: [w.tokens.uniForAda] }), {
        trustedRoots: [`did:ethr:${w.networkName}:0x02${"5".padStart(64, "0")}`],
      }),
    );
    expect(err.code).to.equal("invalid_did");
  });
});
