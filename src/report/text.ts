/** Human output of `slimgate inspect` (pure). */
import { matchFindings } from '../analysis/finding.js';
import { vulnChanges, vulnTextLines } from './vulns-text.js';
import { layersStoredUncompressed } from '../sources/model/image.js';
import { BUDGET_NAMES } from '../analysis/budget-table.js';
import { escapeControls, printableLines, truncate } from '../util/text.js';
import { formatBytes, shortDigest } from '../util/bytes.js';
import type { ManifestCheck } from '../types/report.js';
import type { Report } from '../types/report.js';
import { binariesDiffLines, binariesLines } from './binaries-diff.js';
import { packageDiffLines, packageLines } from './packages-text.js';

const TOP = 10;

/** Cells are escaped before they are measured, so columns line up with what is printed. */
function table(cells: string[][], alignRight: boolean[]): string[] {
  const rows = cells.map((r) => r.map(escapeControls));
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, c) =>
        c === r.length - 1
          ? cell
          : alignRight[c]
            ? cell.padStart(widths[c] ?? 0)
            : cell.padEnd(widths[c] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function largestDirectories(report: Report, n = TOP): { path: string; size: number }[] {
  const sizes = new Map<string, number>();
  for (const f of report.files) {
    if (f.type !== 'file') continue; // hard links share their target's bytes
    for (let i = f.path.lastIndexOf('/'); i > 0; i = f.path.lastIndexOf('/', i - 1)) {
      const dir = f.path.slice(0, i);
      sizes.set(dir, (sizes.get(dir) ?? 0) + f.size);
    }
  }
  return [...sizes]
    .map(([path, size]) => ({ path, size }))
    .sort((a, b) => b.size - a.size || a.path.localeCompare(b.path))
    .slice(0, n);
}

export function renderInspect(r: Report): string {
  const out: string[] = [];
  out.push(`Image     ${r.image.source}${r.image.tags.length ? `  (${r.image.tags.join(', ')})` : ''}`);
  out.push(`Digest    ${r.image.digest}`);
  out.push(`Platform  ${r.image.platform}`);
  const stored = layersStoredUncompressed(r.layers);
  const compressed = stored
    ? `${formatBytes(r.size.compressed)} stored (layers are uncompressed in this archive)`
    : `${formatBytes(r.size.compressed)} compressed`;
  out.push(
    `Size      ${formatBytes(r.size.uncompressed)} uncompressed · ${compressed} · ` +
      `${plural(r.size.files, 'file')} · ${formatBytes(r.size.wasted)} wasted`,
  );
  out.push(`Base      ${r.base.verdict}${r.base.image ? ` (${r.base.image})` : ''}`);
  out.push('');
  out.push(`Layers (${r.layers.length})`);
  const rows = [['#', 'compressed', 'uncompressed', 'files', 'wasted', 'created by']];
  r.layers.forEach((l, i) =>
    rows.push([
      String(i + 1),
      formatBytes(l.compressedSize),
      formatBytes(l.uncompressedSize),
      String(l.files),
      formatBytes(l.wastedBytes),
      truncate(l.createdBy ?? `(${shortDigest(l.digest)})`, 70),
    ]),
  );
  out.push(...table(rows, [true, true, true, true, true, false]).map((s) => `  ${s}`));
  out.push('');
  out.push('Largest files (uncompressed)');
  const files = r.files
    .filter((f) => f.type === 'file')
    .sort((a, b) => b.size - a.size || a.path.localeCompare(b.path));
  out.push(
    ...table(
      files.slice(0, TOP).map((f) => [formatBytes(f.size), f.path]),
      [true, false],
    ).map((s) => `  ${s}`),
  );
  const dirs = largestDirectories(r);
  if (dirs.length) {
    out.push('');
    out.push('Largest directories (uncompressed)');
    out.push(
      ...table(
        dirs.map((d) => [formatBytes(d.size), `${d.path}/`]),
        [true, false],
      ).map((s) => `  ${s}`),
    );
  }
  out.push(...binariesLines(r));
  out.push(...packageLines(r));
  if (r.findings.length) {
    out.push('');
    out.push(`Findings (${r.findings.length})`);
    for (const f of r.findings) out.push(`  ${f.severity.padEnd(7)} ${f.id} ${f.message}`);
  }
  return printableLines(out);
}

/** Findings shown per category in `check` output; the rest are counted. */
const CHECK_CAP = 10;

const CATEGORY_ORDER = [
  'size',
  'base',
  'entrypoint',
  'secret',
  'shell',
  'package-manager',
  'privilege',
  'user',
  'toolchain',
  'coreutils',
  'permissions',
  'waste',
  'vcs',
  'integrity',
];

function counts(r: Report): string {
  const e = r.findings.filter((f) => f.severity === 'error').length;
  const w = r.findings.filter((f) => f.severity === 'warning').length;
  const i = r.findings.length - e - w;
  const parts = [plural(e, 'error'), plural(w, 'warning')];
  if (i) parts.push(`${i} info`);
  return parts.join(', ');
}

/** Under the ratchet: how many errors are new (the rest are main's debt), or that there was no baseline. */
function ratchetNote(r: Report, failOn: string, baseline: Report | null | undefined): string {
  if (failOn !== 'new-error') return '';
  if (!baseline) return ' (no baseline: judged as error)';
  return ` (${plural(r.verdict?.newErrors ?? 0, 'new error')})`;
}

/** Human output of `slimgate check`: the verdict line, then budgets, then findings by category. */
export function renderCheck(r: Report, baseline?: Report | null): string {
  const out: string[] = [];
  const failOn = r.verdict?.failOn ?? 'error';
  const breaches = r.budget.checks.filter((c) => !c.passed).length;
  out.push(
    `${r.passed ? 'PASSED' : 'FAILED'}  ${r.image.source} (${r.image.platform}) · ` +
      `${formatBytes(r.size.uncompressed)} uncompressed · ${counts(r)}` +
      (breaches ? ` · ${plural(breaches, 'budget')} over` : '') +
      ` · fail-on ${failOn}` +
      ratchetNote(r, failOn, baseline),
  );
  out.push('');
  if (r.budget.checks.length) {
    out.push('Budgets');
    const rows = r.budget.checks.map((c) => [
      c.skipped ? 'skip' : c.passed ? 'pass' : 'FAIL',
      c.name,
      c.detail ?? `${c.actual} / ${c.limit}`,
    ]);
    out.push(...table(rows, [false, false, false]).map((s) => `  ${s}`));
  } else out.push(`Budgets     none set (${BUDGET_NAMES.map((n) => `--${n}`).join(', ')})`);
  out.push('');
  if (!r.findings.length) out.push('Findings    none');
  else renderFindings(r, out);
  out.push('');
  const vulns = vulnTextLines(
    r,
    baseline,
    baseline ? vulnChanges(matchFindings(baseline.findings, r.findings)) : null,
  );
  if (vulns.length) out.push(...vulns, '');
  checkDetails(r, baseline, out);
  if (baseline) out.push(...binariesDiffLines(baseline, r));
  return printableLines(out);
}

function renderFindings(r: Report, out: string[]): void {
  out.push(`Findings (${r.findings.length})`);
  const cats = [...new Set(r.findings.map((f) => f.category))].sort(
    (a, b) => rank(a) - rank(b) || a.localeCompare(b),
  );
  for (const cat of cats) {
    const list = r.findings.filter((f) => f.category === cat);
    out.push(`  ${cat} (${list.length})`);
    const seen = new Set<string>();
    for (const f of list.slice(0, CHECK_CAP)) {
      out.push(`    ${f.severity.padEnd(7)} ${f.id}  ${truncate(f.message, 160)}`);
      if (f.location) out.push(`            at ${f.location.file}:${f.location.line}`);
      if (!seen.has(f.id)) {
        seen.add(f.id);
        out.push(`            fix: ${f.remediation}`);
      }
    }
    if (list.length > CHECK_CAP)
      out.push(`    … and ${list.length - CHECK_CAP} more (--json lists them all)`);
  }
}

function checkDetails(r: Report, baseline: Report | null | undefined, out: string[]): void {
  const stored = layersStoredUncompressed(r.layers);
  out.push(
    `Size        ${formatBytes(r.size.uncompressed)} uncompressed · ${formatBytes(r.size.compressed)} ` +
      `${stored ? 'stored (uncompressed layers)' : 'compressed'} · ${formatBytes(r.size.wasted)} wasted · ` +
      `${plural(r.layers.length, 'layer')} · ${plural(r.size.files, 'file')}`,
  );
  if (baseline) {
    const d = r.size.uncompressed - baseline.size.uncompressed;
    out.push(
      `Baseline    ${baseline.image.source}: ${formatBytes(baseline.size.uncompressed)} uncompressed ` +
        `(${d >= 0 ? '+' : ''}${formatBytes(d)})`,
    );
  }
  out.push(...packageDiffLines(r, baseline));
  const ev = r.base.evidence.slice(0, 3).join('; ');
  out.push(`Base        ${r.base.verdict}${r.base.image ? ` (${r.base.image})` : ''}${ev ? ` · ${ev}` : ''}`);
  if (r.entrypoint) {
    const e = r.entrypoint;
    const what =
      e.kind === 'none'
        ? 'none'
        : `${JSON.stringify(e.argv)}${e.resolved && e.resolved !== e.argv[0] ? ` → ${e.resolved}` : ''} · ${e.kind}` +
          (e.interpreter ? ` (${e.interpreter})` : '');
    out.push(`Entrypoint  ${truncate(what, 140)}`);
  }
}

function rank(cat: string): number {
  const i = CATEGORY_ORDER.indexOf(cat);
  return i === -1 ? CATEGORY_ORDER.length : i;
}

/** `check --manifest-only` as text (pure). */
export function renderManifestCheck(r: ManifestCheck): string {
  const s = r.summary;
  const how = s.manifestOnly
    ? 'from the manifests alone, no layer read'
    : 'from a full read (this source has no manifest to trust alone)';
  const out = [
    `${r.passed ? 'PASSED' : 'FAILED'}  ${s.source}${s.platform ? ` (${s.platform})` : ''} · ${formatBytes(s.compressedSize)} ${s.storedUncompressed ? 'stored' : 'compressed'} · ${plural(s.layers, 'layer')} · ${how}`,
    '',
  ];
  for (const c of r.budget.checks)
    out.push(`  ${c.passed ? 'ok  ' : 'OVER'}  ${c.name}: ${c.detail ?? `${c.actual} (limit ${c.limit})`}`);
  return printableLines(out);
}

/** The last line of a `--platform all` check: it fails when any platform fails. */
export function platformsVerdictLine(
  results: readonly { platform: string | null; passed: boolean }[],
): string {
  const failing = results.filter((r) => !r.passed).map((r) => r.platform ?? 'unknown');
  const n = plural(results.length, 'platform');
  return printableLines([
    failing.length ? `FAILED  ${n}: ${failing.join(', ')} failed` : `PASSED  ${n}: every platform passed`,
  ]);
}
