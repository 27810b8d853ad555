/**
 * Writes the HTML report (src/report/html.ts) for the CLI's --html and, later, the action's `html` input:
 * the one place that touches the disk for it. A path that cannot be written is one line, not a trace.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { InputError, oneLine } from '../util/errors.js';
import { renderHtml, type HtmlOptions } from '../report/html.js';
import type { Report } from '../types/report.js';

/**
 * Creates the missing directories above `file`, one by one: Node's recursive mkdirSync never returns on
 * some paths (under /proc), and a typo must give an error, not a hang. (As cli/sarif-output.ts does.)
 */
function makeParents(file: string): void {
  const missing: string[] = [];
  for (let d = dirname(file); !existsSync(d) && d !== dirname(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) mkdirSync(d);
}

/** Writes the page for `report` to `file` (its directory is created). Returns the absolute path written. */
export function writeHtml(file: string, report: Report, o: HtmlOptions = {}): string {
  const path = resolve(file);
  try {
    makeParents(path);
    writeFileSync(path, renderHtml(report, o));
  } catch (err) {
    throw new InputError(`cannot write the HTML report ${file}: ${oneLine(err)}`);
  }
  return path;
}

/**
 * `--platform all`: one page per platform, the platform a suffix before the extension
 * (`report.html` → `report-linux-arm64-v8.html`). Returns the paths written, in the platforms' order.
 */
export function writeHtmlPlatforms(
  file: string,
  entries: readonly ({ report: Report } & HtmlOptions)[],
): string[] {
  return entries.map(({ report, ...o }) => writeHtml(platformFile(file, report.image.platform), report, o));
}

/** `out/report.html` and `linux/arm64/v8` → `out/report-linux-arm64-v8.html`. */
export function platformFile(file: string, platform: string): string {
  const ext = extname(file);
  const suffix = platform.replace(/[^A-Za-z0-9._-]+/g, '-');
  return `${file.slice(0, file.length - ext.length)}-${suffix}${ext}`;
}
