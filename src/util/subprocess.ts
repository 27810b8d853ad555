/**
 * The one way Slimgate runs another program (docker, git, credential helpers): `runProcess` to completion
 * with bounded captured output, and `streamProcess` for a stdout read as a stream with backpressure
 * (`docker save`). Always `child_process.spawn` with an argument array: never a shell.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { InputError, oneLine } from './errors.js';

/** Captured stdout is kept from its start up to this (a command's answer comes first). */
const MAX_STDOUT = 16 * 1024 * 1024;
/** Captured stderr and the combined output keep their last bytes (a failure says why at the end). */
const MAX_TAIL = 64 * 1024;

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  input?: string | Buffer;
  /** Killed (SIGTERM) after this long; `timedOut` says so. */
  timeoutMs?: number;
  /** Bytes of stdout kept, from the start (default 16 MiB). */
  maxStdout?: number;
  /** Bytes of stderr, and of the combined output, kept from the end (default 64 KiB). */
  maxTail?: number;
  /** Each chunk of stdout or stderr as it comes (a build log). */
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
}

export interface RunResult {
  /** The exit code; null when a signal ended the process, or when it never started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The tail of stderr. */
  stderr: string;
  /** The tail of stdout and stderr, interleaved as they came. */
  output: string;
  timedOut: boolean;
  /** Why the process could not start (ENOENT: not installed). */
  spawnError?: NodeJS.ErrnoException;
}

/** Keeps the last `max` characters of what is appended. */
class Tail {
  text = '';
  constructor(private readonly max: number) {}
  add(s: string): void {
    this.text = (this.text + s).slice(-this.max);
  }
}

/** Every program started and not yet exited: what a cancelled run stops before it exits. */
const live = new Set<ChildProcess>();

/** Stops every program still running (a cancelled run): SIGTERM, as `docker` and `git` expect. */
export function stopChildren(): number {
  let n = 0;
  for (const child of live) if (child.exitCode === null && child.signalCode === null && child.kill()) n++;
  return n;
}

function start(
  command: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv | undefined; cwd?: string | undefined; stdin: boolean },
): { child: ChildProcess } | { error: NodeJS.ErrnoException } {
  try {
    const child = spawn(command, args, {
      stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    live.add(child);
    child.once('exit', () => live.delete(child));
    child.once('error', () => live.delete(child));
    return { child };
  } catch (err) {
    // A name spawn refuses outright (a NUL byte): the same as one that is not there to run.
    return { error: err as NodeJS.ErrnoException };
  }
}

/** Runs a program to completion. Never rejects: a program that cannot start has `spawnError`. */
export function runProcess(
  command: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<RunResult> {
  const maxStdout = opts.maxStdout ?? MAX_STDOUT;
  const stderr = new Tail(opts.maxTail ?? MAX_TAIL);
  const output = new Tail(opts.maxTail ?? MAX_TAIL);
  const started = start(command, args, { ...opts, stdin: opts.input !== undefined });
  if ('error' in started) {
    const none = { code: null, signal: null, stdout: '', stderr: '', output: '', timedOut: false };
    return Promise.resolve({ ...none, spawnError: started.error });
  }
  const proc = started.child;
  return new Promise((resolve) => {
    let stdout = '';
    let timedOut = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    proc.stdout?.setEncoding('utf8').on('data', (s: string) => {
      if (stdout.length < maxStdout) stdout += s.slice(0, maxStdout - stdout.length);
      output.add(s);
      opts.onOutput?.(s, 'stdout');
    });
    proc.stderr?.setEncoding('utf8').on('data', (s: string) => {
      stderr.add(s);
      output.add(s);
      opts.onOutput?.(s, 'stderr');
    });
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            proc.kill();
          }, opts.timeoutMs);
    proc.on('error', (e: NodeJS.ErrnoException) => {
      spawnError ??= e;
    });
    proc.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const r: RunResult = {
        code: spawnError ? null : code,
        signal,
        stdout,
        stderr: stderr.text,
        output: output.text,
        timedOut,
      };
      if (spawnError) r.spawnError = spawnError;
      resolve(r);
    });
    if (proc.stdin) {
      // A program that exits without reading its input is not an error of ours.
      proc.stdin.on('error', () => {});
      proc.stdin.end(opts.input);
    }
  });
}

/** A non-zero exit (or a signal) of a streamed process, with the tail of what it printed on stderr. */
export class ProcessExitError extends Error {
  constructor(
    readonly command: string,
    readonly code: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stderr: string,
  ) {
    const last = stderr.trim().split('\n').pop() ?? '';
    super(`${command} failed (exit ${code ?? signal ?? 'unknown'}): ${oneLine(last) || 'no message'}`);
    this.name = 'ProcessExitError';
  }
}

export interface StreamOptions {
  env?: NodeJS.ProcessEnv;
  /** The program as messages name it (default: the command). */
  name?: string;
  /** The one line for a program that is not installed (ENOENT). */
  notFound?: string;
  /** Bytes of stderr kept, from the end (default 64 KiB). */
  maxTail?: number;
}

export interface StreamedProcess {
  /**
   * The program's stdout. Read it with `stream.pipeline`: a slow reader pauses the stream, the pipe fills
   * and the program blocks on its writes, so memory stays bounded whatever it prints.
   */
  stdout: Readable;
  /** The tail of stderr so far. */
  stderr(): string;
  /** Stops the program (after a read error): its exit is then not an error of its own. */
  kill(): void;
  /**
   * Settles when the program has exited: resolves with the code on exit 0, or with null after `kill()`;
   * rejects with an InputError of one line when it could not start, else with a ProcessExitError.
   */
  exited: Promise<number | null>;
}

/** Starts a program whose stdout is read as a stream; stdin is /dev/null. */
export function streamProcess(
  command: string,
  args: readonly string[],
  opts: StreamOptions = {},
): StreamedProcess {
  const name = opts.name ?? command;
  const stderr = new Tail(opts.maxTail ?? MAX_TAIL);
  const cannotRun = (e: NodeJS.ErrnoException): InputError =>
    new InputError(
      e.code === 'ENOENT' && opts.notFound ? opts.notFound : `cannot run ${name}: ${oneLine(e)}`,
    );
  const started = start(command, args, { ...opts, stdin: false });
  if ('error' in started) throw cannotRun(started.error);
  const proc = started.child;
  let killed = false;
  proc.stderr?.setEncoding('utf8').on('data', (s: string) => stderr.add(s));
  const exited = new Promise<number | null>((resolve, reject) => {
    let spawnError: NodeJS.ErrnoException | undefined;
    proc.on('error', (e: NodeJS.ErrnoException) => {
      spawnError ??= e;
    });
    proc.on('close', (code, signal) => {
      if (spawnError) reject(cannotRun(spawnError));
      else if (code === 0 || (killed && code === null)) resolve(code);
      else reject(new ProcessExitError(name, code, signal, stderr.text));
    });
  });
  // Observed by whoever awaits it; not an unhandled rejection while the caller is still reading.
  exited.catch(() => {});
  return {
    stdout: proc.stdout as Readable,
    stderr: () => stderr.text,
    kill() {
      killed = true;
      proc.kill();
    },
    exited,
  };
}
