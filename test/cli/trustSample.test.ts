import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract, JsonRpcProvider } from "ethers";
import { projectArtifact } from "../../src/chain/artifacts.js";
import { verdictCode, Verdict } from "../../src/verify/trust.js";
import { prng } from "../helpers/children.js";
import { depth } from "../helpers/depth.js";
import { createTestHome } from "../helpers/home.js";
import { cleanEnv, json, ler, looksLikeACrash, startNode, type Node, type Ran } from "./run.js";

// The trust rule through `ler verify`, for a sample: random accreditation lifecycles driven with the CLI (scope up and
// down, suspensions of the issuer and of its root, time passing, anchors at random moments, a revocation back-dated to
// one of them), then every credential verified with `ler verify --json` and its trust check compared with the
// contract's own `trustedAt` at the credential's anchored time. The differential test in test/verify covers 2,000
// steps (10,000 under LER_TEST_DEPTH=deep) against a model; this one shows the CLI a user runs gives the same answers.

const DEV_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const TYPES = ["Degree", "Course", "Certificate"] as const;
/** One lifecycle by default; both under LER_TEST_DEPTH=deep. */
const SEEDS = depth([11], [11, 29]);
const STEPS = 9;

interface Report {
  result: "valid" | "invalid" | "unknown";
  checks: { id: string; outcome: string; code: string }[];
  trustedTime?: { at: number; source: "anchor" | "now" };
}

describe("ler verify agrees with the contract's trustedAt over random lifecycles (sample)", function () {
  this.timeout(600_000);
  let dir: string;
  let node: Node;
  let env: NodeJS.ProcessEnv;
  let trust: Contract;
  let provider: JsonRpcProvider;

  const run = async (args: string[], expected: number | number[], extra: Record<string, string> = {}): Promise<Ran> => {
    const r = await ler(args, { ...env, ...extra });
    const codes = Array.isArray(expected) ? expected : [expected];
    expect(codes, `ler ${args.join(" ")}\n--- stdout:\n${r.stdout}\n--- stderr:\n${r.stderr}`).to.include(r.code);
    expect(looksLikeACrash(r.stderr), r.stderr).to.equal(false);
    return r;
  };
  const advance = async (seconds: number) => {
    await provider.send("evm_increaseTime", [seconds]);
    await provider.send("evm_mine", []);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "ler-sample-"));
    const deployments = join(dir, "deployments");
    node = await startNode(cleanEnv({ LER_DEPLOYMENTS: deployments }));
    await createTestHome(join(dir, "home"), "sample secret");
    env = cleanEnv({
      LER_HOME: join(dir, "home"),
      LER_SECRET: "sample secret",
      LER_RPC_URL: String(node.ready.url),
      LER_DEPLOYMENTS: deployments,
    });
    provider = new JsonRpcProvider(String(node.ready.url), undefined, { cacheTimeout: -1 });
    const contracts = node.ready.contracts as Record<string, { address: string }>;
    trust = new Contract(contracts.TrustRegistry!.address, projectArtifact("TrustRegistry").abi, provider);
    await run(["id", "import", "--alias", "governance"], 0, { LER_PRIVATE_KEY: DEV_KEY_0 });
    await run(["id", "create", "--alias", "learner"], 0);
    await run(["gov", "register-type", ...TYPES, "--as", "governance"], 0);
  });

  after(async () => {
    provider?.destroy();
    if (node !== undefined) await node.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  for (const seed of SEEDS) {
    it(`seed ${seed}: every trust check equals trustedAt at the anchor's time`, async () => {
      const random = prng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
      const root = `Authority ${seed}`;
      const issuer = `Institute ${seed}`;
      const asRoot = ["--as", root];
      for (const alias of [root, issuer]) await run(["id", "create", "--alias", alias], 0);
      await run(["gov", "add-root", root, "--types", TYPES.join(","), "--as", "governance"], 0);
      await run(["accreditor", "accredit", issuer, "--types", TYPES.join(","), ...asRoot], 0);
      const issuerAddress = json<{ address: string }>(await run(["id", "show", issuer, "--json"], 0)).address;

      // Signed while the issuer holds every type (issuing refuses otherwise), anchored later at random moments.
      const credentials: { type: string; jwt: string; root: string; anchored: boolean }[] = [];
      for (let i = 0; i < 4; i++) {
        const type = pick(TYPES);
        const c = json<{ jwt: string; root: string }>(
          await run(
            [
              "issue",
              "--as",
              issuer,
              "--to",
              "learner",
              "--type",
              type,
              "--name",
              `${type} ${seed}.${i}`,
              "--no-anchor",
              "--json",
            ],
            0,
          ),
        );
        credentials.push({ type, jwt: c.jwt, root: c.root, anchored: false });
      }

      let scope: string[] = [...TYPES];
      let issuerSuspended = false;
      let rootSuspended = false;
      const anchorTimes: number[] = [];
      for (let step = 0; step < STEPS; step++) {
        const unanchored = credentials.filter((c) => !c.anchored);
        const action = pick(["scope", "scope", "suspend", "root", "advance", "anchor", "anchor"] as const);
        if (action === "scope") {
          let next: string[];
          do next = TYPES.filter(() => random() < 0.5);
          while (next.length === 0 || next.join() === scope.join());
          await run(["accreditor", "update", issuer, "--types", next.join(","), ...asRoot], 0);
          scope = next;
        } else if (action === "suspend") {
          await run(["accreditor", issuerSuspended ? "reinstate" : "suspend", issuer, ...asRoot], 0);
          issuerSuspended = !issuerSuspended;
        } else if (action === "root") {
          await run(["accreditor", rootSuspended ? "reinstate" : "suspend", root, "--as", "governance"], 0);
          rootSuspended = !rootSuspended;
        } else if (action === "advance") {
          await advance(1 + Math.floor(random() * 5000));
        } else if (unanchored.length > 0) {
          const c = pick(unanchored);
          await run(["issuer", "anchor", c.root, "--as", issuer], 0);
          c.anchored = true;
          anchorTimes.push(Number((await provider.getBlock("latest"))!.timestamp));
        }
        if (random() < 0.5) await advance(1 + Math.floor(random() * 100));
      }
      for (const c of credentials.filter((x) => !x.anchored))
        await run(["issuer", "anchor", c.root, "--as", issuer], 0);

      const files = credentials.map((c, i) => {
        const path = join(dir, `s${seed}-${i}.jwt`);
        writeFileSync(path, c.jwt);
        return path;
      });
      const compare = async (when: string) => {
        const batch = json<{ reports: Report[] }>(await run(["verify", ...files, "--json"], [0, 1]));
        expect(batch.reports).to.have.length(credentials.length);
        for (const [i, report] of batch.reports.entries()) {
          expect(report.trustedTime?.source, `${when}: credential ${i} is anchored`).to.equal("anchor");
          const typeId = Number(await trust.getFunction("typeIdOf")(credentials[i]!.type));
          const [verdict, failedAt] = (await trust.getFunction("trustedAt")(
            issuerAddress,
            typeId,
            report.trustedTime!.at,
          )) as [bigint, string];
          const expected = verdictCode(
            Number(verdict) as Verdict,
            failedAt.toLowerCase() === issuerAddress.toLowerCase(),
          );
          const trustCheck = report.checks.find((c) => c.id === "trust")!;
          expect(
            trustCheck.code,
            `seed ${seed}, ${when}: ${credentials[i]!.type} anchored at ${report.trustedTime!.at}`,
          ).to.equal(Number(verdict) === Verdict.Trusted ? "trusted" : expected);
          if (Number(verdict) !== Verdict.Trusted) expect(report.result).to.equal("invalid");
        }
      };
      await compare("after the lifecycle");
      // A revocation back-dated to one of the anchors: that credential and every one anchored at or after it fall.
      if (anchorTimes.length > 0) {
        await advance(60);
        // A suspended root is out of force: only governance may act on what it accredited.
        const by = rootSuspended ? ["--as", "governance"] : asRoot;
        await run(["accreditor", "revoke", issuer, "--effective-at", String(pick(anchorTimes)), ...by], 0);
        await compare("after a back-dated revocation");
      }
    });
  }
});
