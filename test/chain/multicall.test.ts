import { expect } from "chai";
import { AbiCoder, Interface, keccak256, toUtf8Bytes } from "ethers";
import { projectArtifact } from "../../src/chain/artifacts.js";
import {
  decodeAggregate3,
  encodeAggregate3,
  MalformedResultError,
  returnUintArray,
  returnWord,
  type SubCall,
} from "../../src/chain/multicall.js";

const multicall = new Interface(projectArtifact("Multicall3").abi);
const coder = AbiCoder.defaultAbiCoder();

// Fixed, random-looking inputs: addresses and calldata of varied lengths (empty, short, word-aligned, odd).
const hash = (label: string, i: number) => keccak256(toUtf8Bytes(`multicall-test/${label}/${i}`));
const calls: SubCall[] = Array.from({ length: 17 }, (_, i) => ({
  target: `0x${hash("target", i).slice(26)}`,
  allowFailure: i % 3 === 0,
  callData:
    hash("data", i)
      .slice(2)
      .repeat(i % 4)
      .slice(0, 2 * ((i * 11) % 75)) + (i % 2 === 0 ? "" : "ab"),
}));

describe("chain/multicall: aggregate3 by hand", () => {
  it("encodes calldata byte for byte as ethers' ABI coder does", () => {
    for (const n of [0, 1, 2, calls.length]) {
      const some = calls.slice(0, n);
      const ours = encodeAggregate3(some);
      const theirs = multicall.encodeFunctionData("aggregate3", [
        some.map((c) => ({ target: c.target, allowFailure: c.allowFailure, callData: `0x${c.callData}` })),
      ]);
      expect(ours, `${n} calls`).to.equal(theirs);
    }
  });

  it("decodes what ethers' ABI coder encodes: success flags and return data of any length", () => {
    const results = calls.map((c, i) => [i % 4 !== 1, `0x${c.callData}`] as const);
    const encoded = coder.encode(["(bool success, bytes returnData)[]"], [results]);
    const decoded = decodeAggregate3(encoded, results.length);
    expect(decoded.map((r) => [r.success, `0x${r.returnData}`])).to.deep.equal(results.map(([s, d]) => [s, d]));
  });

  it("reads words and uint256[] return values", () => {
    const data = coder.encode(["uint256[]"], [[0n, 1n, 2n ** 255n + 7n]]).slice(2);
    expect(returnUintArray(data)).to.deep.equal([0n, 1n, 2n ** 255n + 7n]);
    const pair = coder.encode(["uint64", "uint64"], [1_700_000_000n, 42n]).slice(2);
    expect([returnWord(pair, 0), returnWord(pair, 1)]).to.deep.equal([1_700_000_000n, 42n]);
    expect(() => returnWord(pair, 2)).to.throw(MalformedResultError);
  });

  it("refuses malformed answers instead of misreading them", () => {
    const good = coder.encode(["(bool success, bytes returnData)[]"], [[[true, "0x01"]]]);
    expect(() => decodeAggregate3(good, 2), "count").to.throw(MalformedResultError, /1 results for 2 calls/);
    expect(() => decodeAggregate3("0x1234", 1), "not words").to.throw(MalformedResultError);
    expect(() => decodeAggregate3(`0x${"zz".repeat(32)}`, 1), "not hex").to.throw(MalformedResultError);
    expect(() => decodeAggregate3(good.slice(0, good.length - 64), 1), "truncated").to.throw(MalformedResultError);
    const hugeOffset = `0x${"f".repeat(64)}${good.slice(66)}`;
    expect(() => decodeAggregate3(hugeOffset, 1), "offset").to.throw(MalformedResultError);
    const notBool = good.replace(/0{63}1(0{62}40)/, `${"0".repeat(63)}2$1`);
    expect(notBool).to.not.equal(good);
    expect(() => decodeAggregate3(notBool, 1), "bool").to.throw(MalformedResultError);
  });
});
