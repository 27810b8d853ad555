/** Builds the report (pure): scanned image → flattened inventory → JSON document. */
import { detectBase } from '../analysis/base.js';
import { integrityFindings } from '../analysis/integrity.js';
import type { ScannedImage } from '../image/model.js';
import { formatPlatform } from '../image/platform.js';
import { flatten } from '../inventory/flatten.js';
import { basename } from '../inventory/paths.js';
import type { Report, ReportFile } from './schema.js';

export function buildReport(image: ScannedImage): Report {
  const flat = flatten(image.layers);
  const findings = integrityFindings(flat.problems);
  const files: ReportFile[] = flat.files.map((f) => ({
    path: f.path,
    type: f.type,
    size: f.size,
    mode: f.mode.toString(8).padStart(4, '0'),
    uid: f.uid,
    gid: f.gid,
    link: f.link,
    layer: f.layer,
  }));
  const cfg = image.config.config ?? {};
  const passed = !findings.some((f) => f.severity === 'error');
  return {
    schemaVersion: 1,
    image: {
      source: image.source,
      digest: image.digest,
      configDigest: image.configDigest,
      platform: formatPlatform(image.platform),
      tags: image.tags,
      config: {
        user: cfg.User || null,
        entrypoint: cfg.Entrypoint ?? null,
        cmd: cfg.Cmd ?? null,
        env: cfg.Env ?? [],
        workingDir: cfg.WorkingDir || null,
      },
    },
    size: {
      compressed: image.layers.reduce((n, l) => n + l.compressedSize, 0),
      uncompressed: flat.uncompressed,
      wasted: flat.wasted,
      files: files.length,
    },
    layers: image.layers.map((l, i) => ({
      digest: l.digest,
      diffId: l.diffId,
      mediaType: l.mediaType,
      compressedSize: l.compressedSize,
      uncompressedSize: l.uncompressedSize,
      createdBy: l.createdBy,
      files: l.entries.filter((e) => !basename(e.path).startsWith('.wh.')).length,
      wastedBytes: flat.layerWasted[i] ?? 0,
    })),
    files,
    base: detectBase(flat.files),
    findings,
    budget: { passed: true, checks: [] },
    passed,
  };
}
