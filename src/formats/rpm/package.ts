/**
 * rpm packages from decoded headers: the version as `rpm -q --qf '%{EPOCH}:%{VERSION}-%{RELEASE}'` shows
 * it (no epoch when the header has none), the source package from SOURCERPM, the license as an SPDX
 * expression when it converts to a valid one, the vendor as supplier, the package names its requirements
 * resolve to, and a purl.
 */
import spdxCorrect from 'spdx-correct';
import spdxParse from 'spdx-expression-parse';
import type { RpmHeader } from './header.js';

export interface RpmPackage {
  name: string;
  /** `[epoch:]version-release`. */
  version: string;
  epoch?: number;
  /** VERSION-RELEASE without the epoch (the purl's version). */
  versionRelease: string;
  arch?: string;
  /** SIZE: the installed size the package declares, in bytes. */
  declaredSize?: number;
  /** From SOURCERPM `name-version-release.src.rpm`. */
  source?: { name: string; version: string };
  /** LICENSE as an SPDX expression, only when it converts to a valid one. */
  licenses?: string;
  /** VENDOR (else PACKAGER). */
  supplier?: string;
  /** The installed packages that provide what it requires (by PROVIDENAME or an owned file), sorted. */
  dependsOn?: string[];
  /** The owned paths, absolute. */
  files: string[];
  fileSizes?: number[];
  fileModes?: number[];
}

export function rpmPackage(h: RpmHeader): RpmPackage {
  const versionRelease = [h.version ?? '', h.release].filter((x) => x !== undefined).join('-');
  const p: RpmPackage = {
    name: h.name,
    version: h.epoch !== undefined ? `${h.epoch}:${versionRelease}` : versionRelease,
    versionRelease,
    files: h.files,
  };
  if (h.epoch !== undefined) p.epoch = h.epoch;
  if (h.arch !== undefined) p.arch = h.arch;
  if (h.size !== undefined) p.declaredSize = h.size;
  const source = h.sourceRpm !== undefined ? sourceOf(h.sourceRpm) : undefined;
  if (source) p.source = source;
  const license = h.license !== undefined ? spdxOf(h.license) : undefined;
  if (license) p.licenses = license;
  const supplier = h.vendor ?? h.packager;
  if (supplier !== undefined) p.supplier = supplier;
  if (h.fileSizes) p.fileSizes = h.fileSizes;
  if (h.fileModes) p.fileModes = h.fileModes;
  return p;
}

/** `name-version-release.src.rpm` (or `.nosrc.rpm`) → name and `version-release`. */
export function sourceOf(s: string): { name: string; version: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(s);
  return m ? { name: m[1] as string, version: `${m[2]}-${m[3]}` } : undefined;
}

const MAX_LICENSE_PARTS = 32;
const spdxCache = new Map<string, string | null>();

/**
 * A LICENSE value as SPDX: as it is when it parses (Fedora ≥ 2023 writes SPDX), else each part of an
 * `and`/`or` list (Fedora's older short names: `GPLv2+ and MIT`, `ASL 2.0`) corrected by spdx-correct,
 * kept only when every part converts and the whole parses. Anything else is left out: a wrong license is
 * worse than none.
 */
export function spdxOf(license: string): string | undefined {
  const hit = spdxCache.get(license);
  if (hit !== undefined) return hit ?? undefined;
  const out = convert(license);
  if (spdxCache.size < 4096) spdxCache.set(license, out ?? null);
  return out;
}

function convert(license: string): string | undefined {
  const s = license.trim();
  if (valid(s)) return s;
  if (/[()]/.test(s)) return undefined;
  const parts = s.split(/\s+(and|or)\s+/i);
  if (parts.length > MAX_LICENSE_PARTS * 2) return undefined;
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (i % 2 === 1) {
      out.push(part.toUpperCase());
      continue;
    }
    const id = valid(part) ? part : corrected(part);
    if (!id) return undefined;
    out.push(id);
  }
  const expr = out.join(' ');
  return valid(expr) ? expr : undefined;
}

/** Fedora's old short names that spdx-correct does not know (the Fedora license list's own mapping). */
const FEDORA = new Map([
  ['ASL 1.0', 'Apache-1.0'],
  ['ASL 1.1', 'Apache-1.1'],
  ['ASL 2.0', 'Apache-2.0'],
  ['Boost', 'BSL-1.0'],
]);

/**
 * spdx-correct also guesses a version ("GPL" → GPL-3.0-or-later, "BSD" → BSD-2-Clause): its answer is taken
 * only when the text names a version itself ("GPLv2+", "ASL 2.0") or is the identifier, "License" aside.
 */
function corrected(part: string): string | undefined {
  const id = FEDORA.get(part) ?? spdxCorrect(part, { upgrade: true });
  if (!id || !valid(id)) return undefined;
  const bare = part
    .replace(/\blicen[cs]e\b/gi, '')
    .trim()
    .toLowerCase();
  return /\d/.test(part) || bare === id.toLowerCase() ? id : undefined;
}

function valid(s: string): boolean {
  try {
    spdxParse(s);
    return true;
  } catch {
    return false;
  }
}

/** Resolves each package's REQUIRENAME to the installed packages that provide it (by name or by file). */
export function resolveDepends(headers: RpmHeader[], packages: RpmPackage[]): void {
  const byProvide = new Map<string, string>();
  const wantedFiles = new Set<string>();
  for (const h of headers) {
    for (const pr of [h.name, ...h.provides]) if (!byProvide.has(pr)) byProvide.set(pr, h.name);
    for (const r of h.requires) if (r.startsWith('/')) wantedFiles.add(r);
  }
  const byFile = new Map<string, string>();
  if (wantedFiles.size > 0)
    for (const h of headers)
      for (const f of h.files) if (wantedFiles.has(f) && !byFile.has(f)) byFile.set(f, h.name);
  headers.forEach((h, i) => {
    const deps = new Set<string>();
    for (const r of h.requires) {
      const who = r.startsWith('/') ? (byFile.get(r) ?? byProvide.get(r)) : byProvide.get(r);
      if (who !== undefined && who !== h.name) deps.add(who);
    }
    if (deps.size > 0) (packages[i] as RpmPackage).dependsOn = [...deps].sort();
  });
}

/** The purl namespace for an os-release ID: the vendor, as the purl spec's rpm examples and scanners use. */
const NAMESPACES = new Map(
  Object.entries({
    rhel: 'redhat',
    centos: 'centos',
    fedora: 'fedora',
    rocky: 'rocky',
    almalinux: 'almalinux',
    amzn: 'amzn',
    ol: 'oracle',
    mariner: 'mariner',
    azurelinux: 'azurelinux',
    opensuse: 'opensuse',
    'opensuse-leap': 'opensuse',
    'opensuse-tumbleweed': 'opensuse',
    sles: 'suse',
    sle_hpc: 'suse',
    'sle-micro': 'suse',
    sles_sap: 'suse',
    photon: 'photon',
    openeuler: 'openeuler',
  }),
);

/** The purl namespace for an os-release ID (lowercase letters, digits, `.`, `_`, `-`), or undefined. */
export function rpmNamespace(id: string | null | undefined): string | undefined {
  if (!id || !/^[A-Za-z0-9._-]{1,64}$/.test(id)) return undefined;
  return NAMESPACES.get(id) ?? id.toLowerCase();
}
