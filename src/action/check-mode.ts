/**
 * mode: check — build (when asked), then the check's named phases in order (CHECK_PHASES): scan and judge,
 * record main's baseline, the HTML report, the run files, SARIF, the Dockerfile suggestions, publish,
 * annotations, and the verdict last, after the comment and the summary say why. Adding a phase is one
 * function and one row.
 */
import * as core from '@actions/core';
import { githubClient } from '../github/github-api.js';
import { distinctFindings } from '../analysis/finding.js';
import type { Policy } from '../analysis/policy.js';
import type { ReportDiff } from '../report/diff.js';
import { renderInspect } from '../report/text.js';
import { LayerCache } from '../scan/cache.js';
import { InputError, oneLine } from '../util/errors.js';
import { escapeControls } from '../util/text.js';
import { restoreLayerScans, saveLayerScans } from '../github/actions-cache.js';
import { annotate } from '../github/annotations.js';
import { writeRunFiles, type CommentView } from '../github/artifact.js';
import { keepBaseline } from '../github/baseline.js';
import { keepPlatformList } from '../github/baseline-platforms.js';
import type { RunContext } from '../github/context.js';
import { withCommandsStopped } from '../github/log.js';
import { readLivePull, type LivePull } from '../github/pull.js';
import type { CheckRun, JudgedPlatform } from '../engine/engine.js';
import { actionBaseline } from './baseline-provider.js';
import { checker, registryOptions } from './checker.js';
import type { ActionInputs } from './inputs.js';
import { planRun, platformKey, runKey, type RunPlan } from './plan.js';
import { prEnvelope, prState, runFooter, sarifOutput, type PrState } from './pr-state.js';
import { applyVerdict, publish } from './publish.js';
import { suggestFixes } from './suggest.js';
import { htmlReport, type HtmlReport } from './html-report.js';
import { submitDependencyGraph } from './dependency-graph.js';

export async function runCheck(inputs: ActionInputs, ctx: RunContext): Promise<void> {
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
    const run: CheckState = { inputs, ctx, plan, policy, source, entries: [], platforms: [], diffs: [] };
    for (const phase of CHECK_PHASES) await phase(run);
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

/** A judged platform with its comment key, as the phases after the scan see it. */
type Entry = JudgedPlatform & { key: string };

/** What the phases share: the run's givens, and what each phase adds for the ones after it. */
interface CheckState {
  readonly inputs: ActionInputs;
  readonly ctx: RunContext;
  readonly plan: RunPlan;
  readonly policy: Policy;
  readonly source: string;
  /** The scan: the judged platforms (main's saved report where recorded), their keys and platforms. */
  entries: Entry[];
  platforms: string[];
  result?: CheckRun;
  /** The layer cache and main's layer scans, for the record phase. */
  cache?: LayerCache | undefined;
  layers?: Awaited<ReturnType<typeof restoreLayerScans>>;
  baseline?: ReturnType<typeof actionBaseline>;
  state?: PrState;
  key?: string;
  html?: HtmlReport;
  view?: CommentView;
  reportPath?: string;
  /** A report file that could not be written: the step fails, after the comment and summary. */
  unwritten?: unknown;
  suggestions?: Awaited<ReturnType<typeof suggestFixes>>;
  diffs: (ReportDiff | undefined)[];
}

type Phase = (s: CheckState) => Promise<void> | void;

/** Scan and judge: the layer cache opened once (main's scans restored into it), the PR read after the scan. */
async function scanPhase(s: CheckState): Promise<void> {
  const { inputs, ctx, plan } = s;
  // The layer cache is opened once: main's layer scans are restored into it, the image and its baselines
  // are read through it, and a run on main saves it once.
  const cache = LayerCache.open();
  s.cache = cache;
  s.layers = await restoreLayerScans(cache, plan.cache.layerLimit, plan.imageSlug, plan.baseSha);
  const before = cache ? { ...cache.stats } : undefined;
  const engine = {
    registry: registryOptions(inputs.registry),
    cache: cache ?? false,
    ...(inputs.osvUrl ? { vulnerabilities: { url: inputs.osvUrl } } : {}),
  };
  const baseline = actionBaseline(plan, inputs.build, engine);
  s.baseline = baseline;
  // The PR is read after the scan, so that a push or a label made while the image was read is seen.
  s.state = prState(inputs, ctx, undefined);
  core.info(`Inspecting ${plan.label}${plan.everyPlatform ? ', every platform' : ''}`);
  s.result = await checker.check(s.source, {
    ...engine,
    policy: s.policy,
    platform: plan.platform,
    ...(plan.dockerfile ? { dockerfile: plan.dockerfile } : {}),
    baseline,
    override: async () => {
      s.state = prState(inputs, ctx, await livePull(inputs, ctx));
      return s.state.override;
    },
  });
  if (cache && before)
    core.info(
      `layer scans: ${cache.stats.hits - before.hits} from the cache, ${cache.stats.misses - before.misses} read`,
    );
  s.platforms = s.result.platforms.map((p) => p.report.image.platform);
}

/** On main: each platform's report saved as the baseline (and the platform list, and the layer scans). */
async function recordPhase(s: CheckState): Promise<void> {
  const { plan, ctx } = s;
  const every = plan.everyPlatform;
  for (const p of s.result!.platforms) {
    const key = platformKey(plan, p.report.image.platform);
    const report = plan.record
      ? await keepBaseline({
          key,
          report: p.report,
          previous: s.baseline!.previous(key),
          sha: ctx.sha,
          cache: plan.cache.reports,
        })
      : p.report;
    // The platform is the image's own text: escaped before it reaches the log.
    await core.group(`Report${every ? ` ${escapeControls(report.image.platform)}` : ''}`, () =>
      withCommandsStopped(() => core.info(renderInspect(report))),
    );
    s.entries.push({ ...p, key, report });
  }
  if (plan.record) {
    if (every)
      await keepPlatformList(plan.imageSlug, s.platforms, { sha: ctx.sha, cache: plan.cache.reports });
    await saveLayerScans(s.cache, plan.cache.layerLimit, plan.imageSlug, ctx.sha, s.layers!);
  }
  // Not a failure (the verdict alone decides): said in the comment, the summary, the outputs, and here.
  const { missing } = s.result!;
  if (missing.length)
    core.warning(
      `Slimgate: the baseline also has ${escapeControls(missing.join(', '))}, which this image does not`,
    );
  s.key = runKey(plan, s.platforms);
}

/** The HTML report, uploaded before the comment is rendered: the comment and the summary link it. */
async function htmlPhase(s: CheckState): Promise<void> {
  s.html = await htmlReport(s.inputs.html, s.key!, s.entries, s.plan.everyPlatform, s.inputs.sbomFormat);
}

/** What the comment shows besides the reports: the baseline's label and source, notes, footer, links. */
function viewPhase(s: CheckState): void {
  const { inputs, ctx, entries } = s;
  const found = entries.find((e) => e.baselineSource);
  const missing = s.result!.missing;
  s.view = {
    baselineLabel: ctx.baseBranch ?? 'baseline',
    ...(found?.baselineSource ? { baselineSource: found.baselineSource } : {}),
    baselineNote: entries.find((e) => e.baselineNote)?.baselineNote ?? '',
    ...(inputs.overrideLabel ? { overrideLabel: inputs.overrideLabel } : {}),
    showPlatform: !!inputs.platform || s.platforms.some((p) => p !== 'linux/amd64'),
    ...(missing.length ? { missingPlatforms: missing } : {}),
    ...runFooter(ctx),
    ...(s.html?.url ? { htmlUrl: s.html.url } : {}),
    ...(s.html?.sbomUrl && inputs.sbomFormat !== 'none'
      ? { sbomUrl: s.html.sbomUrl, sbomFormat: inputs.sbomFormat }
      : {}),
  };
}

/** report.json and pr.json. A full RUNNER_TEMP fails the step with one line, after the comment and summary. */
function runFilesPhase(s: CheckState): void {
  const pr = prEnvelope(s.ctx, s.key!, s.policy, s.state!, s.view!);
  try {
    s.reportPath = writeRunFiles(s.key!, s.entries, { everyPlatform: s.plan.everyPlatform, pr }).report;
  } catch (err) {
    s.unwritten = err;
  }
}

function sarifPhase(s: CheckState): void {
  sarifOutput(
    s.inputs.sarif,
    s.entries.map((e) => ({ report: e.report, commentKey: e.key })),
    s.plan.everyPlatform,
  );
}

/** The Dockerfile fixes: suggestions on the PR's lines, a diff for the rest. */
async function suggestPhase(s: CheckState): Promise<void> {
  s.suggestions = await suggestFixes(s.inputs, s.ctx, {
    dockerfile: s.plan.dockerfile,
    reports: s.entries.map((e) => e.report),
    key: s.key!,
  });
}

/** Outputs, the sticky comment and the job summary; then the review suggestions. */
async function publishPhase(s: CheckState): Promise<void> {
  const { plan, inputs, key } = s;
  const { diffs } = await publish({
    entries: s.entries,
    everyPlatform: plan.everyPlatform,
    view: s.view!,
    reportPath: s.reportPath ?? '',
    outputs: true,
    fixesDiff: s.suggestions?.outsideDiff,
    key: key!,
    skipComment: s.state!.stale,
    ...(plan.comment ? { comment: { ...plan.comment, token: inputs.token, key: key! } } : {}),
  });
  s.diffs = diffs;
  await s.suggestions?.post();
}

/** On pushes to the default branch, when asked: the image's packages to GitHub's dependency graph. */
async function dependencyGraphPhase(s: CheckState): Promise<void> {
  await submitDependencyGraph(s.inputs.dependencySnapshot, {
    token: s.inputs.token,
    ctx: s.ctx,
    runKey: s.key!,
    entries: s.entries,
  });
}

/** One annotation per finding, however many platforms share it. */
function annotatePhase(s: CheckState): void {
  annotate(distinctFindings(s.entries.flatMap((e, i) => s.diffs[i]?.findings.added ?? e.report.findings)));
}

/** The verdict, last; then a file that could not be written fails the step. */
function verdictPhase(s: CheckState): void {
  applyVerdict(s.entries, s.plan.everyPlatform);
  const failure = s.unwritten ?? s.html?.failure;
  if (failure) throw failure;
}

/** The check's phases, in order. */
const CHECK_PHASES: readonly Phase[] = [
  scanPhase,
  recordPhase,
  htmlPhase,
  viewPhase,
  runFilesPhase,
  sarifPhase,
  suggestPhase,
  publishPhase,
  dependencyGraphPhase,
  annotatePhase,
  verdictPhase,
];
