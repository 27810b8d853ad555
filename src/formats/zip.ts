/**
 * A bounded reader of a ZIP archive held in memory (a jar, war or ear): its central directory, and the
 * bytes of one entry, inflated with an output cap. Never a crash on bad bytes: each fault is a note.
 *
 * - The end record is searched in the last 64 KiB + 22 bytes (its comment is at most 65,535 bytes).
 * - ZIP64: the ZIP64 end record (through its locator) and the ZIP64 extra field of an entry are read, for
 *   sizes and offsets past 4 GiB; multi-disk archives are refused with a note.
 * - Bytes before the archive (a launch script in front of a Spring Boot jar) shift every offset: the shift
 *   is where the central directory really is minus where the end record says it is, as Java's reader does.
 * - At most `maxEntries` entries are listed; an entry whose offsets fall outside the archive is skipped.
 */
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** The name's raw bytes (names in a ZIP are bytes, UTF-8 only when flagged). */
  name: Buffer;
  method: number;
  compressed: number;
  size: number;
  /** Offset of the local header, shifted into the held buffer. */
  local: number;
}

export interface ZipListing {
  entries: ZipEntry[];
  /** Entries the central directory claims beyond those listed. */
  cut: number;
  notes: string[];
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const LOCATOR64 = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The archive's entries, up to `maxEntries`, whose names `want` accepts (the others are passed over). */
export function listZip(buf: Buffer, maxEntries: number, want: (name: Buffer) => boolean): ZipListing {
  const out: ZipListing = { entries: [], cut: 0, notes: [] };
  const end = findEnd(buf);
  if (end === -1) {
    out.notes.push('no ZIP end record: not a ZIP archive, or cut short');
    return out;
  }
  const dir = directory(buf, end);
  if ('error' in dir) {
    out.notes.push(dir.error);
    return out;
  }
  let at = dir.start;
  let bad = 0;
  for (let i = 0; i < dir.count; i++) {
    if (i >= maxEntries) {
      out.cut = dir.count - i;
      out.notes.push(`more than ${maxEntries} entries: the rest were not read`);
      break;
    }
    if (at + 46 > dir.end || buf.readUInt32LE(at) !== CENTRAL) {
      out.notes.push('the central directory ends before the count it claims');
      break;
    }
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const next = at + 46 + nameLen + extraLen + buf.readUInt16LE(at + 32);
    if (next > dir.end) {
      out.notes.push('a central directory entry runs past its end');
      break;
    }
    const name = buf.subarray(at + 46, at + 46 + nameLen);
    if (want(name)) {
      const e = entryAt(buf, at, name, dir.shift);
      if (e) out.entries.push(e);
      else bad++;
    }
    at = next;
  }
  if (bad) out.notes.push(`${bad} entries with offsets outside the archive were skipped`);
  return out;
}

function findEnd(buf: Buffer): number {
  const low = Math.max(0, buf.length - 22 - 65_535);
  for (let i = buf.length - 22; i >= low; i--) if (buf.readUInt32LE(i) === EOCD) return i;
  return -1;
}

interface Directory {
  start: number;
  end: number;
  count: number;
  shift: number;
}

function directory(buf: Buffer, end: number): Directory | { error: string } {
  if (buf.readUInt16LE(end + 4) !== 0 || buf.readUInt16LE(end + 6) !== 0)
    return { error: 'a multi-disk ZIP archive: not read' };
  let count = buf.readUInt16LE(end + 10);
  let size = buf.readUInt32LE(end + 12);
  let offset = buf.readUInt32LE(end + 16);
  let dirEnd = end;
  // 0xffff entries is also a real count: only a locator makes it a ZIP64 archive.
  const locator = end >= 20 && buf.readUInt32LE(end - 20) === LOCATOR64;
  if (locator || size === 0xffffffff || offset === 0xffffffff) {
    const z = zip64End(buf, end);
    if ('error' in z) return z;
    ({ count, size, offset } = z);
    dirEnd = z.at;
  }
  const start = dirEnd - size;
  if (start < 0 || size < 0 || count < 0 || offset < 0)
    return { error: 'the central directory lies outside the archive' };
  return { start, end: dirEnd, count, shift: start - offset };
}

function zip64End(
  buf: Buffer,
  end: number,
): { count: number; size: number; offset: number; at: number } | { error: string } {
  const loc = end - 20;
  if (loc < 0 || buf.readUInt32LE(loc) !== LOCATOR64) return { error: 'a ZIP64 archive without its locator' };
  const claimed = safe(buf.readBigUInt64LE(loc + 8));
  // The record sits right before its locator when nothing is prepended; else trust the claimed offset.
  const at = loc - 56 >= 0 && buf.readUInt32LE(loc - 56) === EOCD64 ? loc - 56 : claimed;
  if (at < 0 || at + 56 > buf.length || buf.readUInt32LE(at) !== EOCD64)
    return { error: 'the ZIP64 end record is not where its locator says' };
  return {
    count: safe(buf.readBigUInt64LE(at + 32)),
    size: safe(buf.readBigUInt64LE(at + 40)),
    offset: safe(buf.readBigUInt64LE(at + 48)),
    at,
  };
}

const safe = (v: bigint): number => (v > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(v));

function entryAt(buf: Buffer, at: number, name: Buffer, shift: number): ZipEntry | undefined {
  let compressed = buf.readUInt32LE(at + 20);
  let size = buf.readUInt32LE(at + 24);
  let local = buf.readUInt32LE(at + 42);
  if (compressed === 0xffffffff || size === 0xffffffff || local === 0xffffffff) {
    // The ZIP64 extra field holds, in this order, only the values that overflowed.
    const extra = buf.subarray(at + 46 + name.length, at + 46 + name.length + buf.readUInt16LE(at + 30));
    const big = zip64Extra(extra);
    let k = 0;
    if (size === 0xffffffff) size = big[k++] ?? -1;
    if (compressed === 0xffffffff) compressed = big[k++] ?? -1;
    if (local === 0xffffffff) local = big[k] ?? -1;
  }
  local += shift;
  if (compressed < 0 || size < 0 || local < 0 || local + 30 > buf.length) return undefined;
  return { name, method: buf.readUInt16LE(at + 10), compressed, size, local };
}

function zip64Extra(extra: Buffer): number[] {
  for (let i = 0; i + 4 <= extra.length;) {
    const id = extra.readUInt16LE(i);
    const len = extra.readUInt16LE(i + 2);
    if (id === 1) {
      const out: number[] = [];
      for (let j = i + 4; j + 8 <= Math.min(extra.length, i + 4 + len); j += 8)
        out.push(safe(extra.readBigUInt64LE(j)));
      return out;
    }
    i += 4 + len;
  }
  return [];
}

/** An entry's bytes, inflated up to `cap` bytes; a string says why not. */
export function readEntry(buf: Buffer, e: ZipEntry, cap: number): Buffer | string {
  if (buf.readUInt32LE(e.local) !== LOCAL) return 'an entry without its local header';
  const data = e.local + 30 + buf.readUInt16LE(e.local + 26) + buf.readUInt16LE(e.local + 28);
  if (data + e.compressed > buf.length) return 'an entry that runs past the archive';
  const raw = buf.subarray(data, data + e.compressed);
  if (e.method === 0) return raw.length > cap ? `an entry larger than ${cap} bytes` : raw;
  if (e.method !== 8) return `an entry compressed with method ${e.method}, not read`;
  try {
    return inflateRawSync(raw, { maxOutputLength: cap });
  } catch (err) {
    const code = (err as { code?: string }).code;
    return code === 'ERR_BUFFER_TOO_LARGE'
      ? `an entry that inflates past ${cap} bytes (a zip bomb?), not read`
      : 'an entry whose deflate data is broken';
  }
}
