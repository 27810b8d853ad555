/**
 * Build mode: build the image from a Dockerfile, then analyse the result. The options have
 * docker/build-push-action's names and meanings (context, file, target, build-args, platforms, push, tags,
 * network, labels, no-cache, pull, and the buildx-only ones in ./build-args.ts), because users know them.
 *
 * - With `docker buildx`: the image is exported as an OCI archive (`--output type=oci`) and read from
 *   there without a daemon load; with the `docker` driver, which cannot export OCI, it is loaded. With
 *   `push`, it is pushed and read back from the registry by digest.
 * - Without buildx (or with DOCKER_BUILDKIT=0): `DOCKER_BUILDKIT=0 docker build`, then `docker push` of each
 *   tag when asked, and the image is read through `docker save`. The buildx-only options are refused there.
 *
 * The build log streams to `onLog` (the CLI's stderr, the action's log group). A failed build is a
 * BuildError carrying the tail of the log.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { onCancel } from '../util/interrupt.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, oneLine } from '../util/errors.js';
import { runProcess } from '../util/subprocess.js';
import { buildxFlags, checkBuildxOptions, type BuildxOptions, type SecretWrite } from './build-args.js';
import { buildxOnly, defaultDockerfile, type BuildSettings } from './build-options.js';
import { parsePlatform, formatPlatform } from './platform.js';
import { parseReference } from './registry/reference.js';

export interface BuildOptions extends BuildSettings {
  /**
   * 'auto' (default): buildx when present, unless DOCKER_BUILDKIT=0 asks for the classic builder; 'buildx'
   * or 'classic' to force one. (Not build-push-action's `builder`, which names a buildx builder instance.)
   */
  engine?: 'auto' | 'buildx' | 'classic';
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
  engine: 'buildx' | 'classic';
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
  for (const l of opts.labels ?? [])
    if (!l.split('=')[0]?.trim()) throw new InputError(`bad label "${l}": write KEY=VALUE`);
  checkBuildxOptions(opts);
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
    const file = opts.file ?? defaultDockerfile(ctx);
    if (!existsSync(file)) throw new InputError(`Dockerfile ${file} does not exist`);
  }
}

export interface BuildCommand {
  args: string[];
  env: Record<string, string>;
  /** Secret values to write (0600) before the build, and delete after it. */
  writes: SecretWrite[];
}

interface BuildOutputs {
  iidFile: string;
  ociDest?: string;
  metadataFile?: string;
}

/** Where secret values are written for a build: beside its image ID file, in the build's own temp dir. */
const secretDirOf = (out: BuildOutputs): string => join(out.iidFile, '..', 'secrets');

/**
 * The docker command line for a build (pure). `out` names the files the build writes: the image ID, and
 * for buildx the OCI archive (`ociDest`, when exporting) or the metadata file (after a push).
 */
export function buildCommand(
  opts: BuildOptions,
  engine: 'buildx' | 'classic',
  out: BuildOutputs,
): BuildCommand {
  const args: string[] = engine === 'buildx' ? ['buildx', 'build'] : ['build'];
  let writes: SecretWrite[] = [];
  if (engine === 'buildx') {
    const x = buildxFlags(opts, secretDirOf(out));
    args.push(...x.args);
    writes = x.writes;
  } else if (buildxOnly(opts).length) throw classicRefusal(opts);
  if (opts.file) args.push('--file', opts.file);
  if (opts.target) args.push('--target', opts.target);
  for (const a of opts.buildArgs ?? []) args.push('--build-arg', a);
  const platforms = (opts.platforms ?? []).map((p) => formatPlatform(parsePlatform(p)));
  if (platforms.length) args.push('--platform', platforms.join(','));
  if (opts.network) args.push('--network', opts.network);
  for (const l of opts.labels ?? []) args.push('--label', l);
  if (opts.noCache) args.push('--no-cache');
  if (opts.pull) args.push('--pull');
  for (const t of opts.tags ?? []) args.push('--tag', t);
  args.push('--iidfile', out.iidFile);
  if (engine === 'buildx') {
    if (opts.push) {
      args.push('--push');
      if (out.metadataFile) args.push('--metadata-file', out.metadataFile);
    } else if (out.ociDest) args.push('--output', `type=oci,dest=${out.ociDest}`);
    else args.push('--load');
  }
  args.push(opts.context ?? '.');
  return { args, env: engine === 'classic' ? { DOCKER_BUILDKIT: '0' } : {}, writes };
}

function classicRefusal(opts: BuildxOptions): InputError {
  const names = buildxOnly(opts);
  return new InputError(
    `${names.join(', ')} need${names.length === 1 ? 's' : ''} docker buildx; the classic builder (DOCKER_BUILDKIT=0) cannot use ${names.length === 1 ? 'it' : 'them'}`,
  );
}

/** The builder `auto` picks: buildx when present, unless DOCKER_BUILDKIT turns BuildKit off (as docker build reads it). */
async function pickEngine(opts: BuildOptions): Promise<'buildx' | 'classic'> {
  const want = opts.engine ?? 'auto';
  if (want !== 'auto') return want;
  const buildkit = (opts.env ?? process.env)['DOCKER_BUILDKIT'];
  if (buildkit !== undefined && /^(0|f|false)$/i.test(buildkit.trim())) return 'classic';
  return (await hasBuildx(opts)) ? 'buildx' : 'classic';
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

/**
 * The line that says why a build failed: buildx's last `ERROR:` line with the lines that explain it (as
 * "Switch to a different driver, or turn on the containerd image store"), else the last line.
 */
function buildFailureLine(tail: string): string {
  const lines = lastLines(tail).split('\n');
  const at = lines.findLastIndex((l) => l.startsWith('ERROR: '));
  if (at < 0) return lines.at(-1) ?? '';
  const why = [lines[at] as string];
  for (const l of lines.slice(at + 1, at + 3))
    if (!/^(Learn more|View build details)|^-+$|^\s*>|^#\d/.test(l)) why.push(l.trim());
  return why.join(' ');
}

export async function hasBuildx(opts: BuildOptions = {}): Promise<boolean> {
  const r = await runDocker(['buildx', 'version'], opts, {}, false);
  return r.code === 0;
}

/** The buildx driver of the builder (`builder`, else the current one): "docker", "docker-container", … */
async function buildxDriver(opts: BuildOptions): Promise<string | undefined> {
  const r = await runDocker(['buildx', 'inspect', ...(opts.builder ? [opts.builder] : [])], opts, {}, false);
  return /^Driver:\s*(\S+)/m.exec(r.stdout)?.[1];
}

export async function buildImage(opts: BuildOptions): Promise<BuildResult> {
  checkOptions(opts);
  const engine = await pickEngine(opts);
  // Before the several-platforms refusal and any temp dir; buildCommand refuses the same for its other callers.
  if (engine === 'classic' && buildxOnly(opts).length) throw classicRefusal(opts);
  const platforms = opts.platforms ?? [];
  if (engine === 'classic' && platforms.length > 1) {
    throw new InputError(
      `building for several platforms (${platforms.join(', ')}) needs docker buildx (docker/setup-buildx-action); or set one platform`,
    );
  }
  const dir = await mkdtemp(join(opts.tmpDir ?? process.env['RUNNER_TEMP'] ?? tmpdir(), 'slimgate-build-'));
  // A cancelled run removes it too (util/interrupt.ts): it holds the build's secrets while they live.
  const forget = onCancel(() => rm(dir, { recursive: true, force: true }));
  const cleanup = async (): Promise<void> => {
    forget();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const out: BuildOutputs = { iidFile: join(dir, 'iid') };
    if (engine === 'buildx') {
      if (opts.push) out.metadataFile = join(dir, 'metadata.json');
      else if ((await buildxDriver(opts)) !== 'docker') out.ociDest = join(dir, 'image.tar');
    }
    const cmd = buildCommand(opts, engine, out);
    const secretDir = secretDirOf(out);
    if (cmd.writes.length) {
      await mkdir(secretDir, { mode: 0o700 });
      for (const w of cmd.writes) await writeFile(w.path, w.value, { mode: 0o600 });
    }
    // The secret files live only as long as the build.
    const ran = await runDocker(cmd.args, opts, cmd.env, true).finally(() =>
      rm(secretDir, { recursive: true, force: true }),
    );
    if (ran.missing) throw new InputError('the docker CLI is not installed, and build mode needs it');
    if (ran.code !== 0) {
      const tail = lastLines(ran.tail);
      const last = buildFailureLine(ran.tail) || 'no output';
      throw new BuildError(`docker build failed (exit ${ran.code ?? 'signal'}): ${oneLine(last)}`, tail);
    }
    const imageId = (await readFile(out.iidFile, 'utf8').catch(() => '')).trim() || undefined;

    if (engine === 'classic' && opts.push) {
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
    if (engine === 'buildx' && opts.push) {
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
    const result: BuildResult = { source, engine, cleanup };
    if (imageId) result.imageId = imageId;
    return result;
  } catch (err) {
    await cleanup();
    throw err;
  }
}
