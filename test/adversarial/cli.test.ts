import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deploymentPath, writeDeployment } from "../../src/chain/deployments.js";
import { tokensIn } from "../../src/cli/input.js";
import type { Check, CredentialReport, PresentationReport } from "../../src/verify/report.js";
import { cleanEnv, ler, looksLikeACrash, type Ran } from "../cli/run.js";
import { CASES, type AdversarialCase, type CaseInput } from "./cases.js";
import { CHALLENGE, DOMAIN, createAdversarialWorld, type AdversarialWorld } from "./world.js";

// The adversarial table again, through the `ler verify` command a verifier runs: every token is written to a file
// as a user would receive it, and `ler` (a child process, over JSON-RPC, at the scenario's fixed time with --now)
// must give each the result and the code the case names, the same report as the library for the same input, and
// the exit code that says so: 1 invalid, 2 unknown, never 0. Cases are batched (`ler verify FILES… --jsonl`, one
// process per set of verifier options and expected result) so that the whole table takes a few processes.

type Report = CredentialReport | PresentationReport;
type Line = Report & { source: string };

/** What a verifier's report says, check by check (messages aside), nested reports included. */
const outline = (r: Report): unknown => ({
  result: r.result,
  checks: r.checks.map((c: Check) => `${c.id}:${c.outcome}:${c.code}`),
  ...(r.kind === "presentation" && { credentials: r.credentials.map(outline) }),
});

/** The text of the file a case's input becomes: a string as is; anything else as the JSON a user would hold. */
const fileText = (token: unknown): string => (typeof token === "string" ? token : JSON.stringify(token));

interface Item {
  /** A case, or a control that must come out valid. */
  c: AdversarialCase | { id: string; expected: { result: "valid" } };
  input: CaseInput;
  file: string;
}

describe("adversarial credentials and presentations (CLI: ler verify --jsonl)", function () {
  this.timeout(180_000);
  let w: AdversarialWorld;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    w = await createAdversarialWorld("json-rpc");
    dir = mkdtempSync(join(tmpdir(), "ler-adversarial-cli-"));
    const deployments = join(dir, "deployments");
    writeDeployment(deploymentPath(deployments, w.networkName), w.base.network.deployment);
    mkdirSync(join(dir, "tokens"));
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

  /** The library's report for what the CLI reads from the file (the same token, the same verifier options). */
  async function library(item: Item): Promise<Report> {
    const found = tokensIn(fileText(item.input.token), item.file);
    expect(found, item.c.id).to.have.length(1);
    const token = found[0]!.token;
    const roots = item.input.trustedRoots === undefined ? {} : { trustedRoots: item.input.trustedRoots };
    if (item.input.kind === "credential")
      return w.agent.lerVerifyCredential({ credential: token, now: w.now, ...roots });
    return w.agent.lerVerifyPresentation({
      presentation: token,
      now: w.now,
      challenge: item.input.challenge ?? CHALLENGE,
      domain: item.input.domain ?? DOMAIN,
      ...roots,
    });
  }

  function expectCase(item: Item, report: Report): void {
    const { c } = item;
    const why = `${c.id}: ${JSON.stringify(outline(report))}`;
    expect(report.result, why).to.equal(c.expected.result);
    if (c.expected.result === "valid") return;
    const e = (c as AdversarialCase).expected;
    const checks =
      e.inCredential === undefined
        ? report.checks
        : ((report as PresentationReport).credentials[e.inCredential]?.checks ?? []);
    const found = checks.find((x) => x.id === e.check && x.code === e.code);
    expect(found, `${why}: no ${e.check} check with code ${e.code}`).to.not.equal(undefined);
    expect(found!.outcome, why).to.equal(e.outcome ?? (e.result === "invalid" ? "fail" : "unknown"));
  }

  /** Runs `ler verify` on the items' files with `options`; checks the exit code and returns a report per item. */
  async function verifyAll(items: Item[], options: string[], exit: number): Promise<Map<Item, Line>> {
    const r: Ran = await ler(
      ["verify", ...items.map((i) => i.file), "--now", String(w.now), "--jsonl", ...options],
      env,
    );
    const what = `ler verify (${items.length} files) ${options.join(" ")}\n--- stderr:\n${r.stderr}`;
    expect(looksLikeACrash(r.stderr), what).to.equal(false);
    expect(r.code, what).to.equal(exit);
    const lines = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Line);
    expect(
      lines.map((l) => l.source),
      what,
    ).to.deep.equal(items.map((i) => i.file));
    return new Map(items.map((item, k) => [item, lines[k]!]));
  }

  it(`every case whose input is a file (${CASES.length - 1} of ${CASES.length}): the library's result, code and report, exit 1 or 2, none valid`, async () => {
    let n = 0;
    const item = (c: Item["c"], input: CaseInput): Item => {
      const file = join(dir, "tokens", `${String(++n).padStart(3, "0")}-${c.id.replace(/[^a-z0-9-]/gi, "_")}.txt`);
      writeFileSync(file, fileText(input.token));
      return { c, input, file };
    };
    // The empty string is not a file's worth of input: `ler verify` refuses an empty file (below).
    const items = CASES.filter((c) => c.id !== "encoding/empty-string").map((c) => item(c, c.build(w)));
    // Controls: the same command says valid when the input is good (a wrong setup cannot pass for hostile input).
    const controls = [
      item(
        { id: "control/credential", expected: { result: "valid" } },
        { kind: "credential", token: w.tokens.uniForAda },
      ),
      item(
        { id: "control/presentation", expected: { result: "valid" } },
        { kind: "presentation", token: w.presentation({ credentials: [w.tokens.uniForAda] }) },
      ),
    ];

    // One process per set of verifier options and expected result: its exit code is then that result's.
    const groups = new Map<string, { items: Item[]; options: string[]; exit: number }>();
    for (const i of [...items, ...controls]) {
      const options =
        i.input.kind === "presentation"
          ? ["--challenge", i.input.challenge ?? CHALLENGE, "--domain", i.input.domain ?? DOMAIN]
          : [];
      for (const root of i.input.trustedRoots ?? []) options.push("--trusted-root", root);
      // A control joins a group of hostile inputs: the exit code is the worst result, so still theirs.
      const result =
        i.c.expected.result === "valid" ? (i.input.kind === "credential" ? "unknown" : "invalid") : i.c.expected.result;
      const key = JSON.stringify([options, result]);
      const group = groups.get(key) ?? { items: [], options, exit: result === "invalid" ? 1 : 2 };
      group.items.push(i);
      groups.set(key, group);
    }
    expect([...groups.values()].map((g) => g.exit).sort()).to.include.members([1, 2]);

    const runs = await Promise.all([...groups.values()].map((g) => verifyAll(g.items, g.options, g.exit)));
    const reports = new Map(runs.flatMap((m) => [...m]));
    expect(reports.size).to.equal(items.length + controls.length);
    const valid: string[] = [];
    for (const i of [...items, ...controls]) {
      const cli = reports.get(i)!;
      expectCase(i, cli);
      expect(outline(cli), `${i.c.id}: the CLI and the library disagree`).to.deep.equal(outline(await library(i)));
      if (cli.result === "valid" && i.c.expected.result !== "valid") valid.push(i.c.id);
    }
    expect(valid).to.deep.equal([]);
  });

  it("an empty file is refused as a usage error (exit 64), not verified", async () => {
    const empty = join(dir, "tokens", "empty.txt");
    writeFileSync(empty, "");
    const r = await ler(["verify", empty, "--now", String(w.now), "--jsonl"], env);
    expect(r.code, r.stderr).to.equal(64);
    expect(r.stdout.trimEnd().split("\n"), "--jsonl errors are one line").to.have.length(1);
    expect(JSON.parse(r.stdout)).to.deep.include({ error: { code: "empty_input", message: `${empty} is empty.` } });
  });

  it("a bare credential where a presentation is asked for (--challenge) is invalid, not valid", async () => {
    // The credential is valid by itself (the control above); but it answers no challenge and binds no holder.
    const file = join(dir, "tokens", "bare-credential.jwt");
    writeFileSync(file, w.tokens.uniForAda);
    const r = await ler(
      ["verify", file, "--now", String(w.now), "--challenge", CHALLENGE, "--domain", DOMAIN, "--json"],
      env,
    );
    expect(r.code, r.stderr).to.equal(1);
    const report = JSON.parse(r.stdout) as PresentationReport;
    expect(report).to.include({ kind: "presentation", result: "invalid" });
    expect(report.checks.find((c) => c.id === "format")).to.include({ outcome: "fail", code: "invalid_presentation" });
  });
});
