/**
 * Chooses a decompressor by the stream's magic bytes, never by the media type a manifest claims: archives
 * from the containerd store hold compressed blobs under tar-looking names, and manifests can be wrong.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { Decompress as FzstdDecompress } from 'fzstd';
import { InputError } from './errors.js';

export type Compression = 'gzip' | 'zstd' | 'none';

/** Output chunk size for zlib: larger chunks mean fewer hops through the scanner. */
const CHUNK = 256 * 1024;
/**
 * Room for several output chunks, so zlib inflates the next chunk on the thread pool while the main thread
 * hashes and parses this one. With the default 16 KiB the two take turns and a core sits idle.
 */
const BUFFERED = 4 * CHUNK;

function sniffCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

type ZlibWithZstd = typeof zlib & { createZstdDecompress?: (opts?: { chunkSize?: number }) => Transform };

function createDecompressor(kind: Exclude<Compression, 'none'>): Transform {
  if (kind === 'gzip')
    return zlib.createGunzip({ chunkSize: CHUNK, readableHighWaterMark: BUFFERED } as zlib.ZlibOptions);
  // Node >= 22.15 (and the action's node24) has zstd in zlib; Node 20 falls back to fzstd (pure JS).
  const native = (zlib as ZlibWithZstd).createZstdDecompress;
  if (native) return native({ chunkSize: CHUNK, readableHighWaterMark: BUFFERED } as { chunkSize: number });
  return new FzstdTransform();
}

class FzstdTransform extends Transform {
  private readonly inner: FzstdDecompress;
  constructor() {
    super();
    // fzstd allocates a fresh array per block, so wrapping it without a copy is safe.
    this.inner = new FzstdDecompress((data) => {
      if (data.length) this.push(Buffer.from(data.buffer, data.byteOffset, data.length));
    });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.inner.push(chunk, false);
      cb();
    } catch (err) {
      cb(zstdError(err));
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      this.inner.push(new Uint8Array(0), true);
      cb();
    } catch (err) {
      cb(zstdError(err));
    }
  }
}

function zstdError(err: unknown): Error {
  const msg = err instanceof Error ? err.message : String(err);
  return new Error(`zstd: ${msg}`);
}

export type ChunkSink = (chunk: Buffer, compression: Compression) => void | Promise<void>;

/**
 * Streams a possibly compressed blob: the decompressor is chosen by its first bytes, `onStored` sees each
 * chunk as stored and `onOutput` each chunk as inflated (the same chunks when it is plain). A corrupt
 * stream is one InputError naming `label`; an error thrown by `onOutput` wins over the AbortError that
 * pipeline() reports for the other stages.
 */
export async function inflate(
  input: AsyncIterable<Buffer> | Iterable<Buffer>,
  label: string,
  onOutput: ChunkSink,
  onStored?: (chunk: Buffer) => void,
): Promise<{ compression: Compression; storedBytes: number }> {
  const it = (
    Symbol.asyncIterator in input
      ? input[Symbol.asyncIterator]()
      : Readable.from(input)[Symbol.asyncIterator]()
  ) as AsyncIterator<Buffer>;
  // A first chunk shorter than a magic number is joined with the next.
  let first: Buffer = Buffer.alloc(0);
  let done = false;
  while (first.length < 4 && !done) {
    const r = await it.next();
    if (r.done) done = true;
    else first = first.length ? Buffer.concat([first, r.value]) : r.value;
  }
  const compression = sniffCompression(first);
  let storedBytes = 0;
  async function* stored(): AsyncGenerator<Buffer> {
    const pass = (chunk: Buffer): Buffer => {
      onStored?.(chunk);
      storedBytes += chunk.length;
      return chunk;
    };
    if (first.length) yield pass(first);
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield pass(r.value);
  }
  if (compression === 'none') {
    for await (const chunk of stored()) await onOutput(chunk, compression);
    return { compression, storedBytes };
  }
  let cause: unknown;
  await pipeline(
    Readable.from(stored(), { highWaterMark: 2 }),
    createDecompressor(compression),
    async (source) => {
      try {
        for await (const chunk of source as AsyncIterable<Buffer>) await onOutput(chunk, compression);
      } catch (err) {
        cause = err;
        throw err;
      }
    },
  ).catch((err: unknown) => {
    // The decompressor's own error also surfaces inside the consumer's loop, so map whichever won.
    const e = (cause ?? err) as NodeJS.ErrnoException;
    if (typeof e?.code === 'string' && e.code.startsWith('Z_'))
      throw new InputError(`${label} is corrupt: ${compression}: ${e.message}`);
    if (e instanceof Error && e.message.startsWith('zstd:'))
      throw new InputError(`${label} is corrupt: ${e.message}`);
    throw e;
  });
  return { compression, storedBytes };
}
