/**
 * A pure ELF reader over the head bytes a scan keeps (the first few KiB of each executable). It reads the
 * ELF header and program headers, the PT_INTERP loader path, and, when the PT_DYNAMIC segment and its
 * string table happen to lie inside the head, the DT_NEEDED, DT_RUNPATH and DT_RPATH entries. Anything
 * beyond the head is reported as unknown (undefined), never guessed.
 */
import { decodeName } from '../util/names.js';

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_RPATH = 15;
const DT_RUNPATH = 29;

type ElfType = 'rel' | 'exec' | 'dyn' | 'core' | 'other';

export interface ElfInfo {
  bits: 32 | 64;
  endian: 'le' | 'be';
  machine: number;
  type: ElfType;
  /** The loader path from PT_INTERP; null when there is none (static); undefined when beyond the head. */
  interp: string | null | undefined;
  /** DT_NEEDED names; undefined when the dynamic section is beyond the head or absent. */
  needed: string[] | undefined;
  /** DT_RUNPATH (or DT_RPATH when no RUNPATH) entries, split at ':'. */
  runpath: string[];
}

export type ElfResult = { ok: true; elf: ElfInfo } | { ok: false; error: string };

const MACHINES: Record<number, string> = {
  3: 'x86 (i386)',
  8: 'MIPS',
  20: 'PowerPC',
  21: 'PowerPC64',
  22: 'IBM S/390',
  40: 'ARM',
  62: 'x86-64',
  183: 'AArch64',
  243: 'RISC-V',
  258: 'LoongArch',
};

/** What an ELF must be to run on a platform (architecture as in OCI: amd64, arm64, …). */
export const PLATFORM_ELF: Record<string, { bits: 32 | 64; machine: number; endian: 'le' | 'be' }> = {
  amd64: { bits: 64, machine: 62, endian: 'le' },
  '386': { bits: 32, machine: 3, endian: 'le' },
  arm64: { bits: 64, machine: 183, endian: 'le' },
  arm: { bits: 32, machine: 40, endian: 'le' },
  ppc64le: { bits: 64, machine: 21, endian: 'le' },
  ppc64: { bits: 64, machine: 21, endian: 'be' },
  s390x: { bits: 64, machine: 22, endian: 'be' },
  riscv64: { bits: 64, machine: 243, endian: 'le' },
  mips64le: { bits: 64, machine: 8, endian: 'le' },
  mips64: { bits: 64, machine: 8, endian: 'be' },
  mipsle: { bits: 32, machine: 8, endian: 'le' },
  mips: { bits: 32, machine: 8, endian: 'be' },
  loong64: { bits: 64, machine: 258, endian: 'le' },
};

export function isElf(head: Buffer | undefined): boolean {
  return !!head && head.length >= 4 && head.subarray(0, 4).equals(ELF_MAGIC);
}

export function describeElf(e: Pick<ElfInfo, 'bits' | 'machine' | 'endian'>): string {
  const m = MACHINES[e.machine] ?? `machine ${e.machine}`;
  return `ELF${e.bits} ${m}${e.endian === 'be' ? ' big-endian' : ''}`;
}

class Reader {
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
  /** A 64-bit field as a number; values beyond 2^53 are not file offsets anyone can have. */
  u64(off: number): number {
    const v = this.le ? this.buf.readBigUInt64LE(off) : this.buf.readBigUInt64BE(off);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }
  word(off: number): number {
    return this.wide ? this.u64(off) : this.u32(off);
  }
  cstring(off: number, max = 4096): string | undefined {
    if (off < 0 || off >= this.buf.length) return undefined;
    const end = this.buf.indexOf(0, off);
    if (end === -1 || end - off > max) return undefined;
    // Library names and the loader's path are file names: bytes, in the engine's form (src/util/names.ts).
    return decodeName(this.buf.subarray(off, end));
  }
}

interface Phdr {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

export function parseElf(head: Buffer): ElfResult {
  if (!isElf(head)) return { ok: false, error: 'not an ELF file' };
  if (head.length < 52) return { ok: false, error: 'truncated ELF header' };
  const cls = head[4];
  const data = head[5];
  if (cls !== 1 && cls !== 2) return { ok: false, error: `bad ELF class ${cls}` };
  if (data !== 1 && data !== 2) return { ok: false, error: `bad ELF data encoding ${data}` };
  const wide = cls === 2;
  if (wide && head.length < 64) return { ok: false, error: 'truncated ELF header' };
  const r = new Reader(head, data === 1, wide);
  const etype = r.u16(16);
  const machine = r.u16(18);
  const phoff = wide ? r.u64(32) : r.u32(28);
  const phentsize = r.u16(wide ? 54 : 42);
  const phnum = r.u16(wide ? 56 : 44);
  const type: ElfType =
    etype === 1 ? 'rel' : etype === 2 ? 'exec' : etype === 3 ? 'dyn' : etype === 4 ? 'core' : 'other';
  const elf: ElfInfo = {
    bits: wide ? 64 : 32,
    endian: data === 1 ? 'le' : 'be',
    machine,
    type,
    interp: undefined,
    needed: undefined,
    runpath: [],
  };
  const minEnt = wide ? 56 : 32;
  if (phnum === 0) {
    elf.interp = null;
    return { ok: true, elf };
  }
  if (phentsize < minEnt) return { ok: false, error: `bad program header size ${phentsize}` };
  if (!r.has(phoff, phnum * phentsize)) return { ok: true, elf }; // program headers beyond the head
  const phdrs: Phdr[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    phdrs.push(
      wide
        ? { type: r.u32(o), offset: r.u64(o + 8), vaddr: r.u64(o + 16), filesz: r.u64(o + 32) }
        : { type: r.u32(o), offset: r.u32(o + 4), vaddr: r.u32(o + 8), filesz: r.u32(o + 16) },
    );
  }
  const interp = phdrs.find((p) => p.type === PT_INTERP);
  if (!interp) elf.interp = null;
  else if (r.has(interp.offset, interp.filesz)) {
    const bytes = head.subarray(interp.offset, interp.offset + interp.filesz);
    const nul = bytes.indexOf(0);
    elf.interp = decodeName(nul === -1 ? bytes : bytes.subarray(0, nul));
  }
  const dyn = phdrs.find((p) => p.type === PT_DYNAMIC);
  if (dyn && r.has(dyn.offset, dyn.filesz)) readDynamic(r, dyn, phdrs, elf);
  return { ok: true, elf };
}

function readDynamic(r: Reader, dyn: Phdr, phdrs: Phdr[], elf: ElfInfo): void {
  const ent = r.wide ? 16 : 8;
  const needed: number[] = [];
  let strtab: number | undefined;
  let strsz = 0;
  let runpath: number | undefined;
  let rpath: number | undefined;
  for (let o = dyn.offset; o + ent <= dyn.offset + dyn.filesz; o += ent) {
    const tag = r.word(o);
    const val = r.word(o + ent / 2);
    if (tag === DT_NULL) break;
    if (tag === DT_NEEDED) needed.push(val);
    else if (tag === DT_STRTAB) strtab = val;
    else if (tag === DT_STRSZ) strsz = val;
    else if (tag === DT_RUNPATH) runpath = val;
    else if (tag === DT_RPATH) rpath = val;
  }
  if (strtab === undefined) {
    if (needed.length === 0) elf.needed = [];
    return;
  }
  // DT_STRTAB is a virtual address: map it to a file offset through the PT_LOAD segments.
  const load = phdrs.find((p) => p.type === PT_LOAD && p.vaddr <= strtab && strtab < p.vaddr + p.filesz);
  if (!load) return;
  const base = load.offset + (strtab - load.vaddr);
  const names: string[] = [];
  for (const off of needed) {
    if (strsz && off >= strsz) return;
    const s = r.cstring(base + off);
    if (s === undefined) return; // the string table is beyond the head
    names.push(s);
  }
  elf.needed = names;
  const rp = runpath ?? rpath;
  if (rp !== undefined) {
    const s = r.cstring(base + rp);
    if (s) elf.runpath = s.split(':').filter(Boolean);
  }
}

/** The interpreter line of a script ("#!/usr/bin/env python3" → ["/usr/bin/env", "python3"]). */
export function parseShebang(head: Buffer | undefined): { interpreter: string; arg: string | null } | null {
  if (!head || head.length < 2 || head[0] !== 0x23 || head[1] !== 0x21) return null;
  let end = head.indexOf(0x0a);
  if (end === -1) end = Math.min(head.length, 256);
  const line = decodeName(head.subarray(2, end))
    .replace(/\r$/, '')
    .replace(/^[ \t]+/, '');
  const m = /^(\S+)(?:[ \t]+(.*?))?[ \t]*$/.exec(line);
  if (!m) return { interpreter: '', arg: null };
  return { interpreter: m[1] as string, arg: m[2] ? m[2] : null };
}
