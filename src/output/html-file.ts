/**
 * Writes the HTML report (src/report/html.ts) for the CLI's --html: the one place that turns a check into
 * its pages on disk. A path that cannot be written is one line, not a trace.
 */
import { extname } from 'node:path';
import { renderHtml, type HtmlOptions } from '../report/html.js';
import type { Report } from '../types/report.js';
import { writeOutputFile } from './files.js';

/**
 * The page of each judged platform: `file` for one image; under `--platform all` one page per platform,
 * the platform a suffix before the extension (`report.html` → `report-linux-arm64-v8.html`). Returns the
 * absolute paths written, in the platforms' order.
 */
export function writeHtml(
  file: string,
  entries: readonly ({ report: Report } & HtmlOptions)[],
  o: { everyPlatform: boolean },
): string[] {
  return entries.map(({ report, ...opts }) =>
    writeOutputFile(
      o.everyPlatform ? platformFile(file, report.image.platform) : file,
      renderHtml(report, opts),
      'the HTML report',
    ),
  );
}

/** `out/report.html` and `linux/arm64/v8` → `out/report-linux-arm64-v8.html`. */
export function platformFile(file: string, platform: string): string {
  const ext = extname(file);
  const suffix = platform.replace(/[^A-Za-z0-9._-]+/g, '-');
  return `${file.slice(0, file.length - ext.length)}-${suffix}${ext}`;
}
