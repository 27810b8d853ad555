// The engine's check as most tests use it: one platform, `baseline` as a source string (the CLI's
// --baseline), the one judged platform returned.
import {
  check,
  sourceBaseline,
  type CheckOptions,
  type CheckRun,
  type JudgedPlatform,
} from '../../src/engine/engine.js';

type Options = Omit<CheckOptions, 'baseline'> & { baseline?: string };

function withSource(opts: Options): CheckOptions {
  const { baseline, ...rest } = opts;
  return baseline ? { ...rest, baseline: sourceBaseline(baseline, rest) } : rest;
}

/** check() of one platform: its report, baseline, policy and verdict. */
export async function checkImage(source: string, opts: Options = {}): Promise<JudgedPlatform> {
  const run = await check(source, withSource(opts));
  if (run.platforms.length !== 1) throw new Error(`expected one platform, got ${run.platforms.length}`);
  return run.platforms[0] as JudgedPlatform;
}

/** check() of every platform. */
export function checkEvery(source: string, opts: Options = {}): Promise<CheckRun> {
  return check(source, withSource({ ...opts, platform: 'all' }));
}
