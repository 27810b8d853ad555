/**
 * Which platforms the baseline has, so that a `platform: all` check that drops one says so. Each platform's
 * baseline is found on its own (baseline.ts); the set of them is known
 * - with `baseline: SOURCE`: from the source's manifests (a registry or an OCI layout);
 * - with `auto` and main's reports in the Actions cache: from the list that main's `platform: all` run saves
 *   beside them, under the image's platform-less key;
 * - with `auto` and the base-branch tag: from the tag's manifests, when a platform's baseline came from it.
 * Otherwise it is unknown and nothing is said: a report file, the base commit's build (it builds the PR's
 * platforms, so it cannot tell which ones main had), an archive or the daemon as the baseline (only a full
 * read would tell), or main's list missing (saved before this existed), unreadable or of another version.
 */
import * as core from '@actions/core';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checker } from '../action/checker.js';
import type { ActionInputs } from '../action/inputs.js';
import { formatPlatform, missingPlatforms, parsePlatform } from '../sources/platform.js';
import { InputError, oneLine } from '../util/errors.js';
import { escapeControls } from '../util/text.js';
import { platformsKeyPrefix, saveEntry } from './actions-cache.js';
import { baseBranchSource, baselineDir, imageSlug, restoreFromMain } from './baseline.js';
import { readJsonFile } from './json-file.js';
import type { RunContext } from './context.js';

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
  inputs: ActionInputs,
  ctx: RunContext,
  label: string,
  platforms: readonly string[],
): Promise<void> {
  const slug = imageSlug(inputs, label);
  mkdirSync(baselineDir(), { recursive: true });
  const path = listPath(slug);
  writeFileSync(path, JSON.stringify({ slimgate: 1, platforms }) + '\n');
  core.info(`baseline: the list of main's platforms (${escapeControls(platforms.join(', '))}) is ${path}`);
  if (!inputs.cache.enabled) return;
  await saveEntry("main's platforms", [path], `${platformsKeyPrefix(slug)}${ctx.sha}`);
}

/** Main's saved list: the base commit's, else the newest; undefined when there is none that reads well. */
async function savedPlatformList(
  inputs: ActionInputs,
  ctx: RunContext,
  label: string,
): Promise<string[] | undefined> {
  const slug = imageSlug(inputs, label);
  const path = listPath(slug);
  if (!existsSync(path) && inputs.cache.enabled)
    await restoreFromMain("main's platforms", path, platformsKeyPrefix(slug), ctx);
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

/** A baseline source's platforms from its manifests; undefined when that would take a full read, or fails. */
async function sourcePlatforms(source: string, inputs: ActionInputs): Promise<string[] | undefined> {
  try {
    const list = await checker.platformsOf(source, inputs.registry);
    if (!list) {
      core.info(`baseline: only a full read of ${source} would list its platforms: not asked`);
      return undefined;
    }
    // Names from an index are the image's data: only plain os/arch[/variant] ones are compared.
    return list.filter(isPlatformName);
  } catch (err) {
    core.info(`baseline: could not list the platforms of ${source}: ${oneLine(err)}`);
    return undefined;
  }
}

/** The baseline's platforms, if they can be known (see the top of this file). */
async function baselinePlatforms(
  inputs: ActionInputs,
  ctx: RunContext,
  label: string,
  sources: readonly (string | undefined)[],
): Promise<string[] | undefined> {
  const b = inputs.baseline;
  if (b.kind === 'source') return sourcePlatforms(b.source, inputs);
  if (b.kind !== 'auto' || ctx.kind === 'baseline') return undefined;
  const saved = await savedPlatformList(inputs, ctx, label);
  if (saved) return saved;
  const tag = inputs.build ? undefined : baseBranchSource(inputs.image, ctx.baseBranch);
  return tag && sources.includes(tag) ? sourcePlatforms(tag, inputs) : undefined;
}

/**
 * The platforms the baseline has and this image does not; empty when there are none or the baseline's
 * platforms are unknown. `sources` are where each platform's baseline came from.
 */
export async function droppedPlatforms(
  inputs: ActionInputs,
  ctx: RunContext,
  label: string,
  image: readonly string[],
  sources: readonly (string | undefined)[],
): Promise<string[]> {
  const base = await baselinePlatforms(inputs, ctx, label, sources);
  return base ? platformsMissing(base, image) : [];
}
