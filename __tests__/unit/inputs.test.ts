// The action's inputs (src/action/inputs.ts), the run context read from the event (src/github/context.ts), the
// baseline helpers (src/github/baseline.ts) and annotations (src/github/annotations.ts): pure parts,
// table-tested, with real webhook payloads from @octokit/webhooks-examples.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { annotate, type AnnotationSink } from '../../src/github/annotations.js';
import { baseBranchSource, keySlug, loadReport } from '../../src/github/baseline.js';
import { defaultCommentKey, repositoryOf } from '../../src/report/comment-key.js';
import { branchTag, runContext } from '../../src/github/context.js';
import { resolveCredential } from '../../src/sources/registry/auth.js';
import { envInputs, parseBaseline, POLICY_INPUTS, readInputs } from '../../src/action/inputs.js';
import { resolvePolicy } from '../../src/config/index.js';
import { registryOptions } from '../../src/action/checker.js';
import { finding, report } from '../helpers/github-reports.js';
import { actionYml, webhookExample } from '../helpers/github-action.js';

/** Inputs as the runner passes them: action.yml's defaults, then the workflow's `with:`. */
function inputs(withs: Record<string, string>): (name: string) => string {
  const yml = actionYml();
  const env: NodeJS.ProcessEnv = {};
  for (const [name, spec] of Object.entries(yml.inputs))
    env[`INPUT_${name.toUpperCase()}`] =
      withs[name] ?? (spec.default === '${{ github.token }}' ? 'tok' : (spec.default ?? ''));
  for (const [name, v] of Object.entries(withs)) env[`INPUT_${name.toUpperCase()}`] = v;
  return envInputs(env);
}

describe('readInputs', () => {
  it('reads the defaults of action.yml', () => {
    const i = readInputs(inputs({ image: 'app.tar' }));
    expect(i).toMatchObject({
      mode: 'check',
      image: 'app.tar',
      baseline: { kind: 'auto' },
      failOn: 'error',
      comment: true,
      commentKey: '',
      token: 'tok',
      // action.yml leaves the policy inputs' defaults empty, so that a .slimgate.yml can set them.
      policy: {},
    });
    expect(i.overrideLabel).toBeUndefined();
    // No SARIF unless asked for; suggestions on by default.
    expect(i.sarif).toBeUndefined();
    expect(i.suggestions).toBe(true);
  });

  it('reads sarif and suggestions, and rejects a suggestions value that is not a boolean', () => {
    const i = readInputs(inputs({ image: 'app.tar', sarif: 'out/slimgate.sarif', suggestions: 'false' }));
    expect(i.sarif).toBe('out/slimgate.sarif');
    expect(i.suggestions).toBe(false);
    expect(() => readInputs(inputs({ image: 'app.tar', suggestions: 'off' }))).toThrow(
      /input "suggestions" must be true or false/,
    );
  });

  it('an explicit input equal to the default is kept: it beats .slimgate.yml', async () => {
    for (const name of POLICY_INPUTS)
      expect([name, actionYml().inputs[name]?.default ?? '']).toEqual([name, '']);
    const i = readInputs(inputs({ image: 'a', 'fail-on': 'Error', 'allowed-bases': 'scratch,distroless' }));
    expect(i.policy).toEqual({ 'fail-on': 'Error', 'allowed-bases': 'scratch,distroless' });
    const dir = mkdtempSync(path.join(tmpdir(), 'sg-inputs-'));
    writeFileSync(
      path.join(dir, '.slimgate.yml'),
      'fail-on: new-error\nallowed-bases: [os]\npreset: budgets-only\n',
    );
    const fromFile = await resolvePolicy({}, { cwd: dir });
    expect([fromFile.failOn, fromFile.allowedBases, fromFile.preset]).toEqual([
      'new-error',
      ['os'],
      'budgets-only',
    ]);
    const p = await resolvePolicy({ ...i.policy, preset: 'default' }, { cwd: dir });
    expect([p.failOn, p.allowedBases, p.preset]).toEqual(['error', ['scratch', 'distroless'], undefined]);
  });

  it('platform: all, one platform, or the default', () => {
    expect(readInputs(inputs({ image: 'a', platform: 'all' })).platform).toBe('all');
    expect(readInputs(inputs({ image: 'a', platform: 'linux/arm64' })).platform).toEqual({
      os: 'linux',
      architecture: 'arm64',
    });
    expect(readInputs(inputs({ image: 'a' })).platform).toBeUndefined();
    expect(() => readInputs(inputs({ image: 'a', platform: 'All' }))).toThrow(
      'input "platform" must be os/arch[/variant] or all, e.g. linux/amd64, not "All"',
    );
  });

  it('keeps the policy inputs as written, for src/config', () => {
    const i = readInputs(inputs({ image: 'a', 'max-size': '25MB', 'max-growth': '10%', 'max-layers': '5' }));
    expect(i.policy).toEqual({
      'max-size': '25MB',
      'max-growth': '10%',
      'max-layers': '5',
    });
    const j = readInputs(
      inputs({ image: 'a', 'fail-on': 'warning', 'allowed-bases': 'scratch', config: 'x.yml' }),
    );
    expect(j.policy).toEqual({ 'fail-on': 'warning', 'allowed-bases': 'scratch', config: 'x.yml' });
  });

  it.each<[string, Record<string, string>, string]>([
    ['no image', {}, 'input "image" is required'],
    [
      'a bad fail-on',
      { image: 'a', 'fail-on': 'sometimes' },
      'input "fail-on": "sometimes" must be error, warning, new-error (fail only on errors main does not have) or never',
    ],
    ['a bad boolean', { image: 'a', comment: 'yes' }, 'input "comment" must be true or false, not "yes"'],
    ['a bad mode', { image: 'a', mode: 'post' }, 'input "mode" must be check or comment, not "post"'],
    ['a bad platform', { image: 'a', platform: 'amd64' }, 'input "platform" must be os/arch[/variant]'],
    ['comment mode without a report', { mode: 'comment' }, 'input "report" is required in comment mode'],
    ['build inputs without context', { image: 'a', target: 'final' }, 'input "target" needs "context"'],
    ['both image and context', { image: 'a', context: '.' }, 'give either "image" or "context"'],
    [
      'a missing baseline report',
      { image: 'a', baseline: 'nope/report.json' },
      'the report nope/report.json does not exist',
    ],
    ['a two-line comment key', { image: 'a', 'comment-key': 'a\nb' }, 'input "comment-key" must be one line'],
    [
      'a registry username without a password',
      { image: 'docker://ghcr.io/o/a:1', 'registry-username': 'me' },
      '"registry-username" and "registry-password" go together',
    ],
    ['push without tags', { context: '.', push: 'true' }, 'input "push" needs "tags"'],
    [
      'push that is not a boolean',
      { context: '.', push: 'yes', tags: 'a:1' },
      'input "push" must be true or false',
    ],
    ['tags without context', { image: 'a', tags: 'a:1' }, 'input "tags" needs "context"'],
    [
      'credentials for an image that is not in a registry',
      { image: 'docker-daemon:app:1', 'registry-username': 'me', 'registry-password': 'pw' },
      'inputs "registry-username"/"registry-password" need a registry image (docker://…) or build "tags" to apply to',
    ],
    [
      'credentials in build mode without tags',
      { context: '.', 'registry-username': 'me', 'registry-password': 'pw' },
      'inputs "registry-username"/"registry-password" need a registry image (docker://…) or build "tags" to apply to',
    ],
  ])('%s is one clear line', (_name, withs, want) => {
    let msg = '';
    try {
      readInputs(inputs(withs));
    } catch (e) {
      msg = (e as Error).message;
      expect((e as Error).name).toBe('InputError');
    }
    expect(msg).toContain(want);
    expect(msg).not.toContain('\n');
  });

  it('reads registry credentials and insecure registries', () => {
    const i = readInputs(
      inputs({
        image: 'docker://reg.example:5000/o/a:1',
        'registry-username': 'me',
        'registry-password': 'pw',
        'insecure-registries': 'reg.example:5000, other:80',
      }),
    );
    expect(i.registry).toEqual({
      token: 'tok',
      username: 'me',
      password: 'pw',
      host: 'reg.example:5000',
      insecure: ['reg.example:5000', 'other:80'],
    });
    expect(readInputs(inputs({ image: 'a' })).registry).toMatchObject({
      username: undefined,
      host: undefined,
      insecure: [],
    });
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'a docker:// image',
      { image: 'docker://ghcr.io/o/app:pr-1', baseline: 'docker.io/library/x' },
      'ghcr.io',
    ],
    [
      'a bare reference',
      { image: 'reg.example:5000/o/app:1', baseline: 'docker://ghcr.io/o/x:1' },
      'reg.example:5000',
    ],
    ['a Docker Hub name', { image: 'o/app:1' }, 'docker.io'],
    [
      'build mode: the first tag',
      { context: '.', tags: 'ghcr.io/o/app:pr-1\ndocker.io/o/app:pr-1' },
      'ghcr.io',
    ],
  ])("binds the credentials to the registry of %s, not the baseline's", (_name, withs, host) => {
    const i = readInputs(inputs({ ...withs, 'registry-username': 'me', 'registry-password': 'pw' }));
    expect(i.registry.host).toBe(host);
  });

  it('gives a baseline on another registry no explicit credential', async () => {
    const i = readInputs(
      inputs({
        image: 'docker://ghcr.io/o/app:pr-1',
        baseline: 'docker.io/library/x',
        'registry-username': 'me',
        'registry-password': 'pw',
        'github-token': '',
      }),
    );
    // The same options serve the image and the baseline (checker.check): only the host decides.
    const creds = {
      ...registryOptions(i.registry).credentials,
      dockerConfigDir: mkdtempSync(path.join(tmpdir(), 'dc-')),
    };
    expect(await resolveCredential('ghcr.io', creds)).toMatchObject({ username: 'me', password: 'pw' });
    expect(await resolveCredential('docker.io', creds)).toBeUndefined();
  });

  it('reads push and tags in build mode', () => {
    const i = readInputs(inputs({ context: 'app', push: 'true', tags: 'r/a:1\nr/a:latest' }));
    expect(i.build).toMatchObject({ push: true, tags: ['r/a:1', 'r/a:latest'] });
  });

  it('reads build mode, with lists one per line or comma-separated', () => {
    const i = readInputs(
      inputs({
        context: 'app',
        'build-args': 'A=1\nB=2,3',
        platforms: 'linux/amd64, linux/arm64',
        target: 'final',
      }),
    );
    expect(i.build).toEqual({
      context: 'app',
      file: undefined,
      target: 'final',
      buildArgs: ['A=1', 'B=2,3'],
      platforms: ['linux/amd64', 'linux/arm64'],
      push: false,
      tags: [],
    });
    expect(i.dockerfile).toBe('app/Dockerfile');
  });

  it('reads comment mode', () => {
    expect(readInputs(inputs({ mode: 'comment', report: 'slimgate/' }))).toMatchObject({
      mode: 'comment',
      report: 'slimgate/',
    });
  });

  it('parses baselines', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'slimgate-inputs-'));
    writeFileSync(path.join(dir, 'main.json'), '{}');
    expect(parseBaseline('main.json', dir)).toEqual({ kind: 'report', path: `${dir}/main.json` });
    expect(parseBaseline('', dir)).toEqual({ kind: 'auto' });
    expect(parseBaseline('none', dir)).toEqual({ kind: 'none' });
    expect(parseBaseline('docker://ghcr.io/a/b:main', dir)).toEqual({
      kind: 'source',
      source: 'docker://ghcr.io/a/b:main',
    });
    expect(parseBaseline('oci-archive:main.json', dir)).toEqual({
      kind: 'source',
      source: 'oci-archive:main.json',
    });
  });
});

describe('runContext from real payloads', () => {
  const ctx = (event: string, payload: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
    runContext({ GITHUB_EVENT_NAME: event, ...env }, payload);

  it('pull_request: the PR, its base, head and labels', () => {
    const c = ctx('pull_request', webhookExample('pull_request', 'labeled'));
    expect(c).toMatchObject({
      kind: 'pull_request',
      owner: 'Codertocat',
      repo: 'Hello-World',
      baseBranch: 'master',
    });
    expect(c.pr).toMatchObject({ number: 2, baseRef: 'master', fromFork: false, labels: ['bug'] });
    expect(c.pr!.headSha).toMatch(/^[0-9a-f]{40}$/);
  });

  it('pull_request from a fork', () => {
    const p = webhookExample('pull_request', 'opened');
    (p['pull_request'] as { head: { repo: { full_name: string } } }).head.repo.full_name =
      'mallory/Hello-World';
    expect(ctx('pull_request', p).pr!.fromFork).toBe(true);
  });

  it('merge_group: the queue base, no PR', () => {
    const c = ctx('merge_group', webhookExample('merge_group'));
    expect(c).toMatchObject({ kind: 'merge_group', baseBranch: 'main', pr: undefined });
  });

  it('push: to the default branch records the baseline; a tag or another branch does not', () => {
    const all = [0, 1, 2, 3, 4].map((i) => webhookExample('push', undefined, i));
    const main = all.find((p) => p['ref'] === 'refs/heads/master')!;
    const tag = all.find((p) => p['ref'] === 'refs/tags/simple-tag')!;
    expect(ctx('push', main).kind).toBe('baseline');
    expect(ctx('push', tag).kind).toBe('push');
    expect(ctx('push', main, { GITHUB_REF: 'refs/heads/feature' }).kind).toBe('push');
  });

  it('workflow_run: the run, its head commit and linked PRs', () => {
    const c = ctx('workflow_run', webhookExample('workflow_run', 'completed', 2));
    expect(c.kind).toBe('workflow_run');
    expect(c.workflowRun).toMatchObject({ pullRequests: [2], headBranch: 'master' });
    expect(c.workflowRun!.headSha).toMatch(/^[0-9a-f]{40}$/);
  });

  it('anything else', () => {
    expect(ctx('schedule', {}).kind).toBe('other');
    expect(ctx('workflow_dispatch', webhookExample('workflow_dispatch')).kind).toBe('other');
  });

  it.each([
    ['main', 'main'],
    ['feature/new-thing', 'feature-new-thing'],
    ['release/1.x', 'release-1.x'],
    ['-x', 'x'],
  ])('branch %s is tagged %s', (branch, tag) => {
    expect(branchTag(branch)).toBe(tag);
  });
});

describe('baseline helpers', () => {
  it.each([
    ['ghcr.io/acme/app:pr-12', 'ghcr.io/acme/app'],
    ['ghcr.io/acme/app@sha256:' + 'a'.repeat(64), 'ghcr.io/acme/app'],
    ['localhost:5000/app:1', 'localhost:5000/app'],
    ['localhost:5000/app', 'localhost:5000/app'],
    ['alpine', 'alpine'],
  ])('repositoryOf(%s) = %s', (ref, want) => {
    expect(repositoryOf(ref)).toBe(want);
  });

  it('tries the registry repository at the base branch tag, never the image itself', () => {
    expect(baseBranchSource('docker://ghcr.io/acme/app:pr-12', 'main')).toBe(
      'docker://ghcr.io/acme/app:main',
    );
    expect(baseBranchSource('ghcr.io/acme/app:pr-12', 'release/2')).toBe(
      'docker://ghcr.io/acme/app:release-2',
    );
    expect(baseBranchSource('docker://ghcr.io/acme/app:main', 'main')).toBeUndefined();
    expect(baseBranchSource('docker-archive:app.tar', 'main')).toBeUndefined();
    expect(baseBranchSource('docker://ghcr.io/acme/app:pr-1', undefined)).toBeUndefined();
  });

  it('keys comments by the image without its tag, so main and the PR share a key', () => {
    expect(defaultCommentKey('docker://ghcr.io/acme/app:pr-12', 'linux/amd64')).toBe(
      'ghcr.io/acme/app linux/amd64',
    );
    expect(defaultCommentKey('ghcr.io/acme/app:main', 'linux/amd64')).toBe('ghcr.io/acme/app linux/amd64');
    expect(defaultCommentKey('docker-archive:app.tar', 'linux/arm64')).toBe(
      'docker-archive:app.tar linux/arm64',
    );
  });

  it('slugs keys into safe, distinct file names', () => {
    const a = keySlug('ghcr.io/acme/app linux/amd64');
    expect(a).toMatch(/^ghcr\.io-acme-app-linux-amd64-[0-9a-f]{10}$/);
    expect(keySlug('ghcr.io/acme/app linux/arm64')).not.toBe(a);
    expect(keySlug('../../etc/passwd')).not.toContain('/');
  });

  it('loads a report and rejects anything else with one line naming the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'slimgate-report-'));
    const ok = path.join(dir, 'ok.json');
    writeFileSync(ok, JSON.stringify(report()));
    expect(loadReport(ok).schemaVersion).toBe(1);
    for (const [text, want] of [
      ['not json', 'is not readable JSON'],
      ['[]', 'is not a Slimgate report'],
      ['{"schemaVersion":2}', 'has schemaVersion 2'],
      ['{"schemaVersion":1}', 'is not a Slimgate report (no "image")'],
    ]) {
      const p = path.join(dir, 'bad.json');
      writeFileSync(p, text!);
      expect(() => loadReport(p)).toThrow(want!);
    }
  });
});

describe('annotate', () => {
  function sink(): AnnotationSink & { calls: [string, string, Record<string, unknown>][] } {
    const calls: [string, string, Record<string, unknown>][] = [];
    return {
      calls,
      error: (m, p) => calls.push(['error', m, { ...p }]),
      warning: (m, p) => calls.push(['warning', m, { ...p }]),
      notice: (m, p) => calls.push(['notice', m, { ...p }]),
    };
  }

  it('puts a finding on its Dockerfile line, relative to the workspace', () => {
    const f = {
      ...finding('SG110', 'base', 'error', '/etc/os-release', 'base debian:12 is not allowed'),
      location: { file: '/ws/app/Dockerfile', line: 3 },
    };
    const s = sink();
    annotate(
      [f, finding('SG320', 'user', 'warning', '/'), finding('SG709', 'entrypoint', 'info', '/app')],
      s,
      '/ws',
    );
    expect(s.calls).toEqual([
      [
        'error',
        'base debian:12 is not allowed — Remove /etc/os-release from the final stage.',
        { title: 'Slimgate SG110 (base)', file: 'app/Dockerfile', startLine: 3 },
      ],
      ['warning', 'user / present — Remove / from the final stage.', { title: 'Slimgate SG320 (user)' }],
    ]);
  });

  it('stops at GitHub’s 10 per kind and counts the rest in one notice', () => {
    const s = sink();
    const many = Array.from({ length: 13 }, (_, i) => finding('SG201', 'shell', 'error', `/bin/sh${i}`));
    expect(annotate(many, s)).toEqual({ errors: 10, warnings: 0, dropped: 3 });
    expect(s.calls.filter((c) => c[0] === 'error')).toHaveLength(10);
    expect(s.calls.at(-1)).toEqual([
      'notice',
      'Slimgate: 3 more findings are in the job summary and the JSON report',
      {},
    ]);
  });
});

describe('image as docker/metadata-action hands it over', () => {
  it.each([
    ['ghcr.io/o/app:pr-7\nghcr.io/o/app:sha-1234567\n', 'ghcr.io/o/app:pr-7', 2],
    ['ghcr.io/o/app:pr-7,ghcr.io/o/app:latest,ghcr.io/o/app:1.2', 'ghcr.io/o/app:pr-7', 3],
    ['docker://ghcr.io/o/app:pr-7\nghcr.io/o/app:edge', 'docker://ghcr.io/o/app:pr-7', 2],
  ])('%j: the first tag, with a note that says so', (value, first, n) => {
    const i = readInputs(inputs({ image: value }));
    expect(i.image).toBe(first);
    expect(i.imageNote).toBe(
      `input "image" lists ${n} tags of one image (as docker/metadata-action writes them); checking the first, ${first}`,
    );
  });

  it('one image: no note', () => {
    const i = readInputs(inputs({ image: 'ghcr.io/o/app:pr-7\n' }));
    expect(i.image).toBe('ghcr.io/o/app:pr-7');
    expect(i.imageNote).toBeUndefined();
  });

  it('tags of different images: one line, an error', () => {
    expect(() => readInputs(inputs({ image: 'ghcr.io/o/app:1\nghcr.io/o/other:1' }))).toThrow(
      /^input "image" lists 2 images \(ghcr\.io\/o\/app:1, ghcr\.io\/o\/other:1\); give one image, or tags of one image$/,
    );
    expect(() => readInputs(inputs({ image: 'ghcr.io/o/app:1,docker.io/o/app:1' }))).toThrow(
      /lists 2 images/,
    );
  });

  it('capital letters (an unlowered github.repository): one line showing the lowercase form', () => {
    expect(() =>
      readInputs(inputs({ image: 'ghcr.io/Owner/My-App:pr-7\nghcr.io/Owner/My-App:Latest' })),
    ).toThrow(
      'bad image reference "ghcr.io/Owner/My-App:pr-7": repository names must be lowercase: ghcr.io/owner/my-app:pr-7',
    );
  });
});
