/**
 * The names of the functions linked into a Go binary, read from its function table (the pclntab) as the
 * body streams past (src/scan/elf-probe.ts hands over the chunks); nothing of the body is kept.
 *
 * The table starts with a header (Go 1.18 and later):
 *   magic u32 (0xfffffff0: Go 1.18 and 1.19, 0xfffffff1: Go 1.20 and later), two zero bytes, minLC u8,
 *   ptrSize u8, then eight pointer-sized fields: nfunc, nfiles, textStart, and the offsets from the header
 *   of funcnametab, cutab, filetab, pctab and the function table itself, in that order in the file.
 * Without section headers (they come at the end of a file that GNU ld linked), the table is found by its
 * header: the search runs in the non-executable PT_LOAD segments (`.gopclntab` sits in the read-only one;
 * in a PIE it is inside `.data.rel.ro`), and a candidate counts only when its fields agree (ptrSize of the
 * ELF class, minLC of the machine, offsets in order, the function table inside the file).
 *
 * funcnametab holds every name the table refers to, each once and NUL-terminated: the functions and the
 * functions inlined into them (govulncheck's binary mode reads both, from the function table and the inline
 * trees). So the names are taken straight from funcnametab as it streams past, before the function table
 * that points into it arrives. Each name is kept as a 48-bit hash of its bytes, in table order, stored as
 * base64 (6 bytes a name). The Go < 1.18 headers (0xfffffffa: 1.16 and 1.17, 0xfffffffb:
 * 1.2 to 1.15) are recognised and not read.
 *
 * Per chunk that costs one Buffer.indexOf per needle inside those segments, and a byte loop over
 * funcnametab (about 30 bytes a function). Names and bytes are bounded; past a bound the set is marked
 * truncated, so a name not found in it is "unknown", never "absent".
 */

import { isUtf8 } from 'node:buffer';

const MAGIC_118 = 0xfffffff0;
const MAGIC_120 = 0xfffffff1;
const MAGIC_116 = 0xfffffffa;
const MAGIC_12 = 0xfffffffb;
/** Names kept of one table; kubelet-sized binaries have under 100,000. */
export const MAX_FUNC_NAMES = 300_000;
/** Bytes of funcnametab read (names average about 30 bytes). */
const MAX_NAME_BYTES = 32 * 1024 * 1024;
/** Bytes of a stored key (48 bits). */
const KEY_BYTES = 6;
const EM_386 = 3;
const EM_S390 = 22;
const EM_X86_64 = 62;
/** Header candidates whose fields disagree before the search gives up (hostile data). */
const MAX_BAD = 64;

/** What the scan keeps of a Go binary's function table. */
export interface GoFunctions {
  /** Names read: functions and the functions inlined into them. */
  count: number;
  /** The names' 48-bit hashes (`funcKey`), in table order, 6 bytes each (big-endian), base64. */
  keys: string;
  /** A bound was reached: names past it were not read. */
  truncated?: boolean;
}

/** Go's minimum instruction length by ELF machine (cmd/internal/sys): 1 on x86, 2 on s390x, else 4. */
function minLC(machine: number): number {
  if (machine === EM_386 || machine === EM_X86_64) return 1;
  return machine === EM_S390 ? 2 : 4;
}

const isMagicByte = (x: number): boolean => x === 0xf0 || x === 0xf1 || x === 0xfa || x === 0xfb;

interface Table {
  /** File offsets of funcnametab. */
  names: [number, number];
}

type Candidate = { table: Table } | { old: true } | { bad: string } | undefined;

/** Reads the header at `b[0]` (file offset `at`); undefined when it is no header at all. */
function readHeader(b: Buffer, at: number, le: boolean, ptr: number, size: number): Candidate {
  const magic = le ? b.readUInt32LE(0) : b.readUInt32BE(0);
  if (magic === MAGIC_116 || magic === MAGIC_12) return { old: true };
  if (magic !== MAGIC_118 && magic !== MAGIC_120) return undefined;
  const word = (i: number): number => {
    const o = 8 + i * ptr;
    if (ptr === 4) return le ? b.readUInt32LE(o) : b.readUInt32BE(o);
    const v = le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  };
  const nfunc = word(0);
  const offsets = [word(3), word(4), word(5), word(6), word(7)];
  const hdr = 8 + 8 * ptr;
  let prev = hdr;
  for (const o of offsets) {
    if (o < prev) return { bad: 'a Go function table header has offsets out of order' };
    prev = o;
  }
  const pcln = offsets[4] as number;
  // The function table is nfunc+1 pairs of u32 (entry, offset of its _func) after pclnOffset.
  if (nfunc < 1 || at + pcln + (nfunc + 1) * 8 > size)
    return { bad: `a Go function table header claims ${nfunc} functions past the end of the file` };
  return { table: { names: [at + (offsets[0] as number), at + (offsets[1] as number)] } };
}

const fmix = (h: number): number => {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};
// Int32 seeds: a seed above 2^31 would be a heap number, and the hash loops would run several times slower.
const SEED1 = 0x811c9dc5 | 0;
const SEED2 = 0x3c6ef372 | 0;

/** The 48-bit key of a function name's bytes, as the table stores it (`net/http.(*Client).Do`). */
function funcKey(name: Buffer): number {
  let h1 = SEED1;
  let h2 = SEED2;
  for (let i = 0; i < name.length; i++) {
    const c = name[i] as number;
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 13);
  }
  return fmix(h1) * 65536 + (fmix(h2) & 0xffff);
}

/** Hashes NUL-terminated names as their bytes stream past; the state spans chunk seams. */
class NameHasher {
  private h1 = SEED1;
  private h2 = SEED2;
  /** The bytes of the current name ORed together (a name with 0x80 set leaves ASCII). */
  private or = 0;
  /** Both hashes of each name, unmixed (encode() finishes them): the loop below stays tight. */
  private hashes = new Int32Array(8192);
  count = 0;
  notUtf8 = 0;
  full = false;

  feed(b: Buffer, from: number, to: number): void {
    let h1 = this.h1;
    let h2 = this.h2;
    let or = this.or;
    // Where the current name started in `b`; -1 when it began in an earlier chunk: such a name is not
    // checked for UTF-8 (its bytes are gone), which only costs a note.
    let start = or === 0 && h1 === SEED1 ? from : -1;
    for (let i = from; i < to; i++) {
      const c = b[i] as number;
      if (c !== 0) {
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 13);
        or |= c;
        continue;
      }
      if (or & 0x80 && start >= 0 && !isUtf8(b.subarray(start, i))) this.notUtf8++;
      if (this.count * 2 === this.hashes.length) this.grow();
      const o = this.count++ * 2;
      this.hashes[o] = h1;
      this.hashes[o + 1] = h2;
      if (this.count >= MAX_FUNC_NAMES) {
        this.full = true;
        return;
      }
      h1 = SEED1;
      h2 = SEED2;
      or = 0;
      start = i + 1;
    }
    this.h1 = h1;
    this.h2 = h2;
    this.or = or;
  }

  private grow(): void {
    const grown = new Int32Array(Math.min(this.hashes.length * 2, MAX_FUNC_NAMES * 2));
    grown.set(this.hashes);
    this.hashes = grown;
  }

  /**
   * The keys (funcKey: the first hash's 32 bits, then the second's low 16, big-endian) in table order,
   * base64; sorting waits for a look-up, which most binaries never get.
   */
  encode(): string {
    const out = Buffer.allocUnsafe(this.count * KEY_BYTES);
    const h = this.hashes;
    for (let n = 0; n < this.count; n++) {
      const a = fmix(h[2 * n] as number);
      const b = fmix(h[2 * n + 1] as number);
      const o = n * KEY_BYTES;
      out[o] = a >>> 24;
      out[o + 1] = (a >>> 16) & 0xff;
      out[o + 2] = (a >>> 8) & 0xff;
      out[o + 3] = a & 0xff;
      out[o + 4] = (b >>> 8) & 0xff;
      out[o + 5] = b & 0xff;
    }
    return out.toString('base64');
  }
}

/**
 * Finds the function table in the stream and hashes its names as they pass. The header is 4-byte aligned
 * (the linker aligns it to 32), so the search looks at 4-byte words only.
 */
export class PclnReader {
  private readonly hdr: number;
  private readonly lc: number;
  /** The magics as 32-bit words (see scan). */
  private readonly range: [number, number];
  private scratch = Buffer.alloc(0);
  /** The last bytes before `carryEnd`, for headers that straddle a chunk seam. */
  private carry: Buffer = Buffer.alloc(0);
  private carryEnd = -1;
  private names: [number, number] | undefined;
  private hasher: NameHasher | undefined;
  private cut = false;
  private bad = 0;
  private readonly notes: string[] = [];
  private old = false;

  /** `ranges`: sorted file ranges to search (the non-executable PT_LOAD segments, or section starts). */
  constructor(
    private readonly size: number,
    private ranges: [number, number][],
    private readonly le: boolean,
    private readonly ptr: 4 | 8,
    machine: number,
  ) {
    this.hdr = 8 + 8 * ptr;
    this.lc = minLC(machine);
    // The magics 0xfffffff0..0xfffffffb in the file's byte order, as this machine reads an Int32Array.
    const word = (m: number): number => {
      const b = Buffer.alloc(4);
      if (le) b.writeUInt32LE(m, 0);
      else b.writeUInt32BE(m, 0);
      return new Int32Array(b.buffer, b.byteOffset, 1)[0] as number;
    };
    const [a, z] = [word(MAGIC_118), word(MAGIC_12)];
    this.range = [Math.min(a, z), Math.max(a, z)];
  }

  /** Narrows the search (once the section headers are known); ranges already behind are simply missed. */
  searchIn(ranges: [number, number][]): void {
    if (!this.hasher) this.ranges = ranges;
  }

  write(chunk: Buffer, at: number): void {
    if (this.ranges.length) this.search(chunk, at);
    if (this.names && this.hasher && !this.hasher.full) this.feed(chunk, at);
  }

  private feed(chunk: Buffer, at: number): void {
    const [s, e] = this.names as [number, number];
    const from = Math.max(s, at);
    const to = Math.min(e, at + chunk.length, s + MAX_NAME_BYTES);
    if (to > from) (this.hasher as NameHasher).feed(chunk, from - at, to - at);
    if (e > s + MAX_NAME_BYTES && at + chunk.length >= s + MAX_NAME_BYTES) this.cut = true;
  }

  private search(chunk: Buffer, at: number): void {
    const end = at + chunk.length;
    const keep = this.hdr + 8;
    for (const [s, e] of this.ranges) {
      const from = Math.max(s, at);
      const to = Math.min(e, end);
      if (to <= from) continue;
      if (this.carryEnd === from && this.carry.length) {
        // Headers that start in the bytes before this chunk and end in it.
        const seamAt = from - this.carry.length;
        const joined = Buffer.concat([this.carry, chunk.subarray(from - at, Math.min(to, from + keep) - at)]);
        const lo = Math.max(0, this.carry.length - this.hdr + 1);
        if (this.scan(joined, seamAt, lo, Math.min(joined.length, this.carry.length + this.hdr - 1))) return;
      }
      if (this.scan(chunk, at, from - at, to - at)) return;
      const joined =
        this.carryEnd === from && to - from < keep
          ? Buffer.concat([this.carry, chunk.subarray(from - at, to - at)])
          : chunk.subarray(Math.max(from, to - keep) - at, to - at);
      this.carry = Buffer.from(joined.subarray(Math.max(0, joined.length - keep)));
      this.carryEnd = to;
    }
  }

  /**
   * Headers that start at a 4-byte aligned file offset in `b[from, to)` and end by `to`. The magic is
   * compared as 32-bit words through a typed array (over a copy when the bytes are not 4-aligned in memory):
   * a few times faster than a byte loop, and than Buffer.indexOf.
   */
  private scan(b: Buffer, at: number, from: number, to: number): boolean {
    const align = this.ptr;
    const first = from + ((align - ((at + from) % align)) % align);
    const last = to - this.hdr;
    if (first > last) return false;
    const n = ((last - first) >>> 2) + 1;
    let words: Int32Array;
    if ((b.byteOffset + first) % 4 === 0) words = new Int32Array(b.buffer, b.byteOffset + first, n);
    else {
      if (this.scratch.length < n * 4) this.scratch = Buffer.from(new ArrayBuffer(n * 4));
      b.copy(this.scratch, 0, first, first + n * 4);
      words = new Int32Array(this.scratch.buffer, 0, n);
    }
    const [lo, hi] = this.range;
    const step = align / 4;
    for (let k = 0; k < n; k += step) {
      const v = words[k] as number;
      if (v < lo || v > hi) continue;
      const i = first + 4 * k;
      if (this.le) {
        if (!isMagicByte(b[i] as number) || b[i + 1] !== 0xff || b[i + 2] !== 0xff || b[i + 3] !== 0xff)
          continue;
      } else if (b[i] !== 0xff || b[i + 1] !== 0xff || b[i + 2] !== 0xff || !isMagicByte(b[i + 3] as number))
        continue;
      if (b[i + 4] !== 0 || b[i + 5] !== 0 || b[i + 6] !== this.lc || b[i + 7] !== this.ptr) continue;
      if (this.try(b, i, at + i)) return true;
    }
    return false;
  }

  /** Takes the header at `b[h]` (file offset `off`) if its fields agree; true once the search is over. */
  private try(b: Buffer, h: number, off: number): boolean {
    const c = readHeader(b.subarray(h, h + this.hdr), off, this.le, this.ptr, this.size);
    if (!c) return false;
    if ('bad' in c) {
      if (this.bad++ === 0) this.notes.push(c.bad);
      if (this.bad < MAX_BAD) return false;
      this.notes.push('too many broken Go function table headers; the search stopped');
    } else if ('old' in c) {
      // Go < 1.18 has no other table, but a stray match in a newer binary must not end the search.
      this.old = true;
      return false;
    } else {
      this.names = c.table.names;
      this.hasher = new NameHasher();
    }
    this.ranges = [];
    this.carry = Buffer.alloc(0);
    return true;
  }

  /** The names, once the body has streamed past, and what could not be read. */
  end(): { functions?: GoFunctions; notes: string[] } {
    const h = this.hasher;
    if (!h) {
      if (this.old) this.notes.push('the function table of Go < 1.18 is not read');
      else if (!this.bad) this.notes.push('no Go function table was found');
      return { notes: this.notes };
    }
    const functions: GoFunctions = { count: h.count, keys: h.encode() };
    if (h.full || this.cut) {
      functions.truncated = true;
      this.notes.push(`the Go function table was read up to its bound (${h.count} names)`);
    }
    if (h.count === 0) this.notes.push('the Go function table has no names');
    if (h.notUtf8) this.notes.push(`${h.notUtf8} Go function names are not UTF-8`);
    return { functions, notes: this.notes };
  }
}

/** A table's keys, decoded once, for lookups. */
export class FunctionSet {
  private readonly keys = new Set<number>();
  readonly truncated: boolean;

  constructor(f: GoFunctions) {
    const b = Buffer.from(f.keys, 'base64');
    for (let o = 0; o + KEY_BYTES <= b.length; o += KEY_BYTES) this.keys.add(b.readUIntBE(o, KEY_BYTES));
    this.truncated = f.truncated === true;
  }

  has(name: string): boolean {
    return this.keys.has(funcKey(Buffer.from(name, 'utf8')));
  }
}
