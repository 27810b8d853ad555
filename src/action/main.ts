/**
 * The action's phases: inputs → policy → (build) → check → baseline → verdict → publish (report files,
 * outputs, sticky comment, job summary) → annotations → exit code. The exit code is set last, after the
 * comment and the summary are written, so a failing check still tells the PR why.
 */
import { join, relative } from 'node:path';
import * as core from '@actions/core';
import { githubClient } from '../github/github-api.js';
import { distinctFindings } from '../analysis/finding.js';
import type { Policy } from '../analysis/policy.js';
import { renderInspect } from '../report/text.js';
import { LayerCache } from '../scan/cache.js';
import { BuildError } from '../sources/docker-build.js';
import { failureLine, InputError, oneLine } from '../util/errors.js';
import { escapeControls } from '../util/text.js';
import { restoreLayerScans, saveLayerScans } from '../github/actions-cache.js';
import { annotate } from '../github/annotations.js';
import { findEnvelopes, readEnvelope, writeRunFiles, type CommentView } from '../github/artifact.js';
import { keepBaseline } from '../github/baseline.js';
import { keepPlatformList } from '../github/baseline-platforms.js';
import type { Octokit } from '../github/github-api.js';
import { runContext, type RunContext } from '../github/context.js';
import { withCommandsStopped } from '../github/log.js';
import { checkOutputs } from '../github/runner-files.js';
import { cancelled } from '../util/interrupt.js';
import { readLivePull, runUrl, type LivePull } from '../github/pull.js';
import { actionBaseline } from './baseline-provider.js';
import { checker, registryOptions } from './checker.js';
import { readInputs, type ActionInputs } from './inputs.js';
import { planRun, platformKey, runKey, type RunPlan } from './plan.js';
import { loadJudged, prEnvelope, prState, runFooter, sarifOutput, type PrState } from './pr-state.js';
import { applyVerdict, publish } from './publish.js';
import { suggestFixes } from './suggest.js';
import { htmlReport } from './html-report.js';
import { submitDependencyGraph } from './dependency-graph.js';
import { confirmedArtifactUrl } from '../github/artifact-upload.js';

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

  const plan = planRun(inputs, ctx, process.env);
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
    await checkSource(inputs, ctx, plan, policy, source);
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
    return await readLivePull(await githubClient(inputs.token), {
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

/** One path for one image and for every platform: check, keep main's baseline, publish, annotate, verdict. */
async function checkSource(
  inputs: ActionInputs,
  ctx: RunContext,
  plan: RunPlan,
  policy: Policy,
  source: string,
): Promise<void> {
  // The layer cache is opened once: main's layer scans are restored into it, the image and its baselines
  // are read through it, and a run on main saves it once.
  const cache = LayerCache.open();
  const layers = await restoreLayerScans(cache, plan.cache.layerLimit, plan.imageSlug, plan.baseSha);
  const before = cache ? { ...cache.stats } : undefined;
  const engine = {
    registry: registryOptions(inputs.registry),
    cache: cache ?? false,
    ...(inputs.osvUrl ? { vulnerabilities: { url: inputs.osvUrl } } : {}),
  };
  const baseline = actionBaseline(plan, inputs.build, engine);
  // The PR is read after the scan, so that a push or a label made while the image was read is seen.
  let state: PrState = prState(inputs, ctx, undefined);
  const every = plan.everyPlatform ? ', every platform' : '';
  core.info(`Inspecting ${plan.label}${every}`);
  const run = await checker.check(source, {
    ...engine,
    policy,
    platform: plan.platform,
    ...(plan.dockerfile ? { dockerfile: plan.dockerfile } : {}),
    baseline,
    override: async () => {
      state = prState(inputs, ctx, await livePull(inputs, ctx));
      return state.override;
    },
  });
  if (cache && before)
    core.info(
      `layer scans: ${cache.stats.hits - before.hits} from the cache, ${cache.stats.misses - before.misses} read`,
    );
  const platforms = run.platforms.map((p) => p.report.image.platform);
  const entries = [];
  for (const p of run.platforms) {
    const key = platformKey(plan, p.report.image.platform);
    const report = plan.record
      ? await keepBaseline({
          key,
          report: p.report,
          previous: baseline.previous(key),
          sha: ctx.sha,
          cache: plan.cache.reports,
        })
      : p.report;
    // The platform is the image's own text: escaped before it reaches the log.
    await core.group(`Report${every ? ` ${escapeControls(report.image.platform)}` : ''}`, () =>
      withCommandsStopped(() => core.info(renderInspect(report))),
    );
    entries.push({ ...p, key, report });
  }
  if (plan.record) {
    if (plan.everyPlatform)
      await keepPlatformList(plan.imageSlug, platforms, { sha: ctx.sha, cache: plan.cache.reports });
    await saveLayerScans(cache, plan.cache.layerLimit, plan.imageSlug, ctx.sha, layers);
  }
  // Not a failure (the verdict alone decides): said in the comment, the summary, the outputs, and here.
  if (run.missing.length)
    core.warning(
      `Slimgate: the baseline also has ${escapeControls(run.missing.join(', '))}, which this image does not`,
    );
  const key = runKey(plan, platforms);
  // The HTML report is uploaded before the comment is rendered: the comment and the summary link it.
  const html = await htmlReport(inputs.html, key, entries, plan.everyPlatform, inputs.sbomFormat);
  const found = entries.find((e) => e.baselineSource);
  const view: CommentView = {
    baselineLabel: ctx.baseBranch ?? 'baseline',
    ...(found?.baselineSource ? { baselineSource: found.baselineSource } : {}),
    baselineNote: entries.find((e) => e.baselineNote)?.baselineNote ?? '',
    ...(inputs.overrideLabel ? { overrideLabel: inputs.overrideLabel } : {}),
    showPlatform: !!inputs.platform || platforms.some((p) => p !== 'linux/amd64'),
    ...(run.missing.length ? { missingPlatforms: run.missing } : {}),
    ...runFooter(ctx),
    ...(html.url ? { htmlUrl: html.url } : {}),
    ...(html.sbomUrl && inputs.sbomFormat !== 'none'
      ? { sbomUrl: html.sbomUrl, sbomFormat: inputs.sbomFormat }
      : {}),
  };
  const pr = prEnvelope(ctx, key, policy, state, view);
  // A full RUNNER_TEMP fails the step with one line, after the comment and the summary say what was found.
  let files: { report: string } | undefined;
  let unwritten: unknown;
  try {
    files = writeRunFiles(key, entries, { everyPlatform: plan.everyPlatform, pr });
  } catch (err) {
    unwritten = err;
  }
  sarifOutput(
    inputs.sarif,
    entries.map((e) => ({ report: e.report, commentKey: e.key })),
    plan.everyPlatform,
  );
  const suggestions = await suggestFixes(inputs, ctx, {
    dockerfile: plan.dockerfile,
    reports: entries.map((e) => e.report),
    key,
  });
  const { diffs } = await publish({
    entries,
    everyPlatform: plan.everyPlatform,
    view,
    reportPath: files?.report ?? '',
    outputs: true,
    fixesDiff: suggestions?.outsideDiff,
    key,
    skipComment: state.stale,
    ...(plan.comment ? { comment: { ...plan.comment, token: inputs.token, key } } : {}),
  });
  await suggestions?.post();
  await submitDependencyGraph(inputs.dependencySnapshot, { token: inputs.token, ctx, runKey: key, entries });
  // One annotation per finding, however many platforms share it.
  annotate(distinctFindings(entries.flatMap((e, i) => diffs[i]?.findings.added ?? e.report.findings)));
  applyVerdict(entries, plan.everyPlatform);
  if (unwritten ?? html.failure) throw unwritten ?? html.failure;
}

/** mode: comment — posts reports that a pull_request run (without a write token) left as an artifact. */
async function runComment(inputs: ActionInputs, ctx: RunContext): Promise<void> {
  if (ctx.kind !== 'workflow_run' && ctx.kind !== 'pull_request')
    throw new InputError(
      `mode: comment runs on workflow_run (or pull_request) events, not ${ctx.eventName || 'an unknown event'}`,
    );
  if (!inputs.token)
    throw new InputError('mode: comment needs a github-token that can write pull-request comments');
  const octokit: Octokit = await githubClient(inputs.token);
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
      htmlUrl: confirmedArtifactUrl(env.htmlUrl, checkRun),
      sbomUrl: confirmedArtifactUrl(env.sbomUrl, checkRun),
    };
    const outputs = first;
    first = false;
    // `platform: all` left each platform's reports in the sibling directories pr.json names.
    const dirs = env.platforms?.map((slug) => join(dir, '..', slug)) ?? [dir];
    await publish({
      entries: dirs.map((d) => loadJudged(d, policy, override, env.platforms ? env.baselineNote : undefined)),
      everyPlatform: !!env.platforms,
      view: envView,
      outputs,
      key: env.commentKey,
      comment: target,
      reportPath: join(dir, env.platforms ? 'reports.json' : 'report.json'),
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
    checkOutputs();
  } catch (err) {
    // Cancelled: the children were stopped on purpose, and the cancellation is the one line.
    if (cancelled()) return;
    // A failed build says why in its log: show the tail before the one-line failure.
    if (err instanceof BuildError && err.logTail)
      core.error(
        `docker build output (last lines):\n${err.logTail.split('\n').map(escapeControls).join('\n')}`,
      );
    core.setFailed(failureLine(err));
  }
}
