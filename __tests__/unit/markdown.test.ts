// The PR comment renderer (src/report/markdown.ts) is pure: snapshots of whole bodies (reviewable as
// markdown under __snapshots__/markdown/), plus properties every body must have whatever the input.
import { describe, expect, it } from 'vitest';
import { decideVerdict } from '../../src/analysis/verdict.js';
import { diffReports } from '../../src/report/diff.js';
import {
  GITHUB_COMMENT_LIMIT,
  commentMarker,
  escapeText,
  type MarkdownOptions,
} from '../../src/report/markdown.js';
import { renderMarkdown } from '../helpers/markdown.js';
import type { Finding, Report } from '../../src/types/report.js';
import { dir, file, finding, layer, mainReport, prReport, report } from '../helpers/github-reports.js';

// `.md.snap`: the exact bytes of the body (markdown, but not for Prettier to reformat).
const snap = (name: string): string => `./__snapshots__/markdown/${name}.md.snap`;

const prOptions = (r: Report, extra: Partial<MarkdownOptions> = {}): MarkdownOptions => ({
  commentKey: 'docker-archive:app.tar linux/amd64',
  baselineLabel: 'main',
  baselineSource: 'docker://ghcr.io/acme/app:main',
  overrideLabel: 'slimgate:allow',
  verdict: decideVerdict(r, 'error'),
  ...extra,
});

describe('renderMarkdown snapshots', () => {
  it('a PR that moves a static binary onto a Debian base', async () => {
    const pr = prReport();
    const body = renderMarkdown(pr, diffReports(mainReport(), pr), prOptions(pr));
    await expect(body).toMatchFileSnapshot(snap('pr-fails'));
  });

  it('no baseline', async () => {
    const pr = prReport();
    // Without a baseline the engine skips max-growth rather than failing it.
    pr.budget.checks = pr.budget.checks.map((c) =>
      c.name === 'max-growth' ? { ...c, actual: 0, passed: true, skipped: true, detail: 'no baseline' } : c,
    );
    const body = renderMarkdown(pr, undefined, {
      commentKey: 'app',
      baselineNote: 'baseline "auto" found no saved report and no registry tag for main.',
      verdict: decideVerdict(pr, 'error'),
    });
    await expect(body).toMatchFileSnapshot(snap('no-baseline'));
  });

  it('a clean PR that changes nothing', async () => {
    const m = mainReport();
    m.findings = [];
    m.budget = {
      passed: true,
      checks: [{ name: 'max-size', limit: 25_000_000, actual: 1_819_444, passed: true }],
    };
    const body = renderMarkdown(m, diffReports(m, structuredClone(m)), prOptions(m));
    await expect(body).toMatchFileSnapshot(snap('clean'));
  });

  it("the ratchet on an OS-based image: main's errors are debt, listed, and do not block", async () => {
    const main = prReport();
    const pr = prReport();
    // The same debt, with a message that changed: matched by rule and path, never by message.
    pr.findings = pr.findings.map((f) =>
      f.path === '/bin/bash' ? { ...f, message: 'shell /bin/bash present (bash 5.2)' } : f,
    );
    pr.budget = { passed: true, checks: [] };
    const verdict = decideVerdict(pr, 'new-error', { baseline: main.findings });
    expect([verdict.blocking, verdict.debt.length]).toEqual([false, 5]);
    const body = renderMarkdown(
      pr,
      diffReports(main, pr),
      prOptions(pr, {
        verdict,
        checked: { sha: 'c0ffee'.repeat(6) + 'beef', runUrl: 'https://github.com/acme/app/actions/runs/42' },
      }),
    );
    expect(body.split('\n')[0]).toContain('5 errors of debt from main');
    expect(body).not.toContain('Adopting Slimgate');
    await expect(body).toMatchFileSnapshot(snap('ratchet-debt'));
  });

  it('the ratchet fails on the one new error, and still lists the debt', async () => {
    const main = prReport();
    const pr = prReport();
    pr.findings = [
      ...pr.findings,
      finding('SG501', 'privilege', 'error', '/usr/bin/su', 'setuid file /usr/bin/su (mode 4755)'),
    ];
    pr.budget = { passed: true, checks: [] };
    const verdict = decideVerdict(pr, 'new-error', { baseline: main.findings });
    expect([verdict.blocking, verdict.newErrors, verdict.debt.length]).toEqual([true, 1, 5]);
    const body = renderMarkdown(pr, diffReports(main, pr), prOptions(pr, { verdict }));
    expect(body).not.toContain('Adopting Slimgate'); // already on the ratchet
    await expect(body).toMatchFileSnapshot(snap('ratchet-new-error'));
  });

  it('the ratchet with no baseline says so, and judges as fail-on error', async () => {
    const pr = prReport();
    pr.budget = { passed: true, checks: [] };
    const verdict = decideVerdict(pr, 'new-error', { baseline: null });
    const body = renderMarkdown(pr, undefined, {
      commentKey: 'app',
      baselineNote: 'baseline "auto" found no saved report for this image.',
      verdict,
    });
    expect(body.split('\n')[0]).toContain('no baseline: judged as fail-on error');
    expect(body).toContain('**Nothing to compare with**');
    await expect(body).toMatchFileSnapshot(snap('ratchet-no-baseline'));
  });

  it('the failing comment suggests the ratchet once, in one line', () => {
    const pr = prReport();
    const body = renderMarkdown(pr, diffReports(mainReport(), pr), prOptions(pr));
    expect(body.split('\n').filter((l) => l.includes('new-error'))).toHaveLength(1);
    // Not when the step passes, nor when only budgets fail.
    const budgetOnly = report({
      findings: [{ id: 'SG101', category: 'size', severity: 'error', message: 'max-size', remediation: '' }],
      budget: { passed: false, checks: [{ name: 'max-size', limit: 1, actual: 2, passed: false }] },
    });
    expect(
      renderMarkdown(budgetOnly, undefined, { verdict: decideVerdict(budgetOnly, 'error') }),
    ).not.toContain('new-error');
    expect(renderMarkdown(report(), undefined, {})).not.toContain('new-error');
  });

  it('budgets-only says rule findings are reported, not judged', () => {
    const pr = prReport();
    pr.budget = { passed: true, checks: [] };
    const verdict = decideVerdict(pr, { failOn: 'error', preset: 'budgets-only' });
    const body = renderMarkdown(pr, undefined, { verdict });
    expect(body.split('\n')[0]).toMatch(/^⚠️ /);
    expect(body).toContain('(preset budgets-only: rule findings are reported, not judged)');
  });

  it('the footer names the commit checked and links the run; a hidden tag keeps the full SHA', () => {
    const sha = '0123456789abcdef0123456789abcdef01234567';
    const body = renderMarkdown(report(), undefined, {
      commentKey: 'app',
      checked: { sha, runUrl: 'https://github.com/o/r/actions/runs/7' },
    });
    expect(body).toContain('checked <code>0123456</code> · [run](https://github.com/o/r/actions/runs/7)');
    expect(body.trimEnd().split('\n').slice(-2)).toEqual([
      commentMarker('app'),
      `<!-- slimgate-head:${sha} -->`,
    ]);
    // Only an https URL is linked, whatever reaches the option.
    const evil = renderMarkdown(report(), undefined, { checked: { sha, runUrl: 'javascript:alert(1)' } });
    expect(evil).not.toContain('javascript');
  });

  it('a failure overridden by the label, on a multi-platform image, from a legacy docker save archive', async () => {
    const pr = prReport();
    pr.image.platform = 'linux/arm64';
    pr.layers = pr.layers.map((l) => ({ ...l, mediaType: 'application/vnd.docker.image.rootfs.diff.tar' }));
    const body = renderMarkdown(
      pr,
      diffReports(mainReport(), pr),
      prOptions(pr, {
        showPlatform: true,
        verdict: decideVerdict(pr, 'error', { override: { label: 'slimgate:allow', applied: true } }),
        notes: ['This token cannot comment on the pull request (a fork?): the report is in the job summary.'],
      }),
    );
    await expect(body).toMatchFileSnapshot(snap('overridden'));
  });
});

describe('the first line', () => {
  it('is the verdict with the headline numbers', () => {
    const pr = prReport();
    const first = renderMarkdown(pr, diffReports(mainReport(), pr), prOptions(pr)).split('\n')[0];
    expect(first).toBe(
      '❌ **8.10 MB** uncompressed (+6.28 MB, +345%) · new shell <code>/bin/sh</code> (+5 more) · ' +
        'over budget: size (uncompressed) 8.09 MB > 5.00 MB (+1 more)',
    );
  });

  it.each<[string, (r: Report) => void, RegExp]>([
    [
      'clean, with a budget',
      (r) => (r.findings = []),
      /^✅ \*\*1\.82 MB\*\* uncompressed \(no change\) · no findings · budget 25\.0 MB$/,
    ],
    [
      'a warning only',
      (r) => (r.findings = [finding('SG801', 'waste', 'warning', '/var/cache/apt')]),
      /^⚠️ \*\*1\.82 MB\*\* uncompressed \(no change\) · new waste <code>\/var\/cache\/apt<\/code> · budget 25\.0 MB$/,
    ],
    [
      'the base image named by the base finding',
      (r) => {
        r.findings = [finding('SG101', 'base', 'error', '/etc/os-release')];
        r.base = { verdict: 'os', image: 'debian:12', evidence: [] };
      },
      /^❌ .* · new base <code>debian&#58;12<\/code> · budget 25\.0 MB$/,
    ],
  ])('%s', (_name, mutate, want) => {
    const m = mainReport();
    m.findings = [];
    m.budget = {
      passed: true,
      checks: [{ name: 'max-size', limit: 25_000_000, actual: 1_819_444, passed: true }],
    };
    const pr = structuredClone(m);
    mutate(pr);
    const first = renderMarkdown(pr, diffReports(m, pr), prOptions(pr)).split('\n')[0]!;
    expect(first).toMatch(want);
  });

  it('says no new findings when the errors were already on main', () => {
    const pr = prReport();
    const first = renderMarkdown(pr, diffReports(pr, pr), prOptions(pr)).split('\n')[0]!;
    expect(first).toContain('(no change) · no new findings (5 errors as before)');
  });
});

describe('every body', () => {
  const bodies = (): [string, string][] => {
    const pr = prReport();
    return [
      ['diff', renderMarkdown(pr, diffReports(mainReport(), pr), prOptions(pr))],
      ['no baseline', renderMarkdown(pr, undefined, { commentKey: 'k' })],
    ];
  };

  it('labels every size it shows as compressed or uncompressed', () => {
    for (const [, body] of bodies()) {
      // A table's header may carry the label for its columns; otherwise each row's first cell must.
      for (const block of body.split('\n\n')) {
        const lines = block.split('\n').filter((l) => l.startsWith('|'));
        if (!lines.length || /compressed/.test(lines[0]!)) continue;
        for (const row of lines.filter((l) => /\d (B|kB|MB|GB)\b/.test(l)))
          expect(row.split('|')[1], row).toMatch(/compressed|uncompressed/);
      }
      // The verdict line, and the sizes quoted outside tables.
      expect(body.split('\n')[0]).toMatch(/\*\* uncompressed/);
    }
  });

  it('links the docs anchor of every rule that fired in the footer', () => {
    const pr = prReport();
    const body = renderMarkdown(pr, diffReports(mainReport(), pr), prOptions(pr));
    const footer = body.split('\n').find((l) => l.startsWith('<sub>[Slimgate]'))!;
    for (const id of new Set(pr.findings.map((f) => f.id)))
      expect(footer).toContain(
        `(https://github.com/slimgate/slimgate/blob/main/docs/rules.md#${id.toLowerCase()})`,
      );
  });

  it('ends with exactly one marker, which carries the comment key', () => {
    for (const [name, body] of bodies()) {
      const key = name === 'diff' ? 'docker-archive:app.tar linux/amd64' : 'k';
      expect(body.trimEnd().endsWith(commentMarker(key))).toBe(true);
      expect(body.split('<!--').length - 1).toBe(1);
    }
    expect(commentMarker('a --> b')).toBe('<!-- slimgate-comment:a%20--%3E%20b -->');
  });

  it('has no marker without a comment key (the CLI prints the same body)', () => {
    expect(renderMarkdown(prReport())).not.toContain('<!--');
  });
});

describe('untrusted text from the image', () => {
  const hostile = [
    '/x|y',
    '/<!-- slimgate-comment:k -->',
    '/@octocat/hi',
    '/a`b*c_d~e',
    '/line\nbreak',
    '/</details><img src=x onerror=alert(1)>',
    '/:smile:',
    '/[link](http://evil.example)',
  ];

  function hostileBody(): string {
    const files = hostile.map((p) => file(p, 10));
    const pr = report({
      files,
      layers: [layer('9', 'RUN echo "|" `@octocat` </details>', 100)],
      findings: hostile.map((p) => finding('SG999', 'secret', 'error', p, `secret ${p}`)),
    });
    return renderMarkdown(pr, diffReports(report(), pr), { commentKey: 'k' });
  }

  it('cannot forge the marker, break out of tables or HTML, mention anyone or link anywhere', () => {
    const body = hostileBody();
    expect(body.split('<!--').length - 1).toBe(1);
    expect(body).not.toContain('@octocat');
    expect(body).not.toContain('<img');
    expect(body).not.toContain(':smile:');
    expect(body).not.toContain('](http://evil');
    expect(body).not.toMatch(/<\/details><img/);
    expect(body).not.toContain('line\nbreak');
    // Every table row keeps its column count.
    const tables = body.split('\n\n').filter((b) => b.startsWith('| '));
    for (const t of tables) {
      const rows = t.split('\n').filter((l) => l.startsWith('|'));
      const cols = rows.map((r) => r.split('|').length);
      expect(new Set(cols).size, t).toBe(1);
    }
    // <details> and </details> stay balanced.
    expect(body.split('<details>').length).toBe(body.split('</details>').length);
  });

  it('renders a forged report (the fork-safe path reads an artifact) without letting its fields through', () => {
    const forged = prReport() as unknown as Record<string, Record<string, unknown>>;
    forged['size']!['files'] = '| <img src=x> @octocat';
    forged['size']!['uncompressed'] = '[click](http://evil.example)';
    forged['base']!['verdict'] = '<img src=x>';
    const r = forged as unknown as Report;
    const body = renderMarkdown(r, diffReports(mainReport(), r), {
      commentKey: 'k',
      verdict: { ...decideVerdict(r, 'error'), failOn: '<b>x</b>' as never },
    });
    expect(body).not.toContain('<img');
    expect(body).not.toContain('<b>x');
    expect(body).not.toContain('@octocat');
    expect(body).not.toContain('](http://evil');
  });

  it.each([
    ['a|b', 'a&#124;b'],
    ['<b>', '&lt;b&gt;'],
    ['@user', '@&#8203;user'],
    ['x\ny', 'x&#92;ny'],
    ['\u0007', '&#92;x07'],
  ])('escapeText(%j) = %j', (input, want) => {
    expect(escapeText(input)).toBe(want);
  });

  it('truncates long text', () => {
    expect(escapeText('x'.repeat(500), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});

describe('the size limit', () => {
  function huge(): { pr: Report; base: Report } {
    const files = [];
    const findings: Finding[] = [];
    for (let d = 0; d < 400; d++) {
      files.push(dir(`/srv/app-${d}/node_modules`));
      for (let f = 0; f < 40; f++) {
        const path = `/srv/app-${d}/node_modules/package-with-a-rather-long-name-${f}/lib/index-${f}.js`;
        files.push(file(path, 1000 + f));
        if (f % 4 === 0)
          findings.push(
            finding(
              `SG${10000 + findings.length}`,
              'waste',
              'warning',
              path,
              `cache file ${path} should not ship`,
            ),
          );
      }
    }
    const layers = Array.from({ length: 120 }, (_, i) =>
      layer(String(i), `RUN step ${i} ${'x'.repeat(80)}`, 1000),
    );
    return { pr: report({ files, findings, layers }), base: report() };
  }

  it('keeps the body under 65,536 characters by trimming the details first, and says so', () => {
    const { pr, base } = huge();
    const body = renderMarkdown(pr, diffReports(base, pr), { commentKey: 'k' });
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(body).toContain("Details were trimmed to stay under GitHub's 65,536-character comment limit");
    expect(body.trimEnd().endsWith(commentMarker('k'))).toBe(true);
    // The verdict and the new findings come first and survive.
    expect(body.split('\n')[0]).toMatch(/^⚠️ \*\*16\.3 MB\*\* uncompressed/);
    expect(body).toContain('**New findings (4000)**');
    expect(body.split('<details>').length).toBe(body.split('</details>').length);
  });

  it('renders everything when there is room (the job summary)', () => {
    const { pr, base } = huge();
    const body = renderMarkdown(pr, diffReports(base, pr), { commentKey: 'k', maxLength: 10_000_000 });
    expect(body).not.toContain('trimmed');
    expect(body.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
  });

  it('cuts as a last resort, keeping the marker', () => {
    const pr = prReport();
    const body = renderMarkdown(pr, diffReports(mainReport(), pr), { commentKey: 'k', maxLength: 1500 });
    expect(body.length).toBeLessThanOrEqual(1500);
    expect(body).toContain('Cut to stay under the comment limit');
    expect(body.trimEnd().endsWith(commentMarker('k'))).toBe(true);
  });
});

describe('findings grouped by rule', () => {
  it('one line per rule with its count, the fix once, and the other paths folded', () => {
    const paths = Array.from({ length: 13 }, (_, i) => `/usr/bin/tool-${i}`);
    const r = report({
      findings: [
        ...paths.map((p) => finding('SG301', 'package-manager', 'error', p, `package manager ${p} present`)),
        finding('SG201', 'shell', 'error', '/bin/sh', 'shell /bin/sh present'),
      ],
    });
    const body = renderMarkdown(r, diffReports(report(), r));
    expect(body).toContain('**New findings (14, 2 rules)**');
    const lines = body.split('\n').filter((l) => l.startsWith('- ') && l.includes('[SG301]'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('**×13** package manager /usr/bin/tool-0 present');
    expect(lines[0]).toContain('also <code>/usr/bin/tool-1</code>');
    expect(lines[0]).toContain('and 7 more');
    expect(lines[0]!.split('↳')).toHaveLength(2);
    expect(body.split('\n').filter((l) => l.startsWith('- ') && l.includes('[SG201]'))[0]).not.toContain('×');
  });
});

describe('a baseline that could not be read', () => {
  it('says so and why, and does not ask to set one up', () => {
    const note = "Baseline auto found main's saved report, which could not be read (unexpected end of JSON).";
    const body = renderMarkdown(prReport(), undefined, { baselineNote: note });
    expect(body).toContain("main's saved report, which could not be read (unexpected end of JSON)");
    expect(body).not.toContain('Set up a baseline');
    expect(renderMarkdown(prReport(), undefined, { baselineNote: 'No baseline was given.' })).toContain(
      'Set up a baseline',
    );
  });
});
