/**
 * Calls to GitHub's REST API that a busy repository's runner can rely on: each call is retried, with a
 * bound, when GitHub says to wait (5xx, a secondary rate limit: 403 or 429 with `retry-after`) or the
 * connection drops, and all the calls of one task share a deadline, so that a slow or failing API ends in
 * bounded time with a warning rather than holding the job. `SLIMGATE_GITHUB_TIMEOUT` (seconds, default 120)
 * sets the deadline. Every client the action makes is `githubClient`: the retries live in its request hook.
 */
import type { getOctokit } from '@actions/github';
import { withRetry } from '../util/retry.js';

/** The REST client the action uses. */
export type Octokit = ReturnType<typeof getOctokit>;

const DEFAULT_DEADLINE_S = 120;
/** One request waits at most this long for its answer. */
const REQUEST_MS = 30_000;
const ATTEMPTS = 4;
/** A `retry-after` longer than this is not waited for (the deadline would end first anyway). */
const MAX_WAIT_MS = 60_000;

/** A call `f` made with retries under the task's deadline; `what` names it in errors. */
type GitHubCall = <T>(what: string, f: (signal: AbortSignal) => Promise<T>) => Promise<T>;

export function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

/** The deadline of a task, in seconds: SLIMGATE_GITHUB_TIMEOUT when it is a positive number. */
function deadlineSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env['SLIMGATE_GITHUB_TIMEOUT']);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_DEADLINE_S;
}

function headerOf(err: unknown, name: string): string | undefined {
  const h = (err as { response?: { headers?: Record<string, unknown> } } | null)?.response?.headers;
  const v = h?.[name];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

/**
 * How long to wait before trying again, or undefined when trying again cannot help (a 4xx that is not a
 * rate limit; a primary rate limit, whose reset is up to an hour away).
 */
export function retryDelay(err: unknown, attempt: number): number | undefined {
  const status = statusOf(err);
  const backoff = 1000 * 2 ** (attempt - 1);
  if (status === 403 || status === 429) {
    const after = Number(headerOf(err, 'retry-after'));
    if (Number.isFinite(after) && after >= 0) return Math.min(after * 1000, MAX_WAIT_MS);
    if (headerOf(err, 'x-ratelimit-remaining') === '0') return undefined;
    const message = err instanceof Error ? err.message : '';
    return /secondary rate limit/i.test(message) ? MAX_WAIT_MS : undefined;
  }
  // 500 is also how the client reports a dropped connection or a request that timed out.
  if (status !== undefined && status >= 500) return backoff;
  return undefined;
}

class GitHubTimeout extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitHubTimeout';
  }
}

/** The calls of one task (posting the comment): retried, each bounded, all under one deadline (util/retry.ts). */
export function githubCall(
  env: NodeJS.ProcessEnv = process.env,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): GitHubCall {
  const total = deadlineSeconds(env);
  const deadline = Date.now() + total * 1000;
  return (what, f) =>
    withRetry(({ signal }) => f(signal as AbortSignal), {
      tries: ATTEMPTS,
      deadline,
      tryTimeoutMs: REQUEST_MS,
      retryable: (err, n) => retryDelay(err, n + 1),
      onDeadline: () => new GitHubTimeout(`${what}: GitHub did not answer in time (the ${total} s limit)`),
      sleep,
    });
}

/**
 * An Octokit whose every request (pages included) goes through githubCall: one deadline per client.
 * @actions/github is loaded on first use: loading it parses the event payload, and a malformed one must be
 * the one line runContext() says, not a crash before any of our code runs. ("eager" keeps it in the bundle.)
 */
export async function githubClient(
  token: string,
  env: NodeJS.ProcessEnv = process.env,
  sleep?: (ms: number) => Promise<void>,
): Promise<Octokit> {
  const { getOctokit } = await import(/* webpackMode: "eager" */ '@actions/github');
  const octokit = getOctokit(token);
  const call = githubCall(env, sleep);
  // The options object is changed in place: the hooks inside this one (the token's) were bound to it.
  octokit.hook.wrap('request', (request, options) =>
    call(`${options.method} ${options.url}`, async (signal) => {
      options.request = { ...options.request, signal };
      return request(options);
    }),
  );
  return octokit;
}
