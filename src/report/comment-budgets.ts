/** The budgets table: each budget's limit, this image's measure, and whether it newly went over. */
import type { ReportDiff } from './diff.js';
import type { Report } from '../types/report.js';
import { escapeText } from './comment-escape.js';
import { budgetLabel, budgetValue } from './comment-format.js';

export function budgetsSection(report: Report, diff: ReportDiff | undefined): string[] {
  const checks = report.budget.checks;
  if (!checks.length) return [];
  const prev = new Map((diff?.budget.checks ?? []).map((c) => [c.name, c.before]));
  const out = ['**Budgets**', '', '| budget | limit | this PR |  |', '| --- | ---: | ---: | :---: |'];
  for (const c of checks) {
    const was = prev.get(c.name);
    if (c.skipped) {
      out.push(
        `| ${budgetLabel(c.name)} | ${budgetValue(c, c.limit)} | skipped${c.detail ? `: ${escapeText(c.detail, 120)}` : ''} | ➖ |`,
      );
      continue;
    }
    const flip = was && was.passed && !c.passed ? ' (newly over)' : '';
    out.push(
      `| ${budgetLabel(c.name)} | ${budgetValue(c, c.limit)} | ${budgetValue(c, c.actual)} | ${c.passed ? '✅' : `❌${flip}`} |`,
    );
  }
  out.push('');
  return out;
}
