// An image full of control characters, terminal escapes, workflow commands after newlines, bidi and
// zero-width characters and autolink bait, through every surface of the bundled CLI and action:
// - `inspect`, `check` (text), `check --markdown`, and a `slimgate:` error line that quotes image data;
// - the action on a fork's pull request (read-only token), then the fork-safe workflow_run job that posts
//   its report: the log, the annotations, the job summary and the PR comment.
// Nothing raw gets out: no ESC or other control byte, no line that starts a workflow command unless
// Slimgate meant it, no `##[` anywhere, and markdown that GitHub's renderer (cmark-gfm with GitHub's
// extensions) shows as plain text: no links but ours, no mentions, references or math.
// dist/ must be current: `npm run bundle`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, stderrLines } from '../helpers/cli.js';
import { useGitHubApi, type GitHubApi } from '../helpers/github-api.js';
import { runAction, webhookExample, type ActionRun } from '../helpers/github-action.js';
import {
  decodeEntities,
  expectInertMarkdown,
  expectInertText,
  HOSTILE,
  HOSTILE_TEXT,
  runnerLines,
} from '../helpers/inert.js';
import { dockerArchive, file, imageConfig, layer, ociArchive, tar, type LayerBlob } from '../helpers/tar.js';
import { node24 } from '../helpers/world.js';

let tmp = '';
let image = '';
let twoImages = '';

const NAMES = [
  `etc/${HOSTILE.csi}motd`,
  `srv/x${HOSTILE.error}`,
  `srv/y${HOSTILE.stop}`,
  `srv/z${HOSTILE.crError}`,
  `srv/${HOSTILE.legacy}`,
  `srv/${HOSTILE.indented}`,
  `srv/${HOSTILE.osc52}${HOSTILE.title}`,
  `srv/${HOSTILE.c1}${HOSTILE.del}`,
  `srv/${HOSTILE.bidi}`,
  `srv/${HOSTILE.zeroWidth}${HOSTILE.lineSep}`,
  `srv/${HOSTILE.autolinks.replace(/\//g, '_')}`,
  `srv/${HOSTILE.refs.replace(/\//g, '_')}`,
  `srv/${HOSTILE.math}`,
  `srv/${HOSTILE.markdown.replace(/\//g, '_')}`,
  `srv/${HOSTILE.fakePass}`,
];

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-hostile-surfaces-'));
  const l: LayerBlob = layer(
    tar([
      ...NAMES.map((n, i) => file(n, 'x'.repeat(100 * (i + 1)), { pax: { path: n } })),
      // A shell, so that a finding quotes a path, and a setuid file with a hostile name.
      file('bin/sh', '#!x', { mode: 0o755 }),
      file(`bin/${HOSTILE.error}`, 'x', { mode: 0o4755, pax: { path: `bin/${HOSTILE.error}` } }),
    ]),
  );
  const h = (tag: string): string => `${tag} ${HOSTILE_TEXT}`;
  const cfg = (tagged: string): Buffer =>
    imageConfig([l], {
      config: {
        User: h('user'),
        Entrypoint: [`/app${HOSTILE.error}`, HOSTILE.bidi],
        Env: [`X=${HOSTILE.osc52}`],
        Labels: { 'org.opencontainers.image.base.name': h(tagged), description: h('label') },
      },
      history: [{ created_by: `/bin/sh -c ${h('RUN')}` }],
    });
  image = path.join(tmp, 'hostile-oci.tar');
  writeFileSync(image, ociArchive({ layers: [l], config: cfg('base') }));
  // Two images in one docker-archive, tagged with hostile text: the error that lists the tags quotes them.
  twoImages = path.join(tmp, 'two.tar');
  writeFileSync(
    twoImages,
    dockerArchive([
      { layers: [l], config: cfg('one'), repoTags: [`a:${HOSTILE.csi}${HOSTILE.error}`] },
      { layers: [l], config: cfg('two'), repoTags: [`b:${HOSTILE.bidi}${HOSTILE.legacy}`] },
    ]),
  );
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Renders markdown as GitHub does (cmark-gfm with GitHub's extensions; the test world installs it). */
function renderGfm(md: string): string {
  const r = spawnSync(
    'cmark-gfm',
    ['--unsafe', '-e', 'table', '-e', 'strikethrough', '-e', 'autolink', '-e', 'tagfilter', '-e', 'tasklist'],
    { input: md, encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** The markdown source is inert, and so is the HTML GitHub's renderer makes of it. */
function expectInertComment(md: string): void {
  expectInertMarkdown(md);
  const html = renderGfm(md);
  const hrefs = [...html.matchAll(/<a [^>]*href="([^"]*)"/g)].map((m) => m[1]!);
  // Only our own links: the project, and the run that made the comment (from the runner's environment).
  const own = /^https:\/\/github\.com\/(slimgate\/slimgate([/#]|$)|[\w.-]+\/[\w.-]+\/actions\/runs\/\d+$)/;
  for (const href of hrefs) expect(href).toMatch(own);
  expect(html).not.toMatch(/<(img|script|math)/i);
  // The rendered text: nothing raw, and nothing GitHub's reference filters would link.
  // Our footer names the commit the run checked (from the runner, and in <code>, which GitHub never links).
  const ours = html.replace(/checked <code>[0-9a-f]{7}<\/code>/g, 'checked OWN');
  const text = decodeEntities(ours.replace(/<[^>]+>/g, ' ')).replace(/\u200b/g, '␣');
  expectInertText(text, () => true);
  expect(text).not.toMatch(/www\./i);
  expect(text).not.toMatch(/[a-z]:\/\//i);
  expect(text).not.toMatch(/@[A-Za-z0-9]/);
  expect(text).not.toMatch(/#[0-9]/);
  expect(text).not.toMatch(/\bGH-\d/i);
  expect(text).not.toMatch(/(?<!\w)[0-9a-f]{7,40}(?!\w)/i);
  // What the image said is still there for a person to read, escaped.
  expect(text).toContain('\\x1b');
}

describe('the CLI on a hostile image', () => {
  it('inspect: every line inert, and the hostile text shown escaped', () => {
    const r = cli(['inspect', image]);
    expect(r.status, r.stderr).toBe(0); // inspect judges no policy
    expect(r.stderr).toBe('');
    expectInertText(r.stdout);
    expect(r.stdout).toContain('\\n::error title=Slimgate::image passed all checks');
    expect(r.stdout).toContain('\\x1b]52;c;ZXZpbA==\\x07');
    expect(r.stdout).toContain('\\u202egnp.exe');
  });

  it('check (text): inert, and the only verdict line is the real one', () => {
    const r = cli(['check', image]);
    expect(r.status, r.stderr).toBe(1);
    expectInertText(r.stdout);
    expectInertText(r.stderr);
    expect(runnerLines(r.stdout).filter((l) => /^\s*(PASSED|FAILED)\b/.test(l))).toEqual([
      expect.stringMatching(/^FAILED {2}/),
    ]);
  });

  it('check --markdown: inert source and inert HTML', () => {
    const r = cli(['check', image, '--markdown']);
    expect(r.status, r.stderr).toBe(1);
    expectInertComment(r.stdout);
  });

  it('an error line that quotes image data (the tags of a two-image archive) is one inert line', () => {
    const r = cli(['inspect', `docker-archive:${twoImages}`]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expectInertText(r.stderr);
    const lines = stderrLines(r);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^slimgate: /);
    expect(lines[0], lines[0]).toContain('\\x1b[2J');
    expect(lines[0]).toContain('\\n::error title=Slimgate::');
    expect(lines[0]).toContain('safe\\u202egnp.exe');
  });
});

const nodes: [string, () => string][] = [
  ['node 20', () => process.execPath],
  ['node 24', () => node24()],
];

/** Workflow commands Slimgate itself writes; any other line that starts one came from the image. */
function ours(line: string): boolean {
  return [
    /^::group::(Inspecting|Report)/,
    /^::endgroup::$/,
    /^::stop-commands::slimgate-[0-9a-f]{32}$/,
    /^::slimgate-[0-9a-f]{32}::$/,
    /^::(error|warning|notice) title=Slimgate SG\d{3} \([a-z-]+\)(,[^:]*)?::/,
    /^::(error|warning|notice)::Slimgate: /,
    /^::add-mask::/,
  ].some((re) => re.test(line));
}

function expectInertLog(r: ActionRun): void {
  expectInertText(r.stdout, ours);
  expectInertText(r.stderr, ours);
  // Every stop has its resume, and the report block sits inside one.
  const stops = runnerLines(r.stdout).filter((l) => l.startsWith('::stop-commands::'));
  expect(stops.length).toBeGreaterThan(0);
  for (const s of stops) expect(r.stdout).toContain(`::${s.slice('::stop-commands::'.length)}::`);
  for (const c of r.commands) expectInertText(c.message);
}

describe.each(nodes)('the action under %s, on a fork PR whose image is hostile', (_name, nodeBin) => {
  let api: GitHubApi;
  useGitHubApi((a) => (api = a));

  it('the log, the annotations, the summary and (through workflow_run) the comment stay inert', async () => {
    api.readOnly = true; // a fork's pull_request run gets a read-only token
    const wr = webhookExample('workflow_run', 'completed', 2);
    const headSha = (wr['workflow_run'] as { head_sha: string }).head_sha;
    const payload = webhookExample('pull_request', 'opened');
    const pr = payload['pull_request'] as {
      head: { sha: string; repo: { full_name: string; fork: boolean } };
    };
    pr.head.sha = headSha;
    pr.head.repo.full_name = 'stranger/Hello-World';
    pr.head.repo.fork = true;
    const check = await runAction({
      node: nodeBin(),
      api,
      event: 'pull_request',
      payload,
      inputs: { image: `oci-archive:${image}`, baseline: 'none' },
    });
    expect(check.status, check.stdout).toBe(1); // the image fails the policy: a shell, root, setuid
    expectInertLog(check);
    // The report block was logged, escaped, inside stopped commands.
    const log = check.stdout;
    const at = log.indexOf('\\n::error title=Slimgate::image passed all checks');
    expect(at).toBeGreaterThan(0);
    const stop = log.lastIndexOf('::stop-commands::', at);
    const token = log.slice(stop + 17, log.indexOf('\n', stop));
    expect(log.indexOf(`::${token}::`, at)).toBeGreaterThan(at);
    // Annotations quote hostile paths, escaped.
    expect(check.errors.length + check.warnings.length).toBeGreaterThan(1);
    expect(check.warnings.some((w) => /cannot comment/.test(w.message))).toBe(true);
    // The summary is the only report (no comment with a read-only token).
    expect(api.issueComments('Codertocat/Hello-World', 2)).toEqual([]);
    expect(check.summary).toMatch(/^❌ /);
    expectInertComment(check.summary);

    // The workflow_run job posts the fork's report: the comment is rendered from the artifact, inert too.
    api.readOnly = false;
    const repo = String((wr['repository'] as { full_name: string }).full_name);
    api.setPull(repo, 2, { headSha, labels: [] });
    const post = await runAction({
      node: nodeBin(),
      api,
      event: 'workflow_run',
      payload: wr,
      inputs: { mode: 'comment', report: path.join(check.runnerTemp, 'slimgate') },
    });
    expect(post.status, post.stdout).toBe(0);
    expectInertText(post.stdout, ours);
    const comments = api.issueComments(repo, 2).filter((c) => c.body.includes('<!-- slimgate-comment:'));
    expect(comments).toHaveLength(1);
    expectInertComment(comments[0]!.body.replace(/<!-- slimgate-comment:[^>]*-->/, ''));
    expectInertComment(post.summary);
  });
});
