import { describe, expect, it } from 'vitest';
import { Limiter } from '../../src/util/concurrency.js';

describe('Limiter', () => {
  it('never runs more than the limit at once, and starts waiting tasks first come first served', async () => {
    const limiter = new Limiter(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const out = await Promise.all(
      [5, 1, 4, 2, 3].map((x) =>
        limiter.run(async () => {
          started.push(x);
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, x * 5));
          running--;
          return x * 10;
        }),
      ),
    );
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
    expect(started).toEqual([5, 1, 4, 2, 3]);
  });

  it('a failing task frees its slot: the next one runs and the failure reaches its caller', async () => {
    const limiter = new Limiter(1);
    const failed = limiter.run(async () => {
      throw new Error('boom');
    });
    const next = limiter.run(async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });
});
