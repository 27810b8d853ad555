/**
 * dpkg (Debian, Ubuntu, distroless):
 *
 * | file                                   | kind        | keeps                                   |
 * | -------------------------------------- | ----------- | --------------------------------------- |
 * | /var/lib/dpkg/status                   | dpkg-status | installed packages                      |
 * | /var/lib/dpkg/status.d/NAME            | dpkg-status | a distroless image's package stanza     |
 * | /var/lib/dpkg/info/NAME.list           | dpkg-files  | the paths NAME installed                |
 * | /var/lib/dpkg/status.d/NAME.md5sums    | dpkg-files  | the paths NAME installed (distroless)   |
 *
 * status is RFC 822-like stanzas separated by blank lines. Only installed packages are kept (Status' last
 * word is not "not-installed" or "config-files"); a Multi-Arch: same package is named NAME:ARCH, as
 * dpkg-query's ${binary:Package} and its .list files are. Source, Maintainer and the names in Depends and
 * Pre-Depends (the first of each set of alternatives) are kept as the record's source, supplier and
 * dependsOn; status has no license.
 */
import { decodeName } from '../util/names.js';
import type {
  Assembled,
  AssembledPackage,
  BaseEvidence,
  Budget,
  Counts,
  FileMatch,
  FileView,
  FormatModule,
  FoundDb,
  PackageRecord,
  ParsedDb,
  PurlContext,
  StreamParser,
} from './contract.js';
import { PathList } from './path-list.js';
import { distro, purl } from './purl.js';
import {
  colon,
  dependencyNames,
  field,
  isBlank,
  LineReader,
  MAX_FIELD,
  MAX_RECORDS,
  recordCost,
  sizeOf,
  withCounts,
  type LineSink,
} from './read.js';

const STATUS = '/var/lib/dpkg/status';
const INFO = '/var/lib/dpkg/info/';
const STATUS_D = '/var/lib/dpkg/status.d/';

function match(path: string): FileMatch | undefined {
  if (!path.startsWith('/var/lib/dpkg/')) return undefined;
  if (path === STATUS) return { kind: 'dpkg-status', countLines: 'Package:' };
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  if (path.startsWith(INFO) && name.endsWith('.list') && slash === INFO.length - 1)
    return { kind: 'dpkg-files' };
  if (path.startsWith(STATUS_D) && slash === STATUS_D.length - 1 && name !== '' && !name.startsWith('.'))
    return { kind: name.endsWith('.md5sums') ? 'dpkg-files' : 'dpkg-status' };
  return undefined;
}

function parser(m: FileMatch, path: string, budget: Budget): StreamParser {
  if (m.kind === 'dpkg-status') return new LineReader(new DpkgStatus(budget));
  return new LineReader(
    new PathList('dpkg-files', path.endsWith('.md5sums') ? 'md5sums' : 'list', '/', budget),
  );
}

const KEPT = new Set([
  'Package',
  'Version',
  'Architecture',
  'Status',
  'Installed-Size',
  'Multi-Arch',
  'Source',
  'Maintainer',
]);
const DEPENDS = new Set(['Depends', 'Pre-Depends']);

class DpkgStatus implements LineSink {
  counts!: Counts;
  private readonly out: PackageRecord[] = [];
  private cur: Record<string, string | null> = {};
  private depends: string[] = [];

  constructor(private readonly budget: Budget) {}

  line(b: Buffer): void {
    if (isBlank(b)) return this.flush();
    if (b[0] === 32 || b[0] === 9) return; // a continuation (Description, Conffiles)
    const c = colon(b);
    if (c === -1) {
      this.counts.bad++;
      return;
    }
    const key = b.toString('latin1', 0, c);
    if (KEPT.has(key)) this.cur[key] = field(b.subarray(c + 1), this.counts);
    else if (DEPENDS.has(key)) this.depends.push(...dependsNames(b.subarray(c + 1)));
  }

  /** A long continuation or a field not kept (Build-Ids lists every ELF file's id) loses nothing. */
  matters(head: Buffer): boolean {
    const c = colon(head);
    if (head[0] === 32 || head[0] === 9) return false;
    const key = c === -1 ? '' : head.toString('latin1', 0, c);
    return c === -1 || KEPT.has(key) || DEPENDS.has(key);
  }

  private flush(): void {
    const f = this.cur;
    const depends = this.depends;
    this.cur = {};
    this.depends = [];
    if (!('Package' in f)) return;
    const name = f['Package'];
    if (!name) {
      this.counts.bad++;
      return;
    }
    // A status.d stanza (distroless) has no Status field: it lists installed packages only.
    if (/(?:^|\s)(?:not-installed|config-files)$/.test(f['Status'] ?? '')) return;
    if (this.out.length >= MAX_RECORDS) {
      this.counts.cut++;
      return;
    }
    const rec = record(f, name, depends, this.counts);
    if (!this.budget.take(recordCost(rec))) {
      this.counts.cut++;
      return;
    }
    this.out.push(rec);
  }

  finish(c: Counts): ParsedDb {
    this.flush();
    return withCounts({ kind: 'dpkg-status', packages: this.out }, c);
  }
}

function record(
  f: Record<string, string | null>,
  name: string,
  depends: string[],
  counts: Counts,
): PackageRecord {
  const arch = f['Architecture'] ?? undefined;
  const rec: PackageRecord = {
    name: f['Multi-Arch'] === 'same' && arch ? cutName(`${name}:${arch}`, counts) : name,
    version: f['Version'] ?? null,
  };
  if (arch) rec.arch = arch;
  const size = sizeOf(f['Installed-Size'] ?? null, 1024, counts);
  if (size !== undefined) rec.declaredSize = size;
  const source = f['Source'];
  if (source) {
    // "Source: gcc-12 (12.2.0-14)": a source version of its own; else the binary's.
    const m = /^(\S+)\s*\((.+)\)$/.exec(source);
    rec.source = m
      ? { name: m[1] as string, version: (m[2] as string).trim() }
      : { name: source, version: null };
  }
  if (f['Maintainer']) rec.supplier = f['Maintainer'];
  const deps = dependencyNames(depends, counts);
  if (deps) rec.dependsOn = deps;
  return rec;
}

/** NAME:ARCH of two long fields is cut to one field's length (the report's bound on a name). */
function cutName(s: string, counts: Counts): string {
  if (s.length <= MAX_FIELD) return s;
  counts.cut++;
  let end = MAX_FIELD;
  // Never between the two halves of a surrogate pair.
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return s.slice(0, end);
}

/** "libc6 (>= 2.34), libtinfo6 | libtinfo5, perl:any" → libc6, libtinfo6, perl. */
function dependsNames(b: Buffer): string[] {
  const out: string[] = [];
  for (const part of decodeName(b).split(',')) {
    const first = (part.split('|')[0] as string).trim();
    const m = /^[^\s(:[<]+/.exec(first);
    if (m) out.push(m[0]);
  }
  return out;
}

/**
 * status (or the distroless status.d stanzas) for who, info/*.list (or status.d/*.md5sums) for what. A file
 * list goes to one package only: a database that names a package many times (hostile, or status.d stanzas
 * sharing one md5sums) must not make every name claim the same paths again.
 */
function assemble(found: readonly FoundDb[]): Assembled {
  const lists = new Map<string, FoundDb>();
  let status: FoundDb | undefined;
  const statusD: FoundDb[] = [];
  for (const d of found) {
    const base = d.path.slice(d.path.lastIndexOf('/') + 1);
    if (d.db.kind === 'dpkg-status') {
      if (d.path === STATUS) status = d;
      else statusD.push(d);
    } else if (d.path.startsWith(INFO)) lists.set(base.slice(0, -'.list'.length), d);
    else lists.set(`status.d/${base.slice(0, -'.md5sums'.length)}`, d);
  }
  const given = new Set<FoundDb>();
  const packages: AssembledPackage[] = [];
  const add = (rec: PackageRecord, layer: number, list: FoundDb | undefined): void => {
    const p: AssembledPackage = { manager: 'dpkg', record: rec, layer };
    if (list && !given.has(list)) {
      given.add(list);
      if (list.db.files !== undefined) p.listed = list.db.files;
    }
    packages.push(p);
  };
  for (const rec of status?.db.packages ?? []) {
    const arch = rec.name.indexOf(':');
    const alt = arch === -1 && rec.arch ? lists.get(`${rec.name}:${rec.arch}`) : undefined;
    add(rec, (status as FoundDb).layer, lists.get(rec.name) ?? alt);
  }
  for (const d of statusD) {
    const base = d.path.slice(d.path.lastIndexOf('/') + 1);
    for (const rec of d.db.packages ?? []) add(rec, d.layer, lists.get(`status.d/${base}`));
  }
  return { packages, notes: [] };
}

function evidence(view: FileView): BaseEvidence[] {
  const out: BaseEvidence[] = [];
  const status = view.resolveFile(STATUS);
  if (status) {
    const n = status.file.records;
    out.push({ manager: 'dpkg', path: STATUS, count: n ?? null, text: `${STATUS}: ${n ?? '?'} packages` });
  }
  const stanzas = view.children(STATUS_D.slice(0, -1)).filter((f) => f.type === 'file');
  if (stanzas.length) {
    out.push({
      manager: 'dpkg',
      path: STATUS_D,
      count: stanzas.length,
      text: `${STATUS_D}: ${stanzas.length} package records (the distroless layout)`,
    });
  }
  return out;
}

function dpkgPurl(rec: PackageRecord, ctx: PurlContext): string | undefined {
  const name = rec.name.replace(/:[^:]*$/, '');
  const ns = ctx.distroId === 'ubuntu' ? 'ubuntu' : 'debian';
  return purl('deb', ns, name, rec.version, { arch: rec.arch, distro: distro(ctx) });
}

export const dpkg: FormatModule = {
  id: 'dpkg',
  tier: 'os',
  kinds: ['dpkg-status', 'dpkg-files'],
  match,
  parser,
  assemble,
  purl: dpkgPurl,
  evidence,
};
