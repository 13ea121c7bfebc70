import { setTimeout as sleep } from "node:timers/promises";

/**
 * Polls `test` every `intervalMs` until it holds, failing with `what` once `timeoutMs` has passed: every polling
 * loop of the tests has a deadline, so a hang is a readable failure, not a mocha timeout without a cause.
 */
export async function until(
  test: () => Promise<boolean> | boolean,
  what: string,
  { timeoutMs = 30_000, intervalMs = 25 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
