import { expect } from "chai";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { network } from "hardhat";
import { BrowserProvider, Transaction, Wallet, type Eip1193Provider } from "ethers";
import { chainPinPath, checkDeploymentOnChain } from "../../src/agent/chainOfHome.js";
import type { Deployment } from "../../src/chain/deployments.js";
import {
  STATE_FORMAT,
  effectiveRecords,
  lockStateFile,
  rawTransaction,
  readStateFile,
  type RpcTransaction,
  type StateRecord,
} from "../../src/chain/devstate.js";
import { deployRegistries } from "../../src/chain/deploy.js";
import { embeddedNetwork, type LerNetwork } from "../../src/chain/network.js";
import { startDevNode, type DevNode } from "../../src/cli/devchain.js";
import { rejection } from "../helpers/assert.js";

// The dev chain's state file (src/chain/devstate.ts) and the node that keeps it (startDevNode with `state`), in
// process: the file's format and its tolerance of a crash, and what the node refuses. `ler node` across restarts, as
// a user runs it, is test/cli/nodeState.test.ts.

const HASH = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
const header = (chainId = 31337) => ({
  format: STATE_FORMAT,
  version: 1,
  chainId,
  genesis: { hash: HASH(1), timestamp: 1_700_000_000 },
  created: "2026-01-01T00:00:00.000Z",
});
const block = (n: number): StateRecord => ({
  k: "block",
  n,
  ts: 1_700_000_000 + n,
  hash: HASH(100 + n),
  wall: 1_700_000_000 + n,
  off: 0,
  txs: [],
});
const lines = (...values: unknown[]) => values.map((v) => `${JSON.stringify(v)}\n`).join("");

describe("dev chain state file", function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "ler-devstate-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the header and the records; a torn last record (no newline, or a complete line of garbage) is dropped", () => {
    const file = join(dir, "s.state");
    const whole = lines(header(), { k: "session", at: "x" }, block(1), block(2));
    for (const tail of ['{"k":"block","n":3,"ts"', '{"k":"block"}\n', "\0\0\0\0\n", ""]) {
      writeFileSync(file, whole + tail);
      const s = readStateFile(file)!;
      expect(s.records.map((r) => r.k)).to.deep.equal(["session", "block", "block"]);
      expect(s.length).to.equal(Buffer.byteLength(whole));
      expect(s.torn).to.equal(Buffer.byteLength(tail));
    }
    expect(readStateFile(join(dir, "none.state"))).to.equal(undefined);
  });

  it("refuses a malformed record before the last, and a file that is not a state file (state_corrupt)", () => {
    const file = join(dir, "s.state");
    writeFileSync(file, lines(header(), block(1)) + "{oops\n" + lines(block(2)));
    expect(() => readStateFile(file))
      .to.throw(/malformed record on line 3/)
      .with.property("code", "state_corrupt");
    writeFileSync(file, lines({ network: "localhost", chainId: 31337, contracts: {} }));
    expect(() => readStateFile(file))
      .to.throw(/not a ler dev chain state file/)
      .with.property("code", "state_corrupt");
    writeFileSync(file, lines({ ...header(), version: 2 }));
    expect(() => readStateFile(file))
      .to.throw(/newer ler/)
      .with.property("code", "state_corrupt");
  });

  it("evm_revert voids the records since its snapshot and the snapshots after it; a restart forgets snapshots", () => {
    const records: StateRecord[] = [
      block(1),
      { k: "snapshot", id: "0x1" },
      block(2),
      { k: "snapshot", id: "0x2" },
      block(3),
      { k: "revert", id: "0x1" },
      block(2),
      { k: "session", at: "x" },
      { k: "snapshot", id: "0x1" },
      block(3),
      { k: "revert", id: "0x1" },
    ];
    const kept = effectiveRecords({ file: "f", records });
    expect(kept.map((r) => (r.k === "block" ? r.n : r.k))).to.deep.equal([1, 2]);
    expect(() => effectiveRecords({ file: "f", records: [{ k: "revert", id: "0x2" }] }))
      .to.throw(/never took/)
      .with.property("code", "state_corrupt");
  });

  it("rebuilds a mined transaction's signed form from its fields (EIP-1559, EIP-155 and pre-EIP-155 legacy)", async () => {
    const wallet = Wallet.createRandom();
    const cases = [
      { type: 2, chainId: 31337n, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1n, accessList: [] },
      { type: 0, chainId: 31337n, gasPrice: 1_000_000_000n },
      { type: 0, chainId: 0n, gasPrice: 1_000_000_000n },
    ];
    for (const c of cases) {
      const signed = Transaction.from(
        await wallet.signTransaction({
          ...c,
          nonce: 3,
          gasLimit: 50_000n,
          to: wallet.address,
          value: 5n,
          data: "0x1234",
        }),
      );
      // As a node returns it: hex quantities, `input`, `gas`, v/r/s (and yParity for typed transactions).
      const sig = signed.signature!;
      const q = (n: bigint | number) => `0x${n.toString(16)}`;
      const v =
        c.type !== 0 ? sig.yParity : c.chainId === 0n ? 27 + sig.yParity : c.chainId * 2n + 35n + BigInt(sig.yParity);
      const tx: RpcTransaction = {
        hash: signed.hash!,
        type: q(c.type),
        nonce: q(signed.nonce),
        gas: q(signed.gasLimit),
        to: signed.to,
        value: q(signed.value),
        input: signed.data,
        chainId: q(signed.chainId),
        ...(c.type === 0
          ? { gasPrice: q(signed.gasPrice!) }
          : {
              maxFeePerGas: q(signed.maxFeePerGas!),
              maxPriorityFeePerGas: q(signed.maxPriorityFeePerGas!),
              accessList: [],
            }),
        v: q(v),
        r: sig.r,
        s: sig.s,
        yParity: q(sig.yParity),
      };
      expect(rawTransaction(tx), `type ${c.type}, chain ${c.chainId}`).to.equal(signed.serialized);
      expect(() => rawTransaction({ ...tx, s: `0x${"1".repeat(64)}` })).to.throw(/cannot be saved/);
    }
  });

  it("one process per state file: a second is refused (state_in_use); a dead process's lock is taken over", () => {
    const file = join(dir, "s.state");
    const release = lockStateFile(file);
    expect(() => lockStateFile(file))
      .to.throw(/in use by another `ler node` \(pid \d+\)/)
      .with.property("code", "state_in_use");
    release();
    writeFileSync(`${file}.lock`, "999999999\n");
    lockStateFile(file)();
  });
});

describe("dev node with a state file (in process)", function () {
  this.timeout(60_000);
  let dir: string;
  let node: DevNode | undefined;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "ler-devnode-"))));
  afterEach(async () => {
    await node?.close();
    node = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  const start = (file: string, fresh = false) =>
    startDevNode({
      host: "127.0.0.1",
      port: 0,
      network: "localhost",
      deploymentsDir: join(dir, "deployments"),
      state: { file, fresh },
    });
  const rpc = async (url: string, method: string, params: unknown[] = []) => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    return (await res.json()) as { result?: unknown; error?: { message: string } };
  };

  it("refuses a state file of another chain id (state_wrong_chain), changing nothing", async () => {
    const file = join(dir, "other.state");
    const content = lines(header(1337), block(1));
    writeFileSync(file, content);
    const e = await rejection(start(file));
    expect(e).to.have.property("code", "state_wrong_chain");
    expect(e.message).to.match(/holds chain 1337/);
    expect(readFileSync(file, "utf8")).to.equal(content);
  });

  it("records the chain, refuses what it could not replay, and refuses a file whose blocks it does not rebuild (state_diverged)", async () => {
    const file = join(dir, "s.state");
    node = await start(file);
    const refused = await rpc(node.url, "hardhat_reset");
    expect(refused.error?.message).to.match(/not available on a `ler node` that keeps its state/);
    expect((await rpc(node.url, "evm_mine")).error).to.equal(undefined);
    await node.close();
    node = undefined;
    // The last block's recorded hash is not what replaying it gives.
    const text = readFileSync(file, "utf8");
    const i = text.lastIndexOf('"hash":"0x');
    const tampered = `${text.slice(0, i)}"hash":"0x${"e".repeat(64)}${text.slice(i + 74)}`;
    writeFileSync(file, tampered);
    const e = await rejection(start(file));
    expect(e).to.have.property("code", "state_diverged");
    expect(e.message).to.match(/gives another block at block 5/);
    expect(readFileSync(file, "utf8")).to.equal(tampered);
    // --fresh starts over, and keeps the file it replaces beside it.
    node = await start(file, true);
    expect(node.state).to.include({ restored: false, previous: `${file}.previous` });
    expect(readFileSync(`${file}.previous`, "utf8")).to.equal(tampered);
    expect(readStateFile(file)!.records.some((r) => r.k === "deployment")).to.equal(true);
  });
});

describe("is the deployment on the chain? (checkDeploymentOnChain)", function () {
  this.timeout(60_000);
  let eip1193: Eip1193Provider;
  let deployment: Deployment;
  let closeChain: () => Promise<void>;
  let dir: string;
  before(async () => {
    const connection = await network.create();
    closeChain = () => connection.close();
    eip1193 = connection.provider as unknown as Eip1193Provider;
    const deployer = await new BrowserProvider(eip1193, 31337).getSigner(0);
    ({ deployment } = await deployRegistries(deployer, { network: "embedded" }));
  });
  after(async () => await closeChain?.());
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "ler-onchain-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  // The check destroys the provider of a network it refuses: each call gets a network of its own.
  const networkWith = (change: (d: Deployment) => Deployment = (d) => d): LerNetwork =>
    embeddedNetwork(eip1193, change(structuredClone(deployment)), "embedded");
  const check = (n: LerNetwork, mode: "chain" | "verify" = "chain") =>
    checkDeploymentOnChain(n, { home: join(dir, "home"), mode, timeoutMs: 10_000 });

  it("passes a record whose contracts are there; a command that uses the chain has the home remember it", async () => {
    await check(networkWith(), "verify");
    expect(existsSync(chainPinPath(join(dir, "home"), "embedded"))).to.equal(false);
    await check(networkWith());
    const pin = JSON.parse(readFileSync(chainPinPath(join(dir, "home"), "embedded"), "utf8"));
    expect(pin).to.include({ chainId: 31337, address: deployment.contracts.TrustRegistry.address });
  });

  it("refuses a record naming an address without code, or a block the chain has another of (deployment_not_on_chain)", async () => {
    const empty = "0x000000000000000000000000000000000000dEaD";
    const noCode = await rejection(
      check(
        networkWith((d) => ({ ...d, contracts: { ...d.contracts, StatusRegistry: { address: empty, block: 1 } } })),
      ),
    );
    expect(noCode).to.have.property("code", "deployment_not_on_chain");
    expect(noCode.message).to.match(/no code at StatusRegistry 0x000000000000000000000000000000000000dEaD/);
    const moved = (d: Deployment) => ({
      ...d,
      contracts: { ...d.contracts, TrustRegistry: { ...d.contracts.TrustRegistry, blockHash: `0x${"ab".repeat(32)}` } },
    });
    const other = await rejection(check(networkWith(moved)));
    expect(other).to.have.property("code", "deployment_not_on_chain");
    expect(other.message).to.match(/is not the one the deployment record of "embedded" was written on/);
    // A home that remembers another chain: refused too, and told how to go on.
    await check(networkWith());
    const file = chainPinPath(join(dir, "home"), "embedded");
    writeFileSync(
      file,
      JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), blockHash: `0x${"cd".repeat(32)}` }),
    );
    const home = await rejection(check(networkWith()));
    expect(home.message).to.match(/is not the one this home .* was used with.*remove .*chains\/embedded\.json/);
  });
});
