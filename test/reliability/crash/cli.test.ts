import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Contract, getAddress, parseEther, type JsonRpcProvider } from "ethers";
import { createLerAgent } from "../../../src/agent/agent.js";
import { projectArtifact } from "../../../src/chain/artifacts.js";
import { deploymentPath, writeDeployment } from "../../../src/chain/deployments.js";
import { parseStatusEntry } from "../../../src/credentials/index.js";
import { StatusIndexAllocator } from "../../../src/store/allocator.js";
import { openKeyStore } from "../../../src/store/keystore.js";
import { IssuedLedger } from "../../../src/store/ledger.js";
import { PendingWrites } from "../../../src/store/pending.js";
import type { StoreKeys } from "../../../src/store/sealed.js";
import { payloadOf } from "../../adversarial/jws.js";
import { createAgentWorld, type AgentWorld } from "../../helpers/world.js";
import { prng } from "../../helpers/children.js";
import { createTestHome } from "../../helpers/home.js";
import { until as untilDeadline } from "../../helpers/until.js";
import { cleanEnv, json, ler, looksLikeACrash, spawnLer, type Ran, type Running } from "../../cli/run.js";

// `ler issuer batch` and `ler issuer revoke` killed with SIGKILL at random moments, as a power cut or an OOM killer
// would: then the next command (which resumes what was left pending) and `ler issuer resume`. No status index is
// used twice, every credential an --out file holds is in the ledger, every batch ends up anchored, and every
// revocation ends up on chain. Kill moments are random; the seed is in every message (LER_TEST_SEED repeats a run).

const SEED = Number(process.env.LER_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SECRET = "cli crash secret";
const LIST_SIZE = 2n ** 20n;
const BATCH = 300;

const position = (list: bigint, index: number) => list * LIST_SIZE + BigInt(index);

describe("ler CLI: kill -9 during batch issuance and batch revocation, then resume", function () {
  this.timeout(180_000);
  const why = `seed ${SEED}`;
  const random = prng(SEED);
  let w: AgentWorld;
  let provider: JsonRpcProvider;
  let dir: string;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let issuer: { did: string; address: string };
  let status: Contract;
  /** The home's store keys: its ledger and intent log are encrypted with its secret. */
  let keys: StoreKeys;
  const as = ["--as", "Crash University"];

  before(async () => {
    w = await createAgentWorld("json-rpc");
    provider = w.network.provider as JsonRpcProvider;
    dir = mkdtempSync(join(tmpdir(), "ler-cli-crash-"));
    const deployments = join(dir, "deployments");
    writeDeployment(deploymentPath(deployments, w.network.name), w.network.deployment);
    home = join(dir, "home");
    env = cleanEnv({
      LER_HOME: home,
      LER_SECRET: SECRET,
      LER_RPC_URL: w.network.rpcUrl!,
      LER_NETWORK: w.network.name,
      LER_DEPLOYMENTS: deployments,
    });
    // The issuer's identity is made in the CLI's own home; funded up front, so that no write waits for funding.
    await createTestHome(home, SECRET);
    const agent = await createLerAgent({ network: w.network, home, secret: SECRET });
    keys = (await openKeyStore(home, SECRET)).storeKeys;
    issuer = await agent.lerCreateIdentity({ alias: "Crash University" });
    await (
      await (await provider.getSigner(0)).sendTransaction({ to: issuer.address, value: parseEther("100") })
    ).wait();
    const root = (await w.agent.lerCreateIdentity({ alias: "root" })).did;
    await w.agent.lerRegisterType({ governor: w.governor, name: "Degree" });
    await w.agent.lerAddRoot({ governor: w.governor, root, types: ["Degree"] });
    // The issuer's key is in the CLI's home: it signs its consent there, the root's agent sends it.
    const consent = await agent.lerSignAccreditationConsent({
      subject: issuer.did,
      accreditor: root,
      role: "issuer",
      types: ["Degree"],
    });
    await w.agent.lerAccredit({
      accreditor: root,
      subject: issuer.did,
      role: "issuer",
      types: ["Degree"],
      consent: consent.consent,
      deadline: consent.deadline,
    });
    status = new Contract(
      w.network.deployment.contracts.StatusRegistry.address,
      projectArtifact("StatusRegistry").abi,
      provider,
    );
  });
  after(async () => {
    await provider?.send("evm_setAutomine", [true]).catch(() => undefined);
    await w?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const run = async (args: string[], expected: number): Promise<Ran> => {
    const r = await ler(args, env);
    expect(r.code, `${why}: ler ${args.join(" ")}\n--- stdout:\n${r.stdout}\n--- stderr:\n${r.stderr}`).to.equal(
      expected,
    );
    expect(looksLikeACrash(r.stderr), r.stderr).to.equal(false);
    return r;
  };
  const kill = async (p: Running, what: string) => {
    p.child.kill("SIGKILL");
    const { signal, code } = await p.exited;
    // It may have finished just before the kill: that is one of the random moments too.
    expect(signal === "SIGKILL" || code === 0, `${why}: ${what}: ${p.stderr()}`).to.equal(true);
  };
  const pendingTransactions = async () =>
    ((await provider.send("eth_getBlockByNumber", ["pending", false])) as { transactions: string[] }).transactions;
  const until = (test: () => Promise<boolean>, what: string) =>
    untilDeadline(test, `${why}: ${what}`, { intervalMs: 10 });
  const ledger = async () => (await new IssuedLedger(home, keys).readIssued(issuer.address)).records;
  const csv = (n: number, tag: string) => {
    const path = join(dir, `${tag}.csv`);
    const rows = Array.from(
      { length: n },
      (_, i) =>
        `did:ethr:${w.network.name}:0x${(Number.parseInt(tag.replace(/\D/g, "") || "0", 10) * 10_000 + i + 1).toString(16).padStart(40, "0")},Degree in Crash Safety ${tag}`,
    );
    writeFileSync(path, ["subject,name", ...rows].join("\n"));
    return path;
  };
  const batchArgs = (tag: string, n = BATCH) => [
    "issuer",
    "batch",
    csv(n, tag),
    ...as,
    "--type",
    "Degree",
    "--out",
    join(dir, `${tag}.jsonl`),
  ];

  it("kill -9 of `ler issuer batch` at random moments, then the next batch: no index reused, every --out credential on record, every batch anchored", async () => {
    // 1. Killed at random moments of signing, of anchoring, and of the whole run.
    const first = spawnLer(batchArgs("batch1"), env);
    await first.waitForStderr(/Issuing 300 credentials/);
    await sleep(random() * 300);
    await kill(first, "batch1 killed while signing");

    const second = spawnLer(batchArgs("batch2"), env);
    await second.waitForStderr(/Anchoring root/);
    await sleep(random() * 30);
    await kill(second, "batch2 killed while anchoring");

    const third = spawnLer(batchArgs("batch3"), env);
    await sleep(500 + random() * 2500);
    await kill(third, "batch3 killed at a random moment");

    // 2. Killed with its anchor in the node's mempool (blocks mined by hand), which is then dropped.
    await provider.send("evm_setAutomine", [false]);
    try {
      const fourth = spawnLer(batchArgs("batch4"), env);
      await until(async () => (await pendingTransactions()).length === 1, "batch4's anchor in flight");
      await kill(fourth, "batch4 killed with its anchor in flight");
      await provider.send("hardhat_dropTransaction", [(await pendingTransactions())[0]]);
    } finally {
      await provider.send("evm_setAutomine", [true]);
    }
    const mark = (await new StatusIndexAllocator(home).state(issuer.address))!;
    const pendingBefore = await new PendingWrites(home, keys).listPending();
    expect(pendingBefore.length, why).to.be.at.least(1); // batch4's anchor at least

    // 3. The next batch first sends again what the killed ones left pending, then issues.
    const fifth = await run(batchArgs("batch5", 40), 0);
    if (pendingBefore.length > 0)
      expect(fifth.stderr, why).to.match(
        new RegExp(`Resumed ${pendingBefore.length} pending writes? of Crash University`),
      );
    expect(await new PendingWrites(home, keys).listPending(), why).to.deep.equal([]);
    expect(
      json<{ resumed: unknown[]; failed: unknown[] }>(await run(["issuer", "resume", ...as, "--json"], 0)),
      why,
    ).to.deep.equal({ resumed: [], failed: [] });

    const records = await ledger();
    const byId = new Map(records.map((r) => [r.id, r]));
    // Every --out file is whole or absent, and every credential in it is in the ledger, as written there.
    let written = 0;
    for (const tag of ["batch1", "batch2", "batch3", "batch4", "batch5"]) {
      const out = join(dir, `${tag}.jsonl`);
      if (!existsSync(out)) continue;
      const lines = readFileSync(out, "utf8").trimEnd().split("\n");
      expect(lines, `${why}: ${tag}.jsonl is incomplete`).to.have.length(tag === "batch5" ? 40 : BATCH);
      for (const line of lines) {
        const c = JSON.parse(line) as { id: string; jwt: string; list: string; index: number };
        const r = byId.get(c.id);
        expect(r, `${why}: ${c.id} of ${tag}.jsonl is not in the ledger`).to.not.equal(undefined);
        expect([r!.jwt, r!.list, r!.index], why).to.deep.equal([c.jwt, BigInt(c.list), c.index]);
        written++;
      }
    }
    expect(written, why).to.be.at.least(40 + BATCH); // batch2 and batch4 were past signing
    // No index twice; each credential carries the entry the ledger has for it.
    const used = new Set<bigint>();
    for (const r of records) {
      const p = position(r.list!, r.index!);
      expect(used.has(p), `${why}: index ${r.list}:${r.index} used twice`).to.equal(false);
      used.add(p);
      const entry = parseStatusEntry((payloadOf(r.jwt) as { credentialStatus: unknown }).credentialStatus);
      expect(entry, why).to.deep.include({
        kind: "ler",
        issuer: getAddress(issuer.address),
        list: r.list,
        index: r.index,
      });
    }
    // The last batch took none of the indices the killed ones had reserved.
    const batch5 = readFileSync(join(dir, "batch5.jsonl"), "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { list: string; index: number });
    for (const c of batch5)
      expect(position(BigInt(c.list), c.index) >= position(mark.list, mark.next), why).to.equal(true);
    // Every batch on record is anchored, and every credential on record verifies valid.
    for (const root of new Set(records.map((r) => r.batch!))) {
      const anchored = await status.getFunction("anchorOf")(issuer.address, root);
      expect(anchored[0] > 0n, `${why}: batch ${root} not anchored`).to.equal(true);
    }
    const now = Math.max(await w.now(), Math.ceil(Date.now() / 1000));
    const reports = await w.agent.lerVerifyCredentials({ credentials: records.map((r) => r.jwt), now });
    expect(
      reports.filter((r) => r.result !== "valid").map((r) => r.checks.filter((c) => c.outcome !== "pass")),
      why,
    ).to.deep.equal([]);
  });

  it("kill -9 of `ler issuer revoke` of many, mid-transaction (landed or dropped), then `ler issuer resume`: every revocation started is on chain; re-running completes the rest", async () => {
    const records = await ledger();
    // The ledger's credentials by id, and 1,000 entries 256 apart (a word each: three transactions of at most 400 words).
    const spread = (list: number) => Array.from({ length: 1000 }, (_, i) => `${list}:${i * 256}`);
    const file = (name: string, lines: string[]) => {
      writeFileSync(join(dir, name), lines.join("\n"));
      return join(dir, name);
    };
    const runs = [
      {
        args: ["issuer", "revoke", "--file", file("revoke-a.txt", [...records.map((r) => r.id), ...spread(9)]), ...as],
        afterKill: "mine",
      },
      { args: ["issuer", "revoke", "--file", file("revoke-b.txt", spread(10)), ...as], afterKill: "drop" },
    ];
    await provider.send("evm_setAutomine", [false]);
    try {
      for (const [n, r] of runs.entries()) {
        const p = spawnLer(r.args, env);
        // Each transaction is mined by hand: kill after a random number of them, with the next one in flight.
        const landed = Math.floor(random() * 3);
        for (let k = 0; ; k++) {
          await until(
            async () => (await pendingTransactions()).length === 1,
            `revocation run ${n}: transaction ${k + 1} in flight`,
          );
          if (k === landed) break;
          await provider.send("evm_mine", []);
        }
        await kill(p, `revocation run ${n} killed after ${landed} transactions`);
        const [tx] = await pendingTransactions();
        if (r.afterKill === "mine") await provider.send("evm_mine", []);
        else await provider.send("hardhat_dropTransaction", [tx]);
      }
    } finally {
      await provider.send("evm_setAutomine", [true]);
    }
    const left = await new PendingWrites(home, keys).listPending();
    expect(left.length, why).to.be.at.least(1);

    const resumed = json<{ resumed: { kind: string }[]; failed: unknown[] }>(
      await run(["issuer", "resume", ...as, "--json"], 0),
    );
    expect(resumed.failed, why).to.deep.equal([]);
    expect(resumed.resumed, why).to.have.length(left.length);
    expect(await new PendingWrites(home, keys).listPending(), why).to.deep.equal([]);
    // Every revocation that was started (its intent on record) is on chain: the killed transactions included.
    const words = async (list: bigint | number) =>
      (await status.getFunction("getWords")(issuer.address, 0, list, 0, 1000)) as bigint[];
    const intentsFile = join(home, "pending", "intents.jsonl");
    const intents = readFileSync(intentsFile, "utf8")
      .trimEnd()
      .split("\n")
      .map(
        (l) =>
          // The log is sealed: each line opened with the home's keys.
          keys.sealer("intents").open(JSON.parse(l), { file: intentsFile, corrupt: "corrupt_log" }) as {
            op: string;
            kind?: string;
            payload?: { list: string; wordIndices: string[]; masks: string[] };
          },
      )
      .filter((e) => e.op === "intent" && e.kind === "revocation" && e.payload?.wordIndices !== undefined);
    expect(intents.length, why).to.be.at.least(1);
    for (const { payload } of intents) {
      const onChain = await words(BigInt(payload!.list));
      payload!.wordIndices.forEach((wi, k) => {
        const mask = BigInt(payload!.masks[k]!);
        expect(onChain[Number(wi)]! & mask, `${why}: list ${payload!.list}, word ${wi} not revoked`).to.equal(mask);
      });
    }
    expect(json<{ resumed: unknown[] }>(await run(["issuer", "resume", "--json"], 0)).resumed, why).to.deep.equal([]);

    // Re-running the killed commands (what a user does after a crash) completes them: what was done is reported
    // done with its earlier receipt, the rest is sent. Then every entry is revoked.
    for (const r of runs) await run([...r.args, "--json"], 0);
    const bit = (w: bigint[], index: number) => ((w[index >> 8]! >> BigInt(index & 255)) & 1n) === 1n;
    const [w0, w9, w10] = await Promise.all([words(0), words(9), words(10)]);
    const missing = [
      ...records.filter((r) => !bit(w0, r.index!)).map((r) => `0:${r.index}`),
      ...Array.from({ length: 1000 }, (_, i) => i * 256)
        .filter((i) => !bit(w9, i))
        .map((i) => `9:${i}`),
      ...Array.from({ length: 1000 }, (_, i) => i * 256)
        .filter((i) => !bit(w10, i))
        .map((i) => `10:${i}`),
    ];
    expect(missing, why).to.deep.equal([]);
    expect(await new PendingWrites(home, keys).listPending(), why).to.deep.equal([]);
    // And a verifier sees the ledger's credentials revoked.
    const report = json<{ result: string; invalid: number }>(
      await run(["verify", join(dir, "batch5.jsonl"), "--json"], 1),
    );
    expect(report, why).to.include({ result: "invalid", invalid: 40 });
  });
});
