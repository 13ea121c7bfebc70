import { expect } from "chai";
import { describeJwt, jwtPayload } from "../../src/wallet/jwt.js";

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), "utf8").toString("base64url");
const jwt = (payload: unknown) => `${b64({ alg: "ES256K" })}.${b64(payload)}.sig`;

describe("wallet/jwt: what a credential says about itself", () => {
  it("describes a VC-JOSE credential: id, name, issuer, subject, achievement types once each, times", () => {
    const token = jwt({
      jti: "urn:uuid:1",
      iss: "did:ethr:localhost:0x1",
      sub: "did:ethr:localhost:0x2",
      nbf: 100,
      exp: 200,
      name: "BSc",
      issuer: { id: "did:ethr:localhost:0x1", name: "State University" },
      credentialSubject: {
        id: "did:ethr:localhost:0x2",
        achievement: [{ achievementType: "Course" }, { achievementType: "Course" }, { achievementType: "Degree" }],
      },
    });
    expect(describeJwt(token)).to.deep.equal({
      types: ["Course", "Degree"],
      id: "urn:uuid:1",
      name: "BSc",
      issuer: "did:ethr:localhost:0x1",
      issuerName: "State University",
      subject: "did:ethr:localhost:0x2",
      issuedAt: 100,
      expiresAt: 200,
    });
  });

  it("reads a VC 1.1 credential from its vc claim", () => {
    const d = describeJwt(
      jwt({
        vc: {
          id: "urn:uuid:2",
          name: "Cert",
          credentialSubject: { id: "did:x", achievement: { achievementType: "Certificate" } },
        },
      }),
    );
    expect(d).to.deep.equal({ types: ["Certificate"], id: "urn:uuid:2", name: "Cert", subject: "did:x" });
  });

  it("decodes nothing that is not a JSON object payload", () => {
    expect(jwtPayload("not a jwt")).to.equal(undefined);
    expect(jwtPayload(jwt([1, 2]))).to.equal(undefined);
    expect(describeJwt("garbage")).to.deep.equal({ types: [] });
  });
});
