// The ELF reader over scan heads: class, endianness, machine, PT_INTERP, DT_NEEDED when reachable, and
// graceful "unknown" answers when the head ends before what is asked.
import { openSync, readSync, closeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeElf, isElf, parseElf, parseShebang } from '../../src/analysis/elf.js';
import { EXEC_HEAD } from '../../src/scan/heads.js';
import { decodeName } from '../../src/util/names.js';
import { elf } from '../helpers/rules-kit.js';

function head(path: string, n = EXEC_HEAD): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(n);
    const got = readSync(fd, b, 0, n, 0);
    return b.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

describe('parseElf', () => {
  it('reads a static 64-bit little-endian executable', () => {
    const r = parseElf(elf());
    expect(r).toEqual({
      ok: true,
      elf: {
        bits: 64,
        endian: 'le',
        machine: 62,
        type: 'exec',
        interp: null,
        needed: undefined,
        runpath: [],
      },
    });
  });

  it('reads PT_INTERP, DT_NEEDED and DT_RUNPATH when they are in the head', () => {
    const r = parseElf(
      elf({
        interp: '/lib/ld-linux-aarch64.so.1',
        machine: 183,
        needed: ['libz.so.1', 'libc.so.6'],
        runpath: '$ORIGIN/../lib',
      }),
    );
    expect(r.ok && r.elf).toMatchObject({
      machine: 183,
      interp: '/lib/ld-linux-aarch64.so.1',
      needed: ['libz.so.1', 'libc.so.6'],
      runpath: ['$ORIGIN/../lib'],
    });
  });

  it('reads 32-bit and big-endian files', () => {
    const a = parseElf(elf({ bits: 32, machine: 40, interp: '/lib/ld-linux-armhf.so.3' }));
    expect(a.ok && a.elf).toMatchObject({
      bits: 32,
      endian: 'le',
      machine: 40,
      interp: '/lib/ld-linux-armhf.so.3',
    });
    const b = parseElf(elf({ endian: 'be', machine: 22, needed: ['libc.so.6'], interp: '/lib/ld64.so.1' }));
    expect(b.ok && b.elf).toMatchObject({ bits: 64, endian: 'be', machine: 22, needed: ['libc.so.6'] });
    expect(b.ok && describeElf(b.elf)).toBe('ELF64 IBM S/390 big-endian');
  });

  it('says "unknown" (undefined), never guesses, when the head ends before the program headers', () => {
    const full = elf({ interp: '/lib64/ld-linux-x86-64.so.2', phoff: 8192 });
    const r = parseElf(full.subarray(0, 4096));
    expect(r.ok && r.elf.interp).toBeUndefined();
    expect(r.ok && r.elf.needed).toBeUndefined();
  });

  it('leaves DT_NEEDED unknown when the dynamic segment is beyond the head', () => {
    const full = elf({ interp: '/lib64/ld-linux-x86-64.so.2', needed: ['libc.so.6'] });
    const cut = full.subarray(0, full.length - 8); // the dynamic section's tail is cut off
    const r = parseElf(cut);
    expect(r.ok && r.elf.interp).toBe('/lib64/ld-linux-x86-64.so.2');
    expect(r.ok && r.elf.needed).toBeUndefined();
  });

  it('rejects what is not an ELF, or a truncated header, with a reason', () => {
    expect(parseElf(Buffer.from('#!/bin/sh\n'))).toEqual({ ok: false, error: 'not an ELF file' });
    expect(parseElf(elf().subarray(0, 20))).toEqual({ ok: false, error: 'truncated ELF header' });
    const bad = Buffer.from(elf());
    bad[4] = 9;
    expect(parseElf(bad)).toEqual({ ok: false, error: 'bad ELF class 9' });
  });

  // /bin/ls is in every Debian base (the static busybox is the world suite's: itg/elf-host.test.ts).
  it("reads the host's /bin/ls from a 4 KiB head: dynamic, loader found, DT_NEEDED beyond", () => {
    const r = parseElf(head('/bin/ls'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.elf.interp).toMatch(/^\/lib.*\/ld-linux.*\.so\.\d$/);
    expect(['dyn', 'exec']).toContain(r.elf.type);
  });
});

describe('parseShebang', () => {
  it.each([
    ['#!/bin/sh\necho', { interpreter: '/bin/sh', arg: null }],
    ['#! /usr/bin/env python3\n', { interpreter: '/usr/bin/env', arg: 'python3' }],
    [
      '#!/usr/bin/env -S node --max-old-space-size=100\n',
      { interpreter: '/usr/bin/env', arg: '-S node --max-old-space-size=100' },
    ],
    ['#!/bin/bash\r\n', { interpreter: '/bin/bash', arg: null }],
    ['#!\n', { interpreter: '', arg: null }],
  ])('%j', (text, want) => {
    expect(parseShebang(Buffer.from(text))).toEqual(want);
  });

  it('is null for other files', () => {
    expect(parseShebang(Buffer.from('\x7fELF'))).toBeNull();
    expect(parseShebang(undefined)).toBeNull();
    expect(isElf(Buffer.from('#!'))).toBe(false);
  });
});

describe('names in ELF and #! lines are bytes', () => {
  it('reads a UTF-8 loader path as the same string as a UTF-8 file name (not latin1)', () => {
    const r = parseElf(elf({ interp: '/lib/ld-é.so' }));
    expect(r.ok && r.elf.interp).toBe('/lib/ld-é.so');
  });

  it('keeps a #! interpreter that is not UTF-8 as its bytes, not U+FFFD', () => {
    const head = Buffer.concat([Buffer.from('#!/bin/'), Buffer.from([0xff]), Buffer.from(' -x\n')]);
    const sb = parseShebang(head);
    expect(sb?.interpreter).toBe(decodeName(Buffer.concat([Buffer.from('/bin/'), Buffer.from([0xff])])));
    expect(sb?.interpreter).not.toContain('\ufffd');
    expect(sb?.arg).toBe('-x');
  });
});
