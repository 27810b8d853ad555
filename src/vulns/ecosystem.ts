/**
 * What to ask OSV for: each package of a report as OSV names it (ecosystem, name, version), and each Go
 * binary's modules and standard library. Pure. Only coordinates come out of here: never a path, a digest
 * or a file's bytes (the binary's path stays on the subject, on this side of the client).
 */
import type { BaseVerdict, Report, ReportPackage } from '../types/report.js';

/** The coordinates sent to OSV: by ecosystem, name and version, or by purl. */
export interface OsvQuery {
  ecosystem?: string;
  name?: string;
  version?: string;
  purl?: string;
}

/** One thing looked up: the query, and where in the image it came from (kept on the runner). */
export interface Subject {
  query: OsvQuery;
  /** The package as the report names it (dpkg's binary package for a source looked up). */
  display: { name: string; version: string };
  /** The report's `packages` index, for the layer that brought it. */
  packageIndex?: number;
  /** Go: the binary, and the module path the vulnerable symbols are judged in. */
  binary?: string;
  /** Go standard library or module. */
  go?: 'stdlib' | 'module';
}

/** OSV's names for the language ecosystems the report lists. */
const LANGUAGE: Partial<Record<ReportPackage['manager'], string>> = {
  npm: 'npm',
  python: 'PyPI',
  gem: 'RubyGems',
  maven: 'Maven',
  nuget: 'NuGet',
  composer: 'Packagist',
  cargo: 'crates.io',
};

/** rpm distributions by os-release ID: OSV's ecosystem, from VERSION_ID's major version. */
const RPM_DISTROS: Record<string, (v: string) => string | null> = {
  almalinux: (v) => `AlmaLinux:${major(v)}`,
  rocky: (v) => `Rocky Linux:${major(v)}`,
  mageia: (v) => `Mageia:${major(v)}`,
  'opensuse-leap': (v) => (/^\d+\.\d+$/.test(v) ? `openSUSE:Leap ${v}` : null),
};

/**
 * rpm distributions OSV has that cannot be named from os-release alone (Red Hat keys its records by product
 * stream, SUSE by product and service pack), and those OSV has no records for.
 */
const RPM_UNNAMED: Record<string, string> = {
  rhel: 'Red Hat (OSV keys it by product stream, which os-release does not give)',
  sles: 'SUSE (OSV keys it by product and service pack, which os-release does not give)',
  fedora: 'Fedora (OSV has no Fedora records)',
  centos: 'CentOS (OSV has no CentOS records)',
  amzn: 'Amazon Linux (OSV has no Amazon Linux records)',
  ol: 'Oracle Linux (OSV has no Oracle Linux records)',
};

const major = (v: string): string => /^\d+/.exec(v)?.[0] ?? v;

/**
 * The OS ecosystem for the report's os-release: `Debian:12`, `Ubuntu:22.04:LTS`, `Alpine:v3.19`, … or why
 * there is none.
 */
export function osEcosystem(os: BaseVerdict['os']): { ecosystem: string } | { missing: string } {
  const id = os?.id?.toLowerCase() ?? '';
  const v = os?.versionId ?? '';
  if (!id) return { missing: 'no os-release: the OS packages have no release to look up' };
  if (!v) return { missing: `os-release ${id} has no VERSION_ID (a rolling release OSV cannot key)` };
  if (id === 'debian' && /^\d+/.test(v)) return { ecosystem: `Debian:${major(v)}` };
  if (id === 'ubuntu' && /^\d+\.\d+$/.test(v)) {
    const [y, m] = v.split('.').map(Number) as [number, number];
    return { ecosystem: y % 2 === 0 && m === 4 ? `Ubuntu:${v}:LTS` : `Ubuntu:${v}` };
  }
  if (id === 'alpine' && /^\d+\.\d+/.test(v))
    return { ecosystem: `Alpine:v${/^\d+\.\d+/.exec(v)?.[0] as string}` };
  const rpm = RPM_DISTROS[id]?.(v);
  if (rpm) return { ecosystem: rpm };
  return { missing: RPM_UNNAMED[id] ?? `${id} ${v} is not an OSV ecosystem Slimgate knows` };
}

/** dpkg's `name:arch` is one package: OSV knows it by name. */
const bareName = (n: string): string => n.replace(/:[a-z0-9-]+$/, '');

/** PEP 503: OSV compares PyPI names normalised. */
const pypiName = (n: string): string => n.toLowerCase().replace(/[-_.]+/g, '-');

/** Without the source package's own version, a binNMU's `+bN` is the one part that is not the source's. */
const sourceVersion = (v: string): string => v.replace(/\+b\d+$/, '');

function packageQueries(p: ReportPackage, os: ReturnType<typeof osEcosystem>): OsvQuery[] | string {
  const versions = (p.version ?? '')
    .split(', ')
    .map((v) => v.trim())
    .filter(Boolean);
  if (!versions.length) return p.purl ? [{ purl: p.purl }] : 'no version';
  const lang = LANGUAGE[p.manager];
  if (lang) {
    const name = p.manager === 'python' ? pypiName(p.name) : p.name;
    return versions.map((version) => ({ ecosystem: lang, name, version }));
  }
  if (p.manager === 'dpkg' || p.manager === 'apk' || p.manager === 'rpm') {
    if ('missing' in os) return os.missing;
    const eco = os.ecosystem;
    if (p.manager === 'dpkg') {
      // Debian's and Ubuntu's advisories name the source package at the source version.
      const name = p.source?.name ?? bareName(p.name);
      const version = p.source?.version ?? sourceVersion(versions[0] as string);
      return [{ ecosystem: eco, name, version }];
    }
    return versions.map((version) => ({ ecosystem: eco, name: p.source?.name ?? p.name, version }));
  }
  if (p.purl) return [{ purl: p.purl }];
  return `${p.manager} packages have no OSV ecosystem`;
}

/** Go's `go1.21.5` (or `go1.22rc1 X:…`) → OSV's `1.21.5`. */
export function goStdlibVersion(goVersion: string): string | null {
  const m = /^go(\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?)/.exec(goVersion.trim());
  return m ? (m[1] as string) : null;
}

/** OSV's Go versions carry no `v`; pseudo-versions and `(devel)` are left to the server. */
const goVersion = (v: string): string => v.replace(/^v/, '');

export interface Subjects {
  subjects: Subject[];
  /** Packages not looked up (no ecosystem OSV knows), with why, by reason. */
  skipped: number;
  notes: string[];
}

/** Everything a report lets OSV be asked about, deduplicated per query and place. */
export function subjectsOf(report: Pick<Report, 'base' | 'packages' | 'binaries'>): Subjects {
  const os = osEcosystem(report.base.os);
  const subjects: Subject[] = [];
  const why = new Map<string, number>();
  (report.packages ?? []).forEach((p, i) => {
    const qs = packageQueries(p, os);
    if (typeof qs === 'string') {
      why.set(qs, (why.get(qs) ?? 0) + 1);
      return;
    }
    for (const query of qs)
      subjects.push({
        query,
        display: { name: p.name, version: query.version ?? p.version ?? '' },
        packageIndex: i,
      });
  });
  for (const b of report.binaries ?? []) {
    if (!b.go) continue;
    const std = b.go.stdlib?.version ?? goStdlibVersion(b.go.version);
    if (std)
      subjects.push({
        query: { ecosystem: 'Go', name: 'stdlib', version: std },
        display: { name: 'stdlib', version: std },
        binary: b.path,
        go: 'stdlib',
      });
    for (const m of b.go.deps) {
      const mod = m.replace ?? m;
      if (!mod.version || mod.version === '(devel)') continue;
      const version = goVersion(mod.version);
      subjects.push({
        query: { ecosystem: 'Go', name: mod.path, version },
        display: { name: mod.path, version },
        binary: b.path,
        go: 'module',
      });
    }
  }
  const notes = [...why].map(([reason, n]) => `${n} package${n === 1 ? '' : 's'} not looked up: ${reason}`);
  return { subjects, skipped: [...why.values()].reduce((a, b) => a + b, 0), notes };
}

/** The query's identity: equal queries are asked once, and cached by this key. */
export function queryKey(q: OsvQuery): string {
  return JSON.stringify([q.ecosystem ?? '', q.name ?? '', q.version ?? '', q.purl ?? '']);
}
