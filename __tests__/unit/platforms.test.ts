// --platform all, the pure pieces: per-platform budgets in .slimgate.yml (parsed, validated, layered under
// the flags), the policy for one platform, and the one verdict over several platforms.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEnvelope, writeRunFiles, type PrEnvelope } from '../../src/github/artifact.js';
import { keySlug } from '../../src/github/baseline.js';
import { DEFAULT_POLICY, policyForPlatform, type Policy } from '../../src/analysis/policy.js';
import { combineVerdicts, decideVerdict, type Verdict } from '../../src/analysis/verdict.js';
import { parseConfig } from '../../src/config/file.js';
import { mergePolicy } from '../../src/config/merge.js';
import { policyFromInputs } from '../../src/config/resolve.js';
import { InputError } from '../../src/util/errors.js';
import { finding, report } from '../helpers/github-reports.js';

describe('platforms: in .slimgate.yml', () => {
  it('reads budget sections per platform, normalised as --platform takes them', () => {
    const patch = parseConfig(
      [
        'max-size: 30MB',
        'platforms:',
        '  linux/arm64:',
        '    max-size: 40MB',
        '    max-growth: 5%',
        '  linux/arm/v7: { max-layers: 3, max-compressed-size: 1MiB, max-wasted: 0 }',
      ].join('\n'),
      '.slimgate.yml',
    );
    expect(patch).toEqual({
      maxSize: 30_000_000,
      platforms: {
        'linux/arm64': { maxSize: 40_000_000, maxGrowth: { percent: 5 } },
        'linux/arm/v7': { maxLayers: 3, maxCompressedSize: 1_048_576, maxWasted: 0 },
      },
    });
  });

  it.each([
    [
      'a key that is not a budget',
      'platforms:\n  linux/arm64:\n    fail-on: warning\n',
      /^\.slimgate\.yml: platforms\.linux\/arm64: unknown key "fail-on" \(a platform sets budgets only: max-size, /,
    ],
    [
      'a bad size',
      'platforms:\n  linux/arm64:\n    max-size: huge\n',
      /^\.slimgate\.yml: platforms\.linux\/arm64\.max-size: "huge" is not a size/,
    ],
    [
      'a bad growth',
      'platforms:\n  linux/arm64: { max-growth: 5%% }\n',
      /^\.slimgate\.yml: platforms\.linux\/arm64\.max-growth: "5%%" is not a percentage/,
    ],
    [
      'not a platform',
      'platforms:\n  arm64:\n    max-size: 1MB\n',
      /^\.slimgate\.yml: platforms\.arm64: "arm64" is not a platform; write os\/arch\[\/variant\], e\.g\. linux\/arm64$/,
    ],
    [
      '"all" is not a platform',
      'platforms:\n  all: { max-size: 1MB }\n',
      /^\.slimgate\.yml: platforms\.all: "all" is not a platform/,
    ],
    [
      'a platform with a slash too many',
      'platforms:\n  linux/arm/v7/x: { max-size: 1MB }\n',
      /platforms\.linux\/arm\/v7\/x: "linux\/arm\/v7\/x" is not a platform/,
    ],
    [
      'an empty variant',
      'platforms:\n  linux/arm64/: { max-size: 2MB }\n',
      /platforms\.linux\/arm64\/: "linux\/arm64\/" is not a platform/,
    ],
    ['a list instead of a map', 'platforms: [linux/arm64]\n', /^\.slimgate\.yml: platforms: must be a map/],
    [
      'a platform set to a string',
      'platforms:\n  linux/arm64: 40MB\n',
      /^\.slimgate\.yml: platforms\.linux\/arm64: must be a map/,
    ],
  ])('%s is one line naming the key', (_name, text, want) => {
    expect(() => parseConfig(text, '.slimgate.yml')).toThrow(InputError);
    expect(() => parseConfig(text, '.slimgate.yml')).toThrow(want);
  });
});

describe('policyForPlatform', () => {
  const file = parseConfig(
    [
      'max-size: 30MB',
      'max-layers: 5',
      'platforms:',
      '  linux/arm64: { max-size: 40MB }',
      '  linux/arm: { max-size: 20MB, max-layers: 9 }',
      '  linux/arm/v7: { max-size: 25MB }',
    ].join('\n'),
    'f',
  );
  const policy = mergePolicy(file);
  it.each<[string, number | undefined, number | undefined]>([
    ['linux/amd64', 30_000_000, 5],
    ['linux/arm64', 40_000_000, 5],
    ['linux/arm64/v8', 40_000_000, 5], // arm64 without a variant is v8, as containerd has it
    ['linux/arm/v6', 20_000_000, 9],
    ['linux/arm/v7', 25_000_000, 9], // the section with the variant wins over linux/arm
    ['windows/arm64', 30_000_000, 5],
    ['unknown', 30_000_000, 5],
  ])('%s', (platform, maxSize, maxLayers) => {
    const p = policyForPlatform(policy, platform);
    expect([p.maxSize, p.maxLayers]).toEqual([maxSize, maxLayers]);
    expect(p.platforms).toBeUndefined();
    expect(p.failOn).toBe(policy.failOn);
  });

  it('a platform section may set a budget the top level does not', () => {
    const p = mergePolicy(parseConfig('platforms:\n  linux/arm64: { max-growth: 2MB }\n', 'f'));
    expect(policyForPlatform(p, 'linux/arm64').maxGrowth).toEqual({ bytes: 2_000_000 });
    expect(policyForPlatform(p, 'linux/amd64').maxGrowth).toBeUndefined();
  });

  it('without sections it is the policy itself', () => {
    expect(policyForPlatform(DEFAULT_POLICY, 'linux/arm64')).toBe(DEFAULT_POLICY);
  });

  it('an explicit flag or input beats the file on every platform; other keys of a section stay', () => {
    const fileOnly = parseConfig(
      'max-size: 30MB\nplatforms:\n  linux/arm64: { max-size: 40MB, max-layers: 9 }\n',
      'f',
    );
    const merged = mergePolicy(fileOnly, policyFromInputs({ 'max-size': '10MB' }));
    const arm = policyForPlatform(merged, 'linux/arm64');
    expect([arm.maxSize, arm.maxLayers]).toEqual([10_000_000, 9]);
    expect(policyForPlatform(merged, 'linux/amd64').maxSize).toBe(10_000_000);
    // An input that sets nothing leaves the sections alone.
    const untouched = mergePolicy(fileOnly, policyFromInputs({ 'max-size': '' }));
    expect(policyForPlatform(untouched, 'linux/arm64').maxSize).toBe(40_000_000);
  });
});

describe('combineVerdicts', () => {
  const judged = (errors: number, warnings = 0, failOn: Policy['failOn'] = 'error'): Verdict =>
    decideVerdict(
      report({
        findings: [
          ...Array.from({ length: errors }, (_, i) => finding('SG201', 'shell', 'error', `/bin/sh${i}`)),
          ...Array.from({ length: warnings }, (_, i) => finding('SG801', 'waste', 'warning', `/var/c${i}`)),
        ],
      }),
      failOn,
    );
  it.each<[string, Verdict[], string, boolean, string[]]>([
    ['no platform', [], 'pass', false, []],
    ['both pass', [judged(0), judged(0)], 'pass', false, []],
    ['one warns', [judged(0), judged(0, 1)], 'warn', false, []],
    ['only arm64 fails', [judged(0), judged(1)], 'fail', true, ['linux/arm64']],
    ['both fail', [judged(2), judged(1)], 'fail', true, ['linux/amd64', 'linux/arm64']],
    ['fails, fail-on never', [judged(1, 0, 'never'), judged(0, 0, 'never')], 'fail', false, ['linux/amd64']],
  ])('%s', (_name, verdicts, status, blocking, failing) => {
    const names = ['linux/amd64', 'linux/arm64'];
    const c = combineVerdicts(verdicts.map((verdict, i) => ({ platform: names[i] as string, verdict })));
    expect(c).toEqual({ status, blocking, failing });
  });
});

describe('the artifact of a platform: all run (comment mode reads it from a fork)', () => {
  const envelope: PrEnvelope = {
    slimgate: 1,
    pullRequest: 2,
    headSha: 'a'.repeat(40),
    commentKey: 'app all',
    failOn: 'error',
    overrideApplied: false,
    baselineLabel: 'main',
    baselineNote: '',
    showPlatform: true,
  };

  it("writes each platform's report under its own key, and reports.json and pr.json under the run's", () => {
    process.env['RUNNER_TEMP'] = mkdtempSync(path.join(tmpdir(), 'sg-platforms-'));
    const amd = report();
    const arm = { ...report(), image: { ...report().image, platform: 'linux/arm64' } };
    const files = writeRunFiles(
      'app all',
      [
        { key: 'app linux/amd64', report: amd, baseline: null },
        { key: 'app linux/arm64', report: arm, baseline: amd },
      ],
      { everyPlatform: true, pr: envelope },
    );
    const env = readEnvelope(path.join(files.dir, 'pr.json'));
    expect(env.platforms).toEqual([keySlug('app linux/amd64'), keySlug('app linux/arm64')]);
    const all = JSON.parse(readFileSync(files.report, 'utf8')) as unknown[];
    expect(all).toHaveLength(2);
    const armDir = path.join(files.dir, '..', env.platforms![1]!);
    expect(JSON.parse(readFileSync(path.join(armDir, 'report.json'), 'utf8'))).toEqual(arm);
    expect(readFileSync(path.join(armDir, 'baseline.json'), 'utf8')).toContain('linux/amd64');
  });

  it.each<[string, unknown]>([
    ['a path out of the artifact', ['../../etc']],
    ['a nested path', ['a/b']],
    ['a dot directory', ['..']],
    ['an empty list', []],
    ['not a list', 'app-linux-amd64'],
    ['a number', [1]],
  ])('refuses platforms that are %s', (_name, platforms) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sg-platforms-'));
    const file = path.join(dir, 'pr.json');
    writeFileSync(file, JSON.stringify({ ...envelope, platforms }));
    expect(() => readEnvelope(file)).toThrow(InputError);
    expect(() => readEnvelope(file)).toThrow(/"platforms" must list the platforms' directories$/);
  });
});
