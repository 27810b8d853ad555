// Builders of rpm database bytes for tests, written from the formats' descriptions: an rpm header blob,
// rpm's ndb Packages.db, and small hand-made SQLite and BerkeleyDB hash files for hostile cases.
import { deflateSync } from 'node:zlib';

export interface HeaderEntry {
  tag: number;
  type: number;
  data: Buffer;
  count: number;
  /** Overrides the computed offset (hostile headers). */
  offset?: number;
}

const z = Buffer.of(0);
const bytes = (s: string | Buffer): Buffer => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s);

export const str = (tag: number, s: string | Buffer): HeaderEntry => ({
  tag,
  type: 6,
  data: Buffer.concat([bytes(s), z]),
  count: 1,
});

export const strs = (tag: number, list: (string | Buffer)[]): HeaderEntry => ({
  tag,
  type: 8,
  data: Buffer.concat(list.flatMap((s) => [bytes(s), z])),
  count: list.length,
});

export const i32 = (tag: number, nums: number[]): HeaderEntry => {
  const data = Buffer.alloc(nums.length * 4);
  nums.forEach((n, i) => data.writeUInt32BE(n, i * 4));
  return { tag, type: 4, data, count: nums.length };
};

/** A header blob as the databases store it: il, dl, the index, the data (int32 data aligned to 4). */
export function rpmHeader(entries: HeaderEntry[], region = true): Buffer {
  const all: HeaderEntry[] = region
    ? [{ tag: 63, type: 7, data: Buffer.alloc(16), count: 16 }, ...entries]
    : entries;
  const parts: Buffer[] = [];
  let at = 0;
  const index = Buffer.alloc(all.length * 16);
  all.forEach((e, i) => {
    const pad = e.type === 4 ? (4 - (at % 4)) % 4 : 0;
    if (pad) parts.push(Buffer.alloc(pad));
    at += pad;
    index.writeUInt32BE(e.tag, i * 16);
    index.writeUInt32BE(e.type, i * 16 + 4);
    index.writeUInt32BE(e.offset ?? at, i * 16 + 8);
    index.writeUInt32BE(e.count, i * 16 + 12);
    parts.push(e.data);
    at += e.data.length;
  });
  const pre = Buffer.alloc(8);
  pre.writeUInt32BE(all.length, 0);
  pre.writeUInt32BE(at, 4);
  return Buffer.concat([pre, index, ...parts]);
}

/** Adler-32 as zlib computes it: the last 4 bytes of a zlib stream. */
const adler = (b: Buffer): number => deflateSync(b).readUInt32BE(deflateSync(b).length - 4);

/** rpm's ndb Packages.db holding these blobs (package indexes 1..n), one slot page. */
export function ndbFile(blobs: Buffer[]): Buffer {
  const page = Buffer.alloc(4096);
  page.write('RpmP', 0, 'latin1');
  page.writeUInt32LE(0, 4);
  page.writeUInt32LE(1, 8);
  page.writeUInt32LE(1, 12);
  page.writeUInt32LE(blobs.length + 1, 16);
  for (let at = 32; at < 4096; at += 16) page.write('Slot', at, 'latin1');
  const out: Buffer[] = [page];
  let block = 4096 / 16;
  blobs.forEach((blob, i) => {
    const cnt = Math.ceil((16 + blob.length + 12) / 16);
    const b = Buffer.alloc(cnt * 16);
    b.write('BlbS', 0, 'latin1');
    b.writeUInt32LE(i + 1, 4);
    b.writeUInt32LE(1_700_000_000, 8);
    b.writeUInt32LE(blob.length, 12);
    blob.copy(b, 16);
    const tail = b.length - 12;
    b.writeUInt32LE(adler(b.subarray(0, tail)), tail);
    b.writeUInt32LE(blob.length, tail + 4);
    b.write('BlbE', tail + 8, 'latin1');
    const slot = 32 + i * 16;
    page.writeUInt32LE(i + 1, slot + 4);
    page.writeUInt32LE(block, slot + 8);
    page.writeUInt32LE(cnt, slot + 12);
    out.push(b);
    block += cnt;
  });
  return Buffer.concat(out);
}

// --- SQLite, hand-made: page size 512, no reserved bytes ---

const PS = 512;

function varint(n: number): Buffer {
  if (n < 0x80) return Buffer.of(n);
  const out: number[] = [];
  let v = n;
  out.unshift(v & 0x7f);
  v = Math.floor(v / 128);
  while (v > 0) {
    out.unshift((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  return Buffer.from(out);
}

/** A record of text, blob, small int or null values. */
export function sqliteRecord(values: (string | Buffer | number | null)[]): Buffer {
  const types: Buffer[] = [];
  const body: Buffer[] = [];
  for (const v of values) {
    if (v === null) types.push(varint(0));
    else if (typeof v === 'number') {
      types.push(varint(1));
      body.push(Buffer.of(v));
    } else if (typeof v === 'string') {
      types.push(varint(13 + 2 * Buffer.byteLength(v)));
      body.push(Buffer.from(v));
    } else {
      types.push(varint(12 + 2 * v.length));
      body.push(v);
    }
  }
  const t = Buffer.concat(types);
  return Buffer.concat([varint(t.length + 1), t, ...body]);
}

/** One page: type, cells (already encoded, placed from the end down), right-most pointer for interiors. */
export function sqlitePage(kind: 0x05 | 0x0d, cells: Buffer[], right = 0, first = false): Buffer {
  const page = Buffer.alloc(PS);
  const hdr = first ? 100 : 0;
  page[hdr] = kind;
  page.writeUInt16BE(cells.length, hdr + 3);
  if (kind === 0x05) page.writeUInt32BE(right, hdr + 8);
  const ptrs = hdr + (kind === 0x05 ? 12 : 8);
  let end = PS;
  cells.forEach((c, i) => {
    end -= c.length;
    c.copy(page, end);
    page.writeUInt16BE(end, ptrs + i * 2);
  });
  page.writeUInt16BE(end, hdr + 5);
  return page;
}

/** A table leaf cell; a payload longer than fits locally spills to `overflow` (its first page). */
export function leafCell(rowid: number, payload: Buffer, overflow = 0): { cell: Buffer; rest: Buffer } {
  const u = PS;
  const x = u - 35;
  let local = payload.length;
  if (payload.length > x) {
    const m = Math.floor(((u - 12) * 32) / 255) - 23;
    const k = m + ((payload.length - m) % (u - 4));
    local = k <= x ? k : m;
  }
  const parts = [varint(payload.length), varint(rowid), payload.subarray(0, local)];
  if (local < payload.length) {
    const p = Buffer.alloc(4);
    p.writeUInt32BE(overflow);
    parts.push(p);
  }
  return { cell: Buffer.concat(parts), rest: payload.subarray(local) };
}

export const interiorCell = (child: number, key: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(child);
  return Buffer.concat([b, varint(key)]);
};

/** An overflow page: next page, then up to 508 bytes. */
export function overflowPage(next: number, data: Buffer): Buffer {
  const page = Buffer.alloc(PS);
  page.writeUInt32BE(next, 0);
  data.copy(page, 4, 0, Math.min(data.length, PS - 4));
  return page;
}

/** A whole file from pages 1..n; page 1 gets the header and a schema naming `Packages` at `root`. */
export function sqliteFile(root: number, pages: Buffer[]): Buffer {
  const schema = sqliteRecord([
    'table',
    'Packages',
    'Packages',
    root,
    'CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)',
  ]);
  const p1 = sqlitePage(0x0d, [leafCell(1, schema).cell], 0, true);
  p1.write('SQLite format 3\0', 0, 'latin1');
  p1.writeUInt16BE(PS, 16);
  p1[18] = 1;
  p1[19] = 1;
  p1[21] = 64;
  p1[22] = 32;
  p1[23] = 32;
  p1.writeUInt32BE(pages.length + 1, 28);
  p1.writeUInt32BE(1, 56);
  return Buffer.concat([p1, ...pages]);
}

// --- BerkeleyDB hash, hand-made: page size 512 ---

/** A metadata page (hash magic) in the given byte order. */
export function bdbMeta(lastPage: number, little = true): Buffer {
  const p = Buffer.alloc(PS);
  const w = (v: number, at: number): number => (little ? p.writeUInt32LE(v, at) : p.writeUInt32BE(v, at));
  w(0x061561, 12);
  w(9, 16);
  w(PS, 20);
  p[25] = 8;
  w(lastPage, 32);
  return p;
}

/** A page header: next page, entries, free offset, type. */
function bdbPage(type: number, next: number, entries: number, hf: number, little: boolean): Buffer {
  const p = Buffer.alloc(PS);
  if (little) {
    p.writeUInt32LE(next, 16);
    p.writeUInt16LE(entries, 20);
    p.writeUInt16LE(hf, 22);
  } else {
    p.writeUInt32BE(next, 16);
    p.writeUInt16BE(entries, 20);
    p.writeUInt16BE(hf, 22);
  }
  p[25] = type;
  return p;
}

/** A hash page with key/value pairs: a Buffer value on the page, or {page, length} off page. */
export function bdbHashPage(
  pairs: [number, Buffer | { page: number; length: number }][],
  little = true,
): Buffer {
  const items: Buffer[] = [];
  for (const [key, value] of pairs) {
    const k = Buffer.alloc(5);
    k[0] = 1;
    if (little) k.writeUInt32LE(key, 1);
    else k.writeUInt32BE(key, 1);
    items.push(k);
    if (Buffer.isBuffer(value)) items.push(Buffer.concat([Buffer.of(1), value]));
    else {
      const o = Buffer.alloc(12);
      o[0] = 3;
      if (little) {
        o.writeUInt32LE(value.page, 4);
        o.writeUInt32LE(value.length, 8);
      } else {
        o.writeUInt32BE(value.page, 4);
        o.writeUInt32BE(value.length, 8);
      }
      items.push(o);
    }
  }
  let end = PS;
  const offs: number[] = [];
  const page = bdbPage(13, 0, items.length, 0, little);
  for (const it of items) {
    end -= it.length;
    it.copy(page, end);
    offs.push(end);
  }
  offs.forEach((o, i) => (little ? page.writeUInt16LE(o, 26 + i * 2) : page.writeUInt16BE(o, 26 + i * 2)));
  return page;
}

/** Overflow pages holding `data` on pages first.., chained; `loopTo` makes the last page point back. */
export function bdbOverflow(first: number, data: Buffer, little = true, loopTo = 0): Buffer[] {
  const per = PS - 26;
  const n = Math.max(1, Math.ceil(data.length / per));
  const pages: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const chunk = data.subarray(i * per, (i + 1) * per);
    const next = i + 1 < n ? first + i + 1 : loopTo;
    const p = bdbPage(7, next, 1, chunk.length, little);
    chunk.copy(p, 26);
    pages.push(p);
  }
  return pages;
}
