/**
 * Image text made inert in the comment (markdown, table cells and HTML alike), and the hidden tags the
 * comment carries. Everything that comes from an image (paths, messages that quote paths, `createdBy`) is
 * data: it can neither break the layout, nor @mention anyone, nor link or reference anything, nor hide or
 * reorder text, nor forge the marker.
 */
import { escapeInvisible } from '../util/text.js';

/** A zero-width space: breaks a pattern GitHub would act on, and shows nothing. */
const ZWSP = '&#8203;';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '|': '&#124;',
  '*': '&#42;',
  _: '&#95;',
  '`': '&#96;',
  '[': '&#91;',
  ']': '&#93;',
  '\\': '&#92;',
  '~': '&#126;',
  '@': `@${ZWSP}`, // no @mentions, no user/repo@sha, no email autolinks
  ':': '&#58;', // no :emoji: shortcodes
  '#': '&#35;', // no headings
  $: '&#36;', // no $math$
};

/**
 * What GitHub would turn live, matched in the plain text: markdown's special characters, a `www.` or a
 * `scheme://` autolink, a `#1` or `owner/repo#1` reference, a `GH-1` reference, and a commit SHA (a word
 * of 7 to 40 hex digits). Each is entity-escaped and broken with a zero-width space; GitHub decodes the
 * entities before it looks for links and references, so an entity alone does not stop those.
 */
const LIVE = /\b[0-9a-f]{7,40}\b|www(?=\.)|\bgh(?=-\d)|[&<>"|*_`[\]\\~@:#$]/gi;

function inert(m: string, at: number, s: string): string {
  if (m.length >= 7) return m.replace(/.{6}(?=.)/g, `$&${ZWSP}`); // each piece shorter than a SHA
  if (m.length > 1) return `${m}${ZWSP}`; // www. and GH-
  const e = ENTITIES[m] ?? m;
  if (m === ':' && s.startsWith('//', at + 1)) return `${e}${ZWSP}`;
  if (m === '#' && /[0-9a-z]/i.test(s.charAt(at + 1))) return `${e}${ZWSP}`;
  return e;
}

/**
 * Makes untrusted text inert in markdown, in table cells and inside HTML alike: no layout, no links, no
 * mentions or references, no math, and nothing invisible or reordering (escaped visibly, util/text.ts).
 */
export function escapeText(text: string, max = 300): string {
  let t = escapeInvisible(String(text ?? ''));
  if (t.length > max) t = `${t.slice(0, max - 1)}…`;
  return t.replace(LIVE, inert);
}

/** A path or other literal: `<code>` (not a backtick span, whose content entities cannot reach). */
export function code(s: string, max = 200): string {
  return `<code>${escapeText(s, max)}</code>`;
}

/** The hidden marker that finds the sticky comment; the key is URI-encoded, so it cannot close the comment. */
export function commentMarker(key: string): string {
  return `<!-- slimgate-comment:${encodeURIComponent(key)} -->`;
}

/** A second hidden tag: the commit the comment is about (hex only, so it cannot close the comment). */
export function headTag(sha: string): string {
  return `<!-- slimgate-head:${sha.replace(/[^0-9a-f]/gi, '').slice(0, 64)} -->`;
}

/**
 * A URL the comment may link: https, and only characters that cannot end the link or start markup (no
 * spaces, parentheses, brackets, quotes, angle brackets, backslashes, backticks or non-ASCII).
 */
export function isLinkUrl(url: string): boolean {
  return /^https:\/\/[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?(?:\/[A-Za-z0-9\-._~/?#&=%+,;:@!$*]*)?$/.test(
    url,
  );
}
