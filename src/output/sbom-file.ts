/**
 * Writes the SBOM of each judged platform (src/report/sbom-cyclonedx.ts, sbom-spdx.ts) for the CLI's
 * --sbom-file and the action's `sbom-format`: from the report the check already made, so no layer is read
 * twice. Under `--platform all` one file per platform, named as the HTML pages are.
 */
import { cycloneDxChunks } from '../report/sbom-cyclonedx.js';
import { spdxChunks } from '../report/sbom-spdx.js';
import type { Report } from '../types/report.js';
import { InputError } from '../util/errors.js';
import { writeOutputChunks } from './files.js';
import { platformFile } from './html-file.js';

export const SBOM_FORMATS = ['cyclonedx-json', 'spdx-json'] as const;
export type SbomFormat = (typeof SBOM_FORMATS)[number];

/** `cyclonedx-json` → the file name the action writes beside report.json. */
export const SBOM_FILE_NAMES: Record<SbomFormat, string> = {
  'cyclonedx-json': 'sbom.cdx.json',
  'spdx-json': 'sbom.spdx.json',
};

/** The format a flag or input names, or one line saying which ones exist. */
export function sbomFormat(value: string, what: string): SbomFormat {
  const f = SBOM_FORMATS.find((x) => x === value);
  if (!f)
    throw new InputError(`${what} must be one of ${SBOM_FORMATS.join(', ')}, not "${value.slice(0, 40)}"`);
  return f;
}

/**
 * The SBOM's creation time: SOURCE_DATE_EPOCH (seconds since 1970, the reproducible-builds convention) when
 * it is set, so the same image gives byte-identical SBOMs; otherwise `now`.
 */
export function sbomTime(env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): Date {
  const epoch = env['SOURCE_DATE_EPOCH'];
  if (epoch === undefined || epoch === '') return now;
  if (!/^\d{1,11}$/.test(epoch))
    throw new InputError(`SOURCE_DATE_EPOCH must be a whole number of seconds, not "${epoch.slice(0, 40)}"`);
  return new Date(Number(epoch) * 1000);
}

function sbomChunks(report: Report, format: SbomFormat, time: Date): Iterable<string> {
  return format === 'spdx-json' ? spdxChunks(report, time) : cycloneDxChunks(report, time);
}

/** Writes one SBOM per report (one per platform under `everyPlatform`); returns the absolute paths. */
export function writeSbom(
  file: string,
  reports: readonly Report[],
  o: { format: SbomFormat; everyPlatform: boolean; time?: Date },
): string[] {
  const time = o.time ?? sbomTime();
  return reports.map((report) =>
    writeOutputChunks(
      o.everyPlatform ? platformFile(file, report.image.platform) : file,
      sbomChunks(report, o.format, time),
      'the SBOM',
    ),
  );
}
