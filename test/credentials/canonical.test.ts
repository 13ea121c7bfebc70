import { expect } from "chai";
import { canonicalize } from "../../src/credentials/index.js";
import { thrown } from "./helpers.js";

// The IEEE 754 value with these 64 bits.
function float(bits: string): number {
  return Buffer.from(bits, "hex").readDoubleBE(0);
}

describe("canonicalize (RFC 8785)", () => {
  describe("the RFC's examples", () => {
    it("section 3.2.2: sorts members, rewrites numbers and escapes strings like ECMAScript", () => {
      const input = JSON.parse(String.raw`{
        "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
        "literals": [null, true, false]
      }`);
      expect(canonicalize(input)).to.equal(
        String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
      );
    });

    it("section 3.2.3: orders member names by UTF-16 code units, not by code points or locale", () => {
      const input = JSON.parse(String.raw`{
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\ud83d\ude00": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis"
      }`);
      expect(canonicalize(input)).to.equal(
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
          '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
      );
    });

    it("appendix B: serializes every IEEE 754 test value as the RFC lists it", () => {
      const vectors: [string, string][] = [
        ["0000000000000000", "0"],
        ["8000000000000000", "0"],
        ["0000000000000001", "5e-324"],
        ["8000000000000001", "-5e-324"],
        ["7fefffffffffffff", "1.7976931348623157e+308"],
        ["ffefffffffffffff", "-1.7976931348623157e+308"],
        ["4340000000000000", "9007199254740992"],
        ["c340000000000000", "-9007199254740992"],
        ["4430000000000000", "295147905179352830000"],
        ["44b52d02c7e14af5", "9.999999999999997e+22"],
        ["44b52d02c7e14af6", "1e+23"],
        ["44b52d02c7e14af7", "1.0000000000000001e+23"],
        ["444b1ae4d6e2ef4e", "999999999999999700000"],
        ["444b1ae4d6e2ef4f", "999999999999999900000"],
        ["444b1ae4d6e2ef50", "1e+21"],
        ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
        ["3eb0c6f7a0b5ed8d", "0.000001"],
        ["41b3de4355555553", "333333333.3333332"],
        ["41b3de4355555554", "333333333.33333325"],
        ["41b3de4355555555", "333333333.3333333"],
        ["41b3de4355555556", "333333333.3333334"],
        ["41b3de4355555557", "333333333.33333343"],
        ["becbf647612f3696", "-0.0000033333333333333333"],
        ["43143ff3c1cb0959", "1424953923781206.2"],
      ];
      expect(vectors.map(([bits]) => canonicalize(float(bits)))).to.deep.equal(vectors.map(([, text]) => text));
    });

    it("appendix B: NaN and Infinity have no JSON form and are refused", () => {
      for (const bits of ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"]) {
        expect(thrown(() => canonicalize([float(bits)])).code).to.equal("not_canonicalizable");
      }
    });
  });

  describe("values", () => {
    it("writes nested data without whitespace, numbers in their shortest form", () => {
      const value = { b: [1, 2.5, -0, 1e21, 0.1 + 0.2, { z: null, a: "x" }], a: { "": true, " ": false }, c: [] };
      expect(canonicalize(value)).to.equal(
        '{"a":{"":true," ":false},"b":[1,2.5,0,1e+21,0.30000000000000004,{"a":"x","z":null}],"c":[]}',
      );
    });

    it("does not depend on the order members were added in", () => {
      const one = { id: "urn:uuid:1", vc: { type: ["VerifiableCredential"], credentialSubject: { a: 1, b: 2 } } };
      const two = { vc: { credentialSubject: { b: 2, a: 1 }, type: ["VerifiableCredential"] }, id: "urn:uuid:1" };
      expect(canonicalize(one)).to.equal(canonicalize(two));
    });

    it("escapes control characters in lowercase hex and leaves other characters as they are", () => {
      expect(canonicalize("\u0000\u0001\b\t\n\f\r\u001f\u007f/é😀")).to.equal(
        '"\\u0000\\u0001\\b\\t\\n\\f\\r\\u001f\u007f/é😀"',
      );
    });

    it("accepts top-level scalars, objects without a prototype and a value used twice (not a cycle)", () => {
      const bare = Object.assign(Object.create(null) as object, { b: 1, a: 2 });
      const shared = { x: 1 };
      expect([canonicalize(null), canonicalize(true), canonicalize("s"), canonicalize(bare)]).to.deep.equal([
        "null",
        "true",
        '"s"',
        '{"a":2,"b":1}',
      ]);
      expect(canonicalize({ p: shared, q: [shared] })).to.equal('{"p":{"x":1},"q":[{"x":1}]}');
    });

    it("leaves its input as it was", () => {
      const value = { b: 1, a: { d: [3, 2], c: 1 } };
      canonicalize(value);
      expect(JSON.stringify(value)).to.equal('{"b":1,"a":{"d":[3,2],"c":1}}');
    });
  });

  describe("what is not JSON data", () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = { back: cycle };
    class Point {
      x = 1;
    }
    const cases: [string, unknown, string][] = [
      ["undefined", undefined, "$"],
      ["a member set to undefined", { a: { b: undefined } }, "$.a.b"],
      ["undefined in an array", [1, undefined], "$[1]"],
      ["a sparse array hole", [1, , 3], "$[1]"],
      ["a function", { f: () => 1 }, "$.f"],
      ["a symbol", [Symbol("s")], "$[0]"],
      ["a BigInt", { n: 1n }, "$.n"],
      ["NaN", { n: Number.NaN }, "$.n"],
      ["Infinity", [Number.POSITIVE_INFINITY], "$[0]"],
      ["-Infinity", [Number.NEGATIVE_INFINITY], "$[0]"],
      ["a Date", { at: new Date(0) }, "$.at"],
      ["a Map", new Map([["a", 1]]), "$"],
      ["a class instance", { p: new Point() }, "$.p"],
      ["a Uint8Array", { bytes: new Uint8Array(2) }, "$.bytes"],
      ["a cycle", cycle, "$.self.back"],
      ["a lone high surrogate in a string", { s: "a\ud800b" }, "$.s"],
      ["a lone low surrogate in a member name", { "\udc00": 1 }, "$.\udc00"],
    ];
    for (const [name, value, path] of cases) {
      it(`refuses ${name}, naming where it is`, () => {
        const e = thrown(() => canonicalize(value));
        expect([e.code, e.details]).to.deep.equal(["not_canonicalizable", { path }]);
      });
    }
  });
});
