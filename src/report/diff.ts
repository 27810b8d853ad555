/**
 * The difference between a baseline report (main's image) and this PR's report (pure).
 *
 * Nothing here does I/O or reads the clock: the same two reports always give the same diff, which is what
 * the markdown snapshots rely on.
 */
import type {
  BaseVerdict,
  BudgetCheck,
  Report,
  ReportFile,
  ReportLayer,
  VulnerabilitySummary,
} from '../types/report.js';
import { matchFindings, type FindingMatch } from '../analysis/finding.js';
import { nameKey } from '../util/names.js';
import { diffBinaries, type BinariesDiff } from './binaries-diff.js';
import { diffPackages, largestChangeOwner, type PackageDiff } from './packages-diff.js';

export interface Delta {
  before: number;
  after: number;
  delta: number;
  /** delta / before × 100; null when before is 0 (growth from nothing has no percentage). */
  percent: number | null;
}

type LayerChange = 'unchanged' | 'changed' | 'added' | 'removed';

export interface LayerDelta {
  change: LayerChange;
  /** What the layer was made by (`createdBy`), or its short diff_id when the image has no history. */
  label: string;
  before: ReportLayer | null;
  after: ReportLayer | null;
  /** Uncompressed size delta of the layer. */
  delta: number;
}

type FileChange = 'added' | 'removed' | 'changed';

/** A changed file, link or device; directories count only when their mode, owner or type changes. */
export interface FileDelta {
  path: string;
  change: FileChange;
  before: ReportFile | null;
  after: ReportFile | null;
  /** Uncompressed bytes: regular files only, since hard links share their target's bytes. */
  delta: number;
  /** For `changed`: which attributes differ (size, mode, owner, type, link). */
  attributes: string[];
}

export interface DirectoryDelta {
  /** The roll-up directory, e.g. `/usr/lib`; `/` for files at the root. */
  path: string;
  delta: number;
  added: number;
  removed: number;
  changed: number;
  /** Sorted by |delta|, then path. */
  files: FileDelta[];
  /** The package that owns its largest change, when a package does (reports with owners only). */
  owner?: string;
}

interface BudgetDelta {
  name: string;
  before: BudgetCheck | null;
  after: BudgetCheck;
}

export interface ReportDiff {
  size: {
    compressed: Delta;
    uncompressed: Delta;
    wasted: Delta;
    files: Delta;
  };
  layers: {
    count: Delta;
    /** This PR's layers in order, then removed baseline layers. */
    items: LayerDelta[];
    added: number;
    removed: number;
    changed: number;
  };
  files: {
    added: number;
    removed: number;
    changed: number;
    /** Sorted by |delta| then path: the renderer shows the top ones. */
    directories: DirectoryDelta[];
  };
  base: { before: BaseVerdict; after: BaseVerdict; changed: boolean };
  /** Matched by rule and subject (analysis/finding.ts). */
  findings: FindingMatch;
  budget: { before: boolean; after: boolean; checks: BudgetDelta[] };
  /** ELF executables that changed, and their Go modules (binaries-diff.ts); absent when none did. */
  binaries?: BinariesDiff;
  /** Packages added, removed and changed; absent when either report has no package list. */
  packages?: PackageDiff;
  /** The baseline's vulnerability summary, for the headline (the entries are in `findings`). */
  baselineVulnerabilities?: VulnerabilitySummary;
}

export interface DiffOptions {
  /** How many path components the file roll-up keeps: 2 gives `/usr/lib`, `/app/node_modules`. */
  depth?: number;
}

export function delta(before: number, after: number): Delta {
  const d = after - before;
  return { before, after, delta: d, percent: before === 0 ? null : (d / before) * 100 };
}

function layerLabel(l: ReportLayer): string {
  const created = (l.createdBy ?? '').replace(/\s+/g, ' ').trim();
  if (created) return created;
  const hex = l.diffId.includes(':') ? l.diffId.slice(l.diffId.indexOf(':') + 1) : l.diffId;
  return `(layer ${hex.slice(0, 12)})`;
}

/**
 * Layers are matched first by diff_id (the same bytes: shared with the baseline), then by `createdBy`
 * (the same instruction with other bytes: changed). Whatever is left is added or removed.
 */
export function diffLayers(before: readonly ReportLayer[], after: readonly ReportLayer[]): LayerDelta[] {
  const used = new Set<number>();
  const take = (pred: (l: ReportLayer) => boolean): number => {
    const i = before.findIndex((l, j) => !used.has(j) && pred(l));
    if (i >= 0) used.add(i);
    return i;
  };
  const matches: number[] = after.map((a) => take((b) => b.diffId === a.diffId));
  const items: LayerDelta[] = after.map((a, k) => {
    let i = matches[k] ?? -1;
    let change: LayerChange = 'unchanged';
    if (i < 0) {
      i = a.createdBy ? take((b) => b.createdBy !== null && layerLabel(b) === layerLabel(a)) : -1;
      change = i < 0 ? 'added' : 'changed';
    }
    const b = i >= 0 ? (before[i] ?? null) : null;
    return {
      change,
      label: layerLabel(a),
      before: b,
      after: a,
      delta: a.uncompressedSize - (b?.uncompressedSize ?? 0),
    };
  });
  before.forEach((b, i) => {
    if (!used.has(i))
      items.push({
        change: 'removed',
        label: layerLabel(b),
        before: b,
        after: null,
        delta: -b.uncompressedSize,
      });
  });
  return items;
}

/** Bytes a file entry contributes to the uncompressed size: regular files only. */
function bytes(f: ReportFile | null): number {
  return f && f.type === 'file' ? f.size : 0;
}

function attributes(b: ReportFile, a: ReportFile): string[] {
  const out: string[] = [];
  if (b.type !== a.type) out.push('type');
  if (b.size !== a.size) out.push('size');
  if (b.mode !== a.mode) out.push('mode');
  if (b.uid !== a.uid || b.gid !== a.gid) out.push('owner');
  if ((b.link ?? null) !== (a.link ?? null)) out.push('link');
  return out;
}

/** `/usr/lib/x/libc.so` at depth 2 → `/usr/lib`; `/hello` → `/`. The directory itself rolls up the same way. */
export function rollUp(path: string, isDir: boolean, depth: number): string {
  const parts = path.split('/').filter(Boolean);
  const dirParts = isDir ? parts : parts.slice(0, -1);
  const kept = dirParts.slice(0, depth);
  return kept.length ? `/${kept.join('/')}` : '/';
}

const byMagnitude = (x: { delta: number; path: string }, y: { delta: number; path: string }): number =>
  Math.abs(y.delta) - Math.abs(x.delta) || (x.path < y.path ? -1 : x.path > y.path ? 1 : 0);

export function diffFiles(
  before: readonly ReportFile[],
  after: readonly ReportFile[],
  depth = 2,
): ReportDiff['files'] {
  const old = new Map(before.map((f) => [fileKey(f), f]));
  const changes: FileDelta[] = [];
  for (const a of after) {
    const b = old.get(fileKey(a));
    if (!b) {
      // A new directory holds no bytes of its own: its files are listed, it is not.
      if (a.type !== 'dir')
        changes.push({
          path: a.path,
          change: 'added',
          before: null,
          after: a,
          delta: bytes(a),
          attributes: [],
        });
      continue;
    }
    old.delete(fileKey(a));
    const attrs = attributes(b, a);
    if (attrs.length)
      changes.push({
        path: a.path,
        change: 'changed',
        before: b,
        after: a,
        delta: bytes(a) - bytes(b),
        attributes: attrs,
      });
  }
  for (const b of old.values())
    if (b.type !== 'dir')
      changes.push({
        path: b.path,
        change: 'removed',
        before: b,
        after: null,
        delta: -bytes(b),
        attributes: [],
      });

  const dirs = new Map<string, DirectoryDelta>();
  for (const c of changes) {
    const f = (c.after ?? c.before) as ReportFile;
    const key = rollUp(c.path, f.type === 'dir', depth);
    let d = dirs.get(key);
    if (!d) dirs.set(key, (d = { path: key, delta: 0, added: 0, removed: 0, changed: 0, files: [] }));
    d.delta += c.delta;
    d[c.change]++;
    d.files.push(c);
  }
  for (const d of dirs.values()) d.files.sort(byMagnitude);
  return {
    added: changes.filter((c) => c.change === 'added').length,
    removed: changes.filter((c) => c.change === 'removed').length,
    changed: changes.filter((c) => c.change === 'changed').length,
    directories: [...dirs.values()].sort(
      (x, y) =>
        byMagnitude(x, y) ||
        y.files.length - x.files.length ||
        (x.path < y.path ? -1 : x.path > y.path ? 1 : 0),
    ),
  };
}

/** A file's identity: its name's bytes (a shown non-UTF-8 name can look like a valid one), as findings key theirs. */
function fileKey(f: ReportFile): string {
  return nameKey(f.path, f.pathBase64);
}

function diffBudget(before: Report, after: Report): ReportDiff['budget'] {
  const old = new Map(before.budget.checks.map((c) => [c.name, c]));
  return {
    before: before.budget.passed,
    after: after.budget.passed,
    checks: after.budget.checks.map((c) => ({ name: c.name, before: old.get(c.name) ?? null, after: c })),
  };
}

export function diffReports(before: Report, after: Report, opts: DiffOptions = {}): ReportDiff {
  const layers = diffLayers(before.layers, after.layers);
  const baseChanged =
    before.base.verdict !== after.base.verdict || (before.base.image ?? null) !== (after.base.image ?? null);
  const binaries = diffBinaries(before, after);
  return {
    size: {
      compressed: delta(before.size.compressed, after.size.compressed),
      uncompressed: delta(before.size.uncompressed, after.size.uncompressed),
      wasted: delta(before.size.wasted, after.size.wasted),
      files: delta(before.size.files, after.size.files),
    },
    layers: {
      count: delta(before.layers.length, after.layers.length),
      items: layers,
      added: layers.filter((l) => l.change === 'added').length,
      removed: layers.filter((l) => l.change === 'removed').length,
      changed: layers.filter((l) => l.change === 'changed').length,
    },
    files: withOwners(diffFiles(before.files, after.files, opts.depth ?? 2), before, after),
    base: { before: before.base, after: after.base, changed: baseChanged },
    findings: matchFindings(before.findings, after.findings),
    budget: diffBudget(before, after),
    ...(binaries ? { binaries } : {}),
    ...packagesOf(before, after),
    ...(before.vulnerabilities ? { baselineVulnerabilities: before.vulnerabilities } : {}),
  };
}

function withOwners<T extends { directories: DirectoryDelta[] }>(files: T, before: Report, after: Report): T {
  for (const d of files.directories) {
    const owner = largestChangeOwner(d.files, before, after);
    if (owner !== undefined) d.owner = owner;
  }
  return files;
}

function packagesOf(before: Report, after: Report): { packages?: PackageDiff } {
  const packages = diffPackages(before, after);
  return packages ? { packages } : {};
}
