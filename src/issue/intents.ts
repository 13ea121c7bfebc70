import { keccak256, toUtf8Bytes } from "ethers";
import { isLerError, LerError } from "../errors.js";
import type { LerNetwork } from "../chain/network.js";
import type { WriteResult } from "../chain/writes.js";
import type { Intent } from "../store/pending.js";
import type { IntentLog } from "../store/types.js";
import { markDoneOnce } from "./resume.js";

/**
 * The crash-safe intents of anchors and revocations: what each is called (its id names its chain, registry, issuer
 * and what it writes), recording one before its transaction is sent, and marking it done after. Replaying what a
 * crash left is src/issue/resume.ts.
 */

/** The chain and StatusRegistry (lower-case address) an intent is for. */
export interface IntentScope {
  chainId: number;
  registry: string;
}

/** The network every intent is recorded for: its chain and StatusRegistry, part of each intent and its id. */
export function intentScope(network: LerNetwork): IntentScope {
  return { chainId: network.chainId, registry: network.deployment.contracts.StatusRegistry.address.toLowerCase() };
}

/**
 * The intent of anchoring `root` for `issuer` (an address) on one chain and registry; its id,
 * `anchor:<chainId>:<registry>:<issuer>:<root>`, is stable across retries. The chain and registry are in the id: a
 * home used on two networks must not take one network's anchor for the other's.
 */
export function anchorIntent(scope: IntentScope, issuer: string, root: string): Intent {
  const r = root.toLowerCase();
  return {
    id: `anchor:${scope.chainId}:${scope.registry}:${issuer}:${r}`,
    kind: "anchor",
    issuer,
    payload: { root: r },
    ...scope,
  };
}

/**
 * The intent of one revocation transaction on one chain and registry; the id,
 * `revocation:<chainId>:<registry>:<issuer>:<hash of the payload>`, names what it revokes and where.
 */
export function revocationIntent(scope: IntentScope, issuer: string, payload: unknown): Intent {
  const hash = keccak256(toUtf8Bytes(JSON.stringify(payload)));
  return {
    id: `revocation:${scope.chainId}:${scope.registry}:${issuer}:${hash}`,
    kind: "revocation",
    issuer,
    payload,
    ...scope,
  };
}

/** The intent payload of one words transaction (bigints as strings: the log is JSON). */
export function wordsPayload(chunk: { list: bigint; wordIndices: bigint[]; masks: bigint[] }) {
  return {
    list: chunk.list.toString(),
    wordIndices: chunk.wordIndices.map(String),
    masks: chunk.masks.map((m) => `0x${m.toString(16)}`),
  };
}

/** Records `intent`; if the same intent is already done, its receipt (nothing is to be sent again). */
export async function recordOnce(pending: IntentLog, intent: Intent): Promise<WriteResult | undefined> {
  try {
    await pending.recordIntent(intent);
    return undefined;
  } catch (e) {
    if (!(isLerError(e) && e.code === "intent_done")) throw e;
    const { txHash, block } = e.details as { txHash: string; block: number };
    return { txHash, block, gasUsed: 0 };
  }
}

/**
 * Sends a revocation logged as an intent first (when `log`): the same revocation done before comes back with its
 * receipt (revocation is terminal, so it still stands), and a crash before the receipt leaves it pending.
 */
export async function withIntent(
  pending: IntentLog,
  scope: IntentScope,
  log: boolean,
  issuer: string,
  payload: unknown,
  send: () => Promise<WriteResult>,
  canonical: (txHash: string) => Promise<number | undefined>,
): Promise<WriteResult> {
  if (!log) return send();
  const intent = revocationIntent(scope, issuer, payload);
  const earlier = await recordOnce(pending, intent);
  if (earlier !== undefined) {
    // Done before: still so if its transaction is on the canonical chain (perhaps in another block after a
    // reorganisation); dropped by one, it is pending again and sent anew, never reported done.
    const landed = await canonical(earlier.txHash);
    if (landed !== undefined) return { ...earlier, block: landed };
    await pending.reopen(intent.id, earlier.txHash);
  }
  const result = await send();
  await markDoneOnce(pending, intent.id, result);
  return result;
}

/**
 * The chain legacy intents (recorded before intents named their chain and registry) are resumed on: the option
 * given, else the `LER_LEGACY_INTENTS_CHAIN_ID` setting (`env`); undefined: they are only reported.
 */
export function legacyIntentsChainId(option: number | undefined, env: string | undefined): number | undefined {
  if (option !== undefined) return option;
  if (env === undefined || env.trim() === "") return undefined;
  const n = Number(env);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new LerError("invalid_config", `LER_LEGACY_INTENTS_CHAIN_ID must be a chain id, not "${env}".`);
  }
  return n;
}
