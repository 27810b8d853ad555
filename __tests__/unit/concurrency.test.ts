import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../src/util/concurrency.js';

describe('mapLimit', () => {
  it('keeps input order in the results and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (x) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, x));
      running--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  it('stops starting new work after a failure and rejects with it', async () => {
    const seen: number[] = [];
    await expect(
      mapLimit([1, 2, 3, 4], 1, async (x) => {
        seen.push(x);
        if (x === 2) throw new Error('boom');
        return x;
      }),
    ).rejects.toThrow('boom');
    expect(seen).toEqual([1, 2]);
  });
});
