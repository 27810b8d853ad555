/**
 * Known vulnerabilities in the comment and the text output (pure): the headline ("known vulnerabilities:
 * main 143 (4 critical) → this PR 12 (0 critical), −131"), the entries this PR adds (package, severity,
 * fixed in, the layer that brought it), the ones it removes, and main's unchanged backlog as one collapsed
 * line. An unchecked look-up says "not checked (why)", never 0. Record text is escaped by the caller's
 * escaper (markdown) or escapeControls (terminal).
 */
import type { Finding, Report, VulnerabilitySummary } from '../types/report.js';
import { goFixText } from '../analysis/go-fix.js';
import { reachabilityText } from '../analysis/vulnerabilities.js';
import { escapeControls } from '../util/text.js';
import { severityRank } from '../vulns/records.js';

export const isVulnFinding = (f: Finding): boolean => f.id === 'SG801' && f.vulnerability !== undefined;

const MINUS = '\u2212';

function total(s: VulnerabilitySummary): string {
  return `${s.total} (${s.counts.critical} critical)`;
}

/** The one line, in plain text (the caller escapes it for its medium); null when nothing was asked. */
function vulnHeadline(
  report: Pick<Report, 'vulnerabilities'>,
  baseline?: Pick<Report, 'vulnerabilities'> | null,
  baseLabel = 'main',
): string | null {
  const now = report.vulnerabilities;
  if (!now) return null;
  if (!now.checked) return `vulnerabilities: not checked (${now.reason ?? 'no reason given'})`;
  // Nothing was asked: say so rather than a bare 0.
  if (!now.packages.queried) {
    const skipped = now.packages.skipped;
    return `vulnerabilities: no package to look up${skipped ? ` (${skipped} in no ecosystem OSV covers)` : ''}`;
  }
  const before = baseline?.vulnerabilities;
  const waived = now.waived ? `, ${now.waived} waived` : '';
  if (!before?.checked) return `known vulnerabilities: ${total(now)}${waived}`;
  const d = now.total - before.total;
  const delta = d > 0 ? `+${d}` : d < 0 ? `${MINUS}${-d}` : '±0';
  return `known vulnerabilities: ${baseLabel} ${total(before)} → this PR ${total(now)}, ${delta}${waived}`;
}

export interface VulnChanges {
  added: Finding[];
  removed: Finding[];
  unchanged: Finding[];
}

/** The vulnerability entries of a finding match (src/analysis/finding.ts), worst first. */
export function vulnChanges(m: {
  added: readonly Finding[];
  resolved: readonly Finding[];
  unchanged: readonly Finding[];
}): VulnChanges {
  const worst = (a: Finding, b: Finding): number =>
    severityRank(b.vulnerability?.severity ?? 'unknown') -
    severityRank(a.vulnerability?.severity ?? 'unknown');
  return {
    added: m.added.filter(isVulnFinding).sort(worst),
    removed: m.resolved.filter(isVulnFinding).sort(worst),
    unchanged: m.unchanged.filter(isVulnFinding).sort(worst),
  };
}

/** Where the package came from: the layer and its command, and the Dockerfile line when known. */
function origin(f: Finding, report: Pick<Report, 'layers'>): string {
  const parts: string[] = [];
  if (f.layer !== undefined) {
    const by = report.layers[f.layer]?.createdBy;
    parts.push(
      `layer ${f.layer}${by ? ` (${by.replace(/^\/bin\/sh -c (#\(nop\) )?/, '').slice(0, 60)})` : ''}`,
    );
  }
  if (f.location) parts.push(`${f.location.file}:${f.location.line}`);
  return parts.join(', ');
}

interface VulnRow {
  severity: string;
  ids: string;
  pkg: string;
  fixed: string;
  origin: string;
  note: string;
}

/** One entry's cells, as plain text. */
function vulnRow(f: Finding, report: Pick<Report, 'layers'>): VulnRow {
  const v = f.vulnerability;
  if (!v) return { severity: '', ids: f.id, pkg: '', fixed: '', origin: '', note: f.message };
  const notes = [
    reachabilityText(v),
    goFixText(v),
    v.waived ? `waived until ${v.waived.until}: ${v.waived.reason}` : '',
    f.path ? `in ${f.path}` : '',
  ].filter(Boolean);
  return {
    severity: `${v.severity}${v.score !== undefined ? ` ${v.score.toFixed(1)}` : ''}`,
    ids: [v.ids[0], ...v.ids.slice(1, 3)].join(', ') + (v.ids.length > 3 ? ', …' : ''),
    pkg: `${v.package.name} ${v.package.version}`,
    fixed: v.fixed ?? 'no fix yet',
    origin: origin(f, report),
    note: notes.join('; '),
  };
}

export interface MarkdownKit {
  text: (s: string, max?: number) => string;
  code: (s: string, max?: number) => string;
}

function table(rows: readonly Finding[], report: Report, k: MarkdownKit, max: number): string[] {
  const out = ['| severity | id | package | fixed in | brought by |', '| --- | --- | --- | --- | --- |'];
  for (const f of rows.slice(0, max)) {
    const r = vulnRow(f, report);
    const note = r.note ? `<br>${k.text(r.note, 240)}` : '';
    out.push(
      `| ${k.text(r.severity, 20)} | ${k.text(r.ids, 120)} | ${k.code(r.pkg, 100)}${note} | ${k.code(r.fixed, 80)} | ${k.text(r.origin, 120)} |`,
    );
  }
  if (rows.length > max) out.push('', `… and ${rows.length - max} more (see the JSON report)`);
  return out;
}

/** The comment's section: headline, added, removed (collapsed), main's backlog as one collapsed line. */
export function vulnMarkdown(
  report: Report,
  baseline: Pick<Report, 'vulnerabilities'> | null | undefined,
  m: VulnChanges | null,
  k: MarkdownKit,
  max: number,
): string[] {
  const head = vulnHeadline(report, baseline);
  if (!head) return [];
  const out = [`**${k.text(head, 300)}**`, ''];
  if (!report.vulnerabilities?.checked) return out;
  const added = m ? m.added : report.findings.filter(isVulnFinding);
  if (added.length) out.push(`Added by this PR (${added.length}):`, '', ...table(added, report, k, max), '');
  else if (m) out.push('This PR adds no known vulnerability.', '');
  const details = (summary: string, body: string[]): string[] => [
    '<details>',
    `<summary>${summary}</summary>`,
    '',
    ...body,
    '',
    '</details>',
    '',
  ];
  if (m?.removed.length)
    out.push(...details(`Removed by this PR (${m.removed.length})`, table(m.removed, report, k, max)));
  if (m?.unchanged.length) {
    const c = m.unchanged.filter((f) => f.vulnerability?.severity === 'critical').length;
    out.push(
      ...details(
        `main's backlog: ${m.unchanged.length} unchanged (${c} critical)`,
        table(m.unchanged, report, k, max),
      ),
    );
  }
  return out;
}

/** The text output's lines: the headline, then what this PR adds. */
export function vulnTextLines(
  report: Report,
  baseline: Report | null | undefined,
  m: VulnChanges | null,
): string[] {
  const head = vulnHeadline(report, baseline);
  if (!head) return [];
  const out = [escapeControls(head)];
  const added = report.vulnerabilities?.checked ? (m ? m.added : report.findings.filter(isVulnFinding)) : [];
  for (const f of added.slice(0, 50)) {
    const r = vulnRow(f, report);
    out.push(
      escapeControls(
        `  ${r.severity.padEnd(13)} ${r.ids}  ${r.pkg} → ${r.fixed}${r.origin ? `  [${r.origin}]` : ''}${r.note ? `  (${r.note})` : ''}`,
      ),
    );
  }
  if (added.length > 50) out.push(`  … and ${added.length - 50} more`);
  if (m?.removed.length) out.push(`  removed by this change: ${m.removed.length}`);
  if (m?.unchanged.length) out.push(`  unchanged from the baseline: ${m.unchanged.length}`);
  return out;
}

/**
 * One plain line per Go entry (for the HTML page, which colours files by package and has no table of
 * entries): the binary, the entry, and whether it is linked; bounded, with the rest counted.
 */
export function goVulnLines(report: Pick<Report, 'findings'>, max = 20): string[] {
  const go = report.findings.filter((f) => f.vulnerability?.reachability && f.path !== undefined);
  const lines = go.slice(0, max).map((f) => {
    const v = f.vulnerability as NonNullable<Finding['vulnerability']>;
    const fix = goFixText(v);
    return escapeControls(
      `Go vulnerability ${v.ids[0] ?? '?'} (${v.package.name} ${v.package.version}, ${v.severity}) in ${f.path}: ${reachabilityText(v)}${fix ? `; ${fix}` : ''}`,
    );
  });
  if (go.length > max) lines.push(`… and ${go.length - max} more Go vulnerability entries`);
  return lines;
}
