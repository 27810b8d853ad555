// Stand-ins for @actions/core and @actions/github, for running the action's run() in-process as
// actions/typescript-action tests it. A test file installs them with
//   vi.mock('@actions/core', async () => (await import('../helpers/action-mocks.js')).core);
//   vi.mock('@actions/github', async () => (await import('../helpers/action-mocks.js')).github);
// and reads the same instances from this module. The runner's environment (INPUT_*, the event payload,
// RUNNER_TEMP) is set with `stubRun`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, vi } from 'vitest';

const summary = {
  addRaw: vi.fn(() => summary),
  write: vi.fn(() => Promise.resolve(summary)),
};

export const core = {
  summary,
  setSecret: vi.fn(),
  setOutput: vi.fn(),
  setFailed: vi.fn(),
  info: vi.fn(),
  notice: vi.fn(),
  warning: vi.fn(),
  error: vi.fn(),
  debug: vi.fn(),
  isDebug: vi.fn(() => false),
  group: vi.fn(<T>(_name: string, fn: () => Promise<T>) => fn()),
};

/** GitHub's REST API as the action uses it: every method a vi.fn, so a test sees what was called. */
export const octokit = {
  // The retries' request hook (src/github/github-api.ts): the methods below are stand-ins, not requests.
  hook: { wrap: vi.fn() },
  rest: {
    pulls: { get: vi.fn(), listFiles: vi.fn(), listReviews: vi.fn(), createReview: vi.fn() },
    issues: { listComments: vi.fn(), createComment: vi.fn(), updateComment: vi.fn(), deleteComment: vi.fn() },
    users: { getAuthenticated: vi.fn() },
  },
  paginate: Object.assign(
    vi.fn(() => Promise.resolve([])),
    {
      iterator: vi.fn(async function* () {
        yield { data: [] };
      }),
    },
  ),
};

export const github = { getOctokit: vi.fn(() => octokit) };

export const HEAD = 'a'.repeat(40);
const REPO = { full_name: 'octo/app', default_branch: 'main' };

/** Clears every call, and answers as GitHub does for PR #7 at HEAD with these labels. */
export function resetMocks(labels: string[] = []): void {
  vi.clearAllMocks();
  octokit.rest.pulls.get.mockResolvedValue({
    data: { head: { sha: HEAD }, labels: labels.map((name) => ({ name })), state: 'open' },
  });
  octokit.rest.users.getAuthenticated.mockResolvedValue({ data: { login: 'github-actions[bot]' } });
  octokit.rest.issues.createComment.mockResolvedValue({ data: { id: 1, html_url: 'https://c/1' } });
}

export interface RunEnv {
  /** pull_request (check mode on PR #7) or workflow_run (comment mode, after the PR's run). */
  event?: 'pull_request' | 'workflow_run';
  /** The PR's labels in the event payload. */
  labels?: string[];
  /** RUNNER_TEMP (and the workspace); a new directory by default. */
  dir?: string;
}

/** The environment of a run with these inputs (INPUT_* as the runner sets them); returns RUNNER_TEMP. */
export function stubRun(inputs: Record<string, string>, o: RunEnv = {}): string {
  const dir = o.dir ?? mkdtempSync(path.join(tmpdir(), 'sg-run-'));
  const event = o.event ?? 'pull_request';
  const eventFile = path.join(dir, `${event}.json`);
  const payload =
    event === 'pull_request'
      ? {
          repository: REPO,
          pull_request: {
            number: 7,
            labels: (o.labels ?? []).map((name) => ({ name })),
            head: { sha: HEAD, ref: 'feature', repo: REPO },
            base: { sha: 'b'.repeat(40), ref: 'main', repo: REPO },
          },
        }
      : {
          repository: REPO,
          workflow_run: {
            id: 99,
            event: 'pull_request',
            head_sha: HEAD,
            head_branch: 'feature',
            pull_requests: [],
          },
        };
  writeFileSync(eventFile, JSON.stringify(payload));
  const env: Record<string, string> = {
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_SHA: HEAD,
    GITHUB_WORKSPACE: dir,
    RUNNER_TEMP: dir,
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md'),
    'INPUT_GITHUB-TOKEN': 'ghs_not-a-real-token',
    INPUT_BASELINE: 'none',
    INPUT_CACHE: 'false',
    INPUT_SUGGESTIONS: 'false',
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
  };
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  return dir;
}

/** The outputs set so far, by name (the last value wins). */
export function outputs(): Record<string, string> {
  return Object.fromEntries(core.setOutput.mock.calls.map(([k, v]) => [k as string, v as string]));
}

/** The one call of setFailed, as a line; fails the test when there were none or several. */
export function failedLine(): string {
  expect(core.setFailed).toHaveBeenCalledTimes(1);
  const line = core.setFailed.mock.calls[0]?.[0] as string;
  expect(line).not.toMatch(/\n/);
  return line;
}
