/**
 * Chooses a decompressor by the stream's magic bytes, never by the media type a manifest claims: archives
 * from the containerd store hold compressed blobs under tar-looking names, and manifests can be wrong.
 */
import { Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress as FzstdDecompress } from 'fzstd';

export type Compression = 'gzip' | 'zstd' | 'none';

/** Output chunk size for zlib: larger chunks mean fewer hops through the scanner. */
const CHUNK = 256 * 1024;
/**
 * Room for several output chunks, so zlib inflates the next chunk on the thread pool while the main thread
 * hashes and parses this one. With the default 16 KiB the two take turns and a core sits idle.
 */
const BUFFERED = 4 * CHUNK;

export function sniffCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

type ZlibWithZstd = typeof zlib & { createZstdDecompress?: (opts?: { chunkSize?: number }) => Transform };

export function createDecompressor(kind: Exclude<Compression, 'none'>): Transform {
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
