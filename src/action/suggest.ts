/** One-click fixes on a PR (input `suggestions`): a review on lines in the diff, the rest in the comment. */
import { relative, resolve } from 'node:path';
import * as core from '@actions/core';
import { githubClient } from '../github/github-api.js';
import type { DockerfileOptions } from '../engine/baseline.js';
import { escapeControls } from '../util/text.js';
import { distinctFindings } from '../analysis/finding.js';
import { prepareSuggestions, type Suggestions } from '../github/review.js';
import type { RunContext } from '../github/context.js';
import type { Report } from '../types/report.js';
import type { ActionInputs } from './inputs.js';

/**
 * The fixes for the findings of every platform checked (one set: the Dockerfile is the same), posted as a
 * review on the PR's lines; the ones outside its diff go into the comment.
 */
export async function suggestFixes(
  inputs: ActionInputs,
  ctx: RunContext,
  run: { dockerfile: DockerfileOptions | undefined; reports: readonly Report[]; key: string },
): Promise<Suggestions | undefined> {
  const [first] = run.reports;
  const dockerfile = run.dockerfile;
  // With comment: false (the fork-safe recipe's read-only run) there is nothing to post suggestions with.
  if (
    !inputs.suggestions ||
    !inputs.comment ||
    !dockerfile ||
    !first ||
    ctx.kind !== 'pull_request' ||
    !ctx.pr
  )
    return undefined;
  const workspace = process.env['GITHUB_WORKSPACE'] || process.cwd();
  const { planFixes } = await import(/* webpackMode: "eager" */ '../output/fix-dockerfile.js');
  // A finding every platform shares is fixed once.
  const findings = distinctFindings(run.reports.flatMap((r) => r.findings));
  const plan = planFixes({ ...first, findings }, dockerfile);
  // A reason may quote an image path: escaped, so that no line of it can start a workflow command.
  for (const s of plan.skipped) core.info(escapeControls(`no fix for ${s.rule}: ${s.reason}`));
  return prepareSuggestions({
    octokit: inputs.token ? await githubClient(inputs.token) : undefined,
    target: { owner: ctx.owner, repo: ctx.repo, pull: ctx.pr.number, commitId: ctx.pr.headSha },
    key: run.key,
    path: relative(workspace, resolve(dockerfile.path)),
    plan,
    warn: (m) => core.warning(escapeControls(m)),
    info: (m) => core.info(escapeControls(m)),
    fromFork: !!ctx.pr.fromFork,
  });
}
