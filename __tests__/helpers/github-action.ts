// Runs the bundled action (dist/index.js) the way the GitHub runner does, under a given Node binary:
// - INPUT_* env, with action.yml's defaults filled in for inputs the workflow leaves out (as the runner
//   does, `${{ github.token }}` included);
// - GITHUB_EVENT_NAME and GITHUB_EVENT_PATH with a real payload from @octokit/webhooks-examples;
// - GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, RUNNER_TEMP and GITHUB_WORKSPACE directories;
// - GITHUB_API_URL pointing at the GitHub REST double (./github-api.ts).
// dist/ must be current: `npm run bundle`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { GitHubApi } from './github-api.js';
import { repoRoot, runAsync, type RunResult } from './world.js';

export { repoRoot };

const require = createRequire(import.meta.url);

const distIndex = path.join(repoRoot, 'dist', 'index.js');

type Json = Record<string, unknown>;

/** A real webhook payload: the first example of `event` whose action matches (when given). */
export function webhookExample(event: string, action?: string, index = 0): Json {
  const all = require('@octokit/webhooks-examples') as { name: string; examples: Json[] }[];
  const list = all.find((e) => e.name === event)?.examples ?? [];
  const hits = list.filter((e) => action === undefined || e['action'] === action);
  const hit = hits[index];
  if (!hit) throw new Error(`no ${event}${action ? `.${action}` : ''} example #${index}`);
  return structuredClone(hit);
}

export interface ActionYml {
  inputs: Record<string, { default?: string; required?: boolean; description?: string }>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string };
}

export function actionYml(): ActionYml {
  return parseYaml(readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')) as ActionYml;
}

interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

export interface ActionRun extends RunResult {
  outputs: Record<string, string>;
  summary: string;
  commands: WorkflowCommand[];
  /** The annotations: error, warning and notice commands. */
  errors: WorkflowCommand[];
  warnings: WorkflowCommand[];
  notices: WorkflowCommand[];
  runnerTemp: string;
  workspace: string;
  /** Everything the step wrote where a person or a later step could see it. */
  everything: string;
  /** What `prepare` returned. */
  prepared?: Record<string, string>;
}

export interface RunActionOptions {
  node?: string;
  api: GitHubApi;
  event: string;
  payload: Json;
  /** Inputs as a workflow's `with:` gives them; omitted ones get action.yml's defaults. */
  inputs: Record<string, string>;
  /** Reuse a RUNNER_TEMP (the saved baseline lives there, as after actions/cache/restore). */
  runnerTemp?: string;
  /** The token `${{ github.token }}` stands for (default: the double's token). */
  githubToken?: string;
  env?: NodeJS.ProcessEnv;
  /** Files to put in the workspace first (the checkout), by relative path. */
  files?: Record<string, string>;
  /** Runs after `files` are written and before the payload is: may commit, and edit the payload. */
  prepare?: (workspace: string) => Record<string, string>;
  /** The event file's text instead of `payload` (a malformed payload). */
  rawPayload?: string;
  /** Runs beside the action once it has started (to signal it, or to watch its children). */
  whileRunning?: (child: ChildProcess) => Promise<void>;
}

/** The action's process, for a test that must reach it while it runs; never throws on its exit. */
function spawnWatched(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
  watch: (child: ChildProcess) => Promise<void>,
): Promise<RunResult> {
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const exited = new Promise<RunResult>((resolve) =>
    child.on('close', (code) => {
      const stdoutBuffer = Buffer.concat(out);
      resolve({
        status: code ?? -1,
        stdout: stdoutBuffer.toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        stdoutBuffer,
      });
    }),
  );
  return Promise.all([exited, watch(child)]).then(([r]) => r);
}

/** `::name key=v,key=v::message`, with the runner's escapes undone. */
function parseCommands(stdout: string): WorkflowCommand[] {
  const out: WorkflowCommand[] = [];
  const unescape = (s: string): string =>
    s
      .replace(/%0D/g, '\r')
      .replace(/%0A/g, '\n')
      .replace(/%3A/g, ':')
      .replace(/%2C/g, ',')
      .replace(/%25/g, '%');
  for (const line of stdout.split('\n')) {
    const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
      const i = kv.indexOf('=');
      properties[kv.slice(0, i)] = unescape(kv.slice(i + 1));
    }
    out.push({ command: m[1]!, properties, message: unescape(m[3] ?? '') });
  }
  return out;
}

/** The GITHUB_OUTPUT file: `name<<DELIM\nvalue\nDELIM` blocks (and `name=value` lines). */
function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]!);
      out[name!] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

function readIfExists(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

export async function runAction(o: RunActionOptions): Promise<ActionRun> {
  // GitHub has the pull request the event is about: pulls.get answers with its head and labels as they are
  // now. A test may set them otherwise first (after a push, or a label applied later).
  const pr = o.payload['pull_request'] as
    { number: number; head: { sha: string }; labels: { name: string }[] } | undefined;
  const repo = (o.payload['repository'] as { full_name?: string } | undefined)?.full_name;
  if (o.event === 'pull_request' && pr && repo && !o.api.pulls.has(`${repo}#${pr.number}`))
    o.api.setPull(repo, pr.number, { headSha: pr.head.sha, labels: pr.labels.map((l) => l.name) });
  const root = mkdtempSync(path.join(tmpdir(), 'slimgate-e2e-'));
  const runnerTemp = o.runnerTemp ?? path.join(root, 'runner-temp');
  const workspace = path.join(root, 'workspace');
  mkdirSync(runnerTemp, { recursive: true });
  mkdirSync(workspace, { recursive: true });
  const eventPath = path.join(root, 'event.json');
  const outputPath = path.join(root, 'github-output');
  const summaryPath = path.join(root, 'step-summary.md');
  for (const [rel, text] of Object.entries(o.files ?? {})) {
    mkdirSync(path.dirname(path.join(workspace, rel)), { recursive: true });
    writeFileSync(path.join(workspace, rel), text);
  }
  const prepared = o.prepare?.(workspace);
  writeFileSync(eventPath, o.rawPayload ?? JSON.stringify(o.payload));
  writeFileSync(outputPath, '');
  writeFileSync(summaryPath, '');

  const token = o.githubToken ?? o.api.token;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // Where the runner's temp and workspace would be, and its API and event.
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_EVENT_NAME: o.event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_API_URL: o.api.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_GRAPHQL_URL: `${o.api.url}/graphql`,
    GITHUB_REPOSITORY: String(
      (o.payload['repository'] as Json | undefined)?.['full_name'] ?? 'octo-org/octo-repo',
    ),
    GITHUB_SHA: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
    GITHUB_REF: String(o.payload['ref'] ?? 'refs/pull/2/merge'),
    GITHUB_RUN_ID: '8675309',
    GITHUB_ACTOR: 'octocat',
    ...o.env,
  };
  // The runner fills defaults from action.yml; unknown inputs would only draw its warning, so reject them.
  const yml = actionYml();
  for (const [name, spec] of Object.entries(yml.inputs)) {
    let value = o.inputs[name] ?? spec.default ?? '';
    if (value === '${{ github.token }}') value = token;
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  for (const name of Object.keys(o.inputs))
    if (!(name in yml.inputs)) throw new Error(`input "${name}" is not declared in action.yml`);

  // The runner starts the action in the workspace.
  const r = o.whileRunning
    ? await spawnWatched(o.node ?? process.execPath, [distIndex], { cwd: workspace, env }, o.whileRunning)
    : await runAsync(o.node ?? process.execPath, [distIndex], {
        cwd: workspace,
        env,
        allowFailure: true,
        timeout: 120_000,
      });
  const outputs = parseOutputFile(readIfExists(outputPath));
  const summary = readIfExists(summaryPath);
  const commands = parseCommands(r.stdout);
  const reportText = outputs['report'] ? readIfExists(outputs['report']) : '';
  return {
    ...r,
    outputs,
    summary,
    commands,
    errors: commands.filter((c) => c.command === 'error'),
    warnings: commands.filter((c) => c.command === 'warning'),
    notices: commands.filter((c) => c.command === 'notice'),
    runnerTemp,
    workspace,
    everything: [r.stdout, r.stderr, readIfExists(outputPath), summary, reportText].join('\n'),
    ...(prepared ? { prepared } : {}),
  };
}

export interface ForkSafeRuns {
  /** The pull_request run, with a read-only token: it leaves its reports under RUNNER_TEMP/slimgate. */
  check: ActionRun;
  /** The workflow_run event (webhook example #2) and what it names. */
  workflowRun: Json;
  headSha: string;
  repo: string;
  /** Runs the comment job on the check run's reports, with the token writable again. */
  comment: () => Promise<ActionRun>;
}

/**
 * The fork-safe recipe's two jobs. The pull_request event (`payload`, default the `opened` example) gets
 * the workflow run's head, as GitHub would give it; the PR is registered in the double at that head before
 * the comment job runs.
 */
export async function forkSafeRuns(
  api: GitHubApi,
  run: (o: Omit<RunActionOptions, 'api' | 'node'>) => Promise<ActionRun>,
  check: Omit<RunActionOptions, 'api' | 'node' | 'event' | 'payload'> & { payload?: Json },
  pull: number,
): Promise<ForkSafeRuns> {
  const workflowRun = webhookExample('workflow_run', 'completed', 2);
  const headSha = (workflowRun['workflow_run'] as { head_sha: string }).head_sha;
  const payload = check.payload ?? webhookExample('pull_request', 'opened');
  (payload['pull_request'] as { head: { sha: string } }).head.sha = headSha;
  api.readOnly = true;
  const checkRun = await run({ ...check, event: 'pull_request', payload });
  api.readOnly = false;
  const repo = String((workflowRun['repository'] as { full_name: string }).full_name);
  api.setPull(repo, pull, { headSha, labels: [] });
  return {
    check: checkRun,
    workflowRun,
    headSha,
    repo,
    comment: () =>
      run({
        event: 'workflow_run',
        payload: workflowRun,
        inputs: { mode: 'comment', report: path.join(checkRun.runnerTemp, 'slimgate') },
      }),
  };
}
