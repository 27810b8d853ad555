// rpm's databases and header blobs on bytes built here from the formats' descriptions: what they decode
// to, and the hostile cases (huge counts, cycles, truncation, names that are not UTF-8), each a note and
// never a crash or a stall. The readers are checked against rpm itself in __tests__/itg/rpm.test.ts.
import { describe, expect, it } from 'vitest';
import { detectBase } from '../../src/analysis/base.js';
import { findOwners } from '../../src/analysis/owners.js';
import { reportOwners } from '../../src/analysis/owners-report.js';
import { flatten } from '../../src/flatten/flatten.js';
import { isParsedDb, matchFile, parserFor, PathBudget } from '../../src/formats/index.js';
import { scanLayer } from '../../src/scan/layer.js';
import { bdbHashValues } from '../../src/formats/rpm/bdb.js';
import { readRpmDb, rpmDbKind, RPMDB_CAP } from '../../src/formats/rpm/db.js';
import { decodeHeader, TAG } from '../../src/formats/rpm/header.js';
import { ndbBlobs } from '../../src/formats/rpm/ndb.js';
import { Notes } from '../../src/formats/rpm/notes.js';
import { rpm } from '../../src/formats/rpm.js';
import { sourceOf, spdxOf } from '../../src/formats/rpm/package.js';
import { sqliteRows } from '../../src/formats/rpm/sqlite.js';
import { encodeName } from '../../src/util/names.js';
import {
  bdbHashPage,
  bdbMeta,
  bdbOverflow,
  i32,
  interiorCell,
  leafCell,
  ndbFile,
  overflowPage,
  rpmHeader,
  sqliteFile,
  sqlitePage,
  sqliteRecord,
  str,
  strs,
  type HeaderEntry,
} from '../helpers/rpm-bytes.js';
import { chunks, dir, file, symlink, tar } from '../helpers/tar.js';

type Files = [string, (string | Buffer)[]];

function pkg(name: string, extra: HeaderEntry[] = [], files: Files = ['/usr/bin/', ['a', 'b']]): Buffer {
  return rpmHeader([
    str(TAG.name, name),
    str(TAG.version, '1.2'),
    str(TAG.release, '3.el9'),
    str(TAG.arch, 'x86_64'),
    i32(TAG.size, [4096]),
    ...extra,
    strs(TAG.dirNames, [files[0]]),
    strs(TAG.baseNames, [...files[1]]),
    i32(
      TAG.dirIndexes,
      files[1].map(() => 0),
    ),
  ]);
}

const errorOf = (blob: Buffer): string | undefined => {
  const r = decodeHeader(blob);
  return 'error' in r ? r.error : undefined;
};

describe('rpm header blobs', () => {
  it('decodes the tags Slimgate uses, with the file list from DIRNAMES, BASENAMES and DIRINDEXES', () => {
    const blob = rpmHeader([
      str(TAG.name, 'curl'),
      i32(TAG.epoch, [1]),
      str(TAG.version, '8.5.0'),
      str(TAG.release, '1.fc40'),
      str(TAG.arch, 'x86_64'),
      i32(TAG.size, [123456]),
      str(TAG.sourceRpm, 'curl-8.5.0-1.fc40.src.rpm'),
      str(TAG.license, 'curl'),
      str(TAG.vendor, 'Fedora Project'),
      strs(TAG.requireName, ['libcurl', 'libc.so.6()(64bit)']),
      strs(TAG.provideName, ['curl', 'webclient']),
      strs(TAG.dirNames, ['/usr/bin/', '/usr/share/doc/curl/']),
      strs(TAG.baseNames, ['curl', 'README', 'TODO']),
      i32(TAG.dirIndexes, [0, 1, 1]),
      i32(TAG.fileSizes, [300, 20, 10]),
    ]);
    const r = decodeHeader(blob);
    if ('error' in r) throw new Error(r.error);
    expect(r.header).toMatchObject({
      name: 'curl',
      epoch: 1,
      version: '8.5.0',
      release: '1.fc40',
      arch: 'x86_64',
      size: 123456,
      sourceRpm: 'curl-8.5.0-1.fc40.src.rpm',
      license: 'curl',
      vendor: 'Fedora Project',
      requires: ['libcurl', 'libc.so.6()(64bit)'],
      provides: ['curl', 'webclient'],
      files: ['/usr/bin/curl', '/usr/share/doc/curl/README', '/usr/share/doc/curl/TODO'],
      fileSizes: [300, 20, 10],
    });
    expect(r.notes).toEqual([]);
  });

  it('reads the OLDFILENAMES of headers older than rpm 4.1, and takes the last entry of a tag', () => {
    const r = decodeHeader(
      rpmHeader([
        str(TAG.name, 'first'),
        strs(TAG.oldFilenames, ['/etc/old.conf', '/bin/old']),
        str(TAG.name, 'old'),
      ]),
    );
    expect(r).toMatchObject({ header: { name: 'old', files: ['/etc/old.conf', '/bin/old'] } });
  });

  it('keeps a name that is not UTF-8 as its bytes', () => {
    const bad = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "caf\xe9" (Latin-1)
    const r = decodeHeader(pkg('latin', [], ['/opt/', [bad]]));
    if ('error' in r) throw new Error(r.error);
    const f = r.header.files[0] as string;
    expect(f).not.toBe('/opt/café');
    expect(encodeName(f)).toEqual(Buffer.concat([Buffer.from('/opt/'), bad]));
  });

  it.each([
    ['an index count past the blob', () => Buffer.from([0, 0, 0xff, 0xff, 0, 0, 0, 16])],
    ['zero entries', () => Buffer.alloc(8)],
    ['a blob shorter than its preamble', () => Buffer.from([0, 0, 0])],
    ['a huge data length', () => Buffer.from([0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff, ...Buffer.alloc(16)])],
  ])('refuses %s', (_what, make) => {
    expect(errorOf(make())).toMatch(/^rpm header: /);
  });

  it('refuses an entry with a huge count, an offset past the data, a string with no NUL, and overlap', () => {
    const huge = { ...strs(TAG.baseNames, ['a', 'b']), count: 0x7fffffff };
    expect(errorOf(pkg('x'))).toBeUndefined();
    expect(errorOf(rpmHeader([str(TAG.name, 'x'), huge]))).toMatch(/count/);
    const ints = { ...i32(TAG.dirIndexes, [0]), count: 0x40000000 };
    expect(errorOf(rpmHeader([str(TAG.name, 'x'), strs(TAG.baseNames, ['a']), ints]))).toMatch(/past/);
    expect(errorOf(rpmHeader([{ ...str(TAG.name, 'x'), offset: 1 << 30 }]))).toMatch(/past the data/);
    const noNul = { tag: TAG.name, type: 6, data: Buffer.from('abc'), count: 1 };
    expect(errorOf(rpmHeader([noNul]))).toMatch(/NUL/);
    // VERSION's string lies inside the file list's data.
    const files = [
      strs(TAG.baseNames, ['aaaa', 'bbbb']),
      i32(TAG.dirIndexes, [0, 0]),
      strs(TAG.dirNames, ['/d/']),
    ];
    const blob = rpmHeader([str(TAG.name, 'x'), ...files, str(TAG.version, 'v')]);
    expect(errorOf(blob)).toBeUndefined();
    const at = blob.readUInt32BE(8 + 2 * 16 + 8); // BASENAMES' offset
    blob.writeUInt32BE(at + 1, 8 + 5 * 16 + 8);
    expect(errorOf(blob)).toMatch(/overlap/);
  });

  it('notes a directory index the header does not have, and a path that is not absolute', () => {
    const r = decodeHeader(
      rpmHeader([
        str(TAG.name, 'x'),
        strs(TAG.dirNames, ['/a/', 'rel/']),
        strs(TAG.baseNames, ['one', 'two', 'three']),
        i32(TAG.dirIndexes, [0, 7, 1]),
      ]),
    );
    if ('error' in r) throw new Error(r.error);
    expect(r.header.files).toEqual(['/a/one']);
    expect(r.notes).toHaveLength(2);
  });
});

describe('rpm databases, hand-made', () => {
  const blobs = [
    pkg('alpha'),
    pkg('beta', [i32(TAG.epoch, [3])]),
    pkg('gamma', [str(TAG.license, 'x'.repeat(900))]),
  ];

  it('SQLite: rows over a B-tree with an interior page and an overflow chain', () => {
    // Page 2 interior → leaves 3 and 4; gamma's blob overflows onto page 5 and on.
    const a = leafCell(1, sqliteRecord([null, blobs[0] as Buffer]));
    const b = leafCell(2, sqliteRecord([null, blobs[1] as Buffer]));
    const c = leafCell(3, sqliteRecord([null, blobs[2] as Buffer]), 5);
    const rest = c.rest;
    const over: Buffer[] = [];
    for (let i = 0; i * 508 < rest.length; i++)
      over.push(overflowPage((i + 1) * 508 < rest.length ? 6 + i : 0, rest.subarray(i * 508)));
    const file = sqliteFile(2, [
      sqlitePage(0x05, [interiorCell(3, 2)], 4),
      sqlitePage(0x0d, [a.cell, b.cell]),
      sqlitePage(0x0d, [c.cell]),
      ...over,
    ]);
    const db = readRpmDb(file, 'sqlite');
    expect(db.notes).toEqual([]);
    expect(db.packages.map((p) => [p.name, p.version])).toEqual([
      ['alpha', '1.2-3.el9'],
      ['beta', '3:1.2-3.el9'],
      ['gamma', '1.2-3.el9'],
    ]);
  });

  it('SQLite: a cycle in the page pointers, an overflow cycle and bad page numbers are notes', () => {
    const cyc = sqliteFile(2, [sqlitePage(0x05, [interiorCell(3, 1)], 2), sqlitePage(0x05, [], 2)]);
    const notes = new Notes();
    expect(sqliteRows(cyc, 'Packages', notes)).toEqual([]);
    expect(notes.list().join()).toMatch(/reached twice/);

    const c = leafCell(1, sqliteRecord([null, blobs[2] as Buffer]), 3);
    const loop = sqliteFile(2, [sqlitePage(0x0d, [c.cell]), overflowPage(3, c.rest)]);
    const db = readRpmDb(loop, 'sqlite');
    expect(db.packages).toEqual([]);
    expect(db.notes.join()).toMatch(/overflow chain/);

    const far = sqliteFile(2, [sqlitePage(0x05, [], 999_999)]);
    expect(readRpmDb(far, 'sqlite').notes.join()).toMatch(/past the end/);
    expect(readRpmDb(sqliteFile(9, []), 'sqlite').notes.join()).toMatch(/past the end/);
  });

  it('SQLite: a truncated file, a huge payload size and a file that is not SQLite are notes', () => {
    const a = leafCell(1, sqliteRecord([null, blobs[0] as Buffer]));
    const file = sqliteFile(2, [sqlitePage(0x0d, [a.cell])]);
    expect(readRpmDb(file.subarray(0, 700), 'sqlite').notes.join()).toMatch(/truncated/);
    const huge = Buffer.from(file);
    const cellAt = 512 + huge.readUInt16BE(512 + 8);
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f]).copy(huge, cellAt);
    expect(readRpmDb(huge, 'sqlite').notes.join()).toMatch(/longer than the file/);
    expect(readRpmDb(Buffer.alloc(4096), 'sqlite').notes).toEqual(['rpmdb.sqlite: not an SQLite database']);
  });

  it('SQLite and BerkeleyDB: many pointers to one cell or item are refused, not read many times', () => {
    const a = leafCell(1, sqliteRecord([null, blobs[0] as Buffer]));
    const page = sqlitePage(0x0d, [a.cell]);
    const at = page.readUInt16BE(8);
    page.writeUInt16BE(100, 3);
    for (let i = 0; i < 100; i++) page.writeUInt16BE(at, 8 + i * 2);
    const db = readRpmDb(sqliteFile(2, [page]), 'sqlite');
    expect(db.notes.join()).toMatch(/overlap/);
    expect(db.packages.map((p) => p.name)).toEqual(['alpha']);

    const hp = bdbHashPage([[1, pkg('tiny')]]);
    hp.writeUInt16LE(40, 20);
    for (let i = 2; i < 40; i++) hp.writeUInt16LE(hp.readUInt16LE(26 + (i % 2) * 2), 26 + i * 2);
    const notes = new Notes();
    expect(bdbHashValues(Buffer.concat([bdbMeta(1), hp]), notes)).toEqual([]);
    expect(notes.list().join()).toMatch(/overlap/);
  });

  it('BerkeleyDB: values on the page and on overflow pages, in both byte orders', () => {
    for (const little of [true, false]) {
      const big = blobs[2] as Buffer;
      const over = bdbOverflow(2, big, little);
      const file = Buffer.concat([
        bdbMeta(1 + over.length, little),
        bdbHashPage(
          [
            [0, Buffer.from([9, 0, 0, 0])],
            [1, { page: 2, length: big.length }],
          ],
          little,
        ),
        ...over,
      ]);
      const db = readRpmDb(file, 'bdb');
      expect(db.notes).toEqual([]);
      expect(db.packages.map((p) => p.name)).toEqual(['gamma']);
    }
    const small = Buffer.concat([bdbMeta(1), bdbHashPage([[1, pkg('tiny')]])]);
    expect(readRpmDb(small, 'bdb').packages.map((p) => p.name)).toEqual(['tiny']);
  });

  it('BerkeleyDB: a cyclic overflow chain, a chain out of the file and truncation are notes', () => {
    const big = blobs[2] as Buffer;
    const cyc = bdbOverflow(2, big.subarray(0, 600), true, 2); // 2 pages, the second points back to 2
    const file = Buffer.concat([bdbMeta(3), bdbHashPage([[1, { page: 2, length: big.length }]]), ...cyc]);
    const notes = new Notes();
    expect(bdbHashValues(file, notes)).toEqual([]);
    expect(notes.list().join()).toMatch(/reached twice/);
    const out = Buffer.concat([bdbMeta(1), bdbHashPage([[1, { page: 77, length: 100 }]])]);
    expect(readRpmDb(out, 'bdb').notes.join()).toMatch(/leaves the file/);
    expect(readRpmDb(file.subarray(0, 1000), 'bdb').notes.join()).toMatch(/truncated/);
    expect(readRpmDb(Buffer.alloc(4096), 'bdb').notes.join()).toMatch(/not a BerkeleyDB hash/);
  });

  it('ndb: slots and blobs; a bad checksum, overlapping slots and truncation are notes', () => {
    const file = ndbFile(blobs);
    const db = readRpmDb(file, 'ndb');
    expect(db.notes).toEqual([]);
    expect(db.packages.map((p) => p.name)).toEqual(['alpha', 'beta', 'gamma']);

    const bad = Buffer.from(file);
    bad[4096 + 40] = (bad[4096 + 40] as number) ^ 1; // inside alpha's header
    expect(readRpmDb(bad, 'ndb').packages.map((p) => p.name)).toEqual(['beta', 'gamma']);

    const overlap = Buffer.from(file);
    overlap.writeUInt32LE(overlap.readUInt32LE(32 + 8) + 1, 48 + 8); // beta's slot starts inside alpha
    const notes = new Notes();
    expect(ndbBlobs(overlap, notes)).toHaveLength(2);
    expect(notes.list().join()).toMatch(/overlap/);

    expect(readRpmDb(file.subarray(0, 5000), 'ndb').notes.join()).toMatch(/outside the file/);
    expect(readRpmDb(file.subarray(0, 2000), 'ndb').notes.join()).toMatch(/truncated/);
  });

  it('a database larger than the cap is not read, and says so', () => {
    const db = readRpmDb(Buffer.alloc(16), 'sqlite', RPMDB_CAP + 1);
    expect(db.packages).toEqual([]);
    expect(db.notes.join()).toMatch(/not read/);
  });

  it('random bytes in every format: notes, no throw', () => {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    const header = Buffer.from('SQLite format 3\0');
    for (let i = 0; i < 200; i++) {
      const b = Buffer.from(new Uint8Array(4096 + (i % 7) * 512).map(() => rnd()));
      if (i % 3 === 0) header.copy(b);
      if (i % 3 === 0) b.writeUInt16BE(512, 16);
      for (const kind of ['sqlite', 'bdb', 'ndb'] as const) expect(() => readRpmDb(b, kind)).not.toThrow();
    }
  });
});

describe('rpm packages', () => {
  it('paths: the three files in the two directories, nothing else', () => {
    expect(rpmDbKind('/var/lib/rpm/rpmdb.sqlite')).toBe('sqlite');
    expect(rpmDbKind('/usr/lib/sysimage/rpm/Packages.db')).toBe('ndb');
    expect(rpmDbKind('/var/lib/rpm/Packages')).toBe('bdb');
    expect(rpmDbKind('/var/lib/rpm/Name')).toBeUndefined();
    expect(rpmDbKind('/var/lib/rpm/x/Packages')).toBeUndefined();
    expect(rpmDbKind('/opt/var/lib/rpm/Packages')).toBeUndefined();
  });

  it('the source package from SOURCERPM', () => {
    expect(sourceOf('util-linux-2.32.1-42.el8_8.src.rpm')).toEqual({
      name: 'util-linux',
      version: '2.32.1-42.el8_8',
    });
    expect(sourceOf('foo-1-2.nosrc.rpm')).toEqual({ name: 'foo', version: '1-2' });
    expect(sourceOf('nonsense')).toBeUndefined();
  });

  it('licenses as SPDX only when they convert: SPDX as is, Fedora short names, never a guess', () => {
    expect(spdxOf('GPL-2.0-or-later AND MIT')).toBe('GPL-2.0-or-later AND MIT');
    expect(spdxOf('GPLv2+ and MIT')).toBe('GPL-2.0-or-later AND MIT');
    expect(spdxOf('ASL 2.0')).toBe('Apache-2.0');
    expect(spdxOf('BSD')).toBeUndefined();
    expect(spdxOf('Public Domain')).toBeUndefined();
    expect(spdxOf('constructor')).toBeUndefined();
  });

  it('purls: the vendor namespace from os-release, the epoch and distro qualifiers', () => {
    const purl = (
      rec: { name: string; version: string; epoch?: string; arch?: string },
      id: string | null,
      v: string | null,
    ) => rpm.purl?.(rec, { distroId: id, distroVersion: v });
    expect(purl({ name: 'curl', version: '1:8.5.0-1.el9', epoch: '1', arch: 'x86_64' }, 'rhel', '9.3')).toBe(
      'pkg:rpm/redhat/curl@8.5.0-1.el9?arch=x86_64&distro=rhel-9.3&epoch=1',
    );
    expect(purl({ name: 'bash', version: '4.4-19.6.1' }, 'sles', '15.3')).toBe(
      'pkg:rpm/suse/bash@4.4-19.6.1?distro=sles-15.3',
    );
    expect(purl({ name: 'a', version: '0:1+git-1', epoch: '0' }, 'constructor', null)).toBe(
      'pkg:rpm/constructor/a@1%2Bgit-1?distro=constructor',
    );
    expect(purl({ name: 'a', version: '1-1' }, null, null)).toBe('pkg:rpm/a@1-1');
    expect(purl({ name: 'a', version: '1-1' }, 'a b', '1')).toBe('pkg:rpm/a@1-1');
  });

  it('dependsOn: requirements resolved through PROVIDENAME and owned files, not to itself', () => {
    const lib = pkg('libfoo', [strs(TAG.provideName, ['libfoo.so.1()(64bit)', 'libfoo'])]);
    const sh = pkg('bash', [strs(TAG.provideName, ['bash'])], ['/bin/', ['sh', 'bash']]);
    const app = pkg('app', [
      strs(TAG.requireName, ['libfoo.so.1()(64bit)', '/bin/sh', 'app', 'rpmlib(X)', 'nope']),
    ]);
    const db = readRpmDb(ndbFile([lib, sh, app]), 'ndb');
    expect(db.packages.find((p) => p.name === 'app')?.dependsOn).toEqual(['bash', 'libfoo']);
    expect(db.packages.find((p) => p.name === 'libfoo')?.dependsOn).toBeUndefined();
  });
});

describe('rpm in the scan: heads, owners, base detection, the report', () => {
  const alpha = pkg('alpha', [str(TAG.license, 'GPLv2+ and MIT'), str(TAG.vendor, 'V'.repeat(300))]);
  const beta = pkg(
    'beta',
    [
      i32(TAG.epoch, [3]),
      str(TAG.sourceRpm, 'beta-src-1.2-3.el9.src.rpm'),
      strs(TAG.requireName, ['alpha', '/usr/bin/a']),
    ],
    ['/opt/beta/', ['x', 'y']],
  );
  const image = tar([
    dir('usr/bin/'),
    file('usr/bin/a', 'A'.repeat(1000)),
    file('usr/bin/b', 'B'.repeat(500)),
    dir('opt/beta/'),
    file('opt/beta/x', 'X'.repeat(70)),
    file('mine', 'M'.repeat(5)),
    dir('usr/lib/sysimage/rpm/'),
    file('usr/lib/sysimage/rpm/Packages.db', ndbFile([alpha, beta])),
    dir('var/lib/'),
    symlink('var/lib/rpm', '../../usr/lib/sysimage/rpm'),
  ]);

  it("the parser's record survives the layer cache's check, fed in any chunking", () => {
    const bytes = ndbFile([alpha, beta]);
    const m = matchFile('/usr/lib/sysimage/rpm/Packages.db');
    expect(m).toEqual({ kind: 'rpm-ndb' });
    for (const step of [1, 777, bytes.length]) {
      const p = parserFor(m as { kind: string }, '/usr/lib/sysimage/rpm/Packages.db', new PathBudget());
      for (const c of chunks(bytes, step)) p.write(c);
      const db = p.end();
      expect(isParsedDb(JSON.parse(JSON.stringify(db)))).toBe(true);
      expect(db.packages?.map((r) => [r.name, r.version, r.epoch, r.license])).toEqual([
        ['alpha', '1.2-3.el9', undefined, 'GPL-2.0-or-later AND MIT'],
        ['beta', '3:1.2-3.el9', '3', undefined],
      ]);
    }
  });

  it('owns the files its database lists, and reports the package as the ecosystem keys it', async () => {
    const layers = [await scanLayer(chunks(image, 777), 'layer 0')];
    const files = flatten(layers).files;
    const o = findOwners(files);
    expect(o.notes).toEqual([]);
    const by = Object.fromEntries(o.packages.map((p) => [p.name, p]));
    expect(by['alpha']).toMatchObject({ manager: 'rpm', size: 1500, files: 2, declaredSize: 4096 });
    expect(by['beta']).toMatchObject({ manager: 'rpm', version: '3:1.2-3.el9', size: 70, files: 1 });
    expect(o.ownerOf('/usr/bin/a')?.name).toBe('alpha');
    expect(o.ownerOf('/mine')).toBeUndefined();
    const r = reportOwners(o, { distroId: 'opensuse-leap', distroVersion: '15.5' }).packages;
    expect(r.find((p) => p.name === 'beta')).toMatchObject({
      purl: 'pkg:rpm/opensuse/beta@1.2-3.el9?arch=x86_64&distro=opensuse-leap-15.5&epoch=3',
      source: { name: 'beta-src', version: '1.2-3.el9' },
      dependsOn: ['alpha'],
      layer: 0,
    });
    expect(r.find((p) => p.name === 'alpha')).toMatchObject({
      licenses: 'GPL-2.0-or-later AND MIT',
      supplier: 'V'.repeat(256),
    });
    // One database reached by two names (the symlinked directory) is one piece of evidence.
    const rpmEvidence = detectBase(files).evidence.filter((e) => e.includes('rpm'));
    expect(rpmEvidence).toEqual([
      '/usr/lib/sysimage/rpm/: rpm database (/usr/lib/sysimage/rpm/Packages.db, 2 packages)',
    ]);
  });

  it("two databases: the newest layer's is read, and a note says so", async () => {
    const old = tar([file('var/lib/rpm/Packages', Buffer.alloc(1)), file('usr/bin/a', 'A')]);
    const newer = tar([file('usr/lib/sysimage/rpm/rpmdb.sqlite', Buffer.alloc(1))]);
    const layers = await Promise.all([old, newer].map((t, i) => scanLayer(chunks(t, 777), `layer ${i}`)));
    const o = findOwners(flatten(layers).files);
    expect(o.notes).toContain('2 rpm databases: /usr/lib/sysimage/rpm/rpmdb.sqlite read, the others not');
  });
});
