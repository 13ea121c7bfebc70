import { expect } from "chai";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet, getBytes } from "ethers";
import { createJWT, decodeJWT, ES256KSigner } from "did-jwt";
import { createCredential, createList } from "@digitalbazaar/vc-bitstring-status-list";
import { achievement, openBadgeCredential } from "../../src/credentials/index.js";
import { joseCredentialPayload } from "../../src/credentials/jose.js";
import { createTestHome } from "../helpers/home.js";
import { cleanEnv, json, ler, looksLikeACrash, startNode, startServing, type Node, type Ran } from "./run.js";

// `ler issuer publish-status`, `ler serve --status-dir`, `ler issue --status-url` / LER_STATUS_URL and
// `ler verify --check-status-lists`, as a user runs them: a dev chain from `ler node`, each command a child process.

const DEV_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

interface Report {
  result: "valid" | "invalid" | "unknown";
  checks: { id: string; outcome: string; code: string; message: string; details?: Record<string, unknown> }[];
}

describe("ler issuer publish-status and ler serve --status-dir", function () {
  this.timeout(180_000);
  let dir: string;
  let statusDir: string;
  let node: Node;
  let service: Node;
  let env: NodeJS.ProcessEnv;
  let base: string;
  let university: { did: string; address: string };
  let issued: { id: string; jwt: string; list: string; index: number };

  const run = async (args: string[], expected: number, extra: Record<string, string> = {}): Promise<Ran> => {
    const r = await ler(args, { ...env, ...extra });
    expect(r.code, `ler ${args.join(" ")}\n--- stdout:\n${r.stdout}\n--- stderr:\n${r.stderr}`).to.equal(expected);
    expect(looksLikeACrash(r.stderr), r.stderr).to.equal(false);
    return r;
  };
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const statusOf = (r: Report) =>
    r.checks
      .filter((c) => c.id === "status")
      .map((c) => `${c.outcome}:${c.code}${c.details?.purpose ? `:${c.details.purpose}` : ""}`);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "ler-publish-"));
    statusDir = join(dir, "public", "status");
    const deployments = join(dir, "deployments");
    node = await startNode(cleanEnv({ LER_DEPLOYMENTS: deployments }));
    await createTestHome(join(dir, "home"), "correct horse battery staple");
    env = cleanEnv({
      LER_HOME: join(dir, "home"),
      LER_SECRET: "correct horse battery staple",
      LER_RPC_URL: String(node.ready.url),
      LER_DEPLOYMENTS: deployments,
    });
    await run(["id", "import", "--alias", "governance", "--json"], 0, { LER_PRIVATE_KEY: DEV_KEY_0 });
    await run(["id", "create", "--alias", "Authority"], 0);
    university = json<{ did: string; address: string }>(
      await run(["id", "create", "--alias", "State University", "--json"], 0),
    );
    await run(["id", "create", "--alias", "ada"], 0);
    await run(["gov", "register-type", "Degree", "Certificate", "--as", "governance"], 0);
    await run(["gov", "add-root", "Authority", "--types", "Degree,Certificate", "--as", "governance"], 0);
    await run(["accreditor", "accredit", "State University", "--types", "Degree", "--as", "Authority"], 0);
    // The lists are served before anything is issued: the credentials name the service's URL.
    service = await startServing(["serve", "--port", "0", "--json", "--status-dir", statusDir], env);
    base = `${String(service.ready.url)}/v1/status-list-credentials`;
  });
  after(async () => {
    if (service !== undefined) await service.stop();
    if (node !== undefined) await node.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("ler issue names the lists under LER_STATUS_URL (or --status-url), one entry per purpose beside the LER entry", async () => {
    issued = json(
      await run(
        ["issue", "--as", "State University", "--to", "ada", "--type", "Degree", "--name", "BSc", "--json"],
        0,
        { LER_STATUS_URL: base },
      ),
    );
    const status = decodeJWT(issued.jwt).payload.credentialStatus as Record<string, string>[];
    expect(status.map((e) => e.type)).to.deep.equal([
      "LERStatusRegistryEntry",
      "BitstringStatusListEntry",
      "BitstringStatusListEntry",
    ]);
    expect(status.slice(1).map((e) => e.statusListCredential)).to.deep.equal([
      `${base}/${university.address}/${issued.list}/revocation`,
      `${base}/${university.address}/${issued.list}/suspension`,
    ]);
    const flagged = json<{ jwt: string }>(
      await run(
        [
          "issue",
          "--as",
          "State University",
          "--to",
          "ada",
          "--type",
          "Degree",
          "--name",
          "MSc",
          "--status-url",
          "https://university.example/status/",
          "--json",
        ],
        0,
      ),
    );
    expect(
      (decodeJWT(flagged.jwt).payload.credentialStatus as Record<string, string>[])[1]!.statusListCredential,
    ).to.equal(`https://university.example/status/${university.address}/0/revocation`);
    const bad = await run(
      [
        "issue",
        "--as",
        "State University",
        "--to",
        "ada",
        "--type",
        "Degree",
        "--name",
        "PhD",
        "--status-url",
        "ftp://university.example/status",
      ],
      64, // a flag's bad value: invalid_status_entry is a usage error (exit 64), wherever it is found
    );
    expect(bad.stderr).to.contain("invalid_status_entry");
  });

  it("publish-status without --status-url publishes where the issuer's latest credential says its lists are", async () => {
    // The latest credential above was issued with --status-url https://university.example/status/.
    const r = json<{ lists: { url: string }[] }>(
      await run(["issuer", "publish-status", "--as", "State University", "--out", join(dir, "elsewhere"), "--json"], 0),
    );
    expect(r.lists.map((l) => l.url)).to.deep.equal([
      `https://university.example/status/${university.address}/0/revocation`,
      `https://university.example/status/${university.address}/0/suspension`,
    ]);
  });

  it("publish-status writes each list as the issuer's signed JWT, with a decoded copy, under <out>/<address>/<list>/<purpose>", async () => {
    const r = json<{
      issuer: string;
      block: number;
      out: string;
      lists: { list: string; purpose: string; url: string; file: string; set: number }[];
    }>(
      await run(
        [
          "issuer",
          "publish-status",
          "--as",
          "State University",
          "--out",
          statusDir,
          "--status-url",
          base,
          "--ttl",
          "120",
          "--json",
        ],
        0,
      ),
    );
    expect(r.issuer).to.equal(university.did);
    expect(r.lists.map((l) => [l.list, l.purpose, l.set])).to.deep.equal([
      ["0", "revocation", 0],
      ["0", "suspension", 0],
    ]);
    for (const l of r.lists) {
      expect(l.file).to.equal(join(statusDir, university.address, l.list, l.purpose));
      expect(l.url).to.equal(`${base}/${university.address}/${l.list}/${l.purpose}`);
      const jwt = readFileSync(l.file, "utf8");
      const { header, payload } = decodeJWT(jwt);
      expect(header).to.deep.include({ alg: "ES256K", typ: "vc+jwt" });
      expect(payload).to.deep.include({ iss: university.did, id: l.url });
      expect((payload.statusRegistrySnapshot as { chainBlock: number }).chainBlock).to.equal(r.block);
      const copy = JSON.parse(readFileSync(`${l.file}.json`, "utf8"));
      expect(copy.credentialSubject).to.deep.equal({ ...(payload.credentialSubject as object), ttl: 120_000 });
      expect(copy.id).to.equal(l.url);
    }
    const help = await run(["issuer", "publish-status", "--help"], 0);
    expect(help.stdout).to.contain("Examples:").and.to.contain("--status-url");
  });

  it("ler serve --status-dir serves the published file at the URL the credentials name, as application/vc+jwt; the unsigned export stays", async () => {
    const url = `${base}/${university.address}/0/revocation`;
    const r = await fetch(url);
    expect(r.status).to.equal(200);
    expect(r.headers.get("content-type")).to.equal("application/vc+jwt");
    expect(r.headers.get("cache-control")).to.equal("public, max-age=120");
    expect(await r.text()).to.equal(readFileSync(join(statusDir, university.address, "0", "revocation"), "utf8"));
    const lower = await fetch(`${base}/${university.address.toLowerCase()}/0/suspension`);
    expect(lower.status).to.equal(200);
    const missing = await fetch(`${base}/${university.address}/9/revocation`);
    expect([missing.status, ((await missing.json()) as { error: { code: string } }).error.code]).to.deep.equal([
      404,
      "status_list_not_published",
    ]);
    for (const bad of [
      `${base}/..%2F..%2Fetc/0/revocation`,
      `${base}/${university.address}/0/expiry`,
      `${base}/${university.address}/01/revocation`,
    ]) {
      expect((await fetch(bad)).status, bad).to.equal(400);
    }
    const unsigned = await fetch(
      `${String(service.ready.url)}/v1/status-lists/${encodeURIComponent(university.did)}/0/revocation`,
    );
    expect(unsigned.status).to.equal(200);
    expect(((await unsigned.json()) as { type: string[] }).type).to.include("BitstringStatusListCredential");
  });

  it("ler verify --check-status-lists reports agreeing lists; after a revocation, the disagreeing list under its own code, until published again", async () => {
    const path = file("degree.jwt", issued.jwt);
    const ok = json<Report>(await run(["verify", path, "--check-status-lists", "--json"], 0));
    expect(statusOf(ok)).to.deep.equal([
      "pass:not_revoked",
      "pass:status_list_agrees:revocation",
      "pass:status_list_agrees:suspension",
    ]);
    const plain = json<Report>(await run(["verify", path, "--json"], 0));
    expect(statusOf(plain)).to.deep.equal(["pass:not_revoked"]);

    await run(["issuer", "revoke", issued.id, "--as", "State University"], 0);
    const stale = json<Report>(await run(["verify", path, "--check-status-lists", "--json"], 1));
    expect(statusOf(stale)).to.deep.equal([
      "fail:credential_revoked",
      "skipped:status_list_disagrees:revocation",
      "pass:status_list_agrees:suspension",
    ]);
    const human = await run(["verify", path, "--check-status-lists"], 1);
    expect(human.stdout).to.contain("status_list_disagrees");

    await run(["issuer", "publish-status", "--as", "State University", "--out", statusDir, "--list", "0"], 0, {
      LER_STATUS_URL: base,
    });
    const fresh = json<Report>(await run(["verify", path, "--check-status-lists", "--json"], 1));
    expect(statusOf(fresh)).to.deep.equal([
      "fail:credential_revoked",
      "pass:status_list_agrees:revocation",
      "pass:status_list_agrees:suspension",
    ]);
  });

  it("ler verify honours a credential another tool issued with only a BitstringStatusListEntry: revoked on its list is invalid", async () => {
    const academy = Wallet.createRandom();
    const imported = json<{ did: string }>(
      await run(["id", "import", "--alias", "academy", "--json"], 0, { LER_PRIVATE_KEY: academy.privateKey }),
    );
    await run(["accreditor", "accredit", "academy", "--types", "Certificate", "--as", "Authority"], 0);
    // Judged a little after the accreditation's block: in force from that block, not before it.
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getBlockByNumber", params: ["latest", false] });
    const head = (await (
      await fetch(String(node.ready.url), { method: "POST", headers: { "content-type": "application/json" }, body })
    ).json()) as { result: { timestamp: string } };
    const now = String(Number(head.result.timestamp) + 5);
    // The academy's own tool publishes its list: Digital Bazaar's library, secured as a VC-JOSE JWT, on any host.
    const url = `${base}/${academy.address}/3/revocation`;
    const list = await createList({ length: 131_072 });
    list.setStatus(42, true);
    const listCredential = {
      ...(await createCredential({ id: url, list, statusPurpose: "revocation" })),
      issuer: imported.did,
      validFrom: new Date(Date.now() - 60_000).toISOString(),
    };
    const signer = ES256KSigner(getBytes(academy.privateKey));
    const listFile = join(statusDir, academy.address, "3", "revocation");
    mkdirSync(join(listFile, ".."), { recursive: true });
    writeFileSync(
      listFile,
      await createJWT(listCredential, { issuer: imported.did, signer, alg: "ES256K" }, { typ: "vc+jwt" } as never),
    );
    const credentialAt = async (index: number) => {
      const credential = {
        ...openBadgeCredential({
          id: `urn:uuid:5b0c4b1e-2f3d-4c5b-8a9e-0b1c2d3e4f${String(index).padStart(2, "0")}`,
          issuer: { id: imported.did, name: "Academy" },
          subject: { id: "did:ethr:localhost:0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" },
          achievement: achievement({
            id: "https://academy.example/c",
            name: "Cert",
            description: "A certificate",
            criteria: { narrative: "Passed." },
            achievementType: "Certificate",
          }),
          issuedAt: new Date(Date.now() - 10_000),
        }),
        credentialStatus: {
          id: `${url}#${index}`,
          type: "BitstringStatusListEntry",
          statusPurpose: "revocation",
          statusListIndex: String(index),
          statusListCredential: url,
        },
      };
      const { iss: _iss, ...payload } = joseCredentialPayload(credential);
      return file(
        `academy-${index}.jwt`,
        await createJWT(payload, { issuer: imported.did, signer, alg: "ES256K" }, { typ: "vc+jwt" } as never),
      );
    };
    const clear = json<Report>(await run(["verify", await credentialAt(41), "--now", now, "--json"], 0));
    expect(statusOf(clear)).to.deep.equal(["pass:not_revoked"]);
    const revoked = json<Report>(await run(["verify", await credentialAt(42), "--now", now, "--json"], 1));
    expect(statusOf(revoked)).to.deep.equal(["fail:credential_revoked:revocation"]);
    expect(
      revoked.checks.filter((c) => c.outcome !== "pass" && c.outcome !== "skipped").map((c) => c.code),
    ).to.deep.equal(["credential_revoked"]);
    rmSync(listFile);
    const gone = json<Report>(await run(["verify", await credentialAt(41), "--now", now, "--json"], 2));
    expect(statusOf(gone)).to.deep.equal(["unknown:status_list_unreachable:revocation"]);
    expect(existsSync(listFile)).to.equal(false);
  });
});
