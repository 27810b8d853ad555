// The format modules (src/formats/): what each package carries (purl, source, license, layer, arch,
// supplier, dependencies), and the wrong answers of "who brought the bytes" that they fix, each with an
// image built entry by entry.
import { describe, expect, it } from 'vitest';
import { gemStem } from '../../src/formats/gem.js';
import { goModulePurl, goStdlib } from '../../src/formats/golang.js';
import { spdxLicense } from '../../src/formats/license.js';
import { ElfProbe } from '../../src/scan/elf-probe.js';
import { validateReport } from '../../src/report/validate.js';
import { diffPackages, versionChange } from '../../src/report/packages-diff.js';
import type { Report, ReportPackage } from '../../src/types/report.js';
import { buildElf, goBuildInfo, goLikeSections, SHT } from '../helpers/elf-build.js';
import { check, D, DPKG, F, image, P, S, T } from '../helpers/rules-kit.js';

const OS_RELEASE = T('/etc/os-release', 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12"\n');

const pkgOf = (r: Report, name: string): ReportPackage | undefined =>
  r.packages?.find((p) => p.name === name);
const ownerOf = (r: Report, path: string): string | undefined => {
  const f = r.files.find((x) => x.path === path);
  return f?.owner === undefined ? undefined : r.packages?.[f.owner]?.name;
};

const STATUS = `Package: bash
Status: install ok installed
Maintainer: Matthias Klose <doko@debian.org>
Architecture: amd64
Version: 5.2.15-2+b2
Pre-Depends: libc6 (>= 2.36), libtinfo6 (>= 6)
Depends: base-files (>= 2.1.12), debianutils (>= 5.6-0.1)

Package: libc6
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4
Depends: libgcc-s1

Package: gcc-12-base
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Source: gcc-12 (12.2.0-14)
Version: 12.2.0-14

Package: libgcc-s1
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Source: gcc-12 (12.2.0-14)
Version: 12.2.0-14
Depends: gcc-12-base (= 12.2.0-14), libc6 (>= 2.35)

Package: gcc-12
Status: install ok installed
Architecture: amd64
Version: 12.2.0-14
Depends: cpp-12 (= 12.2.0-14), gcc-12-base (= 12.2.0-14), libcc1-0 | libgcc-s1:any
`;

describe('what each package carries', () => {
  const img = image([
    [OS_RELEASE, F('/usr/bin/bash', 100)],
    [
      P('/var/lib/dpkg/status', STATUS),
      P('/var/lib/dpkg/info/bash.list', '/.\n/usr\n/usr/bin\n/usr/bin/bash\n'),
      P('/var/lib/dpkg/info/gcc-12.list', '/usr/bin/gcc-12\n'),
      P('/var/lib/dpkg/info/gcc-12-base:amd64.list', '/usr/share/doc/gcc-12-base/README\n'),
      F('/usr/bin/gcc-12', 2_000_000),
      F('/usr/share/doc/gcc-12-base/README', 10),
      P(
        '/app/node_modules/@types/node/package.json',
        '{"name":"@types/node","version":"20.11.0","license":{"type":"MIT"},"author":"DT <dt@x>","dependencies":{"undici-types":"~5"}}',
      ),
      P(
        '/usr/lib/python3/dist-packages/Typing_Extensions-4.9.0.dist-info/METADATA',
        'Metadata-Version: 2.1\nName: Typing_Extensions\nVersion: 4.9.0\nLicense-Expression: PSF-2.0\nRequires-Dist: idna<4,>=2.5\nRequires-Dist: PySocks>=1.5.6; extra == "socks"\n\n',
      ),
      P(
        '/usr/lib/python3/dist-packages/Typing_Extensions-4.9.0.dist-info/RECORD',
        'typing_extensions.py,,\n',
      ),
      F('/usr/lib/python3/dist-packages/typing_extensions.py', 50),
    ],
  ]);
  const r = check(img);

  it('dpkg: purl with the distro, source with its version, supplier, arch, layer, dependencies', () => {
    expect(pkgOf(r, 'bash')).toMatchObject({
      purl: 'pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12',
      arch: 'amd64',
      layer: 1,
      supplier: 'Matthias Klose <doko@debian.org>',
      dependsOn: ['libc6', 'libtinfo6', 'base-files', 'debianutils'],
    });
    // No Source field: the binary is its own source (dpkg-query prints its own name), nothing invented.
    expect(pkgOf(r, 'bash')?.source).toBeUndefined();
    expect(pkgOf(r, 'bash')?.licenses).toBeUndefined();
    expect(pkgOf(r, 'libc6:amd64')).toMatchObject({
      purl: 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12',
      source: { name: 'glibc', version: '2.36-9+deb12u4' },
    });
    expect(pkgOf(r, 'gcc-12-base:amd64')?.source).toEqual({ name: 'gcc-12', version: '12.2.0-14' });
    expect(pkgOf(r, 'gcc-12')?.dependsOn).toEqual(['cpp-12', 'gcc-12-base', 'libcc1-0']);
  });

  it('npm: the scope encoded, the license object read; Python: the name normalised, extras left out', () => {
    expect(pkgOf(r, '@types/node')).toMatchObject({
      purl: 'pkg:npm/%40types/node@20.11.0',
      licenses: 'MIT',
      supplier: 'DT',
      dependsOn: ['undici-types'],
      layer: 1,
    });
    expect(pkgOf(r, 'Typing_Extensions')).toMatchObject({
      purl: 'pkg:pypi/typing-extensions@4.9.0',
      licenses: 'PSF-2.0',
      dependsOn: ['idna'],
    });
  });

  it('reads back through validateReport', () => {
    const back = validateReport(JSON.parse(JSON.stringify(r)));
    expect(back.packages).toEqual(r.packages);
  });

  it('SG402: gcc-12-base is a run-time library (libgcc-s1 needs it), gcc-12 a toolchain', () => {
    const f = r.findings.find((x) => x.id === 'SG402');
    expect(f?.message).toContain('gcc-12 12.2.0-14');
    expect(f?.message).not.toContain('gcc-12-base');
  });
});

describe('licenses: SPDX or nothing', () => {
  it.each([
    ['MIT', 'MIT'],
    ['MIT OR Apache-2.0', 'MIT OR Apache-2.0'],
    ['Apache 2', 'Apache-2.0'],
    ['MIT License', 'MIT'],
    ['GPLv2+', 'GPL-2.0-or-later'],
    ['GPL', undefined],
    ['BSD', undefined],
    ['Proprietary; see LICENSE', undefined],
    ['MIT\u202e', undefined],
    ['', undefined],
  ])('%s → %s', (text, want) => expect(spdxLicense(text)).toBe(want));
});

describe('Go', () => {
  it('modules and the standard library as purls', () => {
    expect(goModulePurl('github.com/spf13/cobra', 'v1.8.0')).toBe('pkg:golang/github.com/spf13/cobra@v1.8.0');
    expect(goModulePurl('example.com/app', '(devel)')).toBe('pkg:golang/example.com/app');
    expect(goStdlib('go1.21.5')).toEqual({ version: '1.21.5', purl: 'pkg:golang/stdlib@1.21.5' });
    expect(goStdlib('go1.22.0 X:boringcrypto')?.version).toBe('1.22.0');
    expect(goStdlib('devel go1.23-abc')).toBeUndefined();
  });

  it('a Go binary in the report carries both', () => {
    const modinfo =
      'path\texample.com/app\nmod\texample.com/app\t(devel)\t\ndep\tgolang.org/x/sys\tv0.15.0\th1:x=\n';
    const { file: bin } = buildElf({ sections: goLikeSections(goBuildInfo('go1.21.5', modinfo)) });
    const p = new ElfProbe(bin.length);
    p.write(bin);
    const elf = p.end();
    const r = check(image([[F('/app', bin.length, { mode: 0o755, ...(elf ? { elf } : {}) })]]));
    const go = r.binaries?.[0]?.go;
    expect(go?.stdlib).toEqual({ version: '1.21.5', purl: 'pkg:golang/stdlib@1.21.5' });
    expect(go?.deps[0]?.purl).toBe('pkg:golang/golang.org/x/sys@v0.15.0');
    expect(validateReport(JSON.parse(JSON.stringify(r))).binaries?.[0]?.go?.stdlib?.version).toBe('1.21.5');
  });
});

describe('the wrong answers of issue 23', () => {
  it('a symlink to a directory that a package ships is that package’s; usr-merge’s /lib is nobody’s', () => {
    const r = check(
      image([
        [
          S('/lib', 'usr/lib'),
          D('/usr/lib/go-1.21/bin'),
          F('/usr/lib/go-1.21/bin/go', 1000),
          S('/usr/lib/go', 'go-1.21'),
          D('/usr/share/doc/libfoo1'),
          F('/usr/share/doc/libfoo1/copyright', 10),
          S('/usr/share/doc/libfoo-dev', 'libfoo1'),
          D('/usr/share/zoneinfo/Africa'),
          F('/usr/share/zoneinfo/Africa/Abidjan', 5),
          S('/usr/share/zoneinfo/posix', '.'),
          D('/usr/lib/x86_64-linux-gnu'),
          F('/usr/lib/x86_64-linux-gnu/libc.so.6', 500),
          ...DPKG(
            ['golang-go', '/usr\n/usr/lib\n/usr/lib/go'],
            ['golang-1.21-go', '/usr/lib/go-1.21\n/usr/lib/go-1.21/bin\n/usr/lib/go-1.21/bin/go'],
            ['libfoo-dev', '/usr/share/doc\n/usr/share/doc/libfoo-dev'],
            ['tzdata', '/usr/share/zoneinfo/Africa/Abidjan\n/usr/share/zoneinfo/posix'],
            ['libc6', '/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libc.so.6'],
          ),
        ],
      ]),
    );
    expect(ownerOf(r, '/usr/lib/go')).toBe('golang-go');
    expect(ownerOf(r, '/usr/share/doc/libfoo-dev')).toBe('libfoo-dev');
    expect(ownerOf(r, '/usr/share/zoneinfo/posix')).toBe('tzdata');
    expect(ownerOf(r, '/usr/lib/x86_64-linux-gnu/libc.so.6')).toBe('libc6');
    expect(ownerOf(r, '/lib')).toBeUndefined();
    expect(pkgOf(r, 'golang-go')?.files).toBe(1);
    // go, libc.so.6, Abidjan and the three symlinks.
    expect(r.ownership?.owned.files).toBe(6);
  });

  it('gem names that end in a dash and a digit, and platform gems, read right', () => {
    expect(gemStem('http-2-1.0.1')).toEqual({ name: 'http-2', version: '1.0.1' });
    expect(gemStem('nokogiri-1.16.0-x86_64-linux')).toEqual({
      name: 'nokogiri',
      version: '1.16.0',
      platform: 'x86_64-linux',
    });
    expect(gemStem('ffi-1.15.5-universal-darwin-22')).toEqual({
      name: 'ffi',
      version: '1.15.5',
      platform: 'universal-darwin-22',
    });
    expect(gemStem('evil\nname-1.2.3')).toEqual({ name: 'evil\nname', version: '1.2.3' });
    expect(gemStem('noversion')).toEqual({ name: 'noversion', version: null });
    const spec = (stem: string, body: string): ReturnType<typeof P> =>
      P(`/usr/local/bundle/specifications/${stem}.gemspec`, body);
    const r = check(
      image([
        [
          D('/usr/local/bundle/gems/http-2-1.0.1'),
          F('/usr/local/bundle/gems/http-2-1.0.1/lib/http2.rb', 100),
          spec('http-2-1.0.1', '# written by hand: no fields\n'),
          D('/usr/local/bundle/gems/nokogiri-1.16.0-x86_64-linux'),
          F('/usr/local/bundle/gems/nokogiri-1.16.0-x86_64-linux/lib/nokogiri.so', 300),
          spec(
            'nokogiri-1.16.0-x86_64-linux',
            '# -*- encoding: utf-8 -*-\nGem::Specification.new do |s|\n  s.name = "nokogiri".freeze\n' +
              '  s.version = "1.16.0".freeze\n  s.platform = "x86_64-linux".freeze\n' +
              '  s.licenses = ["MIT".freeze]\n  s.add_runtime_dependency(%q<racc>.freeze, ["~> 1.4".freeze])\n' +
              '  s.add_development_dependency(%q<rake>.freeze, [">= 0".freeze])\nend\n',
          ),
          D('/usr/local/bundle/gems/odd\nname-2.0.0'),
          F('/usr/local/bundle/gems/odd\nname-2.0.0/x.rb', 1),
          spec('odd\nname-2.0.0', ''),
        ],
      ]),
    );
    expect(pkgOf(r, 'http-2')).toMatchObject({ version: '1.0.1', files: 1, purl: 'pkg:gem/http-2@1.0.1' });
    expect(pkgOf(r, 'nokogiri')).toMatchObject({
      version: '1.16.0',
      purl: 'pkg:gem/nokogiri@1.16.0?platform=x86_64-linux',
      licenses: 'MIT',
      dependsOn: ['racc'],
    });
    expect(pkgOf(r, 'odd\nname')?.version).toBe('2.0.0');
  });

  it('SG403 leaves out a devDependency that a production dependency needs, and does not count it', () => {
    const pj = (path: string, doc: object): ReturnType<typeof P> => P(path, JSON.stringify(doc));
    const r = check(
      image([
        [
          pj('/app/package.json', {
            name: 'app',
            dependencies: { express: '^4' },
            devDependencies: { debug: '^2', jest: '^29', ms: '^2' },
          }),
          pj('/app/node_modules/express/package.json', {
            name: 'express',
            version: '4.18.2',
            dependencies: { debug: '2.6.9' },
          }),
          F('/app/node_modules/express/index.js', 200_000),
          pj('/app/node_modules/debug/package.json', {
            name: 'debug',
            version: '2.6.9',
            dependencies: { ms: '2' },
          }),
          F('/app/node_modules/debug/index.js', 3_000_000),
          // debug needs its own ms (nested): the top-level ms is the application's devDependency only.
          pj('/app/node_modules/debug/node_modules/ms/package.json', { name: 'ms', version: '2.0.0' }),
          pj('/app/node_modules/ms/package.json', { name: 'ms', version: '2.1.3' }),
          F('/app/node_modules/ms/index.js', 1_000_000),
          pj('/app/node_modules/jest/package.json', { name: 'jest', version: '29.0.0' }),
          F('/app/node_modules/jest/index.js', 2_000_000),
        ],
      ]),
    );
    const f = r.findings.find((x) => x.id === 'SG403');
    expect(f?.message).toContain('2 devDependencies');
    expect(f?.message).toContain('jest');
    expect(f?.message).toContain('ms');
    expect(f?.message).not.toContain('debug');
    expect(f?.message).toContain('at least 3.00 MB');
  });

  it('a binary whose only debug data is .gnu_debugdata (MiniDebugInfo) is stripped, as file(1) says', () => {
    const probe = (extra: { name: string; size: number }[]): ReturnType<ElfProbe['end']> => {
      const sections = [
        ...goLikeSections(Buffer.alloc(0)),
        ...extra.map((e) => ({ name: e.name, type: SHT.PROGBITS, data: Buffer.alloc(e.size, 1) })),
      ];
      const { file } = buildElf({ sections });
      const p = new ElfProbe(file.length);
      p.write(file);
      return p.end();
    };
    const mini = probe([{ name: '.gnu_debugdata', size: 6000 }]);
    expect(mini?.stripped).toBe(true);
    expect(mini?.kinds?.debug).toBe(6000);
    expect(
      probe([
        { name: '.gnu_debugdata', size: 6000 },
        { name: '.debug_info', size: 100 },
      ])?.stripped,
    ).toBe(false);
  });
});

describe('the package diff', () => {
  it('carries the purl, and a license change is a change', () => {
    const base = (licenses: string, purl: string): Report =>
      ({
        packages: [{ manager: 'npm', name: 'x', version: '1', size: 10, files: 1, licenses, purl }],
        ownership: { owned: { bytes: 10, files: 1 }, unowned: { bytes: 0, files: 0 }, notes: [] },
      }) as unknown as Report;
    const d = diffPackages(base('MIT', 'pkg:npm/x@1'), base('GPL-3.0-only', 'pkg:npm/x@1'));
    expect(d?.items).toHaveLength(1);
    expect(d?.items[0]).toMatchObject({ change: 'changed', purl: 'pkg:npm/x@1' });
    expect(versionChange(d?.items[0] as never)).toBe('1 (license MIT → GPL-3.0-only)');
  });
});
