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
 * that points into it arrives. Each name is kept as a 48-bit hash of its bytes; the set is sorted and
 * stored as base64 (6 bytes a name). The Go < 1.18 headers (0xfffffffa: 1.16 and 1.17, 0xfffffffb:
 * 1.2 to 1.15) are recognised and not read.
 *
 * Per chunk that costs one Buffer.indexOf per needle inside those segments, and a byte loop over
 * funcnametab (about 30 bytes a function). Names and bytes are bounded; past a bound the set is marked
 * truncated, so a name not found in it is "unknown", never "absent".
 */

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
  /** The names' 48-bit hashes (`funcKey`), sorted, 6 bytes each, base64. */
  keys: string;
  /** A bound was reached: names past it were not read. */
  truncated?: boolean;
}

interface Needle {
  bytes: Buffer;
  /** Where the header starts relative to the needle. */
  back: number;
}

/** Go's minimum instruction length by ELF machine (cmd/internal/sys): 1 on x86, 2 on s390x, else 4. */
function minLC(machine: number): number {
  if (machine === EM_386 || machine === EM_X86_64) return 1;
  return machine === EM_S390 ? 2 : 4;
}

function needles(le: boolean, ptr: number, machine: number): Needle[] {
  const lc = minLC(machine);
  // Little-endian: one needle after the magic's low byte finds every format (f0, f1, fa, fb) in one search.
  if (le) return [{ bytes: Buffer.from([0xff, 0xff, 0xff, 0, 0, lc, ptr]), back: 1 }];
  return [MAGIC_120, MAGIC_118].map((m) => {
    const b = Buffer.from([0, 0, 0, 0, 0, 0, lc, ptr]);
    b.writeUInt32BE(m, 0);
    return { bytes: b, back: 0 };
  });
}

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
const SEED1 = 0x811c9dc5;
const SEED2 = 0x3c6ef372;

/** The 48-bit key of a function name's bytes, as the table stores it (`net/http.(*Client).Do`). */
export function funcKey(name: Buffer): number {
  let h1 = SEED1;
  let h2 = SEED2;
  for (let i = 0; i < name.length; i++) {
    const c = name[i] as number;
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 + c, 0x9e3779b1) ^ (h2 >>> 15);
  }
  return fmix(h1) * 65536 + (fmix(h2) & 0xffff);
}

/** Hashes NUL-terminated names as their bytes stream past; the state spans chunk seams. */
class NameHasher {
  private h1 = SEED1;
  private h2 = SEED2;
  /** UTF-8 continuation bytes still expected; -1 once the name is known not to be UTF-8. */
  private need = 0;
  private keys = new Float64Array(4096);
  count = 0;
  notUtf8 = 0;
  full = false;

  feed(b: Buffer, from: number, to: number): void {
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = from; i < to; i++) {
      const c = b[i] as number;
      if (c === 0) {
        this.push(fmix(h1) * 65536 + (fmix(h2) & 0xffff));
        if (this.full) return;
        h1 = SEED1;
        h2 = SEED2;
        continue;
      }
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 + c, 0x9e3779b1) ^ (h2 >>> 15);
      if (c >= 0x80 || this.need !== 0) this.utf8(c);
    }
    this.h1 = h1;
    this.h2 = h2;
  }

  /** A small UTF-8 check (lead and continuation bytes), only for names that leave ASCII. */
  private utf8(c: number): void {
    if (this.need < 0) return;
    if (c >= 0x80 && c < 0xc0) {
      this.need = this.need > 0 ? this.need - 1 : -1;
      return;
    }
    if (this.need > 0) this.need = -1;
    else if (c >= 0xc2 && c < 0xe0) this.need = 1;
    else if (c >= 0xe0 && c < 0xf0) this.need = 2;
    else if (c >= 0xf0 && c < 0xf5) this.need = 3;
    else if (c >= 0x80) this.need = -1;
  }

  private push(key: number): void {
    if (this.need !== 0) this.notUtf8++;
    this.need = 0;
    if (this.count === this.keys.length) {
      const grown = new Float64Array(Math.min(this.keys.length * 2, MAX_FUNC_NAMES));
      grown.set(this.keys);
      this.keys = grown;
    }
    this.keys[this.count++] = key;
    if (this.count >= MAX_FUNC_NAMES) this.full = true;
  }

  /** The sorted, deduplicated keys as 6-byte big-endian values, base64. */
  encode(): string {
    const sorted = this.keys.subarray(0, this.count).sort();
    const out = Buffer.allocUnsafe(sorted.length * KEY_BYTES);
    let n = 0;
    let last = -1;
    for (const k of sorted) {
      if (k === last) continue;
      out.writeUIntBE(k, n * KEY_BYTES, KEY_BYTES);
      last = k;
      n++;
    }
    return out.subarray(0, n * KEY_BYTES).toString('base64');
  }
}

/** Finds the function table in the stream and hashes its names as they pass. */
export class PclnReader {
  private readonly needles: Needle[];
  private readonly hdr: number;
  /** The last bytes before `carryEnd`, for headers that straddle a chunk seam. */
  private carry: Buffer = Buffer.alloc(0);
  private carryEnd = -1;
  private names: [number, number] | undefined;
  private hasher: NameHasher | undefined;
  private cut = false;
  private bad = 0;
  private readonly notes: string[] = [];
  private old = false;

  /** `ranges`: sorted file ranges to search (the non-executable PT_LOAD segments). */
  constructor(
    private readonly size: number,
    private ranges: [number, number][],
    private readonly le: boolean,
    private readonly ptr: 4 | 8,
    machine: number,
  ) {
    this.needles = needles(le, ptr, machine);
    this.hdr = 8 + 8 * ptr;
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
      if (this.carryEnd === from && this.carry.length && this.seam(chunk, at, from, to)) return;
      if (this.scan(chunk, at, from - at, to - at)) return;
      const joined =
        this.carryEnd === from && to - from < keep
          ? Buffer.concat([this.carry, chunk.subarray(from - at, to - at)])
          : chunk.subarray(Math.max(from, to - keep) - at, to - at);
      this.carry = Buffer.from(joined.subarray(Math.max(0, joined.length - keep)));
      this.carryEnd = to;
    }
  }

  /** Candidates that start in the carry and end in this chunk. */
  private seam(chunk: Buffer, at: number, from: number, to: number): boolean {
    const seamAt = from - this.carry.length;
    const joined = Buffer.concat([
      this.carry,
      chunk.subarray(from - at, Math.min(to, from + this.hdr + 8) - at),
    ]);
    for (const n of this.needles) {
      for (let i = joined.indexOf(n.bytes); i !== -1; i = joined.indexOf(n.bytes, i + 1)) {
        const h = i - n.back;
        if (
          h < 0 ||
          h >= this.carry.length ||
          h + this.hdr > joined.length ||
          h + this.hdr <= this.carry.length
        )
          continue;
        if (this.try(joined, h, seamAt + h)) return true;
      }
    }
    return false;
  }

  /** Candidates whose whole header lies in `chunk[from, to)`. */
  private scan(chunk: Buffer, at: number, from: number, to: number): boolean {
    for (const n of this.needles) {
      for (let i = chunk.indexOf(n.bytes, from + n.back); i !== -1; i = chunk.indexOf(n.bytes, i + 1)) {
        const h = i - n.back;
        if (h + this.hdr > to) break;
        if (this.try(chunk, h, at + h)) return true;
      }
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
  private readonly keys: Buffer;
  readonly truncated: boolean;

  constructor(f: GoFunctions) {
    this.keys = Buffer.from(f.keys, 'base64');
    this.truncated = f.truncated === true;
  }

  has(name: string): boolean {
    const key = funcKey(Buffer.from(name, 'utf8'));
    let lo = 0;
    let hi = Math.floor(this.keys.length / KEY_BYTES) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.keys.readUIntBE(mid * KEY_BYTES, KEY_BYTES);
      if (k === key) return true;
      if (k < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}
