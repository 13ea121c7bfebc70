import { expect } from "chai";
import { issuerCheck } from "../../../src/verify/checks/issuer.js";
import { issuerDid, issuerKey, memory, scope } from "./world.js";

describe("checks/issuer: who issued the credential, on this chain", () => {
  it("a did:ethr of this chain named the same everywhere -> issuer_did, with the parsed DID", () => {
    const r = issuerCheck({ iss: issuerDid, vc: { issuer: issuerDid } }, { issuer: issuerDid }, scope, memory());
    expect(r.check).to.include({ id: "issuer", outcome: "pass", code: "issuer_did" });
    expect(r.issuer?.address).to.equal(issuerKey.address);
  });

  it("no iss -> missing_issuer; a DID of another chain -> wrong_network; not a DID -> fails, and no DID is given", () => {
    const m = memory();
    expect(issuerCheck({}, {}, scope, m)).to.deep.include({
      check: { id: "issuer", outcome: "fail", code: "missing_issuer", message: "The JWT has no `iss` claim." },
    });
    const other = issuerCheck({ iss: `did:ethr:sepolia:${issuerKey.address}` }, {}, scope, m);
    expect(other.check).to.include({ outcome: "fail", code: "wrong_network" });
    expect(other.issuer).to.equal(undefined);
    expect(issuerCheck({ iss: "did:web:example.org" }, {}, scope, m).check.outcome).to.equal("fail");
  });

  it("a credential that names another issuer than its signer -> iss_mismatch", () => {
    const mallory = "did:ethr:0x7a69:0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    expect(issuerCheck({ iss: issuerDid, vc: { issuer: mallory } }, {}, scope, memory()).check).to.include({
      code: "iss_mismatch",
    });
    expect(issuerCheck({ iss: issuerDid, issuer: { id: mallory } }, {}, scope, memory()).check).to.include({
      code: "iss_mismatch",
    });
    // An issuer object without an id names no one else.
    expect(issuerCheck({ iss: issuerDid, issuer: { name: "Uni" } }, {}, scope, memory()).check).to.include({
      outcome: "pass",
    });
  });

  it("a public-key did:ethr whose key is off the curve -> invalid_issuer", () => {
    const r = issuerCheck({ iss: `did:ethr:0x7a69:0x02${"00".repeat(31)}07` }, {}, scope, memory());
    expect(r.check).to.include({ outcome: "fail", code: "invalid_issuer" });
  });
});
