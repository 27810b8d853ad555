/**
 * Where the baseline comes from, and the saved-report store behind `baseline: auto`.
 *
 * On a push to the default branch the action writes its report to `$RUNNER_TEMP/slimgate-baseline/`,
 * one file per comment key, and saves that file in the Actions cache keyed by the commit (see
 * actions-cache.ts). On a PR, `auto` restores the base branch's newest one into the same place.
 */
import { createHash } from 'node:crypto';
import * as core from '@actions/core';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oneLine } from '../util/errors.js';
import { ShapeError } from '../util/shape.js';
import { validateReport } from '../report/validate.js';
import { MAX_REPORT_BYTES, readJsonFile, shapeLine } from './json-file.js';
import { writeRunnerFile } from './runner-files.js';
import { isLocalContext } from '../sources/build-args.js';
import type { BuildInputs } from '../sources/build-options.js';
import { registryRef, repositoryOf } from '../report/comment-key.js';
import { redactReport } from '../engine/assemble.js';
import type { Report } from '../types/report.js';
import { branchTag } from './context.js';
import { reportKeyPrefix, restoreEntry, saveEntry } from './actions-cache.js';
import { commitDate, withHistory } from './history.js';

export function runnerTemp(env: NodeJS.ProcessEnv = process.env): string {
  return env['RUNNER_TEMP'] || tmpdir();
}

export function baselineDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(runnerTemp(env), 'slimgate-baseline');
}

/** A file-name-safe, collision-free form of a comment key. */
export function keySlug(key: string): string {
  const readable = key
    .replace(/^[a-z-]+:\/*/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 60);
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 10);
  return `${readable || 'image'}-${hash}`;
}

/**
 * Reads a JSON report (schemaVersion 1), bounded in size and checked whole (report/validate.ts): whoever
 * wrote it, anything wrong is one clear line naming the file and the field.
 */
export function loadReport(path: string, what = 'report'): Report {
  const label = `${what} ${path}`;
  const doc = readJsonFile(path, label, MAX_REPORT_BYTES);
  try {
    return redactReport(validateReport(doc));
  } catch (err) {
    throw err instanceof ShapeError ? shapeLine(err, label) : err;
  }
}

function savedBaselinePath(key: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(baselineDir(env), `${keySlug(key)}.json`);
}

function findSavedBaseline(key: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const p = savedBaselinePath(key, env);
  return existsSync(p) ? p : undefined;
}

function saveBaseline(key: string, report: Report, env: NodeJS.ProcessEnv = process.env): string {
  const p = savedBaselinePath(key, env);
  writeRunnerFile(p, JSON.stringify(report) + '\n');
  return p;
}

/**
 * For a registry image, the same repository at the base branch's tag (`main`, `release-1.x`), as
 * docker/metadata-action names branch tags. Undefined when that would be the image itself.
 */
export function baseBranchSource(source: string, baseBranch: string | undefined): string | undefined {
  const ref = registryRef(source);
  if (!ref || !baseBranch) return undefined;
  const candidate = `${repositoryOf(ref)}:${branchTag(baseBranch)}`;
  return candidate === ref ? undefined : `docker://${candidate}`;
}

/**
 * The base commit's build: the PR's build inputs, with the workspace's paths mapped into the base tree and
 * one platform, the PR's. What it must not do:
 * - push, or tag: the PR's tags name the PR's image (in the registry, and in the daemon after a load);
 * - write `cache-to`: build-push-action users point cache-to at a shared cache (a registry ref, a gha scope,
 *   a directory) that the PR's own build has just written; the base commit's export would replace it, and
 *   the PR's next run would start from main's cache. It reads `cache-from`, so its common steps are cached
 *   (with the docker driver they are anyway: the daemon's BuildKit just built the PR's).
 * Secrets, ssh and secret files are the runner's, not the tree's: their paths stay as given.
 */
export function baseCommitBuild(
  b: BuildInputs,
  map: (path: string) => string,
  platform: string,
): BuildInputs {
  const out: BuildInputs = {
    ...b,
    context: map(b.context),
    file: b.file ? map(b.file) : undefined,
    platforms: [platform],
    push: false,
    tags: [],
  };
  delete out.cacheTo;
  // A named context in the repository is read from the base tree; one outside it stays as given.
  if (b.buildContexts)
    out.buildContexts = b.buildContexts.map((c) => {
      const eq = c.indexOf('=');
      const value = c.slice(eq + 1);
      if (!isLocalContext(value)) return c;
      try {
        return `${c.slice(0, eq)}=${map(value)}`;
      } catch {
        return c;
      }
    });
  return out;
}

// ------------------------------------------------------------------------------ the Actions cache hooks

/** Main's saved report for this key, restored from the Actions cache (`restore`) when it is not here yet. */
export async function restoreSavedReport(
  key: string,
  platform: string,
  o: { baseSha: string | undefined; restore: boolean },
): Promise<string | undefined> {
  const { baseSha } = o;
  if (o.restore && !findSavedBaseline(key))
    await restoreFromMain(
      "main's report",
      savedBaselinePath(key),
      reportKeyPrefix(keySlug(key), platform),
      baseSha,
    );
  const saved = findSavedBaseline(key);
  core.info(
    saved ? `baseline: the saved report ${saved}` : `baseline: no saved report at ${savedBaselinePath(key)}`,
  );
  return saved;
}

/** A file main's runs keep in the Actions cache: the base commit's entry first, else the newest by prefix. */
export async function restoreFromMain(
  what: string,
  path: string,
  prefix: string,
  baseSha: string | undefined,
): Promise<void> {
  await restoreEntry(what, [path], `${prefix}${baseSha ?? 'none'}`, [prefix]);
}

/** The report a default-branch run replaces, if one was restored and reads well. */
export function readPrevious(key: string): Report | undefined {
  const saved = findSavedBaseline(key);
  if (!saved) return undefined;
  try {
    return loadReport(saved, 'saved baseline report');
  } catch (err) {
    core.warning(
      `Slimgate: the previous main report is unusable, so the size history restarts: ${oneLine(err)}`,
    );
    return undefined;
  }
}

export interface KeepBaseline {
  key: string;
  report: Report;
  previous: Report | undefined;
  /** The commit recorded (the push's). */
  sha: string;
  /** Save in the Actions cache too (the `cache` input). */
  cache: boolean;
}

/**
 * A push to the default branch: the report gets the size history and is saved (as a file, and in the
 * Actions cache under the commit). Returns the report with its history.
 */
export async function keepBaseline(k: KeepBaseline): Promise<Report> {
  const report = withHistory(k.report, k.previous, k.sha, commitDate());
  const saved = saveBaseline(k.key, report);
  core.info(`baseline: recorded ${saved}`);
  if (!k.cache) {
    core.info('baseline: input "cache" is false, so the report is not saved in the Actions cache');
    return report;
  }
  await saveEntry(
    "main's report",
    [saved],
    `${reportKeyPrefix(keySlug(k.key), report.image.platform)}${k.sha}`,
  );
  return report;
}
