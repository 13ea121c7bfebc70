import { join, resolve } from "node:path";
import type { PublishedStatusLists } from "../issue/publishStatus.js";
import { ensureDir, writeFileAtomicSync } from "../store/files.js";
import type { AccreditationConsent, IssuedCredential } from "./types.js";

/**
 * Files an issuer hands on: issued credentials, a subject's consent, signed status lists for hosting. Each is written
 * whole or not at all (a kill part-way leaves the previous file, or none, never half of one); the credentials are in
 * the issuer's ledger already, so an export can always be made again.
 */

/** One credential as a compact JWT on a line. */
export function exportCredentialJwt(path: string, jwt: string): void {
  writeFileAtomicSync(resolve(path), `${jwt}\n`);
}

/** Issued credentials as JSON Lines, `{id, jwt, subject, list, index}` (and a record's `embedded`, alike). */
export function exportCredentials(path: string, credentials: readonly IssuedCredential[]): void {
  const line = (c: IssuedCredential): Record<string, unknown> => ({
    id: c.id,
    jwt: c.jwt,
    subject: c.subject,
    list: c.list,
    index: c.index,
    ...(c.embedded !== undefined && { embedded: c.embedded.map(line) }),
  });
  writeFileAtomicSync(resolve(path), credentials.map((c) => `${JSON.stringify(line(c))}\n`).join(""));
}

/** A subject's signed consent, as JSON (what `ler accreditor accredit --consent <file>` reads). */
export function exportConsent(path: string, consent: AccreditationConsent): void {
  writeFileAtomicSync(resolve(path), `${JSON.stringify(consent, null, 2)}\n`);
}

/** One status list as written by {@link writeStatusLists}. */
export interface WrittenStatusList {
  list: string;
  purpose: string;
  url: string;
  file: string;
  set: number;
}

/**
 * Writes signed status lists under `outDir` for hosting: `<outDir>/<issuer address>/<list>/<purpose>` holds the JWT
 * alone, as a verifier fetches it, and a `.json` copy of the decoded credential beside it, for people.
 */
export function writeStatusLists(
  outDir: string,
  published: PublishedStatusLists,
): { out: string; lists: WrittenStatusList[] } {
  const out = resolve(outDir);
  const lists = published.lists.map((l) => {
    const file = join(out, ...l.path.split("/"));
    ensureDir(join(file, ".."));
    writeFileAtomicSync(file, l.jwt);
    writeFileAtomicSync(`${file}.json`, `${JSON.stringify(l.credential, null, 2)}\n`);
    return { list: l.list, purpose: l.purpose, url: l.url, file, set: l.set };
  });
  return { out, lists };
}
