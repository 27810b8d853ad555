// rpm's databases against rpm itself. rpmbuild (Debian's rpm 4.18) builds real packages from specs written
// here: one with an epoch, a vendor, a nested directory and a file name that is not UTF-8, twenty
// subpackages that require one another (headers large enough to need overflow pages), and one without an
// epoch whose requirements are a file and a package. `rpm -i --justdb` installs them into a real SQLite
// rpmdb, and `rpm -qa` says what is installed, with which files, and what provides each requirement.
//
// The same header blobs (read out with the sqlite3 CLI) then go into:
// - SQLite copies rewritten by sqlite3 itself with 512- and 65536-byte pages;
// - real BerkeleyDB hash files written by db5.3_load, in both byte orders and two page sizes, which
//   Debian's rpm reads back with its read-only BerkeleyDB backend (bdb_ro);
// - rpm's ndb Packages.db, built by the test from the format's description: Debian's rpm cannot write ndb
//   (`_db_backend ndb` is not compiled in), so there the ground truth is the SQLite database's rpm -qa.
//
// Last, the packages are installed with their files into a root laid out as Fedora's (the database in
// /usr/lib/sysimage/rpm, /var/lib/rpm a symlink to it), which becomes an OCI image that Slimgate inspects:
// the report's rpm packages and the owner of every file must be what rpm -qa and rpm -ql say.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/engine/engine.js';
import { readRpmDb, type RpmDb } from '../../src/formats/rpm/db.js';
import type { Report } from '../../src/types/report.js';
import { decodeName, encodeName } from '../../src/util/names.js';
import { ndbFile } from '../helpers/rpm-bytes.js';
import { run } from '../helpers/world.js';

let work = '';
let dbDir = '';
let truth: Truth;
let blobs: { hnum: number; blob: Buffer }[] = [];
let rpms: string[] = [];

interface Truth {
  /** name → "E:V-R arch SIZE SOURCERPM supplier" as rpm prints them. */
  packages: Map<string, string>;
  /** name → its files (decoded as Slimgate decodes names), sorted. */
  files: Map<string, string[]>;
  /** name → the installed packages providing its requirements, sorted. */
  depends: Map<string, string[]>;
  /** name → LICENSE as the header has it. */
  licenses: Map<string, string>;
}

const LIBS = 20;
const lib = (n: number): string => `sg-lib-${String(n).padStart(2, '0')}`;

function specEpoch(): string {
  const subs: string[] = [];
  const install: string[] = [];
  for (let n = 1; n <= LIBS; n++) {
    const dir = `/usr/share/sg/${lib(n)}`;
    subs.push(
      `%package -n ${lib(n)}`,
      `Summary: library ${n}`,
      `License: ${n % 2 ? 'ASL 2.0' : 'BSD'}`,
      `Requires: ${n === 1 ? 'sg-capability' : lib(n - 1)}`,
      `%description -n ${lib(n)}`,
      `library ${n}`,
      `%files -n ${lib(n)}`,
      dir,
    );
    for (let k = 0; k < 30; k++) {
      const d = `%{buildroot}${dir}/directory-number-${k % 6}`;
      install.push(`mkdir -p ${d}`, `echo ${n}-${k} > ${d}/a-file-with-a-rather-long-name-${n}-${k}.txt`);
    }
  }
  return [
    'Name: sg-epoch',
    'Epoch: 2',
    'Version: 1.0',
    'Release: 1.sg',
    'Summary: epoch',
    'License: MIT',
    'Vendor: Slimgate Tests',
    'BuildArch: noarch',
    'Provides: sg-capability',
    '%description',
    'epoch',
    ...subs,
    '%install',
    'mkdir -p %{buildroot}/opt/sg/deep/a/b/c %{buildroot}/usr/bin',
    'echo hello > %{buildroot}/opt/sg/deep/a/b/c/readme.txt',
    "printf '#!/bin/sh\\n' > %{buildroot}/usr/bin/sg-tool",
    "touch %{buildroot}/opt/sg/$(printf 'caf\\351')",
    ...install,
    '%files',
    '/opt/sg/deep',
    '/usr/bin/sg-tool',
    '/opt/sg/caf*',
    '',
  ].join('\n');
}

const specPlain = [
  'Name: sg-plain',
  'Version: 0.9.1',
  'Release: 7',
  'Summary: plain',
  'License: GPLv2+ and MIT',
  'Packager: Slimgate Packager <packager@example.invalid>',
  'Requires: /usr/bin/sg-tool',
  `Requires: ${lib(3)}`,
  '%description',
  'plain',
  '%install',
  'mkdir -p %{buildroot}/usr/bin',
  "printf '#!/bin/sh\\n' > %{buildroot}/usr/bin/sg-plain",
  '%files',
  '/usr/bin/sg-plain',
  '',
].join('\n');

const rpmArgs = (db: string, backend?: string): string[] => [
  ...(backend ? ['--define', `_db_backend ${backend}`] : []),
  '--dbpath',
  db,
];

function lines(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, at)) {
    out.push(buf.subarray(at, nl));
    at = nl + 1;
  }
  return out;
}

const pairs = (buf: Buffer): [string, Buffer][] =>
  lines(buf).map((l) => {
    const tab = l.indexOf(9);
    return [l.subarray(0, tab).toString('utf8'), l.subarray(tab + 1)];
  });

function groupBy(entries: [string, string][]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const [k, v] of entries) m.set(k, [...(m.get(k) ?? []), v]);
  for (const v of m.values()) v.sort();
  return m;
}

/** What rpm says of a database: packages, files, and the providers of each requirement. */
function rpmTruth(db: string, backend?: string): Truth {
  const q = (fmt: string): Buffer => run('rpm', [...rpmArgs(db, backend), '-qa', '--qf', fmt]).stdoutBuffer;
  const packages = new Map<string, string>();
  const licenses = new Map<string, string>();
  const fmt = '%{NAME}\t%|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE} %{ARCH} %{SIZE} %{SOURCERPM} ';
  for (const [name, rest] of pairs(q(`${fmt}%|VENDOR?{%{VENDOR}}:{%{PACKAGER}}|\t%{LICENSE}\n`))) {
    const [summary, license] = rest.toString('utf8').split('\t') as [string, string];
    packages.set(name, summary);
    licenses.set(name, license);
  }
  const files = groupBy(
    pairs(q('[%{=NAME}\t%{FILENAMES}\n]')).map(([n, f]) => [n, decodeName(f)] as [string, string]),
  );
  const requires = pairs(q('[%{=NAME}\t%{REQUIRENAME}\n]')).map(([n, r]) => [n, r.toString('utf8')]);
  const providers = new Map<string, string[]>();
  for (const r of new Set(requires.map(([, r]) => r))) {
    const res = run('rpm', [...rpmArgs(db, backend), '-q', '--whatprovides', r, '--qf', '%{NAME}\n'], {
      allowFailure: true,
    });
    providers.set(r, res.status === 0 ? res.stdout.split('\n').filter(Boolean) : []);
  }
  const depends = new Map<string, string[]>();
  for (const [n, r] of requires) {
    const set = new Set([...(depends.get(n) ?? []), ...(providers.get(r) ?? [])]);
    set.delete(n);
    depends.set(n, [...set].sort());
  }
  return { packages, files, depends, licenses };
}

/** Slimgate's reading, in the truth's shape. */
function ours(db: RpmDb): Truth {
  const t: Truth = { packages: new Map(), files: new Map(), depends: new Map(), licenses: new Map() };
  for (const p of db.packages) {
    const src = p.source ? `${p.source.name}-${p.source.version}.src.rpm` : '(none)';
    const summary = `${p.version} ${p.arch ?? '(none)'} ${p.declaredSize ?? '(none)'} ${src} ${p.supplier ?? '(none)'}`;
    t.packages.set(p.name, summary);
    t.files.set(p.name, [...p.files].sort());
    t.depends.set(p.name, p.dependsOn ?? []);
    t.licenses.set(p.name, p.licenses ?? '');
  }
  return t;
}

function expectSame(db: RpmDb, want: Truth): void {
  expect(db.notes).toEqual([]);
  const got = ours(db);
  expect(got.packages).toEqual(want.packages);
  expect(got.files).toEqual(new Map([...want.packages.keys()].map((n) => [n, want.files.get(n) ?? []])));
  expect(got.depends).toEqual(want.depends);
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'slimgate-rpm-'));
  const top = path.join(work, 'rpmbuild');
  mkdirSync(path.join(top, 'SPECS'), { recursive: true });
  for (const [name, text] of [
    ['sg-epoch', specEpoch()],
    ['sg-plain', specPlain],
  ] as const) {
    const spec = path.join(top, 'SPECS', `${name}.spec`);
    writeFileSync(spec, text);
    // A file name that is not UTF-8 is allowed, as older rpm allowed it (and images carry such packages).
    run('rpmbuild', [
      '--define',
      `_topdir ${top}`,
      '--define',
      '_invalid_encoding_terminates_build 0',
      '--quiet',
      '-bb',
      spec,
    ]);
  }
  rpms = run('find', [path.join(top, 'RPMS'), '-name', '*.rpm'])
    .stdout.split('\n')
    .filter(Boolean);
  dbDir = path.join(work, 'sqlite');
  mkdirSync(dbDir);
  run('rpm', [...rpmArgs(dbDir), '--initdb']);
  run('rpm', [...rpmArgs(dbDir), '-i', '--justdb', '--nodeps', '--noscripts', ...rpms]);
  truth = rpmTruth(dbDir);
  const rows = run('sqlite3', [path.join(dbDir, 'rpmdb.sqlite'), 'SELECT hnum, hex(blob) FROM Packages']);
  blobs = rows.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [n, hex] = l.split('|') as [string, string];
      return { hnum: Number(n), blob: Buffer.from(hex, 'hex') };
    });
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('rpm databases against rpm -qa', () => {
  it('rpm saw what the specs say (the ground truth is what it should be)', () => {
    expect(truth.packages.size).toBe(LIBS + 2);
    expect(truth.packages.get('sg-epoch')).toMatch(
      /^2:1\.0-1\.sg noarch \d+ sg-epoch-1\.0-1\.sg\.src\.rpm Slimgate Tests$/,
    );
    expect(truth.packages.get('sg-plain')).toMatch(
      /^0\.9\.1-7 \S+ \d+ sg-plain-0\.9\.1-7\.src\.rpm Slimgate Packager/,
    );
    expect(truth.files.get('sg-epoch')).toContain('/opt/sg/deep/a/b/c/readme.txt');
    expect(truth.files.get('sg-epoch')).toContain('/opt/sg/caf\udce9'); // the byte 0xE9 alone, kept
    expect(truth.depends.get('sg-plain')).toEqual(['sg-epoch', lib(3)]);
    expect(truth.depends.get(lib(1))).toEqual(['sg-epoch']);
    expect(blobs).toHaveLength(LIBS + 2);
  });

  it('SQLite rpmdb.sqlite, as rpm wrote it', () => {
    expectSame(readRpmDb(readFileSync(path.join(dbDir, 'rpmdb.sqlite')), 'sqlite'), truth);
  });

  it.each([512, 65536])(
    'SQLite rewritten by sqlite3 with %i-byte pages (B-tree interior pages, overflow chains)',
    (size) => {
      const dir = path.join(work, `sqlite-${size}`);
      mkdirSync(dir);
      const file = path.join(dir, 'rpmdb.sqlite');
      run('cp', [path.join(dbDir, 'rpmdb.sqlite'), file]);
      run('sqlite3', [file, `PRAGMA journal_mode=DELETE; PRAGMA page_size=${size}; VACUUM;`]);
      expect(run('sqlite3', [file, 'PRAGMA page_size']).stdout.trim()).toBe(String(size));
      expect(rpmTruth(dir).packages).toEqual(truth.packages);
      expectSame(readRpmDb(readFileSync(file), 'sqlite'), truth);
    },
  );

  it.each([
    [512, 1234],
    [512, 4321],
    [4096, 1234],
    [4096, 4321],
  ])(
    'BerkeleyDB hash Packages written by db5.3_load (%i-byte pages, byte order %i), read by rpm too',
    (size, order) => {
      const dir = path.join(work, `bdb-${size}-${order}`);
      mkdirSync(dir);
      // rpm's keys are header numbers in the writer's byte order; key 0 holds the next number.
      const key = (n: number): string => {
        const b = Buffer.alloc(4);
        if (order === 1234) b.writeUInt32LE(n);
        else b.writeUInt32BE(n);
        return b.toString('hex');
      };
      const next = Math.max(...blobs.map((b) => b.hnum)) + 1;
      const dump = [
        'VERSION=3',
        'format=bytevalue',
        'type=hash',
        `db_pagesize=${size}`,
        `db_lorder=${order}`,
        'HEADER=END',
        ` ${key(0)}`,
        ` ${key(next)}`,
        ...blobs.flatMap((b) => [` ${key(b.hnum)}`, ` ${b.blob.toString('hex')}`]),
        'DATA=END',
        '',
      ].join('\n');
      writeFileSync(path.join(dir, 'dump.txt'), dump);
      run('db5.3_load', ['-f', path.join(dir, 'dump.txt'), path.join(dir, 'Packages')]);
      const byRpm = rpmTruth(dir, 'bdb_ro');
      expect(byRpm.packages).toEqual(truth.packages);
      expect(byRpm.files).toEqual(truth.files);
      expectSame(readRpmDb(readFileSync(path.join(dir, 'Packages')), 'bdb'), truth);
    },
  );

  it('ndb Packages.db built from the same header blobs', () => {
    expectSame(readRpmDb(ndbFile(blobs.map((b) => b.blob)), 'ndb'), truth);
  });

  it('licenses: SPDX where the header text converts, nothing where it would be a guess', () => {
    const got = ours(readRpmDb(readFileSync(path.join(dbDir, 'rpmdb.sqlite')), 'sqlite')).licenses;
    expect(truth.licenses.get('sg-plain')).toBe('GPLv2+ and MIT');
    expect(got.get('sg-plain')).toBe('GPL-2.0-or-later AND MIT');
    expect(truth.licenses.get('sg-epoch')).toBe('MIT');
    expect(got.get('sg-epoch')).toBe('MIT');
    expect(truth.licenses.get(lib(1))).toBe('ASL 2.0');
    expect(got.get(lib(1))).toBe('Apache-2.0');
    expect(truth.licenses.get(lib(2))).toBe('BSD');
    expect(got.get(lib(2))).toBe('');
  });
});

/** An OCI layout with one uncompressed layer (the tar of `root`), named `ref`. */
function layoutOf(root: string, dir: string, ref: string): void {
  const blob = (data: Buffer | string): { digest: string; size: number } => {
    const buf = Buffer.from(data);
    const hex = createHash('sha256').update(buf).digest('hex');
    mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(path.join(dir, 'blobs', 'sha256', hex), buf);
    return { digest: `sha256:${hex}`, size: buf.length };
  };
  const layer = run('tar', ['-C', root, '--numeric-owner', '-cf', '-', '.']).stdoutBuffer;
  const l = blob(layer);
  const config = blob(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/usr/bin/sg-plain'] },
      rootfs: { type: 'layers', diff_ids: [l.digest] },
      history: [{ created_by: 'rpm -i' }],
    }),
  );
  const manifest = blob(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...l }],
    }),
  );
  writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': ref },
        },
      ],
    }),
  );
}

describe('an image with an rpm database, inspected', () => {
  let report: Report;
  let root = '';
  const DB = '/usr/lib/sysimage/rpm';

  beforeAll(async () => {
    root = path.join(work, 'root');
    mkdirSync(path.join(root, 'etc'), { recursive: true });
    mkdirSync(path.join(root, 'var/lib'), { recursive: true });
    writeFileSync(path.join(root, 'etc/os-release'), 'ID=fedora\nVERSION_ID=99\n');
    symlinkSync('../../usr/lib/sysimage/rpm', path.join(root, 'var/lib/rpm'));
    const at = ['--root', root, '--dbpath', DB];
    run('rpm', [...at, '--initdb']);
    run('rpm', [...at, '-i', '--nodeps', '--noscripts', '--ignorearch', '--ignoreos', ...rpms]);
    const oci = path.join(work, 'oci');
    layoutOf(root, oci, 'rpm');
    [report] = (await inspect(`oci:${oci}:rpm`)) as [Report];
  }, 300_000);

  it('lists every package rpm -qa lists, with its version, purl, source and license', () => {
    const rpmPkgs = (report.packages ?? []).filter((p) => p.manager === 'rpm');
    const installed = rpmTruth(path.join(root, DB));
    expect(new Set(rpmPkgs.map((p) => p.name))).toEqual(new Set(installed.packages.keys()));
    for (const p of rpmPkgs) {
      const [version, arch] = (installed.packages.get(p.name) as string).split(' ');
      expect([p.version, p.arch]).toEqual([version, arch]);
    }
    expect(rpmPkgs.find((p) => p.name === lib(4))).toMatchObject({
      purl: 'pkg:rpm/fedora/sg-lib-04@1.0-1.sg?arch=noarch&distro=fedora-99&epoch=2',
      source: { name: 'sg-epoch', version: '1.0-1.sg' },
      dependsOn: [lib(3)],
      layer: 0,
    });
    expect(rpmPkgs.find((p) => p.name === 'sg-plain')).toMatchObject({
      licenses: 'GPL-2.0-or-later AND MIT',
    });
    expect(report.base?.evidence.join('\n')).toContain(
      `${DB}/: rpm database (${DB}/rpmdb.sqlite, ${LIBS + 2} packages)`,
    );
    expect(report.ownership?.notes ?? []).toEqual([]);
  });

  it('each regular file is owned by the package rpm -ql lists it in, and by nothing else', () => {
    const installed = rpmTruth(path.join(root, DB));
    const want = new Map<string, string>();
    for (const [name, files] of installed.files)
      for (const f of files) {
        // A Buffer path: the name's own bytes, which may not be UTF-8.
        const st = lstatSync(Buffer.concat([Buffer.from(root), encodeName(f)]), { throwIfNoEntry: false });
        if (st?.isFile()) want.set(f, name);
      }
    const got = new Map<string, string>();
    for (const f of report.files) {
      if (f.type !== 'file' || f.owner === undefined) continue;
      const p = (report.packages ?? [])[f.owner];
      const name = f.pathBase64 ? decodeName(Buffer.from(f.pathBase64, 'base64')) : f.path;
      if (p?.manager === 'rpm') got.set(name, p.name);
    }
    expect(got).toEqual(want);
    expect(want.get('/opt/sg/caf\udce9')).toBe('sg-epoch');
    expect(want.size).toBeGreaterThan(LIBS * 30);
  });
});
