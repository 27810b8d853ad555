// The run plan: what check mode decides from its inputs and the event before it reads an image, as a table.
import { describe, expect, it } from 'vitest';
import { planRun, platformKey, runKey, type RunPlan } from '../../src/action/plan.js';
import { readInputs } from '../../src/action/inputs.js';
import { keySlug } from '../../src/github/baseline.js';
import type { RunContext } from '../../src/github/context.js';

const BASE = 'b'.repeat(40);

function ctx(x: Partial<RunContext> = {}): RunContext {
  return {
    eventName: 'pull_request',
    kind: 'pull_request',
    owner: 'octo',
    repo: 'app',
    sha: 'a'.repeat(40),
    ref: 'refs/pull/7/merge',
    defaultBranch: 'main',
    baseBranch: 'main',
    baseSha: BASE,
    pr: {
      number: 7,
      baseRef: 'main',
      baseSha: BASE,
      headSha: 'a'.repeat(40),
      headRepo: 'octo/app',
      fromFork: false,
      labels: [],
    },
    workflowRun: undefined,
    serverUrl: 'https://github.com',
    runId: '1',
    ...x,
  };
}

const plan = (inputs: Record<string, string>, c: RunContext = ctx()): RunPlan =>
  planRun(
    readInputs(
      (name) => inputs[name] ?? '',
      '/w',
      () => {},
    ),
    c,
    { SECRET_ARG: 's3' },
  );

describe('planRun', () => {
  const IMAGE = 'ghcr.io/acme/app:pr-7';
  it.each<[string, Record<string, string>, RunContext, Partial<RunPlan>]>([
    [
      'a registry image on a PR: the base-branch tag after main’s saved report, a comment on the PR',
      { image: IMAGE },
      ctx(),
      {
        label: IMAGE,
        everyPlatform: false,
        dockerfile: undefined,
        baseline: { kind: 'auto', saved: true, baseCommit: undefined, tag: 'docker://ghcr.io/acme/app:main' },
        comment: { owner: 'octo', repo: 'app', issueNumber: 7, fromFork: false },
        record: false,
        cache: { reports: true, layerLimit: 100_000_000 },
        imageSlug: keySlug('ghcr.io/acme/app '),
        baseSha: BASE,
      },
    ],
    [
      'an archive: no tag to try',
      { image: 'docker-archive:app.tar', cache: 'false' },
      ctx(),
      {
        baseline: { kind: 'auto', saved: false, baseCommit: undefined, tag: undefined },
        cache: { reports: false, layerLimit: 0 },
      },
    ],
    [
      'build mode: the Dockerfile (trailing slashes trimmed once), its build args and target; the base commit',
      { context: 'app//', target: 'final', 'build-args': 'A=1\nSECRET_ARG' },
      ctx(),
      {
        label: 'build:app/Dockerfile#final',
        dockerfile: { path: 'app/Dockerfile', buildArgs: { A: '1', SECRET_ARG: 's3' }, target: 'final' },
        baseline: { kind: 'auto', saved: true, baseCommit: BASE, tag: undefined },
      },
    ],
    [
      'build mode with a file: that file',
      { context: '.', file: 'docker/Dockerfile.prod' },
      ctx(),
      {
        label: 'build:docker/Dockerfile.prod',
        dockerfile: { path: 'docker/Dockerfile.prod', buildArgs: {} },
      },
    ],
    [
      'a push to the default branch records the baseline and comments nowhere',
      { image: IMAGE, platform: 'all' },
      ctx({ kind: 'baseline', eventName: 'push', pr: undefined }),
      { record: true, comment: undefined, everyPlatform: true, platform: 'all' },
    ],
    [
      "a new branch's first push names no base commit",
      { context: '.' },
      ctx({ kind: 'push', eventName: 'push', pr: undefined, baseSha: '0'.repeat(40) }),
      { baseSha: undefined, baseline: { kind: 'auto', saved: true, baseCommit: undefined, tag: undefined } },
    ],
    ['comment: false comments nowhere', { image: IMAGE, comment: 'false' }, ctx(), { comment: undefined }],
    [
      'a fork PR: the comment place knows it',
      { image: IMAGE },
      ctx({ pr: { ...ctx().pr!, fromFork: true, headRepo: 'fork/app' } }),
      { comment: { owner: 'octo', repo: 'app', issueNumber: 7, fromFork: true } },
    ],
    [
      'baseline: a source, none',
      { image: IMAGE, baseline: 'ghcr.io/acme/app:v1' },
      ctx(),
      { baseline: { kind: 'source', source: 'ghcr.io/acme/app:v1' } },
    ],
    ['baseline: none', { image: IMAGE, baseline: 'none' }, ctx(), { baseline: { kind: 'none' } }],
    [
      'the comment-key input names the slug',
      { image: IMAGE, 'comment-key': 'app' },
      ctx(),
      { commentKey: 'app', imageSlug: keySlug('app') },
    ],
  ])('%s', (_name, inputs, c, want) => {
    expect(plan(inputs, c)).toMatchObject(want);
  });
});

describe('platformKey and runKey', () => {
  it.each<[string, Record<string, string>, string[], string[], string]>([
    [
      'one image: the image without its tag, and the platform',
      { image: 'ghcr.io/acme/app:pr-7' },
      ['linux/arm64'],
      ['ghcr.io/acme/app linux/arm64'],
      'ghcr.io/acme/app linux/arm64',
    ],
    [
      'one image with a comment-key: the key alone',
      { image: 'a.tar', 'comment-key': 'k' },
      ['linux/amd64'],
      ['k'],
      'k',
    ],
    [
      'every platform: one key each, and `all` for the run',
      { image: 'ghcr.io/acme/app:pr-7', platform: 'all' },
      ['linux/amd64', 'linux/arm64'],
      ['ghcr.io/acme/app linux/amd64', 'ghcr.io/acme/app linux/arm64'],
      'ghcr.io/acme/app all',
    ],
    [
      'every platform with a comment-key: the key and the platform, and the key for the run',
      { image: 'a.tar', platform: 'all', 'comment-key': 'k' },
      ['linux/amd64', 'linux/arm64'],
      ['k linux/amd64', 'k linux/arm64'],
      'k',
    ],
    [
      'build mode: the Dockerfile stands for the image',
      { context: '.', target: 't' },
      ['linux/amd64'],
      ['build:./Dockerfile#t linux/amd64'],
      'build:./Dockerfile#t linux/amd64',
    ],
  ])('%s', (_name, inputs, platforms, keys, run) => {
    const p = plan(inputs);
    expect(platforms.map((x) => platformKey(p, x))).toEqual(keys);
    expect(runKey(p, platforms)).toBe(run);
  });
});
