// Known vulnerabilities under the policy and the ratchet: max-new-vulnerabilities, main's backlog, Go entries
// not linked, waivers (and expired ones), an unchecked look-up, and the settings in every place they are set.
import { describe, expect, it } from 'vitest';
import { vulnerabilityFindings, type VulnPolicy } from '../../src/analysis/vulnerabilities.js';
import { decideVerdict } from '../../src/analysis/verdict.js';
import { findingKey } from '../../src/analysis/finding.js';
import { parseConfig } from '../../src/config/file.js';
import { policyFromInputs } from '../../src/config/resolve.js';
import { mergePolicy } from '../../src/config/merge.js';
import type { Finding, FindingVulnerability, VulnSeverity } from '../../src/types/report.js';
import type { Hit, Lookup } from '../../src/vulns/lookup.js';

const NOW = new Date('2026-12-08T12:00:00Z');
const ctx = { packageLayer: (i: number) => i, fileLayer: () => 7, now: NOW };

function hit(
  id: string,
  severity: VulnSeverity,
  name = 'openssl',
  extra: Partial<FindingVulnerability> = {},
  binary?: string,
): Hit {
  return {
    subject: {
      query: { ecosystem: 'Debian:12', name, version: '3.0.11-1' },
      display: { name, version: '3.0.11-1' },
      ...(binary ? { binary, go: 'module' as const } : { packageIndex: 2 }),
    },
    vulnerability: {
      ids: [id, `DEBIAN-${id}`],
      severity,
      package: { ecosystem: 'Debian:12', name, version: '3.0.11-1' },
      fixed: '3.0.13-1',
      ...extra,
    },
  };
}

const lookup = (hits: Hit[], checked = true, reason?: string): Lookup => ({
  checked,
  ...(reason ? { reason } : {}),
  hits,
  packages: { queried: 10, skipped: 0 },
  notes: [],
});

const judge = (findings: Finding[], baseline?: Finding[] | null, baselineVulnerabilities?: boolean) =>
  decideVerdict({ findings, budget: { checks: [] } }, 'error', {
    baseline: baseline ?? null,
    ...(baselineVulnerabilities !== undefined ? { baselineVulnerabilities } : {}),
  });

const HIGH: VulnPolicy = { maxNewVulnerabilities: 'high' };

describe('max-new-vulnerabilities under the ratchet', () => {
  const main = vulnerabilityFindings(lookup([hit('CVE-1', 'critical'), hit('CVE-2', 'high')]), HIGH, ctx);
  const pr = vulnerabilityFindings(
    lookup([
      hit('CVE-1', 'critical'),
      hit('CVE-2', 'high'),
      hit('CVE-3', 'medium'),
      hit('CVE-4', 'high', 'curl'),
    ]),
    HIGH,
    ctx,
  );

  it('an entry at the level or above is an error; below it, info; the summary counts by severity', () => {
    expect(pr.findings.map((f) => [f.vulnerability?.ids[0], f.severity])).toEqual([
      ['CVE-1', 'error'],
      ['CVE-2', 'error'],
      ['CVE-3', 'info'],
      ['CVE-4', 'error'],
    ]);
    expect(pr.summary).toMatchObject({
      checked: true,
      total: 4,
      counts: { critical: 1, high: 2, medium: 1, low: 0 },
    });
    expect(pr.findings[0]).toMatchObject({ id: 'SG801', category: 'vulnerability', layer: 2 });
    expect(pr.findings[0]?.message).toMatch(
      /^CVE-1 \(DEBIAN-CVE-1\) in openssl 3\.0\.11-1: critical; fixed in 3\.0\.13-1$/,
    );
  });

  it('main’s backlog never fails a PR: only the entry the PR adds counts', () => {
    const v = judge(pr.findings, main.findings, true);
    expect(v.judgedErrors).toBe(1);
    expect(v.blocking).toBe(true);
    expect(v.debt.map((f) => f.vulnerability?.ids[0])).toEqual(['CVE-1', 'CVE-2']);
    // The same backlog alone passes, with a warning: the image is not clean.
    const same = judge(main.findings, main.findings, true);
    expect(same).toMatchObject({ blocking: false, status: 'warn', judgedErrors: 0 });
  });

  it('the identity is the primary id and the package, not its version: a bump that does not fix stays backlog', () => {
    const bumped = vulnerabilityFindings(
      lookup([
        {
          ...hit('CVE-1', 'critical'),
          vulnerability: {
            ...hit('CVE-1', 'critical').vulnerability,
            package: { ecosystem: 'Debian:12', name: 'openssl', version: '3.0.12-1' },
          },
        },
      ]),
      HIGH,
      ctx,
    );
    expect(findingKey(bumped.findings[0] as Finding)).toBe(findingKey(main.findings[0] as Finding));
    expect(judge(bumped.findings, main.findings, true).blocking).toBe(false);
  });

  it('a baseline whose vulnerabilities were not looked up cannot say what is new: nothing counts', () => {
    expect(judge(pr.findings, [], false)).toMatchObject({ blocking: false, judgedErrors: 0 });
  });

  it('with no baseline every entry is new', () => {
    expect(judge(pr.findings, null).judgedErrors).toBe(3);
  });

  it('fail-on: new-error and the vulnerability ratchet agree', () => {
    const v = decideVerdict({ findings: pr.findings, budget: { checks: [] } }, 'new-error', {
      baseline: main.findings,
      baselineVulnerabilities: true,
    });
    expect(v.judgedErrors).toBe(1);
  });
});

describe('Go entries, waivers, unchecked', () => {
  it('a Go entry judged not linked counts only with count-unlinked', () => {
    const h = hit('CVE-9', 'critical', 'golang.org/x/net', { reachability: 'not-linked' }, '/app');
    expect(vulnerabilityFindings(lookup([h]), HIGH, ctx).findings[0]).toMatchObject({
      severity: 'info',
      path: '/app',
      layer: 7,
    });
    expect(
      vulnerabilityFindings(lookup([h]), { ...HIGH, countUnlinked: true }, ctx).findings[0]?.severity,
    ).toBe('error');
    const linked = hit('CVE-9', 'critical', 'golang.org/x/net', { reachability: 'linked' }, '/app');
    expect(vulnerabilityFindings(lookup([linked]), HIGH, ctx).findings[0]?.severity).toBe('error');
  });

  it.each([
    // reachability, count-unlinked, counted
    ['linked', false, true],
    ['linked', true, true],
    ['unknown', false, true],
    ['unknown', true, true],
    ['not-linked', false, false],
    ['not-linked', true, true],
    [undefined, false, true],
  ] as const)('a Go entry %s with count-unlinked %s counts: %s', (reachability, countUnlinked, counted) => {
    const h = hit('CVE-9', 'critical', 'golang.org/x/net', reachability ? { reachability } : {}, '/app');
    const f = vulnerabilityFindings(lookup([h]), { ...HIGH, countUnlinked }, ctx).findings[0];
    expect(f?.severity).toBe(counted ? 'error' : 'info');
  });

  it('a waiver (matched by any alias) keeps the entry listed and uncounted; an expired one is SG803', () => {
    const { findings, summary } = vulnerabilityFindings(
      lookup([hit('CVE-1', 'critical'), hit('CVE-2', 'critical')]),
      {
        ...HIGH,
        waivers: [
          { id: 'debian-cve-1', reason: 'not reachable', until: '2026-12-08' },
          { id: 'CVE-2', reason: 'old', until: '2026-12-07' },
        ],
      },
      ctx,
    );
    expect(findings.map((f) => [f.id, f.severity, f.vulnerability?.waived?.reason ?? null])).toEqual([
      ['SG801', 'info', 'not reachable'],
      ['SG801', 'error', null],
      ['SG803', 'warning', null],
    ]);
    expect(findings[2]?.message).toMatch(/CVE-2 expired on 2026-12-07/);
    expect(summary).toMatchObject({ total: 1, waived: 1 });
  });

  it('not checked is never 0; with a budget it is SG802, a warning, or an error with vulnerabilities-unchecked: fail', () => {
    const down = lookup([], false, 'OSV querybatch: connect ECONNREFUSED');
    expect(vulnerabilityFindings(down, {}, ctx)).toMatchObject({
      findings: [],
      summary: { checked: false, reason: /ECONNREFUSED/ },
    });
    const warn = vulnerabilityFindings(down, HIGH, ctx).findings;
    expect(warn.map((f) => [f.id, f.severity])).toEqual([['SG802', 'warning']]);
    const fail = vulnerabilityFindings(down, { ...HIGH, vulnerabilitiesUnchecked: 'fail' }, ctx).findings;
    expect(fail.map((f) => [f.id, f.severity])).toEqual([['SG802', 'error']]);
    // SG802 is never debt: main unchecked too does not excuse it.
    const v = decideVerdict({ findings: fail, budget: { checks: [] } }, 'new-error', { baseline: fail });
    expect(v.blocking).toBe(true);
  });
});

describe('settings', () => {
  it('.slimgate.yml: every key, waivers with dates', () => {
    const p = parseConfig(
      [
        'vulnerabilities: on',
        'max-new-vulnerabilities: High',
        'count-unlinked: true',
        'vulnerabilities-unchecked: fail',
        'waivers:',
        '  - { id: CVE-2026-1001, reason: not reachable, until: 2027-01-31 }',
      ].join('\n'),
      '.slimgate.yml',
    );
    expect(p).toMatchObject({
      vulnerabilities: 'on',
      maxNewVulnerabilities: 'high',
      countUnlinked: true,
      vulnerabilitiesUnchecked: 'fail',
      waivers: [{ id: 'CVE-2026-1001', reason: 'not reachable', until: '2027-01-31' }],
    });
  });

  it('bad values are one line naming the key', () => {
    expect(() => parseConfig('max-new-vulnerabilities: severe', 'c.yml')).toThrow(
      /c.yml: max-new-vulnerabilities: "severe" must be critical, high, medium or low/,
    );
    expect(() => parseConfig('waivers:\n  - { id: X, reason: r, until: 2027-02-30 }', 'c.yml')).toThrow(
      /waivers.0.until: "2027-02-30" is not a date/,
    );
    expect(() => parseConfig('waivers:\n  - { id: X, until: 2027-01-01 }', 'c.yml')).toThrow(
      /c.yml:.*reason/,
    );
  });

  it('inputs and flags share the names, and win over the file; waivers add up', () => {
    const inputs = policyFromInputs({
      'max-new-vulnerabilities': 'critical',
      vulnerabilities: 'off',
      'vulnerabilities-unchecked': 'warn',
    });
    const file = parseConfig(
      'max-new-vulnerabilities: low\nwaivers: [{id: A, reason: r, until: 2027-01-01}]',
      'f',
    );
    const merged = mergePolicy(file, inputs, { waivers: [{ id: 'B', reason: 'r', until: '2027-01-01' }] });
    expect(merged).toMatchObject({
      maxNewVulnerabilities: 'critical',
      vulnerabilities: 'off',
      vulnerabilitiesUnchecked: 'warn',
    });
    expect(merged.waivers?.map((w) => w.id)).toEqual(['A', 'B']);
    expect(() => policyFromInputs({ 'count-unlinked': 'maybe' })).toThrow(
      /input "count-unlinked": "maybe" must be true or false/,
    );
  });
});
