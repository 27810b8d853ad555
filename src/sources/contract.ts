/**
 * The one source contract. A source (archive, layout, registry, daemon) lists the images it holds for
 * the chosen platform and hands each layer to a LayerReader that the scan layer gives it. Sources never
 * know what a scan yields, only the digests they must verify it against.
 */
import type { ManifestSummary } from '../types/report.js';
import type { Compression } from '../util/decompress.js';
import type { Descriptor, ImageConfigFile, Platform } from './model/image.js';
import type { ClientSpec } from './registry/client.js';

/** What a layer's scan must tell its source, so that the source can verify it against the manifest. */
export interface LayerDigests {
  /** sha256 of the bytes as stored (the compressed digest). */
  digest: string;
  /** sha256 of the uncompressed tar. */
  diffId: string;
  compression: Compression;
  compressedSize: number;
  uncompressedSize: number;
}

/**
 * A layer blob that can be opened on demand, in any thread: plain data, so that it can be handed to a
 * scan worker, which opens it itself (the bytes never cross threads). `digest` is what names it.
 */
export type BlobRef =
  | { kind: 'file'; path: string; digest: string }
  | { kind: 'registry'; client: ClientSpec; desc: Descriptor; digest: string };

/** Scans layers for a source; the scan layer implements it (worker pool, layer cache, progress). */
export interface LayerReader<S extends LayerDigests> {
  /** A layer that streams past once (an archive entry): it is scanned in this pass, here. */
  stream(input: AsyncIterable<Buffer> | Iterable<Buffer>, label: string): Promise<S>;
  /** A layer the source can open again (a file, a registry blob): may run on a worker, or be a cache hit. */
  blob(ref: BlobRef, label: string, signal?: AbortSignal): Promise<S>;
}

export type SourceLayer<S> = S & { mediaType: string; createdBy: string | null };

/** An image whose layers have all been read and verified against its manifest and config. */
export interface SourceImage<S> {
  source: string;
  /** The manifest digest, or for a Docker archive without one, the image ID (the config digest). */
  digest: string;
  configDigest: string;
  platform: Platform;
  config: ImageConfigFile;
  tags: string[];
  layers: SourceLayer<S>[];
}

export interface ImageSource {
  /** Every image of the chosen platform(s), each layer read through `reader` and verified. */
  images<S extends LayerDigests>(reader: LayerReader<S>): Promise<SourceImage<S>[]>;
  /** The fast path, for sources whose manifests can be read without the layers (registry, layout). */
  manifests?(): Promise<ManifestSummary[]>;
}
