/** The CLI's build-mode flags: the build options table (src/sources/build-options.ts) as parseArgs options. */
import { InputError } from '../util/errors.js';
import { givenFlag } from './given-flag.js';
import { usageLine } from './usage.js';
import type { BuildOptions } from '../sources/docker-build.js';
import { BUILD_OPTIONS, type BuildOptionSpec } from '../sources/build-options.js';
import { parseList } from '../util/list.js';

type Row = (typeof BUILD_OPTIONS)[number];
type Bool = { type: 'boolean'; default: false };
type Str = { type: 'string' };
type Many = { type: 'string'; multiple: true };
type FlagOf<R> = R extends { kind: 'boolean' }
  ? Bool
  : R extends { kind: 'list'; flagOnce?: undefined }
    ? Many
    : Str;

/** --no-cache is the layer cache's flag too (registry-flags.ts), so it is declared there, once. */
type Shared = 'no-cache';
const SHARED: readonly string[] = ['no-cache'] satisfies Shared[];

const flagOf = (s: BuildOptionSpec): Bool | Str | Many =>
  s.kind === 'boolean'
    ? { type: 'boolean', default: false }
    : s.kind === 'list' && !s.flagOnce
      ? { type: 'string', multiple: true }
      : { type: 'string' };

/** The parseArgs options, typed per flag so that `values` is too. */
export const BUILD_FLAGS = Object.fromEntries(
  (BUILD_OPTIONS as readonly BuildOptionSpec[])
    .filter((s) => !SHARED.includes(s.flag))
    .map((s) => [s.flag, flagOf(s)]),
) as { [R in Row as R['flag'] extends Shared ? never : R['flag']]: FlagOf<R> };

const ROWS: readonly BuildOptionSpec[] = BUILD_OPTIONS;

const line = (s: BuildOptionSpec): string => usageLine(`--${s.flag}${s.arg ? ` ${s.arg}` : ''}`, s.usage);

export const BUILD_USAGE = `Build options (slimgate build), with docker/build-push-action's names:
${ROWS.filter((s) => !s.buildx)
  .map(line)
  .join('\n')}
  These need docker buildx (not DOCKER_BUILDKIT=0):
${ROWS.filter((s) => s.buildx)
  .map(line)
  .join('\n')}
  Attestations are stored beside the image, never checked as part of it.
  The build log streams to stderr; a failed build exits 2.
`;

/** The flags' values as parseArgs gives them (and --no-cache, the layer cache's flag, for the build cache). */
export type BuildFlagValues = { readonly [k: string]: unknown };

export function buildOptionsFromFlags(values: BuildFlagValues): BuildOptions {
  const opts: BuildOptions = { context: '.', buildArgs: [], platforms: [], tags: [], push: false };
  for (const s of ROWS) {
    const v = values[s.flag];
    if (v === undefined || v === false || v === '') continue;
    // A list flag is one entry per flag, as buildx takes them (an entry's commas are its own fields),
    // except the lists build-push-action also splits at commas (platforms, tags).
    const value =
      s.kind === 'list'
        ? (Array.isArray(v) ? v : [v]).flatMap((x) => (s.flagCommas ? parseList(String(x)) : [String(x)]))
        : v;
    if (Array.isArray(value) && !value.length && s.key !== 'buildArgs') continue;
    Object.assign(opts, { [s.key]: value });
  }
  return opts;
}

/** Build flags that `check` takes too: they describe the Dockerfile given with --dockerfile. */
const DOCKERFILE_FLAGS = new Set(['build-arg', 'target']);

/** Build flags given to another command are a usage error, never silently ignored (as check flags are). */
export function checkNoBuildFlags(values: BuildFlagValues, command: 'inspect' | 'check'): void {
  const names = Object.keys(BUILD_FLAGS).filter((k) => command !== 'check' || !DOCKERFILE_FLAGS.has(k));
  const k = givenFlag(values as Record<string, unknown>, names);
  if (!k) return;
  const hint = command === 'check' && k === 'file' ? ' (use --dockerfile for the Dockerfile)' : '';
  throw new InputError(`--${k} belongs to "slimgate build", not "${command}"${hint}`);
}
