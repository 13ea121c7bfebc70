import type { Command } from "commander";
import { getAddress } from "ethers";
import type { LerAgent } from "../../agent/agent.js";
import type { LerIdentity, WriteResult } from "../../agent/types.js";
import { LerError, UsageError } from "../../errors.js";
import type { Session } from "../context.js";
import { short, type Output } from "../output.js";

/** A command's work: returns its exit code (0 when nothing is returned). */
export type Handler = (session: Session, ...args: never[]) => Promise<number | void>;

/**
 * Hooks a handler to a command; `program.ts` supplies the wrapper that opens and closes the session.
 * `failureExit` replaces exit code 1 for errors: `ler verify` must not answer "invalid" when it could not verify.
 */
export type Act = <H extends Handler>(
  handler: H,
  options?: { failureExit?: number },
) => (...args: unknown[]) => Promise<void>;

/** Adds an `Examples:` section to a command's help. */
export function examples(cmd: Command, lines: readonly string[]): Command {
  return cmd.addHelpText(
    "after",
    `\nExamples:\n${lines.map((l) => (l.startsWith("#") ? `  ${l}` : `  $ ${l}`)).join("\n")}\n`,
  );
}

/**
 * The DID an argument names: a DID as is; an address as this network's did:ethr; anything else is an alias of an
 * identity in the key store.
 */
export async function resolveIdentity(
  agent: LerAgent,
  network: string,
  ref: string,
): Promise<LerIdentity | { did: string; address: string; alias?: undefined; owner?: undefined }> {
  const trimmed = ref.trim();
  if (trimmed.startsWith("did:")) {
    const mine = (await agent.lerListIdentities({})).find((i) => i.did.toLowerCase() === trimmed.toLowerCase());
    return mine ?? { did: trimmed, address: addressOfDid(trimmed) };
  }
  if (/^0x[0-9a-fA-F]{40}$/.test(trimmed)) {
    const address = checksum(trimmed);
    const mine = (await agent.lerListIdentities({})).find((i) => i.address === address);
    return mine ?? { did: `did:ethr:${network}:${address}`, address };
  }
  const found = (await agent.lerListIdentities({})).find((i) => i.alias === trimmed);
  if (found === undefined) {
    throw new LerError(
      "unknown_identity",
      `No identity called "${trimmed}" in this key store (see \`ler id list\`); give a DID or an address instead.`,
    );
  }
  return found;
}

/** The DID for an argument without opening the key store: DIDs and addresses only. */
export function didOf(network: string, ref: string): string | undefined {
  const t = ref.trim();
  if (t.startsWith("did:")) return t;
  if (/^0x[0-9a-fA-F]{40}$/.test(t)) return `did:ethr:${network}:${checksum(t)}`;
  return undefined;
}

function addressOfDid(did: string): string {
  const m = /(0x[0-9a-fA-F]{40})$/.exec(did);
  if (m === null) throw new UsageError("invalid_did", `Not a did:ethr with an address: "${did}".`);
  return checksum(m[1]!);
}

function checksum(address: string): string {
  try {
    return getAddress(address);
  } catch {
    throw new UsageError(
      "invalid_address",
      `Bad EIP-55 checksum in "${address}" (write it all lowercase to skip the check).`,
    );
  }
}

/** `tx 0x1234…abcd in block 12 (45,678 gas)`; without the gas when it is not known. */
export function txLine(tx: WriteResult): string {
  if (tx.txHash === "") return `already on chain (block ${tx.block})`;
  // Gas 0 means not known here (a write done earlier, found in the intent log or on chain): no transaction uses none.
  const gas = tx.gasUsed > 0 ? ` (${tx.gasUsed.toLocaleString("en-US")} gas)` : "";
  return `tx ${tx.txHash.slice(0, 10)}…${tx.txHash.slice(-4)} in block ${tx.block}${gas}`;
}

/** A one-line confirmation of a write, with its transaction. */
export function done(out: Output, text: string, tx?: WriteResult): void {
  out.line(`${out.c.green("✔")} ${text}`);
  if (tx !== undefined) out.line(`  ${out.c.dim(txLine(tx))}`);
}

/** `Alias (0x1234…abcd)` or the short DID. */
export function who(identity: { did: string; alias?: string | undefined }): string {
  return identity.alias !== undefined ? `${identity.alias} (${short(identity.did)})` : identity.did;
}

/** Reason codes are a uint8 on chain. */
export function reasonOption(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 255)
    throw new UsageError("invalid_argument", `--reason is a code from 0 to 255, not "${value}".`);
  return Number(value);
}

/** The optional validity window and metadata of an accreditation or a root, as the agent takes them. */
export function scopeExtras(opts: {
  validFrom?: number;
  validUntil?: number;
  metadataUri?: string;
  metadataHash?: string;
}) {
  return {
    ...(opts.validFrom !== undefined && { validFrom: opts.validFrom }),
    ...(opts.validUntil !== undefined && { validUntil: opts.validUntil }),
    ...(opts.metadataUri !== undefined && { metadataURI: opts.metadataUri }),
    ...(opts.metadataHash !== undefined && { metadataHash: opts.metadataHash }),
  };
}
