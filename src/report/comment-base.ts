/** Without a baseline, the largest directories; and the base image with its evidence. */
import type { Report } from '../types/report.js';
import { largestDirectories } from './text.js';
import { code, escapeText } from './comment-escape.js';
import { details, formatBytes } from './comment-format.js';
import type { Level } from './comment-options.js';

export function largestSection(report: Report, lv: Level): string[] {
  const dirs = largestDirectories(report, Math.min(lv.dirs, 10));
  if (!dirs.length) return [];
  return details('Largest directories (uncompressed)', [
    '| directory | uncompressed |',
    '| --- | ---: |',
    ...dirs.map((d) => `| ${code(`${d.path}/`, 100)} | ${formatBytes(d.size)} |`),
  ]);
}

export function baseSection(report: Report): string[] {
  const b = report.base;
  if (!b.evidence.length) return [];
  return details(
    `Base: ${escapeText(String(b.verdict), 20)}${b.image ? ` (${escapeText(b.image, 60)})` : ''}`,
    [...b.evidence.map((e) => `- ${escapeText(e)}`)],
  );
}
