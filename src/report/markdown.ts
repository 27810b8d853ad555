/**
 * The PR comment / job summary body (pure). Placeholder signature shared by `slimgate check --markdown`
 * and the action; the full renderer comes with the action issue.
 */
import type { Report } from './schema.js';
import { formatBytes } from '../util/bytes.js';

export function renderMarkdown(report: Report): string {
  const icon = report.passed ? '✅' : '❌';
  return `${icon} **${report.image.source}** · ${formatBytes(report.size.uncompressed)} uncompressed\n`;
}
