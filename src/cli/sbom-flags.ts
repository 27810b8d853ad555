/** `--sbom-file` and `--sbom-format`, for `slimgate inspect` and `check` (build's `--sbom` is BuildKit's attestation). */
import { givenFlag } from './given-flag.js';
import { helpOf, optionsOf, type FlagRow } from './flag-table.js';
import { InputError } from '../util/errors.js';
import { sbomFormat, sbomTime, type SbomFormat } from '../output/sbom-file.js';

export const SBOM_ROWS = [
  {
    flag: 'sbom-file',
    type: 'string',
    arg: 'FILE',
    usage:
      "also write the image's SBOM to FILE, from the same read of the image: its\npackages (purl, version, licenses, supplier, layer), the files each owns,\nGo binaries with their modules (with --platform all, one file per platform:\nFILE-linux-arm64.json, …; SOURCE_DATE_EPOCH fixes its time and serial)",
  },
  {
    flag: 'sbom-format',
    type: 'string',
    arg: 'F',
    usage: 'cyclonedx-json (CycloneDX 1.6, the default) or spdx-json (SPDX 2.3)',
  },
] as const satisfies readonly FlagRow[];

export const SBOM_FLAGS = optionsOf(SBOM_ROWS);

export const SBOM_USAGE = `SBOM options (slimgate inspect and check):
${helpOf(SBOM_ROWS)}
`;

export interface SbomRequest {
  file: string;
  format: SbomFormat;
  /** Read before the scan: a bad SOURCE_DATE_EPOCH is said before minutes of work, not after. */
  time: Date;
}

/** What the flags ask for, or undefined; `--sbom-format` alone, or with build, is a usage error. */
export function sbomRequest(
  values: { 'sbom-file'?: string; 'sbom-format'?: string },
  command: string,
): SbomRequest | undefined {
  if (command === 'build') {
    const k = givenFlag(values, Object.keys(SBOM_FLAGS));
    if (k)
      throw new InputError(`--${k} belongs to "slimgate inspect" and "check"; build's attestation is --sbom`);
    return undefined;
  }
  const file = values['sbom-file'];
  const format = values['sbom-format'];
  if (file === undefined) {
    if (format !== undefined) throw new InputError('--sbom-format goes with --sbom-file');
    return undefined;
  }
  if (file === '') throw new InputError('--sbom-file needs a file name');
  return {
    file,
    format: format === undefined ? 'cyclonedx-json' : sbomFormat(format, '--sbom-format'),
    time: sbomTime(),
  };
}
