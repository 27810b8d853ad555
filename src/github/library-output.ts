/**
 * The Actions toolkit's libraries (@actions/cache, @actions/artifact) report their own failures as
 * `::warning::`/`::error::` lines. Those would become annotations in a stranger's words, beside the one the
 * action writes itself; here they are turned into plain log lines, and the first one is kept.
 */
import { oneLine } from '../util/errors.js';

/** Runs a library call with its own annotations turned into plain log lines; returns what it flagged. */
export async function quietly<T>(
  tag: string,
  fn: () => Promise<T>,
): Promise<{ value?: T; problem?: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let problem: string | undefined;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const m = /^::(warning|error)(?: [^:]*)?::(.*)$/s.exec(text);
    if (m) {
      const msg = m[2]!.replace(/%0A/g, ' ').replace(/%0D/g, '').replace(/%25/g, '%').trim();
      problem ??= msg;
      return write(`  (${tag}) ${msg}\n`);
    }
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    const value = await fn();
    return problem ? { value, problem } : { value };
  } catch (err) {
    return { problem: problem ?? oneLine(err) };
  } finally {
    process.stdout.write = write;
  }
}
