import { LerError } from "../errors.js";
import { FilesIssuerStore } from "./filesStore.js";
import type { StoreKeys } from "./sealed.js";
import type { IssuerStore } from "./types.js";

/** Options of {@link openIssuerStore}. */
export interface OpenIssuerStoreOptions {
  /** `postgres://…` or `postgresql://…`: a shared database; undefined or empty: the files of `home`. */
  url?: string | undefined;
  /** The home: its files are the store when there is no URL (the key store stays there in either case). */
  home: string;
  /** The key store's store keys: what the store seals, it seals with them. */
  keys: StoreKeys;
}

/**
 * Opens the issuer's store: the files of the home (one machine), or PostgreSQL (several workers), migrated to this
 * release's schema on open. The PostgreSQL driver is loaded only here, when a database is named, so that the rest of
 * the package (and `ler verify`) never loads it. Errors: `invalid_store_url`, `store_unreachable`, `store_too_new`.
 */
export async function openIssuerStore({ url, home, keys }: OpenIssuerStoreOptions): Promise<IssuerStore> {
  if (url === undefined || url === "") return new FilesIssuerStore(home, keys);
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    // The URL is not repeated: it could hold a password.
    throw new LerError(
      "invalid_store_url",
      `The store URL must start with postgres:// or postgresql:// (or be empty for the home's files), not ${schemeOf(url)}.`,
    );
  }
  const { openPostgresStore } = await import("./postgres/store.js");
  return openPostgresStore({ url, keys });
}

function schemeOf(url: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  return m === null ? "a string without a scheme" : `${m[1]}:`;
}
