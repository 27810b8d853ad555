/** The verdict line and what stands under it; the footer; the Dockerfile fixes; the hidden markers. */
import type { Verdict } from '../analysis/verdict.js';
import { SEVERITY_RANK } from '../analysis/verdict.js';
import { VERSION, REPO_URL } from '../util/version.js';
import type { ReportDiff } from './diff.js';
import type { Finding, Report } from '../types/report.js';
import { code, commentMarker, escapeText, headTag, isLinkUrl } from './comment-escape.js';
import {
  budgetLabel,
  budgetValue,
  formatBytes,
  percent,
  ruleLink,
  signedBytes,
  STATUS_ICON,
} from './comment-format.js';
import { GITHUB_COMMENT_LIMIT } from './comment-fit.js';
import type { PageOptions } from './comment-options.js';

/** The one line a failing comment gives to adopt Slimgate on an existing image. */
const RATCHET_HINT =
  'Adopting Slimgate on an existing image? `fail-on: new-error` fails only on errors that the base branch does not have, and budget breaches';

/** Which finding the verdict line names when several share the top severity: what breaks or leaks first. */
const HEADLINE_ORDER = ['entrypoint', 'secret', 'shell', 'privilege', 'base', 'package-manager'];

function headlineRank(f: Finding): number {
  const i = HEADLINE_ORDER.indexOf(f.category);
  return SEVERITY_RANK[f.severity] * 100 + (i < 0 ? HEADLINE_ORDER.length : i);
}

/** What the verdict line says about findings: the most telling one, e.g. `new shell /bin/sh`. */
function headlineFinding(report: Report, findings: Finding[], isNew: boolean): string | null {
  const ranked = findings
    .filter((f) => f.severity !== 'info' && f.category !== 'size') // budgets have their own place
    .map((f, i) => ({ f, i }))
    .sort((a, b) => headlineRank(a.f) - headlineRank(b.f) || a.i - b.i);
  const top = ranked[0]?.f;
  if (!top) return null;
  const what =
    top.category === 'base' && report.base.image
      ? code(report.base.image, 80)
      : top.path
        ? code(top.path, 80)
        : escapeText(top.message, 80);
  const first = `${isNew ? 'new ' : ''}${escapeText(top.category)} ${what}`;
  const more = ranked.length - 1;
  return more > 0 ? `${first} (+${more} more)` : first;
}

/** `against` names the baseline as the comment's header does ("main", or "the baseline" for the CLI). */
export function verdictLine(
  report: Report,
  diff: ReportDiff | undefined,
  v: Verdict,
  against = 'the baseline',
): string {
  const icon = STATUS_ICON[v.status];
  const size = `**${formatBytes(report.size.uncompressed)}** uncompressed`;
  const parts: string[] = [];
  if (diff) {
    const d = diff.size.uncompressed;
    parts.push(`${size} (${d.delta === 0 ? 'no change' : `${signedBytes(d.delta)}, ${percent(d)}`})`);
  } else parts.push(size);
  const finding = diff
    ? headlineFinding(report, diff.findings.added, true)
    : headlineFinding(report, report.findings, false);
  if (finding) parts.push(finding);
  else if (diff && v.debt.length) parts.push('no new errors');
  else if (diff && (v.errors || v.warnings))
    parts.push(`no new findings (${v.errors ? `${v.errors} errors` : `${v.warnings} warnings`} as before)`);
  else if (!v.errors && !v.warnings) parts.push('no findings');
  const breach = v.breaches[0];
  const maxSize = report.budget.checks.find((c) => c.name === 'max-size' && !c.skipped);
  if (breach) {
    const more = v.breaches.length > 1 ? ` (+${v.breaches.length - 1} more)` : '';
    parts.push(
      `over budget: ${budgetLabel(breach.name)} ${budgetValue(breach, breach.actual)} > ${budgetValue(breach, breach.limit)}${more}`,
    );
  } else if (maxSize) parts.push(`budget ${formatBytes(maxSize.limit)}`);
  if (v.debt.length)
    parts.push(
      `${v.debt.length} error${v.debt.length === 1 ? '' : 's'} of debt from ${escapeText(against, 60)}`,
    );
  if (v.ratchet === 'no-baseline') parts.push('no baseline: judged as fail-on error');
  return `${icon} ${parts.join(' · ')}`;
}

export function blockingSentence(v: Verdict): string {
  const preset = v.preset
    ? ` (preset ${escapeText(v.preset, 20)}: rule findings are reported, not judged)`
    : '';
  return policySentence(v) + preset;
}

function policySentence(v: Verdict): string {
  if (v.status !== 'fail') {
    if (v.debt.length) return 'passes: no new errors (fail-on: new-error)';
    return v.status === 'warn' ? 'passes, with warnings' : 'passes';
  }
  if (v.overriddenBy) return `fails, but the label ${code(v.overriddenBy)} overrides it: not blocking`;
  if (!v.blocking) return `fails, not blocking (fail-on: ${escapeText(String(v.failOn), 10)})`;
  return `fails the check (fail-on: ${escapeText(String(v.failOn), 10)})`;
}

/** "against main (`docker://…`)": what the sizes were diffed with. */
export function againstBit(o: PageOptions): string {
  return `against ${escapeText(o.baselineLabel ?? 'baseline', 60)}${o.baselineSource ? ` (${code(o.baselineSource, 120)})` : ''}`;
}

export function noBaselineLines(note: string | undefined): string[] {
  // A baseline that exists and could not be read needs no setting up: the note says what went wrong.
  const unread = note !== undefined && /could not be read/.test(note);
  const setUp = unread
    ? ''
    : ` [Set up a baseline](${REPO_URL}/blob/main/docs/action.md#baseline-from-main).`;
  return [
    `> **No baseline.** ${escapeText(note ?? 'No baseline image or report was given.')} Growth budgets were skipped, not failed.${setUp}`,
    '',
  ];
}

export const NOTHING_TO_COMPARE = [
  "> **Nothing to compare with**: fail-on new-error needs the base branch's report, so every error finding counted, as under fail-on error.",
  '',
];

/** The platforms the baseline has and the image lacks: said, never judged (the verdict alone decides). */
export function missingLines(missing: readonly string[] | undefined): string[] {
  if (!missing?.length) return [];
  return [
    `> The baseline also has ${missing.map((p) => escapeText(p, 60)).join(', ')}, which this image does not.`,
    '',
  ];
}

export function overrideLines(label: string): string[] {
  return [
    `To merge anyway, someone with triage or write access to this repository can add the label ${code(label)} to the pull request.`,
    '',
  ];
}

export function header(report: Report, diff: ReportDiff | undefined, v: Verdict, o: PageOptions): string[] {
  const bits = [`<b>Slimgate</b>`, code(report.image.source, 120)];
  if (o.showPlatform) bits.push(escapeText(report.image.platform));
  if (diff) bits.push(againstBit(o));
  bits.push(blockingSentence(v));
  const out = [verdictLine(report, diff, v, o.baselineLabel), '', `<sub>${bits.join(' · ')}</sub>`, ''];
  if (!diff) out.push(...noBaselineLines(o.baselineNote));
  out.push(...missingLines(o.missing));
  if (v.ratchet === 'no-baseline') out.push(...NOTHING_TO_COMPARE);
  if (v.status === 'fail' && v.blocking && o.overrideLabel) out.push(...overrideLines(o.overrideLabel));
  // Once, in one line: only where every error counts, and some of them are not budget breaches.
  if (v.blocking && v.failOn === 'error' && !v.preset && v.judgedErrors > v.breaches.length)
    out.push(
      `<sub>${RATCHET_HINT} ([how](${REPO_URL}/blob/main/docs/action.md#adopting-on-an-existing-image)).</sub>`,
      '',
    );
  for (const n of o.notes ?? []) out.push(`> ${escapeText(n, 500)}`, '');
  return out;
}

/** The link to the HTML report (a workflow artifact), when there is one. */
function htmlLine(url: string | undefined): string[] {
  if (!url || !isLinkUrl(url)) return [];
  return [`📊 [Where the bytes are: the HTML report](${url}) (a workflow artifact)`, ''];
}

function sbomLine(sbom: PageOptions['sbom']): string[] {
  if (!sbom || !isLinkUrl(sbom.url)) return [];
  const format = sbom.format === 'spdx-json' ? 'SPDX 2.3' : 'CycloneDX 1.6';
  return [`🧾 [The image's SBOM, ${format} JSON](${sbom.url}) (in the same workflow artifact)`, ''];
}

export function footer(
  findings: readonly Finding[],
  docs: string,
  trimmed: boolean,
  o: PageOptions,
): string[] {
  const ids = [...new Set(findings.map((f) => f.id))].sort();
  const out: string[] = [...htmlLine(o.htmlUrl), ...sbomLine(o.sbom)];
  if (trimmed)
    out.push(
      `> Details were trimmed to stay under GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString('en-US')}-character comment limit; the job summary and the JSON report have everything.`,
      '',
    );
  const rules = ids.length ? ` · rules: ${ids.map((id) => ruleLink(id, docs)).join(' · ')}` : '';
  const sha = o.checked?.sha.replace(/[^0-9a-f]/gi, '').slice(0, 40);
  const runUrl = o.checked?.runUrl;
  // The run URL is built from the runner's environment, never from the image; still, only an https URL.
  const run = runUrl && /^https:\/\/[^\s()<>]+$/.test(runUrl) ? ` · [run](${runUrl})` : '';
  const checked = sha ? ` · checked <code>${sha.slice(0, 7)}</code>${run}` : '';
  out.push(`<sub>[Slimgate](${REPO_URL}) ${VERSION}${checked}${rules}</sub>`);
  return out;
}

export function withMarkers(out: string[], o: PageOptions): string {
  if (o.commentKey !== undefined) out.push('', commentMarker(o.commentKey));
  if (o.checked?.sha) out.push(headTag(o.checked.sha));
  return out.join('\n') + '\n';
}

/** The fixes outside the PR's diff: a fenced diff (a fence longer than any backtick run in it), inert. */
export function fixesSection(diff: string): string[] {
  const fence = '`'.repeat(Math.max(2, ...[...diff.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  return [
    '',
    "**Suggested changes to the Dockerfile** (on lines outside this PR's diff; `git apply` takes them):",
    '',
    `${fence}diff`,
    diff.replace(/\n$/, ''),
    fence,
  ];
}
