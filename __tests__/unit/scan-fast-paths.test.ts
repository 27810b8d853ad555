// The per-entry fast paths of the scan (issue 8, bench figures) decide exactly what the slow paths decide.
// Each oracle below is the algorithm as it was before the fast path, kept here verbatim: cleanPath's
// split/join, pastLimits' byte count per component, headSpec's lookups without the cheap guards.
import { describe, expect, it } from 'vitest';
import { headSpec } from '../../src/scan/heads.js';
import { scanLayer } from '../../src/scan/layer.js';
import { secretFileKind } from '../../src/scan/secret-files.js';
import { matchFile } from '../../src/formats/index.js';
import { MAX_DEPTH, pastLimits } from '../../src/util/limits.js';
import { decodeName, nameByteLength } from '../../src/util/names.js';
import { cleanPath } from '../../src/util/paths.js';
import { file, tar } from '../helpers/tar.js';

function cleanPathOracle(name: string): string | undefined {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return '/' + out.join('/');
}

function pastLimitsOracle(path: string, link: string | null): string | undefined {
  if (nameByteLength(path) - 1 > 4095) return 'path-too-long';
  let depth = 0;
  for (let from = 1; from < path.length;) {
    let to = path.indexOf('/', from);
    if (to === -1) to = path.length;
    depth++;
    if (nameByteLength(path.slice(from, to)) > 255) return 'name-too-long';
    from = to + 1;
  }
  if (depth > MAX_DEPTH) return 'too-deep';
  if (link !== null && nameByteLength(link) > 4095) return 'link-too-long';
  return undefined;
}

function headSpecOracle(path: string, mode: number): ReturnType<typeof headSpec> {
  const spec = namedOracle(path, mode);
  const packages = matchFile(path);
  if (!packages) return spec;
  const marker = (
    {
      '/var/lib/dpkg/status': 'Package:',
      '/lib/apk/db/installed': 'P:',
      '/usr/lib/apk/db/installed': 'P:',
    } as Record<string, string>
  )[path];
  // A database is still probed as ELF when it is executable (an image can put a binary there).
  return { ...(spec ?? { keep: 0 }), packages, ...(marker ? { countLines: marker } : {}) };
}

function namedOracle(path: string, mode: number): ReturnType<typeof headSpec> {
  if (path === '/etc/os-release' || path === '/usr/lib/os-release') return { keep: 16 * 1024 };
  if (path === '/etc/passwd' || path === '/etc/group') return { keep: 16 * 1024 };
  const linker =
    path === '/etc/ld.so.conf' ||
    path.startsWith('/etc/ld.so.conf.d/') ||
    (path.startsWith('/etc/ld-musl-') && path.endsWith('.path'));
  if (linker) return { keep: 4096 };
  const exec = mode & 0o111 || path.includes('/bin/') || path.includes('/sbin/');
  const secrets = secretFileKind(path);
  if (secrets) return exec ? { keep: 4096, secrets, elf: true } : { keep: 0, secrets };
  if (exec) return { keep: 4096, elf: true };
  return undefined;
}

/** A deterministic generator (no flaky seeds): xorshift32. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const PIECES = [
  'a',
  'bin',
  '.',
  '..',
  '',
  '/',
  '//',
  './',
  'é',
  '日本',
  '😀',
  '\udc80',
  '\udcff',
  '.wh.x',
  '...',
];

function randomName(next: () => number): string {
  let s = '';
  const n = Math.floor(next() * 12);
  for (let i = 0; i < n; i++) {
    s += PIECES[Math.floor(next() * PIECES.length)];
    if (next() < 0.6) s += '/';
  }
  return s;
}

describe('cleanPath fast path', () => {
  const table = [
    '',
    '.',
    './',
    '/',
    '//',
    'a',
    'a/',
    '/a',
    './a',
    './a/',
    'a//b',
    'a/./b',
    'a/../b',
    '../a',
    './../a',
    'a/..',
    'a/b/..',
    '././a',
    '.a/..b/...',
    '.hidden/.wh..wh..opq',
    'usr/bin/env',
    '/usr/bin/env/',
    '//usr/bin',
    'a/b//',
    '\udc80/é/😀',
  ];
  it('agrees with split/join on a table of clean and unclean names', () => {
    for (const name of table) expect(cleanPath(name), JSON.stringify(name)).toBe(cleanPathOracle(name));
  });

  it('agrees with split/join on 20,000 generated names', () => {
    const next = rng(0x5eed);
    for (let i = 0; i < 20_000; i++) {
      const name = randomName(next);
      expect(cleanPath(name), JSON.stringify(name)).toBe(cleanPathOracle(name));
    }
  });
});

describe('pastLimits fast path', () => {
  const comp = (n: number, c = 'a'): string => c.repeat(n);
  const deep = (depth: number): string => '/a'.repeat(depth);
  const cases: [string, string | null][] = [
    ['/', null],
    ['/usr/bin/env', null],
    [`/${comp(85)}`, null],
    [`/${comp(86)}`, null],
    [`/${comp(255)}`, null],
    [`/${comp(256)}`, null],
    [`/${comp(85, 'é')}`, null], // 170 bytes
    [`/${comp(128, 'é')}`, null], // 256 bytes
    [`/${comp(85, '日')}`, null], // 255 bytes
    [`/${comp(86, '日')}`, null], // 258 bytes
    [`/${comp(63, '😀')}`, null], // 252 bytes in 126 units
    [`/${comp(64, '😀')}`, null], // 256 bytes
    [`/${comp(256, '\udc80')}`, null], // 256 escaped bytes
    [`/${comp(255, '\udc80')}`, null],
    [deep(MAX_DEPTH), null],
    [deep(MAX_DEPTH + 1), null],
    [`/${Array.from({ length: 17 }, () => comp(240)).join('/')}`, null], // 4097 bytes
    [`/${Array.from({ length: 16 }, () => comp(255)).join('/')}`, null], // 4096 bytes
    [`/${Array.from({ length: 16 }, () => comp(254)).join('/')}`, null],
    ['/a', comp(1365)],
    ['/a', comp(4095)],
    ['/a', comp(4096)],
    ['/a', comp(1366, '日')],
    ['/a', comp(1365, '日')],
  ];
  it('agrees with the byte count at every limit, for ASCII, UTF-8, surrogate pairs and escaped bytes', () => {
    for (const [path, link] of cases) {
      expect(pastLimits(path, link)?.kind, `${path.length} units, link ${link?.length}`).toBe(
        pastLimitsOracle(path, link),
      );
    }
  });

  it('agrees with the byte count on generated paths around the limits', () => {
    const next = rng(0xbeef);
    const chars = ['a', 'é', '日', '😀', '\udc80'];
    for (let i = 0; i < 3000; i++) {
      const parts: string[] = [];
      const depth = 1 + Math.floor(next() * (next() < 0.1 ? 300 : 20));
      for (let d = 0; d < depth; d++) {
        const c = chars[Math.floor(next() * chars.length)] as string;
        parts.push(c.repeat(1 + Math.floor(next() * (next() < 0.2 ? 300 : 40))));
      }
      const path = `/${parts.join('/')}`;
      const link = next() < 0.3 ? 'x'.repeat(Math.floor(next() * 5000)) : null;
      expect(pastLimits(path, link)?.kind).toBe(pastLimitsOracle(path, link));
    }
  });
});

describe('headSpec guards', () => {
  const named = [
    '/etc/os-release',
    '/usr/lib/os-release',
    '/var/lib/dpkg/status',
    '/lib/apk/db/installed',
    '/usr/lib/apk/db/installed',
    '/etc/passwd',
    '/etc/group',
    '/etc/ld.so.conf',
    '/etc/ld.so.conf.d/libc.conf',
    '/etc/ld-musl-x86_64.path',
    '/usr/lib/x86_64-linux-gnu/status',
    '/var/lib/dpkg/status-old',
    '/opt/var/lib/dpkg/status',
    '/srv/lib/apk/db/installed',
    '/root/.ssh/id_rsa',
    '/app/.env',
    '/usr/local/bin/tool',
    '/usr/share/doc/README',
  ];
  it('gives what the unguarded lookups give, for named files, near misses and ordinary files', () => {
    for (const path of named)
      for (const mode of [0o644, 0o755])
        expect(headSpec(path, mode), path).toEqual(headSpecOracle(path, mode));
  });
});

describe('a scan with the fast paths', () => {
  it('records what the slow paths decide, for clean, unclean and over-long names', async () => {
    const names = [
      'usr/bin/env',
      './etc/passwd',
      'a//b/./c/',
      'x/../y',
      `long/${'n'.repeat(256)}`,
      `ok/${'n'.repeat(255)}`,
      'var/lib/dpkg/status',
    ];
    const layer = tar(names.map((n) => file(n, 'Package: a\n', n.length > 99 ? { longName: true } : {})));
    const scan = await scanLayer([layer], 'test layer');
    const expected = names
      .map((n) => cleanPathOracle(decodeName(Buffer.from(n))) as string)
      .filter((p) => pastLimitsOracle(p, null) === undefined);
    expect(scan.entries.map((e) => e.path)).toEqual(expected);
    expect(scan.refused.map((r) => r.kind)).toEqual(['name-too-long']);
    expect(scan.entries.find((e) => e.path === '/var/lib/dpkg/status')?.records).toBe(1);
  });
});
