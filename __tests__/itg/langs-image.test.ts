// The language worlds in a real image: a rootfs with Debian's commons-lang3 jar (also nested in a
// Spring-Boot-like jar), Debian's python3 egg-info packages, a vendor tree from a real `composer install`,
// a conda-meta document, a .NET deps.json and a gcc-built binary with a cargo-auditable style .dep-v0
// section, imported into the test world's Docker and saved. The report's packages must carry what each
// ecosystem's own tool says (unzip's pom.properties, importlib.metadata, `composer show`, objcopy's copy of
// the section); conda and .NET have no tool here: their truth is the document the test writes.
import { execFileSync } from 'node:child_process';
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/engine/engine.js';
import type { Report, ReportPackage } from '../../src/types/report.js';
import { docker, run } from '../helpers/world.js';

const JAVA = '/usr/share/java';
const SITE = '/usr/lib/python3/dist-packages';
const PHP = '/srv/php/app';

let work = '';
const tags: string[] = [];
let report: Report;

const sh = (cmd: string, args: string[], cwd?: string, env?: NodeJS.ProcessEnv): string =>
  execFileSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });

/** unzip's view of a jar's pom.properties files, as purls. */
function unzipPurls(jar: string): string[] {
  return sh('unzip', ['-Z1', jar])
    .split('\n')
    .filter((n) => /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(n))
    .map((n) => {
      const props = new Map(
        sh('unzip', ['-p', jar, n])
          .split(/\r?\n/)
          .filter((l) => l.includes('=') && !l.startsWith('#'))
          .map((l) => [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1).trim()]),
      );
      return `pkg:maven/${props.get('groupId')}/${props.get('artifactId')}@${props.get('version')}`;
    });
}

interface EggTruth {
  path: string;
  name: string;
  version: string;
}

/** importlib.metadata's egg-info distributions of Debian's dist-packages. */
function eggTruth(): EggTruth[] {
  return JSON.parse(
    sh('/usr/bin/python3', [
      '-c',
      `import importlib.metadata as m, json
print(json.dumps([{"path": str(d._path), "name": d.metadata["Name"], "version": d.version}
  for d in m.distributions(path=["${SITE}"]) if str(d._path).endswith(".egg-info")]))`,
    ]),
  ) as EggTruth[];
}

const COMPOSER_ENV = { COMPOSER_ALLOW_SUPERUSER: '1', COMPOSER_DISABLE_NETWORK: '1' };

/** A vendor tree written by `composer install` from two path packages. */
function composerApp(root: string): void {
  const pkg = (dir: string, doc: object): void => {
    mkdirSync(path.join(root, dir), { recursive: true });
    writeFileSync(path.join(root, dir, 'composer.json'), JSON.stringify(doc));
  };
  pkg('pkgs/alpha', {
    name: 'acme/alpha',
    version: '1.2.3',
    license: 'MIT',
    require: { 'acme/beta': '^2.0' },
  });
  pkg('pkgs/beta', { name: 'acme/beta', version: '2.0.1', license: 'GPL-2.0-or-later' });
  pkg('app', {
    name: 'acme/app',
    repositories: [
      { type: 'path', url: '../pkgs/*', options: { symlink: false } },
      { 'packagist.org': false },
    ],
    require: { 'acme/alpha': '*' },
  });
  const env = { ...COMPOSER_ENV, COMPOSER_HOME: path.join(root, 'home') };
  sh('composer', ['install', '--no-interaction', '--no-progress', '--quiet'], path.join(root, 'app'), env);
}

const CONDA = {
  name: 'zlib',
  version: '1.2.13',
  build: 'h5eee18b_0',
  channel: 'https://repo.anaconda.com/pkgs/main/linux-64',
  license: 'Zlib',
  depends: ['libgcc-ng >=11.2.0'],
  files: ['lib/libz.so.1.2.13', 'include/zlib.h'],
};

const DEPS_JSON = {
  runtimeTarget: { name: '.NETCoreApp,Version=v8.0' },
  targets: {
    '.NETCoreApp,Version=v8.0': {
      'App/1.0.0': { dependencies: { 'Newtonsoft.Json': '13.0.3' }, runtime: { 'App.dll': {} } },
      'Newtonsoft.Json/13.0.3': { runtime: { 'lib/net6.0/Newtonsoft.Json.dll': {} } },
    },
  },
  libraries: {
    'App/1.0.0': { type: 'project', serviceable: false, sha512: '' },
    'Newtonsoft.Json/13.0.3': { type: 'package', serviceable: true, sha512: 'sha512-x' },
  },
};

const CRATES = {
  packages: [
    { name: 'hello', version: '0.1.0', source: 'local', dependencies: [1, 2], root: true },
    { name: 'itoa', version: '1.0.11', source: 'crates.io' },
    { name: 'cc', version: '1.0.83', source: 'crates.io', kind: 'build' },
  ],
};

/** A gcc-built binary with a .dep-v0 section as cargo-auditable links it (unflagged, not loaded). */
function rustLike(dir: string, out: string): void {
  writeFileSync(path.join(dir, 'dep.z'), deflateSync(JSON.stringify(CRATES), { level: 9 }));
  writeFileSync(
    path.join(dir, 'dep.s'),
    '.section .dep-v0,"",@progbits\n.incbin "dep.z"\n.section .note.GNU-stack,"",@progbits\n',
  );
  writeFileSync(path.join(dir, 'main.c'), 'int main(void) { return 0; }\n');
  sh('gcc', ['-O2', '-o', out, 'main.c', 'dep.s'], dir);
  sh('strip', [out]);
}

function makeRootfs(root: string): void {
  mkdirSync(path.join(root, 'usr/share/java'), { recursive: true });
  cpSync(`${JAVA}/commons-lang3.jar`, path.join(root, 'usr/share/java/commons-lang3.jar'));
  const boot = path.join(work, 'boot');
  mkdirSync(path.join(boot, 'BOOT-INF/lib'), { recursive: true });
  cpSync(`${JAVA}/commons-lang3.jar`, path.join(boot, 'BOOT-INF/lib/commons-lang3.jar'));
  mkdirSync(path.join(root, 'app'));
  sh('zip', ['-q', '-0', '-r', path.join(root, 'app/app.jar'), 'BOOT-INF'], boot);
  mkdirSync(path.join(root, SITE.slice(1)), { recursive: true });
  for (const e of eggTruth()) cpSync(e.path, path.join(root, e.path.slice(1)), { recursive: true });
  const php = path.join(work, 'php');
  composerApp(php);
  cpSync(path.join(php, 'app'), path.join(root, PHP.slice(1)), { recursive: true });
  mkdirSync(path.join(root, 'opt/conda/conda-meta'), { recursive: true });
  mkdirSync(path.join(root, 'opt/conda/lib'), { recursive: true });
  writeFileSync(path.join(root, 'opt/conda/conda-meta/zlib-1.2.13-h5eee18b_0.json'), JSON.stringify(CONDA));
  writeFileSync(path.join(root, 'opt/conda/lib/libz.so.1.2.13'), 'z');
  mkdirSync(path.join(root, 'srv/dotnet'), { recursive: true });
  writeFileSync(path.join(root, 'srv/dotnet/App.deps.json'), JSON.stringify(DEPS_JSON));
  writeFileSync(path.join(root, 'srv/dotnet/Newtonsoft.Json.dll'), 'MZ');
  mkdirSync(path.join(root, 'usr/local/bin'), { recursive: true });
  rustLike(work, path.join(root, 'usr/local/bin/hello'));
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'slimgate-langs-image-'));
  const rootfs = path.join(work, 'rootfs');
  makeRootfs(rootfs);
  const tag = `sg-langs-${process.pid}:1`;
  tags.push(tag);
  const tarball = run('tar', ['-C', rootfs, '--sort=name', '--numeric-owner', '-c', '.']).stdoutBuffer;
  docker(['import', '-', tag], { input: tarball, timeout: 180_000 });
  const archive = path.join(work, 'img.tar');
  docker(['save', '-o', archive, tag], { timeout: 180_000 });
  const [r] = await inspect(`docker-archive:${archive}`, { cache: path.join(work, 'cache') });
  report = r as Report;
}, 600_000);

afterAll(() => {
  for (const t of tags) docker(['rmi', '--force', t], { allowFailure: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

const of = (manager: string): ReportPackage[] => (report.packages ?? []).filter((p) => p.manager === manager);

describe('language packages in a real image, against their own tools', () => {
  it("lists Debian's commons-lang3 as unzip reads its pom.properties, standalone and nested", () => {
    const want = unzipPurls(`${JAVA}/commons-lang3.jar`);
    expect(want.length).toBeGreaterThan(0);
    const maven = of('maven');
    for (const purl of want) {
      const p = maven.find((x) => x.purl === purl);
      expect(p, purl).toBeDefined();
      // Two copies: /usr/share/java's and the one inside app.jar.
      expect(p?.copies).toBe(2);
      expect(p?.name).toBe(purl.slice('pkg:maven/'.length, purl.indexOf('@')).replace('/', ':'));
      expect(p?.files).toBe(1);
      expect(p?.layer).toBe(0);
    }
  });

  it('lists every egg-info package as importlib.metadata does, with its PyPI purl', () => {
    const eggs = eggTruth();
    expect(eggs.length).toBeGreaterThan(0);
    const python = of('python');
    for (const e of eggs) {
      const p = python.find((x) => x.name === e.name);
      expect(p?.version, e.name).toBe(e.version);
      expect(p?.purl).toBe(`pkg:pypi/${e.name.toLowerCase().replace(/[-_.]+/g, '-')}@${e.version}`);
      const isFile = lstatSync(e.path).isFile();
      expect(p?.files).toBe(isFile ? 1 : readdirSync(e.path).length);
    }
    expect(python.length).toBe(eggs.length);
  });

  it('lists the vendor tree as `composer show` does, each package owning its directory', () => {
    const app = path.join(work, 'php/app');
    const env = { ...COMPOSER_ENV, COMPOSER_HOME: path.join(work, 'php/home') };
    const shown = JSON.parse(sh('composer', ['show', '--format=json'], app, env)) as {
      installed: { name: string; version: string }[];
    };
    const composer = of('composer');
    expect(composer.map((p) => [p.name, p.version]).sort()).toEqual(
      shown.installed.map((s) => [s.name, s.version]).sort(),
    );
    for (const p of composer) {
      expect(p.purl).toBe(`pkg:composer/${p.name}@${p.version}`);
      expect(p.files).toBe(readdirSync(path.join(app, 'vendor', p.name), { recursive: true }).length);
    }
    expect(composer.find((p) => p.name === 'acme/alpha')).toMatchObject({
      licenses: 'MIT',
      dependsOn: ['acme/beta'],
    });
  });

  it('lists the conda and .NET packages their documents name', () => {
    const [conda] = of('conda');
    expect(conda).toMatchObject({ name: CONDA.name, version: CONDA.version, licenses: CONDA.license });
    expect(conda?.purl).toBe(`pkg:conda/${CONDA.name}@${CONDA.version}?build=${CONDA.build}`);
    // Of its two listed files, the image holds one.
    expect(conda?.files).toBe(1);
    expect(of('nuget')).toMatchObject([
      { name: 'Newtonsoft.Json', version: '13.0.3', purl: 'pkg:nuget/Newtonsoft.Json@13.0.3', files: 1 },
    ]);
  });

  it("lists a Rust binary's crates as objcopy's copy of its .dep-v0 section holds them", () => {
    const bin = path.join(work, 'rootfs/usr/local/bin/hello');
    sh('objcopy', [
      '--dump-section',
      `.dep-v0=${path.join(work, 'section.bin')}`,
      bin,
      path.join(work, 'copy'),
    ]);
    const truth = JSON.parse(
      sh('/usr/bin/python3', [
        '-c',
        `import zlib,sys; sys.stdout.write(zlib.decompress(open("${work}/section.bin","rb").read()).decode())`,
      ]),
    ) as typeof CRATES;
    const cargo = of('cargo');
    expect(cargo.map((p) => [p.name, p.version]).sort()).toEqual(
      truth.packages.map((p) => [p.name, p.version]).sort(),
    );
    for (const t of truth.packages) {
      const p = cargo.find((x) => x.name === t.name);
      expect(p?.purl, t.name).toBe(t.source === 'crates.io' ? `pkg:cargo/${t.name}@${t.version}` : undefined);
    }
    expect(cargo.find((p) => p.name === 'hello')).toMatchObject({ files: 1, dependsOn: ['itoa', 'cc'] });
  });
});
