import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestHome } from "../helpers/home.js";
import { cleanEnv, json, ler, looksLikeACrash, type Ran } from "./run.js";

// `ler token create|list|revoke` as an operator runs them (each a process, the home's files as the store): the token
// is printed once and kept nowhere, only its hash is stored, bad arguments get stable codes, and each write is audited.

const SECRET = "token test secret";
const ISSUER = "0x8ba1f109551bD432803012645Ac136ddd64DBA72";
const TOKEN = /^ler_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

describe("ler token", function () {
  this.timeout(120_000);
  let dir: string;
  let home: string;
  let env: NodeJS.ProcessEnv;

  const run = async (args: string[], expected: number): Promise<Ran> => {
    const r = await ler(args, env);
    expect(r.code, `ler ${args.join(" ")}\n--- stdout:\n${r.stdout}\n--- stderr:\n${r.stderr}`).to.equal(expected);
    expect(looksLikeACrash(r.stderr), r.stderr).to.equal(false);
    return r;
  };
  const files = () =>
    ["tokens.json", "audit.jsonl"].map((f) => {
      try {
        return readFileSync(join(home, f), "utf8");
      } catch {
        return "";
      }
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "ler-token-"));
    home = join(dir, "home");
    await createTestHome(home, SECRET);
    env = cleanEnv({ LER_HOME: home, LER_SECRET: SECRET });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("creates a token for one issuer and its scopes, prints it once, and stores only its hash", async () => {
    const made = json<{ token: string; id: string; issuer: string; scopes: string[]; expiresAt: string }>(
      await run(["token", "create", "--issuer", ISSUER, "--scope", "issue,read", "--expires", "30d", "--json"], 0),
    );
    const [, id, secret] = TOKEN.exec(made.token) ?? [];
    expect(id).to.equal(made.id);
    expect(made.scopes).to.deep.equal(["issue", "read"]);
    const days = (Date.parse(made.expiresAt) - Date.now()) / 86_400_000;
    expect(days).to.be.within(29.9, 30.1);
    const human = await run(["token", "create", "--issuer", ISSUER, "--scope", "status", "--label", "SIS"], 0);
    const printed = human.stdout.match(/ler_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/g) ?? [];
    expect(printed).to.have.length(1);
    expect(human.stdout + human.stderr).to.match(/only time the token is shown/);
    const list = await run(["token", "list", "--json"], 0);
    const tokens = json<{ tokens: Record<string, unknown>[] }>(list).tokens;
    expect(tokens.map((t) => t.scopes)).to.deep.equal([["issue", "read"], ["status"]]);
    expect(tokens.every((t) => !("hash" in t))).to.equal(true);
    // Neither secret is anywhere but in the two outputs that created them: not in the list, not in the home's files.
    for (const s of [secret!, TOKEN.exec(printed[0]!)![2]!]) {
      expect(list.stdout).not.to.include(s);
      for (const content of files()) expect(content).not.to.include(s);
    }
  });

  it("refuses an unknown scope and a bad expiry with usage codes, before anything is stored", async () => {
    const bad = async (args: string[], code: string) => {
      const r = await run(["token", "create", "--issuer", ISSUER, ...args, "--json"], 64);
      expect(json<{ error: { code: string } }>(r).error.code, r.stdout).to.equal(code);
    };
    await bad(["--scope", "admin"], "invalid_argument");
    await bad(["--scope", "issue", "--expires", "yesterday"], "invalid_argument");
    await bad(["--scope", "issue", "--expires", "2001-01-01"], "invalid_argument");
    const listed = json<{ tokens: unknown[] }>(await run(["token", "list", "--json"], 0));
    expect(listed.tokens).to.have.length(2); // the two of the test before
  });

  it("revokes a token once and for all, and audits each write without its secret", async () => {
    const { id } = json<{ id: string }>(
      await run(["token", "create", "--issuer", ISSUER, "--scope", "read", "--json"], 0),
    );
    const revoked = json<{ id: string; revokedAt: string }>(await run(["token", "revoke", id, "--json"], 0));
    expect(revoked.id).to.equal(id);
    const again = json<{ revokedAt: string }>(await run(["token", "revoke", id, "--json"], 0));
    expect(again.revokedAt, "a second revocation keeps the first time").to.equal(revoked.revokedAt);
    const listed = json<{ tokens: { id: string; revokedAt?: string }[] }>(await run(["token", "list", "--json"], 0));
    expect(listed.tokens.find((t) => t.id === id)?.revokedAt).to.equal(revoked.revokedAt);
    const unknown = await run(["token", "revoke", "0000000000000000", "--json"], 1);
    expect(json<{ error: { code: string } }>(unknown).error.code).to.equal("unknown_token");
    // The audit log is sealed at rest: the token ids it names are not readable in the file.
    const audit = files()[1]!;
    expect(audit.length).to.be.greaterThan(0);
    expect(audit).not.to.include(id);
  });
});
