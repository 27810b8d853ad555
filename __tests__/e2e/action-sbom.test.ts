// End to end: the action's SBOM (issue 25). The bundled action (dist/index.js) writes it beside report.json,
// puts it in the HTML report's workflow artifact (the artifact service double), links it from the comment,
// sets `sbom-file`; with dependency-snapshot on a push to the default branch it submits the image's packages
// to the GitHub REST double, which checks the body against GitHub's OpenAPI description. The SBOMs are
// validated against the official CycloneDX 1.6 and SPDX 2.3 schemas. dist/ must be current: `npm run bundle`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startArtifactService, readZip, type ArtifactService } from '../helpers/artifact-service.js';
import { startGitHubApi, type GitHubApi } from '../helpers/github-api.js';
import { runAction, webhookExample, type ActionRun } from '../helpers/github-action.js';
import { cycloneDxErrors, spdxErrors } from '../helpers/sbom-schemas.js';
import { repoRoot } from '../helpers/world.js';

const HELLO = path.join(repoRoot, 'examples', 'hello-scratch.tar');
const BUSYBOX = path.join(repoRoot, 'examples', 'busybox-os.tar');
const RUN_PAGE = 'https://github.com/Codertocat/Hello-World/actions/runs/8675309';
const EPOCH = { SOURCE_DATE_EPOCH: '1767225600' };

const sbomLine = (format: string, url: string): string =>
  `🧾 [The image's SBOM, ${format} JSON](${url}) (in the same workflow artifact)`;

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

const pullRequest = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): Promise<ActionRun> =>
  runAction({
    api,
    event: 'pull_request',
    payload: webhookExample('pull_request', 'opened'),
    inputs: { 'fail-on': 'never', ...inputs },
    env: { ...svc.env(), ...env },
  });

const comment = (): string =>
  api.issueComments('Codertocat/Hello-World', 2).find((c) => c.body.includes('<!-- slimgate-comment:'))!.body;

function artifactFiles(): Map<string, Buffer> {
  expect(svc.artifacts.filter((a) => a.finalized)).toHaveLength(1);
  return readZip(svc.artifacts[0]!.zip!);
}

describe('the SBOM in the action', () => {
  it('by default: CycloneDX beside report.json, in the HTML report’s artifact, linked once', async () => {
    const r = await pullRequest({ image: BUSYBOX }, EPOCH);
    expect(r.status, r.stdout).toBe(0);
    const file = r.outputs['sbom-file']!;
    expect(file).toBe(path.join(path.dirname(r.outputs['report']!), 'sbom.cdx.json'));
    const text = readFileSync(file, 'utf8');
    expect(cycloneDxErrors(text)).toEqual([]);
    const bom = JSON.parse(text) as { metadata: { timestamp: string; component: { version: string } } };
    expect(bom.metadata.timestamp).toBe('2026-01-01T00:00:00Z');
    expect(bom.metadata.component.version).toBe(r.outputs['digest']);
    const files = artifactFiles();
    expect([...files.keys()].sort()).toEqual(['report.html', 'sbom.cdx.json']);
    expect(files.get('sbom.cdx.json')!.equals(readFileSync(file))).toBe(true);
    const url = `${RUN_PAGE}/artifacts/${svc.artifacts[0]!.id}`;
    expect(
      comment()
        .split('\n')
        .filter((l) => l.includes('SBOM')),
    ).toEqual([sbomLine('CycloneDX 1.6', url)]);
    expect(r.summary).toContain(sbomLine('CycloneDX 1.6', url));
  });

  it('spdx-json with html: false: the artifact holds the SBOM alone, and the comment links it', async () => {
    const r = await pullRequest({ image: HELLO, 'sbom-format': 'spdx-json', html: 'false' });
    expect(r.status, r.stdout).toBe(0);
    expect(r.outputs['html']).toBe('');
    expect(r.outputs['html-url']).toBe('');
    expect(path.basename(r.outputs['sbom-file']!)).toBe('sbom.spdx.json');
    expect(spdxErrors(readFileSync(r.outputs['sbom-file']!, 'utf8'))).toEqual([]);
    expect([...artifactFiles().keys()]).toEqual(['sbom.spdx.json']);
    const body = comment();
    expect(body).not.toContain('HTML report');
    expect(body).toContain(sbomLine('SPDX 2.3', `${RUN_PAGE}/artifacts/${svc.artifacts[0]!.id}`));
  });

  it('none writes no SBOM; an unknown format is one line', async () => {
    const r = await pullRequest({ image: HELLO, 'sbom-format': 'none' });
    expect(r.status, r.stdout).toBe(0);
    expect(r.outputs['sbom-file']).toBe('');
    expect([...artifactFiles().keys()]).toEqual(['report.html']);
    expect(comment()).not.toContain('SBOM');
    const bad = await pullRequest({ image: HELLO, 'sbom-format': 'xml' });
    expect(bad.status).not.toBe(0);
    expect(bad.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/input "sbom-format" must be cyclonedx-json, spdx-json, none, not "xml"/),
    ]);
  });
});

describe('dependency-snapshot', () => {
  const push = (inputs: Record<string, string>): Promise<ActionRun> => {
    const payload = webhookExample('push', undefined, 4);
    return runAction({
      api,
      event: 'push',
      payload,
      inputs: {
        image: BUSYBOX,
        'fail-on': 'never',
        'dependency-snapshot': 'true',
        ...inputs,
      },
      env: { GITHUB_WORKFLOW: 'ci', GITHUB_JOB: 'image' },
    });
  };

  it('a push to the default branch submits one manifest for the image, checked against GitHub’s API', async () => {
    const r = await push({});
    expect(r.status, r.stdout).toBe(0);
    expect(r.warnings.map((w) => w.message).filter((m) => /dependency/.test(m))).toEqual([]);
    const [repo] = [...api.snapshots.keys()];
    const [snap] = api.snapshots.get(repo!)!;
    const s = snap as {
      sha: string;
      ref: string;
      job: { correlator: string };
      manifests: Record<string, { name: string }>;
    };
    expect(s.ref).toBe('refs/heads/master');
    expect(s.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(s.job.correlator).toMatch(/^slimgate ci image /);
    expect(Object.values(s.manifests).map((m) => m.name)).toEqual([expect.stringContaining('linux/amd64')]);
    expect(r.stdout).toMatch(/dependency graph: submitted \d+ packages/);
  });

  it('a token without contents: write is one warning, and the check passes', async () => {
    api.readOnly = true;
    const r = await push({});
    expect(r.status, r.stdout).toBe(0);
    // No failure line: only the image's findings are error annotations (they carry a title).
    expect(r.errors.filter((e) => !e.properties['title'])).toEqual([]);
    const warned = r.warnings.map((w) => w.message).filter((m) => /dependency graph/.test(m));
    expect(warned).toEqual([expect.stringMatching(/403: the token needs "contents: write"/)]);
    expect(api.snapshots.size).toBe(0);
  });

  it('a pull request submits nothing', async () => {
    const r = await pullRequest({ image: HELLO, 'dependency-snapshot': 'true' });
    expect(r.status, r.stdout).toBe(0);
    expect(api.requests.filter((q) => q.path.includes('dependency-graph'))).toEqual([]);
  });
});
