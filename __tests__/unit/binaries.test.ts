// ELF executables in the scan's one pass: bytes by kind from the section headers, stripped or not, and Go
// build info, whatever the chunking; hostile files give a note, never a throw.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ElfProbe, ELF_FACTS, type ElfFacts } from '../../src/scan/elf-probe.js';
import { parseBuildInfo, unquote } from '../../src/scan/go-buildinfo.js';
import { scanLayer } from '../../src/scan/layer.js';
import { LayerCache } from '../../src/scan/cache.js';
import { buildElf, goBuildInfo, goLikeSections, goNote, SHF, SHT } from '../helpers/elf-build.js';
import { chunks, file, tar } from '../helpers/tar.js';

const MODINFO =
  'path\texample.com/app/cmd/app\n' +
  'mod\texample.com/app\t(devel)\t\n' +
  'dep\tgolang.org/x/text\tv0.14.0\th1:ScX5w1eTa3QqT8oi6+ziP7dTV1S2+ALU0bI+0zXKWiQ=\n' +
  'dep\texample.com/lib\tv1.2.3\t\n' +
  '=>\t../lib\t(devel)\t\n' +
  'build\t-buildmode=exe\n' +
  'build\t-compiler=gc\n' +
  'build\t-ldflags="-s -w -X main.version=1.0"\n' +
  'build\t-trimpath=true\n' +
  'build\tCGO_ENABLED=0\n' +
  'build\tGOARCH=amd64\n' +
  'build\tGOOS=linux\n';

/** Runs the probe over `buf` cut into pieces of `size` bytes (or at the given offsets). */
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

const sum = (k: NonNullable<ElfFacts['kinds']>): number => k.code + k.debug + k.symbols + k.other;

describe('section sizes by kind', () => {
  const variants = [
    { bits: 64 as const, be: false, table: 'end' as const },
    { bits: 64 as const, be: true, table: 'end' as const },
    { bits: 32 as const, be: false, table: 'end' as const },
    { bits: 32 as const, be: true, table: 'start' as const },
    { bits: 64 as const, be: false, table: 'start' as const },
  ];
  it.each(variants)('ELF$bits, big-endian $be, section headers at the $table', (v) => {
    const { file: elf } = buildElf({
      ...v,
      goNote: true,
      sections: goLikeSections(goBuildInfo('go1.22.1', MODINFO), {
        debug: 50_000,
        symbols: 12_000,
        pclntab: { ptr: v.bits === 64 ? 8 : 4, be: v.be },
      }),
    });
    const facts = probe(elf, elf.length);
    expect(facts?.kinds).toEqual({
      code: 20_000 + 5000 + goBuildInfo('go1.22.1', MODINFO).length + 3000 + goNote().length,
      debug: 50_000,
      symbols: 12_000 + 1000,
      other:
        elf.length - (28_000 + goBuildInfo('go1.22.1', MODINFO).length + goNote().length) - 50_000 - 13_000,
    });
    expect(sum(facts!.kinds!)).toBe(elf.length);
    expect(facts?.stripped).toBe(false);
    expect(facts?.go?.version).toBe('go1.22.1');
    expect(facts?.goFunctions?.count).toBe(2);
    expect(facts?.notes).toBeUndefined();
    // The same facts whatever the chunking: one byte at a time, odd sizes, 64 KiB.
    for (const size of [1, 7, 13, 511, 4096, 65_536]) expect(probe(elf, size)).toEqual(facts);
  });

  it('says stripped when there is no symbol table and no debug section', () => {
    const { file: elf } = buildElf({ sections: goLikeSections(goBuildInfo('go1.22.1', MODINFO)) });
    const facts = probe(elf, 1000);
    expect(facts?.stripped).toBe(true);
    expect(facts?.kinds?.debug).toBe(0);
    expect(facts?.kinds?.symbols).toBe(0);
  });

  it('classifies by type and flags when the names lie beyond what the scan keeps', () => {
    // 64 KiB of padding between the name table and the section headers: the window before them misses it.
    const { file: elf } = buildElf({
      sections: goLikeSections(Buffer.alloc(0), { debug: 50_000, symbols: 12_000 }),
      gap: 64 * 1024,
    });
    const facts = probe(elf, 4096);
    expect(facts?.kinds?.debug).toBe(50_000); // a big non-loaded PROGBITS section
    expect(facts?.kinds?.symbols).toBe(13_000); // SHT_SYMTAB and the string table it links
    expect(sum(facts!.kinds!)).toBe(elf.length);
  });

  it('gives nothing for a file that is not ELF, and costs it nothing past the sniff', () => {
    expect(probe(Buffer.from('#!/bin/sh\necho hi\n'.repeat(100)), 7)).toBeUndefined();
    expect(probe(Buffer.from('\x7fELF'), 1)).toBeUndefined();
    expect(probe(Buffer.alloc(0), 1)).toBeUndefined();
  });
});

describe('hostile section tables give a note, never a throw', () => {
  const base = (): Buffer => buildElf({ sections: goLikeSections(Buffer.alloc(0), { debug: 5000 }) }).file;
  const cases: { name: string; patch: NonNullable<Parameters<typeof buildElf>[0]['patch']>; note: RegExp }[] =
    [
      {
        name: 'shoff past the end of the file',
        patch: { shoff: 10_000_000 },
        note: /past the end of the file/,
      },
      { name: 'shnum huge', patch: { shnum: 0xfff0 }, note: /65520 section headers \(over 64 KiB\)/ },
      {
        name: 'a table that runs past the end',
        patch: { shnum: 200 },
        note: /runs past the end of the file/,
      },
      { name: 'shentsize too small', patch: { shentsize: 8 }, note: /bad section header size 8/ },
      { name: 'shoff 0', patch: { shoff: 0 }, note: /no section header table/ },
    ];
  it.each(cases)('$name', ({ patch, note }) => {
    const { file: elf } = buildElf({ sections: goLikeSections(Buffer.alloc(0), { debug: 5000 }), patch });
    const facts = probe(elf, 333);
    expect(facts?.kinds).toBeNull();
    expect(facts?.notes?.join('\n')).toMatch(note);
    expect(() => ELF_FACTS.read(JSON.parse(JSON.stringify(facts)))).not.toThrow();
    expect(base().length).toBeGreaterThan(0);
  });

  it('reads the count of an extended table (e_shnum 0) from section 0, bounded', () => {
    const { file: elf } = buildElf({ sections: goLikeSections(Buffer.alloc(0)), patch: { shnum: 0 } });
    // Section 0's sh_size is 0 here: no sections, so no sizes, and no crash.
    const facts = probe(elf, 100);
    expect(facts?.kinds).toBeNull();
  });

  it('keeps each byte once when sections overlap or run past the file', () => {
    const { file: elf, offsets } = buildElf({
      sections: [
        { name: '.text', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXEC, data: Buffer.alloc(4000) },
        { name: '.debug_info', type: SHT.PROGBITS, data: Buffer.alloc(4000) },
      ],
    });
    // Point the debug section at the code and make it claim a terabyte.
    const sh = elf.readBigUInt64LE(40);
    const debugHeader = Number(sh) + 2 * 64;
    elf.writeBigUInt64LE(BigInt(offsets[1] as number), debugHeader + 24);
    elf.writeBigUInt64LE(BigInt(1e12), debugHeader + 32);
    const facts = probe(elf, 512);
    expect(sum(facts!.kinds!)).toBe(elf.length);
    expect(facts!.kinds!.code).toBe(4000);
  });

  it('survives random garbage after a valid ELF header, in any chunking', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
    for (let n = 0; n < 200; n++) {
      const { file: elf } = buildElf({ sections: goLikeSections(goBuildInfo('go1.21.0', MODINFO)) });
      for (let k = 0; k < 20; k++) elf[Math.floor(rnd() * elf.length)] = Math.floor(rnd() * 256);
      const facts = probe(elf, 1 + Math.floor(rnd() * 5000));
      if (facts) expect(() => ELF_FACTS.read(JSON.parse(JSON.stringify(facts)))).not.toThrow();
    }
  });
});

describe('Go build info', () => {
  const sections = goLikeSections(goBuildInfo('go1.22.1', MODINFO));
  const { file: elf, offsets } = buildElf({ sections });
  const magicAt = offsets[3] as number; // the .go.buildinfo section (after NULL, .text, .rodata)

  it('reads what go version -m prints: version, path, main module, deps with replacements, settings', () => {
    const go = probe(elf, elf.length)?.go;
    expect(go).toEqual({
      version: 'go1.22.1',
      path: 'example.com/app/cmd/app',
      main: { path: 'example.com/app', version: '(devel)' },
      deps: [
        {
          path: 'golang.org/x/text',
          version: 'v0.14.0',
          sum: 'h1:ScX5w1eTa3QqT8oi6+ziP7dTV1S2+ALU0bI+0zXKWiQ=',
        },
        { path: 'example.com/lib', version: 'v1.2.3', replace: { path: '../lib', version: '(devel)' } },
      ],
      settings: [
        { key: '-buildmode', value: 'exe' },
        { key: '-compiler', value: 'gc' },
        { key: '-ldflags', value: '-s -w -X main.version=1.0' },
        { key: '-trimpath', value: 'true' },
        { key: 'CGO_ENABLED', value: '0' },
        { key: 'GOARCH', value: 'amd64' },
        { key: 'GOOS', value: 'linux' },
      ],
    });
  });

  it('finds the magic when a chunk seam splits it, at every split point', () => {
    const whole = probe(elf, elf.length)?.go;
    for (let cut = 1; cut < 14; cut++)
      expect(probe(elf, [magicAt + cut]), `cut ${cut}`).toMatchObject({ go: whole });
    // Tiny chunks around it, and a seam right at the header's end.
    expect(probe(elf, [magicAt - 3, magicAt + 2, magicAt + 9, magicAt + 32])?.go).toEqual(whole);
  });

  it('ignores the magic at an unaligned offset (a program that reads build info holds the string)', () => {
    const info = goBuildInfo('go1.22.1', MODINFO);
    const fake = Buffer.concat([
      Buffer.alloc(3),
      Buffer.from('\xff Go buildinf:garbage', 'latin1'),
      Buffer.alloc(8), // 32 bytes: the real one that follows is aligned
    ]);
    const { file: f } = buildElf({
      sections: [
        { name: '.text', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXEC, data: Buffer.alloc(100) },
        {
          name: '.data',
          type: SHT.PROGBITS,
          flags: SHF.ALLOC | SHF.WRITE,
          data: Buffer.concat([fake, info]),
        },
      ],
    });
    expect(probe(f, 50)?.go?.version).toBe('go1.22.1');
  });

  it('looks only in writable segments: the magic in code is not build info', () => {
    const { file: f } = buildElf({
      sections: [
        {
          name: '.text',
          type: SHT.PROGBITS,
          flags: SHF.ALLOC | SHF.EXEC,
          data: goBuildInfo('go1.22.1', MODINFO),
        },
      ],
    });
    expect(probe(f, 50)?.go).toBeUndefined();
  });

  it('says so for the pre-1.18 format instead of reading pointers', () => {
    const { file: f } = buildElf({
      goNote: true,
      sections: goLikeSections(goBuildInfo('go1.16', MODINFO, 0), { pclntab: { magic: 0xfffffffa } }),
    });
    const facts = probe(f, 4096);
    expect(facts?.go).toBeUndefined();
    expect(facts?.notes).toEqual([
      'Go build info in the pre-1.18 format (pointers), which Slimgate does not read',
      'the function table of Go < 1.18 is not read',
    ]);
  });

  const header = (): Buffer => goBuildInfo('go1.22.1', '').subarray(0, 32);
  const hostile: { name: string; bytes: Buffer; error?: RegExp }[] = [
    {
      name: 'a garbage varint',
      bytes: Buffer.concat([header(), Buffer.alloc(12, 0xff)]),
      error: /bad version length/,
    },
    {
      name: 'a huge version length',
      bytes: Buffer.concat([header(), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x01]), Buffer.alloc(40)]),
      error: /bad version length/,
    },
    {
      name: 'a version that is not one',
      bytes: Buffer.concat([header(), Buffer.from([4]), Buffer.from('\x1b[2J')]),
      error: /no Go version/,
    },
    {
      name: 'a module info length past the end of the file',
      bytes: Buffer.concat([
        header(),
        Buffer.from([8]),
        Buffer.from('go1.22.1'),
        Buffer.from([0xff, 0xff, 0x03]),
      ]),
      error: /runs past the end of the file/,
    },
  ];
  it.each(hostile)('gives an error, not a throw, for $name', ({ bytes, error }) => {
    const r = parseBuildInfo(bytes, true);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error!);
  });

  it('keeps non-UTF-8 module paths as bytes and bounds fields and counts', () => {
    const mod = Buffer.concat([
      Buffer.from('path\tx\nmod\tx\t(devel)\t\ndep\tbad\xff\xfe/mod\tv1.0.0\t\n', 'latin1'),
      Buffer.from(`dep\t${'a'.repeat(5000)}\tv1\t\n`),
      Buffer.from('nonsense line\n'),
    ]);
    const r = parseBuildInfo(goBuildInfo('go1.22.1', mod), true);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.info.deps[0]?.path).toBe('bad\udcff\udcfe/mod');
    expect(r.info.deps[1]?.path.length).toBe(1024);
    expect(r.info.truncated).toBe(true);
    const many = Array.from({ length: 6000 }, (_, i) => `dep\tm${i}\tv1\t\n`).join('');
    const big = parseBuildInfo(goBuildInfo('go1.22.1', many), true);
    expect(big.ok && big.info.deps.length).toBe(5000);
  });

  it('reads the complete lines of a module list cut at the window, and marks it truncated', () => {
    const many = Array.from(
      { length: 3000 },
      (_, i) => `dep\texample.com/module/number/${i}\tv1.0.${i}\t\n`,
    ).join('');
    const { file: f } = buildElf({ sections: goLikeSections(goBuildInfo('go1.22.1', `path\tp\n${many}`)) });
    const go = probe(f, 65_536)?.go;
    expect(go?.truncated).toBe(true);
    expect(go!.deps.length).toBeGreaterThan(1000);
    expect(go!.deps.length).toBeLessThan(3000);
    const last = go!.deps[go!.deps.length - 1]!;
    expect(last.path).toMatch(/^example\.com\/module\/number\/\d+$/);
    expect(last.version).toBe(`v1.0.${last.path.split('/').pop()}`);
  });

  it('unquotes Go-quoted values as strconv.Unquote does, and refuses malformed ones', () => {
    expect(unquote('"-s -w"')).toBe('-s -w');
    expect(unquote('"a\\"b\\\\c\\x41\\u00e9\\n"')).toBe('a"b\\cAé\n');
    expect(unquote('"\\101"')).toBe('A');
    expect(unquote('"unterminated')).toBeUndefined();
    expect(unquote('"bad \\q"')).toBeUndefined();
    expect(unquote('"a"b"')).toBeUndefined();
    expect(unquote('plain')).toBeUndefined();
  });
});

describe('in a layer scan', () => {
  it('records facts for ELF executables only, and the cache shape accepts them', async () => {
    const { file: elf } = buildElf({
      sections: goLikeSections(goBuildInfo('go1.22.1', MODINFO), { debug: 9000 }),
    });
    const layer = tar([
      file('app', elf, { mode: 0o755 }),
      file('data.bin', elf, { mode: 0o644 }),
      file('run.sh', '#!/bin/sh\n', { mode: 0o755 }),
    ]);
    const scan = await scanLayer(chunks(layer, 1000), 'test layer');
    const by = new Map(scan.entries.map((e) => [e.path, e]));
    expect(by.get('/app')?.elf?.go?.version).toBe('go1.22.1');
    expect(by.get('/app')?.elf?.kinds?.debug).toBe(9000);
    expect(by.get('/data.bin')?.elf).toBeUndefined();
    expect(by.get('/run.sh')?.elf).toBeUndefined();
    expect(ELF_FACTS.read(JSON.parse(JSON.stringify(by.get('/app')?.elf)))).toEqual(by.get('/app')?.elf);
  });

  it('goes through the layer cache and back, on the ELF lines only', async () => {
    const { file: elf } = buildElf({
      sections: goLikeSections(goBuildInfo('go1.22.1', MODINFO), { debug: 9000 }),
    });
    const scan = await scanLayer(
      [tar([file('app', elf, { mode: 0o755 }), file('etc/motd', 'hi\n')])],
      'layer',
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'slimgate-elf-cache-'));
    try {
      const cache = new LayerCache(dir);
      await cache.put(scan);
      const back = await cache.get(scan.digest);
      expect(cache.stats.hits).toBe(1);
      expect(back?.entries).toEqual(scan.entries);
      expect(back?.entries.find((e) => e.path === '/etc/motd')).not.toHaveProperty('elf');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the cache shape refuses facts of the wrong type or over the bounds', () => {
    const good = { kinds: { code: 1, debug: 0, symbols: 0, other: 0 }, stripped: true };
    expect(() => ELF_FACTS.read(good)).not.toThrow();
    expect(() => ELF_FACTS.read({ ...good, kinds: { ...good.kinds, code: -1 } })).toThrow();
    expect(() => ELF_FACTS.read({ ...good, stripped: 'yes' })).toThrow();
    expect(() =>
      ELF_FACTS.read({
        ...good,
        go: {
          version: 'go1',
          path: null,
          main: null,
          deps: [],
          settings: [{ key: 'k', value: 'x'.repeat(2000) }],
        },
      }),
    ).toThrow();
  });
});
