/**
 * Resolving OCI/Docker indexes and manifests to images, and verifying what was scanned against them.
 * Shared by every source; the sources only say how to fetch a JSON blob and how to scan a layer.
 */
import { InputError } from '../util/errors.js';
import { shortDigest } from '../util/bytes.js';
import type { LayerDigests, SourceImage, SourceLayer } from './contract.js';
import {
  isIndexMediaType,
  isLayerMediaType,
  isManifestMediaType,
  layerHistory,
  MEDIA,
  type Descriptor,
  type ImageConfigFile,
  type Platform,
} from './model/image.js';
import { choosePlatforms, formatPlatform, platformMatches, type PlatformChoice } from './platform.js';
import { checkImageConfig } from './image-config.js';
import { artifactKind } from './artifact.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

export interface Manifest {
  mediaType?: string;
  schemaVersion?: number;
  config: Descriptor;
  layers: Descriptor[];
  manifests?: undefined;
}

export interface Index {
  mediaType?: string;
  schemaVersion?: number;
  manifests: Descriptor[];
}

export interface ResolvedManifest {
  descriptor: Descriptor;
  manifest: Manifest;
  config: ImageConfigFile;
  platform: Platform;
}

export function parseJson<T>(buf: Buffer, what: string): T {
  try {
    return JSON.parse(buf.toString('utf8')) as T;
  } catch {
    throw new InputError(`${what} is not valid JSON`);
  }
}

/** An image config blob, parsed and checked; `what` names it in every error. */
export function parseImageConfig(buf: Buffer, what: string): ImageConfigFile {
  return checkImageConfig(parseJson(buf, what), what);
}

/** Checks a blob's bytes against the digest that names it. */
export function verifyDigest(actual: string, expected: string, what: string): void {
  if (!/^sha256:[0-9a-f]{64}$/.test(expected)) {
    throw new InputError(`${what}: unsupported or malformed digest "${expected}" (only sha256 is supported)`);
  }
  if (actual !== expected) {
    throw new InputError(`${what}: digest mismatch: expected ${expected}, content is ${actual}`);
  }
}

function isDescriptor(d: unknown): d is Descriptor {
  const x = d as Descriptor;
  return !!x && typeof x.digest === 'string' && typeof x.size === 'number';
}

/** Indexes nest at most this deep; deeper is malformed (or hostile). */
export const MAX_INDEX_DEPTH = 4;

/** Index entries that are not images to check: BuildKit attestations and their unknown/unknown platform. */
export function isImageEntry(d: Descriptor): boolean {
  return (
    d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' && d.platform?.os !== 'unknown'
  );
}

/** The top-level entries of an OCI layout named `refName` (all of them without one). */
export function entriesNamed(
  entries: Descriptor[],
  refName: string | undefined,
  where: string,
): Descriptor[] {
  if (refName === undefined) return entries;
  const named = entries.filter((d) => d.annotations?.[REF_NAME] === refName);
  if (!named.length) {
    const names = entries.map((d) => d.annotations?.[REF_NAME]).filter(Boolean);
    throw new InputError(
      `${where} has no image named "${refName}"${names.length ? `; it has: ${names.join(', ')}` : ''}`,
    );
  }
  return named;
}

export type JsonFetcher = (desc: Descriptor, what: string) => Promise<Buffer>;

/**
 * Walks from an index (or a manifest) down to the manifests of the chosen platforms. `refName` picks
 * among the top-level entries of an OCI layout by their ref-name annotation.
 */
export async function resolveImages(
  top: Index | Manifest,
  fetch: JsonFetcher,
  choice: PlatformChoice,
  where: string,
  refName?: string,
  topDescriptor?: Descriptor,
): Promise<ResolvedManifest[]> {
  const leaves: { desc: Descriptor; manifest: Manifest }[] = [];
  if (Array.isArray((top as Index).manifests)) {
    await collect(entriesNamed((top as Index).manifests.filter(isDescriptor), refName, where), 0);
  } else {
    const desc = topDescriptor ?? { mediaType: MEDIA.ociManifest, digest: '', size: 0 };
    leaves.push({ desc, manifest: validateManifest(top as Manifest, desc.digest || where) });
  }
  if (!leaves.length) throw new InputError(`${where} holds no image manifest`);

  async function collect(descs: Descriptor[], depth: number): Promise<void> {
    if (depth > MAX_INDEX_DEPTH) throw new InputError(`${where}: indexes nested too deep`);
    for (const d of descs.filter(isImageEntry)) {
      const what = `manifest ${d.digest} in ${where}`;
      const doc = parseJson<Index | Manifest>(await fetch(d, `manifest ${shortDigest(d.digest)}`), what);
      const mt = doc.mediaType ?? d.mediaType;
      if (isIndexMediaType(mt) || Array.isArray((doc as Index).manifests)) {
        await collect((doc as Index).manifests.filter(isDescriptor), depth + 1);
      } else if (
        isManifestMediaType(mt) ||
        (doc as Manifest).config ||
        (doc as Manifest).schemaVersion === 1
      ) {
        leaves.push({ desc: d, manifest: validateManifest(doc as Manifest, d.digest) });
      } else {
        throw new InputError(
          `${where}: unsupported manifest media type "${mt ?? 'none'}" (${shortDigest(d.digest)})`,
        );
      }
    }
  }

  // Platforms come from the index descriptor when present, else from the config.
  const withConfig = await Promise.all(
    leaves.map(async ({ desc, manifest }) => {
      const what = `config ${manifest.config.digest}`;
      const config = parseImageConfig(await fetch(manifest.config, 'config'), what);
      return { descriptor: desc, manifest, config, platform: desc.platform ?? platformOfConfig(config) };
    }),
  );
  return choosePlatforms(withConfig, (r) => r.platform, choice);
}

export function validateManifest(m: Manifest, what: string): Manifest {
  const mt = m.mediaType;
  if (mt === MEDIA.dockerSchema1 || mt === MEDIA.dockerSchema1Signed || m.schemaVersion === 1) {
    throw new InputError(
      `manifest ${what} is Docker schema 1, which is not supported; re-push the image with a current Docker`,
    );
  }
  const artifact = artifactKind(m);
  if (artifact) throw new InputError(`manifest ${what} is an OCI artifact (${artifact}), not an image`);
  if (!isDescriptor(m.config) || !Array.isArray(m.layers) || !m.layers.every(isDescriptor)) {
    throw new InputError(`manifest ${what} is malformed: it needs a config descriptor and a layers list`);
  }
  for (const l of m.layers) {
    if (!isLayerMediaType(l.mediaType)) {
      throw new InputError(`layer ${shortDigest(l.digest)} has an unsupported media type "${l.mediaType}"`);
    }
  }
  return m;
}

export function platformOfConfig(c: ImageConfigFile): Platform {
  const p: Platform = { os: c.os ?? 'unknown', architecture: c.architecture ?? 'unknown' };
  if (c.variant) p.variant = c.variant;
  return p;
}

export function checkPlatform(choice: PlatformChoice, have: Platform, where: string): void {
  if (choice && choice !== 'all' && !platformMatches(choice, have)) {
    throw new InputError(`${where} is ${formatPlatform(have)}, not ${formatPlatform(choice)}`);
  }
}

function diffIdsOf(config: ImageConfigFile, layerCount: number, where: string): string[] {
  const ids = config.rootfs?.diff_ids;
  if (!Array.isArray(ids) || ids.length !== layerCount) {
    throw new InputError(
      `${where}: the config lists ${Array.isArray(ids) ? ids.length : 'no'} diff_ids for ${layerCount} layers`,
    );
  }
  return ids;
}

/** Verifies scanned layers against the manifest and config, and builds the image. */
export function assembleImage<S extends LayerDigests>(
  args: Omit<SourceImage<S>, 'layers'> & {
    scans: S[];
    /** Per layer: the compressed digest and size the manifest claims, if it has one. */
    descriptors?: Descriptor[];
    mediaTypes: string[];
  },
): SourceImage<S> {
  const { scans, descriptors, mediaTypes, ...image } = args;
  const config = image.config;
  const diffIds = diffIdsOf(config, scans.length, `image ${args.source}`);
  const history = layerHistory(config, scans.length);
  const layers: SourceLayer<S>[] = scans.map((scan, i) => {
    const desc = descriptors?.[i];
    const what = `layer ${i + 1} (${shortDigest(desc?.digest ?? scan.digest)})`;
    if (desc) {
      verifyDigest(scan.digest, desc.digest, what);
      if (desc.size !== scan.compressedSize) {
        throw new InputError(
          `${what}: size mismatch: manifest says ${desc.size} bytes, blob has ${scan.compressedSize}`,
        );
      }
    }
    const expected = diffIds[i] as string;
    if (scan.diffId !== expected) {
      throw new InputError(
        `${what}: diff_id mismatch: config says ${expected}, uncompressed content is ${scan.diffId}`,
      );
    }
    return { ...scan, mediaType: mediaTypes[i] as string, createdBy: history[i] ?? null };
  });
  return { ...image, layers };
}

/** The image for a manifest resolved from an index, once its layers are scanned. */
export function imageFromManifest<S extends LayerDigests>(
  r: ResolvedManifest,
  source: string,
  tags: string[],
  scans: S[],
): SourceImage<S> {
  return assembleImage({
    source,
    digest: r.descriptor.digest,
    configDigest: r.manifest.config.digest,
    platform: r.platform,
    config: r.config,
    tags,
    scans,
    descriptors: r.manifest.layers,
    mediaTypes: r.manifest.layers.map((d) => d.mediaType),
  });
}
