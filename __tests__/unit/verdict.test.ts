// The verdict is decided in one place (src/analysis/verdict.ts); every surface asks it.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { judgeReport } from '../../src/analysis/judge.js';
import { DEFAULT_POLICY, type Policy } from '../../src/analysis/policy.js';
import { decideVerdict, type VerdictPolicy } from '../../src/analysis/verdict.js';
import { parseFailOn } from '../../src/config/values.js';
import { readEnvelope, writeRunFiles, type PrEnvelope } from '../../src/github/artifact.js';
import type { Finding, Report } from '../../src/types/report.js';
import { file, finding, prReport, report } from '../helpers/github-reports.js';

describe('decideVerdict', () => {
  const warn = (): Report => report({ findings: [finding('SG801', 'waste', 'warning', '/var/cache')] });
  it.each<[string, () => Report, 'error' | 'warning' | 'never', boolean | undefined, string, boolean]>([
    ['clean', () => report(), 'error', undefined, 'pass', false],
    ['a warning, fail-on error', warn, 'error', undefined, 'warn', false],
    ['a warning, fail-on warning', warn, 'warning', undefined, 'fail', true],
    ['errors, fail-on error', prReport, 'error', undefined, 'fail', true],
    ['errors, fail-on never', prReport, 'never', undefined, 'fail', false],
    ['errors, override label set', prReport, 'error', true, 'fail', false],
    ['errors, override label not set', prReport, 'error', false, 'fail', true],
    [
      'a budget breach, which is an error finding',
      () =>
        report({
          findings: [
            {
              id: 'SG103',
              category: 'size',
              severity: 'error',
              message: 'max-layers: 2 layers is over 1',
              remediation: '',
            },
          ],
          budget: { passed: false, checks: [{ name: 'max-layers', limit: 1, actual: 2, passed: false }] },
          passed: false,
        }),
      'error',
      undefined,
      'fail',
      true,
    ],
    [
      'a budget breach whose rule is disabled',
      () =>
        report({
          budget: { passed: false, checks: [{ name: 'max-layers', limit: 1, actual: 2, passed: false }] },
        }),
      'error',
      undefined,
      'pass',
      false,
    ],
  ])('%s', (_name, make, failOn, applied, status, blocking) => {
    const v = decideVerdict(make(), failOn, {
      override: applied === undefined ? undefined : { label: 'slimgate:allow', applied },
    });
    expect([v.status, v.blocking]).toEqual([status, blocking]);
    if (applied && status === 'fail') expect(v.overriddenBy).toBe('slimgate:allow');
  });
});

// The ratchet (fail-on: new-error) and the budgets-only preset: a table of main's findings, the PR's, and
// what each level decides. Findings match by rule and subject (path, ENV name), never by message.
describe('the ratchet and the budgets-only preset', () => {
  const shell = (path = '/bin/sh', message = `shell ${path} present`): Finding =>
    finding('SG201', 'shell', 'error', path, message);
  const apt = finding('SG301', 'package-manager', 'error', '/usr/bin/apt');
  const setuid = finding('SG501', 'privilege', 'error', '/usr/bin/passwd');
  const envSecret = (name: string): Finding => ({
    id: 'SG504',
    category: 'secret',
    severity: 'error',
    message: `ENV ${name} holds a token (value not shown)`,
    env: name,
    remediation: '',
  });
  const breach: Finding = {
    id: 'SG101',
    category: 'size',
    severity: 'error',
    message: 'max-size: 8.09 MB is over 5.00 MB',
    remediation: '',
  };
  const breachCheck = { name: 'max-size', limit: 5_000_000, actual: 8_094_936, passed: false };
  const cache = finding('SG601', 'waste', 'warning', '/var/cache/apt');
  const judged = (findings: Finding[], breached = false) => ({
    findings,
    budget: { checks: breached ? [breachCheck] : [] },
  });
  const debtOS = [shell(), apt, cache];

  type Row = [
    name: string,
    main: Finding[] | null,
    pr: Finding[],
    breached: boolean,
    policy: VerdictPolicy,
    expected: { status: string; blocking: boolean; newErrors: number; judged: number; debt: number },
  ];
  it.each<Row>([
    [
      'keeps main debt: passes, the debt listed',
      debtOS,
      // The same findings with messages that changed (sizes, wording): still the same findings.
      [shell('/bin/sh', 'shell /bin/sh present (also /bin/bash)'), apt, cache],
      false,
      { failOn: 'new-error' },
      { status: 'warn', blocking: false, newErrors: 0, judged: 0, debt: 2 },
    ],
    [
      'adds an error: fails on that one only',
      debtOS,
      [...debtOS, setuid],
      false,
      { failOn: 'new-error' },
      { status: 'fail', blocking: true, newErrors: 1, judged: 1, debt: 2 },
    ],
    [
      'the same rule on another path is new',
      debtOS,
      [...debtOS, shell('/bin/bash')],
      false,
      { failOn: 'new-error' },
      { status: 'fail', blocking: true, newErrors: 1, judged: 1, debt: 2 },
    ],
    [
      'a second finding with one key is new (duplicates are counted)',
      debtOS,
      [...debtOS, shell()],
      false,
      { failOn: 'new-error' },
      { status: 'fail', blocking: true, newErrors: 1, judged: 1, debt: 2 },
    ],
    [
      'another ENV name is new, the same one is debt',
      [envSecret('AWS_SECRET_ACCESS_KEY')],
      [envSecret('AWS_SECRET_ACCESS_KEY'), envSecret('GITHUB_TOKEN')],
      false,
      { failOn: 'new-error' },
      { status: 'fail', blocking: true, newErrors: 1, judged: 1, debt: 1 },
    ],
    [
      'a budget breach main also had still fails: budgets are never debt',
      [...debtOS, breach],
      [...debtOS, breach],
      true,
      { failOn: 'new-error' },
      { status: 'fail', blocking: true, newErrors: 0, judged: 1, debt: 2 },
    ],
    [
      'fixing debt passes clean',
      debtOS,
      [cache],
      false,
      { failOn: 'new-error' },
      { status: 'warn', blocking: false, newErrors: 0, judged: 0, debt: 0 },
    ],
    [
      'no baseline: judged as error (never a silent pass)',
      null,
      debtOS,
      false,
      { failOn: 'new-error' },
      { status: 'fail', blocking: true, newErrors: 2, judged: 2, debt: 0 },
    ],
    [
      'fail-on error with a baseline still fails on debt',
      debtOS,
      debtOS,
      false,
      { failOn: 'error' },
      { status: 'fail', blocking: true, newErrors: 0, judged: 2, debt: 0 },
    ],
    [
      'budgets-only: rule errors are reported, not judged',
      null,
      [...debtOS, setuid],
      false,
      { failOn: 'error', preset: 'budgets-only' },
      { status: 'warn', blocking: false, newErrors: 3, judged: 0, debt: 0 },
    ],
    [
      'budgets-only: a breach fails',
      null,
      [...debtOS, breach],
      true,
      { failOn: 'error', preset: 'budgets-only' },
      { status: 'fail', blocking: true, newErrors: 3, judged: 1, debt: 0 },
    ],
    [
      'budgets-only with fail-on warning: rule warnings are not judged either',
      null,
      [cache],
      false,
      { failOn: 'warning', preset: 'budgets-only' },
      { status: 'warn', blocking: false, newErrors: 0, judged: 0, debt: 0 },
    ],
  ])('%s', (_name, main, pr, breached, policy, e) => {
    const v = decideVerdict(judged(pr, breached), policy, { baseline: main });
    expect({
      status: v.status,
      blocking: v.blocking,
      newErrors: v.newErrors,
      judged: v.judgedErrors,
      debt: v.debt.length,
    }).toEqual(e);
    expect(v.ratchet).toBe(policy.failOn === 'new-error' ? (main ? 'compared' : 'no-baseline') : undefined);
    // Debt is only ever error findings that main has, never a budget breach.
    for (const f of v.debt) expect([f.severity, f.category === 'size']).toEqual(['error', false]);

    // The same policy through the engine's path (report.passed, as `check` and the action judge it):
    // judgeReport recomputes budgets, so give it the breach as a finding of a budget it evaluates.
    const full: Policy = { ...DEFAULT_POLICY, ...policy, ...(breached ? { maxSize: 5_000_000 } : {}) };
    const prR = report({
      findings: pr.filter((f) => f.category !== 'size'),
      files: breached ? [file('/big', 8_094_936)] : [],
    });
    const mainR = main ? report({ findings: main }) : null;
    const rejudged = judgeReport(prR, full, { baseline: mainR }).report;
    expect(rejudged.passed).toBe(!e.blocking);
    expect(rejudged.verdict?.newErrors).toBe(e.newErrors);

    // Comment mode re-decides from pr.json: the envelope keeps fail-on and the preset.
    process.env['RUNNER_TEMP'] = mkdtempSync(path.join(tmpdir(), 'sg-verdict-'));
    const envelope: PrEnvelope = {
      slimgate: 1,
      pullRequest: 2,
      headSha: 'a'.repeat(40),
      commentKey: 'app',
      failOn: policy.failOn,
      ...(policy.preset ? { preset: policy.preset } : {}),
      overrideApplied: false,
      baselineLabel: 'main',
      baselineNote: '',
      showPlatform: false,
    };
    const files = writeRunFiles('app', [{ key: 'app', report: prR, baseline: mainR }], {
      everyPlatform: false,
      pr: envelope,
    });
    const env = readEnvelope(path.join(files.dir, 'pr.json'));
    const again = decideVerdict(
      rejudged,
      { failOn: env.failOn, preset: env.preset },
      { baseline: mainR?.findings ?? null },
    );
    expect(again.blocking).toBe(e.blocking);
  });

  it('fail-on parses the same everywhere: `New-Error` is new-error', () => {
    expect(parseFailOn(' New-Error ', 'x')).toBe('new-error');
    expect(parseFailOn('Error', 'x')).toBe('error');
    expect(() => parseFailOn('new', 'input "fail-on"')).toThrow(/input "fail-on": "new" must be/);
  });

  it('--manifest-only judges budgets by the same verdict (new-error has no baseline there: as error)', () => {
    const v = decideVerdict(judged([breach], true), { failOn: 'new-error' });
    expect([v.blocking, v.ratchet]).toEqual([true, 'no-baseline']);
  });
});
