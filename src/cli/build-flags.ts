/** The CLI's build-mode flags (docker/build-push-action's names). */
import { InputError } from '../util/errors.js';
import { givenFlag } from './given-flag.js';
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
  'build-context': { type: 'string', multiple: true },
  secret: { type: 'string', multiple: true },
  'secret-file': { type: 'string', multiple: true },
  ssh: { type: 'string', multiple: true },
  'cache-from': { type: 'string', multiple: true },
  'cache-to': { type: 'string', multiple: true },
  pull: { type: 'boolean', default: false },
  builder: { type: 'string' },
  label: { type: 'string', multiple: true },
  provenance: { type: 'string' },
  sbom: { type: 'string' },
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
  --label K=V             image label (repeatable)
  --pull                  always pull the base images
  --no-cache              also build without the build cache (as docker build --no-cache)
  These need docker buildx (not DOCKER_BUILDKIT=0):
  --build-context NAME=VALUE  a named context: a directory, docker-image://REF, oci-layout://DIR, a URL (repeatable)
  --secret ID=VALUE|id=ID,src=FILE|id=ID,env=VAR
                          a build secret for RUN --mount=type=secret (repeatable); a VALUE on a command
                          line is visible to other users of the machine: prefer src= or env=
  --secret-file ID=PATH   a build secret read from a file (repeatable)
  --ssh default|ID=PATH   an SSH agent socket or key for RUN --mount=type=ssh (repeatable)
  --cache-from ENTRY      cache source: type=registry,ref=R | type=local,src=DIR | type=gha | … (repeatable)
  --cache-to ENTRY        cache destination: type=registry,ref=R,mode=max | type=local,dest=DIR | … (repeatable)
  --provenance V          provenance attestation: true, false, or mode=min|max[,…]
  --sbom V                SBOM attestation: true, false, or generator=IMAGE[,…]
  --builder NAME          the buildx builder instance (docker buildx ls)
  Attestations are stored beside the image, never checked as part of it.
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
  'build-context'?: string[];
  secret?: string[];
  'secret-file'?: string[];
  ssh?: string[];
  'cache-from'?: string[];
  'cache-to'?: string[];
  pull?: boolean;
  builder?: string;
  label?: string[];
  provenance?: string;
  sbom?: string;
  /** The layer cache's flag (registry-flags.ts); with build it is the build cache's too. */
  'no-cache'?: boolean;
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
  // One entry per flag, as buildx takes them: an entry's commas are its own fields.
  const lists = {
    buildContexts: values['build-context'],
    secrets: values.secret,
    secretFiles: values['secret-file'],
    ssh: values.ssh,
    cacheFrom: values['cache-from'],
    cacheTo: values['cache-to'],
    labels: values.label,
  } as const;
  for (const [k, v] of Object.entries(lists)) if (v?.length) opts[k as keyof typeof lists] = v;
  if (values.pull) opts.pull = true;
  if (values['no-cache']) opts.noCache = true;
  if (values.builder) opts.builder = values.builder;
  if (values.provenance) opts.provenance = values.provenance;
  if (values.sbom) opts.sbom = values.sbom;
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
