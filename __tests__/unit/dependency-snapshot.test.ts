// The dependency graph (src/github/dependency-snapshot.ts): the snapshot a run submits, checked by the REST
// double against GitHub's OpenAPI description, and the failures that must stay one warning.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as core from '@actions/core';
import {
  dependencySnapshot,
  submitDependencySnapshot,
  type SnapshotRun,
} from '../../src/github/dependency-snapshot.js';
import { githubClient } from '../../src/github/github-api.js';
import type { Report, ReportPackage } from '../../src/types/report.js';
import { report } from '../helpers/github-reports.js';
import { startGitHubApi, type GitHubApi } from '../helpers/github-api.js';

vi.mock('@actions/core', async (orig) => ({
  ...(await orig<typeof import('@actions/core')>()),
  info: vi.fn(),
  warning: vi.fn(),
}));

const RUN: SnapshotRun = {
  sha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
  ref: 'refs/heads/main',
  runId: '8675309',
  runUrl: 'https://github.com/o/r/actions/runs/8675309',
  correlator: 'slimgate ci check app',
  scanned: new Date('2026-01-02T03:04:05Z'),
};

const pkg = (name: string, x: Partial<ReportPackage> = {}): ReportPackage => ({
  manager: 'dpkg',
  name,
  version: '1',
  size: 1,
  files: 1,
  purl: `pkg:deb/debian/${name}@1`,
  ...x,
});

function imageReport(platform = 'linux/amd64'): Report {
  const r = report({
    packages: [
      pkg('curl', { dependsOn: ['libcurl4', 'ghost'] }),
      pkg('libcurl4', { dependsOn: ['libc6'] }),
      pkg('libc6', { dependsOn: [] }),
      pkg('no-purl', { purl: undefined as unknown as string }),
      pkg('left-pad', { manager: 'npm', purl: 'pkg:npm/left-pad@1.3.0' }),
    ],
    binaries: [
      {
        path: '/app',
        size: 1,
        kinds: null,
        stripped: null,
        go: {
          version: 'go1.22.4',
          path: 'example.com/app',
          main: null,
          deps: [
            { path: 'golang.org/x/net', version: 'v0.25.0', purl: 'pkg:golang/golang.org/x/net@v0.25.0' },
          ],
          settings: [{ key: '-ldflags', value: '-X main.key=ghp_notforthegraph000000000000000000000' }],
          stdlib: { version: 'go1.22.4', purl: 'pkg:golang/stdlib@go1.22.4' },
        },
      },
    ],
  });
  delete r.packages![3]!.purl;
  r.image.platform = platform;
  return r;
}

describe('the snapshot', () => {
  const snap = dependencySnapshot(
    [
      { key: 'app linux/amd64', report: imageReport() },
      { key: 'app linux/arm64', report: imageReport('linux/arm64') },
    ],
    RUN,
  );

  it('has one manifest per key and platform, packages by purl, direct or indirect where recorded', () => {
    expect(Object.keys(snap.manifests)).toEqual(['app linux/amd64', 'app linux/arm64']);
    const m = snap.manifests['app linux/amd64']!;
    expect(m.resolved['pkg:deb/debian/curl@1']).toEqual({
      package_url: 'pkg:deb/debian/curl@1',
      relationship: 'direct',
      scope: 'runtime',
      dependencies: ['pkg:deb/debian/libcurl4@1'],
    });
    expect(m.resolved['pkg:deb/debian/libc6@1']?.relationship).toBe('indirect');
    // npm recorded no dependencies here: direct or indirect is unknown, so not said.
    expect(m.resolved['pkg:npm/left-pad@1.3.0']?.relationship).toBeUndefined();
    expect(m.resolved['pkg:golang/stdlib@go1.22.4']).toBeDefined();
    expect(m.resolved['pkg:golang/golang.org/x/net@v0.25.0']).toBeDefined();
    expect(m.metadata['packages without purl']).toBe(1);
    expect(JSON.stringify(snap)).not.toContain('ghp_');
  });

  it('names the platform when the key does not', () => {
    const s = dependencySnapshot([{ key: 'app', report: imageReport('linux/arm64') }], RUN);
    expect(Object.keys(s.manifests)).toEqual(['app (linux/arm64)']);
  });
});

describe('submitting it', () => {
  // @actions/github reads GITHUB_API_URL once, when it is loaded: one double serves every test here.
  let api: GitHubApi;
  const saved = process.env['GITHUB_API_URL'];
  beforeAll(async () => {
    api = await startGitHubApi();
    process.env['GITHUB_API_URL'] = api.url;
  });
  afterAll(async () => {
    await api.stop();
    if (saved === undefined) delete process.env['GITHUB_API_URL'];
    else process.env['GITHUB_API_URL'] = saved;
  });
  beforeEach(() => {
    api.readOnly = false;
    api.clearFaults();
    api.snapshots.clear();
    vi.mocked(core.warning).mockClear();
  });
  afterEach(() => expect(api.violations).toEqual([]));

  const snap = (): ReturnType<typeof dependencySnapshot> =>
    dependencySnapshot([{ key: 'app', report: imageReport() }], RUN);

  it('posts a body that GitHub’s OpenAPI description accepts', async () => {
    const id = await submitDependencySnapshot(
      await githubClient(api.token),
      { owner: 'o', repo: 'r' },
      snap(),
    );
    expect(id).toBeGreaterThan(0);
    expect(api.snapshots.get('o/r')).toEqual([JSON.parse(JSON.stringify(snap()))]);
    expect(core.warning).not.toHaveBeenCalled();
  });

  it('the double would catch a body GitHub refuses', async () => {
    const bad = snap();
    bad.manifests['app (linux/amd64)']!.resolved['pkg:deb/debian/curl@1']!.relationship = 'maybe' as 'direct';
    await submitDependencySnapshot(
      await githubClient(api.token),
      { owner: 'o', repo: 'r' },
      { ...bad, sha: 'abc' },
    );
    expect(api.violations.join('\n')).toMatch(/request body:.*(sha|relationship)/);
    api.violations.splice(0);
  });

  it.each([
    ['a read-only token (403)', () => (api.readOnly = true), /403: the token needs "contents: write"/],
    [
      'no dependency graph (404)',
      () => api.inject('dependency-graph/create-repository-snapshot', { status: 404 }),
      /404/,
    ],
  ])('%s is one warning, and no throw', async (_, arrange, line) => {
    arrange();
    const id = await submitDependencySnapshot(
      await githubClient(api.token),
      { owner: 'o', repo: 'r' },
      snap(),
    );
    expect(id).toBeUndefined();
    expect(core.warning).toHaveBeenCalledTimes(1);
    expect(vi.mocked(core.warning).mock.calls[0]![0]).toMatch(line);
  });
});
