/** One-click fixes on a PR (input `suggestions`): a review on lines in the diff, the rest in the comment. */
import { relative, resolve } from 'node:path';
import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import { parseBuildArgs } from '../sources/build-args.js';
import { prepareSuggestions, type Suggestions } from '../github/review.js';
import type { RunContext } from '../github/context.js';
import type { Report } from '../types/report.js';
import type { ActionInputs } from './inputs.js';

export async function suggestFixes(
  inputs: ActionInputs,
  ctx: RunContext,
  report: Report,
  key: string,
): Promise<Suggestions | undefined> {
  // With comment: false (the fork-safe recipe's read-only run) there is nothing to post suggestions with.
  if (!inputs.suggestions || !inputs.comment || !inputs.dockerfile || ctx.kind !== 'pull_request' || !ctx.pr)
    return undefined;
  const workspace = process.env['GITHUB_WORKSPACE'] || process.cwd();
  const { planFixes } = await import(/* webpackMode: "eager" */ '../cli/fix-dockerfile.js');
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
