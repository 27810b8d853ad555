/**
 * The HTTP transport of the registry client, on node:http/node:https so that bodies stream with
 * backpressure: one request, bounded retries with backoff (429, 5xx, connection errors, honouring
 * Retry-After), and reading small bodies with a cap.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { InputError, UserFacingError } from '../../util/errors.js';
import { escapeControls } from '../../util/text.js';
import { backoffMs as backoff, retryAfterMs, withRetry } from '../../util/retry.js';
import { VERSION } from '../../util/version.js';
import { proxyError, proxyFor, TunnelAgent, viaHttpProxy, type Proxy } from './proxy.js';

export interface RetryPolicy {
  /** Tries per request, the first included. */
  attempts: number;
  /** Backoff before retry n (0-based) is baseDelayMs · 2ⁿ, with jitter, at most maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the request fails at once. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
};

const USER_AGENT = `slimgate/${VERSION} (+https://github.com/slimgate/slimgate)`;

export type Headers = Record<string, string>;

/** A response whose status is not 2xx, with (the start of) its body read. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly headers: http.IncomingHttpHeaders,
    readonly body: string,
    readonly url: URL,
  ) {
    super(`HTTP ${status}`);
    this.name = 'HttpStatusError';
  }
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** A connection-level failure worth retrying (reset, refused, timed out, cut mid-body). */
export function isTransient(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException | undefined;
  if (!e || err instanceof UserFacingError || err instanceof HttpStatusError) return false;
  if (e.code && TRANSIENT_CODES.has(e.code)) return true;
  return /socket hang up|aborted|premature close|other side closed/i.test(e.message ?? '');
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

export { retryAfterMs };

/** The policy's backoff before retry n (0-based), with jitter (src/util/retry.ts). */
export function backoffMs(policy: RetryPolicy, attempt: number): number {
  return backoff({ baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs }, attempt);
}

/** How long the registry client waits before trying again after `err`, or undefined: not worth a retry. */
function registryRetryDelay(policy: RetryPolicy, err: unknown, n: number): number | undefined {
  if (err instanceof HttpStatusError && isRetryableStatus(err.status)) {
    const after = retryAfterMs(err.headers['retry-after']);
    if (after !== undefined && after > policy.maxRetryAfterMs) return undefined;
    return after ?? backoffMs(policy, n);
  }
  return isTransient(err) ? backoffMs(policy, n) : undefined;
}

const agents = new Map<string, http.Agent>();

function agentFor(url: URL, proxy: Proxy | undefined): http.Agent {
  const key = `${url.protocol} ${proxy?.url.href ?? ''}`;
  let a = agents.get(key);
  if (!a) {
    const opts = { keepAlive: true, maxSockets: 16, scheduling: 'lifo' as const };
    if (url.protocol === 'https:') a = proxy ? new TunnelAgent(proxy, opts) : new https.Agent(opts);
    else a = new http.Agent(opts);
    agents.set(key, a);
  }
  return a;
}

/** Closes idle keep-alive connections (the process, or a worker, may then exit). */
export function closeAgents(): void {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}

export interface RawRequest {
  method?: string;
  headers?: Headers;
  body?: string;
}

/** One HTTP request; resolves with the response once its headers are in (any status). */
export function rawRequest(url: URL, req: RawRequest, timeoutMs: number): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const proxy = proxyFor(url);
    const headers: Headers = { 'User-Agent': USER_AGENT, ...req.headers };
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    const method = req.method ?? 'GET';
    const agent = agentFor(url, proxy);
    const onResponse = (res: http.IncomingMessage): void => {
      // An idle body is a dead connection: time it out, and let the reader see the error.
      res.socket?.setTimeout(timeoutMs);
      resolve(res);
    };
    const r =
      url.protocol === 'https:'
        ? https.request(url, { method, headers, agent }, onResponse)
        : proxy
          ? http.request({ ...viaHttpProxy(proxy, url, headers), method, agent }, onResponse)
          : http.request(url, { method, headers, agent }, onResponse);
    r.setTimeout(timeoutMs, () => {
      const err = new Error(`no answer in ${Math.round(timeoutMs / 1000)} s`) as NodeJS.ErrnoException;
      err.code = 'ETIMEDOUT';
      r.destroy(err);
    });
    // Through a plain-HTTP proxy, a connection error is the proxy's.
    r.on('error', (err) =>
      reject(
        proxy && url.protocol === 'http:' && !r.reusedSocket && isConnectError(err)
          ? proxyError(proxy, url.host, err)
          : err,
      ),
    );
    r.end(req.body);
  });
}

function isConnectError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    code === 'EAI_AGAIN'
  );
}

/** Reads a whole (small) body; more than `limit` bytes is an error. */
export async function readBody(res: http.IncomingMessage, limit: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    res.destroy();
    throw new InputError(`${what} is too large (${declared} bytes; at most ${limit} are read)`);
  }
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > limit) {
      res.destroy();
      throw new InputError(`${what} is too large (more than ${limit} bytes)`);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/** Drains and discards a body we do not need (so the connection can be reused). */
export async function discard(res: http.IncomingMessage): Promise<string> {
  try {
    return (await readBody(res, 64 * 1024, 'response')).toString('utf8');
  } catch {
    res.destroy();
    return '';
  }
}

/**
 * Runs `attempt` until it succeeds, retrying transient connection errors and retryable statuses (thrown
 * as HttpStatusError) with backoff, honouring Retry-After; the last failure is thrown as it is.
 */
export async function withRetries<T>(policy: RetryPolicy, attempt: (n: number) => Promise<T>): Promise<T> {
  return withRetry(({ n }) => attempt(n), {
    tries: policy.attempts,
    retryable: (err, n) => registryRetryDelay(policy, err, n),
  });
}

/** The registry's own error code and message from a JSON error body ({"errors":[{code,message}]}). */
export function registryErrorDetail(body: string): string | undefined {
  try {
    const doc = JSON.parse(body) as { errors?: { code?: string; message?: string }[] };
    const e = doc.errors?.[0];
    if (!e) return undefined;
    const code = typeof e.code === 'string' ? e.code : '';
    const msg = typeof e.message === 'string' ? e.message.slice(0, 200) : '';
    return escapeControls([code, msg].filter(Boolean).join(': ')) || undefined;
  } catch {
    return undefined;
  }
}
