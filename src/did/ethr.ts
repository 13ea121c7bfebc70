import { computeAddress, getAddress, Interface, toUtf8String, Utf8ErrorFuncs, type Utf8ErrorFunc } from "ethers";
import { ChainError, LerError } from "../errors.js";

/**
 * did:ethr identities and the keys that may sign for them, rebuilt from ERC-1056 events with the same rules as
 * ethr-did-resolver's document builder (a differential test holds the two together). Pure: events and the time
 * of the question come in as arguments.
 */

export interface EthrDid {
  /** The DID as written, after validation. */
  did: string;
  /** Network part: a name ("sepolia") or a hex chain id ("0x14a34"); undefined means mainnet. */
  network: string | undefined;
  /** The identity's address (checksummed). */
  address: string;
  /** For public-key DIDs (did:ethr:0x02…), the compressed key, 0x-prefixed lowercase hex. */
  publicKey: string | undefined;
}

// ASCII only, so that look-alike characters never parse. Network names are lowercase letters, digits and dashes,
// or a 0x chain id; the identifier is an address or a compressed secp256k1 key.
const ETHR_DID = /^did:ethr:(?:([a-z0-9][a-z0-9-]*|0x[0-9a-fA-F]+):)?(0x[0-9a-fA-F]{40}|0x0[23][0-9a-fA-F]{64})$/;

/** Parses a did:ethr. A mixed-case address must carry a valid checksum; all-lower and all-upper are accepted. */
export function parseEthrDid(did: string): EthrDid {
  const match = typeof did === "string" ? ETHR_DID.exec(did) : null;
  if (match === null) throw new LerError("unsupported_did", `Not a did:ethr identifier: ${JSON.stringify(did)}.`);
  const [, network, id] = match as unknown as [string, string | undefined, string];
  if (id.length === 42) {
    let address: string;
    try {
      address = getAddress(id);
    } catch {
      throw new LerError("unsupported_did", `The address in ${did} has an invalid checksum.`);
    }
    return { did, network, address, publicKey: undefined };
  }
  const publicKey = id.toLowerCase();
  let address: string;
  try {
    address = computeAddress(publicKey);
  } catch {
    // A public-key DID whose key is no point of secp256k1 names no one: no key can sign for it.
    throw new LerError("invalid_did", `The public key in ${did} is not a point of secp256k1: no key can sign for it.`);
  }
  return { did, network, address, publicKey };
}

/** Whether a DID's network part names the given chain (by name, or by hex chain id). */
export function didNamesChain(did: EthrDid, chain: { name: string; chainId: number }): boolean {
  if (did.network === undefined) return chain.chainId === 1 || chain.name === "mainnet";
  if (did.network.startsWith("0x")) return BigInt(did.network) === BigInt(chain.chainId);
  return did.network === chain.name;
}

/** One ERC-1056 event about an identity, decoded. */
export type DidEvent =
  | { kind: "owner"; block: number; owner: string; previousChange: bigint }
  | { kind: "delegate"; block: number; delegateType: string; delegate: string; validTo: bigint; previousChange: bigint }
  | { kind: "attribute"; block: number; name: string; value: string; validTo: bigint; previousChange: bigint }
  /**
   * A log of the registry, with an ERC-1056 event's topic, whose data does not decode as that event. The registry
   * cannot emit one: only a node that misreports logs can. Whatever it changed is unknown, so no key set is built from
   * a history holding one (signingKeysAt throws a ChainError, which the verifier confines to that DID's credentials).
   */
  | { kind: "unreadable"; block: number; reason: string };

const erc1056Events = new Interface([
  "event DIDOwnerChanged(address indexed identity, address owner, uint256 previousChange)",
  "event DIDDelegateChanged(address indexed identity, bytes32 delegateType, address delegate, uint256 validTo, uint256 previousChange)",
  "event DIDAttributeChanged(address indexed identity, bytes32 name, bytes value, uint256 validTo, uint256 previousChange)",
]);

/** Topics that select every ERC-1056 event of `address` (the identity is the first indexed argument). */
export function didEventTopics(address: string): [null, string] {
  return [null, `0x${getAddress(address).slice(2).toLowerCase().padStart(64, "0")}`];
}

/** The parts of a log that decoding needs (an ethers `Log` has them). */
export interface DidLog {
  topics: readonly string[];
  data: string;
  blockNumber: number;
  /** Position of the log in its block. */
  index: number;
}

/** Decodes ERC-1056 logs, in chain order; logs that are not ERC-1056 events are ignored. */
export function decodeDidEvents(logs: readonly DidLog[]): DidEvent[] {
  const sorted = [...logs].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  const events: DidEvent[] = [];
  for (const log of sorted) {
    let event: DidEvent | null;
    try {
      event = decodeDidLog(log);
    } catch (e) {
      event = { kind: "unreadable", block: log.blockNumber, reason: e instanceof Error ? e.message : String(e) };
    }
    if (event !== null) events.push(event);
  }
  return events;
}

/** One log as an ERC-1056 event (null: not one). Names are decoded leniently (see bytes32ToString): never throws for them. */
function decodeDidLog(log: DidLog): DidEvent | null {
  const parsed = erc1056Events.parseLog({ topics: [...log.topics], data: log.data });
  if (parsed === null) return null;
  const a = parsed.args;
  if (parsed.name === "DIDOwnerChanged") {
    return { kind: "owner", block: log.blockNumber, owner: getAddress(a[1]), previousChange: a[2] };
  }
  if (parsed.name === "DIDDelegateChanged") {
    return {
      kind: "delegate",
      block: log.blockNumber,
      delegateType: bytes32ToString(a[1]),
      delegate: getAddress(a[2]),
      validTo: a[3],
      previousChange: a[4],
    };
  }
  return {
    kind: "attribute",
    block: log.blockNumber,
    name: bytes32ToString(a[1]),
    value: a[2],
    validTo: a[3],
    previousChange: a[4],
  };
}

/** What may sign for an identity at one moment. */
export interface SigningKeys {
  /** The ERC-1056 owner at that block. */
  owner: string;
  /** The identity was deactivated (owner set to the zero address). Nothing signs for it. */
  deactivated: boolean;
  /** Addresses whose secp256k1 signatures count (the owner and secp256k1 delegates), checksummed. */
  addresses: string[];
  /** secp256k1 public keys that count (controller key, `did/pub/Secp256k1/…` attributes), 0x lowercase hex. */
  publicKeys: string[];
  /** Block of the last change at or before the block asked about (0: never changed). */
  versionId: number;
}

const ZERO = "0x0000000000000000000000000000000000000000";

/**
 * The keys that could sign for `did` as of `block`, with delegates and attributes valid at `time` (seconds), as
 * ethr-did-resolver builds the document's assertion methods. `events` may include later blocks: they are skipped.
 */
export function signingKeysAt(
  did: EthrDid,
  events: readonly DidEvent[],
  at: { block: number; time: bigint },
): SigningKeys {
  let owner = did.address;
  let versionId = 0;
  const delegates = new Map<string, string>();
  const keys = new Map<string, string>();
  for (const e of events) {
    // Checked before the block: an unreadable log may hide any change, earlier ones included (fail closed).
    if (e.kind === "unreadable") {
      throw new ChainError(
        "chain_inconsistent",
        `The DID history of ${did.did} holds a log that does not decode (block ${e.block}): ${e.reason}`,
      );
    }
    if (e.block > at.block) continue;
    if (e.block > versionId) versionId = e.block;
    if (e.kind === "owner") {
      owner = e.owner;
      if (owner === ZERO) return { owner, deactivated: true, addresses: [], publicKeys: [], versionId };
      continue;
    }
    const index = e.kind === "delegate" ? `d-${e.delegateType}-${e.delegate}` : `a-${e.name}-${e.value}`;
    const live = e.validTo !== 0n && e.validTo >= at.time;
    if (!live) {
      delegates.delete(index);
      keys.delete(index);
      continue;
    }
    if (e.kind === "delegate") {
      if (e.delegateType === "veriKey" || e.delegateType === "sigAuth") delegates.set(index, e.delegate);
      continue;
    }
    const match = /^did\/pub\/(\w+)(?:\/(\w+))?(?:\/(\w+))?$/.exec(e.name);
    if (match === null) continue;
    const [, algorithm, purpose, encoding] = match;
    // Only secp256k1 keys that assert (not key-agreement keys) can sign a JWT this project accepts.
    if (algorithm !== "Secp256k1" || purpose === "enc") continue;
    const hex = publicKeyFromAttribute(e.value, encoding);
    if (hex !== undefined) keys.set(index, hex);
  }
  const addresses = new Set<string>([owner, ...delegates.values()]);
  const publicKeys = new Set<string>(keys.values());
  if (did.publicKey !== undefined && owner === did.address) publicKeys.add(did.publicKey);
  return { owner, deactivated: false, addresses: [...addresses], publicKeys: [...publicKeys], versionId };
}

/** The attribute's value is the key's bytes; the encoding only names how the document presents them. */
function publicKeyFromAttribute(value: string, encoding: string | undefined): string | undefined {
  if (encoding === undefined || encoding === "hex" || encoding === "base64" || encoding === "base58") {
    return value.toLowerCase();
  }
  return undefined;
}

/**
 * A bytes32 name (attribute name, delegate type) as a string, trailing NULs stripped, as ethr-did-resolver's
 * `bytes32toString`; but where that throws on bytes that are not UTF-8 (ethers' strict `toUtf8String`, which lets any
 * identity make its own DID unresolvable), each bad sequence (overlong ones too) becomes U+FFFD. Such a name never matches a key
 * attribute (`did/pub/…`, ASCII only) or a signing delegate type, so the attribute is ignored; it still counts as
 * a change of the identity (its block, its previousChange link).
 */
export function bytes32ToString(value: string): string {
  return toUtf8String(value, replaceEveryFault).replace(/\0+$/, "");
}

/**
 * U+FFFD for every fault, overlong encodings included (ethers' own "replace" decodes those to the character they
 * spell, so that non-canonical bytes could spell `did/pub/…`); then skips as ethers' "ignore" does.
 */
const replaceEveryFault: Utf8ErrorFunc = (reason, offset, bytes, output, badCodepoint) => {
  output.push(0xfffd);
  return Utf8ErrorFuncs.ignore(reason, offset, bytes, output, badCodepoint);
};
