import { expect } from "chai";
import { decodeCredential, headerKeyOf, isCheck, preparedJwt, wellFormed } from "../../../src/verify/checks/format.js";
import { decodeJwt } from "../../../src/verify/jwt.js";
import { signJwt, b64url, parts } from "../../adversarial/jws.js";
import { credential, issuerKey, memory, payload } from "./world.js";

describe("checks/format: what a token must be before anything else is checked", () => {
  it("a well-formed credential JWT decodes once: the decoded token is taken as it is", () => {
    const jwt = credential();
    const decoded = decodeCredential(jwt);
    expect(isCheck(decoded)).to.equal(false);
    if (isCheck(decoded)) return;
    expect(decoded.form).to.equal("vc-jwt-1.1");
    expect(decoded.credential.type).to.deep.equal(["VerifiableCredential", "Degree"]);
    // Passed where a token is expected, the decoded form is not decoded again.
    expect(decodeJwt(decoded.jwt)).to.equal(decoded.jwt);
    const again = decodeCredential(decoded.jwt);
    expect(!isCheck(again) && again.jwt).to.equal(decoded.jwt);
    expect(wellFormed(decoded.jwt.alg, memory())).to.include({ id: "format", outcome: "pass", code: "well_formed" });
  });

  it("not a JWT, a truncated token, alg none, a `crit` header -> format fail with the decoder's code", () => {
    const code = (input: unknown) => {
      const r = decodeCredential(input);
      return isCheck(r) ? [r.id, r.outcome, r.code] : undefined;
    };
    expect(code(42)).to.deep.equal(["format", "fail", "malformed_jwt"]);
    expect(code(credential().split(".").slice(0, 2).join("."))).to.deep.equal(["format", "fail", "malformed_jwt"]);
    expect(code(signJwt(payload(), issuerKey, { header: { alg: "none" } }))).to.deep.equal([
      "format",
      "fail",
      "unsupported_alg",
    ]);
    expect(code(signJwt(payload(), issuerKey, { header: { alg: "ES256K", crit: ["exp"] } }))).to.deep.equal([
      "format",
      "fail",
      "unsupported_crit",
    ]);
  });

  it("a tampered signature encoding is refused before any key is looked up", () => {
    const [h, p, s] = parts(credential());
    const sig = Buffer.from(s, "base64url");
    const r = decodeCredential(`${h}.${p}.${b64url(sig.subarray(0, 63))}`);
    expect(isCheck(r) && r.code).to.equal("malformed_signature");
  });

  it("a JOSE jwk that is no secp256k1 point -> format fail invalid_jwk; a real one gives the key", () => {
    const bad = headerKeyOf(
      { kty: "EC", crv: "secp256k1", x: b64url(new Uint8Array(32)), y: b64url(new Uint8Array(32)) },
      memory(),
    );
    expect(isCheck(bad) && [bad.id, bad.code]).to.deep.equal(["format", "invalid_jwk"]);
    const pub = Buffer.from(issuerKey.signingKey.publicKey.slice(4), "hex");
    const jwk = { kty: "EC", crv: "secp256k1", x: b64url(pub.subarray(0, 32)), y: b64url(pub.subarray(32)) };
    const key = headerKeyOf(jwk, memory());
    expect(key).to.be.instanceOf(Uint8Array);
    expect((key as Uint8Array).length).to.equal(65);
  });

  it("the prepared JWT keeps the signature and its digest, the window, and the header's kid", () => {
    const decoded = decodeJwt(
      signJwt(payload({ exp: 1_900_000_000 }), issuerKey, { header: { alg: "ES256K", kid: "#controller" } }),
    );
    const p = preparedJwt(decoded);
    expect(p.parts.length).to.equal(64 + 32);
    expect(p.kid).to.equal("#controller");
    expect(p.exp).to.equal(1_900_000_000);
  });
});
