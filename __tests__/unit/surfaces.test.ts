// Nothing from an image reaches a terminal, the Actions log or GitHub's markdown raw. The pure part: the
// one escaping (util/text.ts), markdown's inert text, and every renderer and log helper fed a report whose
// every field is hostile. The CLI and the action are run on a hostile image in e2e/hostile-surfaces.test.ts.
import { describe, expect, it } from 'vitest';
import { InputError, oneLine } from '../../src/util/errors.js';
import { annotate } from '../../src/github/annotations.js';
import { withCommandsStopped } from '../../src/github/log.js';
import { diffReports } from '../../src/report/diff.js';
import { escapeText } from '../../src/report/markdown.js';
import { renderMarkdown } from '../helpers/markdown.js';
import type { Report } from '../../src/types/report.js';
import { renderCheck, renderInspect } from '../../src/report/text.js';
import { escapeControls, escapeInvisible } from '../../src/util/text.js';
import { dir, file, finding, layer, mainReport, report } from '../helpers/github-reports.js';
import {
  expectInertMarkdown,
  expectInertText,
  HOSTILE,
  HOSTILE_TEXT,
  runnerLines,
} from '../helpers/inert.js';

describe('escapeControls: the one escaping of every text surface', () => {
  it.each([
    ['\x1b[2J', '\\x1b[2J'],
    ['\x1b]52;c;ZXZpbA==\x07', '\\x1b]52;c;ZXZpbA==\\x07'],
    ['a\nb\rc\td', 'a\\nb\\rc\\td'],
    ['\x00\x7f', '\\x00\\x7f'],
    ['\x9b31m\x85', '\\x9b31m\\x85'],
    ['safe\u202egnp.exe', 'safe\\u202egnp.exe'],
    ['\u2066\u2069\u200e\u200f\u061c', '\\u2066\\u2069\\u200e\\u200f\\u061c'],
    ['adm\u200bin\u200c\u200d\u2060\ufeff', 'adm\\u200bin\\u200c\\u200d\\u2060\\ufeff'],
    ['one\u2028two\u2029', 'one\\u2028two\\u2029'],
    ['lone \ud800 surrogate \udc00', 'lone \\ud800 surrogate \\udc00'],
    ['x ##[error]y', 'x ##\\x5berror]y'],
    // Everything else is kept: text in any script, emoji, combining marks, backslashes, a single '#['.
    ['/usr/share/日本語/café/🐳/e\u0301 C:\\x #[1] ::x', '/usr/share/日本語/café/🐳/e\u0301 C:\\x #[1] ::x'],
  ])('%j → %j', (input, want) => {
    expect(escapeControls(input)).toBe(want);
  });

  it('leaves nothing raw in any hostile string, and is idempotent', () => {
    for (const s of Object.values(HOSTILE)) {
      const once = escapeControls(s);
      expectInertText(once);
      expect(runnerLines(once)).toHaveLength(1);
      expect(escapeControls(once)).toBe(once);
    }
  });

  it('escapeInvisible keeps `##[` (markdown is not parsed by the runner)', () => {
    expect(escapeInvisible('##[x]\x1b')).toBe('##[x]\\x1b');
  });

  it('error lines: oneLine escapes what a message quotes', () => {
    const err = new InputError(`archive holds the tags "a\x1b]0;t\x07", "b\r::error::x" and "c\u202ed"`);
    const line = oneLine(err);
    expect(line).toBe('archive holds the tags "a\\x1b]0;t\\x07", "b\\r::error::x" and "c\\u202ed"');
    expectInertText(line);
    expect(oneLine(new Error(`multi\nline${HOSTILE.legacy}\n`))).toBe(
      'multi\\nline ##\\x5berror]legacy command anywhere in a line',
    );
  });
});

describe('escapeText: markdown that GitHub cannot make live', () => {
  it.each([
    ['www.evil.example', 'www&#8203;.evil.example'],
    ['WWW.evil.example', 'WWW&#8203;.evil.example'],
    ['http://evil.example/x', 'http&#58;&#8203;//evil.example/x'],
    ['mailto:a@b.example', 'mailto&#58;a@&#8203;b.example'],
    ['#1', '&#35;&#8203;1'],
    ['owner/repo#3', 'owner/repo&#35;&#8203;3'],
    ['# heading', '&#35; heading'],
    ['GH-2 and gh-3', 'GH&#8203;-2 and gh&#8203;-3'],
    ['deadbee', 'deadbe&#8203;e'],
    [
      'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
      'a94a8f&#8203;e5ccb1&#8203;9ba61c&#8203;4c0873&#8203;d391e9&#8203;87982f&#8203;bbd3',
    ],
    ['deadbeefcafe1234'.repeat(4), 'deadbeefcafe1234'.repeat(4)], // 64 hex digits: a digest, not a SHA
    ['$x$ $$y$$', '&#36;x&#36; &#36;&#36;y&#36;&#36;'],
    ['a\u202eb\u200bc\u2028d', 'a&#92;u202eb&#92;u200bc&#92;u2028d'],
    ['x\x1b[31my', 'x&#92;x1b&#91;31my'],
    ['/usr/lib/libc.so.6', '/usr/lib/libc.so.6'],
  ])('%j → %j', (input, want) => {
    expect(escapeText(input)).toBe(want);
  });

  it('leaves every hostile string inert', () => {
    for (const s of [...Object.values(HOSTILE), HOSTILE_TEXT]) expectInertMarkdown(escapeText(s, 5000));
  });
});

/** A report in which every field an image controls carries every hostile string. */
function hostileReport(): Report {
  const h = (tag: string): string => `${tag} ${HOSTILE_TEXT}`;
  const r = report({
    files: [
      dir(`/srv/${HOSTILE.error}`),
      file(`/srv/${HOSTILE.error}/${HOSTILE.csi}`, 4096),
      file(`/${HOSTILE.bidi}`, 2048),
      file(`/${HOSTILE.autolinks}`, 1024),
      file(`/${HOSTILE.refs}/${HOSTILE.math}`, 512),
      file(`/${HOSTILE.legacy}${HOSTILE.crError}`, 256),
    ],
    layers: [layer('1', h('RUN'), 4096), layer('2', h('COPY'), 4096)],
    findings: [
      finding('SG201', 'shell', 'error', `/bin/${HOSTILE.stop}`),
      finding('SG502', 'secret', 'warning', `/${HOSTILE.osc52}`, h('secret-looking')),
      finding('SG320', 'user', 'warning', '/', `runs as ${h('user')}`),
    ],
    base: { verdict: 'os', image: h('debian'), evidence: [h('label')] },
    passed: false,
  });
  r.image.source = `docker-archive:${HOSTILE.fakePass}.tar`;
  r.image.tags = [h('tag')];
  r.image.platform = `linux/${HOSTILE.title}`;
  r.image.config.user = h('user');
  r.entrypoint = {
    argv: [`/app${HOSTILE.error}`, HOSTILE.bidi],
    kind: 'missing',
    resolved: `/app${HOSTILE.indented}`,
    interpreter: HOSTILE.c1,
  } as unknown as NonNullable<Report['entrypoint']>;
  r.budget = {
    passed: false,
    checks: [{ name: 'max-size', limit: 1, actual: 2, passed: false, detail: h('detail') }],
  };
  return r;
}

describe('every renderer, fed a hostile report', () => {
  it('inspect text: nothing raw, no workflow command', () => {
    const out = renderInspect(hostileReport());
    expectInertText(out);
    expect(out).toContain('\\x1b]52;c;ZXZpbA==\\x07'); // shown, escaped, not dropped
    expect(out).toContain('\\n::error title=Slimgate::image passed all checks');
    expect(out).toContain('safe\\u202egnp.exe');
  });

  it('check text: nothing raw, no workflow command, and the only PASSED/FAILED is the verdict', () => {
    const out = renderCheck(hostileReport(), mainReport());
    expectInertText(out);
    expect(out.split('\n')[0]).toMatch(/^FAILED {2}docker-archive:\\rPASSED {2}all good\\x1b\[K\.tar /);
    expect(out.split('\n').filter((l) => /^\s*(PASSED|FAILED)/.test(l))).toHaveLength(1);
  });

  it('markdown (with and without a diff): inert', () => {
    const r = hostileReport();
    expectInertMarkdown(renderMarkdown(r, undefined, { commentKey: HOSTILE.error }));
    expectInertMarkdown(
      renderMarkdown(r, diffReports(mainReport(), r), {
        commentKey: 'k',
        baselineSource: HOSTILE.autolinks,
        notes: [HOSTILE.refs],
        overrideLabel: HOSTILE.bidi,
      }),
    );
  });

  it('annotations: messages are escaped (the runner only escapes CR, LF and %)', () => {
    const seen: string[] = [];
    const sink = {
      error: (m: string) => seen.push(m),
      warning: (m: string) => seen.push(m),
      notice: () => {},
    };
    annotate(hostileReport().findings, sink, '/ws');
    expect(seen).toHaveLength(3);
    for (const m of seen) expectInertText(m);
    expect(seen[0]).toContain('/bin/\\n::stop-commands::pwned');
  });

  it('the action log: a block is logged with commands stopped under a fresh token, resumed even on error', async () => {
    const lines: string[] = [];
    const write = (l: string): number => lines.push(l);
    await withCommandsStopped(() => write(renderInspect(hostileReport())), write);
    await expect(
      withCommandsStopped(() => {
        write('block 2');
        throw new Error('boom');
      }, write),
    ).rejects.toThrow('boom');
    const stops = lines.filter((l) => l.startsWith('::stop-commands::')).map((l) => l.slice(17));
    expect(stops).toHaveLength(2);
    expect(stops[0]).toMatch(/^slimgate-[0-9a-f]{32}$/);
    expect(stops[0]).not.toBe(stops[1]);
    expect(lines[2]).toBe(`::${stops[0]}::`);
    expect(lines.at(-1)).toBe(`::${stops[1]}::`);
    // The image cannot resume commands: its text never holds the token.
    expect(lines[1]).not.toContain(stops[0]);
  });
});
