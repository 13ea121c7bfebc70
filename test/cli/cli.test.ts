import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestHome } from "../helpers/home.js";
import { cleanEnv, json, ler, looksLikeACrash, ROOT, startNode, startServing, type Node, type Ran } from "./run.js";

// `ler` end to end, as a user runs it: a dev chain from `ler node`, every other command a child process with its
// own LER_HOME, JSON outputs and exit codes checked. One chain and one cast for the whole file.

const DEV_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

interface Report {
  result: "valid" | "invalid" | "unknown";
  checks: { id: string; outcome: string; code: string; message: string }[];
}

const check = (r: Report, id: string) => r.checks.find((c) => c.id === id);

describe("ler CLI end to end (ler node + child processes)", function () {
  this.timeout(180_000);
  let dir: string;
  let node: Node;
  let env: NodeJS.ProcessEnv;
  let ids: Record<"governance" | "authority" | "university" | "bootcamp" | "ada", string>;

  /** Runs ler and fails the test, with its output, if the exit code is not `expected`. */
  const run = async (
    args: string[],
    expected: number,
    options: { input?: string; env?: Record<string, string> } = {},
  ): Promise<Ran> => {
    const r = await ler(args, { ...env, ...options.env }, options.input);
    expect(r.code, `ler ${args.join(" ")}\n--- stdout:\n${r.stdout}\n--- stderr:\n${r.stderr}`).to.equal(expected);
    expect(looksLikeACrash(r.stderr), r.stderr).to.equal(false);
    return r;
  };
  /** A JSON-RPC call to the dev chain, outside ler. */
  const rpc = async (method: string, params: unknown[] = []) => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
    return (
      (await (
        await fetch(String(node.ready.url), { method: "POST", headers: { "content-type": "application/json" }, body })
      ).json()) as { result: unknown }
    ).result;
  };
  const blockNumber = async () => Number(await rpc("eth_blockNumber"));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "ler-cli-"));
    const deployments = join(dir, "deployments");
    node = await startNode(cleanEnv({ LER_DEPLOYMENTS: deployments }));
    await createTestHome(join(dir, "home"), "correct horse battery staple");
    env = cleanEnv({
      LER_HOME: join(dir, "home"),
      LER_SECRET: "correct horse battery staple",
      LER_RPC_URL: String(node.ready.url),
      LER_DEPLOYMENTS: deployments,
    });
    // The cast: governance is dev account #0 (the node's governor), the rest are new keys, made concurrently.
    const gov = json<{ did: string }>(
      await run(["id", "import", "--alias", "governance", "--json"], 0, { env: { LER_PRIVATE_KEY: DEV_KEY_0 } }),
    );
    const made = await Promise.all(
      ["Qualifications Authority", "State University", "Code Bootcamp", "ada"].map(
        async (alias) => json<{ did: string }>(await run(["id", "create", "--alias", alias, "--json"], 0)).did,
      ),
    );
    ids = { governance: gov.did, authority: made[0]!, university: made[1]!, bootcamp: made[2]!, ada: made[3]! };
    await run(["gov", "register-type", "Degree", "Course", "Certificate", "Competency", "--as", "governance"], 0);
    await run(
      [
        "gov",
        "add-root",
        "Qualifications Authority",
        "--types",
        "Degree,Course,Certificate,Competency",
        "--as",
        "governance",
      ],
      0,
    );
    await run(
      ["accreditor", "accredit", "State University", "--types", "Degree,Course", "--as", "Qualifications Authority"],
      0,
    );
    await run(
      [
        "accreditor",
        "accredit",
        "Code Bootcamp",
        "--types",
        "Certificate,Competency",
        "--as",
        "Qualifications Authority",
      ],
      0,
    );
  });

  after(async () => {
    if (node !== undefined) {
      const code = await node.stop();
      expect(code, node.stderr()).to.equal(0);
      expect(node.stderr()).to.include("Stopped.");
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("ler node wrote the deployment record and reports a funded dev chain", async () => {
    expect(node.ready.chainId).to.equal(31337);
    expect(node.ready.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const record = JSON.parse(readFileSync(String(node.ready.deploymentFile), "utf8"));
    expect(record.contracts).to.deep.equal(node.ready.contracts);
    expect(node.ready.accounts).to.have.length(20);
    const types = json<{ types: { id: number; name: string }[] }>(await run(["gov", "types", "--json"], 0));
    expect(types.types.map((t) => t.name)).to.deep.equal(["Degree", "Course", "Certificate", "Competency"]);
  });

  it("has help with examples for every command, and a version", async () => {
    const [top, issue, batch, version] = await Promise.all([
      run(["--help"], 0),
      run(["issue", "--help"], 0),
      run(["issuer", "batch", "--help"], 0),
      run(["--version"], 0),
    ]);
    for (const name of ["node", "deploy", "id", "gov", "accreditor", "issue", "issuer", "wallet", "verify", "serve"])
      expect(top.stdout).to.include(name);
    expect(top.stdout).to.include("Exit status");
    expect(issue.stdout).to.include("Examples:").and.to.include("--json");
    expect(batch.stdout).to.include("Examples:").and.to.include("CSV");
    expect(version.stdout.trim()).to.match(/^\d+\.\d+\.\d+/);
  });

  it("issues from flags (--json: jwt and id), verifies valid (exit 0) with every check, and draws the trust chain", async () => {
    const issued = json<{
      id: string;
      jwt: string;
      subject: string;
      list: string;
      index: number;
      anchor: { block: number };
    }>(
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
          "BSc Computer Science",
          "--criteria",
          "180 ECTS",
          "--skill",
          "Software engineering=https://esco.example/se",
          "--json",
        ],
        0,
      ),
    );
    expect(issued.id).to.match(/^urn:uuid:/);
    expect(issued.jwt.split(".")).to.have.length(3);
    expect(issued.subject).to.equal(ids.ada);
    expect(issued.anchor.block).to.be.a("number");
    const path = file("degree.json", JSON.stringify(issued));
    const report = json<Report>(await run(["verify", path, "--json"], 0));
    expect(report.result).to.equal("valid");
    expect(report.checks.map((c) => c.id)).to.deep.equal([
      "format",
      "schema",
      "issuer",
      "anchor",
      "signature",
      "trust",
      "status",
      "validity",
    ]);
    for (const c of report.checks)
      expect(c).to.have.all.keys(
        "id",
        "outcome",
        "code",
        "message",
        ...(c.id === "anchor" || c.id === "trust" || c.id === "status" ? ["details"] : []),
      );
    const human = await run(["verify", "-"], 0, { input: issued.jwt });
    expect(human.stdout).to.include("✔ VALID").and.to.include("✔ signature");
    expect(human.stdout).to.match(
      /root Qualifications Authority \(0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4}\) -> State University/,
    );
  });

  it("revokes a credential by id: verify exits 1 with credential_revoked and says why", async () => {
    const issued = json<{ id: string; jwt: string }>(
      await run(
        ["issue", "--as", "State University", "--to", ids.ada, "--type", "Course", "--name", "Databases 101", "--json"],
        0,
      ),
    );
    await run(["issuer", "revoke", issued.id, "--as", "State University"], 0);
    const path = file("revoked.jwt", issued.jwt);
    const report = json<Report>(await run(["verify", path, "--json"], 1));
    expect(report.result).to.equal("invalid");
    expect(check(report, "status")).to.include({ outcome: "fail", code: "credential_revoked" });
    const human = await run(["verify", path], 1);
    expect(human.stdout)
      .to.include("✘ INVALID")
      .and.to.match(/reason\s+Revoked by its issuer/);
  });

  it("issues a batch from CSV to JSON Lines, revokes part of it from that file, and verifies the batch in one go", async () => {
    const csv = [
      "subject,name,criteria",
      ...Array.from({ length: 12 }, (_, i) => `${i % 2 === 0 ? "ada" : ids.ada},"Course ${i}","Exam, passed"`),
    ].join("\n");
    const out = join(dir, "batch.jsonl");
    const batch = json<{
      count: number;
      root: string;
      anchor: { block: number };
      credentials: { id: string; list: string; index: number }[];
    }>(
      await run(
        [
          "issuer",
          "batch",
          file("batch.csv", csv),
          "--as",
          "State University",
          "--type",
          "Course",
          "--out",
          out,
          "--json",
        ],
        0,
      ),
    );
    expect(batch.count).to.equal(12);
    expect(batch.anchor.block).to.be.a("number");
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines).to.have.length(12);
    const revokeFile = file("revoke.jsonl", lines.slice(0, 5).join("\n"));
    const revoked = json<{ count: number; transactions: unknown[] }>(
      await run(["issuer", "revoke", "--file", revokeFile, "--as", "State University", "--json"], 0),
    );
    expect(revoked.count).to.equal(5);
    expect(revoked.transactions).to.have.length(1); // five bits of one word: one transaction
    const all = json<{ result: string; valid: number; invalid: number; reports: Report[] }>(
      await run(["verify", out, "--json"], 1),
    );
    expect(all).to.include({ result: "invalid", valid: 7, invalid: 5 });
    // The same batch across worker threads: the same verdicts, line by line.
    const threaded = (await run(["verify", out, "--threads", "2", "--jsonl"], 1)).stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Report);
    const verdicts = (reports: Report[]) =>
      reports.map((r) => [r.result, ...r.checks.map((c) => `${c.id}:${c.code}`)].join(" "));
    expect(verdicts(threaded)).to.deep.equal(verdicts(all.reports));
    expect((await run(["verify", out, "--threads", "0"], 64)).stderr).to.match(/--threads/);
    const listed = json<{ count: number; credentials: { id: string }[] }>(
      await run(["issuer", "list", "--as", "State University", "--batch", batch.root, "--json"], 0),
    );
    expect(listed.credentials.map((c) => c.id)).to.deep.equal(batch.credentials.map((c) => c.id));
  });

  it("suspends and reinstates by status index; an accreditor's suspension of the issuer fails its credentials", async () => {
    const cert = json<{ id: string; jwt: string; list: string; index: number }>(
      await run(
        [
          "issue",
          "--as",
          "Code Bootcamp",
          "--to",
          "ada",
          "--type",
          "Certificate",
          "--name",
          "Full-stack Web Developer",
          "--json",
        ],
        0,
      ),
    );
    const path = file("cert.jwt", cert.jwt);
    await run(["issuer", "suspend", "--index", `${cert.list}:${cert.index}`, "--as", "Code Bootcamp"], 0);
    expect(check(json<Report>(await run(["verify", path, "--json"], 1)), "status")!.code).to.equal(
      "credential_suspended",
    );
    await run(["issuer", "reinstate", "--index", `${cert.list}:${cert.index}`, "--as", "Code Bootcamp"], 0);
    await run(["accreditor", "suspend", "Code Bootcamp", "--as", "Qualifications Authority", "--reason", "3"], 0);
    const suspended = await run(["verify", path], 1);
    expect(suspended.stdout)
      .to.match(/\[suspended( now)?\]/)
      .and.to.include("[issuer_suspended]");
    const chain = json<{ chain: { status: string; isRoot: boolean }[]; trusted: boolean; verdict: string }>(
      await run(["accreditor", "chain", "Code Bootcamp", "--type", "Certificate", "--json"], 1),
    );
    expect(chain).to.include({ trusted: false, verdict: "issuer_suspended" });
    expect(chain.chain.map((l) => [l.status, l.isRoot])).to.deep.equal([
      ["suspended", false],
      ["active", true],
    ]);
    await run(["accreditor", "reinstate", "Code Bootcamp", "--as", "Qualifications Authority"], 0);
    expect(json<Report>(await run(["verify", path, "--json"], 0)).result).to.equal("valid");
  });

  it("accreditor update changes only the fields given and prints before → after; a change of nothing is refused", async () => {
    await run(["id", "create", "--alias", "Hill College"], 0);
    await run(
      [
        "accreditor",
        "accredit",
        "Hill College",
        "--role",
        "both",
        "--types",
        "Degree,Course",
        "--valid-until",
        "2031-01-01",
        "--as",
        "Qualifications Authority",
      ],
      0,
    );
    const human = await run(
      ["accreditor", "update", "Hill College", "--types", "Degree", "--as", "Qualifications Authority"],
      0,
    );
    expect(human.stdout).to.match(/types\s+Degree, Course → Degree/);
    expect(human.stdout).to.not.match(/role|valid until/);
    const chain = json<{ chain: { role: string[]; validUntil: number | null; scope: { name: string }[] }[] }>(
      await run(["accreditor", "chain", "Hill College", "--json"], 0),
    );
    expect(chain.chain[0]).to.deep.include({
      role: ["issuer", "accreditor"],
      validUntil: Date.parse("2031-01-01T00:00:00Z") / 1000,
    });
    expect(chain.chain[0]!.scope.map((x) => x.name)).to.deep.equal(["Degree"]);
    const cleared = json<{ changes: Record<string, { before: unknown; after: unknown }> }>(
      await run(
        ["accreditor", "update", "Hill College", "--valid-until", "none", "--json", "--as", "Qualifications Authority"],
        0,
      ),
    );
    expect(cleared.changes).to.deep.equal({
      validUntil: { before: Date.parse("2031-01-01T00:00:00Z") / 1000, after: null },
    });
    const same = await run(
      [
        "accreditor",
        "update",
        "Hill College",
        "--types",
        "Degree",
        "--role",
        "both",
        "--as",
        "Qualifications Authority",
      ],
      64,
    );
    expect(same.stderr).to.match(/^error \[nothing_to_change\]: /);
    const help = await run(["accreditor", "accredit", "--help"], 0);
    expect(help.stdout.replace(/\s+/g, " "))
      .to.include("in force from the block that records it")
      .and.to.not.include("default now");
  });

  it("accredits with a consent the subject signed (ler id consent); a consent to other terms is refused before sending", async () => {
    await run(["id", "create", "--alias", "Lake Institute"], 0);
    const consentFile = join(dir, "consent.json");
    const consent = json<{ consent: string; deadline: number; terms: { types: string[] } }>(
      await run(
        [
          "id",
          "consent",
          "Lake Institute",
          "--accreditor",
          "Qualifications Authority",
          "--types",
          "Course",
          "--out",
          consentFile,
          "--json",
        ],
        0,
      ),
    );
    expect(consent.consent).to.match(/^0x[0-9a-f]{130}$/);
    expect(JSON.parse(readFileSync(consentFile, "utf8")).consent).to.equal(consent.consent);
    const mismatch = await run(
      [
        "accreditor",
        "accredit",
        "Lake Institute",
        "--types",
        "Degree",
        "--consent",
        consentFile,
        "--as",
        "Qualifications Authority",
      ],
      64,
    );
    expect(mismatch.stderr).to.match(/^error \[consent_mismatch\]: .*types/);
    await run(
      [
        "accreditor",
        "accredit",
        "Lake Institute",
        "--types",
        "Course",
        "--consent",
        consent.consent,
        "--deadline",
        String(consent.deadline),
        "--as",
        "Qualifications Authority",
      ],
      0,
    );
    const history = json<{ chain: { versions: { status: string }[] }[] }>(
      await run(["accreditor", "history", "Lake Institute", "--json"], 0),
    );
    expect(history.chain[0]!.versions.map((v) => v.status)).to.deep.equal(["active"]);
  });

  it("issue and batch refuse an unregistered or out-of-scope type before signing: exit 1, a code, no index used, no anchor sent", async () => {
    const listed = async () =>
      json<{ count: number }>(await run(["issuer", "list", "--as", "Code Bootcamp", "--json"], 0)).count;
    const issuedBefore = await listed();
    const blockBefore = await blockNumber();
    const out = await run(
      ["issue", "--as", "Code Bootcamp", "--to", "ada", "--type", "Degree", "--name", "BSc Nothing"],
      1,
    );
    expect(out.stderr).to.match(
      /^error \[type_out_of_scope\]: .*Code Bootcamp.*not accredited for "Degree".*Nothing was signed/,
    );
    const unregistered = await run(
      ["issue", "--as", "Code Bootcamp", "--to", "ada", "--type", "License", "--name", "Driving", "--json"],
      1,
    );
    expect(json<{ error: { code: string } }>(unregistered).error.code).to.equal("unknown_credential_type");
    const csv = file("out-of-scope.csv", "subject,name\nada,One\nada,Two\n");
    const batch = await run(["issuer", "batch", csv, "--as", "Code Bootcamp", "--type", "Course"], 1);
    expect(batch.stderr).to.match(/error \[type_out_of_scope\]: /);
    expect(await listed(), "nothing went into the ledger").to.equal(issuedBefore);
    const blockAfter = await blockNumber();
    expect(blockAfter, "no anchor was sent").to.equal(blockBefore);
  });

  it("chain --at a time before the accreditation existed answers not trusted (not yet accredited), not an error", async () => {
    const human = await run(["accreditor", "chain", "State University", "--type", "Degree", "--at", "2020-01-01"], 1);
    expect(human.stdout).to.include("not trusted (not yet accredited)").and.to.include("not yet accredited");
    const answer = json<{
      trusted: boolean;
      verdict: string;
      notYetAccredited: boolean;
      chain: { status: string; since: number | null }[];
    }>(await run(["accreditor", "chain", "State University", "--type", "Degree", "--at", "2020-01-01", "--json"], 1));
    expect(answer).to.include({ trusted: false, verdict: "accreditation_not_yet_valid", notYetAccredited: true });
    expect(answer.chain.map((l) => [l.status, l.since])).to.deep.equal([
      ["none", null],
      ["none", null],
    ]);
    expect(
      json<{ trusted: boolean }>(
        await run(["accreditor", "chain", "State University", "--type", "Degree", "--json"], 0),
      ).trusted,
    ).to.equal(true);
  });

  it("the past is not rewritten: widening never validates, narrowing never invalidates, a revocation never lifts a suspension's taint", async () => {
    const as = ["--as", "Qualifications Authority"];
    const verdict = async (path: string, code: number) => {
      const r = json<Report>(await run(["verify", path, "--json"], code));
      return `${r.result}:${check(r, "trust")!.code}`;
    };
    await run(["id", "create", "--alias", "Riverside University"], 0);
    await run(["accreditor", "accredit", "Riverside University", "--types", "Degree,Course,Certificate", ...as], 0);
    const degree = json<{ jwt: string }>(
      await run(
        ["issue", "--as", "Riverside University", "--to", "ada", "--type", "Degree", "--name", "BA History", "--json"],
        0,
      ),
    );
    // Signed while accredited for Certificate, anchored only once it no longer was: the anchor's time is what counts.
    const cert = json<{ jwt: string }>(
      await run(
        [
          "issue",
          "--as",
          "Riverside University",
          "--to",
          "ada",
          "--type",
          "Certificate",
          "--name",
          "Archive studies",
          "--no-anchor",
          "--json",
        ],
        0,
      ),
    );
    await run(["accreditor", "update", "Riverside University", "--types", "Degree,Course", ...as], 0);
    await run(["issuer", "anchor", "--as", "Riverside University"], 0);
    const degreePath = file("riverside-degree.jwt", degree.jwt);
    const certPath = file("riverside-cert.jwt", cert.jwt);
    expect(await verdict(certPath, 1)).to.equal("invalid:type_out_of_scope");
    // Widening the scope to Certificate does not validate the certificate anchored before.
    await run(["accreditor", "update", "Riverside University", "--types", "Degree,Course,Certificate", ...as], 0);
    expect(await verdict(certPath, 1)).to.equal("invalid:type_out_of_scope");
    // Narrowing the scope to Course does not invalidate the degree anchored before.
    await run(["accreditor", "update", "Riverside University", "--types", "Course", ...as], 0);
    expect(await verdict(degreePath, 0)).to.equal("valid:trusted");

    // A certificate anchored while its issuer was suspended stays invalid after the issuer is revoked.
    await run(["id", "create", "--alias", "Night Bootcamp"], 0);
    await run(["accreditor", "accredit", "Night Bootcamp", "--types", "Certificate", ...as], 0);
    const night = json<{ jwt: string }>(
      await run(
        [
          "issue",
          "--as",
          "Night Bootcamp",
          "--to",
          "ada",
          "--type",
          "Certificate",
          "--name",
          "Night coding",
          "--no-anchor",
          "--json",
        ],
        0,
      ),
    );
    await run(["accreditor", "suspend", "Night Bootcamp", ...as], 0);
    await run(["issuer", "anchor", "--as", "Night Bootcamp"], 0);
    const nightPath = file("night.jwt", night.jwt);
    expect(await verdict(nightPath, 1)).to.equal("invalid:issuer_suspended");
    // Revoked effective now, a minute after the anchor: the revocation is not what distrusts it, the suspension is.
    await rpc("evm_increaseTime", [60]);
    await rpc("evm_mine");
    await run(["accreditor", "revoke", "Night Bootcamp", ...as], 0);
    expect(await verdict(nightPath, 1)).to.equal("invalid:issuer_suspended");
  });

  it("holder: stores credentials in the wallet and presents them; the verifier checks challenge and domain", async () => {
    const degree = await run(
      ["issue", "--as", "State University", "--to", "ada", "--type", "Degree", "--name", "MSc Data Science", "--json"],
      0,
    );
    const added = json<{ added: string[] }>(await run(["wallet", "add", "-", "--json"], 0, { input: degree.stdout }));
    expect(added.added).to.have.length(1);
    expect(
      json<{ alreadyPresent: string[] }>(await run(["wallet", "add", "-", "--json"], 0, { input: degree.stdout }))
        .alreadyPresent,
    ).to.deep.equal(added.added);
    const listed = json<{ credentials: { id: string; name: string; types: string[] }[] }>(
      await run(["wallet", "list", "--json"], 0),
    );
    expect(listed.credentials.find((c) => c.id === added.added[0])).to.include({ name: "MSc Data Science" });
    const vpPath = join(dir, "vp.jwt");
    const vp = json<{ jwt: string; holder: string }>(
      await run(
        [
          "wallet",
          "present",
          added.added[0]!,
          "--holder",
          "ada",
          "--challenge",
          "c-123",
          "--domain",
          "employer.example",
          "--out",
          vpPath,
          "--json",
        ],
        0,
      ),
    );
    expect(vp.holder).to.equal(ids.ada);
    expect(readFileSync(vpPath, "utf8").trim()).to.equal(vp.jwt);
    const ok = json<Report & { kind: string; credentials: Report[] }>(
      await run(["verify", vpPath, "--challenge", "c-123", "--domain", "employer.example", "--json"], 0),
    );
    expect(ok).to.include({ kind: "presentation", result: "valid" });
    expect(ok.credentials).to.have.length(1);
    const replay = json<Report>(
      await run(["verify", vpPath, "--challenge", "c-999", "--domain", "employer.example", "--json"], 1),
    );
    expect(replay.checks.find((c) => c.code === "challenge_mismatch")?.outcome).to.equal("fail");
  });

  it("holder: what the wallet proves, and a gap report against a job profile (exit 1 while something is missing)", async () => {
    const issued = await run(
      [
        "issue",
        "--as",
        "State University",
        "--to",
        "ada",
        "--type",
        "Course",
        "--name",
        "Cloud 101",
        "--skill",
        "Cloud deployment=https://esco.example/skill/cloud",
        "--json",
      ],
      0,
    );
    await run(["wallet", "add", "-"], 0, { input: issued.stdout });
    const [skills, match] = await Promise.all([
      run(["wallet", "skills", "--json"], 0),
      run(["wallet", "match", join(ROOT, "examples", "job-profile.json"), "--json"], 1),
    ]);
    const cloud = json<{ skills: { name: string; provenBy: { verification?: string }[] }[] }>(skills).skills.find(
      (k) => k.name === "Cloud deployment",
    );
    expect(cloud?.provenBy.map((e) => e.verification)).to.deep.equal(["valid"]);
    const report = json<{ satisfied: boolean; gaps: string[]; requirements: { label: string; status: string }[] }>(
      match,
    );
    expect(report.satisfied).to.equal(false);
    expect(report.requirements.find((r) => r.label === "Cloud deployment")?.status).to.equal("met");
    expect(report.gaps).to.include("JavaScript");
  });

  it("ler serve answers over HTTP until SIGTERM", async () => {
    const service = await startServing(["serve", "--port", "0", "--json"], env);
    try {
      const health = (await (await fetch(`${String(service.ready.url)}/v1/health`)).json()) as {
        status: string;
        chain: { chainId: number };
      };
      expect(health.status).to.equal("ok");
      expect(health.chain.chainId).to.equal(31337);
    } finally {
      expect(await service.stop(), service.stderr()).to.equal(0);
    }
  });

  it("identities: list, show (DID document from the chain), rotate the owner key, add a delegate", async () => {
    const list = json<{ identities: { alias: string; did: string }[] }>(await run(["id", "list", "--json"], 0));
    expect(list.identities.map((i) => i.alias)).to.include.members(["governance", "ada", "State University"]);
    const shown = json<{ did: string; owner: string; didDocument: { id: string } }>(
      await run(["id", "show", ids.bootcamp, "--json"], 0, { env: { LER_SECRET: "" } }),
    );
    expect(shown.didDocument.id).to.equal(ids.bootcamp);
    const fresh = json<{ did: string }>(await run(["id", "create", "--alias", "Rotating Institute", "--json"], 0)).did;
    const rotated = json<{ did: string; owner: string; address: string }>(
      await run(["id", "rotate", "Rotating Institute", "--json"], 0),
    );
    expect(rotated.did).to.equal(fresh);
    expect(rotated.owner).to.not.equal(rotated.address);
    const after = json<{ owner: string }>(await run(["id", "show", "Rotating Institute", "--json"], 0));
    expect(after.owner.toLowerCase()).to.equal(rotated.owner.toLowerCase());
    const delegate = json<{ delegate: string }>(
      await run(["id", "add-delegate", "Rotating Institute", "--days", "30", "--json"], 0),
    );
    expect(delegate.delegate).to.match(/^0x[0-9a-fA-F]{40}$/);
  });

  it("deploys to the running node under another network name", async () => {
    const deployed = json<{ chainId: number; file: string; deployed: string[] }>(
      await run(["deploy", "--network", "second", "--json"], 0),
    );
    expect(deployed.chainId).to.equal(31337);
    expect(deployed.deployed).to.have.length(4);
    expect(existsSync(deployed.file)).to.equal(true);
  });

  it("an unreachable chain: verify says unknown (exit 2), never valid; a write fails with chain_unreachable (exit 2)", async () => {
    const issued = await run(
      ["issue", "--as", "State University", "--to", "ada", "--type", "Degree", "--name", "BSc Physics", "--json"],
      0,
    );
    const dead = { LER_RPC_URL: "http://127.0.0.1:1" };
    const report = json<Report>(await run(["verify", "-", "--json"], 2, { input: issued.stdout, env: dead }));
    expect(report.result).to.equal("unknown");
    expect(check(report, "status")).to.include({ outcome: "unknown", code: "chain_unreachable" });
    const write = await run(["issuer", "revoke", "--index", "0:0", "--as", "State University"], 2, { env: dead });
    expect(write.stderr).to.match(/^error \[chain_unreachable\]: /);
  });

  it("usage errors and bad files: one line `error [code]: …`, exit 64 (or 1 for a file that is no credential), no stack trace", async () => {
    const notJson = file("bad.json", "{ not json");
    const incomplete = file("incomplete.json", JSON.stringify({ subject: "ada" }));
    const garbage = file("garbage.jwt", "this is not a credential\n");
    const cases: [string[], number, RegExp, Record<string, string>?][] = [
      [["issue", "--as", "State University", "--bogus"], 64, /^error \[usage\]: .*--bogus|required option/],
      [
        ["issue", "--to", "ada", "--type", "Degree", "--name", "X"],
        64,
        /^error \[usage\]: required option '--as <issuer>' not specified/,
      ],
      [["verify"], 64, /^error \[usage\]: missing required argument 'file'/],
      [
        ["verify", join(dir, "missing.jwt")],
        64,
        /^error \[file_not_found\]: Cannot read .*missing\.jwt: no such file\./,
      ],
      [
        ["issue", "--as", "State University", "--file", notJson],
        64,
        /^error \[invalid_json\]: .*bad\.json is not valid JSON/,
      ],
      [
        ["issue", "--as", "State University", "--file", incomplete],
        64,
        /^error \[missing_field\]: .*incomplete\.json has no achievement type/,
      ],
      [
        [
          "issue",
          "--as",
          "State University",
          "--to",
          "ada",
          "--type",
          "Degree",
          "--name",
          "X",
          "--valid-until",
          "someday",
        ],
        64,
        /^error \[invalid_argument\]: --valid-until must be a date/,
      ],
      [["frobnicate"], 64, /^error \[usage\]: unknown command 'frobnicate'/],
      [["id", "list"], 64, /^error \[missing_secret\]: .*LER_SECRET/, { LER_SECRET: "" }],
      [["id", "list"], 1, /^error \[wrong_secret\]: /, { LER_SECRET: "not the secret" }],
      [
        ["issue", "--as", "nobody", "--to", "ada", "--type", "Degree", "--name", "X"],
        1,
        /^error \[unknown_identity\]: No identity called "nobody"/,
      ],
      [
        ["issuer", "revoke", "urn:uuid:00000000-0000-4000-8000-000000000000", "--as", "State University"],
        1,
        /^error \[unknown_credential\]: .*Nothing was changed\./,
      ],
      [["verify", garbage], 1, /^$/],
    ];
    const results = await Promise.all(
      cases.map(([args, code, _re, extra]) => run(args, code, extra === undefined ? {} : { env: extra })),
    );
    results.forEach((r, i) => {
      const [args, , pattern] = cases[i]!;
      expect(
        r.stderr
          .trimEnd()
          .split("\n")
          .filter((l) => l !== ""),
        `ler ${args.join(" ")}`,
      ).to.have.length.at.most(1);
      expect(r.stderr.trim(), `ler ${args.join(" ")}`).to.match(pattern);
    });
    // The garbage file is verified, and found to be no credential.
    expect(results[results.length - 1]!.stdout)
      .to.include("✘ INVALID")
      .and.to.include("malformed_jwt");
    // --json errors: one object on stdout too.
    const err = json<{ error: { code: string; message: string } }>(
      await run(["verify", join(dir, "missing.jwt"), "--json"], 64),
    );
    expect(err.error.code).to.equal("file_not_found");
  });
});
