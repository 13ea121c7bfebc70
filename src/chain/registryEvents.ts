import { AbiCoder, getAddress, Interface, toUtf8String, Utf8ErrorFuncs, type Log, type LogDescription } from "ethers";
import { projectArtifact } from "./artifacts.js";

/**
 * The registries' events, decoded into plain data. Everything the service shows about the registry (entities,
 * scopes, statuses, histories, metrics over time) is replayed from these, in (block, logIndex) order.
 */

export type Purpose = "revocation" | "suspension";

interface EventBase {
  block: number;
  logIndex: number;
  txHash: string;
  /** Block time, seconds. */
  time: number;
}

export type RegistryEvent = EventBase &
  (
    | { kind: "type_registered"; typeId: number; name: string }
    | {
        kind: "accredited" | "updated";
        parent: string;
        subject: string;
        actor: string;
        role: number;
        scope: bigint;
        validFrom: number;
        validUntil: number;
        reason: number;
        metadataURI: string;
        metadataHash: string;
      }
    | { kind: "suspended" | "reinstated"; parent: string; subject: string; actor: string; reason: number }
    | { kind: "revoked"; parent: string; subject: string; actor: string; effectiveAt: number; reason: number }
    | { kind: "status_entry"; issuer: string; purpose: Purpose; list: bigint; index: number; set: boolean }
    | {
        kind: "status_words";
        issuer: string;
        purpose: Purpose;
        list: bigint;
        set: boolean;
        wordIndices: number[];
        masks: bigint[];
      }
    | { kind: "status_indices"; issuer: string; purpose: Purpose; list: bigint; set: boolean; indices: number[] }
    | { kind: "hash_revoked"; issuer: string; hash: string }
    | { kind: "anchored"; issuer: string; root: string }
  );

export const trustInterface = new Interface(projectArtifact("TrustRegistry").abi);
export const statusInterface = new Interface(projectArtifact("StatusRegistry").abi);

const PURPOSES: Purpose[] = ["revocation", "suspension"];

/** A registry log left out because it could not be decoded at all. */
export interface SkippedLog {
  block: number;
  logIndex: number;
  txHash: string;
  reason: string;
}

/**
 * Decodes logs of the trust and status registries (identified by address). Logs of other events (role grants) or
 * other contracts are left out. Strings are decoded leniently: Solidity does not check that a `string` argument is
 * UTF-8, so bytes that are not become U+FFFD. A log of a registry event that cannot be decoded at all is skipped
 * and passed to `onSkip`: one event must never stop the index.
 */
export function decodeRegistryLogs(
  logs: readonly Log[],
  addresses: { trust: string; status: string },
  timeOf: (block: number) => number,
  onSkip?: (skipped: SkippedLog) => void,
): RegistryEvent[] {
  const out: RegistryEvent[] = [];
  for (const log of logs) {
    const source = getAddress(log.address);
    const iface =
      source === addresses.trust ? trustInterface : source === addresses.status ? statusInterface : undefined;
    if (iface === undefined) continue;
    try {
      const event = decodeOne(iface, log, timeOf);
      if (event !== undefined) out.push(event);
    } catch (e) {
      onSkip?.({
        block: log.blockNumber,
        logIndex: log.index,
        txHash: log.transactionHash,
        reason: (e instanceof Error ? e.message : String(e)).slice(0, 300),
      });
    }
  }
  return out.sort((x, y) => x.block - y.block || x.logIndex - y.logIndex);
}

/** A string argument of a log, decoded leniently: bytes that are not UTF-8 become U+FFFD instead of an error. */
function lenientString(parsed: LogDescription, log: Log, name: string): string {
  try {
    return String(parsed.args.getValue(name));
  } catch {
    // ethers decodes strings strictly and defers the error to this access: decode the argument as bytes instead.
  }
  const inputs = parsed.fragment.inputs.filter((p) => !p.indexed);
  const i = inputs.findIndex((p) => p.name === name);
  if (i < 0 || inputs[i]!.type !== "string") throw new Error(`${parsed.name}: argument "${name}" does not decode.`);
  const values = AbiCoder.defaultAbiCoder().decode(
    inputs.map((p) => (p.type === "string" ? "bytes" : p)),
    log.data,
  );
  return toUtf8String(values[i] as string, Utf8ErrorFuncs.replace);
}

function decodeOne(iface: Interface, log: Log, timeOf: (block: number) => number): RegistryEvent | undefined {
  const out: RegistryEvent[] = [];
  const parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
  if (parsed === null) return undefined;
  const base: EventBase = {
    block: log.blockNumber,
    logIndex: log.index,
    txHash: log.transactionHash,
    time: timeOf(log.blockNumber),
  };
  const a = parsed.args;
  const addr = (v: unknown) => getAddress(v as string);
  switch (parsed.name) {
    case "CredentialTypeRegistered":
      out.push({
        ...base,
        kind: "type_registered",
        typeId: Number(a.typeId),
        name: lenientString(parsed, log, "name"),
      });
      break;
    case "Accredited":
    case "AccreditationUpdated":
      out.push({
        ...base,
        kind: parsed.name === "Accredited" ? "accredited" : "updated",
        parent: addr(a.parent),
        subject: addr(a.subject),
        actor: addr(a.actor),
        role: Number(a.role),
        scope: a.scope as bigint,
        validFrom: Number(a.validFrom),
        validUntil: Number(a.validUntil),
        reason: parsed.name === "Accredited" ? 0 : Number(a.reason),
        metadataURI: lenientString(parsed, log, "metadataURI"),
        metadataHash: String(a.metadataHash),
      });
      break;
    case "AccreditationSuspended":
    case "AccreditationReinstated":
      out.push({
        ...base,
        kind: parsed.name === "AccreditationSuspended" ? "suspended" : "reinstated",
        parent: addr(a.parent),
        subject: addr(a.subject),
        actor: addr(a.actor),
        reason: Number(a.reason),
      });
      break;
    case "AccreditationRevoked":
      out.push({
        ...base,
        kind: "revoked",
        parent: addr(a.parent),
        subject: addr(a.subject),
        actor: addr(a.actor),
        effectiveAt: Number(a.effectiveAt),
        reason: Number(a.reason),
      });
      break;
    case "CredentialRevoked":
    case "CredentialSuspended":
    case "CredentialReinstated":
      out.push({
        ...base,
        kind: "status_entry",
        issuer: addr(a.issuer),
        purpose: parsed.name === "CredentialRevoked" ? "revocation" : "suspension",
        list: a.list as bigint,
        index: Number(a.index),
        set: parsed.name !== "CredentialReinstated",
      });
      break;
    case "StatusWordsUpdated":
      out.push({
        ...base,
        kind: "status_words",
        issuer: addr(a.issuer),
        purpose: purposeOf(a.purpose),
        list: a.list as bigint,
        set: Boolean(a.set),
        wordIndices: [...(a.wordIndices as bigint[])].map(Number),
        masks: [...(a.masks as bigint[])],
      });
      break;
    case "StatusIndicesUpdated":
      out.push({
        ...base,
        kind: "status_indices",
        issuer: addr(a.issuer),
        purpose: purposeOf(a.purpose),
        list: a.list as bigint,
        set: Boolean(a.set),
        indices: [...(a.indices as bigint[])].map(Number),
      });
      break;
    case "CredentialHashRevoked":
      out.push({ ...base, kind: "hash_revoked", issuer: addr(a.issuer), hash: String(a.credentialHash) });
      break;
    case "IssuanceAnchored":
      out.push({ ...base, kind: "anchored", issuer: addr(a.issuer), root: String(a.root) });
      break;
    default:
      // Role grants and other bookkeeping: not part of the registry's content.
      break;
  }
  return out[0];
}

function purposeOf(value: unknown): Purpose {
  const p = PURPOSES[Number(value)];
  if (p === undefined) throw new Error(`Unknown status purpose ${String(value)} in a StatusRegistry log.`);
  return p;
}
