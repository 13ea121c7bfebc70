/**
 * The world of the verification benchmark as files, for its child processes: plain data, and no import that would
 * load the agent (a measuring process holds only the code of the system it measures).
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Deployment } from "../../src/chain/deployments.js";

/** How the DID document of an issuer changes, before its credentials are issued (and, for some, after). */
export type DidHistory =
  "none" | "rotated twice" | "delegate + attribute" | "rotated + delegate" | "2 attributes + delegate";
export const HISTORIES: DidHistory[] = [
  "rotated twice",
  "delegate + attribute",
  "rotated + delegate",
  "2 attributes + delegate",
];

export interface WorldIssuer {
  did: string;
  address: string;
  history: DidHistory;
  /** ERC-1056 events of the identity, all told. */
  didEvents: number;
}

export interface WorldCredential {
  jwt: string;
  issuer: number;
  /** What a full verification must answer. */
  expected: "valid" | "revoked";
}

/** What the verification benchmark's runners need: plain data, written to a file for child processes. */
export interface WorldData {
  rpcUrl: string;
  networkName: string;
  deployment: Deployment;
  issuers: WorldIssuer[];
  credentials: WorldCredential[];
  /** Chain time after the world was built (seconds). */
  chainTime: number;
  headBlock: number;
}

/**
 * Writes the world for a child process: the JWTs one per line (read back as slices of one string, about their own
 * size in memory), the rest as JSON.
 */
export function writeWorld(file: string, data: WorldData): void {
  const { credentials, ...rest } = data;
  writeFileSync(`${file}.jwt`, credentials.map((c) => c.jwt).join("\n"));
  writeFileSync(
    file,
    JSON.stringify({
      ...rest,
      credentials: credentials.map((c) => ({ jwt: "", issuer: c.issuer, expected: c.expected })),
    }),
  );
}

export function readWorld(file: string): WorldData {
  const data = JSON.parse(readFileSync(file, "utf8")) as WorldData;
  const jwts = readFileSync(`${file}.jwt`, "latin1").split("\n");
  data.credentials.forEach((c, i) => (c.jwt = jwts[i]!));
  return data;
}
