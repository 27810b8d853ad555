// The language worlds as format modules: a layer's scan routes each file to its reader, the layer cache
// gives back what it stored, and the owners turn the records into report packages with purls and files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findOwners } from '../../src/analysis/owners.js';
import { reportOwners } from '../../src/analysis/owners-report.js';
import { flatten } from '../../src/flatten/flatten.js';
import { isParsedDb, matchFile } from '../../src/formats/index.js';
import { LayerCache } from '../../src/scan/cache.js';
import { scanLayer } from '../../src/scan/layer.js';
import { chunks, dir, file, tar } from '../helpers/tar.js';
import { buildZip, pomJar } from '../helpers/zip-build.js';
import { deflateSync } from 'node:zlib';
import { buildElf, SHF, SHT } from '../helpers/elf-build.js';

const SITE = '/usr/lib/python3/dist-packages';
const EGG = `${SITE}/Demo_Pkg-0.3.1.egg-info`;

/** A Rust-like binary with cargo-auditable's section: the app, a crates.io crate and a git one. */
function rustBinary(): Buffer {
  const deps = {
    packages: [
      { name: 'app', version: '0.1.0', source: 'local', dependencies: [1, 2], root: true },
      { name: 'itoa', version: '1.0.11', source: 'crates.io' },
      { name: 'mine', version: '0.2.0', source: 'git' },
    ],
  };
  return buildElf({
    sections: [
      { name: '.text', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXEC, data: Buffer.alloc(4096, 0x90) },
      { name: '.dep-v0', type: SHT.PROGBITS, data: deflateSync(JSON.stringify(deps)) },
    ],
  }).file;
}

function image(): Buffer {
  const lang3 = pomJar('org.apache.commons', 'commons-lang3', '3.12.0');
  const boot = buildZip([
    { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\r\n\r\n' },
    { name: 'BOOT-INF/lib/commons-lang3-3.12.0.jar', data: lang3 },
  ]);
  const installed = {
    packages: [
      {
        name: 'acme/alpha',
        version: '1.2.3',
        license: ['MIT'],
        require: { 'acme/beta': '^2' },
        'install-path': '../acme/alpha',
      },
      { name: 'acme/beta', version: '2.0.1', 'install-path': '../acme/beta' },
    ],
  };
  const conda = {
    name: 'zlib',
    version: '1.2.13',
    build: 'h5eee18b_0',
    channel: 'https://repo.anaconda.com/pkgs/main/linux-64',
    license: 'Zlib',
    depends: ['libgcc-ng >=11.2.0'],
    files: ['lib/libz.so.1.2.13'],
  };
  const deps = {
    runtimeTarget: { name: '.NETCoreApp,Version=v8.0' },
    targets: {
      '.NETCoreApp,Version=v8.0': {
        'App/1.0.0': { dependencies: { 'Newtonsoft.Json': '13.0.3' }, runtime: { 'App.dll': {} } },
        'Newtonsoft.Json/13.0.3': { runtime: { 'lib/net6.0/Newtonsoft.Json.dll': {} } },
      },
    },
    libraries: {
      'App/1.0.0': { type: 'project' },
      'Newtonsoft.Json/13.0.3': { type: 'package', sha512: 'sha512-x' },
    },
  };
  return tar([
    file('/usr/share/java/commons-lang3.jar', lang3),
    file('/app/app.jar', boot),
    dir(EGG),
    file(`${EGG}/PKG-INFO`, 'Metadata-Version: 2.1\nName: Demo_Pkg\nVersion: 0.3.1\nLicense: MIT\n\nlong\n'),
    file(`${EGG}/requires.txt`, 'six>=1.0\nZope.Interface\n[test]\npytest\n'),
    file(`${EGG}/top_level.txt`, 'demo\n'),
    file(`${SITE}/demo.py`, 'x = 1\n'),
    file(`${SITE}/six-1.16.0.egg-info`, 'Metadata-Version: 1.2\nName: six\nVersion: 1.16.0\n'),
    file('/srv/vendor/composer/installed.json', JSON.stringify(installed)),
    file('/srv/vendor/acme/alpha/composer.json', '{}'),
    file('/srv/vendor/acme/alpha/src/A.php', '<?php\n'),
    file('/srv/vendor/acme/beta/composer.json', '{}'),
    file('/opt/conda/conda-meta/zlib-1.2.13-h5eee18b_0.json', JSON.stringify(conda)),
    file('/opt/conda/lib/libz.so.1.2.13', 'z'),
    file('/srv/dotnet/App.deps.json', JSON.stringify(deps)),
    file('/srv/dotnet/Newtonsoft.Json.dll', 'MZ'),
    file('/usr/local/bin/app', rustBinary(), { mode: 0o755 }),
  ]);
}

describe('the language worlds as format modules', () => {
  it('matches their files by path, and nothing else', () => {
    expect(matchFile('/a/b.jar')?.kind).toBe('maven-archive');
    expect(matchFile('/a/b.WAR')?.kind).toBe('maven-archive');
    expect(matchFile(`${EGG}/PKG-INFO`)?.kind).toBe('egg-pkg-info');
    expect(matchFile(`${EGG}/SOURCES.txt`)).toBeUndefined();
    expect(matchFile('/x/notes.txt')).toBeUndefined();
    expect(matchFile('/a/App.deps.json')?.kind).toBe('nuget-deps');
    expect(matchFile('/a/vendor/composer/installed.json')?.kind).toBe('composer-installed');
    expect(matchFile('/o/conda-meta/history')).toBeUndefined();
    expect(matchFile('/o/conda-meta/a-1-0.json')?.kind).toBe('conda-meta');
    expect(matchFile('/a/b.jarx')).toBeUndefined();
  });

  it('round-trips through the layer cache: what is read back is what was stored', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'slimgate-langcache-'));
    try {
      const scan = await scanLayer(chunks(image(), 333), 'layer 0');
      const parsed = scan.entries.filter((e) => e.pkg);
      expect(parsed.map((e) => e.pkg?.kind).sort()).toEqual(
        [
          'composer-installed',
          'conda-meta',
          'egg-pkg-info',
          'egg-pkg-info',
          'egg-requires',
          'egg-top-level',
          'maven-archive',
          'maven-archive',
          'nuget-deps',
        ].sort(),
      );
      for (const e of parsed) expect(isParsedDb(JSON.parse(JSON.stringify(e.pkg))), e.path).toBe(true);
      const cache = new LayerCache(root);
      await cache.put(scan);
      const back = await cache.get(scan.digest);
      expect(back?.entries.filter((e) => e.pkg)).toEqual(parsed);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a cached record whose new fields have the wrong type', () => {
    const ok = { kind: 'maven-archive', packages: [{ name: 'g:a', version: '1', purl: 'pkg:maven/g/a@1' }] };
    expect(isParsedDb(ok)).toBe(true);
    expect(isParsedDb({ ...ok, packages: [{ name: 'a', version: '1', purl: 5 }] })).toBe(false);
    expect(isParsedDb({ ...ok, packages: [{ name: 'a', version: '1', dir: ['/x'] }] })).toBe(false);
    expect(isParsedDb({ kind: 'egg-top-level', dirs: ['/x'] })).toBe(false);
    expect(isParsedDb({ kind: 'egg-top-level', notes: [1] })).toBe(false);
    expect(isParsedDb({ kind: 'egg-top-level', key: 3 })).toBe(false);
  });

  it('gives each package its purl, licenses, dependencies, layer and the files it owns', async () => {
    const scan = await scanLayer(chunks(image(), 4096), 'layer 0');
    const owners = findOwners(flatten([scan]).files);
    const { packages } = reportOwners(owners);
    const by = new Map(packages.map((p) => [`${p.manager} ${p.name}`, p]));
    expect(by.get('maven org.apache.commons:commons-lang3')).toMatchObject({
      purl: 'pkg:maven/org.apache.commons/commons-lang3@3.12.0',
      version: '3.12.0',
      copies: 2,
      files: 1,
      layer: 0,
    });
    // The outer archive is its own package first (named by its manifest, having no pom.properties); the
    // jar nested in it is listed, and owns no file of its own.
    expect(owners.ownerOf('/usr/share/java/commons-lang3.jar')?.name).toBe(
      'org.apache.commons:commons-lang3',
    );
    expect(owners.ownerOf('/app/app.jar')?.name).toBe('app');
    expect(by.get('python Demo_Pkg')).toMatchObject({
      purl: 'pkg:pypi/demo-pkg@0.3.1',
      licenses: 'MIT',
      dependsOn: ['six', 'zope-interface'],
      files: 4,
    });
    expect(owners.ownerOf(`${SITE}/demo.py`)?.name).toBe('Demo_Pkg');
    expect(by.get('python six')).toMatchObject({ purl: 'pkg:pypi/six@1.16.0', files: 1 });
    expect(by.get('composer acme/alpha')).toMatchObject({
      purl: 'pkg:composer/acme/alpha@1.2.3',
      licenses: 'MIT',
      dependsOn: ['acme/beta'],
      files: 2,
    });
    expect(by.get('composer acme/beta')).toMatchObject({ files: 1 });
    expect(by.get('conda zlib')).toMatchObject({ version: '1.2.13', licenses: 'Zlib', files: 1 });
    expect(by.get('conda zlib')?.purl).toMatch(/^pkg:conda\/zlib@1\.2\.13\?/);
    expect(by.get('nuget Newtonsoft.Json')).toMatchObject({
      purl: 'pkg:nuget/Newtonsoft.Json@13.0.3',
      files: 1,
    });
    expect(owners.ownerOf('/srv/dotnet/Newtonsoft.Json.dll')?.name).toBe('Newtonsoft.Json');
    // The program's crates: listed with the binary, which the root crate claims.
    expect(by.get('cargo itoa')).toMatchObject({
      purl: 'pkg:cargo/itoa@1.0.11',
      version: '1.0.11',
      layer: 0,
    });
    expect(by.get('cargo app')).toMatchObject({ dependsOn: ['itoa', 'mine'], files: 1 });
    expect(by.get('cargo app')?.purl).toBeUndefined();
    expect(by.get('cargo mine')?.purl).toBeUndefined();
    expect(owners.ownerOf('/usr/local/bin/app')?.name).toBe('app');
  });
});
