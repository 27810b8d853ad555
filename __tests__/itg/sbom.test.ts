// `slimgate inspect|check --sbom-file` (dist/cli.js) on an image built by the test world's docker engine:
// a Go program with a replaced local module, built here with a secret-looking -ldflags value, a dpkg
// database with two packages and their files, an npm package, and a secret-looking ENV. Both SBOMs must
// validate against the official CycloneDX 1.6 and SPDX 2.3 schemas, hold what `go version -m` and the
// databases say, be byte-identical under SOURCE_DATE_EPOCH, and hold no secret value.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distCli } from '../helpers/cli.js';
import { cycloneDxErrors, spdxErrors } from '../helpers/sbom-schemas.js';
import { docker, run } from '../helpers/world.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-sbom-itg-'));
const tag = `sg-sbom-${process.pid}:1`;
const LDFLAGS_SECRET = 'ghp_SbomItgLdflagsSecret0123456789abcdefXY';
const ENV_SECRET = 'sk_live_SbomItgEnvSecret0123456789abcdef';
const EPOCH = '1767225600';
let archive = '';

const goEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  GOCACHE: path.join(tmp, 'gocache'),
  GOPATH: path.join(tmp, 'gopath'),
  GOPROXY: 'off',
  GOFLAGS: '-mod=mod',
  GOTOOLCHAIN: 'local',
});

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

beforeAll(() => {
  const src = path.join(tmp, 'src');
  write(path.join(src, 'greet', 'go.mod'), 'module example.com/greet\n\ngo 1.19\n');
  write(path.join(src, 'greet', 'greet.go'), 'package greet\n\nfunc Hello() string { return "hello" }\n');
  write(
    path.join(src, 'go.mod'),
    'module example.com/hello\n\ngo 1.19\n\nrequire example.com/greet v0.0.0\n\nreplace example.com/greet => ./greet\n',
  );
  write(
    path.join(src, 'main.go'),
    'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/greet"\n)\n\nvar token string\n\nfunc main() { fmt.Println(greet.Hello(), len(token)) }\n',
  );
  const ctx = path.join(tmp, 'ctx');
  run('go', ['build', `-ldflags=-X main.token=${LDFLAGS_SECRET}`, '-o', path.join(ctx, 'app'), '.'], {
    cwd: src,
    env: goEnv(),
    timeout: 300_000,
  });
  const status = [
    ['libfoo1', '1.2-3', '/usr/lib/libfoo.so.1'],
    ['foo-tools', '1.2-3', '/usr/bin/foo\n/usr/share/doc/foo-tools/copyright'],
  ];
  write(
    path.join(ctx, 'root/var/lib/dpkg/status'),
    status
      .map(
        ([n, v]) =>
          `Package: ${n}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${v}\nMaintainer: Foo Maintainers <foo@example.org>\nDepends: libfoo1\n`,
      )
      .join('\n'),
  );
  for (const [n, , files] of status) {
    write(path.join(ctx, `root/var/lib/dpkg/info/${n}.list`), `/.\n${files}\n`);
    for (const f of files!.split('\n')) write(path.join(ctx, 'root', f), `${n} ${f}\n`);
  }
  write(
    path.join(ctx, 'root/srv/node_modules/left-pad/package.json'),
    '{"name":"left-pad","version":"1.3.0"}',
  );
  write(path.join(ctx, 'root/srv/node_modules/left-pad/index.js'), 'module.exports = 1;\n');
  write(
    path.join(ctx, 'Dockerfile'),
    `FROM scratch\nCOPY root/ /\nCOPY app /app\nENV API_TOKEN=${ENV_SECRET}\nUSER 65532\nENTRYPOINT ["/app"]\n`,
  );
  docker(['build', '--network', 'none', '-q', '-t', tag, ctx], {
    env: { DOCKER_BUILDKIT: '0' },
    timeout: 300_000,
  });
  archive = path.join(tmp, 'image.tar');
  docker(['save', '-o', archive, tag], { timeout: 120_000 });
}, 600_000);

afterAll(() => {
  docker(['rmi', '--force', tag], { allowFailure: true });
  rmSync(tmp, { recursive: true, force: true });
});

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): ReturnType<typeof run> {
  return run(process.execPath, [distCli, ...args], {
    cwd,
    allowFailure: true,
    timeout: 120_000,
    env: { ...process.env, SOURCE_DATE_EPOCH: EPOCH, ...env },
  });
}

type Component = {
  name: string;
  version?: string;
  components?: Component[];
  evidence?: { occurrences: { location: string }[] };
};

describe('slimgate check|inspect --sbom-file', () => {
  it('CycloneDX: valid, with the packages, their files and the Go modules; identical on a second run', () => {
    const cwd = mkdtempSync(path.join(tmp, 'cdx-'));
    const r = cli(
      ['check', `docker-archive:${archive}`, '--fail-on', 'never', '--sbom-file', 'out/sbom.json'],
      cwd,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const text = readFileSync(path.join(cwd, 'out/sbom.json'), 'utf8');
    expect(cycloneDxErrors(text)).toEqual([]);
    const bom = JSON.parse(text) as { metadata: { timestamp: string }; components: Component[] };
    expect(bom.metadata.timestamp).toBe('2026-01-01T00:00:00Z');
    const byName = new Map(bom.components.map((c) => [c.name, c]));
    expect(byName.get('libfoo1')?.version).toBe('1.2-3');
    expect(
      byName
        .get('foo-tools')
        ?.evidence?.occurrences.map((o) => o.location)
        .sort(),
    ).toEqual(['/usr/bin/foo', '/usr/share/doc/foo-tools/copyright']);
    expect(byName.get('left-pad')?.version).toBe('1.3.0');
    // As `go version -m` prints them: the main module and the replaced dependency.
    const truth = run('go', ['version', '-m', path.join(tmp, 'ctx', 'app')], { env: goEnv() }).stdout;
    expect(truth).toMatch(/=>\s+\.\/greet/);
    const app = byName.get('/app');
    expect(app?.components?.map((m) => m.name)).toEqual(
      expect.arrayContaining(['example.com/hello', 'example.com/greet']),
    );
    expect(text).not.toContain(LDFLAGS_SECRET);
    expect(text).not.toContain(ENV_SECRET);

    const again = cli(['inspect', `docker-archive:${archive}`, '--sbom-file', 'again.json'], cwd);
    expect(again.status).toBe(0);
    expect(readFileSync(path.join(cwd, 'again.json'), 'utf8')).toBe(text);
  });

  it('SPDX 2.3: valid, files with CONTAINS, one file per platform under --platform all', () => {
    const cwd = mkdtempSync(path.join(tmp, 'spdx-'));
    const r = cli(
      [
        'inspect',
        `docker-archive:${archive}`,
        '--platform',
        'all',
        '--sbom-file',
        'sbom.json',
        '--sbom-format',
        'spdx-json',
      ],
      cwd,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(existsSync(path.join(cwd, 'sbom.json'))).toBe(false);
    const text = readFileSync(path.join(cwd, 'sbom-linux-amd64.json'), 'utf8');
    expect(spdxErrors(text)).toEqual([]);
    const doc = JSON.parse(text) as {
      packages: { SPDXID: string; name: string }[];
      files: { SPDXID: string; fileName: string }[];
      relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
    };
    const lib = doc.packages.find((p) => p.name === 'libfoo1')!;
    const file = doc.files.find((f) => f.fileName === './usr/lib/libfoo.so.1')!;
    expect(doc.relationships).toContainEqual({
      spdxElementId: lib.SPDXID,
      relationshipType: 'CONTAINS',
      relatedSpdxElement: file.SPDXID,
    });
    expect(text).not.toContain(LDFLAGS_SECRET);
    expect(text).not.toContain(ENV_SECRET);
  });

  it.each([
    [['--sbom-format', 'spdx-json'], /^slimgate: --sbom-format goes with --sbom-file\n$/],
    [
      ['--sbom-file', 'x.json', '--sbom-format', 'xml'],
      /^slimgate: --sbom-format must be one of cyclonedx-json, spdx-json/,
    ],
    [
      ['--manifest-only', '--max-layers', '9', '--sbom-file', 'x.json'],
      /^slimgate: --sbom-file needs the full check/,
    ],
  ])('refuses %j with one line and exit 2', (args, line) => {
    const cwd = mkdtempSync(path.join(tmp, 'bad-'));
    const r = cli(['check', `docker-archive:${archive}`, ...args], cwd);
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(line);
    expect(existsSync(path.join(cwd, 'x.json'))).toBe(false);
  });

  it('a SOURCE_DATE_EPOCH that is not seconds is one line, before the image is read', () => {
    const r = cli(['inspect', `docker-archive:${archive}`, '--sbom-file', 'x.json'], tmp, {
      SOURCE_DATE_EPOCH: 'soon',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^slimgate: SOURCE_DATE_EPOCH must be a whole number of seconds, not "soon"\n$/);
  });
});
