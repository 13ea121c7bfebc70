import { expect } from "chai";
import { isLerError } from "../../src/errors.js";
import { decodeJwt } from "../../src/verify/jwt.js";
import { b64url, roleWallet, signJwt, signRaw } from "../adversarial/jws.js";

// decodeJwt's JOSE rules from issue 12 (the adversarial suite runs them end to end): any `crit` is refused
// (unsupported_crit) and the header and payload must be strict UTF-8 (invalid_encoding).

const key = roleWallet("jose-unit");
const payload = { iss: "did:ethr:x:0x0000000000000000000000000000000000000001", vc: { name: "Degree" } };

function codeOf(token: string): string | undefined {
  try {
    decodeJwt(token);
    return undefined;
  } catch (e) {
    if (isLerError(e)) return e.code;
    throw e;
  }
}

/** A token whose payload JSON has `bytes` inside a string value, signed over exactly those bytes. */
function withPayloadBytes(bytes: number[]): string {
  const [before, after] = JSON.stringify({ ...payload, vc: { name: "@@" } }).split("@@") as [string, string];
  const h = b64url({ alg: "ES256K", typ: "JWT" });
  const p = Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]).toString("base64url");
  return `${h}.${p}.${b64url(signRaw(`${h}.${p}`, key.privateKey))}`;
}

describe("decodeJwt: crit and UTF-8 (issue 12)", () => {
  it("accepts a header without crit, unregistered members included", () => {
    expect(codeOf(signJwt(payload, key, { header: { alg: "ES256K", typ: "JWT", "x-note": 1 } }))).to.equal(undefined);
  });

  for (const crit of [["x-ler-policy"], ["b64"], [], "exp", null]) {
    it(`refuses crit ${JSON.stringify(crit)} with unsupported_crit`, () => {
      expect(
        codeOf(signJwt(payload, key, { header: { alg: "ES256K", typ: "JWT", crit, "x-ler-policy": 1, b64: false } })),
      ).to.equal("unsupported_crit");
    });
  }

  it("accepts multi-byte UTF-8 (é, 😀) in the payload", () => {
    expect(codeOf(withPayloadBytes([...Buffer.from("é😀")]))).to.equal(undefined);
  });

  const bad: [string, number[]][] = [
    ["a 0xFF byte", [0xff]],
    ["a lone continuation byte", [0x80]],
    ["an overlong '/'", [0xc0, 0xaf]],
    ["a CESU-8 surrogate", [0xed, 0xa0, 0x80]],
    ["a truncated sequence", [0xe2, 0x82]],
    ["a code point beyond U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
  ];
  for (const [name, bytes] of bad) {
    it(`refuses ${name} in the payload with invalid_encoding`, () => {
      expect(codeOf(withPayloadBytes(bytes))).to.equal("invalid_encoding");
    });
  }

  it("refuses invalid UTF-8 in the header with invalid_encoding", () => {
    const h = Buffer.concat([
      Buffer.from('{"alg":"ES256K","typ":"JWT'),
      Buffer.from([0xff]),
      Buffer.from('"}'),
    ]).toString("base64url");
    const p = b64url(payload);
    expect(codeOf(`${h}.${p}.${b64url(signRaw(`${h}.${p}`, key.privateKey))}`)).to.equal("invalid_encoding");
  });

  it("refuses a payload starting with a byte-order mark (not JSON text) with malformed_jwt", () => {
    expect(
      codeOf(
        withPayloadBytes([]).replace(
          /^([^.]+)\.[^.]+/,
          (_m, h: string) =>
            `${h}.${Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(payload))]).toString("base64url")}`,
        ),
      ),
    ).to.equal("malformed_jwt");
  });
});
