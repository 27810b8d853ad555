/**
 * `docker://REF` (and a bare REF): an image read straight from its registry, with no daemon. Manifests and
 * configs are fetched and verified; each layer blob is handed to the reader as a BlobRef that a scan
 * worker can download itself, its digest checked in the same pass. Layers the cache has are not fetched.
 */
import { InputError } from '../util/errors.js';
import { shortDigest } from '../util/bytes.js';
import type { ManifestSummary } from '../types/report.js';
import type { ImageSource, LayerDigests, LayerReader, SourceImage } from './contract.js';
import { summarizeManifests } from './manifest-summary.js';
import { isIndexMediaType, isManifestMediaType, type Descriptor } from './model/image.js';
import {
  imageFromManifest,
  parseJson,
  resolveImages,
  verifyDigest,
  type Index,
  type Manifest,
} from './oci.js';
import { sha256 } from '../util/digest.js';
import type { PlatformChoice } from './platform.js';
import { RegistryClient, type RegistryOptions } from './registry/client.js';
import { formatReference, manifestReference, parseReference } from './registry/reference.js';

export interface RegistrySourceOptions {
  platform: PlatformChoice;
  registry?: RegistryOptions | undefined;
}

export function registrySource(refText: string, source: string, opts: RegistrySourceOptions): ImageSource {
  return {
    images: (reader) => imagesFromRegistry(refText, source, reader, opts),
    manifests: () => registryManifestSummary(refText, source, opts),
  };
}

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

async function imagesFromRegistry<S extends LayerDigests>(
  refText: string,
  source: string,
  reader: LayerReader<S>,
  opts: RegistrySourceOptions,
): Promise<SourceImage<S>[]> {
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
    const images: SourceImage<S>[] = [];
    for (const r of resolved) {
      const scans = await readLayers(top.client, r.manifest.layers, reader, top.where);
      images.push(imageFromManifest(r, source, top.tags, scans));
    }
    return images;
  } catch (err) {
    throw client ? client.redactError(err) : err;
  }
}

async function readLayers<S extends LayerDigests>(
  client: RegistryClient,
  layers: Descriptor[],
  reader: LayerReader<S>,
  where: string,
): Promise<S[]> {
  // When one layer fails, the others stop downloading.
  const abort = new AbortController();
  return Promise.all(
    layers.map((d, i) =>
      reader
        .blob(
          // The spec carries the current authorization, which may have been refreshed by now.
          { kind: 'registry', client: client.toSpec(), desc: d, digest: d.digest },
          `layer ${i + 1} (${shortDigest(d.digest)}) of ${where}`,
          abort.signal,
        )
        .catch((err: unknown) => {
          abort.abort();
          throw err;
        }),
    ),
  );
}

// ------------------------------------------------------------------------------------- fast path

/**
 * Compressed size and layer count from the manifests alone: no layer blob is requested, and no config
 * either unless the platform of a single-manifest image must be checked against --platform.
 */
async function registryManifestSummary(
  refText: string,
  source: string,
  opts: RegistrySourceOptions,
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
