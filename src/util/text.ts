/** Shortens to one line of at most `n` characters, with an ellipsis when cut. */
export function truncate(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

/**
 * Characters that a terminal, a log viewer or a renderer acts on instead of showing: C0, DEL and C1
 * controls (ESC starts CSI/OSC sequences, CR and LF start a new line, which in the Actions log may start a
 * workflow command); bidi embeddings, overrides, isolates and marks (they reorder text, "Trojan Source");
 * zero-width characters and the BOM (they hide text); the line and paragraph separators; and lone
 * surrogates (not text at all).
 */
const INVISIBLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const n = c.charCodeAt(0);
  return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** Every character in INVISIBLE as a visible escape (`\x1b`, `\n`, `\u202e`), as `--json` shows C0 controls. */
export function escapeInvisible(text: string): string {
  return String(text).replace(INVISIBLE, escapeOne);
}

/**
 * Text from an image made safe to print as (part of) one line: escapeInvisible, and the runner's legacy
 * workflow-command prefix `##[`, which it acts on anywhere in a line, broken (`##\x5b`). With line breaks
 * escaped, no printed line can start with `::` unless Slimgate wrote it there.
 *
 * The one escaping used by every text surface: `inspect` and `check` output, `slimgate:` error lines, the
 * action's log and annotations. Markdown builds on escapeInvisible (report/markdown.ts escapeText).
 */
export function escapeControls(text: string): string {
  return escapeInvisible(text).replaceAll('##[', '##\\x5b');
}

/**
 * A block of lines (a diff, a file) made safe to print: every character escapeInvisible escapes except the
 * line feed and the tab, which the block's own layout needs. Its lines must not start with `::` by
 * construction (a diff's start with ` `, `+`, `-` or `@`); the runner's `##[` is broken as in
 * escapeControls.
 */
export function escapeBlock(text: string): string {
  return String(text)
    .replace(INVISIBLE, (c) => (c === '\n' || c === '\t' ? c : escapeOne(c)))
    .replaceAll('##[', '##\\x5b');
}

/** Lines of text output, each made safe with escapeControls, joined with (and ended by) a newline. */
export function printableLines(lines: readonly string[]): string {
  return lines.map(escapeControls).join('\n') + '\n';
}
