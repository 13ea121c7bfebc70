import { LerError } from "../errors.js";
import { IssuedLedger, type IssuedRecord } from "../store/ledger.js";

export type { IssuedRecord };

/** What an issuer issued from a home, as its ledger (`<home>`'s issued-credentials ledger) records it. */

/** Every credential `issuer` (an address) issued from `home`, oldest first; only `batch` (a root) if given. */
export async function issuedCredentials(
  home: string,
  issuer: string,
  { batch }: { batch?: string | undefined } = {},
): Promise<IssuedRecord[]> {
  const { records } = await new IssuedLedger(home).readIssued(issuer);
  return batch === undefined ? records : records.filter((r) => r.batch?.toLowerCase() === batch.toLowerCase());
}

/** The roots of every batch `issuer` issued from `home`, once each, oldest first. */
export async function issuedBatchRoots(home: string, issuer: string): Promise<string[]> {
  const records = await issuedCredentials(home, issuer);
  return [...new Set(records.map((r) => r.batch).filter((b): b is string => b !== undefined))];
}

/**
 * The status entries of the credentials `ids` in `issuer`'s ledger, in the order given; `missing` lists the ids the
 * ledger does not hold. A credential issued without a status entry is refused (`no_status_entry`).
 */
export async function statusEntriesOf(
  home: string,
  issuer: string,
  ids: readonly string[],
): Promise<{ entries: { id: string; list: string; index: number }[]; missing: string[] }> {
  const byId = new Map((await issuedCredentials(home, issuer)).map((r) => [r.id, r]));
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
