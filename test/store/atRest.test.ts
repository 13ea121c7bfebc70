import { expect } from "chai";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, type Dirent } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { DIDStoreJson } from "@veramo/data-store-json";
import { getAddress, parseEther, type JsonRpcProvider } from "ethers";
import { createLerAgent } from "../../src/agent/agent.js";
import { deploymentPath, writeDeployment } from "../../src/chain/deployments.js";
import { StatusIndexAllocator } from "../../src/store/allocator.js";
import { openKeyStore, type KeyStoreHandle } from "../../src/store/keystore.js";
import { IssuedLedger } from "../../src/store/ledger.js";
import { PendingWrites } from "../../src/store/pending.js";
import { Wallet } from "../../src/wallet/store.js";
import { cleanEnv, json, ler, looksLikeACrash, type Ran } from "../cli/run.js";
import { createAgentWorld, type AgentWorld } from "../helpers/world.js";

// The store contract (issue 15, "data at rest"): no learner name, subject DID or credential body is readable in the
// clear in any file under a home. Every store the project has is in STORES below, with the files it writes; the
// tests write a distinctive learner into each and then scan every byte of every file under the home for the
// learner's name, DID and credential in every spelling a leak could take. A file under a home that no store of the
// table claims fails the tests too: a new store must be added to the table (and so gets scanned). The last test does
// the same after real `ler` runs (an issuer issues to a learner, who stores the credential; the issuer revokes it).

const SECRET = "at rest secret";
const ISSUER = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
const ISSUER_DID = `did:ethr:localnet:${ISSUER}`;

/** What must never be readable at rest: a learner, its DID, and a credential about it. */
interface Sample {
  name: string;
  did: string;
  credentialId: string;
  jwt: string;
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v), "utf8").toString("base64url");

/** A learner with a name and an address found nowhere else, and a credential (JWT) naming both. */
function sample(): Sample {
  const address = getAddress("0x5a1e7c0ffee5a1e7c0ffee5a1e7c0ffee5a1e7c0");
  const did = `did:ethr:localnet:${address}`;
  const name = "Zoë Quintessa-Marchetti";
  const credentialId = "urn:uuid:7f3e2d1c-0b9a-4876-9543-210fedcba987";
  const payload = {
    jti: credentialId,
    iss: ISSUER_DID,
    sub: did,
    nbf: 1_750_000_000,
    vc: {
      type: ["VerifiableCredential", "OpenBadgeCredential"],
      credentialSubject: {
        id: did,
        name,
        achievement: { name: "MSc Quantum Basketweaving", description: `Awarded to ${name} with distinction` },
      },
    },
  };
  const jwt = `${b64url({ alg: "ES256K", typ: "JWT" })}.${b64url(payload)}.${Buffer.from("signature of a test credential, 64 bytes long, give or take it").toString("base64url")}`;
  return { name, did, credentialId, jwt };
}

/**
 * A store of the project: the files it writes under a home (paths relative to the home, `/`-separated), and how to
 * put the sample in it. Stores whose files are in the clear by design say why in `clear`; they are scanned all the
 * same. A store that only a command against a chain writes has no `write`: the `ler` runs below scan it.
 */
interface StoreCase {
  name: string;
  files: RegExp[];
  clear?: string;
  write?: (home: string, keyStore: KeyStoreHandle, s: Sample) => Promise<void>;
}

const STORES: StoreCase[] = [
  {
    name: "key store (identities, aliases, public and private keys)",
    files: [/^keystore\.json$/],
    write: async (_home, h, s) => {
      // The learner's own identity in its home, named after it: what `ler id create --alias NAME` stores.
      const kid = "04" + "ab".repeat(64);
      await new DIDStoreJson(h.json).importDID({
        did: s.did,
        alias: s.name,
        provider: "did:ethr:localnet",
        controllerKeyId: kid,
        keys: [{ kid, kms: "local", type: "Secp256k1", publicKeyHex: kid, meta: { note: s.name } }],
        services: [],
      });
    },
  },
  {
    name: "wallet",
    files: [/^wallet\/credentials\.jsonl$/],
    write: async (home, h, s) => {
      await new Wallet(home, h.storeKeys).add([{ id: s.credentialId, jwt: s.jwt }], new Date("2025-06-01T00:00:00Z"));
    },
  },
  {
    name: "issued-credentials ledger",
    files: [/^issued\/0x[0-9a-f]{40}\.jsonl$/],
    write: async (home, h, s) => {
      await new IssuedLedger(home, h.storeKeys).appendIssued(ISSUER, [
        {
          id: s.credentialId,
          jwt: s.jwt,
          list: 0n,
          index: 0,
          batch: "0x" + "12".repeat(32),
          issuedAt: "2025-06-01T00:00:00Z",
        },
      ]);
    },
  },
  {
    name: "intent log (pending chain writes)",
    files: [/^pending\/intents\.jsonl$/],
    write: async (home, h, s) => {
      // Real payloads name status indices and credential hashes; this one carries the sample itself, so that the
      // test proves the log is sealed rather than that its payloads happen to hold nothing personal.
      await new PendingWrites(home, h.storeKeys).recordIntent({
        id: `revocation:31337:${ISSUER.toLowerCase()}:${s.credentialId}`,
        kind: "revocation",
        issuer: ISSUER,
        payload: { credential: s.jwt, subject: s.did, name: s.name },
      });
    },
  },
  {
    name: "status-index allocator",
    files: [/^status\/0x[0-9a-f]{40}\.json$/],
    clear:
      "one counter per issuer address ({list, next}): no learner, no credential; an operator may have to repair it by hand",
    write: async (home) => {
      await new StatusIndexAllocator(home).reserve(ISSUER, 3);
    },
  },
  {
    name: "dev-chain pin (the chain a home was used with: src/agent/chainOfHome.ts)",
    files: [/^chains\/[^/]+\.json$/],
    clear: "public chain data: network name, chain id, the TrustRegistry's address, its block and block hash",
  },
];

/** Files that are in the clear by design and hold nothing of a learner, whoever writes them. */
const INFRASTRUCTURE: { files: RegExp; why: string }[] = [
  // Lock files hold {pid, token, boot, start}; they exist while a lock is held and are gone when it is released.
  { files: /(^|\/)[^/]+\.lock$/, why: "a lock held at this moment: its owner's pid and a random token" },
];

/** The spellings of `text` a leak could take: as is, JSON-escaped, and base64/base64url at any byte alignment. */
function spellings(text: string): string[] {
  const out = new Set<string>([text, JSON.stringify(text).slice(1, -1)]);
  out.add(text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
  const bytes = Buffer.from(text, "utf8");
  for (let k = 0; k < 3; k++) {
    // The base64 characters that depend on `text`'s bytes only, when they start k bytes into a 3-byte group.
    const encoded = Buffer.concat([Buffer.alloc(k), bytes]).toString("base64url");
    const inner = encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6));
    if (inner.length >= 8) {
      out.add(inner);
      out.add(inner.replace(/-/g, "+").replace(/_/g, "/"));
    }
  }
  return [...out];
}

/** Every form of the sample that must not be found, with a label. */
function forbidden(s: Sample): { label: string; bytes: Buffer }[] {
  const address = s.did.split(":").pop()!;
  const [, payload, signature] = s.jwt.split(".");
  const family = s.name.split(" ").pop()!;
  const parts: [string, string][] = [
    ["learner name", s.name],
    ["learner family name", family],
    ["subject DID", s.did],
    ["subject DID (lower case)", s.did.toLowerCase()],
    ["subject address", address],
    ["subject address (hex)", address.toLowerCase().slice(2)],
    ["credential id", s.credentialId],
    ["credential JWT", s.jwt],
    ["JWT payload segment", payload!],
    ["JWT signature segment", signature!],
    ["credential body", Buffer.from(payload!, "base64url").toString("utf8")],
  ];
  return parts.flatMap(([label, text]) =>
    spellings(text).map((form) => ({
      label: `${label} as ${JSON.stringify(form.slice(0, 40))}`,
      bytes: Buffer.from(form),
    })),
  );
}

/** Every file under `dir` (recursively), as paths relative to it with `/` separators. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }) as Dirent[]) {
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else out.push(relative(dir, path).split("\\").join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

/** The leaks of `s` in the files under `home` (their bytes and their names): empty when there are none. */
function leaks(home: string, s: Sample): string[] {
  const found: string[] = [];
  const forms = forbidden(s);
  for (const file of filesUnder(home)) {
    const bytes = readFileSync(join(home, file));
    const lower = Buffer.from(bytes.toString("latin1").toLowerCase(), "latin1");
    for (const f of forms) {
      if (bytes.includes(f.bytes) || lower.includes(Buffer.from(f.bytes.toString("latin1").toLowerCase(), "latin1")))
        found.push(`${file}: ${f.label}`);
      if (file.toLowerCase().includes(f.bytes.toString("utf8").toLowerCase()))
        found.push(`file name ${file}: ${f.label}`);
    }
  }
  return found;
}

/** The files under `home` that neither a store of the table nor the infrastructure claims. */
function unclaimed(home: string): string[] {
  return filesUnder(home).filter(
    (f) => !STORES.some((s) => s.files.some((p) => p.test(f))) && !INFRASTRUCTURE.some((i) => i.files.test(f)),
  );
}

describe("store contract: no personal data in the clear at rest", function () {
  this.timeout(60_000);
  const s = sample();
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "ler-at-rest-"));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("the scan finds the sample in the clear, JSON-escaped, in a credential's JWT, and base64-encoded at any offset", () => {
    const home = join(root, "control");
    mkdirSync(home, { recursive: true });
    const cases: [string, string][] = [
      ["plain.json", JSON.stringify({ holder: s.name })],
      ["escaped.json", JSON.stringify({ holder: s.name }).replace("ë", "\\u00eb")],
      ["token.txt", `prefix ${s.jwt.split(".")[1]} suffix`],
      ["shifted.b64", Buffer.from(`xy${s.did}`).toString("base64")],
      ["address.txt", s.did.split(":").pop()!.toLowerCase()],
    ];
    for (const [file, content] of cases) {
      writeFileSync(join(home, file), content);
      expect(leaks(home, s), `${file} is seen`).to.not.deep.equal([]);
      rmSync(join(home, file));
    }
    expect(leaks(home, s)).to.deep.equal([]);
  });

  for (const store of STORES) {
    const write = store.write;
    if (write === undefined) continue; // written by commands against a chain: see the `ler` runs below
    it(`${store.name}: ${store.clear === undefined ? "nothing of the learner is in the clear" : `in the clear by design (${store.clear}), and holds nothing of the learner`}`, async () => {
      const home = join(root, store.name.replace(/[^a-z]+/gi, "-"));
      const h = await openKeyStore(home, SECRET);
      await write(home, h, s);
      const written = filesUnder(home);
      expect(
        written.filter((f) => store.files.some((p) => p.test(f))),
        `${store.name} wrote none of its files: ${written.join(", ")}`,
      ).to.not.deep.equal([]);
      expect(leaks(home, s), `${store.name}: in the clear`).to.deep.equal([]);
      expect(unclaimed(home), "files no store of the table claims: add their store to STORES").to.deep.equal([]);
    });
  }

  it("every store of the table in one home, reopened and read back: still nothing in the clear", async () => {
    const home = join(root, "all");
    const h = await openKeyStore(home, SECRET);
    for (const store of STORES) await store.write?.(home, h, s);
    const again = await openKeyStore(home, SECRET);
    expect((await new Wallet(home, again.storeKeys).list())[0]!.jwt).to.equal(s.jwt);
    expect((await new IssuedLedger(home, again.storeKeys).readIssued(ISSUER)).records[0]!.jwt).to.equal(s.jwt);
    expect(await new PendingWrites(home, again.storeKeys).listPending()).to.have.length(1);
    expect((await new DIDStoreJson(again.json).getDID({ did: s.did })).alias).to.equal(s.name);
    expect(leaks(home, s)).to.deep.equal([]);
    expect(unclaimed(home)).to.deep.equal([]);
  });

  describe("after real ler runs: an issuer issues to a learner, the learner stores it, the issuer revokes it", function () {
    this.timeout(180_000);
    let w: AgentWorld;
    let dir: string;
    let issuerHome: string;
    let learnerHome: string;
    let issuerEnv: NodeJS.ProcessEnv;
    let learnerEnv: NodeJS.ProcessEnv;
    const run = async (args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<Ran> => {
      const r = await ler(args, env, input);
      expect(r.code, `ler ${args.join(" ")}\n--- stdout:\n${r.stdout}\n--- stderr:\n${r.stderr}`).to.equal(0);
      expect(looksLikeACrash(r.stderr), r.stderr).to.equal(false);
      return r;
    };

    before(async () => {
      w = await createAgentWorld("json-rpc");
      const provider = w.network.provider as JsonRpcProvider;
      dir = mkdtempSync(join(tmpdir(), "ler-at-rest-cli-"));
      const deployments = join(dir, "deployments");
      writeDeployment(deploymentPath(deployments, w.network.name), w.network.deployment);
      issuerHome = join(dir, "issuer");
      learnerHome = join(dir, "learner");
      const common = {
        LER_SECRET: SECRET,
        LER_RPC_URL: w.network.rpcUrl!,
        LER_NETWORK: w.network.name,
        LER_DEPLOYMENTS: deployments,
      };
      issuerEnv = cleanEnv({ ...common, LER_HOME: issuerHome });
      learnerEnv = cleanEnv({ ...common, LER_HOME: learnerHome });
      // An accredited issuer whose key is in its home (as in test/reliability/crash/cli.test.ts).
      const agent = await createLerAgent({ network: w.network, home: issuerHome, secret: SECRET });
      const issuer = await agent.lerCreateIdentity({ alias: "State University" });
      await (
        await (await provider.getSigner(0)).sendTransaction({ to: issuer.address, value: parseEther("10") })
      ).wait();
      const rootDid = (await w.agent.lerCreateIdentity({ alias: "root" })).did;
      await w.agent.lerRegisterType({ governor: w.governor, name: "Degree" });
      await w.agent.lerAddRoot({ governor: w.governor, root: rootDid, types: ["Degree"] });
      const consent = await agent.lerSignAccreditationConsent({
        subject: issuer.did,
        accreditor: rootDid,
        role: "issuer",
        types: ["Degree"],
      });
      await w.agent.lerAccredit({
        accreditor: rootDid,
        subject: issuer.did,
        role: "issuer",
        types: ["Degree"],
        consent: consent.consent,
        deadline: consent.deadline,
      });
    });
    after(async () => {
      await w?.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    it("leaves no learner name, subject DID or credential readable in any file of either home", async () => {
      const name = "Zoë Quintessa-Marchetti";
      const learner = json<{ did: string }>(await run(["id", "create", "--alias", name, "--json"], learnerEnv));
      const issued = await run(
        [
          "issue",
          "--as",
          "State University",
          "--to",
          learner.did,
          "--type",
          "Degree",
          "--name",
          "MSc Quantum Basketweaving",
          "--description",
          `Awarded to ${name} with distinction`,
          "--json",
        ],
        issuerEnv,
      );
      const credential = json<{ id: string; jwt: string }>(issued);
      await run(["wallet", "add", "-", "--json"], learnerEnv, issued.stdout);
      await run(["issuer", "revoke", credential.id, "--as", "State University", "--json"], issuerEnv);
      // What was stored is there (read back through ler), and nowhere in the clear.
      const listed = json<{ credentials: { jwt: string }[] }>(await run(["wallet", "list", "--json"], learnerEnv));
      expect(listed.credentials.map((c) => c.jwt)).to.deep.equal([credential.jwt]);
      const ledger = json<{ credentials: { id: string }[] }>(
        await run(["issuer", "list", "--as", "State University", "--json"], issuerEnv),
      );
      expect(ledger.credentials.map((c) => c.id)).to.deep.equal([credential.id]);

      const real: Sample = { name, did: learner.did, credentialId: credential.id, jwt: credential.jwt };
      for (const home of [issuerHome, learnerHome, w.home]) {
        expect(filesUnder(home), home).to.not.deep.equal([]);
        expect(leaks(home, real), `${home}: in the clear`).to.deep.equal([]);
        expect(unclaimed(home), `${home}: files no store of the table claims: add their store to STORES`).to.deep.equal(
          [],
        );
      }
      expect(filesUnder(learnerHome)).to.include.members(["keystore.json", "wallet/credentials.jsonl"]);
      expect(filesUnder(issuerHome)).to.include.members(["keystore.json", "pending/intents.jsonl"]);
    });
  });
});
