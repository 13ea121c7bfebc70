import { expect } from "chai";
import { gzipSync } from "node:zlib";
import { Wallet, getBytes } from "ethers";
import { createJWT, ES256KSigner } from "did-jwt";
import {
  DEFAULT_STATUS_LIST_BASE_URL,
  LIST_SIZE,
  MAX_STATUS_ENTRIES,
  achievement,
  credentialStatus,
  mirrorsLerEntry,
  openBadgeCredential,
  parseStatusEntry,
  statusListUrl,
  type LerStatusEntry,
} from "../../src/credentials/index.js";
import { joseCredentialPayload } from "../../src/credentials/jose.js";
import type { SigningKeys } from "../../src/did/ethr.js";
import {
  fetchStatusLists,
  readStatusList,
  statusBit,
  statusListSignedBy,
  StatusListError,
  type StatusListFetch,
} from "../../src/verify/statusLists.js";
import { thrown } from "../credentials/helpers.js";

const REGISTRY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const ISSUER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const BASE = "https://university.example/status";

describe("Bitstring Status List: entries, list credentials, fetching", () => {
  describe("the three credentialStatus entries of an LER", () => {
    it("are the LER entry, then one BitstringStatusListEntry per purpose on the same list and index, at <base>/<address>/<list>/<purpose>", () => {
      const status = credentialStatus({
        chainId: 31337,
        registry: REGISTRY,
        issuer: ISSUER.toLowerCase(),
        list: 4,
        index: 1234,
        statusListBaseUrl: `${BASE}/`,
      });
      expect(status.map((e) => e.type)).to.deep.equal([
        "LERStatusRegistryEntry",
        "BitstringStatusListEntry",
        "BitstringStatusListEntry",
      ]);
      expect(status[1]).to.deep.equal({
        id: `${BASE}/${ISSUER}/4/revocation#1234`,
        type: "BitstringStatusListEntry",
        statusPurpose: "revocation",
        statusListIndex: "1234",
        statusListCredential: `${BASE}/${ISSUER}/4/revocation`,
      });
      expect(status[2]).to.deep.include({
        statusPurpose: "suspension",
        statusListIndex: "1234",
        statusListCredential: `${BASE}/${ISSUER}/4/suspension`,
      });
      expect(status[0]).to.deep.include({ statusList: "4", statusListIndex: "1234" });
    });

    it("name `ler serve --status-dir` on its default address when the issuer names no base", () => {
      expect(DEFAULT_STATUS_LIST_BASE_URL).to.equal("http://127.0.0.1:8080/v1/status-list-credentials");
      const [, revocation] = credentialStatus({ chainId: 1, registry: REGISTRY, issuer: ISSUER, list: 0n, index: 0 });
      expect(revocation.statusListCredential).to.equal(`${DEFAULT_STATUS_LIST_BASE_URL}/${ISSUER}/0/revocation`);
    });

    for (const [name, base] of [
      ["a relative URL", "/status"],
      ["an ftp URL", "ftp://u.example/status"],
      ["a URL with a query", "https://u.example/status?x=1"],
      ["a URL with a fragment", "https://u.example/status#x"],
    ] as const) {
      it(`refuse ${name} as the base`, () => {
        const e = thrown(() => statusListUrl(base, ISSUER, 0, "revocation"));
        expect([e.code, e.details]).to.deep.equal(["invalid_status_entry", { field: "statusListBaseUrl" }]);
      });
    }

    it("read back as the LER entry with both standard entries beside it, each standing for one of its purposes", () => {
      const parsed = parseStatusEntry(
        credentialStatus({
          chainId: 31337,
          registry: REGISTRY,
          issuer: ISSUER,
          list: 4,
          index: 1234,
          statusListBaseUrl: BASE,
        }),
      ) as LerStatusEntry;
      expect(parsed).to.deep.include({ kind: "ler", issuer: ISSUER, list: 4n, index: 1234 });
      expect(parsed.standard).to.deep.equal([
        { purpose: "revocation", url: `${BASE}/${ISSUER}/4/revocation`, index: 1234n, size: 1 },
        { purpose: "suspension", url: `${BASE}/${ISSUER}/4/suspension`, index: 1234n, size: 1 },
      ]);
      for (const e of parsed.standard!) expect(mirrorsLerEntry(e, parsed), e.purpose).to.equal(true);
      // Anything else is a status of its own, which the chain cannot answer for.
      const [revocation] = parsed.standard!;
      const others = [
        { ...revocation!, index: 1235n },
        { ...revocation!, url: `${BASE}/${ISSUER}/5/revocation` },
        { ...revocation!, url: `${BASE}/0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC/4/revocation` },
        { ...revocation!, url: `${BASE}/${ISSUER}/4/suspension` },
        { ...revocation!, purpose: "message", url: `${BASE}/${ISSUER}/4/message` },
        { ...revocation!, size: 2 },
      ];
      for (const e of others)
        expect(
          mirrorsLerEntry(e, parsed),
          JSON.stringify(e, (_, v) => (typeof v === "bigint" ? String(v) : v)),
        ).to.equal(false);
    });

    it("are what the Open Badges builder writes; one on another index than the LER entry's is refused", () => {
      const degree = achievement({
        id: "https://u.example/ba",
        name: "BA",
        description: "Bachelor of Arts",
        criteria: { narrative: "Passed." },
        achievementType: "BachelorDegree",
      });
      const status = credentialStatus({
        chainId: 31337,
        registry: REGISTRY,
        issuer: ISSUER,
        list: 0,
        index: 7,
        statusListBaseUrl: BASE,
      });
      const params = {
        id: "urn:uuid:7a0c4b1e-2f3d-4c5b-8a9e-0b1c2d3e4f50",
        issuer: { id: `did:ethr:localnet:${ISSUER}`, name: "U" },
        subject: { id: "did:ethr:localnet:0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" },
        issuedAt: new Date(1_717_243_200_000),
        achievement: degree,
      };
      expect(openBadgeCredential({ ...params, status }).credentialStatus).to.deep.equal(status);
      const shifted = [
        status[0],
        { ...status[1], statusListIndex: "8", id: `${status[1].statusListCredential}#8` },
        status[2],
      ];
      const e = thrown(() => openBadgeCredential({ ...params, status: shifted as never }));
      expect([e.code, e.details?.path]).to.deep.equal(["invalid_field", "credentialStatus"]);
    });
  });

  describe("reading a BitstringStatusListEntry", () => {
    const entry = {
      id: "https://s.example/1#5",
      type: "BitstringStatusListEntry",
      statusPurpose: "revocation",
      statusListIndex: "5",
      statusListCredential: "https://s.example/1",
    };
    const cases: [string, Record<string, unknown>, string][] = [
      ["an index as a number", { statusListIndex: 5 }, "credentialStatus.statusListIndex"],
      ["an index with leading zeros", { statusListIndex: "05" }, "credentialStatus.statusListIndex"],
      ["no purpose", { statusPurpose: undefined }, "credentialStatus.statusPurpose"],
      ["a relative list URL", { statusListCredential: "/1" }, "credentialStatus.statusListCredential"],
      ["an id that is the list's URL", { id: "https://s.example/1" }, "credentialStatus.id"],
      ["a statusSize of 0", { statusSize: 0 }, "credentialStatus.statusSize"],
    ];
    for (const [name, change, field] of cases) {
      it(`refuses ${name}`, () => {
        const e = thrown(() => parseStatusEntry({ ...entry, ...change }));
        expect([e.code, e.details]).to.deep.equal(["invalid_status_entry", { field }]);
      });
    }

    it(`reads at most ${MAX_STATUS_ENTRIES} entries: each may be a list to fetch`, () => {
      expect(parseStatusEntry(Array.from({ length: MAX_STATUS_ENTRIES }, () => entry))).to.have.property(
        "kind",
        "bitstring",
      );
      const e = thrown(() => parseStatusEntry(Array.from({ length: MAX_STATUS_ENTRIES + 1 }, () => entry)));
      expect(e.code).to.equal("invalid_status_entry");
    });
  });

  describe("a status list credential (JWT)", () => {
    const wallet = Wallet.createRandom();
    const did = `did:ethr:localnet:${wallet.address}`;
    const url = "https://lists.example/1";
    const bits = (set: number[], bytes = LIST_SIZE / 8) => {
      const b = new Uint8Array(bytes);
      for (const i of set) b[i >> 3]! |= 0x80 >> (i & 7);
      return `u${gzipSync(b).toString("base64url")}`;
    };
    const listJwt = async (change: (c: Record<string, any>) => void = () => {}, signer = wallet) => {
      const credential: Record<string, any> = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        id: url,
        type: ["VerifiableCredential", "BitstringStatusListCredential"],
        issuer: did,
        validFrom: "2025-01-01T00:00:00Z",
        credentialSubject: {
          id: `${url}#list`,
          type: "BitstringStatusList",
          statusPurpose: "revocation",
          encodedList: bits([0, 9, 1_048_575]),
        },
      };
      change(credential);
      const { iss: _iss, ...payload } = joseCredentialPayload(credential);
      return createJWT(payload, { issuer: did, signer: ES256KSigner(getBytes(signer.privateKey)), alg: "ES256K" }, {
        typ: "vc+jwt",
      } as never);
    };
    const keysOf = (address: string): SigningKeys => ({
      owner: address,
      deactivated: false,
      addresses: [address],
      publicKeys: [],
      versionId: 0,
    });
    const at = (index: number, purpose = "revocation") => ({ purpose, url, index: BigInt(index), size: 1 });
    const now = Date.parse("2026-01-01T00:00:00Z") / 1000;
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        if (e instanceof StatusListError) return e.code;
        throw e;
      }
      return "no error";
    };

    it("reads the bits in the standard's order (entry 0 is the first byte's most significant bit), checked against its issuer's keys", async () => {
      const list = readStatusList(await listJwt(), url);
      expect([list.issuer, list.id, list.purposes, list.bits.length]).to.deep.equal([
        did,
        url,
        ["revocation"],
        LIST_SIZE / 8,
      ]);
      expect([0, 1, 8, 9, 10, 1_048_575].map((i) => statusBit(list, at(i), now, 60))).to.deep.equal([
        true,
        false,
        false,
        true,
        false,
        true,
      ]);
      expect(statusListSignedBy(list, keysOf(wallet.address))).to.equal(true);
      expect(statusListSignedBy(list, keysOf(Wallet.createRandom().address))).to.equal(false);
      const forged = readStatusList(await listJwt(undefined, Wallet.createRandom()), url);
      expect(statusListSignedBy(forged, keysOf(wallet.address))).to.equal(false);
    });

    it("refuses what the standard's validation refuses, and a list that is not the one the entry names", async () => {
      const list = readStatusList(await listJwt(), url);
      expect(code(() => statusBit(list, at(3, "suspension"), now, 60))).to.equal("status_list_malformed");
      expect(code(() => statusBit(list, { ...at(3), url: "https://lists.example/2" }, now, 60))).to.equal(
        "status_list_malformed",
      );
      expect(code(() => statusBit(list, at(LIST_SIZE), now, 60))).to.equal("status_list_malformed");
      const expired = readStatusList(await listJwt((c) => (c.validUntil = "2025-06-01T00:00:00Z")), url);
      expect(code(() => statusBit(expired, at(0), now, 60))).to.equal("status_list_expired");
      const early = readStatusList(await listJwt((c) => (c.validFrom = "2027-01-01T00:00:00Z")), url);
      expect(code(() => statusBit(early, at(0), now, 60))).to.equal("status_list_expired");
    });

    it("refuses a list shorter than 131,072 entries, a JSON document, a bitstring that is no GZIP, a GZIP bomb, and other shapes", async () => {
      expect(code(() => readStatusList('{"@context":[]}', url))).to.equal("status_list_malformed");
      expect(code(() => readStatusList("not a jwt", url))).to.equal("status_list_malformed");
      const short = await listJwt((c) => (c.credentialSubject.encodedList = bits([], 131_071 / 8)));
      expect(code(() => readStatusList(short, url))).to.equal("status_list_malformed");
      const minimal = await listJwt((c) => (c.credentialSubject.encodedList = bits([], 131_072 / 8)));
      expect(code(() => readStatusList(minimal, url))).to.equal("no error");
      const notGzip = await listJwt((c) => (c.credentialSubject.encodedList = "uAAAA"));
      expect(code(() => readStatusList(notGzip, url))).to.equal("status_list_malformed");
      // 16 MiB of zeros is a few kilobytes of GZIP: decompression stops at the bound.
      const bomb = await listJwt(
        (c) =>
          (c.credentialSubject.encodedList = `u${gzipSync(new Uint8Array(16 * 1024 * 1024)).toString("base64url")}`),
      );
      expect(code(() => readStatusList(bomb, url))).to.equal("status_list_too_large");
      const others = [
        await listJwt((c) => (c.type = ["VerifiableCredential"])),
        await listJwt((c) => (c.credentialSubject.type = "StatusList2021")),
        await listJwt((c) => (c.issuer = "did:ethr:localnet:0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC")),
      ];
      for (const jwt of others) expect(code(() => readStatusList(jwt, url))).to.equal("status_list_malformed");
    });
  });

  describe("fetching", () => {
    const body = (text: string, init: ResponseInit = {}) => new Response(text, init);
    const jwtLike = "x.y.z";

    it("fetches each distinct URL once, a few at a time", async () => {
      let inFlight = 0;
      let most = 0;
      const asked: string[] = [];
      const fetcher: StatusListFetch = async (url) => {
        asked.push(url);
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        return body(jwtLike);
      };
      const urls = ["a", "b", "c", "d", "e"].map((x) => `https://lists.test.local/${x}`);
      const got = await fetchStatusLists([...urls, ...urls], fetcher, { concurrency: 2 });
      expect(asked.sort()).to.deep.equal(urls);
      expect(most).to.equal(2);
      // What came back is read: "x.y.z" is no JWT.
      expect([...got.values()].map((g) => (g.ok ? "ok" : g.error.code))).to.deep.equal(
        urls.map(() => "status_list_malformed"),
      );
    });

    it("stops at the size limit, by Content-Length or while reading, and at the time limit", async () => {
      const big = "a".repeat(2000);
      const stream = () =>
        new ReadableStream<Uint8Array>({
          pull(controller) {
            controller.enqueue(new TextEncoder().encode(big));
          },
        });
      const fetcher: StatusListFetch = async (url, init) => {
        if (url.endsWith("/declared")) return body(big, { headers: { "content-length": String(big.length) } });
        if (url.endsWith("/endless")) return new Response(stream());
        if (url.endsWith("/404")) return body("gone", { status: 404 });
        if (url.endsWith("/refused")) throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
        return new Promise<Response>((_, reject) =>
          init.signal!.addEventListener("abort", () => reject(init.signal!.reason)),
        );
      };
      const base = "https://lists.test.local";
      const got = await fetchStatusLists(
        ["declared", "endless", "404", "refused", "slow"].map((p) => `${base}/${p}`),
        fetcher,
        { maxBytes: 1000, timeoutMs: 100 },
      );
      const codes = Object.fromEntries(
        [...got].map(([u, g]) => [u.slice(base.length + 1), g.ok ? "ok" : g.error.code]),
      );
      expect(codes).to.deep.equal({
        declared: "status_list_too_large",
        endless: "status_list_too_large",
        "404": "status_list_unreachable",
        refused: "status_list_unreachable",
        slow: "status_list_timeout",
      });
      expect((got.get(`${base}/refused`) as { error: Error }).error.message).to.contain("ECONNREFUSED");
    });

    it("fetches no more lists than its limit, nothing but http(s), nothing when told not to, and never looks up a reserved name", async () => {
      let calls = 0;
      const counting: StatusListFetch = async () => {
        calls++;
        return body(jwtLike);
      };
      const over = await fetchStatusLists(
        ["https://l.test.local/1", "https://l.test.local/2", "https://l.test.local/3"],
        counting,
        { maxLists: 2 },
      );
      expect(calls).to.equal(2);
      expect(over.get("https://l.test.local/3")).to.deep.include({ ok: false });
      const ftp = await fetchStatusLists(["ftp://l.test.local/1"], counting);
      expect(calls).to.equal(2);
      expect((ftp.get("ftp://l.test.local/1") as { error: Error }).error).to.have.property(
        "code",
        "status_list_unreachable",
      );
      const off = await fetchStatusLists(["https://l.test.local/1"], false);
      expect((off.get("https://l.test.local/1") as { error: Error }).error).to.have.property(
        "code",
        "status_list_unreachable",
      );
      // With the default fetch, RFC 2606 / 6761 names are refused before any resolver is asked.
      for (const url of [
        "https://status.example/1",
        "https://lists.example.org/1",
        "http://x.invalid/1",
        "https://a.b.test/1",
      ]) {
        const got = (await fetchStatusLists([url], undefined)).get(url) as { ok: false; error: Error };
        expect(got.error.message, url).to.contain("not looked up");
      }
    });
  });
});
