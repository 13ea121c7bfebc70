import { expect } from "chai";
import { spawn } from "node:child_process";
import { cleanEnv, looksLikeACrash, ROOT } from "./run.js";

describe("npm run demo", function () {
  this.timeout(120_000);

  it("tells the whole story on the embedded chain and exits 0, each verification with its reason", async () => {
    const started = Date.now();
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn("npm", ["run", "--silent", "demo"], {
          cwd: ROOT,
          env: cleanEnv({}),
          stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        let err = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
        child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
        child.on("error", reject);
        child.on("close", (c) => resolve({ code: c, stdout: out, stderr: err }));
      },
    );
    expect(code, `${stdout}\n${stderr}`).to.equal(0);
    expect(stderr.trim(), "nothing on stderr").to.equal("");
    expect(looksLikeACrash(stdout)).to.equal(false);
    const lines = stdout.split("\n");
    // The lines of the step whose heading includes `marker`, up to the next step.
    const after = (marker: string) => {
      const start = lines.findIndex((l) => l.includes(marker));
      expect(start, `a step "${marker}"`).to.be.at.least(0);
      const end = lines.findIndex((l, i) => i > start && /^\s*\d+\. /.test(l));
      return lines.slice(start, end < 0 ? undefined : end).join("\n");
    };
    expect(stdout).to.include("issues a batch of 1,000");
    expect(after("verifies it with nothing but the chain")).to.match(/✔ VALID/);
    expect(after("revokes Ada's course credential")).to.match(/✘ INVALID .*\[credential_revoked\]/);
    expect(after("suspends Code Bootcamp")).to.match(/✘ INVALID .*\[issuer_suspended\]/);
    expect(after("narrows State University's scope"))
      .to.match(/✔ VALID/)
      .and.to.match(/a new degree is refused .*\[type_out_of_scope\]/);
    expect(after("edits the degree")).to.match(/✘ INVALID .*\[invalid_signature\]/);
    expect(after("chain endpoint is down")).to.match(/\? UNKNOWN .*\[chain_unreachable\]/);
    expect(stdout).to.match(/Done in \d/);
    expect(Date.now() - started).to.be.below(60_000);
  });
});
