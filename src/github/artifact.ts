/**
 * The files a check run leaves in `$RUNNER_TEMP/slimgate/<key>/` (report.json, baseline.json and, on a
 * pull request, pr.json), and how the workflow_run job finds and trusts them again.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FAIL_ON_LEVELS, PRESETS, type FailOn, type Preset } from '../analysis/verdict.js';
import type { Report } from '../types/report.js';
import { InputError } from '../util/errors.js';
import { arr, bool, line, obj, oneOf, optional, positive, ShapeError, str } from '../util/shape.js';
import { MAX_ENVELOPE_BYTES, readJsonFile, shapeLine } from './json-file.js';
import { keySlug, runnerTemp } from './baseline.js';
import { writeRunnerFile } from './runner-files.js';
import { envelopeMissing } from './baseline-platforms.js';
import { isLinkUrl } from '../report/markdown.js';

/** How a report is presented, whether the check job posts it or the workflow_run job does. */
export interface CommentView {
  baselineLabel: string;
  baselineSource?: string;
  baselineNote: string;
  overrideLabel?: string;
  showPlatform: boolean;
  /** `platform: all`: the platforms the baseline has and the image does not. */
  missingPlatforms?: string[];
  /** The commit the run checked (the PR's head), and the run's page: the comment's footer. */
  checkedSha?: string;
  runUrl?: string;
  /** The HTML report's workflow artifact (an https URL): linked from the comment and the summary. */
  htmlUrl?: string;
  /** The workflow artifact that holds the SBOM (an https URL), and its format. */
  sbomUrl?: string;
  sbomFormat?: 'cyclonedx-json' | 'spdx-json';
}

/** What the workflow_run job needs to post a report made by a pull_request run. */
export interface PrEnvelope extends CommentView {
  slimgate: 1;
  pullRequest: number;
  headSha: string;
  commentKey: string;
  failOn: FailOn;
  preset?: Preset;
  overrideApplied: boolean;
  /**
   * `platform: all`: the directories (siblings of this one, by key slug) that hold each platform's
   * report.json and baseline.json; this directory holds reports.json, all of them in one array.
   */
  platforms?: string[];
}

export interface ReportFiles {
  dir: string;
  report: string;
}

/**
 * A run's files: one image's under its key; under `platform: all` each platform's under its own key, and
 * reports.json (every platform's report) and pr.json under the run's key.
 */
export function writeRunFiles(
  key: string,
  entries: readonly { key: string; report: Report; baseline: Report | null }[],
  o: { everyPlatform: boolean; pr: PrEnvelope | undefined },
): ReportFiles {
  const [only] = entries;
  if (only && entries.length === 1 && !o.everyPlatform)
    return writeReportFiles(key, only.report, only.baseline, o.pr);
  return writePlatformFiles(key, entries, o.pr);
}

/** `$RUNNER_TEMP/slimgate/<key slug>/`: where a run's files go. */
export function runDir(key: string): string {
  return join(runnerTemp(), 'slimgate', keySlug(key));
}

/** `$RUNNER_TEMP/slimgate/<key>/`: report.json, baseline.json, and pr.json for the workflow_run job. */
function writeReportFiles(
  key: string,
  report: Report,
  baseline: Report | null,
  pr?: PrEnvelope,
): ReportFiles {
  const dir = runDir(key);
  const reportPath = join(dir, 'report.json');
  writeRunnerFile(reportPath, JSON.stringify(report, null, 2) + '\n');
  if (baseline) writeRunnerFile(join(dir, 'baseline.json'), JSON.stringify(baseline) + '\n');
  if (pr) writeRunnerFile(join(dir, 'pr.json'), JSON.stringify(pr, null, 2) + '\n');
  return { dir, report: reportPath };
}

/** `platform: all`: each platform's files under its own key, then reports.json and pr.json under `key`. */
function writePlatformFiles(
  key: string,
  platforms: readonly { key: string; report: Report; baseline: Report | null }[],
  pr?: PrEnvelope,
): ReportFiles {
  for (const p of platforms) writeReportFiles(p.key, p.report, p.baseline);
  const dir = runDir(key);
  const reportPath = join(dir, 'reports.json');
  writeRunnerFile(
    reportPath,
    JSON.stringify(
      platforms.map((p) => p.report),
      null,
      2,
    ) + '\n',
  );
  if (pr)
    writeRunnerFile(
      join(dir, 'pr.json'),
      JSON.stringify({ ...pr, platforms: platforms.map((p) => keySlug(p.key)) }, null, 2) + '\n',
    );
  return { dir, report: reportPath };
}

export function findEnvelopes(path: string): string[] {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new InputError(`input "report": ${path} does not exist`);
  if (st.isFile()) return [join(path, '..', 'pr.json')];
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isFile() && e.name === 'pr.json') out.push(join(dir, e.name));
      else if (e.isDirectory() && depth < 4) walk(join(dir, e.name), depth + 1);
    }
  };
  walk(path, 0);
  if (!out.length)
    throw new InputError(
      `input "report": no pr.json under ${path} (upload the check job's ${'${{ runner.temp }}'}/slimgate/ directory)`,
    );
  return out;
}

/** pr.json as written; `default` is read as no preset. */
type StoredEnvelope = Omit<PrEnvelope, 'preset'> & { preset?: Preset | 'default' };

const ENVELOPE = obj<StoredEnvelope>({
  slimgate: oneOf([1] as const),
  pullRequest: positive,
  headSha: line(128),
  // One line of text: it goes into the comment's hidden marker (URI-encoded, which a lone surrogate breaks).
  commentKey: line(4096),
  failOn: oneOf(FAIL_ON_LEVELS),
  preset: optional(oneOf([...PRESETS, 'default'] as const)),
  overrideApplied: bool,
  // Checked as directory names below, before the shape.
  platforms: optional(arr(str(100), 256)),
  baselineLabel: line(1024),
  baselineSource: optional(line(4096)),
  baselineNote: str(64 * 1024),
  overrideLabel: optional(line(1024)),
  showPlatform: bool,
  // Checked as platform names below, after the shape.
  missingPlatforms: optional(arr(str(100), 64)),
  checkedSha: optional(line(128)),
  runUrl: optional(line(4096)),
  // Checked as an https URL below; the comment job links it only as an artifact of the run that made it.
  htmlUrl: optional(line(4096)),
  sbomUrl: optional(line(4096)),
  sbomFormat: optional(oneOf(['cyclonedx-json', 'spdx-json'] as const)),
});

/**
 * Reads and checks one pr.json: in the fork-safe recipe a fork's workflow wrote it, so every field it
 * passes on is checked (type, enum, length), and keys it does not know are dropped.
 */
export function readEnvelope(path: string): PrEnvelope {
  const doc = readJsonFile(path, path, MAX_ENVELOPE_BYTES);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || (doc as { slimgate?: unknown }).slimgate !== 1)
    throw new InputError(`${path} is not a Slimgate pr.json`);
  const platforms = (doc as { platforms?: unknown }).platforms;
  // Each names a sibling directory: a bare slug, never a path out of the artifact.
  if (
    platforms !== undefined &&
    (!Array.isArray(platforms) ||
      !platforms.length ||
      !platforms.every((d) => typeof d === 'string' && /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/.test(d)))
  )
    throw new InputError(`${path}: "platforms" must list the platforms' directories`);
  let env: StoredEnvelope;
  try {
    env = ENVELOPE.read(doc);
  } catch (err) {
    throw err instanceof ShapeError ? shapeLine(err, path) : err;
  }
  if (env.htmlUrl !== undefined && !isLinkUrl(env.htmlUrl))
    throw new InputError(`${path}: "htmlUrl" must be an https URL`);
  if (env.sbomUrl !== undefined && !isLinkUrl(env.sbomUrl))
    throw new InputError(`${path}: "sbomUrl" must be an https URL`);
  const { preset, missingPlatforms, ...rest } = env;
  const missing = envelopeMissing(missingPlatforms, path);
  return {
    ...rest,
    ...(preset && preset !== 'default' ? { preset } : {}),
    ...(missing ? { missingPlatforms: missing } : {}),
  };
}
