// End to end: the bundled action (dist/index.js) under the runner contract, under Node 20 (this machine)
// and Node 24 (what `runs.using: node24` means on GitHub), against the stateful GitHub REST double that
// validates every request and response against GitHub's OpenAPI description.
//
// The images are the committed examples: hello-scratch.tar (a static binary on scratch: "main") and
// busybox-os.tar (a busybox OS with a setuid helper and a package cache: "the PR").
// dist/ must be current: `npm run bundle`.
import { cpSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commentMarker } from '../../src/report/markdown.js';
import type { Report } from '../../src/types/report.js';
import { HUMAN, OTHER_HUMAN, startGitHubApi, type GitHubApi } from '../helpers/github-api.js';
import {
  forkSafeRuns,
  runAction,
  webhookExample,
  type ActionRun,
  type RunActionOptions,
} from '../helpers/github-action.js';
import { node24, repoRoot } from '../helpers/world.js';

const MAIN = path.join(repoRoot, 'examples', 'hello-scratch.tar');
const PR_IMAGE = path.join(repoRoot, 'examples', 'busybox-os.tar'); // an OCI archive, sniffed
const REPO = 'Codertocat/Hello-World';
const PR = 2;

const nodes: [string, () => string][] = [
  ['node 20', () => process.execPath],
  ['node 24', () => node24()],
];

function slimgateComments(
  api: GitHubApi,
  repo = REPO,
  pr = PR,
): { id: number; body: string; html_url: string }[] {
  return api.issueComments(repo, pr).filter((c) => c.body.includes('<!-- slimgate-comment:'));
}

/** The step's failure lines: error commands without annotation properties. */
function failures(r: ActionRun): ActionRun['errors'] {
  return r.errors.filter((e) => !e.properties['title']);
}

/** No line of a run may look like a stack trace. */
function expectNoStack(r: ActionRun): void {
  expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

describe.each(nodes)('the action under %s', (_name, nodeBin) => {
  let api: GitHubApi;
  const run = (o: Omit<RunActionOptions, 'api' | 'node'> & { api?: GitHubApi }): Promise<ActionRun> =>
    runAction({ node: nodeBin(), api, ...o });
  const prEvent = (): Record<string, unknown> => webhookExample('pull_request', 'opened');

  beforeEach(async () => {
    api = await startGitHubApi();
  });
  afterEach(async () => {
    await api.stop();
    expect(api.violations).toEqual([]);
  });

  it('first run: creates one comment, writes the summary, the outputs and the report', async () => {
    const r = await run({
      event: 'pull_request',
      payload: prEvent(),
      // Whether busybox passes depends on the rule catalog; this test is about the comment, so nothing blocks.
      inputs: { image: `oci-archive:${PR_IMAGE}`, baseline: `docker-archive:${MAIN}`, 'fail-on': 'never' },
    });
    expect(r.status, r.stdout).toBe(0);
    expectNoStack(r);
    const comments = slimgateComments(api);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    // The first line is the verdict with the headline numbers, labelled uncompressed.
    expect(body.split('\n')[0]).toMatch(/^(✅|⚠️|❌) \*\*2\.28 MB\*\* uncompressed \(\+1\.60 MB, \+234%\)/);
    expect(body).toContain('|  | master | this PR | Δ |');
    expect(body).toContain(`${commentMarker(`oci-archive:${PR_IMAGE} linux/amd64`)}\n<!-- slimgate-head:`);
    // The summary is the same markdown (without the marker).
    expect(r.summary.split('\n')[0]).toBe(body.split('\n')[0]);
    expect(r.summary).not.toContain('<!-- slimgate-comment');
    // Outputs.
    expect(r.outputs['passed']).toMatch(/^(true|false)$/);
    expect(r.outputs['comment-url']).toBe(comments[0]!.html_url);
    const dir = path.dirname(r.outputs['report']!);
    const report = JSON.parse(readFileSync(r.outputs['report']!, 'utf8')) as Report;
    const baseline = JSON.parse(readFileSync(path.join(dir, 'baseline.json'), 'utf8')) as Report;
    expect(report.schemaVersion).toBe(1);
    expect(r.outputs['size']).toBe(String(report.size.uncompressed));
    expect(r.outputs['compressed-size']).toBe(String(report.size.compressed));
    expect(r.outputs['size-delta']).toBe(String(report.size.uncompressed - baseline.size.uncompressed));
    expect(Number(r.outputs['size-delta'])).toBeGreaterThan(1_500_000);
    expect(existsSync(path.join(dir, 'pr.json'))).toBe(true);
    // Every request carried the token, and was one GitHub knows.
    // After creating, the comments are listed once more: a run that started alongside may have created one too.
    expect(api.requests.map((q) => `${q.method} ${q.operation}`)).toEqual([
      'GET pulls/get',
      'GET issues/list-comments',
      'POST issues/create-comment',
      'GET issues/list-comments',
    ]);
    // Outputs for chaining.
    expect(r.outputs['digest']).toBe(report.image.digest);
    expect(r.outputs['base']).toBe(report.base.verdict);
    expect(Number(r.outputs['errors'])).toBe(report.findings.filter((f) => f.severity === 'error').length);
    expect(Number(r.outputs['warnings'])).toBe(
      report.findings.filter((f) => f.severity === 'warning').length,
    );
    expect(Number(r.outputs['new-errors'])).toBeGreaterThan(0);
    expect(Number(r.outputs['size-delta-percent'])).toBeCloseTo(
      ((report.size.uncompressed - baseline.size.uncompressed) / baseline.size.uncompressed) * 100,
      1,
    );
    expect(r.outputs['comment-body']).toBe(body);
    // The footer: the commit checked and the run.
    const head = (prEvent()['pull_request'] as { head: { sha: string } }).head.sha;
    expect(body).toContain(
      `checked <code>${head.slice(0, 7)}</code> · [run](https://github.com/${REPO}/actions/runs/8675309)`,
    );
    expect(body.trimEnd().endsWith(`<!-- slimgate-head:${head} -->`)).toBe(true);
  });

  it('re-run: updates the comment in place, even when it sits past page 1 of the comments', async () => {
    for (let i = 0; i < 120; i++) api.seedComment(REPO, PR, `LGTM ${i}`);
    const inputs = {
      image: `docker-archive:${MAIN}`,
      baseline: 'none',
      'comment-key': 'app',
      'fail-on': 'never',
    };
    const first = await run({ event: 'pull_request', payload: prEvent(), inputs });
    expect(first.status, first.stdout).toBe(0);
    expect(slimgateComments(api)).toHaveLength(1);
    const id = slimgateComments(api)[0]!.id;
    expect(api.issueComments(REPO, PR).findIndex((c) => c.id === id)).toBe(120); // on page 2 of 100
    for (let i = 0; i < 5; i++) api.seedComment(REPO, PR, `more ${i}`);

    api.requests.length = 0;
    const second = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { ...inputs, image: `oci-archive:${PR_IMAGE}` },
    });
    expect(second.status, second.stdout).toBe(0);
    const after = slimgateComments(api);
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe(id);
    expect(after[0]!.body).toContain('2.28 MB');
    expect(api.requests.map((q) => `${q.method} ${q.operation} ${q.query['page'] ?? ''}`.trim())).toEqual([
      'GET pulls/get',
      'GET issues/list-comments',
      'GET issues/list-comments 2',
      'PATCH issues/update-comment',
    ]);
    expect(second.outputs['comment-url']).toBe(after[0]!.html_url);
  });

  it("never takes over a person's comment that quotes the marker", async () => {
    const inputs = {
      image: `docker-archive:${MAIN}`,
      baseline: 'none',
      'comment-key': 'app',
      'fail-on': 'never',
    };
    const quoted = `Why does the bot's comment end in ${commentMarker('app')}?`;
    const human = api.seedComment(REPO, PR, quoted);
    const first = await run({ event: 'pull_request', payload: prEvent(), inputs });
    expect(first.status, first.stdout).toBe(0);
    // A marker in a comment that is not a bot's: the action asks who the token is (GITHUB_TOKEN cannot say).
    expect(api.requests.map((q) => `${q.method} ${q.operation}`)).toEqual([
      'GET pulls/get',
      'GET issues/list-comments',
      'GET users/get-authenticated',
      'POST issues/create-comment',
      'GET issues/list-comments',
    ]);
    const ours = slimgateComments(api).filter((c) => c.id !== human.id);
    expect(ours).toHaveLength(1);
    expect(first.outputs['comment-url']).toBe(ours[0]!.html_url);

    // The re-run updates the bot's comment, still not the person's.
    api.requests.length = 0;
    const second = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { ...inputs, image: `oci-archive:${PR_IMAGE}` },
    });
    expect(second.status, second.stdout).toBe(0);
    expect(api.requests.map((q) => `${q.method} ${q.operation}`)).toEqual([
      'GET pulls/get',
      'GET issues/list-comments',
      'PATCH issues/update-comment',
    ]);
    expect(slimgateComments(api).map((c) => c.id)).toEqual([human.id, ours[0]!.id]);
    expect(slimgateComments(api)[1]!.body).toContain('2.28 MB');
    expect(human.body).toBe(quoted);
    expect(human.updated_at).toBe(human.created_at);
  });

  it("under a personal access token, updates that user's own comment and no one else's", async () => {
    api.viewer = HUMAN; // the PAT's owner, octocat
    const inputs = {
      image: `docker-archive:${MAIN}`,
      baseline: 'none',
      'comment-key': 'app',
      'fail-on': 'never',
    };
    const someoneElse = api.seedComment(REPO, PR, `quoting ${commentMarker('app')}`, OTHER_HUMAN);
    const first = await run({ event: 'pull_request', payload: prEvent(), inputs });
    expect(first.status, first.stdout).toBe(0);
    const mine = slimgateComments(api).filter((c) => c.id !== someoneElse.id);
    expect(mine).toHaveLength(1);
    const stored = [...api.comments.values()].flat().find((c) => c.id === mine[0]!.id);
    expect((stored?.user as { login: string }).login).toBe('octocat');

    api.requests.length = 0;
    const second = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { ...inputs, image: `oci-archive:${PR_IMAGE}` },
    });
    expect(second.status, second.stdout).toBe(0);
    expect(api.requests.map((q) => `${q.method} ${q.operation}`)).toEqual([
      'GET pulls/get',
      'GET issues/list-comments',
      'GET users/get-authenticated',
      'PATCH issues/update-comment',
    ]);
    expect(slimgateComments(api).map((c) => c.id)).toEqual([someoneElse.id, mine[0]!.id]);
    expect(someoneElse.updated_at).toBe(someoneElse.created_at);
  });

  it('two comment keys give two comments', async () => {
    const inputs = { image: MAIN, 'fail-on': 'never' };
    const a = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { ...inputs, 'comment-key': 'app' },
    });
    const b = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { ...inputs, 'comment-key': 'worker' },
    });
    const again = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { ...inputs, 'comment-key': 'app' },
    });
    expect([a.status, b.status, again.status]).toEqual([0, 0, 0]);
    const comments = slimgateComments(api);
    expect(comments).toHaveLength(2);
    expect(comments[0]!.body).toContain(commentMarker('app'));
    expect(comments[1]!.body).toContain(commentMarker('worker'));
  });

  it('a budget breach exits 1, after the comment and the summary are written', async () => {
    const r = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { image: PR_IMAGE, baseline: MAIN, 'max-size': '1MB', 'max-growth': '10%' },
    });
    expect(r.status).toBe(1);
    expectNoStack(r);
    const [c] = slimgateComments(api);
    expect(c!.body.split('\n')[0]).toMatch(
      /^❌ \*\*2\.28 MB\*\* uncompressed \(\+1\.60 MB, \+234%\) .*over budget: size \(uncompressed\) 2\.28 MB > 1\.00 MB \(\+1 more\)$/,
    );
    expect(r.summary.split('\n')[0]).toBe(c!.body.split('\n')[0]);
    // One failure line, last, that says why (the other errors are annotations, which carry a title).
    expect(failures(r)).toHaveLength(1);
    expect(failures(r)[0]!.message).toMatch(
      /^Slimgate: the image fails the policy: .*max-size 2\.28 MB > 1\.00 MB, max-growth 1\.\d\d MB > 68\.3 kB$/,
    );
    expect(r.stdout.trimEnd().split('\n').pop()).toMatch(/^::error::Slimgate: the image fails the policy/);
    expect(r.outputs['passed']).toBe('false');
  });

  it('fail-on: never exits 0 on the same breach, and says so', async () => {
    const r = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { image: PR_IMAGE, baseline: MAIN, 'max-size': '1MB', 'fail-on': 'never' },
    });
    expect(r.status).toBe(0);
    expect(failures(r)).toEqual([]);
    expect(r.warnings.map((w) => w.message).join('\n')).toMatch(
      /Slimgate: the image fails the policy \(.*max-size 2\.28 MB > 1\.00 MB\); not failing the step because fail-on is never/,
    );
    expect(slimgateComments(api)[0]!.body).toContain('fails, not blocking (fail-on: never)');
    expect(r.outputs['passed']).toBe('false');
  });

  it('an override label on the PR turns the failure into a warning', async () => {
    const payload = prEvent();
    const pr = payload['pull_request'] as { labels: unknown[] };
    pr.labels = [
      { ...(webhookExample('pull_request', 'labeled')['label'] as object), name: 'slimgate:allow' },
    ];
    const r = await run({
      event: 'pull_request',
      payload,
      inputs: { image: PR_IMAGE, 'max-size': '1MB', 'override-label': 'slimgate:allow' },
    });
    expect(r.status).toBe(0);
    expect(r.warnings.map((w) => w.message).join('\n')).toContain('overridden by the label "slimgate:allow"');
    expect(slimgateComments(api)[0]!.body).toContain('overrides it: not blocking');
  });

  it('the override label, when absent, is named in the comment with who can apply it', async () => {
    const r = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { image: PR_IMAGE, 'max-size': '1MB', 'override-label': 'slimgate:allow' },
    });
    expect(r.status).toBe(1);
    expect(slimgateComments(api)[0]!.body).toContain(
      'someone with triage or write access to this repository can add the label <code>slimgate&#58;allow</code>',
    );
  });

  it('a fork token (403 on writes): no crash, no comment, one warning, the summary and the verdict', async () => {
    api.readOnly = true;
    const r = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { image: PR_IMAGE, baseline: MAIN, 'max-size': '1MB' },
    });
    expect(r.status).toBe(1); // the verdict still blocks
    expectNoStack(r);
    expect(api.issueComments(REPO, PR)).toEqual([]);
    const warnings = r.warnings.filter((w) => /cannot comment/.test(w.message));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('HTTP 403');
    expect(warnings[0]!.message).toContain('workflow_run recipe');
    expect(r.summary).toMatch(/^❌ /);
    expect(r.summary).toContain(
      'This token cannot comment on the pull request, so this report is only in the job summary.',
    );
    expect(r.outputs['comment-url']).toBe('');
    expect(failures(r).map((e) => e.message)).toEqual([
      expect.stringMatching(/^Slimgate: the image fails the policy: .*max-size 2\.28 MB > 1\.00 MB$/),
    ]);
  });

  it('no baseline: the comment says so, and growth budgets are skipped, not failed', async () => {
    const r = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { image: MAIN, 'max-growth': '1%', 'fail-on': 'never' },
    });
    expect(r.status, r.stdout).toBe(0);
    const body = slimgateComments(api)[0]!.body;
    expect(body).toMatch(
      /> \*\*No baseline\.\*\* Baseline auto found no saved report for this image, and the image is not from a registry/,
    );
    expect(body).toContain('Growth budgets were skipped, not failed.');
    expect(body).toMatch(/\| growth \(uncompressed\) \| .* \| skipped.* \| ➖ \|/);
    expect(r.outputs['size-delta']).toBe('');
  });

  it('a bad input gives one clear line and no API call', async () => {
    const r = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { image: MAIN, 'fail-on': 'sometimes' },
    });
    expect(r.status).toBe(1);
    expectNoStack(r);
    expect(r.stderr).toBe('');
    expect(r.errors.map((e) => e.message)).toEqual([
      'input "fail-on": "sometimes" must be error, warning, new-error (fail only on errors main does not have) or never',
    ]);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('::error'))).toHaveLength(1);
    expect(api.requests).toEqual([]);

    const bad = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { image: 'examples/nope.tar' },
    });
    expect(bad.status).toBe(1);
    expect(bad.errors.map((e) => e.message)).toEqual(['examples/nope.tar: no such file or directory']);
    const size = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { image: MAIN, 'max-size': 'big' },
    });
    expect(size.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^input "max-size": "big" is not a size/),
    ]);
  });

  it('the token never appears in any output, comment, summary or report', async () => {
    api.readOnly = false;
    const runs = [
      await run({
        event: 'pull_request',
        payload: prEvent(),
        inputs: { image: PR_IMAGE, baseline: MAIN, 'max-size': '1MB' },
      }),
      await run({ event: 'pull_request', payload: prEvent(), inputs: { image: MAIN, 'fail-on': 'bogus' } }),
    ];
    api.readOnly = true;
    runs.push(
      await run({
        event: 'pull_request',
        payload: prEvent(),
        inputs: { image: MAIN, 'comment-key': 'fork' },
      }),
    );
    // A token the API rejects (401): its error is printed, the token is not.
    runs.push(
      await run({
        event: 'pull_request',
        payload: prEvent(),
        inputs: { image: MAIN },
        githubToken: `${api.token}-revoked`,
      }),
    );
    // It was used: every API call carried it.
    expect(api.requests.length).toBeGreaterThan(0);
    for (const q of api.requests.slice(0, 2)) expect(q.authorization).toBe(`token ${api.token}`);
    for (const r of runs) {
      // The only place it may occur is the ::add-mask:: command, which the runner consumes and never shows.
      expect(r.stdout).toContain(`::add-mask::${api.token}`);
      const visible = r.everything
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n');
      expect(visible).not.toContain(api.token);
    }
    for (const c of api.comments.values()) for (const x of c) expect(x.body).not.toContain(api.token);
    expect(api.everythingSent()).not.toContain(api.token);
  });

  it('annotates findings on the Dockerfile line that causes them', async () => {
    const r = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { image: PR_IMAGE, dockerfile: 'docker/Dockerfile' },
      files: {
        'docker/Dockerfile':
          'FROM busybox:1.36\nCOPY helper /usr/local/bin/helper\nRUN chmod u+s /usr/local/bin/helper\n',
      },
    });
    expect(r.status).toBe(1);
    const located = r.commands.filter((c) => c.properties['file']);
    expect(located.length).toBeGreaterThan(0);
    for (const a of located)
      expect(a.properties).toMatchObject({ file: 'docker/Dockerfile', line: expect.stringMatching(/^\d+$/) });
    const base = r.errors.find((e) => e.properties['title']?.startsWith('Slimgate SG110'));
    expect(base?.properties).toMatchObject({ file: 'docker/Dockerfile', line: '1' });
    // Each annotation names its rule; the failure line comes last.
    expect(r.stdout.trimEnd().split('\n').pop()).toMatch(/^::error::Slimgate: the image fails the policy/);
  });

  it("the ratchet passes a PR that keeps main's debt, and fails one that adds errors", async () => {
    // main is the OS image: its errors are debt.
    const keeps = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { image: PR_IMAGE, baseline: `oci-archive:${PR_IMAGE}`, 'fail-on': 'new-error' },
    });
    expect(keeps.status, keeps.stdout).toBe(0);
    expect(failures(keeps)).toEqual([]);
    const body = slimgateComments(api)[0]!.body;
    const debt = Number(keeps.outputs['errors']);
    expect(debt).toBeGreaterThan(0);
    expect(keeps.outputs['new-errors']).toBe('0');
    expect(keeps.outputs['passed']).toBe('true');
    // The debt is named after the PR's base branch (the webhook example's is master), as the header names it.
    expect(body.split('\n')[0]).toMatch(new RegExp(`^⚠️ .*· ${debt} errors? of debt from master$`));
    expect(body).toMatch(
      new RegExp(`<summary>Debt: ${debt} error findings? master already has \\(not blocking\\)</summary>`),
    );
    expect(body).toContain('passes: no new errors (fail-on: new-error)');

    // main is the static binary on scratch: every error of the OS image is new.
    const adds = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { image: PR_IMAGE, baseline: MAIN, 'fail-on': 'new-error', 'comment-key': 'adds' },
    });
    expect(adds.status).toBe(1);
    expect(Number(adds.outputs['new-errors'])).toBe(Number(adds.outputs['errors']));
    expect(failures(adds).map((e) => e.message)).toEqual([
      expect.stringMatching(/^Slimgate: the image fails the policy: \d+ new error findings?/),
    ]);
    const failing = slimgateComments(api).find((c) => c.body.includes(commentMarker('adds')))!.body;
    expect(failing).toContain('fails the check (fail-on: new-error)');
    expect(failing).not.toContain('of debt from');

    // With no baseline the ratchet judges as error, and says so: never a silent pass.
    const none = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: { image: PR_IMAGE, baseline: 'none', 'fail-on': 'new-error', 'comment-key': 'none' },
    });
    expect(none.status).toBe(1);
    const noBase = slimgateComments(api).find((c) => c.body.includes(commentMarker('none')))!.body;
    expect(noBase.split('\n')[0]).toContain('no baseline: judged as fail-on error');
  });

  it('an explicit fail-on: error beats .slimgate.yml, even though it is the default', async () => {
    const files = { '.slimgate.yml': 'fail-on: never\n' };
    const fromFile = await run({
      event: 'pull_request',
      payload: prEvent(),
      files,
      inputs: { image: PR_IMAGE },
    });
    expect(fromFile.status).toBe(0);
    const explicit = await run({
      event: 'pull_request',
      payload: prEvent(),
      files,
      inputs: { image: PR_IMAGE, 'fail-on': 'Error' },
    });
    expect(explicit.status).toBe(1);
  });

  it('the override label applied after the run started (not in the payload) unblocks', async () => {
    const payload = prEvent();
    const pr = payload['pull_request'] as { labels: unknown[]; head: { sha: string } };
    pr.labels = [];
    api.setPull(REPO, PR, { headSha: pr.head.sha, labels: ['slimgate:allow'] });
    const r = await run({
      event: 'pull_request',
      payload,
      inputs: { image: PR_IMAGE, 'max-size': '1MB', 'override-label': 'slimgate:allow' },
    });
    expect(r.status, r.stdout).toBe(0);
    expect(r.warnings.map((w) => w.message).join('\n')).toContain('overridden by the label "slimgate:allow"');
    expect(slimgateComments(api)[0]!.body).toContain('overrides it: not blocking');
    // And removed since: the payload still has it, the live PR does not: it blocks again.
    pr.labels = [
      { ...(webhookExample('pull_request', 'labeled')['label'] as object), name: 'slimgate:allow' },
    ];
    api.setPull(REPO, PR, { headSha: pr.head.sha, labels: [] });
    const again = await run({
      event: 'pull_request',
      payload,
      inputs: { image: PR_IMAGE, 'max-size': '1MB', 'override-label': 'slimgate:allow' },
    });
    expect(again.status).toBe(1);
  });

  it("an older run's comment never overwrites a newer one", async () => {
    const inputs = { image: PR_IMAGE, baseline: MAIN, 'fail-on': 'never', 'comment-key': 'app' };
    const newer = 'b'.repeat(40);
    const older = 'a'.repeat(40);
    const payloadFor = (sha: string): Record<string, unknown> => {
      const p = prEvent();
      (p['pull_request'] as { head: { sha: string } }).head.sha = sha;
      return p;
    };
    // The newer commit's run finishes first and comments.
    api.setPull(REPO, PR, { headSha: newer, labels: [] });
    const first = await run({ event: 'pull_request', payload: payloadFor(newer), inputs });
    expect(first.status, first.stdout).toBe(0);
    const posted = slimgateComments(api)[0]!;
    expect(posted.body).toContain(`<!-- slimgate-head:${newer} -->`);
    const before = posted.body;

    // Then the older commit's run finishes (or is re-run): the PR's head is the newer commit.
    api.requests.length = 0;
    const late = await run({
      event: 'pull_request',
      payload: payloadFor(older),
      inputs: { ...inputs, image: MAIN },
    });
    expect(late.status, late.stdout).toBe(0);
    expect(slimgateComments(api)).toHaveLength(1);
    expect(slimgateComments(api)[0]!.body).toBe(before);
    expect(api.requests.map((q) => `${q.method} ${q.operation}`)).toEqual(['GET pulls/get']);
    expect(late.notices.map((n) => n.message).join('\n')).toContain(
      `the PR comment is left as it is: this run checked aaaaaaa, and the pull request's head is now bbbbbbb`,
    );
    expect(late.summary).toContain('The PR comment was not updated');
    expect(late.outputs['comment-url']).toBe('');
  });

  it('merge_group: checks and writes the summary, comments on nothing', async () => {
    const r = await run({
      event: 'merge_group',
      payload: webhookExample('merge_group', 'checks_requested'),
      inputs: { image: PR_IMAGE, 'max-size': '1MB' },
    });
    expect(r.status).toBe(1);
    expect(r.summary).toMatch(/^❌ /);
    expect(api.requests).toEqual([]);
  });

  it('push to the default branch records the baseline, and the next PR run finds it with auto', async () => {
    const push = webhookExample('push', undefined, 4);
    expect(push['ref']).toBe('refs/heads/master');
    const rec = await run({
      event: 'push',
      payload: push,
      inputs: { image: `docker-archive:${MAIN}`, 'fail-on': 'never' },
    });
    expect(rec.status, rec.stdout).toBe(0);
    expect(api.requests).toEqual([]);
    expect(rec.stdout).toMatch(/baseline: recorded .*slimgate-baseline\/.*\.json/);

    // As after actions/cache/restore: the PR job's RUNNER_TEMP holds the saved directory.
    const prTemp = path.join(rec.runnerTemp, '..', 'pr-runner-temp');
    cpSync(path.join(rec.runnerTemp, 'slimgate-baseline'), path.join(prTemp, 'slimgate-baseline'), {
      recursive: true,
    });
    const r = await run({
      event: 'pull_request',
      payload: prEvent(),
      inputs: {
        image: `oci-archive:${PR_IMAGE}`,
        'comment-key': `docker-archive:${MAIN} linux/amd64`,
        'fail-on': 'never',
      },
      runnerTemp: prTemp,
    });
    expect(r.status, r.stdout).toBe(0);
    const body = slimgateComments(api)[0]!.body;
    expect(body).toContain('against master (<code>saved report</code>)');
    expect(body.split('\n')[0]).toContain('(+1.60 MB, +234%)');
  });

  it('another event checks, summarises and says why it does not comment', async () => {
    const r = await run({
      event: 'workflow_dispatch',
      payload: webhookExample('workflow_dispatch'),
      inputs: { image: MAIN, 'fail-on': 'never' },
    });
    expect(r.status).toBe(0);
    expect(r.notices.map((n) => n.message).join('\n')).toContain(
      'the workflow_dispatch event has no pull request',
    );
    expect(r.summary).toMatch(/^(✅|⚠️|❌) \*\*683 kB\*\* uncompressed/);
    expect(api.requests).toEqual([]);
  });

  it('fork-safe: a read-only pull_request run leaves the report, a workflow_run job posts it', async () => {
    const { check, workflowRun, headSha, repo, comment } = await forkSafeRuns(
      api,
      run,
      { inputs: { image: PR_IMAGE, baseline: MAIN, 'fail-on': 'never' } },
      PR,
    );
    expect(check.status).toBe(0);
    expect(api.issueComments(REPO, PR)).toEqual([]);
    const post = await comment();
    expect(post.status, post.stdout).toBe(0);
    const comments = slimgateComments(api, repo, PR);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body.split('\n')[0]).toBe(check.summary.split('\n')[0]);
    expect(post.outputs['comment-url']).toBe(comments[0]!.html_url);
    // The footer names what GitHub confirmed: the PR's head, and the run that built the report.
    const runId = (workflowRun['workflow_run'] as { id: number }).id;
    expect(comments[0]!.body).toContain(
      `checked <code>${headSha.slice(0, 7)}</code> · [run](https://github.com/${repo}/actions/runs/${runId})`,
    );
    expect(comments[0]!.body.trimEnd().endsWith(`<!-- slimgate-head:${headSha} -->`)).toBe(true);

    // A report whose PR's head is not the commit the run built is not posted: a fork cannot aim elsewhere.
    api.setPull(repo, PR, { headSha: 'f'.repeat(40), labels: [] });
    const other = await comment();
    expect(other.status).toBe(0);
    expect(other.warnings.map((w) => w.message).join('\n')).toMatch(
      /not posting .*PR #2's head is ffffffffffff/,
    );
    expect(slimgateComments(api, repo, PR)).toHaveLength(1);
  });
});
