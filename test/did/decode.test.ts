import { expect } from "chai";
import { AbiCoder, getAddress, id } from "ethers";
import { ChainError } from "../../src/errors.js";
import {
  bytes32ToString,
  decodeDidEvents,
  didEventTopics,
  parseEthrDid,
  signingKeysAt,
  type DidLog,
} from "../../src/did/ethr.js";

const coder = AbiCoder.defaultAbiCoder();
const identity = getAddress("0x1111111111111111111111111111111111111111");
const did = parseEthrDid(`did:ethr:embedded:${identity}`);
const ATTRIBUTE = id("DIDAttributeChanged(address,bytes32,bytes,uint256,uint256)");
const OWNER = id("DIDOwnerChanged(address,address,uint256)");
const KEY = `0x02${"ab".repeat(32)}`;
const ascii = (s: string) => `0x${Buffer.from(s).toString("hex").padEnd(64, "0")}`;

function attributeLog(block: number, name: string, value: string, validTo: bigint, previousChange: number): DidLog {
  return {
    topics: [ATTRIBUTE, didEventTopics(identity)[1]],
    data: coder.encode(["bytes32", "bytes", "uint256", "uint256"], [name, value, validTo, previousChange]),
    blockNumber: block,
    index: 0,
  };
}

describe("ERC-1056 names that are not UTF-8 (issue 12, item 1)", () => {
  it("bytes32ToString never throws: bad sequences become U+FFFD, trailing NULs are stripped", () => {
    expect(bytes32ToString(ascii("did/pub/Secp256k1/veriKey/hex"))).to.equal("did/pub/Secp256k1/veriKey/hex");
    expect(bytes32ToString(`0x${"ff".repeat(32)}`)).to.equal("\ufffd".repeat(32));
    // An overlong "/" (0xc0af) stays a fault: non-canonical bytes never spell a key attribute's name.
    expect(bytes32ToString(`${ascii("did")}`.slice(0, 8) + "c0af" + "00".repeat(27))).to.equal("did\ufffd");
    expect(
      bytes32ToString(`${ascii("did/pub/Secp256k1/veriKey")}`.slice(0, 2 + 50) + "c0af" + "686578" + "00".repeat(2)),
    ).to.equal("did/pub/Secp256k1/veriKey\ufffdhex");
  });

  it("an attribute with such a name is ignored: the keys around it are those without it", () => {
    const far = 10n ** 12n;
    const logs = [
      attributeLog(5, ascii("did/pub/Secp256k1/veriKey/hex"), KEY, far, 0),
      attributeLog(6, `0x${"ff".repeat(32)}`, "0x1234", far, 5),
      attributeLog(
        7,
        `0x${Buffer.from("did/pub/Secp256k1/veriKey/").toString("hex")}c0af${"00".repeat(4)}`,
        `0x03${"cd".repeat(32)}`,
        far,
        6,
      ),
    ];
    const events = decodeDidEvents(logs);
    expect(events.map((e) => e.kind)).to.deep.equal(["attribute", "attribute", "attribute"]);
    const keys = signingKeysAt(did, events, { block: 7, time: 1_000n });
    expect(keys.publicKeys).to.deep.equal([KEY]);
    expect(keys.addresses).to.deep.equal([identity]);
    expect(keys.versionId).to.equal(7);
  });

  it("a log whose data does not decode (a misreporting node) gives no key set for that DID: a ChainError, not a TypeError", () => {
    const good = attributeLog(5, ascii("did/pub/Secp256k1/veriKey/hex"), KEY, 10n ** 12n, 0);
    const broken: DidLog = { topics: [OWNER, didEventTopics(identity)[1]], data: "0x1234", blockNumber: 9, index: 0 };
    const events = decodeDidEvents([good, broken]);
    expect(events.map((e) => e.kind)).to.deep.equal(["attribute", "unreadable"]);
    // Fail closed even for a moment before the unreadable block: it may hide any change.
    for (const block of [5, 9, 10]) {
      expect(() => signingKeysAt(did, events, { block, time: 1_000n }))
        .to.throw(ChainError)
        .with.property("code", "chain_inconsistent");
    }
  });
});
