import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Contract, getAddress, keccak256, parseEther, toUtf8Bytes, type JsonRpcProvider } from "ethers";
import { createLerAgent, type LerAgent } from "../../../src/agent/agent.js";
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
import { until } from "../../helpers/until.js";
import { prng, startFixture, type Child } from "../../helpers/children.js";
import { createTestHome } from "../../helpers/home.js";

// Real agents in real processes, really killed (SIGKILL) in the middle of issuing and revoking, then restarted:
// no status index is used twice, every credential handed out is on record, and every revocation and anchor is
// either on chain or carried out by lerResumePending. Kill times are random; the seed is in every message.
const SEED = Number(process.env.LER_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SECRET = "crash secret";
const LIST_SIZE = 2n ** 20n;

/** The agent worker (test/fixtures/reliability), started like the store fixtures: its pid is the script's. */
const worker = (args: string[]): Child => startFixture("../reliability/agent-worker.ts", args, { LER_SECRET: SECRET });

interface Handed {
  id: string;
  list: bigint;
  index: number;
  hash: string;
}

/** Every credential a worker printed, i.e. handed out (lerIssueCredentials had returned it). */
const handedOut = (child: Child): Handed[] =>
  child.lines
    .filter((l) => l.startsWith("C "))
    .map((l) => {
      const [, id, list, index, hash] = l.split(" ");
      return { id: id!, list: BigInt(list!), index: Number(index), hash: hash! };
    });

const position = (list: bigint, index: number) => list * LIST_SIZE + BigInt(index);

async function exitedCleanly(child: Child): Promise<void> {
  expect(await child.exited, child.stderr()).to.deep.equal({ code: 0, signal: null });
}

async function kill(child: Child, why: string): Promise<void> {
  child.process.kill("SIGKILL");
  expect((await child.exited).signal, `${why}: ${child.stderr()}`).to.equal("SIGKILL");
}

describe("reliability: crash safety of the agent (child processes, SIGKILL)", function () {
  this.timeout(120_000);
  let w: AgentWorld;
  let dir: string;
  let home: string;
  let issuer: string;
  let issuerAgent: LerAgent;
  let provider: JsonRpcProvider;
  let status: Contract;
  let args: (command: string[]) => string[];
  /** The home's store keys: its ledger and intent log are encrypted with its secret. */
  let keys: StoreKeys;

  before(async () => {
    w = await createAgentWorld("json-rpc");
    provider = w.network.provider as JsonRpcProvider;
    dir = mkdtempSync(join(tmpdir(), "ler-agent-crash-"));
    const deployments = join(dir, "deployments");
    writeDeployment(deploymentPath(deployments, w.network.name), w.network.deployment);
    home = join(dir, "issuer-home");
    await createTestHome(home, SECRET);
    issuerAgent = await createLerAgent({ network: w.network, home, secret: SECRET });
    keys = (await openKeyStore(home, SECRET)).storeKeys;
    const created = await issuerAgent.lerCreateIdentity({ alias: "Crash-Safe University" });
    issuer = created.did;
    await (
      await (await provider.getSigner(0)).sendTransaction({ to: created.address, value: parseEther("100") })
    ).wait();
    const root = (await w.agent.lerCreateIdentity({ alias: "root" })).did;
    await w.agent.lerRegisterType({ governor: w.governor, name: "Degree" });
    await w.agent.lerAddRoot({ governor: w.governor, root, types: ["Degree"] });
    // The issuer's key is in its own home: it signs its consent there, the root's agent sends it.
    const consent = await issuerAgent.lerSignAccreditationConsent({
      subject: issuer,
      accreditor: root,
      role: "issuer",
      types: ["Degree"],
    });
    await w.agent.lerAccredit({
      accreditor: root,
      subject: issuer,
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
    args = (command) => [w.network.rpcUrl!, deployments, w.network.name, home, issuer, ...command];
  });
  after(async () => {
    await provider?.send("evm_setAutomine", [true]).catch(() => undefined);
    await w?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const issuerAddress = () => getAddress(issuer.split(":").pop()!);
  const pendingTransactions = async () =>
    ((await provider.send("eth_getBlockByNumber", ["pending", false])) as { transactions: string[] }).transactions;
  const ledgerRecords = async () => (await new IssuedLedger(home, keys).readIssued(issuerAddress())).records;

  it("kill -9 during batch issuance, then restart: every credential handed out is on record, no index is reused, every batch gets anchored", async () => {
    const why = `seed ${SEED}`;
    const random = prng(SEED);
    const children: Child[] = [];

    // 1. A loop of batches of 40, killed at a random moment after two batches were handed out.
    const looping = worker(args(["issue", "40", "0"]));
    children.push(looping);
    let batches = 0;
    await looping.waitForLine((l) => l.startsWith("B ") && ++batches === 2);
    await sleep(random() * 400);
    await kill(looping, why);

    // 2. One batch of 300, killed half-way through signing (its indices are reserved, never recorded).
    const big = worker(args(["issue", "300", "1"]));
    children.push(big);
    await big.waitForLine((l) => l === "P 150 300");
    await kill(big, why);
    expect(handedOut(big), why).to.deep.equal([]);
    const mark = (await new StatusIndexAllocator(home).state(issuerAddress()))!;

    // 3. Two batches killed while their anchor transaction waits in the mempool (blocks are mined by hand): the
    // batch is on record, its anchor intent pending. One anchor then lands anyway, the other is dropped.
    const inFlight: string[] = [];
    await provider.send("evm_setAutomine", [false]);
    try {
      for (const afterKill of ["mine", "drop"] as const) {
        const child = worker(args(["issue", "40", "1"]));
        children.push(child);
        await until(async () => (await pendingTransactions()).length === 1, "the anchor in flight");
        await kill(child, why);
        expect(handedOut(child), why).to.deep.equal([]);
        const [tx] = await pendingTransactions();
        const records = await ledgerRecords();
        inFlight.push(records[records.length - 1]!.batch!);
        if (afterKill === "mine") await provider.send("evm_mine", []);
        else await provider.send("hardhat_dropTransaction", [tx]);
      }
    } finally {
      await provider.send("evm_setAutomine", [true]);
    }

    // 4. Restart: a new batch, then the pending intents are resumed.
    const restarted = worker(args(["issue", "40", "1"]));
    children.push(restarted);
    await exitedCleanly(restarted);
    const resume = worker(args(["resume"]));
    await exitedCleanly(resume);
    const resumed = JSON.parse(resume.lines.find((l) => l.startsWith("S "))!.slice(2)) as {
      resumed: { id: string }[];
      failed: unknown[];
    };
    expect(resumed.failed, why).to.deep.equal([]);
    // Both: the one that had landed is found landed (already_anchored), the dropped one is sent again.
    const resumedIds = resumed.resumed.map((r) => r.id);
    for (const root of inFlight)
      expect(
        resumedIds.filter((id) => id.endsWith(`:${issuerAddress()}:${root}`)),
        why,
      ).to.have.length(1);

    const handed = children.flatMap(handedOut);
    expect(handed.length, why).to.be.at.least(2 * 40 + 40);
    const records = await ledgerRecords();
    const byId = new Map(records.map((r) => [r.id, r]));
    // Every credential handed out is in the ledger, as handed out.
    for (const h of handed) {
      const r = byId.get(h.id);
      expect(r, `${why}: ${h.id} handed out but not on record`).to.not.equal(undefined);
      expect(keccak256(toUtf8Bytes(r!.jwt)), why).to.equal(h.hash);
      expect([r!.list, r!.index], why).to.deep.equal([h.list, h.index]);
    }
    // No index is used twice, and each record's credential carries exactly the entry the ledger says.
    const used = new Set<bigint>();
    for (const r of records) {
      const p = position(r.list!, r.index!);
      expect(used.has(p), `${why}: index ${r.list}/${r.index} used twice`).to.equal(false);
      used.add(p);
      const entry = parseStatusEntry((payloadOf(r.jwt) as { credentialStatus: unknown }).credentialStatus);
      expect(entry, why).to.deep.include({ kind: "ler", issuer: issuerAddress(), list: r.list, index: r.index });
    }
    // The restarted batch did not reuse what the killed batch of 300 had reserved.
    const fresh = handedOut(restarted);
    expect(fresh, why).to.have.length(40);
    for (const h of fresh) expect(position(h.list, h.index) >= position(mark.list, mark.next), why).to.equal(true);

    // Every batch on record is anchored (those killed between the ledger and the anchor by the resume).
    for (const root of new Set(records.map((r) => r.batch!))) {
      const anchored = await status.getFunction("anchorOf")(issuerAddress(), root);
      expect(anchored[0] > 0n, `${why}: batch ${root} not anchored`).to.equal(true);
    }
    expect(await new PendingWrites(home, keys).listPending(), why).to.deep.equal([]);
    // Anchoring a root that is done again (what a user re-running the command does) reports where it landed.
    const again = await issuerAgent.lerAnchor({ issuer, root: inFlight[0]! });
    expect(again.block, why).to.equal(Number((await status.getFunction("anchorOf")(issuerAddress(), inFlight[0]!))[1]));

    // And what was handed out verifies valid (the workers stamp credentials with the wall clock, which may be ahead
    // of the chain's).
    const now = Math.max(await w.now(), Math.ceil(Date.now() / 1000));
    const reports = await w.agent.lerVerifyCredentials({ credentials: handed.map((h) => byId.get(h.id)!.jwt), now });
    const notValid = reports
      .filter((r) => r.result !== "valid")
      .map((r) => JSON.stringify(r.checks.filter((c) => c.outcome !== "pass")));
    expect(notValid, why).to.deep.equal([]);
  });

  it("kill -9 during batch revocation (a transaction in flight, landed or dropped), then resume: every entry revoked, idempotently", async () => {
    const records = await ledgerRecords();
    expect(records.length).to.be.greaterThan(0);
    const issued = records.map((r) => ({ list: r.list!.toString(), index: r.index! }));
    // Entries 256 apart fill a word each: 1,000 of them need three transactions of at most 400 words.
    const spread = (list: number) => Array.from({ length: 1000 }, (_, i) => ({ list: String(list), index: i * 256 }));
    const runs = [
      { entries: [...issued, ...spread(9)], transactions: 4, afterKill: "mine" as const },
      { entries: spread(10), transactions: 3, afterKill: "drop" as const },
    ];
    const intentsFile = join(home, "pending", "intents.jsonl");
    // The log is sealed: its complete lines are opened with the home's keys (read while a worker may be appending).
    const intentLines = () =>
      existsSync(intentsFile)
        ? readFileSync(intentsFile, "utf8")
            .split("\n")
            .slice(0, -1)
            .map((l) => keys.sealer("intents").open(JSON.parse(l), { file: intentsFile, corrupt: "corrupt_log" }))
            .filter((e) => (e as { op?: string }).op === "intent").length
        : 0;

    await provider.send("evm_setAutomine", [false]);
    let expectedIntents = intentLines();
    try {
      for (const [n, run] of runs.entries()) {
        const file = join(dir, `revoke-${n}.json`);
        writeFileSync(file, JSON.stringify(run.entries));
        const child = worker(args(["revoke", file]));
        expectedIntents += run.transactions;
        // Killed once every transaction of the batch is on record and the first one is in the node's mempool.
        await until(
          async () => intentLines() >= expectedIntents && (await pendingTransactions()).length === 1,
          "the revocation in flight",
        );
        await kill(child, `revocation run ${n}`);
        const [tx] = await pendingTransactions();
        if (run.afterKill === "mine") await provider.send("evm_mine", []);
        else await provider.send("hardhat_dropTransaction", [tx]);
      }
    } finally {
      await provider.send("evm_setAutomine", [true]);
    }
    expect(await new PendingWrites(home, keys).listPending()).to.have.length(7);

    const resume = worker(args(["resume"]));
    await exitedCleanly(resume);
    const result = JSON.parse(resume.lines.find((l) => l.startsWith("S "))!.slice(2)) as {
      resumed: { kind: string }[];
      failed: unknown[];
    };
    expect(result.failed).to.deep.equal([]);
    expect(result.resumed).to.have.length(7);

    // Every entry's revocation bit is set (read a word at a time).
    const words = new Map<string, bigint[]>();
    for (const list of ["0", "9", "10"]) {
      words.set(list, (await status.getFunction("getWords")(issuerAddress(), 0, list, 0, 1000)) as bigint[]);
    }
    const missing = runs
      .flatMap((r) => r.entries)
      .filter((e) => ((words.get(e.list)![e.index >> 8]! >> BigInt(e.index & 255)) & 1n) === 0n);
    expect(missing).to.deep.equal([]);
    // Idempotent: nothing left, and a second resume does nothing.
    expect(await new PendingWrites(home, keys).listPending()).to.deep.equal([]);
    expect(await issuerAgent.lerResumePending({ issuer })).to.deep.equal({ resumed: [], failed: [] });
    // Re-running the same revocation after the crash (what a user would do) succeeds too.
    const again = await issuerAgent.lerRevoke({ issuer, entries: spread(10) });
    expect(again).to.have.length(3);
    const now = Math.max(await w.now(), Math.ceil(Date.now() / 1000));
    const sample = (await w.agent.lerVerifyCredential({ credential: records[0]!.jwt, now })).checks.find(
      (c) => c.id === "status",
    );
    expect(sample?.code).to.equal("credential_revoked");
  });

  it("two agents issuing and anchoring for the same issuer at once never share a status index nor collide on a nonce", async () => {
    // Both send anchors from the issuer's one key at the same moments: the per-key nonce lock in the shared home
    // serialises their broadcasts (without it one of them fails with "nonce too low").
    const pair = [0, 1].map(() => worker(args(["issue", "25", "4"])));
    for (const c of pair) await exitedCleanly(c);
    const all = pair.flatMap(handedOut);
    expect(all).to.have.length(2 * 25 * 4);
    const positions = new Set(all.map((h) => position(h.list, h.index)));
    expect(positions.size, "an index was given to two credentials").to.equal(all.length);
    const records = await ledgerRecords();
    const ids = new Set(records.map((r) => r.id));
    expect(all.every((h) => ids.has(h.id))).to.equal(true);
    // Every batch either worker handed out is anchored, by its own transaction, and nothing is left pending.
    const roots = pair.flatMap((c) => c.lines.filter((l) => l.startsWith("B ")).map((l) => l.split(" ")[1]!));
    expect(roots).to.have.length(2 * 4);
    for (const root of roots) {
      const anchored = await status.getFunction("anchorOf")(issuerAddress(), root);
      expect(anchored[0] > 0n, `batch ${root} not anchored`).to.equal(true);
    }
    expect(await new PendingWrites(home, keys).listPending()).to.deep.equal([]);
  });
});
