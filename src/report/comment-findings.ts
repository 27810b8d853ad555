/**
 * The findings, grouped by rule: one line per rule with its count, its fix once, and the paths of the
 * others folded into the line. Groups beyond the level's count go in a details block.
 */
import { isVulnFinding } from './vulns-text.js';
import type { ReportDiff } from './diff.js';
import type { Finding, Report } from '../types/report.js';
import { code, escapeText } from './comment-escape.js';
import { bySeverity, capped, details, findingLine, ruleLink, SEVERITY_ICON } from './comment-format.js';
import type { Level } from './comment-options.js';

/** Paths named on a grouped rule's line; the rest are counted. */
const FOLDED_PATHS = 5;

/** Findings of one rule, in the order given (most severe first). */
function byRule(list: readonly Finding[]): Finding[][] {
  const groups = new Map<string, Finding[]>();
  for (const f of list) {
    const g = groups.get(f.id);
    if (g) g.push(f);
    else groups.set(f.id, [f]);
  }
  return [...groups.values()];
}

/** One rule's line: alone as before; several as the first's message, the others' paths, and the fix once. */
function ruleLine(group: readonly Finding[], docs: string): string {
  const [first, ...others] = group;
  if (!first) return '';
  if (!others.length) return findingLine(first, docs, true);
  const paths = others.flatMap((f) => (f.path ? [f.path] : []));
  const shown = paths.slice(0, FOLDED_PATHS).map((p) => code(p, 100));
  const more = others.length - shown.length;
  const also = shown.length
    ? ` · also ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`
    : ` · and ${others.length} more`;
  const head = `- ${SEVERITY_ICON[first.severity]} ${ruleLink(first.id, docs)} **×${group.length}** ${escapeText(first.message)}${also}`;
  if (!first.remediation) return head;
  // The fix once: the first's, said to hold for each when the others' name their own path.
  const same = others.every((f) => f.remediation === first.remediation);
  return `${head}<br>↳ ${escapeText(first.remediation)}${same ? '' : ' (likewise for each)'}`;
}

export function findingsSection(
  report: Report,
  diff: ReportDiff | undefined,
  docs: string,
  lv: Level,
): string[] {
  const out: string[] = [];
  // Known vulnerabilities have their own section (vulns-text.ts).
  const list = [...(diff ? diff.findings.added : report.findings)]
    .filter((f) => !isVulnFinding(f))
    .sort(bySeverity);
  const title = diff ? 'New findings' : 'Findings';
  if (!list.length) {
    if (diff) out.push('**No new findings.**', '');
    else out.push('**No findings.**', '');
    return out;
  }
  const groups = byRule(list);
  const rules = groups.length === list.length ? '' : `, ${groups.length} rules`;
  out.push(`**${title} (${list.length}${rules})**`, '');
  out.push(...groups.slice(0, lv.findings).map((g) => ruleLine(g, docs)));
  out.push('');
  const rest = groups.slice(lv.findings);
  if (rest.length) {
    const n = rest.reduce((k, g) => k + g.length, 0);
    if (lv.listed > 0)
      out.push(
        ...details(
          `${n} more ${title.toLowerCase()}`,
          capped(rest, lv.listed, (g) => ruleLine(g, docs), 'rules'),
        ),
      );
    else out.push(`… and ${n} more ${title.toLowerCase()} (see the job summary or the JSON report)`, '');
  }
  return out;
}
