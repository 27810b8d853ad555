/**
 * Which packages a PR added, removed or changed (pure): "this PR added golang-1.19-go (400 MB) and the 31
 * packages it pulled in", from the `packages` of two reports. Packages match by manager and name; a package
 * changed when its version or the bytes it owns did. Largest change first.
 */
import type { PackageManager, Report, ReportFile, ReportPackage } from '../types/report.js';

export interface PackageChange {
  manager: PackageManager;
  name: string;
  change: 'added' | 'removed' | 'changed';
  before: { version: string | null; size: number } | null;
  after: { version: string | null; size: number } | null;
  /** Bytes owned after minus before (uncompressed). */
  delta: number;
  /** Its package-url after the change (before it, when removed), when the report has one. */
  purl?: string;
  /** The license, when both reports know it and it changed. */
  licenses?: { before: string; after: string };
}

export interface PackageDiff {
  added: number;
  removed: number;
  changed: number;
  /** Sorted by |delta|, then manager and name. */
  items: PackageChange[];
  /** The sum of the deltas: what the packages added to the image. */
  delta: number;
  /**
   * Packages on one side only that are smaller than what the other report still lists (a report lists its
   * largest packages only): whether they are new or gone cannot be told, so they are left out.
   */
  unlisted?: number;
}

const key = (p: ReportPackage): string => `${p.manager}\0${p.name}`;

/** The package diff, or undefined when either report has no package list (written before it existed). */
export function diffPackages(before: Report, after: Report): PackageDiff | undefined {
  if (!before.packages || !after.packages) return undefined;
  const old = new Map(before.packages.map((p) => [key(p), p]));
  const items: PackageChange[] = [];
  const beforeCut = listingCut(before);
  const afterCut = listingCut(after);
  let unlisted = 0;
  for (const p of after.packages) {
    const b = old.get(key(p));
    old.delete(key(p));
    const after = { version: p.version, size: p.size };
    const purl = p.purl ? { purl: p.purl } : {};
    const relicensed = b?.licenses && p.licenses && b.licenses !== p.licenses;
    if (!b && p.size <= beforeCut) unlisted++;
    else if (!b) {
      items.push({
        manager: p.manager,
        name: p.name,
        change: 'added',
        before: null,
        after,
        delta: p.size,
        ...purl,
      });
    } else if (b.version !== p.version || b.size !== p.size || relicensed) {
      items.push({
        manager: p.manager,
        name: p.name,
        change: 'changed',
        before: { version: b.version, size: b.size },
        after,
        delta: p.size - b.size,
        ...purl,
        ...(relicensed ? { licenses: { before: b.licenses as string, after: p.licenses as string } } : {}),
      });
    }
  }
  for (const b of old.values()) {
    if (b.size <= afterCut) {
      unlisted++;
      continue;
    }
    items.push({
      manager: b.manager,
      name: b.name,
      change: 'removed',
      before: { version: b.version, size: b.size },
      after: null,
      delta: -b.size,
      ...(b.purl ? { purl: b.purl } : {}),
    });
  }
  items.sort(
    (a, b) =>
      Math.abs(b.delta) - Math.abs(a.delta) ||
      (a.manager < b.manager ? -1 : a.manager > b.manager ? 1 : 0) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  return {
    added: items.filter((i) => i.change === 'added').length,
    removed: items.filter((i) => i.change === 'removed').length,
    changed: items.filter((i) => i.change === 'changed').length,
    items,
    delta: items.reduce((n, i) => n + i.delta, 0),
    ...(unlisted ? { unlisted } : {}),
  };
}

/** The size at and below which a report that lists only its largest packages may not list one; -1: all listed. */
function listingCut(r: Report): number {
  if (!r.ownership?.more?.packages) return -1;
  let min = Infinity;
  for (const p of r.packages ?? []) if (p.size < min) min = p.size;
  return min === Infinity ? -1 : min;
}

/** "1.19.8-1 → 1.19.8-2", "1.19.8-2" (added), "1.19.8-1" (removed), or the one version when it did not change. */
export function versionChange(c: PackageChange): string {
  const b = c.before?.version ?? null;
  const a = c.after?.version ?? null;
  const license = c.licenses ? ` (license ${c.licenses.before} → ${c.licenses.after})` : '';
  if (c.change === 'changed' && b !== a) return `${b ?? '?'} → ${a ?? '?'}${license}`;
  return (a ?? b ?? '') + license;
}

/**
 * The package that owns a directory's largest change (its first file, as the diff sorts them): the file
 * after the change, or before it when it was removed. Undefined when nobody owns it or the report predates
 * owners.
 */
export function largestChangeOwner(
  files: readonly { before: ReportFile | null; after: ReportFile | null }[],
  before: Report,
  after: Report,
): string | undefined {
  const top = files[0];
  if (!top) return undefined;
  const [file, report] = top.after ? [top.after, after] : [top.before, before];
  const k = file?.owner;
  return k === undefined ? undefined : report.packages?.[k]?.name;
}
