import { expect } from "chai";
import { trustCheck } from "../../../src/verify/checks/trust.js";
import { AccreditationStatus } from "../../../src/verify/trust.js";
import { accreditorAddress, issuerKey, link, memory, NOW, snapshot, trustedChain, ZERO } from "./world.js";

const now = { at: BigInt(NOW), source: "now" as const };
const judge = (
  chain = trustedChain(),
  types: readonly string[] = ["Degree"],
  judged: { at: bigint; source: "now" | "anchor" } = now,
  roots?: ReadonlySet<string>,
) => trustCheck(chain, types, snapshot(), judged, () => roots, memory());

describe("checks/trust: accredited for what it claims, when it was issued, under a trusted root", () => {
  it("accredited for its type under a root -> trusted, and the check says when and why then", () => {
    const r = judge();
    expect(r).to.include({ id: "trust", outcome: "pass", code: "trusted" });
    expect(r.details).to.deep.include({ root: accreditorAddress, at: NOW, source: "now" });
  });

  it("a type outside the issuer's scope -> type_out_of_scope; a type the registry does not know -> unknown_credential_type", () => {
    expect(judge(trustedChain({ scope: 2n }))).to.include({ outcome: "fail", code: "type_out_of_scope" });
    expect(judge(trustedChain(), ["Diploma"])).to.include({ outcome: "fail", code: "unknown_credential_type" });
    expect(judge(trustedChain(), [])).to.include({ outcome: "fail", code: "no_credential_type" });
  });

  it("no accreditation -> issuer_not_accredited; suspended issuer, revoked accreditor -> their codes", () => {
    expect(judge([])).to.include({ code: "issuer_not_accredited" });
    expect(judge(trustedChain({ status: AccreditationStatus.Suspended }))).to.include({ code: "issuer_suspended" });
    const revokedAbove = [
      link(issuerKey.address, accreditorAddress),
      link(accreditorAddress, ZERO, { role: 3, status: AccreditationStatus.Revoked, validUntil: BigInt(NOW - 10) }),
    ];
    expect(judge(revokedAbove)).to.include({ code: "accreditor_revoked" });
  });

  it("judged at the anchored time: an accreditation that ended since still covers it; judged now it does not", () => {
    const ended = trustedChain({ validUntil: BigInt(NOW - 100) });
    expect(judge(ended, ["Degree"], { at: BigInt(NOW - 1000), source: "anchor" })).to.include({ code: "trusted" });
    expect(judge(ended)).to.include({ code: "accreditation_expired" });
  });

  it("a chain ending at a root this verifier does not trust -> untrusted_root", () => {
    expect(judge(trustedChain(), ["Degree"], now, new Set(["0x0000000000000000000000000000000000000001"]))).to.include({
      code: "untrusted_root",
    });
    expect(judge(trustedChain(), ["Degree"], now, new Set([accreditorAddress]))).to.include({ code: "trusted" });
  });
});
