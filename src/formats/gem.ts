/**
 * Ruby gems: `…/specifications/STEM.gemspec` owns `…/gems/STEM/`, STEM being NAME-VERSION[-PLATFORM].
 * The gemspec RubyGems writes there is Ruby source of a fixed shape (`s.name = "x".freeze`); its name,
 * version, platform, licenses and runtime dependencies are read line by line, never run. When those lines
 * are missing or do not spell STEM, the name and version come from STEM itself: the version is the last
 * "-" segment that starts with a digit and does not follow an OS name ("darwin-22" is a platform), so
 * `http-2-1.0.1` is http-2 1.0.1 and `nokogiri-1.16.0-x86_64-linux` is nokogiri 1.16.0 on x86_64-linux.
 */
import type {
  Assembled,
  Counts,
  FileMatch,
  FileView,
  FormatModule,
  FoundDb,
  PackageRecord,
  ParsedDb,
} from './contract.js';
import { allOf } from './license.js';
import { purl } from './purl.js';
import { dependencyNames, dirOf, field, LineReader, MAX_DEPENDS, withCounts, type LineSink } from './read.js';

function match(path: string): FileMatch | undefined {
  if (!path.endsWith('.gemspec')) return undefined;
  return dirOf(path).endsWith('/specifications') ? { kind: 'gem' } : undefined;
}

/** `s.name = "x".freeze`, `s.licenses = ["MIT".freeze, …]`, `s.add_runtime_dependency(%q<racc>.freeze, …)`. */
const ASSIGN = /^\s*s\.(name|version|platform|licenses?) = (.*)$/;
const DEPEND = /^\s*s\.add_(?:runtime_)?dependency\(%q<([^>]+)>/;
const strings = (s: string): string[] => [...s.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] as string);

class Gemspec implements LineSink {
  counts!: Counts;
  private readonly f: Record<string, string[]> = {};
  private readonly depends: string[] = [];

  line(b: Buffer): void {
    const s = field(b, this.counts, 1024);
    if (s === null) return;
    const a = ASSIGN.exec(s);
    if (a) {
      this.f[a[1] as string] ??= strings(a[2] as string).slice(0, 16);
      return;
    }
    const d = DEPEND.exec(s);
    if (d && this.depends.length < MAX_DEPENDS) this.depends.push(d[1] as string);
  }

  finish(c: Counts): ParsedDb {
    const name = this.f['name']?.[0];
    const db: ParsedDb = { kind: 'gem' };
    if (!name) return withCounts(db, c);
    const rec: PackageRecord = { name, version: this.f['version']?.[0] ?? null };
    const platform = this.f['platform']?.[0];
    if (platform && platform !== 'ruby') rec.platform = platform;
    const license = allOf(this.f['licenses'] ?? this.f['license'] ?? []);
    if (license) rec.license = license;
    const deps = dependencyNames(this.depends, c);
    if (deps) rec.dependsOn = deps;
    db.packages = [rec];
    return withCounts(db, c);
  }
}

const OS = /^(?:darwin|linux|mingw\d*|mswin\d*|freebsd|openbsd|netbsd|solaris|aix|cygwin|musl|gnu|eabihf?)$/;

/** STEM → name, version and platform (see the module's comment). */
export function gemStem(stem: string): PackageRecord {
  const segs = stem.split('-');
  for (let i = segs.length - 1; i >= 1; i--) {
    if (!/^\d/.test(segs[i] as string) || OS.test(segs[i - 1] as string)) continue;
    const rec: PackageRecord = { name: segs.slice(0, i).join('-'), version: segs[i] as string };
    if (i + 1 < segs.length) rec.platform = segs.slice(i + 1).join('-');
    return rec;
  }
  return { name: stem, version: null };
}

const stemOf = (r: PackageRecord): string => [r.name, r.version, r.platform].filter((x) => x).join('-');

function assemble(found: readonly FoundDb[], view: FileView): Assembled {
  const packages: Assembled['packages'] = [];
  for (const d of found) {
    const stem = d.path.slice(d.path.lastIndexOf('/') + 1, -'.gemspec'.length);
    const dir = `${dirOf(dirOf(d.path))}/gems/${stem}`;
    if (view.get(dir)?.type !== 'dir') continue;
    const read = d.db.packages?.[0];
    const record = read && stemOf(read) === stem ? read : { ...gemStem(stem), ...license(read) };
    packages.push({ manager: 'gem', record, dir, layer: d.layer });
  }
  return { packages, notes: [] };
}

const license = (r: PackageRecord | undefined): Partial<PackageRecord> =>
  r?.license ? { license: r.license } : {};

export const gem: FormatModule = {
  id: 'gem',
  tier: 'lang',
  kinds: ['gem'],
  match,
  parser: () => new LineReader(new Gemspec()),
  assemble,
  purl: (rec) => purl('gem', undefined, rec.name, rec.version, { platform: rec.platform }),
};
