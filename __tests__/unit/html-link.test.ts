// The HTML report's link (issue 19, the action half): the one line the comment and the job summary show in
// both layouts, which URLs it takes, pr.json carrying it for the fork-safe comment job (and the comment job
// keeping it only as an artifact of the run that made the report), and the `html` input.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decideVerdict } from '../../src/analysis/verdict.js';
import { readInputs, envInputs } from '../../src/action/inputs.js';
import { readEnvelope, type PrEnvelope } from '../../src/github/artifact.js';
import { confirmedArtifactUrl } from '../../src/github/artifact-upload.js';
import { diffReports } from '../../src/report/diff.js';
import { isLinkUrl, renderComment } from '../../src/report/markdown.js';
import { failureLine, InputError } from '../../src/util/errors.js';
import { mainReport, prEnvelope, prReport } from '../helpers/github-reports.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-html-link-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function writeJson(doc: unknown): string {
  const p = path.join(tmp, `pr${n++}.json`);
  writeFileSync(p, JSON.stringify(doc));
  return p;
}

const URL = 'https://github.com/octo-org/octo-repo/actions/runs/8675309/artifacts/4242';
const LINE = `📊 [Where the bytes are: the HTML report](${URL}) (a workflow artifact)`;

const one = () => {
  const r = prReport();
  return [{ report: r, diff: diffReports(mainReport(), r), verdict: decideVerdict(r, 'error') }];
};
const two = () => {
  const amd = prReport();
  const arm = prReport();
  arm.image.platform = 'linux/arm64';
  return [amd, arm].map((r) => ({
    report: r,
    diff: diffReports(mainReport(), r),
    verdict: decideVerdict(r, 'error'),
  }));
};

describe('the HTML report line in the comment', () => {
  it.each([
    ['one image', one],
    ['every platform', two],
  ])('%s: one line just above the footer, only with a URL', (_n, entries) => {
    const body = renderComment(entries(), { commentKey: 'app', htmlUrl: URL });
    const lines = body.split('\n');
    expect(lines.filter((l) => l.includes('HTML report'))).toEqual([LINE]);
    const at = lines.indexOf(LINE);
    // The footer follows (after a blank line): the link is the last thing before it.
    expect(lines[at + 1]).toBe('');
    expect(lines[at + 2]).toMatch(/^<sub>\[Slimgate\]\(/);
    const without = renderComment(entries(), { commentKey: 'app' });
    expect(without).not.toContain('HTML report');
    expect(without).not.toContain('📊');
  });

  it.each([
    'javascript:alert(1)',
    'http://github.com/o/r/actions/runs/1/artifacts/2',
    'https://github.com/o/r/actions runs/1',
    'https://github.com/o/r)[x](https://evil.example',
    'https://github.com/o/r/<img src=x>',
    'https://github.com/o/r/"onclick',
    'https://github.com/o/r/\u202e',
    'https://github.com/o/r\n## heading',
    'https://',
    '',
  ])('%j is not linked', (url) => {
    expect(isLinkUrl(url)).toBe(false);
    const body = renderComment(one(), { commentKey: 'app', htmlUrl: url });
    expect(body).not.toContain('HTML report');
    // (Every body has other https links: only a whole URL of these would show it was linked.)
    if (url.length > 'https://'.length) expect(body).not.toContain(url);
  });

  it('a plain https URL is', () => {
    expect(isLinkUrl(URL)).toBe(true);
    expect(isLinkUrl('https://ghe.example.ghe.com:8443/o/r/actions/runs/1/artifacts/2')).toBe(true);
  });
});

describe('pr.json carries the link', () => {
  const envelope = prEnvelope('a'.repeat(40));

  it('reads back with and without htmlUrl', () => {
    const withUrl: PrEnvelope = { ...envelope, htmlUrl: URL };
    expect(readEnvelope(writeJson(envelope))).toEqual(envelope);
    expect(readEnvelope(writeJson(envelope)).htmlUrl).toBeUndefined();
    expect(readEnvelope(writeJson(withUrl))).toEqual(withUrl);
  });

  it.each<[string, unknown, string]>([
    ['javascript:', 'javascript:alert(1)', '"htmlUrl" must be an https URL'],
    ['a URL with a space', 'https://github.com/a b', '"htmlUrl" must be an https URL'],
    ['a number', 5, 'htmlUrl must be a string'],
    ['two lines', `${URL}\n::error::x`, 'htmlUrl must be one line of text'],
  ])('%s is one line naming the file', (_n, htmlUrl, want) => {
    const file = writeJson({ ...envelope, htmlUrl });
    let line = 'ok';
    try {
      readEnvelope(file);
    } catch (err) {
      line = err instanceof InputError ? failureLine(err) : `not an InputError: ${String(err)}`;
    }
    expect(line.startsWith(`${file}: ${want}`), line).toBe(true);
  });

  it('the comment job keeps it only as an artifact of the run GitHub says made the report', () => {
    const run = 'https://github.com/octo-org/octo-repo/actions/runs/8675309';
    expect(confirmedArtifactUrl(URL, run)).toBe(URL);
    expect(confirmedArtifactUrl(URL, undefined)).toBeUndefined();
    expect(confirmedArtifactUrl(undefined, run)).toBeUndefined();
    for (const other of [
      'https://github.com/octo-org/octo-repo/actions/runs/1/artifacts/4242',
      'https://evil.example/octo-org/octo-repo/actions/runs/8675309/artifacts/4242',
      `${run}/artifacts/4242/../../../../../../evil`,
      `${run}/artifacts/4242?x=1`,
      `${run}/artifacts/`,
      `${run}/artifacts/0`,
      `${run}/artifacts/${'9'.repeat(30)}`,
    ])
      expect(confirmedArtifactUrl(other, run), other).toBeUndefined();
  });
});

describe('the html input', () => {
  const read = (env: Record<string, string>) => readInputs(envInputs({ INPUT_IMAGE: 'app.tar', ...env }));
  it('is on by default, off with false, and a bad value is one line', () => {
    expect(read({}).html).toBe(true);
    expect(read({ INPUT_HTML: 'true' }).html).toBe(true);
    expect(read({ INPUT_HTML: 'false' }).html).toBe(false);
    expect(() => read({ INPUT_HTML: 'maybe' })).toThrow('input "html" must be true or false, not "maybe"');
  });
});

describe('the SBOM line (issue 25)', () => {
  it('is one line after the HTML report line, only with an https URL, naming the format', () => {
    const body = renderComment(one(), {
      commentKey: 'app',
      htmlUrl: URL,
      sbom: { url: URL, format: 'spdx-json' },
    });
    const lines = body.split('\n');
    const sbom = `🧾 [The image's SBOM, SPDX 2.3 JSON](${URL}) (in the same workflow artifact)`;
    expect(lines.filter((l) => l.includes('SBOM'))).toEqual([sbom]);
    expect(lines.indexOf(sbom)).toBe(lines.indexOf(LINE) + 2);
    const evil = renderComment(one(), {
      commentKey: 'app',
      sbom: { url: 'javascript:alert(1)', format: 'cyclonedx-json' },
    });
    expect(evil).not.toContain('SBOM');
  });

  it('pr.json carries it, checked as an https URL', () => {
    const ok = readEnvelope(
      writeJson({ ...prEnvelope('a'.repeat(40)), sbomUrl: URL, sbomFormat: 'cyclonedx-json' }),
    );
    expect(ok.sbomUrl).toBe(URL);
    expect(ok.sbomFormat).toBe('cyclonedx-json');
    expect(() =>
      readEnvelope(writeJson({ ...prEnvelope('a'.repeat(40)), sbomUrl: 'http://evil.example/x' })),
    ).toThrow(/"sbomUrl" must be an https URL/);
    expect(() => readEnvelope(writeJson({ ...prEnvelope('a'.repeat(40)), sbomFormat: 'xml' }))).toThrow(
      InputError,
    );
  });
});
