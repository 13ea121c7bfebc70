import { openKeyStore } from "../../src/store/keystore.js";

/** scrypt N of the homes made by {@link createTestHome}: 2^10, about 5 ms per unlock instead of about 0.5 s. */
export const TEST_KDF_N = 1 << 10;

/**
 * Creates `home`'s encrypted key store (empty) with `secret`, as `openKeyStore` creates it, but at scrypt cost
 * N = 2^10 instead of the default 2^17. Every release opens a store at the cost its header names, so each `ler`
 * process (or agent) that then opens this home unlocks it in milliseconds instead of about half a second: the CLI tests
 * start a few hundred. Everything else about the store is as in a user's home. Homes a test leaves to `ler` itself to
 * create (the README walkthrough, the package test) keep the default cost.
 */
export async function createTestHome(home: string, secret: string): Promise<void> {
  await openKeyStore(home, secret, { kdf: { N: TEST_KDF_N } });
}
