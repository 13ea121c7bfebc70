import { randomBytes } from "node:crypto";
import { userInfo } from "node:os";
import type { StoreKeys } from "../../src/store/sealed.js";
import type { IssuerStore } from "../../src/store/types.js";

/** The PostgreSQL server of the project's machines (trust authentication, database `test`). */
export const PG_URL = process.env.LER_TEST_POSTGRES_URL ?? "postgres://127.0.0.1:5432/test";

let announced = false;

/** A fresh schema on the test server, or the reason there is none (no server answering). */
export async function pgSchemaOrReason(): Promise<
  { schema: string; sql: (text: string) => Promise<void>; drop: () => Promise<void> } | string
> {
  const pg = (await import("pg")).default;
  const url = new URL(PG_URL);
  // As psql (and the store) do: no user named, the operating system's.
  if (url.username === "" && process.env.PGUSER === undefined) url.username = userInfo().username;
  const admin = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 2_000 });
  admin.on("error", () => {});
  try {
    await admin.connect();
  } catch (e) {
    return `no PostgreSQL at ${PG_URL.replace(/\/\/[^@/]*@/, "//")} (${(e as Error).message})`;
  }
  const schema = `ler_test_${randomBytes(6).toString("hex")}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  return {
    schema,
    sql: async (text) => void (await admin.query(`SET search_path TO ${schema}; ${text}`)),
    drop: async () => {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

/**
 * Stores opened on one fresh schema (several, as several workers would), closed and the schema dropped by `close`;
 * or undefined after skipping the calling suite, saying why in one line, when no server answers.
 */
export async function pgStoresOrSkip(
  ctx: Mocha.Context,
  keys: StoreKeys,
  count = 1,
): Promise<
  | { stores: IssuerStore[]; schema: string; sql: (text: string) => Promise<void>; close: () => Promise<void> }
  | undefined
> {
  const made = await pgSchemaOrReason();
  if (typeof made === "string") {
    if (!announced) {
      announced = true;
      console.log(`    (PostgreSQL tests skipped: ${made})`);
    }
    ctx.skip();
    return undefined;
  }
  const { openPostgresStore } = await import("../../src/store/postgres/store.js");
  const stores: IssuerStore[] = [];
  for (let i = 0; i < count; i++) stores.push(await openPostgresStore({ url: PG_URL, keys, schema: made.schema }));
  return {
    stores,
    schema: made.schema,
    /** Runs SQL in the schema on a connection of its own (to break the store from outside, say). */
    sql: made.sql,
    close: async () => {
      for (const s of stores) await s.close();
      await made.drop();
    },
  };
}
