// The ratchet through the bundled CLI (dist/cli.js), on the committed example images, under Node 20 and
// Node 24: `--fail-on new-error --baseline` judges as the action does. dist/ must be current.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/types/report.js';
import { cli, stderrLines } from '../helpers/cli.js';
import { node24, repoRoot } from '../helpers/world.js';

const MAIN = `docker-archive:${path.join(repoRoot, 'examples', 'hello-scratch.tar')}`;
const OS = `oci-archive:${path.join(repoRoot, 'examples', 'busybox-os.tar')}`;

describe.each([
  ['Node 20', () => process.execPath],
  ['Node 24', () => node24()],
])('check --fail-on new-error on %s', (_label, nodeBin) => {
  it("passes an image that keeps main's debt, and prints it as debt", () => {
    const r = cli(['check', OS, '--baseline', OS, '--fail-on', 'New-Error', '--markdown'], nodeBin());
    expect(r.status, r.stderr).toBe(0);
    // The CLI knows no branch: the debt is the baseline's, named as the sizes table names it.
    expect(r.stdout.split('\n')[0]).toMatch(/· no new errors · \d+ errors? of debt from the baseline$/);
    expect(r.stdout).toMatch(
      /<summary>Debt: \d+ error findings? the baseline already has \(not blocking\)<\/summary>/,
    );
    expect(r.stdout).not.toMatch(/debt from main|main already has/);
    const json = cli(['check', OS, '--baseline', OS, '--fail-on', 'new-error', '--json'], nodeBin());
    const report = JSON.parse(json.stdout) as Report;
    expect(report.passed).toBe(true);
    expect(report.verdict).toMatchObject({ failOn: 'new-error', newErrors: 0 });
    expect(report.verdict!.errors).toBeGreaterThan(0);
  });

  it('fails an image that adds errors; with fail-on error the debt fails too', () => {
    const adds = cli(['check', OS, '--baseline', MAIN, '--fail-on', 'new-error', '--json'], nodeBin());
    expect(adds.status).toBe(1);
    const report = JSON.parse(adds.stdout) as Report;
    expect(report.verdict!.newErrors).toBe(report.verdict!.errors);
    expect(cli(['check', OS, '--baseline', OS, '--fail-on', 'error'], nodeBin()).status).toBe(1);
  });

  it('the text verdict line counts the new errors, or says there was no baseline', () => {
    const kept = cli(['check', OS, '--baseline', OS, '--fail-on', 'new-error'], nodeBin());
    expect(kept.stdout.split('\n')[0]).toMatch(/^PASSED .* · fail-on new-error \(0 new errors\)$/);
    const none = cli(['check', OS, '--fail-on', 'new-error'], nodeBin());
    expect(none.stdout.split('\n')[0]).toMatch(/^FAILED .* \(no baseline: judged as error\)$/);
  });

  it('with no baseline judges as error, and says so', () => {
    const r = cli(['check', OS, '--fail-on', 'new-error', '--markdown'], nodeBin());
    expect(r.status).toBe(1);
    expect(r.stdout.split('\n')[0]).toContain('no baseline: judged as fail-on error');
  });

  it('--preset budgets-only reports the rule findings without judging them; a budget still fails', () => {
    expect(cli(['check', OS, '--preset', 'budgets-only'], nodeBin()).status).toBe(0);
    expect(cli(['check', OS, '--preset', 'budgets-only', '--max-size', '1MB'], nodeBin()).status).toBe(1);
    const bad = cli(['check', OS, '--preset', 'lenient'], nodeBin());
    expect(bad.status).toBe(2);
    expect(stderrLines(bad)).toEqual([
      expect.stringMatching(/^slimgate: --preset: "lenient" must be budgets-only/),
    ]);
  });
});
