import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  Bindings,
  compareOutput,
  EXTRA_LINES,
  expectedExit,
  fixedDates,
  isServer,
  maskLine,
  onPath,
  patterns,
  README_CWD,
  renderDiff,
  ROOT,
  Terminal,
  walkthroughSteps,
  type Background,
  type MaskContext,
  type Step,
} from "./walkthrough.js";

// The README's walkthrough runs as written (issue 15): every command of its ```console and ```sh blocks, in order,
// in one bash working directory with a fresh home, against a fresh `ler node` started by the walkthrough's own
// `npx ler node`. Each command's output (stdout and stderr) is compared with the README's after masking what differs
// from run to run (walkthrough.ts, MASKS), and its exit status with the one the README implies.

const README = readFileSync(join(ROOT, "README.md"), "utf8");
const STEPS = walkthroughSteps(README);
const DATES = fixedDates(STEPS);
/** Longest a command may take (the batch of 500 signs for a few seconds; a cold start compiles TypeScript). */
const COMMAND_TIMEOUT_MS = 120_000;
/** Longest a server (`ler node`, `ler serve`) may take to print what the README shows. */
const SERVER_READY_MS = 60_000;

const title = (s: Step) => `README.md:${s.line}  $ ${s.command.replace(/\s*\\\n\s*/g, " ")}`;

describe("README walkthrough, run as written", function () {
  this.timeout(COMMAND_TIMEOUT_MS + 30_000);
  let terminal: Terminal;
  const servers: { step: Step; server: Background }[] = [];
  const bindings = new Bindings();
  const started = performance.now();
  let commands = 0;

  before(function () {
    expect(STEPS.length, "commands found in the walkthrough").to.be.greaterThan(20);
    expect(onPath("jq"), "the walkthrough pipes through jq: install it (apt-get install jq)").to.equal(true);
    terminal = new Terminal();
  });

  after(async function () {
    for (const { server } of servers.reverse()) await server.stop();
    terminal?.remove();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`      ${commands} commands of the walkthrough in ${seconds} s`);
  });

  /** Fails with a readable diff when the output or the exit status differ from the README's. */
  const check = (step: Step, output: string, code: number | null, cwd: string) => {
    const ctx: MaskContext = { cwd, fixedDates: DATES };
    const readmeCtx: MaskContext = { cwd: README_CWD, fixedDates: DATES };
    const text = output.replace(/\n+$/, "");
    const actual = (text === "" ? [] : text.split("\n"))
      .filter((l) => !EXTRA_LINES.some((re) => re.test(l)))
      .map((l) => maskLine(l, ctx));
    const where = `README.md:${step.expectedLine}`;
    const problems: string[] = [];
    const wanted = expectedExit(step.expected);
    if (code !== wanted) problems.push(`exit status ${code}, the README implies ${wanted}`);
    if (step.expected !== undefined && step.expected.length > 0) {
      const comparison = compareOutput(patterns(step.expected, readmeCtx), actual);
      if (!comparison.ok)
        problems.push(`the output differs from ${where} (- README, + actual, masked):\n${renderDiff(comparison)}`);
      problems.push(...bindings.bind(comparison, where));
    }
    if (problems.length > 0)
      expect.fail(`${title(step)}\n${problems.join("\n")}\n--- the output, unmasked:\n${output}`);
  };

  for (const step of STEPS) {
    it(title(step), async function () {
      commands++;
      if (isServer(step)) {
        // A server listens on a free port (the README's may be taken) and runs in the background: `ler node` until
        // the end (later commands reach it through LER_RPC_URL), `ler serve` until its banner is checked.
        const server = terminal.start(`${step.command} --port 0`);
        // Ready once it has printed the README's last line (or it exited, or a minute passed: the README is wrong).
        const readmeCtx: MaskContext = { cwd: README_CWD, fixedDates: DATES };
        const last = maskLine(step.expected!.at(-1)!, readmeCtx).text;
        const printed = (output: string) =>
          output
            .split("\n")
            .slice(0, -1)
            .some((l) => maskLine(l, { cwd: terminal.cwd, fixedDates: DATES }).text === last);
        await server.waitFor(printed, SERVER_READY_MS);
        const output = server.output();
        const url = /\bat (http:\/\/\S+)/.exec(output)?.[1];
        if (/\bler node\b/.test(step.command) && url !== undefined) {
          terminal.setEnv("LER_RPC_URL", url);
          servers.push({ step, server });
        } else {
          const code = await server.stop();
          expect(code, `${title(step)}: exit status after Ctrl-C\n${server.output()}`).to.equal(0);
        }
        check(step, output, 0, terminal.cwd);
        return;
      }
      const ran = await terminal.run(step.command, COMMAND_TIMEOUT_MS);
      check(step, ran.output, ran.code, terminal.cwd);
    });
  }
});
