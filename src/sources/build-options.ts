/**
 * The build options, once: docker/build-push-action's names for what changes a build, as the action's
 * inputs and the CLI's flags spell them. This table drives the CLI's parseArgs options, its usage text and
 * the flags → options mapping, the action's input reading and its "needs context" check, and the messages
 * that name a buildx-only option (./docker-build.ts refuses them with the classic builder).
 */
import type { BuildxOptions } from './build-args.js';

/** What a user sets about a build: build-push-action's inputs, as BuildOptions fields (./docker-build.ts). */
export interface BuildSettings extends BuildxOptions {
  /** The build context: a directory, or a Git/HTTP URL (default "."). */
  context?: string;
  /** The Dockerfile (default CONTEXT/Dockerfile). */
  file?: string;
  target?: string;
  /** KEY=VALUE (or KEY, to take it from the environment), one per entry. */
  buildArgs?: string[];
  /** os/arch[/variant]; several need buildx. */
  platforms?: string[];
  /** Push the tags after the build (default false). */
  push?: boolean;
  tags?: string[];
  /** The network for RUN steps (build-push-action's `network`), e.g. "host" or "none". */
  network?: string;
  /** KEY=VALUE image labels (build-push-action's `labels`). */
  labels?: string[];
  /** Build without the build cache (`no-cache`). */
  noCache?: boolean;
  /** Always pull the base images (`pull`). */
  pull?: boolean;
}

/**
 * How an action input's text becomes a list, as build-push-action reads it:
 * - `lines`: one entry per line (`build-args`: a value may hold commas);
 * - `items`: lines or commas (`platforms`, `tags`);
 * - `csv`: its `Util.getInputList` with `ignoreComma` (one csv-quoted entry per line: entries hold commas);
 * - `csv-items`: the same without `ignoreComma` (lines or commas, csv-quoted);
 * - `csv-raw`: `csv` without trimming (a secret's value is kept exactly).
 */
export type InputList = 'lines' | 'items' | 'csv' | 'csv-items' | 'csv-raw';

export interface BuildOptionSpec {
  key: keyof BuildSettings;
  /** The action input (build-push-action's name). */
  input: string;
  /** The CLI flag. */
  flag: string;
  kind: 'string' | 'boolean' | 'list';
  /** Lists: how the input is split. */
  inputList?: InputList;
  /** Lists: the flag also takes `a,b`. */
  flagCommas?: boolean;
  /** Lists: the flag is given once (`--platforms a,b`), not repeated. */
  flagOnce?: boolean;
  /** Only `docker buildx build` has it. */
  buildx?: boolean;
  /** The flag's value in usage text, and what it does. */
  arg?: string;
  usage: string;
}

export const BUILD_OPTIONS = [
  {
    key: 'context',
    input: 'context',
    flag: 'context',
    kind: 'string',
    arg: 'DIR',
    usage: 'build context (default .)',
  },
  {
    key: 'file',
    input: 'file',
    flag: 'file',
    kind: 'string',
    arg: 'PATH',
    usage: 'Dockerfile (default CONTEXT/Dockerfile)',
  },
  { key: 'target', input: 'target', flag: 'target', kind: 'string', arg: 'STAGE', usage: 'build stage' },
  {
    key: 'buildArgs',
    input: 'build-args',
    flag: 'build-arg',
    kind: 'list',
    inputList: 'lines',
    arg: 'K=V',
    usage: 'build argument (repeatable)',
  },
  {
    key: 'platforms',
    input: 'platforms',
    flag: 'platforms',
    kind: 'list',
    inputList: 'items',
    flagCommas: true,
    flagOnce: true,
    arg: 'P[,P…]',
    usage: 'target platforms (several need docker buildx)',
  },
  {
    key: 'tags',
    input: 'tags',
    flag: 'tags',
    kind: 'list',
    inputList: 'items',
    flagCommas: true,
    arg: 'T[,T…]',
    usage: 'image tags (repeatable)',
  },
  { key: 'push', input: 'push', flag: 'push', kind: 'boolean', usage: 'push the tags after the build' },
  {
    key: 'network',
    input: 'network',
    flag: 'network',
    kind: 'string',
    arg: 'N',
    usage: 'network for RUN steps (e.g. host, none)',
  },
  {
    key: 'labels',
    input: 'labels',
    flag: 'label',
    kind: 'list',
    inputList: 'csv',
    arg: 'K=V',
    usage: 'image label (repeatable)',
  },
  { key: 'pull', input: 'pull', flag: 'pull', kind: 'boolean', usage: 'always pull the base images' },
  {
    key: 'noCache',
    input: 'no-cache',
    flag: 'no-cache',
    kind: 'boolean',
    usage: 'also build without the build cache (as docker build --no-cache)',
  },
  {
    key: 'buildContexts',
    input: 'build-contexts',
    flag: 'build-context',
    kind: 'list',
    inputList: 'csv',
    buildx: true,
    arg: 'NAME=VALUE',
    usage: 'a named context: a directory, docker-image://REF, oci-layout://DIR, a URL (repeatable)',
  },
  {
    key: 'secrets',
    input: 'secrets',
    flag: 'secret',
    kind: 'list',
    inputList: 'csv-raw',
    buildx: true,
    arg: 'ID=VALUE|id=ID,src=FILE|id=ID,env=VAR',
    usage:
      'a build secret for RUN --mount=type=secret (repeatable); a VALUE on a command\n' +
      'line is visible to other users of the machine: prefer src= or env=',
  },
  {
    key: 'secretFiles',
    input: 'secret-files',
    flag: 'secret-file',
    kind: 'list',
    inputList: 'csv',
    buildx: true,
    arg: 'ID=PATH',
    usage: 'a build secret read from a file (repeatable)',
  },
  {
    key: 'ssh',
    input: 'ssh',
    flag: 'ssh',
    kind: 'list',
    inputList: 'csv-items',
    buildx: true,
    arg: 'default|ID=PATH',
    usage: 'an SSH agent socket or key for RUN --mount=type=ssh (repeatable)',
  },
  {
    key: 'cacheFrom',
    input: 'cache-from',
    flag: 'cache-from',
    kind: 'list',
    inputList: 'csv',
    buildx: true,
    arg: 'ENTRY',
    usage: 'cache source: type=registry,ref=R | type=local,src=DIR | type=gha | … (repeatable)',
  },
  {
    key: 'cacheTo',
    input: 'cache-to',
    flag: 'cache-to',
    kind: 'list',
    inputList: 'csv',
    buildx: true,
    arg: 'ENTRY',
    usage: 'cache destination: type=registry,ref=R,mode=max | type=local,dest=DIR | … (repeatable)',
  },
  {
    key: 'provenance',
    input: 'provenance',
    flag: 'provenance',
    kind: 'string',
    buildx: true,
    arg: 'V',
    usage: 'provenance attestation: true, false, or mode=min|max[,…]',
  },
  {
    key: 'sbom',
    input: 'sbom',
    flag: 'sbom',
    kind: 'string',
    buildx: true,
    arg: 'V',
    usage: 'SBOM attestation: true, false, or generator=IMAGE[,…]',
  },
  {
    key: 'builder',
    input: 'builder',
    flag: 'builder',
    kind: 'string',
    buildx: true,
    arg: 'NAME',
    usage: 'the buildx builder instance (docker buildx ls)',
  },
] as const satisfies readonly BuildOptionSpec[];

/** The buildx-only options that are set, by their input names (the classic builder has none of them). */
export function buildxOnly(o: BuildSettings): string[] {
  return BUILD_OPTIONS.filter((s) => 'buildx' in s && s.buildx)
    .filter((s) => {
      const v = o[s.key];
      return Array.isArray(v) ? v.length > 0 : !!v;
    })
    .map((s) => s.input);
}

/** The default Dockerfile of a context, as build-push-action and the comment key name it. */
/** The build inputs of a run, with the lists and the switches always present. */
export type BuildInputs = BuildSettings & {
  context: string;
  buildArgs: string[];
  platforms: string[];
  push: boolean;
  tags: string[];
};

export function defaultDockerfile(context: string): string {
  return `${context.replace(/\/+$/, '')}/Dockerfile`;
}
