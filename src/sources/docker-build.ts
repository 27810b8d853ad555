/**
 * Build mode: build the image from a Dockerfile, then analyse the result. The options have
 * docker/build-push-action's names and meanings (context, file, target, build-args, platforms, push, tags,
 * network), because users know them.
 *
 * - With `docker buildx`: the image is exported as an OCI archive (`--output type=oci`) and read from
 *   there without a daemon load; with the `docker` driver, which cannot export OCI, it is loaded. With
 *   `push`, it is pushed and read back from the registry by digest.
 * - Without buildx: `DOCKER_BUILDKIT=0 docker build`, then `docker push` of each tag when asked, and the
 *   image is read through `docker save`.
 *
 * The build log streams to `onLog` (the CLI's stderr, the action's log group). A failed build is a
 * BuildError carrying the tail of the log.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, oneLine } from '../util/errors.js';
import { runProcess } from '../util/subprocess.js';
import { parsePlatform, formatPlatform } from './platform.js';
import { parseReference } from './registry/reference.js';

export interface BuildOptions {
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
  /** 'auto' (default): buildx when present; 'buildx' or 'classic' to force one. */
  builder?: 'auto' | 'buildx' | 'classic';
  /** Each chunk of the build's output, as it comes. */
  onLog?: (chunk: string) => void;
  /** The docker CLI (default "docker") and its environment. */
  docker?: string;
  env?: NodeJS.ProcessEnv;
  /** Where temporary files go (default $RUNNER_TEMP, else the OS temp dir). */
  tmpDir?: string;
}

export interface BuildResult {
  /** The source to analyse: docker-daemon:…, oci-archive:… or docker://…@sha256:… */
  source: string;
  builder: 'buildx' | 'classic';
  imageId?: string;
  /** Removes temporary files (the OCI archive). */
  cleanup(): Promise<void>;
}

/** A failed build: the message is one line; `logTail` holds the last lines of the build log. */
export class BuildError extends InputError {
  constructor(
    message: string,
    readonly logTail: string,
  ) {
    super(message);
    this.name = 'BuildError';
  }
}

const TAIL_LINES = 30;
const TAIL_BYTES = 64 * 1024;
const BUILD_ARG = /^[A-Za-z_][A-Za-z0-9_]*(=.*)?$/s;

function checkOptions(opts: BuildOptions): void {
  for (const a of opts.buildArgs ?? []) {
    if (!BUILD_ARG.test(a)) {
      const key = a.split('=')[0];
      throw new InputError(`bad build-arg "${key}": write KEY=VALUE (KEY is letters, digits and _)`);
    }
  }
  for (const p of opts.platforms ?? []) parsePlatform(p);
  for (const t of opts.tags ?? []) parseReference(t);
  if (opts.push && !opts.tags?.length) throw new InputError('push needs at least one tag (tags)');
  if (opts.target !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(opts.target)) {
    throw new InputError(`bad target "${opts.target}": a build stage name`);
  }
  const ctx = opts.context ?? '.';
  const remote = /^[a-z]+:\/\//i.test(ctx) || ctx.startsWith('git@');
  if (!remote) {
    if (!existsSync(ctx) || !statSync(ctx).isDirectory()) {
      throw new InputError(`build context ${ctx} is not a directory`);
    }
    const file = opts.file ?? join(ctx, 'Dockerfile');
    if (!existsSync(file)) throw new InputError(`Dockerfile ${file} does not exist`);
  }
}

export interface BuildCommand {
  args: string[];
  env: Record<string, string>;
}

/**
 * The docker command line for a build (pure). `out` names the files the build writes: the image ID, and
 * for buildx the OCI archive (`ociDest`, when exporting) or the metadata file (after a push).
 */
export function buildCommand(
  opts: BuildOptions,
  builder: 'buildx' | 'classic',
  out: { iidFile: string; ociDest?: string; metadataFile?: string },
): BuildCommand {
  const args: string[] = builder === 'buildx' ? ['buildx', 'build'] : ['build'];
  if (opts.file) args.push('--file', opts.file);
  if (opts.target) args.push('--target', opts.target);
  for (const a of opts.buildArgs ?? []) args.push('--build-arg', a);
  const platforms = (opts.platforms ?? []).map((p) => formatPlatform(parsePlatform(p)));
  if (platforms.length) args.push('--platform', platforms.join(','));
  if (opts.network) args.push('--network', opts.network);
  for (const t of opts.tags ?? []) args.push('--tag', t);
  args.push('--iidfile', out.iidFile);
  if (builder === 'buildx') {
    if (opts.push) {
      args.push('--push');
      if (out.metadataFile) args.push('--metadata-file', out.metadataFile);
    } else if (out.ociDest) args.push('--output', `type=oci,dest=${out.ociDest}`);
    else args.push('--load');
  }
  args.push(opts.context ?? '.');
  return { args, env: builder === 'classic' ? { DOCKER_BUILDKIT: '0' } : {} };
}

interface Ran {
  code: number | null;
  stdout: string;
  tail: string;
  missing: boolean;
}

/** Runs docker; streams its output to `onLog` and keeps the tail. */
async function runDocker(
  args: string[],
  opts: BuildOptions,
  extraEnv: Record<string, string>,
  stream: boolean,
): Promise<Ran> {
  const r = await runProcess(opts.docker ?? 'docker', args, {
    env: { ...(opts.env ?? process.env), ...extraEnv },
    maxStdout: TAIL_BYTES,
    maxTail: TAIL_BYTES,
    ...(stream && opts.onLog ? { onOutput: opts.onLog } : {}),
  });
  const missing = r.spawnError?.code === 'ENOENT';
  const tail = r.spawnError ? `${r.output}\n${oneLine(r.spawnError)}` : r.output;
  return { code: r.spawnError ? -1 : r.code, stdout: r.stdout, tail, missing };
}

function lastLines(text: string, n = TAIL_LINES): string {
  return text
    .replace(/\r/g, '\n')
    .split('\n')
    .filter((l) => l.trim())
    .slice(-n)
    .join('\n');
}

export async function hasBuildx(opts: BuildOptions = {}): Promise<boolean> {
  const r = await runDocker(['buildx', 'version'], opts, {}, false);
  return r.code === 0;
}

/** The buildx driver of the current builder ("docker", "docker-container", …). */
async function buildxDriver(opts: BuildOptions): Promise<string | undefined> {
  const r = await runDocker(['buildx', 'inspect'], opts, {}, false);
  return /^Driver:\s*(\S+)/m.exec(r.stdout)?.[1];
}

export async function buildImage(opts: BuildOptions): Promise<BuildResult> {
  checkOptions(opts);
  const want = opts.builder ?? 'auto';
  const builder: 'buildx' | 'classic' =
    want === 'auto' ? ((await hasBuildx(opts)) ? 'buildx' : 'classic') : want;
  const platforms = opts.platforms ?? [];
  if (builder === 'classic' && platforms.length > 1) {
    throw new InputError(
      `building for several platforms (${platforms.join(', ')}) needs docker buildx (docker/setup-buildx-action); or set one platform`,
    );
  }
  const dir = await mkdtemp(join(opts.tmpDir ?? process.env['RUNNER_TEMP'] ?? tmpdir(), 'slimgate-build-'));
  const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const out: { iidFile: string; ociDest?: string; metadataFile?: string } = { iidFile: join(dir, 'iid') };
    if (builder === 'buildx') {
      if (opts.push) out.metadataFile = join(dir, 'metadata.json');
      else if ((await buildxDriver(opts)) !== 'docker') out.ociDest = join(dir, 'image.tar');
    }
    const cmd = buildCommand(opts, builder, out);
    const ran = await runDocker(cmd.args, opts, cmd.env, true);
    if (ran.missing) throw new InputError('the docker CLI is not installed, and build mode needs it');
    if (ran.code !== 0) {
      const tail = lastLines(ran.tail);
      const last = lastLines(ran.tail, 1) || 'no output';
      throw new BuildError(`docker build failed (exit ${ran.code ?? 'signal'}): ${oneLine(last)}`, tail);
    }
    const imageId = (await readFile(out.iidFile, 'utf8').catch(() => '')).trim() || undefined;

    if (builder === 'classic' && opts.push) {
      for (const tag of opts.tags ?? []) {
        const pushed = await runDocker(['push', tag], opts, {}, true);
        if (pushed.code !== 0) {
          throw new BuildError(
            `docker push ${tag} failed: ${oneLine(lastLines(pushed.tail, 1))}`,
            lastLines(pushed.tail),
          );
        }
      }
    }
    let source: string;
    if (builder === 'buildx' && opts.push) {
      const meta = JSON.parse(await readFile(out.metadataFile as string, 'utf8').catch(() => '{}')) as Record<
        string,
        unknown
      >;
      const digest = meta['containerimage.digest'];
      const ref = parseReference((opts.tags as string[])[0] as string);
      source =
        typeof digest === 'string'
          ? `docker://${ref.registry}/${ref.repository}@${digest}`
          : `docker://${(opts.tags as string[])[0]}`;
    } else if (out.ociDest) {
      source = `oci-archive:${out.ociDest}`;
    } else {
      const ref = opts.tags?.[0] ?? imageId;
      if (!ref) throw new InputError('docker build wrote no image ID');
      source = `docker-daemon:${ref}`;
    }
    const result: BuildResult = { source, builder, cleanup };
    if (imageId) result.imageId = imageId;
    return result;
  } catch (err) {
    await cleanup();
    throw err;
  }
}
