/** Runs at most `limit` tasks at once; the rest wait their turn, first come first served. */
export class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < Math.max(1, this.limit)) this.active++;
    else await new Promise<void>((r) => this.queue.push(r)); // a finishing task hands its slot over
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}
