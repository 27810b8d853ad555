/** Human output of `slimgate inspect` (pure). */
import { formatBytes, shortDigest } from '../util/bytes.js';
import type { Report } from './schema.js';

const TOP = 10;

function table(rows: string[][], alignRight: boolean[]): string[] {
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

function truncate(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
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
  // `docker save` (legacy) stores layers uncompressed: their stored size is not a compressed size.
  const stored = r.layers.length > 0 && r.layers.every((l) => !/gzip|zstd/.test(l.mediaType));
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
  if (r.findings.length) {
    out.push('');
    out.push(`Findings (${r.findings.length})`);
    for (const f of r.findings) out.push(`  ${f.severity.padEnd(7)} ${f.id} ${f.message}`);
  }
  return out.join('\n') + '\n';
}
