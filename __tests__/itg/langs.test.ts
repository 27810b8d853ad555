// The language-world readers (src/formats/) against each ecosystem's own tool, on real files that
// scripts/test-world.sh installs: Debian's Java packages (checked with unzip), Debian's python3-*
// egg-info (checked with importlib.metadata), Composer's installed.json from a real `composer install`
// (checked with `composer show` and `composer licenses`), and a cargo-auditable style `.dep-v0` section
// linked into a real gcc-built ELF by GNU ld (checked with objcopy and Python's zlib). No dotnet and no
// conda here: their readers are checked by the unit tests with documents written in the test.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { cargoPackages } from '../../src/formats/cargo-packages.js';
import { composerReader } from '../../src/formats/composer.js';
import { eggKind, eggReader } from '../../src/formats/egg-info.js';
import { jarReader } from '../../src/formats/jar.js';
import type { LangReader, LangResult } from '../../src/formats/lang.js';
import { ElfProbe } from '../../src/scan/elf-probe.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-langs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sh = (cmd: string, args: string[], cwd?: string, env?: NodeJS.ProcessEnv): string =>
  execFileSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });

/** The file streamed through the reader in 64 KiB chunks, as the scan feeds it. */
function stream(r: LangReader, file: string): LangResult {
  const b = readFileSync(file);
  for (let i = 0; i < b.length; i += 65536) r.write(b.subarray(i, i + 65536));
  return r.end();
}

/** unzip's view of a jar's pom.properties files, as purls. */
function unzipPurls(jar: string): string[] {
  const list = sh('unzip', ['-Z1', jar]).split('\n');
  return list
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

describe('Java archives against unzip', () => {
  const java = '/usr/share/java';
  const jars = readdirSync(java)
    .filter((n) => n.endsWith('.jar') && lstatSync(path.join(java, n)).isFile())
    .map((n) => path.join(java, n));

  it("reads every pom.properties of Debian's jars as unzip does", () => {
    expect(jars).toContain(`${java}/commons-lang3.jar`);
    let checked = 0;
    for (const jar of jars) {
      const want = unzipPurls(jar);
      const r = stream(jarReader(jar), jar);
      expect(r.notes, jar).toEqual([]);
      if (want.length === 0) continue;
      checked++;
      expect(r.packages.map((p) => p.purl).sort(), jar).toEqual(want.sort());
      for (const p of r.packages) expect(p.files).toEqual([jar]);
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });

  it('reads jars nested by zip (Spring Boot, a war in an ear), each owned by the outer file', () => {
    const dir = path.join(tmp, 'boot');
    mkdirSync(path.join(dir, 'BOOT-INF/lib'), { recursive: true });
    mkdirSync(path.join(dir, 'WEB-INF/lib'), { recursive: true });
    writeFileSync(
      path.join(dir, 'BOOT-INF/lib/commons-lang3.jar'),
      readFileSync(`${java}/commons-lang3.jar`),
    );
    writeFileSync(path.join(dir, 'WEB-INF/lib/commons-io.jar'), readFileSync(`${java}/commons-io.jar`));
    // Spring Boot stores nested jars uncompressed; the war here is deflated.
    sh('zip', ['-q', '-0', '-r', path.join(tmp, 'app.jar'), 'BOOT-INF'], dir);
    sh('zip', ['-q', '-r', path.join(dir, 'web.war'), 'WEB-INF'], dir);
    sh('zip', ['-q', '-0', path.join(tmp, 'app.ear'), 'web.war'], dir);

    const boot = stream(jarReader(`${tmp}/app.jar`), `${tmp}/app.jar`);
    const inner = boot.packages.filter((p) => p.inside === 'BOOT-INF/lib/commons-lang3.jar');
    expect(inner.map((p) => p.purl)).toEqual(unzipPurls(`${java}/commons-lang3.jar`));
    expect(inner[0]?.files).toEqual([`${tmp}/app.jar`]);

    const ear = stream(jarReader(`${tmp}/app.ear`), `${tmp}/app.ear`);
    const deep = ear.packages.filter((p) => p.inside === 'web.war!/WEB-INF/lib/commons-io.jar');
    expect(deep.map((p) => p.purl)).toEqual(unzipPurls(`${java}/commons-io.jar`));
    expect(ear.notes).toEqual([]);
  });
});

interface PyDist {
  path: string;
  name: string;
  version: string;
  license: string | null;
  requires: string[] | null;
}

describe("Debian's egg-info against importlib.metadata", () => {
  const site = '/usr/lib/python3/dist-packages';
  const dists = JSON.parse(
    sh('/usr/bin/python3', [
      '-c',
      `import importlib.metadata as m, json
print(json.dumps([{"path": str(d._path), "name": d.metadata["Name"], "version": d.version,
  "license": d.metadata.get("License"), "requires": d.requires}
  for d in m.distributions(path=["${site}"]) if str(d._path).endswith(".egg-info")]))`,
    ]),
  ) as PyDist[];

  it('reads name, version and license of both forms as importlib.metadata does', () => {
    const forms = new Set<string>();
    for (const d of dists) {
      const isFile = lstatSync(d.path).isFile();
      forms.add(isFile ? 'file' : 'dir');
      const pkgInfo = isFile ? d.path : `${d.path}/PKG-INFO`;
      const kind = eggKind(pkgInfo);
      expect(kind, pkgInfo).toBe('egg-pkg-info');
      const r = stream(eggReader('egg-pkg-info', pkgInfo), pkgInfo);
      const [p] = r.packages;
      expect([p?.name, p?.version], d.path).toEqual([d.name, d.version]);
      expect(p?.purl).toBe(`pkg:pypi/${d.name.toLowerCase().replace(/_/g, '-')}@${d.version}`);
      if (d.license === 'MIT' || d.license === 'Apache-2.0') expect(p?.license).toBe(d.license);
      if (isFile) expect(p?.files).toEqual([d.path]);
      else expect(p?.dirs).toEqual([d.path]);
    }
    expect([...forms].sort()).toEqual(['dir', 'file']);
    expect(dists.map((d) => d.name)).toEqual(expect.arrayContaining(['PyJWT', 'cupshelpers']));
  });

  it('reads requires.txt as the requirements with no extra and no marker', () => {
    for (const d of dists) {
      const req = `${d.path}/requires.txt`;
      if (lstatSync(d.path).isFile() || !readdirSync(d.path).includes('requires.txt')) continue;
      const r = stream(eggReader('egg-requires', req), req);
      const want = (d.requires ?? [])
        .filter((x) => !x.includes(';'))
        .map((x) => /^[A-Za-z0-9._-]+/.exec(x)?.[0]);
      expect(r.dependsOn ?? [], req).toEqual(want);
    }
  });
});

describe('an egg-info written by setuptools, against importlib.metadata', () => {
  it('reads PKG-INFO, requires.txt and top_level.txt as one package', () => {
    const proj = path.join(tmp, 'egg');
    mkdirSync(proj);
    writeFileSync(path.join(proj, 'demo.py'), '\n');
    writeFileSync(
      path.join(proj, 'setup.py'),
      `from setuptools import setup
setup(name="Demo_Pkg", version="0.3.1", license="MIT", py_modules=["demo"],
      install_requires=["six>=1.0", "requests[socks]>=2", "zope.interface; python_version>'3'"],
      extras_require={"test": ["pytest"]})
`,
    );
    sh('/usr/bin/python3', ['setup.py', '-q', 'egg_info'], proj);
    const egg = `${proj}/Demo_Pkg.egg-info`;
    const d = JSON.parse(
      sh('/usr/bin/python3', [
        '-c',
        `import importlib.metadata as m, json
d = m.PathDistribution(__import__("pathlib").Path("${egg}"))
print(json.dumps({"name": d.metadata["Name"], "version": d.version, "license": d.metadata["License"],
  "requires": d.requires, "top": d.read_text("top_level.txt").split()}))`,
      ]),
    ) as PyDist & { top: string[] };
    const info = stream(eggReader('egg-pkg-info', `${egg}/PKG-INFO`), `${egg}/PKG-INFO`);
    expect(info.packages).toEqual([
      {
        manager: 'python-egg',
        name: d.name,
        version: d.version,
        purl: 'pkg:pypi/demo-pkg@0.3.1',
        license: d.license,
        dirs: [egg],
      },
    ]);
    const req = stream(eggReader('egg-requires', `${egg}/requires.txt`), `${egg}/requires.txt`);
    const plain = (d.requires ?? []).filter((x) => !x.includes(';'));
    expect(plain.length).toBeGreaterThan(0);
    expect([...(req.dependsOn ?? [])].sort()).toEqual(
      plain.map((x) => /^[A-Za-z0-9._-]+/.exec(x)?.[0]).sort(),
    );
    const top = stream(eggReader('egg-top-level', `${egg}/top_level.txt`), `${egg}/top_level.txt`);
    expect(top.dirs).toEqual(d.top.flatMap((t) => [`${proj}/${t}`, `${proj}/${t}.py`]));
    expect(new Set([info.key, req.key, top.key])).toEqual(new Set([egg]));
  });
});

describe('Composer installed.json against composer', () => {
  it('reads what `composer install` wrote, as `composer show` and `composer licenses` see it', () => {
    const root = path.join(tmp, 'php');
    const pkg = (dir: string, doc: object): void => {
      mkdirSync(path.join(root, dir), { recursive: true });
      writeFileSync(path.join(root, dir, 'composer.json'), JSON.stringify(doc));
    };
    pkg('pkgs/alpha', {
      name: 'acme/alpha',
      version: '1.2.3',
      license: ['MIT', 'Apache-2.0'],
      require: { php: '>=7.4', 'acme/beta': '^2.0', 'ext-json': '*' },
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
    const app = path.join(root, 'app');
    const env = {
      COMPOSER_HOME: path.join(root, 'home'),
      COMPOSER_ALLOW_SUPERUSER: '1',
      COMPOSER_DISABLE_NETWORK: '1',
    };
    sh('composer', ['install', '--no-interaction', '--no-progress', '--quiet'], app, env);
    const shown = JSON.parse(sh('composer', ['show', '--format=json'], app, env)) as {
      installed: { name: string; version: string }[];
    };
    const lic = JSON.parse(sh('composer', ['licenses', '--format=json'], app, env)) as {
      dependencies: Record<string, { license: string[] }>;
    };

    const file = `${app}/vendor/composer/installed.json`;
    const r = stream(composerReader(file), file);
    expect(r.notes).toEqual([]);
    const got = r.packages.map((p) => ({ name: `${p.namespace}/${p.name}`, version: p.version }));
    expect(got.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      shown.installed
        .map((s) => ({ name: s.name, version: s.version }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    for (const p of r.packages) {
      const full = `${p.namespace}/${p.name}`;
      expect(p.license).toBe(lic.dependencies[full]?.license.join(' OR '));
      expect(p.purl).toBe(`pkg:composer/${full}@${p.version}`);
      expect(p.dirs).toEqual([`${app}/vendor/${full}`]);
      expect(lstatSync(`${app}/vendor/${full}/composer.json`).isFile()).toBe(true);
    }
    expect(r.packages.find((p) => p.name === 'alpha')?.dependsOn).toEqual(['acme/beta']);
  });
});

describe('a .dep-v0 section linked by GNU ld, against objcopy', () => {
  it('the ELF probe takes the section in its one pass and decodes what objcopy extracts', () => {
    const deps = {
      packages: [
        { name: 'hello', version: '0.1.0', source: 'local', dependencies: [1, 2], root: true },
        { name: 'itoa', version: '1.0.11', source: 'crates.io' },
        { name: 'cc', version: '1.0.83', source: 'crates.io', kind: 'build' },
      ],
    };
    // cargo-auditable links an object whose .dep-v0 section has no flags (not loaded); so does this one.
    writeFileSync(path.join(tmp, 'dep.z'), deflateSync(JSON.stringify(deps), { level: 9 }));
    writeFileSync(
      path.join(tmp, 'dep.s'),
      '.section .dep-v0,"",@progbits\n.incbin "dep.z"\n.section .note.GNU-stack,"",@progbits\n',
    );
    writeFileSync(path.join(tmp, 'main.c'), 'int main(void) { return 0; }\n');
    const bin = path.join(tmp, 'hello');
    sh('gcc', ['-O2', '-o', bin, 'main.c', 'dep.s'], tmp);
    expect(sh('readelf', ['-SW', bin])).toMatch(/\.dep-v0\s+PROGBITS/);
    sh('objcopy', [
      '--dump-section',
      `.dep-v0=${path.join(tmp, 'section.bin')}`,
      bin,
      path.join(tmp, 'copy'),
    ]);
    const truth = JSON.parse(
      sh('/usr/bin/python3', [
        '-c',
        `import zlib,sys; sys.stdout.write(zlib.decompress(open("${tmp}/section.bin","rb").read()).decode())`,
      ]),
    ) as typeof deps;

    const body = readFileSync(bin);
    const probe = new ElfProbe(body.length);
    for (let i = 0; i < body.length; i += 4096) probe.write(body.subarray(i, i + 4096));
    const facts = probe.end();
    expect(facts?.notes).toBeUndefined();
    const pkgs = cargoPackages(
      facts?.cargo ?? { crates: [], cut: 0, bad: 0, notes: [] },
      '/usr/local/bin/hello',
    );
    expect(pkgs.map((p) => [p.name, p.version, p.source])).toEqual(
      truth.packages.map((p) => [p.name, p.version, p.source]),
    );
    expect(pkgs[0]?.dependsOn).toEqual(['itoa', 'cc']);
    expect(pkgs.map((p) => p.purl)).toEqual([undefined, 'pkg:cargo/itoa@1.0.11', 'pkg:cargo/cc@1.0.83']);

    // Stripped as Debian strips binaries (the section is not debug data: strip keeps it).
    sh('strip', [bin]);
    const stripped = readFileSync(bin);
    const p2 = new ElfProbe(stripped.length);
    p2.write(stripped);
    expect(p2.end()?.cargo?.crates.map((c) => c.name)).toEqual(['hello', 'itoa', 'cc']);
  });
});
