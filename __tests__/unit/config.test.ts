// .slimgate.yml (schema-validated, clear one-line errors), string inputs (the action's and the CLI's, with
// errors naming the input), and their layering: defaults < file < inputs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/analysis/policy.js';
import { parseConfig } from '../../src/config/file.js';
import { policyRecordFromFlags } from '../../src/cli/policy-flags.js';
import { flagLabel, policyFromInputs, resolvePolicy, splitGlobs } from '../../src/config/resolve.js';
import { mergePolicy } from '../../src/config/merge.js';
import { InputError } from '../../src/util/errors.js';

const FULL = `# every setting
max-size: 25MB
max-compressed-size: 10MiB
max-layers: 12
max-wasted: 1000000
max-growth: 10%
allowed-bases: [scratch, distroless, "gcr.io/acme/*"]
fail-on: warning
rules:
  coreutils: off
  SG320: error
  SG202: false
  waste: { severity: info }
  SG501:
    ignore-paths: [/srv/test-certs/**]
ignore-paths:
  - /usr/share/zoneinfo/**
  - env:HARMLESS_*
`;

describe('parseConfig', () => {
  it('reads every setting', () => {
    expect(parseConfig(FULL, '.slimgate.yml')).toEqual({
      maxSize: 25_000_000,
      maxCompressedSize: 10_485_760,
      maxLayers: 12,
      maxWasted: 1_000_000,
      maxGrowth: { percent: 10 },
      allowedBases: ['scratch', 'distroless', 'gcr.io/acme/*'],
      failOn: 'warning',
      rules: {
        coreutils: { enabled: false },
        SG320: { severity: 'error' },
        SG202: { enabled: false },
        waste: { severity: 'info' },
        SG501: { ignorePaths: ['/srv/test-certs/**'] },
      },
      ignorePaths: ['/usr/share/zoneinfo/**', 'env:HARMLESS_*'],
    });
  });

  it('accepts an empty file and comma strings for lists', () => {
    expect(parseConfig('', 'c.yml')).toEqual({});
    expect(parseConfig('# nothing\n', 'c.yml')).toEqual({});
    expect(parseConfig('allowed-bases: scratch, distroless\n', 'c.yml')).toEqual({
      allowedBases: ['scratch', 'distroless'],
    });
  });

  it.each([
    ['max-size: [1\nfail-on: x', /^c\.yml:\d+:\d+: not valid YAML: /],
    ['- a\n- b\n', /^c\.yml: expected a map of settings/],
    ['max-sise: 1MB\n', /^c\.yml: unknown key "max-sise" \(known: max-size, /],
    [
      'fail-on: sometimes\n',
      /^c\.yml: fail-on: "sometimes" must be error, warning, new-error \(.*\) or never$/,
    ],
    ['preset: lenient\n', /^c\.yml: preset: "lenient" must be budgets-only \(.*\) or default$/],
    ['max-size: 25 MBs\n', /^c\.yml: max-size: "25 MBs" is not a size/],
    ['max-layers: many\n', /^c\.yml: max-layers: "many" is not a whole number/],
    ['max-growth: lots\n', /^c\.yml: max-growth: "lots" is not a growth limit/],
    ['rules:\n  SG999: off\n', /^c\.yml: rules\.SG999: "SG999" is not a rule id/],
    [
      'rules:\n  shells: off\n',
      /^c\.yml: rules\.shells: "shells" is not a rule id \(e\.g\. SG201\) or a category/,
    ],
    ['rules:\n  SG201: loud\n', /^c\.yml: rules\.SG201: must be one of off, on, error, warning, info$/],
    ['rules:\n  SG201: { level: error }\n', /^c\.yml: rules\.SG201: unknown key "level"$/],
    ['max-size: -5\n', /^c\.yml: max-size: /],
  ])('%j → a one-line error naming the file and key', (text, want) => {
    let err: unknown;
    try {
      parseConfig(text, 'c.yml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(want);
    expect((err as Error).message).not.toContain('\n');
  });
});

describe('policyFromInputs', () => {
  it('reads the action inputs; empty strings are unset', () => {
    expect(
      policyFromInputs({
        'max-size': '25MB',
        'max-compressed-size': '',
        'max-layers': '8',
        'max-wasted': '5MiB',
        'max-growth': '2MB',
        'allowed-bases': 'scratch,\ndistroless',
        'fail-on': 'never',
        'disable-rules': 'SG220, coreutils',
        'rule-severity': 'sg320=error\nwaste=info',
        'ignore-paths': '/a/**,/b/{x,y}/**\n/c',
      }),
    ).toEqual({
      maxSize: 25_000_000,
      maxLayers: 8,
      maxWasted: 5_242_880,
      maxGrowth: { bytes: 2_000_000 },
      allowedBases: ['scratch', 'distroless'],
      failOn: 'never',
      ignorePaths: ['/a/**', '/b/{x,y}/**', '/c'],
      rules: {
        SG220: { enabled: false },
        coreutils: { enabled: false },
        SG320: { severity: 'error' },
        waste: { severity: 'info' },
      },
    });
  });

  it.each([
    [{ 'max-size': '25 megs' }, /^input "max-size": "25 megs" is not a size/],
    [
      { 'fail-on': 'errors' },
      /^input "fail-on": "errors" must be error, warning, new-error \(.*\) or never$/,
    ],
    [{ 'disable-rules': 'SG2O1' }, /^input "disable-rules": "SG2O1" is not a rule id/],
    [{ 'rule-severity': 'SG201' }, /^input "rule-severity": "SG201" must be RULE=LEVEL/],
    [{ 'rule-severity': 'SG201=fatal' }, /^input "rule-severity": "fatal" must be error, warning or info$/],
    [{ 'max-growth': '10 percent' }, /^input "max-growth": /],
  ])('%j → an InputError naming the input', (record, want) => {
    expect(() => policyFromInputs(record)).toThrow(InputError);
    expect(() => policyFromInputs(record)).toThrow(want);
  });

  it('names CLI flags as flags', () => {
    expect(() => policyFromInputs({ 'max-size': 'x' }, flagLabel)).toThrow(/^--max-size: /);
    expect(() => policyFromInputs(policyRecordFromFlags({ disable: ['nope'] }), flagLabel)).toThrow(
      /^--disable: "nope"/,
    );
    expect(() => policyFromInputs(policyRecordFromFlags({ severity: ['x'] }), flagLabel)).toThrow(
      /^--severity: /,
    );
  });

  it('splits globs at newlines and commas outside braces', () => {
    expect(splitGlobs('/a/{b,c}/**, /d\n\n/e')).toEqual(['/a/{b,c}/**', '/d', '/e']);
  });
});

describe('mergePolicy', () => {
  it('starts from the defaults', () => {
    expect(mergePolicy()).toEqual(DEFAULT_POLICY);
    expect(DEFAULT_POLICY.allowedBases).toEqual(['scratch', 'distroless']);
    expect(DEFAULT_POLICY.failOn).toBe('error');
  });

  it('inputs override the file; rule overrides merge per field; ignore-paths add up', () => {
    const file = parseConfig(FULL, 'f');
    const inputs = policyFromInputs({
      'max-size': '30MB',
      'fail-on': 'error',
      'rule-severity': 'coreutils=warning',
      'ignore-paths': '/tmp/**',
      'allowed-bases': 'scratch',
    });
    const p = mergePolicy(file, inputs);
    expect(p.maxSize).toBe(30_000_000);
    expect(p.maxLayers).toBe(12);
    expect(p.failOn).toBe('error');
    expect(p.allowedBases).toEqual(['scratch']);
    expect(p.rules['coreutils']).toEqual({ enabled: false, severity: 'warning' });
    expect(p.ignorePaths).toEqual(['/usr/share/zoneinfo/**', 'env:HARMLESS_*', '/tmp/**']);
  });
});

describe('resolvePolicy', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'slimgate-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses .slimgate.yml in the working directory when no config is named', async () => {
    writeFileSync(path.join(dir, '.slimgate.yml'), 'max-size: 1MB\nfail-on: warning\n');
    const p = await resolvePolicy({ 'fail-on': 'never' }, { cwd: dir });
    expect(p.maxSize).toBe(1_000_000);
    expect(p.failOn).toBe('never');
  });

  it('reads the named config file, relative to the working directory', async () => {
    writeFileSync(path.join(dir, 'other.yml'), 'max-layers: 3\n');
    expect((await resolvePolicy({ config: 'other.yml' }, { cwd: dir })).maxLayers).toBe(3);
  });

  it('a named config that does not exist, or is invalid, is an InputError naming it', async () => {
    await expect(resolvePolicy({ config: 'missing.yml' }, { cwd: dir })).rejects.toThrow(
      'input "config": missing.yml does not exist',
    );
    writeFileSync(path.join(dir, 'bad.yml'), 'fail-on: maybe\n');
    await expect(resolvePolicy({ config: 'bad.yml' }, { cwd: dir })).rejects.toThrow(
      /bad\.yml: fail-on: "maybe" must be error, warning, new-error/,
    );
  });

  it('without any file, the defaults and the inputs', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'slimgate-config-'));
    try {
      expect(await resolvePolicy({}, { cwd: empty })).toEqual(DEFAULT_POLICY);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
