// The SBOMs (src/report/sbom-*.ts): valid against the official CycloneDX 1.6 and SPDX 2.3 JSON schemas for
// normal and hostile reports, byte-identical under SOURCE_DATE_EPOCH, bounded, and free of secret values.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCycloneDx } from '../../src/report/sbom-cyclonedx.js';
import { MAX_FILES_PER_PACKAGE } from '../../src/report/sbom-model.js';
import { renderSpdx, spdxChunks } from '../../src/report/sbom-spdx.js';
import { sbomFormat, sbomTime, writeSbom } from '../../src/output/sbom-file.js';
import type { Report, ReportBinary, ReportFile, ReportPackage } from '../../src/types/report.js';
import { InputError } from '../../src/util/errors.js';
import { file, layer, report } from '../helpers/github-reports.js';
import { check as kitCheck, D, DPKG, F, image as kitImage } from '../helpers/rules-kit.js';
import { cycloneDxErrors, spdxErrors } from '../helpers/sbom-schemas.js';

const SECRET_SETTING = 'ghp_0123456789abcdefghijklmnopqrstuvwxyz';
const SECRET_ENV = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const T0 = new Date('2026-01-02T03:04:05.678Z');

type Cdx = {
  serialNumber: string;
  metadata: {
    timestamp: string;
    component: { type: string; version: string; properties: { name: string; value: string }[] };
  };
  components: Cdx.Component[];
  dependencies: { ref: string; dependsOn: string[] }[];
};
// eslint-disable-next-line @typescript-eslint/no-namespace
declare namespace Cdx {
  type Component = {
    type: string;
    'bom-ref': string;
    name: string;
    version?: string;
    purl?: string;
    licenses?: { expression: string }[];
    supplier?: { name: string };
    evidence?: { occurrences: { location: string }[] };
    properties?: { name: string; value: string }[];
    components?: Component[];
  };
}
type Spdx = {
  documentNamespace: string;
  creationInfo: { created: string };
  packages: {
    SPDXID: string;
    name: string;
    versionInfo?: string;
    primaryPackagePurpose?: string;
    externalRefs?: { referenceLocator: string }[];
    licenseDeclared: string;
    supplier?: string;
  }[];
  files: { SPDXID: string; fileName: string }[];
  relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
};

function pkg(name: string, x: Partial<ReportPackage> = {}): ReportPackage {
  return { manager: 'dpkg', name, version: '1.0', size: 10, files: 1, ...x };
}

const goBinary: ReportBinary = {
  path: '/app/server',
  size: 5_000_000,
  kinds: { code: 4_000_000, debug: 0, symbols: 1_000_000, other: 0 },
  stripped: false,
  go: {
    version: 'go1.22.4',
    path: 'example.com/server',
    main: { path: 'example.com/server', version: '(devel)' },
    deps: [
      {
        path: 'golang.org/x/net',
        version: 'v0.25.0',
        sum: 'h1:abc=',
        purl: 'pkg:golang/golang.org/x/net@v0.25.0',
      },
      {
        path: 'github.com/old/lib',
        version: 'v1.0.0',
        replace: { path: 'github.com/new/lib', version: 'v1.1.0' },
      },
      { path: 'example.com/local', version: 'v0.0.0', replace: { path: '../local', version: '' } },
    ],
    settings: [
      { key: '-ldflags', value: `-X main.token=${SECRET_SETTING}` },
      { key: 'vcs.revision', value: 'deadbeef' },
    ],
    stdlib: { version: 'go1.22.4', purl: 'pkg:golang/stdlib@go1.22.4' },
  },
};

/** A Debian-like image: three packages (one needing a missing one), an npm package and a Go binary. */
function richReport(): Report {
  const files: ReportFile[] = [
    file('/usr/lib/x86_64-linux-gnu/libc.so.6', 2_000_000, { owner: 0, layer: 0 }),
    file('/usr/lib/x86_64-linux-gnu/libgcc_s.so.1', 100_000, { owner: 1, layer: 0 }),
    file('/srv/node_modules/left-pad/index.js', 1000, { owner: 2, layer: 1 }),
    file('/app/server', 5_000_000, { layer: 1 }),
  ];
  const r = report({
    files,
    layers: [layer('1', 'ADD rootfs.tar /', 80_000_000), layer('2', 'COPY . /srv', 6_000_000)],
    packages: [
      pkg('libc6', {
        version: '2.36-9+deb12u4',
        purl: 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12',
        licenses: 'LGPL-2.1-or-later AND GPL-2.0-only',
        source: { name: 'glibc', version: '2.36-9+deb12u4' },
        layer: 0,
        arch: 'amd64',
        supplier: 'GNU Libc Maintainers <debian-glibc@lists.debian.org>',
        dependsOn: ['libgcc-s1', 'not-installed'],
      }),
      pkg('libgcc-s1', {
        purl: 'pkg:deb/debian/libgcc-s1@12.2.0-14?arch=amd64',
        layer: 0,
        dependsOn: ['libc6'],
      }),
      pkg('left-pad', {
        manager: 'npm',
        version: '1.3.0',
        purl: 'pkg:npm/left-pad@1.3.0',
        layer: 1,
        licenses: 'WTFPL',
      }),
    ],
    binaries: [goBinary],
  });
  r.image.config.env = ['PATH=/usr/bin', `AWS_SECRET_ACCESS_KEY=${SECRET_ENV}`];
  r.base = {
    verdict: 'os',
    image: 'debian:12',
    evidence: [],
    os: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
  };
  return r;
}

describe('CycloneDX 1.6', () => {
  const text = renderCycloneDx(richReport(), T0);
  const bom = JSON.parse(text) as Cdx;
  const byName = (n: string): Cdx.Component => bom.components.find((c) => c.name === n)!;

  it('validates against the official schema', () => {
    expect(cycloneDxErrors(text)).toEqual([]);
  });

  it('has the image as the root, every package with its purl, license, supplier, source and layer', () => {
    expect(bom.metadata.component.type).toBe('container');
    expect(bom.metadata.component.version).toBe(richReport().image.digest);
    expect(bom.metadata.component.properties).toContainEqual({
      name: 'slimgate:image:platform',
      value: 'linux/amd64',
    });
    expect(bom.metadata.component.properties).toContainEqual({
      name: 'slimgate:base:image',
      value: 'debian:12',
    });
    const libc = byName('libc6');
    expect(libc.purl).toBe('pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12');
    expect(libc.licenses).toEqual([{ expression: 'LGPL-2.1-or-later AND GPL-2.0-only' }]);
    expect(libc.supplier).toEqual({ name: 'GNU Libc Maintainers <debian-glibc@lists.debian.org>' });
    expect(libc.properties).toContainEqual({ name: 'slimgate:source:name', value: 'glibc' });
    expect(libc.properties).toContainEqual({
      name: 'slimgate:layer:diffId',
      value: richReport().layers[0]!.diffId,
    });
    expect(byName('left-pad').properties).toContainEqual({
      name: 'slimgate:layer:diffId',
      value: richReport().layers[1]!.diffId,
    });
    expect(libc.evidence?.occurrences).toEqual([{ location: '/usr/lib/x86_64-linux-gnu/libc.so.6' }]);
  });

  it('lists a Go binary with its modules (the replacement, not the replaced) and the standard library', () => {
    const server = byName('/app/server');
    expect(server.type).toBe('application');
    expect(server.components?.map((c) => [c.name, c.version, c.purl])).toEqual([
      ['example.com/server', '(devel)', undefined],
      ['golang.org/x/net', 'v0.25.0', 'pkg:golang/golang.org/x/net@v0.25.0'],
      ['github.com/new/lib', 'v1.1.0', undefined],
      // A directory replacement says less than the module it replaces.
      ['example.com/local', 'v0.0.0', undefined],
      ['stdlib', 'go1.22.4', 'pkg:golang/stdlib@go1.22.4'],
    ]);
  });

  it('resolves dependencies to refs of the same manager, drops unknown names, and roots the image', () => {
    const ref = (n: string): string => byName(n)['bom-ref'];
    const deps = new Map(bom.dependencies.map((d) => [d.ref, d.dependsOn]));
    expect(deps.get(ref('libc6'))).toEqual([ref('libgcc-s1')]);
    expect(deps.get(ref('libgcc-s1'))).toEqual([ref('libc6')]);
    // libc6 and libgcc-s1 depend on each other: neither is top-level; left-pad and the binary are.
    const root = deps.get(bom.metadata.component['bom-ref' as never] as string);
    expect(root).toEqual([ref('left-pad'), ref('/app/server')]);
    const refs = [
      ...bom.components.map((c) => c['bom-ref']),
      ...bom.components.flatMap((c) => (c.components ?? []).map((m) => m['bom-ref'])),
    ];
    expect(new Set(refs).size).toBe(refs.length);
  });
});

describe('SPDX 2.3', () => {
  const text = renderSpdx(richReport(), T0);
  const doc = JSON.parse(text) as Spdx;

  it('validates against the official schema, with valid SPDXIDs', () => {
    expect(spdxErrors(text)).toEqual([]);
    const ids = [...doc.packages.map((p) => p.SPDXID), ...doc.files.map((f) => f.SPDXID)];
    for (const id of ids) expect(id).toMatch(/^SPDXRef-[A-Za-z0-9.-]+$/);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of doc.relationships) {
      expect([...ids, 'SPDXRef-DOCUMENT']).toContain(r.spdxElementId);
      expect(ids).toContain(r.relatedSpdxElement);
    }
  });

  it('describes the image as a container holding packages with purls, files and dependencies', () => {
    const id = (n: string): string => doc.packages.find((p) => p.name === n)!.SPDXID;
    expect(doc.packages[0]).toMatchObject({ SPDXID: 'SPDXRef-Image', primaryPackagePurpose: 'CONTAINER' });
    expect(doc.relationships).toContainEqual({
      spdxElementId: 'SPDXRef-DOCUMENT',
      relationshipType: 'DESCRIBES',
      relatedSpdxElement: 'SPDXRef-Image',
    });
    const libc = doc.packages.find((p) => p.name === 'libc6')!;
    expect(libc.externalRefs?.[0]?.referenceLocator).toMatch(/^pkg:deb\/debian\/libc6@/);
    expect(libc.licenseDeclared).toBe('LGPL-2.1-or-later AND GPL-2.0-only');
    expect(libc.supplier).toBe('Organization: GNU Libc Maintainers <debian-glibc@lists.debian.org>');
    expect(doc.relationships).toContainEqual({
      spdxElementId: id('libc6'),
      relationshipType: 'DEPENDS_ON',
      relatedSpdxElement: id('libgcc-s1'),
    });
    const libcFile = doc.files.find((f) => f.fileName === './usr/lib/x86_64-linux-gnu/libc.so.6')!;
    expect(doc.relationships).toContainEqual({
      spdxElementId: id('libc6'),
      relationshipType: 'CONTAINS',
      relatedSpdxElement: libcFile.SPDXID,
    });
    expect(doc.relationships).toContainEqual({
      spdxElementId: id('/app/server'),
      relationshipType: 'DEPENDS_ON',
      relatedSpdxElement: id('stdlib'),
    });
    // The unowned binary is not a package's file.
    expect(doc.files.map((f) => f.fileName)).not.toContain('./app/server');
  });
});

describe('both formats', () => {
  const formats = [
    ['CycloneDX', renderCycloneDx, cycloneDxErrors],
    ['SPDX', renderSpdx, spdxErrors],
  ] as const;

  it.each(formats)('%s: no secret value, no build setting, no environment', (_, render) => {
    const text = render(richReport(), T0);
    expect(text).not.toContain(SECRET_SETTING);
    expect(text).not.toContain(SECRET_ENV);
    expect(text).not.toContain('AWS_SECRET_ACCESS_KEY');
    expect(text).not.toContain('vcs.revision');
    expect(text).not.toContain('h1:abc=');
  });

  it.each(formats)('%s: byte-identical for one epoch, serial and time change with it', (_, render) => {
    const env = { SOURCE_DATE_EPOCH: '1700000000' };
    const a = render(richReport(), sbomTime(env, new Date()));
    const b = render(richReport(), sbomTime(env, new Date(Date.now() + 5000)));
    expect(a).toBe(b);
    expect(a).toContain('2023-11-14T22:13:20Z');
    const c = render(richReport(), sbomTime({ SOURCE_DATE_EPOCH: '1700000001' }));
    const serial = (t: string): string => /(urn:uuid:|slimgate-)[0-9a-f-]{36}/.exec(t)![0];
    expect(serial(c)).not.toBe(serial(a));
    expect(serial(a)).not.toMatch(/00000000-0000/);
    // Another image gives another serial at the same time.
    const other = richReport();
    other.packages![2]!.version = '1.3.1';
    expect(serial(render(other, sbomTime(env)))).not.toBe(serial(a));
  });

  it.each(formats)(
    '%s: a package owning many files lists a bounded number and says how many more',
    (name, render, errors) => {
      const n = MAX_FILES_PER_PACKAGE + 700;
      const files = Array.from({ length: n }, (_, i) => file(`/usr/share/doc/big/${i}`, 1, { owner: 0 }));
      const r = report({ files, packages: [pkg('big', { files: n })] });
      const text = render(r, T0);
      expect(errors(text)).toEqual([]);
      if (name === 'CycloneDX') {
        const c = (JSON.parse(text) as Cdx).components[0]!;
        expect(c.evidence?.occurrences).toHaveLength(MAX_FILES_PER_PACKAGE);
        expect(c.properties).toContainEqual({ name: 'slimgate:evidence:omittedOccurrences', value: '700' });
      } else {
        const d = JSON.parse(text) as Spdx;
        expect(d.files).toHaveLength(MAX_FILES_PER_PACKAGE);
        expect(text).toContain('700 more files not listed');
      }
    },
  );

  it.each(formats)(
    '%s: hostile names and 10,000 packages still give a valid document',
    (_, render, errors) => {
      const evil = 'evil\u0000\u001b[31m\u2028"}\ud800<b>&';
      const packages = Array.from({ length: 10_000 }, (_, i) =>
        pkg(i % 2 ? `${evil}${i % 7}` : `p${i}`, {
          version: i % 3 ? `1\u202e${i}` : null,
          licenses: i % 5 ? 'MIT' : '<script>not a license</script>',
          supplier: `${evil}\n`,
          dependsOn: [`${evil}${(i + 1) % 7}`, `p${i + 2}`, `p${i}`],
          source: { name: evil, version: null },
          layer: 9,
        }),
      );
      const files = [
        file('/bin/\\xff\\xfe', 1, {
          pathBase64: Buffer.from([0x2f, 0x62, 0x69, 0x6e, 0x2f, 0xff, 0xfe]).toString('base64'),
          owner: 1,
        }),
        file(`/etc/${evil}`, 1, { owner: 1 }),
      ];
      const r = report({ files, packages, binaries: [{ ...goBinary, path: `/bin/${evil}` }] });
      r.image.source = evil;
      r.image.tags = [evil];
      const text = render(r, T0);
      expect(errors(text)).toEqual([]);
    },
  );

  it.each(formats)(
    '%s: a report scanned from a dpkg image with a hostile package name',
    (_, render, errors) => {
      const r = kitCheck(
        kitImage([
          [
            D('/usr'),
            D('/usr/lib'),
            ...DPKG(['libc6', '/usr/lib/libc.so.6'], ['evil[x](javascript:alert)\u202e', '/usr/lib/evil']),
            F('/usr/lib/libc.so.6', 2_000_000),
            F('/usr/lib/evil', 10),
          ],
        ]),
      );
      expect(r.packages?.length).toBe(2);
      const text = render(r, T0);
      expect(errors(text)).toEqual([]);
      expect(text).toContain('/usr/lib/libc.so.6');
    },
  );
});

describe('the flags', () => {
  it('SOURCE_DATE_EPOCH that is not a number of seconds is one input error', () => {
    expect(() => sbomTime({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(InputError);
    expect(sbomTime({}, T0)).toBe(T0);
  });
  it('names the formats', () => {
    expect(sbomFormat('spdx-json', '--sbom-format')).toBe('spdx-json');
    expect(() => sbomFormat('xml', '--sbom-format')).toThrow(/cyclonedx-json, spdx-json/);
  });
});

describe('the schema checks themselves', () => {
  it('reject a broken document of each format', () => {
    const bom = JSON.parse(renderCycloneDx(richReport(), T0)) as Cdx;
    expect(
      cycloneDxErrors(JSON.stringify({ ...bom, components: [...bom.components, bom.components[0]] })),
    ).not.toEqual([]);
    expect(cycloneDxErrors(JSON.stringify({ ...bom, serialNumber: 'urn:uuid:nope' }))).not.toEqual([]);
    const doc = JSON.parse(renderSpdx(richReport(), T0)) as Spdx;
    const bad = { ...doc, relationships: [{ ...doc.relationships[0], relationshipType: 'OWNS' }] };
    expect(spdxErrors(JSON.stringify(bad))).not.toEqual([]);
    expect(
      spdxErrors(JSON.stringify({ ...doc, files: [{ SPDXID: 'SPDXRef-F', fileName: './x' }] })),
    ).not.toEqual([]);
  });
});

describe('writing the file', () => {
  it('streams chunks: a large document comes in many, and the file is the rendered text', () => {
    const n = 20_000;
    const files = Array.from({ length: n }, (_, i) =>
      file(`/usr/share/doc/p${i % 400}/f${i}`, 1, { owner: i % 400 }),
    );
    const r = report({ files, packages: Array.from({ length: 400 }, (_, i) => pkg(`p${i}`, { files: 50 })) });
    expect([...spdxChunks(r, T0)].length).toBeGreaterThan(10);
    const dir = mkdtempSync(path.join(tmpdir(), 'slimgate-sbom-unit-'));
    try {
      const [written] = writeSbom(path.join(dir, 'a/b.json'), [r], {
        format: 'cyclonedx-json',
        everyPlatform: false,
        time: T0,
      });
      expect(readFileSync(written!, 'utf8')).toBe(renderCycloneDx(r, T0));
      expect(() =>
        writeSbom(path.join(dir, 'a/b.json/c.json'), [r], {
          format: 'spdx-json',
          everyPlatform: false,
          time: T0,
        }),
      ).toThrow(/^cannot write the SBOM .*c\.json: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
