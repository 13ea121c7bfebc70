import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { Command, Help } from "commander";
import { COMMAND_GROUPS, commandNamed } from "../../src/cli/program.js";
import type { Act } from "../../src/cli/commands/common.js";
import { runsHardhat } from "../../src/cli/node22.js";
import { assertBuilt, cleanEnv, ROOT } from "./run.js";

// How `ler` starts: one process, only the modules of the command that runs.

const BIN = join(ROOT, "bin", "ler.js");
const noAct: Act = () => async () => {};

describe("ler start-up", () => {
  it("lists every top-level command as its module defines it, without loading the module", async () => {
    for (const group of COMMAND_GROUPS) {
      for (const entry of group.commands) {
        const program = new Command("ler");
        (await entry.load())(program, noAct);
        const cmd = program.commands.find((c) => c.name() === entry.name);
        expect(cmd, entry.name).to.not.equal(undefined);
        expect(cmd!.description(), entry.name).to.equal(entry.description);
        expect(cmd!.aliases(), entry.name).to.deep.equal([...entry.aliases]);
        expect(new Help().subcommandTerm(cmd!), entry.name).to.equal(entry.term);
      }
    }
    // And every command a module defines is listed.
    const listed = COMMAND_GROUPS.flatMap((g) => g.commands.map((e) => e.name)).sort();
    const defined = new Set<string>();
    for (const group of COMMAND_GROUPS) {
      for (const entry of group.commands) {
        const program = new Command("ler");
        (await entry.load())(program, noAct);
        for (const c of program.commands) defined.add(c.name());
      }
    }
    expect([...defined].sort()).to.deep.equal(listed);
  });

  it("finds the command argv runs past global options and their values", () => {
    const name = (argv: string[]) => commandNamed(argv)?.name;
    expect(name(["verify", "x.jwt"])).to.equal("verify");
    expect(name(["--home", "/h", "--rpc", "http://x", "verify", "x.jwt"])).to.equal("verify");
    expect(name(["--store", "postgres://db/ler", "token", "list"])).to.equal("token");
    expect(name(["--json", "holder", "list"])).to.equal("wallet");
    expect(name(["help", "acc"])).to.equal("accreditor");
    expect(name(["--home", "verify"])).to.equal(undefined); // "verify" is the home here
    expect(name(["--help"])).to.equal(undefined);
    expect(name(["frobnicate"])).to.equal(undefined);
    expect(name(["--", "verify"])).to.equal(undefined);
  });

  it("`ler --help` loads none of the commands' modules (no ethers, no Veramo)", function () {
    assertBuilt();
    const dir = mkdtempSync(join(tmpdir(), "ler-loads-"));
    try {
      const record = join(dir, "loads.txt");
      const r = spawnSync(
        process.execPath,
        ["--import", join(ROOT, "test", "fixtures", "cli", "record-loads.mjs"), BIN, "--help"],
        { env: cleanEnv({ LER_RECORD_LOADS: record }), encoding: "utf8" },
      );
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.contain("verify [options] <file...>");
      const files = [...new Set(readFileSync(record, "utf8").split("\n").filter(Boolean))].map((u) => fileURLToPath(u));
      // Nothing from node_modules: what the bundle does not hold (native bindings, fastify, hardhat) stays unloaded.
      expect(files.filter((f) => f.includes("/node_modules/"))).to.deep.equal([]);
      const code = files.map((f) => readFileSync(f, "utf8")).join("\n");
      for (const marker of [
        "JsonRpcProvider",
        "createAgent",
        "function registerVerifyCommand",
        "function registerIssuerCommands",
      ]) {
        expect(code, `--help loaded code with ${marker}`).to.not.contain(marker);
      }
      // A sanity check of the check: the markers are in the bundle, in the chunks --help leaves alone.
      const all = readdirSync(join(ROOT, "dist", "bundle"))
        .map((f) => readFileSync(join(ROOT, "dist", "bundle", f), "utf8"))
        .join("\n");
      expect(all).to.contain("JsonRpcProvider").and.contain("function registerVerifyCommand");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("`ler node` on a Node older than Hardhat needs runs under the bundled Node 22, and passes SIGTERM on", async function () {
    // The machine's own Node, when it is one Hardhat refuses (the tests themselves run on the bundled Node 22).
    const system = ["/usr/bin/node", "/usr/local/bin/node"].find((p) => {
      const v = spawnSync(p, ["-p", "process.versions.node"], { encoding: "utf8" });
      return v.status === 0 && !runsHardhat(v.stdout.trim());
    });
    if (system === undefined) this.skip();
    assertBuilt();
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), "ler-relay-"));
    try {
      const child = spawn(system!, [BIN, "node", "--port", "0", "--json", "--deployments", join(dir, "deployments")], {
        env: cleanEnv({ LER_HOME: join(dir, "home") }),
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      const ready = await new Promise<{ url: string }>((resolve, reject) => {
        let out = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
          out += d;
          const nl = out.indexOf("\n");
          if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as { url: string });
        });
        child.on("exit", (code) => reject(new Error(`ler node exited ${code}: ${stderr}`)));
      });
      const chainId = await fetch(ready.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      }).then((r) => r.json() as Promise<{ result: string }>);
      expect(chainId.result).to.equal("0x7a69");
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      child.kill("SIGTERM"); // the parent: the Node 20 process a supervisor knows
      expect(await exited).to.equal(0);
      // The chain (the Node 22 child) is gone with it: its port no longer answers.
      const after = await fetch(ready.url, { method: "POST", body: "{}" }).then(
        () => "answered",
        () => "refused",
      );
      expect(after).to.equal("refused");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
