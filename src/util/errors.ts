import { escapeControls } from './text.js';

/** An error in what the user gave us (a source, a flag, an archive): one line, exit code 2. */
export class InputError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * The one line to show for any thrown value; never a stack trace. Messages quote image data (paths, tags,
 * labels), so control characters are escaped: the line can neither drive a terminal nor start another.
 */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return escapeControls(msg.trim()) || 'unknown error';
}
