// End to end: `slimgate check … --fix-dockerfile [--write]` on the bundled CLI (dist/cli.js).
// dist/ must be current: `npm run bundle`.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { distCli, stderrLines } from '../helpers/cli.js';
import { repoRoot, run } from '../helpers/world.js';

const PR_IMAGE = path.join(repoRoot, 'examples', 'busybox-os.tar'); // runs as root, no USER
const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-fix-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DOCKERFILE =
  'FROM busybox:1.36\nCOPY helper /usr/local/bin/helper\nRUN chmod u+s /usr/local/bin/helper\nCMD ["/bin/sh"]\n';
const FIXED =
  'FROM busybox:1.36\nCOPY helper /usr/local/bin/helper\nRUN chmod u+s /usr/local/bin/helper\nUSER 65532:65532\nCMD ["/bin/sh"]\n';

function workdir(): string {
  const cwd = mkdtempSync(path.join(tmp, 'w-'));
  copyFileSync(PR_IMAGE, path.join(cwd, 'app.tar'));
  writeFileSync(path.join(cwd, 'Dockerfile'), DOCKERFILE);
  return cwd;
}
const cli = (cwd: string, args: string[]) =>
  run(process.execPath, [distCli, ...args], { cwd, allowFailure: true, timeout: 120_000 });

describe('slimgate check --fix-dockerfile', () => {
  it('prints a unified diff that git apply takes, says why other findings have none, and keeps the exit code', () => {
    const cwd = workdir();
    const r = cli(cwd, ['check', 'app.tar', '--dockerfile', 'Dockerfile', '--fix-dockerfile']);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^--- a\/Dockerfile\n\+\+\+ b\/Dockerfile\n@@ /);
    expect(r.stdout).toContain('\n+USER 65532:65532\n');
    expect(stderrLines(r).every((l) => l.startsWith('slimgate: no fix for '))).toBe(true);
    expect(r.stderr).toContain('no fix for SG110');
    writeFileSync(path.join(cwd, 'fix.diff'), r.stdout);
    run('git', ['apply', 'fix.diff'], { cwd });
    expect(readFileSync(path.join(cwd, 'Dockerfile'), 'utf8')).toBe(FIXED);
  }, 120_000);

  it('an absolute --dockerfile gets headers relative to the working directory, which git apply takes', () => {
    const cwd = workdir();
    const abs = path.join(cwd, 'Dockerfile');
    const r = cli(cwd, ['check', 'app.tar', '--dockerfile', abs, '--fix-dockerfile']);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^--- a\/Dockerfile\n\+\+\+ b\/Dockerfile\n@@ /);
    writeFileSync(path.join(cwd, 'fix.diff'), r.stdout);
    run('git', ['apply', 'fix.diff'], { cwd });
    expect(readFileSync(abs, 'utf8')).toBe(FIXED);
  }, 120_000);

  it('--write applies it to the Dockerfile', () => {
    const cwd = workdir();
    const r = cli(cwd, ['check', 'app.tar', '--dockerfile', 'Dockerfile', '--fix-dockerfile', '--write']);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('slimgate: fixed SG320');
    expect(readFileSync(path.join(cwd, 'Dockerfile'), 'utf8')).toBe(FIXED);
  }, 120_000);

  it('is a usage error without --dockerfile, with --json, and --write alone', () => {
    const cwd = workdir();
    for (const args of [
      ['check', 'app.tar', '--fix-dockerfile'],
      ['check', 'app.tar', '--dockerfile', 'Dockerfile', '--fix-dockerfile', '--json'],
      ['check', 'app.tar', '--dockerfile', 'Dockerfile', '--write'],
    ]) {
      const r = cli(cwd, args);
      expect(r.status, r.stderr).toBe(2);
      expect(stderrLines(r)).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
    expect(readFileSync(path.join(cwd, 'Dockerfile'), 'utf8')).toBe(DOCKERFILE);
  }, 120_000);
});
