/**
 * What the action's check mode knows of the pull request, the same for one image and for every platform:
 * whether the override label is on it now, whether a newer commit has replaced the one checked, the
 * comment footer, and the pr.json envelope that the fork-safe comment job reads back.
 */
import * as core from '@actions/core';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Policy } from '../analysis/policy.js';
import type { FailOn, Preset } from '../analysis/verdict.js';
import { judgeSaved } from '../analysis/judge.js';
import type { CommentView, PrEnvelope } from '../github/artifact.js';
import { loadReport } from '../github/baseline.js';
import type { RunContext } from '../github/context.js';
import { runUrl, type LivePull } from '../github/pull.js';
import type { ActionInputs } from './inputs.js';
import type { Report } from '../types/report.js';
import { writeSarif } from '../output/sarif-file.js';
import { setOutput } from '../github/runner-files.js';
import type { JudgedEntry } from './publish.js';

export interface PrState {
  /** The override label and whether the PR carries it (the live labels, else the event's). */
  override: { label: string; applied: boolean } | undefined;
  /** Why the comment must be left alone: this run checked a commit that is no longer the PR's head. */
  stale: string | undefined;
}

export function prState(inputs: ActionInputs, ctx: RunContext, live: LivePull | undefined): PrState {
  const labels = live?.labels ?? ctx.pr?.labels ?? [];
  const override = inputs.overrideLabel
    ? { label: inputs.overrideLabel, applied: labels.includes(inputs.overrideLabel) }
    : undefined;
  // An older run must never overwrite the comment of a newer one: this run checked the PR's head only if
  // pulls.get still says so.
  const stale =
    live && ctx.pr?.headSha && live.headSha !== ctx.pr.headSha
      ? `this run checked ${ctx.pr.headSha.slice(0, 7)}, and the pull request's head is now ${live.headSha.slice(0, 7)}`
      : undefined;
  return { override, stale };
}

/** The comment's footer: the commit checked and this run's page. */
export function runFooter(ctx: RunContext): Pick<CommentView, 'checkedSha' | 'runUrl'> {
  const checkedSha = ctx.pr?.headSha || ctx.sha;
  const url = runUrl();
  return { ...(checkedSha ? { checkedSha } : {}), ...(url ? { runUrl: url } : {}) };
}

/** pr.json for the workflow_run job, on pull_request runs only. */
export function prEnvelope(
  ctx: RunContext,
  key: string,
  policy: Policy,
  state: PrState,
  view: CommentView,
): PrEnvelope | undefined {
  if (ctx.kind !== 'pull_request' || !ctx.pr) return undefined;
  return {
    slimgate: 1,
    pullRequest: ctx.pr.number,
    headSha: ctx.pr.headSha,
    commentKey: key,
    failOn: policy.failOn,
    ...(policy.preset ? { preset: policy.preset } : {}),
    overrideApplied: state.override?.applied ?? false,
    ...view,
  };
}

/** The `sarif` input and output: the log of every platform, with paths relative to the workspace. */
export function sarifOutput(
  file: string | undefined,
  entries: readonly { report: Report; commentKey: string }[],
  everyPlatform: boolean,
): void {
  const root = process.env['GITHUB_WORKSPACE'] || process.cwd();
  const path = file ? writeSarif(file, entries, { root, everyPlatform }) : '';
  if (path) core.info(`SARIF written to ${path}`);
  setOutput('sarif', path);
}

/** Comment mode: a report directory read back (report.json, baseline.json if any) and judged again. */
export function loadJudged(
  dir: string,
  policy: { failOn: FailOn; preset: Preset | undefined },
  override: { label: string; applied: boolean } | undefined,
  baselineNote: string | undefined,
): JudgedEntry {
  const report = loadReport(join(dir, 'report.json'));
  const baselinePath = join(dir, 'baseline.json');
  const baseline = statSync(baselinePath, { throwIfNoEntry: false })
    ? loadReport(baselinePath, 'baseline report')
    : null;
  return {
    report,
    baseline,
    verdict: judgeSaved(report, policy, { override, baseline }),
    ...(!baseline && baselineNote !== undefined ? { baselineNote } : {}),
  };
}
