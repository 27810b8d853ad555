/**
 * The rules (pure): runs every rule over a scanned, flattened image and applies the policy to their
 * findings. The budgets and the verdict are the judge's (judge.ts), once the baseline is known.
 */
import type { ScannedImage } from '../scan/scan-layers.js';
import type { Flattened } from '../flatten/flatten.js';
import type { BaseVerdict, EntrypointInfo, Finding } from '../types/report.js';
import { formatBytes } from '../util/bytes.js';
import { truncate } from '../util/text.js';
import { detectBase } from './base.js';
import { debugRules, goSecretRules } from './binaries.js';
import type { DockerfileInfo } from './dockerfile.js';
import { checkEntrypoint } from './entrypoint.js';
import { complete, listSome, type RawFinding } from './finding.js';
import { ImageFs } from './fsview.js';
import { integrityFindings } from './integrity.js';
import { findOwners, type Owners } from './owners.js';
import { packageRules } from './package-rules.js';
import { applyPolicy, baseAllowed, type Policy, sortFindings } from './policy.js';
import { commandRules, permissionRules, userRules, vcsRules, wasteRules } from './rules.js';
import {
  argvSecretRules,
  envSecretRules,
  fileSecretRules,
  historySecretRules,
  redactCommand,
} from './secrets.js';

/** A layer that deletes or overwrites less than this many bytes of lower layers is not worth a finding. */
const WASTE_THRESHOLD = 1_000_000;

export interface AnalyzeOptions {
  policy: Policy;
  dockerfile?: DockerfileInfo | null;
}

export interface Analysis {
  base: BaseVerdict;
  findings: Finding[];
  entrypoint: EntrypointInfo;
  /** Who owns the files (src/analysis/owners.ts). */
  owners: Owners;
}

export function analyze(image: ScannedImage, flat: Flattened, opts: AnalyzeOptions): Analysis {
  const fs = new ImageFs(flat.files);
  const cfg = image.config.config ?? {};
  const env = cfg.Env ?? [];
  const df = opts.dockerfile ?? null;
  const base = detectBase(fs, { labels: cfg.Labels ?? null, dockerfile: df, env });
  const raw: RawFinding[] = [];

  if (!baseAllowed(base.verdict, base.image, opts.policy.allowedBases)) {
    const evidence = base.evidence.filter((e) => !e.startsWith('no '));
    raw.push({
      id: 'SG110',
      message:
        `base ${base.verdict}${base.image ? ` (${base.image})` : ''} is not allowed ` +
        `(allowed: ${opts.policy.allowedBases.join(', ') || 'none'}): ${listSome(evidence, 3)}`,
      ...(df ? { location: { file: df.path, line: df.base.line } } : {}),
    });
  }
  const ctx = { fs, env, user: cfg.User ?? null, dockerfile: df };
  raw.push(
    ...commandRules(ctx),
    ...permissionRules(ctx),
    ...userRules(ctx),
    ...vcsRules(ctx),
    ...wasteRules(ctx),
    ...debugRules(flat.files),
  );
  const owners = findOwners(flat.files, fs);
  raw.push(...packageRules(owners, image.layers));
  raw.push(
    ...fileSecretRules(fs, image.layers),
    ...goSecretRules(fs.files),
    ...envSecretRules(env, df),
    ...argvSecretRules(cfg.Entrypoint ?? null, cfg.Cmd ?? null, df),
    ...historySecretRules(image.config.history ?? [], env, [...(cfg.Entrypoint ?? []), ...(cfg.Cmd ?? [])]),
  );
  for (const w of flat.wasteByLayer) {
    if (w.bytes < WASTE_THRESHOLD) continue;
    const layer = image.layers[w.layer];
    const by = layer?.createdBy ? ` (${truncate(redactCommand(layer.createdBy), 60)})` : '';
    const top = w.roots[0];
    raw.push({
      id: 'SG603',
      path: top?.path,
      layer: w.layer,
      message:
        `layer ${w.layer + 1}${by} deletes or overwrites ${formatBytes(w.bytes)} that lower layers still ship: ` +
        listSome(w.roots.map((r) => `${r.path} ${formatBytes(r.bytes)} (layer ${r.fromLayer + 1})`)),
    });
  }
  const ep = checkEntrypoint({
    fs,
    entrypoint: cfg.Entrypoint ?? null,
    cmd: cfg.Cmd ?? null,
    env,
    workingDir: cfg.WorkingDir || null,
    platform: image.platform,
    dockerfile: df,
  });
  raw.push(...ep.findings);
  const all = [...integrityFindings(flat.problems, flat.files), ...raw.map(complete)];
  return { base, entrypoint: ep.info, owners, findings: sortFindings(applyPolicy(all, opts.policy)) };
}
