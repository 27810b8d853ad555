// The trend chart's Mermaid source, drawn by the `mermaid` package in headless Chromium inside the comment
// as GitHub renders it (cmark-gfm + github-markdown-css): the SVG must come out with one point per commit
// on both lines, the PR's point last, and the bar only there. SLIMGATE_DOCS=1 also writes docs/trend.png.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideVerdict } from '../../src/analysis/verdict.js';
import { diffReports } from '../../src/report/diff.js';
import { renderMarkdown } from '../helpers/markdown.js';
import { trendOf } from '../../src/report/trend.js';
import type { SizePoint } from '../../src/types/report.js';
import { mainReport, prReport } from '../helpers/github-reports.js';
import { renderComment } from '../helpers/mermaid.js';
import { repoRoot } from '../helpers/world.js';

const N = 30;
const history: SizePoint[] = Array.from({ length: N }, (_, i) => ({
  commit: createHash('sha1').update(String(i)).digest('hex'),
  date: `2026-11-${String(i + 1).padStart(2, '0')}T09:00:00.000Z`,
  uncompressed: 1_600_000 + ((i * 7) % 5) * 50_000,
  compressed: 640_000 + ((i * 7) % 5) * 20_000,
}));

/** The numbers of an SVG path's `d`: one [x, y] per point. */
function points(d: string): [number, number][] {
  return [...d.matchAll(/[ML]\s*([\d.]+)[ ,]([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

describe('the size trend, drawn by mermaid in Chromium', () => {
  it('renders an SVG with every point, the PR last and marked', { timeout: 240_000 }, async () => {
    const base = { ...mainReport(), history };
    const pr = prReport();
    const body = renderMarkdown(pr, diffReports(base, pr), {
      commentKey: 'app',
      baselineLabel: 'main',
      baselineSource: 'saved report',
      verdict: decideVerdict(pr, 'error'),
      trend: trendOf(pr, base)!,
    });
    const out = await renderComment(body);
    if (process.env['SLIMGATE_DOCS'] === '1') {
      // The README's picture: the comment's head, down to the chart.
      const head = body.slice(0, body.indexOf('</details>') + '</details>'.length);
      const pic = await renderComment(head, { screenshot: path.join(repoRoot, 'docs', 'trend.png') });
      expect(pic.title).toMatch(/^rendered 1 /);
    }
    expect(out.title).toMatch(/^rendered 1 \d+$/);
    const svg = /<svg[^>]*>[\s\S]*<\/svg>/.exec(out.dom)?.[0] ?? '';
    expect(svg).toContain('class="bar-plot-0"');
    expect(out.dom).not.toContain('<code class="language-mermaid"');

    // The x axis: every main commit (4 hex digits: 30 commits fit under a comment), then the PR.
    const axis = /<g class="bottom-axis">[\s\S]*?<g class="ticks">/.exec(svg)![0];
    const labels = [...axis.matchAll(/>([^<>]+)<\/text>/g)].map((m) => m[1]);
    expect(labels).toEqual([...history.map((p) => p.commit.slice(0, 4)), 'PR']);
    // None of them overlaps the next.
    const xs = [...axis.matchAll(/translate\(([\d.]+), [\d.]+\)/g)].map((m) => Number(m[1]));
    expect(xs).toHaveLength(N + 1);
    for (let i = 1; i < xs.length; i++) expect(xs[i]! - xs[i - 1]!).toBeGreaterThan(4 * 10 * 0.6);

    // Two lines of N + 1 points; the PR's point (last) is the highest (smallest y) on each.
    const lines = [...svg.matchAll(/<g class="line-plot-\d+"><path d="([^"]+)"/g)].map((m) => points(m[1]!));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toHaveLength(N + 1);
      const ys = line.map((p) => p[1]);
      expect(Math.min(...ys)).toBe(ys[N]);
    }
    // The uncompressed line lies above the compressed one at every point.
    for (let i = 0; i <= N; i++) expect(lines[0]![i]![1]).toBeLessThan(lines[1]![i]![1]);

    // The bars: one per x position, only the PR's taller than the zero stub, at the PR's x.
    const bars = [
      .../<g class="bar-plot-0">([\s\S]*?)<\/g>/
        .exec(svg)![1]!
        .matchAll(/<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="([\d.]+)"/g),
    ].map((m) => ({ x: Number(m[1]), w: Number(m[2]), h: Number(m[3]) }));
    expect(bars).toHaveLength(N + 1);
    const stub = bars[0]!.h;
    expect(bars.slice(0, N).every((b) => b.h === stub)).toBe(true);
    expect(bars[N]!.h).toBeGreaterThan(stub * 10);
    const prX = lines[0]![N]![0];
    expect(prX).toBeGreaterThan(bars[N]!.x);
    expect(prX).toBeLessThan(bars[N]!.x + bars[N]!.w);
  });

  it('a broken chart source is reported, not silently drawn', { timeout: 240_000 }, async () => {
    const out = await renderComment('```mermaid\nxychart-beta\n  line [1, oops]\n```\n');
    expect(out.title).toMatch(/^error: /);
  });
});
