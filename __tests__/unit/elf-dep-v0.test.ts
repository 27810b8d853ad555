// cargo-auditable's .dep-v0 section, taken by the ELF probe in the scan's one pass, whatever the chunking.
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ElfProbe, ELF_FACTS, type ElfFacts } from '../../src/scan/elf-probe.js';
import { buildElf, SHF, SHT, type Sec } from '../helpers/elf-build.js';

const DEPS = {
  packages: [
    { name: 'app', version: '0.1.0', source: 'local', dependencies: [1], root: true },
    { name: 'itoa', version: '1.0.11', source: 'crates.io' },
  ],
};

function probe(buf: Buffer, step: number): ElfFacts | undefined {
  const p = new ElfProbe(buf.length);
  for (let i = 0; i < buf.length; i += step) p.write(buf.subarray(i, i + step));
  return p.end();
}

function rustLike(before: Sec[] = [], dep = deflateSync(JSON.stringify(DEPS))): Buffer {
  return buildElf({
    sections: [
      { name: '.text', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXEC, data: Buffer.alloc(4096, 0x90) },
      { name: '.data', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: Buffer.alloc(512, 1) },
      { name: '.comment', type: SHT.PROGBITS, data: Buffer.from('GCC: (Debian 12.2.0-14) 12.2.0\0') },
      ...before,
      { name: '.dep-v0', type: SHT.PROGBITS, data: dep },
    ],
  }).file;
}

describe('.dep-v0 in the ELF probe', () => {
  it('reads the crates after the loaded segments, in any chunking', () => {
    for (const step of [1, 7, 100, 1 << 20]) {
      const f = probe(rustLike(), step);
      expect(f?.cargo?.crates).toEqual([
        { name: 'app', version: '0.1.0', source: 'local', dependsOn: ['itoa'] },
        { name: 'itoa', version: '1.0.11', source: 'crates.io' },
      ]);
      expect(f?.notes).toBeUndefined();
    }
  });

  it('survives the layer cache shape', () => {
    const f = probe(rustLike(), 4096) as ElfFacts;
    expect(ELF_FACTS.read(JSON.parse(JSON.stringify(f)))).toEqual(f);
  });

  it('a section past the window is a note, not a read of the whole file', () => {
    const big: Sec = { name: '.debug_info', type: SHT.PROGBITS, data: Buffer.alloc(2 * 1024 * 1024) };
    const f = probe(rustLike([big]), 65536);
    expect(f?.cargo).toBeUndefined();
    expect(f?.notes).toEqual(['the .dep-v0 section lies outside the part of the file read: not read']);
  });

  it('a section that is garbage is a note in the crates record', () => {
    const f = probe(rustLike([], Buffer.from('not zlib')), 512);
    expect(f?.cargo).toEqual({
      crates: [],
      cut: 0,
      bad: 1,
      notes: ['a .dep-v0 section that does not inflate'],
    });
  });

  it('a binary without the section has no cargo facts', () => {
    const plain = buildElf({
      sections: [{ name: '.text', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXEC, data: Buffer.alloc(64) }],
    }).file;
    expect(probe(plain, 64)?.cargo).toBeUndefined();
  });
});
