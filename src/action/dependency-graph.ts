/**
 * The `dependency-snapshot` input: on a push to the default branch, the checked images' packages go to
 * GitHub's dependency graph (src/github/dependency-snapshot.ts). Elsewhere it says once why it did not.
 */
import * as core from '@actions/core';
import type { Report } from '../types/report.js';
import type { RunContext } from '../github/context.js';
import { dependencySnapshot, submitDependencySnapshot } from '../github/dependency-snapshot.js';
import { githubClient } from '../github/github-api.js';
import { runUrl } from '../github/pull.js';

export async function submitDependencyGraph(
  enabled: boolean,
  o: { token: string; ctx: RunContext; runKey: string; entries: readonly { key: string; report: Report }[] },
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  if (!enabled) return;
  const { ctx } = o;
  if (ctx.kind !== 'baseline') {
    core.info('dependency graph: submitted on pushes to the default branch only; not on this event');
    return;
  }
  if (!o.token) {
    core.warning('Slimgate: dependency-snapshot needs a github-token with contents: write; nothing was sent');
    return;
  }
  const snapshot = dependencySnapshot(o.entries, {
    sha: ctx.sha,
    ref: ctx.ref,
    runId: ctx.runId,
    runUrl: runUrl(env),
    correlator: `slimgate ${env['GITHUB_WORKFLOW'] ?? ''} ${env['GITHUB_JOB'] ?? ''} ${o.runKey}`,
    scanned: new Date(),
  });
  await submitDependencySnapshot(await githubClient(o.token), { owner: ctx.owner, repo: ctx.repo }, snapshot);
}
