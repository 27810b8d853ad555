/**
 * Map with at most `limit` calls in flight; results keep input order. With `weight`, the heaviest items
 * start first (longest-processing-time scheduling), so a big layer does not run alone at the end.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
  weight?: (item: T) => number,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  const order = items.map((_, i) => i);
  if (weight) order.sort((a, b) => weight(items[b] as T) - weight(items[a] as T) || a - b);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < order.length) {
      const i = order[next++] as number;
      try {
        out[i] = await fn(items[i] as T, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const n = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: n }, worker));
  return out;
}
