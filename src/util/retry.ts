/**
 * The one retry loop for every network client (the registry, GitHub, and any new one): a bounded number of
 * tries, an optional deadline shared by all of them, an optional time limit per try, and a wait between
 * tries that the client decides from the error (its backoff, or the wait the server asked for).
 *
 * ```ts
 * const body = await withRetry(({ signal }) => fetchJson(url, signal), {
 *   tries: 4,
 *   deadline: Date.now() + 60_000,
 *   tryTimeoutMs: 15_000,
 *   retryable: (err, n) => (isTransient(err) ? backoffMs({ baseMs: 500, maxMs: 8000 }, n) : undefined),
 * });
 * ```
 */
import { setTimeout as sleepMs } from 'node:timers/promises';

export interface RetryOptions {
  /** Tries in all, the first included (at least 1). */
  tries: number;
  /**
   * When to give up, as an epoch time in ms: no try starts after it, and no wait that would end past it is
   * begun (the last error is thrown instead). Without one, `tries` alone bounds the loop.
   */
  deadline?: number | undefined;
  /** Each try's own time limit: `fn` gets an AbortSignal that fires then (or at the deadline, if sooner). */
  tryTimeoutMs?: number | undefined;
  /**
   * How long to wait before trying again after `err` (`n`: the 0-based try that failed), or undefined when
   * trying again cannot help: the error is thrown as it is.
   */
  retryable: (err: unknown, n: number) => number | undefined;
  /** The error thrown when the deadline has passed (default: a RetryDeadlineError). */
  onDeadline?: (() => Error) | undefined;
  /** For tests: how to wait. */
  sleep?: ((ms: number) => Promise<unknown>) | undefined;
}

class RetryDeadlineError extends Error {
  constructor(message = 'gave up: the deadline passed') {
    super(message);
    this.name = 'RetryDeadlineError';
  }
}

/** Runs `fn` until it succeeds, a try fails in a way `retryable` will not retry, the tries or the deadline end. */
export async function withRetry<T>(
  fn: (t: { n: number; signal: AbortSignal | undefined }) => Promise<T>,
  o: RetryOptions,
): Promise<T> {
  const sleep = o.sleep ?? sleepMs;
  const late = (): Error => o.onDeadline?.() ?? new RetryDeadlineError();
  for (let n = 0; ; n++) {
    const left = o.deadline === undefined ? Infinity : o.deadline - Date.now();
    if (left <= 0) throw late();
    const limit = Math.min(left, o.tryTimeoutMs ?? Infinity);
    const signal = Number.isFinite(limit) ? AbortSignal.timeout(limit) : undefined;
    try {
      return await fn({ n, signal });
    } catch (err) {
      const wait = n + 1 >= o.tries ? undefined : o.retryable(err, n);
      if (wait === undefined) throw err;
      if (o.deadline !== undefined && Date.now() + wait >= o.deadline)
        throw Date.now() >= o.deadline ? late() : err;
      await sleep(wait);
    }
  }
}

/** Exponential backoff before retry n (0-based): baseMs · 2ⁿ, at most maxMs, with ±25% jitter unless off. */
export function backoffMs(b: { baseMs: number; maxMs: number; jitter?: boolean }, n: number): number {
  const d = Math.min(b.maxMs, b.baseMs * 2 ** n);
  return b.jitter === false ? d : Math.round(d * (0.75 + Math.random() * 0.5));
}

/** Milliseconds an HTTP Retry-After header asks for (delta-seconds or an HTTP date), if any. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}
