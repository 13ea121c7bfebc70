import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deploymentPath, writeDeployment } from "../../src/chain/deployments.js";
import type { Check, CredentialReport, PresentationReport } from "../../src/verify/report.js";
import { CHALLENGE, DOMAIN, createAdversarialWorld, type AdversarialWorld } from "../adversarial/world.js";
import { cleanEnv, json, ler, looksLikeACrash, startServing, type Ran } from "./run.js";

// `--max-head-age` / LER_MAX_HEAD_AGE and the deployment record's `maxHeadAgeSeconds` through the `ler` a verifier
// runs (child processes over JSON-RPC). The dev chain's head does not move between blocks; `--now` puts the verifier's
// clock hours after it, as a node that stopped following the chain hours ago would look. The dev chain's own bound is
// off. Then `ler serve`'s connection-limit flags.

type Report = CredentialReport | PresentationReport;
const outline = (r: Report) =>
  JSON.stringify({ result: r.result, checks: r.checks.map((c: Check) => `${c.id}:${c.outcome}:${c.code}`) });
const lagging = (r: Report) => r.checks.some((c) => c.outcome === "unknown" && c.code === "chain_lagging");

describe("ler: the head-age bound (--max-head-age, LER_MAX_HEAD_AGE, the deployment record)", function () {
  this.timeout(300_000);
  let w: AdversarialWorld;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  /** A directory whose record for the network carries `maxHeadAgeSeconds: 120`. */
  let bounded: string;
  let files: { credential: string; other: string; presentation: string };
  let head: number;
  let later: string;

  before(async () => {
    w = await createAdversarialWorld("json-rpc");
    dir = mkdtempSync(join(tmpdir(), "ler-head-age-cli-"));
    const deployments = join(dir, "deployments");
    bounded = join(dir, "deployments-bounded");
    writeDeployment(deploymentPath(deployments, w.networkName), w.base.network.deployment);
    writeDeployment(deploymentPath(bounded, w.networkName), { ...w.base.network.deployment, maxHeadAgeSeconds: 120 });
    mkdirSync(join(dir, "tokens"));
    files = {
      credential: join(dir, "tokens", "ada.jwt"),
      other: join(dir, "tokens", "grace.jwt"),
      presentation: join(dir, "tokens", "vp.jwt"),
    };
    writeFileSync(files.credential, w.tokens.uniForAda);
    writeFileSync(files.other, w.tokens.uniForGrace);
    writeFileSync(files.presentation, w.presentation({ credentials: [w.tokens.uniForAda] }));
    head = await w.base.now();
    later = String(head + 3 * 3600);
    env = cleanEnv({
      LER_RPC_URL: w.base.network.rpcUrl!,
      LER_NETWORK: w.networkName,
      LER_DEPLOYMENTS: deployments,
      LER_HOME: join(dir, "home"),
    });
  });
  after(async () => {
    await w?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const run = async (args: string[], expected: number, extra: Record<string, string> = {}): Promise<Ran> => {
    const r = await ler(args, { ...env, ...extra });
    expect(r.code, `ler ${args.join(" ")}\n--- stdout:\n${r.stdout}\n--- stderr:\n${r.stderr}`).to.equal(expected);
    expect(looksLikeACrash(r.stderr), r.stderr).to.equal(false);
    return r;
  };
  /** `ler verify` of the credential at `--now <head + 3 h>`: its report, with the exit code checked. */
  const verifyLate = async (flags: string[], expected: 0 | 2, extra: Record<string, string> = {}): Promise<Report> =>
    json<Report>(await run(["verify", files.credential, "--now", later, "--json", ...flags], expected, extra));

  const expectLagging = (r: Report) => {
    expect(r.result, outline(r)).to.equal("unknown");
    expect(lagging(r), outline(r)).to.equal(true);
  };
  const expectValid = (r: Report) => expect(r.result, outline(r)).to.equal("valid");

  it("--max-head-age 120 with a head 3 h behind the clock: unknown, chain_lagging, exit 2; off by default on the dev chain", async () => {
    expectValid(await verifyLate([], 0));
    expectLagging(await verifyLate(["--max-head-age", "120"], 2));
    // Within the bound the node is believed.
    expectValid(
      json<Report>(
        await run(["verify", files.credential, "--now", String(head + 60), "--json", "--max-head-age", "120"], 0),
      ),
    );
    const vp = json<PresentationReport>(
      await run(
        [
          "verify",
          files.presentation,
          "--challenge",
          CHALLENGE,
          "--domain",
          DOMAIN,
          "--now",
          later,
          "--json",
          "--max-head-age",
          "120",
        ],
        2,
      ),
    );
    expectLagging(vp);
    expect(vp.credentials[0]!.result, outline(vp.credentials[0]!)).to.equal("unknown");
  });

  it("LER_MAX_HEAD_AGE does the same; the flag wins over it", async () => {
    expectLagging(await verifyLate([], 2, { LER_MAX_HEAD_AGE: "120" }));
    expectValid(await verifyLate(["--max-head-age", "off"], 0, { LER_MAX_HEAD_AGE: "120" }));
    expectValid(await verifyLate([], 0, { LER_MAX_HEAD_AGE: "off" }));
  });

  it("a deployment record with maxHeadAgeSeconds turns it on with no flag; --max-head-age off (or the variable) turns it off", async () => {
    expectLagging(await verifyLate(["--deployments", bounded], 2));
    expectValid(await verifyLate(["--deployments", bounded, "--max-head-age", "off"], 0));
    expectValid(await verifyLate(["--deployments", bounded], 0, { LER_MAX_HEAD_AGE: "off" }));
    // A wider bound than the record's is the verifier's to choose too.
    expectValid(await verifyLate(["--deployments", bounded, "--max-head-age", String(4 * 3600)], 0));
  });

  it("--threads: the worker threads apply the bound too", async () => {
    const batch = async (flags: string[], expected: 0 | 2) => {
      const r = await run(
        ["verify", files.credential, files.other, "--threads", "2", "--now", later, "--jsonl", ...flags],
        expected,
      );
      return r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Report);
    };
    const off = await batch([], 0);
    expect(off).to.have.length(2);
    off.forEach(expectValid);
    const on = await batch(["--max-head-age", "120"], 2);
    expect(on).to.have.length(2);
    on.forEach(expectLagging);
    (await batch(["--deployments", bounded], 2)).forEach(expectLagging);
  });

  it("a bad value is a usage error (exit 64, invalid_argument), from the flag or the environment", async () => {
    for (const bad of ["abc", "-5", "0", "1.5", ""]) {
      const r = await run(["verify", files.credential, "--max-head-age", bad], 64);
      expect(r.stderr, bad).to.match(/^error \[invalid_argument\]: --max-head-age must be/);
    }
    const fromEnv = await run(["verify", files.credential], 64, { LER_MAX_HEAD_AGE: "soon" });
    expect(fromEnv.stderr).to.match(/^error \[invalid_argument\]: --max-head-age must be/);
    const asJson = json<{ error: { code: string } }>(
      await run(["verify", files.credential, "--json", "--max-head-age", "-1"], 64),
    );
    expect(asJson.error.code).to.equal("invalid_argument");
  });

  it("a deployment record with a bad maxHeadAgeSeconds is refused (deployment_invalid), never ignored", async () => {
    const broken = join(dir, "deployments-broken");
    mkdirSync(broken, { recursive: true });
    writeFileSync(
      deploymentPath(broken, w.networkName),
      JSON.stringify({ ...w.base.network.deployment, maxHeadAgeSeconds: 0 }),
    );
    const r = await run(["verify", files.credential, "--deployments", broken], 2);
    expect(r.stderr).to.match(/^error \[deployment_invalid\]: .*maxHeadAgeSeconds/);
  });

  describe("ler serve", () => {
    it("--help lists the bound and the connection-limit flags with their defaults", async () => {
      const help = (await run(["serve", "--help"], 0)).stdout.replace(/\s+/g, " ");
      expect(help).to.include("--max-head-age <seconds|off>").and.include("LER_MAX_HEAD_AGE");
      expect(help).to.match(/--request-timeout <seconds> .*\(default 30\)/);
      expect(help).to.match(/--headers-timeout <seconds> .*\(default 10\)/);
      expect(help).to.match(/--keep-alive-timeout <seconds> .*\(default 5\)/);
      expect(help).to.match(/--max-connections <n> .*\(default 1024\)/);
    });

    it("bad limits are usage errors (exit 64) before anything starts", async () => {
      const cases: [string[], RegExp][] = [
        [["--max-connections", "0"], /--max-connections must be between 1 and/],
        [["--max-connections", "many"], /--max-connections must be a whole number/],
        [["--request-timeout", "0"], /--request-timeout must be between 1 and/],
        [["--headers-timeout", "x"], /--headers-timeout must be a whole number/],
        [["--keep-alive-timeout", "-3"], /--keep-alive-timeout must be a whole number/],
        [
          ["--headers-timeout", "20", "--request-timeout", "10"],
          /--headers-timeout \(20 s\) must not be longer than --request-timeout \(10 s\)/,
        ],
        [["--max-head-age", "zero"], /--max-head-age must be/],
      ];
      for (const [flags, message] of cases) {
        const r = await run(["serve", "--port", "0", ...flags], 64);
        expect(r.stderr, flags.join(" "))
          .to.match(/^error \[invalid_argument\]: /)
          .and.match(message);
      }
    });

    it("reports the bound it applies: the network's by default, else the flag's", async () => {
      const ready = async (flags: string[], extra: Record<string, string> = {}) => {
        const service = await startServing(["serve", "--port", "0", "--json", ...flags], { ...env, ...extra });
        try {
          return service.ready.maxHeadAgeSeconds;
        } finally {
          expect(await service.stop(), service.stderr()).to.equal(0);
        }
      };
      expect(await ready([])).to.equal(null);
      expect(await ready(["--max-head-age", "300"])).to.equal(300);
      expect(await ready(["--deployments", bounded])).to.equal(120);
      expect(await ready(["--deployments", bounded], { LER_MAX_HEAD_AGE: "off" })).to.equal(null);
    });

    it("--max-connections, --headers-timeout and --request-timeout reach the server", async () => {
      const service = await startServing(
        [
          "serve",
          "--port",
          "0",
          "--json",
          "--max-connections",
          "2",
          "--headers-timeout",
          "1",
          "--request-timeout",
          "1",
        ],
        env,
      );
      const sockets: { socket: Socket; closed: boolean }[] = [];
      try {
        const { port } = new URL(String(service.ready.url));
        for (let i = 0; i < 4; i++) {
          const socket = connect({ host: "127.0.0.1", port: Number(port) });
          const s = { socket, closed: false };
          socket.on("close", () => (s.closed = true));
          socket.on("error", () => {});
          await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
          sockets.push(s);
        }
        const until = async (done: () => boolean, ms: number) => {
          for (const end = Date.now() + ms; !done() && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
        };
        // Beyond the cap of 2: the last two are closed as they arrive.
        await until(() => sockets[2]!.closed && sockets[3]!.closed, 2000);
        expect(sockets.map((s) => s.closed)).to.deep.equal([false, false, true, true]);
        // The first two send half a request and stop: the one-second timeouts close them (the default would be 10 s).
        for (const s of sockets.slice(0, 2)) s.socket.write("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        await until(() => sockets[0]!.closed && sockets[1]!.closed, 5000);
        expect(sockets.map((s) => s.closed)).to.deep.equal([true, true, true, true]);
      } finally {
        for (const s of sockets) s.socket.destroy();
        expect(await service.stop(), service.stderr()).to.equal(0);
      }
    });
  });
});
