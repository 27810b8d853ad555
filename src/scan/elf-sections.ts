/**
 * An ELF file's bytes by kind, from its section header table (pure). The scan captures the table, and the
 * section-name table when it can (src/scan/elf-probe.ts), as the body streams past; this module reads them.
 *
 * Kinds, by type and flags first, names only to split what those cannot:
 * - code and data: sections loaded at run time (SHF_ALLOC), SHT_NOBITS excepted (they take no file bytes);
 * - symbols: SHT_SYMTAB and its string table (`.strtab`);
 * - debug: `.debug_*`, `.zdebug_*` and `.gnu_debugdata` (MiniDebugInfo); without names, every non-loaded
 *   SHT_PROGBITS section of 4 KiB or more (the small ones are `.comment` and `.gnu_debuglink`);
 * - other: the rest of the file (headers, padding, notes, the section-name table).
 * Sections that overlap, or run past the end of the file, count each byte once and only inside the file,
 * so the kinds always add up to the file's size.
 */

import { readElfHeader, type ElfHeader } from '../formats/elf.js';

const SHT_NULL = 0;
const SHT_PROGBITS = 1;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_NOBITS = 8;
const SHF_ALLOC = 0x2;
const SHN_XINDEX = 0xffff;
/** Without names, a non-loaded PROGBITS section this big is debug info rather than `.comment`. */
const UNNAMED_DEBUG_MIN = 4096;

/** The ELF header fields that locate the tables (src/formats/elf.ts). */
export type ElfLayout = ElfHeader;

export interface SectionSizes {
  code: number;
  debug: number;
  symbols: number;
  other: number;
}

export interface Section {
  name: number;
  type: number;
  flags: number;
  offset: number;
  size: number;
  link: number;
}

/** The largest section header table the scan keeps: 1,024 sections of 64 bytes (real files have under 100). */
const MAX_TABLE = 64 * 1024;

const big = (v: bigint): number =>
  v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);

/** The fields of the ELF header that locate the tables; undefined when `head` is not an ELF header. */
export function elfLayout(head: Buffer): ElfLayout | undefined {
  const r = readElfHeader(head);
  return r.ok ? r.h : undefined;
}

/** Bytes of the section header table (a bound for the extended count), or an error. */
export function tableSpan(l: ElfLayout, fileSize: number): { bytes: number } | { error: string } {
  const min = l.wide ? 64 : 40;
  if (l.shentsize < min) return { error: `bad section header size ${l.shentsize}` };
  if (l.shoff >= fileSize) return { error: 'the section header table lies past the end of the file' };
  // Extended numbering: the real count is in section 0, so keep what the bound allows and read it there.
  const bytes = l.shnum === 0 ? Math.min(MAX_TABLE, fileSize - l.shoff) : l.shnum * l.shentsize;
  if (bytes > MAX_TABLE) return { error: `${l.shnum} section headers (over ${MAX_TABLE / 1024} KiB)` };
  if (l.shoff + bytes > fileSize) return { error: 'the section header table runs past the end of the file' };
  return { bytes };
}

/** The section headers in `table` (which starts at e_shoff), or an error. */
export function readSections(
  l: ElfLayout,
  table: Buffer,
): { sections: Section[]; strndx: number } | { error: string } {
  const ent = l.shentsize;
  const u32 = (o: number): number => (l.le ? table.readUInt32LE(o) : table.readUInt32BE(o));
  const u64 = (o: number): number => big(l.le ? table.readBigUInt64LE(o) : table.readBigUInt64BE(o));
  const at = (i: number): Section => {
    const o = i * ent;
    return l.wide
      ? {
          name: u32(o),
          type: u32(o + 4),
          flags: u64(o + 8),
          offset: u64(o + 24),
          size: u64(o + 32),
          link: u32(o + 40),
        }
      : {
          name: u32(o),
          type: u32(o + 4),
          flags: u32(o + 8),
          offset: u32(o + 16),
          size: u32(o + 20),
          link: u32(o + 24),
        };
  };
  if (table.length < ent) return { error: 'the section header table is truncated' };
  let n = l.shnum;
  let strndx = l.shstrndx;
  if (n === 0 || strndx === SHN_XINDEX) {
    const zero = at(0);
    if (n === 0) n = zero.size;
    if (strndx === SHN_XINDEX) strndx = zero.link;
  }
  if (n * ent > table.length) return { error: `${n} section headers do not fit the table` };
  const sections: Section[] = [];
  for (let i = 0; i < n; i++) sections.push(at(i));
  return { sections, strndx };
}

/** A section's name from the section-name table, when it is known (ASCII; a longer or odd name is "?"). */
export type NameOf = (s: Section) => string | undefined;

export function namesFrom(strtab: Buffer): NameOf {
  return (s) => {
    if (s.name >= strtab.length) return undefined;
    const end = strtab.indexOf(0, s.name);
    if (end === -1 || end - s.name > 256) return '?';
    return strtab.toString('latin1', s.name, end);
  };
}

type Kind = keyof SectionSizes;

function kindOf(
  s: Section,
  i: number,
  strndx: number,
  linked: Set<number>,
  nameOf: NameOf | undefined,
): Kind | null {
  if (s.type === SHT_NULL || s.type === SHT_NOBITS || s.size === 0) return null;
  if (s.flags & SHF_ALLOC) return 'code';
  if (s.type === SHT_SYMTAB) return 'symbols';
  if (i === strndx) return 'other';
  const name = nameOf?.(s);
  if (name !== undefined) {
    if (name === '.strtab' || (s.type === SHT_STRTAB && linked.has(i))) return 'symbols';
    if (name.startsWith('.debug') || name.startsWith('.zdebug') || name === '.gnu_debugdata') return 'debug';
    return 'other';
  }
  if (s.type === SHT_STRTAB) return linked.has(i) ? 'symbols' : 'other';
  if (s.type === SHT_PROGBITS && s.size >= UNNAMED_DEBUG_MIN) return 'debug';
  return 'other';
}

export interface Classified {
  kinds: SectionSizes;
  /**
   * No symbol table and no debug bytes but MiniDebugInfo: `.gnu_debugdata` is what a stripped Fedora
   * binary keeps for backtraces, and file(1) calls such a binary stripped.
   */
  stripped: boolean;
}

/** The file's bytes by kind. `nameOf` is undefined when the section-name table was not captured. */
export function classify(
  sections: readonly Section[],
  strndx: number,
  fileSize: number,
  nameOf?: NameOf,
): Classified {
  // String tables that a symbol table names as its own (sh_link) hold symbol names.
  const linked = new Set<number>();
  let symtab = false;
  for (const s of sections) {
    if (s.type === SHT_SYMTAB) {
      symtab = true;
      linked.add(s.link);
    }
  }
  const spans: { start: number; end: number; kind: Kind }[] = [];
  let debugInfo = false;
  sections.forEach((s, i) => {
    const kind = kindOf(s, i, strndx, linked, nameOf);
    if (!kind) return;
    const start = Math.min(s.offset, fileSize);
    const end = Math.min(s.offset + s.size, fileSize);
    if (end <= start) return;
    spans.push({ start, end, kind });
    if (kind === 'debug' && nameOf?.(s) !== '.gnu_debugdata') debugInfo = true;
  });
  spans.sort((a, b) => a.start - b.start || a.end - b.end);
  const kinds: SectionSizes = { code: 0, debug: 0, symbols: 0, other: 0 };
  let covered = 0;
  for (const s of spans) {
    const from = Math.max(s.start, covered);
    if (s.end > from) {
      kinds[s.kind] += s.end - from;
      covered = s.end;
    }
  }
  // Whatever no code, debug or symbol section holds: headers, padding, notes, the name table.
  kinds.other = fileSize - kinds.code - kinds.debug - kinds.symbols;
  return { kinds, stripped: !symtab && !debugInfo };
}
