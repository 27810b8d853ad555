/**
 * A file list: one path a line. `list` is dpkg's info/NAME.list (absolute paths; "/." is the root);
 * `md5sums` is "HASH  PATH" with PATH relative to the root; `record` is Python's RECORD, CSV
 * "PATH,HASH,SIZE" with PATH relative to `base`. Listed paths are held to the limits image entries are
 * held to (src/util/limits.ts): a path past them is not a file any image can hold.
 */
import { decodeName } from '../util/names.js';
import { pastLimits } from '../util/limits.js';
import { cleanPath } from '../util/paths.js';
import type { Budget, Counts, ParsedDb } from './contract.js';
import { withCounts, type LineSink } from './read.js';

export class PathList implements LineSink {
  counts!: Counts;
  private readonly paths: string[] = [];

  constructor(
    private readonly kind: string,
    private readonly form: 'list' | 'md5sums' | 'record',
    private readonly base: string,
    private readonly budget: Budget,
  ) {}

  line(b: Buffer): void {
    let raw: Buffer | undefined = b;
    if (b.length && b[b.length - 1] === 13) raw = b.subarray(0, b.length - 1);
    if (this.form === 'md5sums') {
      const sp = raw.indexOf('  ');
      raw = sp > 0 ? raw.subarray(sp + 2) : undefined;
    } else if (this.form === 'record') raw = csvFirst(raw);
    if (raw === undefined || raw.length === 0) {
      if (b.length) this.counts.bad++;
      return;
    }
    if (raw.includes(0) || (this.form === 'list' && raw[0] !== 47)) {
      this.counts.bad++;
      return;
    }
    this.keep(decodeName(raw));
  }

  text(line: string): void {
    // CSV quoting is rare: the byte path handles it (and CRs and NULs, which never reach here).
    if (this.form === 'record' && line.startsWith('"')) return this.line(Buffer.from(line, 'latin1'));
    let name: string = line;
    if (this.form === 'md5sums') {
      const sp = line.indexOf('  ');
      name = sp > 0 ? line.slice(sp + 2) : '';
    } else if (this.form === 'record') {
      const comma = line.indexOf(',');
      if (comma !== -1) name = line.slice(0, comma);
    }
    if (name === '') {
      if (line !== '') this.counts.bad++;
      return;
    }
    if (this.form === 'list' && name.charCodeAt(0) !== 47) {
      this.counts.bad++;
      return;
    }
    this.keep(name);
  }

  private keep(name: string): void {
    const path = this.resolve(name);
    if (path === undefined) {
      this.counts.outside++;
      return;
    }
    if (path === '/') return;
    if (pastLimits(path, null)) {
      this.counts.bad++;
      return;
    }
    if (!this.budget.take(path.length + 1)) {
      this.counts.cut++;
      return;
    }
    this.paths.push(path);
  }

  private resolve(name: string): string | undefined {
    return cleanPath(
      this.form === 'list' ? name : this.form === 'md5sums' ? `/${name}` : `${this.base}/${name}`,
    );
  }

  finish(c: Counts): ParsedDb {
    return withCounts({ kind: this.kind, files: this.paths.join('\n') }, c);
  }
}

/** The first field of a CSV line, unquoted ("a,b" or "\"a,b\",c"). */
function csvFirst(b: Buffer): Buffer | undefined {
  if (b[0] !== 34) {
    const i = b.indexOf(44);
    return i === -1 ? b : b.subarray(0, i);
  }
  const parts: Buffer[] = [];
  let from = 1;
  for (;;) {
    const q = b.indexOf(34, from);
    if (q === -1) return undefined;
    parts.push(b.subarray(from, q));
    if (b[q + 1] === 34) {
      parts.push(b.subarray(q, q + 1));
      from = q + 2;
    } else return Buffer.concat(parts);
  }
}
