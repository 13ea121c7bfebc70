import { expect } from "chai";
import { validityCheck, validityWindow } from "../../../src/verify/checks/validity.js";
import { memory, NOW } from "./world.js";

describe("checks/validity: the credential's window at the verifier's time", () => {
  const at = (jwt: { nbf?: unknown; exp?: unknown; iat?: unknown }, now = NOW, skew = 60) =>
    validityCheck({ nbf: jwt.nbf, exp: jwt.exp, iat: jwt.iat }, now, skew, memory());

  it("expired -> fail expired; within the skew it still passes", () => {
    expect(at({ exp: NOW - 61 })).to.include({ outcome: "fail", code: "expired" });
    expect(at({ exp: NOW - 59 })).to.include({ outcome: "pass", code: "within_validity" });
  });

  it("not yet valid, issued in the future -> fail with their codes", () => {
    expect(at({ nbf: NOW + 3600 })).to.include({ outcome: "fail", code: "not_yet_valid" });
    expect(at({ iat: NOW + 3600 })).to.include({ outcome: "fail", code: "issued_in_future" });
  });

  it("windows that are not numbers of seconds -> invalid_field; no expiry -> valid with no expiry", () => {
    expect(at({ exp: "soon" })).to.include({ outcome: "fail", code: "invalid_field" });
    expect(at({ iat: "1" })).to.include({ outcome: "fail", code: "invalid_field" });
    expect(at({})).to.include({ outcome: "pass", code: "within_validity", message: "Valid, with no expiry." });
  });

  it("the time is the one passed in: the same credential is valid before its expiry and expired after", () => {
    expect(at({ exp: NOW }, NOW - 3600)).to.include({ outcome: "pass" });
    expect(at({ exp: NOW }, NOW + 3600)).to.include({ code: "expired" });
  });

  it("the window is the strictest of the JWT's claims and the credential's dates; a date that is no date is invalid", () => {
    const w = validityWindow({
      nbf: NOW - 100,
      exp: NOW + 100,
      vc: { validUntil: new Date((NOW + 10) * 1000).toISOString() },
    });
    expect(w).to.deep.equal({ nbf: NOW - 100, exp: NOW + 10 });
    expect(validityWindow({ vc: { expirationDate: "never" } }).exp).to.equal("invalid");
    expect(at(validityWindow({ vc: { expirationDate: "never" } }))).to.include({ code: "invalid_field" });
  });
});
