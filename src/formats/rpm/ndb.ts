/**
 * A bounded reader of rpm's own "ndb" package store, `Packages.db` (SUSE since SLE 15 SP3, openSUSE).
 * All integers are little-endian.
 *
 * The file starts with slot pages of 4096 bytes. Page 0 opens with a 32-byte header ("RpmP", version 0,
 * generation, the number of slot pages, the next package index); the rest of the slot pages are 16-byte
 * slots: "Slot", package index, block offset, block count (a block is 16 bytes; offset 0 is a free slot).
 * A slot points to a blob: "BlbS", package index, timestamp, length; the header blob; zero padding to a
 * whole block; and a 12-byte tail: Adler-32 of everything before it, the length again, "BlbE".
 *
 * Bounds: the slot pages must lie inside the file; a slot must point past them and inside the file; slots
 * that overlap one another are dropped (so no byte is read twice); a blob whose head, tail or checksum does
 * not match its slot is dropped with a note.
 */
import { Notes } from './notes.js';

const PAGE = 4096;
const BLOCK = 16;
const HEADER = 32;
const HEAD = 16;
const TAIL = 12;
const magic = (s: string): number => Buffer.from(s, 'latin1').readUInt32LE(0);
const DB_MAGIC = magic('RpmP');
const SLOT_MAGIC = magic('Slot');
const HEAD_MAGIC = magic('BlbS');
const TAIL_MAGIC = magic('BlbE');

interface Slot {
  pkgidx: number;
  blkoff: number;
  blkcnt: number;
}

/** The header blobs of every used slot, in file order. */
export function ndbBlobs(bytes: Uint8Array, notes: Notes): Uint8Array[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (bytes.length < HEADER || dv.getUint32(0, true) !== DB_MAGIC) {
    notes.add('Packages.db (ndb): not an rpm ndb package database');
    return [];
  }
  if (dv.getUint32(4, true) !== 0) {
    notes.add('Packages.db (ndb): a version Slimgate does not know');
    return [];
  }
  const slotPages = dv.getUint32(12, true);
  if (slotPages === 0 || slotPages > bytes.length / PAGE) {
    notes.add('Packages.db (ndb): truncated (its slot pages run past the end)');
    return [];
  }
  const out: Uint8Array[] = [];
  for (const s of slots(dv, slotPages, bytes.length, notes)) {
    const blob = readBlob(dv, bytes, s);
    if (blob) out.push(blob);
    else notes.add('Packages.db (ndb): a blob whose head, tail or checksum does not match its slot');
  }
  return out;
}

function slots(dv: DataView, slotPages: number, size: number, notes: Notes): Slot[] {
  const all: Slot[] = [];
  const fileBlocks = Math.floor(size / BLOCK);
  const minBlock = (slotPages * PAGE) / BLOCK;
  for (let at = HEADER; at < slotPages * PAGE; at += BLOCK) {
    if (dv.getUint32(at, true) !== SLOT_MAGIC) {
      notes.add('Packages.db (ndb): a slot without its magic');
      continue;
    }
    const s = { pkgidx: dv.getUint32(at + 4, true), blkoff: dv.getUint32(at + 8, true), blkcnt: 0 };
    if (s.blkoff === 0) continue;
    s.blkcnt = dv.getUint32(at + 12, true);
    if (s.pkgidx === 0 || s.blkcnt === 0 || s.blkoff < minBlock || s.blkoff + s.blkcnt > fileBlocks) {
      notes.add('Packages.db (ndb): a slot that points outside the file');
      continue;
    }
    all.push(s);
  }
  all.sort((a, b) => a.blkoff - b.blkoff);
  const kept: Slot[] = [];
  let end = 0;
  for (const s of all) {
    if (s.blkoff < end) {
      notes.add('Packages.db (ndb): two slots that overlap');
      continue;
    }
    kept.push(s);
    end = s.blkoff + s.blkcnt;
  }
  return kept;
}

function readBlob(dv: DataView, bytes: Uint8Array, s: Slot): Uint8Array | undefined {
  const at = s.blkoff * BLOCK;
  const span = s.blkcnt * BLOCK;
  if (span < HEAD + TAIL) return undefined;
  if (dv.getUint32(at, true) !== HEAD_MAGIC || dv.getUint32(at + 4, true) !== s.pkgidx) return undefined;
  const len = dv.getUint32(at + 12, true);
  if (Math.ceil((HEAD + len + TAIL) / BLOCK) !== s.blkcnt) return undefined;
  const tail = at + span - TAIL;
  if (dv.getUint32(tail + 4, true) !== len || dv.getUint32(tail + 8, true) !== TAIL_MAGIC) return undefined;
  if (dv.getUint32(tail, true) !== adler32(bytes.subarray(at, tail))) return undefined;
  return bytes.subarray(at + HEAD, at + HEAD + len);
}

/** Adler-32 (RFC 1950), reduced every 5552 bytes as zlib does so the sums stay exact. */
function adler32(b: Uint8Array): number {
  let s1 = 1;
  let s2 = 0;
  for (let i = 0; i < b.length;) {
    const stop = Math.min(b.length, i + 5552);
    for (; i < stop; i++) {
      s1 += b[i] as number;
      s2 += s1;
    }
    s1 %= 65521;
    s2 %= 65521;
  }
  return ((s2 << 16) | s1) >>> 0;
}
