/**
 * `docker-daemon:REF`: `docker save REF` streamed straight into the single-pass archive reader, with no
 * temp file and no buffering. Both the legacy layout (Docker ≤ 24) and the OCI layout of Docker 25+ come
 * through the same reader.
 */
import { pipeline } from 'node:stream/promises';
import { InputError, oneLine } from '../util/errors.js';
import { ProcessExitError, runProcess, streamProcess } from '../util/subprocess.js';
import { formatBytes } from '../util/bytes.js';
import { Meter } from '../util/meter.js';
import { imagesFromArchive, readArchive, type ArchiveContents } from './archive.js';
import type { ImageSource, LayerDigests, LayerReader, SourceImage } from './contract.js';
import { formatPlatform, type PlatformChoice } from './platform.js';

/** `docker save --platform` needs a client of 28+ and a daemon with API 1.48+. */
const SAVE_PLATFORM_API = [1, 48] as const;

export interface DaemonOptions {
  /** The docker CLI (default "docker"). */
  docker?: string;
  env?: NodeJS.ProcessEnv;
}

function dockerHost(env: NodeJS.ProcessEnv): string {
  return env['DOCKER_HOST'] || 'the default socket';
}

function versionAtLeast(v: string, want: readonly number[]): boolean {
  const parts = v.split(/[.+-]/).map((x) => Number.parseInt(x, 10));
  for (let i = 0; i < want.length; i++) {
    const p = parts[i] ?? 0;
    if (Number.isNaN(p)) return false;
    if (p !== want[i]) return p > (want[i] as number);
  }
  return true;
}

/** Whether this docker client and daemon accept `docker save --platform`. */
export async function saveSupportsPlatform(opts: DaemonOptions = {}): Promise<boolean> {
  const r = await runProcess(
    opts.docker ?? 'docker',
    ['version', '--format', '{{.Client.Version}} {{.Server.APIVersion}}'],
    { env: opts.env ?? process.env, timeoutMs: 60_000 },
  );
  if (r.code !== 0) return false;
  const [client = '', api = ''] = r.stdout.trim().split(/\s+/);
  return versionAtLeast(client, [28]) && versionAtLeast(api, SAVE_PLATFORM_API);
}

/**
 * Why a just-built image is usually missing: buildx's docker-container driver (docker/setup-buildx-action's
 * default) keeps the result in its own BuildKit store, and docker/build-push-action loads it into the
 * daemon only when asked.
 */
const NOT_LOADED_HINT =
  'if docker/build-push-action built it, set `load: true` there (the docker-container driver of docker/setup-buildx-action does not load images into the daemon unless asked, or unless its driver-opts set default-load=true); otherwise build or pull it first';

/** One line for a failed `docker save`, from what docker printed. */
export function daemonError(
  ref: string,
  code: number | null,
  stderr: string,
  env: NodeJS.ProcessEnv,
): InputError {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const last = (lines[lines.length - 1] ?? '').replace(/^Error( response from daemon)?:\s*/i, '');
  if (/no such image|reference does not exist|not found|does not exist/i.test(stderr)) {
    return new InputError(
      `image "${ref}" is not in the Docker daemon (${dockerHost(env)}): ${NOT_LOADED_HINT}`,
    );
  }
  if (
    /cannot connect to the docker daemon|is the docker daemon running|error during connect|permission denied|connect: no such file|dial unix/i.test(
      stderr,
    )
  ) {
    return new InputError(`cannot reach the Docker daemon at ${dockerHost(env)}: ${oneLine(last)}`);
  }
  return new InputError(
    `docker save ${ref} failed (exit ${code ?? 'signal'}): ${oneLine(last) || 'no message'}`,
  );
}

export interface DaemonSourceOptions extends DaemonOptions {
  platform: PlatformChoice;
  progress?: ((message: string) => void) | undefined;
}

export function daemonSource(ref: string, source: string, opts: DaemonSourceOptions): ImageSource {
  return { images: (reader) => imagesFromDaemon(ref, source, reader, opts) };
}

async function imagesFromDaemon<S extends LayerDigests>(
  ref: string,
  source: string,
  reader: LayerReader<S>,
  opts: DaemonSourceOptions,
): Promise<SourceImage<S>[]> {
  if (!ref.trim()) throw new InputError('docker-daemon: needs an image, e.g. docker-daemon:app:latest');
  if (ref.startsWith('-')) throw new InputError(`docker-daemon: "${ref}" is not an image reference`);
  const env = opts.env ?? process.env;
  const args = ['save'];
  const p = opts.platform;
  if (p && p !== 'all' && (await saveSupportsPlatform(opts))) args.push('--platform', formatPlatform(p));
  args.push(ref);

  const docker = streamProcess(opts.docker ?? 'docker', args, {
    env,
    name: 'docker',
    notFound:
      'the docker CLI is not installed, and docker-daemon: needs it (or pass a docker-archive:PATH made by docker save)',
  });
  let contents: ArchiveContents<S> | undefined;
  let readError: unknown;
  const meter = new Meter(
    opts.progress && ((n) => opts.progress?.(`reading docker save ${ref}: ${formatBytes(n)}`)),
  );
  try {
    await pipeline(docker.stdout, async (input: AsyncIterable<Buffer>) => {
      contents = await readArchive(meter.pass(input), `docker save ${ref}`, reader);
    });
  } catch (err) {
    readError = err;
    docker.kill();
  }
  const code = await docker.exited.catch((err: unknown) => {
    throw err instanceof ProcessExitError ? daemonError(ref, err.code, err.stderr, env) : err;
  });
  if (readError || !contents) {
    if (meter.bytes === 0 && docker.stderr().trim()) throw daemonError(ref, code, docker.stderr(), env);
    throw readError ?? new InputError(`docker save ${ref} wrote nothing`);
  }
  return imagesFromArchive(contents, { source, format: 'any', selector: {}, platform: opts.platform });
}
