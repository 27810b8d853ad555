/**
 * The PR comment and job summary body (pure): a report, and optionally its diff against the baseline, to
 * GitHub-flavoured markdown.
 *
 * Layout: the verdict with the headline numbers on the first line; a baseline | this PR | Δ table; the
 * budgets; the new findings with their remediation; `<details>` blocks for everything else; a footer that
 * links the docs of each rule that fired; and a hidden marker that carries the comment key.
 *
 * The pieces live beside this file: the escaping (comment-escape.ts), the sections in their order
 * (comment-sections.ts, one module each), the header and footer (comment-header.ts), the layout for several
 * platforms (comment-platforms.ts) and the fit under GitHub's limit (comment-fit.ts).
 */
import type { ReportDiff } from './diff.js';
import type { Report } from '../types/report.js';
import { DOCS_URL } from './comment-format.js';
import { fitToLimit } from './comment-fit.js';
import type { Level, MarkdownOptions } from './comment-options.js';
import { fixesSection, footer, header, withMarkers } from './comment-header.js';
import { imageSections } from './comment-sections.js';
import {
  renderPlatforms,
  type PlatformMarkdown,
  type PlatformsMarkdownOptions,
} from './comment-platforms.js';

export { code, commentMarker, escapeText, isLinkUrl } from './comment-escape.js';
export { GITHUB_COMMENT_LIMIT } from './comment-fit.js';
export type { MarkdownOptions } from './comment-options.js';
export type { PlatformMarkdown } from './comment-platforms.js';

function render(
  report: Report,
  diff: ReportDiff | undefined,
  o: MarkdownOptions,
  lv: Level,
  trimmed: boolean,
): string {
  const docs = o.docsUrl ?? DOCS_URL;
  const { verdict } = o;
  const out: string[] = [
    ...header(report, diff, verdict, o),
    ...imageSections({ report, diff, verdict, o, docs, lv, trend: o.trend }),
  ];
  if (o.fixesDiff) out.push(...fixesSection(o.fixesDiff));
  out.push(...footer(report.findings, docs, trimmed, o));
  return withMarkers(out, o);
}

/**
 * The comment for `--platform all`: one headline table with a row per platform, one verdict (it fails when
 * any platform fails), and each platform's details in its own collapsible section. Trimmed as the
 * one-image comment is.
 */
export function renderPlatformsMarkdown(
  entries: readonly PlatformMarkdown[],
  opts: PlatformsMarkdownOptions = {},
): string {
  return fitToLimit((lv, trimmed) => renderPlatforms(entries, opts, lv, trimmed), opts);
}

/** The comment for a check: a set of judged platforms, and how to present them. */
export interface CommentOptions extends PlatformsMarkdownOptions {
  /** Show the platform in the one-image layout (when the image has several, or one was chosen). */
  showPlatform?: boolean;
}

/**
 * The comment (and job summary, and `--markdown`) for a check: the compact one-image layout for one entry,
 * else a headline row per platform with each platform's details below.
 */
export function renderComment(entries: readonly PlatformMarkdown[], opts: CommentOptions = {}): string {
  const [only, ...more] = entries;
  if (!only || more.length) return renderPlatformsMarkdown(entries, opts);
  return renderMarkdown(only.report, only.diff, {
    ...opts,
    verdict: only.verdict,
    ...(only.trend ? { trend: only.trend } : {}),
    ...(only.baselineNote !== undefined ? { baselineNote: only.baselineNote } : {}),
  });
}

/**
 * The comment body. Keeps under `maxLength` (GitHub's 65,536 by default) by trimming the details first,
 * and says so; as a last resort it cuts the body and keeps the marker.
 */
export function renderMarkdown(report: Report, diff: ReportDiff | undefined, opts: MarkdownOptions): string {
  return fitToLimit((lv, trimmed) => render(report, diff, opts, lv, trimmed), opts);
}
