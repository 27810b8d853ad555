/**
 * Main's platforms, so that a `platform: all` check that drops one says so: the list that main's
 * `platform: all` run saves beside its reports, under the image's platform-less key, and how a list read
 * from outside (that file, a pr.json) is checked. Where else the baseline's platforms come from is the
 * baseline provider's business (src/action/baseline-provider.ts).
 */
import * as core from '@actions/core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatPlatform, missingPlatforms, parsePlatform } from '../sources/platform.js';
import { InputError } from '../util/errors.js';
import { escapeControls } from '../util/text.js';
import { platformsKeyPrefix, saveEntry } from './actions-cache.js';
import { baselineDir, restoreFromMain } from './baseline.js';
import { readJsonFile } from './json-file.js';
import { writeRunnerFile } from './runner-files.js';

/** More platforms than any image has: a longer list read from outside is not one. */
const MAX_PLATFORMS = 64;
/** The saved list is a few hundred bytes; a bigger file is not one. */
const MAX_LIST_BYTES = 16_384;

function isPlatformName(v: unknown): v is string {
  if (typeof v !== 'string' || v.length > 100) return false;
  try {
    return formatPlatform(parsePlatform(v)) === v;
  } catch {
    return false;
  }
}

/**
 * A list of platforms read from outside (main's saved list, a pr.json): each `os/arch[/variant]` in plain
 * characters, at most 64 of them; anything else is undefined, never a partial list.
 */
export function parsePlatformList(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_PLATFORMS || !value.every(isPlatformName)) return undefined;
  return [...value];
}

/** A pr.json's `missingPlatforms` (the artifact is the PR's output): a list of platforms, or none. */
export function envelopeMissing(value: unknown, path: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = parsePlatformList(value);
  if (!list) throw new InputError(`${path}: "missingPlatforms" must list platforms (os/arch[/variant])`);
  return list;
}

/** The platforms `baseline` has and `image` lacks (by platformMatches), in the baseline's order. */
export function platformsMissing(baseline: readonly string[], image: readonly string[]): string[] {
  return missingPlatforms(baseline.map(parsePlatform), image.map(parsePlatform)).map(formatPlatform);
}

function listPath(slug: string): string {
  return join(baselineDir(), `${slug}.platforms.json`);
}

/** A push to the default branch with `platform: all`: the platforms it checked, beside their reports. */
export async function keepPlatformList(
  imageSlug: string,
  platforms: readonly string[],
  o: { sha: string; cache: boolean },
): Promise<void> {
  const path = listPath(imageSlug);
  writeRunnerFile(path, JSON.stringify({ slimgate: 1, platforms }) + '\n');
  core.info(`baseline: the list of main's platforms (${escapeControls(platforms.join(', '))}) is ${path}`);
  if (!o.cache) return;
  await saveEntry("main's platforms", [path], `${platformsKeyPrefix(imageSlug)}${o.sha}`);
}

/** Main's saved list: the base commit's, else the newest; undefined when there is none that reads well. */
export async function savedPlatformList(
  imageSlug: string,
  o: { baseSha: string | undefined; cache: boolean },
): Promise<string[] | undefined> {
  const path = listPath(imageSlug);
  if (!existsSync(path) && o.cache)
    await restoreFromMain("main's platforms", path, platformsKeyPrefix(imageSlug), o.baseSha);
  if (!existsSync(path)) {
    core.info("baseline: no list of main's platforms, so a platform this image lacks cannot be named");
    return undefined;
  }
  let list: string[] | undefined;
  try {
    const doc = readJsonFile(path, path, MAX_LIST_BYTES) as {
      slimgate?: unknown;
      platforms?: unknown;
    } | null;
    if (doc && typeof doc === 'object' && doc.slimgate === 1) list = parsePlatformList(doc.platforms);
  } catch {
    list = undefined;
  }
  if (!list) core.info(`baseline: ${path} is not a list of platforms this version reads: left aside`);
  return list;
}
