/**
 * The action's phases: inputs → policy → baseline → check → report files and outputs → sticky comment →
 * job summary → annotations → exit code. The exit code is set last, after the comment and the summary are
 * written, so a failing check still tells the PR why.
 *
 * The engine, the policy and the build are reached only through `engine` below.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { rejudgeWithBaseline } from './analysis/analyze.js';
import { parseBuildArgs } from './analysis/dockerfile.js';
import type { FailOn, Policy } from './analysis/policy.js';
import { BuildError, buildImage, type BuildResult } from './build/build.js';
import { resolvePolicy } from './config/index.js';
import { check } from './engine.js';
import type { RegistryOptions } from './image/registry/client.js';
import { InputError, oneLine } from './errors.js';
import type { Platform } from './image/model.js';
import { formatPlatform, parsePlatform } from './image/platform.js';
import {
  parseFailOn,
  readInputs,
  type ActionInputs,
  type BuildInputs,
  type PolicyInputs,
  type RegistryInputs,
} from './inputs.js';
import { annotate } from './github/annotations.js';
import {
  baseBranchSource,
  defaultCommentKey,
  findSavedBaseline,
  keySlug,
  loadReport,
  runnerTemp,
  saveBaseline,
  savedBaselinePath,
} from './github/baseline.js';
import { checkoutBase } from './github/base-commit.js';
import { CommentForbidden, upsertComment, type Octokit } from './github/comment.js';
import { runContext, type RunContext } from './github/context.js';
import { diffReports, type ReportDiff } from './report/diff.js';
import {
  commentMarker,
  renderMarkdown,
  verdictOf,
  type MarkdownOptions,
  type Verdict,
} from './report/markdown.js';
import type { Report } from './report/schema.js';
import { renderInspect } from './report/text.js';
import { formatBytes } from './util/bytes.js';
import { writeSarif } from './sarif-output.js';
import { planFixes } from './fix-dockerfile.js';
import { prepareSuggestions, type Suggestions } from './github/review.js';

export const FORK_RECIPE_URL = 'https://github.com/slimgate/slimgate#fork-pull-requests';
export const BASELINE_RECIPE_URL = 'https://github.com/slimgate/slimgate#baseline-from-main';
/** The job summary takes up to 1 MiB per step; characters here, with room for multi-byte ones. */
const SUMMARY_LIMIT = 800_000;

// ------------------------------------------------------------------------------------------ engine seam
//
// The only calls into the engine, the policy and the build. Everything else here is GitHub I/O.

export interface AnalyseOptions {
  policy: Policy;
  platform: Platform | undefined;
  dockerfile?: { path: string; buildArgs?: Record<string, string>; target?: string };
  registry: RegistryInputs;
}

/**
 * Explicit credentials (registry-username/-password) serve one registry, `r.host`: the image input's (or
 * the first build tag's), whatever source is being read, so a baseline elsewhere never gets them. The
 * github-token pulls from ghcr.io when nothing else (docker login, DOCKER_CONFIG) has credentials. Every
 * secret the client learns on the way (helper passwords, tokens) is masked.
 */
export function registryOptions(r: RegistryInputs): RegistryOptions {
  const token = r.token;
  const explicitFor = r.username && r.password ? r.host : undefined;
  return {
    insecureRegistries: r.insecure,
    onSecret: (secret) => core.setSecret(secret),
    credentials: {
      ...(explicitFor
        ? {
            credentials: [{ registry: explicitFor, username: r.username, password: r.password }],
            explicitLabel: 'inputs "registry-username"/"registry-password"',
          }
        : {}),
      ...(token
        ? {
            fallbackCredentials: [
              {
                registry: 'ghcr.io',
                username: 'x-access-token',
                password: token,
                from: 'input "github-token"',
              },
            ],
          }
        : {}),
    },
    authHint:
      'log in with docker/login-action before this step, or (for ghcr.io) give a github-token with packages: read',
  };
}

export const engine = {
  /** Defaults, then the config file (the `config` input, or .slimgate.yml in the workspace), then the inputs. */
  policy(inputs: PolicyInputs): Promise<Policy> {
    return resolvePolicy(inputs, { cwd: process.env['GITHUB_WORKSPACE'] || process.cwd() });
  },
  /** The image's report with findings, budgets (max-growth left to judge()), base and entrypoint. */
  async analyse(source: string, o: AnalyseOptions): Promise<Report> {
    const { report } = await check(source, {
      policy: o.policy,
      platform: o.platform,
      registry: registryOptions(o.registry),
      ...(o.dockerfile ? { dockerfile: o.dockerfile } : {}),
    });
    return report;
  },
  /** Budgets again, with the baseline (any kind: a saved report too) for max-growth. */
  judge(report: Report, policy: Policy, baseline: Report | null): Report {
    return rejudgeWithBaseline(report, policy, baseline);
  },
  build(b: BuildInputs): Promise<BuildResult> {
    return buildImage({
      context: b.context,
      ...(b.file ? { file: b.file } : {}),
      ...(b.target ? { target: b.target } : {}),
      buildArgs: b.buildArgs,
      platforms: b.platforms,
      push: b.push,
      tags: b.tags,
      onLog: (chunk) => process.stdout.write(chunk),
    });
  },
};

// ------------------------------------------------------------------------------------------ baseline

export interface Baseline {
  report: Report | null;
  /** The baseline column's heading. */
  label: string;
  /** Where it came from, for the comment. */
  source?: string;
  /** Without a report: why, in a sentence. */
  note: string;
}

interface BaselineContext {
  inputs: ActionInputs;
  ctx: RunContext;
  policy: Policy;
  key: string;
  /** The PR image's platform: the baseline is read for the same one. */
  platform: Platform;
}

/** Builds the base commit's Dockerfile in a git worktree and analyses it (build mode, `auto`). */
async function baselineFromBaseCommit(b: BuildInputs, sha: string, bc: BaselineContext): Promise<Report> {
  const workspace = process.env['GITHUB_WORKSPACE'] || process.cwd();
  const tree = await checkoutBase(workspace, sha, runnerTemp());
  try {
    const built = await core.group(`Building the base commit ${sha.slice(0, 12)}`, () =>
      engine.build({
        ...b,
        context: tree.map(b.context),
        file: b.file ? tree.map(b.file) : undefined,
        platforms: [formatPlatform(bc.platform)],
      }),
    );
    try {
      return await engine.analyse(built.source, {
        policy: bc.policy,
        platform: bc.platform,
        registry: bc.inputs.registry,
      });
    } finally {
      await built.cleanup();
    }
  } finally {
    await tree.remove();
  }
}

async function resolveBaseline(bc: BaselineContext): Promise<Baseline> {
  const { inputs, ctx, policy, key, platform } = bc;
  const label = ctx.baseBranch ?? 'baseline';
  const b = inputs.baseline;
  const fromSource = (source: string): Promise<Report> =>
    core.group(`Inspecting the baseline ${source}`, () =>
      engine.analyse(source, { policy, platform, registry: inputs.registry }),
    );
  switch (b.kind) {
    case 'none':
      return { report: null, label, note: 'The baseline input is "none".' };
    case 'report':
      return {
        report: loadReport(b.path, 'baseline report'),
        label,
        source: relative(process.cwd(), b.path) || b.path,
        note: '',
      };
    case 'source':
      try {
        return { report: await fromSource(b.source), label, source: b.source, note: '' };
      } catch (err) {
        core.warning(`Slimgate: could not read the baseline ${b.source}: ${oneLine(err)}`);
        return { report: null, label, note: `The baseline ${b.source} could not be read (${oneLine(err)}).` };
      }
    case 'auto': {
      // 1. A report saved by a run on the default branch (restored by actions/cache).
      const saved = findSavedBaseline(key);
      if (saved) {
        core.info(`baseline: the saved report ${saved}`);
        return {
          report: loadReport(saved, 'saved baseline report'),
          label,
          source: 'saved report',
          note: '',
        };
      }
      core.info(`baseline: no saved report at ${savedBaselinePath(key)}`);
      const reasons = ['no saved report for this image'];
      if (ctx.kind === 'baseline') return { report: null, label, note: 'This run records the baseline.' };
      // 2. Build mode: the base commit's Dockerfile.
      if (inputs.build) {
        if (ctx.baseSha && !/^0+$/.test(ctx.baseSha)) {
          try {
            const report = await baselineFromBaseCommit(inputs.build, ctx.baseSha, bc);
            return { report, label, source: `base commit ${ctx.baseSha.slice(0, 12)}`, note: '' };
          } catch (err) {
            core.info(`baseline: the base commit could not be built: ${oneLine(err)}`);
            reasons.push(`the base commit ${ctx.baseSha.slice(0, 12)} could not be built (${oneLine(err)})`);
          }
        } else reasons.push('the event names no base commit to build');
        return { report: null, label, note: `Baseline auto found ${reasons.join(', and ')}.` };
      }
      // 3. A registry image: the same repository at the base branch's tag.
      const candidate = baseBranchSource(inputs.image, ctx.baseBranch);
      if (candidate) {
        try {
          return { report: await fromSource(candidate), label, source: candidate, note: '' };
        } catch (err) {
          core.info(`baseline: ${candidate} could not be read: ${oneLine(err)}`);
          reasons.push(`${candidate} could not be read`);
        }
      } else reasons.push('the image is not from a registry, so there is no base-branch tag to try');
      // 4. None.
      return { report: null, label, note: `Baseline auto found ${reasons.join(', and ')}.` };
    }
  }
}

// ------------------------------------------------------------------------------------------ outputs

interface ReportFiles {
  dir: string;
  report: string;
}

/** `$RUNNER_TEMP/slimgate/<key>/`: report.json, baseline.json, and pr.json for the workflow_run job. */
function writeReportFiles(
  key: string,
  report: Report,
  baseline: Report | null,
  pr?: PrEnvelope,
): ReportFiles {
  const dir = join(runnerTemp(), 'slimgate', keySlug(key));
  mkdirSync(dir, { recursive: true });
  const reportPath = join(dir, 'report.json');
  writeFileSync(reportPath, JSON.stringify(report, null, 2) + '\n');
  if (baseline) writeFileSync(join(dir, 'baseline.json'), JSON.stringify(baseline) + '\n');
  if (pr) writeFileSync(join(dir, 'pr.json'), JSON.stringify(pr, null, 2) + '\n');
  return { dir, report: reportPath };
}

function setOutputs(report: Report, diff: ReportDiff | undefined, v: Verdict, reportPath: string): void {
  core.setOutput('passed', String(v.status !== 'fail'));
  core.setOutput('size', String(report.size.uncompressed));
  core.setOutput('compressed-size', String(report.size.compressed));
  core.setOutput('size-delta', diff ? String(diff.size.uncompressed.delta) : '');
  core.setOutput('report', reportPath);
}

/** The `sarif` input: the findings as SARIF for upload-sarif, paths relative to the workspace; the `sarif` output. */
function writeSarifOutput(file: string | undefined, report: Report, key: string): void {
  const path = file
    ? writeSarif(file, report, { commentKey: key, root: process.env['GITHUB_WORKSPACE'] || process.cwd() })
    : '';
  if (path) core.info(`SARIF written to ${path}`);
  core.setOutput('sarif', path);
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) {
    core.info('no GITHUB_STEP_SUMMARY: the job summary is not written');
    return;
  }
  await core.summary.addRaw(markdown, true).write();
}

/** How a report is presented, whether the check job posts it or the workflow_run job does. */
interface CommentView {
  baselineLabel: string;
  baselineSource?: string;
  baselineNote: string;
  overrideLabel?: string;
  showPlatform: boolean;
}

/** What the workflow_run job needs to post a report made by a pull_request run. */
export interface PrEnvelope extends CommentView {
  slimgate: 1;
  pullRequest: number;
  headSha: string;
  commentKey: string;
  failOn: FailOn;
  overrideApplied: boolean;
}

function markdownOptions(view: CommentView, verdict: Verdict): MarkdownOptions {
  return {
    baselineLabel: view.baselineLabel,
    ...(view.baselineSource ? { baselineSource: view.baselineSource } : {}),
    baselineNote: view.baselineNote,
    showPlatform: view.showPlatform,
    verdict,
    ...(view.overrideLabel ? { overrideLabel: view.overrideLabel } : {}),
  };
}

// ------------------------------------------------------------------------------------------ comment

interface CommentResult {
  url: string;
  /** A note for the summary when the comment could not be posted. */
  note?: string;
}

async function postComment(
  token: string,
  ctx: RunContext,
  issueNumber: number,
  key: string,
  body: string,
): Promise<CommentResult> {
  if (!token) {
    core.warning('Slimgate: no github-token, so no PR comment; the report is in the job summary');
    return { url: '', note: 'No github-token was given, so this report was not posted as a PR comment.' };
  }
  const octokit: Octokit = getOctokit(token);
  try {
    const c = await upsertComment(
      octokit,
      { owner: ctx.owner, repo: ctx.repo, issueNumber },
      commentMarker(key),
      body,
    );
    core.info(`PR comment ${c.action}: ${c.url}`);
    return { url: c.url };
  } catch (err) {
    if (err instanceof CommentForbidden) {
      const fork = ctx.pr?.fromFork ? ' (a pull request from a fork gets a read-only token)' : '';
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

// ------------------------------------------------------------------------------------------ suggestions

/** One-click fixes on a PR (input `suggestions`): a review on lines in the diff, the rest in the comment. */
async function suggestFixes(
  inputs: ActionInputs,
  ctx: RunContext,
  report: Report,
  key: string,
): Promise<Suggestions | undefined> {
  // With comment: false (the fork-safe recipe's read-only run) there is nothing to post suggestions with.
  if (!inputs.suggestions || !inputs.comment || !inputs.dockerfile || ctx.kind !== 'pull_request' || !ctx.pr)
    return undefined;
  const workspace = process.env['GITHUB_WORKSPACE'] || process.cwd();
  const plan = planFixes(report, {
    path: inputs.dockerfile,
    ...(inputs.build ? { buildArgs: parseBuildArgs(inputs.build.buildArgs, process.env) } : {}),
    ...(inputs.build?.target ? { target: inputs.build.target } : {}),
  });
  for (const s of plan.skipped) core.info(`no fix for ${s.rule}: ${s.reason}`);
  return prepareSuggestions({
    octokit: inputs.token ? getOctokit(inputs.token) : undefined,
    target: { owner: ctx.owner, repo: ctx.repo, pull: ctx.pr.number, commitId: ctx.pr.headSha },
    key,
    path: relative(workspace, resolve(inputs.dockerfile)),
    plan,
    warn: (m) => core.warning(m),
    info: (m) => core.info(m),
    fromFork: !!ctx.pr.fromFork,
  });
}

// ------------------------------------------------------------------------------------------ verdict

function verdictMessage(report: Report, v: Verdict): string {
  const parts: string[] = [];
  if (v.errors) parts.push(`${v.errors} error finding${v.errors === 1 ? '' : 's'}`);
  if (v.failOn === 'warning' && v.warnings) parts.push(`${v.warnings} warning${v.warnings === 1 ? '' : 's'}`);
  for (const c of v.breaches) {
    const fmt = (n: number): string =>
      c.unit === 'layers' || c.name === 'max-layers' ? String(n) : formatBytes(n);
    parts.push(`${c.name} ${fmt(c.actual)} > ${fmt(c.limit)}`);
  }
  if (!parts.length && !report.passed) parts.push('the report did not pass');
  return parts.join(', ');
}

function applyVerdict(report: Report, v: Verdict): void {
  if (v.status !== 'fail') return;
  const why = verdictMessage(report, v);
  if (v.blocking) core.setFailed(`Slimgate: the image fails the policy: ${why}`);
  else if (v.overriddenBy)
    core.warning(
      `Slimgate: the image fails the policy (${why}), overridden by the label "${v.overriddenBy}"`,
    );
  else
    core.warning(
      `Slimgate: the image fails the policy (${why}); not failing the step because fail-on is never`,
    );
}

// ------------------------------------------------------------------------------------------ modes

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

  const policy = await engine.policy(inputs.policy);
  let source = inputs.image;
  let cleanup: (() => Promise<void>) | undefined;
  if (inputs.build) {
    const b = inputs.build;
    if (b.platforms.length > 1 && !inputs.platform)
      throw new InputError(
        `input "platforms" names ${b.platforms.length} platforms: set "platform" to the one to check (or use a matrix, one platform per job)`,
      );
    const built = await core.group('Building the image', () => engine.build(b));
    source = built.source;
    cleanup = built.cleanup;
  }
  try {
    await checkSource(inputs, ctx, policy, source);
  } finally {
    await cleanup?.();
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
  let report = await core.group(`Inspecting ${label}`, () =>
    engine.analyse(source, {
      policy,
      platform: inputs.platform,
      registry: inputs.registry,
      ...(dockerfile ? { dockerfile } : {}),
    }),
  );
  const key = inputs.commentKey || defaultCommentKey(label, report.image.platform);
  const baseline = await resolveBaseline({
    inputs,
    ctx,
    policy,
    key,
    platform: parsePlatform(report.image.platform),
  });
  report = engine.judge(report, policy, baseline.report);
  core.startGroup('Report');
  core.info(renderInspect(report));
  core.endGroup();

  const diff = baseline.report ? diffReports(baseline.report, report) : undefined;
  const overrideApplied = !!inputs.overrideLabel && !!ctx.pr?.labels.includes(inputs.overrideLabel);
  const failOn = policy.failOn;
  const v = verdictOf(
    report,
    failOn,
    inputs.overrideLabel ? { label: inputs.overrideLabel, applied: overrideApplied } : undefined,
  );
  const view: CommentView = {
    baselineLabel: baseline.label,
    ...(baseline.source ? { baselineSource: baseline.source } : {}),
    baselineNote: baseline.note,
    ...(inputs.overrideLabel ? { overrideLabel: inputs.overrideLabel } : {}),
    showPlatform: !!inputs.platform || report.image.platform !== 'linux/amd64',
  };
  const pr: PrEnvelope | undefined =
    ctx.kind === 'pull_request' && ctx.pr
      ? {
          slimgate: 1,
          pullRequest: ctx.pr.number,
          headSha: ctx.pr.headSha,
          commentKey: key,
          failOn,
          overrideApplied,
          ...view,
        }
      : undefined;
  const files = writeReportFiles(key, report, baseline.report, pr);
  setOutputs(report, diff, v, files.report);
  writeSarifOutput(inputs.sarif, report, key);

  const md = markdownOptions(view, v);

  let commentUrl = '';
  const notes: string[] = [];
  const suggestions = await suggestFixes(inputs, ctx, report, key);
  if (ctx.kind === 'pull_request' && ctx.pr && inputs.comment) {
    const fixesDiff = suggestions?.outsideDiff ? { fixesDiff: suggestions.outsideDiff } : {};
    const body = renderMarkdown(report, diff, { ...md, ...fixesDiff, commentKey: key });
    const c = await postComment(inputs.token, ctx, ctx.pr.number, key, body);
    commentUrl = c.url;
    if (c.note) notes.push(c.note);
  }
  core.setOutput('comment-url', commentUrl);
  await suggestions?.post();

  if (ctx.kind === 'baseline') {
    const saved = saveBaseline(key, report);
    core.info(`baseline: recorded ${saved}; keep it with actions/cache/save (see ${BASELINE_RECIPE_URL})`);
  }

  await writeSummary(renderMarkdown(report, diff, { ...md, notes, maxLength: SUMMARY_LIMIT }));
  annotate(diff ? diff.findings.added : report.findings);
  applyVerdict(report, v);
}

function findEnvelopes(path: string): string[] {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new InputError(`input "report": ${path} does not exist`);
  if (st.isFile()) return [join(path, '..', 'pr.json')];
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isFile() && e.name === 'pr.json') out.push(join(dir, e.name));
      else if (e.isDirectory() && depth < 4) walk(join(dir, e.name), depth + 1);
    }
  };
  walk(path, 0);
  if (!out.length)
    throw new InputError(
      `input "report": no pr.json under ${path} (upload the check job's ${'${{ runner.temp }}'}/slimgate/ directory)`,
    );
  return out;
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
    let env: PrEnvelope;
    try {
      env = JSON.parse(readFileSync(envPath, 'utf8')) as PrEnvelope;
    } catch (err) {
      throw new InputError(`${envPath} is not readable JSON: ${oneLine(err)}`);
    }
    if (env.slimgate !== 1 || !Number.isInteger(env.pullRequest) || typeof env.commentKey !== 'string')
      throw new InputError(`${envPath} is not a Slimgate pr.json`);
    env.failOn = parseFailOn(String(env.failOn ?? ''));
    const report = loadReport(join(dir, 'report.json'));
    const baselinePath = join(dir, 'baseline.json');
    const baseline = statSync(baselinePath, { throwIfNoEntry: false })
      ? loadReport(baselinePath, 'baseline report')
      : null;

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
        `Slimgate: not posting ${relative(inputs.report!, envPath)}: PR #${env.pullRequest}'s head is ${pr.data.head.sha.slice(0, 12)}, ` +
          `but the run that made the report built ${(expectedSha ?? 'nothing').slice(0, 12)}`,
      );
      continue;
    }
    const overrideApplied = !!env.overrideLabel && pr.data.labels.some((l) => l.name === env.overrideLabel);
    const v = verdictOf(
      report,
      env.failOn,
      env.overrideLabel ? { label: env.overrideLabel, applied: overrideApplied } : undefined,
    );
    const diff = baseline ? diffReports(baseline, report) : undefined;
    const md = markdownOptions(env, v);
    const body = renderMarkdown(report, diff, { ...md, commentKey: env.commentKey });
    let url: string;
    try {
      const c = await upsertComment(
        octokit,
        { owner: ctx.owner, repo: ctx.repo, issueNumber: env.pullRequest },
        commentMarker(env.commentKey),
        body,
      );
      core.info(`PR comment ${c.action}: ${c.url}`);
      url = c.url;
    } catch (err) {
      throw new InputError(
        `could not comment on #${env.pullRequest}: ${oneLine(err)} (the job needs pull-requests: write)`,
      );
    }
    if (first) {
      setOutputs(report, diff, v, join(dir, 'report.json'));
      core.setOutput('comment-url', url);
      first = false;
    }
    await writeSummary(renderMarkdown(report, diff, { ...md, maxLength: SUMMARY_LIMIT }));
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
      core.error(`docker build output (last lines):\n${err.logTail}`);
    core.setFailed(err instanceof InputError ? oneLine(err) : `internal error: ${oneLine(err)}`);
  }
}
