// End to end: SARIF from the bundled CLI (dist/cli.js --sarif) and the bundled action (the `sarif` input and
// output), validated by Microsoft's SARIF Multitool with GitHub's ingestion rules, as upload-sarif would
// take it. dist/ must be current: `npm run bundle`.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SarifLog } from '../../src/report/sarif.js';
import { distCli, stderrLines } from '../helpers/cli.js';
import { useGitHubApi, type GitHubApi } from '../helpers/github-api.js';
import { runAction, webhookExample } from '../helpers/github-action.js';
import { multitoolValidate } from '../helpers/sarif-multitool.js';
import { node24, repoRoot, run } from '../helpers/world.js';

const PR_IMAGE = path.join(repoRoot, 'examples', 'busybox-os.tar'); // fails the default policy
const CLEAN_IMAGE = path.join(repoRoot, 'examples', 'hello-scratch.tar');
const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-sarif-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function readSarif(file: string): SarifLog {
  return JSON.parse(readFileSync(file, 'utf8')) as SarifLog;
}

function expectValid(file: string): void {
  for (const kind of ['Gh', undefined] as const) {
    const issues = multitoolValidate([file], kind).get(file)!;
    expect(
      issues.filter((i) => i.level !== 'note'),
      `${kind ?? 'default'} rules`,
    ).toEqual([]);
  }
}

describe('slimgate check --sarif', () => {
  const cliIn = (cwd: string, args: string[]) =>
    run(process.execPath, [distCli, ...args], { cwd, allowFailure: true, timeout: 120_000 });

  it('writes the log when the check fails, and the exit code stays 1', () => {
    const cwd = mkdtempSync(path.join(tmp, 'cli-'));
    copyFileSync(PR_IMAGE, path.join(cwd, 'app.tar'));
    const r = cliIn(cwd, ['check', 'app.tar', '--sarif', 'out/slimgate.sarif']);
    expect(r.status, r.stderr).toBe(1);
    const file = path.join(cwd, 'out', 'slimgate.sarif');
    const log = readSarif(file);
    const results = log.runs[0]!.results;
    expect(results.length).toBeGreaterThan(0);
    expect(results.map((x) => x.ruleId)).toContain('SG202'); // busybox
    // No Dockerfile: the archive that was checked, relative to the working directory.
    for (const x of results) expect(x.locations[0]!.physicalLocation?.artifactLocation.uri).toBe('app.tar');
    expect(log.runs[0]!.automationDetails.id).toBe('app.tar linux/amd64/');
    expectValid(file);
  }, 180_000);

  it('writes an empty log, and exits 0, on a clean image', () => {
    const cwd = mkdtempSync(path.join(tmp, 'cli-'));
    copyFileSync(CLEAN_IMAGE, path.join(cwd, 'hello.tar'));
    const r = cliIn(cwd, ['check', 'hello.tar', '--sarif', 'hello.sarif']);
    expect(r.status, r.stderr).toBe(0);
    expect(readSarif(path.join(cwd, 'hello.sarif')).runs[0]!.results).toEqual([]);
    expectValid(path.join(cwd, 'hello.sarif'));
  }, 180_000);

  it('is a usage error with --manifest-only and with inspect, and an unwritable path is one line', () => {
    const cwd = mkdtempSync(path.join(tmp, 'cli-'));
    writeFileSync(path.join(cwd, 'a-file'), '');
    for (const args of [
      ['check', PR_IMAGE, '--manifest-only', '--max-layers', '9', '--sarif', 'x.sarif'],
      ['inspect', PR_IMAGE, '--sarif', 'x.sarif'],
      ['check', PR_IMAGE, '--sarif', 'a-file/x.sarif'],
      // Node's recursive mkdir never returns here.
      ['check', PR_IMAGE, '--sarif', '/proc/nope/x.sarif'],
    ]) {
      const r = cliIn(cwd, args);
      expect(r.status, r.stderr).toBe(2);
      expect(stderrLines(r)).toHaveLength(1);
      expect(r.stderr).toMatch(/^slimgate: .*sarif/);
    }
    expect(existsSync(path.join(cwd, 'x.sarif'))).toBe(false);
  }, 180_000);
});

describe('the action’s sarif input and output', () => {
  let api: GitHubApi;
  useGitHubApi((a) => (api = a));

  it('writes the log on a failing PR, with Dockerfile locations and the comment key as its category', async () => {
    const r = await runAction({
      node: node24(),
      api,
      event: 'pull_request',
      payload: webhookExample('pull_request', 'opened'),
      inputs: {
        image: PR_IMAGE,
        dockerfile: 'docker/Dockerfile',
        sarif: 'results/slimgate.sarif',
        'comment-key': 'busybox matrix-1',
      },
      files: {
        'docker/Dockerfile':
          'FROM busybox:1.36\nCOPY helper /usr/local/bin/helper\nRUN chmod u+s /usr/local/bin/helper\n',
      },
    });
    expect(r.status).toBe(1);
    const file = path.join(r.workspace, 'results', 'slimgate.sarif');
    expect(r.outputs['sarif']).toBe(file);
    const log = readSarif(file);
    expect(log.runs[0]!.automationDetails.id).toBe('busybox matrix-1/');
    const results = log.runs[0]!.results;
    expect(results.length).toBeGreaterThan(0);
    for (const x of results) {
      expect(x.locations[0]!.physicalLocation?.artifactLocation.uri).toBe('docker/Dockerfile');
      expect(x.locations[0]!.physicalLocation?.region.startLine).toBeGreaterThanOrEqual(1);
    }
    expect(results.find((x) => x.ruleId === 'SG110')!.locations[0]!.physicalLocation!.region.startLine).toBe(
      1,
    );
    expectValid(file);
  }, 180_000);

  it('writes nothing and an empty output without the input', async () => {
    const r = await runAction({
      node: node24(),
      api,
      event: 'pull_request',
      payload: webhookExample('pull_request', 'opened'),
      inputs: { image: CLEAN_IMAGE },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.outputs['sarif']).toBe('');
  }, 180_000);
});
