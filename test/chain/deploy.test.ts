import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { network } from "hardhat";
import { getBytes, hexlify } from "ethers";
import { projectArtifact } from "../../src/chain/artifacts.js";
import { deployRegistries, sameCode } from "../../src/chain/deploy.js";
import { readDeployment } from "../../src/chain/deployments.js";
import { rpcProvider } from "../../src/chain/provider.js";
import { rejection } from "../helpers/assert.js";

const run = promisify(execFile);
/** `tsx scripts/deploy.ts args…` as its own process, under this Node with tsx as loader (no npx in between). */
const deployProcess = (args: string[], options: { env?: NodeJS.ProcessEnv } = {}) =>
  run(process.execPath, ["--import", "tsx", "scripts/deploy.ts", ...args], options);

describe("deployment", function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof network.createServer>>;
  let url: string;
  let dir: string;

  before(async () => {
    server = await network.createServer({ network: "default", override: { chainId: 31_999 } }, "127.0.0.1", 0);
    const { address, port } = await server.listen();
    url = `http://${address}:${port}`;
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ler-deploy-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const deployScript = (...args: string[]) =>
    deployProcess(["--rpc", url, "--network", "testnet", "--out", dir, ...args], {
      env: { ...process.env, LER_DEPLOYER_KEY: "" },
    });

  it("deploys over JSON-RPC, writes the record, and keeps what is there on a re-run", async () => {
    const first = await deployScript();
    expect(first.stdout).to.match(/TrustRegistry .* \(deployed\)/);
    const record = readDeployment(join(dir, "testnet.json"))!;
    expect(record.chainId).to.equal(31_999);
    expect(record.network).to.equal("testnet");
    const provider = rpcProvider(url);
    try {
      for (const c of Object.values(record.contracts)) {
        expect(await provider.getCode(c.address)).to.not.equal("0x");
        expect(c.block).to.be.greaterThan(0);
      }
    } finally {
      provider.destroy();
    }

    const second = await deployScript();
    expect(second.stdout).to.not.match(/\(deployed\)/);
    expect(readDeployment(join(dir, "testnet.json"))).to.deep.equal(record);

    const forced = await deployScript("--force");
    expect(forced.stdout.match(/\(deployed\)/g)).to.have.length(4);
    expect(readDeployment(join(dir, "testnet.json"))!.contracts.TrustRegistry.address).to.not.equal(
      record.contracts.TrustRegistry.address,
    );
  });

  it("refuses a record from another chain, and bad arguments, with clear errors", async () => {
    const provider = rpcProvider(url);
    const signer = await provider.getSigner(0);
    try {
      const { deployment } = await deployRegistries(signer, { network: "x" });
      const wrongChain = await rejection(
        deployRegistries(signer, { network: "x", previous: { ...deployment, chainId: 1 } }),
      );
      expect(wrongChain.code).to.equal("wrong_chain");
      expect(wrongChain.message).to.match(/chain 1, but the RPC endpoint serves chain 31999/);
      const noCode = await rejection(
        deployRegistries(signer, { network: "x", didRegistry: "0x000000000000000000000000000000000000dEaD" }),
      );
      expect(noCode.code).to.equal("no_contract");
    } finally {
      provider.destroy();
    }
    const usage = await deployScript("--confirmations", "zero").catch((e: { code: number; stderr: string }) => e);
    expect((usage as { code: number }).code).to.equal(64);
    expect((usage as { stderr: string }).stderr).to.match(/--confirmations must be a whole number/);
    const down = await deployProcess(["--rpc", "http://127.0.0.1:9", "--out", dir]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((down as { code: number }).code).to.equal(2);
    expect((down as { stderr: string }).stderr).to.match(/chain_unreachable/);
    expect((down as { stderr: string }).stderr).to.not.match(/at .*\.ts:\d+/);
  });

  it("refuses to keep a registry whose code is another version (its records cannot move); --force deploys beside it", async () => {
    const provider = rpcProvider(url);
    const signer = await provider.getSigner(0);
    try {
      const { deployment } = await deployRegistries(signer, { network: "x" });
      // Another version of the status registry: here, code that is not a status registry at all.
      const other = {
        ...deployment,
        contracts: { ...deployment.contracts, StatusRegistry: deployment.contracts.TrustRegistry },
      };
      const outdated = await rejection(deployRegistries(signer, { network: "x", previous: other }));
      expect(outdated.code).to.equal("outdated_contract");
      expect(outdated.message).to.match(/StatusRegistry at 0x[0-9a-fA-F]{40} is another version/);
      expect(outdated.message).to.match(/--force/);
      const forced = await deployRegistries(signer, { network: "x", previous: other, force: true });
      expect(forced.deployed).to.include("StatusRegistry");
      // Byte by byte: the immutables and the metadata trailer may differ, nothing else.
      const artifact = projectArtifact("StatusRegistry");
      const code = getBytes(await provider.getCode(deployment.contracts.StatusRegistry.address));
      expect(sameCode(hexlify(code), artifact)).to.equal(true);
      const flipped = (at: number) => {
        const c = Uint8Array.from(code);
        c[at]! ^= 0xff;
        return hexlify(c);
      };
      const immutable = Object.values(artifact.immutableReferences!)[0]![0]!.start;
      expect(sameCode(flipped(immutable), artifact), "an immutable").to.equal(true);
      expect(sameCode(flipped(code.length - 10), artifact), "the metadata").to.equal(true);
      expect(sameCode(flipped(100), artifact), "an instruction").to.equal(false);
      expect(sameCode(hexlify(code.subarray(0, code.length - 1)), artifact), "shorter").to.equal(false);
      // The same release's contracts (immutables and all) are recognised and kept.
      const again = await deployRegistries(signer, { network: "x", previous: deployment });
      expect(again.deployed).to.deep.equal([]);
      expect(again.deployment).to.deep.equal(deployment);
      // An operator's head-age bound in the record survives a redeploy.
      const tuned = await deployRegistries(signer, {
        network: "x",
        previous: { ...deployment, maxHeadAgeSeconds: 600 },
      });
      expect(tuned.deployment).to.deep.equal({ ...deployment, maxHeadAgeSeconds: 600 });
    } finally {
      provider.destroy();
    }
  });

  it("writes deployment files atomically, as JSON a human can read", async () => {
    await deployScript();
    const text = readFileSync(join(dir, "testnet.json"), "utf8");
    expect(text.endsWith("\n")).to.equal(true);
    expect(JSON.parse(text).contracts.EthereumDIDRegistry.address).to.match(/^0x[0-9a-fA-F]{40}$/);
  });
});
