/**
 * SPDX 2.3 JSON from a report (the model is sbom-model.ts): the image as the CONTAINER package the document
 * describes, its packages and Go binaries (with their modules), the files each package owns (bounded) with
 * CONTAINS relationships, and DEPENDS_ON where the databases record dependencies.
 *
 * Slimgate does not hash file contents, and SPDX requires a checksum on every file: files carry a SHA1 of
 * zeros, and their comment says it is a placeholder (the convention other image scanners follow).
 */
import type { Report } from '../types/report.js';
import { VERSION } from '../util/version.js';
import {
  digestHex,
  hashUuid,
  isoSeconds,
  jsonChunks,
  JsonItems,
  licenseExpression,
  MAX_FILES_PER_PACKAGE,
  oneLineText,
  sbomModel,
  type SbomBinary,
  type SbomModel,
  type SbomPackage,
} from './sbom-model.js';

type Json = Record<string, unknown>;

const NO_CHECKSUM = { algorithm: 'SHA1', checksumValue: '0'.repeat(40) };
/** Once, not on each of up to 100,000 files. */
const FILES_COMMENT =
  "Slimgate does not hash file contents: each file's SHA1 is a placeholder of zeros. " +
  `A package lists at most ${MAX_FILES_PER_PACKAGE} files; its comment counts the rest.`;
const IMAGE_ID = 'SPDXRef-Image';

function rel(from: string, type: string, to: string): Json {
  return { spdxElementId: from, relationshipType: type, relatedSpdxElement: to };
}

function name(s: string): string {
  return s === '' ? '(unnamed)' : s;
}

function purlRef(purl: string | undefined): Json {
  return purl
    ? {
        externalRefs: [
          { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl },
        ],
      }
    : {};
}

function imagePackage(report: Report): Json {
  const { image, base } = report;
  const hex = digestHex(image.digest);
  const baseText = base.image ? `${base.verdict} (${base.image})` : base.verdict;
  return {
    SPDXID: IMAGE_ID,
    name: name(image.source),
    versionInfo: image.digest,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    ...(hex ? { checksums: [{ algorithm: 'SHA256', checksumValue: hex }] } : {}),
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    primaryPackagePurpose: 'CONTAINER',
    comment: `platform ${image.platform}; config ${image.configDigest}; base ${baseText}`,
  };
}

function packageComment(p: SbomPackage): string | undefined {
  const parts = [
    `manager ${p.pkg.manager}`,
    ...(p.diffId ? [`layer diff_id ${p.diffId}`] : []),
    ...(p.pkg.arch ? [`arch ${p.pkg.arch}`] : []),
    ...(p.omittedFiles
      ? [`${p.omittedFiles} more files not listed (at most ${MAX_FILES_PER_PACKAGE} per package)`]
      : []),
  ];
  return parts.join('; ');
}

function spdxPackage(p: SbomPackage): Json {
  const { pkg } = p;
  const license = licenseExpression(pkg.licenses);
  const supplier = pkg.supplier ? oneLineText(pkg.supplier) : '';
  return {
    SPDXID: p.spdxId,
    name: name(pkg.name),
    ...(pkg.version !== null ? { versionInfo: pkg.version } : {}),
    supplier: supplier ? `Organization: ${supplier}` : 'NOASSERTION',
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: license ?? 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    ...(pkg.source
      ? {
          sourceInfo: `built from source package ${pkg.source.name}${pkg.source.version ? ` ${pkg.source.version}` : ''}`,
        }
      : {}),
    ...purlRef(pkg.purl),
    primaryPackagePurpose: 'LIBRARY',
    comment: packageComment(p),
  };
}

function binaryPackages(b: SbomBinary): Json[] {
  const none = {
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: 'NOASSERTION',
    copyrightText: 'NOASSERTION',
  };
  return [
    {
      SPDXID: b.spdxId,
      name: name(b.binary.path),
      ...none,
      primaryPackagePurpose: 'APPLICATION',
      // The Go toolchain only; build settings (-ldflags may hold a secret) are never copied.
      comment: `Go binary built with ${b.goVersion}${b.truncated ? '; module list truncated' : ''}`,
    },
    ...b.modules.map((m) => ({
      SPDXID: m.spdxId,
      name: name(m.name),
      ...(m.version ? { versionInfo: m.version } : {}),
      ...none,
      ...purlRef(m.purl),
      primaryPackagePurpose: m.role === 'main' ? 'APPLICATION' : 'LIBRARY',
      comment: `Go module (${m.role})`,
    })),
  ];
}

function* relationships(model: SbomModel): Generator<Json> {
  yield rel('SPDXRef-DOCUMENT', 'DESCRIBES', IMAGE_ID);
  for (const p of model.packages) yield rel(IMAGE_ID, 'CONTAINS', p.spdxId);
  for (const b of model.binaries) yield rel(IMAGE_ID, 'CONTAINS', b.spdxId);
  const byRef = new Map(model.packages.map((p) => [p.ref, p.spdxId]));
  for (const p of model.packages)
    for (const d of p.dependsOn) yield rel(p.spdxId, 'DEPENDS_ON', byRef.get(d)!);
  for (const b of model.binaries) for (const m of b.modules) yield rel(b.spdxId, 'DEPENDS_ON', m.spdxId);
  for (const p of model.packages)
    for (const f of p.files) yield rel(p.spdxId, 'CONTAINS', `SPDXRef-File-${f.index}`);
}

function* packages(report: Report, model: SbomModel): Generator<Json> {
  yield imagePackage(report);
  for (const p of model.packages) yield spdxPackage(p);
  for (const b of model.binaries) yield* binaryPackages(b);
}

function* files(model: SbomModel): Generator<Json> {
  for (const p of model.packages)
    for (const f of p.files)
      yield {
        SPDXID: `SPDXRef-File-${f.index}`,
        fileName: `.${f.path.startsWith('/') ? '' : '/'}${f.path}`,
        checksums: [NO_CHECKSUM],
      };
}

/** The SPDX 2.3 JSON of `report`, created at `time` (see sbomTime), as chunks of text. */
export function spdxChunks(report: Report, time: Date): Generator<string> {
  const model = sbomModel(report);
  return jsonChunks(
    {
      spdxVersion: 'SPDX-2.3',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: name(report.image.source),
      creationInfo: {
        created: isoSeconds(time),
        creators: [`Tool: slimgate-${VERSION}`],
        comment: FILES_COMMENT,
      },
      packages: new JsonItems(packages(report, model)),
      files: new JsonItems(files(model)),
      relationships: new JsonItems(relationships(model)),
    },
    // Last: it is derived from a hash of everything before it.
    { key: 'documentNamespace', value: (hex) => `https://spdx.org/spdxdocs/slimgate-${hashUuid(hex)}` },
  );
}

/** The same, as one string. */
export function renderSpdx(report: Report, time: Date): string {
  return [...spdxChunks(report, time)].join('');
}
