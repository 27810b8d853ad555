/**
 * Writes the SARIF log (src/report/sarif.ts) for the CLI's --sarif and the action's `sarif` input: the one
 * place that turns a source into the file it names and touches the disk for SARIF.
 */
import { resolve } from 'node:path';
import { writeOutputFile } from './files.js';
import { parseSource } from '../sources/source.js';
import { renderSarif, renderSarifPlatforms, type SarifLog } from '../report/sarif.js';
import type { Report } from '../types/report.js';

/** The archive or OCI layout a source reads, if it reads one (registry and daemon images read none). */
function checkedPath(source: string): string | undefined {
  try {
    const spec = parseSource(source);
    if (spec.kind === 'archive') return spec.path;
    if (spec.kind === 'oci') return spec.dir;
  } catch {
    // A source that does not parse here (a report made elsewhere): logical locations only.
  }
  return undefined;
}

/**
 * Writes the judged platforms as SARIF to `file` (its directory is created), with artifact URIs relative
 * to `root`: one run per platform, each under its own comment key. A `platform: all` check marks each result
 * with its platform. Returns the absolute path written.
 */
export function writeSarif(
  file: string,
  entries: readonly { report: Report; commentKey: string }[],
  o: { root: string; everyPlatform: boolean },
): string {
  const first = entries[0];
  const checked = first ? checkedPath(first.report.image.source) : undefined;
  // Relative paths in a source are relative to the working directory, as everything the user typed is.
  const opts = { root: o.root, ...(checked !== undefined ? { checkedPath: resolve(checked) } : {}) };
  const log =
    first && entries.length === 1 && !o.everyPlatform
      ? renderSarif(first.report, { ...opts, commentKey: first.commentKey })
      : renderSarifPlatforms(entries, opts);
  return writeLog(file, log);
}

function writeLog(file: string, log: SarifLog): string {
  return writeOutputFile(file, JSON.stringify(log, null, 2) + '\n', 'the SARIF file');
}
