/** Passes chunks through unchanged, counting bytes and reporting the count at most four times a second. */
export class Meter {
  bytes = 0;

  constructor(private readonly report?: (bytes: number) => void) {}

  async *pass(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let last = 0;
    for await (const chunk of input) {
      this.bytes += chunk.length;
      const now = Date.now();
      if (this.report && now - last > 250) {
        last = now;
        this.report(this.bytes);
      }
      yield chunk;
    }
  }
}
