import { expect } from "chai";
import { Wallet } from "ethers";
import { parseEthrDid, signingKeysAt, type DidEvent } from "../../../src/did/ethr.js";
import { isCheck, preparedJwt } from "../../../src/verify/checks/format.js";
import { signatureCheck } from "../../../src/verify/checks/signature.js";
import { decodeJwt } from "../../../src/verify/jwt.js";
import { signJwt } from "../../adversarial/jws.js";
import { credential, issuerDid, issuerKey, memory, NOW, payload, snapshot, ZERO } from "./world.js";

const did = parseEthrDid(issuerDid);
const judged = { keysAt: { block: 100, time: BigInt(NOW) } };
const check = (jwt: string, events: DidEvent[] = []) =>
  signatureCheck(
    preparedJwt(decodeJwt(jwt)),
    did,
    snapshot({ didEvents: new Map([[issuerKey.address, events]]) }),
    judged,
    signingKeysAt,
    memory(),
  );

describe("checks/signature: signed by a key the issuer's DID had at the trusted time", () => {
  it("signed by the issuer -> signature_valid; by anyone else -> invalid_signature", () => {
    expect(check(credential())).to.include({ id: "signature", outcome: "pass", code: "signature_valid" });
    expect(check(credential(payload(), Wallet.createRandom().privateKey))).to.include({
      outcome: "fail",
      code: "invalid_signature",
    });
  });

  it("a tampered payload under the issuer's signature -> invalid_signature", () => {
    const [h, , s] = credential().split(".");
    const other = credential(payload({ sub: "did:example:mallory" })).split(".")[1];
    expect(check(`${h}.${other}.${s}`)).to.include({ code: "invalid_signature" });
  });

  it("the owner changed before the trusted time: the old key no longer signs; deactivated -> issuer_deactivated", () => {
    const rotated: DidEvent[] = [
      { kind: "owner", block: 50, owner: Wallet.createRandom().address, previousChange: 0n },
    ];
    expect(check(credential(), rotated)).to.include({ code: "invalid_signature" });
    // A change after the trusted time's block does not apply.
    expect(check(credential(), [{ ...rotated[0]!, block: 150 } as DidEvent])).to.include({ code: "signature_valid" });
    expect(check(credential(), [{ kind: "owner", block: 50, owner: ZERO, previousChange: 0n }])).to.include({
      code: "issuer_deactivated",
    });
  });

  it("a history that cannot be read -> unknown (chain_inconsistent), not invalid", () => {
    expect(check(credential(), [{ kind: "unreadable", block: 10, reason: "bad data" }])).to.include({
      outcome: "unknown",
      code: "chain_inconsistent",
    });
  });

  it("a kid naming no verification method -> unknown_kid; #controller is one", () => {
    const withKid = (kid: string) => signJwt(payload(), issuerKey, { header: { alg: "ES256K", kid } });
    expect(check(withKid(`${issuerDid}#controller`))).to.include({ code: "signature_valid" });
    expect(check(withKid("#delegate-7"))).to.include({ outcome: "fail", code: "unknown_kid" });
  });

  it("ES256K-R works as ES256K does", () => {
    expect(check(signJwt(payload(), issuerKey, { alg: "ES256K-R" }))).to.include({ code: "signature_valid" });
    expect(isCheck(check(credential()))).to.equal(true);
  });
});
