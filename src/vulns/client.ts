/**
 * The OSV API client: `POST /v1/querybatch` (at most 1,000 queries a batch, each query paged by its own
 * `next_page_token`), then `GET /v1/vulns/{id}` for each record's details. It goes through the registry's
 * transport (src/sources/registry/http.ts), so through the same proxies (HTTPS_PROXY, NO_PROXY), and retries
 * 429 (with Retry-After), 5xx, timeouts and dropped connections with a bound, all under one deadline.
 *
 * What it sends: the queries' coordinates (ecosystem, name, version or purl) and record ids. Nothing else.
 */
import { withRetry } from '../util/retry.js';
import {
  backoffMs,
  DEFAULT_RETRY,
  discard,
  HttpStatusError,
  isRetryableStatus,
  isTransient,
  rawRequest,
  readBody,
  retryAfterMs,
  type RetryPolicy,
} from '../sources/registry/http.js';
import { InputError, oneLine } from '../util/errors.js';
import { escapeControls } from '../util/text.js';
import type { OsvQuery } from './ecosystem.js';
import { asRecord, type OsvRecord } from './records.js';

const OSV_URL = 'https://api.osv.dev';

/** OSV's limit on one querybatch. */
const BATCH_LIMIT = 1000;

/** A query's page of ids, as querybatch gives them (details come from /v1/vulns). */
export interface VulnRef {
  id: string;
  modified?: string;
}

/** Why the look-up could not be made: one line for "not checked (why)". */
export class OsvUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OsvUnavailable';
  }
}

export interface OsvClientOptions {
  /** The API's base URL (default https://api.osv.dev). */
  url?: string;
  /** One deadline for the whole look-up, in ms from the client's creation (default 60 s). */
  deadlineMs?: number;
  /** One request's timeout (default 20 s; never past the deadline). */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Detail requests in flight at once. */
  concurrency?: number;
}

/** Requests made, by kind: the bench and the cache tests count them. */
export interface OsvCounts {
  batches: number;
  details: number;
}

/** Pages per query: a bound on a service that keeps answering with a token. */
const MAX_PAGES = 50;
const BODY_LIMIT = 32 * 1024 * 1024;

export class OsvClient {
  readonly base: URL;
  readonly counts: OsvCounts = { batches: 0, details: 0 };
  private readonly deadline: number;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly concurrency: number;

  constructor(opts: OsvClientOptions = {}) {
    const raw = opts.url ?? OSV_URL;
    let base: URL;
    try {
      base = new URL(raw.endsWith('/') ? raw : `${raw}/`);
    } catch {
      throw new InputError(`osv-url "${escapeControls(raw)}" is not a URL`);
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:')
      throw new InputError(`osv-url ${escapeControls(raw)} is not http(s)`);
    this.base = base;
    this.deadline = Date.now() + (opts.deadlineMs ?? 60_000);
    this.timeoutMs = opts.timeoutMs ?? 20_000;
    this.retry = opts.retry ?? { ...DEFAULT_RETRY, attempts: 4 };
    this.concurrency = opts.concurrency ?? 8;
  }

  /** The ids for each query, in query order, every page read. */
  async queryBatch(queries: readonly OsvQuery[]): Promise<VulnRef[][]> {
    const out: VulnRef[][] = queries.map(() => []);
    let pending = queries.map((q, i) => ({ i, q, token: undefined as string | undefined, pages: 0 }));
    while (pending.length) {
      const next: typeof pending = [];
      for (let s = 0; s < pending.length; s += BATCH_LIMIT) {
        const chunk = pending.slice(s, s + BATCH_LIMIT);
        const body = JSON.stringify({
          queries: chunk.map(({ q, token }) => ({
            ...wireQuery(q),
            ...(token ? { page_token: token } : {}),
          })),
        });
        const doc = await this.call('POST', 'v1/querybatch', body, 'querybatch');
        this.counts.batches++;
        const results = (doc as { results?: unknown }).results;
        if (!Array.isArray(results) || results.length !== chunk.length)
          throw new OsvUnavailable(
            `querybatch answered ${Array.isArray(results) ? results.length : 'no'} results for ${chunk.length} queries`,
          );
        chunk.forEach((p, k) => {
          const r = results[k] as { vulns?: unknown; next_page_token?: unknown } | null;
          for (const v of Array.isArray(r?.vulns) ? r.vulns : []) {
            const id = (v as { id?: unknown })?.id;
            if (typeof id === 'string' && id && id.length <= 200)
              (out[p.i] as VulnRef[]).push({
                id,
                modified: String((v as { modified?: unknown }).modified ?? ''),
              });
          }
          const token = r?.next_page_token;
          if (typeof token === 'string' && token) {
            if (p.pages + 1 >= MAX_PAGES)
              throw new OsvUnavailable(`querybatch kept paging past ${MAX_PAGES} pages`);
            next.push({ ...p, token, pages: p.pages + 1 });
          }
        });
      }
      pending = next;
    }
    return out;
  }

  /** Each record's details, by id (a record the service does not have is left out). */
  async vulns(ids: readonly string[]): Promise<Map<string, OsvRecord>> {
    const out = new Map<string, OsvRecord>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        const id = ids[next++] as string;
        const doc = await this.call(
          'GET',
          `v1/vulns/${encodeURIComponent(id)}`,
          undefined,
          `vulns/${id}`,
          true,
        );
        this.counts.details++;
        const r = doc === null ? null : asRecord(doc);
        if (r) out.set(id, r);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, ids.length) }, worker));
    return out;
  }

  private remaining(): number {
    return this.deadline - Date.now();
  }

  /** One call, retried under the deadline (util/retry.ts); 404 is null when `missingOk`. */
  private async call(
    method: string,
    path: string,
    body: string | undefined,
    what: string,
    missingOk = false,
  ): Promise<unknown> {
    const url = new URL(path, this.base);
    // The wait asked for after the last failed try: set when withRetry gives up only for lack of time.
    let wait: number | null = null;
    try {
      return await withRetry(
        () => {
          wait = null;
          return this.once(method, url, body, what, missingOk);
        },
        {
          tries: this.retry.attempts,
          deadline: this.deadline,
          retryable: (err, n) => (wait = this.retryWait(err, n)) ?? undefined,
          onDeadline: () => new OsvUnavailable(`OSV did not answer ${safe(what)} before the deadline`),
        },
      );
    } catch (err) {
      if (wait !== null && !(err instanceof OsvUnavailable))
        throw new OsvUnavailable(`OSV ${safe(what)}: ${describe(err)}; no time left to retry`);
      throw unavailable(err, what);
    }
  }

  /** One request: the parsed JSON body, or an error that retryWait judges. */
  private async once(
    method: string,
    url: URL,
    body: string | undefined,
    what: string,
    missingOk: boolean,
  ): Promise<unknown> {
    const res = await rawRequest(
      url,
      {
        method,
        body,
        headers: { Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
      },
      Math.max(1, Math.min(this.timeoutMs, this.remaining())),
    );
    const status = res.statusCode ?? 0;
    if (status === 404 && missingOk) {
      await discard(res);
      return null;
    }
    if (status < 200 || status >= 300)
      throw new HttpStatusError(status, res.headers, await discard(res), url);
    const text = (await readBody(res, BODY_LIMIT, `OSV ${what}`)).toString('utf8');
    return JSON.parse(text) as unknown;
  }

  /** How long to wait before retry n, or null when the failure is final. */
  private retryWait(err: unknown, n: number): number | null {
    if (err instanceof HttpStatusError) {
      if (!isRetryableStatus(err.status)) return null;
      const after = retryAfterMs(err.headers['retry-after']);
      if (after !== undefined && after > this.retry.maxRetryAfterMs) return null;
      return after ?? backoffMs(this.retry, n);
    }
    return isTransient(err) || err instanceof SyntaxError ? backoffMs(this.retry, n) : null;
  }
}

const safe = (s: string): string => escapeControls(s).slice(0, 200);

function describe(err: unknown): string {
  if (err instanceof HttpStatusError)
    return `HTTP ${err.status}${err.body ? `: ${safe(err.body.split('\n')[0] ?? '')}` : ''}`;
  if (err instanceof SyntaxError) return 'the answer is not JSON';
  return safe(oneLine(err));
}

function unavailable(err: unknown, what: string): OsvUnavailable {
  return err instanceof OsvUnavailable ? err : new OsvUnavailable(`OSV ${safe(what)}: ${describe(err)}`);
}

/** A query as the API takes it: by purl, or by package and version. */
function wireQuery(q: OsvQuery): Record<string, unknown> {
  if (q.purl && !q.ecosystem) return { package: { purl: q.purl } };
  return { package: { ecosystem: q.ecosystem, name: q.name }, ...(q.version ? { version: q.version } : {}) };
}
