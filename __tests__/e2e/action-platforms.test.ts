// End to end: the bundled action with `platform: all` against the GitHub REST double. One sticky comment with
// a row per platform and one verdict; each platform judged by its own .slimgate.yml budgets and kept as its
// own baseline on main; the fork-safe comment job posts the several reports of one run as one comment.
// dist/ must be current: `npm run bundle`.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { code, commentMarker } from '../../src/report/markdown.js';
import type { Report } from '../../src/types/report.js';
import { startGitHubApi, type GitHubApi } from '../helpers/github-api.js';
import {
  forkSafeRuns,
  runAction,
  webhookExample,
  type ActionRun,
  type RunActionOptions,
} from '../helpers/github-action.js';
import { expectInertMarkdown } from '../helpers/inert.js';
import { multiLayout } from '../helpers/platform-layouts.js';
import { daemonEnv, node24, run as runCommand, world } from '../helpers/world.js';

const REPO = 'Codertocat/Hello-World';
const PR = 2;
const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-e2e-platforms-'));
const pr = path.join(tmp, 'pr');
const main = path.join(tmp, 'main');
const amd64Only = path.join(tmp, 'amd64-only');
const IMAGE = `oci:${pr}:multi`;

// The PR: amd64 20 kB, arm64 35 kB. main: amd64 15 kB, arm64 30 kB. A PR that dropped arm64: amd64 20 kB.
beforeAll(async () => {
  await multiLayout(pr, { amd64: 20_000, arm64: 35_000 });
  await multiLayout(main, { amd64: 15_000, arm64: 30_000 });
  await multiLayout(amd64Only, { amd64: 20_000 });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TIGHT = 'max-size: 30kB\nplatforms:\n  linux/arm64:\n    max-size: 30kB\n';
const ROOMY = 'max-size: 30kB\nplatforms:\n  linux/arm64:\n    max-size: 40kB\n';

function slimgateComments(api: GitHubApi): { id: number; body: string; html_url: string }[] {
  return api.issueComments(REPO, PR).filter((c) => c.body.includes('<!-- slimgate-comment:'));
}

const rows = (body: string): string[] => body.split('\n').filter((l) => /^\| linux\//.test(l));

/** The step's failure lines: error commands without annotation properties. */
const failures = (r: ActionRun): string[] =>
  r.errors.filter((e) => !e.properties['title']).map((e) => e.message);

/** The one file of that name under dir. */
function findFile(dir: string, name: string): string {
  const found = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => path.basename(f) === name);
  expect(found).toHaveLength(1);
  return path.join(dir, found[0]!);
}

const MISSING = '> The baseline also has linux/arm64, which this image does not.';

/**
 * main has amd64 and arm64, the PR's image only amd64: the check still passes (a missing platform is no
 * verdict), and the comment (once), the summary, the `platforms` output and a warning say what is missing.
 */
function expectArm64Missing(r: ActionRun, body: string): void {
  expect(r.status, r.stdout).toBe(0);
  expect(failures(r)).toEqual([]);
  const lines = body.split('\n');
  // One platform left: the one-image layout, which names the platform and the one it lost.
  expect(lines[0]).toMatch(/^✅ \*\*20\.0 kB\*\* uncompressed \(\+5\.00 kB, \+33/);
  expect(lines[2]).toContain('linux/amd64');
  expect(lines.filter((l) => l.includes('also has'))).toEqual([MISSING]);
  expect(rows(body)).toEqual([]);
  expect(r.summary.split('\n').filter((l) => l.includes('also has'))).toEqual([MISSING]);
  expect(r.outputs['passed']).toBe('true');
  expect(JSON.parse(r.outputs['platforms']!)).toEqual({
    'linux/amd64': expect.objectContaining({ passed: true, size: 20_000, 'size-delta': 5_000 }),
    'linux/arm64': { missing: true },
  });
  expect(r.warnings.map((w) => w.message)).toContain(
    'Slimgate: the baseline also has linux/arm64, which this image does not',
  );
}

describe('the action with platform: all', () => {
  let api: GitHubApi;
  const run = (o: Omit<RunActionOptions, 'api'>): Promise<ActionRun> => runAction({ api, ...o });
  const prEvent = (): Record<string, unknown> => webhookExample('pull_request', 'opened');

  beforeEach(async () => {
    api = await startGitHubApi();
  });
  afterEach(async () => {
    await api.stop();
    expect(api.violations).toEqual([]);
  });

  // GitHub runs the action on node24; the machines have Node 20: both run the whole cycle.
  it.each([
    ['node 20', () => process.execPath],
    ['node 24', () => node24()],
  ])(
    '%s: fails when only arm64 breaches its own budget, passes when its section allows more: one comment',
    async (_name, nodeBin) => {
      const inputs = { image: IMAGE, platform: 'all', baseline: `oci:${main}:multi` };
      const node = nodeBin();
      const fail = await run({
        node,
        event: 'pull_request',
        payload: prEvent(),
        inputs,
        files: { '.slimgate.yml': TIGHT },
      });
      expect(fail.status, fail.stdout).toBe(1);
      let comments = slimgateComments(api);
      expect(comments).toHaveLength(1);
      let body = comments[0]!.body;
      expect(body.split('\n')[0]).toBe('❌ **2 platforms**: linux/arm64 fails');
      expect(rows(body)).toEqual([
        expect.stringMatching(
          /^\| linux\/amd64 \| \*\*20\.0 kB\*\* \| \+5\.00 kB \(\+33%\) \| .* \| ✅ passes · no findings \|$/,
        ),
        expect.stringMatching(
          /^\| linux\/arm64 \| \*\*35\.0 kB\*\* \| \+5\.00 kB \(\+17%\) \| .* \| ❌ fails · over size \(uncompressed\)/,
        ),
      ]);
      expect(body).toContain(commentMarker(`${IMAGE} all`));
      // The baseline has both platforms, and so does the image: nothing is said of a missing one.
      expect(body).not.toContain('The baseline also has');
      expect(fail.warnings.map((w) => w.message).join('\n')).not.toContain('also has');
      expect(body.match(/<summary>(✅|❌) linux\//g)).toEqual(['<summary>✅ linux/', '<summary>❌ linux/']);
      expectInertMarkdown(body);
      expect(fail.summary.split('\n')[0]).toBe(body.split('\n')[0]);
      expect(failures(fail)).toEqual([
        expect.stringMatching(
          /^Slimgate: the image fails the policy on linux\/arm64 \(1 error finding, max-size 35\.0 kB > 30\.0 kB\)$/,
        ),
      ]);
      // Outputs: the overall verdict, the largest platform's numbers, and one object per platform.
      expect(fail.outputs['passed']).toBe('false');
      expect(fail.outputs['size']).toBe('35000');
      expect(fail.outputs['size-delta']).toBe('5000');
      const platforms = JSON.parse(fail.outputs['platforms']!) as Record<string, Record<string, unknown>>;
      expect(platforms).toEqual({
        'linux/amd64': expect.objectContaining({ passed: true, size: 20_000, 'size-delta': 5_000 }),
        'linux/arm64': expect.objectContaining({ passed: false, size: 35_000, 'size-delta': 5_000 }),
      });
      const reports = JSON.parse(readFileSync(fail.outputs['report']!, 'utf8')) as Report[];
      expect(reports.map((r) => [r.image.platform, r.passed])).toEqual([
        ['linux/amd64', true],
        ['linux/arm64', false],
      ]);

      const pass = await run({
        node,
        event: 'pull_request',
        payload: prEvent(),
        inputs,
        files: { '.slimgate.yml': ROOMY },
      });
      expect(pass.status, pass.stdout).toBe(0);
      expect(failures(pass)).toEqual([]);
      comments = slimgateComments(api);
      expect(comments).toHaveLength(1); // updated in place
      body = comments[0]!.body;
      expect(body.split('\n')[0]).toBe('✅ **2 platforms** pass');
      expect(rows(body)[1]).toMatch(/✅ passes · no findings \|$/);
      expect(pass.outputs['passed']).toBe('true');
    },
  );

  it("one platform (platform: linux/arm64) is judged by that platform's section too", async () => {
    const inputs = { image: IMAGE, platform: 'linux/arm64', baseline: 'none' };
    const roomy = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs,
      files: { '.slimgate.yml': ROOMY },
    });
    expect(roomy.status, roomy.stdout).toBe(0);
    expect(roomy.outputs['passed']).toBe('true');
    const report = JSON.parse(readFileSync(roomy.outputs['report']!, 'utf8')) as Report;
    expect(report.budget.checks.find((c) => c.name === 'max-size')).toMatchObject({
      limit: 40_000,
      passed: true,
    });
    const tight = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs,
      files: { '.slimgate.yml': TIGHT },
    });
    expect(tight.status).toBe(1);
  });

  it("push to the default branch keeps each platform's baseline; the next PR finds both with auto", async () => {
    const push = webhookExample('push', undefined, 4);
    const rec = await run({
      event: 'push',
      payload: push,
      inputs: { image: `oci:${main}:multi`, platform: 'all', 'comment-key': 'app' },
    });
    expect(rec.status, rec.stdout).toBe(0);
    expect(rec.stdout.match(/baseline: recorded .*slimgate-baseline\/.*\.json/g)).toHaveLength(2);

    const prTemp = path.join(rec.runnerTemp, '..', 'pr-runner-temp');
    cpSync(path.join(rec.runnerTemp, 'slimgate-baseline'), path.join(prTemp, 'slimgate-baseline'), {
      recursive: true,
    });
    const r = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { image: IMAGE, platform: 'all', 'comment-key': 'app' },
      files: { '.slimgate.yml': ROOMY },
      runnerTemp: prTemp,
    });
    expect(r.status, r.stdout).toBe(0);
    const body = slimgateComments(api)[0]!.body;
    expect(body).toContain('against master (<code>saved report</code>)');
    expect(rows(body).map((l) => l.split(' | ')[2])).toEqual(['+5.00 kB (+33%)', '+5.00 kB (+17%)']);
    expect(body).toContain(commentMarker('app'));
  });

  it('fork-safe: the read-only run leaves every platform, the workflow_run job posts one comment', async () => {
    const { check, repo, comment } = await forkSafeRuns(
      api,
      run,
      {
        inputs: { image: IMAGE, platform: 'all', baseline: `oci:${main}:multi` },
        files: { '.slimgate.yml': TIGHT },
      },
      PR,
    );
    expect(check.status).toBe(1);
    expect(api.issueComments(REPO, PR)).toEqual([]);
    const post = await comment();
    expect(post.status, post.stdout).toBe(0);
    const comments = api.issueComments(repo, PR).filter((c) => c.body.includes('<!-- slimgate-comment:'));
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body.split('\n')[0]).toBe('❌ **2 platforms**: linux/arm64 fails');
    expect(rows(comments[0]!.body)).toHaveLength(2);
    expect(post.outputs['passed']).toBe('false');
  });

  it('an explicit baseline with a platform the image lacks: the comment, the summary and the outputs name it', async () => {
    const r = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { image: `oci:${amd64Only}:multi`, platform: 'all', baseline: `oci:${main}:multi` },
      files: { '.slimgate.yml': ROOMY },
    });
    const comments = slimgateComments(api);
    expect(comments).toHaveLength(1);
    expectArm64Missing(r, comments[0]!.body);
    expectInertMarkdown(comments[0]!.body);
  });

  it('a registry: the base-branch tag (auto) and an explicit baseline tag list their platforms from the index', async () => {
    const repo = `${world().registry}/slimgate-e2e/missing-${process.pid}`;
    // main's image at the base branch's tag (the example payload's base is "master"), the PR's at pr-2.
    for (const [dir, tag] of [
      [main, 'master'],
      [amd64Only, 'pr-2'],
    ] as const)
      runCommand('skopeo', [
        'copy',
        '--all',
        '--quiet',
        '--dest-tls-verify=false',
        `oci:${dir}:multi`,
        `docker://${repo}:${tag}`,
      ]);
    for (const baseline of ['auto', `docker://${repo}:master`]) {
      const r = await run({
        event: 'pull_request',
        payload: prEvent(),
        inputs: { image: `docker://${repo}:pr-2`, platform: 'all', baseline },
        files: { '.slimgate.yml': ROOMY },
      });
      const comments = slimgateComments(api);
      expect(comments).toHaveLength(1);
      expect(comments[0]!.body).toContain(`against master (${code(`docker://${repo}:master`, 120)})`);
      expectArm64Missing(r, comments[0]!.body);
    }
  });

  it('fork-safe: the workflow_run job names the missing platform as the check run found it', async () => {
    const { check, repo, comment } = await forkSafeRuns(
      api,
      run,
      {
        inputs: { image: `oci:${amd64Only}:multi`, platform: 'all', baseline: `oci:${main}:multi` },
        files: { '.slimgate.yml': ROOMY },
      },
      PR,
    );
    expect(check.status, check.stdout).toBe(0);
    expect(api.issueComments(REPO, PR)).toEqual([]);
    const post = await comment();
    expect(post.status, post.stdout).toBe(0);
    const comments = api.issueComments(repo, PR).filter((c) => c.body.includes('<!-- slimgate-comment:'));
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body.split('\n').filter((l) => l.includes('also has'))).toEqual([MISSING]);
    expect(JSON.parse(post.outputs['platforms']!)).toMatchObject({ 'linux/arm64': { missing: true } });

    // The artifact is the PR's output: a pr.json whose list is not one of platforms is refused in one line.
    const envelope = findFile(path.join(check.runnerTemp, 'slimgate'), 'pr.json');
    const doc = JSON.parse(readFileSync(envelope, 'utf8')) as Record<string, unknown>;
    expect(doc['missingPlatforms']).toEqual(['linux/arm64']);
    writeFileSync(envelope, JSON.stringify({ ...doc, missingPlatforms: ['[x](https://evil.example)'] }));
    const hostile = await comment();
    expect(hostile.status).toBe(1);
    expect(failures(hostile)).toEqual([
      `${envelope}: "missingPlatforms" must list platforms (os/arch[/variant])`,
    ]);
    expect(api.issueComments(repo, PR).map((c) => c.body)).toEqual(comments.map((c) => c.body));
  });

  it('build mode: platforms linux/amd64,linux/arm64 with platform: all checks both (containerd store, buildx)', async () => {
    const env = daemonEnv('containerd');
    const r = await run({
      event: 'pull_request',
      payload: prEvent(),
      env: { DOCKER_HOST: env['DOCKER_HOST']! },
      files: {
        'app/Dockerfile':
          'FROM scratch AS base-amd64\nCOPY amd64.bin /amd64.bin\nFROM scratch AS base-arm64\nCOPY arm64.bin /arm64.bin\n' +
          'FROM base-${TARGETARCH}\nCOPY common.txt /common.txt\nUSER 1000\n',
        'app/amd64.bin': 'a'.repeat(1000),
        'app/arm64.bin': 'b'.repeat(2000),
        'app/common.txt': 'in every platform\n',
        // The image has no command: budgets alone decide.
        '.slimgate.yml':
          'rules: { entrypoint: off }\nmax-size: 1500\nplatforms:\n  linux/arm64: { max-size: 1500 }\n',
      },
      inputs: { context: 'app', platforms: 'linux/amd64,linux/arm64', platform: 'all', baseline: 'none' },
    });
    expect(r.status, r.stdout).toBe(1);
    const body = slimgateComments(api)[0]!.body;
    expect(body.split('\n')[0]).toBe('❌ **2 platforms**: linux/arm64 fails');
    expect(rows(body).map((l) => l.split(' | ').slice(0, 2))).toEqual([
      ['| linux/amd64', '**1.02 kB**'],
      ['| linux/arm64', '**2.02 kB**'],
    ]);
    expect(JSON.parse(r.outputs['platforms']!)).toEqual({
      'linux/amd64': expect.objectContaining({ passed: true, size: 1018 }),
      'linux/arm64': expect.objectContaining({ passed: false, size: 2018 }),
    });
  });
});
