import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { getAddress, isAddress, type Provider } from "ethers";
import { LerError } from "../errors.js";
import { isHeadAgeSeconds } from "./presets.js";

/** Where one contract lives. */
export interface ContractDeployment {
  address: string;
  /** Block of the deployment transaction: log scans start here. */
  block: number;
  /** This project's version of the contract (its EIP-712 domain version), for the registries it deploys. */
  version?: string;
  /**
   * The hash of block `block` when the record was written, on dev chains only (see {@link RESETTABLE_CHAIN_IDS}):
   * a dev chain that restarted empty has other blocks at that height, and the record is then known not to be its.
   */
  blockHash?: string;
}

/**
 * The versions of the registries this release deploys. TrustRegistry 2 keeps every accreditation's history and judges
 * trust at a past time from it; a version-1 registry kept only the current state and cannot be read by this release.
 */
export const CONTRACT_VERSIONS = { TrustRegistry: "2", StatusRegistry: "1" } as const;

/** The contracts this project uses on one network. */
export interface DeployedContracts {
  EthereumDIDRegistry: ContractDeployment;
  TrustRegistry: ContractDeployment;
  StatusRegistry: ContractDeployment;
  Multicall3: ContractDeployment;
}

export const CONTRACT_NAMES = ["EthereumDIDRegistry", "TrustRegistry", "StatusRegistry", "Multicall3"] as const;

/** The content of `deployments/<network>.json`. */
export interface Deployment {
  network: string;
  chainId: number;
  contracts: DeployedContracts;
  /**
   * The oldest head, in seconds behind the verifier's clock, that verifiers of this network believe; null: not
   * checked. Absent: the chain's preset (see presets.ts). Set by hand, for a chain the presets do not know or a node
   * that should be held closer.
   */
  maxHeadAgeSeconds?: number | null;
}

/** Path of the deployment file of `network` in `dir`. */
export function deploymentPath(dir: string, network: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(network)) {
    throw new LerError("invalid_network_name", `Network names are letters, digits, '.', '_' and '-': "${network}".`);
  }
  return join(dir, `${network}.json`);
}

/** Reads and checks a deployment file; `undefined` when there is none. */
export function readDeployment(file: string): Deployment | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new LerError("deployment_unreadable", `Cannot read ${file}.`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new LerError("deployment_invalid", `${file} is not valid JSON.`, { cause: e });
  }
  return parseDeployment(json, file);
}

/** Validates a deployment record (from a file or a caller). */
export function parseDeployment(json: unknown, source = "deployment"): Deployment {
  const fail = (why: string): never => {
    throw new LerError("deployment_invalid", `${source}: ${why}.`);
  };
  if (typeof json !== "object" || json === null) fail("not an object");
  const d = json as Record<string, unknown>;
  if (typeof d.network !== "string") fail("`network` is missing");
  if (typeof d.chainId !== "number" || !Number.isSafeInteger(d.chainId) || d.chainId <= 0) fail("`chainId` is invalid");
  const contracts = d.contracts as Record<string, unknown> | undefined;
  if (typeof contracts !== "object" || contracts === null) fail("`contracts` is missing");
  const out: Partial<DeployedContracts> = {};
  for (const name of CONTRACT_NAMES) {
    const c = contracts![name] as Record<string, unknown> | undefined;
    if (c === undefined || typeof c.address !== "string" || !isAddress(c.address)) fail(`${name}.address is invalid`);
    if (typeof c!.block !== "number" || !Number.isSafeInteger(c!.block) || c!.block < 0)
      fail(`${name}.block is invalid`);
    if (c!.version !== undefined && typeof c!.version !== "string") fail(`${name}.version is invalid`);
    if (c!.blockHash !== undefined && (typeof c!.blockHash !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(c!.blockHash)))
      fail(`${name}.blockHash is invalid`);
    out[name] = {
      address: getAddress(c!.address as string),
      block: c!.block as number,
      ...(typeof c!.version === "string" && { version: c!.version }),
      ...(typeof c!.blockHash === "string" && { blockHash: c!.blockHash.toLowerCase() }),
    };
  }
  if (d.maxHeadAgeSeconds !== undefined && d.maxHeadAgeSeconds !== null && !isHeadAgeSeconds(d.maxHeadAgeSeconds)) {
    fail(
      `\`maxHeadAgeSeconds\` must be a positive whole number of seconds, or null (off), not ${JSON.stringify(d.maxHeadAgeSeconds)}`,
    );
  }
  return {
    network: d.network as string,
    chainId: d.chainId as number,
    contracts: out as DeployedContracts,
    ...(d.maxHeadAgeSeconds !== undefined && { maxHeadAgeSeconds: d.maxHeadAgeSeconds as number | null }),
  };
}

/** Writes a deployment file atomically (a crash leaves the old file or the new one, never half of one). */
export function writeDeployment(file: string, deployment: Deployment): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(deployment, null, 2)}\n`);
  renameSync(tmp, file);
}

// ---- is the record's deployment on the chain? ----------------------------------------------------------------------

/**
 * Chains whose node can restart empty: Hardhat's and Anvil's 31337, Ganache's and geth --dev's 1337. Only their
 * records carry block hashes, and only their homes remember the chain they were used with: on a public chain a block
 * that is final does not change, and one that is not yet final may (a record must not be refused for a reorg).
 */
export const RESETTABLE_CHAIN_IDS: ReadonlySet<number> = new Set([31337, 1337]);

/** The record with the hash of each contract's block as the chain has it now (unchanged off dev chains). */
export async function withBlockHashes(provider: Provider, deployment: Deployment): Promise<Deployment> {
  if (!RESETTABLE_CHAIN_IDS.has(deployment.chainId)) return deployment;
  const contracts = { ...deployment.contracts };
  await Promise.all(
    CONTRACT_NAMES.map(async (name) => {
      const { blockHash: _old, ...c } = contracts[name];
      const block = await provider.getBlock(c.block);
      contracts[name] = block?.hash == null ? c : { ...c, blockHash: block.hash.toLowerCase() };
    }),
  );
  return { ...deployment, contracts };
}

/** What the chain holds of a deployment record, read at its latest block. */
export interface DeploymentOnChain {
  /** The record's contracts that have no code on the chain. */
  missing: (keyof DeployedContracts)[];
  /** The hash of each block asked for (undefined: the chain has no block at that height yet). */
  hashes: Map<number, string | undefined>;
}

/**
 * Reads, in one round trip (ethers batches them), the code size at every address of `deployment` (one `eth_call`
 * running a few bytes of init code: `EXTCODESIZE` of each, so no contract's code is downloaded) and the hashes of
 * `blocks` (plus those of the record's contracts that carry one).
 */
export async function readDeploymentOnChain(
  provider: Provider,
  deployment: Deployment,
  blocks: readonly number[] = [],
): Promise<DeploymentOnChain> {
  const wanted = new Set(blocks);
  for (const name of CONTRACT_NAMES) {
    const c = deployment.contracts[name];
    if (c.blockHash !== undefined) wanted.add(c.block);
  }
  const heights = [...wanted];
  const [sizes, ...found] = await Promise.all([
    provider.call({ data: codeSizesInitCode(CONTRACT_NAMES.map((n) => deployment.contracts[n].address)) }),
    ...heights.map((n) => provider.getBlock(n)),
  ]);
  const missing = CONTRACT_NAMES.filter((_, i) => {
    const word = sizes.slice(2 + i * 64, 2 + (i + 1) * 64);
    return word.length !== 64 || BigInt(`0x${word}`) === 0n;
  });
  const hashes = new Map<number, string | undefined>();
  heights.forEach((n, i) => hashes.set(n, found[i]?.hash?.toLowerCase() ?? undefined));
  return { missing, hashes };
}

/** Init code that returns the code size of each address as one 32-byte word: PUSH20 a, EXTCODESIZE, MSTORE at 32i. */
function codeSizesInitCode(addresses: readonly string[]): string {
  const byte = (n: number) => n.toString(16).padStart(2, "0");
  let code = "";
  addresses.forEach((a, i) => (code += `73${a.slice(2).toLowerCase()}3b60${byte(i * 32)}52`));
  return `0x${code}60${byte(addresses.length * 32)}6000f3`;
}
