// Builds ELF files byte by byte for tests: 32 or 64 bits, either byte order, the section header table at
// the end (as GNU ld and strip write it) or near the start (as Go's linker does), one PT_LOAD per loaded
// section, and optional Go build info in a writable section.

export const SHT = { NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, NOTE: 7, NOBITS: 8 } as const;
export const SHF = { WRITE: 1, ALLOC: 2, EXEC: 4 } as const;

export interface Sec {
  name: string;
  type: number;
  flags?: number;
  data: Buffer;
  /** sh_link: a section index (the symbol table names its string table). */
  link?: number;
}

export interface ElfSpec {
  bits?: 32 | 64;
  be?: boolean;
  sections: Sec[];
  /** Where the section header table goes: 'end' (GNU) or 'start' (right after the program headers, as Go). */
  table?: 'end' | 'start';
  /** Bytes of padding between the section-name table and the section headers (GNU: none). */
  gap?: number;
  /** A `.note.go.buildid` section first, with its PT_NOTE program header (as every go build writes). */
  goNote?: boolean;
  /** Overrides written into the ELF header after layout (hostile files). */
  patch?: { shoff?: number; shnum?: number; shentsize?: number; shstrndx?: number };
}

const align = (n: number, a = 16): number => Math.ceil(n / a) * a;

/** The ELF file, and where each section landed. */
export function buildElf(spec: ElfSpec): { file: Buffer; offsets: number[] } {
  const wide = (spec.bits ?? 64) === 64;
  const be = !!spec.be;
  if (spec.goNote) {
    const note: Sec = { name: '.note.go.buildid', type: SHT.NOTE, flags: SHF.ALLOC, data: goNote(be) };
    spec = { ...spec, sections: [note, ...spec.sections] };
  }
  const ehsize = wide ? 64 : 52;
  const phent = wide ? 56 : 32;
  const shent = wide ? 64 : 40;
  // Section 0 is SHT_NULL; the name table is added last.
  const names: string[] = ['', ...spec.sections.map((s) => s.name), '.shstrtab'];
  const nameOff: number[] = [];
  let strtab = Buffer.alloc(0);
  for (const n of names) {
    nameOff.push(strtab.length);
    strtab = Buffer.concat([strtab, Buffer.from(`${n}\0`, 'latin1')]);
  }
  const all: Sec[] = [
    { name: '', type: SHT.NULL, data: Buffer.alloc(0) },
    ...spec.sections,
    { name: '.shstrtab', type: SHT.STRTAB, data: strtab },
  ];
  const loaded = spec.sections.filter((s) => (s.flags ?? 0) & SHF.ALLOC && s.type !== SHT.NOBITS);
  const phnum = loaded.length + (spec.goNote ? 1 : 0);
  let pos = ehsize + phnum * phent;
  const tableSize = all.length * shent;
  let shoff = 0;
  if (spec.table === 'start') {
    shoff = align(pos, 8);
    pos = shoff + tableSize;
  }
  const offsets: number[] = [];
  for (const s of all) {
    if (s.type === SHT.NULL) {
      offsets.push(0);
      continue;
    }
    pos = align(pos);
    offsets.push(pos);
    if (s.type !== SHT.NOBITS) pos += s.data.length;
  }
  if (spec.table !== 'start') {
    pos += spec.gap ?? 0;
    shoff = align(pos, 8);
    pos = shoff + tableSize;
  }
  const file = Buffer.alloc(pos);
  const u16 = (o: number, v: number): number => (be ? file.writeUInt16BE(v, o) : file.writeUInt16LE(v, o));
  const u32 = (o: number, v: number): number => (be ? file.writeUInt32BE(v, o) : file.writeUInt32LE(v, o));
  const word = (o: number, v: number): number =>
    wide ? (be ? file.writeBigUInt64BE(BigInt(v), o) : file.writeBigUInt64LE(BigInt(v), o)) : u32(o, v);
  file.write('\x7fELF', 0, 'latin1');
  file[4] = wide ? 2 : 1;
  file[5] = be ? 2 : 1;
  file[6] = 1;
  u16(16, 2); // ET_EXEC
  u16(18, wide ? 62 : 3);
  u32(20, 1);
  const p = spec.patch ?? {};
  if (wide) {
    word(32, ehsize);
    word(40, p.shoff ?? shoff);
    u16(52, ehsize);
    u16(54, phent);
    u16(56, phnum);
    u16(58, p.shentsize ?? shent);
    u16(60, p.shnum ?? all.length);
    u16(62, p.shstrndx ?? all.length - 1);
  } else {
    word(28, ehsize);
    word(32, p.shoff ?? shoff);
    u16(40, ehsize);
    u16(42, phent);
    u16(44, phnum);
    u16(46, p.shentsize ?? shent);
    u16(48, p.shnum ?? all.length);
    u16(50, p.shstrndx ?? all.length - 1);
  }
  loaded.forEach((s, i) => {
    const o = ehsize + i * phent;
    const off = offsets[all.indexOf(s)] as number;
    const flags = 4 | ((s.flags ?? 0) & SHF.WRITE ? 2 : 0) | ((s.flags ?? 0) & SHF.EXEC ? 1 : 0);
    u32(o, 1); // PT_LOAD
    if (wide) {
      u32(o + 4, flags);
      word(o + 8, off);
      word(o + 16, 0x400000 + off);
      word(o + 32, s.data.length);
      word(o + 40, s.data.length);
    } else {
      word(o + 4, off);
      word(o + 8, 0x8048000 + off);
      word(o + 16, s.data.length);
      word(o + 20, s.data.length);
      u32(o + 24, flags);
    }
  });
  if (spec.goNote) {
    const o = ehsize + loaded.length * phent;
    const off = offsets[1] as number;
    const size = (spec.sections[0] as Sec).data.length;
    u32(o, 4); // PT_NOTE
    if (wide) {
      u32(o + 4, 4);
      word(o + 8, off);
      word(o + 32, size);
      word(o + 40, size);
    } else {
      word(o + 4, off);
      word(o + 16, size);
      word(o + 20, size);
      u32(o + 24, 4);
    }
  }
  all.forEach((s, i) => {
    if (s.type !== SHT.NOBITS) s.data.copy(file, offsets[i] as number);
    const o = shoff + i * shent;
    u32(o, nameOff[i] as number);
    u32(o + 4, s.type);
    if (wide) {
      word(o + 8, s.flags ?? 0);
      word(o + 24, offsets[i] as number);
      word(o + 32, s.data.length);
      u32(o + 40, s.link ?? 0);
    } else {
      word(o + 8, s.flags ?? 0);
      word(o + 16, offsets[i] as number);
      word(o + 20, s.data.length);
      u32(o + 24, s.link ?? 0);
    }
  });
  return { file, offsets };
}

/** Go's build ID note: name "Go", type 4, and an ID of 83 bytes, padded. */
export function goNote(be = false): Buffer {
  const id = Buffer.from('a'.repeat(20) + '/' + 'b'.repeat(20) + '/' + 'c'.repeat(20) + '/' + 'd'.repeat(20));
  const b = Buffer.alloc(12 + 4 + Math.ceil(id.length / 4) * 4);
  const u32 = (o: number, v: number): number => (be ? b.writeUInt32BE(v, o) : b.writeUInt32LE(v, o));
  u32(0, 4);
  u32(4, id.length);
  u32(8, 4);
  b.write('Go\0\0', 12, 'latin1');
  id.copy(b, 16);
  return b;
}

const START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
const END = Buffer.from('f932433186182072008242104116d8f2', 'hex');

function uvarint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}

/** Go build info as the Go 1.18+ linker writes it (inline strings), the module info between its sentinels. */
export function goBuildInfo(version: string, modinfo: string | Buffer, flags = 0x2): Buffer {
  const mod = Buffer.concat([START, Buffer.isBuffer(modinfo) ? modinfo : Buffer.from(modinfo), END]);
  const header = Buffer.alloc(32);
  header.write('\xff Go buildinf:', 0, 'latin1');
  header[14] = 8;
  header[15] = flags;
  const v = Buffer.from(version);
  return Buffer.concat([header, uvarint(v.length), v, uvarint(mod.length), mod]);
}

/**
 * A plausible program: code, read-only data (5,000 bytes, holding a small Go function table of the given
 * pointer size and byte order at its start unless `pclntab` is false), writable data holding `buildinfo`, debug info
 * and symbols.
 */
export function goLikeSections(
  buildinfo: Buffer,
  o: { debug?: number; symbols?: number; pclntab?: false | PclnSpec; functions?: string[] } = {},
): Sec[] {
  const rodata = Buffer.alloc(5000, 0x41);
  if (o.pclntab !== false)
    goPclntab(['runtime.main', 'main.main', ...(o.functions ?? [])], o.pclntab).copy(rodata);
  const out: Sec[] = [
    { name: '.text', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXEC, data: Buffer.alloc(20_000, 0x90) },
    { name: '.rodata', type: SHT.PROGBITS, flags: SHF.ALLOC, data: rodata },
    { name: '.go.buildinfo', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: buildinfo },
    { name: '.data', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: Buffer.alloc(3000, 1) },
    { name: '.bss', type: SHT.NOBITS, flags: SHF.ALLOC | SHF.WRITE, data: Buffer.alloc(9000) },
  ];
  if (o.debug) {
    out.push({ name: '.debug_info', type: SHT.PROGBITS, data: Buffer.alloc(o.debug, 7) });
    out.push({ name: '.comment', type: SHT.PROGBITS, data: Buffer.from('GCC: (Debian) 12\0') });
  }
  if (o.symbols) {
    // The symbol table's sh_link names its string table, the section right after it (index + 1, with the NULL).
    out.push({ name: '.symtab', type: SHT.SYMTAB, data: Buffer.alloc(o.symbols, 3), link: out.length + 2 });
    out.push({ name: '.strtab', type: SHT.STRTAB, data: Buffer.alloc(1000, 0x61) });
  }
  return out;
}

export interface PclnSpec {
  /** Pointer size (the ELF class): 8 or 4. */
  ptr?: 4 | 8;
  be?: boolean;
  magic?: number;
  minLC?: number;
  /** Overrides of the header's fields (hostile tables). */
  nfunc?: number;
  offsets?: number[];
}

/**
 * A Go function table as the Go 1.18+ linker lays it out: the header, funcnametab (the names, each
 * NUL-terminated), a few bytes each of cutab, filetab and pctab, then the function table (nfunc+1 pairs of
 * u32) and one dummy _func per name.
 */
export function goPclntab(names: (string | Buffer)[], o: PclnSpec = {}): Buffer {
  const ptr = o.ptr ?? 8;
  const be = !!o.be;
  const hdr = 8 + 8 * ptr;
  const nameBytes = Buffer.concat(names.map((n) => Buffer.concat([Buffer.from(n), Buffer.from([0])])));
  const funcname = align(hdr, 32);
  const cu = funcname + nameBytes.length;
  const file = cu + 16;
  const pctab = file + 16;
  const pcln = pctab + 16;
  const nfunc = names.length;
  const total = align(pcln + (nfunc + 1) * 8 + nfunc * 48, 8);
  const b = Buffer.alloc(total, 0);
  const u32 = (off: number, v: number): number => (be ? b.writeUInt32BE(v, off) : b.writeUInt32LE(v, off));
  const word = (i: number, v: number): void => {
    const off = 8 + i * ptr;
    if (ptr === 4) u32(off, v);
    else if (be) b.writeBigUInt64BE(BigInt(v), off);
    else b.writeBigUInt64LE(BigInt(v), off);
  };
  u32(0, o.magic ?? 0xfffffff1);
  b[6] = o.minLC ?? 1;
  b[7] = ptr;
  const offs = o.offsets ?? [funcname, cu, file, pctab, pcln];
  [o.nfunc ?? nfunc, 1, 0x401000, ...offs].forEach((v, i) => word(i, v));
  nameBytes.copy(b, funcname);
  return b;
}
