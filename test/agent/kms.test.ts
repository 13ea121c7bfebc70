import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { MemoryPrivateKeyStore } from "@veramo/key-manager";
import { KeyManagementSystem } from "@veramo/kms-local";
import { LerKeyManagementSystem } from "../../src/agent/kms.js";
import { jsBackend, nativeBackend } from "../../src/verify/secp256k1.js";

/**
 * The agent's KMS signs ES256K with libsecp256k1 instead of kms-local's @noble/curves: a differential test holds
 * every signature to kms-local's, byte for byte, over random keys and data, and the two backends to each other.
 */
describe("LerKeyManagementSystem (ES256K with libsecp256k1)", function () {
  this.timeout(60_000);

  it("loads the native backend here (otherwise this test would compare @noble/curves with itself)", () => {
    expect(nativeBackend, "secp256k1's N-API binding").to.not.equal(undefined);
  });

  it("signs exactly as Veramo's kms-local does, over 300 random keys and messages", async () => {
    const store = new MemoryPrivateKeyStore();
    const stock = new KeyManagementSystem(store);
    const ours = new LerKeyManagementSystem(store);
    for (let i = 0; i < 300; i++) {
      const key = await stock.importKey({ type: "Secp256k1", privateKeyHex: randomBytes(32).toString("hex") });
      const data = randomBytes(i % 7 === 0 ? 0 : 1 + ((i * 37) % 700));
      for (const algorithm of [undefined, "ES256K"]) {
        const expected = await stock.sign({ keyRef: { kid: key.kid }, data, ...(algorithm && { algorithm }) });
        const got = await ours.sign({ keyRef: { kid: key.kid }, data, ...(algorithm && { algorithm }) });
        expect(got, `key ${i}`).to.equal(expected);
      }
    }
  });

  it("leaves other algorithms to kms-local (ES256K-R, eth_rawSign) and reports a missing key as kms-local does", async () => {
    const store = new MemoryPrivateKeyStore();
    const stock = new KeyManagementSystem(store);
    const ours = new LerKeyManagementSystem(store);
    const key = await stock.importKey({ type: "Secp256k1", privateKeyHex: randomBytes(32).toString("hex") });
    const data = randomBytes(32);
    for (const algorithm of ["ES256K-R", "eth_rawSign"]) {
      expect(await ours.sign({ keyRef: { kid: key.kid }, algorithm, data })).to.equal(
        await stock.sign({ keyRef: { kid: key.kid }, algorithm, data }),
      );
    }
    const missing = (kms: KeyManagementSystem) =>
      kms.sign({ keyRef: { kid: "nope" }, data }).then(
        () => "signed",
        (e: Error) => e.message,
      );
    expect(await missing(ours)).to.equal(await missing(stock));
  });

  it("gives the same signatures from both backends (libsecp256k1 and @noble/curves)", () => {
    for (let i = 0; i < 200; i++) {
      const hash = randomBytes(32);
      const priv = randomBytes(32);
      expect(Buffer.from(nativeBackend!.sign(hash, priv)).toString("hex")).to.equal(
        Buffer.from(jsBackend.sign(hash, priv)).toString("hex"),
      );
    }
  });
});
