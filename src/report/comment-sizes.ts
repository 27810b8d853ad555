/** The sizes table: baseline | this PR | Δ, or this PR alone. */
import { layersStoredUncompressed } from '../sources/model/image.js';
import type { Delta, ReportDiff } from './diff.js';
import type { Report } from '../types/report.js';
import { escapeText } from './comment-escape.js';
import { deltaCell, formatBytes, num } from './comment-format.js';

/** The footnote of a "compressed" size that is not one. */
export const STORED_NOTE =
  '¹ As stored: `docker save` (Docker 20.10) stores layers uncompressed, so for such an archive this is not a compressed size.';

export function sizesTable(report: Report, diff: ReportDiff | undefined, baseLabel: string): string[] {
  const baseLayers = diff ? diff.layers.items.flatMap((l) => (l.before ? [l.before] : [])) : [];
  const stored = layersStoredUncompressed(report.layers) || layersStoredUncompressed(baseLayers);
  const compressedLabel = stored ? 'compressed¹' : 'compressed';
  const note = stored ? ['', STORED_NOTE] : [];
  const base = (b: Report['base']): string =>
    `${escapeText(String(b.verdict), 20)}${b.image ? ` (${escapeText(b.image, 60)})` : ''}`;
  if (!diff) {
    return [
      '|  | this PR |',
      '| --- | ---: |',
      `| **size (uncompressed)** | **${formatBytes(report.size.uncompressed)}** |`,
      `| ${compressedLabel} | ${formatBytes(report.size.compressed)} |`,
      `| layers | ${num(report.layers.length)} |`,
      `| files | ${num(report.size.files)} |`,
      `| wasted (uncompressed) | ${formatBytes(report.size.wasted)} |`,
      `| base | ${base(report.base)} |`,
      ...note,
      '',
    ];
  }
  const s = diff.size;
  const row = (label: string, d: Delta, bytes: boolean, bold = false): string => {
    const v = (n: number): string => (bytes ? formatBytes(n) : String(num(n)));
    const b = (x: string): string => (bold ? `**${x}**` : x);
    return `| ${b(label)} | ${v(d.before)} | ${b(v(d.after))} | ${deltaCell(d, bytes, bold)} |`;
  };
  return [
    `|  | ${escapeText(baseLabel, 60)} | this PR | Δ |`,
    '| --- | ---: | ---: | ---: |',
    row('size (uncompressed)', s.uncompressed, true, true),
    row(compressedLabel, s.compressed, true),
    row('layers', diff.layers.count, false),
    row('files', s.files, false),
    row('wasted (uncompressed)', s.wasted, true),
    `| base | ${base(diff.base.before)} | ${base(diff.base.after)} | ${diff.base.changed ? '**changed**' : 'same'} |`,
    ...note,
    '',
  ];
}
