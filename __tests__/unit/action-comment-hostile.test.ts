// Comment mode (the fork-safe recipe's workflow_run job) posting an artifact that a fork's workflow wrote:
// run() with @actions/core and @actions/github mocked, the real readers, verdict and rendering. A malicious
// report.json, baseline.json or pr.json ends in one setFailed line naming the file and the field, and
// nothing is posted.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { core, failedLine, HEAD, octokit, resetMocks, stubRun } from '../helpers/action-mocks.js';
import { mainReport, prEnvelope, prReport } from '../helpers/github-reports.js';

vi.mock('@actions/core', async () => (await import('../helpers/action-mocks.js')).core);
vi.mock('@actions/github', async () => (await import('../helpers/action-mocks.js')).github);

const { run } = await import('../../src/action/main.js');

const envelope = prEnvelope(HEAD);

interface Artifact {
  pr?: unknown;
  report?: unknown;
  baseline?: unknown;
}

/** The check job's upload, as download-artifact leaves it: slimgate/<key>/{pr,report,baseline}.json. */
function artifact(runnerTemp: string, a: Artifact): { root: string; dir: string } {
  const root = path.join(runnerTemp, 'artifact');
  const dir = path.join(root, 'slimgate', 'docker-archive-app.tar-0123456789');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'pr.json'), JSON.stringify(a.pr ?? envelope));
  writeFileSync(path.join(dir, 'report.json'), JSON.stringify(a.report ?? prReport()));
  if (a.baseline !== undefined) writeFileSync(path.join(dir, 'baseline.json'), JSON.stringify(a.baseline));
  return { root, dir };
}

const withFinding = (patch: Record<string, unknown>): unknown => {
  const r = JSON.parse(JSON.stringify(prReport())) as { findings: Record<string, unknown>[] };
  r.findings[0] = { ...r.findings[0], ...patch };
  return r;
};

beforeEach(() => resetMocks());
afterEach(() => vi.unstubAllEnvs());

describe('comment mode with a malicious artifact', () => {
  it('a well-formed artifact is posted (the control)', async () => {
    const temp = stubRun({ mode: 'comment', report: 'x' }, { event: 'workflow_run' });
    const { root } = artifact(temp, { baseline: mainReport() });
    vi.stubEnv('INPUT_REPORT', root);
    await run();
    expect(core.setFailed).not.toHaveBeenCalled();
    expect(octokit.rest.issues.createComment).toHaveBeenCalledTimes(1);
  });

  it.each<[string, Artifact, (dir: string) => string]>([
    [
      'report.json with a wrong-typed finding (severity: 5)',
      { report: withFinding({ severity: 5 }) },
      (d) => `report ${d}/report.json: findings[0].severity must be one of error, warning, info (not 5)`,
    ],
    [
      'report.json with findings: [null]',
      { report: { ...prReport(), findings: [null] } },
      (d) => `report ${d}/report.json: findings[0] must be an object (not null)`,
    ],
    [
      'baseline.json with files: "x"',
      { baseline: { ...mainReport(), files: 'x' } },
      (d) => `baseline report ${d}/baseline.json: files must be an array (not "x")`,
    ],
    [
      'baseline.json with a layer of createdBy: 5',
      { baseline: { ...mainReport(), layers: [{ ...mainReport().layers[0], createdBy: 5 }] } },
      (d) => `baseline report ${d}/baseline.json: layers[0].createdBy must be a string or null (not 5)`,
    ],
    [
      'pr.json with a comment key that is not text (a lone surrogate)',
      { pr: { ...envelope, commentKey: 'app\udc00' } },
      (d) => `${d}/pr.json: commentKey must be one line of text (not "app\\udc00")`,
    ],
    [
      'pr.json with a label that is not a string',
      { pr: { ...envelope, baselineLabel: { toString: 'x' } } },
      (d) => `${d}/pr.json: baselineLabel must be a string (not a map)`,
    ],
  ])('%s: one setFailed line naming the file and the field, nothing posted', async (_n, a, want) => {
    const temp = stubRun({ mode: 'comment', report: 'x' }, { event: 'workflow_run' });
    const { root, dir } = artifact(temp, a);
    vi.stubEnv('INPUT_REPORT', root);
    await expect(run()).resolves.toBeUndefined();
    expect(failedLine()).toBe(want(dir));
    expect(octokit.rest.issues.createComment).not.toHaveBeenCalled();
    expect(octokit.rest.issues.updateComment).not.toHaveBeenCalled();
    expect(core.error).not.toHaveBeenCalled();
  });
});
