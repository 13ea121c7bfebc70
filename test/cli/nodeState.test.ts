import { expect } from "chai";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JsonRpcProvider } from "ethers";
import { createLerAgent } from "../../src/agent/agent.js";
import { readStateFile } from "../../src/chain/devstate.js";
import { connectNetwork } from "../../src/chain/network.js";
import { devFunder } from "../../src/cli/devchain.js";
import type { CredentialReport } from "../../src/verify/report.js";
import { course, degree } from "../server/achievements.js";
import { createTestHome } from "../helpers/home.js";
import { cleanEnv, json, ler, looksLikeACrash, startServing, type Node, type Ran } from "./run.js";

// `ler node` keeps its chain in deployments/<network>.state (issue 15): a home made on it works the same after the
// node restarts (credential type, accreditation, issued credentials, revocation, addresses, blocks, the chain's clock),
// a crash costs at most a torn last record, and a node restarted without its state (--no-state) makes a home made on
// the old chain fail in one line with deployment_not_on_chain, and its verifications unknown, never valid. The world
// is built in process (fast); what a user runs is `ler`.

const DEV_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const SECRET = "correct horse battery staple";

interface Batch {
  result: string;
  reports: CredentialReport[];
}
const outline = (r: CredentialReport) =>
  `${r.result} ${r.checks.map((c) => `${c.id}:${c.outcome}:${c.code}`).join(" ")}`;

describe("ler node keeps its chain (--state)", function () {
  this.timeout(180_000);
  let dir: string;
  let deployments: string;
  let stateFile: string;
  let node: Node | undefined;
  let env: NodeJS.ProcessEnv;
  let files: { degree: string; course: string };
  let first: { contracts: unknown; head: { number: string; hash: string }; verdicts: string[] };

  const rpc = async (method: string, params: unknown[] = []) => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
    const res = await fetch(String(node!.ready.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    const answer = (await res.json()) as { result?: unknown; error?: { message: string } };
    if (answer.error !== undefined) throw new Error(`${method}: ${answer.error.message}`);
    return answer.result as never;
  };
  const latest = async () =>
    (await rpc("eth_getBlockByNumber", ["latest", false])) as { number: string; hash: string; timestamp: string };
  const start = async (...flags: string[]) => {
    node = await startServing(["node", "--port", "0", "--json", ...flags], cleanEnv({ LER_DEPLOYMENTS: deployments }));
    env = { ...env, LER_RPC_URL: String(node.ready.url) };
    return node;
  };
  const stop = async () => {
    expect(await node!.stop(), node!.stderr()).to.equal(0);
    node = undefined;
  };
  const run = async (args: string[], expected: number, extra: NodeJS.ProcessEnv = env): Promise<Ran> => {
    const r = await ler(args, extra);
    expect(r.code, `ler ${args.join(" ")}\n--- stdout:\n${r.stdout}\n--- stderr:\n${r.stderr}`).to.equal(expected);
    expect(looksLikeACrash(r.stderr), r.stderr).to.equal(false);
    return r;
  };
  const verdicts = async () =>
    json<Batch>(await run(["verify", files.degree, files.course, "--json"], 1)).reports.map(outline);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "ler-node-state-"));
    deployments = join(dir, "deployments");
    stateFile = join(deployments, "localhost.state");
    env = cleanEnv({ LER_HOME: join(dir, "home"), LER_SECRET: SECRET, LER_DEPLOYMENTS: deployments });
    await createTestHome(join(dir, "home"), SECRET);
    await start();
    expect(node!.ready.state).to.deep.equal({ file: stateFile, restored: false, blocks: 0 });

    // A home made on the chain: credential types, a root, an accredited issuer, two credentials, one revoked.
    const network = await connectNetwork({
      rpcUrl: String(node!.ready.url),
      network: "localhost",
      deploymentsDir: deployments,
    });
    const fund = await devFunder(network.provider as JsonRpcProvider, network.chainId);
    const agent = await createLerAgent({ network, home: join(dir, "home"), secret: SECRET, ...(fund && { fund }) });
    const governor = (await agent.lerImportIdentity({ alias: "governance", privateKeyHex: DEV_KEY_0 })).did;
    const [root, university, ada] = await Promise.all(
      ["QA", "Uni", "ada"].map(async (alias) => (await agent.lerCreateIdentity({ alias })).did),
    );
    await agent.lerRegisterType({ governor, name: "Degree" });
    await agent.lerRegisterType({ governor, name: "Course" });
    await agent.lerAddRoot({ governor, root: root!, types: ["Degree", "Course"] });
    await agent.lerAccredit({ accreditor: root!, subject: university!, role: "issuer", types: ["Degree", "Course"] });
    const issued = await agent.lerIssueCredentials({
      issuer: university!,
      credentials: [
        { subject: ada!, achievement: degree },
        { subject: ada!, achievement: course },
      ],
    });
    const revoked = issued.credentials[1]!;
    await agent.lerRevoke({ issuer: university!, entries: [{ list: revoked.list, index: revoked.index }] });
    network.provider.destroy();
    files = { degree: join(dir, "degree.jwt"), course: join(dir, "course.jwt") };
    writeFileSync(files.degree, issued.credentials[0]!.jwt);
    writeFileSync(files.course, revoked.jwt);

    // Time travel and a snapshot reverted: recorded too.
    const snapshot = await rpc("evm_snapshot");
    await rpc("evm_mine");
    expect(await rpc("evm_revert", [snapshot])).to.equal(true);
    await rpc("evm_increaseTime", [3600]);
    await rpc("evm_mine");
    first = { contracts: node!.ready.contracts, head: await latest(), verdicts: await verdicts() };
    expect(first.verdicts[0]).to.match(/^valid /);
    expect(first.verdicts[1]).to.match(/^invalid .*status:fail:credential_revoked/);
  });

  after(async () => {
    if (node !== undefined) await node.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("a restart restores the chain: same addresses and blocks, the same verdicts, the clock's offset; writes go on", async () => {
    await stop();
    await start();
    expect(node!.ready.state).to.deep.equal({ file: stateFile, restored: true, blocks: Number(first.head.number) });
    expect(node!.ready.contracts).to.deep.equal(first.contracts);
    const head = await latest();
    expect({ number: head.number, hash: head.hash }).to.deep.equal({
      number: first.head.number,
      hash: first.head.hash,
    });
    expect(await verdicts()).to.deep.equal(first.verdicts);
    // The chain's clock is still an hour ahead of the wall clock.
    await rpc("evm_mine");
    const ahead = Number((await latest()).timestamp) - Math.floor(Date.now() / 1000);
    expect(ahead).to.be.within(3590, 3610);
    // The home writes on: its issuer issues and anchors a credential, which verifies.
    await run(
      ["issue", "--as", "Uni", "--to", "ada", "--type", "Degree", "--name", "MSc", "--out", join(dir, "msc.jwt")],
      0,
    );
    const report = json<CredentialReport>(await run(["verify", join(dir, "msc.jwt"), "--json"], 0));
    expect(report.result, outline(report)).to.equal("valid");
  });

  it("after a crash (SIGKILL), its lock is taken over and a torn last record dropped", async () => {
    const head = await latest();
    node!.child.kill("SIGKILL");
    await new Promise((resolve) => node!.child.once("exit", resolve));
    node = undefined;
    const whole = readFileSync(stateFile).length;
    appendFileSync(stateFile, '{"k":"block","n":99,"ts":17');
    await start();
    expect(node!.stderr()).to.match(/its last record was cut short by a crash \(\d+ bytes\); it was dropped/);
    expect(node!.ready.state).to.include({ restored: true, blocks: Number(head.number) });
    expect((await latest()).hash).to.equal(head.hash);
    const saved = readStateFile(stateFile)!;
    expect(saved.torn).to.equal(0);
    expect(saved.length).to.be.greaterThan(whole);
  });

  it("without its state, a restarted chain is refused in one line (deployment_not_on_chain); verification is unknown", async () => {
    const stale = join(dir, "stale");
    cpSync(deployments, stale, { recursive: true });
    await stop();
    await start("--no-state");
    expect(node!.ready.state).to.equal(null);
    expect(node!.ready.contracts).to.not.deep.equal(first.contracts); // same addresses, other blocks
    // The home, made on the old chain.
    const issue = await run(["issue", "--as", "Uni", "--to", "ada", "--type", "Degree", "--name", "PhD"], 2);
    // (Node's own warnings, such as a dependency's DeprecationWarning, are not ler's.)
    const lines = issue.stderr
      .trimEnd()
      .split("\n")
      .filter((l) => !/^\(node:\d+\) |^\(Use `node /.test(l));
    expect(lines, issue.stderr).to.have.length(1);
    expect(lines[0]).to.match(
      /^error \[deployment_not_on_chain\]: The chain at http:\/\/127\.0\.0\.1:\d+ is not the one this home/,
    );
    expect(lines[0]).to.match(/`ler node`.*--state <file>.*--home/);
    const report = json<CredentialReport>(await run(["verify", files.degree, "--json"], 2));
    expect(report.result, outline(report)).to.equal("unknown");
    expect(report.checks.filter((c) => c.outcome === "unknown").map((c) => c.code)).to.include(
      "deployment_not_on_chain",
    );
    // A deployment record of the old chain, with a home that never saw it.
    const old = await run(["gov", "types"], 2, { ...env, LER_DEPLOYMENTS: stale, LER_HOME: join(dir, "other-home") });
    expect(old.stderr).to.match(
      /^error \[deployment_not_on_chain\]: .* is not the one the deployment record of "localhost" was written on/m,
    );
  });
});
