/**
 * CycloneDX 1.6 JSON from a report (the model is sbom-model.ts). Written by hand, not through
 * @cyclonedx/cyclonedx-library's models: the document is a few plain objects, the serializer would add its
 * dependencies to both bundles, and key order and bounds stay ours (byte-identical output). The tests
 * validate every document against the schema that library ships.
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
  sbomModel,
  type SbomBinary,
  type SbomModel,
  type SbomPackage,
} from './sbom-model.js';

type Json = Record<string, unknown>;
type Property = { name: string; value: string };

function prop(name: string, value: string | number | boolean): Property {
  return { name, value: String(value) };
}

function imageComponent(report: Report, ref: string): Json {
  const { image, base } = report;
  const hex = digestHex(image.digest);
  const properties = [
    prop('slimgate:image:platform', image.platform),
    prop('slimgate:image:source', image.source),
    prop('slimgate:image:configDigest', image.configDigest),
    prop('slimgate:base:verdict', base.verdict),
    ...(base.image ? [prop('slimgate:base:image', base.image)] : []),
    ...(base.os?.prettyName ? [prop('slimgate:base:os', base.os.prettyName)] : []),
    ...image.tags.map((t) => prop('slimgate:image:tag', t)),
  ];
  return {
    type: 'container',
    'bom-ref': ref,
    name: image.source,
    version: image.digest,
    ...(hex ? { hashes: [{ alg: 'SHA-256', content: hex }] } : {}),
    properties,
  };
}

function packageComponent(p: SbomPackage): Json {
  const { pkg } = p;
  const license = licenseExpression(pkg.licenses);
  const properties = [
    prop('slimgate:package:manager', pkg.manager),
    ...(p.diffId ? [prop('slimgate:layer:diffId', p.diffId)] : []),
    ...(pkg.source ? [prop('slimgate:source:name', pkg.source.name)] : []),
    ...(pkg.source?.version ? [prop('slimgate:source:version', pkg.source.version)] : []),
    ...(pkg.arch ? [prop('slimgate:arch', pkg.arch)] : []),
    prop('slimgate:package:size', pkg.size),
    ...(p.omittedFiles
      ? [
          prop('slimgate:evidence:omittedOccurrences', p.omittedFiles),
          prop('slimgate:evidence:occurrenceLimit', MAX_FILES_PER_PACKAGE),
        ]
      : []),
  ];
  return {
    type: 'library',
    'bom-ref': p.ref,
    ...(pkg.supplier ? { supplier: { name: pkg.supplier } } : {}),
    name: pkg.name,
    ...(pkg.version !== null ? { version: pkg.version } : {}),
    ...(license ? { licenses: [{ expression: license }] } : {}),
    ...(pkg.purl ? { purl: pkg.purl } : {}),
    ...(p.files.length ? { evidence: { occurrences: p.files.map((f) => ({ location: f.path })) } } : {}),
    properties,
  };
}

function binaryComponent(b: SbomBinary): Json {
  return {
    type: 'application',
    'bom-ref': b.ref,
    name: b.binary.path,
    // The Go toolchain that built it; its build settings (-ldflags may hold a secret) are never copied.
    properties: [
      prop('slimgate:go:version', b.goVersion),
      ...(b.truncated ? [prop('slimgate:go:modulesTruncated', true)] : []),
    ],
    evidence: { occurrences: [{ location: b.binary.path }] },
    components: b.modules.map((m) => ({
      type: m.role === 'main' ? 'application' : 'library',
      'bom-ref': m.ref,
      name: m.name,
      ...(m.version ? { version: m.version } : {}),
      ...(m.purl ? { purl: m.purl } : {}),
      properties: [prop('slimgate:go:module', m.role)],
    })),
  };
}

function inventoryNotes(report: Report): Property[] {
  const notes = (report.ownership?.notes ?? []).slice(0, 50).map((n) => prop('slimgate:inventory:note', n));
  const more = report.ownership?.more;
  return more ? [prop('slimgate:inventory:omittedPackages', more.packages), ...notes] : notes;
}

function* dependencies(model: SbomModel): Generator<Json> {
  yield {
    ref: model.imageRef,
    dependsOn: [
      ...model.packages.filter((p) => p.direct).map((p) => p.ref),
      ...model.binaries.map((b) => b.ref),
    ],
  };
  for (const p of model.packages) yield { ref: p.ref, dependsOn: p.dependsOn };
  for (const b of model.binaries) {
    yield { ref: b.ref, dependsOn: b.modules.map((m) => m.ref) };
    for (const m of b.modules) yield { ref: m.ref, dependsOn: [] };
  }
}

function* components(model: SbomModel): Generator<Json> {
  for (const p of model.packages) yield packageComponent(p);
  for (const b of model.binaries) yield binaryComponent(b);
}

/** The CycloneDX 1.6 JSON of `report`, created at `time` (see sbomTime), as chunks of text. */
export function cycloneDxChunks(report: Report, time: Date): Generator<string> {
  const model = sbomModel(report);
  return jsonChunks(
    {
      $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      metadata: {
        timestamp: isoSeconds(time),
        tools: { components: [{ type: 'application', name: 'slimgate', version: VERSION }] },
        component: imageComponent(report, model.imageRef),
        properties: inventoryNotes(report),
      },
      components: new JsonItems(components(model)),
      dependencies: new JsonItems(dependencies(model)),
    },
    // Last: it is derived from a hash of everything before it.
    { key: 'serialNumber', value: (hex) => `urn:uuid:${hashUuid(hex)}` },
  );
}

/** The same, as one string. */
export function renderCycloneDx(report: Report, time: Date): string {
  return [...cycloneDxChunks(report, time)].join('');
}
