import { Contract, dataSlice, getAddress, id, Interface, ZeroHash, zeroPadValue, type Provider } from "ethers";
import { ChainError } from "../errors.js";
import { projectArtifact } from "./artifacts.js";
import type { Deployment } from "./deployments.js";
import { getLogs, type GetLogsOptions } from "./logs.js";
import {
  addressWord,
  decodeAggregate3,
  encodeAggregate3,
  returnWord,
  selectorOf,
  type SubCall,
  type SubResult,
} from "./multicall.js";
import { rpcCall, type RpcCallOptions } from "./rpc.js";
import { toLinks } from "./snapshotPlan.js";
import type { ChainLink, Verdict } from "./types.js";

/**
 * Typed reads of the TrustRegistry and StatusRegistry outside the verifier's snapshot (which is `reads.ts`): what
 * issuing, accrediting, the CLI and the service's TRQP endpoint read. One operation per function; batched reads
 * go through Multicall3 `aggregate3` in one request. Every request goes through `rpcCall` (deadline, error mapping).
 */

const trustIface = new Interface(projectArtifact("TrustRegistry").abi);
const statusIface = new Interface(projectArtifact("StatusRegistry").abi);
const SEL = {
  typeIdOf: selectorOf(trustIface, "typeIdOf"),
  typeName: selectorOf(trustIface, "typeName"),
  typeCount: selectorOf(trustIface, "typeCount"),
  historyOf: selectorOf(trustIface, "historyOf"),
};

/** A block to read at: a number, or the latest. */
export type BlockTag = number | "latest";

/**
 * Sends `calls` as one Multicall3 `aggregate3` at `blockTag` (no request for no calls). An answer that does not
 * decode is a ChainError `chain_error`.
 */
export async function aggregate3(
  provider: Provider,
  { multicall, calls, blockTag = "latest" }: { multicall: string; calls: readonly SubCall[]; blockTag?: BlockTag },
  options: RpcCallOptions = {},
): Promise<SubResult[]> {
  if (calls.length === 0) return [];
  const data = encodeAggregate3(calls);
  const hex = await rpcCall("aggregate3", () => provider.call({ to: multicall, data, blockTag }), options);
  try {
    return decodeAggregate3(hex, calls.length);
  } catch (e) {
    throw new ChainError("chain_error", "The node answered a registry read with malformed data.", { cause: e });
  }
}

/** ABI-encodes a string argument (offset, length, padded bytes) after a selector, as hex without 0x. */
function stringCall(selector: string, value: string): string {
  const bytes = Buffer.from(value, "utf8");
  const padded = bytes.toString("hex").padEnd(Math.ceil(bytes.length / 32) * 64, "0");
  return `${selector}${"20".padStart(64, "0")}${bytes.length.toString(16).padStart(64, "0")}${padded}`;
}

/** The `typeIdOf` sub-calls of `names` (allowed to fail: an unknown name reverts). */
function typeIdCalls(deployment: Deployment, names: readonly string[]): SubCall[] {
  const trust = deployment.contracts.TrustRegistry.address;
  return names.map((n) => ({ target: trust, allowFailure: true, callData: stringCall(SEL.typeIdOf, n) }));
}

const typeIdOfResult = (r: SubResult): number | undefined => (r.success ? Number(returnWord(r.returnData)) : undefined);

/**
 * The TrustRegistry type id of each name (undefined: not registered), all in one Multicall3 request (`typeIdOf`
 * batched). Duplicate names are read once.
 */
export async function readTypeIds(
  provider: Provider,
  { deployment, names, blockTag = "latest" }: { deployment: Deployment; names: readonly string[]; blockTag?: BlockTag },
  options: RpcCallOptions = {},
): Promise<Map<string, number | undefined>> {
  const unique = [...new Set(names)];
  const results = await aggregate3(
    provider,
    { multicall: deployment.contracts.Multicall3.address, calls: typeIdCalls(deployment, unique), blockTag },
    options,
  );
  return new Map(unique.map((n, i) => [n, typeIdOfResult(results[i]!)]));
}

/** Every registered type's name, by id, in two requests (the count, then every name in one Multicall3 request). */
export async function readTypeNames(
  provider: Provider,
  { deployment }: { deployment: Deployment },
  options: RpcCallOptions = {},
): Promise<Map<number, string>> {
  const trust = deployment.contracts.TrustRegistry.address;
  const count = Number(
    await rpcCall("typeCount", () => provider.call({ to: trust, data: `0x${SEL.typeCount}` }), options),
  );
  const calls = Array.from({ length: count }, (_, id) => ({
    target: trust,
    allowFailure: false,
    callData: `${SEL.typeName}${id.toString(16).padStart(64, "0")}`,
  }));
  const results = await aggregate3(provider, { multicall: deployment.contracts.Multicall3.address, calls }, options);
  return new Map(
    results.map((r, id) => [id, trustIface.decodeFunctionResult("typeName", `0x${r.returnData}`)[0] as string]),
  );
}

/** Decodes `historyOf(subject)`'s return data (hex without 0x), checked as the verifier checks it. */
function toChain(subject: string, returnData: string): ChainLink[] {
  return toLinks(subject, trustIface.decodeFunctionResult("historyOf", `0x${returnData}`)[0]);
}

/** The chain of `subject` up to its root, each link with every version (`TrustRegistry.historyOf`). */
export async function readHistory(
  provider: Provider,
  { deployment, subject, blockTag = "latest" }: { deployment: Deployment; subject: string; blockTag?: BlockTag },
  options: RpcCallOptions = {},
): Promise<ChainLink[]> {
  const data = `0x${SEL.historyOf}${addressWord(subject)}`;
  const hex = await rpcCall(
    "historyOf",
    () => provider.call({ to: deployment.contracts.TrustRegistry.address, data, blockTag }),
    options,
  );
  return toChain(subject, hex.slice(2));
}

/** `subject`'s chain (`historyOf`) and the type ids of `names`, at one block, in one Multicall3 request. */
export async function readHistoryAndTypeIds(
  provider: Provider,
  {
    deployment,
    subject,
    names,
    blockTag,
  }: { deployment: Deployment; subject: string; names: readonly string[]; blockTag: BlockTag },
  options: RpcCallOptions = {},
): Promise<{ chain: ChainLink[]; typeIds: Map<string, number | undefined> }> {
  const unique = [...new Set(names)];
  const calls: SubCall[] = [
    {
      target: deployment.contracts.TrustRegistry.address,
      allowFailure: false,
      callData: `${SEL.historyOf}${addressWord(subject)}`,
    },
    ...typeIdCalls(deployment, unique),
  ];
  const results = await aggregate3(
    provider,
    { multicall: deployment.contracts.Multicall3.address, calls, blockTag },
    options,
  );
  return {
    chain: toChain(subject, results[0]!.returnData),
    typeIds: new Map(unique.map((n, i) => [n, typeIdOfResult(results[i + 1]!)])),
  };
}

/**
 * The metadata URI and hash of `subject`'s latest `Accredited` or `AccreditationUpdated` event (the versions do not
 * hold them); an empty URI and the zero hash when there is none.
 */
export async function readAccreditationMetadata(
  provider: Provider,
  { deployment, subject }: { deployment: Deployment; subject: string },
  options: GetLogsOptions = {},
): Promise<{ metadataURI: string; metadataHash: string }> {
  const trust = deployment.contracts.TrustRegistry;
  const topics = [
    [trustIface.getEvent("Accredited")!.topicHash, trustIface.getEvent("AccreditationUpdated")!.topicHash],
    null,
    zeroPadValue(subject, 32),
  ];
  const logs = await getLogs(
    provider,
    { address: trust.address, topics, fromBlock: trust.block, toBlock: "latest" },
    options,
  );
  const last = logs[logs.length - 1];
  if (last === undefined) return { metadataURI: "", metadataHash: ZeroHash };
  const parsed = trustIface.parseLog(last);
  return {
    metadataURI: String(parsed?.args.metadataURI ?? ""),
    metadataHash: String(parsed?.args.metadataHash ?? ZeroHash),
  };
}

/** The registry's own answer to "is `subject` trusted for type `typeId` at `at`?" (`TrustRegistry.trustedAt`). */
export async function readTrustedAt(
  provider: Provider,
  { deployment, subject, typeId, at }: { deployment: Deployment; subject: string; typeId: number; at: number },
  options: RpcCallOptions = {},
): Promise<{ verdict: Verdict; failedAt: string; root: string }> {
  const trust = new Contract(deployment.contracts.TrustRegistry.address, trustIface, provider);
  const [v, failedAt, root] = (await rpcCall(
    "trustedAt",
    () => trust.getFunction("trustedAt")(subject, typeId, at),
    options,
  )) as [bigint, string, string];
  return { verdict: Number(v) as Verdict, failedAt, root };
}

/** When `issuer` anchored `root` (`StatusRegistry.anchorOf`): its time and block, or undefined when it did not. */
export async function readAnchor(
  provider: Provider,
  { deployment, issuer, root }: { deployment: Deployment; issuer: string; root: string },
  options: RpcCallOptions = {},
): Promise<{ timestamp: number; block: number } | undefined> {
  const status = new Contract(deployment.contracts.StatusRegistry.address, statusIface, provider);
  const a = (await rpcCall("anchorOf", () => status.getFunction("anchorOf")(issuer, root), options)) as [
    bigint,
    bigint,
  ];
  return a[0] === 0n ? undefined : { timestamp: Number(a[0]), block: Number(a[1]) };
}

/** The TrustRegistry's governance role (AccessControl). */
export const GOVERNOR_ROLE = id("GOVERNOR_ROLE");
const ROLE_GRANTED = trustIface.getEvent("RoleGranted")!.topicHash;

/** Whether `account` holds `role` on the TrustRegistry at `blockTag` (`hasRole`). */
export async function readHasRole(
  provider: Provider,
  {
    deployment,
    role,
    account,
    blockTag,
  }: { deployment: Deployment; role: string; account: string; blockTag: BlockTag },
  options: RpcCallOptions = {},
): Promise<boolean> {
  const to = deployment.contracts.TrustRegistry.address;
  const data = trustIface.encodeFunctionData("hasRole", [role, account]);
  return rpcCall(
    "eth_call",
    async () => {
      const result = await provider.call({ to, data, blockTag });
      return Boolean(trustIface.decodeFunctionResult("hasRole", result)[0]);
    },
    options,
  );
}

/**
 * The accounts granted `role` on the TrustRegistry in blocks `fromBlock` to `toBlock` (its `RoleGranted` logs), in
 * the order of the grants, with repeats. AccessControl does not enumerate members: ask {@link readHasRole} who holds
 * it. Nothing is read when `fromBlock` is after `toBlock`.
 */
export async function readRoleGrants(
  provider: Provider,
  {
    deployment,
    role,
    fromBlock,
    toBlock,
  }: { deployment: Deployment; role: string; fromBlock: number; toBlock: number },
  options: GetLogsOptions = {},
): Promise<string[]> {
  if (fromBlock > toBlock) return [];
  const logs = await getLogs(
    provider,
    { address: deployment.contracts.TrustRegistry.address, topics: [ROLE_GRANTED, role], fromBlock, toBlock },
    options,
  );
  return logs.flatMap((log) => (log.topics[2] === undefined ? [] : [getAddress(dataSlice(log.topics[2], 12))]));
}
