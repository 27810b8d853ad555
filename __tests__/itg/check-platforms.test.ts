// `check --platform all`: every platform of an index against its own budgets (.slimgate.yml `platforms:`),
// each diffed against the same platform of the baseline, one verdict. Real inputs: an OCI layout with an
// index of two platforms (checked against umoci), and a multi-platform buildx build on the containerd store.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEvery, checkImage } from '../helpers/check.js';
import { parseConfig } from '../../src/config/file.js';
import { mergePolicy } from '../../src/config/merge.js';
import type { ManifestCheck, Report } from '../../src/types/report.js';
import { cli, stderrLines } from '../helpers/cli.js';
import { fromOracle, fromReport, umociUnpack } from '../helpers/oracle.js';
import { multiLayout } from '../helpers/platform-layouts.js';
import { multitoolValidate } from '../helpers/sarif-multitool.js';
import { buildxLoadBoth, platformContext } from '../helpers/buildx.js';
import { daemonEnv, run } from '../helpers/world.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-platforms-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function config(dir: string, name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

const rowsOf = (md: string): string[] => md.split('\n').filter((l) => /^\| linux\//.test(l));

describe('check --platform all on an OCI layout with two platforms', () => {
  const pr = path.join(tmp, 'pr');
  const main = path.join(tmp, 'main');
  const single = path.join(tmp, 'single');
  // amd64 20 kB; arm64 35 kB. main: amd64 15 kB, s390x 10 kB (no arm64).
  beforeAll(async () => {
    await multiLayout(pr, { amd64: 20_000, arm64: 35_000 });
    await multiLayout(main, { amd64: 15_000, s390x: 10_000 });
    await multiLayout(single, { arm64: 35_000 });
  });

  it('reads each platform as umoci unpacks it', async () => {
    const { platforms } = await checkEvery(`oci:${pr}:multi`, { cache: false });
    expect(platforms.map((p) => p.report.image.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    for (const [i, ref] of ['amd64', 'arm64'].entries()) {
      const u = umociUnpack(pr, ref);
      try {
        expect(fromReport(platforms[i]!.report.files)).toEqual(fromOracle(u.records));
      } finally {
        u.remove();
      }
    }
  });

  it('judges each platform by its own budgets, against the same platform of the baseline', async () => {
    const policy = mergePolicy(
      parseConfig('max-size: 30kB\nplatforms:\n  linux/arm64: { max-size: 40kB }\n', 'f'),
    );
    const r = await checkEvery(`oci:${pr}:multi`, { cache: false, policy, baseline: `oci:${main}:multi` });
    const [amd, arm] = r.platforms;
    expect(amd?.report.budget.checks.find((c) => c.name === 'max-size')).toMatchObject({
      limit: 30_000,
      actual: 20_000,
      passed: true,
    });
    expect(arm?.report.budget.checks.find((c) => c.name === 'max-size')).toMatchObject({
      limit: 40_000,
      actual: 35_000,
      passed: true,
    });
    expect(amd?.baseline?.image.platform).toBe('linux/amd64');
    expect(amd?.baseline?.size.uncompressed).toBe(15_000);
    expect(arm?.baseline).toBeNull();
    expect(arm?.baselineNote).toMatch(/^linux\/arm64 is new: the baseline .* has no such platform$/);
    expect(r.missing).toEqual(['linux/s390x']);
  });

  it('an image left with one platform still names every platform the baseline has and it lost', async () => {
    const r = await checkEvery(`oci:${single}:multi`, { cache: false, baseline: `oci:${main}:multi` });
    expect(r.platforms.map((p) => p.report.image.platform)).toEqual(['linux/arm64']);
    expect(r.platforms[0]?.baseline).toBeNull();
    expect(r.missing).toEqual(['linux/amd64', 'linux/s390x']);
  });

  it('one platform asked for that the baseline lacks is an error naming the baseline', async () => {
    const err = await checkImage(`oci:${single}:multi`, {
      cache: false,
      baseline: `oci:${main}:multi`,
    }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/baseline oci:.*main:multi/);
  });

  it('the CLI fails when only arm64 breaches its own budget, and passes when its section allows more', () => {
    const tight = config(tmp, 'tight.yml', 'max-size: 30kB\nplatforms:\n  linux/arm64: { max-size: 30kB }\n');
    const roomy = config(tmp, 'roomy.yml', 'max-size: 30kB\nplatforms:\n  linux/arm64: { max-size: 40kB }\n');
    const fail = cli(['check', `oci:${pr}:multi`, '--platform', 'all', '--config', tight]);
    expect(fail.status, fail.stderr).toBe(1);
    const lines = fail.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => /^(PASSED|FAILED) {2}oci:/.test(l))).toEqual([
      expect.stringMatching(/^PASSED {2}oci:.* \(linux\/amd64\)/),
      expect.stringMatching(/^FAILED {2}oci:.* \(linux\/arm64\)/),
    ]);
    expect(lines.at(-1)).toBe('FAILED  2 platforms: linux/arm64 failed');
    const pass = cli(['check', `oci:${pr}:multi`, '--platform', 'all', '--config', roomy]);
    expect(pass.status, pass.stderr).toBe(0);
    expect(pass.stdout.trimEnd().split('\n').at(-1)).toBe('PASSED  2 platforms: every platform passed');
    // An explicit flag beats the file on every platform, its section included.
    const flag = cli([
      'check',
      `oci:${pr}:multi`,
      '--platform',
      'all',
      '--config',
      roomy,
      '--max-size',
      '30kB',
    ]);
    expect(flag.status, flag.stderr).toBe(1);
  });

  it('--json prints an array of reports, each passed on its own; --markdown one row per platform', () => {
    const tight = config(tmp, 'tight2.yml', 'platforms:\n  linux/arm64: { max-size: 30kB }\n');
    const j = cli(['check', `oci:${pr}:multi`, '--platform', 'all', '--config', tight, '--json']);
    expect(j.status, j.stderr).toBe(1);
    const doc = JSON.parse(j.stdout) as Report[];
    expect(doc.map((r) => [r.image.platform, r.passed])).toEqual([
      ['linux/amd64', true],
      ['linux/arm64', false],
    ]);
    const m = cli([
      'check',
      `oci:${pr}:multi`,
      '--platform',
      'all',
      '--config',
      tight,
      '--baseline',
      `oci:${main}:multi`,
      '--markdown',
    ]);
    expect(m.status, m.stderr).toBe(1);
    expect(m.stdout.split('\n')[0]).toBe('❌ **2 platforms**: linux/arm64 fails');
    const rows = rowsOf(m.stdout);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^\| linux\/amd64 \| \*\*20\.0 kB\*\* \| \+5\.00 kB \(\+33%\) \|/);
    expect(rows[1]).toMatch(/^\| linux\/arm64 \| \*\*35\.0 kB\*\* \| no baseline \|.*❌ fails/);
    expect(m.stdout).toContain('The baseline also has linux/s390x, which this image does not.');
  });

  it('--sarif writes one log with a run per platform, each result naming its platform, valid for GitHub', () => {
    const tight = config(tmp, 'tight3.yml', 'platforms:\n  linux/arm64: { max-size: 30kB }\n');
    const file = path.join(tmp, 'all.sarif');
    const c = cli(['check', `oci:${pr}:multi`, '--platform', 'all', '--config', tight, '--sarif', file]);
    expect(c.status, c.stderr).toBe(1);
    const log = JSON.parse(readFileSync(file, 'utf8')) as {
      runs: {
        automationDetails: { id: string };
        properties: { platform: string };
        results: { ruleId: string; properties?: { platform?: string } }[];
      }[];
    };
    expect(log.runs.map((r) => r.properties.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(new Set(log.runs.map((r) => r.automationDetails.id)).size).toBe(2);
    const arm = log.runs[1]!;
    expect(arm.results.map((r) => r.ruleId)).toContain('SG101');
    for (const run of log.runs)
      for (const r of run.results) expect(r.properties?.platform).toBe(run.properties.platform);
    expect(multitoolValidate([file], 'Gh').get(file)).toEqual([]);
  });

  it('--manifest-only --platform all: each platform against its own compressed budget, one line each', () => {
    const arm = JSON.parse(
      cli(['check', `oci:${pr}:arm64`, '--manifest-only', '--max-layers', '5', '--json']).stdout,
    ) as ManifestCheck;
    const limit = arm.summary.compressedSize - 1;
    const cfg = config(
      tmp,
      'compressed.yml',
      `max-compressed-size: 1MB\nplatforms:\n  linux/arm64: { max-compressed-size: ${limit} }\n`,
    );
    const c = cli(['check', `oci:${pr}:multi`, '--platform', 'all', '--manifest-only', '--config', cfg]);
    expect(c.status, c.stderr).toBe(1);
    const heads = c.stdout.split('\n').filter((l) => /^(PASSED|FAILED) /.test(l));
    expect(heads).toEqual([
      expect.stringMatching(/^PASSED {2}oci:.*\(linux\/amd64\) · .* from the manifests alone/),
      expect.stringMatching(/^FAILED {2}oci:.*\(linux\/arm64\) · .* from the manifests alone/),
      'FAILED  2 platforms: linux/arm64 failed',
    ]);
    const j = cli([
      'check',
      `oci:${pr}:multi`,
      '--platform',
      'all',
      '--manifest-only',
      '--config',
      cfg,
      '--json',
    ]);
    expect((JSON.parse(j.stdout) as ManifestCheck[]).map((m) => m.passed)).toEqual([true, false]);
  });

  it('an image with one platform works with --platform all, as the single check does', () => {
    const cfg = config(tmp, 'one.yml', 'platforms:\n  linux/arm64: { max-size: 30kB }\n');
    const all = cli(['check', `oci:${single}:multi`, '--platform', 'all', '--config', cfg, '--json']);
    const one = cli(['check', `oci:${single}:multi`, '--config', cfg, '--json']);
    expect([all.status, one.status]).toEqual([1, 1]);
    const [a] = JSON.parse(all.stdout) as Report[];
    const o = JSON.parse(one.stdout) as Report;
    expect(a).toEqual(o);
    expect(o.budget.checks).toEqual([
      expect.objectContaining({ name: 'max-size', limit: 30_000, passed: false }),
    ]);
  });

  it('--fix-dockerfile with all, and a bad platforms: section, are one line and exit 2', () => {
    const df = config(tmp, 'Dockerfile', 'FROM scratch\nCOPY app /app\n');
    const fix = cli([
      'check',
      `oci:${pr}:multi`,
      '--platform',
      'all',
      '--dockerfile',
      df,
      '--fix-dockerfile',
    ]);
    expect(fix.status).toBe(2);
    expect(stderrLines(fix)).toEqual([
      'slimgate: --fix-dockerfile fixes the Dockerfile for one platform: choose it with --platform os/arch',
    ]);
    const bad = config(tmp, 'bad.yml', 'platforms:\n  arm64: { max-size: 1MB }\n');
    const c = cli(['check', `oci:${pr}:multi`, '--platform', 'all', '--config', bad]);
    expect(c.status).toBe(2);
    expect(stderrLines(c)).toEqual([
      `slimgate: ${bad}: platforms.arm64: "arm64" is not a platform; write os/arch[/variant], e.g. linux/arm64`,
    ]);
  });
});

/** The image has files, no command: the entrypoint rules are off, so that budgets alone decide. */
const NO_CMD = 'rules: { entrypoint: off }\n';

describe('check --platform all on a multi-platform buildx image in the containerd store', () => {
  const env = daemonEnv('containerd');
  const tag = `sg-platforms-${process.pid}:1`;
  beforeAll(() => {
    buildxLoadBoth(platformContext(path.join(tmp, 'ctx')), tag, env);
  });
  afterAll(() => {
    run('docker', ['rmi', '--force', tag], { env, allowFailure: true });
  });

  it('docker-daemon: checks both platforms, arm64 against its own budget', () => {
    const cfg = config(
      tmp,
      'daemon.yml',
      `${NO_CMD}max-size: 1500\nplatforms:\n  linux/arm64: { max-size: 1500 }\n`,
    );
    const runCli = (args: string[]) =>
      run(process.execPath, [path.join(process.cwd(), 'dist', 'cli.js'), ...args], {
        env: { ...process.env, ...env },
        allowFailure: true,
        timeout: 120_000,
      });
    const fail = runCli(['check', `docker-daemon:${tag}`, '--platform', 'all', '--config', cfg, '--json']);
    expect(fail.status, fail.stderr).toBe(1);
    const doc = JSON.parse(fail.stdout) as Report[];
    expect(doc.map((r) => [r.image.platform, r.size.uncompressed, r.passed])).toEqual([
      ['linux/amd64', 1018, true],
      ['linux/arm64', 2018, false],
    ]);
    const roomy = config(
      tmp,
      'daemon2.yml',
      `${NO_CMD}max-size: 1500\nplatforms:\n  linux/arm64: { max-size: 2500 }\n`,
    );
    const pass = runCli(['check', `docker-daemon:${tag}`, '--platform', 'all', '--config', roomy]);
    expect(pass.status, pass.stderr).toBe(0);
    expect(pass.stdout.trimEnd().split('\n').at(-1)).toBe('PASSED  2 platforms: every platform passed');
  });
});
