// Shared helpers for the rules/base/budget/elf unit tests: in-memory images built entry by entry, and
// synthetic ELF headers. Not a test file itself.
import { buildCheckImage } from '../../src/engine/assemble.js';
import { judgeReport } from '../../src/analysis/judge.js';
import type { ScannedImage } from '../../src/scan/scan-layers.js';
import type { ImageConfigFile } from '../../src/sources/model/image.js';
import type { EntryRecord } from '../../src/scan/layer.js';
import { matchSecretFile, mergeSecretHits } from '../../src/scan/secret-files.js';
import { matchContent } from '../../src/scan/secret-content.js';
import { matchFile, parserFor, PathBudget } from '../../src/formats/index.js';
import { DEFAULT_POLICY, type Policy } from '../../src/analysis/policy.js';
import { mergePolicy, type PolicyPatch } from '../../src/config/merge.js';
import type { DockerfileInfo } from '../../src/analysis/dockerfile.js';
import type { Report } from '../../src/types/report.js';
import { D, F, H, S } from './records.js';

export { D, F, H, S };

/**
 * A regular file with content: size and head from the text, and the secret verdict the scan's matchers
 * give over the whole body (as scanLayer records it).
 */
export const T = (path: string, text: string | Buffer, x: Partial<EntryRecord> = {}): EntryRecord => {
  const body = typeof text === 'string' ? Buffer.from(text) : text;
  const secret = mergeSecretHits(matchSecretFile(path, body), matchContent(path, body));
  return F(path, body.length, { head: body.subarray(0, 16384), ...(secret ? { secret } : {}), ...x });
};
/** An executable with content. */
export const X = (path: string, body: string | Buffer, x: Partial<EntryRecord> = {}): EntryRecord =>
  T(path, body, { mode: 0o755, ...x });

/** A package database file, read as the scan reads it (src/formats/). */
export function P(path: string, text: string | Buffer): EntryRecord {
  const kind = matchFile(path);
  if (!kind) throw new Error(`not a package database: ${path}`);
  const parser = parserFor(kind, path, new PathBudget());
  parser.write(typeof text === 'string' ? Buffer.from(text) : text);
  return T(path, text, { pkg: parser.end() });
}

/** A dpkg database: each [name, listed paths (one a line)] installed at version 1.0, or the version given. */
export const DPKG = (...pkgs: [string, string, string?][]): EntryRecord[] => [
  P(
    '/var/lib/dpkg/status',
    pkgs
      .map(([name, , v]) => `Package: ${name}\nStatus: install ok installed\nVersion: ${v ?? '1.0'}\n`)
      .join('\n'),
  ),
  ...pkgs.map(([name, files]) => P(`/var/lib/dpkg/info/${name}.list`, `/.\n${files}\n`)),
];

export type Config = NonNullable<ImageConfigFile['config']>;

export function image(
  layers: EntryRecord[][],
  config: Config = {},
  opts: { architecture?: string; history?: ImageConfigFile['history']; createdBy?: string[] } = {},
): ScannedImage {
  const architecture = opts.architecture ?? 'amd64';
  return {
    source: 'test:image',
    digest: 'sha256:' + '0'.repeat(64),
    configDigest: 'sha256:' + '1'.repeat(64),
    platform: { os: 'linux', architecture },
    config: { architecture, os: 'linux', config, history: opts.history ?? [] },
    tags: [],
    layers: layers.map((entries, i) => ({
      digest: `sha256:${String(i).repeat(64).slice(0, 64)}`,
      diffId: `sha256:${String(i).repeat(64).slice(0, 64)}`,
      compression: 'gzip' as const,
      compressedSize: entries.reduce((n, e) => n + e.size, 0),
      uncompressedSize: entries.reduce((n, e) => n + e.size, 0),
      entries,
      escapes: [],
      refused: [],
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      createdBy: opts.createdBy?.[i] ?? null,
    })),
  };
}

export function check(
  img: ScannedImage,
  patch: PolicyPatch = {},
  dockerfile: DockerfileInfo | null = null,
): Report {
  const policy: Policy = Object.keys(patch).length ? mergePolicy(patch) : DEFAULT_POLICY;
  return judgeReport(buildCheckImage(img, { policy, dockerfile }).report, policy).report;
}

export function ids(r: Report): string[] {
  return r.findings.map((f) => f.id);
}

// ------------------------------------------------------------------------------------------------ ELF

export interface ElfSpec {
  bits?: 32 | 64;
  endian?: 'le' | 'be';
  machine?: number;
  type?: number;
  interp?: string | null;
  needed?: string[];
  runpath?: string;
  /** Put the program headers at this offset (to test heads that end before them). */
  phoff?: number;
}

/** A minimal but well-formed ELF: header, PT_LOAD, PT_INTERP, PT_DYNAMIC, and a string table. */
export function elf(spec: ElfSpec = {}): Buffer {
  const bits = spec.bits ?? 64;
  const le = (spec.endian ?? 'le') === 'le';
  const wide = bits === 64;
  const ehsize = wide ? 64 : 52;
  const phentsize = wide ? 56 : 32;
  const interp = spec.interp === undefined ? null : spec.interp;
  const needed = spec.needed ?? [];
  const hasDyn = needed.length > 0 || spec.runpath !== undefined;
  const phdrs: { type: number; offset: number; vaddr: number; filesz: number }[] = [];
  const phoff = spec.phoff ?? ehsize;
  const nph = 1 + (interp !== null ? 1 : 0) + (hasDyn ? 1 : 0);
  let cursor = phoff + nph * phentsize;
  const interpOff = cursor;
  const interpBytes = interp !== null ? Buffer.from(interp + '\0') : Buffer.alloc(0);
  cursor += interpBytes.length;
  // string table
  const strs: number[] = [];
  let strtab = Buffer.from('\0');
  for (const n of [...needed, ...(spec.runpath !== undefined ? [spec.runpath] : [])]) {
    strs.push(strtab.length);
    strtab = Buffer.concat([strtab, Buffer.from(n + '\0')]);
  }
  const strOff = cursor;
  cursor += strtab.length;
  cursor = (cursor + 7) & ~7;
  const dynOff = cursor;
  const dynEnt = wide ? 16 : 8;
  const dyn: [number, number][] = needed.map((_, i) => [1, strs[i] as number]);
  if (spec.runpath !== undefined) dyn.push([29, strs[needed.length] as number]);
  dyn.push([5, strOff], [10, strtab.length], [0, 0]);
  const dynSize = hasDyn ? dyn.length * dynEnt : 0;
  const total = dynOff + dynSize;
  const buf = Buffer.alloc(Math.max(total, phoff + nph * phentsize));
  buf.set([0x7f, 0x45, 0x4c, 0x46, wide ? 2 : 1, le ? 1 : 2, 1], 0);
  const u16 = (o: number, v: number): void => void (le ? buf.writeUInt16LE(v, o) : buf.writeUInt16BE(v, o));
  const u32 = (o: number, v: number): void => void (le ? buf.writeUInt32LE(v, o) : buf.writeUInt32BE(v, o));
  const u64 = (o: number, v: number): void =>
    void (le ? buf.writeBigUInt64LE(BigInt(v), o) : buf.writeBigUInt64BE(BigInt(v), o));
  u16(16, spec.type ?? 2);
  u16(18, spec.machine ?? 62);
  u32(20, 1);
  if (wide) {
    u64(32, phoff);
    u16(52, ehsize);
    u16(54, phentsize);
    u16(56, nph);
  } else {
    u32(28, phoff);
    u16(40, ehsize);
    u16(42, phentsize);
    u16(44, nph);
  }
  phdrs.push({ type: 1, offset: 0, vaddr: 0, filesz: total });
  if (interp !== null)
    phdrs.push({ type: 3, offset: interpOff, vaddr: interpOff, filesz: interpBytes.length });
  if (hasDyn) phdrs.push({ type: 2, offset: dynOff, vaddr: dynOff, filesz: dynSize });
  phdrs.forEach((p, i) => {
    const o = phoff + i * phentsize;
    if (o + phentsize > buf.length) return;
    u32(o, p.type);
    if (wide) {
      u64(o + 8, p.offset);
      u64(o + 16, p.vaddr);
      u64(o + 24, p.vaddr);
      u64(o + 32, p.filesz);
      u64(o + 40, p.filesz);
    } else {
      u32(o + 4, p.offset);
      u32(o + 8, p.vaddr);
      u32(o + 12, p.vaddr);
      u32(o + 16, p.filesz);
      u32(o + 20, p.filesz);
    }
  });
  if (interp !== null && interpOff + interpBytes.length <= buf.length) buf.set(interpBytes, interpOff);
  if (strOff + strtab.length <= buf.length) buf.set(strtab, strOff);
  if (hasDyn) {
    dyn.forEach(([tag, val], i) => {
      const o = dynOff + i * dynEnt;
      if (wide) {
        u64(o, tag);
        u64(o + 8, val);
      } else {
        u32(o, tag);
        u32(o + 4, val);
      }
    });
  }
  return buf;
}

export const STATIC = (): Buffer => elf();
export const DYNAMIC = (needed: string[] = ['libc.so.6']): Buffer =>
  elf({ interp: '/lib64/ld-linux-x86-64.so.2', needed, type: 3 });
