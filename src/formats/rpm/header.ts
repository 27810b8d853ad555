/**
 * An rpm header as the package databases store it: the header's own bytes without the 8-byte magic of a
 * .rpm file. All integers are big-endian.
 *
 *   u32 il (index entries), u32 dl (data bytes), il × { u32 tag, u32 type, u32 offset, u32 count }, dl bytes
 *
 * The first entry is often a region tag (61..63) whose data is a trailer inside the store; the region is
 * the header as built, and entries after it were added at install time (a later entry of the same tag
 * wins). Only the tags Slimgate uses are decoded. Every read is checked against the store: an entry whose
 * data runs past it, a string with no NUL before its end, a count larger than its bytes allow, or two
 * decoded entries whose data overlap makes the header bad (one note), never an out-of-range read. Work is
 * linear in the blob's size: a count can never ask for more items than the store has bytes.
 */
import { decodeName } from '../../util/names.js';
import { cleanPath } from '../../util/paths.js';

export const TAG = {
  name: 1000,
  version: 1001,
  release: 1002,
  epoch: 1003,
  size: 1009,
  vendor: 1011,
  license: 1014,
  packager: 1015,
  arch: 1022,
  oldFilenames: 1027,
  fileSizes: 1028,
  fileModes: 1030,
  sourceRpm: 1044,
  provideName: 1047,
  requireName: 1049,
  dirIndexes: 1116,
  baseNames: 1117,
  dirNames: 1118,
  longFileSizes: 5008,
  longSize: 5009,
} as const;

const TYPE = { int16: 3, int32: 4, int64: 5, string: 6, bin: 7, stringArray: 8, i18n: 9 } as const;

/** rpm's own limits (hdrblob: at most 0xffff tags, 256 MiB of data). */
const MAX_TAGS = 0xffff;
const MAX_DATA = 256 * 1024 * 1024;
/** Longer names, versions and other single strings are cut. */
export const MAX_FIELD = 256;
const MAX_TEXT = 1024;

export interface RpmHeader {
  name: string;
  epoch?: number;
  version?: string;
  release?: string;
  arch?: string;
  /** SIZE (LONGSIZE when present): the installed size the package declares, in bytes. */
  size?: number;
  sourceRpm?: string;
  license?: string;
  vendor?: string;
  packager?: string;
  requires: string[];
  provides: string[];
  /** The owned paths, absolute and cleaned, in header order. */
  files: string[];
  /** FILESIZES (LONGFILESIZES), parallel to `files` when the header has them for every file. */
  fileSizes?: number[];
  /** FILEMODES, parallel to `files` when the header has them for every file. */
  fileModes?: number[];
}

export type HeaderResult = { header: RpmHeader; notes: string[] } | { error: string };

interface Entry {
  type: number;
  offset: number;
  count: number;
}

class BadHeader extends Error {}

/** A view of one header's entries and store, every read checked. */
class HeaderView {
  readonly entries = new Map<number, Entry>();
  private readonly extents: [number, number][] = [];

  constructor(
    private readonly store: Uint8Array,
    private readonly dv: DataView,
  ) {}

  has(tag: number): boolean {
    return this.entries.has(tag);
  }

  private entry(tag: number, types: readonly number[]): Entry | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    if (!types.includes(e.type)) throw new BadHeader('an entry has an unexpected type');
    if (e.offset >= this.store.length && e.count > 0) throw new BadHeader('an entry points past the data');
    return e;
  }

  /** Strings of a STRING_ARRAY (or the first of a STRING / I18NSTRING), each up to its NUL. */
  strings(tag: number, max = Infinity): Uint8Array[] | undefined {
    const e = this.entry(tag, [TYPE.string, TYPE.stringArray, TYPE.i18n]);
    if (!e) return undefined;
    const n = e.type === TYPE.stringArray ? e.count : 1;
    if (n > this.store.length - e.offset) throw new BadHeader('a count is larger than the data allows');
    const out: Uint8Array[] = [];
    let at = e.offset;
    for (let i = 0; i < n; i++) {
      const nul = this.store.indexOf(0, at);
      if (nul === -1) throw new BadHeader('a string has no NUL before the end of the data');
      if (out.length < max) out.push(this.store.subarray(at, nul));
      at = nul + 1;
    }
    this.extents.push([e.offset, at]);
    return out;
  }

  string(tag: number): Uint8Array | undefined {
    return this.strings(tag, 1)?.[0];
  }

  /** An INT16 / INT32 / INT64 array (INT64 read as a Number: sizes are far below 2^53). */
  ints(tag: number): number[] | undefined {
    const e = this.entry(tag, [TYPE.int16, TYPE.int32, TYPE.int64]);
    if (!e) return undefined;
    const width = e.type === TYPE.int16 ? 2 : e.type === TYPE.int32 ? 4 : 8;
    if (e.count > (this.store.length - e.offset) / width) throw new BadHeader('an entry runs past the data');
    const out = new Array<number>(e.count);
    for (let i = 0, at = e.offset; i < e.count; i++, at += width) {
      if (width === 2) out[i] = this.dv.getUint16(at);
      else if (width === 4) out[i] = this.dv.getUint32(at);
      else out[i] = this.dv.getUint32(at) * 2 ** 32 + this.dv.getUint32(at + 4);
    }
    this.extents.push([e.offset, e.offset + e.count * width]);
    return out;
  }

  int(tag: number): number | undefined {
    const v = this.ints(tag);
    return v && v.length > 0 ? v[0] : undefined;
  }

  /** Two decoded entries whose data overlap: rpm rejects such a header, and so does Slimgate. */
  checkOverlap(): void {
    const xs = this.extents.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < xs.length; i++) {
      const prev = xs[i - 1] as [number, number];
      const cur = xs[i] as [number, number];
      if (cur[0] < prev[1] && !(cur[0] === prev[0] && cur[1] === prev[1]))
        throw new BadHeader('two entries overlap');
    }
  }
}

/** The index and store of a blob, or the reason it is not a header. */
function view(blob: Uint8Array): HeaderView {
  if (blob.length < 8) throw new BadHeader('shorter than its preamble');
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.length);
  const il = dv.getUint32(0);
  const dl = dv.getUint32(4);
  if (il === 0 || il > MAX_TAGS) throw new BadHeader('an index count out of range');
  if (dl > MAX_DATA) throw new BadHeader('a data length out of range');
  const storeAt = 8 + il * 16;
  if (storeAt + dl > blob.length)
    throw new BadHeader('truncated (its counts ask for more bytes than it has)');
  const store = blob.subarray(storeAt, storeAt + dl);
  const v = new HeaderView(store, new DataView(blob.buffer, blob.byteOffset + storeAt, dl));
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    const tag = dv.getUint32(at);
    const e = { type: dv.getUint32(at + 4), offset: dv.getUint32(at + 8), count: dv.getUint32(at + 12) };
    // Region tags (61..63) and tags Slimgate does not use are skipped unread.
    if (tag >= 1000) v.entries.set(tag, e);
  }
  return v;
}

/** A string cut at `max` bytes, moved back to a UTF-8 character boundary so a cut never splits one. */
function text(b: Uint8Array | undefined, max = MAX_FIELD): string | undefined {
  if (b === undefined || b.length === 0) return undefined;
  let to = Math.min(b.length, max);
  if (to < b.length) while (to > 0 && ((b[to] as number) & 0xc0) === 0x80) to--;
  return to > 0 ? decodeName(b.subarray(0, to)) : undefined;
}

/** Decodes one header blob; a bad one gives `{ error }` with one fixed sentence. */
export function decodeHeader(blob: Uint8Array): HeaderResult {
  try {
    return decode(view(blob));
  } catch (e) {
    if (e instanceof BadHeader) return { error: `rpm header: ${e.message}` };
    throw e;
  }
}

function decode(v: HeaderView): HeaderResult {
  const name = text(v.string(TAG.name));
  if (!name) return { error: 'rpm header: no NAME' };
  const notes: string[] = [];
  const h: RpmHeader = { name, requires: [], provides: [], files: [] };
  const set = <K extends keyof RpmHeader>(k: K, val: RpmHeader[K] | undefined): void => {
    if (val !== undefined) h[k] = val;
  };
  set('epoch', v.int(TAG.epoch));
  set('version', text(v.string(TAG.version)));
  set('release', text(v.string(TAG.release)));
  set('arch', text(v.string(TAG.arch)));
  set('size', v.has(TAG.longSize) ? v.int(TAG.longSize) : v.int(TAG.size));
  set('sourceRpm', text(v.string(TAG.sourceRpm), MAX_TEXT));
  set('license', text(v.string(TAG.license), MAX_TEXT));
  set('vendor', text(v.string(TAG.vendor)));
  set('packager', text(v.string(TAG.packager)));
  h.requires = names(v.strings(TAG.requireName));
  h.provides = names(v.strings(TAG.provideName));
  files(v, h, notes);
  v.checkOverlap();
  return { header: h, notes };
}

function names(list: Uint8Array[] | undefined): string[] {
  const out = new Set<string>();
  for (const b of list ?? []) if (b.length > 0 && b.length <= MAX_FIELD) out.add(decodeName(b));
  return [...out];
}

/** The file list: DIRNAMES[DIRINDEXES[i]] + BASENAMES[i], or the OLDFILENAMES of rpm < 4.1 headers. */
function files(v: HeaderView, h: RpmHeader, notes: string[]): void {
  let raw: Uint8Array[] = [];
  let bad = 0;
  const base = v.strings(TAG.baseNames);
  if (base) {
    const dirs = v.strings(TAG.dirNames) ?? [];
    const idx = v.ints(TAG.dirIndexes) ?? [];
    if (idx.length !== base.length) throw new BadHeader('DIRINDEXES and BASENAMES differ in count');
    for (let i = 0; i < base.length; i++) {
      const d = dirs[idx[i] as number];
      if (d === undefined) bad++;
      else raw.push(Buffer.concat([d, base[i] as Uint8Array]));
    }
    if (bad) notes.push('rpm header: a file names a directory index the header does not have');
  } else raw = v.strings(TAG.oldFilenames) ?? [];
  let outside = 0;
  for (const b of raw) {
    const p = b.length > 0 && b[0] === 47 && !b.includes(0) ? cleanPath(decodeName(b)) : undefined;
    if (p === undefined || p === '/') outside++;
    else h.files.push(p);
  }
  if (outside) notes.push('rpm header: a file path is not absolute or climbs out of the root');
  const sizes = v.has(TAG.longFileSizes) ? v.ints(TAG.longFileSizes) : v.ints(TAG.fileSizes);
  const modes = v.ints(TAG.fileModes);
  // Only a list with no file left out stays parallel to FILESIZES and FILEMODES.
  const whole = !outside && !bad;
  if (whole && sizes?.length === h.files.length) h.fileSizes = sizes;
  if (whole && modes?.length === h.files.length) h.fileModes = modes;
}
