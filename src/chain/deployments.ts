import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { getAddress, isAddress } from "ethers";
import { LerError } from "../errors.js";
import { isHeadAgeSeconds } from "./presets.js";

/** Where one contract lives. */
export interface ContractDeployment {
  address: string;
  /** Block of the deployment transaction: log scans start here. */
  block: number;
  /** This project's version of the contract (its EIP-712 domain version), for the registries it deploys. */
  version?: string;
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
    out[name] = {
      address: getAddress(c!.address as string),
      block: c!.block as number,
      ...(typeof c!.version === "string" && { version: c!.version }),
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
