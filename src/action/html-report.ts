/**
 * Check mode's HTML report: the page of each judged platform written beside the run's report files
 * (`$RUNNER_TEMP/slimgate/<key slug>/report.html`, or one `report-<platform>.html` each under
 * `platform: all`), uploaded as one workflow artifact, and its URL for the comment and the summary. The
 * `html` and `html-url` outputs say where.
 */
import { basename, join } from 'node:path';
import * as core from '@actions/core';
import type { Verdict } from '../analysis/verdict.js';
import { writeHtml } from '../output/html-file.js';
import type { Report } from '../types/report.js';
import { runDir } from '../github/artifact.js';
import { uploadArtifact } from '../github/artifact-upload.js';
import { keySlug } from '../github/baseline.js';
import { setOutput } from '../github/runner-files.js';

export interface HtmlReport {
  /** The artifact's page, when it was uploaded. */
  url: string | undefined;
  /** The page could not be written (a full RUNNER_TEMP): thrown at the end of the run, after the comment. */
  failure?: unknown;
}

/**
 * Writes and uploads the pages of a run (`key` is the run's key), or nothing with `html: false`. Never
 * throws: an upload that fails is a warning, a page that cannot be written is returned as `failure`.
 */
export async function htmlReport(
  enabled: boolean,
  key: string,
  entries: readonly { report: Report; baseline: Report | null; verdict: Verdict }[],
  everyPlatform: boolean,
): Promise<HtmlReport> {
  const done = (paths: readonly string[], url: string | undefined, failure?: unknown): HtmlReport => {
    setOutput('html', paths.join('\n'));
    setOutput('html-url', url ?? '');
    return failure === undefined ? { url } : { url, failure };
  };
  if (!enabled) return done([], undefined);
  const dir = runDir(key);
  let paths: string[];
  try {
    paths = writeHtml(
      join(dir, 'report.html'),
      entries.map(({ report, baseline, verdict }) => ({
        report,
        ...(baseline ? { baseline } : {}),
        verdict,
      })),
      { everyPlatform },
    );
  } catch (err) {
    return done([], undefined, err);
  }
  core.info(`HTML report written to ${paths.join(', ')}`);
  const what =
    paths.length === 1 ? `the HTML report (${basename(paths[0]!)})` : `${paths.length} HTML reports`;
  const uploaded = await uploadArtifact(what, `slimgate-${keySlug(key)}`, paths, dir);
  return done(paths, uploaded?.url);
}
