/** The findings: new ones with their fix, then debt, resolved and unchanged ones in details. */
import type { ReportDiff } from './diff.js';
import type { Report } from '../types/report.js';
import { bySeverity, capped, details, findingLine } from './comment-format.js';
import type { Level } from './comment-options.js';

export function findingsSection(
  report: Report,
  diff: ReportDiff | undefined,
  docs: string,
  lv: Level,
): string[] {
  const out: string[] = [];
  const list = [...(diff ? diff.findings.added : report.findings)].sort(bySeverity);
  const title = diff ? 'New findings' : 'Findings';
  if (!list.length) {
    if (diff) out.push('**No new findings.**', '');
    else out.push('**No findings.**', '');
    return out;
  }
  out.push(`**${title} (${list.length})**`, '');
  out.push(...list.slice(0, lv.findings).map((f) => findingLine(f, docs, true)));
  out.push('');
  const rest = list.slice(lv.findings);
  if (rest.length) {
    if (lv.listed > 0)
      out.push(
        ...details(
          `${rest.length} more ${title.toLowerCase()}`,
          capped(rest, lv.listed, (f) => findingLine(f, docs, true), 'findings'),
        ),
      );
    else
      out.push(
        `… and ${rest.length} more ${title.toLowerCase()} (see the job summary or the JSON report)`,
        '',
      );
  }
  return out;
}
