/**
 * The size trend on main as a Mermaid `xychart-beta`, which GitHub renders in markdown: the uncompressed
 * and compressed sizes of the last main commits, and the PR's point marked by a bar. Pure.
 *
 * The points come from a saved report (the Actions cache), so they are checked here like any input: only
 * hex commit ids, ISO dates and finite sizes reach the chart source.
 */
import type { Report, SizePoint } from '../types/report.js';

export interface Trend {
  /** Main's sizes, oldest first. */
  main: SizePoint[];
  /** The checked image's sizes, when it is a PR (not one of main's points). */
  pr?: { compressed: number; uncompressed: number };
}

const size = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;

/** The well-formed points of a history, as read from JSON. */
export function validPoints(history: unknown): SizePoint[] {
  if (!Array.isArray(history)) return [];
  return history.flatMap((p: unknown) => {
    const o = (p && typeof p === 'object' ? p : {}) as Record<string, unknown>;
    const { commit, date, compressed, uncompressed } = o;
    if (typeof commit !== 'string' || !/^[0-9a-f]{7,64}$/.test(commit)) return [];
    if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(date))
      return [];
    if (!size(compressed) || !size(uncompressed)) return [];
    return [{ commit, date, compressed, uncompressed }];
  });
}

/**
 * What to draw: a PR against main's history (from the baseline), or main's own history (a push run's
 * report). Undefined when there are fewer than two points to join.
 */
export function trendOf(report: Report, baseline: Report | null | undefined): Trend | undefined {
  const fromBaseline = validPoints(baseline?.history);
  if (fromBaseline.length) {
    return {
      main: fromBaseline,
      pr: { compressed: report.size.compressed, uncompressed: report.size.uncompressed },
    };
  }
  const own = validPoints(report.history);
  return own.length >= 2 ? { main: own } : undefined;
}

const UNITS: [number, string][] = [
  [1e9, 'GB'],
  [1e6, 'MB'],
  [1e3, 'kB'],
  [1, 'B'],
];

function unitFor(max: number): [number, string] {
  return UNITS.find(([f]) => max >= f) ?? [1, 'B'];
}

const round = (n: number): number => Math.round(n * 100) / 100;

/** Commit labels as short as the axis needs (the caption and the JSON have them whole); distinct. */
function shortCommits(points: SizePoint[]): string[] {
  const len = points.length <= 12 ? 7 : points.length <= 20 ? 5 : 4;
  const short = points.map((p) => p.commit.slice(0, len));
  return new Set(short).size === short.length ? short : points.map((p) => p.commit.slice(0, 7));
}

/** The chart's Mermaid source (without the code fence). */
export function trendChart(t: Trend): string {
  const all = [...t.main, ...(t.pr ? [t.pr] : [])];
  const max = Math.max(1, ...all.map((p) => p.uncompressed), ...all.map((p) => p.compressed));
  const [factor, unit] = unitFor(max);
  const v = (n: number): string => String(round(n / factor));
  const labels = [...shortCommits(t.main).map((c) => `"${c}"`), ...(t.pr ? ['"PR"'] : [])];
  const lines = [
    // Smaller axis labels, so that 30 commits fit under a comment's width.
    `%%{init: {"xyChart": {"width": 900, "height": 420, "xAxis": {"labelFontSize": ${labels.length > 12 ? 10 : 14}}}}}%%`,
    'xychart-beta',
    `  title "Image size on main (${unit}): uncompressed, compressed${t.pr ? ', this PR' : ''}"`,
    `  x-axis [${labels.join(', ')}]`,
    `  y-axis "${unit}" 0 --> ${v(max * 1.1)}`,
  ];
  // A bar only at the PR's position marks it: xychart has no per-point markers.
  if (t.pr) lines.push(`  bar [${[...t.main.map(() => '0'), v(t.pr.uncompressed)].join(', ')}]`);
  lines.push(`  line [${all.map((p) => v(p.uncompressed)).join(', ')}]`);
  lines.push(`  line [${all.map((p) => v(p.compressed)).join(', ')}]`);
  return lines.join('\n');
}

/** The chart in a fenced block, and one plain line that says what it shows. */
export function trendMarkdown(t: Trend): string[] {
  const first = t.main[0]!;
  const last = t.main[t.main.length - 1]!;
  const span =
    t.main.length === 1
      ? `main at ${first.commit.slice(0, 7)} (${first.date.slice(0, 10)})`
      : `the last ${t.main.length} main commits, ${first.commit.slice(0, 7)} (${first.date.slice(0, 10)}) to ` +
        `${last.commit.slice(0, 7)} (${last.date.slice(0, 10)})`;
  return [
    '```mermaid',
    trendChart(t),
    '```',
    '',
    `Upper line uncompressed, lower line compressed, over ${span}${t.pr ? '; the bar and the last point are this PR' : ''}.`,
  ];
}
