/**
 * apk (Alpine, Wolfi, Chainguard): [/usr]/lib/apk/db/installed, stanzas of "X:value" lines separated by
 * blank lines. P name, V version, A arch, I installed size in bytes, L license, o origin (the source
 * package), m maintainer, D dependencies; F a directory (relative to the root), R a file in the last F.
 * A usr-merged image holds one database under two names: the first found is the one.
 */
import { decodeName } from '../util/names.js';
import { cleanPath } from '../util/paths.js';
import { pastLimits } from '../util/limits.js';
import type {
  Assembled,
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
} from './contract.js';
import { distro, purl } from './purl.js';
import {
  dependencyNames,
  field,
  isBlank,
  LineReader,
  MAX_RECORDS,
  recordCost,
  sizeOf,
  withCounts,
  type LineSink,
} from './read.js';

const DBS = ['/lib/apk/db/installed', '/usr/lib/apk/db/installed'];

const match = (path: string): FileMatch | undefined =>
  path === DBS[0] || path === DBS[1] ? { kind: 'apk', countLines: 'P:' } : undefined;

class ApkInstalled implements LineSink {
  counts!: Counts;
  private readonly out: PackageRecord[] = [];
  private cur: PackageRecord | undefined;
  private paths: string[] = [];
  private depends: string[] = [];
  private dir = '';

  constructor(private readonly budget: Budget) {}

  line(b: Buffer): void {
    if (isBlank(b)) return this.flush();
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
    } else if (this.cur) this.fieldOf(this.cur, key, value);
  }

  private fieldOf(cur: PackageRecord, key: string, value: Buffer): void {
    if (key === 'F') {
      this.dir = value.includes(0) ? '\0' : decodeName(value);
      this.keep(this.dir);
    } else if (key === 'R') {
      if (this.dir === '\0' || value.includes(0)) {
        this.counts.bad++;
        return;
      }
      const name = decodeName(value);
      this.keep(this.dir ? `${this.dir}/${name}` : name);
    } else if (key === 'D') {
      // "so:libc.musl-x86_64.so.1 busybox>1.0 !conflict": package names only, no providers or conflicts.
      for (const d of decodeName(value).split(/\s+/)) {
        const m = /^([^!:<>=~\s][^:<>=~\s]*)(?:[<>=~].*)?$/.exec(d);
        if (m && this.depends.length < 10_000) this.depends.push(m[1] as string);
      }
    } else this.simple(cur, key, field(value, this.counts));
  }

  private simple(cur: PackageRecord, key: string, v: string | null): void {
    if (key === 'V') cur.version = v;
    if (v === null) return;
    if (key === 'A') cur.arch = v;
    else if (key === 'I') {
      const n = sizeOf(v, 1, this.counts);
      if (n !== undefined) cur.declaredSize = n;
    } else if (key === 'L') cur.license = v;
    else if (key === 'o') cur.source = { name: v, version: null };
    else if (key === 'm') cur.supplier = v;
  }

  private keep(rel: string): void {
    if (rel === '\0' || rel === '') return;
    const p = cleanPath(`/${rel}`);
    if (p === undefined || rel.startsWith('/')) {
      this.counts.outside++;
      return;
    }
    if (pastLimits(p, null)) {
      this.counts.bad++;
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
      const deps = dependencyNames(this.depends, this.counts);
      if (deps) cur.dependsOn = deps;
      if (this.out.length >= MAX_RECORDS || !this.budget.take(recordCost(cur))) this.counts.cut++;
      else {
        if (this.paths.length) cur.files = this.paths.join('\n');
        this.out.push(cur);
      }
    }
    this.cur = undefined;
    this.paths = [];
    this.depends = [];
    this.dir = '';
  }

  finish(c: Counts): ParsedDb {
    this.flush();
    return withCounts({ kind: 'apk', packages: this.out }, c);
  }
}

function assemble(found: readonly FoundDb[]): Assembled {
  const first = [...found].sort((a, b) => DBS.indexOf(a.path) - DBS.indexOf(b.path))[0];
  const packages = (first?.db.packages ?? []).map((rec) => {
    const { files, ...record } = rec;
    return files
      ? { manager: 'apk' as const, record, listed: files, layer: first?.layer as number }
      : { manager: 'apk' as const, record, layer: first?.layer as number };
  });
  return { packages, notes: [] };
}

function evidence(view: FileView): BaseEvidence[] {
  for (const p of DBS) {
    const r = view.resolveFile(p);
    if (!r) continue;
    // With usr-merge both paths lead to one file: report it once, under its real path.
    const n = r.file.records;
    return [{ manager: 'apk', path: r.path, count: n ?? null, text: `${r.path}: ${n ?? '?'} packages` }];
  }
  return [];
}

function apkPurl(rec: PackageRecord, ctx: PurlContext): string | undefined {
  const ns = ctx.distroId && /^[a-z0-9.-]+$/.test(ctx.distroId) ? ctx.distroId : 'alpine';
  return purl('apk', ns, rec.name, rec.version, { arch: rec.arch, distro: distro(ctx) });
}

export const apk: FormatModule = {
  id: 'apk',
  tier: 'os',
  kinds: ['apk'],
  match,
  parser: (_m, _path, budget) => new LineReader(new ApkInstalled(budget)),
  assemble,
  purl: apkPurl,
  evidence,
};
