/**
 * rpm's package database, in its three formats, at /var/lib/rpm and /usr/lib/sysimage/rpm:
 *
 * | file           | format                         | written by                                   |
 * | -------------- | ------------------------------ | -------------------------------------------- |
 * | `rpmdb.sqlite` | SQLite, table `Packages`       | rpm ≥ 4.16 (Fedora 33+, RHEL 9, Mariner, AL2023) |
 * | `Packages`     | BerkeleyDB hash                | rpm ≤ 4.15 (RHEL 7 and 8, CentOS, AL2)       |
 * | `Packages.db`  | rpm's ndb                      | SUSE (SLE 15 SP3+, openSUSE)                 |
 *
 * Each format is page-addressed: a record's bytes are found through page numbers that point anywhere in
 * the file, backwards as well as forwards, so a database cannot be read as it streams past. It is held
 * whole up to RPMDB_CAP bytes (the largest real ones, a full RHEL install, are near 100 MB); past the cap
 * it is not read at all and the result says so. Each reader is pure, from bytes to header blobs; the
 * headers are decoded by header.ts and assembled by package.ts.
 */
import { decodeHeader, type RpmHeader } from './header.js';
import { bdbHashValues } from './bdb.js';
import { ndbBlobs } from './ndb.js';
import { Notes } from './notes.js';
import { resolveDepends, rpmPackage, type RpmPackage } from './package.js';
import { sqliteRows } from './sqlite.js';

export type RpmDbKind = 'sqlite' | 'bdb' | 'ndb';

/** How much of an rpm database is held to read it. */
export const RPMDB_CAP = 256 * 1024 * 1024;
/** More headers than any real database has (a full distribution is about 60,000 packages). */
const MAX_PACKAGES = 100_000;

const FILES: Record<string, RpmDbKind> = {
  'rpmdb.sqlite': 'sqlite',
  Packages: 'bdb',
  'Packages.db': 'ndb',
};

/** Which rpm database a path is, or undefined. Cheap: this runs for every file of every layer. */
export function rpmDbKind(path: string): RpmDbKind | undefined {
  if (!path.startsWith('/var/lib/rpm/') && !path.startsWith('/usr/lib/sysimage/rpm/')) return undefined;
  const slash = path.lastIndexOf('/');
  if (slash !== 12 && slash !== 21) return undefined;
  return FILES[path.slice(slash + 1)];
}

export interface RpmDb {
  packages: RpmPackage[];
  /** What could not be read, as fixed sentences (never image text), each once with its count. */
  notes: string[];
  /** How many problems the notes stand for. */
  problems: number;
}

/**
 * Reads one database held whole. `size` is the file's size when only its first bytes were kept: a
 * database larger than the cap is not read, and says so.
 */
export function readRpmDb(bytes: Uint8Array, kind: RpmDbKind, size = bytes.length): RpmDb {
  const notes = new Notes();
  if (size > RPMDB_CAP || bytes.length < size) {
    notes.add(`rpm database larger than ${RPMDB_CAP / 1024 / 1024} MiB: not read`);
    return { packages: [], notes: notes.list(), problems: notes.total };
  }
  const blobs =
    kind === 'sqlite'
      ? sqliteBlobs(bytes, notes)
      : kind === 'bdb'
        ? bdbHashValues(bytes, notes)
        : ndbBlobs(bytes, notes);
  const headers: RpmHeader[] = [];
  for (const blob of blobs) {
    if (headers.length >= MAX_PACKAGES) {
      notes.add(`more than ${MAX_PACKAGES} packages: the rest are not read`);
      break;
    }
    const r = decodeHeader(blob);
    if ('error' in r) notes.add(r.error);
    else {
      headers.push(r.header);
      for (const n of r.notes) notes.add(n);
    }
  }
  // rpm's own "gpg-pubkey" entries are keys imported with `rpm --import`, not packages with files.
  const kept = headers.filter((h) => h.name !== 'gpg-pubkey');
  const packages = kept.map(rpmPackage);
  resolveDepends(kept, packages);
  return { packages, notes: notes.list(), problems: notes.total };
}

function sqliteBlobs(bytes: Uint8Array, notes: Notes): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const row of sqliteRows(bytes, 'Packages', notes)) {
    const blob = row.values[1];
    if (blob instanceof Uint8Array) out.push(blob);
    else notes.add('rpmdb.sqlite: a Packages row without a blob');
  }
  return out;
}
