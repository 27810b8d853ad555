/** Reading a JSON file that someone else wrote (a report, a pr.json from an artifact), with a bound. */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { formatBytes } from '../util/bytes.js';
import { InputError, oneLine } from '../util/errors.js';
import { ShapeError } from '../util/shape.js';

/**
 * The largest report read back. A report grows with the image's files (about 250 bytes a file as the
 * action writes report.json, indented), so 256 MiB is a million-file image with room to spare. Past it the
 * file is not a report but an attack on the runner: V8 cannot hold a string much over 512 MiB at all, and
 * parsing holds several times the text in objects, so an unbounded read would end in an out-of-memory crash
 * instead of a line.
 */
export const MAX_REPORT_BYTES = 256 * 1024 * 1024;

/** pr.json is a few hundred bytes; 1 MiB is generous. */
export const MAX_ENVELOPE_BYTES = 1024 * 1024;

/**
 * The parsed JSON of a regular file of at most `max` bytes. `label` names the file in every error
 * (`baseline report /x/baseline.json`). Only a regular file: a FIFO or a device (`baseline: /dev/zero`)
 * would never end.
 */
export function readJsonFile(path: string, label: string, max: number): unknown {
  let text: string;
  let fd: number | undefined;
  try {
    // Non-blocking, so that opening a FIFO returns (to be refused below) instead of waiting for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputError(`${label} is not a regular file`);
    if (st.size > max)
      throw new InputError(`${label} is ${formatBytes(st.size)}, over the limit of ${max / 2 ** 20} MiB`);
    // Exactly the size fstat gave, however the file changes meanwhile.
    const buf = Buffer.allocUnsafe(st.size);
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, n);
      if (got === 0) break;
      n += got;
    }
    text = buf.toString('utf8', 0, n);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${label} is not readable JSON: ${oneLine(err)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 quotes a piece of the text: keep the line short.
    throw new InputError(`${label} is not readable JSON: ${oneLine(err).slice(0, 200)}`);
  }
}

/** A shape's error as the one line: `label: findings[3].severity must be …`, or `label is not a …`. */
export function shapeLine(err: ShapeError, label: string): InputError {
  return new InputError(err.path.length ? `${label}: ${err.describe()}` : `${label} ${err.problem}`);
}
