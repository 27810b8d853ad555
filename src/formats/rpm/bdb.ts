/**
 * A bounded reader of a BerkeleyDB hash database: rpm's `Packages` up to rpm 4.15 (RHEL 7 and 8, old
 * Fedora and SUSE), keyed by a header number, whose values are header blobs.
 *
 * Page 0 is the metadata page: its magic (0x061561) at byte 12 tells the byte order the writer used, its
 * page size is at byte 20 and its last page number at byte 32. Every other page starts with a 26-byte
 * header (next page at 16, entry count at 20, free-space offset at 22, type at 25). Hash pages (types 2
 * and 13) hold an index of item offsets at 26; items alternate key and value. A value is either on the
 * page (H_KEYDATA: a type byte, then the bytes up to the previous item) or on a chain of overflow pages
 * (H_OFFPAGE: first page at +4, total length at +8; each overflow page (type 7) holds its used length at
 * byte 22 and its bytes from 26, and names the next page at 16).
 *
 * The reader walks the pages in file order instead of the buckets: every key/value pair lives on exactly
 * one hash page, and this needs no bucket arithmetic. Each overflow page is taken by at most one chain,
 * so a cyclic or shared chain ends with a note, and all work is linear in the file's pages.
 */
import { Notes } from './notes.js';

const HASH_MAGIC = 0x061561;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;
const PAGE_HEADER = 26;

interface Db {
  bytes: Uint8Array;
  dv: DataView;
  little: boolean;
  pageSize: number;
  pages: number;
  used: Set<number>;
  notes: Notes;
}

/** The values of every key/value pair, in page order (header blobs for rpm's Packages). */
export function bdbHashValues(bytes: Uint8Array, notes: Notes): Uint8Array[] {
  const db = open(bytes, notes);
  if (!db) return [];
  const out: Uint8Array[] = [];
  for (let p = 1; p < db.pages; p++) {
    const base = p * db.pageSize;
    const type = bytes[base + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const n = u16(db, base + 20);
    if (!orderly(db, base, n)) {
      notes.add('Packages (BerkeleyDB): a hash page whose items overlap or leave it');
      continue;
    }
    // Items are stored from the end of the page down: item i ends where item i-1 starts.
    for (let i = 1; i < n; i += 2) {
      const at = u16(db, base + PAGE_HEADER + i * 2);
      const end = u16(db, base + PAGE_HEADER + (i - 1) * 2);
      const v = item(db, base + at, base + end);
      if (v && !(v.length === 4 && isZeroKey(db, base, i))) out.push(v);
    }
  }
  return out;
}

function open(bytes: Uint8Array, notes: Notes): Db | undefined {
  if (bytes.length < 512) {
    notes.add('Packages (BerkeleyDB): shorter than its metadata page');
    return undefined;
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let little: boolean;
  if (dv.getUint32(12, true) === HASH_MAGIC) little = true;
  else if (dv.getUint32(12, false) === HASH_MAGIC) little = false;
  else {
    notes.add('Packages (BerkeleyDB): not a BerkeleyDB hash database');
    return undefined;
  }
  const pageSize = dv.getUint32(20, little);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    notes.add('Packages (BerkeleyDB): a page size BerkeleyDB does not allow');
    return undefined;
  }
  if (bytes[24] !== 0) {
    notes.add('Packages (BerkeleyDB): encrypted, not read');
    return undefined;
  }
  const last = dv.getUint32(32, little);
  let pages = Math.floor(bytes.length / pageSize);
  if (last + 1 > pages) notes.add('Packages (BerkeleyDB): truncated (its last page is past the end)');
  else pages = last + 1;
  return { bytes, dv, little, pageSize, pages, used: new Set(), notes };
}

const u16 = (db: Db, at: number): number => db.dv.getUint16(at, db.little);

/**
 * The item index of a hash page as BerkeleyDB keeps it: every offset below the one before it and above the
 * index itself, so items are disjoint and a page costs its size (hostile offsets could make every value
 * the whole page).
 */
function orderly(db: Db, base: number, n: number): boolean {
  const floor = PAGE_HEADER + n * 2;
  if (floor > db.pageSize) return false;
  let prev = db.pageSize;
  for (let i = 0; i < n; i++) {
    const at = u16(db, base + PAGE_HEADER + i * 2);
    if (at < floor || at >= prev) return false;
    prev = at;
  }
  return true;
}
const u32 = (db: Db, at: number): number => db.dv.getUint32(at, db.little);

/** rpm keeps a record with key 0 (the next header number); its 4-byte value is not a header. */
function isZeroKey(db: Db, base: number, i: number): boolean {
  const at = u16(db, base + PAGE_HEADER + (i - 1) * 2);
  const end = i >= 2 ? u16(db, base + PAGE_HEADER + (i - 2) * 2) : db.pageSize;
  return end - at === 5 && db.bytes[base + at] === H_KEYDATA && u32(db, base + at + 1) === 0;
}

function item(db: Db, at: number, end: number): Uint8Array | undefined {
  const type = db.bytes[at];
  if (type === H_KEYDATA) return db.bytes.subarray(at + 1, end);
  if (type !== H_OFFPAGE) {
    db.notes.add('Packages (BerkeleyDB): a value of a kind rpm does not write (duplicates)');
    return undefined;
  }
  if (end - at < 12) {
    db.notes.add('Packages (BerkeleyDB): an item outside its page');
    return undefined;
  }
  return overflow(db, u32(db, at + 4), u32(db, at + 8));
}

/**
 * The bytes of an overflow chain, each page taken once (a page met again is a cycle or a shared chain).
 * The chain is walked before anything is allocated, so a value that claims more than its pages hold
 * costs only the pages it has.
 */
function overflow(db: Db, first: number, total: number): Uint8Array | undefined {
  if (total > db.bytes.length) {
    db.notes.add('Packages (BerkeleyDB): a value longer than the file');
    return undefined;
  }
  const chain: [number, number][] = [];
  let have = 0;
  for (let p = first; have < total;) {
    const len = chainPage(db, p, total - have);
    if (len === undefined) return undefined;
    chain.push([p * db.pageSize + PAGE_HEADER, len]);
    have += len;
    if (len === 0) break;
    p = u32(db, p * db.pageSize + 16);
  }
  if (have < total) {
    db.notes.add('Packages (BerkeleyDB): an overflow chain shorter than its value');
    return undefined;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const [from, len] of chain) {
    out.set(db.bytes.subarray(from, from + len), at);
    at += len;
  }
  return out;
}

/** How many bytes of the value overflow page `p` holds, or undefined (with a note) when it cannot be one. */
function chainPage(db: Db, p: number, want: number): number | undefined {
  if (p === 0 || p >= db.pages) {
    db.notes.add('Packages (BerkeleyDB): an overflow chain that ends early or leaves the file');
    return undefined;
  }
  if (db.used.has(p)) {
    db.notes.add('Packages (BerkeleyDB): an overflow page reached twice (a cycle)');
    return undefined;
  }
  db.used.add(p);
  const base = p * db.pageSize;
  if (db.bytes[base + 25] !== P_OVERFLOW) {
    db.notes.add('Packages (BerkeleyDB): an overflow chain through a page that is not an overflow page');
    return undefined;
  }
  return Math.min(u16(db, base + 22), db.pageSize - PAGE_HEADER, want);
}
