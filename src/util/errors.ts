import { escapeControls } from './text.js';

/**
 * An error the user can act on: the CLI and the action show its one line and exit 2, never a stack trace.
 * Anything else thrown is a bug ("internal error"). See `failureLine`.
 */
export abstract class UserFacingError extends Error {
  readonly exitCode = 2;
}

/** An error in what the user gave us (a source, a flag, an archive): one line, exit code 2. */
export class InputError extends UserFacingError {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * A registry or the network failed us: unreachable, timed out, 5xx or 429 after the retries, credentials
 * refused, not found. The message is one line with no secret in it; `cause` keeps the original error.
 */
export class RegistryError extends UserFacingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RegistryError';
  }
}

/** The same kind of error with its message prefixed (`baseline X: …`), its cause kept. */
export function withPrefix(err: UserFacingError, prefix: string): UserFacingError {
  const message = `${prefix}${err.message}`;
  return err instanceof RegistryError
    ? new RegistryError(message, { cause: err.cause })
    : new InputError(message);
}

/** The one line the CLI and the action print for whatever ended a run. */
export function failureLine(err: unknown): string {
  return err instanceof UserFacingError ? oneLine(err) : `internal error: ${oneLine(err)}`;
}

/**
 * The one line to show for any thrown value; never a stack trace. Messages quote image data (paths, tags,
 * labels), so control characters are escaped: the line can neither drive a terminal nor start another.
 */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return escapeControls(msg.trim()) || 'unknown error';
}

/**
 * The runner's own machinery failed us: its disk is full, a file it gave us cannot be written, its event
 * payload is not JSON. One line that says which file and why, exit code 2.
 */
export class RunnerError extends UserFacingError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RunnerError';
  }
}

/** Why a file could not be written, in words: a full disk, no permission, no such directory. */
export function writeFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'no space left on the device';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'permission denied';
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'its directory does not exist';
  return oneLine(err);
}
