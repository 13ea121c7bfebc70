/**
 * How hard the randomized tests search. By default (CI, `npm test`) each runs a smaller sample that still reaches
 * every case it asserts on; `LER_TEST_DEPTH=deep` (`npm run test:deep`) runs the full sizes.
 */
export const DEEP = process.env.LER_TEST_DEPTH === "deep";

/** `ci` by default, `deep` under LER_TEST_DEPTH=deep. */
export const depth = <T>(ci: T, deep: T): T => (DEEP ? deep : ci);
