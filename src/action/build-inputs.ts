/**
 * Build mode's inputs beyond context/file/target/build-args/platforms/push/tags: docker/build-push-action's
 * names, and its list formats (`Util.getInputList`: a line or comma list, csv-quoted, `#` no comment; the
 * lists whose entries hold commas are one entry per line). Secret values are masked in the log as soon as
 * they are read.
 */
import * as core from '@actions/core';
import type { BuildOptions } from '../sources/docker-build.js';
import { checkBuildxOptions, secretValues } from '../sources/build-args.js';
import { parseBuildxList } from '../util/list.js';

/** The options these inputs set (only those given). */
export type BuildExtras = Pick<
  BuildOptions,
  | 'network'
  | 'labels'
  | 'noCache'
  | 'pull'
  | 'buildContexts'
  | 'secrets'
  | 'secretFiles'
  | 'ssh'
  | 'cacheFrom'
  | 'cacheTo'
  | 'provenance'
  | 'sbom'
  | 'builder'
>;

const EXTRA_KEYS = [
  'network',
  'labels',
  'noCache',
  'pull',
  'buildContexts',
  'secrets',
  'secretFiles',
  'ssh',
  'cacheFrom',
  'cacheTo',
  'provenance',
  'sbom',
  'builder',
] as const satisfies readonly (keyof BuildExtras)[];

/** Their input names, which need `context` (build mode). */
export const BUILD_EXTRA_INPUTS = [
  'network',
  'labels',
  'no-cache',
  'pull',
  'build-contexts',
  'secrets',
  'secret-files',
  'ssh',
  'cache-from',
  'cache-to',
  'provenance',
  'sbom',
  'builder',
] as const;

export function readBuildExtras(
  get: (name: string) => string,
  bool: (name: string, value: string, dflt: boolean) => boolean,
  mask: (secret: string) => void = (s) => core.setSecret(s),
): BuildExtras {
  const list = (name: string, ignoreComma: boolean, trim = true): string[] =>
    parseBuildxList(get(name), `input "${name}"`, { ignoreComma, trim });
  const secrets = list('secrets', true, false);
  // Before anything else can fail and print: a bad entry's error never quotes it either.
  for (const v of secretValues(secrets)) {
    mask(v);
    for (const line of v.split(/\r?\n/)) if (line.trim().length >= 3 && line !== v) mask(line.trim());
  }
  const lists = {
    labels: list('labels', true),
    buildContexts: list('build-contexts', true),
    secrets,
    secretFiles: list('secret-files', true),
    ssh: list('ssh', false),
    cacheFrom: list('cache-from', true),
    cacheTo: list('cache-to', true),
  };
  const out: BuildExtras = {};
  for (const [k, v] of Object.entries(lists)) if (v.length) out[k as keyof typeof lists] = v;
  for (const [k, name] of [
    ['network', 'network'],
    ['provenance', 'provenance'],
    ['sbom', 'sbom'],
    ['builder', 'builder'],
  ] as const) {
    const v = get(name);
    if (v) out[k] = v;
  }
  if (bool('no-cache', get('no-cache'), false)) out.noCache = true;
  if (bool('pull', get('pull'), false)) out.pull = true;
  checkBuildxOptions(out);
  return out;
}

/** The build-extra options of a BuildInputs, for buildImage(). */
export function buildExtras(b: BuildExtras): BuildExtras {
  const out: BuildExtras = {};
  for (const k of EXTRA_KEYS) if (b[k] !== undefined) (out as Record<string, unknown>)[k] = b[k];
  return out;
}
