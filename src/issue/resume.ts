import { getAddress, type Contract, type Provider } from "ethers";
import { isLerError, LerError } from "../errors.js";
import { anchorTransaction } from "../chain/anchorLogs.js";
import type { Deployment } from "../chain/deployments.js";
import { readAnchor } from "../chain/registryReads.js";
import { sendWrite, type WriteOptions, type WriteResult } from "../chain/writes.js";
import type { Intent, IntentKind } from "../store/pending.js";
import type { IntentLog } from "../store/types.js";

/**
 * Replaying the intent log after a crash. The plugin records an intent (fsynced) before each revocation or anchor
 * it sends and marks it done once the receipt is confirmed; whatever a crash left in between is sent again here.
 * That is safe because both writes are idempotent on chain (see src/store/pending.ts): a revocation sets bits that
 * may already be set, and an anchor that already landed reverts with `already_anchored`, which is read back as done.
 */

/** An intent carried out (or found already carried out) by {@link resumePending}. */
export interface ResumedIntent {
  id: string;
  kind: IntentKind;
  issuer: string;
  txHash: string;
  block: number;
}

/** An intent that could not be carried out now; it stays pending and the next resume tries again. */
export interface FailedIntent {
  id: string;
  kind: IntentKind;
  issuer: string;
  code: string;
  message: string;
}

export interface ResumeResult {
  resumed: ResumedIntent[];
  failed: FailedIntent[];
}

export interface ResumeDeps {
  pending: IntentLog;
  /** The StatusRegistry bound to a signer that acts for `issuer` (its current ERC-1056 owner). */
  statusFor: (issuer: string) => Promise<Contract>;
  /** For reading where an anchor landed: the node, and the registries `statusFor` binds. */
  provider: Provider;
  deployment: Deployment;
  writeOptions: WriteOptions;
  /**
   * The network this resume sends on. Intents recorded for another chain or StatusRegistry are left pending (the
   * home's other network resumes them); without it, every intent is resumed here (callers that know no network).
   */
  network?: { chainId: number; registry: string };
  /**
   * The chain that legacy intents (recorded before intents named their chain and registry) were written for. They
   * are resumed only when `network` is that chain; otherwise each is reported in `failed` as
   * `intent_network_unknown` and stays pending.
   */
  legacyChainId?: number;
}

/** The registry call that carries out an intent, from the payload the plugin wrote. Pure. */
export function intentCall(intent: Intent): { fn: string; args: unknown[] } {
  const issuer = getAddress(intent.issuer);
  const p = intent.payload as Record<string, unknown> | null;
  const bad = (why: string) =>
    new LerError("corrupt_intent", `Intent ${intent.id} ${why}.`, { details: { id: intent.id } });
  if (typeof p !== "object" || p === null) throw bad("has no payload");
  if (intent.kind === "anchor") {
    if (typeof p.root !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(p.root)) throw bad("has no root");
    return { fn: "anchor", args: [issuer, p.root] };
  }
  const decimal = (v: unknown) => {
    if (typeof v !== "string" || !/^(0|[1-9][0-9]*)$/.test(v)) throw bad("has a malformed number");
    return BigInt(v);
  };
  if (Array.isArray(p.hashes)) {
    const hashes = p.hashes.map((h) => {
      if (typeof h !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(h)) throw bad("has a malformed hash");
      return h;
    });
    if (hashes.length === 0) throw bad("has no hashes");
    return hashes.length === 1
      ? { fn: "revokeHash", args: [issuer, hashes[0]] }
      : { fn: "revokeHashes", args: [issuer, hashes] };
  }
  const list = decimal(p.list);
  if (Array.isArray(p.indices)) {
    const indices = p.indices.map((i) => {
      if (!Number.isSafeInteger(i) || (i as number) < 0) throw bad("has a malformed index");
      return i as number;
    });
    if (indices.length === 1) return { fn: "revoke", args: [issuer, list, indices[0]] };
    return { fn: "revokeIndices", args: [issuer, list, indices] };
  }
  if (Array.isArray(p.wordIndices) && Array.isArray(p.masks) && p.wordIndices.length === p.masks.length) {
    const masks = p.masks.map((m) => {
      if (typeof m !== "string" || !/^0x[0-9a-fA-F]+$/.test(m)) throw bad("has a malformed mask");
      return BigInt(m);
    });
    return { fn: "revokeWords", args: [issuer, list, p.wordIndices.map(decimal), masks] };
  }
  throw bad("names no revocation");
}

/**
 * Where `issuer`'s anchor of `root` landed: the block from `anchorOf`, the transaction from that block's
 * IssuanceAnchored log. For a retry that reverted with `already_anchored`.
 */
export async function landedAnchor(
  deps: Pick<ResumeDeps, "provider" | "deployment">,
  issuer: string,
  root: string,
): Promise<WriteResult> {
  const anchored = await readAnchor(deps.provider, { deployment: deps.deployment, issuer, root });
  if (anchored === undefined) throw new LerError("anchor_not_found", `The root ${root} is not anchored by ${issuer}.`);
  const { block } = anchored;
  const txHash = await anchorTransaction(
    deps.provider,
    deps.deployment.contracts.StatusRegistry.address,
    issuer,
    root,
    block,
  );
  if (txHash === undefined)
    throw new LerError("anchor_not_found", `No IssuanceAnchored log of ${root} in block ${block}.`);
  return { txHash, block, gasUsed: 0 };
}

/** Sends an intent's call; an anchor that had already landed counts as done, with the transaction that landed it. */
export async function carryOut(
  deps: Pick<ResumeDeps, "provider" | "deployment" | "writeOptions">,
  status: Contract,
  intent: Intent,
): Promise<WriteResult> {
  const { fn, args } = intentCall(intent);
  if (intent.kind === "anchor") {
    // Looked up first rather than inferred from the revert: cheaper, and it needs no revert decoding.
    if (await isAnchored(deps, args[0] as string, args[1] as string))
      return landedAnchor(deps, args[0] as string, args[1] as string);
  }
  try {
    return await sendWrite(status, fn, args, deps.writeOptions);
  } catch (e) {
    if (intent.kind === "anchor" && isLerError(e) && e.code === "already_anchored") {
      return landedAnchor(deps, args[0] as string, args[1] as string);
    }
    // Another sender's anchor of the same root may have been mined first: our transaction then reverts on chain
    // without revert data. The registry says whether the root is anchored now.
    if (intent.kind === "anchor") {
      if (await isAnchored(deps, args[0] as string, args[1] as string))
        return landedAnchor(deps, args[0] as string, args[1] as string);
    }
    throw e;
  }
}

/** Whether `issuer` has anchored `root` (the registry's answer now). */
async function isAnchored(
  deps: Pick<ResumeDeps, "provider" | "deployment">,
  issuer: string,
  root: string,
): Promise<boolean> {
  return (await readAnchor(deps.provider, { deployment: deps.deployment, issuer, root })) !== undefined;
}

/**
 * Marks an intent done. Another process resuming the same log may have marked it first with its own
 * transaction (both landed, harmlessly): that is done too.
 */
export async function markDoneOnce(pending: IntentLog, id: string, result: WriteResult): Promise<void> {
  try {
    await pending.markDone(id, { txHash: result.txHash, block: result.block });
  } catch (e) {
    if (!(isLerError(e) && e.code === "intent_conflict")) throw e;
  }
}

/**
 * Sends again every pending intent (of `issuer`, or of every issuer), oldest first, and marks each done. Running it
 * twice, or in two processes at once, is safe. An intent that fails now (the chain unreachable, the key no longer
 * the owner) is reported and stays pending.
 */
export async function resumePending(deps: ResumeDeps, { issuer }: { issuer?: string } = {}): Promise<ResumeResult> {
  const only = issuer === undefined ? undefined : getAddress(issuer).toLowerCase();
  const intents = (await deps.pending.listPending()).filter((i) => only === undefined || i.issuer === only);
  const out: ResumeResult = { resumed: [], failed: [] };
  for (const intent of intents) {
    const { network } = deps;
    if (network !== undefined) {
      if (intent.chainId !== undefined || intent.registry !== undefined) {
        // Another network's write: not this one's to send (the same list and index may be another credential here).
        if (intent.chainId !== network.chainId || intent.registry?.toLowerCase() !== network.registry.toLowerCase())
          continue;
      } else if (deps.legacyChainId !== network.chainId) {
        out.failed.push({
          id: intent.id,
          kind: intent.kind,
          issuer: intent.issuer,
          code: "intent_network_unknown",
          message:
            `Intent ${intent.id} was recorded before intents named their chain and registry, so it is not known which network it ` +
            `is for. It stays pending; to resume it on chain ${network.chainId}, set LER_LEGACY_INTENTS_CHAIN_ID=${network.chainId} ` +
            "when running on the network it was written for (see docs/operations.md).",
        });
        continue;
      }
    }
    try {
      const status = await deps.statusFor(intent.issuer);
      const result = await carryOut(deps, status, intent);
      await markDoneOnce(deps.pending, intent.id, result);
      out.resumed.push({
        id: intent.id,
        kind: intent.kind,
        issuer: intent.issuer,
        txHash: result.txHash,
        block: result.block,
      });
    } catch (e) {
      if (!isLerError(e)) throw e;
      out.failed.push({ id: intent.id, kind: intent.kind, issuer: intent.issuer, code: e.code, message: e.message });
    }
  }
  return out;
}
