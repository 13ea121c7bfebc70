import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../errors.js";

/** The package's root directory (where its own `deployments/` and `artifacts/` live). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";
export const DEFAULT_NETWORK = "localhost";

/** The options every command takes (commander merges them from flags, the environment and defaults). */
export interface GlobalOptions {
  rpc: string;
  network: string;
  deployments?: string;
  home: string;
  store?: string;
  json?: boolean;
  confirmations?: number;
  timeout?: number;
  maxHeadAge?: number | "off";
}

/** Where the CLI talks to and keeps its state, resolved once per command. */
export interface Settings {
  rpcUrl: string;
  network: string;
  /** Set by `--deployments` or LER_DEPLOYMENTS; otherwise looked up per file (see {@link deploymentsDirToRead}). */
  deploymentsDir: string | undefined;
  home: string;
  /**
   * Set by `--store` or LER_STORE_URL: the PostgreSQL database that holds the issuer's state (allocations, ledger,
   * intents, tokens) instead of the home's files, shared by every worker; the key store stays in the home.
   */
  storeUrl: string | undefined;
  json: boolean;
  /** Confirmations each write waits for (1 unless set). */
  confirmations: number | undefined;
  /** Timeout of each JSON-RPC read, in milliseconds. */
  readTimeoutMs: number | undefined;
  /**
   * The oldest chain head verifications believe, in seconds behind the verifier's clock; null: not checked;
   * undefined: the network's own bound (the deployment record's, else the chain's preset: see `headAgeBound`).
   */
  maxHeadAgeSeconds: number | null | undefined;
  /**
   * When the command started (ms since the epoch): a verification's `--timeout` counts from it, so that `ler verify
   * --timeout N` answers within N seconds of being started, its own start-up included. Unset: from the first probe.
   */
  startedAt?: number;
}

export function settingsFrom(opts: GlobalOptions): Settings {
  return {
    rpcUrl: opts.rpc,
    network: opts.network,
    deploymentsDir: opts.deployments === undefined || opts.deployments === "" ? undefined : resolve(opts.deployments),
    home: resolve(expandHome(opts.home)),
    storeUrl: opts.store === undefined || opts.store === "" ? undefined : opts.store,
    json: opts.json === true,
    confirmations: opts.confirmations,
    readTimeoutMs: opts.timeout === undefined ? undefined : opts.timeout * 1000,
    maxHeadAgeSeconds: opts.maxHeadAge === "off" ? null : opts.maxHeadAge,
  };
}

export function defaultHome(): string {
  return join(homedir(), ".ler");
}

function expandHome(p: string): string {
  return p === "~" || p.startsWith("~/") ? join(homedir(), p.slice(1)) : p;
}

/**
 * The directory holding the network's deployment record: the one given, else `./deployments` of the working
 * directory when the record is there, else the package's own `deployments/` (where `ler node` writes by default).
 */
export function deploymentsDirToRead(
  settings: Pick<Settings, "deploymentsDir" | "network">,
  cwd = process.cwd(),
): string {
  if (settings.deploymentsDir !== undefined) return settings.deploymentsDir;
  const local = join(cwd, "deployments");
  // The record's file name as chain/deployments.ts deploymentPath gives it (not imported: it would load ethers).
  if (existsSync(join(local, `${settings.network}.json`))) return local;
  return join(PACKAGE_ROOT, "deployments");
}

/** Where a new record goes: the directory given, else `./deployments` when it exists, else the package's own. */
export function deploymentsDirToWrite(settings: Pick<Settings, "deploymentsDir">, cwd = process.cwd()): string {
  if (settings.deploymentsDir !== undefined) return settings.deploymentsDir;
  const local = join(cwd, "deployments");
  return existsSync(local) ? local : join(PACKAGE_ROOT, "deployments");
}

// ---- argument parsers (commander calls them; a UsageError becomes exit 64) ------------------------------------

/** A whole number within bounds. */
export function parseInteger(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()))
      throw new UsageError("invalid_argument", `${name} must be a whole number, not "${value}".`);
    const n = Number(value);
    if (n < min || n > max)
      throw new UsageError("invalid_argument", `${name} must be between ${min} and ${max}, not ${n}.`);
    return n;
  };
}

/** `--max-head-age`: a positive whole number of seconds, or `off` (commander would turn a null into ""). */
export function parseHeadAge(name: string) {
  return (value: string): number | "off" => {
    const v = value.trim();
    if (v.toLowerCase() === "off") return "off";
    if (!/^\d+$/.test(v))
      throw new UsageError("invalid_argument", `${name} must be a whole number of seconds, or "off", not "${value}".`);
    const n = Number(v);
    if (n < 1 || !Number.isSafeInteger(n))
      throw new UsageError(
        "invalid_argument",
        `${name} must be a positive whole number of seconds (or "off" to turn the check off), not ${v}.`,
      );
    return n;
  };
}

/**
 * A point in time as unix seconds: a whole number of seconds, or an ISO 8601 date or date-time
 * (`2030-06-30`, `2030-06-30T12:00:00Z`; a date alone is midnight UTC).
 */
export function parseTime(name: string) {
  return (value: string): number => {
    const v = value.trim();
    if (/^\d+$/.test(v)) return Number(v);
    if (/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v)) {
      const withZone = /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : /(Z|[+-]\d{2}:?\d{2})$/.test(v) ? v : `${v}Z`;
      const ms = Date.parse(withZone.replace(" ", "T"));
      if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
    }
    throw new UsageError(
      "invalid_argument",
      `${name} must be a date (2030-06-30), a date-time (2030-06-30T12:00:00Z) or unix seconds, not "${value}".`,
    );
  };
}

/** A comma-separated list (`Degree,Course`), also accepting repeated flags. */
export function collectList(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return [...(previous ?? []), ...items];
}

/** Repeatable flag. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
