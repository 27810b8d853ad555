/**
 * The pull request as it is now, read with pulls.get. The event payload is frozen when the run starts (and a
 * re-run replays it), so a label applied later, or a newer push, is only visible here.
 */
import type { Octokit } from './github-api.js';

export interface LivePull {
  headSha: string;
  labels: string[];
}

export async function readLivePull(
  octokit: Octokit,
  t: { owner: string; repo: string; number: number },
): Promise<LivePull> {
  const r = await octokit.rest.pulls.get({ owner: t.owner, repo: t.repo, pull_number: t.number });
  return {
    headSha: r.data.head.sha,
    labels: r.data.labels.map((l) => l.name).filter((n): n is string => typeof n === 'string'),
  };
}

/** The run's page, from the runner's environment (GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/ID). */
export function runUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const server = env['GITHUB_SERVER_URL'] || 'https://github.com';
  const repo = env['GITHUB_REPOSITORY'];
  const id = env['GITHUB_RUN_ID'];
  if (!repo || !id || !/^\d+$/.test(id) || !/^[\w.-]+\/[\w.-]+$/.test(repo)) return undefined;
  return `${server.replace(/\/+$/, '')}/${repo}/actions/runs/${id}`;
}
