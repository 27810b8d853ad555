// The one retry loop (src/util/retry.ts) that the registry and GitHub clients share: tries, waits the
// client decides, a deadline shared by every try, and a time limit per try.
import { describe, expect, it } from 'vitest';
import { backoffMs, withRetry } from '../../src/util/retry.js';

const noSleep = async (): Promise<void> => {};

describe('withRetry', () => {
  it('tries until success, waiting what retryable says', async () => {
    const waits: number[] = [];
    let calls = 0;
    const got = await withRetry(
      async ({ n }) => {
        calls++;
        if (n < 2) throw new Error(`try ${n}`);
        return 'ok';
      },
      { tries: 5, retryable: (_e, n) => 10 * (n + 1), sleep: async (ms) => void waits.push(ms) },
    );
    expect(got).toBe('ok');
    expect(calls).toBe(3);
    expect(waits).toEqual([10, 20]);
  });

  it('throws the last error as it is when the tries run out', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error(`boom ${calls}`);
        },
        { tries: 3, retryable: () => 1, sleep: noSleep },
      ),
    ).rejects.toThrow('boom 3');
    expect(calls).toBe(3);
  });

  it('does not retry what retryable refuses', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error('404');
        },
        { tries: 5, retryable: () => undefined, sleep: noSleep },
      ),
    ).rejects.toThrow('404');
    expect(calls).toBe(1);
  });

  it('does not begin a wait that would end past the deadline, and fails at once past it', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error('slow');
        },
        { tries: 5, deadline: Date.now() + 1000, retryable: () => 60_000, sleep: noSleep },
      ),
    ).rejects.toThrow('slow');
    expect(calls).toBe(1);
    await expect(
      withRetry(async () => 'never', { tries: 5, deadline: Date.now() - 1, retryable: () => 1 }),
    ).rejects.toThrow(/deadline passed/);
    await expect(
      withRetry(async () => 'never', {
        tries: 5,
        deadline: Date.now() - 1,
        retryable: () => 1,
        onDeadline: () => new Error('GitHub did not answer in time'),
      }),
    ).rejects.toThrow('GitHub did not answer in time');
  });

  it('gives each try a signal that fires at its time limit', async () => {
    const err = await withRetry(
      ({ signal }) =>
        new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')))),
      { tries: 1, tryTimeoutMs: 20, retryable: () => undefined },
    ).catch((e: unknown) => e);
    expect(String(err)).toMatch(/aborted/);
  });
});

describe('backoffMs', () => {
  it('doubles up to the cap, with jitter within ±25% unless off', () => {
    expect(backoffMs({ baseMs: 100, maxMs: 1000, jitter: false }, 0)).toBe(100);
    expect(backoffMs({ baseMs: 100, maxMs: 1000, jitter: false }, 3)).toBe(800);
    expect(backoffMs({ baseMs: 100, maxMs: 1000, jitter: false }, 9)).toBe(1000);
    const j = backoffMs({ baseMs: 100, maxMs: 1000 }, 1);
    expect(j).toBeGreaterThanOrEqual(150);
    expect(j).toBeLessThanOrEqual(250);
  });
});
