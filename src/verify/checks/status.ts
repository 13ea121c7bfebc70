import { ChainError, LerError } from "../../errors.js";
import { hashKey, statusKey, type ChainSnapshot } from "../../chain/snapshotPlan.js";
import { didNamesChain, parseEthrDid, type EthrDid, type SigningKeys } from "../../did/ethr.js";
import { mirrorsLerEntry, type BitstringEntry, type LerStatusEntry } from "../../credentials/status.js";
import type { VerifierScope } from "../context.js";
import type { VerifierMemory } from "../memory.js";
import type { Check } from "../report.js";
import { statusBit, statusListSignedBy, StatusListError, type StatusList } from "../statusLists.js";
import type { Prepared, Shared } from "./common.js";

/** What the status check needs besides the credential: the verifier's time and options. */
export interface StatusCheckOptions {
  now: number;
  skew: number;
  /** Also compare the lists an LER entry mirrors with the chain (`VerifyOptions.checkStatusLists`). */
  checkStatusLists: boolean;
}

/**
 * The status checks of a credential: revocation by hash, then its credentialStatus. An LER entry is answered by the
 * chain (`credential_revoked`, `credential_suspended`, `not_revoked`; `status_wrong_chain`, `status_unknown_registry`,
 * `status_issuer_mismatch`); BitstringStatusListEntry entries that stand for it (see `mirrorsLerEntry`) only with
 * `checkStatusLists`, as extra checks that never change the result; other BitstringStatusListEntry entries are a
 * status of their own, read from their (fetched) lists. A list that cannot be used makes the status `unknown`, never
 * valid. No entry: `no_status_entry` (skipped).
 */
export function statusCheck(
  p: Pick<Prepared, "issuer" | "hashes" | "status">,
  snap: ChainSnapshot,
  scope: VerifierScope,
  shared: Pick<Shared, "keysAt" | "statusLists">,
  options: StatusCheckOptions,
  memory: VerifierMemory,
): Check[] {
  const did = p.issuer!;
  const issuer = did.address;
  for (const hash of p.hashes!) {
    const revokedAt = snap.hashRevokedAt.get(hashKey(issuer, hash)) ?? 0n;
    if (revokedAt > 0n) {
      return [
        {
          id: "status",
          outcome: "fail",
          code: "credential_revoked",
          message: `Revoked by its issuer (by hash) at ${new Date(Number(revokedAt) * 1000).toISOString()}.`,
          details: { hash, revokedAt: Number(revokedAt) },
        },
      ];
    }
  }
  const entry = p.status;
  if (entry === undefined) {
    return [
      {
        id: "status",
        outcome: "skipped",
        code: "no_status_entry",
        message: "No credentialStatus entry: status not applicable (revocation by hash checked).",
      },
    ];
  }
  if (entry.kind === "unsupported") {
    return [
      {
        id: "status",
        outcome: "unknown",
        code: "unsupported_status_type",
        message: `Status type "${entry.type}" cannot be checked here.`,
      },
    ];
  }
  const read = (e: BitstringEntry) => readStatusBit(did, snap, scope, shared, options, memory, e);
  if (entry.kind === "bitstring") return [standardStatus(entry.entries, read)];
  if (entry.chainId !== scope.deployment.chainId) {
    return [
      {
        id: "status",
        outcome: "fail",
        code: "status_wrong_chain",
        message: `The status entry is on chain ${entry.chainId}, not ${scope.deployment.chainId}.`,
      },
    ];
  }
  // parseStatusEntry gives both addresses checksummed.
  if (entry.registry !== scope.deployment.contracts.StatusRegistry.address) {
    return [
      {
        id: "status",
        outcome: "fail",
        code: "status_unknown_registry",
        message: `The status entry names registry ${entry.registry}, which is not this deployment's.`,
      },
    ];
  }
  if (entry.issuer !== issuer) {
    return [
      {
        id: "status",
        outcome: "fail",
        code: "status_issuer_mismatch",
        message: `The status entry belongs to ${entry.issuer}, not the issuer.`,
      },
    ];
  }
  const s = snap.statuses.get(statusKey(issuer, entry.list, entry.index));
  if (s === undefined)
    return [{ id: "status", outcome: "unknown", code: "chain_error", message: "The status was not read." }];
  const where = { list: entry.list.toString(), index: entry.index };
  let chain: Check;
  if (s.revoked)
    chain = {
      id: "status",
      outcome: "fail",
      code: "credential_revoked",
      message: `Revoked by its issuer (list ${entry.list}, index ${entry.index}).`,
      details: where,
    };
  else if (s.suspended)
    chain = {
      id: "status",
      outcome: "fail",
      code: "credential_suspended",
      message: `Suspended by its issuer (list ${entry.list}, index ${entry.index}).`,
      details: where,
    };
  else
    chain = {
      id: "status",
      outcome: "pass",
      code: "not_revoked",
      message: "Neither revoked nor suspended.",
      details: where,
    };
  const standard = entry.standard ?? [];
  const own = standard.filter((e) => !mirrorsLerEntry(e, entry));
  const status = chain.outcome === "fail" || own.length === 0 ? chain : beside(chain, standardStatus(own, read));
  if (!options.checkStatusLists) return [status];
  const mirrored = standard.filter((e) => mirrorsLerEntry(e, entry));
  return [status, ...mirrored.map((e) => listAgainstChain(e, entry, s, read(e), snap.block))];
}

/** A bit read from a status list, or why it could not be. */
type ListRead = { set: boolean; list: StatusList } | LerError;

/**
 * The bit of `entry` in its fetched list, once the list is shown to be the credential issuer's (a did:ethr of this
 * chain with the issuer's address) and signed by a key of that issuer now (the head the chain was read at). A list
 * the issuer did not sign says nothing about its credentials: `status_list_wrong_issuer`.
 */
function readStatusBit(
  did: EthrDid,
  snap: ChainSnapshot,
  scope: VerifierScope,
  shared: Pick<Shared, "keysAt" | "statusLists">,
  options: StatusCheckOptions,
  memory: VerifierMemory,
  entry: BitstringEntry,
): ListRead {
  const fetched = shared.statusLists.get(entry.url);
  if (fetched === undefined)
    return new StatusListError("status_list_unreachable", `The status list at ${entry.url} was not fetched.`);
  if (!fetched.ok) return fetched.error;
  const list = fetched.list;
  let listIssuer: EthrDid | undefined;
  try {
    listIssuer = parseEthrDid(list.issuer);
  } catch {
    listIssuer = undefined;
  }
  if (
    listIssuer === undefined ||
    listIssuer.address !== did.address ||
    !didNamesChain(listIssuer, { name: scope.networkName, chainId: scope.deployment.chainId })
  ) {
    return new StatusListError(
      "status_list_wrong_issuer",
      `The status list at ${entry.url} was issued by ${list.issuer}, not by the credential's issuer ${did.did}.`,
    );
  }
  const now = options.now;
  let keys: SigningKeys;
  try {
    keys = shared.keysAt(did, snap.didEvents.get(did.address) ?? [], { block: snap.block, time: BigInt(now) });
  } catch (e) {
    if (e instanceof ChainError) return e;
    throw e;
  }
  // Signature verdicts per list and key set: every credential of a batch on one list asks the same question.
  const keysId = `${did.did}|${snap.block}|${now}`;
  let verdicts = memory.listSignatures.get(list);
  if (verdicts === undefined) memory.listSignatures.set(list, (verdicts = new Map()));
  let signed = verdicts.get(keysId);
  if (signed === undefined)
    verdicts.set(keysId, (signed = !keys.deactivated && statusListSignedBy(list, keys, memory)));
  if (!signed)
    return new StatusListError(
      "status_list_invalid_signature",
      `The status list at ${entry.url} is not signed by a key of ${did.did} as of block ${snap.block}.`,
    );
  try {
    return { set: statusBit(list, entry, now, options.skew), list };
  } catch (e) {
    if (e instanceof StatusListError) return e;
    throw e;
  }
}

/**
 * The status BitstringStatusListEntry entries give: revoked before suspended, then any entry that could not be read
 * (`unknown`, with its code), then not revoked. `refresh` entries say nothing about validity; a purpose or size this
 * verifier cannot read is `unknown`.
 */
function standardStatus(entries: readonly BitstringEntry[], read: (e: BitstringEntry) => ListRead): Check {
  const found: { purpose: string; url: string; index: string }[] = [];
  let unknown: Check | undefined;
  for (const purpose of ["revocation", "suspension"] as const) {
    for (const e of entries.filter((x) => x.purpose === purpose)) {
      const where = { purpose, url: e.url, index: e.index.toString() };
      if (e.size !== 1) {
        unknown ??= {
          id: "status",
          outcome: "unknown",
          code: "unsupported_status_size",
          message: `The ${purpose} entry has statusSize ${e.size}: only one-bit entries are read here.`,
          details: where,
        };
        continue;
      }
      const r = read(e);
      if (r instanceof LerError) {
        unknown ??= { id: "status", outcome: "unknown", code: r.code, message: r.message, details: where };
        continue;
      }
      if (r.set) {
        return purpose === "revocation"
          ? {
              id: "status",
              outcome: "fail",
              code: "credential_revoked",
              message: `Revoked by its issuer (status list ${e.url}, index ${e.index}).`,
              details: where,
            }
          : {
              id: "status",
              outcome: "fail",
              code: "credential_suspended",
              message: `Suspended by its issuer (status list ${e.url}, index ${e.index}).`,
              details: where,
            };
      }
      found.push(where);
    }
  }
  const other = entries.find(
    (e) => e.purpose !== "revocation" && e.purpose !== "suspension" && e.purpose !== "refresh",
  );
  if (unknown === undefined && other !== undefined) {
    unknown = {
      id: "status",
      outcome: "unknown",
      code: "unsupported_status_purpose",
      message: `Status purpose "${other.purpose}" cannot be checked here.`,
      details: { purpose: other.purpose, url: other.url },
    };
  }
  if (unknown !== undefined) return unknown;
  if (found.length === 0)
    return {
      id: "status",
      outcome: "skipped",
      code: "no_status_entry",
      message: "No revocation or suspension entry: status not applicable (revocation by hash checked).",
    };
  return {
    id: "status",
    outcome: "pass",
    code: "not_revoked",
    message: "Neither revoked nor suspended (status lists).",
    details: { lists: found },
  };
}

/** The chain's answer, unless a status of the credential's own (a list the chain does not keep) says worse. */
function beside(chain: Check, standard: Check): Check {
  return standard.outcome === "fail" || standard.outcome === "unknown" ? standard : chain;
}

/**
 * What a published list says of an LER entry beside what the chain says: informational, never the result (the chain
 * decides). Agreeing is a pass; disagreeing, or a list that cannot be used, is reported and skipped.
 */
function listAgainstChain(
  e: BitstringEntry,
  entry: LerStatusEntry,
  chain: { revoked: boolean; suspended: boolean },
  r: ListRead,
  block: number,
): Check {
  const onChain = e.purpose === "revocation" ? chain.revoked : chain.suspended;
  const where = { purpose: e.purpose, url: e.url, list: entry.list.toString(), index: entry.index, chainBlock: block };
  if (r instanceof LerError) {
    return {
      id: "status",
      outcome: "skipped",
      code: "status_list_unavailable",
      message: `${r.message} The chain decides.`,
      details: { ...where, reason: r.code },
    };
  }
  const listBlock = r.list.snapshot?.chainBlock;
  const said = (set: boolean) =>
    set
      ? e.purpose === "revocation"
        ? "revoked"
        : "suspended"
      : `not ${e.purpose === "revocation" ? "revoked" : "suspended"}`;
  const at = listBlock === undefined ? "" : ` (published from block ${listBlock})`;
  if (r.set === onChain) {
    return {
      id: "status",
      outcome: "pass",
      code: "status_list_agrees",
      message: `The published ${e.purpose} list${at} agrees with the chain: ${said(onChain)}.`,
      details: { ...where, listBlock: listBlock ?? null, set: r.set },
    };
  }
  return {
    id: "status",
    outcome: "skipped",
    code: "status_list_disagrees",
    message: `The published ${e.purpose} list${at} says ${said(r.set)}, the chain at block ${block} says ${said(onChain)}: the chain decides. The issuer should publish its lists again (ler issuer publish-status).`,
    details: { ...where, listBlock: listBlock ?? null, set: r.set, onChain },
  };
}

/** The status lists a batch must fetch: every entry that is a status of its own; with `checkStatusLists`, all. */
export function statusListUrlsOf(ready: readonly Pick<Prepared, "status">[], checkStatusLists: boolean): string[] {
  const urls = new Set<string>();
  const readable = (e: BitstringEntry) => (e.purpose === "revocation" || e.purpose === "suspension") && e.size === 1;
  for (const p of ready) {
    const s = p.status;
    if (s?.kind === "bitstring") {
      for (const e of s.entries) if (readable(e)) urls.add(e.url);
    } else if (s?.kind === "ler") {
      for (const e of s.standard ?? [])
        if (readable(e) && (checkStatusLists || !mirrorsLerEntry(e, s))) urls.add(e.url);
    }
  }
  return [...urls];
}
