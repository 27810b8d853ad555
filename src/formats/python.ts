/**
 * Python, installed as wheels do it:
 *
 * | file                          | kind            | keeps                                              |
 * | ----------------------------- | --------------- | -------------------------------------------------- |
 * | …/NAME.dist-info/METADATA     | python-metadata | Name, Version, license, Requires-Dist names        |
 * | …/NAME.dist-info/RECORD       | python-record   | the paths it installed                             |
 *
 * …/NAME[-VER].egg-info/*        | egg-*           | setuptools' egg metadata (egg-info.ts)             |
 *
 * An egg's parts (PKG-INFO, installed-files.txt, top_level.txt, requires.txt) are joined by their
 * .egg-info directory. The package owns the paths installed-files.txt lists; without that list, its
 * .egg-info directory and the top-level modules top_level.txt names (SITE/MOD and SITE/MOD.py as paths:
 * the files inside a module directory are not claimed). The single-file form owns itself.
 *
 * METADATA is email-style headers up to the first blank line. The license is License-Expression when it
 * is SPDX, else a short License field or the "License ::" classifiers when they map cleanly. A
 * Requires-Dist for an extra ("; extra == …") is not installed by default and is not a dependency here.
 */
import type {
  Assembled,
  Counts,
  FileMatch,
  FormatModule,
  FoundDb,
  PackageRecord,
  ParsedDb,
} from './contract.js';
import { eggKind, eggReader, type EggKind } from './egg-info.js';
import { langParser, notesOf } from './lang-modules.js';
import { allOf, spdxLicense } from './license.js';
import { PathList } from './path-list.js';
import { purl } from './purl.js';
import {
  colon,
  dependencyNames,
  dirOf,
  field,
  isBlank,
  LineReader,
  withCounts,
  type LineSink,
} from './read.js';

const EGG_KINDS = ['egg-pkg-info', 'egg-files', 'egg-top-level', 'egg-requires'];

function match(path: string): FileMatch | undefined {
  // Cheap tests first: this runs for every file of every layer.
  const meta = path.endsWith('.dist-info/METADATA');
  if (meta || path.endsWith('.dist-info/RECORD')) return { kind: meta ? 'python-metadata' : 'python-record' };
  if (!path.endsWith('.egg-info') && !path.endsWith('.txt') && !path.endsWith('/PKG-INFO')) return undefined;
  const egg = eggKind(path);
  return egg ? { kind: egg } : undefined;
}

class PythonMetadata implements LineSink {
  counts!: Counts;
  private readonly f: Record<string, string | null> = {};
  private readonly classifiers: string[] = [];
  private readonly requires: string[] = [];
  private done = false;

  line(b: Buffer): void {
    if (this.done) return;
    if (isBlank(b)) {
      this.done = true;
      return;
    }
    const c = colon(b);
    if (c === -1) return;
    const key = b.toString('latin1', 0, c).toLowerCase();
    if (key === 'classifier') {
      const v = field(b.subarray(c + 1), this.counts, 512);
      if (v?.startsWith('License :: ') && this.classifiers.length < 16) this.classifiers.push(v);
    } else if (key === 'requires-dist') {
      const v = b.toString('utf8', c + 1);
      const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(v);
      if (m && !/;.*\bextra\s*==/.test(v) && this.requires.length < 10_000)
        this.requires.push(normalise(m[1] as string));
    } else if (['name', 'version', 'license-expression', 'license'].includes(key) && !(key in this.f)) {
      this.f[key] = field(b.subarray(c + 1), this.counts);
    }
  }

  finish(c: Counts): ParsedDb {
    const db: ParsedDb = { kind: 'python-metadata' };
    const name = this.f['name'];
    if (!name) {
      c.bad++;
      return withCounts(db, c);
    }
    const rec: PackageRecord = { name, version: this.f['version'] ?? null };
    const license = this.license();
    if (license) rec.license = license;
    const deps = dependencyNames(this.requires, c);
    if (deps) rec.dependsOn = deps;
    db.packages = [rec];
    return withCounts(db, c);
  }

  private license(): string | undefined {
    const expr = spdxLicense(this.f['license-expression']);
    if (expr) return expr;
    const text = spdxLicense(this.f['license']);
    if (text) return text;
    // "License :: OSI Approved :: MIT License" → MIT.
    const named = this.classifiers.map((s) => s.split(' :: ').pop()).filter((s) => s !== 'OSI Approved');
    return named.length ? allOf(named) : undefined;
  }
}

/** PEP 503: lowercase, and runs of "-", "_" and "." become one "-". */
const normalise = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

/** `requests-2.31.0.dist-info` → requests 2.31.0 (the name the spec gives the directory). */
function fromDistInfo(dir: string): PackageRecord {
  const stem = dir.slice(dir.lastIndexOf('/') + 1, -'.dist-info'.length);
  const i = stem.lastIndexOf('-');
  return i > 0 ? { name: stem.slice(0, i), version: stem.slice(i + 1) } : { name: stem, version: null };
}

function assemble(found: readonly FoundDb[]): Assembled {
  const { packages, notes } = assembleEggs(found);
  const meta = new Map<string, PackageRecord>();
  for (const d of found) {
    const rec = d.db.packages?.[0];
    if (d.db.kind === 'python-metadata' && rec) meta.set(dirOf(d.path), rec);
  }
  for (const d of found) {
    if (d.db.kind !== 'python-record') continue;
    const dir = dirOf(d.path);
    const p: Assembled['packages'][number] = {
      manager: 'python',
      record: meta.get(dir) ?? fromDistInfo(dir),
      layer: d.layer,
    };
    if (d.db.files !== undefined) p.listed = d.db.files;
    packages.push(p);
  }
  return { packages, notes };
}

/** Eggs: the parts of one .egg-info directory joined by its key; the single-file form stands alone. */
function assembleEggs(found: readonly FoundDb[]): Assembled {
  const parts = new Map<string, FoundDb[]>();
  const notes: string[] = [];
  for (const d of found) {
    if (!d.db.kind.startsWith('egg-')) continue;
    notesOf(d, notes);
    const key = d.db.key ?? d.path;
    const list = parts.get(key);
    if (list) list.push(d);
    else parts.set(key, [d]);
  }
  const packages: Assembled['packages'] = [];
  for (const [key, list] of parts) {
    const info = list.find((d) => d.db.kind === 'egg-pkg-info' && d.db.packages?.length);
    const rec = info?.db.packages?.[0];
    if (!info || !rec) continue;
    const record: PackageRecord = { ...rec };
    delete record.files;
    delete record.dir;
    const deps = list.find((d) => d.db.kind === 'egg-requires')?.db.names;
    if (deps?.length) record.dependsOn = [...new Set(deps.map(normalise))];
    const p: Assembled['packages'][number] = { manager: 'python', record, layer: info.layer };
    const files = list.find((d) => d.db.kind === 'egg-files')?.db.files;
    const top = list.find((d) => d.db.kind === 'egg-top-level')?.db.dirs;
    if (files !== undefined) p.listed = files;
    else if (info.db.key === undefined) p.listed = key;
    else {
      p.dir = key;
      if (top !== undefined) p.listed = top;
    }
    packages.push(p);
  }
  return { packages, notes };
}

export const python: FormatModule = {
  id: 'python',
  tier: 'lang',
  kinds: ['python-metadata', 'python-record', ...EGG_KINDS],
  match,
  parser: (m, path, budget) => {
    if (m.kind === 'python-metadata') return new LineReader(new PythonMetadata());
    // RECORD paths are relative to the directory that holds the .dist-info directory.
    if (m.kind === 'python-record')
      return new LineReader(new PathList('python-record', 'record', dirOf(dirOf(path)), budget));
    return langParser(m.kind, eggReader(m.kind as EggKind, path));
  },
  assemble,
  purl: (rec) => purl('pypi', undefined, normalise(rec.name), rec.version),
};
