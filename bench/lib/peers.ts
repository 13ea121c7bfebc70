import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Interface, type InterfaceAbi, type TransactionReceipt } from "ethers";

const require = createRequire(import.meta.url);

export interface PeerArtifact {
  abi: InterfaceAbi;
  bytecode: string;
}

/** A contract as compiled and published by the EAS package (its own compiler settings, not this project's). */
export function easArtifact(name: "EAS" | "SchemaRegistry"): PeerArtifact {
  const json = require(
    `@ethereum-attestation-service/eas-contracts/artifacts/contracts/${name}.sol/${name}.json`,
  ) as PeerArtifact;
  return { abi: json.abi, bytecode: json.bytecode };
}

/** The version of an installed npm package. */
export function packageVersion(name: string): string {
  // Some packages export only their entry point: find package.json above it.
  let dir = dirname(require.resolve(name));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version: string };
      if (pkg.name === name) return pkg.version;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json of ${name} not found`);
    dir = parent;
  }
}

/** EIP-712 types of an EAS delegated revocation (EAS 1.3 and later). */
export const EAS_REVOKE_TYPES = {
  Revoke: [
    { name: "revoker", type: "address" },
    { name: "schema", type: "bytes32" },
    { name: "uid", type: "bytes32" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint64" },
  ],
};

/** The uids of the attestations made in a transaction, from its `Attested` events. */
export function attestedUids(eas: Interface, receipt: TransactionReceipt): string[] {
  const uids: string[] = [];
  for (const log of receipt.logs) {
    const parsed = eas.parseLog(log);
    if (parsed?.name === "Attested") uids.push(parsed.args.getValue("uid") as string);
  }
  return uids;
}

/** The schema uid from a `SchemaRegistry.register` receipt. */
export function registeredSchema(registry: Interface, receipt: TransactionReceipt): string {
  for (const log of receipt.logs) {
    const parsed = registry.parseLog(log);
    if (parsed?.name === "Registered") return parsed.args.getValue("uid") as string;
  }
  throw new Error("no Registered event in the schema registration receipt");
}
