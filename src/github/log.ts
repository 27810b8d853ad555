/**
 * The action's log is parsed by the runner: a line that starts with `::` (or holds `##[`) is a workflow
 * command. Text that quotes an image is escaped line by line (util/text.ts), and on top of that each block
 * of it is logged with commands stopped, under a token the image cannot guess, so that a missed escape
 * still cannot issue a command.
 */
import { randomBytes } from 'node:crypto';
import * as core from '@actions/core';

/** Runs `fn` with workflow commands stopped; whatever it logs is shown, never acted on. */
export async function withCommandsStopped<T>(
  fn: () => Promise<T> | T,
  write: (line: string) => void = (line) => core.info(line),
): Promise<T> {
  const token = `slimgate-${randomBytes(16).toString('hex')}`;
  write(`::stop-commands::${token}`);
  try {
    return await fn();
  } finally {
    write(`::${token}::`);
  }
}
