/**
 * Docker 25+ on the containerd image store saves a multi-platform image twice over: index.json's entry is a
 * nested index holding every platform (and the attestations), while manifest.json lists only the daemon's
 * own platform. Reading manifest.json alone loses the other platforms, so the richer of the two is read.
 */
import { isIndexMediaType, type Descriptor } from './model/image.js';
import { isImageEntry, type Index, type Manifest } from './oci.js';

/** A JSON blob of the archive by path, or undefined when the archive does not hold it as JSON. */
export type JsonLookup = (path: string) => Buffer | undefined;

export function blobPath(d: Descriptor): string {
  return `blobs/${d.digest.replace(':', '/')}`;
}

function parse<T>(buf: Buffer | undefined): T | undefined {
  if (!buf) return undefined;
  try {
    return JSON.parse(buf.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * The nested index of index.json that holds the image whose config manifest.json names, cut down to the
 * platforms whose manifest and config the archive holds (a store may keep only some platforms' content).
 * Undefined when it offers no more than manifest.json does: one platform, or no nested index at all.
 */
export function richerSavedIndex(lookup: JsonLookup, configDigest: string): Index | undefined {
  const top = parse<Index>(lookup('index.json'));
  if (!top || !Array.isArray(top.manifests)) return undefined;
  for (const entry of top.manifests) {
    if (!entry || typeof entry.digest !== 'string' || !isIndexMediaType(entry.mediaType)) continue;
    const nested = parse<Index>(lookup(blobPath(entry)));
    if (!nested || !Array.isArray(nested.manifests)) continue;
    // Each platform's manifest, parsed once: kept when the archive holds its config too.
    const present = nested.manifests.flatMap((d) => {
      if (!d || typeof d.digest !== 'string' || !isImageEntry(d)) return [];
      const m = parse<Manifest>(lookup(blobPath(d)));
      const held = !!m?.config && typeof m.config.digest === 'string' && !!lookup(blobPath(m.config));
      return held ? [{ d, config: m.config.digest }] : [];
    });
    if (!present.some((p) => p.config === configDigest)) continue;
    return present.length > 1 ? { ...nested, manifests: present.map((p) => p.d) } : undefined;
  }
  return undefined;
}
