/**
 * The readers every module's parser is built from: a bounded line splitter, a bounded JSON document, and
 * the field helpers. Bounds: a body is read up to READ_CAP bytes and a line up to MAX_LINE; a name or
 * version is cut at MAX_FIELD characters. Names are bytes, kept losslessly (src/util/names.ts).
 */
import { isAscii } from 'node:buffer';
import { decodeName } from '../util/names.js';
import type { Counts, PackageRecord, ParsedDb, StreamParser } from './contract.js';

/** How far into a database the scan reads. Debian's status with 3,000 packages is about 3 MB. */
export const READ_CAP = 64 * 1024 * 1024;
/** A JSON document is parsed whole, so it is read up to this (real package.json files are a few KiB). */
const JSON_CAP = 1024 * 1024;
/** Longer lines are cut: no path (PATH_MAX) and no field Slimgate keeps comes near this. */
const MAX_LINE = 8 * 1024;
/** Names and versions longer than this are cut. */
export const MAX_FIELD = 256;
/** Packages kept per database file. */
export const MAX_RECORDS = 100_000;
/** Dependency names kept per package or application. */
export const MAX_DEPENDS = 5_000;

const newCounts = (): Counts => ({ cut: 0, outside: 0, bad: 0 });

/** A line consumer fed by a LineReader. */
export interface LineSink {
  /** Set by the LineReader that feeds it. */
  counts: Counts;
  line(b: Buffer): void;
  /** The same line as a string, when the whole chunk is ASCII with no NUL or CR (no per-line Buffer). */
  text?(s: string): void;
  /** A line over MAX_LINE, by its first bytes: does losing it lose anything kept? (Default: yes.) */
  matters?(head: Buffer): boolean;
  finish(counts: Counts): ParsedDb;
}

/** Splits a body into lines (without "\n"), up to READ_CAP bytes; an overlong line is skipped and counted. */
export class LineReader implements StreamParser {
  private carry: Buffer | undefined;
  private read = 0;
  private skipping = false;
  private readonly counts: Counts = newCounts();

  constructor(private readonly sink: LineSink) {
    sink.counts = this.counts;
  }

  write(chunk: Uint8Array): void {
    if (this.read >= READ_CAP) return;
    const n = Math.min(chunk.length, READ_CAP - this.read);
    this.read += n;
    if (this.read >= READ_CAP) this.counts.cut++;
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, n);
    // File lists are long and nearly always ASCII: one string per chunk, sliced per line, is far cheaper.
    const plain = this.sink.text && isAscii(buf) && !buf.includes(0) && !buf.includes(13);
    const str = plain ? buf.toString('latin1') : undefined;
    let start = 0;
    for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, start)) {
      if (this.skipping) this.skipping = false;
      else if (this.carry) {
        const len = this.carry.length + nl - start;
        if (len > MAX_LINE) this.tooLong(this.carry);
        else this.sink.line(Buffer.concat([this.carry, buf.subarray(start, nl)]));
      } else if (nl - start > MAX_LINE) this.tooLong(buf.subarray(start, nl));
      else if (str !== undefined) (this.sink.text as (s: string) => void)(str.slice(start, nl));
      else this.sink.line(buf.subarray(start, nl));
      this.carry = undefined;
      start = nl + 1;
    }
    if (start < buf.length && !this.skipping) this.keepRest(buf.subarray(start));
  }

  private keepRest(rest: Buffer): void {
    const len = (this.carry?.length ?? 0) + rest.length;
    if (len > MAX_LINE) {
      // The line is too long already: drop what there is and the rest of it.
      this.tooLong(this.carry ?? rest);
      this.carry = undefined;
      this.skipping = true;
    } else this.carry = this.carry ? Buffer.concat([this.carry, rest]) : Buffer.from(rest);
  }

  private tooLong(start: Buffer): void {
    if (this.sink.matters?.(start.subarray(0, 64)) ?? true) this.counts.cut++;
  }

  end(): ParsedDb {
    if (this.carry && !this.skipping) this.sink.line(this.carry);
    this.carry = undefined;
    return this.sink.finish(this.counts);
  }
}

export function withCounts(db: ParsedDb, c: Counts): ParsedDb {
  if (c.cut) db.cut = c.cut;
  if (c.outside) db.outside = c.outside;
  if (c.bad) db.bad = c.bad;
  return db;
}

/** A field value as a bounded engine string (bytes kept losslessly), or null when empty. */
export function field(b: Buffer, counts: Counts, max = MAX_FIELD): string | null {
  // Trim ASCII white space (and a CR of CRLF files) at both ends.
  let from = 0;
  let to = b.length;
  while (from < to && (b[from] === 32 || b[from] === 9)) from++;
  while (to > from && (b[to - 1] === 32 || b[to - 1] === 9 || b[to - 1] === 13)) to--;
  if (to === from) return null;
  if (to - from > max) {
    counts.cut++;
    to = cutAt(b, from, from + max);
  }
  return decodeName(b.subarray(from, to));
}

/** Moves a cut back to a UTF-8 character boundary, so that a cut never splits a character into bytes. */
function cutAt(b: Buffer, from: number, to: number): number {
  let t = to;
  while (t > from && ((b[t] as number) & 0xc0) === 0x80) t--;
  return t > from ? t : to;
}

/** A string from a parsed document, bounded as `field` bounds it, or null. */
export function textField(v: unknown, counts: Counts): string | null {
  return typeof v === 'string' && v !== '' ? field(Buffer.from(v, 'utf8'), counts) : null;
}

/** A size field: digits only, and small enough to be a real size; else undefined (and counted as bad). */
export function sizeOf(v: string | null, unit: number, counts: Counts): number | undefined {
  if (v === null) return undefined;
  if (!/^\d{1,15}$/.test(v)) {
    counts.bad++;
    return undefined;
  }
  const n = Number(v) * unit;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Where a "Field: value" line splits, or -1. */
export function colon(b: Buffer): number {
  const i = b.indexOf(58);
  return i > 0 && i < 64 ? i : -1;
}

/** A blank line (or a lone CR): the end of a stanza. */
export const isBlank = (b: Buffer): boolean => b.length === 0 || (b.length === 1 && b[0] === 13);

/** What a kept package record costs the image's budget: its strings and the object around them. */
export function recordCost(rec: PackageRecord): number {
  let n = 64 + rec.name.length + (rec.version?.length ?? 0) + (rec.arch?.length ?? 0);
  n += (rec.source?.name.length ?? 0) + (rec.source?.version?.length ?? 0);
  n += (rec.license?.length ?? 0) + (rec.supplier?.length ?? 0);
  for (const d of rec.dependsOn ?? []) n += d.length + 8;
  return n;
}

/** Dependency names, unique, each bounded, at most MAX_DEPENDS. */
export function dependencyNames(names: Iterable<string>, counts: Counts): string[] | undefined {
  const out = new Set<string>();
  for (const n of names) {
    if (n === '' || out.has(n)) continue;
    if (out.size >= MAX_DEPENDS) {
      counts.cut++;
      break;
    }
    out.add(n.length > MAX_FIELD ? (field(Buffer.from(n, 'utf8'), counts) ?? '') : n);
  }
  out.delete('');
  return out.size ? [...out] : undefined;
}

/**
 * A JSON document read whole up to JSON_CAP (a UTF-8 byte order mark is allowed, as npm allows it); `end`
 * hands the parsed object, or nothing with `bad`/`cut` counted.
 */
export class JsonReader implements StreamParser {
  private parts: Buffer[] = [];
  private have = 0;
  private over = false;

  constructor(
    private readonly kind: string,
    private readonly read: (doc: Record<string, unknown>, db: ParsedDb, counts: Counts) => void,
  ) {}

  write(chunk: Uint8Array): void {
    if (this.over) return;
    if (this.have + chunk.length > JSON_CAP) {
      this.over = true;
      this.parts = [];
      return;
    }
    this.parts.push(Buffer.from(chunk)); // a copy: the chunk's memory belongs to the decompressor
    this.have += chunk.length;
  }

  end(): ParsedDb {
    const db: ParsedDb = { kind: this.kind };
    if (this.over) {
      db.cut = 1;
      return db;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(
        Buffer.concat(this.parts)
          .toString('utf8')
          .replace(/^\uFEFF/, ''),
      );
    } catch {
      doc = undefined;
    }
    this.parts = [];
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
      db.bad = 1;
      return db;
    }
    const counts = newCounts();
    this.read(doc as Record<string, unknown>, db, counts);
    return withCounts(db, counts);
  }
}

/** The parent directory of an absolute path ("/" for a top-level one). */
export function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}
