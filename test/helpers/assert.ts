import { expect } from "chai";

/** Awaits `promise`, which must reject, and returns what it rejected with. */
export async function rejection(promise: Promise<unknown>): Promise<Error & { code?: unknown }> {
  try {
    await promise;
  } catch (e) {
    return e as Error & { code?: unknown };
  }
  expect.fail("expected the promise to reject, but it resolved");
}
