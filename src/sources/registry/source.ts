/**
 * `docker://REF` (and a bare REF): an image read straight from its registry, with no daemon. Manifests and
 * configs are fetched and verified; each layer blob streams into the scanner (on a worker when there
 * are workers), its digest checked in the same pass, with at most `concurrency` downloads at once.
 * Layers already in the layer cache are not downloaded at all.
 */
import { InputError } from '../../util/errors.js';
import type { LayerCache } from '../../scan/cache.js';
import { ScanPool } from '../../scan/pool.js';
import type { LayerScan } from '../../scan/layer.js';
import { formatBytes, shortDigest } from '../../util/bytes.js';
import { mapLimit } from '../../util/concurrency.js';
import type { ScanOptions } from '../layout.js';
import { isIndexMediaType, isManifestMediaType, type Descriptor, type ScannedImage } from '../model.js';
import {
  imageFromManifest,
  parseJson,
  resolveImages,
  sha256,
  verifyDigest,
  type Index,
  type Manifest,
} from '../oci.js';
import { scanRegistryBlob } from './blob-job.js';
import { RegistryClient, type RegistryOptions } from './client.js';
import { formatReference, manifestReference, parseReference } from './reference.js';
import { summarizeManifests, type ManifestSummary } from './summary.js';

export interface RegistrySourceOptions extends ScanOptions {
  registry?: RegistryOptions;
  cache?: LayerCache;
}

/** A blob whose bytes did not match its digest is fetched once more before the run fails. */
const DIGEST_RETRIES = 1;

interface Top {
  client: RegistryClient;
  doc: Index | Manifest;
  descriptor: Descriptor;
  where: string;
  tags: string[];
}

async function fetchTop(refText: string, opts: { registry?: RegistryOptions }): Promise<Top> {
  const ref = parseReference(refText);
  const client = new RegistryClient(ref.registry, ref.repository, opts.registry);
  const where = formatReference(ref);
  const top = await client.getManifest(manifestReference(ref));
  const doc = parseJson<Index | Manifest>(top.data, `manifest of ${where}`);
  if (!doc || typeof doc !== 'object') throw new InputError(`manifest of ${where} is not a JSON object`);
  const mediaType = doc.mediaType ?? top.mediaType ?? '';
  const descriptor: Descriptor = { mediaType, digest: top.digest, size: top.data.length };
  const tags = ref.tag !== undefined ? [`${ref.registry}/${ref.repository}:${ref.tag}`] : [];
  return { client, doc, descriptor, where, tags };
}

/** Fetches index children by digest from the manifests endpoint, configs from the blobs endpoint. */
function jsonFetcher(client: RegistryClient, where: string) {
  return async (d: Descriptor, what: string): Promise<Buffer> => {
    const isManifest =
      isIndexMediaType(d.mediaType) || isManifestMediaType(d.mediaType) || what.startsWith('manifest');
    const data = isManifest ? (await client.getManifest(d.digest, what)).data : await client.getBlob(d, what);
    verifyDigest(sha256(data), d.digest, `${what} of ${where}`);
    return data;
  };
}

export async function imagesFromRegistry(
  refText: string,
  source: string,
  opts: RegistrySourceOptions,
): Promise<ScannedImage[]> {
  let client: RegistryClient | undefined;
  try {
    const top = await fetchTop(refText, opts);
    client = top.client;
    const resolved = await resolveImages(
      top.doc,
      jsonFetcher(top.client, top.where),
      opts.platform,
      top.where,
      undefined,
      top.descriptor,
    );
    const images: ScannedImage[] = [];
    const pool = new ScanPool(opts.concurrency);
    try {
      for (const r of resolved) {
        const scans = await scanLayers(top.client, r.manifest.layers, pool, opts, top.where);
        images.push(imageFromManifest(r, source, top.tags, scans));
      }
    } finally {
      await pool.close();
    }
    return images;
  } catch (err) {
    throw client ? client.redactError(err) : err;
  }
}

async function scanLayers(
  client: RegistryClient,
  layers: Descriptor[],
  pool: ScanPool,
  opts: RegistrySourceOptions,
  where: string,
): Promise<LayerScan[]> {
  let done = 0;
  // When one layer fails, the others stop downloading (workers are terminated by the pool anyway).
  const abort = new AbortController();
  return mapLimit(layers, opts.concurrency, async (d, i) => {
    const label = `layer ${i + 1} (${shortDigest(d.digest)}) of ${where}`;
    const fetchAndScan = async (): Promise<LayerScan> => {
      for (let attempt = 0; ; attempt++) {
        // The spec carries the current authorization, which may have been refreshed by now.
        const scan = await pool.scanBlob({ client: client.toSpec(), desc: d }, label, () =>
          scanRegistryBlob(client, d, label, abort.signal),
        );
        if (scan.digest === d.digest || attempt >= DIGEST_RETRIES) return scan;
      }
    };
    let scan: LayerScan;
    try {
      scan = opts.cache ? await opts.cache.through(d.digest, fetchAndScan) : await fetchAndScan();
    } catch (err) {
      abort.abort();
      throw err;
    }
    opts.progress?.(
      `layer ${++done}/${layers.length} of ${where} (${formatBytes(scan.compressedSize)} compressed)`,
    );
    return scan;
  });
}

// ------------------------------------------------------------------------------------- fast path

/**
 * Compressed size and layer count from the manifests alone: no layer blob is requested, and no config
 * either unless the platform of a single-manifest image must be checked against --platform.
 */
export async function registryManifestSummary(
  refText: string,
  source: string,
  opts: { platform: ScanOptions['platform']; registry?: RegistryOptions },
): Promise<ManifestSummary[]> {
  let client: RegistryClient | undefined;
  try {
    const top = await fetchTop(refText, opts);
    client = top.client;
    const c = client;
    return await summarizeManifests(top.doc, top.descriptor, {
      where: top.where,
      source,
      platform: opts.platform,
      manifest: async (d) => (await c.getManifest(d.digest, `manifest ${shortDigest(d.digest)}`)).data,
      config: async (d) => {
        const data = await c.getBlob(d, 'config');
        verifyDigest(sha256(data), d.digest, `config of ${top.where}`);
        return data;
      },
    });
  } catch (err) {
    throw client ? client.redactError(err) : err;
  }
}
