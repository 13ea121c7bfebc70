import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Interface } from "ethers";
import { projectArtifact } from "../src/chain/artifacts.js";
import { decodeWriteError } from "../src/chain/writes.js";
import { exitCodeFor } from "../src/cli/program.js";
import { ChainError, ERROR_CODES, isErrorCode, LerError, UsageError, type ErrorCode } from "../src/errors.js";

/**
 * The error-code registry (src/errors.ts) against the documentation: every code of the registry is in a table of the
 * docs, every code a table names is in the registry, and where a table gives an exit code it is the registry's.
 */

const ROOT = join(import.meta.dirname, "..");
const DOCS = ["README.md", "docs/errors.md", "docs/http-api.md"];
const CODE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

interface Citation {
  file: string;
  line: number;
  code: string;
  exit: number | undefined;
}

/** The codes the Markdown tables of `file` name in a column headed "Code(s)" or "`code`", with the row's exit code. */
function citations(file: string): Citation[] {
  const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
  const found: Citation[] = [];
  let codeColumns: number[] = [];
  let exitColumn = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith("|")) {
      codeColumns = [];
      exitColumn = -1;
      continue;
    }
    const cells = line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim());
    if (codeColumns.length === 0 && exitColumn === -1 && lines[i + 1]?.startsWith("| ---")) {
      cells.forEach((c, k) => {
        if (/^(codes?|`code`)$/i.test(c)) codeColumns.push(k);
        if (/^exit$/i.test(c)) exitColumn = k;
      });
      i++; // the separator row
      continue;
    }
    const exitText = exitColumn >= 0 ? cells[exitColumn] : undefined;
    const exit = exitText !== undefined && /^\d+$/.test(exitText) ? Number(exitText) : undefined;
    for (const k of codeColumns) {
      // A parenthesis explains (`sub` is not `credentialSubject.id`): it names no code.
      const cell = (cells[k] ?? "").replace(/\([^()]*\)/g, "");
      for (const [, code] of cell.matchAll(/`([^`]+)`/g)) {
        if (CODE.test(code!)) found.push({ file, line: i + 1, code: code!, exit });
      }
    }
  }
  return found;
}

describe("error codes", function () {
  const cited = DOCS.flatMap(citations);
  const codes = Object.keys(ERROR_CODES) as ErrorCode[];

  it("the docs' tables name codes of the registry only", function () {
    const unknown = cited.filter((c) => !isErrorCode(c.code)).map((c) => `${c.file}:${c.line} \`${c.code}\``);
    expect(unknown, "codes in the docs that src/errors.ts does not have").to.deep.equal([]);
  });

  it("every code of the registry is in a table of the docs", function () {
    const named = new Set(cited.map((c) => c.code));
    expect(
      codes.filter((c) => !named.has(c)),
      `codes missing from the tables of ${DOCS.join(", ")}`,
    ).to.deep.equal([]);
  });

  it("the exit codes the docs give are the registry's", function () {
    const wrong = cited
      .filter((c) => c.exit !== undefined && isErrorCode(c.code))
      .filter((c) => (ERROR_CODES[c.code as ErrorCode] as { exit?: number }).exit !== c.exit)
      .map((c) => {
        const expected = (ERROR_CODES[c.code as ErrorCode] as { exit?: number }).exit;
        return `${c.file}:${c.line} \`${c.code}\` exit ${c.exit}, registry ${expected ?? "none"}`;
      });
    expect(wrong).to.deep.equal([]);
  });

  it("docs/errors.md lists every code with its exit code", function () {
    const listed = new Map(citations("docs/errors.md").map((c) => [c.code, c.exit]));
    const wrong = codes.filter((c) => !listed.has(c) || listed.get(c) !== (ERROR_CODES[c] as { exit?: number }).exit);
    expect(wrong).to.deep.equal([]);
  });

  it("the CLI's exit code is a function of the error code, whichever class of error carries it", function () {
    // Codes are thrown as UsageError in one place and LerError in another (a library check reached from the
    // command line, a CLI check of a refused operation): the exit code must not depend on that.
    const wrong: string[] = [];
    const classes = { LerError, UsageError, ChainError } as const;
    for (const code of codes) {
      const info = ERROR_CODES[code] as { kind: string; exit?: number };
      for (const [name, ErrorClass] of Object.entries(classes)) {
        // Without an exit code of its own (a check's code, the service's), an error says what it is by its class.
        const expected = info.exit ?? (ErrorClass === ChainError ? 2 : 1);
        const exit = exitCodeFor(new ErrorClass(code, ""));
        if (exit !== expected) wrong.push(`${code} as a ${name}: the CLI exits ${exit}, the registry says ${expected}`);
      }
    }
    expect(wrong).to.deep.equal([]);
  });

  it("the README's exit-status table explains every exit code of the registry", function () {
    const lines = readFileSync(join(ROOT, "README.md"), "utf8").split("\n");
    const at = lines.indexOf("**Exit status**");
    expect(at, "README.md has an **Exit status** table").to.be.greaterThan(0);
    const rows: number[] = [];
    for (const line of lines.slice(at + 1)) {
      if (line.startsWith("|")) {
        const first = /^\|\s*(\d+)\s*\|/.exec(line);
        if (first !== null) rows.push(Number(first[1]));
      } else if (rows.length > 0) break;
    }
    const exits = new Set(codes.map((c) => (ERROR_CODES[c] as { exit?: number }).exit).filter((e) => e !== undefined));
    expect(
      [...exits].filter((e) => !rows.includes(e)),
      "exit codes of src/errors.ts missing from README's table",
    ).to.deep.equal([]);
  });

  it("every custom error of the registry contracts decodes to a code of the registry", function () {
    const wrong: string[] = [];
    for (const name of ["TrustRegistry", "StatusRegistry"] as const) {
      const iface = new Interface(projectArtifact(name).abi);
      iface.forEachError((fragment) => {
        const decoded = decodeWriteError({ revert: { name: fragment.name, args: [] } }, iface, "f");
        const code = decoded instanceof LerError ? decoded.code : "(not a LerError)";
        if (!isErrorCode(code)) wrong.push(`${name}.${fragment.name} -> ${code}`);
      });
    }
    expect(wrong).to.deep.equal([]);
  });

  it("every entry has a summary, and an exit code exactly when its kind has one", function () {
    const exits: Record<string, number | undefined> = {
      usage: 64,
      refused: 1,
      state: 1,
      internal: 1,
      contract: 1,
      chain: 2,
      interrupted: 130,
      check: undefined,
      http: undefined,
    };
    for (const code of codes) {
      const info = ERROR_CODES[code] as { kind: string; exit?: number; summary: string };
      expect(info.summary, code).to.match(/\S/);
      expect(info.exit, code).to.equal(exits[info.kind]);
    }
  });
});
