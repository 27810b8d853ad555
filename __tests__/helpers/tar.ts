// A raw tar writer for tests, with no library, so that tests can write every odd and hostile form a tar
// can take: ustar prefixes, pax ('x'/'g') records, GNU long names ('L'/'K'), base-256 numbers, bad
// checksums and missing end-of-archive blocks. Plus builders for whole docker-archive and oci-archive
// files, with digests and diff_ids computed from the real bytes so that each test breaks exactly one thing.
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

export const BLOCK = 512;

/** Typeflags by name; any other one-character string is written as is. */
const FLAGS: Record<string, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

/**
 * One tar entry, for both writers: `tar()` here (every field) and `packTar()` in tar-stream-io.ts (the
 * conventional ones: name, type by name, mode, ids, linkname, body, device numbers).
 */
export interface TarEntry {
  /** The entry's name. Written into the header's name field unless `longName`, `pax.path` or `prefix` say otherwise. */
  name: string;
  /** 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo', or a raw typeflag such as '7', 'Z', '\0'. */
  type?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkname?: string;
  /** A device's numbers ('char' and 'block'). */
  devmajor?: number;
  devminor?: number;
  /** The body. Its length is the size field unless `size` overrides it. */
  body?: Buffer | string;
  /** The size field as written (default: body length). The body written is `body`, padded to a block. */
  size?: number;
  /** Write a pax 'x' header with these records before this entry. */
  pax?: Record<string, string>;
  /** Write a pax 'g' (global) header with these records before this entry. */
  paxGlobal?: Record<string, string>;
  /** Write a GNU 'L' header with the full name before the entry; the header's name field gets `headerName` or a truncation. */
  longName?: boolean;
  /** Write a GNU 'K' header with the full link name before the entry. */
  longLink?: boolean;
  /** Fields written as GNU base-256 numbers instead of octal. */
  base256?: ('size' | 'uid' | 'gid' | 'mtime')[];
  /** Write a wrong checksum. */
  badChecksum?: boolean;
  /** ustar: split the name into prefix (the part before this index's '/') and name; `true` splits at the last '/'. */
  prefix?: boolean;
  /** Magic field: POSIX 'ustar\0' + '00' (default), GNU 'ustar  \0', or none ('v7'). */
  magic?: 'ustar' | 'gnu' | 'v7';
  /** The raw name field, overriding everything else (for 'L' and pax tests). */
  headerName?: string;
  /** The raw linkname field, overriding `linkname` (for 'K' and pax tests). */
  headerLinkname?: string;
}

export interface TarOptions {
  /** Write the two zero blocks that end an archive (default true). */
  end?: boolean;
  /** Bytes appended after everything (after the end blocks, if any). */
  trailer?: Buffer;
}

/**
 * The bytes of a name written in a test: UTF-8, except that a lone surrogate U+DC80..U+DCFF stands for the
 * single byte 0x80..0xFF ("surrogateescape"), so that tests can write names that are not UTF-8:
 * `raw('root/\udcff/id')` is the bytes `root/` 0xff `/id`. (Written here on its own, not with the engine's code.)
 */
export function raw(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    const next = s.charCodeAt(i + 1);
    if (u >= 0xdc80 && u <= 0xdcff) out.push(u - 0xdc00);
    else if (u >= 0xd800 && u <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out.push(...Buffer.from(s.slice(i, i + 2), 'utf8'));
      i++;
    } else out.push(...Buffer.from(s[i] as string, 'utf8'));
  }
  return Buffer.from(out);
}

function writeString(b: Buffer, off: number, len: number, s: string): void {
  const bytes = raw(s);
  if (bytes.length > len) throw new Error(`tar helper: "${s}" does not fit in ${len} bytes`);
  bytes.copy(b, off);
}

function writeOctal(b: Buffer, off: number, len: number, v: number): void {
  const s = v.toString(8);
  if (s.length > len - 1) throw new Error(`tar helper: ${v} does not fit in ${len} octal bytes; use base256`);
  writeString(b, off, len, s.padStart(len - 1, '0') + '\0');
}

/** GNU base-256: first byte 0x80, then the number big-endian in the remaining bytes. */
export function writeBase256(b: Buffer, off: number, len: number, v: number | bigint): void {
  let n = BigInt(v);
  if (n < 0n) throw new Error('tar helper: negative base-256 numbers are not supported');
  for (let i = len - 1; i >= 1; i--) {
    b[off + i] = Number(n & 0xffn);
    n >>= 8n;
  }
  if (n !== 0n) throw new Error(`tar helper: ${v} does not fit in ${len} base-256 bytes`);
  b[off] = 0x80;
}

function writeChecksum(b: Buffer, bad: boolean): void {
  b.fill(32, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i] as number;
  if (bad) sum += 1;
  writeString(b, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
}

export interface HeaderFields {
  name: string;
  typeflag: string;
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  mtime?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  prefix?: string;
  magic?: 'ustar' | 'gnu' | 'v7';
  base256?: ('size' | 'uid' | 'gid' | 'mtime')[];
  badChecksum?: boolean;
}

/** One 512-byte header block. */
export function headerBlock(f: HeaderFields): Buffer {
  const b = Buffer.alloc(BLOCK);
  const b256 = new Set(f.base256 ?? []);
  writeString(b, 0, 100, f.name);
  writeOctal(b, 100, 8, f.mode ?? 0o644);
  const num = (field: 'size' | 'uid' | 'gid' | 'mtime', off: number, len: number, v: number): void => {
    if (b256.has(field)) writeBase256(b, off, len, v);
    else writeOctal(b, off, len, v);
  };
  num('uid', 108, 8, f.uid ?? 0);
  num('gid', 116, 8, f.gid ?? 0);
  num('size', 124, 12, f.size ?? 0);
  num('mtime', 136, 12, f.mtime ?? 1_700_000_000);
  writeString(b, 156, 1, f.typeflag);
  writeString(b, 157, 100, f.linkname ?? '');
  const magic = f.magic ?? 'ustar';
  if (magic === 'ustar') {
    writeString(b, 257, 6, 'ustar\0');
    writeString(b, 263, 2, '00');
  } else if (magic === 'gnu') {
    writeString(b, 257, 8, 'ustar  \0');
  }
  if (magic !== 'v7') {
    writeString(b, 265, 32, 'root');
    writeString(b, 297, 32, 'root');
  }
  if (f.devmajor !== undefined) writeOctal(b, 329, 8, f.devmajor);
  if (f.devminor !== undefined) writeOctal(b, 337, 8, f.devminor);
  if (f.prefix) writeString(b, 345, 155, f.prefix);
  writeChecksum(b, f.badChecksum ?? false);
  return b;
}

function padding(n: number): Buffer {
  return Buffer.alloc((BLOCK - (n % BLOCK)) % BLOCK);
}

/** pax records: "LEN KEY=VALUE\n" where LEN counts the whole record, itself included. */
function paxRecords(records: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(records)) {
    const payload = Buffer.concat([Buffer.from(` ${k}=`), raw(v), Buffer.from('\n')]);
    const plen = payload.length;
    let len = plen + 1;
    while (String(len).length + plen !== len) len = String(len).length + plen;
    parts.push(Buffer.from(String(len)), payload);
  }
  return Buffer.concat(parts);
}

function metaEntry(flag: string, name: string, body: Buffer, magic: 'ustar' | 'gnu' = 'ustar'): Buffer[] {
  return [headerBlock({ name, typeflag: flag, size: body.length, magic }), body, padding(body.length)];
}

/** The blocks of one entry (with its pax or GNU long-name headers before it). */
function entryBlocks(e: TarEntry): Buffer[] {
  const out: Buffer[] = [];
  if (e.paxGlobal) out.push(...metaEntry('g', 'pax_global_header', paxRecords(e.paxGlobal)));
  if (e.pax) out.push(...metaEntry('x', `PaxHeaders/${e.name.slice(0, 80)}`, paxRecords(e.pax)));
  const link = e.linkname ?? '';
  if (e.longName) {
    const body = raw(e.name + '\0');
    out.push(...metaEntry('L', '././@LongLink', body, 'gnu'));
  }
  if (e.longLink) {
    const body = raw(link + '\0');
    out.push(...metaEntry('K', '././@LongLink', body, 'gnu'));
  }
  const body = e.body === undefined ? Buffer.alloc(0) : Buffer.from(e.body);
  let name = e.name;
  let prefix: string | undefined;
  if (e.headerName !== undefined) name = e.headerName;
  else if (e.longName || e.pax?.['path'] !== undefined) name = e.name.slice(0, 99);
  else if (e.prefix) {
    const cut = e.name.lastIndexOf('/', e.name.length - 2);
    if (cut <= 0) throw new Error(`tar helper: cannot split "${e.name}" into prefix and name`);
    prefix = e.name.slice(0, cut);
    name = e.name.slice(cut + 1);
  }
  let linkname = link;
  if (e.headerLinkname !== undefined) linkname = e.headerLinkname;
  else if (e.longLink || e.pax?.['linkpath'] !== undefined) linkname = link.slice(0, 99);
  const typeflag = e.type === undefined ? '0' : (FLAGS[e.type] ?? e.type);
  const fields: HeaderFields = {
    name,
    typeflag,
    mode: e.mode ?? (e.type === 'dir' ? 0o755 : 0o644),
    uid: e.uid ?? 0,
    gid: e.gid ?? 0,
    size: e.size ?? body.length,
    mtime: e.mtime ?? 1_700_000_000,
    linkname,
    magic: e.magic ?? (e.longName || e.longLink ? 'gnu' : 'ustar'),
    base256: e.base256 ?? [],
    badChecksum: e.badChecksum ?? false,
  };
  if (prefix !== undefined) fields.prefix = prefix;
  if (e.devmajor !== undefined) fields.devmajor = e.devmajor;
  if (e.devminor !== undefined) fields.devminor = e.devminor;
  out.push(headerBlock(fields));
  if (body.length) out.push(body, padding(body.length));
  return out;
}

/** A whole archive in memory. */
export function tar(entries: readonly TarEntry[], opts: TarOptions = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) parts.push(...entryBlocks(e));
  if (opts.end ?? true) parts.push(Buffer.alloc(2 * BLOCK));
  if (opts.trailer) parts.push(opts.trailer);
  return Buffer.concat(parts);
}

/** Shorthands. */
export const file = (name: string, body: Buffer | string = '', extra: Partial<TarEntry> = {}): TarEntry => ({
  name,
  type: 'file',
  body,
  ...extra,
});
export const dir = (name: string, extra: Partial<TarEntry> = {}): TarEntry => ({
  name,
  type: 'dir',
  ...extra,
});
export const symlink = (name: string, target: string, extra: Partial<TarEntry> = {}): TarEntry => ({
  name,
  type: 'symlink',
  linkname: target,
  ...extra,
});
export const hardlink = (name: string, target: string, extra: Partial<TarEntry> = {}): TarEntry => ({
  name,
  type: 'hardlink',
  linkname: target,
  ...extra,
});

/** Splits a buffer into chunks of `n` bytes (the last may be shorter). */
export function chunks(buf: Buffer, n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += n) out.push(buf.subarray(i, i + n));
  return out;
}

export function gzip(buf: Buffer): Buffer {
  return gzipSync(buf);
}

export function sha256(buf: Buffer): string {
  return `sha256:${createHash('sha256').update(buf).digest('hex')}`;
}

export function hex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1);
}

// ---------------------------------------------------------------------------------------------------------
// Whole image archives.

export interface LayerBlob {
  /** The bytes as stored in the archive (plain or compressed). */
  stored: Buffer;
  /** sha256 of `stored`. */
  digest: string;
  /** sha256 of the uncompressed tar. */
  diffId: string;
  mediaType: string;
}

/** A layer from a tar: stored plain, gzip-compressed, or as already-compressed bytes (`raw`, with its tar). */
export function layer(t: Buffer, compression: 'gzip' | 'none' = 'gzip'): LayerBlob {
  const stored = compression === 'gzip' ? gzipSync(t) : t;
  return {
    stored,
    digest: sha256(stored),
    diffId: sha256(t),
    mediaType:
      compression === 'gzip'
        ? 'application/vnd.oci.image.layer.v1.tar+gzip'
        : 'application/vnd.oci.image.layer.v1.tar',
  };
}

/** A layer whose stored bytes are given as is (e.g. corrupt gzip); diffId from a best-effort gunzip. */
export function rawLayer(stored: Buffer, diffId?: string, mediaType?: string): LayerBlob {
  let d = diffId;
  if (d === undefined) {
    try {
      d = stored[0] === 0x1f && stored[1] === 0x8b ? sha256(gunzipSync(stored)) : sha256(stored);
    } catch {
      d = sha256(Buffer.alloc(0));
    }
  }
  return {
    stored,
    digest: sha256(stored),
    diffId: d,
    mediaType: mediaType ?? 'application/vnd.oci.image.layer.v1.tar+gzip',
  };
}

export interface ImageConfigOptions {
  architecture?: string;
  os?: string;
  variant?: string;
  diffIds?: string[];
  config?: Record<string, unknown>;
  history?: Record<string, unknown>[];
}

export function imageConfig(layers: readonly LayerBlob[], o: ImageConfigOptions = {}): Buffer {
  const cfg: Record<string, unknown> = {
    architecture: o.architecture ?? 'amd64',
    os: o.os ?? 'linux',
    config: o.config ?? { Entrypoint: ['/app'], Env: ['PATH=/usr/bin:/bin'], User: '65532' },
    rootfs: { type: 'layers', diff_ids: o.diffIds ?? layers.map((l) => l.diffId) },
    history: o.history ?? layers.map((_, i) => ({ created_by: `COPY layer${i} / # buildkit` })),
  };
  if (o.variant) cfg['variant'] = o.variant;
  return Buffer.from(JSON.stringify(cfg));
}

export interface DockerImage {
  layers: LayerBlob[];
  /** The config JSON (default: `imageConfig(layers)`). */
  config?: Buffer;
  repoTags?: string[] | null;
}

/**
 * A Docker 20.10 `docker save` archive (legacy layout): `<id>/layer.tar` per layer, `<configHex>.json`,
 * `manifest.json`, `repositories`, in that order. Returned as entries so tests can drop or change any.
 */
export function dockerArchiveEntries(images: readonly DockerImage[]): TarEntry[] {
  const entries: TarEntry[] = [];
  const manifest: unknown[] = [];
  const seen = new Set<string>();
  for (const img of images) {
    const config = img.config ?? imageConfig(img.layers);
    const configHex = hex(sha256(config));
    const layerPaths: string[] = [];
    img.layers.forEach((l, i) => {
      const id = hex(sha256(Buffer.from(`${configHex}/${i}/${l.digest}`)));
      layerPaths.push(`${id}/layer.tar`);
      if (seen.has(id)) return;
      seen.add(id);
      entries.push(dir(`${id}/`));
      entries.push(file(`${id}/VERSION`, '1.0'));
      entries.push(file(`${id}/json`, JSON.stringify({ id })));
      entries.push(file(`${id}/layer.tar`, l.stored));
    });
    entries.push(file(`${configHex}.json`, config));
    manifest.push({ Config: `${configHex}.json`, RepoTags: img.repoTags ?? null, Layers: layerPaths });
  }
  entries.push(file('manifest.json', JSON.stringify(manifest)));
  entries.push(file('repositories', '{}'));
  return entries;
}

export function dockerArchive(images: readonly DockerImage[] | DockerImage): Buffer {
  return tar(dockerArchiveEntries(Array.isArray(images) ? images : [images as DockerImage]));
}

export interface OciImage {
  layers: LayerBlob[];
  config?: Buffer;
  /** Changes the manifest object before it is serialised (the layer descriptors are already in). */
  patchManifest?: (m: Record<string, unknown>) => void;
  /** Index-level descriptor annotations, e.g. the ref name. */
  refName?: string;
  platform?: { os: string; architecture: string; variant?: string };
}

export interface OciArchiveParts {
  entries: TarEntry[];
  /** Digests, for tests that point at or remove one. */
  manifestDigests: string[];
  configDigests: string[];
  index: Record<string, unknown>;
}

/** An oci-archive (buildah/skopeo order: blobs, then index.json, then oci-layout). */
export function ociArchiveParts(
  images: readonly OciImage[],
  patchIndex?: (index: Record<string, unknown>) => void,
): OciArchiveParts {
  const blobs = new Map<string, Buffer>();
  const manifests: Record<string, unknown>[] = [];
  const manifestDigests: string[] = [];
  const configDigests: string[] = [];
  for (const img of images) {
    const config = img.config ?? imageConfig(img.layers, img.platform ?? {});
    const configDigest = sha256(config);
    configDigests.push(configDigest);
    blobs.set(configDigest, config);
    for (const l of img.layers) blobs.set(l.digest, l.stored);
    const manifest: Record<string, unknown> = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: img.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.stored.length })),
    };
    img.patchManifest?.(manifest);
    const mbuf = Buffer.from(JSON.stringify(manifest));
    const md = sha256(mbuf);
    manifestDigests.push(md);
    blobs.set(md, mbuf);
    const desc: Record<string, unknown> = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: md,
      size: mbuf.length,
    };
    if (img.refName) desc['annotations'] = { 'org.opencontainers.image.ref.name': img.refName };
    if (img.platform) desc['platform'] = img.platform;
    manifests.push(desc);
  }
  const index: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests,
  };
  patchIndex?.(index);
  const entries: TarEntry[] = [dir('blobs/'), dir('blobs/sha256/')];
  for (const [d, data] of [...blobs].sort(([a], [b]) => a.localeCompare(b))) {
    entries.push(file(`blobs/sha256/${hex(d)}`, data));
  }
  entries.push(file('index.json', JSON.stringify(index)));
  entries.push(file('oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' })));
  return { entries, manifestDigests, configDigests, index };
}

export function ociArchive(images: readonly OciImage[] | OciImage): Buffer {
  return tar(ociArchiveParts(Array.isArray(images) ? images : [images as OciImage]).entries);
}
