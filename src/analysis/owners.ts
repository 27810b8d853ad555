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

/** A package as ownership found it; `listed` and `present` are for the rules. */
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
  /**
   * The owner's line in `packages` of each of the files given, in their order (undefined: nobody's); empty
   * when no package owns anything.
   */
  fileOwners: (OwnedPackage | undefined)[];
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

  const symlinks = new Set<string>();
  for (const f of files) {
    if (f.type !== 'file') {
      if (f.type === 'dir' && f.path.endsWith(`/gems/${basename(f.path)}`)) gemDirs.add(f.path);
      else if (f.type === 'symlink') symlinks.add(f.path);
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
          const p = pkg('npm', rec);
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
  // A file list goes to one package only: a database that names a package many times (hostile, or
  // status.d stanzas sharing one md5sums) must not make every name claim the same paths again.
  const given = new Set<unknown>();
  const give = (p: OwnedPackage, list: { db: { files?: string } } | undefined): void => {
    if (!list || given.has(list)) return;
    given.add(list);
    p.listed = list.db.files;
  };
  if (dpkgStatus) {
    for (const rec of dpkgStatus.packages ?? []) {
      const p = pkg('dpkg', rec);
      const arch = rec.name.indexOf(':');
      give(
        p,
        lists.get(rec.name) ?? (arch === -1 && rec.arch ? lists.get(`${rec.name}:${rec.arch}`) : undefined),
      );
      os.push(p);
    }
  }
  for (const { db, path } of statusD) {
    for (const rec of db.packages ?? []) {
      const p = pkg('dpkg', rec);
      give(p, lists.get(`status.d/${basename(path)}`));
      os.push(p);
    }
  }
  for (const rec of apk?.db.packages ?? []) {
    const p = pkg('apk', rec);
    if (rec.files) p.listed = rec.files;
    os.push(p);
  }
  for (const [dir, record] of pyRecord) {
    const meta = pyMeta.get(dir)?.packages?.[0] ?? fromDistInfo(basename(dir));
    const p = pkg('python', meta);
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

  // Listed paths → owner, first claim wins (OS packages before language packages). A listed path is looked
  // up with its directories resolved; the image's file index is built only when a symlink is on the way.
  const exact = new Map<string, OwnedPackage>();
  /** Later claims of a path another package claimed first (rare: shared files, diversions). */
  const alsoClaimed = new Map<string, OwnedPackage[]>();
  let fs = fsIn;
  const index = (): ImageFs => (fs ??= new ImageFs(files));
  const realDir = new Map<string, string>();
  const viaSymlink = (d: string): boolean => {
    for (let a = d; a !== '/'; a = dirname(a)) if (symlinks.has(a)) return true;
    return false;
  };
  const real = (p: string): string => {
    const d = dirname(p);
    let r = realDir.get(d);
    if (r === undefined) {
      const res = d === '/' || !viaSymlink(d) ? undefined : index().resolve(d);
      r = res?.ok ? res.path : d;
      realDir.set(d, r);
    }
    return r === '/' ? `/${basename(p)}` : `${r}/${basename(p)}`;
  };
  for (const p of [...os, ...lang]) {
    if (p.listed === undefined) continue;
    p.present = 0;
    for (const path of p.listed.split('\n')) {
      if (path === '') continue;
      const at = real(path);
      const first = exact.get(at);
      if (!first) exact.set(at, p);
      else if (first !== p) {
        const more = alsoClaimed.get(at);
        if (more) more.push(p);
        else alsoClaimed.set(at, [p]);
      }
    }
  }

  // One pass in path order (parents before children): the nearest owned directory owns what is below it.
  const owned = { bytes: 0, files: 0 };
  const unowned = { bytes: 0, files: 0 };
  const stack: { prefix: string; owner: OwnedPackage }[] = [];
  const none = exact.size === 0 && dirOwners.size === 0;
  // Most images own nothing (scratch, distroless static): one plain count, and no per-file array.
  const fileOwners = none ? [] : new Array<OwnedPackage | undefined>(files.length);
  let i = -1;
  for (const f of files) {
    if (none) {
      if (f.type === 'dir') continue;
      unowned.files++;
      if (f.type === 'file') unowned.bytes += f.size;
      continue;
    }
    i++;
    while (stack.length && !f.path.startsWith((stack[stack.length - 1] as { prefix: string }).prefix))
      stack.pop();
    if (f.type === 'dir') {
      const o = dirOwners.get(f.path);
      if (o) stack.push({ prefix: `${f.path}/`, owner: o });
      continue;
    }
    let listedBy = exact.get(f.path);
    // A listed directory that the image holds as a symlink to one (usr-merge's /lib, /bin) is still a
    // directory to dpkg: owned by nobody, and no sign that the package is there.
    if (listedBy && f.type === 'symlink' && index().isDir(f.path)) listedBy = undefined;
    if (listedBy) {
      (listedBy.present as number)++;
      for (const q of alsoClaimed.get(f.path) ?? []) (q.present as number)++;
    }
    const owner = listedBy ?? stack[stack.length - 1]?.owner;
    const bytes = f.type === 'file' ? f.size : 0;
    const into = owner ? owned : unowned;
    into.bytes += bytes;
    into.files++;
    if (owner) {
      owner.size += bytes;
      owner.files++;
      fileOwners[i] = owner;
    }
  }
  if (moreNotes) notes.push(`and ${moreNotes} more databases with entries not read`);
  const { lines, lineOf } = merge([...os, ...lang]);
  let byPath: Map<string, number> | undefined;
  for (let k = 0; k < fileOwners.length; k++) {
    const o = fileOwners[k];
    if (o) fileOwners[k] = lineOf.get(o);
  }
  return {
    packages: lines,
    fileOwners,
    owned,
    unowned,
    notes,
    ownerOf: (path) => {
      byPath ??= new Map(files.map((f, k) => [f.path, k]));
      const k = byPath.get(path);
      return k === undefined ? undefined : fileOwners[k];
    },
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

function pkg(manager: PackageManager, rec: PackageRecord): OwnedPackage {
  const p: OwnedPackage = { manager, name: rec.name, version: rec.version, size: 0, files: 0, copies: 1 };
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

/**
 * Language packages installed more than once (nested node_modules) become one line, their copies summed;
 * `lineOf` maps each package to its line. Largest first.
 */
function merge(all: readonly OwnedPackage[]): {
  lines: OwnedPackage[];
  lineOf: Map<OwnedPackage, OwnedPackage>;
} {
  const lines = new Map<string, OwnedPackage>();
  const lineOf = new Map<OwnedPackage, OwnedPackage>();
  for (const p of all) {
    const key = `${p.manager}\0${p.name}`;
    const os = p.manager === 'dpkg' || p.manager === 'apk';
    const line = lines.get(key);
    if (!line) {
      // A language package's line is a copy, so that each copy keeps its own figures (SG403 reads them).
      const first = os ? p : { ...p };
      lines.set(key, first);
      lineOf.set(p, first);
      continue;
    }
    lineOf.set(p, line);
    if (os) continue; // one database lists a name once; a second one (status.d) adds nothing
    line.size += p.size;
    line.files += p.files;
    line.copies += p.copies;
    line.version = joinVersions(line.version, p.version);
  }
  const sorted = [...lines.values()].sort(
    (a, b) => b.size - a.size || cmp(a.manager, b.manager) || cmp(a.name, b.name),
  );
  return { lines: sorted, lineOf };
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
export function reportOwners(o: Owners): {
  packages: ReportPackage[];
  ownership: Ownership;
  /** A package's index in `packages`, or undefined when it is not listed. */
  indexOf: Map<OwnedPackage, number>;
} {
  const listed = o.packages.slice(0, MAX_LISTED);
  const indexOf = new Map(listed.map((p, i) => [p, i]));
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
  return { packages, ownership, indexOf };
}
