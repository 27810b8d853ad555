// End to end: main's baseline and layer scans through the Actions cache, with no workflow steps. The
// bundled action (dist/index.js) runs under Node 20 and Node 24 with the runner's cache env pointing at the
// cache-service double (twirp v2, Azure block-blob upload, plain download) and the GitHub REST double.
// dist/ must be current: `npm run bundle`.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/types/report.js';
import { startCacheService, type CacheService, type Scopes } from '../helpers/cache-service.js';
import { startGitHubApi, type GitHubApi } from '../helpers/github-api.js';
import { runAction, webhookExample, type ActionRun } from '../helpers/github-action.js';
import { multiLayout } from '../helpers/platform-layouts.js';
import { node24, repoRoot, run } from '../helpers/world.js';

const HELLO = path.join(repoRoot, 'examples', 'hello-scratch.tar');
const BUSYBOX = path.join(repoRoot, 'examples', 'busybox-os.tar');
const REPO = 'Codertocat/Hello-World';
const MAIN: Scopes = { write: 'refs/heads/master' };
const PR_SCOPE: Scopes = { write: 'refs/pull/2/merge', read: ['refs/heads/master'] };
const SHA1 = '1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const SHA2 = '2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

const nodes: [string, () => string][] = [
  ['node 20', () => process.execPath],
  ['node 24', () => node24()],
];

function expectNoStack(r: ActionRun): void {
  expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

/** Warnings about the cache (the library's own, or the action's), not the image's findings. */
function cacheWarnings(r: ActionRun): string[] {
  return [...r.warnings, ...r.errors]
    .map((w) => w.message)
    .filter((m) => /Actions cache|Failed to (save|restore)|reservation|uploadCacheArchive/i.test(m));
}

function slimgateComments(api: GitHubApi): { body: string }[] {
  return api.issueComments(REPO, 2).filter((c) => c.body.includes('<!-- slimgate-comment:'));
}

describe.each(nodes)('the Actions cache under %s', (_name, nodeBin) => {
  let api: GitHubApi;
  let svc: CacheService;
  let root: string;
  /** One RUNNER_TEMP path, emptied before each run as a new job's would be (the cache version hashes it). */
  let runnerTemp: string;

  beforeEach(async () => {
    api = await startGitHubApi();
    svc = await startCacheService();
    root = mkdtempSync(path.join(tmpdir(), 'slimgate-cache-e2e-'));
    runnerTemp = path.join(root, 'runner-temp');
  });
  afterEach(async () => {
    await api.stop();
    await svc.stop();
    rmSync(root, { recursive: true, force: true });
    expect(api.violations).toEqual([]);
    expect(svc.violations).toEqual([]);
  });

  /** The image at a fixed path, as a build step would write it on every run. */
  const imageAt = (name: string, from: string): string => {
    const p = path.join(root, 'images', name);
    mkdirSync(path.dirname(p), { recursive: true });
    copyFileSync(from, p);
    return p;
  };

  /** An OCI layout directory at a fixed path, from an oci-archive. */
  const ociLayout = (archive: string): string => {
    const dir = path.join(root, 'images', 'layout');
    mkdirSync(dir, { recursive: true });
    run('tar', ['-xf', archive, '-C', dir]);
    return dir;
  };

  const push = (
    sha: string,
    image: string,
    inputs: Record<string, string> = {},
    scopes: Scopes = MAIN,
  ): Promise<ActionRun> => {
    rmSync(runnerTemp, { recursive: true, force: true });
    const payload = webhookExample('push', undefined, 4);
    payload['after'] = sha;
    payload['head_commit'] = { ...(payload['head_commit'] as object), id: sha };
    return runAction({
      node: nodeBin(),
      api,
      event: 'push',
      payload,
      runnerTemp,
      inputs: { image, ...inputs },
      env: { ...svc.env(scopes), GITHUB_SHA: sha },
    });
  };

  const pullRequest = (
    image: string,
    inputs: Record<string, string> = {},
    scopes = PR_SCOPE,
  ): Promise<ActionRun> => {
    rmSync(runnerTemp, { recursive: true, force: true });
    return runAction({
      node: nodeBin(),
      api,
      event: 'pull_request',
      payload: webhookExample('pull_request', 'opened'),
      runnerTemp,
      inputs: { image, 'fail-on': 'never', ...inputs },
      env: svc.env(scopes),
    });
  };

  it('a push saves main’s report and layer scans; a later PR restores them, diffs, comments and draws the trend', async () => {
    const key = { 'comment-key': 'app', 'fail-on': 'never' };
    // main at SHA1: a docker-archive (read in one pass, so no layer scans to keep).
    const first = await push(SHA1, imageAt('app.tar', HELLO), key);
    expect(first.status, first.stdout).toBe(0);
    expectNoStack(first);
    expect(first.warnings).toEqual([]);
    expect(first.stdout).toMatch(
      /cache: saved main's report as slimgate-report-v1-app-[0-9a-f]+-linux-amd64-1111111a/,
    );
    expect(svc.entries.map((e) => [e.scope, e.finalized])).toEqual([['refs/heads/master', true]]);

    // main at SHA2: an OCI layout (its blobs go through the layer cache). The history is carried forward.
    const layout = ociLayout(BUSYBOX);
    const second = await push(SHA2, `oci:${layout}`, key);
    expect(second.status, second.stdout).toBe(0);
    expect(cacheWarnings(second)).toEqual([]);
    expect(second.stdout).toMatch(/cache: restored main's report from slimgate-report-v1-app-.+-1111111a/);
    expect(second.stdout).toMatch(/layer scans: 0 from the cache, [1-9]\d* read/);
    expect(second.stdout).toMatch(
      /cache: saved the layer scans as slimgate-layers-v\d+-[0-9a-f]+-app-[0-9a-f]+-2222222b/,
    );
    const mainReport = JSON.parse(readFileSync(second.outputs['report']!, 'utf8')) as Report;
    expect(mainReport.history?.map((p) => p.commit)).toEqual([SHA1, SHA2]);
    expect(mainReport.history![0]!.uncompressed).toBeLessThan(mainReport.history![1]!.uncompressed);
    // main's job summary shows its own trend, with no PR point.
    expect(second.summary).toContain('```mermaid\n%%{init');
    expect(second.summary).toContain('x-axis ["1111111", "2222222"]');
    expect(second.summary).not.toContain('"PR"');

    // The PR: the same image. Its run restores both, adds no entries, and reads no layer.
    const before = svc.entries.length;
    const pr = await pullRequest(`oci:${layout}`, key);
    expect(pr.status, pr.stdout).toBe(0);
    expectNoStack(pr);
    expect(cacheWarnings(pr)).toEqual([]);
    expect(svc.entries).toHaveLength(before);
    expect(pr.stdout).toMatch(/cache: restored main's report from slimgate-report-v1-app-.+-2222222b/);
    expect(pr.stdout).toMatch(/cache: restored the layer scans from slimgate-layers-/);
    expect(pr.stdout).toMatch(/layer scans: [1-9]\d* from the cache, 0 read/);
    expect(pr.outputs['size-delta']).toBe('0');
    const comments = slimgateComments(api);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body).toContain('saved report');
    expect(body).toContain('<summary>Size history on main (2 commits)</summary>');
    expect(body).toContain('x-axis ["1111111", "2222222", "PR"]');
    expect(body).toMatch(/ {2}bar \[0, 0, [\d.]+\]/);
  });

  it('a matrix keeps one baseline per image', async () => {
    const a = imageAt('a.tar', HELLO);
    const b = imageAt('b.tar', BUSYBOX);
    expect((await push(SHA1, a)).status).toBe(0);
    expect((await push(SHA1, b, { 'fail-on': 'never' })).status).toBe(0);
    const reports = svc.entries.filter((e) => e.key.startsWith('slimgate-report-'));
    expect(reports).toHaveLength(2);
    expect(new Set(reports.map((e) => e.key)).size).toBe(2);
    // Each PR job compares with its own image's report: no change for either.
    for (const image of [a, b]) {
      const r = await pullRequest(image);
      expect(r.status, r.stdout).toBe(0);
      expect(r.outputs['size-delta']).toBe('0');
    }
    expect(slimgateComments(api)).toHaveLength(2);
  });

  it('scopes: a PR and a push to another branch save nothing; main never reads another scope', async () => {
    const image = imageAt('app.tar', HELLO);
    const pr = await pullRequest(image);
    expect(pr.status).toBe(0);
    expect(svc.entries).toHaveLength(0);
    const other = await runAction({
      node: nodeBin(),
      api,
      event: 'push',
      payload: { ...webhookExample('push', undefined, 4), ref: 'refs/heads/feature' },
      inputs: { image },
      env: svc.env({ write: 'refs/heads/feature' }),
    });
    expect(other.status).toBe(0);
    expect(svc.entries).toHaveLength(0);
    // An entry written under another scope (a token that writes to a PR's scope)…
    await push(SHA1, image, {}, { write: 'refs/pull/9/merge' });
    expect(svc.entries.map((e) => e.scope)).toEqual(['refs/pull/9/merge']);
    // …is invisible to main's next run, which starts a new history.
    const next = await push(SHA2, image);
    expect(next.status, next.stdout).toBe(0);
    expect(next.stdout).toContain("cache: no main's report saved yet");
    const report = JSON.parse(readFileSync(next.outputs['report']!, 'utf8')) as Report;
    expect(report.history?.map((p) => p.commit)).toEqual([SHA2]);
  });

  it('platform: all: main saves its platforms; a PR that dropped arm64 names it; an older main (no list) is silent', async () => {
    const MISSING = '> The baseline also has linux/arm64, which this image does not.';
    const also = (text: string): string[] => text.split('\n').filter((l) => l.includes('also has'));
    const mainDir = path.join(root, 'images', 'main');
    const prDir = path.join(root, 'images', 'pr');
    await multiLayout(mainDir, { amd64: 15_000, arm64: 30_000 });
    await multiLayout(prDir, { amd64: 20_000 });
    const all = { platform: 'all', 'comment-key': 'app' };

    const main = await push(SHA1, `oci:${mainDir}:multi`, all);
    expect(main.status, main.stdout).toBe(0);
    expect(cacheWarnings(main)).toEqual([]);
    expect(main.stdout).toMatch(
      /cache: saved main's platforms as slimgate-platforms-v1-app-[0-9a-f]{10}-1111111a/,
    );
    expect(
      svc.entries.map((e) => e.key.replace(/-[0-9a-f]{10}-/, '-H-').replace(SHA1, 'SHA1')).sort(),
    ).toEqual([
      expect.stringMatching(/^slimgate-layers-v\d+-[0-9a-f]+-app-H-SHA1$/),
      'slimgate-platforms-v1-app-H-SHA1',
      'slimgate-report-v1-app-linux-amd64-H-linux-amd64-SHA1',
      'slimgate-report-v1-app-linux-arm64-H-linux-arm64-SHA1',
    ]);

    const pr = await pullRequest(`oci:${prDir}:multi`, all);
    expect(pr.status, pr.stdout).toBe(0);
    expectNoStack(pr);
    expect(cacheWarnings(pr)).toEqual([]);
    expect(pr.stdout).toMatch(/cache: restored main's platforms from slimgate-platforms-v1-app-.+-1111111a/);
    const body = slimgateComments(api)[0]!.body;
    // One platform left: the one-image layout.
    expect(body.split('\n')[0]).toMatch(/^✅ \*\*20\.0 kB\*\* uncompressed \(\+5\.00 kB/);
    expect(body).toContain('saved report');
    expect(also(body)).toEqual([MISSING]);
    expect(also(pr.summary)).toEqual([MISSING]);
    expect(JSON.parse(pr.outputs['platforms']!)).toEqual({
      'linux/amd64': expect.objectContaining({ passed: true, size: 20_000, 'size-delta': 5_000 }),
      'linux/arm64': { missing: true },
    });
    expect(pr.outputs['passed']).toBe('true');
    expect(pr.warnings.map((w) => w.message)).toEqual([
      'Slimgate: the baseline also has linux/arm64, which this image does not',
    ]);

    // main's entries as a version before the list would have left them: the reports, no list.
    for (let i = svc.entries.length - 1; i >= 0; i--)
      if (svc.entries[i]!.key.startsWith('slimgate-platforms-')) svc.entries.splice(i, 1);
    const older = await pullRequest(`oci:${prDir}:multi`, all);
    expect(older.status, older.stdout).toBe(0);
    expectNoStack(older);
    expect(older.warnings).toEqual([]);
    expect(older.stdout).toContain("cache: no main's platforms saved yet");
    const olderBody = slimgateComments(api)[0]!.body;
    expect(also(olderBody)).toEqual([]);
    expect(also(older.summary)).toEqual([]);
    expect(olderBody).toContain('saved report'); // the amd64 baseline still came from main
    expect(Object.keys(JSON.parse(older.outputs['platforms']!) as object)).toEqual(['linux/amd64']);
  });

  it('cache: false turns it off; no call reaches the service', async () => {
    const image = imageAt('app.tar', HELLO);
    const r = await push(SHA1, image, { cache: 'false' });
    expect(r.status, r.stdout).toBe(0);
    expect(svc.requests).toEqual([]);
    expect(r.stdout).toContain('input "cache" is false');
  });

  it('an unreachable cache service is a warning on restore, an info line on save, never a failed check', async () => {
    const image = imageAt('app.tar', HELLO);
    const env = { ...svc.env(MAIN), ACTIONS_RESULTS_URL: 'http://127.0.0.1:1/' };
    rmSync(runnerTemp, { recursive: true, force: true });
    const r = await runAction({
      node: nodeBin(),
      api,
      event: 'push',
      payload: webhookExample('push', undefined, 4),
      runnerTemp,
      inputs: { image },
      env,
    });
    expect(r.status, r.stdout).toBe(0);
    expectNoStack(r);
    expect(r.errors).toEqual([]);
    // The results service also holds artifacts: the upload of the HTML report and the SBOM (one artifact)
    // says once that it failed too.
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings[0]!.message).toMatch(
      /^Slimgate: the Actions cache could not restore the layer scans \(.*ECONNREFUSED/,
    );
    expect(r.warnings[1]!.message).toMatch(
      /^Slimgate: could not upload the HTML report \(report\.html\) and the SBOM \(sbom\.cdx\.json\) as a workflow artifact \(.*ECONNREFUSED/,
    );
    expect(r.stdout).toContain('cache: not saving');
    expect(r.stdout).toMatch(/baseline: recorded /);
  });
});

describe('a failing cache service (5xx)', () => {
  it(
    'is one warning after the library’s retries, and the check still passes',
    { timeout: 180_000 },
    async () => {
      const api = await startGitHubApi();
      const svc = await startCacheService();
      try {
        svc.failWith = 500;
        const t0 = Date.now();
        const r = await runAction({
          node: node24(),
          api,
          event: 'pull_request',
          payload: webhookExample('pull_request', 'opened'),
          inputs: { image: HELLO },
          env: svc.env(PR_SCOPE),
        });
        expect(r.status, r.stdout).toBe(0);
        expect(r.errors).toEqual([]);
        expect(r.warnings.map((w) => w.message)).toEqual([
          expect.stringMatching(/^Slimgate: the Actions cache could not restore the layer scans \(.*500/),
        ]);
        // One call was retried; after it failed, the run stopped asking.
        expect(r.stdout).toContain(
          "cache: not restoring main's report: the Actions cache failed earlier in this run",
        );
        expect(svc.requests.filter((q) => q.path === 'GetCacheEntryDownloadURL').length).toBeGreaterThan(1);
        expect(Date.now() - t0).toBeLessThan(120_000);
        expect(slimgateComments(api)).toHaveLength(1);
      } finally {
        await api.stop();
        await svc.stop();
      }
    },
  );
});
