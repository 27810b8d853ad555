/** `oci:DIR[:REF]`: an OCI image layout directory. Layers are separate files, so they scan concurrently. */
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../util/errors.js';
import { ScanPool } from '../scan/pool.js';
import { fileDigest, type LayerCache } from '../scan/cache.js';
import { formatBytes, shortDigest } from '../util/bytes.js';
import { mapLimit } from '../util/concurrency.js';
import type { Descriptor, ScannedImage } from './model.js';
import {
  imageFromManifest,
  MAX_JSON_BLOB,
  parseJson,
  resolveImages,
  sha256,
  verifyDigest,
  type Index,
} from './oci.js';
import type { PlatformChoice } from './platform.js';

export interface ScanOptions {
  platform: PlatformChoice;
  /** Layers scanned at once. */
  concurrency: number;
  /** Called as work advances; the CLI draws it on a TTY. */
  progress?: (message: string) => void;
  /** Layer scans by digest, from earlier runs (see src/scan/cache.ts). */
  cache?: LayerCache;
}

/** An OCI layout's index and a reader for its JSON blobs (size-capped, digest-verified). */
export interface Layout {
  where: string;
  index: Index;
  blobPath: (d: Descriptor) => string;
  readJson: (d: Descriptor, what: string) => Promise<Buffer>;
}

export async function openLayout(dir: string): Promise<Layout> {
  const where = `OCI layout ${dir}`;
  const indexBuf = await readFile(join(dir, 'index.json')).catch(() => {
    throw new InputError(`${where} has no readable index.json`);
  });
  const index = parseJson<Index>(indexBuf, `index.json in ${where}`);
  if (!index || !Array.isArray(index.manifests))
    throw new InputError(`index.json in ${where} is malformed: no manifests list`);
  const blobPath = (d: Descriptor): string => {
    const [alg, hex] = d.digest.split(':');
    if (alg !== 'sha256' || !/^[0-9a-f]{64}$/.test(hex ?? '')) {
      throw new InputError(`${where}: unsupported or malformed digest "${d.digest}"`);
    }
    return join(dir, 'blobs', alg, hex as string);
  };
  const readJson = async (d: Descriptor, what: string): Promise<Buffer> => {
    const path = blobPath(d);
    const size = await stat(path).then(
      (s) => s.size,
      () => {
        throw new InputError(`${where} is missing blob ${d.digest} (${what})`);
      },
    );
    // A manifest that names a layer as its config must not make us read the layer whole.
    if (size > MAX_JSON_BLOB)
      throw new InputError(`${what} ${d.digest} in ${where} is too large to be metadata (${size} bytes)`);
    const data = await readFile(path);
    verifyDigest(sha256(data), d.digest, `${what} in ${where}`);
    return data;
  };
  return { where, index, blobPath, readJson };
}

export async function imagesFromLayout(
  dir: string,
  ref: string | undefined,
  source: string,
  opts: ScanOptions,
): Promise<ScannedImage[]> {
  const { where, index, blobPath, readJson: fetch } = await openLayout(dir);
  const resolved = await resolveImages(index, fetch, opts.platform, where, ref);
  const images: ScannedImage[] = [];
  const pool = new ScanPool(opts.concurrency);
  try {
    for (const r of resolved) {
      let done = 0;
      const scans = await mapLimit(r.manifest.layers, opts.concurrency, async (d, i) => {
        const path = blobPath(d);
        const label = `layer ${i + 1} (${shortDigest(d.digest)}) in ${where}`;
        await open(path).then(
          (fh) => fh.close(),
          () => {
            throw new InputError(`${where} is missing ${label.split(' in ')[0]}`);
          },
        );
        // A cache hit still hashes the local blob (cheap next to a scan): a file is never trusted by name.
        const scan = opts.cache
          ? await opts.cache.through(d.digest, () => pool.scan(path, label), {
              accept: async () => (await fileDigest(path)) === d.digest,
            })
          : await pool.scan(path, label);
        opts.progress?.(
          `scanned layer ${++done}/${r.manifest.layers.length} (${formatBytes(scan.uncompressedSize)} uncompressed)`,
        );
        return scan;
      });
      images.push(imageFromManifest(r, source, ref ? [ref] : [], scans));
    }
  } finally {
    await pool.close();
  }
  return images;
}
