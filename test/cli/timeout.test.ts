import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deploymentPath, writeDeployment } from "../../src/chain/deployments.js";
import type { CredentialReport } from "../../src/verify/report.js";
import { degree } from "../server/achievements.js";
import { createAgentWorld, type AgentWorld } from "../helpers/world.js";
import { cleanEnv, json, ler, looksLikeACrash } from "./run.js";

// `--timeout N` bounds the whole verification, not each request of it: against an endpoint that accepts connections
// and never answers, `ler verify` waits for the probe of the endpoint and its reads together at most N seconds (and a
// last short try). The command's start-up is the same for every N, so the time that grows with N is what is compared.
describe("ler verify --timeout: one budget for the probe and every read", function () {
  this.timeout(120_000);
  let w: AgentWorld;
  let dir: string;
  let hanging: Server;
  const sockets = new Set<Socket>();
  let env: NodeJS.ProcessEnv;
  let file: string;

  before(async () => {
    w = await createAgentWorld("in-process");
    const { agent } = w;
    const root = (await agent.lerCreateIdentity({ alias: "root" })).did;
    const university = (await agent.lerCreateIdentity({ alias: "university" })).did;
    const learner = (await agent.lerCreateIdentity({ alias: "learner" })).did;
    await agent.lerRegisterType({ governor: w.governor, name: "Degree" });
    await agent.lerAddRoot({ governor: w.governor, root, types: ["Degree"] });
    await agent.lerAccredit({ accreditor: root, subject: university, role: "issuer", types: ["Degree"] });
    const issued = await agent.lerIssueCredentials({
      issuer: university,
      credentials: [{ subject: learner, achievement: degree }],
    });
    dir = mkdtempSync(join(tmpdir(), "ler-timeout-"));
    file = join(dir, "degree.jwt");
    writeFileSync(file, issued.credentials[0]!.jwt);
    const deployments = join(dir, "deployments");
    writeDeployment(deploymentPath(deployments, w.network.name), w.network.deployment);
    // Accepts every connection, reads the request, never answers.
    hanging = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("data", () => {});
    });
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    const port = (hanging.address() as { port: number }).port;
    env = cleanEnv({
      LER_RPC_URL: `http://127.0.0.1:${port}`,
      LER_NETWORK: w.network.name,
      LER_DEPLOYMENTS: deployments,
      LER_HOME: join(dir, "home"),
    });
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => (hanging ? hanging.close(() => resolve()) : resolve()));
    await w?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /** `ler verify --timeout <seconds> --json` against the hanging endpoint: its report and how long it took. */
  async function timed(seconds: number): Promise<{ report: CredentialReport; ms: number }> {
    const started = performance.now();
    const r = await ler(["verify", file, "--timeout", String(seconds), "--json"], env);
    const ms = performance.now() - started;
    expect(r.code, r.stderr).to.equal(2);
    expect(looksLikeACrash(r.stderr), r.stderr).to.equal(false);
    return { report: json<CredentialReport>(r), ms };
  }

  it("unknown (chain_timeout) for every check that needs the chain; the wait grows by N, not by a multiple of it", async () => {
    const short = await timed(1);
    const long = await timed(4);
    for (const { report } of [short, long]) {
      expect(report.result).to.equal("unknown");
      const trust = report.checks.find((c) => c.id === "trust");
      expect(trust?.outcome, JSON.stringify(report.checks)).to.equal("unknown");
      expect(trust?.code).to.equal("chain_timeout");
    }
    // Three more seconds of timeout may cost three more seconds of waiting (plus noise), not six as when the probe
    // and the reads each waited the whole timeout.
    console.log(`      --timeout 1: ${Math.round(short.ms)} ms, --timeout 4: ${Math.round(long.ms)} ms`);
    // The rule: within N seconds of starting `ler verify` (the process's start counts: the timeout is measured from
    // it), however many reads it makes, plus the time to print the report and exit: up to a second here, where
    // another test file runs on the other core.
    expect(short.ms, "--timeout 1").to.be.below(2_000);
    expect(long.ms, "--timeout 4").to.be.below(5_000);
    const grew = long.ms - short.ms;
    // Three seconds more, give or take what another test file on the other core costs either run: far from the six
    // of a timeout per request, and from none at all.
    expect(grew, `--timeout 1: ${Math.round(short.ms)} ms, --timeout 4: ${Math.round(long.ms)} ms`).to.be.within(
      1_800,
      4_200,
    );
  });
});
