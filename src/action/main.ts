/**
 * The action's phases: inputs → policy → (build) → check → baseline → verdict → publish (report files,
 * outputs, sticky comment, job summary) → annotations → exit code. The exit code is set last, after the
 * comment and the summary are written, so a failing check still tells the PR why.
 */
import { join, relative } from 'node:path';
import { statSync } from 'node:fs';
import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { parseBuildArgs } from '../analysis/dockerfile.js';
import { policyForPlatform, type Policy } from '../analysis/policy.js';
import { decideVerdict } from '../analysis/verdict.js';
import { renderInspect } from '../report/text.js';
import { BuildError } from '../sources/docker-build.js';
import { parsePlatform } from '../sources/platform.js';
import { failureLine, InputError, oneLine } from '../util/errors.js';
import { annotate } from '../github/annotations.js';
import { withCommandsStopped } from '../github/log.js';
import { escapeControls } from '../util/text.js';
import {
  findEnvelopes,
  readEnvelope,
  writeReportFiles,
  type CommentView,
  type PrEnvelope,
} from '../github/artifact.js';
import { keepBaseline, loadReport, resolveBaseline, restoreMainLayers } from '../github/baseline.js';
import { defaultCommentKey } from '../report/comment-key.js';
import type { Octokit } from '../github/comment.js';
import { runContext, type RunContext } from '../github/context.js';
import { writeSarif } from '../cli/sarif-output.js';
import type { Report } from '../types/report.js';
import { readLivePull, runUrl, type LivePull } from '../github/pull.js';
import { checker } from './checker.js';
import { suggestFixes } from './suggest.js';
import { readInputs, type ActionInputs, type BuildInputs } from './inputs.js';
import { applyVerdict, commentTarget, publish, publishPlatforms } from './publish.js';
import { checkPlatforms, loadPlatformReports } from './platforms.js';

/** The key's image part in build mode: the Dockerfile and target, which stay the same across commits. */
function buildKeySource(b: BuildInputs): string {
  return `build:${b.file ?? `${b.context.replace(/\/+$/, '')}/Dockerfile`}${b.target ? `#${b.target}` : ''}`;
}

async function runCheck(inputs: ActionInputs, ctx: RunContext): Promise<void> {
  if (ctx.kind === 'workflow_run')
    core.warning(
      'Slimgate: on workflow_run the action posts reports made by a pull_request run: set mode: comment',
    );
  else if (ctx.kind === 'other')
    core.notice(
      `Slimgate: the ${ctx.eventName || 'unknown'} event has no pull request: the image is checked and the job summary ` +
        'written, but nothing is commented and no baseline is recorded',
    );

  const policy = await checker.policy(inputs.policy);
  let source = inputs.image;
  if (inputs.imageNote) core.notice(`Slimgate: ${inputs.imageNote}`);
  let cleanup: (() => Promise<void>) | undefined;
  if (inputs.build) {
    const b = inputs.build;
    if (b.platforms.length > 1 && !inputs.platform)
      throw new InputError(
        `input "platforms" names ${b.platforms.length} platforms: set "platform" to the one to check, or to all (or use a matrix, one platform per job)`,
      );
    // The build's output prints what RUN steps print: logged, never acted on.
    const built = await core.group('Building the image', () => withCommandsStopped(() => checker.build(b)));
    source = built.source;
    cleanup = built.cleanup;
  }
  try {
    await checkSource(inputs, ctx, policy, source);
  } finally {
    await cleanup?.();
  }
}

/**
 * The pull request now (labels, head), on pull_request runs. Without it the payload's labels stand, with a
 * warning: they were frozen when the run started.
 */
async function livePull(inputs: ActionInputs, ctx: RunContext): Promise<LivePull | undefined> {
  if (ctx.kind !== 'pull_request' || !ctx.pr || !inputs.token) return undefined;
  try {
    return await readLivePull(getOctokit(inputs.token), {
      owner: ctx.owner,
      repo: ctx.repo,
      number: ctx.pr.number,
    });
  } catch (err) {
    core.warning(
      `Slimgate: could not read PR #${ctx.pr.number} (${oneLine(err)}): using the labels of the event, as they were when the run started`,
    );
    return undefined;
  }
}

async function checkSource(
  inputs: ActionInputs,
  ctx: RunContext,
  policy: Policy,
  source: string,
): Promise<void> {
  const dockerfile = inputs.dockerfile
    ? {
        path: inputs.dockerfile,
        ...(inputs.build ? { buildArgs: parseBuildArgs(inputs.build.buildArgs, process.env) } : {}),
        ...(inputs.build?.target ? { target: inputs.build.target } : {}),
      }
    : undefined;
  const label = inputs.build ? buildKeySource(inputs.build) : inputs.image;
  const layers = await restoreMainLayers(inputs, ctx, label);
  if (inputs.platform === 'all') {
    const live = await livePull(inputs, ctx);
    return checkPlatforms({ inputs, ctx, policy, source, label, layers, live, dockerfile });
  }
  const platform = inputs.platform;
  let report = await core.group(`Inspecting ${label}`, () =>
    checker.check(source, {
      policy,
      platform,
      registry: inputs.registry,
      ...(dockerfile ? { dockerfile } : {}),
    }),
  );
  const key = inputs.commentKey || defaultCommentKey(label, report.image.platform);
  // The platform's own budgets (.slimgate.yml `platforms:`), as the engine applied them.
  const budgets = policyForPlatform(policy, report.image.platform);
  const baseline = await resolveBaseline({
    inputs,
    ctx,
    policy: budgets,
    key,
    platform: parsePlatform(report.image.platform),
  });
  report = checker.judge(report, budgets, baseline.report);
  if (ctx.kind === 'baseline')
    report = await keepBaseline({ key, label, report, previous: baseline.previous, inputs, ctx, layers });
  await core.group('Report', () => withCommandsStopped(() => core.info(renderInspect(report))));

  const live = await livePull(inputs, ctx);
  const labels = live?.labels ?? ctx.pr?.labels ?? [];
  const overrideApplied = !!inputs.overrideLabel && labels.includes(inputs.overrideLabel);
  const failOn = policy.failOn;
  const verdict = decideVerdict(report, policy, {
    override: inputs.overrideLabel ? { label: inputs.overrideLabel, applied: overrideApplied } : undefined,
    baseline: baseline.report?.findings ?? null,
  });
  const checkedSha = ctx.pr?.headSha || ctx.sha;
  const url = runUrl();
  const view: CommentView = {
    baselineLabel: baseline.label,
    ...(baseline.source ? { baselineSource: baseline.source } : {}),
    baselineNote: baseline.note,
    ...(inputs.overrideLabel ? { overrideLabel: inputs.overrideLabel } : {}),
    showPlatform: !!inputs.platform || report.image.platform !== 'linux/amd64',
    ...(checkedSha ? { checkedSha } : {}),
    ...(url ? { runUrl: url } : {}),
  };
  // An older run must never overwrite the comment of a newer one: this run checked the PR's head only if
  // pulls.get still says so.
  const stale =
    live && ctx.pr?.headSha && live.headSha !== ctx.pr.headSha
      ? `this run checked ${ctx.pr.headSha.slice(0, 7)}, and the pull request's head is now ${live.headSha.slice(0, 7)}`
      : undefined;
  const pr: PrEnvelope | undefined =
    ctx.kind === 'pull_request' && ctx.pr
      ? {
          slimgate: 1,
          pullRequest: ctx.pr.number,
          headSha: ctx.pr.headSha,
          commentKey: key,
          failOn,
          ...(policy.preset ? { preset: policy.preset } : {}),
          overrideApplied,
          ...view,
        }
      : undefined;
  const files = writeReportFiles(key, report, baseline.report, pr);
  writeSarifOutput(inputs.sarif, report, key);
  const suggestions = await suggestFixes(inputs, ctx, report, key);
  const target = commentTarget(inputs, ctx, key);
  const { diff } = await publish({
    report,
    baseline: baseline.report,
    view,
    verdict,
    reportPath: files.report,
    outputs: true,
    ...(suggestions?.outsideDiff ? { fixesDiff: suggestions.outsideDiff } : {}),
    key,
    ...(stale ? { skipComment: stale } : {}),
    ...(target ? { comment: target } : {}),
  });
  await suggestions?.post();
  annotate(diff ? diff.findings.added : report.findings);
  applyVerdict(report, verdict);
}

/** The `sarif` input: the findings as SARIF for upload-sarif, paths relative to the workspace; the `sarif` output. */
function writeSarifOutput(file: string | undefined, report: Report, key: string): void {
  const path = file
    ? writeSarif(file, report, { commentKey: key, root: process.env['GITHUB_WORKSPACE'] || process.cwd() })
    : '';
  if (path) core.info(`SARIF written to ${path}`);
  core.setOutput('sarif', path);
}

/** mode: comment — posts reports that a pull_request run (without a write token) left as an artifact. */
async function runComment(inputs: ActionInputs, ctx: RunContext): Promise<void> {
  if (ctx.kind !== 'workflow_run' && ctx.kind !== 'pull_request')
    throw new InputError(
      `mode: comment runs on workflow_run (or pull_request) events, not ${ctx.eventName || 'an unknown event'}`,
    );
  if (!inputs.token)
    throw new InputError('mode: comment needs a github-token that can write pull-request comments');
  const octokit: Octokit = getOctokit(inputs.token);
  let first = true;
  for (const envPath of findEnvelopes(inputs.report!)) {
    const dir = join(envPath, '..');
    const env = readEnvelope(envPath);

    // The artifact is the fork's output: only trust its PR number once GitHub confirms that the PR's head is
    // the commit the triggering run built. Otherwise a fork could make the bot post on any PR.
    const expectedSha = ctx.kind === 'workflow_run' ? ctx.workflowRun?.headSha : ctx.pr?.headSha;
    const pr = await octokit.rest.pulls
      .get({ owner: ctx.owner, repo: ctx.repo, pull_number: env.pullRequest })
      .catch((err: unknown) => {
        throw new InputError(
          `could not read PR #${env.pullRequest} of ${ctx.owner}/${ctx.repo}: ${oneLine(err)}`,
        );
      });
    if (!expectedSha || pr.data.head.sha !== expectedSha) {
      core.warning(
        `Slimgate: not posting ${escapeControls(relative(inputs.report!, envPath))}: PR #${env.pullRequest}'s head is ${pr.data.head.sha.slice(0, 12)}, ` +
          `but the run that made the report built ${(expectedSha ?? 'nothing').slice(0, 12)}`,
      );
      continue;
    }
    const overrideApplied = !!env.overrideLabel && pr.data.labels.some((l) => l.name === env.overrideLabel);
    // The footer names what GitHub confirmed, not what the artifact says: the head, and the run that built it.
    const checkRun = ctx.workflowRun?.id
      ? runUrl({ ...process.env, GITHUB_RUN_ID: String(ctx.workflowRun.id) })
      : undefined;
    const target = {
      token: inputs.token,
      owner: ctx.owner,
      repo: ctx.repo,
      issueNumber: env.pullRequest,
      key: env.commentKey,
      fromFork: false,
    };
    const envView = {
      ...env,
      checkedSha: pr.data.head.sha,
      ...(checkRun ? { runUrl: checkRun } : { runUrl: undefined }),
    };
    if (env.platforms) {
      const platforms = loadPlatformReports(
        dir,
        { ...env, platforms: env.platforms },
        { failOn: env.failOn, preset: env.preset },
        env.overrideLabel ? { label: env.overrideLabel, applied: overrideApplied } : undefined,
      );
      await publishPlatforms({
        platforms,
        view: envView,
        reportPath: join(dir, 'reports.json'),
        outputs: first,
        key: env.commentKey,
        comment: target,
      });
      first = false;
      continue;
    }
    const report = loadReport(join(dir, 'report.json'));
    const baselinePath = join(dir, 'baseline.json');
    const baseline = statSync(baselinePath, { throwIfNoEntry: false })
      ? loadReport(baselinePath, 'baseline report')
      : null;
    const verdict = decideVerdict(
      report,
      { failOn: env.failOn, preset: env.preset },
      {
        override: env.overrideLabel ? { label: env.overrideLabel, applied: overrideApplied } : undefined,
        baseline: baseline?.findings ?? null,
      },
    );
    await publish({
      report,
      baseline,
      view: envView,
      verdict,
      reportPath: join(dir, 'report.json'),
      outputs: first,
      key: env.commentKey,
      comment: target,
    });
    first = false;
  }
}

export async function run(): Promise<void> {
  try {
    // First of all, so that nothing below can print it.
    for (const name of ['GITHUB-TOKEN', 'REGISTRY-PASSWORD']) {
      const secret = (process.env[`INPUT_${name}`] ?? '').trim();
      if (secret) core.setSecret(secret);
    }
    const inputs = readInputs();
    const ctx = runContext();
    if (inputs.mode === 'comment') await runComment(inputs, ctx);
    else await runCheck(inputs, ctx);
  } catch (err) {
    // A failed build says why in its log: show the tail before the one-line failure.
    if (err instanceof BuildError && err.logTail)
      core.error(
        `docker build output (last lines):\n${err.logTail.split('\n').map(escapeControls).join('\n')}`,
      );
    core.setFailed(failureLine(err));
  }
}
