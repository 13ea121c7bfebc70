import { LerError } from "../errors.js";
import { IssuedLedger, type IssuedRecord } from "../store/ledger.js";
import type { StoreKeys } from "../store/sealed.js";
import type { IssuedLedgerStore } from "../store/types.js";

export type { IssuedLedger, IssuedLedgerStore, IssuedRecord };

/** What an issuer issued from a home, as its ledger (`<home>`'s issued-credentials ledger, encrypted) records it. */

/** The issued-credentials ledger of `home`, opened with the home's store keys (the key store's `storeKeys`). */
export function issuedLedger(home: string, keys: StoreKeys): IssuedLedger {
  return new IssuedLedger(home, keys);
}

/** Every credential `issuer` (an address) issued, as `ledger` records it, oldest first; only `batch` (a root) if given. */
export async function issuedCredentials(
  ledger: IssuedLedgerStore,
  issuer: string,
  { batch }: { batch?: string | undefined } = {},
): Promise<IssuedRecord[]> {
  const { records } = await ledger.readIssued(issuer);
  return batch === undefined ? records : records.filter((r) => r.batch?.toLowerCase() === batch.toLowerCase());
}

/** The roots of every batch `issuer` issued, as `ledger` records them, once each, oldest first. */
export async function issuedBatchRoots(ledger: IssuedLedgerStore, issuer: string): Promise<string[]> {
  const records = await issuedCredentials(ledger, issuer);
  return [...new Set(records.map((r) => r.batch).filter((b): b is string => b !== undefined))];
}

/**
 * The status entries of the credentials `ids` in `issuer`'s ledger, in the order given; `missing` lists the ids the
 * ledger does not hold. A credential issued without a status entry is refused (`no_status_entry`).
 */
export async function statusEntriesOf(
  ledger: IssuedLedgerStore,
  issuer: string,
  ids: readonly string[],
): Promise<{ entries: { id: string; list: string; index: number }[]; missing: string[] }> {
  const byId = new Map((await ledger.findIssued(issuer, ids)).map((r) => [r.id, r]));
  const entries: { id: string; list: string; index: number }[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const r = byId.get(id);
    if (r === undefined) missing.push(id);
    else if (r.list === undefined || r.index === undefined)
      throw new LerError("no_status_entry", `${id} was issued without a status entry.`);
    else entries.push({ id, list: r.list.toString(), index: r.index });
  }
  return { entries, missing };
}
