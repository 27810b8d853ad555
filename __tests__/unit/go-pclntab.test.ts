// The names in a Go binary's function table, read in the scan's one pass: found by its header in the
// non-executable segments, whatever the chunking; old formats and hostile tables give a note, never a throw.
import { describe, expect, it } from 'vitest';
import { ElfProbe, ELF_FACTS, type ElfFacts } from '../../src/scan/elf-probe.js';
import { FunctionSet, MAX_FUNC_NAMES } from '../../src/scan/go-pclntab.js';
import {
  buildElf,
  goBuildInfo,
  goLikeSections,
  goPclntab,
  SHF,
  SHT,
  type Sec,
} from '../helpers/elf-build.js';

const NAMES = [
  'runtime.main',
  'main.main',
  'net/http.(*Client).Do',
  'encoding/json.Unmarshal',
  'gopkg.in/yaml%2ev3.Unmarshal',
  'example.com/lib.Map[...]',
  'example.com/lib.(*List[...]).Push',
  'main.main.func1',
];
const INFO = goBuildInfo('go1.22.1', 'path\texample.com/app\nmod\texample.com/app\t(devel)\t\n');

interface GoElf {
  flags?: number;
  bits?: 32 | 64;
  be?: boolean;
  info?: boolean;
  /** Where the section headers go: 'end' (GNU ld, a cgo build; the default) or 'start' (Go's linker). */
  table?: 'end' | 'start';
  goNote?: boolean;
  /** Bytes before the table in its section. */
  pad?: number;
}

/** A Go-like ELF file with `table` in a section of the given flags (read-only data by default). */
function goElf(table: Buffer, o: GoElf = {}): Buffer {
  const sections: Sec[] = goLikeSections(o.info === false ? Buffer.alloc(64, 1) : INFO, { pclntab: false });
  sections.splice(2, 0, {
    name: '.gopclntab',
    type: SHT.PROGBITS,
    flags: o.flags ?? SHF.ALLOC,
    data: Buffer.concat([Buffer.alloc(o.pad ?? 40, 0xff), table]),
  });
  return buildElf({ sections, bits: o.bits, be: o.be, table: o.table, goNote: o.goNote ?? true }).file;
}

function probe(buf: Buffer, size: number | number[]): ElfFacts | undefined {
  const p = new ElfProbe(buf.length);
  if (Array.isArray(size)) {
    let from = 0;
    for (const cut of [...size, buf.length]) {
      p.write(buf.subarray(from, cut));
      from = cut;
    }
  } else for (let i = 0; i < buf.length; i += size) p.write(buf.subarray(i, i + size));
  return p.end();
}

function names(f: ElfFacts | undefined): FunctionSet {
  expect(f?.goFunctions).toBeDefined();
  return new FunctionSet(f?.goFunctions as NonNullable<ElfFacts['goFunctions']>);
}

describe('reading the function table', () => {
  const elf = goElf(goPclntab(NAMES));

  it('reads every name (functions and inlined ones), whatever the chunking', () => {
    for (const size of [elf.length, 4096, 77, 7, 1]) {
      const f = probe(elf, size);
      expect(f?.goFunctions?.count).toBe(NAMES.length);
      expect(f?.notes).toBeUndefined();
      const set = names(f);
      for (const n of NAMES) expect(set.has(n)).toBe(true);
      for (const n of ['net/http.Client.Do', 'encoding/json.Marshal', 'main', '', 'runtime.main.']) {
        expect(set.has(n)).toBe(false);
      }
      expect(set.truncated).toBe(false);
    }
  });

  it('finds the header when a chunk seam splits it, at every split point', () => {
    const at = elf.indexOf(Buffer.from([0xf1, 0xff, 0xff, 0xff]));
    expect(at).toBeGreaterThan(0);
    for (let cut = at - 2; cut < at + 80; cut++) {
      expect(probe(elf, [cut])?.goFunctions?.count, `cut at ${cut - at}`).toBe(NAMES.length);
      expect(probe(elf, [cut, cut + 3])?.goFunctions?.count, `cut at ${cut - at}`).toBe(NAMES.length);
    }
  });

  it('finds it inside the writable segment (a PIE keeps it in .data.rel.ro)', () => {
    const f = probe(goElf(goPclntab(NAMES), { flags: SHF.ALLOC | SHF.WRITE }), 1000);
    expect(names(f).has('net/http.(*Client).Do')).toBe(true);
  });

  it('reads 32-bit and big-endian tables, and the Go 1.18/1.19 magic', () => {
    const cases = [
      { bits: 32 as const, be: false, ptr: 4 as const },
      { bits: 64 as const, be: true, ptr: 8 as const },
      { bits: 32 as const, be: true, ptr: 4 as const },
    ];
    for (const c of cases) {
      for (const magic of [0xfffffff0, 0xfffffff1]) {
        const f = probe(goElf(goPclntab(NAMES, { ptr: c.ptr, be: c.be, magic }), c), 333);
        expect(f?.goFunctions?.count, JSON.stringify({ ...c, magic })).toBe(NAMES.length);
      }
    }
  });

  it("with the section headers first (Go's linker), looks at section starts only", () => {
    const f = probe(goElf(goPclntab(NAMES), { table: 'start', goNote: false, pad: 0 }), 100);
    expect(f?.goFunctions?.count).toBe(NAMES.length);
    const inside = probe(goElf(goPclntab(NAMES), { table: 'start', goNote: false, pad: 64 }), 4096);
    expect(inside?.goFunctions).toBeUndefined();
    expect(inside?.notes).toEqual(['no Go function table was found']);
  });

  it('with the section headers last, searches only a binary that carries the Go build ID note', () => {
    const f = probe(goElf(goPclntab(NAMES), { goNote: false }), 4096);
    expect(f?.go?.version).toBe('go1.22.1');
    expect(f?.goFunctions).toBeUndefined();
    expect(f?.notes).toEqual(['no Go function table was found']);
  });

  it('ignores a header at an offset that is not 4-byte aligned', () => {
    const f = probe(goElf(goPclntab(NAMES), { pad: 42 }), 4096);
    expect(f?.goFunctions).toBeUndefined();
  });

  it('does not look in code, and says so for a Go binary', () => {
    const f = probe(goElf(goPclntab(NAMES), { flags: SHF.ALLOC | SHF.EXEC }), 4096);
    expect(f?.goFunctions).toBeUndefined();
    expect(f?.notes).toEqual(['no Go function table was found']);
  });

  it('says nothing of a function table for a binary that is not Go', () => {
    const f = probe(goElf(goPclntab(NAMES), { info: false }), 4096);
    expect(f?.go).toBeUndefined();
    expect(f?.goFunctions).toBeUndefined();
    expect(f?.notes).toBeUndefined();
  });

  it('recognises the tables of Go < 1.18 and does not read them', () => {
    for (const magic of [0xfffffffa, 0xfffffffb]) {
      const f = probe(goElf(goPclntab(NAMES, { magic })), 4096);
      expect(f?.goFunctions).toBeUndefined();
      expect(f?.notes).toEqual(['the function table of Go < 1.18 is not read']);
    }
  });

  it('goes through the cache shape and back', () => {
    const f = probe(elf, 4096);
    expect(ELF_FACTS.read(JSON.parse(JSON.stringify(f)))).toEqual(f);
    expect(() => ELF_FACTS.read({ ...f, goFunctions: { count: -1, keys: '' } })).toThrow();
    expect(() => ELF_FACTS.read({ ...f, goFunctions: { count: 1, keys: 7 } })).toThrow();
  });
});

describe('hostile tables give a note, never a throw or a stall', () => {
  it('a header that claims more functions than the file holds', () => {
    const f = probe(goElf(goPclntab(NAMES, { nfunc: 2 ** 40 })), 4096);
    expect(f?.goFunctions).toBeUndefined();
    expect(f?.notes?.[0]).toMatch(/claims 1099511627776 functions past the end of the file/);
  });

  it('offsets out of order or overlapping the header', () => {
    for (const offsets of [
      [96, 50, 60, 70, 80],
      [10, 200, 300, 400, 500],
      [96, 200, 300, 400, 2 ** 60],
    ]) {
      const f = probe(goElf(goPclntab(NAMES, { offsets })), 4096);
      expect(f?.goFunctions, JSON.stringify(offsets)).toBeUndefined();
      expect(f?.notes?.[0]).toMatch(/Go function table header/);
    }
  });

  it('names that are not UTF-8 are counted and noted', () => {
    const bad = [Buffer.from([0x6d, 0x2e, 0xff, 0xfe]), Buffer.from([0x6d, 0x2e, 0xc3]), Buffer.from('m.é')];
    // (A name split by a chunk seam is not checked: the probe keeps no bytes.)
    const f = probe(goElf(goPclntab([...NAMES, ...bad])), 4096);
    expect(f?.goFunctions?.count).toBe(NAMES.length + 3);
    expect(f?.notes).toEqual(['2 Go function names are not UTF-8']);
    expect(names(f).has('m.é')).toBe(true);
  });

  it('a table past the bound on names is read up to it and marked truncated', () => {
    const many = Array.from({ length: MAX_FUNC_NAMES + 10 }, (_, i) => `p.F${i}`);
    const f = probe(goElf(goPclntab(many)), 65536);
    expect(f?.goFunctions?.count).toBe(MAX_FUNC_NAMES);
    expect(f?.goFunctions?.truncated).toBe(true);
    expect(f?.notes?.[0]).toMatch(/read up to its bound/);
    const set = names(f);
    expect(set.truncated).toBe(true);
    expect(set.has('p.F0')).toBe(true);
    expect(set.has(`p.F${MAX_FUNC_NAMES + 5}`)).toBe(false);
    expect(ELF_FACTS.read(JSON.parse(JSON.stringify(f)))).toEqual(f);
  });

  it('one endless name without a terminator', () => {
    const f = probe(goElf(goPclntab([Buffer.alloc(3_000_000, 0x61)]).fill(0x61, 96)), 65536);
    expect(f?.goFunctions?.count).toBe(0);
    expect(f?.notes).toEqual(['the Go function table has no names']);
  });

  it('a flood of broken headers ends the search', () => {
    const fake = goPclntab(['x'], { nfunc: 2 ** 40 });
    const flood = Buffer.concat([...Array.from({ length: 100 }, () => fake), goPclntab(NAMES)]);
    const f = probe(goElf(flood), 4096);
    expect(f?.goFunctions).toBeUndefined();
    expect(f?.notes?.at(-1)).toMatch(/too many broken Go function table headers/);
    expect(f?.notes?.length).toBeLessThanOrEqual(8);
  });

  it('a broken header before the real one: the real one is read', () => {
    const f = probe(goElf(Buffer.concat([goPclntab(['x'], { nfunc: 2 ** 40 }), goPclntab(NAMES)])), 4096);
    expect(f?.goFunctions?.count).toBe(NAMES.length);
  });

  it('random bytes around the header, in any chunking', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24) & 0xff;
    const noise = Buffer.from(Array.from({ length: 20_000 }, rnd));
    const f = probe(goElf(Buffer.concat([noise, goPclntab(NAMES), noise])), 999);
    expect(f?.goFunctions?.count).toBe(NAMES.length);
  });
});
