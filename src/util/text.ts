/** Shortens to one line of at most `n` characters, with an ellipsis when cut. */
export function truncate(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}
