/**
 * Packages in the human output (pure): the largest owners for `inspect`, the package diff for
 * `check --baseline`. Lines come back unescaped; the callers print them through printableLines, which
 * escapes image text (package names and versions are image text).
 */
import { formatBytes } from '../util/bytes.js';
import { truncate } from '../util/text.js';
import type { Report } from '../types/report.js';
import { diffPackages, versionChange } from './packages-diff.js';

const TOP = 10;

const signed = (n: number): string => `${n > 0 ? '+' : ''}${formatBytes(n)}`;

/** `inspect`: how much the packages own, by manager, and the largest of them. */
export function packageLines(r: Report): string[] {
  const o = r.ownership;
  // An image with no package database (scratch, distroless static) has nothing to say here.
  if (!r.packages || !o || (!r.packages.length && !o.notes.length)) return [];
  const pkgs = r.packages;
  const out: string[] = [''];
  const managers = new Map<string, number>();
  for (const p of pkgs) managers.set(p.manager, (managers.get(p.manager) ?? 0) + 1);
  const total = pkgs.length + (o.more?.packages ?? 0);
  const by = [...managers].map(([m, n]) => `${m} ${n}`).join(', ');
  out.push(
    `Packages (${total}${by ? `: ${by}` : ''}) · ${formatBytes(o.owned.bytes)} owned · ` +
      `${formatBytes(o.unowned.bytes)} in ${o.unowned.files} files of no package (uncompressed)`,
  );
  const rows = pkgs
    .slice(0, TOP)
    .map((p) => [
      formatBytes(p.size),
      p.manager,
      truncate(`${p.name}${p.version ? ` ${p.version}` : ''}`, 100) +
        (p.copies ? ` (${p.copies} copies)` : ''),
    ]);
  const w0 = Math.max(0, ...rows.map((x) => (x[0] as string).length));
  const w1 = Math.max(0, ...rows.map((x) => (x[1] as string).length));
  for (const [size, mgr, what] of rows)
    out.push(`  ${(size as string).padStart(w0)}  ${(mgr as string).padEnd(w1)}  ${what}`);
  if (pkgs.length > TOP) out.push(`  … and ${total - TOP} more (--json lists them)`);
  for (const n of o.notes.slice(0, 5)) out.push(`  note: ${truncate(n, 160)}`);
  return out;
}

/** `check --baseline`: packages added, removed and changed, largest change first. */
export function packageDiffLines(r: Report, baseline: Report | null | undefined): string[] {
  if (!baseline) return [];
  const d = diffPackages(baseline, r);
  if (!d) return [];
  // Neither image has a package database (a static binary on scratch): nothing to say.
  if (!d.items.length) return r.packages?.length ? ['Packages    no change'] : [];
  const out = [
    `Packages    ${d.added} added, ${d.removed} removed, ${d.changed} changed (${signed(d.delta)} uncompressed)`,
  ];
  const mark = { added: '+', removed: '-', changed: '~' } as const;
  for (const c of d.items.slice(0, TOP)) {
    const v = versionChange(c);
    out.push(
      `  ${mark[c.change]} ${signed(c.delta).padStart(10)}  ${c.manager.padEnd(6)}  ${truncate(`${c.name}${v ? ` ${v}` : ''}`, 120)}`,
    );
  }
  if (d.items.length > TOP) out.push(`  … and ${d.items.length - TOP} more (--json has both lists)`);
  if (d.unlisted) out.push(`  (${d.unlisted} smaller packages are listed on one side only: not compared)`);
  return out;
}
