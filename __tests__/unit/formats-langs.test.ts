import { describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import { composerReader, isComposerInstalled } from '../../src/formats/composer.js';
import { condaReader, isCondaMeta } from '../../src/formats/conda.js';
import { depsJsonReader, isDepsJson } from '../../src/formats/deps-json.js';
import { eggKind, eggReader } from '../../src/formats/egg-info.js';
import { readDepSection } from '../../src/formats/cargo-auditable.js';
import { cargoPackages } from '../../src/formats/cargo-packages.js';
import { spdxOf } from '../../src/formats/ids.js';
import type { LangReader, LangResult } from '../../src/formats/lang.js';

function feed(r: LangReader, body: string | Buffer, step = 5): LangResult {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  for (let i = 0; i < b.length; i += step) r.write(b.subarray(i, i + step));
  return r.end();
}

describe('licenses', () => {
  it('keeps valid SPDX, corrects common spellings, and drops what does not validate', () => {
    expect(spdxOf('MIT')).toBe('MIT');
    expect(spdxOf(['MIT', 'GPL-2.0-or-later'])).toBe('MIT OR GPL-2.0-or-later');
    expect(spdxOf(['MIT', 'Apache-2.0 AND BSD-3-Clause'])).toBe('MIT OR (Apache-2.0 AND BSD-3-Clause)');
    expect(spdxOf('Apache License 2.0')).toBe('Apache-2.0');
    expect(spdxOf('Some custom terms, see LICENSE')).toBeUndefined();
    expect(spdxOf(['MIT', 'proprietary nonsense words'])).toBeUndefined();
    expect(spdxOf([])).toBeUndefined();
  });
});

describe('Python .egg-info', () => {
  const site = '/usr/lib/python3/dist-packages';
  const pkgInfo =
    'Metadata-Version: 2.1\nName: PyJWT\nVersion: 2.6.0\nLicense: MIT\nClassifier: X\n\nName: not-a-header\n';

  it('matches the directory parts and the single-file form', () => {
    expect(eggKind(`${site}/PyJWT-2.6.0.egg-info/PKG-INFO`)).toBe('egg-pkg-info');
    expect(eggKind(`${site}/cupshelpers-1.0-py3.10.egg-info`)).toBe('egg-pkg-info');
    expect(eggKind(`${site}/x.egg-info/top_level.txt`)).toBe('egg-top-level');
    expect(eggKind(`${site}/x.egg-info/SOURCES.txt`)).toBeUndefined();
    expect(eggKind(`${site}/x.dist-info/METADATA`)).toBeUndefined();
  });

  it('reads PKG-INFO of a directory: the package owns the directory', () => {
    const r = feed(eggReader('egg-pkg-info', `${site}/PyJWT-2.6.0.egg-info/PKG-INFO`), pkgInfo);
    expect(r.key).toBe(`${site}/PyJWT-2.6.0.egg-info`);
    expect(r.packages).toEqual([
      {
        manager: 'python-egg',
        name: 'PyJWT',
        version: '2.6.0',
        purl: 'pkg:pypi/pyjwt@2.6.0',
        license: 'MIT',
        dirs: [`${site}/PyJWT-2.6.0.egg-info`],
      },
    ]);
  });

  it('reads the single-file form (CRLF), which owns itself; the purl name is normalised', () => {
    const body = 'Metadata-Version: 1.1\r\nName: Zope_Interface\r\nVersion: 1.0\r\nLicense: UNKNOWN\r\n';
    const path = `${site}/Zope_Interface-1.0-py3.11.egg-info`;
    const r = feed(eggReader('egg-pkg-info', path), body);
    expect(r.key).toBeUndefined();
    expect(r.packages).toEqual([
      {
        manager: 'python-egg',
        name: 'Zope_Interface',
        version: '1.0',
        purl: 'pkg:pypi/zope-interface@1.0',
        files: [path],
      },
    ]);
  });

  it('reads installed-files.txt, top_level.txt and requires.txt as parts of the same key', () => {
    const egg = `${site}/foo.egg-info`;
    const files = feed(
      eggReader('egg-files', `${egg}/installed-files.txt`),
      '../foo/__init__.py\n../../../../../../etc/x\nPKG-INFO\n',
    );
    expect(files.key).toBe(egg);
    expect(files.files).toEqual([`${site}/foo/__init__.py`, `${egg}/PKG-INFO`]);
    expect(files.bad).toBe(1); // the path that climbs out of the root
    const top = feed(eggReader('egg-top-level', `${egg}/top_level.txt`), 'foo\n../evil\n');
    expect(top.dirs).toEqual([`${site}/foo`, `${site}/foo.py`]);
    expect(top.bad).toBe(1);
    const req = feed(
      eggReader('egg-requires', `${egg}/requires.txt`),
      'six>=1.0\nrequests[socks]\n\n[test]\npytest\n',
    );
    expect(req.dependsOn).toEqual(['six', 'requests']);
  });

  it('an overlong line is cut whole, across chunks, and the description after the headers is not read', () => {
    const long = `Summary: ${'x'.repeat(20_000)}\nName: fragment-is-not-a-header\n`;
    const r = feed(
      eggReader('egg-pkg-info', '/s/a.egg-info/PKG-INFO'),
      `${long}Version: 2\nName: real\n\nName: body\n`,
      4096,
    );
    expect(r.packages.map((p) => [p.name, p.version])).toEqual([['fragment-is-not-a-header', '2']]);
    expect(r.cut).toBe(1);
    const split = feed(
      eggReader('egg-pkg-info', '/s/a.egg-info/PKG-INFO'),
      `X: ${'y'.repeat(9000)} Name: bad\nName: ok\n`,
      4096,
    );
    expect(split.packages.map((p) => p.name)).toEqual(['ok']);
  });

  it('a PKG-INFO without a Name is a note; a name that is not UTF-8 keeps its bytes and has no purl', () => {
    expect(feed(eggReader('egg-pkg-info', '/x.egg-info'), 'Version: 1\n').notes).toEqual([
      'an egg-info without a Name',
    ]);
    const r = feed(
      eggReader('egg-pkg-info', '/x.egg-info'),
      Buffer.from('Name: caf\xe9\nVersion: 1\n', 'latin1'),
    );
    expect(r.packages[0]?.name).toBe('caf\udce9');
    expect(r.packages[0]?.purl).toBeUndefined();
  });
});

const depsJson = {
  runtimeTarget: { name: '.NETCoreApp,Version=v8.0' },
  targets: {
    '.NETCoreApp,Version=v8.0': {
      'MyApp/1.0.0': {
        dependencies: { 'Newtonsoft.Json': '13.0.3', Serilog: '3.1.1' },
        runtime: { 'MyApp.dll': {} },
      },
      'Newtonsoft.Json/13.0.3': {
        runtime: { 'lib/net6.0/Newtonsoft.Json.dll': { assemblyVersion: '13.0.0.0' } },
      },
      'Serilog/3.1.1': {
        dependencies: { 'System.Diagnostics.DiagnosticSource': '7.0.2' },
        runtime: { 'lib/net7.0/Serilog.dll': {} },
      },
      'System.Diagnostics.DiagnosticSource/7.0.2': {},
    },
  },
  libraries: {
    'MyApp/1.0.0': { type: 'project', serviceable: false, sha512: '' },
    'Newtonsoft.Json/13.0.3': { type: 'package', serviceable: true, path: 'newtonsoft.json/13.0.3' },
    'Serilog/3.1.1': { type: 'package', serviceable: true, path: 'serilog/3.1.1' },
    'System.Diagnostics.DiagnosticSource/7.0.2': { type: 'package', serviceable: true },
  },
};

describe('.NET deps.json', () => {
  it('reads NuGet packages with their dependencies and the assets they own', () => {
    expect(isDepsJson('/app/MyApp.deps.json')).toBe(true);
    const r = feed(depsJsonReader('/app/MyApp.deps.json'), JSON.stringify(depsJson), 1000);
    expect(r.packages).toEqual([
      {
        manager: 'nuget',
        name: 'Newtonsoft.Json',
        version: '13.0.3',
        purl: 'pkg:nuget/Newtonsoft.Json@13.0.3',
        files: ['/app/Newtonsoft.Json.dll'],
      },
      {
        manager: 'nuget',
        name: 'Serilog',
        version: '3.1.1',
        purl: 'pkg:nuget/Serilog@3.1.1',
        dependsOn: ['System.Diagnostics.DiagnosticSource'],
        files: ['/app/Serilog.dll'],
      },
      {
        manager: 'nuget',
        name: 'System.Diagnostics.DiagnosticSource',
        version: '7.0.2',
        purl: 'pkg:nuget/System.Diagnostics.DiagnosticSource@7.0.2',
      },
    ]);
  });

  it('a 50 MB deps.json is a note, and is not held', () => {
    const r = depsJsonReader('/app/big.deps.json');
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    for (let i = 0; i < 50; i++) r.write(chunk);
    const out = r.end();
    expect(out.packages).toEqual([]);
    expect(out.notes).toEqual(['a deps.json is larger than 16 MiB: not read']);
  });

  it('broken JSON and a wrong shape are notes', () => {
    expect(feed(depsJsonReader('/a.deps.json'), '{"libraries": ').notes).toEqual([
      'a deps.json is not valid JSON',
    ]);
    expect(feed(depsJsonReader('/a.deps.json'), '[1]').notes).toEqual(['a deps.json without its libraries']);
  });
});

describe('Composer installed.json', () => {
  const pkgs = [
    {
      name: 'psr/log',
      version: '3.0.0',
      version_normalized: '3.0.0.0',
      license: ['MIT'],
      require: { php: '>=8.0.0' },
      'install-path': '../psr/log',
    },
    {
      name: 'monolog/monolog',
      version: '3.5.0',
      license: ['MIT', 'Apache-2.0'],
      require: { php: '>=8.1', 'psr/log': '^2.0 || ^3.0', 'ext-json': '*' },
      'install-path': '../monolog/monolog',
    },
    {
      name: 'acme/escape',
      version: 'dev-main',
      license: 'Proprietary terms',
      'install-path': '../../../etc',
    },
  ];

  it('reads Composer 2 and Composer 1 files alike', () => {
    const path = '/srv/app/vendor/composer/installed.json';
    expect(isComposerInstalled(path)).toBe(true);
    const two = feed(composerReader(path), JSON.stringify({ packages: pkgs, dev: true }), 100);
    expect(two.packages).toEqual([
      {
        manager: 'composer',
        namespace: 'psr',
        name: 'log',
        version: '3.0.0',
        purl: 'pkg:composer/psr/log@3.0.0',
        license: 'MIT',
        dirs: ['/srv/app/vendor/psr/log'],
      },
      {
        manager: 'composer',
        namespace: 'monolog',
        name: 'monolog',
        version: '3.5.0',
        purl: 'pkg:composer/monolog/monolog@3.5.0',
        license: 'MIT OR Apache-2.0',
        dependsOn: ['psr/log'],
        dirs: ['/srv/app/vendor/monolog/monolog'],
      },
      {
        manager: 'composer',
        namespace: 'acme',
        name: 'escape',
        version: 'dev-main',
        purl: 'pkg:composer/acme/escape@dev-main',
      },
    ]);
    const one = feed(composerReader(path), JSON.stringify(pkgs.map(({ 'install-path': _, ...p }) => p)), 100);
    expect(one.packages.map((p) => p.dirs)).toEqual([
      ['/srv/app/vendor/psr/log'],
      ['/srv/app/vendor/monolog/monolog'],
      ['/srv/app/vendor/acme/escape'],
    ]);
  });

  it('entries that are not packages are counted as bad', () => {
    const r = feed(composerReader('/v/vendor/composer/installed.json'), '{"packages":[1,{"version":"1"}]}');
    expect(r.bad).toBe(2);
    expect(r.packages).toEqual([]);
  });
});

describe('conda-meta', () => {
  it('reads a conda-meta record with its files relative to the prefix', () => {
    const path = '/opt/conda/conda-meta/zlib-1.2.13-h5eee18b_0.json';
    expect(isCondaMeta(path)).toBe(true);
    expect(isCondaMeta('/opt/conda/conda-meta/history')).toBe(false);
    const doc = {
      name: 'zlib',
      version: '1.2.13',
      build: 'h5eee18b_0',
      subdir: 'linux-64',
      channel: 'https://repo.anaconda.com/pkgs/main/linux-64',
      license: 'Zlib',
      depends: ['libgcc-ng >=11.2.0'],
      files: ['include/zlib.h', 'lib/libz.so.1', '../../etc/passwd'],
    };
    const r = feed(condaReader(path), JSON.stringify(doc), 64);
    expect(r.packages).toEqual([
      {
        manager: 'conda',
        name: 'zlib',
        version: '1.2.13',
        purl: 'pkg:conda/zlib@1.2.13?build=h5eee18b_0&subdir=linux-64',
        license: 'Zlib',
        source: 'https://repo.anaconda.com/pkgs/main/linux-64',
        dependsOn: ['libgcc-ng'],
        files: ['/opt/conda/include/zlib.h', '/opt/conda/lib/libz.so.1'],
      },
    ]);
    expect(r.bad).toBe(1);
  });
});

describe('cargo-auditable .dep-v0', () => {
  const doc = {
    packages: [
      { name: 'hello', version: '0.1.0', source: 'local', dependencies: [1], root: true },
      { name: 'serde', version: '1.0.200', source: 'crates.io', dependencies: [2, 99] },
      { name: 'serde_derive', version: '1.0.200', source: 'crates.io', kind: 'build' },
    ],
  };

  it('reads the crates with their dependencies; only registry crates get a purl', () => {
    const deps = readDepSection(deflateSync(JSON.stringify(doc)));
    expect(deps.bad).toBe(1); // the index 99 that points nowhere
    expect(cargoPackages(deps, '/usr/bin/hello')).toEqual([
      {
        manager: 'cargo',
        name: 'hello',
        version: '0.1.0',
        source: 'local',
        dependsOn: ['serde'],
        files: ['/usr/bin/hello'],
      },
      {
        manager: 'cargo',
        name: 'serde',
        version: '1.0.200',
        source: 'crates.io',
        purl: 'pkg:cargo/serde@1.0.200',
        dependsOn: ['serde_derive'],
        files: ['/usr/bin/hello'],
      },
      {
        manager: 'cargo',
        name: 'serde_derive',
        version: '1.0.200',
        source: 'crates.io',
        purl: 'pkg:cargo/serde_derive@1.0.200',
        files: ['/usr/bin/hello'],
      },
    ]);
  });

  it('a bomb, garbage and the wrong JSON are notes', () => {
    expect(readDepSection(deflateSync(Buffer.alloc(64 * 1024 * 1024))).notes).toEqual([
      'a .dep-v0 section that inflates past 16777216 bytes',
    ]);
    expect(readDepSection(Buffer.from('garbage')).notes).toEqual(['a .dep-v0 section that does not inflate']);
    expect(readDepSection(deflateSync('{"crates":[]}')).notes).toEqual([
      'a .dep-v0 section that is not cargo-auditable JSON',
    ]);
  });
});
