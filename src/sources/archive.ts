/**
 * Single-pass reader for image archives: `docker save` (Docker 20.10 legacy, Docker 25+ OCI-in-tar, the
 * containerd store's compressed blobs, skopeo's layer.tar symlinks) and oci-archive.
 *
 * In every format the file that names the layers comes after the layers, so each blob is scanned as it
 * passes, keyed by its path, and the image is assembled at the end. No layer is buffered and the archive
 * is never copied: `docker save` can be streamed straight in.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import { InputError } from '../util/errors.js';
import { TarParser, type BodySink, type TarHeader } from '../util/tar.js';
import { cleanPath, dirname, join } from '../util/paths.js';
import { formatBytes, shortDigest } from '../util/bytes.js';
import { Meter } from '../util/meter.js';
import { inflate } from '../util/decompress.js';
import type { ImageSource, LayerDigests, LayerReader, SourceImage } from './contract.js';
import { dockerLayerMediaType, type Descriptor } from './model/image.js';
import {
  assembleImage,
  imageFromManifest,
  checkPlatform,
  parseImageConfig,
  parseJson,
  platformOfConfig,
  resolveImages,
  verifyDigest,
  type Index,
} from './oci.js';
import { sha256 } from '../util/digest.js';
import { platformMatches, type PlatformChoice } from './platform.js';
import { blobPath, richerSavedIndex } from './saved-index.js';

export type ArchiveFormat = 'docker-archive' | 'oci-archive' | 'any';

export interface ArchiveSelector {
  /** docker-archive: a tag from RepoTags; oci-archive: a ref-name annotation. */
  ref?: string;
  /** docker-archive: the image's position in manifest.json (0-based, as skopeo). */
  index?: number;
}

/** Manifests and configs are kilobytes; a JSON-looking blob over this is scanned as a stream instead. */
const MAX_ARCHIVE_JSON = 8 * 1024 * 1024;
/** All JSON kept from one archive. */
const MAX_ARCHIVE_JSON_TOTAL = 64 * 1024 * 1024;

type Blob<S> = { kind: 'json'; data: Buffer; digest: string } | { kind: 'layer'; scan: Promise<S> };

interface DockerManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/** The whole archive, read once: blobs by path, and links (skopeo's layer.tar symlinks). */
export class ArchiveContents<S extends LayerDigests> {
  readonly blobs = new Map<string, Blob<S>>();
  /** Bytes of JSON blobs kept in memory so far. */
  jsonBytes = 0;
  readonly links = new Map<string, string>();

  constructor(
    readonly label: string,
    readonly reader: LayerReader<S>,
  ) {}

  resolve(path: string): string {
    let p = path;
    for (let hops = 0; hops < 16; hops++) {
      const target = this.links.get(p);
      if (target === undefined) return p;
      p = target;
    }
    throw new InputError(`${this.label}: symlink loop at ${path}`);
  }

  json(path: string, what: string): { data: Buffer; digest: string } {
    const blob = this.blobs.get(this.resolve(path));
    if (!blob) throw new InputError(`${this.label} has no ${path} (${what})`);
    if (blob.kind !== 'json') {
      throw new InputError(
        `${this.label}: ${path} (${what}) is not JSON metadata of at most ${MAX_ARCHIVE_JSON >> 20} MiB`,
      );
    }
    return blob;
  }

  async layer(path: string, what: string): Promise<S> {
    const real = this.resolve(path);
    const blob = this.blobs.get(real);
    if (!blob) throw new InputError(`${this.label} has no ${path} (${what})`);
    // A small plain tar whose first name starts with "{" was taken for JSON; scan it from memory.
    if (blob.kind === 'json') return this.reader.stream([blob.data], `${what} (${path}) in ${this.label}`);
    return blob.scan;
  }
}

/** Reads an archive stream (a tar, or a gzip/zstd-compressed tar) in one pass. */
export async function readArchive<S extends LayerDigests>(
  input: AsyncIterable<Buffer>,
  label: string,
  reader: LayerReader<S>,
): Promise<ArchiveContents<S>> {
  const contents = new ArchiveContents(label, reader);
  const parser = new TarParser((h) => onEntry(h, contents), `archive ${label}`);
  try {
    const { storedBytes } = await inflate(input, `archive ${label}`, (chunk) => parser.push(chunk));
    if (storedBytes === 0) throw new InputError(`archive ${label} is empty`);
    parser.finish();
  } catch (err) {
    throw err instanceof InputError ? err : readError(err, label);
  }
  if (parser.entries === 0) throw new InputError(`${label} is not an image archive (no tar entries)`);
  return contents;
}

function onEntry<S extends LayerDigests>(h: TarHeader, contents: ArchiveContents<S>): BodySink | undefined {
  const rel = cleanPath(h.name);
  if (rel === undefined) return undefined;
  const path = rel.slice(1);
  if (h.type === 'symlink' || h.type === 'hardlink') {
    const base = h.type === 'symlink' ? join(dirname(rel), h.linkname) : `/${h.linkname}`;
    const target = cleanPath(h.linkname.startsWith('/') ? h.linkname : base);
    if (target !== undefined) contents.links.set(path, target.slice(1));
    return undefined;
  }
  if (h.type !== 'file') return undefined;
  return new BlobSink(path, h.size, contents);
}

/** Decides at the first byte whether a blob is JSON metadata (kept) or a layer (scanned as it streams). */
/** The archive file itself could not be read (missing, a directory, no permission): one line naming it. */
function readError(err: unknown, label: string): unknown {
  const e = err as NodeJS.ErrnoException;
  return typeof e?.syscall === 'string'
    ? new InputError(`cannot read ${label}: ${e.code ?? e.message}`)
    : err;
}

class BlobSink<S extends LayerDigests> implements BodySink {
  private parts: Buffer[] | undefined;
  private stream: PassThrough | undefined;
  private scan: Promise<S | undefined> | undefined;
  private failed = false;

  constructor(
    private readonly path: string,
    private readonly size: number,
    private readonly contents: ArchiveContents<S>,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    if (!this.parts && !this.stream) this.start(chunk);
    if (this.parts) {
      this.parts.push(Buffer.from(chunk));
      return;
    }
    if (this.failed) return; // drain the rest of a blob whose scan already failed
    const s = this.stream as PassThrough;
    if (!s.write(chunk)) {
      // Stop waiting for 'drain' when the scan fails first, and drop the listener either way.
      const stop = new AbortController();
      try {
        await Promise.race([once(s, 'drain', { signal: stop.signal }).catch(() => undefined), this.scan]);
      } finally {
        stop.abort();
      }
    }
  }

  end(): void {
    if (!this.parts && !this.stream) {
      this.contents.blobs.set(this.path, {
        kind: 'json',
        data: Buffer.alloc(0),
        digest: sha256(Buffer.alloc(0)),
      });
    } else if (this.parts) {
      const data = Buffer.concat(this.parts);
      this.contents.blobs.set(this.path, { kind: 'json', data, digest: sha256(data) });
    } else {
      this.stream?.end();
    }
  }

  private start(first: Buffer): void {
    let i = 0;
    while (
      i < first.length &&
      (first[i] === 0x20 || first[i] === 0x0a || first[i] === 0x0d || first[i] === 0x09)
    )
      i++;
    const c = first[i];
    if ((c === 0x7b || c === 0x5b) && this.size <= MAX_ARCHIVE_JSON) {
      // Metadata is kept whole, so it is capped per blob and for the archive: memory stays bounded.
      this.contents.jsonBytes += this.size;
      if (this.contents.jsonBytes > MAX_ARCHIVE_JSON_TOTAL) {
        throw new InputError(
          `${this.contents.label} holds more than ${MAX_ARCHIVE_JSON_TOTAL >> 20} MiB of JSON metadata; it is not an image archive`,
        );
      }
      this.parts = [];
      return;
    }
    const stream = new PassThrough({ highWaterMark: 4 * 1024 * 1024 });
    stream.on('error', () => undefined); // the scan promise carries the error
    this.stream = stream;
    const scan = this.contents.reader.stream(stream, `blob ${this.path} in ${this.contents.label}`);
    // Errors surface only if the blob turns out to be a layer of the chosen image.
    this.scan = scan.then(
      () => undefined,
      () => {
        this.failed = true;
        stream.resume();
        return undefined;
      },
    );
    this.contents.blobs.set(this.path, { kind: 'layer', scan });
  }
}

/** Digest named by an OCI-style blob path (blobs/sha256/HEX) or a Docker image ID file (HEX.json). */
function digestFromPath(path: string): string | undefined {
  const m = /(?:^|\/)blobs\/sha256\/([0-9a-f]{64})$/.exec(path) ?? /(?:^|\/)([0-9a-f]{64})\.json$/.exec(path);
  return m ? `sha256:${m[1]}` : undefined;
}

export interface ArchiveOptions {
  source: string;
  format: ArchiveFormat;
  selector: ArchiveSelector;
  platform: PlatformChoice;
}

/** An archive file (docker save output, an oci-archive), read once as a stream. */
export function archiveFileSource(
  path: string,
  opts: ArchiveOptions & { progress?: ((message: string) => void) | undefined },
): ImageSource {
  return {
    images: async (reader) => {
      const progress = opts.progress;
      const meter = new Meter(progress && ((n) => progress(`reading archive: ${formatBytes(n)}`)));
      const input = createReadStream(path, { highWaterMark: 1024 * 1024 });
      return imagesFromArchive(await readArchive(meter.pass(input), path, reader), opts);
    },
  };
}

export async function imagesFromArchive<S extends LayerDigests>(
  contents: ArchiveContents<S>,
  opts: ArchiveOptions,
): Promise<SourceImage<S>[]> {
  const hasDocker = contents.blobs.has('manifest.json');
  const hasOci = contents.blobs.has('index.json');
  // Docker 25+ archives carry both; read manifest.json, since 25.0.0 wrote an OCI manifest with no layers.
  if (opts.format === 'docker-archive' || (opts.format === 'any' && hasDocker)) {
    if (!hasDocker) {
      throw new InputError(
        `${contents.label} has no manifest.json, so it is not a docker-archive${hasOci ? ' (it looks like an oci-archive)' : ''}`,
      );
    }
    return fromDockerManifest(contents, opts);
  }
  if (!hasOci) {
    throw new InputError(
      hasDocker
        ? `${contents.label} has no index.json, so it is not an oci-archive (it looks like a docker-archive)`
        : `${contents.label} has neither manifest.json nor index.json: it is not an image archive`,
    );
  }
  return fromOciIndex(contents, opts);
}

async function fromDockerManifest<S extends LayerDigests>(
  contents: ArchiveContents<S>,
  opts: ArchiveOptions,
): Promise<SourceImage<S>[]> {
  const where = contents.label;
  const list = parseJson<DockerManifestEntry[]>(
    contents.json('manifest.json', 'manifest').data,
    `manifest.json in ${where}`,
  );
  if (
    !Array.isArray(list) ||
    !list.length ||
    !list.every((e) => e && typeof e.Config === 'string' && Array.isArray(e.Layers))
  ) {
    throw new InputError(
      `manifest.json in ${where} is malformed: expected a list of {Config, RepoTags, Layers}`,
    );
  }
  const entry = pickDockerImage(list, opts.selector, where);
  const cfgPath = contents.resolve(entry.Config);
  const cfg = contents.json(cfgPath, 'config');
  const expectedCfg = digestFromPath(cfgPath);
  if (expectedCfg) verifyDigest(cfg.digest, expectedCfg, `config ${entry.Config} in ${where}`);
  const cfgWhat = `config ${entry.Config} in ${where}`;
  const config = parseImageConfig(cfg.data, cfgWhat);
  const platform = platformOfConfig(config);
  // manifest.json holds the daemon's own platform; another platform, or all, may be in index.json.
  const choice = opts.platform;
  if (choice === 'all' || (choice && !platformMatches(choice, platform))) {
    const richer = richerSavedIndex((p) => jsonOf(contents, p), cfg.digest);
    if (richer) return fromIndex(contents, richer, { ...opts, refName: undefined }, entry.RepoTags ?? []);
  }
  checkPlatform(opts.platform, platform, `image in ${where}`);

  const scans = await Promise.all(entry.Layers.map((p, i) => contents.layer(p, `layer ${i + 1}`)));
  // A blob stored under its digest (Docker 25+, containerd) must hash to that name.
  const descriptors: Descriptor[] = [];
  entry.Layers.forEach((p, i) => {
    const named = digestFromPath(contents.resolve(p));
    const scan = scans[i] as S;
    if (named) verifyDigest(scan.digest, named, `layer ${i + 1} (${p}) in ${where}`);
    descriptors.push({ mediaType: '', digest: scan.digest, size: scan.compressedSize });
  });
  const image = assembleImage({
    source: opts.source,
    digest: cfg.digest,
    configDigest: cfg.digest,
    platform,
    config,
    tags: entry.RepoTags ?? [],
    scans,
    mediaTypes: scans.map((s) => dockerLayerMediaType(s.compression)),
  });
  return [image];
}

function jsonOf<S extends LayerDigests>(contents: ArchiveContents<S>, path: string): Buffer | undefined {
  const blob = contents.blobs.get(contents.resolve(path));
  return blob?.kind === 'json' ? blob.data : undefined;
}

function pickDockerImage(
  list: DockerManifestEntry[],
  sel: ArchiveSelector,
  where: string,
): DockerManifestEntry {
  if (sel.index !== undefined) {
    const e = list[sel.index];
    if (!e) throw new InputError(`${where} has ${list.length} image(s); @${sel.index} is out of range`);
    return e;
  }
  if (sel.ref !== undefined) {
    const want = sel.ref.includes(':', sel.ref.lastIndexOf('/') + 1) ? sel.ref : `${sel.ref}:latest`;
    const hit = list.find((e) => (e.RepoTags ?? []).some((t) => t === sel.ref || t === want));
    if (!hit) throw new InputError(`${where} has no image tagged "${sel.ref}"; tags: ${tagList(list)}`);
    return hit;
  }
  if (list.length > 1) {
    throw new InputError(
      `${where} holds ${list.length} images; pick one with :TAG or @INDEX (tags: ${tagList(list)})`,
    );
  }
  return list[0] as DockerManifestEntry;
}

function tagList(list: DockerManifestEntry[]): string {
  return list.map((e, i) => `@${i} ${(e.RepoTags ?? []).join(' ') || '(untagged)'}`).join(', ');
}

async function fromOciIndex<S extends LayerDigests>(
  contents: ArchiveContents<S>,
  opts: ArchiveOptions,
): Promise<SourceImage<S>[]> {
  const where = contents.label;
  const index = parseJson<Index>(contents.json('index.json', 'index').data, `index.json in ${where}`);
  if (!index || !Array.isArray(index.manifests))
    throw new InputError(`index.json in ${where} is malformed: no manifests list`);
  return fromIndex(contents, index, { ...opts, refName: opts.selector.ref });
}

/** The images of an index whose blobs are in the archive; `tags` default to the ref-name annotation. */
async function fromIndex<S extends LayerDigests>(
  contents: ArchiveContents<S>,
  index: Index,
  opts: { source: string; platform: PlatformChoice; refName: string | undefined },
  tags?: string[],
): Promise<SourceImage<S>[]> {
  const where = contents.label;
  const fetch = async (d: Descriptor, what: string): Promise<Buffer> => {
    const blob = contents.json(blobPath(d), what);
    verifyDigest(blob.digest, d.digest, `${what} in ${where}`);
    return blob.data;
  };
  const resolved = await resolveImages(index, fetch, opts.platform, where, opts.refName);
  return Promise.all(
    resolved.map(async (r) => {
      const scans = await Promise.all(
        r.manifest.layers.map((d, i) =>
          contents.layer(blobPath(d), `layer ${i + 1} (${shortDigest(d.digest)})`),
        ),
      );
      const name = r.descriptor.annotations?.['org.opencontainers.image.ref.name'];
      return imageFromManifest(r, opts.source, tags ?? (name ? [name] : []), scans);
    }),
  );
}
