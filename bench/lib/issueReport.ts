/**
 * The issuance report: measurements in, markdown and JSON out. Pure. Rates are rounded to two significant digits
 * (they are noisy); gas is exact, but moves by a few units between runs with the zero bytes of each batch's random
 * Merkle root.
 */
import { fmt, round2 } from "./verifyReport.js";

export interface IssueMeasurement {
  batchSize: number;
  batches: number;
  credentials: number;
  /** Wall time of all `lerIssueCredentials` calls, confirmation of the anchor included. */
  ms: number;
  /** Of which until the last credential was signed (reservation, building, tree, signing). */
  signingMs: number;
  /** Gas of the anchor transactions. */
  anchorGas: number;
  perSecond: number;
}

export interface RevokeMeasurement {
  what: string;
  count: number;
  transactions: number;
  gas: number;
  ms: number;
  /** Credentials in the batch the revoked ones belong to (for the cost per issued credential). */
  issuedInBatch: number;
}

export interface IssueReportInput {
  command: string;
  hardhat: string;
  veramo: string;
  referenceRate: number;
  reference: number;
  issued: IssueMeasurement[];
  revoked: RevokeMeasurement[];
}

const gas = (n: number) => (n >= 100 ? fmt(Math.round(n)) : n.toFixed(1));

export function renderIssueReport(input: IssueReportInput): { text: string; records: object } {
  const lines = [
    "# Issuance benchmark",
    "",
    `Regenerate with \`${input.command}\`. Credentials are issued through the agent: \`lerIssueCredentials\` reserves ` +
      "status indices (fsynced allocation file), builds each Open Badges 3.0 credential with its status entry, computes " +
      "the batch's Merkle tree, signs each credential as a JWT (Open Badges 3.0 on VC 2.0: the credential is the payload, the key as `jwk`) with Veramo's key manager (ES256K, local KMS, encrypted key store), appends the " +
      "batch to the issuer's ledger (fsynced) and anchors the root with one `StatusRegistry.anchor` transaction, " +
      `waiting for one confirmation. Chain: a Hardhat ${input.hardhat} node over HTTP on 127.0.0.1 in the benchmark process.`,
    "",
    "Status allocation is off chain: issuing costs one anchor per batch, whatever its size. Revoking is the on-chain " +
      "part that grows with the number of credentials (`lerRevoke` packs entries into 256-bit status words).",
    "",
    "## Issuing",
    "",
    `Reference: stock Veramo ${input.veramo} \`createVerifiableCredential\` (JWT, same agent and key, no status entry, ` +
      `no anchor): ${fmt(round2(input.referenceRate))} per second over ${fmt(input.reference)} credentials.`,
    "",
    "| Batch size | Batches | Credentials | Per second | vs Veramo signing only | Signing share of the time | Anchor gas per batch | Gas per credential |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  const issued = input.issued.map((m) => ({
    batchSize: m.batchSize,
    batches: m.batches,
    credentials: m.credentials,
    perSecond: round2(m.perSecond),
    vsVeramoSigning: round2(m.perSecond / input.referenceRate),
    signingShare: Math.round((m.signingMs / m.ms) * 100) / 100,
    anchorGasPerBatch: Math.round(m.anchorGas / m.batches),
    gasPerCredential: Math.round((m.anchorGas / m.credentials) * 10) / 10,
  }));
  for (const r of issued) {
    lines.push(
      `| ${fmt(r.batchSize)} | ${r.batches} | ${fmt(r.credentials)} | ${fmt(r.perSecond)} | ${r.vsVeramoSigning}× | ` +
        `${Math.round(r.signingShare * 100)}% | ${fmt(r.anchorGasPerBatch)} | ${gas(r.gasPerCredential)} |`,
    );
  }
  lines.push(
    "",
    "## Revoking",
    "",
    "| Revoked | Credentials | Transactions | Gas | Gas per revoked credential | Gas per credential of the batch |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  );
  const revoked = input.revoked.map((r) => ({
    what: r.what,
    credentials: r.count,
    transactions: r.transactions,
    gas: r.gas,
    gasPerRevoked: Math.round((r.gas / r.count) * 10) / 10,
    gasPerIssued: Math.round((r.gas / r.issuedInBatch) * 10) / 10,
  }));
  for (const r of revoked) {
    lines.push(
      `| ${r.what} | ${fmt(r.credentials)} | ${r.transactions} | ${fmt(r.gas)} | ${gas(r.gasPerRevoked)} | ${gas(r.gasPerIssued)} |`,
    );
  }
  const big = issued[issued.length - 1];
  const twoPercent = revoked.find((r) => r.what.startsWith("2%"));
  if (big !== undefined && twoPercent !== undefined) {
    lines.push(
      "",
      `Issuing a batch of ${fmt(big.batchSize)} and revoking 2% of it: ${gas(big.gasPerCredential)} + ` +
        `${gas(twoPercent.gasPerIssued)} = ${gas(big.gasPerCredential + twoPercent.gasPerIssued)} gas per issued credential.`,
    );
  }
  lines.push(
    "",
    "## Notes",
    "",
    "- Per second is wall time on this machine, confirmation included; at batch size 1 the anchor transaction's round " +
      "trip dominates, at 10,000 the signing does (see the signing share). On a public L2 add the block time per batch.",
    "- Gas is the receipts' `gasUsed` (L1 execution gas under the chain's rules); L2 data fees are not included.",
    "",
  );
  return { text: lines.join("\n"), records: { referencePerSecond: round2(input.referenceRate), issued, revoked } };
}
