/**
 * The run plan (pure): everything check mode decides from its inputs and the event before it reads an
 * image — the keys and slugs, the Dockerfile options, the baseline strategy, where the comment goes and what
 * the Actions cache is used for. The adapters in src/github/ take these narrow values, never the inputs.
 */
import type { DockerfileOptions } from '../engine/baseline.js';
import { parseBuildArgs } from '../sources/build-args.js';
import { defaultDockerfile, type BuildInputs } from '../sources/build-options.js';
import type { PlatformChoice } from '../sources/platform.js';
import { defaultCommentKey } from '../report/comment-key.js';
import { baseBranchSource, keySlug } from '../github/baseline.js';
import type { RunContext } from '../github/context.js';
import type { ActionInputs } from './inputs.js';

/** Where each platform's baseline comes from. */
type BaselineStrategy =
  | { kind: 'none' }
  /** A JSON report given as the input: every platform's baseline. */
  | { kind: 'report'; path: string }
  | { kind: 'source'; source: string }
  | {
      kind: 'auto';
      /** Main's saved report from the Actions cache is tried first (cache on). */
      saved: boolean;
      /** Build mode: the base commit to build, when the event names one. */
      baseCommit: string | undefined;
      /** A registry image: the same repository at the base branch's tag. */
      tag: string | undefined;
    };

/** The pull request the sticky comment goes on. */
export interface CommentPlace {
  owner: string;
  repo: string;
  issueNumber: number;
  fromFork: boolean;
}

export interface RunPlan {
  /** The image part of every key: the image, or in build mode the Dockerfile and target (stable across commits). */
  label: string;
  /** The `comment-key` input; empty for the default (the image and its platform). */
  commentKey: string;
  /** `platform: all`: every platform, one comment with a row each. */
  everyPlatform: boolean;
  platform: PlatformChoice;
  dockerfile: DockerfileOptions | undefined;
  baseline: BaselineStrategy;
  /** The PR to comment on (pull_request runs with `comment` on). */
  comment: CommentPlace | undefined;
  /** A push to the default branch: the reports are kept as main's baseline. */
  record: boolean;
  /** The Actions cache: main's reports (and platform list) on, and the layer scans' size limit (0: none). */
  cache: { reports: boolean; layerLimit: number };
  /** The image's slug for the keys made before the platform is known (layer scans, main's platform list). */
  imageSlug: string;
  /** The commit compared with: the PR's base (none for a new branch's first push). */
  baseSha: string | undefined;
}

/** The commit a run compares with (a PR's base, or the commit before a push); none for a new branch's push. */
function baseCommit(ctx: Pick<RunContext, 'baseSha'>): string | undefined {
  return ctx.baseSha && !/^0+$/.test(ctx.baseSha) ? ctx.baseSha : undefined;
}

function buildLabel(b: BuildInputs): string {
  return `build:${b.file ?? defaultDockerfile(b.context)}${b.target ? `#${b.target}` : ''}`;
}

function strategy(inputs: ActionInputs, ctx: RunContext): BaselineStrategy {
  const b = inputs.baseline;
  if (b.kind !== 'auto') return b;
  return {
    kind: 'auto',
    saved: inputs.cache.enabled,
    baseCommit: inputs.build ? baseCommit(ctx) : undefined,
    tag: inputs.build ? undefined : baseBranchSource(inputs.image, ctx.baseBranch),
  };
}

export function planRun(inputs: ActionInputs, ctx: RunContext, env: NodeJS.ProcessEnv): RunPlan {
  const label = inputs.build ? buildLabel(inputs.build) : inputs.image;
  const dockerfile = inputs.dockerfile
    ? {
        path: inputs.dockerfile,
        ...(inputs.build ? { buildArgs: parseBuildArgs(inputs.build.buildArgs, env) } : {}),
        ...(inputs.build?.target ? { target: inputs.build.target } : {}),
      }
    : undefined;
  return {
    label,
    commentKey: inputs.commentKey,
    everyPlatform: inputs.platform === 'all',
    platform: inputs.platform,
    dockerfile,
    baseline: strategy(inputs, ctx),
    comment:
      ctx.kind === 'pull_request' && ctx.pr && inputs.comment
        ? { owner: ctx.owner, repo: ctx.repo, issueNumber: ctx.pr.number, fromFork: ctx.pr.fromFork }
        : undefined,
    record: ctx.kind === 'baseline',
    cache: { reports: inputs.cache.enabled, layerLimit: inputs.cache.enabled ? inputs.cache.layerLimit : 0 },
    imageSlug: keySlug(inputs.commentKey || defaultCommentKey(label, '')),
    baseSha: baseCommit(ctx),
  };
}

/**
 * A platform's key (its baseline on main, report files, SARIF category): the comment-key input, else the
 * image and platform. Under `platform: all` a set comment-key gets the platform added, so that each platform
 * keeps its own baseline.
 */
export function platformKey(
  plan: Pick<RunPlan, 'label' | 'commentKey' | 'everyPlatform'>,
  platform: string,
): string {
  if (!plan.commentKey) return defaultCommentKey(plan.label, platform);
  return plan.everyPlatform ? `${plan.commentKey} ${platform}` : plan.commentKey;
}

/** The run's key: its sticky comment and report directory. One platform's, or `all`'s. */
export function runKey(
  plan: Pick<RunPlan, 'label' | 'commentKey' | 'everyPlatform'>,
  platforms: readonly string[],
): string {
  if (!plan.everyPlatform) return platformKey(plan, platforms[0] ?? '');
  return plan.commentKey || defaultCommentKey(plan.label, 'all');
}
