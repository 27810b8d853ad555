/** Who brought the bytes: packages added, removed and changed, or the largest ones. */
import type { ReportDiff } from './diff.js';
import type { Report } from '../types/report.js';
import { versionChange, type PackageChange } from './packages-diff.js';
import { code, escapeText } from './comment-escape.js';
import { details, formatBytes, num, signedBytes } from './comment-format.js';
import type { Level } from './comment-options.js';

const PACKAGE_ROWS = 10;

const PACKAGE_ICON = { added: '➕', removed: '➖', changed: '✏️' } as const;

function packageCell(name: string, manager: string): string {
  return `${code(name, 100)} <sub>${escapeText(manager, 10)}</sub>`;
}

/**
 * Who brought the bytes: with a baseline, the packages added, removed and changed, largest change first;
 * without one, the largest packages. Names and versions are image text.
 */
export function packagesSection(report: Report, diff: ReportDiff | undefined, lv: Level): string[] {
  const n = lv.listed > 0 ? PACKAGE_ROWS : 0;
  if (diff?.packages) {
    const d = diff.packages;
    if (!d.items.length) return [];
    const parts = [
      d.added ? `${d.added} added` : '',
      d.removed ? `${d.removed} removed` : '',
      d.changed ? `${d.changed} changed` : '',
    ].filter(Boolean);
    const out = [`**Packages: ${parts.join(', ')} (${signedBytes(num(d.delta))} uncompressed)**`, ''];
    if (!n) return out;
    const row = (c: PackageChange): string =>
      `| ${PACKAGE_ICON[c.change]} | ${packageCell(c.name, c.manager)} | ${escapeText(versionChange(c), 100)} | ${signedBytes(num(c.delta))} |`;
    out.push('|  | package | version | Δ uncompressed |', '| :---: | --- | --- | ---: |');
    out.push(...d.items.slice(0, n).map(row));
    if (d.items.length > n) out.push(`|  | … and ${d.items.length - n} more (see the JSON report) |  |  |`);
    out.push('');
    if (d.unlisted)
      out.push(
        `<sub>${num(d.unlisted)} smaller packages are listed on one side only (a report lists its largest): not compared.</sub>`,
        '',
      );
    return out;
  }
  if (diff || !n || !report.packages?.length) return [];
  const own = report.ownership;
  const rows = report.packages
    .slice(0, n)
    .map(
      (p) =>
        `| ${packageCell(p.name, p.manager)} | ${escapeText(p.version ?? '', 100)} | ${formatBytes(p.size)} |`,
    );
  const more = report.packages.length - rows.length + num(own?.more?.packages);
  if (more > 0) rows.push(`| … and ${more} more (see the JSON report) |  |  |`);
  const owned = own
    ? ` · ${formatBytes(own.owned.bytes)} owned, ${formatBytes(own.unowned.bytes)} your own`
    : '';
  return details(`Largest packages (uncompressed)${owned}`, [
    '| package | version | uncompressed |',
    '| --- | --- | ---: |',
    ...rows,
  ]);
}
