/**
 * What an ELF executable carries, read in the scan's one pass without holding its body: the bytes by kind
 * (code and data, debug, symbols, other), whether it is stripped, its Go build info and the names in its
 * Go function table (go-pclntab.ts, searched for in the non-executable segments).
 *
 * The body streams past once. From the ELF header (the first bytes) the probe knows where the section
 * header table lies and copies just that range as it goes by, with a window before it: GNU ld and strip put
 * the section-name table right before the section headers (all 1,090 ELF files of Debian bookworm's /usr/bin,
 * /usr/sbin, /usr/lib/x86_64-linux-gnu and gcc's directory). The Go linker puts the section headers near the
 * start and the name table after them, so once the headers are read, the names are copied when they pass.
 * Go build info is found the way Go's own reader looks for it, in the writable PT_LOAD segments (the
 * program headers are in the head), by a search for its magic that also matches across chunk seams.
 *
 * cargo-auditable's `.dep-v0` section (a Rust binary's dependency tree) is not loaded at run time, so
 * linkers put it after the last loaded segment, next to `.comment` (GNU ld places it there, before the debug
 * sections and the symbol table): the probe copies a window from the end of the last PT_LOAD segment
 * (known from the head) and, once the section names are known, takes the section from it when it lies
 * inside. A window costs nothing on a stripped binary (little follows its segments).
 *
 * Per chunk of an ELF body that costs a few range checks and, inside the writable segments only, one
 * Buffer.indexOf; a non-ELF file costs one comparison. Every copy is bounded (table 80 KiB, names 64 KiB,
 * build info 64 KiB) and dropped once the facts are taken.
 */
import { PT_LOAD, readProgramHeaders, type ProgramHeader } from '../formats/elf.js';
import { EXEC_HEAD } from './heads.js';
import {
  classify,
  elfLayout,
  namesFrom,
  readSections,
  tableSpan,
  type ElfLayout,
  type Section,
  type SectionSizes,
} from './elf-sections.js';
import {
  GO_MAGIC,
  MAX_DEPS,
  MAX_FIELD,
  MAX_SETTINGS,
  parseBuildInfo,
  type GoBudget,
  type GoBuildInfo,
  type GoModule,
} from './go-buildinfo.js';
import { MAX_FUNC_NAMES, PclnReader, type GoFunctions } from './go-pclntab.js';
import { arr, bool, count, nullable, obj, optional, str, type Shape } from '../util/shape.js';
import {
  DEP_SECTION,
  DEP_SECTION_CAP,
  readDepSection,
  type CargoDeps,
  CARGO_DEPS,
} from '../formats/cargo-auditable.js';

/** Bytes kept before the section header table, where GNU tools put the section names. */
const PRE_WINDOW = 16 * 1024;
/** Bytes of the section-name table kept (real ones are a few hundred). */
const MAX_NAMES = 64 * 1024;
/** Bytes kept from the Go magic on: the 32-byte header, the version and 64 KiB of module info. */
const GO_WINDOW = 32 + 10 + 128 + 10 + 64 * 1024;
const MAX_SEGMENTS = 16;
/** Bytes kept after the last loaded segment, where `.dep-v0` lies (real ones are a few KiB, after `.comment`). */
const DEP_WINDOW = 256 * 1024;
const MAX_NOTES = 8;
const PT_NOTE = 4;
const NT_GO_BUILDID = 4;
/** Notes looked at in one PT_NOTE segment (real ones have one to four). */
const MAX_NOTES_SEEN = 16;
const SHT_PROGBITS = 1;
const SHF_ALLOC = 0x2;
const SHF_EXECINSTR = 0x4;
const PF_X = 1;
const PF_W = 2;
const SHT_STRTAB = 3;

export interface ElfFacts {
  /** The file's bytes by kind; null when it has no section header table that could be read. */
  kinds: SectionSizes | null;
  /** No symbol table and no debug sections; null when the section headers could not be read. */
  stripped: boolean | null;
  /** Go build info, read from the binary itself. */
  go?: GoBuildInfo;
  /** cargo-auditable's dependency tree (the `.dep-v0` section). */
  cargo?: CargoDeps;
  /** The names in a Go binary's function table (go-pclntab.ts): too many to report, kept for the judge. */
  goFunctions?: GoFunctions;
  /** What could not be read, and why (Slimgate's words, never the image's). */
  notes?: string[];
}

/** A byte range of the body, copied as it streams past. */
class Capture {
  readonly buf: Buffer;
  /** The next file offset wanted. */
  got: number;
  lost = false;
  constructor(
    readonly start: number,
    readonly end: number,
  ) {
    this.buf = Buffer.allocUnsafe(end - start);
    this.got = start;
  }

  get done(): boolean {
    return this.got >= this.end;
  }

  /** Copies what `src` (file offset `at`) holds of the bytes still wanted; a gap before them loses the range. */
  fill(src: Buffer, at: number): void {
    if (this.lost || this.got >= this.end) return;
    const srcEnd = at + src.length;
    if (srcEnd <= this.got) return;
    if (at > this.got) {
      this.lost = true;
      return;
    }
    const to = Math.min(this.end, srcEnd);
    src.copy(this.buf, this.got - this.start, this.got - at, to - at);
    this.got = to;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.got - this.start);
  }
}

const SNIFF = 0;
const ON = 1;
const OFF = 2;

export class ElfProbe {
  private state = SNIFF;
  private pos = 0;
  private readonly head = Buffer.allocUnsafe(EXEC_HEAD);
  private headFill = 0;
  private layout: ElfLayout | undefined;
  private table: Capture | undefined;
  private names: Capture | undefined;
  private sections: Section[] | undefined;
  private strndx = 0;
  private go: Capture | undefined;
  private tail: Capture | undefined;
  /** File ranges searched for the Go magic; empty once found or when there is nowhere to look. */
  private ranges: [number, number][] = [];
  private carry: Buffer = Buffer.alloc(0);
  private carryEnd = -1;
  private readonly notes: string[] = [];
  private pcln: PclnReader | undefined;
  /** The section headers come before the segments: look for the function table at section starts only. */
  private pclnEarly = false;

  constructor(
    private readonly size: number,
    private readonly budget?: GoBudget,
  ) {}

  write(chunk: Buffer): void {
    if (this.state === OFF) return;
    const at = this.pos;
    this.pos += chunk.length;
    if (this.headFill < EXEC_HEAD) {
      const n = Math.min(EXEC_HEAD - this.headFill, chunk.length);
      chunk.copy(this.head, this.headFill, 0, n);
      this.headFill += n;
    }
    if (this.state === SNIFF) {
      if (this.headFill < 64 && this.pos < this.size) return;
      // Wait for the whole head: the program headers and the notes lie in it (in every real binary).
      const l = elfLayout(this.head.subarray(0, this.headFill));
      if (l && this.headFill < EXEC_HEAD && this.pos < this.size) return;
      if (!this.start(l)) return;
      if (at > 0) {
        // The earlier chunks are in the head: go over it first, then over the rest of this chunk.
        this.body(this.head.subarray(0, this.headFill), 0);
        if (this.pos > this.headFill) this.body(chunk.subarray(this.headFill - at), this.headFill);
        return;
      }
    }
    this.body(chunk, at);
  }

  private body(chunk: Buffer, at: number): void {
    this.table?.fill(chunk, at);
    if (this.table?.done && !this.sections && !this.table.lost) this.readTable();
    this.names?.fill(chunk, at);
    if (this.ranges.length) this.search(chunk, at);
    this.go?.fill(chunk, at);
    this.tail?.fill(chunk, at);
    this.pcln?.write(chunk, at);
  }

  /** Reads the ELF header and plans what to copy; false for a file that is not ELF. */
  private start(l: ElfLayout | undefined): boolean {
    if (!l) {
      this.state = OFF;
      return false;
    }
    this.state = ON;
    this.layout = l;
    if (l.shoff === 0) this.notes.push('no section header table');
    else {
      const span = tableSpan(l, this.size);
      if ('error' in span) this.notes.push(span.error);
      else {
        this.table = new Capture(Math.max(0, l.shoff - PRE_WINDOW), l.shoff + span.bytes);
        this.table.fill(this.head.subarray(0, this.headFill), 0);
      }
    }
    const read = readProgramHeaders(this.head.subarray(0, this.headFill), l);
    const phdrs = typeof read === 'string' ? undefined : read;
    this.ranges = this.segments(phdrs, l, PF_W);
    const loaded = phdrs ? Math.max(0, ...phdrs.filter((p) => p.type === PT_LOAD).map(segmentEnd)) : 0;
    if (l.shoff !== 0 && loaded > 0 && loaded < this.size)
      this.tail = new Capture(loaded, Math.min(this.size, loaded + DEP_WINDOW));
    this.pcln = this.planPcln(l, phdrs);
    return true;
  }

  /**
   * Where to look for Go's function table (in the read-only segment, or in .data.rel.ro in a PIE). When
   * the section headers come before the data (Go's own linker), only at the start of each loaded data
   * section, once they are read; otherwise (GNU ld puts them at the end: cgo) through the non-executable
   * segments, and only when the head holds Go's build ID note, so that other programs pay nothing.
   */
  private planPcln(l: ElfLayout, phdrs: ProgramHeader[] | undefined): PclnReader | undefined {
    const machine = l.le ? this.head.readUInt16LE(18) : this.head.readUInt16BE(18);
    const segments = this.segments(phdrs, l, 0);
    this.pclnEarly = this.table !== undefined && this.table.end <= (segments[0]?.[0] ?? 0);
    if (!this.pclnEarly && !(phdrs && hasGoNote(this.head.subarray(0, this.headFill), l, phdrs)))
      return undefined;
    return new PclnReader(this.size, this.pclnEarly ? [] : segments, l.le, l.wide ? 8 : 4, machine);
  }

  /**
   * The non-executable PT_LOAD segments whose write flag is `w` (PF_W or 0), where Go keeps its build info
   * (writable) and its function table (either); the whole file if the program headers are not in the head.
   */
  private segments(phdrs: ProgramHeader[] | undefined, l: ElfLayout, w: number): [number, number][] {
    if (l.phnum === 0) return [];
    if (!phdrs) return [[0, this.size]];
    const out: [number, number][] = [];
    for (const p of phdrs) {
      if (out.length >= MAX_SEGMENTS) break;
      if (p.type !== PT_LOAD || p.flags & PF_X || (w && !(p.flags & PF_W))) continue;
      const s = Math.min(p.offset, this.size);
      const e = Math.min(segmentEnd(p), this.size);
      if (e > s) out.push([s, e]);
    }
    return out.sort((a, b) => a[0] - b[0]);
  }

  private readTable(): void {
    const l = this.layout as ElfLayout;
    const t = this.table as Capture;
    const r = readSections(l, t.buf.subarray(l.shoff - t.start, t.end - t.start));
    if ('error' in r) {
      this.notes.push(r.error);
      this.sections = [];
      return;
    }
    this.sections = r.sections;
    this.strndx = r.strndx;
    if (this.pclnEarly) this.pcln?.searchIn(sectionStarts(r.sections, l.wide ? 72 : 40));
    const ns = r.sections[r.strndx];
    if (!ns || ns.type !== SHT_STRTAB || ns.offset >= this.size) return;
    const end = Math.min(ns.offset + Math.min(ns.size, MAX_NAMES), this.size);
    if (end <= ns.offset) return;
    this.names = new Capture(ns.offset, end);
    // Behind us already: in the head (rare) or in the window before the section headers (GNU tools).
    this.names.fill(this.head.subarray(0, this.headFill), 0);
    this.names.fill(t.buf, t.start);
  }

  private search(chunk: Buffer, at: number): void {
    const m = GO_MAGIC.length;
    const end = at + chunk.length;
    for (const [s, e] of this.ranges) {
      const from = Math.max(s, at);
      const to = Math.min(e, end);
      if (to <= from) continue;
      // The magic may straddle the seam: search the tail of what came before joined with this start.
      if (this.carryEnd === from && this.carry.length) {
        const seamAt = from - this.carry.length;
        const seam = Buffer.concat([this.carry, chunk.subarray(from - at, Math.min(to, from + m - 1) - at)]);
        const i = aligned(seam, seamAt, 0, seam.length);
        if (i !== -1) return this.found(seamAt + i, seam, seamAt);
      }
      const i = aligned(chunk, at, from - at, to - at);
      if (i !== -1) return this.found(at + i, chunk, at);
      const keep = Math.min(m - 1, to - from);
      const tail = chunk.subarray(to - at - keep, to - at);
      this.carry =
        keep < m - 1 && this.carryEnd === from
          ? Buffer.concat([this.carry, tail]).subarray(-(m - 1))
          : Buffer.from(tail);
      this.carryEnd = to;
    }
  }

  private found(offset: number, src: Buffer, srcAt: number): void {
    this.ranges = [];
    this.carry = Buffer.alloc(0);
    this.go = new Capture(offset, Math.min(this.size, offset + GO_WINDOW));
    this.go.fill(src, srcAt);
  }

  /** cargo-auditable's section, decoded, when the binary has one (a note when it was not in the window). */
  private depSection(): CargoDeps | undefined {
    if (!this.sections?.length || !this.names?.done) return undefined;
    const nameOf = namesFrom(this.names.buf);
    const s = this.sections.find((x) => nameOf(x) === DEP_SECTION);
    if (!s) return undefined;
    const t = this.tail;
    if (s.size > DEP_SECTION_CAP)
      this.notes.push(`a .dep-v0 section larger than ${DEP_SECTION_CAP} bytes: not read`);
    else if (!t || t.lost || s.offset < t.start || s.offset + s.size > t.got)
      this.notes.push('the .dep-v0 section lies outside the part of the file read: not read');
    else return readDepSection(t.buf.subarray(s.offset - t.start, s.offset - t.start + s.size));
    return undefined;
  }

  /** The facts, once the whole body has streamed past; undefined for a file that is not ELF. */
  end(): ElfFacts | undefined {
    if (this.state !== ON) return undefined;
    const facts: ElfFacts = { kinds: null, stripped: null };
    const l = this.layout as ElfLayout;
    if (l.shoff === 0) facts.stripped = true;
    else if (this.table && (!this.table.done || this.table.lost))
      this.notes.push('the section header table was not read');
    if (this.sections?.length) {
      const nameOf = this.names?.done ? namesFrom(this.names.buf) : undefined;
      const c = classify(this.sections, this.strndx, this.size, nameOf);
      facts.kinds = c.kinds;
      facts.stripped = c.stripped;
    }
    const dep = this.depSection();
    if (dep) facts.cargo = dep;
    if (this.go) {
      const whole = this.go.end < this.go.start + GO_WINDOW;
      const r = parseBuildInfo(this.go.bytes(), whole, this.budget);
      if (r.ok) facts.go = r.info;
      else this.notes.push(r.error);
      // Only a Go binary (it has the build info magic) says what became of its function table.
      const t = this.pcln?.end() ?? { notes: ['no Go function table was found'] };
      if (t.functions) facts.goFunctions = t.functions;
      this.notes.push(...t.notes);
    }
    if (this.notes.length) facts.notes = this.notes.slice(0, MAX_NOTES);
    return facts;
  }
}

const segmentEnd = (p: ProgramHeader): number => Math.min(p.offset + p.filesz, Number.MAX_SAFE_INTEGER);

/**
 * The first magic in `buf[from, to)` at a 16-byte aligned file offset (`buf` starts at file offset `at`),
 * as Go aligns its build info; the string also occurs unaligned in programs that read build info.
 */
function aligned(buf: Buffer, at: number, from: number, to: number): number {
  const m = GO_MAGIC.length;
  for (let i = buf.indexOf(GO_MAGIC, from); i !== -1 && i + m <= to; i = buf.indexOf(GO_MAGIC, i + 1))
    if ((at + i) % 16 === 0) return i;
  return -1;
}

/** The first `hdr` bytes of each loaded, non-executable section with bytes in the file, by offset. */
function sectionStarts(sections: readonly Section[], hdr: number): [number, number][] {
  return sections
    .filter(
      (s) => s.type === SHT_PROGBITS && s.flags & SHF_ALLOC && !(s.flags & SHF_EXECINSTR) && s.size >= hdr,
    )
    .map((s): [number, number] => [s.offset, s.offset + hdr])
    .sort((a, b) => a[0] - b[0]);
}

/** Whether a PT_NOTE segment in `head` holds Go's build ID note (name "Go", type 4). */
function hasGoNote(head: Buffer, l: ElfLayout, phdrs: readonly ProgramHeader[]): boolean {
  const u32 = (o: number): number => (l.le ? head.readUInt32LE(o) : head.readUInt32BE(o));
  for (const p of phdrs) {
    if (p.type !== PT_NOTE) continue;
    const off = p.offset;
    const end = Math.min(head.length, off + p.filesz);
    // Notes: namesz, descsz, type, then the name and the description, each padded to 4 bytes.
    for (let n = off, k = 0; n + 12 <= end && k < MAX_NOTES_SEEN; k++) {
      const namesz = u32(n);
      const descsz = u32(n + 4);
      if (
        namesz === 4 &&
        u32(n + 8) === NT_GO_BUILDID &&
        n + 16 <= end &&
        head.toString('latin1', n + 12, n + 15) === 'Go\0'
      )
        return true;
      n += 12 + Math.ceil(namesz / 4) * 4 + Math.ceil(descsz / 4) * 4;
    }
  }
  return false;
}

// ------------------------------------------------------------------------------------ as the cache reads them

const field = str(MAX_FIELD);
const sizes = obj<SectionSizes>({ code: count, debug: count, symbols: count, other: count });
const replaced = obj<NonNullable<GoModule['replace']>>({ path: field, version: field, sum: optional(field) });
const goModule = obj<GoModule>({
  path: field,
  version: field,
  sum: optional(field),
  replace: optional(replaced),
});

/** ElfFacts as stored (the layer cache): every field checked and bounded, unknown keys dropped. */
export const ELF_FACTS: Shape<ElfFacts> = obj<ElfFacts>({
  kinds: nullable(sizes),
  stripped: nullable(bool),
  go: optional(
    obj<GoBuildInfo>({
      version: str(128),
      path: nullable(field),
      main: nullable(goModule),
      deps: arr(goModule, MAX_DEPS),
      settings: arr(obj<{ key: string; value: string }>({ key: field, value: field }), MAX_SETTINGS),
      truncated: optional(bool),
      depCount: optional(count),
    }),
  ),
  cargo: optional(CARGO_DEPS),
  goFunctions: optional(
    obj<GoFunctions>({
      count: count,
      // 6 bytes a name, base64.
      keys: str(Math.ceil((MAX_FUNC_NAMES * 6) / 3) * 4),
      truncated: optional(bool),
    }),
  ),
  notes: optional(arr(str(200), MAX_NOTES)),
});
