import { LerError } from "../errors.js";

/**
 * A stuck or lagging node falls behind by minutes to hours; a healthy one is a few blocks behind at worst. On a
 * chain with 12 s slots, 180 s is 15 slots: several missed slots in a row happen, that many do not.
 */
const SLOT_CHAIN_BOUND = 180;
/** On a chain that makes a block every 2 to 5 s whether or not there are transactions, 120 s is dozens of blocks. */
const STEADY_CHAIN_BOUND = 120;

/**
 * The default of `ReadOptions.maxHeadAgeSeconds` per chain id: the oldest head, in seconds behind the verifier's
 * clock, that a verifier believes. `null` where a healthy node's head can be old: chains that mine only on demand and
 * chains that make a block only when there are transactions. A chain id not listed is off too: nothing is known of
 * how often it makes blocks, and a bound that is too tight would make every verification `unknown`.
 */
export const HEAD_AGE_PRESETS: ReadonlyMap<number, number | null> = new Map<number, number | null>([
  [1, SLOT_CHAIN_BOUND], // Ethereum mainnet: 12 s slots
  [11155111, SLOT_CHAIN_BOUND], // Sepolia: 12 s slots
  [10, STEADY_CHAIN_BOUND], // OP Mainnet: a block every 2 s, empty or not
  [11155420, STEADY_CHAIN_BOUND], // OP Sepolia: a block every 2 s, empty or not
  [8453, STEADY_CHAIN_BOUND], // Base: a block every 2 s, empty or not
  [84532, STEADY_CHAIN_BOUND], // Base Sepolia: a block every 2 s, empty or not
  [137, STEADY_CHAIN_BOUND], // Polygon PoS: a block about every 2 s
  [100, STEADY_CHAIN_BOUND], // Gnosis: 5 s slots
  [31337, null], // Hardhat and Anvil: a block only when a transaction comes or one is asked for
  [1337, null], // Ganache and geth --dev: a block only when a transaction comes
  [42161, null], // Arbitrum One: a block only when there are transactions
  [42170, null], // Arbitrum Nova: a block only when there are transactions
  [421614, null], // Arbitrum Sepolia: a block only when there are transactions
  [324, null], // zkSync Era: a block only when there are transactions
]);

/** A bound is a positive whole number of seconds. */
export function isHeadAgeSeconds(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

/**
 * The head-age bound a verifier applies on `deployment`'s network (`ReadOptions.maxHeadAgeSeconds`), in seconds;
 * undefined: not checked. The first that is set wins: `override` (an option or flag; null turns the check off), the
 * deployment record's `maxHeadAgeSeconds` (null: off), the chain's preset ({@link HEAD_AGE_PRESETS}); else off.
 * Throws `invalid_option` on an override that is not a positive whole number.
 */
export function headAgeBound(
  deployment: { chainId: number; maxHeadAgeSeconds?: number | null | undefined },
  override?: number | null,
): number | undefined {
  if (override !== undefined) {
    if (override === null) return undefined;
    if (!isHeadAgeSeconds(override)) {
      throw new LerError(
        "invalid_option",
        `maxHeadAgeSeconds must be a positive whole number of seconds, or null (off), not ${String(override)}.`,
      );
    }
    return override;
  }
  const recorded = deployment.maxHeadAgeSeconds;
  if (recorded !== undefined) {
    if (recorded !== null && !isHeadAgeSeconds(recorded)) {
      throw new LerError(
        "deployment_invalid",
        `The deployment record's maxHeadAgeSeconds must be a positive whole number of seconds, or null (off), not ${String(recorded)}.`,
      );
    }
    return recorded ?? undefined;
  }
  return HEAD_AGE_PRESETS.get(deployment.chainId) ?? undefined;
}
