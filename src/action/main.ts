/**
 * The action's phases: inputs → policy → (build) → check → baseline → verdict → publish (report files,
 * outputs, sticky comment, job summary) → annotations → exit code. The exit code is set last, after the
 * comment and the summary are written, so a failing check still tells the PR why.
 */
import { join, relative } from 'node:path';
import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { parseBuildArgs } from '../sources/build-args.js';
import { policyForPlatform, type Policy } from '../analysis/policy.js';
import { decideVerdict } from '../analysis/verdict.js';
import { renderInspect } from '../report/text.js';
import { BuildError } from '../sources/docker-build.js';
import { parsePlatform } from '../sources/platform.js';
import { failureLine, InputError, oneLine } from '../util/errors.js';
import { annotate } from '../github/annotations.js';
import { withCommandsStopped } from '../github/log.js';
import { escapeControls } from '../util/text.js';
import { findEnvelopes, readEnvelope, writeReportFiles, type CommentView } from '../github/artifact.js';
import { keepBaseline, resolveBaseline, restoreMainLayers } from '../github/baseline.js';
import { defaultCommentKey } from '../report/comment-key.js';
import type { Octokit } from '../github/comment.js';
import { runContext, type RunContext } from '../github/context.js';
import { writeSarif } from '../cli/sarif-output.js';
import { readLivePull, runUrl, type LivePull } from '../github/pull.js';
import { loadJudged, prEnvelope, prState, runFooter, sarifOutput } from './pr-state.js';
import { checker } from './checker.js';
import { suggestFixes } from './suggest.js';
import { readInputs, type ActionInputs } from './inputs.js';
import type { BuildInputs } from './build-inputs.js';
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

  const state = prState(inputs, ctx, await livePull(inputs, ctx));
  const verdict = decideVerdict(report, policy, {
    override: state.override,
    baseline: baseline.report?.findings ?? null,
  });
  const view: CommentView = {
    baselineLabel: baseline.label,
    ...(baseline.source ? { baselineSource: baseline.source } : {}),
    baselineNote: baseline.note,
    ...(inputs.overrideLabel ? { overrideLabel: inputs.overrideLabel } : {}),
    showPlatform: !!inputs.platform || report.image.platform !== 'linux/amd64',
    ...runFooter(ctx),
  };
  const pr = prEnvelope(ctx, key, policy, state, view);
  const files = writeReportFiles(key, report, baseline.report, pr);
  sarifOutput(inputs.sarif, (file, root) => writeSarif(file, report, { commentKey: key, root }));
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
    ...(state.stale ? { skipComment: state.stale } : {}),
    ...(target ? { comment: target } : {}),
  });
  await suggestions?.post();
  annotate(diff ? diff.findings.added : report.findings);
  applyVerdict(report, verdict);
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
  // A matrix leaves several envelopes for one PR: it is read once.
  const pulls = new Map<number, Promise<LivePull>>();
  const readPull = (n: number): Promise<LivePull> => {
    let p = pulls.get(n);
    if (!p) {
      p = readLivePull(octokit, { owner: ctx.owner, repo: ctx.repo, number: n }).catch((err: unknown) => {
        throw new InputError(`could not read PR #${n} of ${ctx.owner}/${ctx.repo}: ${oneLine(err)}`);
      });
      pulls.set(n, p);
    }
    return p;
  };
  let first = true;
  for (const envPath of findEnvelopes(inputs.report!)) {
    const dir = join(envPath, '..');
    const env = readEnvelope(envPath);

    // The artifact is the fork's output: only trust its PR number once GitHub confirms that the PR's head is
    // the commit the triggering run built. Otherwise a fork could make the bot post on any PR.
    const expectedSha = ctx.kind === 'workflow_run' ? ctx.workflowRun?.headSha : ctx.pr?.headSha;
    const pr = await readPull(env.pullRequest);
    if (!expectedSha || pr.headSha !== expectedSha) {
      core.warning(
        `Slimgate: not posting ${escapeControls(relative(inputs.report!, envPath))}: PR #${env.pullRequest}'s head is ${pr.headSha.slice(0, 12)}, ` +
          `but the run that made the report built ${(expectedSha ?? 'nothing').slice(0, 12)}`,
      );
      continue;
    }
    const override = env.overrideLabel
      ? { label: env.overrideLabel, applied: pr.labels.includes(env.overrideLabel) }
      : undefined;
    const policy = { failOn: env.failOn, preset: env.preset };
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
      checkedSha: pr.headSha,
      ...(checkRun ? { runUrl: checkRun } : { runUrl: undefined }),
    };
    const common = { view: envView, outputs: first, key: env.commentKey, comment: target };
    first = false;
    if (env.platforms) {
      await publishPlatforms({
        ...common,
        platforms: loadPlatformReports(dir, env.platforms, policy, override, env.baselineNote),
        reportPath: join(dir, 'reports.json'),
      });
      continue;
    }
    await publish({
      ...common,
      ...loadJudged(dir, policy, override, undefined),
      reportPath: join(dir, 'report.json'),
    });
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
