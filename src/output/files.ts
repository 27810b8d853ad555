/** Writing a file the user named (--sarif, --html, the action's inputs): its directory made, one line on failure. */
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError, oneLine } from '../util/errors.js';

/**
 * Creates the missing directories above `file`, one by one: Node's recursive mkdirSync never returns on
 * some paths (under /proc), and a typo must give an error, not a hang.
 */
function makeParents(file: string): void {
  const missing: string[] = [];
  for (let d = dirname(file); !existsSync(d) && d !== dirname(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) mkdirSync(d);
}

/** Writes `text` to `file`; `what` names it in the error (`the SARIF file`). Returns the absolute path. */
export function writeOutputFile(file: string, text: string, what: string): string {
  const path = resolve(file);
  try {
    makeParents(path);
    writeFileSync(path, text);
  } catch (err) {
    throw new InputError(`cannot write ${what} ${file}: ${oneLine(err)}`);
  }
  return path;
}

/** Writes `chunks` to `file` as they come (a large SBOM is never one string); as writeOutputFile otherwise. */
export function writeOutputChunks(file: string, chunks: Iterable<string>, what: string): string {
  const path = resolve(file);
  let fd: number | undefined;
  try {
    makeParents(path);
    fd = openSync(path, 'w');
    for (const c of chunks) writeSync(fd, c);
  } catch (err) {
    throw new InputError(`cannot write ${what} ${file}: ${oneLine(err)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return path;
}
