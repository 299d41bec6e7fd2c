/** How many requests a remote operation keeps in flight: enough to hide the round trip, bounded for memory. */
export const IN_FLIGHT = 64;

/**
 * Runs `fn` over `items` with at most `limit` at once and returns the results in the items' order.
 * Over SSH each call is an SFTP request, so many in flight turn N round trips into about N / limit.
 */
export async function mapBounded<T, R>(
  items: ReadonlyArray<T>,
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Groups items by a depth key, deepest first or shallowest first, so each group can run at once. */
export function byLevel<T>(
  items: ReadonlyArray<T>,
  depthOf: (item: T) => number,
  deepestFirst: boolean,
): T[][] {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const d = depthOf(item);
    const g = groups.get(d);
    if (g) g.push(item);
    else groups.set(d, [item]);
  }
  return [...groups.keys()].sort((a, b) => (deepestFirst ? b - a : a - b)).map((d) => groups.get(d) as T[]);
}
