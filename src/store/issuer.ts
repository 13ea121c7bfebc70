import { getAddress } from "ethers";
import { LerError } from "../errors.js";

/**
 * The form of an issuer address used in file names: lowercase hex. Mixed-case input must carry a valid EIP-55
 * checksum, so a typo is an error rather than a second, empty state file.
 */
export function issuerFileKey(issuer: string): string {
  if (typeof issuer !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(issuer)) {
    throw new LerError("invalid_address", `Not an Ethereum address: "${String(issuer)}".`, { details: { issuer } });
  }
  try {
    return getAddress(issuer).toLowerCase();
  } catch (e) {
    throw new LerError("invalid_address", `Bad EIP-55 checksum in address "${issuer}".`, {
      cause: e,
      details: { issuer },
    });
  }
}
