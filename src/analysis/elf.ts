/**
 * A pure ELF reader over the head bytes a scan keeps (the first few KiB of each executable). It reads the
 * ELF header and program headers, the PT_INTERP loader path, and, when the PT_DYNAMIC segment and its
 * string table happen to lie inside the head, the DT_NEEDED, DT_RUNPATH and DT_RPATH entries. Anything
 * beyond the head is reported as unknown (undefined), never guessed.
 */
import {
  Fields,
  isElfMagic,
  PT_DYNAMIC,
  PT_INTERP,
  PT_LOAD,
  readElfHeader,
  readProgramHeaders,
  type ElfType,
  type ProgramHeader,
} from '../formats/elf.js';
import { decodeName } from '../util/names.js';

const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_RPATH = 15;
const DT_RUNPATH = 29;

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
  return isElfMagic(head);
}

export function describeElf(e: Pick<ElfInfo, 'bits' | 'machine' | 'endian'>): string {
  const m = MACHINES[e.machine] ?? `machine ${e.machine}`;
  return `ELF${e.bits} ${m}${e.endian === 'be' ? ' big-endian' : ''}`;
}

/** A NUL-terminated string at `off`, when it ends within the head and within `max` bytes. */
function cstring(f: Fields, off: number, max = 4096): string | undefined {
  if (off < 0 || off >= f.buf.length) return undefined;
  const end = f.buf.indexOf(0, off);
  if (end === -1 || end - off > max) return undefined;
  // Library names and the loader's path are file names: bytes, in the engine's form (src/util/names.ts).
  return decodeName(f.buf.subarray(off, end));
}

export function parseElf(head: Buffer): ElfResult {
  const read = readElfHeader(head);
  if (!read.ok) return read;
  const h = read.h;
  const elf: ElfInfo = {
    bits: h.wide ? 64 : 32,
    endian: h.le ? 'le' : 'be',
    machine: h.machine,
    type: h.type,
    interp: undefined,
    needed: undefined,
    runpath: [],
  };
  const phdrs = readProgramHeaders(head, h);
  if (phdrs === 'size') return { ok: false, error: `bad program header size ${h.phentsize}` };
  if (phdrs === 'beyond') return { ok: true, elf }; // program headers beyond the head
  const r = new Fields(head, h.le, h.wide);
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

function readDynamic(r: Fields, dyn: ProgramHeader, phdrs: ProgramHeader[], elf: ElfInfo): void {
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
    const s = cstring(r, base + off);
    if (s === undefined) return; // the string table is beyond the head
    names.push(s);
  }
  elf.needed = names;
  const rp = runpath ?? rpath;
  if (rp !== undefined) {
    const s = cstring(r, base + rp);
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
