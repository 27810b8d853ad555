/**
 * One pass over one layer: hash the bytes as stored, sniff and decompress, hash the tar, parse the tar,
 * keep a record per entry and the few heads that rules need. Nothing is buffered whole.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InputError } from '../errors.js';
import { createDecompressor, sniffCompression, type Compression } from '../image/decompress.js';
import { headSpec, type HeadSpec } from './heads.js';
import { cleanPath } from './paths.js';
import { TarParser, type BodySink, type TarHeader, type TarType } from './tar.js';

export type EntryType = TarType;

export interface EntryRecord {
  /** Cleaned absolute path ("/usr/bin/env"). */
  path: string;
  type: EntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** Symlink: the target as written. Hard link: the cleaned absolute path of the target. */
  link: string | null;
  /** Leading bytes of files that rules read (ELF header, shebang, os-release). */
  head?: Buffer;
  /** Record count of a package database (dpkg status, apk installed). */
  records?: number;
}

export interface LayerScan {
  /** sha256 of the bytes as stored (the compressed digest). */
  digest: string;
  /** sha256 of the uncompressed tar. */
  diffId: string;
  compression: Compression;
  compressedSize: number;
  uncompressedSize: number;
  entries: EntryRecord[];
  /** Raw names of entries (or hard-link targets) that climb out of the root with "..". */
  escapes: string[];
}

export async function scanLayer(
  input: AsyncIterable<Buffer> | Iterable<Buffer>,
  label: string,
): Promise<LayerScan> {
  const entries: EntryRecord[] = [];
  const escapes: string[] = [];
  const parser = new TarParser((h) => onEntry(h, entries, escapes), label);
  const stored = createHash('sha256');
  let storedSize = 0;

  const it = (
    Symbol.asyncIterator in input
      ? input[Symbol.asyncIterator]()
      : Readable.from(input)[Symbol.asyncIterator]()
  ) as AsyncIterator<Buffer>;
  // Sniff from the first bytes; a first chunk shorter than a magic number is joined with the next.
  let first: Buffer = Buffer.alloc(0);
  let done = false;
  while (first.length < 4 && !done) {
    const r = await it.next();
    if (r.done) done = true;
    else first = first.length ? Buffer.concat([first, r.value]) : r.value;
  }
  const compression = sniffCompression(first);
  async function* storedBytes(): AsyncGenerator<Buffer> {
    if (first.length) {
      stored.update(first);
      storedSize += first.length;
      yield first;
    }
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) {
      stored.update(r.value);
      storedSize += r.value.length;
      yield r.value;
    }
  }

  let diffId: string;
  let uncompressedSize = 0;
  try {
    if (compression === 'none') {
      for await (const chunk of storedBytes()) await parser.push(chunk);
      uncompressedSize = storedSize;
      diffId = '';
    } else {
      const tarHash = createHash('sha256');
      // When the parser throws, pipeline() rejects with an AbortError for the other stages: keep the cause.
      let cause: unknown;
      await pipeline(
        Readable.from(storedBytes(), { highWaterMark: 2 }),
        createDecompressor(compression),
        async (source) => {
          try {
            for await (const chunk of source as AsyncIterable<Buffer>) {
              tarHash.update(chunk);
              uncompressedSize += chunk.length;
              await parser.push(chunk);
            }
          } catch (err) {
            cause = err;
            throw err;
          }
        },
      ).catch((err: unknown) => {
        throw cause ?? err;
      });
      diffId = `sha256:${tarHash.digest('hex')}`;
    }
    parser.finish();
  } catch (err) {
    throw asInputError(err, label, compression);
  }
  const digest = `sha256:${stored.digest('hex')}`;
  return {
    digest,
    diffId: compression === 'none' ? digest : diffId,
    compression,
    compressedSize: storedSize,
    uncompressedSize,
    entries,
    escapes,
  };
}

function asInputError(err: unknown, label: string, compression: Compression): Error {
  if (err instanceof InputError) return err;
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code === 'string' && e.code.startsWith('Z_')) {
    return new InputError(`${label} is corrupt: ${compression}: ${e.message}`);
  }
  if (e instanceof Error && e.message.startsWith('zstd:'))
    return new InputError(`${label} is corrupt: ${e.message}`);
  return err instanceof Error ? err : new Error(String(err));
}

function onEntry(h: TarHeader, entries: EntryRecord[], escapes: string[]): BodySink | undefined {
  const path = cleanPath(h.name);
  if (path === undefined) {
    escapes.push(h.name);
    return undefined;
  }
  let link: string | null = null;
  if (h.type === 'symlink') link = h.linkname;
  else if (h.type === 'hardlink') {
    const target = cleanPath(h.linkname);
    if (target === undefined) {
      escapes.push(`${h.name} → ${h.linkname}`);
      return undefined;
    }
    link = target;
  }
  const rec: EntryRecord = { path, type: h.type, size: h.size, mode: h.mode, uid: h.uid, gid: h.gid, link };
  entries.push(rec);
  if (h.type !== 'file' || h.size === 0) return undefined;
  const spec = headSpec(path, h.mode);
  return spec ? new HeadSink(rec, spec) : undefined;
}

/** Keeps the first `keep` bytes and counts package-database records; the rest is drained. */
class HeadSink implements BodySink {
  private parts: Buffer[] = [];
  private have = 0;
  private readonly marker: Buffer | undefined;
  private carry = Buffer.from('\n');
  private count = 0;

  constructor(
    private readonly rec: EntryRecord,
    private readonly spec: HeadSpec,
  ) {
    this.marker = spec.countLines ? Buffer.from(`\n${spec.countLines}`) : undefined;
  }

  write(chunk: Buffer): void {
    if (this.have < this.spec.keep) {
      const part = chunk.subarray(0, this.spec.keep - this.have);
      this.parts.push(Buffer.from(part)); // a copy: the chunk's memory belongs to the decompressor
      this.have += part.length;
    }
    if (this.marker) {
      // A marker may straddle chunks: search the previous tail joined with this chunk's start first.
      const m = this.marker.length;
      const seam = Buffer.concat([this.carry, chunk.subarray(0, m - 1)]);
      for (
        let i = seam.indexOf(this.marker);
        i !== -1 && i < this.carry.length;
        i = seam.indexOf(this.marker, i + 1)
      ) {
        this.count++;
      }
      for (let i = chunk.indexOf(this.marker); i !== -1; i = chunk.indexOf(this.marker, i + 1)) this.count++;
      const joined = chunk.length >= m - 1 ? chunk : Buffer.concat([this.carry, chunk]);
      this.carry = Buffer.from(joined.subarray(Math.max(0, joined.length - (m - 1))));
    }
  }

  end(): void {
    if (this.parts.length)
      this.rec.head = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    if (this.marker) this.rec.records = this.count;
  }
}
