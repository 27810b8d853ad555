/**
 * The files a check run leaves in `$RUNNER_TEMP/slimgate/<key>/` (report.json, baseline.json and, on a
 * pull request, pr.json), and how the workflow_run job finds and trusts them again.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FailOn, Preset } from '../analysis/verdict.js';
import { parseFailOn, parsePreset } from '../config/values.js';
import type { Report } from '../types/report.js';
import { InputError, oneLine } from '../util/errors.js';
import { keySlug, runnerTemp } from './baseline.js';

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

/** `$RUNNER_TEMP/slimgate/<key>/`: report.json, baseline.json, and pr.json for the workflow_run job. */
export function writeReportFiles(
  key: string,
  report: Report,
  baseline: Report | null,
  pr?: PrEnvelope,
): ReportFiles {
  const dir = join(runnerTemp(), 'slimgate', keySlug(key));
  mkdirSync(dir, { recursive: true });
  const reportPath = join(dir, 'report.json');
  writeFileSync(reportPath, JSON.stringify(report, null, 2) + '\n');
  if (baseline) writeFileSync(join(dir, 'baseline.json'), JSON.stringify(baseline) + '\n');
  if (pr) writeFileSync(join(dir, 'pr.json'), JSON.stringify(pr, null, 2) + '\n');
  return { dir, report: reportPath };
}

/** `platform: all`: each platform's files under its own key, then reports.json and pr.json under `key`. */
export function writePlatformFiles(
  key: string,
  platforms: readonly { key: string; report: Report; baseline: Report | null }[],
  pr?: PrEnvelope,
): ReportFiles {
  for (const p of platforms) writeReportFiles(p.key, p.report, p.baseline);
  const dir = join(runnerTemp(), 'slimgate', keySlug(key));
  mkdirSync(dir, { recursive: true });
  const reportPath = join(dir, 'reports.json');
  writeFileSync(
    reportPath,
    JSON.stringify(
      platforms.map((p) => p.report),
      null,
      2,
    ) + '\n',
  );
  if (pr)
    writeFileSync(
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

/** Reads and checks one pr.json; its fail-on is parsed as the inputs are. */
export function readEnvelope(path: string): PrEnvelope {
  let env: PrEnvelope;
  try {
    env = JSON.parse(readFileSync(path, 'utf8')) as PrEnvelope;
  } catch (err) {
    throw new InputError(`${path} is not readable JSON: ${oneLine(err)}`);
  }
  if (env.slimgate !== 1 || !Number.isInteger(env.pullRequest) || typeof env.commentKey !== 'string')
    throw new InputError(`${path} is not a Slimgate pr.json`);
  // Each names a sibling directory: a bare slug, never a path out of the artifact.
  if (
    env.platforms !== undefined &&
    (!Array.isArray(env.platforms) ||
      !env.platforms.length ||
      !env.platforms.every((d) => typeof d === 'string' && /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/.test(d)))
  )
    throw new InputError(`${path}: "platforms" must list the platforms' directories`);
  const preset = env.preset === undefined ? 'default' : parsePreset(String(env.preset), `${path}: preset`);
  const { preset: _ignored, ...rest } = env;
  return {
    ...rest,
    failOn: parseFailOn(String(env.failOn ?? ''), `${path}: fail-on`),
    ...(preset !== 'default' ? { preset } : {}),
  };
}
