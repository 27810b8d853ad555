/** mode: comment — the fork-safe recipe's second job: post the reports a pull_request run left. */
import { join, relative } from 'node:path';
import * as core from '@actions/core';
import { githubClient, type Octokit } from '../github/github-api.js';
import { InputError, oneLine } from '../util/errors.js';
import { escapeControls } from '../util/text.js';
import { findEnvelopes, readEnvelope } from '../github/artifact.js';
import type { RunContext } from '../github/context.js';
import { readLivePull, runUrl, type LivePull } from '../github/pull.js';
import { confirmedArtifactUrl } from '../github/artifact-upload.js';
import type { ActionInputs } from './inputs.js';
import { loadJudged } from './pr-state.js';
import { publish } from './publish.js';

/** mode: comment — posts reports that a pull_request run (without a write token) left as an artifact. */
export async function runComment(inputs: ActionInputs, ctx: RunContext): Promise<void> {
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
