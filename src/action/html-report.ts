/**
 * Check mode's workflow artifact: the HTML page and the SBOM of each judged platform, written beside the
 * run's report files (`$RUNNER_TEMP/slimgate/<key slug>/report.html` and `sbom.cdx.json`, or one
 * `report-<platform>.html` and `sbom.cdx-<platform>.json` each under `platform: all`), uploaded as one
 * workflow artifact, and its URL for the comment and the summary. The `html`, `html-url` and `sbom-file`
 * outputs say where.
 */
import { basename, join } from 'node:path';
import * as core from '@actions/core';
import type { Verdict } from '../analysis/verdict.js';
import { writeHtml } from '../output/html-file.js';
import { SBOM_FILE_NAMES, sbomTime, writeSbom, type SbomFormat } from '../output/sbom-file.js';
import type { Report } from '../types/report.js';
import { runDir } from '../github/artifact.js';
import { uploadArtifact } from '../github/artifact-upload.js';
import { keySlug } from '../github/baseline.js';
import { setOutput } from '../github/runner-files.js';

export interface HtmlReport {
  /** The artifact's page, when it was uploaded with an HTML page in it. */
  url: string | undefined;
  /** The same page, when it holds the SBOM. */
  sbomUrl?: string;
  /** The page or the SBOM could not be written (a full RUNNER_TEMP): thrown at the end of the run. */
  failure?: unknown;
}

type Entry = { report: Report; baseline: Report | null; verdict: Verdict };

function writePages(dir: string, entries: readonly Entry[], everyPlatform: boolean): string[] {
  return writeHtml(
    join(dir, 'report.html'),
    entries.map(({ report, baseline, verdict }) => ({ report, ...(baseline ? { baseline } : {}), verdict })),
    { everyPlatform },
  );
}

function artifactWhat(pages: readonly string[], sboms: readonly string[]): string {
  const html =
    pages.length === 0
      ? []
      : [pages.length === 1 ? `the HTML report (${basename(pages[0]!)})` : `${pages.length} HTML reports`];
  const sbom =
    sboms.length === 0
      ? []
      : [sboms.length === 1 ? `the SBOM (${basename(sboms[0]!)})` : `${sboms.length} SBOMs`];
  return [...html, ...sbom].join(' and ');
}

/**
 * Writes and uploads the pages (`html`) and SBOMs (`sbom`, unless `none`) of a run (`key` is the run's
 * key). Never throws: an upload that fails is a warning, a file that cannot be written is `failure`.
 */
export async function htmlReport(
  enabled: boolean,
  key: string,
  entries: readonly Entry[],
  everyPlatform: boolean,
  sbom: SbomFormat | 'none' = 'none',
): Promise<HtmlReport> {
  let pages: string[] = [];
  let sboms: string[] = [];
  const done = (url: string | undefined, failure?: unknown): HtmlReport => {
    setOutput('html', pages.join('\n'));
    setOutput('html-url', pages.length ? (url ?? '') : '');
    setOutput('sbom-file', sboms.join('\n'));
    return {
      url: pages.length ? url : undefined,
      ...(sboms.length && url ? { sbomUrl: url } : {}),
      ...(failure === undefined ? {} : { failure }),
    };
  };
  if (!enabled && sbom === 'none') return done(undefined);
  const dir = runDir(key);
  try {
    if (enabled) pages = writePages(dir, entries, everyPlatform);
    if (sbom !== 'none')
      sboms = writeSbom(
        join(dir, SBOM_FILE_NAMES[sbom]),
        entries.map((e) => e.report),
        { format: sbom, everyPlatform, time: sbomTime() },
      );
  } catch (err) {
    return done(undefined, err);
  }
  if (pages.length) core.info(`HTML report written to ${pages.join(', ')}`);
  if (sboms.length) core.info(`SBOM written to ${sboms.join(', ')}`);
  const uploaded = await uploadArtifact(
    artifactWhat(pages, sboms),
    `slimgate-${keySlug(key)}`,
    [...pages, ...sboms],
    dir,
  );
  return done(uploaded?.url);
}
