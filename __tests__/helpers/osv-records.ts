// OSV records written for the tests, in the OSV schema (1.6), with the shapes OSV publishes: Debian's
// DEBIAN-CVE, DSA and DLA keyed on the source package and release; GHSA for npm and PyPI; PYSEC aliasing a
// GHSA; GO- records with their symbols; a withdrawn record; `upstream`; CVSS v3 and v4 vectors;
// `last_affected` and enumerated versions. The ids, packages and numbers are made up for the tests.
import type { OsvRecord } from '../../src/vulns/records.js';

const M = '2026-11-01T00:00:00Z';

export const V31_CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'; // 9.8 (FIRST's example)
export const V31_MEDIUM = 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N'; // 4.2
export const V40_HIGH = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N'; // 8.7

const debian = (release: string, name: string, events: Record<string, string>[], urgency?: string) => ({
  package: { ecosystem: `Debian:${release}`, name, purl: `pkg:deb/debian/${name}?arch=source` },
  ranges: [{ type: 'ECOSYSTEM', events }],
  ...(urgency ? { ecosystem_specific: { urgency } } : {}),
});

export const RECORDS: OsvRecord[] = [
  // util-linux 2.38.1-5 in Debian 12 (bsdutils 1:2.38.1-5+b1 comes from it): two CVEs and the DSA for both.
  {
    id: 'DEBIAN-CVE-2026-1001',
    modified: M,
    upstream: ['CVE-2026-1001'],
    summary: 'util-linux: wall escape sequences',
    affected: [debian('12', 'util-linux', [{ introduced: '0' }, { fixed: '2.38.1-5+deb12u1' }], 'low')],
  },
  {
    id: 'DEBIAN-CVE-2026-1002',
    modified: M,
    upstream: ['CVE-2026-1002'],
    severity: [{ type: 'CVSS_V3', score: V31_CRITICAL }],
    affected: [debian('12', 'util-linux', [{ introduced: '0' }, { fixed: '2.38.1-5+deb12u2' }])],
  },
  {
    id: 'DSA-6001-1',
    modified: M,
    upstream: ['CVE-2026-1001', 'CVE-2026-1002'],
    summary: 'util-linux security update',
    affected: [debian('12', 'util-linux', [{ introduced: '0' }, { fixed: '2.38.1-5+deb12u2' }])],
  },
  // The same source in Debian 11: keyed on another release, never an answer for Debian:12.
  {
    id: 'DLA-4001-1',
    modified: M,
    upstream: ['CVE-2026-1001'],
    affected: [debian('11', 'util-linux', [{ introduced: '0' }, { fixed: '2.36.1-8+deb11u3' }])],
  },
  // bash: last_affected (no fix yet in this release).
  {
    id: 'DEBIAN-CVE-2026-2001',
    modified: M,
    upstream: ['CVE-2026-2001'],
    affected: [debian('12', 'bash', [{ introduced: '0' }, { last_affected: '5.2.15-2' }], 'medium')],
  },
  // shadow with an epoch: 1:4.13+dfsg1-1 is affected, the fix is 1:4.13+dfsg1-1+deb12u1.
  {
    id: 'DEBIAN-CVE-2026-3001',
    modified: M,
    upstream: ['CVE-2026-3001'],
    severity: [{ type: 'CVSS_V3', score: V31_MEDIUM }],
    affected: [debian('12', 'shadow', [{ introduced: '0' }, { fixed: '1:4.13+dfsg1-1+deb12u1' }])],
  },
  // npm: a GHSA with a CVE alias, scored by its vector.
  {
    id: 'GHSA-2a3b-4c5d-6e7f',
    modified: M,
    aliases: ['CVE-2026-4001'],
    summary: 'Prototype pollution in left-pad-ish',
    severity: [{ type: 'CVSS_V3', score: V31_CRITICAL }],
    database_specific: { severity: 'CRITICAL' },
    affected: [
      {
        package: { ecosystem: 'npm', name: 'left-pad-ish', purl: 'pkg:npm/left-pad-ish' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.1' }] }],
      },
    ],
  },
  // A withdrawn npm record: never an entry.
  {
    id: 'GHSA-9z9z-8y8y-7x7x',
    modified: M,
    withdrawn: '2026-10-01T00:00:00Z',
    affected: [
      {
        package: { ecosystem: 'npm', name: 'left-pad-ish' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
      },
    ],
  },
  // PyPI: a GHSA with a CVSS v4 vector on enumerated versions, and the PYSEC record that aliases it.
  {
    id: 'GHSA-p1p2-p3p4-p5p6',
    modified: M,
    aliases: ['CVE-2026-5001', 'PYSEC-2026-11'],
    severity: [{ type: 'CVSS_V4', score: V40_HIGH }],
    database_specific: { severity: 'MODERATE' },
    affected: [{ package: { ecosystem: 'PyPI', name: 'tiny-http' }, versions: ['2.30.0', '2.31.0'] }],
  },
  {
    id: 'PYSEC-2026-11',
    modified: M,
    aliases: ['GHSA-p1p2-p3p4-p5p6', 'CVE-2026-5001'],
    affected: [
      {
        package: { ecosystem: 'PyPI', name: 'tiny-http' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.30.0' }, { fixed: '2.32.0' }] }],
      },
    ],
  },
  // Go: a module and the standard library, with the symbols govulncheck-style tools judge.
  {
    id: 'GO-2026-0101',
    modified: M,
    aliases: ['CVE-2026-6001', 'GHSA-g0g0-g1g1-g2g2'],
    summary: 'Unbounded frames in golang.org/x/net/http2',
    affected: [
      {
        package: { ecosystem: 'Go', name: 'golang.org/x/net' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.23.0' }] }],
        ecosystem_specific: {
          imports: [{ path: 'golang.org/x/net/http2', symbols: ['Framer.ReadFrame', 'Server.ServeConn'] }],
        },
      },
    ],
    database_specific: { url: 'https://pkg.go.dev/vuln/GO-2026-0101' },
  },
  {
    id: 'GO-2026-0102',
    modified: M,
    aliases: ['CVE-2026-6002'],
    severity: [{ type: 'CVSS_V3', score: V31_MEDIUM }],
    affected: [
      {
        package: { ecosystem: 'Go', name: 'stdlib' },
        ranges: [
          {
            type: 'SEMVER',
            events: [
              { introduced: '0' },
              { fixed: '1.21.8' },
              { introduced: '1.22.0-0' },
              { fixed: '1.22.1' },
            ],
          },
        ],
        ecosystem_specific: { imports: [{ path: 'net/http', symbols: ['Request.ParseMultipartForm'] }] },
      },
    ],
  },
  // Alpine by branch.
  {
    id: 'ALPINE-CVE-2026-7001',
    modified: M,
    upstream: ['CVE-2026-7001'],
    affected: [
      {
        package: { ecosystem: 'Alpine:v3.19', name: 'busybox' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.36.1-r16' }] }],
      },
    ],
  },
];
