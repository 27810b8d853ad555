/**
 * `platform: all`: every platform of the image (or of the build) against its own budgets. Each platform
 * keeps its own baseline under its own key (main's report per platform, in the Actions cache, as a
 * one-platform run keeps it); the PR gets one sticky comment with a row per platform and one verdict.
 */
import { join } from 'node:path';
import * as core from '@actions/core';
import type { Policy } from '../analysis/policy.js';
import { decideVerdict, type FailOn, type Preset } from '../analysis/verdict.js';
import { renderInspect } from '../report/text.js';
import { parsePlatform } from '../sources/platform.js';
import { annotate } from '../github/annotations.js';
import { withCommandsStopped } from '../github/log.js';
import { writePlatformFiles, type CommentView } from '../github/artifact.js';
import { keepBaseline, resolveBaseline } from '../github/baseline.js';
import { droppedPlatforms, keepPlatformList } from '../github/baseline-platforms.js';
import { defaultCommentKey } from '../report/comment-key.js';
import type { LayerRestore } from '../github/actions-cache.js';
import type { RunContext } from '../github/context.js';
import type { LivePull } from '../github/pull.js';
import { writeSarifPlatforms } from '../cli/sarif-output.js';
import type { Finding } from '../types/report.js';
import { findingKey } from '../analysis/finding.js';
import { escapeControls } from '../util/text.js';
import { loadJudged, prEnvelope, prState, runFooter, sarifOutput } from './pr-state.js';
import { checker } from './checker.js';
import type { ActionInputs } from './inputs.js';
import {
  applyPlatformVerdicts,
  commentTarget,
  publishPlatforms,
  type PlatformPublication,
} from './publish.js';

export interface PlatformsRun {
  inputs: ActionInputs;
  ctx: RunContext;
  policy: Policy;
  source: string;
  /** The image part of the keys (the image, or the build's Dockerfile). */
  label: string;
  layers: LayerRestore | undefined;
  live: LivePull | undefined;
  dockerfile?: { path: string; buildArgs?: Record<string, string>; target?: string } | undefined;
}

/** A platform's key: its baseline, report files and SARIF category (the comment-key input, if set, plus the platform). */
function platformKey(inputs: ActionInputs, label: string, platform: string): string {
  return inputs.commentKey ? `${inputs.commentKey} ${platform}` : defaultCommentKey(label, platform);
}

export async function checkPlatforms(r: PlatformsRun): Promise<void> {
  const { inputs, ctx } = r;
  const all = await core.group(`Inspecting ${r.label}, every platform`, () =>
    checker.checkAll(r.source, {
      policy: r.policy,
      registry: inputs.registry,
      ...(r.dockerfile ? { dockerfile: r.dockerfile } : {}),
    }),
  );
  const state = prState(inputs, ctx, r.live);
  const { override } = state;
  const entries: (PlatformPublication & { key: string; label: string; source?: string })[] = [];
  for (const [i, p] of all.platforms.entries()) {
    const platform = p.report.image.platform;
    const key = platformKey(inputs, r.label, platform);
    const baseline = await resolveBaseline({
      inputs,
      ctx,
      policy: p.policy,
      key,
      platform: parsePlatform(platform),
    });
    let report = checker.judge(p.report, p.policy, baseline.report);
    if (ctx.kind === 'baseline')
      report = await keepBaseline({
        key,
        label: r.label,
        report,
        previous: baseline.previous,
        inputs,
        ctx,
        layers: r.layers,
        saveLayers: i === all.platforms.length - 1,
      });
    // The platform is the image's own text: escaped before it reaches the log.
    await core.group(`Report ${escapeControls(platform)}`, () =>
      withCommandsStopped(() => core.info(renderInspect(report))),
    );
    entries.push({
      key,
      report,
      baseline: baseline.report,
      verdict: decideVerdict(report, p.policy, { override, baseline: baseline.report?.findings ?? null }),
      ...(baseline.report ? {} : { baselineNote: baseline.note }),
      label: baseline.label,
      ...(baseline.source ? { source: baseline.source } : {}),
    });
  }
  const checked = all.platforms.map((p) => p.report.image.platform);
  if (ctx.kind === 'baseline') await keepPlatformList(inputs, ctx, r.label, checked);
  const missing = await droppedPlatforms(
    inputs,
    ctx,
    r.label,
    checked,
    entries.map((e) => e.source),
  );
  // Not a failure (decideVerdict alone decides): said in the comment, the summary, the outputs, and here.
  if (missing.length)
    core.warning(
      `Slimgate: the baseline also has ${escapeControls(missing.join(', '))}, which this image does not`,
    );
  const key = inputs.commentKey || defaultCommentKey(r.label, 'all');
  const baselineSource = entries.find((e) => e.source)?.source;
  const view: CommentView = {
    baselineLabel: entries[0]?.label ?? 'baseline',
    ...(baselineSource ? { baselineSource } : {}),
    baselineNote: entries.find((e) => e.baselineNote)?.baselineNote ?? '',
    ...(inputs.overrideLabel ? { overrideLabel: inputs.overrideLabel } : {}),
    showPlatform: true,
    ...(missing.length ? { missingPlatforms: missing } : {}),
    ...runFooter(ctx),
  };
  const pr = prEnvelope(ctx, key, r.policy, state, view);
  const files = writePlatformFiles(key, entries, pr);
  sarifOutput(inputs.sarif, (file, root) =>
    writeSarifPlatforms(
      file,
      entries.map((e) => ({ report: e.report, commentKey: e.key })),
      { root },
    ),
  );
  const target = commentTarget(inputs, ctx, key);
  const { diffs } = await publishPlatforms({
    platforms: entries,
    view,
    reportPath: files.report,
    outputs: true,
    key,
    ...(state.stale ? { skipComment: state.stale } : {}),
    ...(target ? { comment: target } : {}),
  });
  // One annotation per finding, however many platforms share it.
  const seen = new Set<string>();
  const findings: Finding[] = entries
    .flatMap((e, i) => diffs[i]?.findings.added ?? e.report.findings)
    .filter((f) => {
      const k = `${findingKey(f)}\0${f.location?.file ?? ''}:${f.location?.line ?? ''}`;
      return seen.has(k) ? false : (seen.add(k), true);
    });
  annotate(findings);
  applyPlatformVerdicts(entries);
}

/** mode: comment: the platforms' reports that a `platform: all` run left in the directories beside envDir. */
export function loadPlatformReports(
  envDir: string,
  slugs: readonly string[],
  policy: { failOn: FailOn; preset: Preset | undefined },
  override: { label: string; applied: boolean } | undefined,
  baselineNote: string | undefined,
): PlatformPublication[] {
  return slugs.map((slug) => loadJudged(join(envDir, '..', slug), policy, override, baselineNote));
}
