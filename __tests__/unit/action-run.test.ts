// The action's run() as actions/typescript-action tests it: @actions/core and @actions/github mocked, the
// engine's check stood in for through the seam src/action/checker.ts. The inputs, the event payload, the
// policy, the verdict, the report files and the rendering are the real ones.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_POLICY } from '../../src/analysis/policy.js';
import { judgeChecked, type CheckOptions, type CheckRun } from '../../src/engine/engine.js';
import { parsePlatform } from '../../src/sources/platform.js';
import type { Report } from '../../src/types/report.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { core, failedLine, octokit, outputs, resetMocks, stubRun } from '../helpers/action-mocks.js';
import { finding, mainReport } from '../helpers/github-reports.js';

vi.mock('@actions/core', async () => (await import('../helpers/action-mocks.js')).core);
vi.mock('@actions/github', async () => (await import('../helpers/action-mocks.js')).github);

const { run } = await import('../../src/action/main.js');
const { checker } = await import('../../src/action/checker.js');

/**
 * The engine's check stood in for: the scan gives `report`, and the engine's own second half judges it
 * (the baseline provider, the override label read after the scan, the verdict).
 */
const scanned =
  (...reports: Report[]) =>
  (_source: string, o: CheckOptions): Promise<CheckRun> =>
    judgeChecked(
      reports.map((report) => ({
        report,
        policy: o.policy ?? DEFAULT_POLICY,
        platform: parsePlatform(report.image.platform),
      })),
      o,
    );

/** The same report on another platform. */
const on = (r: Report, platform: string): Report => ({ ...r, image: { ...r.image, platform } });

const passing = (): Report => mainReport();
const failing = (): Report => {
  const r = mainReport();
  return {
    ...r,
    findings: [...r.findings, finding('SG201', 'shell', 'error', '/bin/sh', 'a shell: /bin/sh')],
  };
};

let check: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  resetMocks();
  check = vi.spyOn(checker, 'check');
});

afterEach(() => {
  vi.unstubAllEnvs();
  check.mockRestore();
});

describe('run()', () => {
  it.each([
    ['mode', { image: 'app.tar', mode: 'review' }, /^input "mode" must be check or comment, not "review"$/],
    ['fail-on', { image: 'app.tar', 'fail-on': 'sometimes' }, /fail-on/],
    ['comment', { image: 'app.tar', comment: 'yes' }, /^input "comment" must be true or false, not "yes"$/],
  ])('a bad %s input: setFailed with one line, no throw, nothing checked', async (_n, inputs, re) => {
    stubRun(inputs);
    await expect(run()).resolves.toBeUndefined();
    expect(failedLine()).toMatch(re);
    expect(failedLine()).not.toMatch(/^internal error/);
    expect(check).not.toHaveBeenCalled();
    expect(core.setOutput).not.toHaveBeenCalled();
  });

  it('a passing check: outputs set (passed, size, errors…), the summary written, the comment posted, no failure', async () => {
    check.mockImplementation(scanned(passing()));
    stubRun({ image: 'docker-archive:app.tar' });
    await run();
    expect(core.setFailed).not.toHaveBeenCalled();
    expect(check).toHaveBeenCalledTimes(1);
    expect(check.mock.calls[0]?.[0]).toBe('docker-archive:app.tar');
    const out = outputs();
    expect(out).toMatchObject({
      passed: 'true',
      size: String(passing().size.uncompressed),
      'compressed-size': String(passing().size.compressed),
      errors: '0',
      warnings: '1',
      base: 'scratch',
      digest: passing().image.digest,
      'comment-url': 'https://c/1',
    });
    expect(out['report']).toMatch(/report\.json$/);
    expect(out['comment-body']).toContain('<!--');
    expect(core.summary.write).toHaveBeenCalledTimes(1);
    expect(octokit.rest.issues.createComment).toHaveBeenCalledTimes(1);
    expect(octokit.rest.issues.createComment.mock.calls[0]?.[0]).toMatchObject({
      owner: 'octo',
      repo: 'app',
      issue_number: 7,
    });
  });

  it('a failing check: setFailed once, after the summary and the comment are written', async () => {
    check.mockImplementation(scanned(failing()));
    stubRun({ image: 'docker-archive:app.tar' });
    await run();
    expect(failedLine()).toMatch(/^Slimgate: the image fails the policy: 1 error finding$/);
    expect(outputs()).toMatchObject({ passed: 'false', errors: '1' });
    const failedAt = core.setFailed.mock.invocationCallOrder[0] as number;
    expect(core.summary.write.mock.invocationCallOrder[0]).toBeLessThan(failedAt);
    expect(octokit.rest.issues.createComment.mock.invocationCallOrder[0]).toBeLessThan(failedAt);
  });

  it('a failing check with the override label on the PR: a warning, not a failure', async () => {
    resetMocks(['slimgate-override']);
    check.mockImplementation(scanned(failing()));
    stubRun({ image: 'docker-archive:app.tar', 'override-label': 'slimgate-override' });
    await run();
    expect(core.setFailed).not.toHaveBeenCalled();
    expect(core.warning).toHaveBeenCalledWith(
      expect.stringMatching(/overridden by the label "slimgate-override"/),
    );
    expect(outputs()['passed']).toBe('false');
  });

  it('comment: false: no comment call to GitHub, and the summary still written', async () => {
    check.mockImplementation(scanned(failing()));
    stubRun({ image: 'docker-archive:app.tar', comment: 'false' });
    await run();
    const { issues, users } = octokit.rest;
    for (const fn of [
      issues.listComments,
      issues.createComment,
      issues.updateComment,
      users.getAuthenticated,
    ])
      expect(fn).not.toHaveBeenCalled();
    expect(octokit.paginate.iterator).not.toHaveBeenCalled();
    expect(outputs()['comment-url']).toBe('');
    expect(core.summary.write).toHaveBeenCalledTimes(1);
    expect(failedLine()).toMatch(/fails the policy/);
  });

  it('a registry failure in the engine: one line, not an internal error, no token', async () => {
    const { RegistryError } = await import('../../src/util/errors.js');
    check.mockRejectedValue(
      new RegistryError('ghcr.io/octo/app:1: connection to ghcr.io failed after 5 tries (read ECONNRESET)', {
        cause: new Error('read ECONNRESET'),
      }),
    );
    stubRun({ image: 'ghcr.io/octo/app:1' });
    await expect(run()).resolves.toBeUndefined();
    expect(failedLine()).toBe(
      'ghcr.io/octo/app:1: connection to ghcr.io failed after 5 tries (read ECONNRESET)',
    );
    expect(core.setSecret).toHaveBeenCalledWith('ghs_not-a-real-token');
  });

  it('a bug in the engine: "internal error", its message alone (no stack), and no throw', async () => {
    check.mockRejectedValue(new TypeError("Cannot read properties of undefined (reading 'x')"));
    stubRun({ image: 'docker-archive:app.tar' });
    await expect(run()).resolves.toBeUndefined();
    expect(failedLine()).toBe("internal error: Cannot read properties of undefined (reading 'x')");
  });
});

// One path for one image and for every platform: each case failed on the code before it, where
// `platform: all` took a path of its own.
describe('platform: all takes the one-image path', () => {
  it.each(['linux/amd64', 'all'])(
    'platform %s: a push made while the image was read leaves the comment alone (the PR is read after the scan)',
    async (platform) => {
      stubRun({ image: 'docker-archive:app.tar', platform });
      check.mockImplementation(async (source: string, o: CheckOptions) => {
        // The scan takes a while; meanwhile a new commit becomes the PR's head.
        octokit.rest.pulls.get.mockResolvedValue({
          data: { head: { sha: 'c'.repeat(40) }, labels: [], state: 'open' },
        });
        return scanned(passing(), on(passing(), 'linux/arm64'))(source, o);
      });
      await run();
      expect(octokit.rest.issues.createComment).not.toHaveBeenCalled();
      expect(octokit.rest.issues.updateComment).not.toHaveBeenCalled();
      expect(core.notice).toHaveBeenCalledWith(
        expect.stringMatching(/the PR comment is left as it is: this run checked aaaaaaa, .* is now ccccccc/),
      );
      expect(core.summary.write).toHaveBeenCalledTimes(1);
    },
  );

  it('platform all: the override label added while the image was read is seen', async () => {
    stubRun({ image: 'docker-archive:app.tar', platform: 'all', 'override-label': 'slimgate-override' });
    check.mockImplementation(async (source: string, o: CheckOptions) => {
      resetMocks(['slimgate-override']);
      return scanned(failing(), on(failing(), 'linux/arm64'))(source, o);
    });
    await run();
    expect(core.setFailed).not.toHaveBeenCalled();
    expect(core.warning).toHaveBeenCalledWith(
      expect.stringMatching(/fails the policy on linux\/amd64 .*overridden by the label "slimgate-override"/),
    );
  });

  it('platform all: the size history on main is drawn for each platform, as for one image', async () => {
    const dir = stubRun({ image: 'docker-archive:app.tar', platform: 'all' });
    const main = {
      ...passing(),
      history: [
        { commit: '1'.repeat(40), date: '2026-11-01', compressed: 900_000, uncompressed: 1_800_000 },
        { commit: '2'.repeat(40), date: '2026-11-02', compressed: 910_000, uncompressed: 1_819_444 },
      ],
    };
    writeFileSync(path.join(dir, 'main.json'), JSON.stringify(main));
    vi.stubEnv('INPUT_BASELINE', path.join(dir, 'main.json'));
    check.mockImplementation(scanned(passing(), on(passing(), 'linux/arm64')));
    await run();
    const body = outputs()['comment-body'] ?? '';
    expect(body.match(/Size history on main \(2 commits\)/g)).toHaveLength(2);
    expect(body).toContain('xychart-beta');
  });

  it('platform all: one-click fixes to the Dockerfile are suggested, once for the platforms that share them', async () => {
    const dir = stubRun({
      image: 'docker-archive:app.tar',
      platform: 'all',
      suggestions: 'true',
    });
    vi.stubEnv('INPUT_DOCKERFILE', path.join(dir, 'Dockerfile'));
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      'FROM scratch\nCOPY hello /app/hello\nENTRYPOINT ["/app/hello"]\n',
    );
    const root = {
      ...passing(),
      findings: [
        {
          ...finding('SG320', 'user', 'warning', '', 'runs as root: no USER in the image config'),
          path: undefined,
          location: { file: path.join(dir, 'Dockerfile'), line: 3 },
        },
      ],
    };
    check.mockImplementation(scanned(root, on(root, 'linux/arm64')));
    await run();
    const body = outputs()['comment-body'] ?? '';
    expect(body).toContain('Suggested changes to the Dockerfile');
    expect(body.match(/^\+USER 65532:65532$/gm)).toHaveLength(1);
  });

  it.each(['linux/amd64', 'all'])(
    'platform %s: a finding is annotated once, however many times it is reported',
    async (platform) => {
      stubRun({ image: 'docker-archive:app.tar', platform });
      const twice = failing();
      twice.findings = [...twice.findings, ...twice.findings.filter((f) => f.id === 'SG201')];
      check.mockImplementation(scanned(twice));
      await run();
      const shells = core.error.mock.calls.filter(([m]) => String(m).includes('/bin/sh'));
      expect(shells).toHaveLength(1);
    },
  );

  it('a fix skipped for an image path with a newline cannot start a workflow command in the log', async () => {
    const dir = stubRun({ image: 'docker-archive:app.tar', suggestions: 'true' });
    vi.stubEnv('INPUT_DOCKERFILE', path.join(dir, 'Dockerfile'));
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY hello /app/hello\n');
    const evil = {
      ...passing(),
      findings: [finding('SG601', 'waste', 'warning', '/var/cache/apt\n::error::pwned')],
    };
    check.mockImplementation(scanned(evil));
    await run();
    const logged = [...core.info.mock.calls, ...core.warning.mock.calls].map(([m]) => String(m));
    const skipped = logged.filter((m) => m.includes('no fix for SG601'));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toContain('/var/cache/apt\\n::error::pwned');
    expect(logged.filter((m) => /\n::/.test(m))).toEqual([]);
  });
});
