// The OSV client and one report's look-up, against the OSV API double: batching, paging, details, retries
// under faults and one deadline, the not-checked path, the one-day cache, and what is sent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OsvClient } from '../../src/vulns/client.js';
import { lookUpReport } from '../../src/vulns/lookup.js';
import type { Report, ReportPackage } from '../../src/types/report.js';
import { startOsvDouble, type OsvDouble } from '../helpers/osv-double.js';
import { RECORDS } from '../helpers/osv-records.js';

let osv: OsvDouble;
const dirs: string[] = [];
beforeAll(async () => {
  osv = await startOsvDouble({ records: RECORDS });
});
afterAll(async () => {
  await osv.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
afterEach(() => {
  osv.reset();
  osv.pageSize = 1000;
});

const FAST = { attempts: 4, baseDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 5000 };
const client = (o: Partial<ConstructorParameters<typeof OsvClient>[0]> = {}): OsvClient =>
  new OsvClient({ url: osv.url, retry: FAST, ...o });

const pkg = (
  manager: ReportPackage['manager'],
  name: string,
  version: string,
  extra: Partial<ReportPackage> = {},
): ReportPackage => ({
  manager,
  name,
  version,
  size: 10,
  files: 1,
  ...extra,
});

const REPORT: Pick<Report, 'base' | 'packages' | 'binaries'> = {
  base: { verdict: 'os', image: null, evidence: [], os: { id: 'debian', versionId: '12', prettyName: null } },
  packages: [
    pkg('dpkg', 'bsdutils', '1:2.38.1-5+b1', { source: { name: 'util-linux', version: '2.38.1-5' } }),
    pkg('dpkg', 'libmount1', '2.38.1-5+b1', { source: { name: 'util-linux', version: '2.38.1-5' } }),
    pkg('dpkg', 'bash', '5.2.15-2+b2'),
    pkg('dpkg', 'zlib1g', '1:1.2.13.dfsg-1'),
    pkg('npm', 'left-pad-ish', '1.3.0'),
    pkg('python', 'tiny_http', '2.31.0'),
  ],
  binaries: [
    {
      path: '/usr/local/bin/server',
      size: 1,
      kinds: null,
      stripped: false,
      go: {
        version: 'go1.21.5',
        path: 'x',
        main: null,
        deps: [{ path: 'golang.org/x/net', version: 'v0.20.0' }],
        settings: [],
      },
    },
  ],
};

describe('querybatch', () => {
  it('answers in query order, {} for no match, ids and modified only', async () => {
    const c = client();
    const got = await c.queryBatch([
      { ecosystem: 'npm', name: 'nothing-here', version: '1.0.0' },
      { ecosystem: 'Debian:12', name: 'util-linux', version: '2.38.1-5' },
      { ecosystem: 'Go', name: 'stdlib', version: '1.21.5' },
    ]);
    expect(got.map((refs) => refs.map((r) => r.id))).toEqual([
      [],
      ['DEBIAN-CVE-2026-1001', 'DEBIAN-CVE-2026-1002', 'DSA-6001-1'],
      ['GO-2026-0102'],
    ]);
    expect(Object.keys(got[1]?.[0] ?? {}).sort()).toEqual(['id', 'modified']);
    expect(c.counts).toEqual({ batches: 1, details: 0 });
  });

  it('more than 1,000 queries go in batches of at most 1,000', async () => {
    const qs = Array.from({ length: 2500 }, (_, i) => ({
      ecosystem: 'npm',
      name: `p${i}`,
      version: '1.0.0',
    }));
    const got = await client().queryBatch(qs);
    expect(got).toHaveLength(2500);
    const sizes = osv.requests.map((r) => (r.body as { queries: unknown[] }).queries.length);
    expect(sizes).toEqual([1000, 1000, 500]);
  });

  it('the double refuses 1,001 queries and an unknown ecosystem for the whole batch', async () => {
    const post = (body: unknown) =>
      fetch(`${osv.url}/v1/querybatch`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.status);
    const q = { package: { ecosystem: 'npm', name: 'a' }, version: '1' };
    expect(await post({ queries: Array.from({ length: 1001 }, () => q) })).toBe(400);
    expect(await post({ queries: [q, { package: { ecosystem: 'Debian', name: 'a' }, version: '1' }] })).toBe(
      400,
    );
    await expect(client().queryBatch([{ ecosystem: 'Fedora:39', name: 'a', version: '1' }])).rejects.toThrow(
      /HTTP 400/,
    );
  });

  it('follows each query’s next_page_token until the last page', async () => {
    osv.pageSize = 1;
    const got = await client().queryBatch([
      { ecosystem: 'Debian:12', name: 'util-linux', version: '2.38.1-5' },
      { ecosystem: 'Debian:12', name: 'bash', version: '5.2.15-2' },
    ]);
    expect(got.map((r) => r.map((x) => x.id))).toEqual([
      ['DEBIAN-CVE-2026-1001', 'DEBIAN-CVE-2026-1002', 'DSA-6001-1'],
      ['DEBIAN-CVE-2026-2001'],
    ]);
    // Page 1 for both, then pages 2 and 3 of util-linux only, each with its token.
    const sizes = osv.requests.map((r) => (r.body as { queries: { page_token?: string }[] }).queries);
    expect(sizes.map((q) => q.length)).toEqual([2, 1, 1]);
    expect(sizes.slice(1).every((q) => typeof q[0]?.page_token === 'string')).toBe(true);
  });
});

describe('retries under one deadline', () => {
  it('429 with Retry-After, 5xx and a dropped connection are retried', async () => {
    osv.inject(
      { path: 'querybatch', kind: '429', retryAfter: 0 },
      { path: 'querybatch', kind: '503' },
      { path: 'querybatch', kind: 'drop' },
    );
    const got = await client().queryBatch([{ ecosystem: 'Go', name: 'stdlib', version: '1.21.5' }]);
    expect(got[0]?.map((r) => r.id)).toEqual(['GO-2026-0102']);
    expect(osv.count('querybatch')).toBe(4);
  });

  it('a hang times out and is retried', async () => {
    osv.inject({ path: 'vulns', kind: 'hang' });
    const got = await client({ timeoutMs: 300 }).vulns(['GO-2026-0102']);
    expect([...got.keys()]).toEqual(['GO-2026-0102']);
    expect(osv.count('vulns')).toBe(2);
  });

  it('the bound: attempts run out and the failure says why', async () => {
    osv.inject({ path: 'querybatch', kind: '500', times: 10 });
    await expect(client().queryBatch([{ ecosystem: 'npm', name: 'a', version: '1' }])).rejects.toThrow(
      /HTTP 500/,
    );
    expect(osv.count('querybatch')).toBe(FAST.attempts);
  });

  it('one deadline: a Retry-After past it fails at once, without waiting', async () => {
    osv.inject({ path: 'querybatch', kind: '429', retryAfter: 3 });
    await expect(
      client({ deadlineMs: 1000 }).queryBatch([{ ecosystem: 'npm', name: 'a', version: '1' }]),
    ).rejects.toThrow(/no time left/);
    expect(osv.count('querybatch')).toBe(1);
  });

  it('hangs do not outlive the deadline', async () => {
    osv.inject({ path: 'querybatch', kind: 'hang', times: 10 });
    await expect(
      client({ deadlineMs: 600, timeoutMs: 5000 }).queryBatch([
        { ecosystem: 'npm', name: 'a', version: '1' },
      ]),
    ).rejects.toThrow(/deadline|no time left/);
  });
});

describe('a report’s look-up', () => {
  it('finds each package’s entries: Debian by source, Go with reachability from the judge', async () => {
    const calls: unknown[] = [];
    const got = await lookUpReport(REPORT, {
      client: client(),
      judge: (binary, symbols) => {
        calls.push([binary, symbols]);
        return { reachability: symbols.some((s) => s.package === 'net/http') ? 'linked' : 'not-linked' };
      },
    });
    expect(got.checked).toBe(true);
    const rows = got.hits.map((h) => [
      h.subject.display.name,
      h.vulnerability.ids[0],
      h.vulnerability.reachability ?? '-',
    ]);
    expect(rows).toEqual([
      ['bsdutils', 'CVE-2026-1001', '-'],
      ['bsdutils', 'CVE-2026-1002', '-'],
      ['libmount1', 'CVE-2026-1001', '-'],
      ['libmount1', 'CVE-2026-1002', '-'],
      ['bash', 'CVE-2026-2001', '-'],
      ['left-pad-ish', 'CVE-2026-4001', '-'],
      ['tiny_http', 'CVE-2026-5001', '-'],
      ['stdlib', 'CVE-2026-6002', 'linked'],
      ['golang.org/x/net', 'CVE-2026-6001', 'not-linked'],
    ]);
    expect(calls).toContainEqual([
      '/usr/local/bin/server',
      [{ package: 'net/http', symbols: ['Request.ParseMultipartForm'] }],
    ]);
    // util-linux is asked once for its two binary packages; every record's details once.
    const queries = osv.requests
      .filter((r) => r.path === 'querybatch')
      .flatMap((r) => (r.body as { queries: unknown[] }).queries);
    expect(queries).toHaveLength(7);
    expect(osv.count('vulns')).toBe(
      new Set(osv.requests.filter((r) => r.path === 'vulns').map((r) => r.id)).size,
    );
  });

  it('sends package coordinates only: no path, digest, size or file name', async () => {
    await lookUpReport(REPORT, { client: client() });
    const sent = JSON.stringify(osv.requests.map((r) => r.body ?? r.id));
    expect(sent).not.toMatch(/\/usr\/local|sha256|bsdutils|libmount1|"size"|"files"/);
    for (const r of osv.requests.filter((x) => x.path === 'querybatch'))
      for (const q of (r.body as { queries: Record<string, unknown>[] }).queries)
        expect(Object.keys(q).sort()).toEqual(['package', 'version']);
  });

  it('an unreachable service is "not checked" with the reason, never an empty answer', async () => {
    const got = await lookUpReport(REPORT, {
      client: new OsvClient({ url: 'http://127.0.0.1:9', retry: FAST, deadlineMs: 2000 }),
    });
    expect(got).toMatchObject({ checked: false, hits: [] });
    expect(got.reason).toMatch(/ECONNREFUSED|connect/);
  });

  it('a second run on the same packages makes no request; the cache lasts a day', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'osv-cache-'));
    dirs.push(dir);
    const first = await lookUpReport(REPORT, { client: client(), cacheDir: dir });
    const asked = osv.requests.length;
    expect(asked).toBeGreaterThan(0);
    osv.reset();
    const second = await lookUpReport(REPORT, { client: client(), cacheDir: dir });
    expect(osv.requests).toEqual([]);
    expect(second.hits.map((h) => h.vulnerability)).toEqual(first.hits.map((h) => h.vulnerability));
  });
});
