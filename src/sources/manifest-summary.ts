/**
 * The fast path: compressed size and layer count from manifests alone. Shared by the registry (where it
 * saves every blob request) and OCI layouts.
 */
import { InputError } from '../util/errors.js';
import { shortDigest } from '../util/bytes.js';
import { isIndexMediaType, layersStoredUncompressed, type Descriptor, type Platform } from './model/image.js';
import {
  checkPlatform,
  entriesNamed,
  isImageEntry,
  MAX_INDEX_DEPTH,
  parseImageConfig,
  parseJson,
  platformOfConfig,
  validateManifest,
  verifyDigest,
  type Index,
  type Manifest,
} from './oci.js';
import { sha256 } from '../util/digest.js';
import type { ManifestSummary } from '../types/report.js';
import { choosePlatforms, formatPlatform, type PlatformChoice } from './platform.js';

export interface SummaryIo {
  where: string;
  source: string;
  platform: PlatformChoice;
  /** Manifest (or index) bytes by descriptor; verified here. */
  manifest: (d: Descriptor) => Promise<Buffer>;
  /** Config bytes; only asked for when a platform cannot be known otherwise. */
  config: (d: Descriptor) => Promise<Buffer>;
  /** OCI layouts: pick top-level entries by their ref-name annotation. */
  refName?: string;
}

interface Leaf {
  desc: Descriptor;
  manifest?: Manifest;
  platform?: Platform;
}

export async function summarizeManifests(
  top: Index | Manifest,
  topDesc: Descriptor,
  io: SummaryIo,
): Promise<ManifestSummary[]> {
  const leaves: Leaf[] = [];
  const fetchDoc = async (d: Descriptor): Promise<Index | Manifest> => {
    const data = await io.manifest(d);
    verifyDigest(sha256(data), d.digest, `manifest ${shortDigest(d.digest)} of ${io.where}`);
    return parseJson<Index | Manifest>(data, `manifest ${d.digest} of ${io.where}`);
  };
  const collect = async (entries: Descriptor[], depth: number): Promise<void> => {
    if (depth > MAX_INDEX_DEPTH) throw new InputError(`${io.where}: indexes nested too deep`);
    for (const d of entries) {
      if (!d || typeof d.digest !== 'string' || !isImageEntry(d)) continue;
      if (isIndexMediaType(d.mediaType)) {
        const inner = await fetchDoc(d);
        await collect((inner as Index).manifests ?? [], depth + 1);
      } else leaves.push(d.platform ? { desc: d, platform: d.platform } : { desc: d });
    }
  };
  if (Array.isArray((top as Index).manifests)) {
    await collect(entriesNamed((top as Index).manifests, io.refName, io.where), 0);
  } else {
    leaves.push({ desc: topDesc, manifest: validateManifest(top as Manifest, topDesc.digest || io.where) });
  }
  if (!leaves.length) throw new InputError(`${io.where} holds no image manifest`);

  const manifestOf = async (l: Leaf): Promise<Manifest> => {
    l.manifest ??= validateManifest((await fetchDoc(l.desc)) as Manifest, l.desc.digest);
    return l.manifest;
  };
  const configPlatform = async (l: Leaf): Promise<Platform> => {
    const m = await manifestOf(l);
    const what = `config of ${io.where}`;
    const cfg = parseImageConfig(await io.config(m.config), what);
    return platformOfConfig(cfg);
  };

  let chosen: Leaf[];
  const single = leaves.length === 1 && !Array.isArray((top as Index).manifests);
  if (single) {
    const l = leaves[0] as Leaf;
    // A plain manifest names no platform: read the config only when one was asked for.
    if (io.platform && io.platform !== 'all') {
      l.platform = await configPlatform(l);
      checkPlatform(io.platform, l.platform, `image ${io.where}`);
    }
    chosen = [l];
  } else {
    for (const l of leaves) l.platform ??= await configPlatform(l);
    chosen = choosePlatforms(leaves, (l) => l.platform as Platform, io.platform);
  }
  const out: ManifestSummary[] = [];
  for (const l of chosen) {
    const m = await manifestOf(l);
    out.push({
      source: io.source,
      digest: l.desc.digest,
      platform: l.platform ? formatPlatform(l.platform) : null,
      compressedSize: m.layers.reduce((n, d) => n + d.size, 0),
      layers: m.layers.length,
      storedUncompressed: layersStoredUncompressed(m.layers),
      manifestOnly: true,
    });
  }
  return out;
}
