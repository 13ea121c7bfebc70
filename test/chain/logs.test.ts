import { expect } from "chai";
import type { Log, Provider } from "ethers";
import { getLogs, isRangeRefusal } from "../../src/chain/logs.js";
import { ChainError } from "../../src/errors.js";

/** A JSON-RPC error answer as ethers' JsonRpcProvider throws it. */
const rpcError = (code: number, message: string) =>
  Object.assign(new Error("could not coalesce error"), {
    code: "UNKNOWN_ERROR",
    shortMessage: "could not coalesce error",
    error: { code, message },
  });

/**
 * A node with one log in every block 0..`head`, answering `eth_getLogs` over at most `cap` blocks (wider: a JSON-RPC
 * error, as public endpoints answer), or failing every request with `fail`.
 */
function fakeNode({ head = 99, cap = Infinity, fail }: { head?: number; cap?: number; fail?: () => Error } = {}) {
  const requests: string[] = [];
  const provider = {
    async getBlockNumber() {
      requests.push("eth_blockNumber");
      return head;
    },
    async getLogs(filter: {
      fromBlock: number | string;
      toBlock: number | string;
      address: unknown;
      topics?: unknown;
    }) {
      const from = Number(filter.fromBlock);
      const to = filter.toBlock === "latest" ? head : Number(filter.toBlock);
      requests.push(`eth_getLogs ${from}-${to}`);
      if (fail !== undefined) throw fail();
      if (to - from + 1 > cap) throw rpcError(-32005, `query exceeds max block range ${cap}`);
      return Array.from(
        { length: Math.max(0, to - from + 1) },
        (_, i) => ({ blockNumber: from + i, index: 0 }) as unknown as Log,
      );
    },
  };
  return { provider: provider as unknown as Provider, requests };
}

const blocks = (logs: Log[]) => logs.map((l) => l.blockNumber);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("chain/logs: the one eth_getLogs helper", () => {
  it("reads a range in chunks of at most maxBlockRange blocks, logs in block order", async () => {
    const node = fakeNode();
    const logs = await getLogs(node.provider, { address: "0x0", fromBlock: 0, toBlock: 25 }, { maxBlockRange: 10 });
    expect(blocks(logs)).to.deep.equal(range(0, 25));
    expect(node.requests).to.deep.equal(["eth_getLogs 0-9", "eth_getLogs 10-19", "eth_getLogs 20-25"]);
  });

  it("sends one request over the whole range when no cap is given and the endpoint takes it", async () => {
    const node = fakeNode();
    const logs = await getLogs(node.provider, { address: "0x0", fromBlock: 3, toBlock: "latest" });
    expect(blocks(logs)).to.deep.equal(range(3, 99));
    expect(node.requests).to.deep.equal(["eth_getLogs 3-99"]);
  });

  it("reads in halves what a capped endpoint refuses, and keeps the smaller width for the rest of the range", async () => {
    const node = fakeNode({ cap: 30 });
    const logs = await getLogs(node.provider, { address: "0x0", fromBlock: 0, toBlock: "latest" });
    expect(blocks(logs), "every log, once, in order").to.deep.equal(range(0, 99));
    // The whole range refused, then the head read, 50 refused, then chunks of 25.
    expect(node.requests).to.deep.equal([
      "eth_getLogs 0-99",
      "eth_blockNumber",
      "eth_getLogs 0-49",
      "eth_getLogs 0-24",
      "eth_getLogs 25-49",
      "eth_getLogs 50-74",
      "eth_getLogs 75-99",
    ]);
  });

  it("halves a configured chunk the endpoint still refuses", async () => {
    const node = fakeNode({ cap: 4 });
    const logs = await getLogs(node.provider, { address: "0x0", fromBlock: 10, toBlock: 19 }, { maxBlockRange: 10 });
    expect(blocks(logs)).to.deep.equal(range(10, 19));
    expect(node.requests).to.deep.equal([
      "eth_getLogs 10-19",
      "eth_getLogs 10-14",
      "eth_getLogs 10-11",
      "eth_getLogs 12-13",
      "eth_getLogs 14-15",
      "eth_getLogs 16-17",
      "eth_getLogs 18-19",
    ]);
  });

  it("gives up with a chain_error when even one block is refused", async () => {
    const node = fakeNode({ cap: 0 });
    const e = await getLogs(node.provider, { address: "0x0", fromBlock: 0, toBlock: 3 }).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(ChainError);
    expect((e as ChainError).code).to.equal("chain_error");
    expect(node.requests.at(-1)).to.match(/^eth_getLogs (\d+)-\1$/);
  });

  it("does not retry a node that cannot be reached: one request, chain_unreachable", async () => {
    const node = fakeNode({
      fail: () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), { code: "ECONNREFUSED" }),
    });
    const e = await getLogs(node.provider, { address: "0x0", fromBlock: 0, toBlock: 99 }, { maxBlockRange: 10 }).catch(
      (x: unknown) => x,
    );
    expect((e as ChainError).code).to.equal("chain_unreachable");
    expect(node.requests).to.deep.equal(["eth_getLogs 0-9"]);
  });

  it("reads nothing for an empty range", async () => {
    const node = fakeNode();
    expect(
      await getLogs(node.provider, { address: "0x0", fromBlock: 5, toBlock: 4 }, { maxBlockRange: 10 }),
    ).to.deep.equal([]);
    expect(node.requests).to.deep.equal([]);
  });

  it("tells a refused range from other failures", () => {
    expect(isRangeRefusal(rpcError(-32005, "query returned more than 10000 results"))).to.equal(true);
    expect(isRangeRefusal(rpcError(-32000, "block range is too wide"))).to.equal(true);
    expect(
      isRangeRefusal(
        new ChainError("chain_error", "x", { cause: rpcError(-32602, "exceed maximum block range: 5000") }),
      ),
    ).to.equal(true);
    expect(isRangeRefusal(rpcError(-32000, "execution reverted"))).to.equal(false);
    expect(
      isRangeRefusal(new ChainError("chain_timeout", "The node did not answer eth_getLogs within 10 ms.")),
    ).to.equal(false);
  });
});
