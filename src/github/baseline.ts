/**
 * Where the baseline comes from, and the saved-report store behind `baseline: auto`.
 *
 * On a push to the default branch the action writes its report to `$RUNNER_TEMP/slimgate-baseline/`,
 * one file per comment key; an `actions/cache/save` step keyed by the commit keeps it. On a PR, an
 * `actions/cache/restore` step (restore-keys: the newest entry) puts it back and `auto` finds it there.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, oneLine } from '../util/errors.js';
import { parseSource } from '../sources/source.js';
import { redactReport } from '../engine/assemble.js';
import type { Report } from '../types/report.js';
import { branchTag } from './context.js';

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

/** Reads a JSON report (schemaVersion 1); anything else is one clear line naming the file. */
export function loadReport(path: string, what = 'report'): Report {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError(`${what} ${path} is not readable JSON: ${oneLine(err)}`);
  }
  const r = doc as Partial<Report> | null;
  if (!r || typeof r !== 'object' || Array.isArray(r))
    throw new InputError(`${what} ${path} is not a Slimgate report (expected a JSON object)`);
  if (r.schemaVersion !== 1)
    throw new InputError(
      `${what} ${path} has schemaVersion ${String(r.schemaVersion)}; this version reads 1`,
    );
  for (const field of ['image', 'size', 'layers', 'files', 'base', 'findings', 'budget'] as const)
    if (r[field] === undefined || r[field] === null)
      throw new InputError(`${what} ${path} is not a Slimgate report (no "${field}")`);
  return redactReport(r as Report);
}

export function savedBaselinePath(key: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(baselineDir(env), `${keySlug(key)}.json`);
}

export function findSavedBaseline(key: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const p = savedBaselinePath(key, env);
  return existsSync(p) ? p : undefined;
}

export function saveBaseline(key: string, report: Report, env: NodeJS.ProcessEnv = process.env): string {
  mkdirSync(baselineDir(env), { recursive: true });
  const p = savedBaselinePath(key, env);
  writeFileSync(p, JSON.stringify(report) + '\n');
  return p;
}

/** The registry reference of a source, or undefined for archives, layouts and the daemon. */
export function registryRef(source: string): string | undefined {
  try {
    const spec = parseSource(source);
    return spec.kind === 'registry' ? spec.ref : undefined;
  } catch {
    return undefined;
  }
}

/** `ghcr.io/acme/app:pr-12@sha256:…` → `ghcr.io/acme/app` (a port's colon is kept). */
export function repositoryOf(ref: string): string {
  const noDigest = ref.replace(/@[a-z0-9]+:[a-f0-9]+$/i, '');
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
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

/** The default comment key: the image without its tag or digest (so main's and the PR's match), and platform. */
export function defaultCommentKey(source: string, platform: string): string {
  const ref = registryRef(source);
  return `${ref ? repositoryOf(ref) : source} ${platform}`;
}
