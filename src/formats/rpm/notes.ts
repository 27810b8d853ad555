/**
 * What a reader could not say, as a few fixed sentences with counts. A hostile database can make every
 * record bad, so the notes are keyed by their text (which never quotes image bytes) and counted, not listed.
 */
export class Notes {
  private readonly seen = new Map<string, number>();

  add(text: string): void {
    this.seen.set(text, (this.seen.get(text) ?? 0) + 1);
  }

  /** How many times anything was noted. */
  get total(): number {
    let n = 0;
    for (const c of this.seen.values()) n += c;
    return n;
  }

  /** "text" once, "text (×N)" when it happened N times; in the order first seen. */
  list(): string[] {
    return [...this.seen].map(([t, n]) => (n > 1 ? `${t} (×${n})` : t));
  }
}
