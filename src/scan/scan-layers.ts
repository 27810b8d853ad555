/**
 * The one place that reads an image's layers: it gives any source a LayerReader backed by the worker
 * pool, the layer cache and progress, and returns the scanned images. The cache wraps the reader the way
 * go-containerregistry's cache.Image wraps an image: a layer known by its digest is not read again.
 */
import type { BlobRef, ImageSource, LayerReader, SourceImage } from '../sources/contract.js';
import { formatBytes } from '../util/bytes.js';
import { Limiter } from '../util/concurrency.js';
import { fileDigest, type LayerCache } from './cache.js';
import { scanLayer, type LayerScan } from './layer.js';
import { ScanPool } from './pool.js';

/** An image whose layers have all been scanned and verified. */
export type ScannedImage = SourceImage<LayerScan>;

export interface ScanOptions {
  /** Layers read at once (downloads and scans). */
  concurrency: number;
  /** Called as work advances; the CLI draws it on a TTY. */
  progress?: (message: string) => void;
  /** Layer scans by digest, from earlier runs (see cache.ts). */
  cache?: LayerCache;
}

/** A blob whose bytes did not match their digest is read once more before the run fails (a flaky download). */
const DIGEST_RETRIES = 1;

export async function scanLayers(source: ImageSource, opts: ScanOptions): Promise<ScannedImage[]> {
  const pool = new ScanPool(opts.concurrency);
  const limit = new Limiter(opts.concurrency);
  let done = 0;
  const report = (label: string, scan: LayerScan): LayerScan => {
    opts.progress?.(
      `scanned ${label} (${formatBytes(scan.uncompressedSize)} uncompressed; ${++done} layers so far)`,
    );
    return scan;
  };
  const fresh = async (ref: BlobRef, label: string, signal?: AbortSignal): Promise<LayerScan> => {
    for (let attempt = 0; ; attempt++) {
      const scan = await pool.scan(ref, label, signal);
      if (scan.digest === ref.digest || ref.kind === 'file' || attempt >= DIGEST_RETRIES) return scan;
    }
  };
  const reader: LayerReader<LayerScan> = {
    stream: async (input, label) => report(label, await scanLayer(input, label)),
    blob: (ref, label, signal) =>
      limit.run(async () => {
        const cache = opts.cache;
        // A cache hit for a local file still hashes the file (cheap next to a scan): never trusted by name.
        const scan = cache
          ? await cache.through(ref.digest, () => fresh(ref, label, signal), {
              ...(ref.kind === 'file'
                ? { accept: async () => (await fileDigest(ref.path)) === ref.digest }
                : {}),
            })
          : await fresh(ref, label, signal);
        return report(label, scan);
      }),
  };
  try {
    return await source.images(reader);
  } finally {
    await pool.close();
  }
}
