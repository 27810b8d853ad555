/**
 * Who brought the bytes (pure): every path of the final file system gets an owner — an OS package (dpkg,
 * apk) before a language package (Python, npm, Ruby gems) — or none (the image's own files), and each
 * package the bytes and paths it owns, each inode once, as `size.uncompressed` counts them.
 *
 * The databases are the final file system's own (a later layer's database replaces an earlier one's), read
 * by the scan (src/scan/packages.ts). A listed path is looked up with its directories resolved through the
 * image's symlinks, as dpkg does: Debian lists /lib/x86_64-linux-gnu/libc.so.6, a usr-merged image stores
 * /usr/lib/x86_64-linux-gnu/libc.so.6. Directories are owned by nobody (they are shared and hold no bytes).
 * rpm is not read (README, "Packages").
 */
import type { FlatFile } from '../flatten/flatten.js';
import type { PackageDb, PackageRecord } from '../scan/packages.js';
import type { Ownership, PackageManager, ReportPackage } from '../types/report.js';
import { basename, dirname } from '../util/paths.js';
import { ImageFs } from './fsview.js';

/** The report lists at most this many packages, the largest; the rest are summed in `ownership.more`. */
const MAX_LISTED = 5000;
const MAX_NOTES = 20;

/** A package as ownership found it. `paths` are the paths its database lists (for the rules). */
export interface OwnedPackage {
  manager: PackageManager;
  name: string;
  version: string | null;
  declaredSize?: number;
  size: number;
  files: number;
  copies: number;
  /** The paths its database lists, absolute, joined by "\n" (dpkg, apk, Python); undefined for dir owners. */
  listed?: string;
  /** The directory it owns (npm, gems). */
  dir?: string;
  /** How many of its listed paths are in the final file system, other than as directories. */
  present?: number;
}

export interface Owners {
  packages: OwnedPackage[];
  owned: { bytes: number; files: number };
  unowned: { bytes: number; files: number };
  notes: string[];
  /** The owner of a path of the final file system, when one has it. */
  ownerOf(path: string): OwnedPackage | undefined;
  /** The package that owns this directory (an npm package's or a gem's own directory). */
  dirOwner(dir: string): OwnedPackage | undefined;
  /** A package's listed paths as the final file system names them (its directories' symlinks resolved). */
  listedPaths(p: OwnedPackage): string[];
  /** Application package.json files with devDependencies: where, and the names. */
  apps: { path: string; devDependencies: string[] }[];
}

const DPKG_STATUS = '/var/lib/dpkg/status';
const DPKG_INFO = '/var/lib/dpkg/info/';
const DPKG_STATUS_D = '/var/lib/dpkg/status.d/';

export function findOwners(files: readonly FlatFile[], fsIn?: ImageFs): Owners {
  const notes: string[] = [];
  let moreNotes = 0;
  const note = (s: string): void => {
    if (notes.length < MAX_NOTES) notes.push(s);
    else moreNotes++;
  };
  const os: OwnedPackage[] = [];
  const lang: OwnedPackage[] = [];
  const dirOwners = new Map<string, OwnedPackage>();
  const lists = new Map<string, { db: PackageDb; path: string }>();
  const statusD: { db: PackageDb; path: string }[] = [];
  const pyMeta = new Map<string, PackageDb>();
  const pyRecord = new Map<string, PackageDb>();
  const apps: Owners['apps'] = [];
  let dpkgStatus: PackageDb | undefined;
  let apk: { db: PackageDb; path: string } | undefined;
  let rpm = false;
  const gemDirs = new Set<string>();
  const gemSpecs: string[] = [];

  for (const f of files) {
    if (f.type !== 'file') {
      if (f.type === 'dir' && f.path.endsWith(`/gems/${basename(f.path)}`)) gemDirs.add(f.path);
      continue;
    }
    if (f.path.endsWith('.gemspec') && dirname(f.path).endsWith('/specifications')) gemSpecs.push(f.path);
    if (!rpm && (f.path.startsWith('/var/lib/rpm/') || f.path.startsWith('/usr/lib/sysimage/rpm/')))
      rpm = f.size > 0;
    const db = f.pkg;
    if (!db) continue;
    const counted = describe(f.path, db);
    if (counted) note(counted);
    switch (db.kind) {
      case 'dpkg-status':
        if (f.path === DPKG_STATUS) dpkgStatus = db;
        else statusD.push({ db, path: f.path });
        break;
      case 'dpkg-files':
        if (f.path.startsWith(DPKG_INFO))
          lists.set(basename(f.path).slice(0, -'.list'.length), { db, path: f.path });
        else if (f.path.startsWith(DPKG_STATUS_D))
          lists.set(`status.d/${basename(f.path).slice(0, -'.md5sums'.length)}`, { db, path: f.path });
        break;
      case 'apk':
        // Usr-merged images hold one database under two names; the first found is the one.
        apk ??= { db, path: f.path };
        break;
      case 'python-metadata':
        pyMeta.set(dirname(f.path), db);
        break;
      case 'python-record':
        pyRecord.set(dirname(f.path), db);
        break;
      case 'npm': {
        const rec = db.packages?.[0];
        if (rec) {
          const p = pkg('npm', rec, 1);
          p.dir = dirname(f.path);
          dirOwners.set(p.dir, p);
          lang.push(p);
        }
        break;
      }
      case 'app':
        if (db.devDependencies?.length) apps.push({ path: f.path, devDependencies: db.devDependencies });
        break;
    }
  }

  // dpkg: status (or the distroless status.d stanzas) for who, info/*.list (or status.d/*.md5sums) for what.
  if (dpkgStatus) {
    for (const rec of dpkgStatus.packages ?? []) {
      const p = pkg('dpkg', rec, 1);
      const arch = rec.name.indexOf(':');
      const list =
        lists.get(rec.name) ?? (arch === -1 && rec.arch ? lists.get(`${rec.name}:${rec.arch}`) : undefined);
      if (list) p.listed = list.db.files;
      os.push(p);
    }
  }
  for (const { db, path } of statusD) {
    for (const rec of db.packages ?? []) {
      const p = pkg('dpkg', rec, 1);
      const list = lists.get(`status.d/${basename(path)}`);
      if (list) p.listed = list.db.files;
      os.push(p);
    }
  }
  for (const rec of apk?.db.packages ?? []) {
    const p = pkg('apk', rec, 1);
    if (rec.files) p.listed = rec.files;
    os.push(p);
  }
  for (const [dir, record] of pyRecord) {
    const meta = pyMeta.get(dir)?.packages?.[0] ?? fromDistInfo(basename(dir));
    const p = pkg('python', meta, 1);
    p.listed = record.files;
    lang.push(p);
  }
  for (const spec of gemSpecs) {
    const p = gem(spec, gemDirs);
    if (p?.dir) {
      dirOwners.set(p.dir, p);
      lang.push(p);
    }
  }
  if (rpm) note('rpm database found but not read: its packages are not listed (README, "Packages")');

  // Listed paths → owner, first claim wins (OS packages before language packages).
  const exact = new Map<string, OwnedPackage>();
  let fs = fsIn;
  const realDir = new Map<string, string>();
  const real = (p: string): string => {
    const d = dirname(p);
    let r = realDir.get(d);
    if (r === undefined) {
      fs ??= new ImageFs(files);
      const res = d === '/' ? undefined : fs.resolve(d);
      r = res?.ok ? res.path : d;
      realDir.set(d, r);
    }
    return r === '/' ? `/${basename(p)}` : `${r}/${basename(p)}`;
  };
  for (const p of [...os, ...lang]) {
    if (p.listed === undefined) continue;
    fs ??= new ImageFs(files);
    let present = 0;
    for (const path of p.listed.split('\n')) {
      if (path === '') continue;
      const at = real(path);
      const f = fs.get(at);
      // A listed directory that the image holds as a symlink to one (usr-merge's /lib, /bin) is still a
      // directory to dpkg: owned by nobody, and no sign that the package is there.
      if (f?.type === 'symlink' && fs.isDir(at)) continue;
      if (!exact.has(at)) exact.set(at, p);
      if (f && f.type !== 'dir') present++;
    }
    p.present = present;
  }

  // One pass in path order (parents before children): the nearest owned directory owns what is below it.
  const owned = { bytes: 0, files: 0 };
  const unowned = { bytes: 0, files: 0 };
  const stack: { prefix: string; owner: OwnedPackage }[] = [];
  for (const f of files) {
    while (stack.length && !f.path.startsWith((stack[stack.length - 1] as { prefix: string }).prefix))
      stack.pop();
    if (f.type === 'dir') {
      const o = dirOwners.get(f.path);
      if (o) stack.push({ prefix: `${f.path}/`, owner: o });
      continue;
    }
    const owner = exact.get(f.path) ?? stack[stack.length - 1]?.owner;
    const bytes = f.type === 'file' ? f.size : 0;
    const into = owner ? owned : unowned;
    into.bytes += bytes;
    into.files++;
    if (owner) {
      owner.size += bytes;
      owner.files++;
    }
  }
  if (moreNotes) notes.push(`and ${moreNotes} more databases with entries not read`);
  return {
    packages: merge([...os, ...lang]),
    owned,
    unowned,
    notes,
    ownerOf: (path) => exact.get(path) ?? nearestDir(path, dirOwners),
    dirOwner: (dir) => dirOwners.get(dir),
    listedPaths: (p) =>
      p.listed
        ? p.listed
            .split('\n')
            .filter((x) => x !== '')
            .map(real)
        : [],
    apps,
  };
}

function pkg(manager: PackageManager, rec: PackageRecord, copies: number): OwnedPackage {
  const p: OwnedPackage = { manager, name: rec.name, version: rec.version, size: 0, files: 0, copies };
  if (rec.declaredSize !== undefined) p.declaredSize = rec.declaredSize;
  return p;
}

/** `requests-2.31.0.dist-info` → requests 2.31.0 (the name the spec gives the directory). */
function fromDistInfo(dir: string): PackageRecord {
  const stem = dir.slice(0, -'.dist-info'.length);
  const i = stem.lastIndexOf('-');
  return i > 0 ? { name: stem.slice(0, i), version: stem.slice(i + 1) } : { name: stem, version: null };
}

/**
 * A gem: `…/specifications/NAME-VERSION.gemspec` owns `…/gems/NAME-VERSION/`. The version starts at the
 * first "-" followed by a digit (gem names may hold "-"; a platform may follow the version).
 */
function gem(spec: string, dirs: ReadonlySet<string>): OwnedPackage | undefined {
  const stem = basename(spec).slice(0, -'.gemspec'.length);
  const dir = `${dirname(dirname(spec))}/gems/${stem}`;
  if (!dirs.has(dir)) return undefined;
  const m = /^(.+?)-(\d.*)$/.exec(stem);
  return {
    manager: 'gem',
    name: m ? (m[1] as string) : stem,
    version: m ? (m[2] as string) : null,
    size: 0,
    files: 0,
    copies: 1,
    dir,
  };
}

function nearestDir(path: string, dirs: Map<string, OwnedPackage>): OwnedPackage | undefined {
  for (let d = dirname(path); d !== '/'; d = dirname(d)) {
    const o = dirs.get(d);
    if (o) return o;
  }
  return undefined;
}

/** Language packages installed more than once (nested node_modules) become one line, their copies summed. */
function merge(all: OwnedPackage[]): OwnedPackage[] {
  const byKey = new Map<string, OwnedPackage>();
  const out: OwnedPackage[] = [];
  for (const p of all) {
    const key = `${p.manager}\0${p.name}`;
    const had = byKey.get(key);
    if (!had) {
      byKey.set(key, p);
      out.push(p);
      continue;
    }
    if (p.manager === 'dpkg' || p.manager === 'apk') continue; // one database lists a name once
    const merged: OwnedPackage = {
      ...had,
      size: had.size + p.size,
      files: had.files + p.files,
      copies: had.copies + p.copies,
      version: joinVersions(had.version, p.version),
    };
    byKey.set(key, merged);
    out[out.indexOf(had)] = merged;
  }
  return out.sort((a, b) => b.size - a.size || cmp(a.manager, b.manager) || cmp(a.name, b.name));
}

/** Versions of a package's copies, sorted, at most MAX_VERSIONS of them. */
const MAX_VERSIONS = 8;
function joinVersions(a: string | null, b: string | null): string | null {
  const had = (a ?? '').split(', ').filter((v) => v !== '' && v !== '…');
  const set = new Set([...had, ...(b === null ? [] : [b])]);
  if (!set.size) return null;
  const all = [...set].sort();
  return all.length > MAX_VERSIONS ? [...all.slice(0, MAX_VERSIONS), '…'].join(', ') : all.join(', ');
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** One line for a database with entries that were not read, or undefined. */
function describe(path: string, db: PackageDb): string | undefined {
  const parts: string[] = [];
  if (db.cut) parts.push(`${db.cut} cut at a size bound`);
  if (db.outside) parts.push(`${db.outside} paths outside the image's root ignored`);
  if (db.bad) parts.push(`${db.bad} malformed`);
  return parts.length ? `${path}: ${parts.join(', ')}` : undefined;
}

/** The report's view: the largest packages, and what nobody owns. */
export function reportOwners(o: Owners): { packages: ReportPackage[]; ownership: Ownership } {
  const listed = o.packages.slice(0, MAX_LISTED);
  const rest = o.packages.slice(MAX_LISTED);
  const packages = listed.map((p): ReportPackage => {
    const r: ReportPackage = {
      manager: p.manager,
      name: p.name,
      version: p.version,
      size: p.size,
      files: p.files,
    };
    if (p.declaredSize !== undefined) r.declaredSize = p.declaredSize;
    if (p.copies > 1) r.copies = p.copies;
    return r;
  });
  const ownership: Ownership = { owned: o.owned, unowned: o.unowned, notes: o.notes };
  if (rest.length) ownership.more = { packages: rest.length, bytes: rest.reduce((n, p) => n + p.size, 0) };
  return { packages, ownership };
}
