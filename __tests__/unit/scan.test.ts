import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/util/errors.js';
import { flatten } from '../../src/flatten/flatten.js';
import { EXEC_HEAD } from '../../src/scan/heads.js';
import { scanLayer, type LayerScan } from '../../src/scan/layer.js';
import {
  BLOCK,
  chunks,
  dir,
  file,
  gzip,
  hardlink,
  headerBlock,
  sha256,
  symlink,
  tar,
} from '../helpers/tar.js';

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-scan-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Compresses with the real `zstd` CLI (a temp file in, a temp file out). */
function zstd(buf: Buffer, level = 3): Buffer {
  const input = path.join(tmp, `in-${process.hrtime.bigint()}`);
  writeFileSync(input, buf);
  const r = spawnSync('zstd', ['-q', '-f', `-${level}`, input, '-o', `${input}.zst`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`zstd failed: ${r.stderr}`);
  return readFileSync(`${input}.zst`);
}

async function* asyncChunks(buf: Buffer, n: number): AsyncGenerator<Buffer> {
  for (const c of chunks(buf, n)) yield c;
}

async function expectInputError(p: Promise<unknown>, re: RegExp): Promise<InputError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected an InputError').toBeInstanceOf(InputError);
  const e = caught as InputError;
  expect(e.message).not.toContain('\n');
  expect(e.message).toMatch(re);
  return e;
}

/** A deterministic pseudo-random body (compresses poorly, so gzip/zstd streams span many chunks). */
function noise(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), noise(10_000 - 7, 2)]);
const osRelease = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';
const dpkgStatus = [
  'Package: base-files\nStatus: install ok installed\nDescription: Package: not a record\n Package: continuation\n',
  'Package: bash\nStatus: install ok installed\n',
  'Package: coreutils\nStatus: install ok installed\n',
].join('\n');
const apkInstalled =
  'C:Q1abc\nP:musl\nV:1.2.4\n\nC:Q1def\nP:busybox\nV:1.36\nXP:not-a-record\n\nP:alpine-baselayout\n';

const sample = tar([
  dir('./'),
  dir('etc/'),
  file('etc/os-release', osRelease),
  dir('usr/bin/'),
  file('usr/bin/app', elf, { mode: 0o755 }),
  file('usr/local/bin/script.sh', '#!/bin/sh\necho hi\n', { mode: 0o644 }),
  file('opt/tool', 'x'.repeat(50), { mode: 0o700 }),
  file('data/blob.bin', noise(20_000, 3), { mode: 0o644 }),
  file('var/lib/dpkg/status', dpkgStatus),
  file('lib/apk/db/installed', apkInstalled),
  symlink('bin', 'usr/bin'),
  hardlink('usr/bin/app2', './usr/bin/app'),
  file('/abs/leading-slash', 'a'),
  file('./a//b/./c', 'weird'),
]);

/** The entries with heads as base64, for comparing scans. */
function view(s: LayerScan): unknown[] {
  return s.entries.map((e) => ({ ...e, head: e.head?.toString('base64') }));
}

describe('scanLayer: compression', () => {
  it('reads a plain tar: digest and diff_id are both the sha256 of the bytes', async () => {
    const s = await scanLayer([sample], 'plain layer');
    expect(s.compression).toBe('none');
    expect(s.digest).toBe(sha256(sample));
    expect(s.diffId).toBe(sha256(sample));
    expect(s.compressedSize).toBe(sample.length);
    expect(s.uncompressedSize).toBe(sample.length);
    expect(s.escapes).toEqual([]);
  });

  it('gives the same entries and diff_id for plain, gzip and zstd, and the digest of the stored bytes', async () => {
    const plain = await scanLayer([sample], 'plain');
    const gz = gzip(sample);
    const zs = zstd(sample);
    expect(zs.readUInt32LE(0)).toBe(0xfd2fb528);
    const g = await scanLayer([gz], 'gzip');
    const z = await scanLayer([zs], 'zstd');
    expect([g.compression, z.compression]).toEqual(['gzip', 'zstd']);
    expect(g.digest).toBe(sha256(gz));
    expect(z.digest).toBe(sha256(zs));
    expect(g.diffId).toBe(sha256(sample));
    expect(z.diffId).toBe(sha256(sample));
    expect([g.compressedSize, z.compressedSize]).toEqual([gz.length, zs.length]);
    expect([g.uncompressedSize, z.uncompressedSize]).toEqual([sample.length, sample.length]);
    expect(view(g)).toEqual(view(plain));
    expect(view(z)).toEqual(view(plain));
    expect(plain.entries.length).toBe(14);
  });

  it.each([1, 2, 3, 5, 4096])('sniffs and scans gzip and zstd delivered in %i-byte chunks', async (n) => {
    const plain = await scanLayer([sample], 'plain');
    for (const stored of [gzip(sample), zstd(sample), sample]) {
      const s = await scanLayer(asyncChunks(stored, n), `chunks of ${n}`);
      expect(s.digest).toBe(sha256(stored));
      expect(s.diffId).toBe(sha256(sample));
      expect(view(s)).toEqual(view(plain));
    }
  });

  it('reads a zstd stream of several frames and a gzip stream of several members', async () => {
    const a = tar([file('a', 'A')], { end: false });
    const b = tar([file('b', 'B')]);
    for (const [stored, kind] of [
      [Buffer.concat([zstd(a), zstd(b)]), 'zstd'],
      [Buffer.concat([gzip(a), gzip(b)]), 'gzip'],
    ] as const) {
      const s = await scanLayer([stored], kind);
      expect(s.entries.map((e) => e.path)).toEqual(['/a', '/b']);
      expect(s.diffId).toBe(sha256(Buffer.concat([a, b])));
    }
  });
});

describe('scanLayer: records', () => {
  it('cleans names to absolute paths and hard-link targets to absolute paths; symlinks stay as written', async () => {
    const s = await scanLayer([sample], 'plain');
    expect(s.entries.map((e) => [e.path, e.type, e.link])).toEqual([
      ['/', 'dir', null],
      ['/etc', 'dir', null],
      ['/etc/os-release', 'file', null],
      ['/usr/bin', 'dir', null],
      ['/usr/bin/app', 'file', null],
      ['/usr/local/bin/script.sh', 'file', null],
      ['/opt/tool', 'file', null],
      ['/data/blob.bin', 'file', null],
      ['/var/lib/dpkg/status', 'file', null],
      ['/lib/apk/db/installed', 'file', null],
      ['/bin', 'symlink', 'usr/bin'],
      ['/usr/bin/app2', 'hardlink', '/usr/bin/app'],
      ['/abs/leading-slash', 'file', null],
      ['/a/b/c', 'file', null],
    ]);
    const app = s.entries.find((e) => e.path === '/usr/bin/app');
    expect(app).toMatchObject({ size: 10_000, mode: 0o755, uid: 0, gid: 0 });
  });

  it('keeps the first 4096 bytes of executables and of anything under a bin/ directory, and nothing of other files', async () => {
    const s = await scanLayer(asyncChunks(gzip(sample), 333), 'heads');
    const get = (p: string) => s.entries.find((e) => e.path === p);
    expect(EXEC_HEAD).toBe(4096);
    expect(get('/usr/bin/app')?.head).toEqual(elf.subarray(0, 4096));
    expect(get('/usr/local/bin/script.sh')?.head?.toString()).toBe('#!/bin/sh\necho hi\n');
    expect(get('/opt/tool')?.head?.toString()).toBe('x'.repeat(50));
    expect(get('/data/blob.bin')?.head).toBeUndefined();
    expect(get('/etc/os-release')?.head?.toString()).toBe(osRelease);
    expect(get('/usr/bin/app2')?.head).toBeUndefined();
  });

  it('bounds the os-release head at 16 KiB and the executable head at 4 KiB whatever the chunking', async () => {
    const bigRelease = Buffer.from(`ID=alpine\n${'#'.repeat(40_000)}\n`);
    const bigExe = noise(1_000_000, 9);
    const t = tar([file('usr/lib/os-release', bigRelease), file('sbin/init', bigExe, { mode: 0o755 })]);
    for (const n of [1000, 65536, t.length]) {
      const s = await scanLayer(asyncChunks(t, n), 'bounded');
      expect(s.entries[0]?.head).toEqual(bigRelease.subarray(0, 16 * 1024));
      expect(s.entries[1]?.head).toEqual(bigExe.subarray(0, 4096));
    }
  });

  it('does not keep a head for an empty executable', async () => {
    const s = await scanLayer([tar([file('bin/empty', '', { mode: 0o755 })])], 'empty');
    expect(s.entries[0]?.head).toBeUndefined();
  });

  it('counts dpkg "Package:" and apk "P:" records at line starts only', async () => {
    const s = await scanLayer([sample], 'db');
    expect(s.entries.find((e) => e.path === '/var/lib/dpkg/status')?.records).toBe(3);
    expect(s.entries.find((e) => e.path === '/lib/apk/db/installed')?.records).toBe(3);
    expect(s.entries.find((e) => e.path === '/var/lib/dpkg/status')?.head).toBeUndefined();
  });

  it('counts package records whose marker is split across chunk boundaries, for every split', async () => {
    const n = 200;
    const body = Array.from(
      { length: n },
      (_, i) => `Package: pkg${i}\nVersion: 1.${i}\nDescription: d\n`,
    ).join('\n');
    const apk = Array.from({ length: n }, (_, i) => `P:p${i}\nV:${i}\n`).join('\n');
    const t = tar([file('var/lib/dpkg/status', body), file('lib/apk/db/installed', apk)]);
    for (const size of [1, 2, 3, 5, 7, 8, 9, 10, 13, 511, 512, 513, 4096]) {
      const s = await scanLayer(asyncChunks(t, size), `split ${size}`);
      expect(
        s.entries.map((e) => e.records),
        `chunks of ${size}`,
      ).toEqual([n, n]);
    }
    // Every possible cut through the first "Package:" marker of a second record.
    const two = tar([file('var/lib/dpkg/status', 'Package: a\n\nPackage: b\n')]);
    const at = two.indexOf('Package: b');
    for (let cut = at - 2; cut <= at + 10; cut++) {
      const s = await scanLayer([two.subarray(0, cut), two.subarray(cut)], `cut ${cut}`);
      expect(s.entries[0]?.records, `cut at ${cut - at}`).toBe(2);
    }
  });

  it('sends entries that climb out of the root to escapes, not entries', async () => {
    const t = tar([
      file('ok', 'o'),
      file('../evil', 'e'),
      file('a/../../evil2', 'e'),
      file('./../x', 'x'),
      hardlink('h', '../../x'),
      symlink('s', '../../../etc/passwd'), // a symlink target is data: resolved inside the image later
      file('a/b/../c', 'c'), // stays inside: fine
      file('/../rooted', 'r'),
    ]);
    const s = await scanLayer([t], 'escapes');
    expect(s.entries.map((e) => e.path)).toEqual(['/ok', '/s', '/a/c']);
    expect(s.escapes).toEqual(['../evil', 'a/../../evil2', './../x', 'h → ../../x', '/../rooted']);
    // The escapes reach flatten as problems.
    const flat = flatten([s]);
    expect(flat.problems.map((p) => p.kind)).toEqual(['escape', 'escape', 'escape', 'escape', 'escape']);
  });
});

describe('scanLayer: broken input', () => {
  const gz = gzip(Buffer.concat([sample, noise(200_000, 5)]));

  it.each([
    ['in the middle', Math.floor(gz.length / 2)],
    ['just before the trailer', gz.length - 4],
    ['after the header', 12],
  ])('rejects gzip truncated %s with an InputError naming the layer', async (_n, cut) => {
    await expectInputError(
      scanLayer([gz.subarray(0, cut)], 'layer 3 (abcdef012345)'),
      /^layer 3 \(abcdef012345\) (is corrupt: gzip|is truncated)/,
    );
  });

  it('rejects gzip with flipped bytes (bad data or bad CRC) with an InputError naming the layer', async () => {
    for (const at of [20, Math.floor(gz.length / 3), gz.length - 6]) {
      const bad = Buffer.from(gz);
      bad[at] = (bad[at] as number) ^ 0xff;
      bad[at + 1] = (bad[at + 1] as number) ^ 0x55;
      await expectInputError(scanLayer([bad], 'layer 1 (feedface)'), /^layer 1 \(feedface\)/);
    }
  });

  it('rejects truncated zstd with an InputError naming the layer', async () => {
    const zs = zstd(Buffer.concat([sample, noise(200_000, 6)]));
    await expectInputError(
      scanLayer([zs.subarray(0, Math.floor(zs.length / 2))], 'zstd layer'),
      /^zstd layer/,
    );
  });

  it('rejects corrupt zstd with an InputError naming the layer', async () => {
    const zs = zstd(Buffer.concat([sample, noise(200_000, 7)]));
    // Node 20's fallback decoder (fzstd) skips the content checksum, so a flip inside a raw block only
    // changes the diff_id (which the image check catches). Flips in the frame and first blocks must fail here.
    for (const at of [4, 20, 60]) {
      const bad = Buffer.from(zs);
      bad[at] = (bad[at] as number) ^ 0xff;
      await expectInputError(
        scanLayer([bad], `zstd layer flipped at ${at}`),
        new RegExp(`^zstd layer flipped at ${at} `),
      );
    }
  });

  it('rejects a plain tar cut in a body, naming the layer', async () => {
    await expectInputError(
      scanLayer([sample.subarray(0, 3 * BLOCK + 100)], 'layer 2 (plain)'),
      /^layer 2 \(plain\) is truncated/,
    );
  });

  it('rejects bytes that are not a tar, naming the layer', async () => {
    await expectInputError(scanLayer([noise(4096, 8)], 'layer 9'), /^layer 9 is corrupt/);
    await expectInputError(scanLayer([Buffer.from('{"not":"a tar"}')], 'layer 10'), /^layer 10 is truncated/);
  });

  // The tar parser fails while the decompressor still has output to give: the parser's InputError is what
  // must come out, not the stream machinery's "AbortError: The operation was aborted".
  const badTar = tar([file('a', 'A'), file('b', 'B', { badChecksum: true }), file('c', noise(300_000, 4))]);
  it.each([
    ['plain', (b: Buffer) => b],
    ['gzip', gzip],
    ['zstd', (b: Buffer) => zstd(b)],
  ])(
    'rejects a %s layer whose tar has a bad header checksum with an InputError naming the layer',
    async (_k, enc) => {
      await expectInputError(
        scanLayer([enc(badTar)], 'layer 4 (0123abcd)'),
        /^layer 4 \(0123abcd\) is corrupt: bad tar header checksum at byte 1024$/,
      );
    },
  );

  it('rejects a gzip layer whose tar has a bad pax record with an InputError naming the layer', async () => {
    const t = tar([file('a', 'A', { pax: { size: 'nope' } }), file('c', noise(300_000, 4))]);
    await expectInputError(scanLayer([gzip(t)], 'layer 5'), /^layer 5 is corrupt: bad pax size/);
  });
});

describe('scanLayer: memory grows with files, never with bytes', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  /** JS heap plus Buffer memory (which lives outside the JS heap). */
  const used = (): number => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };

  /** A tar of `dirs` directories of `per` empty files each, generated on the fly in 1 MiB chunks. */
  function* manyEntries(dirs: number, per: number, sample: () => void): Generator<Buffer> {
    const fileTmpl = headerBlock({ name: '', typeflag: '0', size: 0, mode: 0o644 });
    const dirTmpl = headerBlock({ name: '', typeflag: '5', size: 0, mode: 0o755 });
    const baseSum = (t: Buffer): number => {
      let s = 0;
      for (let i = 0; i < BLOCK; i++) s += i >= 148 && i < 156 ? 32 : (t[i] as number);
      return s;
    };
    const fileSum = baseSum(fileTmpl);
    const dirSum = baseSum(dirTmpl);
    const per_chunk = 2048;
    let buf = Buffer.alloc(per_chunk * BLOCK);
    let k = 0;
    const emit = (tmpl: Buffer, sum: number, name: string): void => {
      const off = k * BLOCK;
      tmpl.copy(buf, off);
      const n = buf.write(name, off, 'latin1');
      let s = sum;
      for (let i = 0; i < n; i++) s += buf[off + i] as number;
      buf.write(s.toString(8).padStart(6, '0') + '\0 ', off + 148, 'latin1');
      k++;
    };
    for (let d = 0; d < dirs; d++) {
      const dn = `srv/dir${String(d).padStart(4, '0')}/`;
      emit(dirTmpl, dirSum, dn);
      for (let f = 0; f < per; f++) {
        if (k === per_chunk) {
          yield buf;
          sample();
          buf = Buffer.alloc(per_chunk * BLOCK);
          k = 0;
        }
        emit(fileTmpl, fileSum, `${dn}f${String(f).padStart(6, '0')}`);
      }
      if (k === per_chunk) {
        yield buf;
        sample();
        buf = Buffer.alloc(per_chunk * BLOCK);
        k = 0;
      }
    }
    yield Buffer.concat([buf.subarray(0, k * BLOCK), Buffer.alloc(2 * BLOCK)]);
  }

  it(
    'scans and flattens a layer of 1,000,000 tiny entries in bounded memory per entry',
    { timeout: 120_000 },
    async () => {
      const N = 1_000_000;
      const PER_ENTRY = 600;
      gc();
      const before = used();
      let peak = before;
      const sample = (): void => {
        peak = Math.max(peak, used());
      };
      // 1000 directories + 999,000 files = 1,000,000 entries; /srv is implicit.
      const scan = await scanLayer(manyEntries(1000, 999, sample), 'a million entries');
      sample();
      expect(scan.entries.length).toBe(N);
      expect(scan.uncompressedSize).toBe((N + 2) * BLOCK);
      const flat = flatten([scan]);
      expect(flat.files.length).toBe(N + 1);
      expect(flat.problems).toEqual([]);
      gc();
      const after = used();
      const peakScan = (peak - before) / N;
      const retained = (after - before) / N;
      // Both the scan records and the flattened files are still referenced here.
      expect(scan.entries[N - 1]?.path).toBe('/srv/dir0999/f000998');
      expect(peakScan, `peak heap growth while scanning: ${peakScan.toFixed(0)} B/entry`).toBeLessThan(
        PER_ENTRY,
      );
      expect(retained, `heap growth after scan + flatten: ${retained.toFixed(0)} B/entry`).toBeLessThan(
        PER_ENTRY,
      );
    },
  );

  it(
    'scans a layer holding one 768 MiB file without the heap growing with its bytes',
    { timeout: 120_000 },
    async () => {
      const size = 768 * 1024 * 1024;
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      gc();
      const before = used();
      let peak = before;
      function* body(): Generator<Buffer> {
        yield headerBlock({ name: 'var/big.bin', typeflag: '0', size, base256: ['size'] });
        for (let i = 0; i < size / chunk.length; i++) {
          yield chunk;
          if (i % 32 === 0) peak = Math.max(peak, used());
        }
        yield Buffer.alloc(2 * BLOCK);
      }
      const s = await scanLayer(body(), 'big');
      expect(s.entries).toEqual([
        { path: '/var/big.bin', type: 'file', size, mode: 0o644, uid: 0, gid: 0, link: null },
      ]);
      expect(s.uncompressedSize).toBe(size + 3 * BLOCK);
      expect(peak - before, 'heap growth while scanning 768 MiB').toBeLessThan(32 * 1024 * 1024);
    },
  );
});
