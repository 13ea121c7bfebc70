import { expect } from "chai";
import {
  Bindings,
  compareOutput,
  expectedExit,
  fixedDates,
  isServer,
  maskLine,
  patterns,
  walkthroughSteps,
  type MaskContext,
} from "./walkthrough.js";

// The README walkthrough's parser and loose comparison (walkthrough.ts), on small inputs: what is masked, what
// `...` and `{ … }` stand for, and that a README value stands for one actual value throughout.

const ctx: MaskContext = { cwd: "/tmp/ler-readme-x/work", fixedDates: new Set(["2031-06-30"]) };
const readmeCtx: MaskContext = { cwd: "/home/registrar", fixedDates: ctx.fixedDates };
const compare = (readme: string[], actual: string[]) =>
  compareOutput(
    patterns(readme, readmeCtx),
    actual.map((l) => maskLine(l, ctx)),
  );

describe("README walkthrough: parsing and loose comparison", function () {
  it("takes the walkthrough section's console commands with their output, and sh lines, in order", function () {
    const readme = [
      "# Title",
      "```console",
      "$ npx ler outside",
      "```",
      "## Walkthrough: every role, from the command line",
      "```console",
      "$ npx ler node",
      "● LER dev chain at http://127.0.0.1:8545",
      "Press Ctrl-C to stop.",
      "```",
      "```sh",
      "export LER_SECRET='x'",
      "```",
      "```text",
      "$ not run",
      "```",
      "```console",
      '$ npx ler issue --as "State University" \\',
      "    --out degree.jwt",
      "✔ Issued",
      "",
      "$ npx ler wallet list",
      "```",
      "## Configuration",
      "```console",
      "$ npx ler after",
      "```",
    ].join("\n");
    const steps = walkthroughSteps(readme);
    expect(steps.map((s) => s.command)).to.deep.equal([
      "npx ler node",
      "export LER_SECRET='x'",
      'npx ler issue --as "State University" \\\n    --out degree.jwt',
      "npx ler wallet list",
    ]);
    expect(steps.map((s) => s.line)).to.deep.equal([7, 12, 18, 22]);
    expect(steps[2]!.expected).to.deep.equal(["✔ Issued"]);
    expect(steps[2]!.expectedLine).to.equal(20);
    expect(steps[1]!.expected).to.equal(undefined);
    expect(steps.map(isServer)).to.deep.equal([true, false, false, false]);
    expect([...fixedDates([{ ...steps[0]!, command: "x --valid-until 2031-06-30 --at 2020-01-01" }])]).to.deep.equal([
      "2031-06-30",
      "2020-01-01",
    ]);
  });

  it("masks addresses, hashes, ids, times of the run, durations, ports, gas and the working directory", function () {
    const m = maskLine(
      "✔ Qualifications Authority (0x3e1e…A865) did:ethr:localhost:0x21cbFac81Bc04d3e7470CBd1ed37b91D3b08bA2F " +
        "tx 0xf49a5780…3b99 root 0xf200acf04f305052a473f58bd44a78f41b0617e6bb0b78722c1f886434d2c1b0 " +
        "urn:uuid:2fbaaabd-b9c8-45a9-b8c8-a79443ac8fc5 at 2026-12-07 15:45:58 UTC, 2026-12-07T15:46:30.000Z, " +
        "2026-12-07, expires 2031-06-30T00:00:00.000Z, in 571 ms, ready in 1.8 s, http://127.0.0.1:8545, " +
        "block 14 (51,880 gas), under /tmp/ler-readme-x/work/public/status",
      ctx,
    );
    expect(m.text).to.equal(
      "✔ Qualifications Authority (<address…>) did:ethr:localhost:<address> tx <hash…> root <hash> " +
        "urn:uuid:<uuid> at ####-##-## ##:##:## UTC, ####-##-##T##:##:##.###Z, ####-##-##, " +
        "expires 2031-06-30T00:00:00.000Z, in <duration>, ready in <duration>, http://127.0.0.1:<port>, " +
        "block 14 (<gas> gas), under <cwd>/public/status",
    );
    expect(m.tokens).to.deep.equal([
      "address:3e1e…a865",
      "address:21cb…ba2f",
      "hash:f49a5780…3b99",
      "hash:f200acf0…c1b0",
      "uuid:2fbaaabd-b9c8-45a9-b8c8-a79443ac8fc5",
    ]);
    expect(maskLine("  ID     STATUS  ", ctx).text).to.equal(" ID STATUS");
  });

  it("matches `...` to any lines, `{ … }` to a block, and shows where the output differs", function () {
    expect(
      compare(["✔ VALID", "  ...", "  credential 2 of 3"], ["✔ VALID", "a", "b", "  credential 2 of 3"]).ok,
    ).to.equal(true);
    expect(compare(["✔ VALID", "...", "end"], ["✔ VALID", "end"]).ok).to.equal(true);
    expect(compare(["DID document:", "{ … }"], ["DID document:", "{", '  "id": "x"', "}"]).ok).to.equal(true);
    expect(compare(["DID document:", "{ … }"], ["DID document:", "{ }"]).ok).to.equal(true);
    expect(compare(["DID document:", "{ … }"], ["DID document:", "[]"]).ok).to.equal(false);
    const c = compare(["a", "in block 5", "c"], ["a", "in block 6", "c"]);
    expect(c.ok).to.equal(false);
    expect(c.ops.map((o) => o.op)).to.deep.equal(["=", "-", "+", "="]);
    expect(compare(["a"], ["a", "extra"]).ok).to.equal(false);
    expect(compare(["a", "missing"], ["a"]).ok).to.equal(false);
  });

  it("holds a README value to one actual value all through the walkthrough", function () {
    const bindings = new Bindings();
    const ada = "0x3cd8C039921ebB0D1482175732F543815A3Ef9Ec";
    const uni = "0x21cbFac81Bc04d3e7470CBd1ed37b91D3b08bA2F";
    const a = "0x1111111111111111111111111111111111111111";
    const u = "0x2222222222222222222222222222222222222222";
    expect(bindings.bind(compare([`ada ${ada}`, `uni ${uni}`], [`ada ${a}`, `uni ${u}`]), "l1")).to.deep.equal([]);
    // Elided, the same identities.
    expect(bindings.bind(compare([`(0x3cd8…f9Ec)`], [`(0x1111…1111)`]), "l2")).to.deep.equal([]);
    // The README's Ada is the run's university here: a README out of step with itself.
    expect(bindings.bind(compare([`(0x3cd8…f9Ec)`], [`(0x2222…2222)`]), "l3")).to.have.length(1);
    expect(bindings.bind(compare([`(0x21cb…bA2F)`], [`(0x1111…1111)`]), "l4")).to.have.length(1);
  });

  it("implies the exit status from the output's verdict", function () {
    expect(expectedExit(undefined)).to.equal(0);
    expect(expectedExit(["✔ Issued"])).to.equal(0);
    expect(expectedExit(["error [invalid_argument]: no"])).to.equal(64);
    expect(expectedExit(["error [wrong_secret]: no"])).to.equal(1);
    expect(expectedExit(["error [type_out_of_scope]: not issued"])).to.equal(1);
    expect(expectedExit(["? UNKNOWN  BSc", "  ..."])).to.equal(2);
    expect(expectedExit(["✘ INVALID  presentation"])).to.equal(1);
    expect(expectedExit(["Junior Software Engineer: ✘ 3 of 4 requirements met", "", "  missing  JavaScript"])).to.equal(
      1,
    );
    expect(expectedExit(["Trust chain of x", "", "  ✘ not trusted (not yet accredited)"])).to.equal(1);
    expect(expectedExit(["Skills", "  ✔ Cloud deployment", "  ✘ Kubernetes  missing", "  ✔ SQL"])).to.equal(0);
  });
});
