// Access to the test world started by scripts/test-world.sh: two private Docker 26 engines (the classic
// image store on vfs, and the containerd image store) and a private registry.
//
// The tests run the `docker` first on PATH. On these machines that is the runner's client, 28.x in
// /usr/local/bin, ahead of the 26.x client that trixie's docker-cli puts in /usr/bin: the client a GitHub
// runner has, negotiating down to the daemons' API 1.45.
// Vitest's global setup (./global-setup.ts) starts it; outside Vitest run `scripts/test-world.sh start`.
import { execFile, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const worldScript = path.join(repoRoot, 'scripts', 'test-world.sh');

export type DaemonKind = 'classic' | 'containerd';
export const DAEMON_KINDS: readonly DaemonKind[] = ['classic', 'containerd'];

export interface World {
  /** `unix:///…/docker.sock` of the classic-store engine (vfs): DOCKER_HOST in `env`. */
  dockerHost: string;
  /** `unix:///…/docker-ctr.sock` of the containerd-store engine (SLIMGATE_DOCKER_CONTAINERD). */
  containerdHost: string;
  /** `127.0.0.1:PORT` of the private registry (plain HTTP, no auth). */
  registry: string;
  /** The state directory (`$SLIMGATE_WORLD_DIR`, default `<repo>/.test-world`). */
  dir: string;
  /** `process.env` plus DOCKER_HOST, SLIMGATE_REGISTRY and SLIMGATE_WORLD_DIR: pass to child processes. */
  env: NodeJS.ProcessEnv;
}

export interface RunOptions {
  cwd?: string;
  /** The full environment of the child (default `process.env`; `docker()` defaults to `world().env`). */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed. */
  input?: string | Buffer;
  /** Milliseconds; the child is killed with SIGTERM after that. */
  timeout?: number;
  /** Return the result instead of throwing when the exit status is not 0. */
  allowFailure?: boolean;
}

export interface RunResult {
  /** The exit status, or -1 if the child was killed by a signal. */
  status: number;
  stdout: string;
  stderr: string;
  /** stdout as raw bytes (for `docker save` and other binary output). */
  stdoutBuffer: Buffer;
}

class RunError extends Error {
  constructor(
    message: string,
    readonly result: RunResult,
  ) {
    super(message);
    this.name = 'RunError';
  }
}

const MAX_BUFFER = 2 ** 30;

function worldDir(): string {
  return path.resolve(process.env.SLIMGATE_WORLD_DIR || path.join(repoRoot, '.test-world'));
}

/** Parses the `KEY=value` lines the script writes; values may be single-quoted the way a shell quotes. */
function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let value = '';
    const raw = m[2]!;
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i]!;
      if (c === "'") {
        const end = raw.indexOf("'", i + 1);
        if (end < 0) throw new Error(`unterminated quote in env line: ${line}`);
        value += raw.slice(i + 1, end);
        i = end;
      } else if (c === '\\' && i + 1 < raw.length) {
        value += raw[++i];
      } else {
        value += c;
      }
    }
    out[m[1]!] = value;
  }
  return out;
}

/** The running test world. Throws if it has not been started. */
export function world(): World {
  const dir = worldDir();
  const file = path.join(dir, 'env');
  if (!existsSync(file)) {
    throw new Error(
      `the test world is not running (no ${file}); Vitest's global setup starts it, ` +
        `or run: scripts/test-world.sh start`,
    );
  }
  const vars = parseEnvFile(readFileSync(file, 'utf8'));
  const dockerHost = vars.DOCKER_HOST;
  const containerdHost = vars.SLIMGATE_DOCKER_CONTAINERD;
  const registry = vars.SLIMGATE_REGISTRY;
  if (!dockerHost || !containerdHost || !registry) {
    throw new Error(
      `${file} lacks DOCKER_HOST, SLIMGATE_DOCKER_CONTAINERD or SLIMGATE_REGISTRY (restart the world: scripts/test-world.sh stop; scripts/test-world.sh start)`,
    );
  }
  return {
    dockerHost,
    containerdHost,
    registry,
    dir: vars.SLIMGATE_WORLD_DIR || dir,
    env: { ...process.env, ...vars },
  };
}

function describeCommand(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map((a) => (/^[\w./:@=,+-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

function check(cmd: string, args: readonly string[], result: RunResult, opts: RunOptions): RunResult {
  if (result.status === 0 || opts.allowFailure) return result;
  const detail = (result.stderr.trim() || result.stdout.trim()).slice(-4000);
  throw new RunError(
    `${describeCommand(cmd, args)} failed with status ${result.status}${detail ? `:\n${detail}` : ''}`,
    result,
  );
}

/** Runs a command synchronously; throws a RunError carrying stderr when it exits non-zero. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    input: opts.input ?? '',
    timeout: opts.timeout,
    maxBuffer: MAX_BUFFER,
  });
  if (r.error) throw new Error(`${describeCommand(cmd, args)}: ${r.error.message}`, { cause: r.error });
  const stdoutBuffer = r.stdout ?? Buffer.alloc(0);
  const result: RunResult = {
    status: r.status ?? -1,
    stdout: stdoutBuffer.toString('utf8'),
    stderr: (r.stderr ?? Buffer.alloc(0)).toString('utf8'),
    stdoutBuffer,
  };
  return check(cmd, args, result, opts);
}

/**
 * Like run(), but does not block the event loop: use it when the same process serves HTTP to the child
 * (a token server, a fake GitHub API), where run() would deadlock.
 */
export function runAsync(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        timeout: opts.timeout ?? 0,
        maxBuffer: MAX_BUFFER,
        encoding: 'buffer',
      },
      (error, stdout, stderr) => {
        const code = error?.code;
        if (error && typeof code === 'string') {
          reject(new Error(`${describeCommand(cmd, args)}: ${error.message}`, { cause: error }));
          return;
        }
        const result: RunResult = {
          status: error ? (typeof code === 'number' ? code : -1) : 0,
          stdout: stdout.toString('utf8'),
          stderr: stderr.toString('utf8'),
          stdoutBuffer: stdout,
        };
        try {
          resolve(check(cmd, args, result, opts));
        } catch (e) {
          reject(e);
        }
      },
    );
    child.stdin?.on('error', () => {}); // the child may exit without reading its input
    child.stdin?.end(opts.input ?? '');
  });
}

/** `world().env` with DOCKER_HOST pointing at the engine of that image store. */
export function daemonEnv(kind: DaemonKind): NodeJS.ProcessEnv {
  const w = world();
  return { ...w.env, DOCKER_HOST: kind === 'classic' ? w.dockerHost : w.containerdHost };
}

function dockerOpts(opts: RunOptions): RunOptions {
  return { ...opts, env: { ...world().env, ...opts.env } };
}

/** Runs the docker client against the world's engine. `opts.env` entries are added to `world().env`. */
export function docker(args: readonly string[], opts: RunOptions = {}): RunResult {
  return run('docker', args, dockerOpts(opts));
}

let node24Path: string | undefined;

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Absolute path of a Node 24 binary (GitHub runs actions with node24; the machines have Node 20).
 * Obtained once from the npm package `node@24` and cached in `<world dir>/node24-path`.
 */
export function node24(): string {
  if (node24Path && isExecutable(node24Path)) return node24Path;
  const dir = worldDir();
  const cache = path.join(dir, 'node24-path');
  if (existsSync(cache)) {
    const cached = readFileSync(cache, 'utf8').trim();
    if (cached && isExecutable(cached)) return (node24Path = cached);
  }
  mkdirSync(dir, { recursive: true });
  const r = run('npm', ['exec', '--yes', '--package=node@24', '--', 'node', '-p', 'process.execPath'], {
    cwd: dir,
    timeout: 600_000,
  });
  const found = r.stdout.trim().split('\n').pop()?.trim() ?? '';
  if (!path.isAbsolute(found) || !isExecutable(found)) {
    throw new Error(`npm exec node@24 printed no usable node path: ${JSON.stringify(r.stdout)}`);
  }
  writeFileSync(cache, `${found}\n`);
  return (node24Path = found);
}
