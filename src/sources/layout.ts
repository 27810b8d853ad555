/** `oci:DIR[:REF]`: an OCI image layout directory. Layers are separate files, so they scan concurrently. */
import { access, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../util/errors.js';
import { shortDigest } from '../util/bytes.js';
import type { ManifestSummary } from '../types/report.js';
import type { ImageSource } from './contract.js';
import { summarizeManifests, type SummaryIo } from './manifest-summary.js';
import type { Descriptor } from './model/image.js';
import { imageFromManifest, parseJson, resolveImages, verifyDigest, type Index } from './oci.js';
import { sha256 } from '../util/digest.js';
import { MAX_JSON_BLOB } from './model/image.js';
import type { PlatformChoice } from './platform.js';

/** An OCI layout's index and a reader for its JSON blobs (size-capped, digest-verified). */
interface Layout {
  where: string;
  index: Index;
  blobPath: (d: Descriptor) => string;
  readJson: (d: Descriptor, what: string) => Promise<Buffer>;
}

async function openLayout(dir: string): Promise<Layout> {
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

/** `oci:DIR[:REF]`: layers are files, so each can be scanned on a worker, several at once. */
export function layoutSource(
  dir: string,
  ref: string | undefined,
  source: string,
  platform: PlatformChoice,
): ImageSource {
  return {
    images: async (reader) => {
      const { where, index, blobPath, readJson: fetch } = await openLayout(dir);
      const resolved = await resolveImages(index, fetch, platform, where, ref);
      const images = [];
      for (const r of resolved) {
        const scans = await Promise.all(
          r.manifest.layers.map(async (d, i) => {
            const path = blobPath(d);
            const label = `layer ${i + 1} (${shortDigest(d.digest)})`;
            await access(path).catch(() => {
              throw new InputError(`${where} is missing ${label}`);
            });
            return reader.blob({ kind: 'file', path, digest: d.digest }, `${label} in ${where}`);
          }),
        );
        images.push(imageFromManifest(r, source, ref ? [ref] : [], scans));
      }
      return images;
    },
    manifests: () => layoutManifestSummary(dir, ref, source, platform),
  };
}

/** The fast path for `oci:DIR[:REF]`: manifests from disk, no layer read. */
async function layoutManifestSummary(
  dir: string,
  ref: string | undefined,
  source: string,
  platform: PlatformChoice,
): Promise<ManifestSummary[]> {
  const { where, index, readJson: read } = await openLayout(dir);
  const io: SummaryIo = {
    where,
    source,
    platform,
    manifest: (d) => read(d, 'manifest'),
    config: (d) => read(d, 'config'),
  };
  if (ref !== undefined) io.refName = ref;
  return summarizeManifests(index, { mediaType: '', digest: '', size: 0 }, io);
}
