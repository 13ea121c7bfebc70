import { expect } from "chai";
import { Wallet } from "ethers";
import type { DidEvent } from "../../../src/did/ethr.js";
import { parseEthrDid } from "../../../src/did/ethr.js";
import {
  challengeCheck,
  claimedHolderCheck,
  holderOf,
  holderSignatureCheck,
  noCredentialsCheck,
  presentationWindowCheck,
  subjectsCheck,
} from "../../../src/verify/checks/binding.js";
import { isCheck } from "../../../src/verify/checks/format.js";
import { decodeJwt } from "../../../src/verify/jwt.js";
import type { CredentialReport } from "../../../src/verify/report.js";
import { signJwt } from "../../adversarial/jws.js";
import { memory, NETWORK, NOW, scope, snapshot } from "./world.js";

const holderKey = new Wallet(Wallet.createRandom().privateKey);
const holderDid = `did:ethr:${NETWORK}:${holderKey.address}`;
const vpJwt = (extra: Record<string, unknown> = {}, key: Wallet = holderKey) =>
  signJwt({ iss: holderDid, nonce: "n-1", aud: "employer.example", vp: { verifiableCredential: [] }, ...extra }, key);
const about = (subject: string | undefined) =>
  ({ credential: subject === undefined ? {} : { subject } }) as CredentialReport;

describe("checks/binding: a presentation is its holder's, made for this verifier", () => {
  it("the challenge and domain asked for -> challenge_matched; another nonce -> challenge_mismatch (a replay); another audience -> domain_mismatch", () => {
    const p = decodeJwt(vpJwt()).payload;
    expect(challengeCheck(p, { challenge: "n-1", domain: "employer.example" })).to.include({
      outcome: "pass",
      code: "challenge_matched",
    });
    expect(challengeCheck(p, { challenge: "n-2" })).to.include({ outcome: "fail", code: "challenge_mismatch" });
    expect(challengeCheck(p, { challenge: "n-1", domain: "other.example" })).to.include({
      outcome: "fail",
      code: "domain_mismatch",
    });
    expect(challengeCheck(p, {})).to.include({ outcome: "pass", code: "no_challenge_requested" });
  });

  it("the presentation's own window at the time passed in", () => {
    expect(presentationWindowCheck({ exp: NOW - 100 }, NOW, 60)).to.include({ code: "presentation_expired" });
    expect(presentationWindowCheck({ nbf: NOW + 100 }, NOW, 60)).to.include({ code: "not_yet_valid" });
    expect(presentationWindowCheck({ exp: NOW - 100 }, NOW - 1000, 60)).to.include({ code: "within_validity" });
  });

  it("signed by the holder -> signature_valid; by another key -> invalid_signature; chain unread -> unknown", () => {
    const holder = parseEthrDid(holderDid);
    const snap = snapshot({ didEvents: new Map<string, DidEvent[]>() });
    expect(holderSignatureCheck(decodeJwt(vpJwt()), holder, snap, undefined, NOW, memory())).to.include({
      outcome: "pass",
      code: "signature_valid",
    });
    expect(
      holderSignatureCheck(
        decodeJwt(vpJwt({}, new Wallet(Wallet.createRandom().privateKey))),
        holder,
        snap,
        undefined,
        NOW,
        memory(),
      ),
    ).to.include({ outcome: "fail", code: "invalid_signature" });
    expect(holderSignatureCheck(decodeJwt(vpJwt()), holder, undefined, undefined, NOW, memory())).to.include({
      outcome: "unknown",
      code: "chain_unreachable",
    });
  });

  it("vp.holder naming someone else -> holder_mismatch; the holder on another chain -> wrong_network", () => {
    expect(
      claimedHolderCheck({ holder: "did:ethr:0x7a69:0x70997970C51812dc3A010C7d01b50e0d17dc79C8" }, holderDid),
    ).to.include({ code: "holder_mismatch" });
    expect(claimedHolderCheck({ holder: holderDid.toLowerCase() }, holderDid)).to.equal(undefined);
    const elsewhere = holderOf({ iss: `did:ethr:sepolia:${holderKey.address}` }, scope);
    expect(isCheck(elsewhere) && [elsewhere.id, elsewhere.code]).to.deep.equal(["holder_signature", "wrong_network"]);
    expect(isCheck(holderOf({}, scope)) && (holderOf({}, scope) as { code: string }).code).to.equal("missing_holder");
  });

  it("a credential about someone other than the holder -> subject_not_holder; none asked when credentials are required -> no_credentials", () => {
    const holder = parseEthrDid(holderDid);
    expect(subjectsCheck(holder, [about(holderDid)])).to.include({ outcome: "pass", code: "holder_is_subject" });
    expect(subjectsCheck(holder, [about(holderDid), about("did:example:someone")])).to.include({
      outcome: "fail",
      code: "subject_not_holder",
    });
    expect(subjectsCheck(holder, [about(undefined)])).to.include({ code: "subject_not_holder" });
    expect(noCredentialsCheck({ challenge: "n-1" })).to.include({ outcome: "fail", code: "no_credentials" });
    expect(noCredentialsCheck({})).to.include({ outcome: "skipped", code: "no_credentials" });
  });
});
