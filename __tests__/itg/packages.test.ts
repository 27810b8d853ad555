// Packages against real ground truth: a rootfs made from this Debian host (its whole dpkg database, 800+
// packages, and the files of a few of them), imported into the test world's Docker and built on with a RUN
// step that deletes every file of coreutils. dpkg-query, run against the image as umoci unpacks it, says
// which packages are installed, at which version and declared size, and which paths each one owns; the
// owned bytes are measured on the unpacked files. Slimgate's report must agree.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/engine/engine.js';
import { checkImage } from '../helpers/check.js';
import { renderCheck } from '../../src/report/text.js';
import type { Report } from '../../src/types/report.js';
import { formatBytes } from '../../src/util/bytes.js';
import { umociUnpack } from '../helpers/oracle.js';
import { skopeo } from '../helpers/images.js';
import { docker, run } from '../helpers/world.js';

/** The packages whose files go into the image: a shell's libraries, a toolchain package, and coreutils. */
const CHOSEN = ['libc6', 'bash', 'libtinfo6', 'zlib1g', 'make', 'coreutils'];
/** Installed-Size is what dpkg-gencontrol estimated; the files are what ships. */
const DPKG_ADMIN = '/var/lib/dpkg';

let work = '';
const tags: string[] = [];
let base: { report: Report; oci: string };
let built: { report: Report; checked: Report; oci: string; baseline: Report | null };

function listed(pkg: string, admindir = DPKG_ADMIN): string[] {
  return execFileSync('dpkg-query', [`--admindir=${admindir}`, '-L', pkg], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  })
    .split('\n')
    .filter((l) => l.startsWith('/') && l !== '/.');
}

/** A rootfs with the host's whole dpkg database and the files of CHOSEN, plus a static busybox for RUN. */
function makeRootfs(root: string): void {
  mkdirSync(root, { recursive: true });
  // The usr-merge symlinks first, so that /lib/… paths land under /usr/lib as on the host.
  for (const l of ['bin', 'lib', 'lib64', 'sbin']) run('cp', ['-a', `/${l}`, `${root}/`]);
  // As the host stores them: /lib/x86_64-linux-gnu/libc.so.6 is /usr/lib/x86_64-linux-gnu/libc.so.6.
  const paths = CHOSEN.flatMap((p) => listed(p)).map((p) =>
    path.join(realpathSync(path.dirname(p)), path.basename(p)),
  );
  const files = [...new Set(paths)].filter((p) => {
    const st = lstatSync(p, { throwIfNoEntry: false });
    return st && !st.isDirectory();
  });
  writeFileSync(path.join(root, '..', 'files.txt'), files.join('\n') + '\n');
  run('sh', [
    '-c',
    `tar -C / --no-recursion -cf - -T "$1" | tar -C "$2" -xf -`,
    'sh',
    path.join(root, '..', 'files.txt'),
    root,
  ]);
  mkdirSync(path.join(root, 'var/lib'), { recursive: true });
  cpSync(DPKG_ADMIN, path.join(root, 'var/lib/dpkg'), { recursive: true, verbatimSymlinks: true });
  cpSync('/bin/busybox', path.join(root, 'busybox'));
  // os-release, for the purls' distro qualifier (a symlink on the host: copied as the file it leads to).
  mkdirSync(path.join(root, 'etc'), { recursive: true });
  writeFileSync(path.join(root, 'etc/os-release'), readFileSync('/etc/os-release'));
}

/** os-release's ID and VERSION_ID of this host. */
function hostRelease(): { id: string; versionId: string | undefined } {
  const text = readFileSync('/etc/os-release', 'utf8');
  const field = (k: string): string | undefined =>
    new RegExp(`^${k}=(.*)$`, 'm').exec(text)?.[1]?.replace(/^(["'])(.*)\1$/, '$2');
  return { id: field('ID') ?? '', versionId: field('VERSION_ID') };
}

function dockerfile(baseTag: string): string {
  // Not /bin: coreutils lists it, and on a usr-merged host it is a symlink to a directory.
  const gone = listed('coreutils').filter((p) => {
    const st = statSync(p, { throwIfNoEntry: false });
    return st && !st.isDirectory();
  });
  return `FROM ${baseTag}\nRUN ["/busybox", "rm", "-f", ${gone.map((p) => JSON.stringify(p)).join(', ')}]\n`;
}

function save(tag: string, name: string): { archive: string; oci: string } {
  const archive = path.join(work, `${name}.tar`);
  docker(['save', '-o', archive, tag], { timeout: 180_000 });
  const oci = path.join(work, `${name}-oci`);
  skopeo(['copy', '-q', `docker-archive:${archive}`, `oci:${oci}:img`]);
  return { archive, oci };
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'slimgate-packages-'));
  const rootfs = path.join(work, 'rootfs');
  makeRootfs(rootfs);
  const prefix = `sg-pkg-${process.pid}`;
  const baseTag = `${prefix}-base:1`;
  tags.push(baseTag);
  const tarball = run('tar', ['-C', rootfs, '--sort=name', '--numeric-owner', '-c', '.']).stdoutBuffer;
  docker(['import', '-', baseTag], { input: tarball, timeout: 180_000 });
  const ctx = path.join(work, 'context');
  mkdirSync(ctx);
  writeFileSync(path.join(ctx, 'Dockerfile'), dockerfile(baseTag));
  const tag = `${prefix}-built:1`;
  tags.push(tag);
  docker(['build', '--network', 'none', '-q', '-t', tag, ctx], {
    env: { DOCKER_BUILDKIT: '0' },
    timeout: 300_000,
  });
  const b = save(baseTag, 'base');
  const s = save(tag, 'built');
  const cache = path.join(work, 'cache');
  const [baseReport] = await inspect(`docker-archive:${b.archive}`, { cache });
  const [builtReport] = await inspect(`docker-archive:${s.archive}`, { cache });
  const checked = await checkImage(`docker-archive:${s.archive}`, {
    cache,
    baseline: `docker-archive:${b.archive}`,
  });
  base = { report: baseReport as Report, oci: b.oci };
  built = {
    report: builtReport as Report,
    checked: checked.report,
    oci: s.oci,
    baseline: checked.baseline,
  };
}, 900_000);

afterAll(() => {
  for (const t of tags.reverse()) docker(['rmi', '--force', t], { allowFailure: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Truth {
  installed: Map<
    string,
    { version: string; installedSize: number; arch: string; source: string; sourceVersion: string }
  >;
  /** Package → bytes of the regular files it lists, as unpacked (each inode once within the package). */
  owned: Map<string, number>;
  /** Packages that share a non-directory path with another (their split is a tie-break, not a fact). */
  shared: Set<string>;
  /** Bytes of all listed regular files, each inode once. */
  total: number;
  /** A few paths' owners, as dpkg-query -S names them. */
  ownerOf: Map<string, string>;
}

/**
 * Resolves a path inside `root` as the kernel would in a container (symlinks stay inside): its directories,
 * and with `follow` its last component too.
 */
function inRoot(root: string, p: string, follow = false): string {
  const parts = p.split('/').filter(Boolean);
  const last = follow ? '' : (parts.pop() as string);
  let cur: string[] = [];
  const todo = [...parts].reverse();
  for (let hops = 0; todo.length && hops < 100;) {
    const c = todo.pop() as string;
    if (c === '..') {
      cur.pop();
      continue;
    }
    const st = lstatSync(path.join(root, ...cur, c), { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) {
      hops++;
      const t = readlinkSync(path.join(root, ...cur, c));
      if (t.startsWith('/')) cur = [];
      todo.push(...t.split('/').filter(Boolean).reverse());
    } else cur.push(c);
  }
  return path.join(root, ...cur, last);
}

function groundTruth(oci: string): Truth {
  const unpacked = umociUnpack(oci, 'img');
  try {
    const admin = path.join(unpacked.rootfs, 'var/lib/dpkg');
    const rows = execFileSync(
      'dpkg-query',
      [
        `--admindir=${admin}`,
        '-W',
        '-f=${binary:Package}\\t${Version}\\t${Installed-Size}\\t${db:Status-Abbrev}\\t${Architecture}\\t${source:Package}\\t${source:Version}\\n',
      ],
      { encoding: 'utf8', maxBuffer: 64 << 20 },
    )
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t'));
    const installed: Truth['installed'] = new Map();
    for (const [name, version, size, abbrev, arch, source, sourceVersion] of rows) {
      if (/^.[nc]/.test(abbrev ?? '')) continue;
      installed.set(name as string, {
        version: version as string,
        installedSize: Number(size),
        arch: arch as string,
        source: source as string,
        sourceVersion: sourceVersion as string,
      });
    }
    // dpkg's own view of what is a directory: a listed path that other listed paths sit beneath (usr-merge's
    // /lib, which the image holds as a symlink). A listed symlink with nothing listed beneath it is a file
    // that its package shipped (Debian's /usr/share/doc/PKG links), and dpkg-query -S names that package.
    const lists = new Map([...installed.keys()].map((name) => [name, listed(name, admin)]));
    const dirs = new Set<string>();
    for (const paths of lists.values()) for (const p of paths) dirs.add(path.dirname(p));
    const owned = new Map<string, number>();
    const claims = new Map<string, string[]>();
    const seenAll = new Set<string>();
    let total = 0;
    for (const name of installed.keys()) {
      const seen = new Set<string>();
      let bytes = 0;
      for (const p of lists.get(name) ?? []) {
        const at = inRoot(unpacked.rootfs, p);
        const st = lstatSync(at, { throwIfNoEntry: false });
        if (!st || st.isDirectory()) continue;
        if (st.isSymbolicLink() && dirs.has(p)) continue;
        const rel = at.slice(unpacked.rootfs.length);
        claims.set(rel, [...(claims.get(rel) ?? []), name]);
        if (!st.isFile()) continue;
        const ino = `${st.dev}:${st.ino}`;
        if (!seen.has(ino)) {
          seen.add(ino);
          bytes += st.size;
        }
        if (!seenAll.has(ino)) {
          seenAll.add(ino);
          total += st.size;
        }
      }
      owned.set(name, bytes);
    }
    const shared = new Set<string>();
    for (const names of claims.values()) if (names.length > 1) for (const n of names) shared.add(n);
    const ownerOf = new Map<string, string>();
    // dpkg-query -S matches a path as listed, and packages list either form of a usr-merged path.
    for (const [path, alias] of [
      ['/usr/bin/bash', '/bin/bash'],
      ['/usr/lib/x86_64-linux-gnu/libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6'],
      ['/usr/bin/make', '/bin/make'],
    ] as const) {
      for (const listedAs of [path, alias]) {
        const r = spawnSync('dpkg-query', [`--admindir=${admin}`, '-S', listedAs], { encoding: 'utf8' });
        if (r.status !== 0) continue;
        ownerOf.set(path, r.stdout.slice(0, r.stdout.indexOf(': ')));
        break;
      }
    }
    return { installed, owned, shared, total, ownerOf };
  } finally {
    unpacked.remove();
  }
}

function dpkgPackages(r: Report): Map<string, NonNullable<Report['packages']>[number]> {
  return new Map((r.packages ?? []).filter((p) => p.manager === 'dpkg').map((p) => [p.name, p]));
}

describe.each([
  ['the imported rootfs', () => ({ report: base.report, oci: base.oci })],
  ['the image built on it', () => ({ report: built.report, oci: built.oci })],
])('%s', (_label, subject) => {
  let truth: Truth;
  beforeAll(() => {
    truth = groundTruth(subject().oci);
  }, 300_000);

  it('lists exactly the packages dpkg-query says are installed, with their versions and Installed-Size', () => {
    const ours = dpkgPackages(subject().report);
    expect(truth.installed.size).toBeGreaterThan(100);
    expect([...ours.keys()].sort()).toEqual([...truth.installed.keys()].sort());
    for (const [name, t] of truth.installed) {
      const p = ours.get(name);
      expect({ name, version: p?.version, size: p?.declaredSize }).toEqual({
        name,
        version: t.version,
        size: t.installedSize * 1024,
      });
    }
  });

  it('names each package’s source as dpkg-query does, and its purl by the spec', () => {
    const ours = dpkgPackages(subject().report);
    const release = hostRelease();
    const distro = release.versionId ? `${release.id}-${release.versionId}` : release.id;
    for (const [name, t] of truth.installed) {
      const p = ours.get(name);
      // No Source field: the package is its own source, and dpkg-query prints its own name and version.
      expect({
        name,
        source: p?.source?.name ?? name.replace(/:.*$/, ''),
        version: p?.source?.version ?? p?.version,
      }).toEqual({
        name,
        source: t.source,
        version: t.sourceVersion,
      });
    }
    for (const name of ['bash', 'zlib1g:amd64', 'libc6:amd64', 'make']) {
      const t = truth.installed.get(name) ?? truth.installed.get(name.replace(/:.*$/, ''));
      if (!t) continue;
      const bare = name.replace(/:.*$/, '');
      const version = encodeURIComponent(t.version).replace(/%3A/g, ':');
      expect(ours.get(name)?.purl ?? ours.get(bare)?.purl).toBe(
        `pkg:deb/${release.id}/${bare}@${version}?arch=${t.arch}&distro=${encodeURIComponent(distro)}`,
      );
    }
  });

  it('gives each package the bytes of its files as unpacked, and owns them all once', () => {
    const ours = dpkgPackages(subject().report);
    let compared = 0;
    for (const [name, bytes] of truth.owned) {
      if (truth.shared.has(name)) continue;
      expect({ name, size: ours.get(name)?.size }).toEqual({ name, size: bytes });
      compared++;
    }
    expect(compared).toBeGreaterThan(truth.owned.size - 20);
    const chosen = CHOSEN.map((c) =>
      [...ours.values()].find((p) => p.name === c || p.name.startsWith(`${c}:`)),
    );
    expect(chosen.every((p) => p !== undefined)).toBe(true);
    // Each file names its owner: a sample against dpkg-query -S on the unpacked image's own database.
    const r = subject().report;
    for (const path of ['/usr/bin/bash', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/bin/make']) {
      const k = r.files.find((f) => f.path === path)?.owner;
      expect({ path, owner: k === undefined ? undefined : r.packages?.[k]?.name }).toEqual({
        path,
        owner: truth.ownerOf.get(path),
      });
    }
    const own = r.ownership;
    expect(own?.owned.bytes).toBe(truth.total);
    expect((own?.owned.bytes ?? 0) + (own?.unowned.bytes ?? 0)).toBe(subject().report.size.uncompressed);
    expect(own?.notes).toEqual([]);
  });
});

describe('rules and the diff on the built image', () => {
  it('names make as a toolchain package and coreutils as deleted but still shipped', () => {
    const f = built.checked.findings;
    const sg402 = f.find((x) => x.id === 'SG402');
    expect(sg402?.message).toMatch(/\bmake \d/);
    const sg604 = f.find((x) => x.id === 'SG604');
    expect(sg604?.message).toMatch(
      /^1 package still installed .*: coreutils \S+ \(dpkg\) \S+ MB in layer 1$/,
    );
    expect(sg604?.layer).toBe(0);
  });

  it('check --baseline: coreutils changed, its bytes gone from what it owns', () => {
    const before = dpkgPackages(base.report).get('coreutils');
    expect(before?.size).toBeGreaterThan(10_000_000);
    expect(dpkgPackages(built.report).get('coreutils')?.size).toBe(0);
    const text = renderCheck(built.checked, built.baseline);
    expect(text).toContain('Packages    0 added, 0 removed, 1 changed (');
    expect(text).toMatch(
      new RegExp(`^  ~ +-${formatBytes(before?.size ?? 0).replace('.', '\\.')}  dpkg +coreutils \\S+$`, 'm'),
    );
  });

  it('the layer cache keeps the records: a second inspect from the cache gives the same packages', async () => {
    const cache = path.join(work, 'cache');
    const archive = path.join(work, 'built.tar');
    const [again] = await inspect(`docker-archive:${archive}`, { cache });
    expect(again?.packages).toEqual(built.report.packages);
    expect(again?.ownership).toEqual(built.report.ownership);
    expect(readFileSync(archive).length).toBeGreaterThan(0);
  });
});
