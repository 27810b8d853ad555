/**
 * What the workflow run is about, read from the runner's environment and the event payload
 * (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, …). Pure apart from reading the payload file.
 */
import { RunnerError } from '../util/errors.js';
import { readJsonFile } from './json-file.js';

interface PullRequestInfo {
  number: number;
  baseRef: string;
  baseSha: string;
  headSha: string;
  /** owner/name of the head repository; null when it was deleted. */
  headRepo: string | null;
  /** The head is in another repository: under `pull_request` the token is read-only. */
  fromFork: boolean;
  labels: string[];
}

interface WorkflowRunInfo {
  id: number;
  event: string;
  headSha: string;
  headBranch: string | null;
  /** The pull requests GitHub links to the run: empty for fork PRs, so never rely on it alone. */
  pullRequests: number[];
}

/**
 * What the action does on the event:
 * - `pull_request`: check, comment, summary, verdict;
 * - `merge_group`: check, summary, verdict (no PR to comment on);
 * - `baseline`: a push to the default branch: check, record the report as the baseline, summary;
 * - `push`: a push to another branch: check, summary, verdict;
 * - `workflow_run`: posts a report made by a pull_request run (mode: comment);
 * - `other`: check and summary, with a notice that there is nothing to comment on.
 */
type EventKind = 'pull_request' | 'merge_group' | 'baseline' | 'push' | 'workflow_run' | 'other';

export interface RunContext {
  eventName: string;
  kind: EventKind;
  owner: string;
  repo: string;
  sha: string;
  ref: string;
  defaultBranch: string | undefined;
  /** The branch the change is compared with: the PR's base, the merge queue's base, or the default branch. */
  baseBranch: string | undefined;
  /** The commit the change is compared with, when the event says. */
  baseSha: string | undefined;
  pr: PullRequestInfo | undefined;
  workflowRun: WorkflowRunInfo | undefined;
  serverUrl: string;
  runId: string;
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The runner's payload is a few hundred kB at most; a larger file is not one. */
const MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;

/**
 * The event payload the runner wrote. None (GITHUB_EVENT_PATH unset: a local run) is an empty event; a
 * payload that cannot be read or is not a JSON object is one line naming the file, never a silent run
 * without the pull request.
 */
export function readPayload(env: NodeJS.ProcessEnv = process.env): Json {
  const path = env['GITHUB_EVENT_PATH'];
  if (!path) return {};
  const doc = readJsonFile(path, `the event payload ${path}`, MAX_PAYLOAD_BYTES);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw new RunnerError(`the event payload ${path} is not a JSON object`);
  return obj(doc);
}

function pullRequest(pr: Json): PullRequestInfo | undefined {
  const number = num(pr['number']);
  if (number === undefined) return undefined;
  const base = obj(pr['base']);
  const head = obj(pr['head']);
  const baseRepo = str(obj(base['repo'])['full_name']) ?? null;
  const headRepo = str(obj(head['repo'])['full_name']) ?? null;
  const labels = Array.isArray(pr['labels'])
    ? pr['labels'].map((l) => str(obj(l)['name'])).filter((l) => l !== undefined)
    : [];
  return {
    number,
    baseRef: str(base['ref']) ?? '',
    baseSha: str(base['sha']) ?? '',
    headSha: str(head['sha']) ?? '',
    headRepo,
    fromFork: headRepo === null || (baseRepo !== null && headRepo !== baseRepo),
    labels,
  };
}

export function runContext(
  env: NodeJS.ProcessEnv = process.env,
  payload: Json = readPayload(env),
): RunContext {
  const eventName = env['GITHUB_EVENT_NAME'] ?? '';
  const repository = obj(payload['repository']);
  const [owner = '', repo = ''] = (env['GITHUB_REPOSITORY'] ?? str(repository['full_name']) ?? '/').split(
    '/',
  );
  const defaultBranch = str(repository['default_branch']);
  const ref = env['GITHUB_REF'] ?? str(payload['ref']) ?? '';
  const base: RunContext = {
    eventName,
    kind: 'other',
    owner,
    repo,
    sha: env['GITHUB_SHA'] ?? '',
    ref,
    defaultBranch,
    baseBranch: defaultBranch,
    baseSha: undefined,
    pr: undefined,
    workflowRun: undefined,
    serverUrl: env['GITHUB_SERVER_URL'] || 'https://github.com',
    runId: env['GITHUB_RUN_ID'] ?? '',
  };
  switch (eventName) {
    case 'pull_request':
    case 'pull_request_target': {
      const pr = pullRequest(obj(payload['pull_request']));
      if (!pr) return base;
      return {
        ...base,
        kind: 'pull_request',
        pr,
        baseBranch: pr.baseRef || defaultBranch,
        baseSha: pr.baseSha || undefined,
      };
    }
    case 'merge_group': {
      const mg = obj(payload['merge_group']);
      const baseRef = str(mg['base_ref'])?.replace(/^refs\/heads\//, '');
      return {
        ...base,
        kind: 'merge_group',
        baseBranch: baseRef ?? defaultBranch,
        baseSha: str(mg['base_sha']),
      };
    }
    case 'push': {
      const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
      const isDefault = branch !== undefined && branch === defaultBranch;
      return { ...base, kind: isDefault ? 'baseline' : 'push', baseSha: str(payload['before']) };
    }
    case 'workflow_run': {
      const wr = obj(payload['workflow_run']);
      const prs = Array.isArray(wr['pull_requests'])
        ? wr['pull_requests'].map((p) => num(obj(p)['number'])).filter((n) => n !== undefined)
        : [];
      return {
        ...base,
        kind: 'workflow_run',
        workflowRun: {
          id: num(wr['id']) ?? 0,
          event: str(wr['event']) ?? '',
          headSha: str(wr['head_sha']) ?? '',
          headBranch: str(wr['head_branch']) ?? null,
          pullRequests: prs,
        },
      };
    }
    default:
      return base;
  }
}

/** A branch name as docker/metadata-action turns it into a tag: `feature/x` → `feature-x`. */
export function branchTag(branch: string): string {
  const t = branch
    .replace(/[^a-zA-Z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128);
  return t || 'latest';
}
