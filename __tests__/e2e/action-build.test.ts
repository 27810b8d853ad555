// End to end against the test world's real dockerd and registry:
// - build mode: the action builds the PR's Dockerfile, and for `baseline: auto` builds the base commit's
//   Dockerfile in a git worktree — leaving the workspace (HEAD, index, files) exactly as it was;
// - build-push-action's inputs: a secret (masked), labels, and a cache the PR's build writes and the base
//   commit's build only reads;
// - a registry image: for `baseline: auto` the action reads the same repository at the base branch's tag.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { code } from '../../src/report/markdown.js';
import { useGitHubApi, type GitHubApi } from '../helpers/github-api.js';
import { repoRoot, runAction, webhookExample } from '../helpers/github-action.js';
import { daemonEnv, node24, run, world } from '../helpers/world.js';

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
  }).trim();

describe('build mode', () => {
  let api: GitHubApi;
  useGitHubApi((a) => (api = a));

  it.each([
    ['node 20', () => process.execPath],
    ['node 24', () => node24()],
  ])('under %s: builds the PR, and the base commit in a worktree as the baseline', async (_n, nodeBin) => {
    const w = world();
    const payload = webhookExample('pull_request', 'opened');
    const r = await runAction({
      node: nodeBin(),
      api,
      event: 'pull_request',
      payload,
      env: { DOCKER_HOST: w.dockerHost },
      files: {
        'app/Dockerfile': 'FROM scratch\nCOPY data /data\nUSER 65532\nENTRYPOINT ["/data/app"]\n',
        'app/data/app': 'x'.repeat(10_000),
      },
      inputs: { context: 'app', 'fail-on': 'never' },
      // Commit the base, then the PR's change, before the action runs.
      prepare: (ws) => {
        git(ws, 'init', '-q', '-b', 'main');
        git(ws, 'add', '-A');
        git(ws, 'commit', '-q', '-m', 'base');
        const base = git(ws, 'rev-parse', 'HEAD');
        execFileSync('sh', ['-c', `head -c 300000 /dev/urandom > ${ws}/app/data/big.bin`]);
        git(ws, 'add', '-A');
        git(ws, 'commit', '-q', '-m', 'grow');
        const pr = payload['pull_request'] as { base: { sha: string }; head: { sha: string } };
        pr.base.sha = base;
        pr.head.sha = git(ws, 'rev-parse', 'HEAD');
        // GitHub's view of the PR (pulls.get): its head is the commit this run checks.
        api.setPull('Codertocat/Hello-World', 2, { headSha: pr.head.sha, labels: [] });
        return { head: pr.head.sha, status: git(ws, 'status', '--porcelain') };
      },
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.warnings.map((w) => w.message).join('\n')).not.toContain('could not read PR');
    const [c] = api.issueComments('Codertocat/Hello-World', 2);
    // A SHA from anywhere is broken up (escapeText), so that GitHub does not link it.
    expect(c!.body).toMatch(/against master \(<code>base commit [0-9a-f]{6}&#8203;[0-9a-f]{6}<\/code>\)/);
    expect(c!.body.split('\n')[0]).toMatch(/ \(\+300 kB, \+\d+%\)/);
    expect(c!.body).toMatch(/<code>\/data\/big\.bin<\/code> \| \+300 kB/);
    // The workspace is as it was: same HEAD, clean, and no worktree left behind.
    expect(git(r.workspace, 'rev-parse', 'HEAD')).toBe(r.prepared!.head);
    expect(git(r.workspace, 'status', '--porcelain')).toBe(r.prepared!.status);
    expect(git(r.workspace, 'worktree', 'list').split('\n')).toHaveLength(1);
  });
});

describe('build mode with build-push-action’s inputs (secrets, labels, cache-from/cache-to)', () => {
  let api: GitHubApi;
  useGitHubApi((a) => (api = a));
  const tag = `sg-e2e-bb-${process.pid}:1`;
  const prTag = `sg-e2e-app-${process.pid}:pr-2`;
  afterAll(() => {
    run('docker', ['rmi', '--force', tag, prTag], { env: daemonEnv('containerd'), allowFailure: true });
  });

  it('the secret reaches the build and is masked; the base commit reads the cache but never writes it', async () => {
    const env = daemonEnv('containerd');
    // A busybox base to RUN in: the world has no network to pull one.
    const root = mkdtempSync(path.join(tmpdir(), 'slimgate-e2e-bb-'));
    mkdirSync(path.join(root, 'bin'));
    execFileSync('cp', ['/bin/busybox', path.join(root, 'bin', 'busybox')]);
    for (const a of ['sh', 'wc', 'echo']) symlinkSync('busybox', path.join(root, 'bin', a));
    run('docker', ['import', '-', tag], {
      env,
      input: execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 1 << 28 }),
    });
    rmSync(root, { recursive: true, force: true });
    const secret = `tok-${process.pid}-${Date.now()}-value`;
    const cacheDir = path.join(mkdtempSync(path.join(tmpdir(), 'slimgate-e2e-cache-')), 'cache');
    const payload = webhookExample('pull_request', 'opened');
    const dockerfile = (step: string): string =>
      `FROM ${tag}\nRUN echo ${step}-${process.pid}-${Date.now()} > /step\n` +
      'RUN --mount=type=secret,id=tok,required=true wc -c < /run/secrets/tok > /secret.len\n';
    const r = await runAction({
      api,
      event: 'pull_request',
      payload,
      env: { DOCKER_HOST: env.DOCKER_HOST },
      files: { 'app/Dockerfile': dockerfile('base') },
      inputs: {
        context: 'app',
        network: 'none',
        secrets: `tok=${secret}`,
        labels: 'org.example.e2e=yes',
        tags: prTag,
        'cache-from': `type=local,src=${cacheDir}`,
        'cache-to': `type=local,dest=${cacheDir},mode=max`,
        'fail-on': 'never',
      },
      prepare: (ws) => {
        git(ws, 'init', '-q', '-b', 'main');
        git(ws, 'add', '-A');
        git(ws, 'commit', '-q', '-m', 'base');
        const base = git(ws, 'rev-parse', 'HEAD');
        writeFileSync(path.join(ws, 'app', 'Dockerfile'), dockerfile('pr'));
        git(ws, 'commit', '-q', '-am', 'pr');
        const pr = payload['pull_request'] as { base: { sha: string }; head: { sha: string } };
        pr.base.sha = base;
        pr.head.sha = git(ws, 'rev-parse', 'HEAD');
        api.setPull('Codertocat/Hello-World', 2, { headSha: pr.head.sha, labels: [] });
        return {};
      },
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    // Masked before anything is built, and never shown otherwise.
    expect(r.stdout).toContain(`::add-mask::${secret}\n`);
    expect(r.everything.split(secret).length - 1).toBe(1);
    // The PR's image has the secret's length (the build had it) and the label.
    const report = JSON.parse(readFileSync(r.outputs['report']!, 'utf8')) as { files: { path: string }[] };
    expect(report.files.map((f) => f.path)).toEqual(expect.arrayContaining(['/secret.len', '/step']));
    // The PR's build wrote the cache; the base commit's read it and wrote nothing.
    const [before, after] = r.stdout.split(/::group::Building the base commit/);
    const prBuild = before!.split('::group::Building the image')[1]!.split('::endgroup::')[0];
    const baseBuild = after?.split('::endgroup::')[0];
    expect(baseBuild, 'the base commit was built').toBeDefined();
    expect(prBuild).toMatch(/exporting cache to client directory/);
    expect(baseBuild).toMatch(/importing cache manifest from local:/);
    expect(baseBuild).not.toMatch(/exporting cache/);
    // Untagged: the PR's tags name the PR's image, before and after the base commit's build.
    expect(prBuild).toContain(`naming to docker.io/library/${prTag}`);
    expect(baseBuild).not.toContain(prTag);
    expect(
      run('docker', ['inspect', '-f', '{{index .Config.Labels "org.example.e2e"}}', prTag], { env }).stdout,
    ).toBe('yes\n');
    expect(
      run('docker', ['run', '--rm', '--network', 'none', prTag, 'wc', '-c', '/step'], { env }).stdout,
    ).toMatch(/^\s*\d+ \/step\n$/);
    const [c] = api.issueComments('Codertocat/Hello-World', 2);
    expect(c!.body).toMatch(/against master \(<code>base commit [0-9a-f]{6}&#8203;[0-9a-f]{6}<\/code>\)/);
    rmSync(path.dirname(cacheDir), { recursive: true, force: true });
  });
});

describe('a registry image', () => {
  let api: GitHubApi;
  useGitHubApi((a) => (api = a));

  it('baseline auto: the same repository at the base branch tag', async () => {
    const w = world();
    const repo = `${w.registry}/slimgate-e2e/app-${process.pid}`;
    // main's image at the base branch's tag (the example payload's base is "master"), the PR's at pr-2.
    for (const [archive, tag] of [
      ['docker-archive:examples/hello-scratch.tar', 'master'],
      ['oci-archive:examples/busybox-os.tar', 'pr-2'],
    ] as const)
      run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', archive, `docker://${repo}:${tag}`], {
        cwd: repoRoot,
      });
    const payload = webhookExample('pull_request', 'opened');
    const head = (payload['pull_request'] as { head: { sha: string } }).head.sha;
    api.setPull('Codertocat/Hello-World', 2, { headSha: head, labels: [] });
    const r = await runAction({
      api,
      event: 'pull_request',
      payload,
      inputs: { image: `docker://${repo}:pr-2`, 'max-growth': '10%' },
    });
    expect(r.status).toBe(1); // busybox, and growth over 10%
    const [c] = api.issueComments('Codertocat/Hello-World', 2);
    expect(c!.body).toContain(
      `against master (${code(`docker://${repo}:master`, 120)})`, // escaped as any source is
    );
    expect(c!.body.split('\n')[0]).toMatch(/\(\+1\.60 MB, \+234%\)/);
    expect(c!.body).toMatch(/\| growth \(uncompressed\) \| 68\.3 kB \| 1\.60 MB \| ❌/);
    // The default comment key is the repository without its tag: main's saved report would match it too.
    expect(c!.body).toContain(`<!-- slimgate-comment:${encodeURIComponent(`${repo} linux/amd64`)} -->`);
  });
});
