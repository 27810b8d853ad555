/** The comment for several platforms: a row per platform, one verdict, each platform's details folded. */
import { layersStoredUncompressed } from '../sources/model/image.js';
import { combineVerdicts, type Verdict } from '../analysis/verdict.js';
import type { ReportDiff } from './diff.js';
import type { Report } from '../types/report.js';
import type { Trend } from './trend.js';
import { code, escapeText } from './comment-escape.js';
import {
  budgetLabel,
  deltaCell,
  details,
  formatBytes,
  num,
  STATUS_ICON,
  DOCS_URL,
} from './comment-format.js';
import type { Level, PageOptions } from './comment-options.js';
import { STORED_NOTE } from './comment-sizes.js';
import {
  againstBit,
  blockingSentence,
  fixesSection,
  footer,
  missingLines,
  noBaselineLines,
  NOTHING_TO_COMPARE,
  overrideLines,
  verdictLine,
  withMarkers,
} from './comment-header.js';
import { imageSections } from './comment-sections.js';

/** One platform of a `--platform all` check: its report, its diff against the same platform, its verdict. */
export interface PlatformMarkdown {
  report: Report;
  diff?: ReportDiff | undefined;
  verdict: Verdict;
  /** Without a diff: why this platform has no baseline (e.g. the baseline lacks it). Plain text. */
  baselineNote?: string | undefined;
  /** The size history on main and this platform's point. */
  trend?: Trend | undefined;
}

export type PlatformsMarkdownOptions = Omit<PageOptions, 'showPlatform' | 'trend'>;

function countsCell(v: Verdict): string {
  const n = (k: number, what: string): string => `${num(k)} ${what}${k === 1 ? '' : 's'}`;
  const parts = [v.status === 'fail' ? (v.blocking ? 'fails' : 'fails, not blocking') : 'passes'];
  if (v.breaches[0]) parts.push(`over ${budgetLabel(v.breaches[0].name)}`);
  if (v.errors) parts.push(n(v.errors, 'error'));
  if (v.warnings) parts.push(n(v.warnings, 'warning'));
  if (!v.errors && !v.warnings) parts.push('no findings');
  return `${STATUS_ICON[v.status]} ${parts.join(' · ')}`;
}

/** One row per platform: the headline of a multi-platform comment. */
function platformsTable(entries: readonly PlatformMarkdown[], baseLabel: string): string[] {
  const stored = entries.some((e) => layersStoredUncompressed(e.report.layers));
  const rows = entries.map(({ report, diff, verdict }) => {
    const delta = diff ? deltaCell(diff.size.uncompressed, true) : 'no baseline';
    return `| ${escapeText(report.image.platform, 60)} | **${formatBytes(report.size.uncompressed)}** | ${delta} | ${formatBytes(report.size.compressed)} | ${countsCell(verdict)} |`;
  });
  return [
    `| platform | size (uncompressed) | Δ vs ${escapeText(baseLabel, 60)} | ${stored ? 'compressed¹' : 'compressed'} | verdict |`,
    '| --- | ---: | ---: | ---: | --- |',
    ...rows,
    ...(stored ? ['', STORED_NOTE] : []),
    '',
  ];
}

/** The verdict that speaks for all: the first blocking failure, else the first failure, warning, or pass. */
function representative(entries: readonly PlatformMarkdown[]): Verdict | undefined {
  const vs = entries.map((e) => e.verdict);
  return (
    vs.find((v) => v.status === 'fail' && v.blocking) ??
    vs.find((v) => v.status === 'fail') ??
    vs.find((v) => v.status === 'warn') ??
    vs[0]
  );
}

export function renderPlatforms(
  entries: readonly PlatformMarkdown[],
  o: PlatformsMarkdownOptions,
  lv: Level,
  trimmed: boolean,
): string {
  const docs = o.docsUrl ?? DOCS_URL;
  const combined = combineVerdicts(
    entries.map((e) => ({ platform: e.report.image.platform, verdict: e.verdict })),
  );
  const n = entries.length;
  const plural = n === 1 ? 'platform' : 'platforms';
  const pass = n === 1 ? 'passes' : 'pass';
  const failing = combined.failing.map((p) => escapeText(p, 60)).join(', ');
  const first =
    combined.status === 'fail'
      ? `❌ **${n} ${plural}**: ${failing} ${combined.failing.length === 1 ? 'fails' : 'fail'}`
      : combined.status === 'warn'
        ? `⚠️ **${n} ${plural}** ${pass}, with warnings`
        : `✅ **${n} ${plural}** ${pass}`;
  const rep = representative(entries);
  const bits = [`<b>Slimgate</b>`, code(entries[0]?.report.image.source ?? '', 120)];
  if (entries.some((e) => e.diff)) bits.push(againstBit(o));
  if (rep) bits.push(blockingSentence(rep));
  const out = [first, '', `<sub>${bits.join(' · ')}</sub>`, ''];
  if (!entries.some((e) => e.diff)) out.push(...noBaselineLines(o.baselineNote));
  out.push(...missingLines(o.missing));
  if (combined.blocking && o.overrideLabel) out.push(...overrideLines(o.overrideLabel));
  for (const note of o.notes ?? []) out.push(`> ${escapeText(note, 500)}`, '');
  out.push(...platformsTable(entries, o.baselineLabel ?? 'baseline'));
  for (const e of entries) {
    const { report, diff, verdict } = e;
    const body = [verdictLine(report, diff, verdict, o.baselineLabel), ''];
    if (!diff && entries.some((x) => x.diff))
      body.push(`> **No baseline for this platform.** ${escapeText(e.baselineNote ?? '')}`.trimEnd(), '');
    if (verdict.ratchet === 'no-baseline') body.push(...NOTHING_TO_COMPARE);
    body.push(...imageSections({ report, diff, verdict, o, docs, lv, trend: e.trend }));
    const summary = `${STATUS_ICON[verdict.status]} ${escapeText(report.image.platform, 60)} · ${formatBytes(report.size.uncompressed)} uncompressed`;
    out.push(...details(summary, body));
  }
  if (o.fixesDiff) out.push(...fixesSection(o.fixesDiff));
  out.push(
    ...footer(
      entries.flatMap((e) => e.report.findings),
      docs,
      trimmed,
      o,
    ),
  );
  return withMarkers(out, o);
}
