/**
 * An OCI artifact is not an image: an SBOM, a signature or a Helm chart stored as a manifest in a layout
 * or a registry. It says so with `artifactType` (OCI 1.1), with a config that is not an image config, or
 * with layers that are all blobs of another kind (cosign's signatures). Slimgate names what it is in one
 * line rather than failing on a layer's "unsupported media type".
 */
import { isLayerMediaType } from './model/image.js';

const IMAGE_CONFIGS = new Set([
  'application/vnd.oci.image.config.v1+json',
  'application/vnd.docker.container.image.v1+json',
]);

/**
 * Blobs that are documents, not file systems: JSON (cosign's simplesigning, in-toto statements, SPDX and
 * CycloneDX SBOMs) or a signing format. Any other unknown layer type stays "an unsupported media type".
 */
const ARTIFACT_BLOB = /\+json$|cosign|sigstore|in-toto|spdx|cyclonedx/i;

interface ManifestLike {
  artifactType?: unknown;
  config?: { mediaType?: unknown };
  layers?: { mediaType?: unknown }[];
}

const shown = (v: string): string => JSON.stringify(v.length > 100 ? `${v.slice(0, 99)}…` : v);

/** What makes this manifest an artifact ("artifactType \"application/spdx+json\""), or undefined for an image. */
export function artifactKind(m: ManifestLike): string | undefined {
  if (typeof m.artifactType === 'string' && m.artifactType !== '')
    return `artifactType ${shown(m.artifactType)}`;
  const config = m.config?.mediaType;
  if (typeof config === 'string' && config !== '' && !IMAGE_CONFIGS.has(config))
    return `config media type ${shown(config)}`;
  const layers = Array.isArray(m.layers) ? m.layers : [];
  const types = layers.map((l) => (typeof l?.mediaType === 'string' ? l.mediaType : ''));
  if (types.length && types.every((t) => !isLayerMediaType(t) && ARTIFACT_BLOB.test(t)))
    return `layers of media type ${shown(types[0] as string)}`;
  return undefined;
}
