/**
 * Package databases, read while their bodies stream past the scan and kept as compact records: who is
 * installed (name, version, architecture, declared size) and which paths each one owns. The bytes are never
 * kept whole, and every read is bounded (src/scan/heads.ts chooses the files):
 *
 * | file                                                  | kind            | keeps                            |
 * | ----------------------------------------------------- | --------------- | -------------------------------- |
 * | /var/lib/dpkg/status, /var/lib/dpkg/status.d/NAME     | dpkg-status     | installed packages               |
 * | /var/lib/dpkg/info/NAME.list                          | dpkg-files      | the paths NAME installed         |
 * | /var/lib/dpkg/status.d/NAME.md5sums (distroless)      | dpkg-files      | the paths NAME installed         |
 * | [/usr]/lib/apk/db/installed                           | apk             | packages with their paths        |
 * | …/node_modules/[@scope/]NAME/package.json             | npm             | name and version                 |
 * | any other package.json (an application's)             | app             | its devDependencies' names       |
 * | …/NAME.dist-info/METADATA                             | python-metadata | Name and Version                 |
 * | …/NAME.dist-info/RECORD                               | python-record   | the paths it installed           |
 *
 * Bounds: a database is read up to READ_CAP bytes and a line up to MAX_LINE; a name or version is cut at
 * MAX_FIELD characters; at most MAX_RECORDS packages per file; and the paths a layer's file lists keep are
 * bounded by a budget that grows with the names the layer itself holds (PathBudget), so a list that claims
 * millions of paths costs what the layer's own entries cost. Whatever was not kept is counted in `cut`;
 * paths that climb out of the root are counted in `outside`, lines that do not parse in `bad`.
 * Names and paths are bytes, kept losslessly (src/util/names.ts).
 */
import { isAscii } from 'node:buffer';
import { decodeName } from '../util/names.js';
import { cleanPath } from '../util/paths.js';

export type PackageDbKind =
  'dpkg-status' | 'dpkg-files' | 'apk' | 'npm' | 'app' | 'python-metadata' | 'python-record';

export interface PackageRecord {
  name: string;
  version: string | null;
  arch?: string;
  /** The installed size the database declares, in bytes (dpkg Installed-Size × 1024, apk I:). */
  declaredSize?: number;
  /** apk only: the paths it installed, absolute, joined by "\n". */
  files?: string;
}

export interface PackageDb {
  kind: PackageDbKind;
  /** dpkg-status, apk: the installed packages; npm, python-metadata: the one package. */
  packages?: PackageRecord[];
  /** dpkg-files, python-record: the paths it lists, absolute and cleaned, joined by "\n". */
  files?: string;
  /** app: the names of its devDependencies. */
  devDependencies?: string[];
  /** Lines, fields, records or paths not kept because of a bound. */
  cut?: number;
  /** Listed paths that climb out of the image's root. */
  outside?: number;
  /** Lines or documents that do not parse. */
  bad?: number;
}

/** How far into a database the scan reads. Debian's status with 3,000 packages is about 3 MB. */
export const READ_CAP = 64 * 1024 * 1024;
/** A package.json is parsed whole, so it is read up to this (real ones are a few KiB). */
const JSON_CAP = 1024 * 1024;
/** Longer lines are cut: no path (PATH_MAX) and no field Slimgate keeps comes near this. */
const MAX_LINE = 8 * 1024;
/** Names and versions longer than this are cut. */
const MAX_FIELD = 256;
const MAX_RECORDS = 100_000;
const MAX_DEV_DEPENDENCIES = 5_000;

/**
 * Characters of listed paths a layer may keep: a base plus a multiple of the path characters of the
 * layer's own entries seen so far. A file list names files of the image, mostly of its own layer.
 */
export class PathBudget {
  /** Bytes of listed paths and package records a layer may keep (a hostile layer repeats databases). */
  private left = 16 * 1024 * 1024;
  grow(nameLength: number): void {
    this.left += 4 * nameLength;
  }
  take(n: number): boolean {
    if (n > this.left) return false;
    this.left -= n;
    return true;
  }
}

/** Which database a path is, or undefined. Cheap: this runs for every file of every layer. */
export function packageDbKind(path: string): PackageDbKind | undefined {
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  if (name === 'package.json') {
    const i = path.lastIndexOf('/node_modules/');
    if (i === -1) return 'app';
    // Only a package's own root: node_modules/NAME/package.json or node_modules/@SCOPE/NAME/package.json.
    const rest = path.slice(i + '/node_modules/'.length, slash);
    const parts = rest.split('/');
    if (parts.length === 1 && !rest.startsWith('@') && !rest.startsWith('.')) return 'npm';
    if (parts.length === 2 && rest.startsWith('@')) return 'npm';
    return undefined;
  }
  if (name === 'METADATA' || name === 'RECORD') {
    return path.slice(0, slash).endsWith('.dist-info')
      ? name === 'METADATA'
        ? 'python-metadata'
        : 'python-record'
      : undefined;
  }
  if (!path.startsWith('/var/lib/dpkg/') && !path.includes('/apk/db/')) return undefined;
  if (path === '/var/lib/dpkg/status') return 'dpkg-status';
  if (path.startsWith('/var/lib/dpkg/info/') && name.endsWith('.list') && slash === 18) return 'dpkg-files';
  if (path.startsWith('/var/lib/dpkg/status.d/') && slash === 22 && name !== '' && !name.startsWith('.'))
    return name.endsWith('.md5sums') ? 'dpkg-files' : 'dpkg-status';
  if (path === '/lib/apk/db/installed' || path === '/usr/lib/apk/db/installed') return 'apk';
  return undefined;
}

/** Reads one database as it streams; `end()` gives its record. */
export interface PackageParser {
  write(chunk: Uint8Array): void;
  end(): PackageDb;
}

export function packageParser(kind: PackageDbKind, path: string, budget: PathBudget): PackageParser {
  switch (kind) {
    case 'dpkg-status':
      return new LineReader(new DpkgStatus(budget));
    case 'dpkg-files':
      return new LineReader(new PathList(path.endsWith('.md5sums') ? 'md5sums' : 'list', '/', budget));
    case 'apk':
      return new LineReader(new ApkInstalled(budget));
    case 'python-metadata':
      return new LineReader(new PythonMetadata());
    case 'python-record':
      // RECORD paths are relative to the directory that holds the .dist-info directory.
      return new LineReader(new PathList('record', dirOf(dirOf(path)), budget));
    case 'npm':
    case 'app':
      return new JsonReader(kind);
  }
}

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

interface LineSink {
  /** Set by the LineReader that feeds it. */
  counts: Counts;
  line(b: Buffer): void;
  /** The same line as a string, when the whole chunk is ASCII with no NUL or CR (no per-line Buffer). */
  text?(s: string): void;
  /** A line over MAX_LINE, by its first bytes: does losing it lose anything kept? (Default: yes.) */
  matters?(head: Buffer): boolean;
  finish(counts: Counts): PackageDb;
}

interface Counts {
  cut: number;
  outside: number;
  bad: number;
}

/** Splits a body into lines (without "\n"), up to READ_CAP bytes; an overlong line is skipped and counted. */
class LineReader implements PackageParser {
  private carry: Buffer | undefined;
  private read = 0;
  private skipping = false;
  private readonly counts: Counts = { cut: 0, outside: 0, bad: 0 };

  constructor(private readonly sink: LineSink) {
    sink.counts = this.counts;
  }

  write(chunk: Uint8Array): void {
    if (this.read >= READ_CAP) return;
    const n = Math.min(chunk.length, READ_CAP - this.read);
    this.read += n;
    if (this.read >= READ_CAP) this.counts.cut++;
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, n);
    // File lists are long and nearly always ASCII: one string per chunk, sliced per line, is far cheaper.
    const plain = this.sink.text && isAscii(buf) && !buf.includes(0) && !buf.includes(13);
    const str = plain ? buf.toString('latin1') : undefined;
    let start = 0;
    for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, start)) {
      if (this.skipping) this.skipping = false;
      else if (this.carry) {
        const len = this.carry.length + nl - start;
        if (len > MAX_LINE) this.tooLong(this.carry);
        else this.sink.line(Buffer.concat([this.carry, buf.subarray(start, nl)]));
      } else if (nl - start > MAX_LINE) this.tooLong(buf.subarray(start, nl));
      else if (str !== undefined) (this.sink.text as (s: string) => void)(str.slice(start, nl));
      else this.sink.line(buf.subarray(start, nl));
      this.carry = undefined;
      start = nl + 1;
    }
    if (start < buf.length && !this.skipping) {
      const rest = buf.subarray(start);
      const len = (this.carry?.length ?? 0) + rest.length;
      if (len > MAX_LINE) {
        // The line is too long already: drop what there is and the rest of it.
        this.tooLong(this.carry ?? rest);
        this.carry = undefined;
        this.skipping = true;
      } else this.carry = this.carry ? Buffer.concat([this.carry, rest]) : Buffer.from(rest);
    }
  }

  private tooLong(start: Buffer): void {
    if (this.sink.matters?.(start.subarray(0, 64)) ?? true) this.counts.cut++;
  }

  end(): PackageDb {
    if (this.carry && !this.skipping) this.sink.line(this.carry);
    this.carry = undefined;
    return this.sink.finish(this.counts);
  }
}

function withCounts(db: PackageDb, c: Counts): PackageDb {
  if (c.cut) db.cut = c.cut;
  if (c.outside) db.outside = c.outside;
  if (c.bad) db.bad = c.bad;
  return db;
}

/** A field value as a bounded engine string (bytes kept losslessly), or null when empty. */
function field(b: Buffer, counts: Counts): string | null {
  let s = b;
  // Trim ASCII white space (and a CR of CRLF files) at both ends.
  let from = 0;
  let to = s.length;
  while (from < to && (s[from] === 32 || s[from] === 9)) from++;
  while (to > from && (s[to - 1] === 32 || s[to - 1] === 9 || s[to - 1] === 13)) to--;
  if (to === from) return null;
  if (to - from > MAX_FIELD) {
    counts.cut++;
    to = from + MAX_FIELD;
  }
  s = s.subarray(from, to);
  return decodeName(s);
}

/** A size field: digits only, and small enough to be a real size; else undefined (and counted as bad). */
function sizeOf(v: string | null, unit: number, counts: Counts): number | undefined {
  if (v === null) return undefined;
  if (!/^\d{1,15}$/.test(v)) {
    counts.bad++;
    return undefined;
  }
  const n = Number(v) * unit;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Where a "Field: value" line splits, or -1. */
function colon(b: Buffer): number {
  const i = b.indexOf(58);
  return i > 0 && i < 64 ? i : -1;
}

const KEPT = new Set(['Package', 'Version', 'Architecture', 'Status', 'Installed-Size', 'Multi-Arch']);

/**
 * dpkg's status file (and a distroless status.d stanza): RFC 822-like stanzas separated by blank lines.
 * Only installed packages are kept (Status' last word is not "not-installed" or "config-files"); a
 * Multi-Arch: same package is named NAME:ARCH, as dpkg-query's ${binary:Package} and its .list files are.
 */
/** What a kept package record costs the layer's budget: its strings and the object around them. */
function recordCost(rec: PackageRecord): number {
  return 64 + rec.name.length + (rec.version?.length ?? 0) + (rec.arch?.length ?? 0);
}

class DpkgStatus implements LineSink {
  counts!: Counts;
  private readonly out: PackageRecord[] = [];
  private cur: Record<string, string | null> = {};

  constructor(private readonly budget: PathBudget) {}

  line(b: Buffer): void {
    if (b.length === 0 || (b.length === 1 && b[0] === 13)) return this.flush();
    if (b[0] === 32 || b[0] === 9) return; // a continuation (Description, Conffiles)
    const c = colon(b);
    if (c === -1) {
      this.counts.bad++;
      return;
    }
    const key = b.toString('latin1', 0, c);
    if (KEPT.has(key)) this.cur[key] = field(b.subarray(c + 1), this.counts);
  }

  /** A long continuation or a field not kept (Build-Ids lists every ELF file's id) loses nothing. */
  matters(head: Buffer): boolean {
    const c = colon(head);
    return head[0] !== 32 && head[0] !== 9 && (c === -1 || KEPT.has(head.toString('latin1', 0, c)));
  }

  private flush(): void {
    const f = this.cur;
    this.cur = {};
    if (!('Package' in f)) return;
    const name = f['Package'];
    if (!name) {
      this.counts.bad++;
      return;
    }
    const status = f['Status'] ?? '';
    // A status.d stanza (distroless) has no Status field: it lists installed packages only.
    if (/(?:^|\s)(?:not-installed|config-files)$/.test(status)) return;
    if (this.out.length >= MAX_RECORDS) {
      this.counts.cut++;
      return;
    }
    const arch = f['Architecture'] ?? undefined;
    const rec: PackageRecord = {
      name: f['Multi-Arch'] === 'same' && arch ? `${name}:${arch}` : name,
      version: f['Version'] ?? null,
    };
    if (arch) rec.arch = arch;
    const size = sizeOf(f['Installed-Size'] ?? null, 1024, this.counts);
    if (size !== undefined) rec.declaredSize = size;
    if (!this.budget.take(recordCost(rec))) {
      this.counts.cut++;
      return;
    }
    this.out.push(rec);
  }

  finish(c: Counts): PackageDb {
    this.flush();
    return withCounts({ kind: 'dpkg-status', packages: this.out }, c);
  }
}

/**
 * A file list: one path a line. `list` is dpkg's info/NAME.list (absolute paths; "/." is the root);
 * `md5sums` is "HASH  PATH" with PATH relative to the root; `record` is Python's RECORD, CSV
 * "PATH,HASH,SIZE" with PATH relative to `base`.
 */
class PathList implements LineSink {
  counts!: Counts;
  private readonly paths: string[] = [];

  constructor(
    private readonly form: 'list' | 'md5sums' | 'record',
    private readonly base: string,
    private readonly budget: PathBudget,
  ) {}

  line(b: Buffer): void {
    let raw: Buffer | undefined = b;
    if (b.length && b[b.length - 1] === 13) raw = b.subarray(0, b.length - 1);
    if (this.form === 'md5sums') {
      const sp = raw.indexOf('  ');
      raw = sp > 0 ? raw.subarray(sp + 2) : undefined;
    } else if (this.form === 'record') raw = csvFirst(raw);
    if (raw === undefined || raw.length === 0) {
      if (b.length) this.counts.bad++;
      return;
    }
    if (raw.includes(0) || (this.form === 'list' && raw[0] !== 47)) {
      this.counts.bad++;
      return;
    }
    this.keep(decodeName(raw));
  }

  text(line: string): void {
    // CSV quoting is rare: the byte path handles it (and CRs and NULs, which never reach here).
    if (this.form === 'record' && line.startsWith('"')) return this.line(Buffer.from(line, 'latin1'));
    let name: string = line;
    if (this.form === 'md5sums') {
      const sp = line.indexOf('  ');
      name = sp > 0 ? line.slice(sp + 2) : '';
    } else if (this.form === 'record') {
      const comma = line.indexOf(',');
      if (comma !== -1) name = line.slice(0, comma);
    }
    if (name === '') {
      if (line !== '') this.counts.bad++;
      return;
    }
    if (this.form === 'list' && name.charCodeAt(0) !== 47) {
      this.counts.bad++;
      return;
    }
    this.keep(name);
  }

  private keep(name: string): void {
    const path = this.resolve(name);
    if (path === undefined) {
      this.counts.outside++;
      return;
    }
    if (path === '/') return;
    if (!this.budget.take(path.length + 1)) {
      this.counts.cut++;
      return;
    }
    this.paths.push(path);
  }

  private resolve(name: string): string | undefined {
    return cleanPath(
      this.form === 'list' ? name : this.form === 'md5sums' ? `/${name}` : `${this.base}/${name}`,
    );
  }

  finish(c: Counts): PackageDb {
    const kind = this.form === 'record' ? 'python-record' : 'dpkg-files';
    return withCounts({ kind, files: this.paths.join('\n') }, c);
  }
}

/** The first field of a CSV line, unquoted ("a,b" or "\"a,b\",c"). */
function csvFirst(b: Buffer): Buffer | undefined {
  if (b[0] !== 34) {
    const i = b.indexOf(44);
    return i === -1 ? b : b.subarray(0, i);
  }
  const parts: Buffer[] = [];
  let from = 1;
  for (;;) {
    const q = b.indexOf(34, from);
    if (q === -1) return undefined;
    parts.push(b.subarray(from, q));
    if (b[q + 1] === 34) {
      parts.push(b.subarray(q, q + 1));
      from = q + 2;
    } else return Buffer.concat(parts);
  }
}

/**
 * apk's installed database: stanzas of "X:value" lines separated by blank lines. P name, V version,
 * A arch, I installed size in bytes; F a directory (relative to the root), R a file in the last F.
 */
class ApkInstalled implements LineSink {
  counts!: Counts;
  private readonly out: PackageRecord[] = [];
  private cur: PackageRecord | undefined;
  private paths: string[] = [];
  private dir = '';

  constructor(private readonly budget: PathBudget) {}

  line(b: Buffer): void {
    if (b.length === 0 || (b.length === 1 && b[0] === 13)) return this.flush();
    if (b.length < 2 || b[1] !== 58) {
      this.counts.bad++;
      return;
    }
    const key = String.fromCharCode(b[0] as number);
    const value = b.subarray(2);
    if (key === 'P') {
      this.flush();
      const name = field(value, this.counts);
      if (name) this.cur = { name, version: null };
      else this.counts.bad++;
      return;
    }
    const cur = this.cur;
    if (!cur) return;
    if (key === 'V') cur.version = field(value, this.counts);
    else if (key === 'A') {
      const a = field(value, this.counts);
      if (a) cur.arch = a;
    } else if (key === 'I') {
      const n = sizeOf(field(value, this.counts), 1, this.counts);
      if (n !== undefined) cur.declaredSize = n;
    } else if (key === 'F') {
      this.dir = value.includes(0) ? '\0' : decodeName(value);
      this.keep(this.dir);
    } else if (key === 'R') {
      if (this.dir === '\0' || value.includes(0)) {
        this.counts.bad++;
        return;
      }
      const name = decodeName(value);
      this.keep(this.dir ? `${this.dir}/${name}` : name);
    }
  }

  private keep(rel: string): void {
    if (rel === '\0' || rel === '') return;
    const p = cleanPath(`/${rel}`);
    if (p === undefined || rel.startsWith('/')) {
      this.counts.outside++;
      return;
    }
    if (!this.budget.take(p.length + 1)) {
      this.counts.cut++;
      return;
    }
    this.paths.push(p);
  }

  private flush(): void {
    const cur = this.cur;
    if (cur) {
      if (this.out.length >= MAX_RECORDS || !this.budget.take(recordCost(cur))) this.counts.cut++;
      else {
        if (this.paths.length) cur.files = this.paths.join('\n');
        this.out.push(cur);
      }
    }
    this.cur = undefined;
    this.paths = [];
    this.dir = '';
  }

  finish(c: Counts): PackageDb {
    this.flush();
    return withCounts({ kind: 'apk', packages: this.out }, c);
  }
}

/** A wheel's METADATA: email-style headers up to the first blank line; Name and Version are kept. */
class PythonMetadata implements LineSink {
  counts!: Counts;
  private name: string | null = null;
  private version: string | null = null;
  private done = false;

  line(b: Buffer): void {
    if (this.done) return;
    if (b.length === 0 || (b.length === 1 && b[0] === 13)) {
      this.done = true;
      return;
    }
    const c = colon(b);
    if (c === -1) return;
    const key = b.toString('latin1', 0, c).toLowerCase();
    if (key === 'name' && this.name === null) this.name = field(b.subarray(c + 1), this.counts);
    else if (key === 'version' && this.version === null) this.version = field(b.subarray(c + 1), this.counts);
  }

  finish(c: Counts): PackageDb {
    const db: PackageDb = { kind: 'python-metadata' };
    if (this.name) db.packages = [{ name: this.name, version: this.version }];
    else c.bad++;
    return withCounts(db, c);
  }
}

/** package.json, parsed whole up to JSON_CAP: an npm package's name and version, or an app's devDependencies. */
class JsonReader implements PackageParser {
  private parts: Buffer[] = [];
  private have = 0;
  private over = false;

  constructor(private readonly kind: 'npm' | 'app') {}

  write(chunk: Uint8Array): void {
    if (this.over) return;
    if (this.have + chunk.length > JSON_CAP) {
      this.over = true;
      this.parts = [];
      return;
    }
    this.parts.push(Buffer.from(chunk)); // a copy: the chunk's memory belongs to the decompressor
    this.have += chunk.length;
  }

  end(): PackageDb {
    const db: PackageDb = { kind: this.kind };
    if (this.over) {
      db.cut = 1;
      return db;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(Buffer.concat(this.parts).toString('utf8'));
    } catch {
      doc = undefined;
    }
    this.parts = [];
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
      db.bad = 1;
      return db;
    }
    const o = doc as Record<string, unknown>;
    const counts: Counts = { cut: 0, outside: 0, bad: 0 };
    const text = (v: unknown): string | null =>
      typeof v === 'string' && v !== '' ? field(Buffer.from(v, 'utf8'), counts) : null;
    if (this.kind === 'npm') {
      const name = text(o['name']);
      if (name) db.packages = [{ name, version: text(o['version']) }];
    } else {
      const dev = o['devDependencies'];
      if (dev && typeof dev === 'object' && !Array.isArray(dev)) {
        const names: string[] = [];
        for (const k of Object.keys(dev)) {
          if (names.length >= MAX_DEV_DEPENDENCIES) {
            counts.cut++;
            break;
          }
          const n = text(k);
          if (n) names.push(n);
        }
        if (names.length) db.devDependencies = names;
      }
    }
    return withCounts(db, counts);
  }
}

const KINDS = new Set<PackageDbKind>([
  'dpkg-status',
  'dpkg-files',
  'apk',
  'npm',
  'app',
  'python-metadata',
  'python-record',
]);

const isCount = (n: unknown): boolean => n === undefined || (Number.isSafeInteger(n) && (n as number) >= 0);
const isText = (s: unknown, max: number): boolean => typeof s === 'string' && s.length <= max;

/** True when a value read back (the layer cache) has the shape of a PackageDb. */
export function isPackageDb(v: unknown): v is PackageDb {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const d = v as Record<string, unknown>;
  if (!KINDS.has(d['kind'] as PackageDbKind)) return false;
  if (!isCount(d['cut']) || !isCount(d['outside']) || !isCount(d['bad'])) return false;
  if (d['files'] !== undefined && typeof d['files'] !== 'string') return false;
  const dev = d['devDependencies'];
  if (dev !== undefined && !(Array.isArray(dev) && dev.every((x) => isText(x, MAX_FIELD)))) return false;
  const pkgs = d['packages'];
  if (pkgs === undefined) return true;
  if (!Array.isArray(pkgs)) return false;
  return pkgs.every((p: unknown) => {
    if (!p || typeof p !== 'object') return false;
    const r = p as Record<string, unknown>;
    return (
      isText(r['name'], MAX_FIELD) &&
      (r['version'] === null || isText(r['version'], MAX_FIELD)) &&
      (r['arch'] === undefined || isText(r['arch'], MAX_FIELD)) &&
      isCount(r['declaredSize']) &&
      (r['files'] === undefined || typeof r['files'] === 'string')
    );
  });
}
