/**
 * The Actions cache (`@actions/cache`, what actions/cache itself uses), so that main's report and its
 * layer scans reach a PR with no workflow steps.
 *
 * - Keys: `slimgate-report-v1-<comment key>-<platform>-<commit>` (one baseline per image of a matrix),
 *   `slimgate-platforms-v1-<comment key>-<commit>` (the platforms of a `platform: all` run) and
 *   `slimgate-layers-v<format>-<build>-<comment key>-<commit>`. A PR restores the base commit's entry, else
 *   the newest one by prefix (a PR's scope can read its base branch's entries).
 * - The cache is optional: a failing or unreachable service is a warning on restore and an info line on
 *   save, never a failed check. After one failure the run stops asking (each call retries ~30 s).
 * - The library reports its own failures as `::warning::`/`::error::` lines; those are turned into plain
 *   log lines here, and the action says once, in its own words, what it could not do.
 */
import * as cache from '@actions/cache';
import * as core from '@actions/core';
import { CACHE_FORMAT, codeFingerprint, type LayerCache } from '../scan/cache.js';
import { parseSize } from '../config/values.js';
import { InputError } from '../util/errors.js';
import { quietly } from './library-output.js';

/** The `cache` input: off, or on with a size limit for the layer scans (0: reports only). */
export interface CacheSetting {
  enabled: boolean;
  layerLimit: number;
}

const DEFAULT_LAYER_LIMIT = 100_000_000;

export function parseCacheSetting(value: string): CacheSetting {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'true') return { enabled: true, layerLimit: DEFAULT_LAYER_LIMIT };
  if (v === 'false') return { enabled: false, layerLimit: 0 };
  try {
    return { enabled: true, layerLimit: parseSize(v, 'input "cache"') };
  } catch {
    throw new InputError(
      `input "cache" must be true, false, or the size limit of the layer scans (e.g. 100MB; 0 keeps reports only), not "${value.trim()}"`,
    );
  }
}

/** A key part: no commas (refused by the service), bounded, readable. */
function part(s: string): string {
  return (
    s
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 120) || 'x'
  );
}

export function reportKeyPrefix(keySlug: string, platform: string): string {
  return `slimgate-report-v1-${part(keySlug)}-${part(platform)}-`;
}

/** The list of platforms a `platform: all` run on main saw, under the image's platform-less key. */
export function platformsKeyPrefix(imageSlug: string): string {
  return `slimgate-platforms-v1-${part(imageSlug)}-`;
}

function layerKeyPrefix(): string {
  return `slimgate-layers-v${CACHE_FORMAT}-${codeFingerprint()}-`;
}

let broken: string | undefined;
const available = (): boolean => {
  try {
    return cache.isFeatureAvailable();
  } catch {
    return false;
  }
};

/** Restores the newest entry for `key` or `restoreKeys` into `paths`; the matched key, or undefined. */
export async function restoreEntry(
  what: string,
  paths: string[],
  key: string,
  restoreKeys: string[],
): Promise<string | undefined> {
  if (!available()) {
    core.info(`cache: no Actions cache service here (ACTIONS_RESULTS_URL is not set): ${what} not restored`);
    return undefined;
  }
  if (broken) {
    core.info(`cache: not restoring ${what}: the Actions cache failed earlier in this run`);
    return undefined;
  }
  const r = await quietly('cache', () => cache.restoreCache(paths, key, restoreKeys));
  if (r.problem) {
    broken = r.problem;
    core.warning(`Slimgate: the Actions cache could not restore ${what} (${r.problem}); going on without it`);
    return undefined;
  }
  core.info(r.value ? `cache: restored ${what} from ${r.value}` : `cache: no ${what} saved yet`);
  return r.value;
}

/** Saves `paths` under `key`. Never fails the run: a problem is an info line. */
export async function saveEntry(what: string, paths: string[], key: string): Promise<boolean> {
  if (!available()) {
    core.info(`cache: no Actions cache service here (ACTIONS_RESULTS_URL is not set): ${what} not saved`);
    return false;
  }
  if (broken) {
    core.info(`cache: not saving ${what}: the Actions cache failed earlier in this run`);
    return false;
  }
  const r = await quietly('cache', () => cache.saveCache(paths, key));
  if (r.problem || r.value === undefined || r.value === -1) {
    if (r.problem) broken = r.problem;
    core.info(`cache: ${what} not saved under ${key}${r.problem ? ` (${r.problem})` : ''}`);
    return false;
  }
  core.info(`cache: saved ${what} as ${key}`);
  return true;
}

// ------------------------------------------------------------------------------------------ layer scans

export interface LayerRestore {
  matched: string | undefined;
  writesBefore: number;
}

/**
 * Before the scan: main's layer scans (this image's key first, then any) into the run's layer cache, so a
 * PR scans only new layers. `layerLimit` 0 keeps no layer scans in the Actions cache.
 */
export async function restoreLayerScans(
  lc: LayerCache | undefined,
  layerLimit: number,
  keySlug: string,
  baseSha: string | undefined,
): Promise<LayerRestore | undefined> {
  if (!lc || layerLimit <= 0) return undefined;
  const mine = `${layerKeyPrefix()}${part(keySlug)}-`;
  const matched = await restoreEntry('the layer scans', [lc.dir], `${mine}${part(baseSha ?? 'none')}`, [
    mine,
    layerKeyPrefix(),
  ]);
  return { matched, writesBefore: lc.stats.writes };
}

/** After a default-branch run, once: keeps the run's layer scans, pruned to the limit (newest first). */
export async function saveLayerScans(
  lc: LayerCache | undefined,
  layerLimit: number,
  keySlug: string,
  commit: string,
  restored: LayerRestore | undefined,
): Promise<void> {
  if (!lc || layerLimit <= 0) return;
  if (restored?.matched && lc.stats.writes === restored.writesBefore) {
    core.info(`cache: the layer scans are unchanged since ${restored.matched}: not saved again`);
    return;
  }
  const kept = await lc.prune(layerLimit);
  if (!kept) return;
  await saveEntry('the layer scans', [lc.dir], `${layerKeyPrefix()}${part(keySlug)}-${part(commit)}`);
}
