import { Command } from "commander";
import { newToken, parseScopes, type TokenRecord } from "../../agent/store.js";
import { LerError, UsageError } from "../../errors.js";
import { parseTime } from "../config.js";
import type { Session } from "../context.js";
import { didOf, done, examples, resolveIdentity, type Act } from "./common.js";

export function registerTokenCommands(program: Command, act: Act): void {
  const token = program
    .command("token")
    .description("API tokens of the issuer service: create (shown once), list, revoke");
  token.addHelpText(
    "after",
    `
A token (ler_<id>_<secret>) lets a client of the issuer service act for one issuer within its scopes: issue
(issue credentials), status (revoke, suspend, reinstate), read (list what was issued). Only the SHA-256 of its secret
is kept (in the home, or in the database of --store), so it is printed once, when created: keep it in a secrets
manager. Every create and revoke is written to the audit log.
`,
  );

  examples(
    token
      .command("create")
      .description("create a token for an issuer, and print it (once)")
      .requiredOption("--issuer <identity>", "the issuer it acts for (alias, DID or address of this key store)")
      .requiredOption("--scope <scopes>", "comma-separated: issue, status, read")
      .option("--expires <when>", "a duration (30d, 12h, 90m) or a date / date-time / unix seconds (default: never)")
      .option("--label <text>", "a name for people (which client holds it)")
      .action(act(createToken)),
    [
      'ler token create --issuer "State University" --scope issue,status --expires 90d --label "registrar SIS"',
      "ler token create --issuer univ --scope read --json | jq -r .token",
    ],
  );

  examples(
    token
      .command("list")
      .description("list tokens (never their secrets or hashes)")
      .option("--issuer <identity>", "only this issuer's")
      .action(act(listTokens)),
    ["ler token list", "ler token list --issuer univ --json"],
  );

  examples(
    token
      .command("revoke")
      .description("revoke a token at once")
      .argument("<id>", "the token's id (16 hex digits)")
      .action(act(revokeToken)),
    ["ler token revoke 3f9a0c1b2d4e5f60"],
  );
}

async function createToken(
  s: Session,
  opts: { issuer: string; scope: string; expires?: string; label?: string },
): Promise<void> {
  const scopes = parseScopes(opts.scope);
  const now = Date.now();
  const expiresAt = opts.expires === undefined ? undefined : expiryOf(opts.expires, now);
  const issuer = await issuerNamed(s, opts.issuer);
  const store = await s.store();
  const { token, id, hash } = newToken();
  const record: TokenRecord = {
    id,
    issuer: issuer.address.toLowerCase(),
    scopes,
    hash,
    createdAt: new Date(now).toISOString(),
    ...(expiresAt !== undefined && { expiresAt }),
    ...(opts.label !== undefined && { label: opts.label }),
  };
  await store.tokens.createToken(record);
  await store.audit.appendAudit({
    at: record.createdAt,
    actor: "cli",
    issuer: record.issuer,
    op: "token.create",
    target: { id, scopes, ...(expiresAt !== undefined && { expiresAt }) },
    outcome: "ok",
  });
  s.out.result({ token, id, issuer: issuer.did, scopes, expiresAt: expiresAt ?? null }, () => {
    done(s.out, `Created token ${id} for ${issuer.alias ?? issuer.did} (${scopes.join(", ")})`);
    s.out.line(`  ${token}`);
    s.out.note("This is the only time the token is shown: only its hash is kept. Store it now.");
  });
}

async function listTokens(s: Session, opts: { issuer?: string }): Promise<void> {
  const issuer = opts.issuer === undefined ? undefined : (await issuerNamed(s, opts.issuer)).address.toLowerCase();
  const store = await s.store();
  // The hash is left out: it is not the secret, but nobody needs it outside the store.
  const tokens = (await store.tokens.listTokens(issuer)).map(({ hash: _hash, ...t }) => t);
  // People read the issuer's alias where this key store has one (the JSON keeps the address only).
  const names = new Map<string, string>();
  if (!s.out.json) {
    const local = await s.localNames().catch(() => new Map<string, string>());
    for (const [address, alias] of local) names.set(address.toLowerCase(), alias);
  }
  s.out.result({ tokens }, () => {
    if (tokens.length === 0) {
      s.out.line(s.out.c.dim("No tokens."));
      return;
    }
    s.out.table(
      ["ID", "ISSUER", "SCOPES", "CREATED", "EXPIRES", "REVOKED", "LABEL"],
      tokens.map((t) => [
        t.id,
        names.has(t.issuer) ? `${names.get(t.issuer)} (${t.issuer.slice(0, 6)}…${t.issuer.slice(-4)})` : t.issuer,
        t.scopes.join(","),
        t.createdAt,
        t.expiresAt ?? "-",
        t.revokedAt ?? "-",
        t.label ?? "",
      ]),
    );
  });
}

async function revokeToken(s: Session, id: string): Promise<void> {
  const store = await s.store();
  const record = await store.tokens.findToken(id.trim());
  if (record === undefined) {
    throw new LerError("unknown_token", `No API token has the id ${id.trim()} (see \`ler token list\`).`, {
      details: { id: id.trim() },
    });
  }
  const at = new Date().toISOString();
  await store.tokens.revokeToken(record.id, at);
  const revokedAt = (await store.tokens.findToken(record.id))?.revokedAt ?? at;
  await store.audit.appendAudit({
    at,
    actor: "cli",
    issuer: record.issuer,
    op: "token.revoke",
    target: { id: record.id },
    outcome: "ok",
  });
  s.out.result({ id: record.id, revokedAt }, () => done(s.out, `Revoked token ${record.id} (at ${revokedAt})`));
}

/** `--expires`: `<n>d`, `<n>h` or `<n>m` from `now` (ms), or a point in time; ISO 8601, in the future. */
function expiryOf(value: string, now: number): string {
  const m = /^(\d+)\s*([dhm])$/.exec(value.trim());
  const at =
    m !== null
      ? now + Number(m[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as "d" | "h" | "m"]
      : parseTime("--expires")(value) * 1000;
  if (!(at > now)) throw new UsageError("invalid_argument", `--expires must be in the future, not ${value}.`);
  return new Date(at).toISOString();
}

/** The issuer a flag names: a DID or an address as is (no deployment record needed), else an alias of the key store. */
async function issuerNamed(
  s: Session,
  ref: string,
): Promise<{ did: string; address: string; alias?: string | undefined }> {
  const did = didOf(s.settings.network, ref);
  const address = did === undefined ? undefined : /(0x[0-9a-fA-F]{40})$/.exec(did)?.[1];
  if (did !== undefined && address !== undefined) return { did, address };
  return resolveIdentity(await s.agent("local"), s.settings.network, ref);
}
