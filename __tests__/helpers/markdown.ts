/**
 * The one-image comment as tests render it: with the verdict the caller gives, else the judge's verdict
 * for the report as it stands under fail-on error (renderers never decide one).
 */
import { judgeSaved } from '../../src/analysis/judge.js';
import type { ReportDiff } from '../../src/report/diff.js';
import { renderMarkdown as render, type MarkdownOptions } from '../../src/report/markdown.js';
import type { Report } from '../../src/types/report.js';

export function renderMarkdown(
  report: Report,
  diff?: ReportDiff,
  opts: Omit<MarkdownOptions, 'verdict'> & { verdict?: MarkdownOptions['verdict'] } = {},
): string {
  return render(report, diff, {
    ...opts,
    verdict: opts.verdict ?? judgeSaved(report, { failOn: 'error' }, { baseline: null }),
  });
}
