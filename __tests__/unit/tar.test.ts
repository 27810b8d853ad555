import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/util/errors.js';
import { TarParser, type TarHeader } from '../../src/util/tar.js';
import { encodeName } from '../../src/util/names.js';
import {
  BLOCK,
  chunks,
  dir,
  file,
  hardlink,
  headerBlock,
  raw,
  symlink,
  tar,
  writeBase256,
  type TarEntry,
} from '../helpers/tar.js';

interface Parsed {
  header: TarHeader;
  body: Buffer;
  /** How many write() calls the body came in. */
  writes: number;
  ended: boolean;
}

/** Parses `buf` fed in chunks of `size` bytes (default: all at once) and collects every entry. */
async function parse(
  buf: Buffer,
  size = buf.length || 1,
  label = 'test.tar',
): Promise<{ entries: Parsed[]; parser: TarParser }> {
  const entries: Parsed[] = [];
  const parser = new TarParser((header) => {
    const e: Parsed = { header, body: Buffer.alloc(0), writes: 0, ended: false };
    entries.push(e);
    const parts: Buffer[] = [];
    return {
      write(chunk) {
        parts.push(Buffer.from(chunk));
        e.writes++;
      },
      end() {
        e.body = Buffer.concat(parts);
        e.ended = true;
      },
    };
  }, label);
  for (const c of chunks(buf, size)) await parser.push(c);
  parser.finish();
  return { entries, parser };
}

async function parseOne(entries: TarEntry[]): Promise<Parsed[]> {
  return (await parse(tar(entries))).entries;
}

/** Expects `fn` to throw (or reject with) an InputError whose message is one line matching `re`. */
async function expectInputError(fn: () => unknown, re: RegExp): Promise<InputError> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected an InputError').toBeInstanceOf(InputError);
  const e = caught as InputError;
  expect(e.message).not.toContain('\n');
  expect(e.message).toMatch(re);
  return e;
}

describe('TarParser: ustar headers', () => {
  it('decodes every entry type with its mode, owner, size, link and mtime', async () => {
    const got = await parseOne([
      dir('etc/', { mode: 0o755, uid: 0, gid: 0 }),
      file('etc/passwd', 'root:x:0:0::/root:/sbin/nologin\n', {
        mode: 0o644,
        uid: 1,
        gid: 2,
        mtime: 1234567,
      }),
      symlink('bin', 'usr/bin', { mode: 0o777 }),
      hardlink('etc/passwd2', 'etc/passwd'),
      { name: 'dev/null', type: 'char', mode: 0o666 },
      { name: 'dev/sda', type: 'block', mode: 0o660 },
      { name: 'run/fifo', type: 'fifo', mode: 0o600 },
      file('usr/bin/sudo', 'ELF', { mode: 0o4755 }),
    ]);
    expect(got.map((e) => [e.header.name, e.header.type, e.header.mode.toString(8)])).toEqual([
      ['etc/', 'dir', '755'],
      ['etc/passwd', 'file', '644'],
      ['bin', 'symlink', '777'],
      ['etc/passwd2', 'hardlink', '644'],
      ['dev/null', 'char', '666'],
      ['dev/sda', 'block', '660'],
      ['run/fifo', 'fifo', '600'],
      ['usr/bin/sudo', 'file', '4755'],
    ]);
    const passwd = got[1] as Parsed;
    expect(passwd.header).toMatchObject({ size: 32, uid: 1, gid: 2, mtime: 1234567, linkname: '' });
    expect(passwd.body.toString()).toBe('root:x:0:0::/root:/sbin/nologin\n');
    expect(got[2]?.header.linkname).toBe('usr/bin');
    expect(got[3]?.header.linkname).toBe('etc/passwd');
    expect(got.every((e) => e.ended)).toBe(true);
  });

  it('joins the ustar prefix and name', async () => {
    const long = `${'a'.repeat(60)}/${'b'.repeat(60)}/${'c'.repeat(90)}`;
    const [e] = await parseOne([file(long, 'x', { prefix: true })]);
    expect(e?.header.name).toBe(long);
    expect(e?.body.toString()).toBe('x');
  });

  it('ignores the prefix field of a GNU-magic header (GNU uses those bytes otherwise)', async () => {
    const buf = Buffer.concat([
      headerBlock({ name: 'plain', typeflag: '0', magic: 'gnu', prefix: 'junk/dir' }),
      Buffer.alloc(2 * BLOCK),
    ]);
    const { entries } = await parse(buf);
    expect(entries.map((e) => e.header.name)).toEqual(['plain']);
  });

  it('clears linkname for entries that are not links, and names an empty name "."', async () => {
    const got = await parseOne([file('f', 'a', { headerLinkname: 'stale' }), dir('', { headerName: '' })]);
    expect(got[0]?.header.linkname).toBe('');
    expect(got[1]?.header).toMatchObject({ name: '.', type: 'dir' });
  });

  it('reads an old V7 directory (type 0 or NUL, no magic) from its trailing slash', async () => {
    const got = await parseOne([
      { name: 'olddir/', type: '\0', magic: 'v7', mode: 0o755 },
      { name: 'olddir2/', type: '0', magic: 'v7', mode: 0o700 },
      { name: 'oldfile', type: '\0', magic: 'v7', body: 'v7 body' },
    ]);
    expect(got.map((e) => [e.header.name, e.header.type])).toEqual([
      ['olddir/', 'dir'],
      ['olddir2/', 'dir'],
      ['oldfile', 'file'],
    ]);
    expect(got[2]?.body.toString()).toBe('v7 body');
  });

  it('stays in step after a type-0 entry whose name ends in "/" but which has a body', async () => {
    // GNU tar lists this as a directory and skips its 5 body bytes; Python's tarfile keeps it a file.
    // Both then read "next". Taking it for a body-less directory would parse "weird" as a header.
    const { entries } = await parse(tar([{ name: 'c/', type: '0', body: 'weird' }, file('next', 'n')]));
    expect(entries.map((e) => e.header.name)).toEqual(['c/', 'next']);
    expect(entries[1]?.body.toString()).toBe('n');
  });

  it.each([
    ['7 (contiguous)', '7'],
    ['Z (unknown)', 'Z'],
    ['D (GNU dumpdir)', 'D'],
  ])('treats typeflag %s as a regular file with a body', async (_name, flag) => {
    const got = await parseOne([{ name: 'weird', type: flag, body: 'payload!' }, file('next', 'n')]);
    expect(got.map((e) => [e.header.name, e.header.type, e.body.toString()])).toEqual([
      ['weird', 'file', 'payload!'],
      ['next', 'file', 'n'],
    ]);
  });

  it('skips a GNU volume label (V) and its body without reporting an entry', async () => {
    const { entries, parser } = await parse(tar([{ name: 'LABEL', type: 'V', body: 'vol' }, file('a', 'A')]));
    expect(entries.map((e) => e.header.name)).toEqual(['a']);
    expect(parser.entries).toBe(1);
  });

  it('gives links, dirs, devices and fifos no body whatever their size field says (as Go archive/tar)', async () => {
    const got = await parseOne([
      dir('d/', { size: 1024 }),
      symlink('s', 't', { size: 700 }),
      hardlink('h', 'd/x', { size: 99 }),
      { name: 'c', type: 'char', size: 5 },
      file('after', 'still here'),
    ]);
    expect(got.map((e) => [e.header.name, e.header.size])).toEqual([
      ['d/', 0],
      ['s', 0],
      ['h', 0],
      ['c', 0],
      ['after', 10],
    ]);
    expect(got[4]?.body.toString()).toBe('still here');
  });

  it('accepts a checksum computed over signed bytes (old tars), as well as unsigned', async () => {
    const name = 'caf\u00e9-\u00fc';
    const block = headerBlock({ name, typeflag: '0' });
    // Rewrite the checksum as the signed sum: bytes > 127 count as negative.
    block.fill(32, 148, 156);
    let signed = 0;
    for (const b of block) signed += b > 127 ? b - 256 : b;
    block.write(signed.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    const { entries } = await parse(Buffer.concat([block, Buffer.alloc(1024)]));
    expect(entries.map((e) => e.header.name)).toEqual([name]);
  });
});

describe('TarParser: pax and GNU extensions', () => {
  it('takes path, linkpath, uid, gid, mtime and size from a pax header', async () => {
    const path = `${'deep/'.repeat(40)}file.txt`;
    const link = `${'target/'.repeat(30)}x`;
    const got = await parseOne([
      file(path, 'body bytes', {
        pax: { path, uid: '4000000000', gid: '3000000', mtime: '1700000123.25', size: '10' },
        size: 0o777, // the header's octal size is wrong on purpose: pax wins
      }),
      symlink('ln', link, { pax: { linkpath: link } }),
      file('plain', 'p'),
    ]);
    expect(got[0]?.header).toMatchObject({ name: path, uid: 4000000000, gid: 3000000, size: 10 });
    expect(got[0]?.header.mtime).toBeCloseTo(1700000123.25);
    expect(got[0]?.body.toString()).toBe('body bytes');
    expect(got[1]?.header).toMatchObject({ name: 'ln', type: 'symlink', linkname: link });
    // A pax 'x' header applies to the next entry only.
    expect(got[2]?.header).toMatchObject({ name: 'plain', uid: 0, gid: 0, size: 1 });
  });

  it('applies a global pax header (g) to every later entry, under any local one', async () => {
    const got = await parseOne([
      file('a', 'A', { paxGlobal: { uid: '77', gid: '88' } }),
      file('b', 'B'),
      file('c', 'C', { pax: { uid: '5' } }),
      file('d', 'D'),
    ]);
    expect(got.map((e) => [e.header.name, e.header.uid, e.header.gid])).toEqual([
      ['a', 77, 88],
      ['b', 77, 88],
      ['c', 5, 88],
      ['d', 77, 88],
    ]);
  });

  it('reports a pax size above 8 GiB (octal cannot hold it) and waits for that many body bytes', async () => {
    const big = 9 * 1024 ** 3 + 3;
    const entries: TarEntry[] = [{ name: 'huge.img', type: 'file', pax: { size: String(big) }, size: 0 }];
    const buf = tar(entries, { end: false });
    const seen: TarHeader[] = [];
    let bytes = 0;
    const parser = new TarParser((h) => {
      seen.push(h);
      return { write: (c) => void (bytes += c.length), end: () => undefined };
    }, 'big.tar');
    await parser.push(buf);
    await parser.push(Buffer.alloc(4096, 7)); // the first bytes of the body
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ name: 'huge.img', type: 'file', size: big });
    expect(bytes).toBe(4096);
    await expectInputError(() => parser.finish(), /^big\.tar is truncated at byte \d+/);
  });

  it.each([
    ['size', '-1'],
    ['size', '12abc'],
    ['uid', '1e400'],
    ['gid', '-7'],
  ])('rejects a bad pax %s "%s"', async (key, value) => {
    await expectInputError(
      () => parse(tar([file('x', '', { pax: { [key]: value } })])),
      new RegExp(`^test\\.tar is corrupt: bad pax ${key}`),
    );
  });

  it('rejects a pax record whose length runs past the header body', async () => {
    const body = Buffer.from('99 path=short\n');
    const buf = Buffer.concat([
      headerBlock({ name: 'PaxHeaders/x', typeflag: 'x', size: body.length }),
      body,
      Buffer.alloc(BLOCK - body.length),
      headerBlock({ name: 'x', typeflag: '0' }),
      Buffer.alloc(1024),
    ]);
    await expectInputError(() => parse(buf), /^test\.tar is corrupt: bad pax record/);
  });

  it('rejects an extended header larger than 1 MiB', async () => {
    const buf = headerBlock({ name: '././@LongLink', typeflag: 'L', size: 2 * 1024 * 1024, magic: 'gnu' });
    await expectInputError(() => parse(buf), /extended header/);
  });

  it('takes a GNU long name (L) and long link (K)', async () => {
    const name = `${'n'.repeat(120)}/${'m'.repeat(120)}`;
    const link = `/${'l'.repeat(200)}`;
    const got = await parseOne([
      file(name, 'long body', { longName: true }),
      symlink(`${'s'.repeat(130)}`, link, { longName: true, longLink: true }),
      hardlink('hl', name, { longLink: true }),
      file('short', 's'),
    ]);
    expect(got.map((e) => [e.header.name, e.header.type, e.header.linkname])).toEqual([
      [name, 'file', ''],
      ['s'.repeat(130), 'symlink', link],
      ['hl', 'hardlink', name],
      ['short', 'file', ''],
    ]);
    expect(got[0]?.body.toString()).toBe('long body');
  });

  it('prefers a pax path over a GNU long name over the header name', async () => {
    const got = await parseOne([
      { name: 'from-L', type: 'file', longName: true, pax: { path: 'from-pax' }, headerName: 'from-header' },
      { name: 'from-L2', type: 'file', longName: true, headerName: 'from-header2' },
    ]);
    expect(got.map((e) => e.header.name)).toEqual(['from-pax', 'from-L2']);
  });

  it('reads base-256 numbers: a uid above 2097151 and a size on a small body', async () => {
    const got = await parseOne([
      file('owned', 'abc', { uid: 3_000_000, gid: 2_097_152, base256: ['uid', 'gid'] }),
      file('b256size', 'hello, base-256', { base256: ['size'] }),
      file('next', 'N'),
    ]);
    expect(got.map((e) => [e.header.name, e.header.uid, e.header.gid, e.header.size])).toEqual([
      ['owned', 3_000_000, 2_097_152, 3],
      ['b256size', 0, 0, 15],
      ['next', 0, 0, 1],
    ]);
    expect(got[1]?.body.toString()).toBe('hello, base-256');
    expect(got[2]?.body.toString()).toBe('N');
  });

  it('reads a base-256 size of a body larger than octal could hold, as a header', async () => {
    const block = headerBlock({ name: 'big', typeflag: '0' });
    writeBase256(block, 124, 12, 16 * 1024 ** 3);
    block.fill(32, 148, 156);
    let sum = 0;
    for (const b of block) sum += b;
    block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    const seen: TarHeader[] = [];
    const parser = new TarParser((h) => void seen.push(h), 'b.tar');
    await parser.push(block);
    expect(seen[0]?.size).toBe(16 * 1024 ** 3);
    await expectInputError(() => parser.finish(), /^b\.tar is truncated/);
  });

  it('rejects a negative base-256 size', async () => {
    const block = headerBlock({ name: 'neg', typeflag: '0' });
    block.fill(0xff, 124, 136); // -1 in two's complement base-256
    block.fill(32, 148, 156);
    let sum = 0;
    for (const b of block) sum += b;
    block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    await expectInputError(() => parse(block), /^test\.tar is corrupt: bad entry size/);
  });
});

describe('TarParser: chunking, truncation and the end of the archive', () => {
  const archive = tar([
    dir('a/'),
    file('a/empty', ''),
    file('a/one', 'x'),
    file('a/block', Buffer.alloc(BLOCK, 0x41)),
    file('a/odd', Buffer.alloc(BLOCK * 3 + 17, 0x42)),
    file(`${'p'.repeat(80)}/${'q'.repeat(80)}`, 'prefixed', { prefix: true }),
    file(`pax/${'r'.repeat(200)}`, 'pax body', { pax: { path: `pax/${'r'.repeat(200)}`, uid: '9999999' } }),
    file(`gnu/${'s'.repeat(200)}`, 'gnu body', { longName: true }),
    symlink('link', `${'t'.repeat(150)}`, { longLink: true }),
    file('b256', Buffer.alloc(1000, 0x43), { base256: ['size', 'uid'], uid: 4_000_000 }),
  ]);

  const summary = (entries: Parsed[]): unknown[] =>
    entries.map((e) => ({ ...e.header, body: e.body.toString('base64'), ended: e.ended }));

  it('gives identical entries and bodies for every chunk size', async () => {
    const whole = summary((await parse(archive)).entries);
    expect(whole).toHaveLength(10);
    for (const size of [1, 7, 511, 512, 513, 4096]) {
      const { entries } = await parse(archive, size);
      expect(summary(entries), `chunks of ${size}`).toEqual(whole);
    }
  });

  it('hands bodies over as they arrive, not buffered whole', async () => {
    const { entries } = await parse(archive, 100);
    const odd = entries.find((e) => e.header.name === 'a/odd') as Parsed;
    expect(odd.body.length).toBe(BLOCK * 3 + 17);
    expect(odd.writes).toBeGreaterThan(10);
  });

  it('waits for a sink that applies backpressure', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let written = 0;
    const parser = new TarParser(
      () => ({
        write: async (c) => {
          await gate;
          written += c.length;
        },
        end: () => undefined,
      }),
      'bp.tar',
    );
    let settled = false;
    const p = parser.push(tar([file('f', 'abc')])).then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    release();
    await p;
    expect(written).toBe(3);
  });

  it('rejects a bad header checksum with the byte offset', async () => {
    const buf = tar([file('good', 'g'), file('bad', 'b', { badChecksum: true })]);
    await expectInputError(() => parse(buf), /^test\.tar is corrupt: bad tar header checksum at byte 1024$/);
  });

  it('rejects random bytes as a tar', async () => {
    const junk = Buffer.alloc(2048);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) & 0xff;
    await expectInputError(() => parse(junk), /^test\.tar is corrupt: bad tar header checksum at byte 0$/);
  });

  it.each([
    ['inside a body', BLOCK + 3],
    ['inside body padding', BLOCK + 600],
    ['inside a header', 2 * BLOCK + BLOCK + 300],
    ['after a header, before its body', BLOCK],
  ])('throws from finish() on a stream truncated %s', async (_where, cut) => {
    const buf = tar([file('first', Buffer.alloc(600, 1)), file('second', 'abc')], { end: false });
    const parser = new TarParser(() => undefined, 'cut.tar');
    await parser.push(buf.subarray(0, cut));
    await expectInputError(() => parser.finish(), /^cut\.tar is truncated at byte \d+ \(inside entry \d+\)$/);
  });

  it('accepts an archive with no end-of-archive blocks', async () => {
    const { entries, parser } = await parse(tar([file('a', 'A'), file('b', 'BB')], { end: false }));
    expect(entries.map((e) => [e.header.name, e.body.toString(), e.ended])).toEqual([
      ['a', 'A', true],
      ['b', 'BB', true],
    ]);
    expect(parser.done).toBe(true);
  });

  it('ignores anything after the two zero blocks, even bytes that are not a tar', async () => {
    const junk = Buffer.alloc(3000, 0x5a);
    const buf = tar([file('a', 'A')], { trailer: Buffer.concat([junk, tar([file('hidden', 'H')])]) });
    for (const size of [buf.length, 1, 513]) {
      const { entries, parser } = await parse(buf, size);
      expect(entries.map((e) => e.header.name)).toEqual(['a']);
      expect(parser.done).toBe(true);
    }
  });

  it('accepts an empty input and a lone pair of zero blocks as an empty archive', async () => {
    expect((await parse(Buffer.alloc(0))).entries).toEqual([]);
    expect((await parse(Buffer.alloc(1024))).entries).toEqual([]);
  });

  it('counts the entries it reported', async () => {
    const { parser } = await parse(archive, 777);
    expect(parser.entries).toBe(10);
  });
});

describe('TarParser: names are bytes', () => {
  const names = async (t: Buffer): Promise<[string, string][]> =>
    (await parse(t)).entries.map((e) => [
      encodeName(e.header.name).toString('hex'),
      encodeName(e.header.linkname).toString('hex'),
    ]);
  const hexOf = (s: string): string => raw(s).toString('hex');

  it('keeps bytes that are not UTF-8 in the name, the ustar prefix and the link name', async () => {
    const t = tar([
      file('root/\udcff/id_ed25519', 'k'),
      file('root/\udcfe'),
      file(`${'p'.repeat(120)}/caf\udce9/x`, '', { prefix: true }),
      symlink('l', '\udcff'),
      hardlink('h', 'root/\udcfe'),
    ]);
    expect(await names(t)).toEqual([
      [hexOf('root/\udcff/id_ed25519'), ''],
      [hexOf('root/\udcfe'), ''],
      [hexOf(`${'p'.repeat(120)}/caf\udce9/x`), ''],
      [hexOf('l'), 'ff'],
      [hexOf('h'), hexOf('root/\udcfe')],
    ]);
  });

  it('keeps the bytes of pax path and linkpath, also with hdrcharset=BINARY', async () => {
    const t = tar([
      file('short', '', { pax: { path: 'pax/\udcff\udcfe/é' } }),
      symlink('s', 'x', { pax: { hdrcharset: 'BINARY', path: 'bin/\udce9', linkpath: '../\udce9' } }),
    ]);
    expect(await names(t)).toEqual([
      [hexOf('pax/\udcff\udcfe/é'), ''],
      [hexOf('bin/\udce9'), hexOf('../\udce9')],
    ]);
  });

  it('keeps the bytes of GNU long names and long links', async () => {
    const long = `${'d/'.repeat(60)}\udcff`;
    const t = tar([symlink(long, `${'t/'.repeat(60)}\udcfe`, { longName: true, longLink: true })]);
    expect(await names(t)).toEqual([[hexOf(long), hexOf(`${'t/'.repeat(60)}\udcfe`)]]);
  });

  it('gives two names that differ in one invalid byte two different strings', async () => {
    const { entries } = await parse(tar([file('\udcff'), file('\udcfe'), file('\ufffd')]));
    expect(new Set(entries.map((e) => e.header.name)).size).toBe(3);
  });
});

describe('the two test writers take one TarEntry', () => {
  // tar() writes every form by hand; packTar() writes with tar-stream. Given the same conventional entries,
  // tar-stream reads back the same thing from both.
  const entries: TarEntry[] = [
    dir('etc/', { mode: 0o755 }),
    file('etc/passwd', 'root:x:0:0\n', { mode: 0o600, uid: 3, gid: 4 }),
    symlink('bin/sh', '/bin/busybox', { mode: 0o777 }),
    hardlink('etc/passwd-', 'etc/passwd'),
    { name: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 },
    { name: 'run/fifo', type: 'fifo' },
  ];

  it('packTar and tar() agree on names, types, modes, owners, links and bodies', async () => {
    const { packTar, readTar } = await import('../helpers/tar-stream-io.js');
    const a = await readTar(await packTar(entries));
    const b = await readTar(tar(entries));
    expect(a.map((e) => ({ ...e, data: e.data.toString() }))).toEqual(
      b.map((e) => ({ ...e, data: e.data.toString() })),
    );
    expect(a.map((e) => e.type)).toEqual([
      'directory',
      'file',
      'symlink',
      'link',
      'character-device',
      'fifo',
    ]);
  });

  it('packTar refuses what only tar() writes, naming the entry', async () => {
    const { packTar } = await import('../helpers/tar-stream-io.js');
    await expect(packTar([file('x', 'y', { badChecksum: true })])).rejects.toThrow(
      /use tar\(\) for x \(file, badChecksum\)/,
    );
    await expect(packTar([{ name: 'z', type: '7' }])).rejects.toThrow(/use tar\(\) for z \(7\)/);
  });
});
