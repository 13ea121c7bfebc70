import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AbiCoder, encodeBytes32String, id as topicOf, Interface, zeroPadValue, type JsonRpcProvider } from "ethers";
import { createLerAgent, type LerAgent } from "../../src/agent/agent.js";
import { projectArtifact } from "../../src/chain/artifacts.js";
import { rpcProvider } from "../../src/chain/provider.js";
import { readSnapshot } from "../../src/chain/reads.js";
import { VerifierPool } from "../../src/verify/pool.js";
import type { CredentialReport, PresentationReport } from "../../src/verify/report.js";
import { createAdversarialWorld, type AdversarialWorld } from "../adversarial/world.js";
import { startFaultyRpc, type Fault, type FaultyRpc, type RpcRequest, type RpcResponse } from "../helpers/faultyRpc.js";

// A verifier whose node fails or lies must answer `unknown` with the reason, within its read timeout, and never
// `valid`. The node is a real Hardhat JSON-RPC server; a proxy of ours on loopback breaks it in every way below.

const READ_TIMEOUT_MS = 400;
/** Every fault must be reported well within this (the read timeout plus slack for a loaded machine). */
const BOUND_MS = 3000;

const multicall = new Interface(projectArtifact("Multicall3").abi);
const statusIface = new Interface(projectArtifact("StatusRegistry").abi);
const abi = AbiCoder.defaultAbiCoder();

type Results = [boolean, string][];

/** A lie told inside the registries' batched eth_call: `edit` changes the decoded sub-results in place. */
function lieInMulticall(edit: (selectors: string[], results: Results) => void): Fault {
  return {
    kind: "rewrite",
    rewrite: (request: RpcRequest, response: RpcResponse) => {
      const tx = (request.params?.[0] ?? {}) as { data?: string; input?: string };
      const data = tx.data ?? tx.input;
      if (
        typeof response.result !== "string" ||
        data === undefined ||
        !data.startsWith(multicall.getFunction("aggregate3")!.selector)
      ) {
        return response;
      }
      const [calls] = multicall.decodeFunctionData("aggregate3", data) as unknown as [[string, boolean, string][]];
      const [decoded] = multicall.decodeFunctionResult("aggregate3", response.result) as unknown as [
        [boolean, string][],
      ];
      const results: Results = decoded.map(([ok, ret]) => [ok, ret]);
      edit(
        calls.map((c) => c[2].slice(0, 10)),
        results,
      );
      return { ...response, result: multicall.encodeFunctionResult("aggregate3", [results]) };
    },
  };
}

const selectorOf = (iface: Interface, fn: string) => iface.getFunction(fn)!.selector;
const uint = (n: bigint | number) => abi.encode(["uint256"], [n]);

function rewriteResult(method: string, result: (r: RpcResponse) => unknown): [Fault, (m: string) => boolean] {
  return [{ kind: "rewrite", rewrite: (_q, r) => ({ ...r, result: result(r) }) }, (m) => m === method];
}

/** A log as eth_getLogs answers it. */
type RawLog = { topics: string[]; data: string; blockNumber: string; address: string };

const codes = (r: CredentialReport) => Object.fromEntries(r.checks.map((c) => [c.id, `${c.outcome}:${c.code}`]));

describe("reliability: RPC faults give unknown with the reason, never valid", function () {
  this.timeout(120_000);
  let w: AdversarialWorld;
  let proxy: FaultyRpc;
  let home: string;
  const providers: JsonRpcProvider[] = [];
  /** A verifier that has verified (and so cached) honestly once already. */
  let warm: LerAgent;

  /**
   * A verifier agent behind the proxy, with a provider of its own: verifiers cache chain reads per provider, so a
   * fresh one reads everything from the (faulty) node.
   */
  async function freshVerifier(): Promise<LerAgent> {
    const provider = rpcProvider(proxy.url, w.chainId);
    providers.push(provider);
    return createLerAgent({
      network: { ...w.base.network, provider, rpcUrl: proxy.url },
      home: mkdtempSync(join(home, "verifier-")),
      secret: "verifier secret",
      readTimeoutMs: READ_TIMEOUT_MS,
    });
  }

  before(async () => {
    w = await createAdversarialWorld("json-rpc");
    proxy = await startFaultyRpc(w.base.network.rpcUrl!);
    home = mkdtempSync(join(tmpdir(), "ler-verifiers-"));
    warm = await freshVerifier();
    expect((await verify(warm)).report.result).to.equal("valid");
  });
  beforeEach(() => proxy?.setFault({ kind: "pass" }));
  after(async () => {
    for (const p of providers) p.destroy();
    await proxy?.close();
    await w?.close();
    if (home !== undefined) rmSync(home, { recursive: true, force: true });
  });

  /** Verifies through the proxy, timing it. */
  async function verify(
    verifier: LerAgent,
    token: string = w.tokens.uniForAda,
  ): Promise<{ report: CredentialReport; ms: number }> {
    const started = performance.now();
    const report = await verifier.lerVerifyCredential({ credential: token, now: w.now });
    return { report, ms: performance.now() - started };
  }

  function expectUnknown(report: CredentialReport, ms: number, code: string): void {
    const why = JSON.stringify(report.checks.map((c) => `${c.id}:${c.outcome}:${c.code}`));
    expect(report.result, why).to.equal("unknown");
    // Everything that needs the chain is unknown with the reason; what needs no chain still passes.
    expect(codes(report), why).to.include({
      format: "pass:well_formed",
      signature: `unknown:${code}`,
      trust: `unknown:${code}`,
      status: `unknown:${code}`,
    });
    expect(ms, "bounded").to.be.below(BOUND_MS);
  }

  it("a node that answers each request in three quarters of the timeout: the read's requests share one budget -> unknown: chain_timeout, within it", async () => {
    const verifier = await freshVerifier();
    proxy.methods.length = 0;
    proxy.setFault({
      kind: "rewrite",
      rewrite: async (_q, r) => {
        await sleep((READ_TIMEOUT_MS * 3) / 4);
        return r;
      },
    });
    const { report, ms } = await verify(verifier);
    // Each request alone would have been in time: the read makes more than one, one after another.
    expect(proxy.methods.length, proxy.methods.join()).to.be.at.least(2);
    expectUnknown(report, ms, "chain_timeout");
    expect(ms, "the timeout bounds the read, not each request").to.be.below(READ_TIMEOUT_MS + 500);
  });

  it("control: through the proxy, passing everything, the credential is valid, in one eth_call and one eth_getLogs", async () => {
    proxy.methods.length = 0;
    const { report } = await verify(await freshVerifier());
    expect(report.result, JSON.stringify(report.checks)).to.equal("valid");
    expect(proxy.methods.filter((m) => m === "eth_call")).to.have.length(1);
    // The university's DID document changed (delegates), so its history is read from the logs.
    expect(proxy.methods.filter((m) => m === "eth_getLogs")).to.have.length(1);
  });

  const faults: { name: string; fault: () => [Fault, ((m: string) => boolean)?]; code: string }[] = [
    { name: "the node times out (hangs) on eth_call", fault: () => [{ kind: "hang" }], code: "chain_timeout" },
    {
      name: "the node times out on eth_getLogs only",
      fault: () => [{ kind: "hang" }, (m) => m === "eth_getLogs"],
      code: "chain_timeout",
    },
    { name: "HTTP 500", fault: () => [{ kind: "http500" }], code: "chain_error" },
    { name: "a body that is not JSON", fault: () => [{ kind: "malformed" }], code: "chain_error" },
    {
      name: "a JSON-RPC error object",
      fault: () => [{ kind: "rpcError", code: -32000, message: "header not found" }],
      code: "chain_error",
    },
    {
      name: "a JSON-RPC error on eth_getLogs only",
      fault: () => [
        { kind: "rpcError", code: -32005, message: "query returned more than 10000 results" },
        (m) => m === "eth_getLogs",
      ],
      code: "chain_error",
    },
    { name: "the connection reset without an answer", fault: () => [{ kind: "reset" }], code: "chain_unreachable" },
    {
      name: "a wrong chain id (the node serves another chain)",
      fault: () => [
        lieInMulticall((sel, res) =>
          sel.forEach((s, i) => s === selectorOf(multicall, "getChainId") && (res[i]![1] = uint(1))),
        ),
      ],
      code: "wrong_chain",
    },
    {
      name: "an eth_call result of the wrong length",
      fault: () => rewriteResult("eth_call", (r) => (r.result as string).slice(0, -64)),
      code: "chain_inconsistent",
    },
    {
      name: "an empty eth_call result (no contract there)",
      fault: () => rewriteResult("eth_call", () => "0x"),
      code: "chain_inconsistent",
    },
    {
      name: "fewer sub-results than sub-calls",
      fault: () => [lieInMulticall((_sel, res) => void res.pop())],
      code: "chain_inconsistent",
    },
    {
      name: "a sub-result of the wrong length (the last registry read cut short)",
      fault: () => [lieInMulticall((_sel, res) => void (res[res.length - 1]![1] = "0x01"))],
      code: "chain_inconsistent",
    },
    {
      name: "fewer hash revocation times than hashes asked (the node drops the one that is revoked)",
      fault: () => [
        lieInMulticall((sel, res) =>
          sel.forEach(
            (s, i) =>
              s === selectorOf(statusIface, "hashesRevokedAt") && (res[i]![1] = abi.encode(["uint256[]"], [[]])),
          ),
        ),
      ],
      code: "chain_inconsistent",
    },
    {
      name: "a block number that goes backwards, below the issuer's last DID change",
      fault: () => [
        lieInMulticall((sel, res) =>
          sel.forEach((s, i) => s === selectorOf(multicall, "getBlockNumber") && (res[i]![1] = uint(1))),
        ),
      ],
      code: "chain_inconsistent",
    },
    {
      name: "logs missing the DID change the registry reports",
      fault: () => rewriteResult("eth_getLogs", () => []),
      code: "chain_inconsistent",
    },
    {
      name: "logs that are not logs (a string)",
      fault: () => rewriteResult("eth_getLogs", () => "0xdeadbeef"),
      code: "chain_inconsistent",
    },
  ];

  for (const { name, fault, code } of faults) {
    it(`${name} -> unknown: ${code}, within the timeout`, async () => {
      const verifier = await freshVerifier();
      const [f, only] = fault();
      proxy.setFault(f, only);
      const { report, ms } = await verify(verifier);
      expectUnknown(report, ms, code);
    });
  }

  // A verifier with answers cached must not fall back on them when the node fails: a new block may have changed them.
  const failures: [string, () => Promise<void>, string][] = [
    ["hangs", async () => proxy.setFault({ kind: "hang" }), "chain_timeout"],
    ["answers HTTP 500", async () => proxy.setFault({ kind: "http500" }), "chain_error"],
    ["answers JSON-RPC errors", async () => proxy.setFault({ kind: "rpcError" }), "chain_error"],
    ["is down", () => proxy.down(), "chain_unreachable"],
  ];
  for (const [what, fail, code] of failures) {
    it(`a verifier with a warm cache, when the node ${what} -> unknown: ${code}, not its cached answer; then valid again`, async () => {
      await fail();
      try {
        const { report, ms } = await verify(warm);
        expectUnknown(report, ms, code);
      } finally {
        await proxy.up();
        proxy.setFault({ kind: "pass" });
      }
      expect((await verify(warm)).report.result).to.equal("valid");
    });
  }

  it("after a lying answer, the next honest one is believed: no lie is cached", async () => {
    const verifier = await freshVerifier();
    proxy.setFault(...rewriteResult("eth_getLogs", () => []));
    expect((await verify(verifier)).report.result).to.equal("unknown");
    proxy.setFault({ kind: "pass" });
    expect((await verify(verifier)).report.result).to.equal("valid");
  });

  it("a batch under HTTP 500 -> every credential unknown", async () => {
    const verifier = await freshVerifier();
    proxy.setFault({ kind: "http500" });
    const reports = await verifier.lerVerifyCredentials({
      credentials: [w.tokens.uniForAda, w.tokens.millEarly, w.tokens.revoked],
      now: w.now,
    });
    // The revoked one cannot be known revoked without the chain either.
    expect(reports.map((r) => r.result)).to.deep.equal(["unknown", "unknown", "unknown"]);
  });

  it("a presentation with the node down -> unknown, the holder's signature unknown too", async () => {
    const token = w.presentation({ credentials: [w.tokens.uniForAda] });
    const verifier = await freshVerifier();
    await proxy.down();
    let report: PresentationReport;
    try {
      report = await verifier.lerVerifyPresentation({
        presentation: token,
        challenge: "challenge-4f1c7a",
        domain: "employer.example",
        now: w.now,
      });
    } finally {
      await proxy.up();
    }
    expect(report.result).to.equal("unknown");
    expect(report.checks.find((c) => c.id === "holder_signature")).to.deep.include({
      outcome: "unknown",
      code: "chain_unreachable",
    });
    expect(report.credentials[0]!.result).to.equal("unknown");
  });

  it("logs that carry a DID event from another contract (a forged delegate for the attacker) are ignored or flagged, never believed", async () => {
    // The attacker signs in the university's name; a lying node adds to the real history a DIDDelegateChanged that
    // makes the attacker a veriKey delegate, emitted (or made up) at an address that is not the ERC-1056 registry.
    const forged = w.credential({ issuer: "university", signer: "mallory" });
    expect(
      (await verify(await freshVerifier(), forged)).report.result,
      "an honest node: the forgery is invalid",
    ).to.equal("invalid");
    const head = await w.base.network.provider.getBlockNumber();
    proxy.setFault(
      {
        kind: "rewrite",
        rewrite: (_q, r) => {
          const logs = r.result as Record<string, unknown>[];
          const template = logs[logs.length - 1]!;
          const fake = {
            ...template,
            address: w.wallets.mallory.address.toLowerCase(),
            topics: [
              topicOf("DIDDelegateChanged(address,bytes32,address,uint256,uint256)"),
              zeroPadValue(w.wallets.university.address, 32).toLowerCase(),
            ],
            data: abi.encode(
              ["bytes32", "address", "uint256", "uint256"],
              [encodeBytes32String("veriKey"), w.wallets.mallory.address, 2n ** 40n, 0],
            ),
            blockNumber: `0x${head.toString(16)}`,
            logIndex: "0x7",
          };
          return { ...r, result: [...logs, fake] };
        },
      },
      (m) => m === "eth_getLogs",
    );
    const { report } = await verify(await freshVerifier(), forged);
    const why = JSON.stringify(report.checks.map((c) => `${c.id}:${c.outcome}:${c.code}`));
    expect(report.result, why).to.not.equal("valid");
    expect(codes(report).signature, why).to.be.oneOf(["fail:invalid_signature", "unknown:chain_inconsistent"]);
  });

  it("a pool's threads behind a load-balanced endpoint that does not know the probed block's hash read unpinned: valid", async () => {
    let refused = 0;
    proxy.setFault(
      {
        kind: "rewrite",
        rewrite: (q, r) => {
          const tag = q.params?.[1];
          if (typeof tag !== "object" || tag === null || !("blockHash" in tag)) return r;
          refused++;
          return { jsonrpc: "2.0", id: r.id, error: { code: -32000, message: "header not found" } };
        },
      },
      (m) => m === "eth_call",
    );
    const pool = new VerifierPool({
      rpcUrl: proxy.url,
      deployment: w.base.network.deployment,
      networkName: w.networkName,
      threads: 2,
    });
    try {
      const tokens = [w.tokens.uniForAda, w.tokens.revoked, w.tokens.uniForGrace];
      const reports = await pool.verifyCredentials(tokens, { now: w.now });
      expect(refused, "the pinned read was refused").to.be.greaterThan(0);
      expect(reports.map((r) => r.result)).to.deep.equal(["valid", "invalid", "valid"]);
      expect(codes(reports[1]!).status).to.equal("fail:credential_revoked");
    } finally {
      await pool.close();
    }
  });

  describe("an endpoint that caps the block range of eth_getLogs (as public endpoints do)", () => {
    const MAX_RANGE = 3;
    const delegateChanged = topicOf("DIDDelegateChanged(address,bytes32,address,uint256,uint256)");
    /** Wide queries refused with the error such endpoints give; narrow ones answered by the node, through `narrow`. */
    function capRange(narrow: (logs: RawLog[], block: number) => RawLog[] = (l) => l) {
      let refused = 0;
      let narrowQueries = 0;
      proxy.setFault(
        {
          kind: "rewrite",
          rewrite: (q, r) => {
            const { fromBlock, toBlock } = (q.params?.[0] ?? {}) as { fromBlock: string; toBlock: string };
            const from = Number(fromBlock);
            if (Number(toBlock) - from + 1 > MAX_RANGE) {
              refused++;
              return {
                jsonrpc: "2.0",
                id: r.id,
                error: { code: -32005, message: `query exceeds max block range ${MAX_RANGE}` },
              };
            }
            narrowQueries++;
            return { ...r, result: narrow(r.result as RawLog[], from) };
          },
        },
        (m) => m === "eth_getLogs",
      );
      return { refused: () => refused, narrowQueries: () => narrowQueries };
    }
    // Issuers whose DID documents changed: delegates (valid, expired, of another type, revoked), a rotation, a
    // deactivation; each token's verdict depends on reading the whole history.
    const tokens = () => ({
      university: w.tokens.uniForAda,
      delegateValid: w.credential({ issuer: "university", signer: "delegateValid" }),
      delegateRevoked: w.credential({ issuer: "university", signer: "delegateRevoked" }),
      delegateWrongType: w.credential({ issuer: "university", signer: "delegateWrongType" }),
      rotatedAnchoredBefore: w.tokens.rotatedAnchoredBefore,
      rotatedOldKeyNow: w.credential({ issuer: "rotated", status: false }),
      deactivated: w.credential({ issuer: "deactivated" }),
    });

    it("reads DID histories by following previousChange links, one block at a time: every verdict as through an uncapped endpoint", async () => {
      const all = tokens();
      const uncapped = await freshVerifier();
      const expected: Record<string, Record<string, string>> = {};
      for (const [name, token] of Object.entries(all)) expected[name] = codes((await verify(uncapped, token)).report);
      expect(expected.delegateValid!.signature, "the history matters: a delegate signs").to.equal(
        "pass:signature_valid",
      );
      expect(expected.delegateRevoked!.signature, "and a revoked one does not").to.equal("fail:invalid_signature");

      const capped = capRange();
      const verifier = await freshVerifier();
      for (const [name, token] of Object.entries(all)) {
        expect(codes((await verify(verifier, token)).report), name).to.deep.equal(expected[name]);
      }
      expect(capped.narrowQueries(), "several single-block queries").to.be.greaterThan(3);
      expect(capped.refused(), "the wide query is tried once per verifier, then links are followed at once").to.equal(
        1,
      );
    });

    it("the histories read by links are the histories read in one range, event for event, for every identity", async () => {
      const request = {
        issuers: Object.values(w.wallets).map((x) => x.address),
        typeNames: [],
        statuses: [],
        hashes: [],
        anchors: [],
      };
      const { deployment } = w.base.network;
      const direct = rpcProvider(w.base.network.rpcUrl!, w.chainId);
      const viaProxy = rpcProvider(proxy.url, w.chainId);
      providers.push(direct, viaProxy);
      const whole = await readSnapshot(direct, deployment, request);
      const changed = [...whole.didEvents.values()].filter((events) => events.length > 0);
      expect(changed.length, "identities with histories (university, rotated, deactivated)").to.be.at.least(3);
      expect(Math.max(...changed.map((events) => events.length)), "one with several changes").to.be.greaterThan(4);
      const capped = capRange();
      const linked = await readSnapshot(viaProxy, deployment, request);
      expect(capped.refused()).to.equal(1);
      expect(linked.block).to.equal(whole.block);
      expect(linked.didEvents).to.deep.equal(whole.didEvents);
    });

    it("a capped endpoint whose block logs lack the change the registry reports -> unknown: chain_inconsistent", async () => {
      capRange(() => []);
      const started = performance.now();
      const { report } = await verify(await freshVerifier());
      expectUnknown(report, performance.now() - started, "chain_inconsistent");
    });

    it("a capped endpoint whose links do not lead back in time (a loop) -> unknown: chain_inconsistent", async () => {
      // Every delegate change claims its previous change was in its own block.
      capRange((logs, block) =>
        logs.map((l) =>
          l.topics[0] === delegateChanged
            ? { ...l, data: `${l.data.slice(0, -64)}${block.toString(16).padStart(64, "0")}` }
            : l,
        ),
      );
      const started = performance.now();
      const { report } = await verify(await freshVerifier());
      expectUnknown(report, performance.now() - started, "chain_inconsistent");
    });

    it("a capped endpoint that also refuses single blocks -> unknown: chain_error", async () => {
      proxy.setFault(
        { kind: "rpcError", code: -32005, message: "query exceeds max block range 0" },
        (m) => m === "eth_getLogs",
      );
      const started = performance.now();
      const { report } = await verify(await freshVerifier());
      expectUnknown(report, performance.now() - started, "chain_error");
    });
  });
});
