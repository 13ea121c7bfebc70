import { expect } from "chai";
import { checkToken, newToken, parseScopes, parseToken, secretHash } from "../../src/store/tokens.js";
import type { TokenRecord } from "../../src/store/types.js";

describe("store/tokens", function () {
  const NOW = Date.UTC(2025, 2, 1);
  const made = () => {
    const t = newToken();
    const record: TokenRecord = {
      id: t.id,
      issuer: "0x8ba1f109551bd432803012645ac136ddd64dba72",
      scopes: ["issue"],
      hash: t.hash,
      createdAt: new Date(NOW - 1000).toISOString(),
    };
    return { ...t, record };
  };

  it("makes ler_<16 hex>_<43 base64url> tokens that parse back, and keeps only the secret's hash", () => {
    const { token, id, hash } = newToken();
    expect(token).to.match(/^ler_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseToken(token);
    expect(parsed.id).to.equal(id);
    expect(secretHash(parsed.secret)).to.equal(hash);
    expect(hash)
      .to.match(/^[0-9a-f]{64}$/)
      .and.not.contain(parsed.secret);
    expect(newToken().id).to.not.equal(id);
  });

  it("refuses malformed tokens with invalid_token, without repeating them", () => {
    const { token } = newToken();
    for (const bad of [
      "",
      "ler_",
      token.slice(0, -1),
      token.replace("ler_", "lr_"),
      `${token}x`,
      token.toUpperCase(),
    ]) {
      let err: { code?: string; message?: string } | undefined;
      try {
        parseToken(bad);
      } catch (e) {
        err = e as { code?: string; message?: string };
      }
      expect(err?.code, bad).to.equal("invalid_token");
      if (bad.length > 10) expect(err?.message).to.not.contain(bad);
    }
  });

  it("accepts the right secret, and says why otherwise: invalid_token, token_revoked, token_expired", () => {
    const { token, record } = made();
    const { secret } = parseToken(token);
    expect(checkToken(record, secret, NOW)).to.equal(undefined);
    expect(checkToken(record, parseToken(newToken().token).secret, NOW)?.code).to.equal("invalid_token");
    const revoked = { ...record, revokedAt: new Date(NOW - 10).toISOString() };
    expect(checkToken(revoked, secret, NOW)?.code).to.equal("token_revoked");
    const expiring = { ...record, expiresAt: new Date(NOW).toISOString() };
    expect(checkToken(expiring, secret, NOW - 1)).to.equal(undefined);
    expect(checkToken(expiring, secret, NOW)?.code).to.equal("token_expired");
    // A wrong secret says nothing about revocation or expiry.
    expect(checkToken(revoked, "x", NOW)?.code).to.equal("invalid_token");
  });

  it("parses scopes into the canonical order, refusing unknown ones", () => {
    expect(parseScopes("read, issue,read")).to.deep.equal(["issue", "read"]);
    expect(parseScopes(["status", "issue,read"])).to.deep.equal(["issue", "status", "read"]);
    for (const bad of ["", "admin", "issue,admin"]) {
      expect(() => parseScopes(bad), bad)
        .to.throw()
        .with.property("code", "invalid_argument");
    }
  });
});
