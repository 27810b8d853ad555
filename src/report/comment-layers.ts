/** The layers, with what each added, removed or changed against the baseline. */
import type { LayerDelta, ReportDiff } from './diff.js';
import type { Report } from '../types/report.js';
import { code } from './comment-escape.js';
import { details, formatBytes, signedBytes } from './comment-format.js';
import type { Level } from './comment-options.js';

function layerRow(l: LayerDelta, i: number): string {
  const icon = { unchanged: '', changed: '✏️ changed', added: '➕ added', removed: '➖ removed' }[l.change];
  const size = l.after ? formatBytes(l.after.uncompressedSize) : '';
  return `| ${l.after ? i + 1 : ''} | ${icon} | ${code(l.label, 100)} | ${size} | ${l.delta ? signedBytes(l.delta) : ''} |`;
}

export function layersSection(report: Report, diff: ReportDiff | undefined, lv: Level): string[] {
  const head = ['| # |  | created by | uncompressed | Δ |', '| ---: | --- | --- | ---: | ---: |'];
  if (diff) {
    const L = diff.layers;
    const parts = [
      L.added ? `${L.added} added` : '',
      L.removed ? `${L.removed} removed` : '',
      L.changed ? `${L.changed} changed` : '',
    ]
      .filter(Boolean)
      .join(', ');
    const rows = L.items.slice(0, lv.listed).map(layerRow);
    if (L.items.length > rows.length) rows.push(`|  |  | … ${L.items.length - rows.length} more |  |  |`);
    return details(`Layers: ${report.layers.length}${parts ? ` (${parts})` : ''}`, [...head, ...rows]);
  }
  const rows = report.layers
    .slice(0, lv.listed)
    .map(
      (l, i) =>
        `| ${i + 1} |  | ${code(l.createdBy ?? l.diffId, 100)} | ${formatBytes(l.uncompressedSize)} | |`,
    );
  return details(`Layers: ${report.layers.length}`, [...head, ...rows]);
}
