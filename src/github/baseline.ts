/**
 * Where the baseline comes from, and the saved-report store behind `baseline: auto`.
 *
 * On a push to the default branch the action writes its report to `$RUNNER_TEMP/slimgate-baseline/`,
 * one file per comment key, and saves that file in the Actions cache keyed by the commit (see
 * actions-cache.ts). On a PR, `auto` restores the base branch's newest one into the same place.
 */
import { createHash } from 'node:crypto';
import * as core from '@actions/core';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Policy } from '../analysis/policy.js';
import { checker } from '../action/checker.js';
import type { ActionInputs } from '../action/inputs.js';
import type { BuildInputs } from '../action/build-inputs.js';
import type { Platform } from '../sources/model/image.js';
import { formatPlatform } from '../sources/platform.js';
import { checkoutBase } from './base-commit.js';
import { withCommandsStopped } from './log.js';
import type { RunContext } from './context.js';
import { oneLine } from '../util/errors.js';
import { ShapeError } from '../util/shape.js';
import { validateReport } from '../report/validate.js';
import { MAX_REPORT_BYTES, readJsonFile, shapeLine } from './json-file.js';
import { defaultCommentKey, registryRef, repositoryOf } from '../report/comment-key.js';
import { isLocalContext } from '../sources/build-args.js';
import { redactReport } from '../engine/assemble.js';
import type { Report } from '../types/report.js';
import { branchTag } from './context.js';
import {
  reportKeyPrefix,
  restoreEntry,
  restoreLayerScans,
  saveEntry,
  saveLayerScans,
  type LayerRestore,
} from './actions-cache.js';
import { commitDate, withHistory } from './history.js';

export function runnerTemp(env: NodeJS.ProcessEnv = process.env): string {
  return env['RUNNER_TEMP'] || tmpdir();
}

export function baselineDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(runnerTemp(env), 'slimgate-baseline');
}

/** A file-name-safe, collision-free form of a comment key. */
export function keySlug(key: string): string {
  const readable = key
    .replace(/^[a-z-]+:\/*/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 60);
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 10);
  return `${readable || 'image'}-${hash}`;
}

/**
 * Reads a JSON report (schemaVersion 1), bounded in size and checked whole (report/validate.ts): whoever
 * wrote it, anything wrong is one clear line naming the file and the field.
 */
export function loadReport(path: string, what = 'report'): Report {
  const label = `${what} ${path}`;
  const doc = readJsonFile(path, label, MAX_REPORT_BYTES);
  try {
    return redactReport(validateReport(doc));
  } catch (err) {
    throw err instanceof ShapeError ? shapeLine(err, label) : err;
  }
}

function savedBaselinePath(key: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(baselineDir(env), `${keySlug(key)}.json`);
}

function findSavedBaseline(key: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const p = savedBaselinePath(key, env);
  return existsSync(p) ? p : undefined;
}

function saveBaseline(key: string, report: Report, env: NodeJS.ProcessEnv = process.env): string {
  mkdirSync(baselineDir(env), { recursive: true });
  const p = savedBaselinePath(key, env);
  writeFileSync(p, JSON.stringify(report) + '\n');
  return p;
}

/**
 * For a registry image, the same repository at the base branch's tag (`main`, `release-1.x`), as
 * docker/metadata-action names branch tags. Undefined when that would be the image itself.
 */
export function baseBranchSource(source: string, baseBranch: string | undefined): string | undefined {
  const ref = registryRef(source);
  if (!ref || !baseBranch) return undefined;
  const candidate = `${repositoryOf(ref)}:${branchTag(baseBranch)}`;
  return candidate === ref ? undefined : `docker://${candidate}`;
}

// ------------------------------------------------------------------------------------------ resolving

export interface Baseline {
  report: Report | null;
  /** The baseline column's heading. */
  label: string;
  /** Where it came from, for the comment. */
  source?: string;
  /** Without a report: why, in a sentence. */
  note: string;
  /** On the default branch: the report this run replaces (for the size history), not a baseline. */
  previous?: Report;
}

export interface BaselineContext {
  inputs: ActionInputs;
  ctx: RunContext;
  policy: Policy;
  key: string;
  /** The PR image's platform: the baseline is read for the same one. */
  platform: Platform;
}

/**
 * The base commit's build: the PR's build inputs, with the workspace's paths mapped into the base tree and
 * one platform, the PR's. What it must not do:
 * - push, or tag: the PR's tags name the PR's image (in the registry, and in the daemon after a load);
 * - write `cache-to`: build-push-action users point cache-to at a shared cache (a registry ref, a gha scope,
 *   a directory) that the PR's own build has just written; the base commit's export would replace it, and
 *   the PR's next run would start from main's cache. It reads `cache-from`, so its common steps are cached
 *   (with the docker driver they are anyway: the daemon's BuildKit just built the PR's).
 * Secrets, ssh and secret files are the runner's, not the tree's: their paths stay as given.
 */
export function baseCommitBuild(
  b: BuildInputs,
  map: (path: string) => string,
  platform: string,
): BuildInputs {
  const out: BuildInputs = {
    ...b,
    context: map(b.context),
    file: b.file ? map(b.file) : undefined,
    platforms: [platform],
    push: false,
    tags: [],
  };
  delete out.cacheTo;
  // A named context in the repository is read from the base tree; one outside it stays as given.
  if (b.buildContexts)
    out.buildContexts = b.buildContexts.map((c) => {
      const eq = c.indexOf('=');
      const value = c.slice(eq + 1);
      if (!isLocalContext(value)) return c;
      try {
        return `${c.slice(0, eq)}=${map(value)}`;
      } catch {
        return c;
      }
    });
  return out;
}

/** Builds the base commit's Dockerfile in a git worktree and analyses it (build mode, `auto`). */
async function baselineFromBaseCommit(b: BuildInputs, sha: string, bc: BaselineContext): Promise<Report> {
  const workspace = process.env['GITHUB_WORKSPACE'] || process.cwd();
  const tree = await checkoutBase(workspace, sha, runnerTemp());
  try {
    const built = await core.group(`Building the base commit ${sha.slice(0, 12)}`, () =>
      withCommandsStopped(() => checker.build(baseCommitBuild(b, tree.map, formatPlatform(bc.platform)))),
    );
    try {
      return await checker.check(built.source, {
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

/** `baseline`: none, a saved report, a source, or auto (a saved report, the base commit, the base-branch tag). */
export async function resolveBaseline(bc: BaselineContext): Promise<Baseline> {
  const { inputs, ctx, policy, key, platform } = bc;
  const label = ctx.baseBranch ?? 'baseline';
  const b = inputs.baseline;
  const fromSource = (source: string): Promise<Report> =>
    core.group(`Inspecting the baseline ${source}`, () =>
      checker.check(source, { policy, platform, registry: inputs.registry }),
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
      // 1. A report saved by a run on the default branch, restored from the Actions cache.
      await restoreSavedReport(key, formatPlatform(platform), ctx, inputs);
      if (ctx.kind === 'baseline') {
        const previous = readPrevious(key);
        return {
          report: null,
          label,
          note: 'This run records the baseline.',
          ...(previous ? { previous } : {}),
        };
      }
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
      // 2. Build mode: the base commit's Dockerfile.
      if (inputs.build) {
        const sha = baseCommit(ctx);
        if (sha) {
          try {
            const report = await baselineFromBaseCommit(inputs.build, sha, bc);
            return { report, label, source: `base commit ${sha.slice(0, 12)}`, note: '' };
          } catch (err) {
            core.info(`baseline: the base commit could not be built: ${oneLine(err)}`);
            reasons.push(`the base commit ${sha.slice(0, 12)} could not be built (${oneLine(err)})`);
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

// ------------------------------------------------------------------------------ the Actions cache hooks

/** The image part of the cache keys, before the platform is known: the comment key, or the image. */
export function imageSlug(inputs: ActionInputs, label: string): string {
  return keySlug(inputs.commentKey || defaultCommentKey(label, ''));
}

async function restoreSavedReport(
  key: string,
  platform: string,
  ctx: RunContext,
  inputs: ActionInputs,
): Promise<void> {
  if (!inputs.cache.enabled || findSavedBaseline(key)) return;
  await restoreFromMain(
    "main's report",
    savedBaselinePath(key),
    reportKeyPrefix(keySlug(key), platform),
    ctx,
  );
}

/** The commit a run compares with (a PR's base, or the commit before a push); none for a new branch's push. */
function baseCommit(ctx: RunContext): string | undefined {
  return ctx.baseSha && !/^0+$/.test(ctx.baseSha) ? ctx.baseSha : undefined;
}

/** A file main's runs keep in the Actions cache: the base commit's entry first, else the newest by prefix. */
export async function restoreFromMain(
  what: string,
  path: string,
  prefix: string,
  ctx: RunContext,
): Promise<void> {
  await restoreEntry(what, [path], `${prefix}${baseCommit(ctx) ?? 'none'}`, [prefix]);
}

/** The report a default-branch run replaces, if one was restored and reads well. */
function readPrevious(key: string): Report | undefined {
  const saved = findSavedBaseline(key);
  if (!saved) return undefined;
  try {
    return loadReport(saved, 'saved baseline report');
  } catch (err) {
    core.warning(
      `Slimgate: the previous main report is unusable, so the size history restarts: ${oneLine(err)}`,
    );
    return undefined;
  }
}

/** Before the scan: main's layer scans, so that only the layers main's image lacks are read. */
export function restoreMainLayers(
  inputs: ActionInputs,
  ctx: RunContext,
  label: string,
): Promise<LayerRestore | undefined> {
  return restoreLayerScans(inputs.cache, imageSlug(inputs, label), ctx.baseSha);
}

export interface KeepBaseline {
  key: string;
  label: string;
  report: Report;
  previous: Report | undefined;
  inputs: ActionInputs;
  ctx: RunContext;
  layers: LayerRestore | undefined;
  /** False for all but the last platform of `platform: all`: the layer scans are saved once per run. */
  saveLayers?: boolean;
}

/**
 * A push to the default branch: the report gets the size history and is saved (as a file, and in the
 * Actions cache under the commit), then the layer scans are saved. Returns the report with its history.
 */
export async function keepBaseline(k: KeepBaseline): Promise<Report> {
  const { key, inputs, ctx } = k;
  const report = withHistory(k.report, k.previous, ctx.sha, commitDate());
  const saved = saveBaseline(key, report);
  core.info(`baseline: recorded ${saved}`);
  if (!inputs.cache.enabled) {
    core.info('baseline: input "cache" is false, so the report is not saved in the Actions cache');
    return report;
  }
  await saveEntry(
    "main's report",
    [saved],
    `${reportKeyPrefix(keySlug(key), report.image.platform)}${ctx.sha}`,
  );
  if (k.saveLayers !== false)
    await saveLayerScans(inputs.cache, imageSlug(inputs, k.label), ctx.sha, k.layers);
  return report;
}
