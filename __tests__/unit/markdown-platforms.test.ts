// The comment for --platform all (src/report/markdown.ts renderPlatformsMarkdown): one headline table with a
// row per platform, one verdict, each platform's details in its own <details>; the same marker, trimming
// and inertness as the one-image comment.
import { describe, expect, it } from 'vitest';
import { decideVerdict } from '../../src/analysis/verdict.js';
import { diffReports } from '../../src/report/diff.js';
import {
  GITHUB_COMMENT_LIMIT,
  commentMarker,
  renderPlatformsMarkdown,
  type PlatformMarkdown,
} from '../../src/report/markdown.js';
import type { Report } from '../../src/types/report.js';
import { expectInertMarkdown } from '../helpers/inert.js';
import { file, finding, layer, mainReport, prReport, report } from '../helpers/github-reports.js';

const rows = (md: string): string[] => md.split('\n').filter((l) => /^\| linux\//.test(l));

const snap = (name: string): string => `./__snapshots__/markdown/${name}.md.snap`;

function onPlatform(r: Report, platform: string): Report {
  return { ...r, image: { ...r.image, platform } };
}

/** amd64 is clean against main; arm64 breaches its own max-size budget. */
function twoPlatforms(): PlatformMarkdown[] {
  const mainAmd = onPlatform(mainReport(), 'linux/amd64');
  const prAmd = structuredClone(mainAmd);
  prAmd.findings = [];
  prAmd.budget = {
    passed: true,
    checks: [{ name: 'max-size', limit: 2_000_000, actual: 1_819_444, passed: true, unit: 'bytes' }],
  };
  const mainArm = onPlatform(mainReport(), 'linux/arm64');
  const prArm = onPlatform(prReport(), 'linux/arm64');
  prArm.budget = {
    passed: false,
    checks: [{ name: 'max-size', limit: 4_000_000, actual: 8_094_000, passed: false, unit: 'bytes' }],
  };
  prArm.findings = [
    ...prArm.findings,
    {
      id: 'SG101',
      category: 'size',
      severity: 'error',
      message: 'max-size: 8.09 MB uncompressed is over 4 MB',
      remediation: 'Make the image smaller.',
    },
  ];
  return [
    { report: prAmd, diff: diffReports(mainAmd, prAmd), verdict: decideVerdict(prAmd, 'error') },
    { report: prArm, diff: diffReports(mainArm, prArm), verdict: decideVerdict(prArm, 'error') },
  ];
}

const opts = {
  commentKey: 'docker-archive:app.tar all',
  baselineLabel: 'main',
  baselineSource: 'docker://ghcr.io/acme/app:main',
  overrideLabel: 'slimgate:allow',
};

describe('renderPlatformsMarkdown', () => {
  it('two platforms, only arm64 over its own budget: one table, one failing verdict', async () => {
    const body = renderPlatformsMarkdown(twoPlatforms(), opts);
    await expect(body).toMatchFileSnapshot(snap('platforms-arm64-fails'));
    expect(body.split('\n')[0]).toBe('❌ **2 platforms**: linux/arm64 fails');
    const rows = body.split('\n').filter((l) => /^\| linux\//.test(l));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(
      /^\| linux\/amd64 \| \*\*1\.82 MB\*\* \| ±0 B \| .* \| ✅ passes · no findings \|$/,
    );
    expect(rows[1]).toMatch(/^\| linux\/arm64 \| .* \| ❌ fails · over size \(uncompressed\) · \d+ errors?/);
    // One marker, the details of each platform in its own collapsible section.
    expect(body.split('<!--').length - 1).toBe(1);
    expect(body).toContain(commentMarker(opts.commentKey));
    expect(body).toMatch(/<summary>✅ linux\/amd64 · 1\.82 MB uncompressed<\/summary>/);
    expect(body).toMatch(/<summary>❌ linux\/arm64 · [\d.]+ MB uncompressed<\/summary>/);
    expect(body.split('<details>').length).toBe(body.split('</details>').length);
    expect(body).toContain('add the label <code>slimgate&#58;allow</code>');
  });

  it('passes when every platform passes; a platform new to the baseline and one it lost are named', async () => {
    const [amd] = twoPlatforms();
    const arm = onPlatform(mainReport(), 'linux/arm64');
    const body = renderPlatformsMarkdown(
      [
        amd!,
        {
          report: arm,
          verdict: decideVerdict(arm, 'error'),
          baselineNote: 'linux/arm64 is new: the baseline has no such platform.',
        },
      ],
      { ...opts, missing: ['linux/s390x'] },
    );
    await expect(body).toMatchFileSnapshot(snap('platforms-new-platform'));
    expect(body.split('\n')[0]).toBe('⚠️ **2 platforms** pass, with warnings');
    expect(body).toContain('| linux/arm64 | **1.82 MB** | no baseline |');
    expect(body).toContain('> **No baseline for this platform.** linux/arm64 is new');
    expect(body).toContain('> The baseline also has linux/s390x, which this image does not.');
    expect(body).not.toContain('To merge anyway');
  });

  it('one platform reads as one', () => {
    const r = onPlatform(mainReport(), 'linux/arm64');
    r.findings = [];
    const body = renderPlatformsMarkdown([{ report: r, verdict: decideVerdict(r, 'error') }]);
    expect(body.split('\n')[0]).toBe('✅ **1 platform** passes');
    expect(rows(body)).toHaveLength(1);
  });

  it('with no baseline at all, says so once', () => {
    const r = [onPlatform(mainReport(), 'linux/amd64'), onPlatform(mainReport(), 'linux/arm64')];
    const body = renderPlatformsMarkdown(
      r.map((report) => ({ report, verdict: decideVerdict(report, 'error') })),
      { baselineNote: 'no baseline was given.' },
    );
    expect(body.match(/No baseline/g)).toHaveLength(1);
    expect(body).toContain('| linux/amd64 | **1.82 MB** | no baseline |');
    expect(body).not.toContain('<!--');
  });

  it('stays under the comment limit, trimming each platform, and keeps its marker', () => {
    const files = Array.from({ length: 3000 }, (_, i) =>
      file(`/srv/data/dir${i % 40}/file-${i}.bin`, 1000 + i),
    );
    const big = (platform: string): PlatformMarkdown => {
      const pr = onPlatform(
        report({
          files,
          findings: files.slice(0, 400).map((f, i) => finding(`SG${10000 + i}`, 'waste', 'warning', f.path)),
          layers: Array.from({ length: 120 }, (_, i) => layer(String(i), `RUN step ${i}`, 1000)),
        }),
        platform,
      );
      const base = onPlatform(report(), platform);
      return { report: pr, diff: diffReports(base, pr), verdict: decideVerdict(pr, 'error') };
    };
    const body = renderPlatformsMarkdown([big('linux/amd64'), big('linux/arm64'), big('linux/arm/v7')], {
      commentKey: 'k',
    });
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(body).toContain(commentMarker('k'));
    expect(body).toMatch(/Details were trimmed|Cut to stay under/);
    expect(body.split('\n').filter((l) => /^\| linux\//.test(l))).toHaveLength(3);
    const small = renderPlatformsMarkdown([big('linux/amd64')], { commentKey: 'k', maxLength: 5000 });
    expect(small.length).toBeLessThanOrEqual(5000);
    expect(small.trimEnd().endsWith(commentMarker('k'))).toBe(true);
  });

  it('keeps the platform, paths and layers from the image inert', () => {
    const hostile = ['/x|y', '/@octocat/hi', '/</details><img src=x>', '/[l](http://evil.example)'];
    const pr = onPlatform(
      report({
        files: hostile.map((p) => file(p, 10)),
        layers: [layer('9', 'RUN echo "|" `@octocat` </details>', 100)],
        findings: hostile.map((p) => finding('SG999', 'secret', 'error', p, `secret ${p}`)),
      }),
      'linux/<img src=x>|@octocat',
    );
    const body = renderPlatformsMarkdown(
      [{ report: pr, diff: diffReports(report(), pr), verdict: decideVerdict(pr, 'error') }],
      { commentKey: 'k' },
    );
    expectInertMarkdown(body);
    expect(body).not.toContain('<img');
    expect(body).not.toContain('@octocat');
    expect(body.split('<details>').length).toBe(body.split('</details>').length);
    const tables = body.split('\n\n').filter((b) => b.startsWith('| '));
    for (const t of tables) {
      const cols = t
        .split('\n')
        .filter((l) => l.startsWith('|'))
        .map((r) => r.split('|').length);
      expect(new Set(cols).size, t).toBe(1);
    }
  });
});
