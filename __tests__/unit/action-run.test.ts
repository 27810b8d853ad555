// The action's run() as actions/typescript-action tests it: @actions/core and @actions/github mocked, the
// engine's check stood in for through the seam src/action/checker.ts. The inputs, the event payload, the
// policy, the verdict, the report files and the rendering are the real ones.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Report } from '../../src/types/report.js';
import { core, failedLine, octokit, outputs, resetMocks, stubRun } from '../helpers/action-mocks.js';
import { finding, mainReport } from '../helpers/github-reports.js';

vi.mock('@actions/core', async () => (await import('../helpers/action-mocks.js')).core);
vi.mock('@actions/github', async () => (await import('../helpers/action-mocks.js')).github);

const { run } = await import('../../src/action/main.js');
const { checker } = await import('../../src/action/checker.js');

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
    check.mockResolvedValue(passing());
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
    check.mockResolvedValue(failing());
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
    check.mockResolvedValue(failing());
    stubRun({ image: 'docker-archive:app.tar', 'override-label': 'slimgate-override' });
    await run();
    expect(core.setFailed).not.toHaveBeenCalled();
    expect(core.warning).toHaveBeenCalledWith(
      expect.stringMatching(/overridden by the label "slimgate-override"/),
    );
    expect(outputs()['passed']).toBe('false');
  });

  it('comment: false: no comment call to GitHub, and the summary still written', async () => {
    check.mockResolvedValue(failing());
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
