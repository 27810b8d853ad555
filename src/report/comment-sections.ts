/**
 * The comment's sections for one image, in the order they appear: each is one function of the same
 * context. Adding a section is one module and one row in IMAGE_SECTIONS.
 */
import type { Verdict } from '../analysis/verdict.js';
import type { ReportDiff } from './diff.js';
import type { Report } from '../types/report.js';
import { trendMarkdown, type Trend } from './trend.js';
import { binariesDiffMarkdown } from './binaries-diff.js';
import { code, escapeText } from './comment-escape.js';
import { bySeverity, capped, details, findingLine } from './comment-format.js';
import type { Level, PageOptions } from './comment-options.js';
import { sizesTable } from './comment-sizes.js';
import { budgetsSection } from './comment-budgets.js';
import { findingsSection } from './comment-findings.js';
import { packagesSection } from './comment-packages.js';
import { filesSection } from './comment-files.js';
import { layersSection } from './comment-layers.js';
import { baseSection, largestSection } from './comment-base.js';
import { isVulnFinding, vulnChanges, vulnMarkdown } from './vulns-text.js';

/** What every section sees: one image, its diff (when there is a baseline), its verdict, the detail level. */
export interface SectionContext {
  report: Report;
  diff: ReportDiff | undefined;
  verdict: Verdict;
  o: PageOptions;
  docs: string;
  lv: Level;
  trend: Trend | undefined;
}

type Section = (c: SectionContext) => string[];

/** The lists below the findings: only while the level of detail lists anything. */
const listed =
  (section: Section): Section =>
  (c) =>
    c.lv.listed > 0 ? section(c) : [];

/** Error findings the baseline already has (fail-on new-error): listed, not blocking. */
const debtSection: Section = ({ verdict: v, o, docs, lv }) => {
  // Known vulnerabilities have their own section (vulns-text.ts).
  const debt = v.debt.filter((f) => !isVulnFinding(f));
  if (!debt.length) return [];
  return details(
    `Debt: ${debt.length} error finding${debt.length === 1 ? '' : 's'} ${escapeText(o.baselineLabel ?? 'the baseline', 60)} already has (not blocking)`,
    capped(debt, lv.listed, (f) => findingLine(f, docs, true), 'findings'),
  );
};

const resolvedSection: Section = ({ diff, docs, lv }) => {
  const resolved = (diff?.findings.resolved ?? []).filter((f) => !isVulnFinding(f));
  if (!resolved.length) return [];
  return details(
    `Resolved findings (${resolved.length})`,
    capped([...resolved].sort(bySeverity), lv.listed, (f) => findingLine(f, docs, false), 'findings'),
  );
};

const unchangedSection: Section = ({ diff, verdict, docs, lv }) => {
  const debt = new Set(verdict.debt);
  const unchanged = (diff?.findings.unchanged ?? []).filter((f) => !debt.has(f) && !isVulnFinding(f));
  if (!unchanged.length) return [];
  return details(
    `Unchanged findings (${unchanged.length})`,
    capped([...unchanged].sort(bySeverity), lv.listed, (f) => findingLine(f, docs, false), 'findings'),
  );
};

/** The sections of one image, top to bottom. */
const IMAGE_SECTIONS: Section[] = [
  ({ report, diff, o }) => sizesTable(report, diff, o.baselineLabel ?? 'baseline'),
  ({ trend }) =>
    trend ? details(`Size history on main (${trend.main.length} commits)`, trendMarkdown(trend)) : [],
  ({ report, diff }) => budgetsSection(report, diff),
  ({ report, diff, docs, lv }) => findingsSection(report, diff, docs, lv),
  ({ report, diff, lv }) =>
    vulnMarkdown(
      report,
      diff ? { vulnerabilities: diff.baselineVulnerabilities } : null,
      diff ? vulnChanges(diff.findings) : null,
      { text: escapeText, code },
      Math.max(5, Math.min(lv.listed, 50)),
    ),
  ({ report, diff, lv }) => packagesSection(report, diff, lv),
  listed((c) => (c.diff ? debtSection(c) : [])),
  listed(resolvedSection),
  listed(unchangedSection),
  listed(({ diff, lv }) => (diff ? filesSection(diff, lv) : [])),
  listed(({ diff, lv }) =>
    diff ? binariesDiffMarkdown(diff.binaries, { code, text: escapeText }, Math.min(lv.listed, 60)) : [],
  ),
  listed(({ report, diff, lv }) => (diff ? [] : largestSection(report, lv))),
  listed(({ report, diff, lv }) => layersSection(report, diff, lv)),
  listed(({ report }) => baseSection(report)),
];

/** Everything about one image below its verdict: sizes, history, budgets, findings, files, layers, base. */
export function imageSections(c: SectionContext): string[] {
  return IMAGE_SECTIONS.flatMap((section) => section(c));
}
