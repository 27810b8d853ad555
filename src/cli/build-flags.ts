/** The CLI's build-mode flags (docker/build-push-action's names). */
import { InputError } from '../util/errors.js';
import type { BuildOptions } from '../sources/docker-build.js';
import { parseList } from '../util/list.js';

export const BUILD_FLAGS = {
  context: { type: 'string' },
  file: { type: 'string' },
  target: { type: 'string' },
  'build-arg': { type: 'string', multiple: true },
  platforms: { type: 'string' },
  push: { type: 'boolean', default: false },
  tags: { type: 'string', multiple: true },
  network: { type: 'string' },
} as const;

export const BUILD_USAGE = `Build options (slimgate build), with docker/build-push-action's names:
  --context DIR           build context (default .)
  --file PATH             Dockerfile (default CONTEXT/Dockerfile)
  --target STAGE          build stage
  --build-arg K=V         build argument (repeatable)
  --platforms P[,P…]      target platforms (several need docker buildx)
  --tags T[,T…]           image tags (repeatable)
  --push                  push the tags after the build
  --network N             network for RUN steps (e.g. host, none)
  The build log streams to stderr; a failed build exits 2.
`;

export interface BuildFlagValues {
  context?: string;
  file?: string;
  target?: string;
  'build-arg'?: string[];
  platforms?: string;
  push?: boolean;
  tags?: string[];
  network?: string;
}

export function buildOptionsFromFlags(values: BuildFlagValues): BuildOptions {
  const opts: BuildOptions = {
    context: values.context ?? '.',
    buildArgs: values['build-arg'] ?? [],
    platforms: parseList(values.platforms),
    tags: (values.tags ?? []).flatMap((t) => parseList(t)),
    push: !!values.push,
  };
  if (values.file) opts.file = values.file;
  if (values.target) opts.target = values.target;
  if (values.network) opts.network = values.network;
  return opts;
}

/** Whether any build flag was given (they belong to `slimgate build` only). */
function anyBuildFlag(values: BuildFlagValues): boolean {
  const v = values as Record<string, unknown>;
  return Object.keys(BUILD_FLAGS).some(
    (k) => v[k] !== undefined && v[k] !== false && !(Array.isArray(v[k]) && !(v[k] as unknown[]).length),
  );
}

export function checkNoBuildFlags(values: BuildFlagValues, command: string): void {
  if (anyBuildFlag(values))
    throw new InputError(`build flags (--context, --file, …) belong to "slimgate build", not "${command}"`);
}
