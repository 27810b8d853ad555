/**
 * The image model (after go-containerregistry's idea, not its code): an Image has a manifest, a config and
 * ordered layers; an index resolves to one Image per platform.
 */

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

/** The parts of an image config that Slimgate reads (OCI and Docker configs share them). */
export interface ImageConfigFile {
  architecture?: string;
  os?: string;
  variant?: string;
  config?: {
    User?: string;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Env?: string[] | null;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
  };
  rootfs?: { type?: string; diff_ids?: string[] };
  history?: { created_by?: string; empty_layer?: boolean; comment?: string }[];
}

/** JSON metadata blobs larger than this are not metadata. */
export const MAX_JSON_BLOB = 16 * 1024 * 1024;

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

const LAYER_TYPES = new Set([
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  'application/vnd.docker.image.rootfs.diff.tar',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.diff.tar.zstd',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
]);

export function isLayerMediaType(t: string): boolean {
  return LAYER_TYPES.has(t);
}

export function isIndexMediaType(t: string | undefined): boolean {
  return t === MEDIA.ociIndex || t === MEDIA.dockerList;
}

export function isManifestMediaType(t: string | undefined): boolean {
  return t === MEDIA.ociManifest || t === MEDIA.dockerManifest;
}

/**
 * True when every layer is stored uncompressed, as `docker save` (Docker 20.10) writes them: the stored
 * size is then not a compressed size, and must not be shown or judged as one.
 */
export function layersStoredUncompressed(layers: readonly { mediaType: string }[]): boolean {
  return layers.length > 0 && layers.every((l) => !/gzip|zstd/.test(l.mediaType));
}

/** Layer media type for a Docker archive entry, from the compression actually found. */
export function dockerLayerMediaType(compression: 'gzip' | 'zstd' | 'none'): string {
  if (compression === 'gzip') return 'application/vnd.docker.image.rootfs.diff.tar.gzip';
  if (compression === 'zstd') return 'application/vnd.oci.image.layer.v1.tar+zstd';
  return 'application/vnd.docker.image.rootfs.diff.tar';
}

/** `created_by` per non-empty layer, from the config history. */
export function layerHistory(config: ImageConfigFile, layerCount: number): (string | null)[] {
  const out = (config.history ?? [])
    .filter((h) => !h.empty_layer)
    .map((h) => cleanCreatedBy(h.created_by ?? h.comment));
  // History can be missing or shorter than the layers (squashed or hand-made images).
  return Array.from({ length: layerCount }, (_, i) => out[i] ?? null);
}

function cleanCreatedBy(s: string | undefined): string | null {
  if (!s) return null;
  return s
    .replace(/^\/bin\/sh -c #\(nop\)\s+/, '')
    .replace(/^\/bin\/sh -c /, 'RUN ')
    .trim();
}
