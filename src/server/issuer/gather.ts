/**
 * Calls that arrive within `waitMs` of each other (up to `max` of them), for the same key, run as one: one database
 * round trip, one append, instead of one each. A worker under load thus does fewer, larger writes; a lone call waits
 * at most `waitMs`. Each caller gets its own result, or the group's error.
 */
export interface GatherOptions {
  waitMs: number;
  max: number;
}

export function gathered<I, O>(
  run: (key: string, items: I[]) => Promise<O[]>,
  { waitMs, max }: GatherOptions,
): (key: string, item: I) => Promise<O> {
  const open = new Map<string, { items: I[]; waiters: { resolve: (o: O) => void; reject: (e: unknown) => void }[] }>();
  const flush = (key: string) => {
    const group = open.get(key);
    if (group === undefined) return;
    open.delete(key);
    run(key, group.items).then(
      (out) => group.waiters.forEach((w, i) => w.resolve(out[i]!)),
      (e: unknown) => group.waiters.forEach((w) => w.reject(e)),
    );
  };
  return (key, item) =>
    new Promise<O>((resolve, reject) => {
      let group = open.get(key);
      if (group === undefined) {
        group = { items: [], waiters: [] };
        open.set(key, group);
        setTimeout(() => flush(key), waitMs);
      }
      group.items.push(item);
      group.waiters.push({ resolve, reject });
      if (group.items.length >= max) flush(key);
    });
}
