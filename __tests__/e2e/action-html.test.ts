// End to end: the HTML report as a workflow artifact (issue 19, the action half). The bundled action
// (dist/index.js) runs under Node 20 and Node 24 with the runner's artifact env pointing at the artifact
// service double (a JWT runtime token, twirp CreateArtifact/FinalizeArtifact, the Azure block-blob upload of
// the zip) and the GitHub REST double. The zip the double kept is opened and compared with the page written.
// dist/ must be current: `npm run bundle`.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startArtifactService, readZip, type ArtifactService } from '../helpers/artifact-service.js';
import { startGitHubApi, type GitHubApi } from '../helpers/github-api.js';
import {
  forkSafeRuns,
  runAction,
  webhookExample,
  type ActionRun,
  type RunActionOptions,
} from '../helpers/github-action.js';
import { multiLayout } from '../helpers/platform-layouts.js';
import { makeLayout } from '../helpers/registry-world.js';
import { elf } from '../helpers/rules-kit.js';
import { node24, repoRoot } from '../helpers/world.js';

const HELLO = path.join(repoRoot, 'examples', 'hello-scratch.tar');
const REPO = 'Codertocat/Hello-World';
const RUN_PAGE = `https://github.com/${REPO}/actions/runs/8675309`;
const SCRIPT = '<script>alert(1)</script>';

const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-e2e-html-'));
const multi = path.join(tmp, 'multi');
const hostile = path.join(tmp, 'hostile');
beforeAll(async () => {
  await multiLayout(multi, { amd64: 20_000, arm64: 35_000 });
  // An image whose file names are markup: the page shows them as text (tested with the renderer); here the
  // upload must carry the page byte for byte.
  await makeLayout(hostile, 'app', [
    [
      { name: 'app', body: elf({ machine: 62, interp: null }), mode: 0o755 },
      { name: `srv/${SCRIPT}`, body: Buffer.alloc(3000, 1) },
      { name: `srv/"><img src=x onerror=alert(2)>`, body: Buffer.alloc(2000, 2) },
    ],
  ]);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const nodes: [string, () => string][] = [
  ['node 20', () => process.execPath],
  ['node 24', () => node24()],
];

const lineFor = (url: string): string =>
  `📊 [Where the bytes are: the HTML report](${url}) (a workflow artifact)`;

function expectNoStack(r: ActionRun): void {
  expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

/** The step's failure lines: error commands without annotation properties. */
const failures = (r: ActionRun): string[] =>
  r.errors.filter((e) => !e.properties['title']).map((e) => e.message);

/** Warnings that are not the image's findings. */
const artifactWarnings = (r: ActionRun): string[] =>
  r.warnings.map((w) => w.message).filter((m) => /artifact|upload/i.test(m));

describe.each(nodes)('the HTML report as a workflow artifact under %s', (_name, nodeBin) => {
  let api: GitHubApi;
  let svc: ArtifactService;

  beforeEach(async () => {
    api = await startGitHubApi();
    svc = await startArtifactService();
  });
  afterEach(async () => {
    await api.stop();
    await svc.stop();
    expect(api.violations).toEqual([]);
    expect(svc.violations).toEqual([]);
  });

  const slimgateComments = (repo = REPO): { body: string }[] =>
    api.issueComments(repo, 2).filter((c) => c.body.includes('<!-- slimgate-comment:'));

  const run = (o: Omit<RunActionOptions, 'api' | 'node'>): Promise<ActionRun> =>
    runAction({ node: nodeBin(), api, ...o });

  const pullRequest = (
    inputs: Record<string, string>,
    env: NodeJS.ProcessEnv = svc.env(),
  ): Promise<ActionRun> =>
    run({
      event: 'pull_request',
      payload: webhookExample('pull_request', 'opened'),
      // The SBOM shares the artifact: its own tests are action-sbom.test.ts.
      inputs: { 'fail-on': 'never', 'sbom-format': 'none', ...inputs },
      env,
    });

  /** The one finalized artifact: its files, each the same bytes as the page written. */
  function uploadedPages(r: ActionRun): Map<string, Buffer> {
    expect(svc.artifacts.filter((a) => a.finalized)).toHaveLength(1);
    const [a] = svc.artifacts;
    const files = readZip(a!.zip!);
    const written = r.outputs['html']!.split('\n');
    expect([...files.keys()].sort()).toEqual(written.map((p) => path.basename(p)).sort());
    for (const p of written) expect(files.get(path.basename(p))!.equals(readFileSync(p)), p).toBe(true);
    return files;
  }

  it('a PR uploads one artifact holding the page; the comment, the summary and the outputs link it', async () => {
    const r = await pullRequest({ image: HELLO });
    expect(r.status, r.stdout).toBe(0);
    expectNoStack(r);
    expect(artifactWarnings(r)).toEqual([]);

    // The page beside the JSON report, under the run's key.
    const page = r.outputs['html']!;
    expect(path.dirname(page)).toBe(path.dirname(r.outputs['report']!));
    expect(page).toBe(path.join(path.dirname(r.outputs['report']!), 'report.html'));
    expect(page.startsWith(path.join(r.runnerTemp, 'slimgate') + path.sep)).toBe(true);
    const files = uploadedPages(r);
    expect(files.get('report.html')!.toString('utf8')).toMatch(/^<!DOCTYPE html>/i);

    // One artifact, named from the run key's slug, a zip of the page.
    const [a] = svc.artifacts;
    expect(a!.name).toBe(`slimgate-${path.basename(path.dirname(page))}`);
    expect(a!.mimeType).toBe('application/zip');
    expect(svc.requests.filter((q) => q.method === 'POST').map((q) => q.path)).toEqual([
      'CreateArtifact',
      'FinalizeArtifact',
    ]);

    // The URL: the run's page (GITHUB_RUN_ID) and the id the service returned.
    const url = `${RUN_PAGE}/artifacts/${a!.id}`;
    expect(r.outputs['html-url']).toBe(url);
    const comments = slimgateComments();
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body.split('\n').filter((l) => l.includes('HTML report'))).toEqual([lineFor(url)]);
    expect(r.summary.split('\n').filter((l) => l.includes('HTML report'))).toEqual([lineFor(url)]);
    expect(r.outputs['comment-body']).toContain(lineFor(url));
  });

  it('platform: all uploads one page per platform in one artifact', async () => {
    const r = await pullRequest({ image: `oci:${multi}:multi`, platform: 'all' });
    expect(r.status, r.stdout).toBe(0);
    expect(artifactWarnings(r)).toEqual([]);
    const written = r.outputs['html']!.split('\n');
    expect(written.map((p) => path.basename(p))).toEqual([
      'report-linux-amd64.html',
      'report-linux-arm64.html',
    ]);
    const files = uploadedPages(r);
    expect(files.size).toBe(2);
    // Each page is its own platform's.
    expect(files.get('report-linux-arm64.html')!.toString('utf8')).toContain('linux/arm64');
    const url = `${RUN_PAGE}/artifacts/${svc.artifacts[0]!.id}`;
    expect(r.outputs['html-url']).toBe(url);
    const body = slimgateComments()[0]!.body;
    expect(body.split('\n')[0]).toMatch(/^✅ \*\*2 platforms\*\*/);
    expect(body.split('\n').filter((l) => l.includes('HTML report'))).toEqual([lineFor(url)]);
    expect(r.summary).toContain(lineFor(url));
  });

  it('a failing artifact service is one warning: the verdict and the comment stand, with no link', async () => {
    const inputs = { image: HELLO, 'fail-on': 'error', 'max-size': '1kB' };
    // The same check with the service up, for comparison.
    const control = await pullRequest(inputs);
    expect(control.status, control.stdout).toBe(1);
    const url = `${RUN_PAGE}/artifacts/${svc.artifacts[0]!.id}`;
    const controlBody = slimgateComments()[0]!.body;
    expect(controlBody).toContain(`${lineFor(url)}\n\n`);

    // The library retries a 500 (5 attempts over about half a minute), then gives up.
    svc.failWith = 500;
    const r = await pullRequest(inputs);
    expect(r.status, r.stdout).toBe(1);
    expectNoStack(r);
    // The verdict is the image's, as with the upload.
    expect(failures(r)).toEqual([
      expect.stringMatching(/^Slimgate: the image fails the policy: .*max-size /),
    ]);
    expect(failures(r)).toEqual(failures(control));
    expect(r.outputs['passed']).toBe('false');
    const warned = artifactWarnings(r);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(
      /^Slimgate: could not upload the HTML report \(report\.html\) as a workflow artifact \(.*500.*\); it is in \//,
    );
    expect(svc.requests.filter((q) => q.path === 'CreateArtifact').length).toBeGreaterThan(2);
    expect(svc.artifacts).toHaveLength(1);
    expect(existsSync(r.outputs['html']!)).toBe(true);
    expect(r.outputs['html-url']).toBe('');
    // The comment is the same, less the link.
    const comments = slimgateComments();
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toBe(controlBody.replace(`${lineFor(url)}\n\n`, ''));
    expect(r.summary).not.toContain('HTML report');
  }, 180_000);

  it('GitHub Enterprise Server, which the library refuses: one warning, its own turned into a log line', async () => {
    const r = await pullRequest(
      { image: HELLO },
      { ...svc.env(), GITHUB_SERVER_URL: 'https://ghes.example.com' },
    );
    expect(r.status, r.stdout).toBe(0);
    expect(r.warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(
        /^Slimgate: could not upload the HTML report \(report\.html\) as a workflow artifact \(.*not currently supported on GHES.*\); it is in \//,
      ),
    ]);
    // The library's own ::warning:: (several lines, a markdown link) is a plain log line.
    expect(r.stdout).toMatch(/^ {2}\(artifact\) Artifact upload failed with error: /m);
    expect(svc.requests).toEqual([]);
    expect(r.outputs['html-url']).toBe('');
    expect(slimgateComments()[0]!.body).not.toContain('HTML report');
  });

  it('no artifact service (a local run): the page is written, and one info line says it was not uploaded', async () => {
    const r = await pullRequest({ image: HELLO }, {});
    expect(r.status, r.stdout).toBe(0);
    expect(r.warnings.map((w) => w.message)).toEqual([]);
    const page = r.outputs['html']!;
    expect(readFileSync(page, 'utf8')).toMatch(/^<!DOCTYPE html>/i);
    const said = r.stdout.split('\n').filter((l) => l.startsWith('artifact: '));
    expect(said).toEqual([
      `artifact: no Actions artifact service here (ACTIONS_RUNTIME_TOKEN or ACTIONS_RESULTS_URL is not set): the HTML report (report.html) written to ${path.dirname(page)}, not uploaded`,
    ]);
    expect(r.outputs['html-url']).toBe('');
    expect(slimgateComments()[0]!.body).not.toContain('HTML report');
    expect(svc.requests).toEqual([]);
  });

  it('html: false writes and uploads nothing', async () => {
    const r = await pullRequest({ image: HELLO, html: 'false' });
    expect(r.status, r.stdout).toBe(0);
    expect(r.outputs['html']).toBe('');
    expect(r.outputs['html-url']).toBe('');
    const written = readdirSync(path.join(r.runnerTemp, 'slimgate'), { recursive: true }) as string[];
    expect(written.filter((f) => f.endsWith('.html'))).toEqual([]);
    expect(written.some((f) => f.endsWith('report.json'))).toBe(true);
    expect(svc.requests).toEqual([]);
    expect(slimgateComments()[0]!.body).not.toContain('HTML report');
  });

  it('an image whose file names are markup: the upload is the page written, byte for byte', async () => {
    const r = await pullRequest({ image: `oci:${hostile}:app` });
    expect(r.status, r.stdout).toBe(0);
    expectNoStack(r);
    const files = uploadedPages(r);
    const html = files.get('report.html')!.toString('utf8');
    expect(html).not.toContain(SCRIPT);
    expect(html).not.toContain('<img src=x');
    expect(slimgateComments()[0]!.body).toContain(lineFor(`${RUN_PAGE}/artifacts/${svc.artifacts[0]!.id}`));
  });

  it('fork-safe: the read-only check job uploads, and the comment job links the artifact from pr.json', async () => {
    const workflowRun = webhookExample('workflow_run', 'completed', 2);
    const runId = String((workflowRun['workflow_run'] as { id: number }).id);
    const repo = String((workflowRun['repository'] as { full_name: string }).full_name);
    // The check run is the run the workflow_run event names, in the same repository.
    const safe = await forkSafeRuns(
      api,
      run,
      {
        inputs: { image: HELLO, comment: 'false', 'fail-on': 'never', 'sbom-format': 'none' },
        env: { ...svc.env(), GITHUB_RUN_ID: runId, GITHUB_REPOSITORY: repo },
      },
      2,
    );
    expect(safe.check.status, safe.check.stdout).toBe(0);
    expect(artifactWarnings(safe.check)).toEqual([]);
    uploadedPages(safe.check);
    const url = `https://github.com/${repo}/actions/runs/${runId}/artifacts/${svc.artifacts[0]!.id}`;
    expect(safe.check.outputs['html-url']).toBe(url);
    const prJson = path.join(path.dirname(safe.check.outputs['report']!), 'pr.json');
    expect((JSON.parse(readFileSync(prJson, 'utf8')) as { htmlUrl?: string }).htmlUrl).toBe(url);

    const post = await safe.comment();
    expect(post.status, post.stdout).toBe(0);
    const comments = slimgateComments(repo);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body.split('\n').filter((l) => l.includes('HTML report'))).toEqual([lineFor(url)]);
    expect(post.summary).toContain(lineFor(url));

    // A pr.json that names an artifact of another run (or another site) is posted without the link.
    for (const forged of [
      `https://github.com/${repo}/actions/runs/1/artifacts/${svc.artifacts[0]!.id}`,
      'https://evil.example/download',
    ]) {
      const env = JSON.parse(readFileSync(prJson, 'utf8')) as Record<string, unknown>;
      writeFileSync(prJson, JSON.stringify({ ...env, htmlUrl: forged }));
      const again = await safe.comment();
      expect(again.status, again.stdout).toBe(0);
      const body = slimgateComments(repo)[0]!.body;
      expect(body).not.toContain('HTML report');
      expect(body).not.toContain(forged);
    }
  });
});
