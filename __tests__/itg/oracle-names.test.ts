// Names are bytes, checked against umoci (an independent unpacker, in Go, where names are bytes too) and
// the kernel: layers with names that are not UTF-8, Latin-1 names and the collision cases of issue 12 are
// unpacked by umoci and inspected by Slimgate, and the two file systems must be equal byte for byte.
// "\udcXX" in a name is the single byte 0xXX (the tar helper's `raw`).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/engine/engine.js';
import type { Report, ReportFile } from '../../src/types/report.js';
import { umociUnpack, type FsRecord } from '../helpers/oracle.js';
import { dir, file, hardlink, layer, ociArchive, raw, symlink, tar, type TarEntry } from '../helpers/tar.js';

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-oracle-names-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** One comparable line per path, from the bytes: "hex(path) type size mode [→ hex(link)]". */
type Line = string;
const hexOf = (b: Buffer): string => b.toString('hex');

function reportBytes(f: ReportFile, field: 'path' | 'link'): Buffer {
  const b64 = field === 'path' ? f.pathBase64 : f.linkBase64;
  if (b64 !== undefined) return Buffer.from(b64, 'base64');
  return Buffer.from((field === 'path' ? f.path : f.link) ?? '', 'utf8');
}

function fromReport(files: readonly ReportFile[]): Line[] {
  return files
    .map((f) => {
      const type = f.type === 'hardlink' ? 'file' : f.type;
      const size = type === 'file' ? f.size : 0;
      const link = f.type === 'symlink' ? ` → ${hexOf(reportBytes(f, 'link'))}` : '';
      return `${hexOf(reportBytes(f, 'path'))} ${type} ${size} ${f.mode}${link}`;
    })
    .sort();
}

function fromOracle(records: readonly FsRecord[]): Line[] {
  return records
    .map((r) => {
      const link = r.linkBytes ? ` → ${hexOf(r.linkBytes)}` : '';
      return `${hexOf(r.pathBytes)} ${r.type} ${r.size} ${r.mode}${link}`;
    })
    .sort();
}

interface Case {
  name: string;
  layers: TarEntry[][];
}

let n = 0;
/** Writes the layers as an OCI layout directory (an oci-archive, unpacked by tar) and returns it. */
function layout(layers: TarEntry[][]): string {
  const d = path.join(tmp, `layout-${++n}`);
  mkdirSync(d);
  const archive = path.join(tmp, `oci-${n}.tar`);
  writeFileSync(archive, ociArchive({ layers: layers.map((l) => layer(tar(l))), refName: 'names' }));
  execFileSync('tar', ['-xf', archive, '-C', d]);
  return d;
}

async function both(layers: TarEntry[][]): Promise<{ report: Report; oracle: FsRecord[] }> {
  const d = layout(layers);
  const unpacked = umociUnpack(d, 'names');
  const oracle = unpacked.records;
  unpacked.remove();
  const reports = await inspect(`oci:${d}:names`);
  expect(reports).toHaveLength(1);
  return { report: reports[0]!, oracle };
}

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
const kb = Buffer.alloc(1024, 0x61);
const p = (s: string): Buffer => raw(s);

const CASES: Case[] = [
  {
    name: 'a key under root/\\xff next to root/\\xfe',
    layers: [
      [dir('root/'), dir('root/\udcff/'), file('root/\udcff/id_ed25519', KEY), file('root/\udcfe', 'x')],
    ],
  },
  {
    name: 'a whiteout .wh.\\xfe, with \\xff and U+FFFD beside it',
    layers: [
      [
        dir('root/'),
        dir('root/\udcff/'),
        file('root/\udcff/id_ed25519', KEY),
        file('root/\udcfe', 'x'),
        file('root/\ufffd', 'r'),
      ],
      [file('root/.wh.\udcfe')],
    ],
  },
  {
    name: 'a setuid binary named \\xfe and a later file named \\xff',
    layers: [[dir('bin/'), file('bin/\udcfe', 'x', { mode: 0o4755 })], [file('bin/\udcff', 'harmless')]],
  },
  {
    name: 'four Latin-1 names in two layers',
    layers: [
      [file('caf\udce9', kb), file('caf\udce8', kb)],
      [file('na\udcefve', kb), file('\udcfcber', kb)],
    ],
  },
  {
    name: 'an opaque directory named \\xff, hard links and symlinks to such names, pax and GNU long names',
    layers: [
      [
        dir('\udcff/'),
        file('\udcff/a', '1'),
        dir('\udcfe/'),
        file('\udcfe/b', '22'),
        file('t\udce9', '333'),
        file(`long/${'n'.repeat(120)}\udcff`, '4', { longName: true }),
        file('pax/\udcff\udcfe/é', '55', { pax: { path: 'pax/\udcff\udcfe/é' } }),
      ],
      [
        dir('\udcff/'),
        file('\udcff/.wh..wh..opq'),
        hardlink('h\udce9', 't\udce9'),
        symlink('s\udce9', '\udcfe/b'),
        symlink('bin-link', 'x\udcff', { pax: { hdrcharset: 'BINARY', linkpath: 'x\udcff' } }),
      ],
    ],
  },
];

describe('names are bytes: Slimgate equals umoci', () => {
  it.each(CASES)('$name: the final file system is umoci’s, byte for byte', async (c) => {
    const { report, oracle } = await both(c.layers);
    expect(fromReport(report.files)).toEqual(fromOracle(oracle));
    // Hard links share umoci's inodes.
    const byBytes = new Map(oracle.map((r) => [hexOf(r.pathBytes), r]));
    for (const f of report.files.filter((x) => x.type === 'hardlink')) {
      const self = byBytes.get(hexOf(reportBytes(f, 'path')));
      const target = byBytes.get(hexOf(reportBytes(f, 'link')));
      expect(target?.inode).toBe(self?.inode);
    }
  });

  it('the key under root/\\xff is on disk and in the report, and the whiteout of \\xfe deleted nothing else', async () => {
    const { report, oracle } = await both(CASES[1]!.layers);
    const names = oracle.map((r) => hexOf(r.pathBytes));
    expect(names).toContain(hexOf(p('/root/\udcff/id_ed25519')));
    expect(names).toContain(hexOf(p('/root/\ufffd')));
    expect(names).not.toContain(hexOf(p('/root/\udcfe')));
    expect(
      report.files.find((f) => f.pathBase64 === p('/root/\udcff/id_ed25519').toString('base64')),
    ).toMatchObject({
      type: 'file',
      size: KEY.length,
    });
    expect(report.size.wasted).toBe(1); // the one byte of \xfe, deleted
  });

  it('four Latin-1 names: four files on disk and in the report, and no waste', async () => {
    const { report, oracle } = await both(CASES[3]!.layers);
    expect(oracle.filter((r) => r.type === 'file')).toHaveLength(4);
    expect(report.files.filter((f) => f.type === 'file')).toHaveLength(4);
    expect(report.size.wasted).toBe(0);
    expect(report.size.uncompressed).toBe(4 * kb.length);
  });

  it('the setuid binary \\xfe keeps its mode on disk and in the report', async () => {
    const { report, oracle } = await both(CASES[2]!.layers);
    expect(oracle.find((r) => r.pathBytes.equals(p('/bin/\udcfe')))?.mode).toBe('4755');
    expect(report.files.find((f) => f.path === '/bin/\\xfe')?.mode).toBe('4755');
  });
});
