/**
 * The ELF header and program headers, decoded once for every reader: the scan's probe (sections, Go build
 * info) and the entrypoint's loader and library checks. Pure, over the bytes of a file's head; a field
 * past the head is reported as not there, never guessed. 64-bit values past 2^53 are clamped: no file
 * offset or size comes near them.
 */

export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;

export type ElfType = 'rel' | 'exec' | 'dyn' | 'core' | 'other';

/** The ELF header's fields. */
export interface ElfHeader {
  wide: boolean;
  le: boolean;
  type: ElfType;
  machine: number;
  /** File offset of the section header table (0: none). */
  shoff: number;
  shentsize: number;
  /** 0 with a non-zero shoff: the count is in section 0's sh_size (extended numbering). */
  shnum: number;
  shstrndx: number;
  phoff: number;
  phentsize: number;
  phnum: number;
}

export interface ProgramHeader {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

const big = (v: bigint): number =>
  v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);

/** Fixed-width fields of one byte order. */
export class Fields {
  constructor(
    readonly buf: Buffer,
    readonly le: boolean,
    readonly wide: boolean,
  ) {}
  has(off: number, len: number): boolean {
    return off >= 0 && off + len <= this.buf.length;
  }
  u16(off: number): number {
    return this.le ? this.buf.readUInt16LE(off) : this.buf.readUInt16BE(off);
  }
  u32(off: number): number {
    return this.le ? this.buf.readUInt32LE(off) : this.buf.readUInt32BE(off);
  }
  u64(off: number): number {
    return big(this.le ? this.buf.readBigUInt64LE(off) : this.buf.readBigUInt64BE(off));
  }
  /** An address-sized field: 8 bytes in ELF64, 4 in ELF32. */
  word(off: number): number {
    return this.wide ? this.u64(off) : this.u32(off);
  }
}

export const isElfMagic = (head: Buffer | undefined): boolean =>
  !!head && head.length >= 4 && head.readUInt32BE(0) === 0x7f454c46;

const TYPES: Record<number, ElfType> = { 1: 'rel', 2: 'exec', 3: 'dyn', 4: 'core' };

/** The ELF header, or why `head` does not hold one. */
export function readElfHeader(head: Buffer): { ok: true; h: ElfHeader } | { ok: false; error: string } {
  if (!isElfMagic(head)) return { ok: false, error: 'not an ELF file' };
  if (head.length < 52) return { ok: false, error: 'truncated ELF header' };
  const cls = head[4];
  const data = head[5];
  if (cls !== 1 && cls !== 2) return { ok: false, error: `bad ELF class ${cls}` };
  if (data !== 1 && data !== 2) return { ok: false, error: `bad ELF data encoding ${data}` };
  const wide = cls === 2;
  if (wide && head.length < 64) return { ok: false, error: 'truncated ELF header' };
  const f = new Fields(head, data === 1, wide);
  const at = wide ? [32, 40, 54, 56, 58, 60, 62] : [28, 32, 42, 44, 46, 48, 50];
  const [phoff, shoff, phent, phnum, shent, shnum, shstrndx] = at as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return {
    ok: true,
    h: {
      wide,
      le: f.le,
      type: TYPES[f.u16(16)] ?? 'other',
      machine: f.u16(18),
      phoff: f.word(phoff),
      shoff: f.word(shoff),
      phentsize: f.u16(phent),
      phnum: f.u16(phnum),
      shentsize: f.u16(shent),
      shnum: f.u16(shnum),
      shstrndx: f.u16(shstrndx),
    },
  };
}

/**
 * The program headers, when all of them lie in `head`: 'beyond' when they do not, 'size' when their
 * entry size is too small to be real.
 */
export function readProgramHeaders(head: Buffer, h: ElfHeader): ProgramHeader[] | 'beyond' | 'size' {
  if (h.phnum === 0) return [];
  if (h.phentsize < (h.wide ? 56 : 32)) return 'size';
  const f = new Fields(head, h.le, h.wide);
  if (!f.has(h.phoff, h.phnum * h.phentsize)) return 'beyond';
  const out: ProgramHeader[] = [];
  for (let i = 0; i < h.phnum; i++) {
    const o = h.phoff + i * h.phentsize;
    out.push(
      h.wide
        ? {
            type: f.u32(o),
            flags: f.u32(o + 4),
            offset: f.u64(o + 8),
            vaddr: f.u64(o + 16),
            filesz: f.u64(o + 32),
          }
        : {
            type: f.u32(o),
            flags: f.u32(o + 24),
            offset: f.u32(o + 4),
            vaddr: f.u32(o + 8),
            filesz: f.u32(o + 16),
          },
    );
  }
  return out;
}
