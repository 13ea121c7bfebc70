import { Interface, ZeroHash, zeroPadValue, type Provider } from "ethers";
import { ChainError, LerError } from "../errors.js";
import { projectArtifact } from "../chain/artifacts.js";
import type { LerNetwork } from "../chain/network.js";
import { chainRead, toLinks } from "../chain/reads.js";
import { addressWord, decodeAggregate3, encodeAggregate3, returnWord, selectorOf, type SubCall } from "../chain/multicall.js";
import {
  AccreditationStatus,
  evaluateTrust,
  isSuspendedNow,
  NO_END,
  roleNames,
  scopeTypeIds,
  Verdict,
  verdictCode,
  verdictMessage,
  type ChainLink,
  type Version,
} from "../verify/trust.js";

/**
 * The registry reads that issuing and accrediting need before they write: type ids by name, an accreditation's
 * history and its latest metadata, and the issuer's standing now. Each is one JSON-RPC request or two (a Multicall3
 * batch at the latest block), never one per type. The judgement itself is pure (`checkIssuable`).
 */

const trustIface = new Interface(projectArtifact("TrustRegistry").abi);
const SEL = {
  typeIdOf: selectorOf(trustIface, "typeIdOf"),
  typeName: selectorOf(trustIface, "typeName"),
  typeCount: selectorOf(trustIface, "typeCount"),
  historyOf: selectorOf(trustIface, "historyOf"),
};

/** Sends `calls` as one `aggregate3` at `blockTag`. */
async function aggregate(network: LerNetwork, calls: SubCall[], blockTag: number | "latest" = "latest") {
  if (calls.length === 0) return [];
  const data = encodeAggregate3(calls);
  const hex = await chainRead("aggregate3", () => network.provider.call({ to: network.deployment.contracts.Multicall3.address, data, blockTag }));
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

/** The id of each type name (undefined: not registered), in one request. */
export async function typeIdsOf(network: LerNetwork, names: readonly string[], blockTag: number | "latest" = "latest"): Promise<Map<string, number | undefined>> {
  const unique = [...new Set(names)];
  const trust = network.deployment.contracts.TrustRegistry.address;
  const results = await aggregate(network, unique.map((n) => ({ target: trust, allowFailure: true, callData: stringCall(SEL.typeIdOf, n) })), blockTag);
  return new Map(unique.map((n, i) => [n, results[i]!.success ? Number(returnWord(results[i]!.returnData)) : undefined]));
}

/** Every registered type's name, by id, in two requests (the count, then every name). */
export async function typeNamesById(network: LerNetwork): Promise<Map<number, string>> {
  const trust = network.deployment.contracts.TrustRegistry.address;
  const count = Number(await chainRead("typeCount", () => network.provider.call({ to: trust, data: `0x${SEL.typeCount}` })));
  const calls = Array.from({ length: count }, (_, id) => ({ target: trust, allowFailure: false, callData: `${SEL.typeName}${id.toString(16).padStart(64, "0")}` }));
  const results = await aggregate(network, calls);
  return new Map(results.map((r, id) => [id, trustIface.decodeFunctionResult("typeName", `0x${r.returnData}`)[0] as string]));
}

/** Decodes `historyOf(subject)`'s return data, checked as the verifier checks it. */
function toChain(subject: string, returnData: string): ChainLink[] {
  return toLinks(subject, trustIface.decodeFunctionResult("historyOf", `0x${returnData}`)[0]);
}

/** The chain of `subject` up to its root, each link with every version (`TrustRegistry.historyOf`). */
export async function readHistory(network: LerNetwork, subject: string): Promise<ChainLink[]> {
  const data = `0x${SEL.historyOf}${addressWord(subject)}`;
  const hex = await chainRead("historyOf", () => network.provider.call({ to: network.deployment.contracts.TrustRegistry.address, data }));
  return toChain(subject, hex.slice(2));
}

/** What an issuer's standing now is read from: the time judged at, its chain's history and the type ids. */
export interface IssuerStanding {
  /**
   * The earliest time an anchor sent now can carry: one second after the latest block (block times increase). A
   * change in the latest block is then behind it, as it will be for the credential's anchor.
   */
  at: bigint;
  block: number;
  chain: ChainLink[];
  typeIds: Map<string, number | undefined>;
}

/** The issuer's chain with its history and the ids of `typeNames`, read at the latest block: two requests. */
export async function readIssuerStanding(network: LerNetwork, issuer: string, typeNames: readonly string[]): Promise<IssuerStanding> {
  const head = await chainRead("getBlock", () => network.provider.getBlock("latest"));
  if (head === null) throw new ChainError("chain_error", "The node has no latest block.");
  const trust = network.deployment.contracts.TrustRegistry.address;
  const unique = [...new Set(typeNames)];
  const calls: SubCall[] = [
    { target: trust, allowFailure: false, callData: `${SEL.historyOf}${addressWord(issuer)}` },
    ...unique.map((n) => ({ target: trust, allowFailure: true, callData: stringCall(SEL.typeIdOf, n) })),
  ];
  const results = await aggregate(network, calls, head.number);
  return {
    at: BigInt(head.timestamp) + 1n,
    block: head.number,
    chain: toChain(issuer, results[0]!.returnData),
    typeIds: new Map(unique.map((n, i) => [n, results[i + 1]!.success ? Number(returnWord(results[i + 1]!.returnData)) : undefined])),
  };
}

/**
 * Refuses types the issuer could not issue now: a type that is not registered (`unknown_credential_type`), or one it
 * is not trusted for at the chain's current time by the rules of `TrustRegistry.trustedAt` (the verdict's code, e.g.
 * `type_out_of_scope`, `issuer_suspended`). Pure: `standing` was read before. `name` labels an address in messages.
 */
export function checkIssuable(standing: IssuerStanding, issuer: string, types: readonly string[], name: (address: string) => string): void {
  for (const type of new Set(types)) {
    const typeId = standing.typeIds.get(type);
    if (typeId === undefined) {
      throw new LerError("unknown_credential_type", `"${type}" is not a registered credential type: nothing was signed (see \`ler gov types\`).`, {
        details: { type },
      });
    }
    const answer = evaluateTrust(standing.chain, { typeId, at: standing.at });
    if (answer.verdict === Verdict.Trusted) continue;
    const isIssuer = answer.failedAt === undefined || answer.failedAt.toLowerCase() === issuer.toLowerCase();
    const words = verdictMessage(answer.verdict, {
      subject: name(issuer),
      accreditor: isIssuer ? undefined : name(answer.failedAt!),
      type,
      when: "the time its anchor would carry",
      suspendedNow: isSuspendedNow(standing.chain, answer.failedAt),
    });
    throw new LerError(verdictCode(answer.verdict, isIssuer), `Not issued: ${words} Verifiers would reject it. Nothing was signed, no status index used, no anchor sent.`, {
      details: { type, typeId, verdict: Verdict[answer.verdict], ...(answer.failedAt !== undefined && { failedAt: answer.failedAt }), at: Number(standing.at) },
    });
  }
}

/** The metadata URI and hash of the latest `Accredited` or `AccreditationUpdated` event of `subject` (not in the versions). */
export async function latestMetadata(network: LerNetwork, subject: string): Promise<{ metadataURI: string; metadataHash: string }> {
  const trust = network.deployment.contracts.TrustRegistry;
  const topics = [[trustIface.getEvent("Accredited")!.topicHash, trustIface.getEvent("AccreditationUpdated")!.topicHash], null, zeroPadValue(subject, 32)];
  const logs = await chainRead("eth_getLogs", () => (network.provider as Provider).getLogs({ address: trust.address, topics, fromBlock: trust.block, toBlock: "latest" }));
  const last = logs[logs.length - 1];
  if (last === undefined) return { metadataURI: "", metadataHash: ZeroHash };
  const parsed = trustIface.parseLog(last);
  return { metadataURI: String(parsed?.args.metadataURI ?? ""), metadataHash: String(parsed?.args.metadataHash ?? ZeroHash) };
}

/** An accreditation's terms as people read them: role and types by name, no end as null. */
export interface AccreditationTermsView {
  role: "issuer" | "accreditor" | "both";
  types: string[];
  validFrom: number;
  validUntil: number | null;
  metadataURI: string;
  metadataHash: string;
}

/** The terms of a version, types named from `names` (`#id` for an id without a name). */
export function termsOf(v: Pick<Version, "role" | "scope" | "validFrom" | "validUntil">, meta: { metadataURI: string; metadataHash: string }, names: ReadonlyMap<number, string>): AccreditationTermsView {
  const roles = roleNames(v.role);
  return {
    role: roles.length === 2 ? "both" : (roles[0] ?? "issuer"),
    types: scopeTypeIds(v.scope).map((id) => names.get(id) ?? `#${id}`),
    validFrom: Number(v.validFrom),
    validUntil: v.validUntil >= BigInt(NO_END) ? null : Number(v.validUntil),
    metadataURI: meta.metadataURI,
    metadataHash: meta.metadataHash.toLowerCase(),
  };
}

/** The fields that differ between two sets of terms, each with its value before and after. */
export function changedTerms(before: AccreditationTermsView, after: AccreditationTermsView): Partial<Record<keyof AccreditationTermsView, { before: unknown; after: unknown }>> {
  const changes: Partial<Record<keyof AccreditationTermsView, { before: unknown; after: unknown }>> = {};
  for (const key of Object.keys(before) as (keyof AccreditationTermsView)[]) {
    const a = before[key];
    const b = after[key];
    const same = Array.isArray(a) && Array.isArray(b) ? a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n") : a === b;
    if (!same) changes[key] = { before: a, after: b };
  }
  return changes;
}

export { AccreditationStatus };
