/**
 * The action's baseline strategies as one provider for the engine: none, a saved report file, a source, or
 * auto (main's report from the Actions cache, else the base commit's build, else the base-branch tag). A
 * baseline that cannot be read is a note in the comment, never a failed check.
 */
import { relative } from 'node:path';
import * as core from '@actions/core';
import type { BaselineAnswer, BaselineProvider, BaselineRequest } from '../engine/baseline.js';
import { sourceBaseline, type InspectOptions, type JudgedPlatform } from '../engine/engine.js';
import type { BuildInputs } from '../sources/build-options.js';
import { formatPlatform } from '../sources/platform.js';
import type { Report } from '../types/report.js';
import { oneLine } from '../util/errors.js';
import { checkoutBase } from '../github/base-commit.js';
import {
  baseCommitBuild,
  loadReport,
  readPrevious,
  restoreSavedReport,
  runnerTemp,
} from '../github/baseline.js';
import { savedPlatformList } from '../github/baseline-platforms.js';
import { withCommandsStopped } from '../github/log.js';
import { checker } from './checker.js';
import { platformKey, type RunPlan } from './plan.js';

export interface ActionBaseline extends BaselineProvider {
  /** On the default branch: the report this run replaces (for the size history), by platform key. */
  previous(key: string): Report | undefined;
}

/** A source read inside its own log group; a failure is a warning and a note for every platform. */
function tolerant(source: string, engine: InspectOptions): BaselineProvider {
  const inner = sourceBaseline(source, engine);
  return {
    async find(requests, o) {
      try {
        return await core.group(`Inspecting the baseline ${source}`, () => inner.find(requests, o));
      } catch (err) {
        core.warning(`Slimgate: could not read the baseline ${source}: ${oneLine(err)}`);
        const note = `The baseline ${source} could not be read (${oneLine(err)}).`;
        return requests.map(() => ({ report: null, note }));
      }
    },
    platforms: () => inner.platforms?.() ?? Promise.resolve(undefined),
  };
}

/** Builds the base commit's Dockerfile in a git worktree, for one platform, and checks it (build mode, auto). */
async function fromBaseCommit(
  b: BuildInputs,
  sha: string,
  r: BaselineRequest,
  engine: InspectOptions,
): Promise<Report> {
  const workspace = process.env['GITHUB_WORKSPACE'] || process.cwd();
  const tree = await checkoutBase(workspace, sha, runnerTemp());
  try {
    const built = await core.group(`Building the base commit ${sha.slice(0, 12)}`, () =>
      withCommandsStopped(() => checker.build(baseCommitBuild(b, tree.map, formatPlatform(r.platform)))),
    );
    try {
      const run = await checker.check(built.source, { ...engine, policy: r.policy, platform: r.platform });
      return (run.platforms[0] as JudgedPlatform).report;
    } finally {
      await built.cleanup();
    }
  } finally {
    await tree.remove();
  }
}

/**
 * Main's saved report as the Actions cache gave it back. A truncated or corrupt one is a warning and no
 * baseline from there, never a failed check: the cache is an optimisation, not the verdict's input.
 */
function readSaved(path: string): { report: Report } | { unreadable: string } {
  try {
    return { report: loadReport(path, 'saved baseline report') };
  } catch (err) {
    core.warning(`Slimgate: main's saved report is unusable, so it is not the baseline: ${oneLine(err)}`);
    return { unreadable: oneLine(err) };
  }
}

export function actionBaseline(
  plan: RunPlan,
  build: BuildInputs | undefined,
  engine: InspectOptions,
): ActionBaseline {
  const previous = new Map<string, Report>();
  const strategy = plan.baseline;
  const source = strategy.kind === 'source' ? tolerant(strategy.source, engine) : undefined;
  let tag: BaselineProvider | undefined;

  async function auto(
    requests: readonly BaselineRequest[],
    everyPlatform: boolean,
  ): Promise<BaselineAnswer[]> {
    if (strategy.kind !== 'auto') return [];
    const answers: (BaselineAnswer | undefined)[] = [];
    // Main's report exists but cannot be read: the note says so and why, not that there is none.
    const unreadable = new Map<BaselineRequest, string>();
    // 1. A report saved by a run on the default branch, restored from the Actions cache.
    for (const r of requests) {
      const key = platformKey(plan, formatPlatform(r.platform));
      const saved = await restoreSavedReport(key, formatPlatform(r.platform), {
        baseSha: plan.baseSha,
        restore: strategy.saved,
      });
      if (plan.record) {
        const prev = saved ? readPrevious(key) : undefined;
        if (prev) previous.set(key, prev);
        answers.push({ report: null, note: 'This run records the baseline.' });
      } else {
        const read = saved ? readSaved(saved) : undefined;
        if (read && 'unreadable' in read) unreadable.set(r, read.unreadable);
        answers.push(read && 'report' in read ? { report: read.report, source: 'saved report' } : undefined);
      }
    }
    const rest = requests.filter((_r, i) => !answers[i]);
    if (!rest.length) return answers as BaselineAnswer[];
    const found = new Map<BaselineRequest, BaselineAnswer>();
    const reasons = new Map<BaselineRequest, string[]>(
      rest.map((r) => {
        const why = unreadable.get(r);
        return [
          r,
          [why ? `main's saved report, which could not be read (${why})` : 'no saved report for this image'],
        ];
      }),
    );
    if (build) {
      // 2. Build mode: the base commit's Dockerfile, one platform at a time.
      const sha = strategy.baseCommit;
      for (const r of rest) {
        if (!sha) {
          reasons.get(r)?.push('the event names no base commit to build');
          continue;
        }
        try {
          const report = await fromBaseCommit(build, sha, r, engine);
          found.set(r, { report, source: `base commit ${sha.slice(0, 12)}` });
        } catch (err) {
          core.info(`baseline: the base commit could not be built: ${oneLine(err)}`);
          reasons.get(r)?.push(`the base commit ${sha.slice(0, 12)} could not be built (${oneLine(err)})`);
        }
      }
    } else if (strategy.tag) {
      // 3. A registry image: the same repository at the base branch's tag, read once for every platform.
      const candidate = strategy.tag;
      const inner = sourceBaseline(candidate, engine);
      try {
        const got = await core.group(`Inspecting the baseline ${candidate}`, () =>
          inner.find(rest, { everyPlatform }),
        );
        tag = inner;
        rest.forEach((r, i) => {
          const a = got[i];
          if (a?.report) found.set(r, a);
          else reasons.get(r)?.push(`${candidate} has no ${formatPlatform(r.platform)}`);
        });
      } catch (err) {
        core.info(`baseline: ${candidate} could not be read: ${oneLine(err)}`);
        for (const r of rest) reasons.get(r)?.push(`${candidate} could not be read`);
      }
    } else
      for (const r of rest)
        reasons.get(r)?.push('the image is not from a registry, so there is no base-branch tag to try');
    // 4. None.
    return requests.map(
      (r, i) =>
        answers[i] ??
        found.get(r) ?? {
          report: null,
          note: `Baseline auto found ${(reasons.get(r) ?? []).join(', and ')}.`,
        },
    );
  }

  return {
    previous: (key) => previous.get(key),
    async find(requests, o) {
      switch (strategy.kind) {
        case 'none':
          return requests.map(() => ({ report: null, note: 'The baseline input is "none".' }));
        case 'report': {
          const report = loadReport(strategy.path, 'baseline report');
          const shown = relative(process.cwd(), strategy.path) || strategy.path;
          return requests.map(() => ({ report, source: shown }));
        }
        case 'source':
          return (source as BaselineProvider).find(requests, o);
        case 'auto':
          return auto(requests, o.everyPlatform);
      }
    },
    async platforms() {
      if (source) return source.platforms?.();
      if (strategy.kind !== 'auto' || plan.record) return undefined;
      const saved = await savedPlatformList(plan.imageSlug, {
        baseSha: plan.baseSha,
        cache: plan.cache.reports,
      });
      return saved ?? tag?.platforms?.();
    },
  };
}
