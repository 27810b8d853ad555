// End to end: the action under the runner's own failures, which every busy repository meets. The bundled
// action (dist/index.js) runs under Node 20 and Node 24 against the GitHub REST double (with injected
// faults: 5xx, secondary rate limits, a comment deleted mid-run, a listing that never answers) and the
// Actions cache double (a failing, corrupt or conflicting cache). The verdict must depend only on the image
// and the policy; each problem is one line; the job summary is always written.
// dist/ must be current: `npm run bundle`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keySlug } from '../../src/github/baseline.js';
import { startCacheService, type CacheService, type Scopes } from '../helpers/cache-service.js';
import { startGitHubApi, type GitHubApi } from '../helpers/github-api.js';
import {
  runAction,
  webhookExample,
  type ActionRun,
  type RunActionOptions,
} from '../helpers/github-action.js';
import { makeBusyboxRootfs } from '../helpers/images.js';
import { docker, node24, repoRoot, run as runCommand, world } from '../helpers/world.js';

const HELLO = path.join(repoRoot, 'examples', 'hello-scratch.tar');
const BUSYBOX = path.join(repoRoot, 'examples', 'busybox-os.tar');
const REPO = 'Codertocat/Hello-World';
const PR = 2;

const nodes: [string, () => string][] = [
  ['node 20', () => process.execPath],
  ['node 24', () => node24()],
];

function slimgateComments(api: GitHubApi): { id: number; body: string }[] {
  return api.issueComments(REPO, PR).filter((c) => c.body.includes('<!-- slimgate-comment:'));
}

function expectNoStack(r: ActionRun): void {
  expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

/** The step's failure lines: error commands without annotation properties. */
const failures = (r: ActionRun): string[] =>
  r.errors.filter((e) => !e.properties['title']).map((e) => e.message);

/** Warnings that are not findings' annotations (those carry a title). */
const warnings = (r: ActionRun): string[] =>
  r.warnings.filter((w) => !w.properties['title']).map((w) => w.message);

/** A passing image (fail-on error) and a failing one: the verdict each must keep whatever GitHub does. */
const PASSING = { image: `docker-archive:${HELLO}`, baseline: 'none' };
const FAILING = { image: `oci-archive:${BUSYBOX}`, baseline: 'none' };

describe.each(nodes)('GitHub faults under %s', (_name, nodeBin) => {
  let api: GitHubApi;
  const run = (o: Partial<Omit<RunActionOptions, 'api' | 'node'>> = {}): Promise<ActionRun> =>
    runAction({
      node: nodeBin(),
      api,
      event: 'pull_request',
      payload: webhookExample('pull_request', 'opened'),
      inputs: PASSING,
      ...o,
      env: { SLIMGATE_GITHUB_TIMEOUT: '4', ...o.env },
    });

  beforeEach(async () => {
    api = await startGitHubApi();
  });
  afterEach(async () => {
    await api.stop();
    expect(api.violations).toEqual([]);
  });

  it('the verdict is the image’s when every comment call fails: one warning, the summary written', async () => {
    api.inject('issues/create-comment', { status: 500 }, Infinity);
    for (const [inputs, status, passed] of [
      [PASSING, 0, 'true'],
      [FAILING, 1, 'false'],
    ] as const) {
      const r = await run({ inputs });
      expect(r.status, r.stdout).toBe(status);
      expectNoStack(r);
      expect(r.outputs['passed']).toBe(passed);
      expect(r.summary).toContain('Slimgate');
      expect(r.summary).toContain('The PR comment could not be posted');
      expect(warnings(r).filter((w) => /could not post the PR comment/.test(w))).toHaveLength(1);
      expect(slimgateComments(api)).toHaveLength(0);
    }
  });

  it('a secondary rate limit (403 with retry-after) and a 502 are waited out: one comment, no warning', async () => {
    api.inject('issues/create-comment', {
      status: 403,
      headers: { 'retry-after': '1' },
      message: 'You have exceeded a secondary rate limit',
    });
    const first = await run();
    expect(first.status, first.stdout).toBe(0);
    expect(warnings(first)).toEqual([]);
    expect(slimgateComments(api)).toHaveLength(1);
    const posts = api.requests.filter((q) => q.operation === 'issues/create-comment');
    expect(posts.map((q) => q.status)).toEqual([403, 201]);

    api.inject('issues/update-comment', { status: 502 });
    // Another body for the same image, so that the comment is updated rather than left as it is.
    const second = await run({ inputs: { ...PASSING, 'max-size': '50MB' } });
    expect(second.status, second.stdout).toBe(0);
    expect(warnings(second)).toEqual([]);
    expect(slimgateComments(api)).toHaveLength(1);
    expect(api.requests.filter((q) => q.operation === 'issues/update-comment').map((q) => q.status)).toEqual([
      502, 200,
    ]);
  });

  it('a comment deleted between the listing and the update is created again: still one', async () => {
    expect((await run()).status).toBe(0);
    const [c] = slimgateComments(api);
    api.inject('issues/update-comment', {
      before: () => api.issueComments(REPO, PR).splice(0),
    });
    // Another body for the same image, so that the comment is updated rather than left as it is.
    const r = await run({ inputs: { ...PASSING, 'max-size': '50MB' } });
    expect(r.status, r.stdout).toBe(0);
    expect(warnings(r)).toEqual([]);
    const now = slimgateComments(api);
    expect(now).toHaveLength(1);
    expect(now[0]!.id).not.toBe(c!.id);
  });

  it('two runs for the same PR that start together leave one comment', async () => {
    // Both list before either creates (the listing answers slowly), so both create one.
    api.inject('issues/list-comments', { holdMs: 2500 }, 2);
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.status, a.stdout).toBe(0);
    expect(b.status, b.stdout).toBe(0);
    expect(api.requests.filter((q) => q.operation === 'issues/create-comment')).toHaveLength(2);
    expect(slimgateComments(api)).toHaveLength(1);
    expect([...warnings(a), ...warnings(b)]).toEqual([]);
  });

  it.each([
    ['never answers', { hang: true }],
    ['always fails', { status: 503 }],
  ])('a listing that %s ends in bounded time with a warning, and the verdict stands', async (_n, fault) => {
    api.inject('issues/list-comments', fault, Infinity);
    const t0 = Date.now();
    const r = await run({ env: { SLIMGATE_GITHUB_TIMEOUT: '3' } });
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(r.status, r.stdout).toBe(0);
    expectNoStack(r);
    expect(r.outputs['passed']).toBe('true');
    expect(warnings(r).filter((w) => /could not post the PR comment/.test(w))).toHaveLength(1);
    expect(r.summary).toContain('The PR comment could not be posted');
  });

  it('a malformed event payload is one line', async () => {
    const r = await run({ rawPayload: '{"pull_request": {"number": 2,' });
    expect(r.status).toBe(1);
    expectNoStack(r);
    expect(failures(r)).toEqual([
      expect.stringMatching(/^the event payload \/.*event\.json is not readable JSON: /),
    ]);
  });

  it('an unwritable GITHUB_OUTPUT is one line, after the summary is written', async () => {
    const r = await run({ env: { GITHUB_OUTPUT: '/nonexistent-dir/github-output' } });
    expect(r.status).toBe(1);
    expectNoStack(r);
    expect(failures(r)).toEqual([
      "cannot write the step's outputs to /nonexistent-dir/github-output: no such file",
    ]);
    expect(r.summary).toContain('Slimgate');
  });

  it('a full RUNNER_TEMP is one line, after the comment and the summary', async () => {
    const temp = mkdtempSync(path.join(tmpdir(), 'slimgate-full-'));
    runCommand('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', temp]);
    try {
      // Filled to the last byte, as a runner whose disk ran out.
      runCommand('dd', ['if=/dev/zero', `of=${path.join(temp, 'filler')}`, 'bs=4k'], { allowFailure: true });
      const r = await run({ runnerTemp: temp });
      expect(r.status).toBe(1);
      expectNoStack(r);
      expect(failures(r)).toEqual([
        expect.stringMatching(/^cannot write .*report\.json: no space left on the device$/),
      ]);
      expect(r.summary).toContain('Slimgate');
      expect(slimgateComments(api)).toHaveLength(1);
    } finally {
      runCommand('umount', [temp]);
      rmSync(temp, { recursive: true, force: true });
    }
  });
});

describe.each(nodes)('Actions cache faults under %s', (_name, nodeBin) => {
  let api: GitHubApi;
  let svc: CacheService;
  let root: string;
  let runnerTemp: string;
  const MAIN: Scopes = { write: 'refs/heads/master' };
  const PR_SCOPE: Scopes = { write: 'refs/pull/2/merge', read: ['refs/heads/master'] };
  const SHA = '1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

  beforeEach(async () => {
    api = await startGitHubApi();
    svc = await startCacheService();
    root = mkdtempSync(path.join(tmpdir(), 'slimgate-faults-'));
    runnerTemp = path.join(root, 'runner-temp');
  });
  afterEach(async () => {
    await api.stop();
    await svc.stop();
    rmSync(root, { recursive: true, force: true });
    expect(api.violations).toEqual([]);
  });

  const push = (): Promise<ActionRun> => {
    rmSync(runnerTemp, { recursive: true, force: true });
    const payload = webhookExample('push', undefined, 4);
    payload['after'] = SHA;
    return runAction({
      node: nodeBin(),
      api,
      event: 'push',
      payload,
      runnerTemp,
      inputs: { image: `docker-archive:${HELLO}`, 'comment-key': 'app' },
      env: { ...svc.env(MAIN), GITHUB_SHA: SHA },
    });
  };
  const pullRequest = (before?: () => void): Promise<ActionRun> => {
    rmSync(runnerTemp, { recursive: true, force: true });
    before?.();
    return runAction({
      node: nodeBin(),
      api,
      event: 'pull_request',
      payload: webhookExample('pull_request', 'opened'),
      runnerTemp,
      inputs: { image: `docker-archive:${HELLO}`, 'comment-key': 'app', 'max-growth': '1%' },
      env: svc.env(PR_SCOPE),
    });
  };

  it('a corrupt or truncated entry: a warning, no baseline, and the verdict of the image', async () => {
    expect((await push()).status).toBe(0);
    const entry = svc.entries.find((e) => e.key.startsWith('slimgate-report-'));
    expect(entry?.data?.length).toBeGreaterThan(0);
    for (const broken of [
      entry!.data!.subarray(0, entry!.data!.length >> 1),
      Buffer.from('not an archive'),
    ]) {
      entry!.data = broken;
      const r = await pullRequest();
      expect(r.status, r.stdout).toBe(0);
      expectNoStack(r);
      expect(r.outputs['passed']).toBe('true');
      expect(r.summary).toContain('Slimgate');
      expect(r.outputs['size-delta']).toBe('');
    }
  });

  it('a restored report that does not read: a warning, never a failed check', async () => {
    expect((await push()).status).toBe(0);
    // What a cache restore left half-written: the file is there, and is not a report.
    const r = await pullRequest(() => {
      const dir = path.join(runnerTemp, 'slimgate-baseline');
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${keySlug('app')}.json`), '{"schemaVersion": 1, "image": ');
    });
    expect(r.status, r.stdout).toBe(0);
    expectNoStack(r);
    expect(warnings(r).filter((w) => /main's saved report is unusable/.test(w))).toHaveLength(1);
    expect(r.outputs['passed']).toBe('true');
    // The comment says main's report could not be read, and why; not that a baseline needs setting up.
    expect(r.summary).toContain("main's saved report, which could not be read (");
    expect(r.summary).not.toContain('Set up a baseline');
  });

  it('a save that conflicts with an existing entry: an info line, the same verdict', async () => {
    expect((await push()).status).toBe(0);
    const again = await push();
    expect(again.status, again.stdout).toBe(0);
    expectNoStack(again);
    expect(again.stdout).toMatch(/cache: main's report not saved under slimgate-report-v1-/);
    expect(warnings(again)).toEqual([]);
    expect(svc.entries.filter((e) => e.key.startsWith('slimgate-report-'))).toHaveLength(1);
  });
});

describe('a cancelled job', () => {
  let api: GitHubApi;
  const TAG = `slimgate-cancel:${process.pid}`;
  const BASE = `slimgate-cancel-base:${process.pid}`;

  beforeAll(() => {
    // A busybox base, so that a build can have a RUN step that takes a while.
    const rootfs = mkdtempSync(path.join(tmpdir(), 'slimgate-bb-'));
    try {
      makeBusyboxRootfs(rootfs);
      const tarball = runCommand('tar', ['-C', rootfs, '--numeric-owner', '-c', '.']).stdoutBuffer;
      docker(['import', '-', BASE], { input: tarball, timeout: 120_000 });
    } finally {
      rmSync(rootfs, { recursive: true, force: true });
    }
    // A large image in the engine: docker save streams it for seconds.
    const dir = mkdtempSync(path.join(tmpdir(), 'slimgate-big-'));
    try {
      mkdirSync(path.join(dir, 'root'));
      execFileSync('bash', [
        '-c',
        `head -c 200000000 /dev/urandom > ${dir}/root/data && tar -C ${dir}/root -cf ${dir}/big.tar .`,
      ]);
      docker(['import', `${dir}/big.tar`, TAG]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
  afterAll(() => {
    docker(['rmi', '-f', TAG, BASE], { allowFailure: true });
  });
  beforeEach(async () => {
    api = await startGitHubApi();
  });
  afterEach(async () => {
    await api.stop();
  });

  /** Processes whose command line matches `pattern`. */
  const processes = (pattern: string): string[] => {
    try {
      return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim().split('\n');
    } catch {
      return [];
    }
  };
  const saves = (): string[] => processes(`docker save ${TAG}`);
  const until = async (done: () => boolean, ms: number): Promise<void> => {
    for (const t0 = Date.now(); !done() && Date.now() - t0 < ms;)
      await new Promise((ok) => setTimeout(ok, 50));
  };

  it.each(nodes)(
    'under %s: SIGTERM during the scan exits within 10 s, stops docker save and leaves no temp files',
    async (_name, nodeBin) => {
      const runnerTemp = mkdtempSync(path.join(tmpdir(), 'slimgate-cancel-'));
      let exitedAfter = Infinity;
      const r = await runAction({
        node: nodeBin(),
        api,
        event: 'pull_request',
        payload: webhookExample('pull_request', 'opened'),
        runnerTemp,
        inputs: { image: `docker-daemon:${TAG}`, baseline: 'none' },
        env: { DOCKER_HOST: world().dockerHost },
        whileRunning: async (child) => {
          // Once docker save streams the image into the scan, the runner cancels the job.
          await until(() => saves().length > 0, 30_000);
          expect(saves().length).toBeGreaterThan(0);
          await new Promise((ok) => setTimeout(ok, 300));
          const t0 = Date.now();
          const exited = new Promise((ok) => child.on('exit', ok));
          child.kill('SIGTERM');
          await exited;
          exitedAfter = Date.now() - t0;
        },
      });
      expect(exitedAfter).toBeLessThan(10_000);
      expect(r.status).toBe(1);
      expectNoStack(r);
      expect(failures(r)).toEqual([
        expect.stringMatching(/^Slimgate: cancelled \(SIGTERM\): stopped 1 program, removing temp files$/),
      ]);
      // docker save is gone (it may take a moment to notice its closed pipe and exit).
      await until(() => saves().length === 0, 5_000);
      expect(saves()).toEqual([]);
      // No half-written layer cache entry, and nothing else of ours left behind in RUNNER_TEMP.
      const left = (readdirSync(runnerTemp, { recursive: true }) as string[]).filter((f) =>
        f.endsWith('.tmp'),
      );
      expect(left).toEqual([]);
      expect(existsSync(path.join(runnerTemp, 'slimgate'))).toBe(false);
      rmSync(runnerTemp, { recursive: true, force: true });
    },
    120_000,
  );

  it.each(nodes)(
    'under %s: SIGTERM during the build stops buildx and removes the build directory',
    async (_name, nodeBin) => {
      const runnerTemp = mkdtempSync(path.join(tmpdir(), 'slimgate-cancel-'));
      const marker = `slimgate-cancel-${process.pid}-${Date.now()}`;
      let exitedAfter = Infinity;
      const building = (): string[] => processes(`buildx build .*${marker}`);
      const r = await runAction({
        node: nodeBin(),
        api,
        event: 'pull_request',
        payload: webhookExample('pull_request', 'opened'),
        runnerTemp,
        files: { 'app/Dockerfile': `FROM ${BASE}\nRUN sleep 60\n` },
        inputs: { context: 'app', network: 'none', tags: `${marker}:1`, baseline: 'none' },
        env: { DOCKER_HOST: world().dockerHost },
        whileRunning: async (child) => {
          await until(() => building().length > 0, 60_000);
          expect(building().length).toBeGreaterThan(0);
          await new Promise((ok) => setTimeout(ok, 500));
          const t0 = Date.now();
          const exited = new Promise((ok) => child.on('exit', ok));
          child.kill('SIGTERM');
          await exited;
          exitedAfter = Date.now() - t0;
        },
      });
      expect(exitedAfter).toBeLessThan(10_000);
      expect(r.status).toBe(1);
      expectNoStack(r);
      expect(failures(r)).toEqual([
        expect.stringMatching(/^Slimgate: cancelled \(SIGTERM\): stopped 1 program/),
      ]);
      await until(() => building().length === 0, 5_000);
      expect(building()).toEqual([]);
      expect(readdirSync(runnerTemp).filter((f) => f.startsWith('slimgate-build-'))).toEqual([]);
      rmSync(runnerTemp, { recursive: true, force: true });
    },
    180_000,
  );
});
