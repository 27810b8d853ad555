// GitHub's API under load: which answers are tried again, how long to wait, and the deadline that bounds
// every call of a task (src/github/github-api.ts). The e2e test action-faults runs the same against the
// REST double.
import { describe, expect, it } from 'vitest';
import { githubCall, retryDelay } from '../../src/github/github-api.js';

const answer = (status: number, headers: Record<string, string> = {}, message = 'x'): Error =>
  Object.assign(new Error(message), { status, response: { headers } });

describe('retryDelay', () => {
  it.each<[string, Error, number, number | undefined]>([
    ['a 500, first time', answer(500), 1, 1000],
    ['a 502, third time', answer(502), 3, 4000],
    ['a dropped connection (the client says 500)', answer(500, {}, 'other side closed'), 2, 2000],
    ['a secondary rate limit with retry-after', answer(403, { 'retry-after': '3' }), 1, 3000],
    ['a 429 with retry-after', answer(429, { 'retry-after': '0' }), 1, 0],
    ['a retry-after of an hour is capped', answer(403, { 'retry-after': '3600' }), 1, 60_000],
    [
      'a secondary rate limit by its message alone',
      answer(403, {}, 'You have exceeded a secondary rate limit'),
      1,
      60_000,
    ],
    [
      'the primary rate limit (reset up to an hour away)',
      answer(403, { 'x-ratelimit-remaining': '0' }),
      1,
      undefined,
    ],
    ['a 403 that is a permission', answer(403, {}, 'Resource not accessible by integration'), 1, undefined],
    ['a 404', answer(404), 1, undefined],
    ['a 422', answer(422), 1, undefined],
    ['not an HTTP error', new Error('bug'), 1, undefined],
  ])('%s', (_name, err, attempt, want) => {
    expect(retryDelay(err, attempt)).toBe(want);
  });
});

describe('githubCall', () => {
  const noSleep = async (): Promise<void> => {};

  it('tries a 5xx again, at most four times in all', async () => {
    let calls = 0;
    const call = githubCall({}, noSleep);
    await expect(
      call('GET /x', async () => {
        calls++;
        throw answer(503);
      }),
    ).rejects.toMatchObject({ status: 503 });
    expect(calls).toBe(4);
  });

  it('answers once the API does, after a secondary rate limit', async () => {
    const waits: number[] = [];
    let calls = 0;
    const call = githubCall({}, async (ms) => {
      waits.push(ms);
    });
    const r = await call('POST /x', async () => {
      if (++calls < 3) throw answer(403, { 'retry-after': '2' });
      return 'ok';
    });
    expect(r).toBe('ok');
    expect(waits).toEqual([2000, 2000]);
  });

  it('a permission error is not tried again', async () => {
    let calls = 0;
    const call = githubCall({}, noSleep);
    await expect(
      call('POST /x', async () => {
        calls++;
        throw answer(403, {}, 'Resource not accessible by integration');
      }),
    ).rejects.toMatchObject({ status: 403 });
    expect(calls).toBe(1);
  });

  it('a call that never answers ends at the deadline (SLIMGATE_GITHUB_TIMEOUT), with one line', async () => {
    const call = githubCall({ SLIMGATE_GITHUB_TIMEOUT: '0.3' });
    const t0 = Date.now();
    const hang = (signal: AbortSignal): Promise<never> =>
      new Promise((_r, reject) =>
        signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { status: 500 }))),
      );
    await expect(call('GET /repos/o/r/issues/1/comments', hang)).rejects.toThrow(
      /^GET \/repos\/o\/r\/issues\/1\/comments: GitHub did not answer in time \(the 0\.3 s limit\)$/,
    );
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
