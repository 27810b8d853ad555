// The pure parts of the PR review (src/github/review.ts): which lines a PR's patch lets a review comment
// on, which fixes become suggestions and which go to the comment's diff block, and fences that the
// Dockerfile's own text cannot close.
import { describe, expect, it } from 'vitest';
import { complete } from '../../src/analysis/finding.js';
import { proposeFixes } from '../../src/analysis/fixes.js';
import { diffLines, fence, reviewMarker, splitByDiff, suggestionBody } from '../../src/github/review.js';
import { renderMarkdown } from '../helpers/markdown.js';
import { report } from '../helpers/github-reports.js';

describe('diffLines', () => {
  it('takes added and context lines of the new side, across hunks, and skips removed ones', () => {
    const patch = [
      '@@ -1,3 +1,4 @@',
      ' FROM a',
      '-RUN old',
      '+RUN new',
      '+RUN two',
      ' COPY x /x',
      '@@ -10,2 +11,2 @@',
      ' ENV A=1',
      '-CMD ["x"]',
      '+CMD ["y"]',
      '\\ No newline at end of file',
    ].join('\n');
    expect([...diffLines(patch)].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 11, 12]);
  });

  it('is empty for a patch without hunks (a binary or renamed file)', () => {
    expect(diffLines('')).toEqual(new Set());
    expect(diffLines('Binary files differ')).toEqual(new Set());
  });
});

describe('splitByDiff', () => {
  const text =
    'FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y curl\nENV API_TOKEN=abc\nCMD ["/app"]\n';
  const plan = proposeFixes(
    text,
    report({
      findings: [
        complete({ id: 'SG320', message: 'root', location: { file: 'Dockerfile', line: 1 } }),
        complete({ id: 'SG601', path: '/var/lib/apt/lists', message: 'apt' }),
      ],
    }),
  );

  it('a fix is a suggestion only when every line it replaces is in the diff', () => {
    expect(plan.fixes.map((f) => f.rule)).toEqual(['SG320', 'SG601']);
    // The apt fix replaces lines 2-3; USER goes on line 5.
    expect(splitByDiff(plan, new Set([2, 3, 5])).inDiff.map((f) => f.rule)).toEqual(['SG320', 'SG601']);
    const partly = splitByDiff(plan, new Set([3, 5]));
    expect(partly.inDiff.map((f) => f.rule)).toEqual(['SG320']);
    expect(partly.outside.map((f) => f.rule)).toEqual(['SG601']);
    expect(splitByDiff(plan, new Set()).outside).toHaveLength(2);
  });
});

describe('fences', () => {
  it('are longer than any backtick run in the text, so a Dockerfile cannot close them', () => {
    expect(fence('no ticks')).toBe('```');
    expect(fence('RUN echo ````` done')).toBe('``````');
    const text = 'FROM scratch\nLABEL x="````"\nENTRYPOINT /app run\n';
    const plan = proposeFixes(
      text,
      report({
        findings: [
          complete({ id: 'SG707', path: '/bin/sh', message: 'm', location: { file: 'Dockerfile', line: 3 } }),
        ],
      }),
    );
    const body = suggestionBody(plan, plan.fixes[0]!);
    expect(body).toBe(
      '**Slimgate SG707**: ENTRYPOINT in exec form.\n\n```suggestion\nENTRYPOINT ["/app","run"]\n```',
    );
  });

  it('the comment diff block cannot be closed by the Dockerfile text, and sits before the marker', () => {
    const diff = '--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1 +1,2 @@\n LABEL x="```"\n+USER 65532:65532\n';
    const body = renderMarkdown(report(), undefined, { commentKey: 'k', fixesDiff: diff });
    expect(body).toContain('\n````diff\n--- a/Dockerfile\n');
    expect(body).toContain('+USER 65532:65532\n````\n');
    expect(body.indexOf('````diff')).toBeLessThan(body.indexOf('<!-- slimgate-comment:k -->'));
    expect(renderMarkdown(report(), undefined, { commentKey: 'k' })).not.toContain('```diff');
  });

  it('the review marker carries the key and cannot end the HTML comment early', () => {
    expect(reviewMarker('app linux/amd64')).toBe('<!-- slimgate-review:app linux/amd64 -->');
    expect(reviewMarker('a-->b')).not.toContain('-->b');
  });
});
