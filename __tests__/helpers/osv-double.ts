// The OSV API double: the project's own, written from OSV's published API and schema, like the GitHub double.
//
//   POST /v1/querybatch   results in query order; an empty result is {}; vulns carry only id and modified;
//                         a full page carries next_page_token; > 1,000 queries or an unknown ecosystem → 400
//                         for the whole batch.
//   POST /v1/query        one query, full records, paged the same way.
//   GET  /v1/vulns/{id}   the full record, or 404.
//
// Versions are matched by each ecosystem's ordering: dpkg's (with epochs) for Debian and Ubuntu, semver for
// npm, crates.io and Go (with or without its `v`), dotted numbers for the rest; `introduced`, `fixed`,
// `last_affected` and `limit` events, and enumerated `versions`. Faults are injected per path kind: 429
// with Retry-After, 5xx, a hang (no answer) and a dropped connection. Every request is recorded.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { compareDpkg, compareLoose, compareSemver } from '../../src/vulns/versions.js';
import type { OsvRecord } from '../../src/vulns/records.js';
import { json, readBody } from './http-double.js';

export type OsvPath = 'querybatch' | 'query' | 'vulns';

export interface OsvFault {
  path: OsvPath;
  kind: '429' | '500' | '503' | 'hang' | 'drop';
  /** Seconds, for 429. */
  retryAfter?: number;
  /** How many requests it hits (default 1). */
  times?: number;
}

export interface OsvRequest {
  path: OsvPath;
  method: string;
  /** The body as sent (querybatch and query). */
  body?: unknown;
  id?: string;
}

export interface OsvDoubleOptions {
  records?: readonly OsvRecord[];
  /** Vulns per query page (OSV's is large; small here so that tests can page). */
  pageSize?: number;
}

const FIXED_ECOSYSTEMS = new Set([
  'npm',
  'PyPI',
  'Go',
  'RubyGems',
  'Maven',
  'NuGet',
  'Packagist',
  'crates.io',
]);
const RELEASE_ECOSYSTEM =
  /^(Debian:\d+|Ubuntu:\d+\.\d+(:LTS)?|Alpine:v\d+\.\d+|AlmaLinux:\d+|Rocky Linux:\d+|Mageia:\d+|openSUSE:Leap \d+\.\d+)$/;

function knownEcosystem(e: string): boolean {
  return FIXED_ECOSYSTEMS.has(e) || RELEASE_ECOSYSTEM.test(e);
}

function order(ecosystem: string): (a: string, b: string) => number {
  const base = ecosystem.split(':')[0] as string;
  if (base === 'Debian' || base === 'Ubuntu') return compareDpkg;
  if (base === 'Go') return (a, b) => compareSemver(a.replace(/^v/, ''), b.replace(/^v/, ''));
  if (base === 'npm' || base === 'crates.io') return compareSemver;
  return compareLoose;
}

const normalName = (ecosystem: string, name: string): string =>
  ecosystem === 'PyPI' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;

type Events = Record<string, string>[];

/** Whether `v` falls in one range: each `introduced` opens, the next `fixed`/`limit` (excluded) or `last_affected` (included) closes. */
function inRange(events: Events, v: string, cmp: (a: string, b: string) => number): boolean {
  const value = (e: Record<string, string>): string => Object.values(e)[0] as string;
  const kind = (e: Record<string, string>): string => Object.keys(e)[0] as string;
  const sorted = [...events].sort((a, b) =>
    value(a) === '0' ? -1 : value(b) === '0' ? 1 : cmp(value(a), value(b)),
  );
  let affected = false;
  for (const e of sorted) {
    const at = value(e);
    const k = kind(e);
    if (k === 'introduced') {
      if (at === '0' || cmp(v, at) >= 0) affected = true;
      else break;
    } else if (k === 'fixed' || k === 'limit') {
      if (cmp(v, at) >= 0) affected = false;
      else if (affected) return true;
    } else if (k === 'last_affected') {
      if (cmp(v, at) > 0) affected = false;
      else if (affected) return true;
    }
  }
  return affected;
}

export function affects(r: OsvRecord, ecosystem: string, name: string, version: string): boolean {
  if (r.withdrawn) return false;
  const cmp = order(ecosystem);
  const want = normalName(ecosystem, name);
  return (r.affected ?? []).some((a) => {
    if (a.package?.ecosystem !== ecosystem || normalName(ecosystem, a.package.name ?? '') !== want)
      return false;
    const vs = ecosystem === 'Go' ? version.replace(/^v/, '') : version;
    if ((a.versions ?? []).some((x) => cmp(x, vs) === 0)) return true;
    return (a.ranges ?? []).some((rg) => rg.type !== 'GIT' && inRange((rg.events ?? []) as Events, vs, cmp));
  });
}

const PURL_TYPES: Record<string, string> = {
  npm: 'npm',
  pypi: 'PyPI',
  golang: 'Go',
  gem: 'RubyGems',
  cargo: 'crates.io',
  nuget: 'NuGet',
  composer: 'Packagist',
};

interface Parsed {
  ecosystem: string;
  name: string;
  version: string;
}

/** A query's package and version, or why it is a 400. */
function parseQuery(q: unknown): Parsed | string {
  const o = q as { package?: { ecosystem?: unknown; name?: unknown; purl?: unknown }; version?: unknown };
  const p = o?.package;
  if (!p || typeof p !== 'object') return 'query without package';
  if (typeof p.purl === 'string') {
    const m = /^pkg:([a-z]+)\/(.+)@([^?#]+)/.exec(p.purl);
    const eco = m ? PURL_TYPES[m[1] as string] : undefined;
    if (!m || !eco) return `unsupported purl ${p.purl}`;
    return {
      ecosystem: eco,
      name: decodeURIComponent(m[2] as string),
      version: decodeURIComponent(m[3] as string),
    };
  }
  if (typeof p.ecosystem !== 'string' || typeof p.name !== 'string' || typeof o.version !== 'string')
    return 'query needs package.ecosystem, package.name and version';
  if (!knownEcosystem(p.ecosystem)) return `invalid ecosystem ${p.ecosystem}`;
  return { ecosystem: p.ecosystem, name: p.name, version: o.version };
}

export class OsvDouble {
  readonly requests: OsvRequest[] = [];
  private faults: OsvFault[] = [];
  private records = new Map<string, OsvRecord>();
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  pageSize: number;
  url = '';

  constructor(opts: OsvDoubleOptions = {}) {
    for (const r of opts.records ?? []) this.records.set(r.id, r);
    this.pageSize = opts.pageSize ?? 1000;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  inject(...faults: OsvFault[]): void {
    this.faults.push(...faults.map((f) => ({ ...f, times: f.times ?? 1 })));
  }

  add(...records: OsvRecord[]): void {
    for (const r of records) this.records.set(r.id, r);
  }

  count(path: OsvPath): number {
    return this.requests.filter((r) => r.path === path).length;
  }

  reset(): void {
    this.requests.length = 0;
    this.faults = [];
  }

  /** The records that affect one package version, in id order. */
  matching(p: Parsed): OsvRecord[] {
    return [...this.records.values()]
      .filter((r) => affects(r, p.ecosystem, p.name, p.version))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  private fault(path: OsvPath): OsvFault | undefined {
    const f = this.faults.find((x) => x.path === path && (x.times ?? 0) > 0);
    if (f) f.times = (f.times ?? 1) - 1;
    return f;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://double');
    const raw = await readBody(req);
    const vuln = /^\/v1\/vulns\/([^/]+)$/.exec(url.pathname);
    const path: OsvPath | undefined =
      url.pathname === '/v1/querybatch'
        ? 'querybatch'
        : url.pathname === '/v1/query'
          ? 'query'
          : vuln
            ? 'vulns'
            : undefined;
    if (!path) return json(res, 404, { code: 5, message: 'Not Found' });
    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return json(res, 400, { code: 3, message: 'Invalid JSON' });
      }
    }
    this.requests.push({
      path,
      method: req.method ?? '',
      ...(body !== undefined ? { body } : {}),
      ...(vuln ? { id: decodeURIComponent(vuln[1] as string) } : {}),
    });
    const f = this.fault(path);
    if (f?.kind === 'hang') return; // never answers; the client's timeout must end it
    if (f?.kind === 'drop') return void req.socket.destroy();
    if (f?.kind === '429')
      return json(res.setHeader('retry-after', String(f.retryAfter ?? 0)), 429, {
        code: 8,
        message: 'Too many requests',
      });
    if (f) return json(res, Number(f.kind), { code: 14, message: 'Unavailable' });
    if (path === 'vulns') {
      if (req.method !== 'GET') return json(res, 405, { code: 12, message: 'Method not allowed' });
      const r = this.records.get(decodeURIComponent(vuln?.[1] as string));
      return r ? json(res, 200, r) : json(res, 404, { code: 5, message: 'Bug not found.' });
    }
    if (req.method !== 'POST') return json(res, 405, { code: 12, message: 'Method not allowed' });
    if (path === 'query') return this.query(body, res);
    return this.batch(body, res);
  }

  /** The page of one query starting at its token's offset. */
  private page(q: unknown, full: boolean): { vulns?: unknown[]; next_page_token?: string } | string {
    const parsed = parseQuery(q);
    if (typeof parsed === 'string') return parsed;
    const token = (q as { page_token?: unknown }).page_token;
    const offset = typeof token === 'string' ? Number(Buffer.from(token, 'base64url').toString()) : 0;
    if (!Number.isSafeInteger(offset) || offset < 0) return 'invalid page_token';
    const all = this.matching(parsed);
    const slice = all.slice(offset, offset + this.pageSize);
    const vulns = slice.map((r) => (full ? r : { id: r.id, modified: r.modified ?? '' }));
    const more = offset + this.pageSize < all.length;
    return {
      ...(vulns.length ? { vulns } : {}),
      ...(more ? { next_page_token: Buffer.from(String(offset + this.pageSize)).toString('base64url') } : {}),
    };
  }

  private query(body: unknown, res: ServerResponse): void {
    const p = this.page(body, true);
    if (typeof p === 'string') return json(res, 400, { code: 3, message: p });
    json(res, 200, p);
  }

  private batch(body: unknown, res: ServerResponse): void {
    const queries = (body as { queries?: unknown })?.queries;
    if (!Array.isArray(queries)) return json(res, 400, { code: 3, message: 'queries must be a list' });
    if (queries.length > 1000)
      return json(res, 400, { code: 3, message: 'Too many queries: at most 1000 per batch' });
    const results: unknown[] = [];
    for (const q of queries) {
      const p = this.page(q, false);
      if (typeof p === 'string') return json(res, 400, { code: 3, message: p });
      results.push(p);
    }
    json(res, 200, { results });
  }
}

export async function startOsvDouble(opts: OsvDoubleOptions = {}): Promise<OsvDouble> {
  return new OsvDouble(opts).start();
}
