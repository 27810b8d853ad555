/**
 * Who brought the bytes (pure): every path of the final file system gets an owner — an OS package (dpkg,
 * apk) before a language package (Python, npm, Ruby gems) — or none (the image's own files), and each
 * package the bytes and paths it owns, each inode once, as `size.uncompressed` counts them.
 *
 * The databases are the final file system's own (a later layer's database replaces an earlier one's), parsed
 * by the format modules (src/formats/) as the scan streamed them, and assembled into packages by the same
 * modules: this file only walks their list. A listed path is looked up with its directories resolved through
 * the image's symlinks, as dpkg does: Debian lists /lib/x86_64-linux-gnu/libc.so.6, a usr-merged image
 * stores /usr/lib/x86_64-linux-gnu/libc.so.6. Directories are owned by nobody (they are shared and hold no
 * bytes); a symlink that a package lists is its own, also when it leads to a directory, unless some
 * package lists paths beneath it (usr-merge's /lib: a directory to dpkg).
 */
import type { FlatFile } from '../flatten/flatten.js';
import type { AppManifest, FileView, FoundDb, PackageRecord, ParsedDb } from '../formats/contract.js';
import { FORMATS, moduleOf } from '../formats/index.js';
import { cargoDb } from '../formats/lang-modules.js';
import type { PackageManager } from '../types/report.js';
import { ImageFs } from './fsview.js';
import { ListedPaths } from './listed-paths.js';

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
  /** What its database records besides (source, license, dependencies…). */
  record: PackageRecord;
  /** The layer of the database record that brought it. */
  layer?: number;
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
  apps: AppManifest[];
}

/** Notes, at most MAX_NOTES of them and a count of the rest. */
class Notes {
  readonly list: string[] = [];
  private more = 0;
  add(s: string): void {
    if (this.list.length < MAX_NOTES) this.list.push(s);
    else this.more++;
  }
  done(): string[] {
    if (this.more) this.list.push(`and ${this.more} more databases with entries not read`);
    return this.list;
  }
}

/**
 * Characters of listed paths and records the image's packages may keep: a base plus a multiple of the
 * image's own path characters. Each layer's scan has a bound of its own; this one holds the image as a
 * whole, whatever the number of layers.
 */
function imageBudget(files: readonly FlatFile[]): number {
  let n = 16 * 1024 * 1024;
  for (const f of files) n += 4 * f.path.length;
  return n;
}

export function findOwners(files: readonly FlatFile[], fsIn?: ImageFs): Owners {
  const notes = new Notes();
  let fs = fsIn;
  const view = (): ImageFs => (fs ??= new ImageFs(files));
  const lazy = lazyView(files, view);
  const found = collect(files, notes);
  const all: OwnedPackage[] = [];
  const apps: AppManifest[] = [];
  for (const tier of ['os', 'lang'] as const) {
    for (const m of FORMATS) {
      if (m.tier !== tier) continue;
      const a = m.assemble(found.get(m.id) ?? [], lazy);
      for (const n of a.notes) notes.add(n);
      apps.push(...(a.apps ?? []));
      for (const p of a.packages) all.push(owned(p.manager, p.record, p));
    }
  }
  spendBudget(all, imageBudget(files), notes);
  const listed = new ListedPaths<OwnedPackage>(files, view);
  for (const p of all) if (p.listed !== undefined) listed.claim(p);
  const dirOwners = new Map<string, OwnedPackage>();
  for (const p of all) if (p.dir !== undefined && !dirOwners.has(p.dir)) dirOwners.set(p.dir, p);
  const walked = walk(files, listed, dirOwners);
  const { lines, lineOf } = merge(all);
  const fileOwners = walked.fileOwners;
  for (let k = 0; k < fileOwners.length; k++) {
    const o = fileOwners[k];
    if (o) fileOwners[k] = lineOf.get(o);
  }
  let byPath: Map<string, number> | undefined;
  return {
    packages: lines,
    fileOwners,
    owned: walked.owned,
    unowned: walked.unowned,
    notes: notes.done(),
    ownerOf: (path) => {
      byPath ??= new Map(files.map((f, k) => [f.path, k]));
      const k = byPath.get(path);
      return k === undefined ? undefined : fileOwners[k];
    },
    dirOwner: (dir) => dirOwners.get(dir),
    listedPaths: (p) => listed.pathsOf(p),
    apps,
  };
}

/** The modules' view of the image, building the file index only when a module asks for it. */
function lazyView(files: readonly FlatFile[], fs: () => ImageFs): FileView {
  return {
    files,
    get: (p) => fs().get(p),
    children: (d) => fs().children(d),
    resolveFile: (p) => fs().resolveFile(p),
    isDir: (p) => fs().isDir(p),
  };
}

/** The parsed files of the final file system, by module; one note per file with entries not read. */
function collect(files: readonly FlatFile[], notes: Notes): Map<string, FoundDb[]> {
  const found = new Map<string, FoundDb[]>();
  for (const f of files) {
    if (f.type !== 'file') continue;
    // A Rust binary's crates come from its ELF facts, read in the same pass as its sections.
    const db = f.pkg ?? (f.elf?.cargo ? cargoDb(f.elf.cargo, f.path) : undefined);
    if (!db) continue;
    const m = moduleOf(db.kind);
    if (!m) continue;
    const counted = describe(f.path, db);
    if (counted) notes.add(counted);
    const list = found.get(m.id);
    const d: FoundDb = { path: f.path, db, layer: f.layer };
    if (list) list.push(d);
    else found.set(m.id, [d]);
  }
  return found;
}

function owned(
  manager: PackageManager,
  record: PackageRecord,
  a: { listed?: string; dir?: string; layer?: number },
): OwnedPackage {
  const p: OwnedPackage = {
    manager,
    name: record.name,
    version: record.version,
    size: 0,
    files: 0,
    copies: 1,
    record,
  };
  if (record.declaredSize !== undefined) p.declaredSize = record.declaredSize;
  if (a.listed !== undefined) p.listed = a.listed;
  if (a.dir !== undefined) p.dir = a.dir;
  if (a.layer !== undefined) p.layer = a.layer;
  return p;
}

/** The image's budget, spent in claim order: a package past it keeps its line but lists no paths. */
function spendBudget(all: readonly OwnedPackage[], budget: number, notes: Notes): void {
  let left = budget;
  let trimmed = 0;
  for (const p of all) {
    const cost = 64 + p.name.length + (p.listed?.length ?? 0) + (p.dir?.length ?? 0);
    if (cost <= left) left -= cost;
    else if (p.listed !== undefined) {
      delete p.listed;
      trimmed++;
    }
  }
  if (trimmed)
    notes.add(
      `${trimmed} packages' file lists past the image's budget for package data: their files are not owned`,
    );
}

interface Walked {
  owned: { bytes: number; files: number };
  unowned: { bytes: number; files: number };
  fileOwners: (OwnedPackage | undefined)[];
}

/** One pass in path order (parents before children): the nearest owned directory owns what is below it. */
function walk(
  files: readonly FlatFile[],
  listed: ListedPaths<OwnedPackage>,
  dirOwners: Map<string, OwnedPackage>,
): Walked {
  const owned = { bytes: 0, files: 0 };
  const unowned = { bytes: 0, files: 0 };
  // Most images own nothing (scratch, distroless static): one plain count, and no per-file array.
  if (listed.empty && dirOwners.size === 0) {
    for (const f of files) {
      if (f.type === 'dir') continue;
      unowned.files++;
      if (f.type === 'file') unowned.bytes += f.size;
    }
    return { owned, unowned, fileOwners: [] };
  }
  const fileOwners = new Array<OwnedPackage | undefined>(files.length);
  const stack: { prefix: string; owner: OwnedPackage }[] = [];
  files.forEach((f, i) => {
    while (stack.length && !f.path.startsWith((stack[stack.length - 1] as { prefix: string }).prefix))
      stack.pop();
    if (f.type === 'dir') {
      const o = dirOwners.get(f.path);
      if (o) stack.push({ prefix: `${f.path}/`, owner: o });
      return;
    }
    const owner = listed.ownerAt(f) ?? stack[stack.length - 1]?.owner;
    const bytes = f.type === 'file' ? f.size : 0;
    const into = owner ? owned : unowned;
    into.bytes += bytes;
    into.files++;
    if (owner) {
      owner.size += bytes;
      owner.files++;
      fileOwners[i] = owner;
    }
  });
  return { owned, unowned, fileOwners };
}

/**
 * Packages named more than once become one line: language packages installed in several places (nested
 * node_modules) with their copies counted, and an OS package that two records name (dpkg status and a
 * status.d stanza) with the files and bytes of both. `lineOf` maps each package to its line. Largest first.
 */
function merge(all: readonly OwnedPackage[]): {
  lines: OwnedPackage[];
  lineOf: Map<OwnedPackage, OwnedPackage>;
} {
  const lines = new Map<string, OwnedPackage>();
  const lineOf = new Map<OwnedPackage, OwnedPackage>();
  for (const p of all) {
    const key = `${p.manager}\0${p.name}`;
    const os = p.manager === 'dpkg' || p.manager === 'apk' || p.manager === 'rpm';
    const line = lines.get(key);
    if (!line) {
      // A language package's line is a copy, so that each copy keeps its own figures (SG403 reads them).
      const first = os ? p : { ...p };
      lines.set(key, first);
      lineOf.set(p, first);
      continue;
    }
    lineOf.set(p, line);
    line.size += p.size;
    line.files += p.files;
    if (os) {
      if (p.present !== undefined) line.present = (line.present ?? 0) + p.present;
      continue;
    }
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
function describe(path: string, db: ParsedDb): string | undefined {
  const parts: string[] = [];
  if (db.cut) parts.push(`${db.cut} cut at a size bound`);
  if (db.outside) parts.push(`${db.outside} paths outside the image's root ignored`);
  if (db.bad) parts.push(`${db.bad} malformed`);
  return parts.length ? `${path}: ${parts.join(', ')}` : undefined;
}
