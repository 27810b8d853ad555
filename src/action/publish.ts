/**
 * What every run does with a judged report, in one order: outputs, the sticky comment, the job summary,
 * and the verdict's message. Check mode and comment mode share it, so they agree on what a comment that
 * could not be posted means: a warning and a note in the summary, never a different verdict.
 */
import * as core from '@actions/core';
import { githubClient } from '../github/github-api.js';
import type { Verdict } from '../analysis/verdict.js';
import { diffReports, type ReportDiff } from '../report/diff.js';
import { commentMarker, renderComment, type CommentOptions } from '../report/markdown.js';
import { combineVerdicts } from '../analysis/verdict.js';
import { trendOf } from '../report/trend.js';
import type { Report } from '../types/report.js';
import { formatBytes } from '../util/bytes.js';
import { oneLine } from '../util/errors.js';
import { escapeControls } from '../util/text.js';
import type { CommentView } from '../github/artifact.js';
import { CommentForbidden, upsertComment } from '../github/comment.js';
import type { Octokit } from '../github/github-api.js';
import type { CommentPlace } from './plan.js';
import { setOutput } from '../github/runner-files.js';

const FORK_RECIPE_URL = 'https://github.com/slimgate/slimgate/blob/main/docs/action.md#fork-pull-requests';
/** The job summary takes up to 1 MiB per step; characters here, with room for multi-byte ones. */
const SUMMARY_LIMIT = 800_000;

/** Percent with at most two decimals, as a plain number: `12.5`, `-3`, `0`. */
function percentOutput(p: number | null): string {
  return p === null ? '' : String(Math.round(p * 100) / 100);
}

/** The job summary. A summary file that cannot be written is a warning: the verdict does not depend on it. */
async function writeSummary(markdown: string): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) {
    core.info('no GITHUB_STEP_SUMMARY: the job summary is not written');
    return;
  }
  try {
    await core.summary.addRaw(markdown, true).write();
  } catch (err) {
    core.warning(`Slimgate: could not write the job summary: ${oneLine(err)}`);
  }
}

function markdownOptions(view: CommentView): CommentOptions {
  return {
    ...(view.checkedSha
      ? { checked: { sha: view.checkedSha, ...(view.runUrl ? { runUrl: view.runUrl } : {}) } }
      : {}),
    baselineLabel: view.baselineLabel,
    ...(view.baselineSource ? { baselineSource: view.baselineSource } : {}),
    baselineNote: view.baselineNote,
    showPlatform: view.showPlatform,
    ...(view.overrideLabel ? { overrideLabel: view.overrideLabel } : {}),
    ...(view.htmlUrl ? { htmlUrl: view.htmlUrl } : {}),
    ...(view.sbomUrl ? { sbom: { url: view.sbomUrl, format: view.sbomFormat ?? 'cyclonedx-json' } } : {}),
  };
}

interface CommentResult {
  url: string;
  /** A note for the summary when the comment could not be posted. */
  note?: string;
}

/** Where the sticky comment goes. */
interface CommentTarget extends CommentPlace {
  token: string;
  key: string;
}

async function postComment(t: CommentTarget, body: string): Promise<CommentResult> {
  const { issueNumber } = t;
  if (!t.token) {
    core.warning('Slimgate: no github-token, so no PR comment; the report is in the job summary');
    return { url: '', note: 'No github-token was given, so this report was not posted as a PR comment.' };
  }
  const octokit: Octokit = await githubClient(t.token);
  try {
    const c = await upsertComment(
      octokit,
      { owner: t.owner, repo: t.repo, issueNumber },
      commentMarker(t.key),
      body,
    );
    core.info(`PR comment ${c.action}: ${c.url}`);
    return { url: c.url };
  } catch (err) {
    if (err instanceof CommentForbidden) {
      const fork = t.fromFork ? ' (a pull request from a fork gets a read-only token)' : '';
      core.warning(
        `Slimgate: this token cannot comment on #${issueNumber}${fork}: ${oneLine(err)}. The verdict and the job summary ` +
          `are unaffected. To comment on fork PRs, use the workflow_run recipe: ${FORK_RECIPE_URL}`,
      );
      return {
        url: '',
        note: `This token cannot comment on the pull request${fork}, so this report is only in the job summary.`,
      };
    }
    core.warning(`Slimgate: could not post the PR comment: ${oneLine(err)}`);
    return { url: '', note: `The PR comment could not be posted (${oneLine(err)}).` };
  }
}

function verdictMessage(report: Report, v: Verdict): string {
  const parts: string[] = [];
  const what = v.ratchet === 'compared' ? 'new error finding' : 'error finding';
  if (v.judgedErrors) parts.push(`${v.judgedErrors} ${what}${v.judgedErrors === 1 ? '' : 's'}`);
  if (v.failOn === 'warning' && v.warnings) parts.push(`${v.warnings} warning${v.warnings === 1 ? '' : 's'}`);
  for (const c of v.breaches) {
    const fmt = (n: number): string =>
      c.unit === 'layers' || c.name === 'max-layers' ? String(n) : formatBytes(n);
    parts.push(`${c.name} ${fmt(c.actual)} > ${fmt(c.limit)}`);
  }
  if (!parts.length && !report.passed) parts.push('the report did not pass');
  return parts.join(', ');
}

/**
 * The step's result, set last: it fails when any platform's verdict blocks, naming each platform of a
 * `platform: all` run; an overridden or `fail-on: never` failure is a warning.
 */
export function applyVerdict(entries: readonly JudgedEntry[], everyPlatform: boolean): void {
  const failing = entries.filter((e) => e.verdict.status === 'fail');
  if (!failing.length) return;
  const [only] = entries;
  if (!everyPlatform && only && entries.length === 1) {
    const v = only.verdict;
    const why = verdictMessage(only.report, v);
    if (v.blocking) core.setFailed(`Slimgate: the image fails the policy: ${why}`);
    else if (v.overriddenBy)
      core.warning(
        `Slimgate: the image fails the policy (${why}), overridden by the label "${v.overriddenBy}"`,
      );
    else
      core.warning(
        `Slimgate: the image fails the policy (${why}); not failing the step because fail-on is never`,
      );
    return;
  }
  const why = failing
    .map((p) => `${escapeControls(p.report.image.platform)} (${verdictMessage(p.report, p.verdict)})`)
    .join(', ');
  if (failing.some((p) => p.verdict.blocking))
    core.setFailed(`Slimgate: the image fails the policy on ${why}`);
  else {
    const label = failing.find((p) => p.verdict.overriddenBy)?.verdict.overriddenBy;
    core.warning(
      label
        ? `Slimgate: the image fails the policy on ${why}, overridden by the label "${label}"`
        : `Slimgate: the image fails the policy on ${why}; not failing the step because fail-on is never`,
    );
  }
}

/** One judged platform, as the action publishes it. */
export interface JudgedEntry {
  report: Report;
  baseline: Report | null;
  verdict: Verdict;
  /** Without a baseline: why (a sentence). */
  baselineNote?: string | undefined;
}

export interface Publication {
  entries: readonly JudgedEntry[];
  /** `platform: all`: the comment has a row per platform and the `platforms` output is set. */
  everyPlatform: boolean;
  view: CommentView;
  /** report.json (reports.json for every platform), for the `report` output. */
  reportPath: string;
  /** The comment key: the hidden marker of the body (posted, or given as the `comment-body` output). */
  key: string;
  /** Post the sticky comment here; without one, nothing is posted. */
  comment?: CommentTarget | undefined;
  /** Why the comment is not posted although it could be (e.g. a newer commit is the PR's head now). */
  skipComment?: string | undefined;
  /** Set the step's outputs (comment mode sets them for its first report only). */
  outputs: boolean;
  /** One-click fixes on lines outside the PR's diff, shown in the comment as a diff block. */
  fixesDiff?: string | undefined;
}

/** Outputs, the sticky comment and the job summary for a run's judged platforms (one, or every one). */
export async function publish(
  p: Publication,
): Promise<{ diffs: (ReportDiff | undefined)[]; commentUrl: string }> {
  const entries = p.entries.map((e) => ({
    ...e,
    diff: e.baseline ? diffReports(e.baseline, e.report) : undefined,
    trend: trendOf(e.report, e.baseline),
  }));
  const missing = p.view.missingPlatforms ?? [];
  const opts: CommentOptions = {
    ...markdownOptions(p.view),
    ...(missing.length ? { missing } : {}),
    ...(p.fixesDiff ? { fixesDiff: p.fixesDiff } : {}),
  };
  const body = renderComment(entries, { ...opts, commentKey: p.comment?.key ?? p.key });
  const commentUrl = await postAndSummarize(
    p,
    body,
    () => setOutputs(entries, p.everyPlatform, missing, p.reportPath, body),
    (notes) => renderComment(entries, { ...opts, notes, maxLength: SUMMARY_LIMIT }),
  );
  return { diffs: entries.map((e) => e.diff), commentUrl };
}

/**
 * The one sequence after rendering, for one image or several platforms: post the sticky comment (or say
 * why not), set the outputs, then write the job summary with the notes the comment left.
 */
async function postAndSummarize(
  p: Pick<Publication, 'comment' | 'skipComment' | 'outputs'>,
  body: string,
  setOutputs: () => void,
  summary: (notes: string[]) => string,
): Promise<string> {
  let commentUrl = '';
  const notes: string[] = [];
  if (p.comment && p.skipComment) {
    core.notice(`Slimgate: the PR comment is left as it is: ${p.skipComment}`);
    notes.push(`The PR comment was not updated: ${p.skipComment}.`);
  } else if (p.comment) {
    const c = await postComment(p.comment, body);
    commentUrl = c.url;
    if (c.note) notes.push(c.note);
  }
  if (p.outputs) {
    setOutputs();
    setOutput('comment-url', commentUrl);
  }
  await writeSummary(summary(notes));
  return commentUrl;
}

/**
 * The outputs. `passed` is the overall verdict; `size`, `compressed-size`, `size-delta`(-percent), `digest`
 * and `base` are the largest platform's (by uncompressed size: the only one's, for one image); `errors`,
 * `warnings` and `new-errors` add up every platform's. Under `platform: all`, `platforms` is a JSON object
 * per platform, and `{"missing": true}` for each platform the baseline has and the image does not.
 */
function setOutputs(
  entries: readonly (JudgedEntry & { diff: ReportDiff | undefined })[],
  everyPlatform: boolean,
  missing: readonly string[],
  reportPath: string,
  body: string,
): void {
  const combined = combineVerdicts(
    entries.map((e) => ({ platform: e.report.image.platform, verdict: e.verdict })),
  );
  const largest = [...entries].sort((a, b) => b.report.size.uncompressed - a.report.size.uncompressed)[0];
  const sum = (f: (v: Verdict) => number): string => String(entries.reduce((n, e) => n + f(e.verdict), 0));
  setOutput('passed', String(combined.status !== 'fail'));
  setOutput('size', largest ? String(largest.report.size.uncompressed) : '');
  setOutput('compressed-size', largest ? String(largest.report.size.compressed) : '');
  setOutput('size-delta', largest?.diff ? String(largest.diff.size.uncompressed.delta) : '');
  setOutput('size-delta-percent', largest?.diff ? percentOutput(largest.diff.size.uncompressed.percent) : '');
  setOutput('report', reportPath);
  setOutput('digest', largest?.report.image.digest ?? '');
  setOutput(
    'errors',
    sum((v) => v.errors),
  );
  setOutput(
    'warnings',
    sum((v) => v.warnings),
  );
  setOutput(
    'new-errors',
    sum((v) => v.newErrors),
  );
  setOutput('base', largest?.report.base.verdict ?? '');
  if (everyPlatform)
    setOutput(
      'platforms',
      JSON.stringify(
        Object.fromEntries([
          ...entries.map((e) => [
            e.report.image.platform,
            {
              passed: e.verdict.status !== 'fail',
              size: e.report.size.uncompressed,
              'compressed-size': e.report.size.compressed,
              'size-delta': e.diff ? e.diff.size.uncompressed.delta : null,
              digest: e.report.image.digest,
              errors: e.verdict.errors,
              warnings: e.verdict.warnings,
            },
          ]),
          // The baseline's platforms that this image lacks: marked, with no numbers.
          ...missing.map((m) => [m, { missing: true }]),
        ]),
      ),
    );
  setOutput('comment-body', body);
}
