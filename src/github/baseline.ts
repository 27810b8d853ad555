/**
 * Where the baseline comes from, and the saved-report store behind `baseline: auto`.
 *
 * On a push to the default branch the action writes its report to `$RUNNER_TEMP/slimgate-baseline/`,
 * one file per comment key; an `actions/cache/save` step keyed by the commit keeps it. On a PR, an
 * `actions/cache/restore` step (restore-keys: the newest entry) puts it back and `auto` finds it there.
 */
import { createHash } from 'node:crypto';
import * as core from '@actions/core';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Policy } from '../analysis/policy.js';
import { checker } from '../action/checker.js';
import type { ActionInputs, BuildInputs } from '../action/inputs.js';
import type { Platform } from '../sources/model.js';
import { formatPlatform } from '../sources/platform.js';
import { checkoutBase } from './base-commit.js';
import { withCommandsStopped } from './log.js';
import type { RunContext } from './context.js';
import { InputError, oneLine } from '../util/errors.js';
import { parseSource } from '../sources/source.js';
import { redactReport } from '../engine/assemble.js';
import type { Report } from '../types/report.js';
import { branchTag } from './context.js';

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

/** Reads a JSON report (schemaVersion 1); anything else is one clear line naming the file. */
export function loadReport(path: string, what = 'report'): Report {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError(`${what} ${path} is not readable JSON: ${oneLine(err)}`);
  }
  const r = doc as Partial<Report> | null;
  if (!r || typeof r !== 'object' || Array.isArray(r))
    throw new InputError(`${what} ${path} is not a Slimgate report (expected a JSON object)`);
  if (r.schemaVersion !== 1)
    throw new InputError(
      `${what} ${path} has schemaVersion ${String(r.schemaVersion)}; this version reads 1`,
    );
  for (const field of ['image', 'size', 'layers', 'files', 'base', 'findings', 'budget'] as const)
    if (r[field] === undefined || r[field] === null)
      throw new InputError(`${what} ${path} is not a Slimgate report (no "${field}")`);
  return redactReport(r as Report);
}

export function savedBaselinePath(key: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(baselineDir(env), `${keySlug(key)}.json`);
}

export function findSavedBaseline(key: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const p = savedBaselinePath(key, env);
  return existsSync(p) ? p : undefined;
}

export function saveBaseline(key: string, report: Report, env: NodeJS.ProcessEnv = process.env): string {
  mkdirSync(baselineDir(env), { recursive: true });
  const p = savedBaselinePath(key, env);
  writeFileSync(p, JSON.stringify(report) + '\n');
  return p;
}

/** The registry reference of a source, or undefined for archives, layouts and the daemon. */
export function registryRef(source: string): string | undefined {
  try {
    const spec = parseSource(source);
    return spec.kind === 'registry' ? spec.ref : undefined;
  } catch {
    return undefined;
  }
}

/** `ghcr.io/acme/app:pr-12@sha256:…` → `ghcr.io/acme/app` (a port's colon is kept). */
export function repositoryOf(ref: string): string {
  const noDigest = ref.replace(/@[a-z0-9]+:[a-f0-9]+$/i, '');
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
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

/** The default comment key: the image without its tag or digest (so main's and the PR's match), and platform. */
export function defaultCommentKey(source: string, platform: string): string {
  const ref = registryRef(source);
  return `${ref ? repositoryOf(ref) : source} ${platform}`;
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
}

export interface BaselineContext {
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
      withCommandsStopped(() =>
        checker.build({
          ...b,
          context: tree.map(b.context),
          file: b.file ? tree.map(b.file) : undefined,
          platforms: [formatPlatform(bc.platform)],
        }),
      ),
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
