import { expect } from "chai";
import { anchorIntent, legacyIntentsChainId, revocationIntent, wordsPayload } from "../../src/issue/intents.js";

const scope = { chainId: 31337, registry: "0x5fbdb2315678afecb367f032d93f642f64180aa3" };
const issuer = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";

describe("issue/intents: what a crash-safe write is called", () => {
  it("names an anchor by its chain, registry, issuer and root (lower case), the same across retries", () => {
    const root = `0x${"AB".repeat(32)}`;
    const intent = anchorIntent(scope, issuer, root);
    expect(intent).to.deep.equal({
      id: `anchor:31337:${scope.registry}:${issuer}:0x${"ab".repeat(32)}`,
      kind: "anchor",
      issuer,
      payload: { root: `0x${"ab".repeat(32)}` },
      ...scope,
    });
    expect(anchorIntent(scope, issuer, root.toLowerCase())).to.deep.equal(intent);
  });

  it("gives the same revocation on another chain or registry another id", () => {
    const payload = { list: "0", indices: [7] };
    const here = revocationIntent(scope, issuer, payload);
    expect(here.id).to.match(new RegExp(`^revocation:31337:${scope.registry}:${issuer}:0x[0-9a-f]{64}$`));
    expect(revocationIntent(scope, issuer, { list: "0", indices: [7] }).id).to.equal(here.id);
    expect(revocationIntent({ ...scope, chainId: 1 }, issuer, payload).id).to.not.equal(here.id);
    expect(revocationIntent(scope, issuer, { list: "0", indices: [8] }).id).to.not.equal(here.id);
  });

  it("writes a words transaction's payload as JSON-safe strings", () => {
    expect(wordsPayload({ list: 3n, wordIndices: [0n, 2n], masks: [1n, 255n] })).to.deep.equal({
      list: "3",
      wordIndices: ["0", "2"],
      masks: ["0x1", "0xff"],
    });
  });

  it("takes the legacy intents' chain from the option, else the setting, and refuses one that is not a chain id", () => {
    expect(legacyIntentsChainId(5, "7")).to.equal(5);
    expect(legacyIntentsChainId(undefined, "7")).to.equal(7);
    expect(legacyIntentsChainId(undefined, " ")).to.equal(undefined);
    expect(legacyIntentsChainId(undefined, undefined)).to.equal(undefined);
    expect(() => legacyIntentsChainId(undefined, "mainnet"))
      .to.throw(/LER_LEGACY_INTENTS_CHAIN_ID must be a chain id/)
      .with.property("code", "invalid_config");
  });
});
