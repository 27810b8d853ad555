// The verdict is decided in one place (src/analysis/verdict.ts); every surface asks it.
import { describe, expect, it } from 'vitest';
import { decideVerdict } from '../../src/analysis/verdict.js';
import type { Report } from '../../src/types/report.js';
import { finding, prReport, report } from '../helpers/github-reports.js';

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
    const v = decideVerdict(
      make(),
      failOn,
      applied === undefined ? undefined : { label: 'slimgate:allow', applied },
    );
    expect([v.status, v.blocking]).toEqual([status, blocking]);
    if (applied && status === 'fail') expect(v.overriddenBy).toBe('slimgate:allow');
  });
});
