// `slimgate check` end to end in the test world: real images built by the private dockerd (FROM scratch, or
// FROM a rootfs imported from this machine's files), exported with `docker save`, then checked through the
// engine and through the CLI (exit codes and output).
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkImage } from '../helpers/check.js';
import { DEFAULT_POLICY } from '../../src/analysis/policy.js';
import type { Finding, Report } from '../../src/types/report.js';
import { docker, repoRoot, run, type RunResult } from '../helpers/world.js';

const BUILD_ENV = { DOCKER_BUILDKIT: '0' };
const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-check-'));
const prefix = `sg-check-${process.pid}`;
const tags: string[] = [];
const archives: Record<string, string> = {};

const HELLO_C =
  '#include <unistd.h>\nint main(void){static const char m[]="hello\\n";write(1,m,sizeof m-1);return 0;}\n';

function gcc(out: string, ...flags: string[]): void {
  const src = path.join(tmp, 'hello.c');
  writeFileSync(src, HELLO_C);
  run('gcc', [...flags, '-Os', '-s', '-o', out, src]);
}

/** Builds `dockerfile` with `files` (name → [source path | contents, mode]) in its context, and saves it. */
function build(
  name: string,
  dockerfile: string,
  files: Record<string, [string | Buffer, number]> = {},
): string {
  const ctx = path.join(tmp, name);
  mkdirSync(ctx, { recursive: true });
  writeFileSync(path.join(ctx, 'Dockerfile'), dockerfile);
  for (const [rel, [body, mode]] of Object.entries(files)) {
    const p = path.join(ctx, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    if (typeof body === 'string' && body.startsWith('/') && existsSync(body)) copyFileSync(body, p);
    else writeFileSync(p, body);
    chmodSync(p, mode);
  }
  const tag = `${prefix}-${name}:1`;
  tags.push(tag);
  docker(['build', '--network', 'none', '-q', '-t', tag, ctx], { env: BUILD_ENV, timeout: 300_000 });
  const archive = path.join(tmp, `${name}.tar`);
  docker(['save', '-o', archive, tag], { timeout: 120_000 });
  archives[name] = `docker-archive:${archive}`;
  return archive;
}

/** A Debian-like rootfs from this machine's files, imported as a base image. */
function debianBase(): string {
  const root = path.join(tmp, 'debian-rootfs');
  const put = (rel: string, src: string | Buffer, mode: number): void => {
    const p = path.join(root, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    if (typeof src === 'string' && src.startsWith('/')) copyFileSync(src, p);
    else writeFileSync(p, src);
    chmodSync(p, mode);
  };
  put('bin/busybox', '/bin/busybox', 0o755); // static: runs the RUN steps below
  for (const applet of ['sh', 'mkdir', 'head', 'rm']) symlinkSync('busybox', path.join(root, 'bin', applet));
  put('bin/bash', '/bin/bash', 0o755);
  put('usr/bin/dpkg', '/usr/bin/dpkg', 0o755);
  put('etc/os-release', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n', 0o644);
  put('etc/passwd', 'root:x:0:0:root:/root:/bin/bash\n', 0o644);
  put(
    'var/lib/dpkg/status',
    'Package: base-files\nStatus: install ok installed\n\nPackage: bash\nStatus: install ok installed\n\n' +
      'Package: dpkg\nStatus: install ok installed\n',
    0o644,
  );
  put('usr/local/bin/helper', '#!/bin/sh\necho helper\n', 0o4755);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  put('etc/ssl/private/server.key', privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
  mkdirSync(path.join(root, 'tmp'), { recursive: true });
  chmodSync(path.join(root, 'tmp'), 0o1777);
  const tag = `${prefix}-debian-base:1`;
  tags.push(tag);
  const tarball = run('tar', ['-C', root, '--sort=name', '--numeric-owner', '-c', '.']).stdoutBuffer;
  docker(['import', '-', tag], { input: tarball, timeout: 120_000 });
  return tag;
}

function distrolessContext(): Record<string, [string | Buffer, number]> {
  return {
    'rootfs/app': [path.join(tmp, 'hello-static'), 0o755],
    'rootfs/etc/passwd': [
      'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
      0o644,
    ],
    'rootfs/etc/group': ['root:x:0:\nnonroot:x:65532:\n', 0o644],
    'rootfs/etc/os-release': [
      'PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\nVERSION_ID="12"\n',
      0o644,
    ],
    'rootfs/etc/ssl/certs/ca-certificates.crt': [
      existsSync('/etc/ssl/certs/ca-certificates.crt')
        ? '/etc/ssl/certs/ca-certificates.crt'
        : '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      0o644,
    ],
    'rootfs/usr/share/zoneinfo/UTC': [
      existsSync('/usr/share/zoneinfo/UTC') ? '/usr/share/zoneinfo/UTC' : 'TZif2',
      0o644,
    ],
    'rootfs/var/lib/dpkg/status.d/base-files': ['Package: base-files\nVersion: 12.4\n', 0o644],
    'rootfs/var/lib/dpkg/status.d/netbase': ['Package: netbase\nVersion: 6.4\n', 0o644],
    'rootfs/var/lib/dpkg/status.d/tzdata': ['Package: tzdata\nVersion: 2024a\n', 0o644],
    'rootfs/usr/share/doc/tzdata/copyright': [
      'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n',
      0o644,
    ],
  };
}

// The CLI from a fresh tsc build of the sources (dist/ is bundled separately; the action's e2e tests run it).
let cliJs = '';
let cliOut = '';
function cli(args: string[], cwd = tmp): RunResult {
  return run(process.execPath, [cliJs, ...args], { allowFailure: true, cwd, timeout: 120_000 });
}

const by = (r: Report, id: string): Finding[] => r.findings.filter((f) => f.id === id);

beforeAll(() => {
  gcc(path.join(tmp, 'hello-static'), '-static');
  gcc(path.join(tmp, 'hello-dynamic'));
  build('static', 'FROM scratch\nCOPY hello /hello\nUSER 65532:65532\nENTRYPOINT ["/hello"]\n', {
    hello: [path.join(tmp, 'hello-static'), 0o755],
  });
  build('dynamic', 'FROM scratch\nCOPY hello /hello\nUSER 65532\nENTRYPOINT ["/hello"]\n', {
    hello: [path.join(tmp, 'hello-dynamic'), 0o755],
  });
  build('script', 'FROM scratch\nCOPY run.sh /run.sh\nUSER 65532\nENTRYPOINT ["/run.sh"]\n', {
    'run.sh': ['#!/bin/sh\nexec /hello\n', 0o755],
  });
  build('shellform', 'FROM scratch\nCOPY hello /hello\nUSER 65532\nENTRYPOINT /hello --serve\n', {
    hello: [path.join(tmp, 'hello-static'), 0o755],
  });
  build(
    'busybox',
    'FROM scratch\nCOPY busybox /bin/busybox\nUSER 65532\nENTRYPOINT ["/bin/busybox", "true"]\n',
    {
      busybox: ['/bin/busybox', 0o755],
    },
  );
  const base = debianBase();
  build(
    'debian',
    `FROM ${base}\n` +
      'RUN mkdir -p /var/lib/apt/lists /var/cache/apt/archives \\\n' +
      ' && head -c 1200000 /dev/urandom > /var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_Packages \\\n' +
      ' && head -c 300000 /dev/urandom > /var/cache/apt/archives/tool.deb\n' +
      'RUN rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/tool.deb\n' +
      'ENV API_TOKEN=s3cr3t-value-1234 LANG=C.UTF-8\n' +
      'CMD ["/bin/bash"]\n',
  );
  build(
    'distroless',
    'FROM scratch\nCOPY rootfs/ /\nUSER nonroot\nENTRYPOINT ["/app"]\n',
    distrolessContext(),
  );
  // Inside the repo (lib/ is git-ignored) so that node_modules resolve.
  const out = (cliOut = path.join(repoRoot, 'lib', `.check-${process.pid}`));
  run('npx', ['tsc', '-p', path.join(repoRoot, 'tsconfig.json'), '--outDir', out], {
    cwd: repoRoot,
    allowFailure: true,
    timeout: 300_000,
  });
  cliJs = path.join(out, 'cli.js');
  if (!existsSync(cliJs)) throw new Error('tsc did not emit lib/cli.js');
}, 900_000);

afterAll(() => {
  for (const t of tags.reverse()) docker(['rmi', '--force', t], { allowFailure: true });
  rmSync(tmp, { recursive: true, force: true });
  if (cliOut) rmSync(cliOut, { recursive: true, force: true });
});

describe('a static binary on scratch with USER', () => {
  it('passes with no findings at all, base scratch, static entrypoint', async () => {
    const { report } = await checkImage(archives['static'] as string);
    expect(report.findings).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.base.verdict).toBe('scratch');
    expect(report.entrypoint).toMatchObject({ argv: ['/hello'], resolved: '/hello', kind: 'static' });
  });

  it('the CLI exits 0 and says PASSED with no warnings', () => {
    const r = cli(['check', archives['static'] as string]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^PASSED .* · 0 errors, 0 warnings/);
    expect(r.stdout).toContain('Findings    none');
  });

  it('with its Dockerfile, the base is scratch from line 1', async () => {
    const df = path.join(tmp, 'static', 'Dockerfile');
    const { report } = await checkImage(archives['static'] as string, { dockerfile: { path: df } });
    expect(report.base).toMatchObject({
      verdict: 'scratch',
      image: 'scratch',
      dockerfile: { file: df, line: 1 },
    });
    expect(report.findings).toEqual([]);
  });

  it('budgets: a breach exits 1, a generous budget passes, a bad size exits 2 naming the flag', () => {
    const over = cli(['check', archives['static'] as string, '--max-size', '100kB', '--json']);
    expect(over.status).toBe(1);
    const r = JSON.parse(over.stdout) as Report;
    expect(r.budget.checks[0]).toMatchObject({ name: 'max-size', limit: 100_000, passed: false });
    expect(r.findings.map((f) => f.id)).toEqual(['SG101']);
    expect(
      cli(['check', archives['static'] as string, '--max-size', '25MB', '--max-layers', '1']).status,
    ).toBe(0);
    const bad = cli(['check', archives['static'] as string, '--max-size', '25 MBs']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^slimgate: --max-size: "25 MBs" is not a size/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('max-growth against a --baseline', () => {
    const r = cli([
      'check',
      archives['dynamic'] as string,
      '--baseline',
      archives['static'] as string,
      '--max-growth',
      '10%',
    ]);
    expect(r.status).toBe(1); // the dynamic binary fails its entrypoint anyway; growth is negative and passes
    const j = JSON.parse(
      cli([
        'check',
        archives['static'] as string,
        '--baseline',
        archives['dynamic'] as string,
        '--max-growth',
        '10%',
        '--json',
      ]).stdout,
    ) as Report;
    const growth = j.budget.checks.find((c) => c.name === 'max-growth');
    expect(growth).toMatchObject({ passed: false });
    expect(j.findings.map((f) => f.id)).toContain('SG105');
  });
});

describe('a dynamic binary on scratch', () => {
  it('is an entrypoint error: its loader is not in the image', async () => {
    const { report } = await checkImage(archives['dynamic'] as string);
    expect(by(report, 'SG704')).toEqual([
      expect.objectContaining({ category: 'entrypoint', severity: 'error', path: '/hello' }),
    ]);
    expect(by(report, 'SG704')[0]?.message).toMatch(
      /needs the loader \/lib64\/ld-linux-x86-64\.so\.2, which is not in the image/,
    );
    expect(report.passed).toBe(false);
    expect(cli(['check', archives['dynamic'] as string]).status).toBe(1);
  });
});

describe('a shell script entrypoint on scratch', () => {
  it('is an entrypoint error: /bin/sh is not there', async () => {
    const { report } = await checkImage(archives['script'] as string);
    expect(report.findings.map((f) => [f.id, f.path])).toEqual([['SG706', '/run.sh']]);
    expect(report.findings[0]?.message).toMatch(
      /\/run\.sh is a script for \/bin\/sh, which is not in the image/,
    );
    expect(report.entrypoint?.kind).toBe('script');
  });

  it('the shell form without a shell is an entrypoint error', async () => {
    const { report } = await checkImage(archives['shellform'] as string);
    expect(report.findings.map((f) => [f.id, f.path])).toEqual([['SG707', '/bin/sh']]);
  });
});

describe('busybox on scratch', () => {
  it('is a shell error', async () => {
    const { report } = await checkImage(archives['busybox'] as string);
    expect(by(report, 'SG202')).toEqual([
      expect.objectContaining({ category: 'shell', severity: 'error', path: '/bin/busybox' }),
    ]);
    expect(report.base.verdict).toBe('scratch');
    expect(report.passed).toBe(false);
  });
});

describe('an imported Debian-like rootfs', () => {
  let report: Report;
  beforeAll(async () => {
    ({ report } = await checkImage(archives['debian'] as string));
  });

  it('base: os (debian:12) with its evidence, not allowed by default', () => {
    expect(report.base).toMatchObject({ verdict: 'os', image: 'debian:12' });
    expect(report.base.evidence).toEqual(
      expect.arrayContaining([
        '/etc/os-release ID=debian VERSION_ID=12 PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
        '/var/lib/dpkg/status: 3 packages',
      ]),
    );
    expect(by(report, 'SG110')[0]).toMatchObject({ category: 'base', severity: 'error' });
  });

  it('shell, package manager, privilege, secret and waste, each with the right path', () => {
    const got = (id: string) => by(report, id).map((f) => [f.category, f.severity, f.path]);
    expect(got('SG201')).toEqual([['shell', 'error', '/bin/bash']]);
    expect(got('SG202')).toEqual([['shell', 'error', '/bin/busybox']]);
    expect(got('SG210')).toEqual([['package-manager', 'error', '/usr/bin/dpkg']]);
    expect(got('SG301')).toEqual([['privilege', 'error', '/usr/local/bin/helper']]);
    expect(got('SG501')).toEqual([['secret', 'error', '/etc/ssl/private/server.key']]);
    expect(by(report, 'SG503').map((f) => [f.category, f.severity, f.env])).toEqual([
      ['secret', 'error', 'API_TOKEN'],
    ]);
    const waste = by(report, 'SG603');
    expect(waste.map((f) => [f.category, f.severity, f.path])).toEqual([
      ['waste', 'warning', '/var/lib/apt/lists'],
    ]);
    expect(waste[0]?.message).toMatch(
      /^layer 3 \(RUN .*rm -rf .*\) deletes or overwrites 1\.50 MB that lower layers still ship: \/var\/lib\/apt\/lists 1\.20 MB \(layer 2\), \/var\/cache\/apt\/archives 300 kB \(layer 2\)/,
    );
    expect(report.size.wasted).toBe(1_500_000);
  });

  it('never shows the secret value', () => {
    expect(JSON.stringify(report.findings)).not.toContain('s3cr3t-value-1234');
  });

  it('the CLI exits 1, with the verdict first, then budgets, then findings by category (capped)', () => {
    const r = cli(['check', archives['debian'] as string, '--max-size', '100MB']);
    expect(r.status).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^FAILED .*errors?/);
    const budgets = lines.indexOf('Budgets');
    const findings = lines.findIndex((l) => /^Findings \(\d+\)$/.test(l));
    expect(budgets).toBeGreaterThan(0);
    expect(findings).toBeGreaterThan(budgets);
    expect(r.stdout).toMatch(/^ {2}shell \(2\)$/m);
    expect(r.stdout).toMatch(/^ {4}error {3}SG301 {2}setuid \/usr\/local\/bin\/helper/m);
  });

  it('policy: categories off, globs ignored, re-rated, fail-on never → exit 0', () => {
    writeFileSync(
      path.join(tmp, 'relaxed.yml'),
      'allowed-bases: [scratch, distroless, "debian:*"]\nrules:\n  shell: off\n  package-manager: warning\n  entrypoint: off\n' +
        'ignore-paths: [/usr/local/bin/helper, "*.key", "env:API_*"]\n',
    );
    const r = cli(['check', archives['debian'] as string, '--config', 'relaxed.yml', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as Report;
    expect(j.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(j.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['SG210', 'SG603']));
    expect(cli(['check', archives['debian'] as string, '--fail-on', 'never']).status).toBe(0);
    expect(
      cli(['check', archives['debian'] as string, '--config', 'relaxed.yml', '--fail-on', 'warning']).status,
    ).toBe(1);
  });

  it('--markdown prints the comment body', () => {
    const r = cli(['check', archives['debian'] as string, '--markdown']);
    expect(r.status).toBe(1);
    expect(r.stdout.length).toBeGreaterThan(20);
    expect(r.stdout).not.toMatch(/^FAILED /);
  });
});

describe('a distroless-like image (certs, passwd, tzdata, status.d, static binary, USER nonroot)', () => {
  it('is clean: base distroless, no findings, exit 0', async () => {
    const { report } = await checkImage(archives['distroless'] as string, { policy: DEFAULT_POLICY });
    expect(report.findings).toEqual([]);
    expect(report.base.verdict).toBe('distroless');
    expect(report.base.evidence).toContain('no shell and no package manager');
    expect(report.passed).toBe(true);
    const r = cli(['check', archives['distroless'] as string, '--fail-on', 'warning']);
    expect(r.status).toBe(0);
  });
});

describe('input errors exit 2 with one line', () => {
  it.each([
    [['check'], /^slimgate: check needs a SOURCE/],
    [['check', 'docker-archive:/nonexistent.tar'], /^slimgate: /],
    [
      ['check', 'STATIC', '--fail-on', 'sometimes'],
      /^slimgate: --fail-on: "sometimes" must be error, warning, new-error \(.*\) or never/,
    ],
    [['check', 'STATIC', '--disable', 'SG999'], /^slimgate: --disable: "SG999" is not a rule id/],
    [['check', 'STATIC', '--config', 'missing.yml'], /^slimgate: --config: missing\.yml does not exist/],
    [['check', 'STATIC', '--json', '--markdown'], /^slimgate: --json and --markdown cannot be used together/],
    [
      ['check', 'STATIC', '--build-arg', 'A=1'],
      /^slimgate: --build-arg and --target describe the Dockerfile/,
    ],
    [
      ['check', 'STATIC', '--dockerfile', 'nope/Dockerfile'],
      /^slimgate: dockerfile nope\/Dockerfile: no such file/,
    ],
    [
      ['check', 'STATIC', '--dockerfile', '/'],
      /^slimgate: dockerfile \/: not a readable file \(a directory\)$/m,
    ],
    [['inspect', 'STATIC', '--max-size', '1MB'], /^slimgate: --max-size belongs to "slimgate check"/],
    // Every build-only flag is refused by check and inspect, not only the first ones that existed.
    [
      ['check', 'STATIC', '--file', 'Dockerfile'],
      /^slimgate: --file belongs to "slimgate build", not "check" \(use --dockerfile for the Dockerfile\)$/m,
    ],
    [
      ['check', 'STATIC', '--secret', 'id=a,env=A'],
      /^slimgate: --secret belongs to "slimgate build", not "check"$/m,
    ],
    [
      ['check', 'STATIC', '--cache-to', 'type=local,dest=x'],
      /^slimgate: --cache-to belongs to "slimgate build"/,
    ],
    [['check', 'STATIC', '--pull'], /^slimgate: --pull belongs to "slimgate build", not "check"$/m],
    [['check', 'STATIC', '--provenance', 'false'], /^slimgate: --provenance belongs to "slimgate build"/],
    [
      ['inspect', 'STATIC', '--label', 'a=b'],
      /^slimgate: --label belongs to "slimgate build", not "inspect"$/m,
    ],
    [
      ['inspect', 'STATIC', '--build-arg', 'A=1'],
      /^slimgate: --build-arg belongs to "slimgate build", not "inspect"$/m,
    ],
  ])('%j', (args, want) => {
    const r = cli(args.map((a) => (a === 'STATIC' ? (archives['static'] as string) : a)));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(want);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
