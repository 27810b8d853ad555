/**
 * Edits of a text file as a unified diff (pure), as `diff -u` and `git apply` read it, and as GitHub
 * suggestions (a range of lines and what replaces it).
 */
import type { Edit as LineEdit } from '../analysis/fixes.js';

/** A suggestion: lines `start`..`end` (always at least one line, as GitHub needs) become `lines`. */
export interface LineSuggestion {
  start: number;
  end: number;
  lines: string[];
}

function lines(text: string): string[] {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const body = text.endsWith(eol) ? text.slice(0, -eol.length) : text;
  return body === '' ? [] : body.split(eol);
}

/** An insertion becomes a replacement of the line it goes before (or the last line, at the end). */
export function asSuggestion(before: string, e: LineEdit): LineSuggestion {
  if (e.end >= e.start) return { start: e.start, end: e.end, lines: e.lines };
  const old = lines(before);
  if (e.start <= old.length)
    return { start: e.start, end: e.start, lines: [...e.lines, old[e.start - 1] as string] };
  const last = old.length;
  return { start: last, end: last, lines: [old[last - 1] ?? '', ...e.lines] };
}

/** `diff -u` of `before` with non-overlapping `edits` applied, 3 lines of context, under `a/PATH` `b/PATH`. */
export function unifiedDiff(path: string, before: string, edits: readonly LineEdit[], context = 3): string {
  if (!edits.length) return '';
  const old = lines(before);
  // Without a final newline, diff marks the last line of each side (git apply insists).
  const noEol = before !== '' && !before.endsWith('\n');
  const newLength = old.length + edits.reduce((n, e) => n + e.lines.length - (e.end - e.start + 1), 0);
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  // Group edits whose context overlaps into one hunk.
  const groups: LineEdit[][] = [];
  for (const e of sorted) {
    const g = groups[groups.length - 1];
    const prev = g?.[g.length - 1];
    if (g && prev && e.start - Math.max(prev.end, prev.start - 1) <= 2 * context + 1) g.push(e);
    else groups.push([e]);
  }
  const out = [`--- a/${path}`, `+++ b/${path}`];
  let shift = 0; // new line number minus old line number, before the current hunk
  for (const g of groups) {
    const first = g[0] as LineEdit;
    const last = g[g.length - 1] as LineEdit;
    const from = Math.max(1, first.start - context);
    const to = Math.min(old.length, Math.max(last.end, last.start - 1) + context);
    const body: string[] = [];
    let at = from;
    let added = 0;
    let removed = 0;
    const NO_EOL = '\\ No newline at end of file';
    let newSide = 0; // lines of the new side in the body so far
    const keep = (n: number): void => {
      body.push(` ${old[n - 1]}`);
      newSide++;
      if (noEol && n === old.length) body.push(NO_EOL);
    };
    for (const e of g) {
      for (; at < e.start; at++) keep(at);
      for (let i = e.start; i <= e.end; i++) {
        body.push(`-${old[i - 1]}`);
        removed++;
        if (noEol && i === old.length) body.push(NO_EOL);
      }
      at = Math.max(at, e.end + 1);
      for (const l of e.lines) {
        body.push(`+${l}`);
        added++;
        newSide++;
        if (noEol && from + shift + newSide - 1 === newLength) body.push(NO_EOL);
      }
    }
    for (; at <= to; at++) keep(at);
    const oldCount = to - from + 1;
    const newCount = oldCount - removed + added;
    const oldStart = oldCount === 0 ? from - 1 : from;
    const newStart = newCount === 0 ? from - 1 + shift : from + shift;
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`, ...body);
    shift += added - removed;
  }
  return out.join('\n') + '\n';
}
