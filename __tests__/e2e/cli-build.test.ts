// slimgate build's docker/build-push-action flags through the bundled CLI (dist/cli.js: run `npm run bundle`
// first), on the test world's containerd-store engine: --help lists them, a build with a secret, a named
// context and a label, and the one-line refusals (exit 2) that never quote a secret.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distCli } from '../helpers/cli.js';
import { daemonEnv, run } from '../helpers/world.js';

const id = `${process.pid}`;
const base = `sg-cb-base-${id}:1`;
const dir = mkdtempSync(path.join(tmpdir(), 'slimgate-cli-build-'));
const SECRET = `s3cr3t-${id}-${createHash('sha256').update(id).digest('hex').slice(0, 16)}`;

/** A busybox base to RUN in (the world has no network to pull one). */
function importBase(env: NodeJS.ProcessEnv): void {
  const root = path.join(dir, 'rootfs');
  mkdirSync(path.join(root, 'bin'), { recursive: true });
  execFileSync('cp', ['/bin/busybox', path.join(root, 'bin', 'busybox')]);
  for (const a of ['sh', 'wc', 'echo']) symlinkSync('busybox', path.join(root, 'bin', a));
  const tar = execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 1 << 28 });
  run('docker', ['import', '-', base], { env, input: tar });
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('slimgate build’s flags (dist/cli.js)', () => {
  const env = daemonEnv('containerd');
  const ctx = path.join(dir, 'ctx-cli');
  const extra = path.join(dir, 'extra-cli');
  const tag = `sg-bi-cli-${id}:1`;
  const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    run(process.execPath, [distCli, ...args], {
      env: { ...env, NO_COLOR: '1', ...extraEnv },
      allowFailure: true,
      timeout: 300_000,
    });
  beforeAll(() => {
    importBase(env);
    mkdirSync(ctx);
    mkdirSync(extra);
    writeFileSync(path.join(extra, 'x.txt'), 'x\n');
    writeFileSync(
      path.join(ctx, 'Dockerfile'),
      `FROM ${base}\nRUN echo ${id}-${Date.now()} > /run.id\n` +
        'RUN --mount=type=secret,id=tok,required=true wc -c < /run/secrets/tok > /secret.len\n' +
        'COPY --from=extra /x.txt /x.txt\n',
    );
  });
  afterAll(() => {
    run('docker', ['rmi', '--force', tag, base], { env, allowFailure: true });
  });

  it('--help lists them', () => {
    const r = cli(['--help']);
    expect(r.status).toBe(0);
    for (const flag of [
      '--build-context NAME=VALUE',
      '--secret ID=VALUE',
      '--secret-file ID=PATH',
      '--ssh default|ID=PATH',
      '--cache-from ENTRY',
      '--cache-to ENTRY',
      '--provenance V',
      '--sbom V',
      '--builder NAME',
      '--label K=V',
      '--pull',
    ])
      expect(r.stdout).toContain(flag);
  });

  it('builds with them, and the secret is in neither the output nor the report', () => {
    const r = cli([
      'build',
      '--context',
      ctx,
      '--network',
      'none',
      '--secret',
      `tok=${SECRET}`,
      '--build-context',
      `extra=${extra}`,
      '--label',
      'org.example.cli=1',
      '--tags',
      tag,
      '--json',
    ]);
    expect([0, 1], r.stderr).toContain(r.status); // busybox has a shell: the policy may fail it
    const report = JSON.parse(r.stdout) as { files: { path: string }[] };
    expect(report.files.map((f) => f.path)).toEqual(expect.arrayContaining(['/secret.len', '/x.txt']));
    expect(r.stdout.includes(SECRET) || r.stderr.includes(SECRET)).toBe(false);
    expect(
      run('docker', ['inspect', '-f', '{{index .Config.Labels "org.example.cli"}}', tag], { env }).stdout,
    ).toBe('1\n');
  });

  it.each([
    [
      'a secret with DOCKER_BUILDKIT=0',
      ['--secret', `tok=${SECRET}`],
      { DOCKER_BUILDKIT: '0' },
      'slimgate: secrets needs docker buildx; the classic builder (DOCKER_BUILDKIT=0) cannot use it',
    ],
    [
      'a secret without ID',
      ['--secret', `=${SECRET}`],
      {},
      'slimgate: bad secret (entry 1): write ID=VALUE, or id=ID,src=FILE (no ID given)',
    ],
    [
      'a provenance mode',
      ['--provenance', 'mode=all'],
      {},
      'slimgate: bad provenance mode "all": min or max',
    ],
    [
      'a build-context without =',
      ['--build-context', 'extra'],
      {},
      'slimgate: bad build-context "extra": write NAME=VALUE (VALUE a directory, docker-image://REF, oci-layout://DIR or a URL)',
    ],
  ])('refuses %s: exit 2, one line', (_name, flags, extraEnv, line) => {
    const r = cli(['build', '--context', ctx, ...flags], extraEnv);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${line}\n`);
    expect(r.stdout).toBe('');
  });
});
