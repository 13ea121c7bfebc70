import { expect } from "chai";
import { SigningKey, computeAddress } from "ethers";
import {
  LIST_SIZE,
  MAX_STATUS_LIST,
  type StatusRegistryEntry,
  ethrDidAddress,
  parseStatusEntry,
  statusEntry,
} from "../../src/credentials/index.js";
import { thrown } from "./helpers.js";

const REGISTRY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const ISSUER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

const ENTRY: StatusRegistryEntry = {
  id: `urn:ler:status:eip155:31337:${REGISTRY}:${ISSUER}:4:1234`,
  type: "LERStatusRegistryEntry",
  statusPurpose: ["revocation", "suspension"],
  chainId: 31337,
  registry: REGISTRY,
  statusList: "4",
  statusListIndex: "1234",
};

const PARSED = { kind: "ler", chainId: 31337, registry: REGISTRY, issuer: ISSUER, list: 4n, index: 1234 };

const OTHER = {
  id: "https://example.com/status/3#94567",
  type: "BitstringStatusListEntry",
  statusPurpose: "revocation",
  statusListIndex: "94567",
  statusListCredential: "https://example.com/status/3",
};

describe("credentialStatus entries", () => {
  describe("statusEntry", () => {
    it("builds the entry, with checksummed addresses in the fields and in the id", () => {
      const entry = statusEntry({
        chainId: 31337,
        registry: REGISTRY.toLowerCase(),
        issuer: ISSUER.toLowerCase(),
        list: 4,
        index: 1234,
      });
      expect(entry).to.deep.equal(ENTRY);
    });

    it("writes the largest list and index in decimal", () => {
      const entry = statusEntry({
        chainId: 1,
        registry: REGISTRY,
        issuer: ISSUER,
        list: MAX_STATUS_LIST,
        index: LIST_SIZE - 1,
      });
      expect([entry.id, entry.statusList, entry.statusListIndex]).to.deep.equal([
        `urn:ler:status:eip155:1:${REGISTRY}:${ISSUER}:18446744073709551615:1048575`,
        "18446744073709551615",
        "1048575",
      ]);
      expect(LIST_SIZE).to.equal(2 ** 20);
    });

    const base = { chainId: 31337, registry: REGISTRY, issuer: ISSUER, list: 4n, index: 1234 };
    const cases: [string, Record<string, unknown>, string][] = [
      ["chain id 0", { chainId: 0 }, "chainId"],
      ["a fractional chain id", { chainId: 1.5 }, "chainId"],
      ["a malformed registry", { registry: "0x1234" }, "registry"],
      ["a registry with a wrong checksum", { registry: "0xE7f1725E7734CE288F8367e1Bb143E90bb3F0512" }, "registry"],
      ["a DID as issuer", { issuer: `did:ethr:${ISSUER}` }, "issuer"],
      ["a negative list", { list: -1n }, "list"],
      ["a list of 2^64", { list: 1n << 64n }, "list"],
      ["a fractional list", { list: 1.5 }, "list"],
      ["a list as a string", { list: "4" }, "list"],
      ["a negative index", { index: -1 }, "index"],
      ["index LIST_SIZE", { index: LIST_SIZE }, "index"],
      ["a fractional index", { index: 0.5 }, "index"],
    ];
    for (const [name, change, field] of cases) {
      it(`refuses ${name}`, () => {
        const e = thrown(() => statusEntry({ ...base, ...change } as never));
        expect([e.code, e.details]).to.deep.equal(["invalid_status_entry", { field }]);
      });
    }
  });

  describe("parseStatusEntry", () => {
    it("reads back what statusEntry wrote", () => {
      expect(parseStatusEntry(ENTRY)).to.deep.equal(PARSED);
      const far = statusEntry({ chainId: 10, registry: REGISTRY, issuer: ISSUER, list: MAX_STATUS_LIST, index: 0 });
      expect(parseStatusEntry(far)).to.deep.equal({ ...PARSED, chainId: 10, list: MAX_STATUS_LIST, index: 0 });
    });

    it("says undefined when the credential has no credentialStatus", () => {
      expect(parseStatusEntry(undefined)).to.equal(undefined);
    });

    it("accepts all-lowercase addresses and the purposes in either order", () => {
      const lower = {
        ...ENTRY,
        id: ENTRY.id.toLowerCase(),
        registry: REGISTRY.toLowerCase(),
        statusPurpose: ["suspension", "revocation"],
      };
      expect(parseStatusEntry(lower)).to.deep.equal(PARSED);
    });

    it("keeps entries of other types apart, with their type; BitstringStatusListEntry entries are read", () => {
      const standard = {
        kind: "bitstring",
        entries: [{ purpose: "revocation", url: "https://example.com/status/3", index: 94567n, size: 1 }],
      };
      expect([
        parseStatusEntry(OTHER),
        parseStatusEntry({ ...OTHER, type: ["StatusList2021Entry", "Extra"] }),
        parseStatusEntry([OTHER]),
        parseStatusEntry({ ...OTHER, type: "StatusList2021Entry" }),
      ]).to.deep.equal([
        standard,
        { kind: "unsupported", type: "StatusList2021Entry,Extra" },
        standard,
        { kind: "unsupported", type: "StatusList2021Entry" },
      ]);
    });

    it("an array with one LER entry is that entry, with the standard entries beside it; another type makes it unsupported", () => {
      const beside = {
        ...PARSED,
        standard: [{ purpose: "revocation", url: "https://example.com/status/3", index: 94567n, size: 1 }],
      };
      expect(parseStatusEntry([ENTRY])).to.deep.equal(PARSED);
      expect(parseStatusEntry([ENTRY, OTHER])).to.deep.equal(beside);
      expect(parseStatusEntry([OTHER, ENTRY])).to.deep.equal(beside);
      expect(parseStatusEntry([ENTRY, OTHER, { ...OTHER, type: "StatusList2021Entry" }])).to.deep.equal({
        kind: "unsupported",
        type: "StatusList2021Entry",
      });
    });

    const idWith = (chain: string, registry: string, issuer: string, list: string, index: string) =>
      `urn:ler:status:eip155:${chain}:${registry}:${issuer}:${list}:${index}`;
    const cases: [string, unknown, string][] = [
      ["null", null, "credentialStatus"],
      ["a string", "urn:ler:status", "credentialStatus"],
      ["an empty array", [], "credentialStatus"],
      ["two LER entries", [ENTRY, ENTRY], "credentialStatus"],
      ["a malformed entry in an array", [OTHER, { ...ENTRY, statusList: "x" }], "credentialStatus[1].statusList"],
      ["an entry without a type", { ...ENTRY, type: undefined }, "credentialStatus.type"],
      ["an empty type", { ...ENTRY, type: "" }, "credentialStatus.type"],
      ["an empty type array", { ...ENTRY, type: [] }, "credentialStatus.type"],
      ["the LER type inside an array", { ...ENTRY, type: ["LERStatusRegistryEntry"] }, "credentialStatus.type"],
      ["an unknown member", { ...ENTRY, statusListCredential: "x" }, "credentialStatus.statusListCredential"],
      ["one purpose", { ...ENTRY, statusPurpose: ["revocation"] }, "credentialStatus.statusPurpose"],
      ["a purpose twice", { ...ENTRY, statusPurpose: ["revocation", "revocation"] }, "credentialStatus.statusPurpose"],
      ["a purpose string", { ...ENTRY, statusPurpose: "revocation" }, "credentialStatus.statusPurpose"],
      ["no chain id", { ...ENTRY, chainId: undefined }, "credentialStatus.chainId"],
      ["a chain id string", { ...ENTRY, chainId: "31337" }, "credentialStatus.chainId"],
      ["a negative chain id", { ...ENTRY, chainId: -1 }, "credentialStatus.chainId"],
      [
        "a wrong registry checksum",
        { ...ENTRY, registry: "0xE7f1725E7734CE288F8367e1Bb143E90bb3F0512" },
        "credentialStatus.registry",
      ],
      ["a registry without 0x", { ...ENTRY, registry: REGISTRY.slice(2) }, "credentialStatus.registry"],
      ["a list with a leading zero", { ...ENTRY, statusList: "04" }, "credentialStatus.statusList"],
      ["a list with a sign", { ...ENTRY, statusList: "+4" }, "credentialStatus.statusList"],
      ["a negative list", { ...ENTRY, statusList: "-4" }, "credentialStatus.statusList"],
      ["a list with whitespace", { ...ENTRY, statusList: " 4" }, "credentialStatus.statusList"],
      ["a list in hex", { ...ENTRY, statusList: "0x4" }, "credentialStatus.statusList"],
      ["a list in exponent form", { ...ENTRY, statusList: "4e0" }, "credentialStatus.statusList"],
      ["a list as a number", { ...ENTRY, statusList: 4 }, "credentialStatus.statusList"],
      ["a list of 2^64", { ...ENTRY, statusList: "18446744073709551616" }, "credentialStatus.statusList"],
      ["a list of a thousand digits", { ...ENTRY, statusList: "9".repeat(1000) }, "credentialStatus.statusList"],
      ["an empty index", { ...ENTRY, statusListIndex: "" }, "credentialStatus.statusListIndex"],
      ["index LIST_SIZE", { ...ENTRY, statusListIndex: "1048576" }, "credentialStatus.statusListIndex"],
      ["an index with a trailing newline", { ...ENTRY, statusListIndex: "1234\n" }, "credentialStatus.statusListIndex"],
      ["an id of another scheme", { ...ENTRY, id: "urn:uuid:1" }, "credentialStatus.id"],
      ["no id", { ...ENTRY, id: undefined }, "credentialStatus.id"],
      [
        "an id missing the index",
        { ...ENTRY, id: `urn:ler:status:eip155:31337:${REGISTRY}:${ISSUER}:4` },
        "credentialStatus.id",
      ],
      ["an id on another chain", { ...ENTRY, id: idWith("1", REGISTRY, ISSUER, "4", "1234") }, "credentialStatus.id"],
      [
        "an id at another registry",
        { ...ENTRY, id: idWith("31337", ISSUER, ISSUER, "4", "1234") },
        "credentialStatus.id",
      ],
      [
        "an id with another list",
        { ...ENTRY, id: idWith("31337", REGISTRY, ISSUER, "5", "1234") },
        "credentialStatus.id",
      ],
      [
        "an id with another index",
        { ...ENTRY, id: idWith("31337", REGISTRY, ISSUER, "4", "01234") },
        "credentialStatus.id",
      ],
      [
        "an id with a malformed issuer",
        { ...ENTRY, id: idWith("31337", REGISTRY, "0x1234", "4", "1234") },
        "credentialStatus.id",
      ],
      [
        "an id whose issuer has a wrong checksum",
        { ...ENTRY, id: idWith("31337", REGISTRY, "0x70997970c51812dc3A010C7d01b50e0d17dc79C8", "4", "1234") },
        "credentialStatus.id",
      ],
    ];
    for (const [name, value, field] of cases) {
      it(`refuses ${name}, naming the member`, () => {
        const e = thrown(() => parseStatusEntry(value));
        expect([e.code, e.details]).to.deep.equal(["invalid_status_entry", { field }]);
      });
    }
  });

  describe("ethrDidAddress", () => {
    it("reads the address of a did:ethr, with or without a network name", () => {
      expect([
        ethrDidAddress(`did:ethr:${ISSUER}`),
        ethrDidAddress(`did:ethr:${ISSUER.toLowerCase()}`),
        ethrDidAddress(`did:ethr:sepolia:${ISSUER}`),
        ethrDidAddress(`did:ethr:0x7a69:${ISSUER}`),
      ]).to.deep.equal([ISSUER, ISSUER, ISSUER, ISSUER]);
    });

    it("derives the address of a did:ethr named by its compressed public key", () => {
      const key = new SigningKey(`0x${"11".repeat(32)}`);
      const compressed = SigningKey.computePublicKey(key.publicKey, true);
      expect(ethrDidAddress(`did:ethr:localhost:${compressed}`)).to.equal(computeAddress(key.publicKey));
    });

    it("has no address for other DIDs or malformed ones", () => {
      const notOnCurve = `0x02${"00".repeat(31)}05`;
      expect(
        [
          "did:web:example.edu",
          `did:ethr:${ISSUER.slice(0, 41)}`,
          "did:ethr:0x70997970c51812dc3A010C7d01b50e0d17dc79C8",
          `did:ethr:${notOnCurve}`,
          `did:ethr:0x04${"11".repeat(32)}`,
          `did:ethr:${ISSUER}#controller`,
        ].map(ethrDidAddress),
      ).to.deep.equal([undefined, undefined, undefined, undefined, undefined, undefined]);
    });
  });
});
