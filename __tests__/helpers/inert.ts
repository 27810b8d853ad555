// What "nothing raw gets out" means, checked the same way on every surface: text for a terminal or the
// Actions log, and markdown for GitHub. The hostile strings an image can carry are in HOSTILE.
import { expect } from 'vitest';

/** Text an attacker can put in a path, a label, a tag, created_by, USER or ENTRYPOINT. */
export const HOSTILE = {
  csi: '\x1b[2J\x1b[1;1H',
  osc52: '\x1b]52;c;ZXZpbA==\x07',
  title: '\x1b]0;pwned\x1b\\',
  c1: '\x9b31m\x9d0;t\x07',
  fakePass: '\rPASSED  all good\x1b[K',
  del: 'x\x7fy',
  nul: 'a\x00b',
  error: '\n::error title=Slimgate::image passed all checks',
  stop: '\n::stop-commands::pwned',
  crError: '\r::warning::from a bare CR',
  legacy: ' ##[error]legacy command anywhere in a line',
  indented: '\n   ::notice::indented',
  bidi: 'safe\u202egnp.exe\u202c\u2066x\u2069\u200f',
  zeroWidth: 'adm\u200bin\u200d\u2060\ufeff',
  lineSep: 'one\u2028two\u2029three\u0085',
  autolinks: 'www.evil.example http://evil.example/x https://evil.example ftp://evil.example a@evil.example',
  refs: '#1 GH-2 owner/repo#3 @octocat @org/team deadbeefcafe1234 a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
  math: '$x^2$ and $$y$$ and $`z`$',
  markdown: '<img src=x> [a](http://evil.example) **b** | c `d` ~~e~~ :smile:',
} as const;

export const HOSTILE_TEXT = Object.values(HOSTILE).join(' ');

/** Runner lines: the runner splits on CR, LF and CRLF (.NET ReadLine). */
export function runnerLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;
const RAW_INVISIBLE = /[\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/;

/**
 * Terminal and log text: no control character but the line feeds Slimgate writes, nothing invisible or
 * reordering, no line that starts a workflow command unless `allowed` says Slimgate meant it, and no
 * legacy `##[` command anywhere.
 */
export function expectInertText(text: string, allowed: (line: string) => boolean = () => false): void {
  const bad = [...text].find((c) => RAW_CONTROL.test(c) || RAW_INVISIBLE.test(c));
  expect(
    bad === undefined ? 'none' : `U+${bad.codePointAt(0)!.toString(16)}`,
    'a raw control or invisible character',
  ).toBe('none');
  for (const line of runnerLines(text)) {
    if (allowed(line)) continue;
    expect(line.trimStart().startsWith('::'), `a workflow command: ${JSON.stringify(line)}`).toBe(false);
    expect(line.includes('##['), `a legacy workflow command: ${JSON.stringify(line)}`).toBe(false);
  }
}

/** Our own links: the project's repository and docs. */
const OWN_LINK = /\]\(https:\/\/github\.com\/slimgate\/slimgate[^)\s]*\)/g;
/** Our own footer: the commit the run checked, and the run (both from the runner, never from the image). */
const OWN_FOOTER =
  /checked <code>[0-9a-f]{7}<\/code>(?: · \[run\]\(https:\/\/[^)\s]+\/actions\/runs\/\d+\))?/g;

/** The text GitHub sees once entities are decoded; a zero-width space becomes a visible break (`␣`). */
export function decodeEntities(md: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };
  return md.replace(/&(#\d+|[a-z]+);/g, (m, e: string) => {
    if (e === '#8203') return '␣';
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    return named[e] ?? m;
  });
}

/**
 * Markdown source: nothing raw (as above), no HTML from the image, no raw `$` (math), and once decoded
 * none of the patterns GitHub makes live: autolinks (www., scheme://), mentions, issue and commit
 * references. (The e2e test also renders it with cmark-gfm.)
 */
export function expectInertMarkdown(md: string): void {
  expectInertText(md, () => true);
  expect(md).not.toMatch(/<img|<a /i);
  expect(md).not.toContain('$');
  const text = decodeEntities(
    md
      .replace(OWN_LINK, '](OWN)')
      .replace(OWN_FOOTER, 'checked OWN')
      .replace(/<!-- slimgate-head:[0-9a-f]+ -->/g, ''), // hidden: GitHub renders no HTML comment
  );
  expect(text).not.toMatch(/www\./i);
  expect(text).not.toMatch(/[a-z]:\/\//i);
  expect(text).not.toMatch(/@[A-Za-z0-9]/);
  expect(text).not.toMatch(/#[0-9A-Za-z]/);
  expect(text).not.toMatch(/\bGH-\d/i);
  expect(text).not.toMatch(/(?<!\w)[0-9a-f]{7,40}(?!\w)/i); // a commit SHA as a word
}
