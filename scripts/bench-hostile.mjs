#!/usr/bin/env node
// Time and peak RSS of `slimgate check` on small hostile images (issue 12 §3, DESIGN invariant 8: cost
// grows with the image, never with the square of a name). Each image is generated here, as an
// oci-archive, and checked by the bundled CLI (dist/cli.js: `npm run bundle` first) under /usr/bin/time.
//
//   node scripts/bench-hostile.mjs            all cases
//   node scripts/bench-hostile.mjs deep long  only these
//   BENCH_KEEP=1 node scripts/bench-hostile.mjs  keep the images (to profile one)
//   BENCH_CLI=/tmp/old-cli.js node scripts/bench-hostile.mjs symlink   another build, to compare
//
// Figures are for reading, not asserting: the tests (__tests__/unit/hostile-names.test.ts) assert the exit
// codes and findings of the same shapes.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = process.env.BENCH_CLI || join(root, 'dist', 'cli.js');

// ------------------------------------------------------------------ a minimal tar writer (ustar + pax)

function header(name, { type = '0', size = 0, mode = 0o644, linkname = '' } = {}) {
  const b = Buffer.alloc(512);
  const put = (off, len, s) => Buffer.from(s).copy(b, off, 0, len);
  const oct = (off, len, v) => put(off, len, v.toString(8).padStart(len - 1, '0') + '\0');
  put(0, 100, name);
  oct(100, 8, mode);
  oct(108, 8, 0);
  oct(116, 8, 0);
  oct(124, 12, size);
  oct(136, 12, 1_700_000_000);
  put(156, 1, type);
  put(157, 100, linkname);
  put(257, 8, 'ustar\u000000');
  b.fill(32, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  put(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return b;
}

const pad = (n) => Buffer.alloc((512 - (n % 512)) % 512);

function paxRecord(key, value) {
  const payload = Buffer.from(` ${key}=${value}\n`);
  let len = payload.length + 1;
  while (String(len).length + payload.length !== len) len = String(len).length + payload.length;
  return Buffer.concat([Buffer.from(String(len)), payload]);
}

/** Entries: { name, type?, body?, linkname?, mode? }; long names and links go in pax records. */
function tar(entries) {
  const parts = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const link = e.linkname ?? '';
    const recs = [];
    if (Buffer.byteLength(e.name) > 99) recs.push(paxRecord('path', e.name));
    if (Buffer.byteLength(link) > 99) recs.push(paxRecord('linkpath', link));
    if (recs.length) {
      const pax = Buffer.concat(recs);
      parts.push(header('PaxHeader', { type: 'x', size: pax.length }), pax, pad(pax.length));
    }
    const h = header(e.name.slice(0, 99), {
      type: e.type ?? '0',
      size: body.length,
      mode: e.mode ?? 0o644,
      linkname: link.slice(0, 99),
    });
    parts.push(h, body, pad(body.length));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const sha = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** An oci-archive with one gzip layer per entry list. */
function ociArchive(layers) {
  const blobs = [];
  const descs = [];
  const diffIds = [];
  for (const entries of layers) {
    const t = tar(entries);
    const gz = gzipSync(t, { level: 9 });
    diffIds.push(sha(t));
    blobs.push(gz);
    descs.push({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: sha(gz),
      size: gz.length,
    });
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Entrypoint: ['/app'], User: '65532' },
      rootfs: { type: 'layers', diff_ids: diffIds },
    }),
  );
  blobs.push(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha(config),
        size: config.length,
      },
      layers: descs,
    }),
  );
  blobs.push(manifest);
  const index = JSON.stringify({
    schemaVersion: 2,
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: sha(manifest),
        size: manifest.length,
      },
    ],
  });
  return tar([
    ...blobs.map((b) => ({ name: `blobs/sha256/${sha(b).slice(7)}`, body: b })),
    { name: 'index.json', body: index },
    { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
  ]);
}

// ------------------------------------------------------------------------------------------- cases

const seg = (n, len) => Array.from({ length: n }, (_, i) => String(i % 10).repeat(len)).join('/');

/** uvarint, as Go writes the lengths in its build info. */
function uvarint(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}

/**
 * A minimal ELF64 executable whose one writable PT_LOAD segment holds Go build info (the 1.18+ inline
 * format) with this module text: enough for the scan's Go reader, which looks for the magic there.
 */
function goElf(modinfo) {
  const header = Buffer.alloc(32);
  header.write('\xff Go buildinf:', 0, 'latin1');
  header[14] = 8;
  header[15] = 2;
  const version = Buffer.from('go1.22.1');
  const mod = Buffer.concat([Buffer.alloc(16, 0x30), Buffer.from(modinfo), Buffer.alloc(16, 0x31)]);
  const info = Buffer.concat([header, uvarint(version.length), version, uvarint(mod.length), mod]);
  const size = 4096 + info.length;
  const b = Buffer.alloc(size);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(62, 18); // x86-64
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(64n, 32); // e_phoff
  b.writeUInt16LE(64, 52);
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(1, 56); // one program header
  b.writeUInt16LE(64, 58);
  b.writeUInt32LE(1, 64); // PT_LOAD
  b.writeUInt32LE(6, 68); // PF_R | PF_W
  b.writeBigUInt64LE(BigInt(size), 64 + 32);
  b.writeBigUInt64LE(BigInt(size), 64 + 40);
  b.writeBigUInt64LE(4096n, 64 + 48);
  info.copy(b, 4096);
  return b;
}

const CASES = {
  // The three cases of issue 12, as reported, then the largest names within the limits.
  deep: {
    what: 'one file 100,000 directories deep',
    layers: () => [[{ name: `${'d/'.repeat(100_000)}f`, body: 'x' }]],
  },
  long: {
    what: '5,000 names of 16,400 characters',
    layers: () => [
      Array.from({ length: 5000 }, (_, i) => ({
        name: `${String(i).padStart(5, '0')}${'x'.repeat(16_395)}`,
      })),
    ],
  },
  symlink: {
    what: 'a symlink target of 300,000 components',
    layers: () => [[{ name: 'l', type: '2', linkname: 'a/'.repeat(300_000) }, { name: 'l/x' }]],
  },
  legal: {
    what: '5,000 paths of 4,095 bytes, 16 levels of 255-byte names, parents listed',
    layers: () => {
      const entries = [];
      for (let i = 0; i < 5000; i++) {
        const top = `${String(i).padStart(5, '0')}${'p'.repeat(250)}`;
        const rest = seg(15, 255).split('/');
        let p = top;
        entries.push({ name: `${p}/`, type: '5' });
        for (let k = 0; k < rest.length - 1; k++) {
          p += `/${rest[k]}`;
          if (i === 0 || k === rest.length - 2) entries.push({ name: `${p}/`, type: '5' });
        }
        entries.push({ name: `${p}/${rest[rest.length - 1]}`, body: 'f' });
      }
      return [entries];
    },
  },
  implicit: {
    what: '300 paths 256 levels deep (4,095 bytes), no parent entries',
    layers: () => [
      Array.from({ length: 300 }, (_, i) => ({
        name: `${String(i).padStart(15, '0')}/${seg(255, 15)}`,
        body: 'f',
      })),
    ],
  },
  chain: {
    what: '40 symlinks, each 200 levels deeper, and 1,000 files under the last',
    layers: () => {
      const entries = [{ name: 'l0', type: '2', linkname: `/${'a/'.repeat(200)}` }];
      for (let i = 1; i < 40; i++)
        entries.push({ name: `l${i}`, type: '2', linkname: `l${i - 1}/${'a/'.repeat(200)}` });
      for (let i = 0; i < 1000; i++) entries.push({ name: `l39/f${i}`, body: 'x' });
      return [entries];
    },
  },
  gomods: {
    what: '2,000 Go binaries, 5,000 modules each in their build info (issue 24)',
    layers: () => {
      const deps = Array.from({ length: 5000 }, (_, i) => `dep\tm${i}\tv${i}\n`).join('');
      const elf = goElf(`path\tx\nmod\tx\t(devel)\t\n${deps}build\tGOOS=linux\n`);
      return [Array.from({ length: 2000 }, (_, i) => ({ name: `bin/t${i}`, body: elf, mode: 0o755 }))];
    },
  },
};

// ---------------------------------------------------------------------------------------- measure

const only = process.argv.slice(2);
const tmp = mkdtempSync(join(tmpdir(), 'slimgate-bench-hostile-'));
const rows = [];
try {
  for (const [name, c] of Object.entries(CASES)) {
    if (only.length && !only.includes(name)) continue;
    const archive = join(tmp, `${name}.tar`);
    writeFileSync(archive, ociArchive(c.layers()));
    const out = join(tmp, `${name}.json`);
    const r = spawnSync(
      '/usr/bin/time',
      [
        '-f',
        '%e %U %S %M',
        'sh',
        '-c',
        'exec node "$0" check --json "$1" >"$2"',
        cli,
        `oci-archive:${archive}`,
        out,
      ],
      { encoding: 'utf8', env: { ...process.env, SLIMGATE_CACHE: '0', NO_COLOR: '1' } },
    );
    const [secs, user, sys, kb] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
    let findings = '';
    try {
      const doc = JSON.parse(readFileSync(out, 'utf8'));
      const count = {};
      for (const f of doc.findings) count[f.id] = (count[f.id] ?? 0) + 1;
      findings = Object.entries(count)
        .map(([id, k]) => `${id}×${k}`)
        .join(' ');
    } catch {
      findings = r.stderr.trim().split('\n')[0];
    }
    rows.push({
      case: name,
      what: c.what,
      image: `${Math.round(statSync(archive).size / 1024)} kB`,
      exit: r.status,
      'wall s': secs,
      // On a shared machine wall time is mostly waiting: CPU time is the figure to compare.
      'cpu s': Math.round((user + sys) * 100) / 100,
      'peak RSS': `${Math.round(kb / 1024)} MB`,
      report: `${Math.round(statSync(out).size / 1024)} kB`,
      findings,
    });
    console.error(`${name}: done`);
  }
} finally {
  if (process.env.BENCH_KEEP) console.error(`images kept in ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
console.table(rows);
