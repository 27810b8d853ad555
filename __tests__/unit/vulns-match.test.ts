// The pure parts of the OSV look-up: version orderings (dpkg's checked against dpkg itself), the ecosystem
// naming table, alias merging, severity and "fixed in".
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compareDpkg, compareSemver } from '../../src/vulns/versions.js';
import { goStdlibVersion, osEcosystem, subjectsOf } from '../../src/vulns/ecosystem.js';
import { mergeRecords, severityOf } from '../../src/vulns/records.js';
import type { Report, ReportPackage } from '../../src/types/report.js';
import { affects } from '../helpers/osv-double.js';
import { RECORDS, V31_CRITICAL, V31_MEDIUM, V40_HIGH } from '../helpers/osv-records.js';

const DPKG_PAIRS: [string, string][] = [
  ['1:2.38.1-5', '2.38.1-5'],
  ['2.38.1-5', '2.38.1-5+deb12u1'],
  ['2.38.1-5+b1', '2.38.1-5'],
  ['1.0~rc1', '1.0'],
  ['1.0~rc1~1', '1.0~rc1'],
  ['1.0', '1.0-0'],
  ['1.0a', '1.0'],
  ['1.0+dfsg1-1', '1.0-1'],
  ['0:1.2', '1.2'],
  ['10.0', '9.99'],
  ['1.2.3-1ubuntu0.1', '1.2.3-1'],
  ['1:4.13+dfsg1-1', '1:4.13+dfsg1-1+deb12u1'],
  ['2:1.0', '1:9.9'],
  ['1.0-1~bpo12+1', '1.0-1'],
  ['000123', '123'],
  ['1.0.', '1.0'],
  ['5.2.15-2', '5.2.15-2+b2'],
];

describe('version orderings', () => {
  it('dpkg: every pair orders as `dpkg --compare-versions` says', () => {
    for (const [a, b] of DPKG_PAIRS) {
      for (const [x, y] of [
        [a, b],
        [b, a],
        [a, a],
      ] as const) {
        const lt = run(x, 'lt', y);
        const eq = run(x, 'eq', y);
        const want = lt ? -1 : eq ? 0 : 1;
        expect(compareDpkg(x, y), `${x} vs ${y}`).toBe(want);
      }
    }
  });

  it('semver: pre-releases before releases, numeric identifiers numerically, v optional', () => {
    expect(compareSemver('1.0.0-alpha', '1.0.0')).toBe(-1);
    expect(compareSemver('1.0.0-alpha.2', '1.0.0-alpha.10')).toBe(-1);
    expect(compareSemver('1.0.0-alpha.beta', '1.0.0-alpha.1')).toBe(1);
    expect(compareSemver('v0.23.0', '0.23.0')).toBe(0);
    expect(compareSemver('0.9.0', '0.23.0')).toBe(-1);
  });
});

function run(a: string, op: string, b: string): boolean {
  try {
    execFileSync('dpkg', ['--compare-versions', a, op, b]);
    return true;
  } catch {
    return false;
  }
}

const pkg = (p: Partial<ReportPackage> & Pick<ReportPackage, 'manager' | 'name'>): ReportPackage => ({
  version: null,
  size: 0,
  files: 0,
  ...p,
});

const base = (id: string | null, versionId: string | null): Report['base'] => ({
  verdict: 'os',
  image: null,
  evidence: [],
  os: { id, versionId, prettyName: null },
});

describe('ecosystem naming', () => {
  it.each([
    ['debian', '12', 'Debian:12'],
    ['debian', '11', 'Debian:11'],
    ['ubuntu', '22.04', 'Ubuntu:22.04:LTS'],
    ['ubuntu', '23.10', 'Ubuntu:23.10'],
    ['alpine', '3.19.1', 'Alpine:v3.19'],
    ['almalinux', '9.3', 'AlmaLinux:9'],
    ['rocky', '8.9', 'Rocky Linux:8'],
    ['mageia', '9', 'Mageia:9'],
    ['opensuse-leap', '15.5', 'openSUSE:Leap 15.5'],
  ])('%s %s → %s', (id, v, want) => {
    expect(osEcosystem({ id, versionId: v, prettyName: null })).toEqual({ ecosystem: want });
  });

  it.each([
    ['rhel', '9.3', /Red Hat/],
    ['fedora', '39', /no Fedora/],
    ['amzn', '2023', /no Amazon Linux/],
    ['debian', null, /no VERSION_ID/],
  ])('%s %s has no ecosystem, and says why', (id, v, why) => {
    const got = osEcosystem({ id, versionId: v, prettyName: null });
    expect('missing' in got && got.missing).toMatch(why);
  });

  it('Debian by source package and source version; language packages by their ecosystem', () => {
    const { subjects, skipped, notes } = subjectsOf({
      base: base('debian', '12'),
      packages: [
        pkg({
          manager: 'dpkg',
          name: 'bsdutils',
          version: '1:2.38.1-5+b1',
          source: { name: 'util-linux', version: '2.38.1-5' },
        }),
        pkg({ manager: 'dpkg', name: 'libc6:amd64', version: '2.36-9+deb12u4' }),
        pkg({ manager: 'dpkg', name: 'bash', version: '5.2.15-2+b2' }),
        pkg({ manager: 'npm', name: 'left-pad-ish', version: '1.3.0, 1.2.0' }),
        pkg({ manager: 'python', name: 'Tiny_HTTP', version: '2.31.0' }),
        pkg({ manager: 'conda', name: 'numpy', version: '1.0' }),
      ],
      binaries: [],
    });
    expect(subjects.map((s) => s.query)).toEqual([
      { ecosystem: 'Debian:12', name: 'util-linux', version: '2.38.1-5' },
      { ecosystem: 'Debian:12', name: 'libc6', version: '2.36-9+deb12u4' },
      { ecosystem: 'Debian:12', name: 'bash', version: '5.2.15-2' },
      { ecosystem: 'npm', name: 'left-pad-ish', version: '1.3.0' },
      { ecosystem: 'npm', name: 'left-pad-ish', version: '1.2.0' },
      { ecosystem: 'PyPI', name: 'tiny-http', version: '2.31.0' },
    ]);
    expect(skipped).toBe(1);
    expect(notes.join()).toMatch(/conda packages have no OSV ecosystem/);
  });

  it('Go: each binary’s modules, and the standard library as stdlib at its Go version, no `go`, no `v`', () => {
    expect(goStdlibVersion('go1.21.5')).toBe('1.21.5');
    expect(goStdlibVersion('go1.22rc1 X:boringcrypto')).toBe('1.22rc1');
    expect(goStdlibVersion('devel +abc')).toBeNull();
    const { subjects } = subjectsOf({
      base: { verdict: 'scratch', image: null, evidence: [] },
      binaries: [
        {
          path: '/app/server',
          size: 1,
          kinds: null,
          stripped: null,
          go: {
            version: 'go1.21.5',
            path: 'example.com/server',
            main: null,
            deps: [
              { path: 'golang.org/x/net', version: 'v0.20.0' },
              { path: 'example.com/local', version: '(devel)' },
            ],
            settings: [],
          },
        },
      ],
    });
    expect(subjects.map((s) => [s.query, s.binary])).toEqual([
      [{ ecosystem: 'Go', name: 'stdlib', version: '1.21.5' }, '/app/server'],
      [{ ecosystem: 'Go', name: 'golang.org/x/net', version: '0.20.0' }, '/app/server'],
    ]);
  });

  it('only coordinates go into a query: no path, digest or size', () => {
    const { subjects } = subjectsOf({
      base: base('debian', '12'),
      packages: [pkg({ manager: 'dpkg', name: 'bash', version: '5.2.15-2', size: 123, files: 4 })],
      binaries: [],
    });
    for (const s of subjects) expect(Object.keys(s.query).sort()).toEqual(['ecosystem', 'name', 'version']);
  });
});

describe('records', () => {
  const matching = (eco: string, name: string, version: string) =>
    RECORDS.filter((r) => affects(r, eco, name, version));

  it('util-linux in Debian 12: two CVEs and the DSA for both are two entries, the DSA an alias of each', () => {
    const found = matching('Debian:12', 'util-linux', '2.38.1-5');
    expect(found.map((r) => r.id).sort()).toEqual([
      'DEBIAN-CVE-2026-1001',
      'DEBIAN-CVE-2026-1002',
      'DSA-6001-1',
    ]);
    const entries = mergeRecords(found, { ecosystem: 'Debian:12', name: 'util-linux', version: '2.38.1-5' });
    expect(entries.map((e) => e.vulnerability.ids).sort()).toEqual([
      ['CVE-2026-1001', 'DEBIAN-CVE-2026-1001', 'DSA-6001-1'],
      ['CVE-2026-1002', 'DEBIAN-CVE-2026-1002', 'DSA-6001-1'],
    ]);
    const byCve = new Map(entries.map((e) => [e.vulnerability.ids[0], e.vulnerability]));
    expect(byCve.get('CVE-2026-1001')).toMatchObject({ severity: 'low', fixed: '2.38.1-5+deb12u2' });
    expect(byCve.get('CVE-2026-1002')).toMatchObject({
      severity: 'critical',
      score: 9.8,
      fixed: '2.38.1-5+deb12u2',
    });
  });

  it('the DLA for Debian 11 is not an answer for Debian 12, and a fixed version is not affected', () => {
    expect(matching('Debian:12', 'util-linux', '2.38.1-5+deb12u2')).toEqual([]);
    expect(matching('Debian:11', 'util-linux', '2.36.1-8').map((r) => r.id)).toEqual(['DLA-4001-1']);
  });

  it('epochs and last_affected', () => {
    expect(matching('Debian:12', 'shadow', '1:4.13+dfsg1-1').map((r) => r.id)).toEqual([
      'DEBIAN-CVE-2026-3001',
    ]);
    // Epoch 0 sorts before 1:…, so 4.99 is still below the fix; 2:1.0 is above it.
    expect(matching('Debian:12', 'shadow', '4.99').map((r) => r.id)).toEqual(['DEBIAN-CVE-2026-3001']);
    expect(matching('Debian:12', 'shadow', '2:1.0')).toEqual([]);
    expect(matching('Debian:12', 'bash', '5.2.15-2').map((r) => r.id)).toEqual(['DEBIAN-CVE-2026-2001']);
    expect(matching('Debian:12', 'bash', '5.2.15-3')).toEqual([]);
    const [bash] = mergeRecords(matching('Debian:12', 'bash', '5.2.15-2'), {
      ecosystem: 'Debian:12',
      name: 'bash',
      version: '5.2.15-2',
    });
    expect(bash?.vulnerability).toMatchObject({ severity: 'medium', fixed: null });
  });

  it('a withdrawn record is dropped; GHSA and PYSEC aliases are one entry; v4 outranks the word', () => {
    const npm = mergeRecords(
      RECORDS.filter((r) => r.id.startsWith('GHSA-')),
      { ecosystem: 'npm', name: 'left-pad-ish', version: '1.3.0' },
    );
    expect(npm.map((e) => e.vulnerability.ids[0])).toEqual(['CVE-2026-4001', 'CVE-2026-5001']);
    const py = mergeRecords(matching('PyPI', 'tiny-http', '2.31.0'), {
      ecosystem: 'PyPI',
      name: 'tiny-http',
      version: '2.31.0',
    });
    expect(py).toHaveLength(1);
    expect(py[0]?.vulnerability).toMatchObject({
      ids: ['CVE-2026-5001', 'GHSA-p1p2-p3p4-p5p6', 'PYSEC-2026-11'],
      severity: 'high',
      score: 8.7,
      vector: V40_HIGH,
      fixed: '2.32.0',
    });
  });

  it('Go: with and without v, symbols kept for the judge', () => {
    expect(matching('Go', 'golang.org/x/net', 'v0.20.0').map((r) => r.id)).toEqual(['GO-2026-0101']);
    expect(matching('Go', 'stdlib', '1.21.5').map((r) => r.id)).toEqual(['GO-2026-0102']);
    expect(matching('Go', 'stdlib', '1.21.8')).toEqual([]);
    expect(matching('Go', 'stdlib', '1.22.0').map((r) => r.id)).toEqual(['GO-2026-0102']);
    const [e] = mergeRecords(matching('Go', 'golang.org/x/net', '0.20.0'), {
      ecosystem: 'Go',
      name: 'golang.org/x/net',
      version: '0.20.0',
    });
    expect(e?.imports).toEqual([
      { package: 'golang.org/x/net/http2', symbols: ['Framer.ReadFrame', 'Server.ServeConn'] },
    ]);
    expect(e?.vulnerability.fixed).toBe('0.23.0');
  });

  it('severity: CVSS 3.1 and 4.0 scored, else the ecosystem’s word, else unknown', () => {
    expect(severityOf({ id: 'X', severity: [{ type: 'CVSS_V3', score: V31_MEDIUM }] })).toEqual({
      severity: 'medium',
      score: 4.2,
      vector: V31_MEDIUM,
    });
    expect(severityOf({ id: 'X', severity: [{ type: 'CVSS_V3', score: V31_CRITICAL }] }).severity).toBe(
      'critical',
    );
    expect(severityOf({ id: 'X', database_specific: { severity: 'MODERATE' } })).toEqual({
      severity: 'medium',
    });
    expect(severityOf({ id: 'X', severity: [{ type: 'Ubuntu', score: 'high' }] })).toEqual({
      severity: 'high',
    });
    expect(severityOf({ id: 'X', severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/garbage' }] })).toEqual({
      severity: 'unknown',
    });
  });
});
