// The size history (src/github/history.ts) and its chart (src/report/trend.ts): pure functions over data.
import { describe, expect, it } from 'vitest';
import { parseCacheSetting } from '../../src/github/actions-cache.js';
import { commitDate, HISTORY_LENGTH, withHistory } from '../../src/github/history.js';
import { diffReports } from '../../src/report/diff.js';
import { renderMarkdown } from '../helpers/markdown.js';
import { trendChart, trendOf, validPoints } from '../../src/report/trend.js';
import { decideVerdict } from '../../src/analysis/verdict.js';
import type { Report, SizePoint } from '../../src/types/report.js';
import { mainReport, prReport } from '../helpers/github-reports.js';

const sha = (i: number): string => i.toString(16).padStart(7, '0') + 'f'.repeat(33);
const point = (i: number, mb: number): SizePoint => ({
  commit: sha(i),
  date: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00.000Z`,
  compressed: Math.round(mb * 400_000),
  uncompressed: Math.round(mb * 1_000_000),
});

describe('withHistory', () => {
  it('carries the previous points forward, this commit last, and keeps the last 30', () => {
    const prev = {
      ...mainReport(),
      history: Array.from({ length: HISTORY_LENGTH }, (_, i) => point(i, 1 + i / 10)),
    };
    const r = withHistory(mainReport(), prev, sha(99), '2026-11-29T00:00:00.000Z');
    expect(r.history).toHaveLength(HISTORY_LENGTH);
    expect(r.history![0]!.commit).toBe(sha(1));
    expect(r.history!.at(-1)).toEqual({
      commit: sha(99),
      date: '2026-11-29T00:00:00.000Z',
      compressed: r.size.compressed,
      uncompressed: r.size.uncompressed,
    });
  });

  it('starts a history from nothing, and replaces a re-run commit instead of repeating it', () => {
    const first = withHistory(mainReport(), null, sha(1), '2026-11-01T00:00:00.000Z');
    expect(first.history).toHaveLength(1);
    const again = withHistory(mainReport(), first, sha(1), '2026-11-02T00:00:00.000Z');
    expect(again.history).toHaveLength(1);
    expect(again.history![0]!.date).toBe('2026-11-02T00:00:00.000Z');
  });

  it('drops hostile or malformed points from a restored report', () => {
    const prev = {
      ...mainReport(),
      history: [
        point(1, 1),
        { commit: 'x"]\n  line [9', date: '2026-11-01', compressed: 1, uncompressed: 1 },
        { commit: sha(2), date: 'yesterday"]', compressed: 1, uncompressed: 1 },
        { commit: sha(3), date: '2026-11-03', compressed: -1, uncompressed: 1 },
        { commit: sha(4), date: '2026-11-03', compressed: 1, uncompressed: Infinity },
        null,
        'x',
      ],
    } as unknown as Report;
    const r = withHistory(mainReport(), prev, sha(5), '2026-11-05T00:00:00.000Z');
    expect(r.history!.map((p) => p.commit)).toEqual([sha(1), sha(5)]);
  });

  it('dates the point by the pushed commit, else now', () => {
    expect(commitDate({ head_commit: { timestamp: '2026-11-02T12:00:00+01:00' } })).toBe(
      '2026-11-02T11:00:00.000Z',
    );
    const now = new Date('2026-11-29T18:00:00Z');
    expect(commitDate({ head_commit: { timestamp: 'soon' } }, now)).toBe(now.toISOString());
    expect(commitDate({}, now)).toBe(now.toISOString());
  });
});

describe('trendOf and trendChart', () => {
  it('a PR: main’s points from the baseline, then the PR’s point, marked by the only bar', () => {
    const base = { ...mainReport(), history: [point(1, 1.5), point(2, 2), point(3, 1.8)] };
    const pr = prReport();
    const t = trendOf(pr, base)!;
    expect(t.main).toHaveLength(3);
    expect(t.pr).toEqual({ compressed: pr.size.compressed, uncompressed: pr.size.uncompressed });
    const src = trendChart(t);
    const lines = src.split('\n');
    expect(lines[1]).toBe('xychart-beta');
    expect(lines).toContain('  x-axis ["0000001", "0000002", "0000003", "PR"]');
    const bar = lines.find((l) => l.startsWith('  bar '))!;
    expect(bar).toMatch(/^ {2}bar \[0, 0, 0, [\d.]+\]$/);
    const [up, down] = lines
      .filter((l) => l.startsWith('  line '))
      .map((l) => JSON.parse(l.slice(7)) as number[]);
    expect(up).toHaveLength(4);
    expect(up!.slice(0, 3)).toEqual([1.5, 2, 1.8]);
    expect(down!.slice(0, 3)).toEqual([0.6, 0.8, 0.72]);
    // The y axis covers every point.
    const top = Number(/0 --> ([\d.]+)$/.exec(lines.find((l) => l.startsWith('  y-axis'))!)![1]);
    expect(top).toBeGreaterThanOrEqual(Math.max(...up!, ...down!));
  });

  it('a push: main’s own history, no PR point; nothing with fewer than two points', () => {
    const r = { ...mainReport(), history: [point(1, 1), point(2, 1)] };
    expect(trendOf(r, null)).toEqual({ main: r.history });
    expect(trendChart(trendOf(r, null)!)).not.toContain('bar');
    expect(trendOf({ ...mainReport(), history: [point(1, 1)] }, null)).toBeUndefined();
    expect(trendOf(mainReport(), mainReport())).toBeUndefined();
  });

  it('picks a unit for the sizes', () => {
    expect(trendChart({ main: [point(1, 0.002), point(2, 0.003)] })).toContain('y-axis "kB"');
    expect(trendChart({ main: [point(1, 2000), point(2, 3000)] })).toContain('y-axis "GB"');
  });

  it('validPoints accepts only the documented shape', () => {
    expect(validPoints(undefined)).toEqual([]);
    expect(validPoints({})).toEqual([]);
    expect(validPoints([point(1, 1)])).toEqual([point(1, 1)]);
  });
});

describe('the comment with the trend chart', () => {
  it('snapshot', async () => {
    const base = {
      ...mainReport(),
      history: Array.from({ length: 12 }, (_, i) => point(i + 1, 1.6 + ((i * 7) % 5) / 20)),
    };
    const pr = prReport();
    const body = renderMarkdown(pr, diffReports(base, pr), {
      commentKey: 'app',
      baselineLabel: 'main',
      baselineSource: 'saved report',
      verdict: decideVerdict(pr, 'error'),
      trend: trendOf(pr, base)!,
    });
    expect(body).toContain('<summary>Size history on main (12 commits)</summary>');
    expect(body.split('<details>').length).toBe(body.split('</details>').length);
    await expect(body).toMatchFileSnapshot('./__snapshots__/markdown/trend.md.snap');
  });
});

describe('the cache input', () => {
  it('is on by default, off with false, and a size is the layer-scan limit', () => {
    expect(parseCacheSetting('')).toEqual({ enabled: true, layerLimit: 100_000_000 });
    expect(parseCacheSetting('true')).toEqual({ enabled: true, layerLimit: 100_000_000 });
    expect(parseCacheSetting(' False ')).toEqual({ enabled: false, layerLimit: 0 });
    expect(parseCacheSetting('250MB')).toEqual({ enabled: true, layerLimit: 250_000_000 });
    expect(parseCacheSetting('0')).toEqual({ enabled: true, layerLimit: 0 });
    expect(() => parseCacheSetting('lots')).toThrow(/input "cache" must be true, false, or the size limit/);
  });
});
