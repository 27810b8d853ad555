/**
 * The rpm format module (src/formats/contract.ts): its paths (the three database files under
 * /var/lib/rpm and /usr/lib/sysimage/rpm), its parser (the file held whole up to RPMDB_CAP, read by db.ts
 * when it ends), its assembly (one database per image: rpm reads one) and its base evidence.
 *
 * A record's version is `[epoch:]version-release`, as `rpm -q --qf '%{EPOCH}:%{VERSION}-%{RELEASE}'` shows
 * it and as dpkg writes its own; `epoch` holds the epoch again for the purl, whose version has none.
 */
import type {
  Assembled,
  BaseEvidence,
  Budget,
  FileMatch,
  FileView,
  FormatModule,
  FoundDb,
  PackageRecord,
  ParsedDb,
  PurlContext,
  StreamParser,
} from './contract.js';
import { MAX_FIELD } from './rpm/header.js';
import { readRpmDb, rpmDbKind, RPMDB_CAP, type RpmDbKind } from './rpm/db.js';
import { distro, purl as purlOf } from './purl.js';
import { rpmNamespace, type RpmPackage } from './rpm/package.js';

const KINDS: Record<RpmDbKind, string> = { sqlite: 'rpm-sqlite', ndb: 'rpm-ndb', bdb: 'rpm-bdb' };
const BY_KIND = new Map(Object.entries(KINDS).map(([k, v]) => [v, k as RpmDbKind]));
const DIRS = ['/usr/lib/sysimage/rpm', '/var/lib/rpm'];
const FILES = ['rpmdb.sqlite', 'Packages.db', 'Packages'];
const MAX_DEPENDS = 5_000;
const MAX_LICENSE = 1024;

function match(path: string): FileMatch | undefined {
  const k = rpmDbKind(path);
  return k ? { kind: KINDS[k] } : undefined;
}

/** A string cut at `max` UTF-16 units, never between the halves of a pair. */
function cut(s: string, max = MAX_FIELD): string {
  if (s.length <= max) return s;
  const c = s.charCodeAt(max - 1);
  return s.slice(0, c >= 0xd800 && c <= 0xdbff ? max - 1 : max);
}

/** A database is page-addressed, so its bytes are kept (copied: chunks belong to the decompressor). */
class RpmDbParser implements StreamParser {
  private parts: Buffer[] = [];
  private have = 0;
  private over = false;

  constructor(
    private readonly kind: string,
    private readonly budget: Budget,
  ) {}

  write(chunk: Uint8Array): void {
    if (this.over) return;
    if (this.have + chunk.length > RPMDB_CAP) {
      this.over = true;
      this.parts = [];
      return;
    }
    this.parts.push(Buffer.from(chunk));
    this.have += chunk.length;
  }

  end(): ParsedDb {
    const db: ParsedDb = { kind: this.kind };
    // Past the cap nothing is read: a cut database, said so, never an empty one.
    if (this.over) return { ...db, cut: 1 };
    const read = readRpmDb(Buffer.concat(this.parts), BY_KIND.get(this.kind) as RpmDbKind);
    this.parts = [];
    const packages: PackageRecord[] = [];
    let dropped = 0;
    for (const p of read.packages) {
      const rec = record(p);
      if (this.budget.take(cost(rec))) packages.push(rec);
      else dropped++;
    }
    db.packages = packages;
    if (dropped) db.cut = dropped;
    if (read.problems) db.bad = read.problems;
    return db;
  }
}

function record(p: RpmPackage): PackageRecord {
  const rec: PackageRecord = { name: cut(p.name), version: cut(p.version) };
  if (p.epoch !== undefined) rec.epoch = String(p.epoch);
  if (p.arch !== undefined) rec.arch = cut(p.arch);
  if (p.declaredSize !== undefined) rec.declaredSize = p.declaredSize;
  if (p.files.length) rec.files = p.files.join('\n');
  if (p.source) rec.source = { name: cut(p.source.name), version: cut(p.source.version) };
  // LICENSE only as SPDX (package.ts converts Fedora's short names when it can), never as raw text.
  if (p.licenses !== undefined && p.licenses.length <= MAX_LICENSE) rec.license = p.licenses;
  if (p.supplier !== undefined) rec.supplier = cut(p.supplier);
  if (p.dependsOn) rec.dependsOn = p.dependsOn.slice(0, MAX_DEPENDS);
  return rec;
}

/** What a record costs the image's budget: its strings and the object around them. */
function cost(r: PackageRecord): number {
  let n = 64 + r.name.length + (r.version?.length ?? 0) + (r.files?.length ?? 0);
  n += (r.source?.name.length ?? 0) + (r.source?.version?.length ?? 0);
  n += (r.license?.length ?? 0) + (r.supplier?.length ?? 0);
  for (const d of r.dependsOn ?? []) n += d.length + 8;
  return n;
}

/** Where rpm would look first: the newest layer's database; in one layer, the newer format. */
function rank(f: FoundDb): number[] {
  const k = BY_KIND.get(f.db.kind);
  return [-f.layer, k === 'sqlite' ? 0 : k === 'ndb' ? 1 : 2, f.path.startsWith('/usr/') ? 0 : 1];
}

const before = (a: number[], b: number[]): number => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return 0;
};

function assemble(found: readonly FoundDb[], view: FileView): Assembled {
  const dbs = found.filter((f) => BY_KIND.has(f.db.kind)).sort((a, b) => before(rank(a), rank(b)));
  const first = dbs[0];
  if (!first) return { packages: [], notes: [] };
  const notes: string[] = [];
  if (dbs.length > 1) notes.push(`${dbs.length} rpm databases: ${first.path} read, the others not`);
  const dir = first.path.slice(0, first.path.lastIndexOf('/'));
  const wal = view.get(`${dir}/rpmdb.sqlite-wal`);
  if (first.db.kind === KINDS.sqlite && wal && wal.size > 0)
    notes.push(`${dir}/rpmdb.sqlite-wal is not empty: packages still in the log are not read`);
  const packages = (first.db.packages ?? []).map((rec) => {
    const { files, ...rest } = rec;
    const p = { manager: 'rpm' as const, record: rest, layer: first.layer };
    return files ? { ...p, listed: files } : p;
  });
  return { packages, notes };
}

/** Each database file once (a symlinked directory leads two names to one file), by its real path. */
function evidence(view: FileView): BaseEvidence[] {
  const out: BaseEvidence[] = [];
  const seen = new Set<string>();
  for (const dir of DIRS)
    for (const name of FILES) {
      const r = view.resolveFile(`${dir}/${name}`);
      if (!r || r.file.size === 0 || seen.has(r.path)) continue;
      seen.add(r.path);
      const n = r.file.pkg?.packages?.length;
      const text = `${dir}/: rpm database` + (n !== undefined ? ` (${r.path}, ${n} packages)` : '');
      out.push({ manager: 'rpm', path: r.path, count: n ?? null, text });
    }
  return out;
}

/** `pkg:rpm/<vendor>/<name>@<version>-<release>?arch=…&epoch=…&distro=<ID>-<VERSION_ID>` (no epoch 0). */
function purl(rec: PackageRecord, ctx: PurlContext): string | undefined {
  const prefix = rec.epoch !== undefined ? `${rec.epoch}:` : '';
  const version = rec.version ?? '';
  return purlOf(
    'rpm',
    rpmNamespace(ctx.distroId),
    rec.name,
    version.startsWith(prefix) ? version.slice(prefix.length) : version,
    {
      arch: rec.arch,
      epoch: rec.epoch !== '0' ? rec.epoch : undefined,
      distro: rpmNamespace(ctx.distroId) ? distro(ctx) : undefined,
    },
  );
}

export const rpm: FormatModule = {
  id: 'rpm',
  tier: 'os',
  kinds: Object.values(KINDS),
  match,
  parser: (m, _path, budget) => new RpmDbParser(m.kind, budget),
  assemble,
  purl,
  evidence,
};
