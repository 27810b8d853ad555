// One table of policies × images, each row run through the four surfaces that judge an image:
//   1. `slimgate check` (the bundled CLI, --markdown: exit code and the comment's verdict sentence),
//   2. `slimgate check --manifest-only` (exit code, or its clean refusal where manifests cannot answer),
//   3. the action's check mode on a pull_request (in-process run(), @actions/core and GitHub mocked, the
//      real engine on the example image): setFailed and the comment body,
//   4. the action's comment mode on workflow_run, posting the pr.json envelope that run 3 wrote.
// All of them must agree on pass, fail, or fail-but-not-blocking. The override label is a pull request's:
// the CLI has none, so on those rows it fails where the action is overridden, and the row says so.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { core, octokit, outputs, resetMocks, stubRun } from '../helpers/action-mocks.js';
import { cli, stderrLines } from '../helpers/cli.js';
import { STATIC } from '../helpers/rules-kit.js';
import { dir, file, layer, ociArchive, tar } from '../helpers/tar.js';
import { repoRoot } from '../helpers/world.js';

vi.mock('@actions/core', async () => (await import('../helpers/action-mocks.js')).core);
vi.mock('@actions/github', async () => (await import('../helpers/action-mocks.js')).github);

const { run } = await import('../../src/action/main.js');

type Outcome = 'pass' | 'fail' | 'fail, not blocking';
type Image = 'hello' | 'busybox' | 'bytes';

const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-agreement-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const IMAGES: Record<Image, string> = {
  // A static binary on scratch: one layer, no findings.
  hello: path.join(repoRoot, 'examples', 'hello-scratch.tar'),
  // A busybox "OS": three layers; 4 errors (SG110 base, SG202 shell, SG301 setuid, SG302 su), 2 warnings.
  busybox: path.join(repoRoot, 'examples', 'busybox-os.tar'),
  // Errors on names that are not UTF-8 (judged before the report shows them): SG301 on a setuid /bin/\xfe.
  bytes: bytesImage(path.join(tmp, 'bytes.tar')),
};

function bytesImage(p: string): string {
  const app = [file('app', STATIC(), { mode: 0o755 })];
  const setuid = [dir('bin/'), file('bin/\udcfe', 'x', { mode: 0o4755 })];
  writeFileSync(p, ociArchive({ layers: [layer(tar(app)), layer(tar(setuid))] }));
  return p;
}

const BUSYBOX_ERRORS = ['SG110', 'SG202', 'SG301', 'SG302'];
const LABEL = 'slimgate-override';

interface Row {
  name: string;
  image: Image;
  /** Policy inputs by the action's names; the CLI gets the same values as flags. */
  policy: Record<string, string[]>;
  baseline?: Image;
  /** The override-label input is set; `true`: the pull request has the label, `false`: it does not. */
  labelled?: boolean;
  /** The action's verdict, in check mode and in comment mode. */
  want: Outcome;
  /** The CLI's, when it differs (no labels on the CLI). */
  cli?: Outcome;
  /** --manifest-only's verdict, or the line of its refusal when manifests cannot answer the row. */
  manifestOnly: Outcome | RegExp;
}

const NO_BUDGET = /^slimgate: --manifest-only needs a budget it can answer/;
const NEEDS_LAYERS =
  /^slimgate: --manifest-only answers max-compressed-size and max-layers only; baseline needs the layers$/;
/** A rule setting or fail-on level the manifests cannot honour is refused, not silently ignored. */
const CANNOT_HONOUR = (what: string): RegExp =>
  new RegExp(
    `^slimgate: --manifest-only answers max-compressed-size and max-layers only; ${what} needs the layers$`,
  );

const ROWS: Row[] = [
  { name: 'no policy, a clean image', image: 'hello', policy: {}, want: 'pass', manifestOnly: NO_BUDGET },
  {
    name: 'a budget breach',
    image: 'hello',
    policy: { 'max-layers': ['0'] },
    want: 'fail',
    manifestOnly: 'fail',
  },
  {
    name: 'a budget breach re-rated to a warning',
    image: 'hello',
    policy: { 'max-layers': ['0'], 'rule-severity': ['SG103=warning'] },
    want: 'pass',
    manifestOnly: 'pass',
  },
  {
    name: 'a budget breach re-rated to a warning, fail-on warning',
    image: 'hello',
    policy: { 'max-layers': ['0'], 'rule-severity': ['SG103=warning'], 'fail-on': ['warning'] },
    want: 'fail',
    manifestOnly: CANNOT_HONOUR('fail-on warning'),
  },
  {
    name: 'a budget breach whose rule is disabled (issue 8: manifest-only used to fail it)',
    image: 'hello',
    policy: { 'max-layers': ['0'], 'disable-rules': ['SG103'] },
    want: 'pass',
    manifestOnly: 'pass',
  },
  {
    name: 'a budget breach, fail-on never',
    image: 'hello',
    policy: { 'max-layers': ['0'], 'fail-on': ['never'] },
    want: 'fail, not blocking',
    manifestOnly: 'fail, not blocking',
  },
  {
    name: 'a budget breach, ratchet without a baseline (judged as error)',
    image: 'hello',
    policy: { 'max-layers': ['0'], 'fail-on': ['new-error'] },
    want: 'fail',
    manifestOnly: 'fail',
  },
  {
    name: 'a budget breach, ratchet with a baseline that has it too (a breach is never debt)',
    image: 'hello',
    policy: { 'max-layers': ['0'], 'fail-on': ['new-error'] },
    baseline: 'hello',
    want: 'fail',
    manifestOnly: NEEDS_LAYERS,
  },
  {
    name: 'a budget breach, the override label on the PR',
    image: 'hello',
    policy: { 'max-layers': ['0'] },
    labelled: true,
    want: 'fail, not blocking',
    cli: 'fail',
    manifestOnly: 'fail',
  },
  {
    name: 'rule errors, default policy',
    image: 'busybox',
    policy: {},
    want: 'fail',
    manifestOnly: NO_BUDGET,
  },
  {
    name: 'rule errors re-rated (two to warning, two to info)',
    image: 'busybox',
    policy: { 'rule-severity': ['SG110=warning', 'SG202=warning', 'SG301=info', 'SG302=info'] },
    want: 'pass',
    manifestOnly: CANNOT_HONOUR('rules .+'),
  },
  {
    name: 'rule errors re-rated to warnings, fail-on warning',
    image: 'busybox',
    policy: { 'rule-severity': BUSYBOX_ERRORS.map((r) => `${r}=warning`), 'fail-on': ['warning'] },
    want: 'fail',
    manifestOnly: CANNOT_HONOUR('.+'),
  },
  {
    name: 'every error rule disabled (warnings left)',
    image: 'busybox',
    policy: { 'disable-rules': BUSYBOX_ERRORS },
    want: 'pass',
    manifestOnly: CANNOT_HONOUR('rules .+'),
  },
  {
    name: 'every error rule disabled, fail-on warning',
    image: 'busybox',
    policy: { 'disable-rules': BUSYBOX_ERRORS, 'fail-on': ['warning'] },
    want: 'fail',
    manifestOnly: CANNOT_HONOUR('.+'),
  },
  {
    name: 'rule errors, fail-on never',
    image: 'busybox',
    policy: { 'fail-on': ['never'] },
    want: 'fail, not blocking',
    manifestOnly: NO_BUDGET,
  },
  {
    name: 'rule errors, ratchet without a baseline',
    image: 'busybox',
    policy: { 'fail-on': ['new-error'] },
    want: 'fail',
    manifestOnly: NO_BUDGET,
  },
  {
    name: 'rule errors, ratchet against a baseline with the same errors (debt)',
    image: 'busybox',
    policy: { 'fail-on': ['new-error'] },
    baseline: 'busybox',
    want: 'pass',
    manifestOnly: NEEDS_LAYERS,
  },
  {
    name: 'rule errors, ratchet against a clean baseline',
    image: 'busybox',
    policy: { 'fail-on': ['new-error'] },
    baseline: 'hello',
    want: 'fail',
    manifestOnly: NEEDS_LAYERS,
  },
  {
    name: 'rule errors, the override label on the PR',
    image: 'busybox',
    policy: {},
    labelled: true,
    want: 'fail, not blocking',
    cli: 'fail',
    manifestOnly: NO_BUDGET,
  },
  {
    name: 'rule errors, an override label the PR does not have',
    image: 'busybox',
    policy: {},
    labelled: false,
    want: 'fail',
    manifestOnly: NO_BUDGET,
  },
  {
    name: 'an error on a name that is not UTF-8, ratchet without a baseline',
    image: 'bytes',
    policy: { 'fail-on': ['new-error'] },
    want: 'fail',
    manifestOnly: NO_BUDGET,
  },
  {
    name: 'an error on a name that is not UTF-8, ratchet against the same image (debt, not new)',
    image: 'bytes',
    policy: { 'fail-on': ['new-error'] },
    baseline: 'bytes',
    want: 'pass',
    manifestOnly: NEEDS_LAYERS,
  },
  {
    name: 'a budget within limits under --manifest-only, rule errors for the full check',
    image: 'busybox',
    policy: { 'max-layers': ['3'] },
    want: 'fail',
    // Manifests answer the budget alone, and say so: rules need the layers.
    manifestOnly: 'pass',
  },
];

const FLAG: Record<string, string> = { 'disable-rules': '--disable', 'rule-severity': '--severity' };

function cliArgs(row: Row): string[] {
  const args = ['check', IMAGES[row.image]];
  for (const [input, values] of Object.entries(row.policy))
    for (const v of values) args.push(FLAG[input] ?? `--${input}`, v);
  if (row.baseline) args.push('--baseline', IMAGES[row.baseline]);
  return args;
}

function actionInputs(row: Row): Record<string, string> {
  const inputs: Record<string, string> = { image: IMAGES[row.image] };
  for (const [input, values] of Object.entries(row.policy)) inputs[input] = values.join('\n');
  if (row.baseline) inputs['baseline'] = IMAGES[row.baseline];
  if (row.labelled !== undefined) inputs['override-label'] = LABEL;
  return inputs;
}

/** The verdict a comment body states: its header's last part. */
function verdictOf(markdown: string): Outcome {
  const header = /^<sub><b>Slimgate<\/b> · .*<\/sub>$/m.exec(markdown)?.[0];
  expect(header, 'the comment has its header line').toBeDefined();
  const sentence = (header as string).split(' · ').pop() as string;
  if (/^fails the check/.test(sentence)) return 'fail';
  if (/^fails, (not blocking|but the label .* overrides it: not blocking)/.test(sentence))
    return 'fail, not blocking';
  expect(sentence).toMatch(/^passes/);
  return 'pass';
}

/** setFailed's calls for the policy (not for an error: that would fail the test differently). */
function policyFailures(): string[] {
  return core.setFailed.mock.calls.map(([line]) => String(line));
}

beforeAll(() => {
  vi.stubEnv('SLIMGATE_CACHE', '0');
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.stubEnv('SLIMGATE_CACHE', '0');
});

describe.each(ROWS)('$image: $name', (row) => {
  it('check (the CLI)', () => {
    const want = row.cli ?? row.want;
    const r = cli([...cliArgs(row), '--markdown']);
    expect(stderrLines(r)).toEqual([]);
    expect(r.status).toBe(want === 'fail' ? 1 : 0);
    expect(verdictOf(r.stdout)).toBe(want);
  });

  it('check --manifest-only', () => {
    const r = cli([...cliArgs(row), '--manifest-only', '--json']);
    if (row.manifestOnly instanceof RegExp) {
      expect(r.status).toBe(2);
      expect(stderrLines(r)).toHaveLength(1);
      expect(stderrLines(r)[0]).toMatch(row.manifestOnly);
      expect(r.stdout).toBe('');
      return;
    }
    expect(stderrLines(r)).toEqual([]);
    expect(r.status).toBe(row.manifestOnly === 'fail' ? 1 : 0);
    const json = JSON.parse(r.stdout) as {
      kind: string;
      passed: boolean;
      budget: { passed: boolean };
    };
    expect(json.kind).toBe('manifest-check');
    // The exit code cannot tell a pass from a breach that fail-on never lets through: the JSON can.
    expect(json.passed).toBe(row.manifestOnly !== 'fail');
    if (row.manifestOnly === 'fail, not blocking') expect(json.budget.passed).toBe(false);
  });

  it('the action: check mode on the pull request, then comment mode posting its pr.json', async () => {
    // Check mode.
    resetMocks(row.labelled ? [LABEL] : []);
    const dir = stubRun(actionInputs(row), { labels: row.labelled ? [LABEL] : [] });
    await run();
    const failures = policyFailures();
    expect(
      failures.every((l) => /^Slimgate: the image fails the policy: /.test(l)),
      failures.join('\n'),
    ).toBe(true);
    expect(failures).toHaveLength(row.want === 'fail' ? 1 : 0);
    const checkBody = outputs()['comment-body'] ?? '';
    expect(verdictOf(checkBody)).toBe(row.want);
    expect(octokit.rest.issues.createComment).toHaveBeenCalledTimes(1);

    // Comment mode, in a later workflow_run job, from the envelope check mode wrote.
    vi.unstubAllEnvs();
    vi.stubEnv('SLIMGATE_CACHE', '0');
    resetMocks(row.labelled ? [LABEL] : []);
    stubRun({ mode: 'comment', report: path.join(dir, 'slimgate') }, { event: 'workflow_run' });
    await run();
    // Comment mode posts; the gate is the check job's step, so it fails only for an error of its own.
    expect(core.setFailed).not.toHaveBeenCalled();
    expect(octokit.rest.issues.createComment).toHaveBeenCalledTimes(1);
    const posted = octokit.rest.issues.createComment.mock.calls[0]?.[0] as {
      body: string;
      issue_number: number;
    };
    expect(posted.issue_number).toBe(7);
    expect(verdictOf(posted.body)).toBe(row.want);
  });
});
