// Budgets: sizes parsed by a maintained library (decimal KB/MB/GB, binary KiB/MiB/GiB, bare bytes), every
// check reported with limit/actual/pass, breaches as findings that fail the image, and max-growth against
// a baseline (bytes or percent), skipped — not failed — without one.
import { describe, expect, it } from 'vitest';
import { evaluateBudgets, type BudgetInput } from '../../src/analysis/budget.js';
import { judgeReport } from '../../src/analysis/judge.js';
import { DEFAULT_POLICY, type Policy } from '../../src/analysis/policy.js';
import { parseGrowth, parseSize } from '../../src/config/values.js';
import { InputError } from '../../src/util/errors.js';
import { check, D, F, image, STATIC, T, X } from '../helpers/rules-kit.js';

describe('parseSize', () => {
  it.each([
    ['25MB', 25_000_000],
    ['25mb', 25_000_000],
    ['25 MB', 25_000_000],
    ['1.5GB', 1_500_000_000],
    ['10KB', 10_000],
    ['10kB', 10_000],
    ['10KiB', 10_240],
    ['24MiB', 25_165_824],
    ['1GiB', 1_073_741_824],
    ['1000000', 1_000_000],
    ['0', 0],
    ['512B', 512],
    [' 7 ', 7],
    [42, 42],
  ])('%j → %d bytes', (input, want) => {
    expect(parseSize(input, 'input "max-size"')).toBe(want);
  });

  it.each(['25 MBs', '25M', '-5MB', '2.5', '1e6', '0x10', 'big', '', '10%', -1, 1.5])(
    '%j is a clear error naming the input',
    (input) => {
      let err: unknown;
      try {
        parseSize(input, 'input "max-size"');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(/^input "max-size": .* is not a size/);
    },
  );
});

describe('parseGrowth', () => {
  it('takes a percentage or a size', () => {
    expect(parseGrowth('10%', 'x')).toEqual({ percent: 10 });
    expect(parseGrowth('2.5 %', 'x')).toEqual({ percent: 2.5 });
    expect(parseGrowth('2MB', 'x')).toEqual({ bytes: 2_000_000 });
    expect(() => parseGrowth('ten%', '--max-growth')).toThrow(/^--max-growth: "ten%" is not a percentage/);
    expect(() => parseGrowth('lots', '--max-growth')).toThrow(/^--max-growth: "lots" is not a growth limit/);
  });
});

const INPUT: BudgetInput = {
  uncompressed: 10_000_000,
  compressed: 4_000_000,
  layers: 5,
  wasted: 300_000,
  storedUncompressed: false,
};
const P = (p: Partial<Policy>): Policy => ({ ...DEFAULT_POLICY, ...p });

describe('evaluateBudgets', () => {
  it('reports nothing when no budget is set', () => {
    expect(evaluateBudgets(INPUT, DEFAULT_POLICY)).toEqual({ passed: true, checks: [], findings: [] });
  });

  it('reports every budget with limit, actual and pass/fail (at the limit passes)', () => {
    const r = evaluateBudgets(
      INPUT,
      P({ maxSize: 10_000_000, maxCompressedSize: 3_000_000, maxLayers: 4, maxWasted: 1_000_000 }),
    );
    expect(r.checks.map((c) => [c.name, c.limit, c.actual, c.passed])).toEqual([
      ['max-size', 10_000_000, 10_000_000, true],
      ['max-compressed-size', 3_000_000, 4_000_000, false],
      ['max-layers', 4, 5, false],
      ['max-wasted', 1_000_000, 300_000, true],
    ]);
    expect(r.passed).toBe(false);
    expect(r.findings.map((f) => f.id)).toEqual(['SG102', 'SG103']);
    expect(r.findings[0]?.message).toBe(
      'max-compressed-size: 4.00 MB compressed is over the 3.00 MB budget by 1.00 MB',
    );
  });

  it('max-size is uncompressed and fails one byte over', () => {
    const r = evaluateBudgets(INPUT, P({ maxSize: 9_999_999 }));
    expect(r.findings.map((f) => f.id)).toEqual(['SG101']);
    expect(r.checks[0]?.detail).toMatch(/^10\.0 MB uncompressed, limit 10\.0+ MB$/);
  });

  it('does not fail max-compressed-size on an archive that stores layers uncompressed (size unknown)', () => {
    const r = evaluateBudgets(
      { ...INPUT, storedUncompressed: true, compressed: 10_100_000 },
      P({ maxCompressedSize: 5_000_000 }),
    );
    expect(r.checks[0]).toMatchObject({ name: 'max-compressed-size', passed: true, skipped: true });
    expect(r.checks[0]?.detail).toMatch(/stores layers uncompressed/);
    const ok = evaluateBudgets(
      { ...INPUT, storedUncompressed: true, compressed: 1000 },
      P({ maxCompressedSize: 5_000_000 }),
    );
    expect(ok.checks[0]).toMatchObject({ passed: true });
    expect(ok.checks[0]?.skipped).toBeUndefined();
  });

  it('max-growth in percent and in bytes against a baseline', () => {
    const base = { uncompressed: 8_000_000 };
    const pct = evaluateBudgets(INPUT, P({ maxGrowth: { percent: 10 } }), base);
    expect(pct.checks[0]).toMatchObject({
      name: 'max-growth',
      limit: 800_000,
      actual: 2_000_000,
      passed: false,
    });
    expect(pct.findings[0]?.message).toMatch(
      /grew by 2\.00 MB \(\+25%\) uncompressed against the baseline, over the 10% budget/,
    );
    const bytes = evaluateBudgets(INPUT, P({ maxGrowth: { bytes: 2_000_000 } }), base);
    expect(bytes.checks[0]).toMatchObject({ limit: 2_000_000, actual: 2_000_000, passed: true });
    const shrink = evaluateBudgets(INPUT, P({ maxGrowth: { bytes: 0 } }), { uncompressed: 20_000_000 });
    expect(shrink.checks[0]).toMatchObject({ actual: -10_000_000, passed: true });
  });

  it('skips max-growth without a baseline, and says why', () => {
    const none = evaluateBudgets(INPUT, P({ maxGrowth: { percent: 10 } }));
    expect(none.checks[0]).toMatchObject({ name: 'max-growth', passed: true, skipped: true });
    expect(none.checks[0]?.detail).toMatch(/no baseline was given/);
    expect(evaluateBudgets(INPUT, P({ maxGrowth: { percent: 10 } }), null).checks[0]?.detail).toMatch(
      /no baseline could be found/,
    );
    expect(none.passed).toBe(true);
  });
});

describe('budgets in a check report', () => {
  const img = image(
    [[D('/etc'), T('/etc/passwd', 'root:x:0:0::/:/x\n'), X('/app', STATIC()), F('/data', 2_000_000)]],
    {
      User: '1000',
      Entrypoint: ['/app'],
    },
  );

  it('a breach is an SG101 error that fails the image; re-rated to a warning it passes', () => {
    const r = check(img, { maxSize: 1_000_000 });
    expect(r.budget.passed).toBe(false);
    expect(r.findings.map((f) => [f.id, f.category, f.severity])).toEqual([['SG101', 'size', 'error']]);
    expect(r.passed).toBe(false);
    const w = check(img, { maxSize: 1_000_000, rules: { SG101: { severity: 'warning' } } });
    expect(w.passed).toBe(true);
    expect(w.budget.passed).toBe(false);
  });

  it('max-layers counts layers', () => {
    const two = image([[X('/app', STATIC())], [F('/b', 1)]], { User: '1', Entrypoint: ['/app'] });
    expect(check(two, { maxLayers: 1 }).findings.map((f) => f.id)).toEqual(['SG103']);
    expect(check(two, { maxLayers: 2 }).findings).toEqual([]);
  });

  it('max-wasted counts bytes that later layers delete or overwrite', () => {
    const w = image([[X('/app', STATIC()), F('/big', 500_000)], [F('/.wh.big')]], {
      User: '1',
      Entrypoint: ['/app'],
    });
    const r = check(w, { maxWasted: 100_000 });
    expect(r.size.wasted).toBe(500_000);
    expect(r.findings.map((f) => f.id)).toEqual(['SG104']);
  });

  it('judgeReport() applies max-growth once a saved baseline report is known', () => {
    const policy = { ...DEFAULT_POLICY, maxGrowth: { percent: 10 } };
    const r = check(img, { maxGrowth: { percent: 10 } });
    expect(r.budget.checks[0]?.skipped).toBe(true);
    const baseline = { ...r, size: { ...r.size, uncompressed: 1_000_000 } };
    const again = judgeReport(r, policy, { baseline }).report;
    expect(again.budget.checks[0]).toMatchObject({ name: 'max-growth', passed: false });
    expect(again.findings.map((f) => f.id)).toEqual(['SG105']);
    expect(again.passed).toBe(false);
    expect(judgeReport(again, policy, { baseline: null }).report.findings).toEqual([]);
  });
});
