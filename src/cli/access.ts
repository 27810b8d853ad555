/** How the engine reaches images from the CLI: registry access and the layer cache, opened once. */
import type { SbomRequest } from './sbom-flags.js';
import { InputError } from '../util/errors.js';
import { parsePlatform, type PlatformChoice } from '../sources/platform.js';
import { registryOfSource } from '../sources/source.js';
import { LayerCache } from '../scan/cache.js';
import type { RegistryOptions } from '../sources/registry/client.js';
import { parseReference } from '../sources/registry/reference.js';
import { escapeControls } from '../util/text.js';
import type { BuildOptions } from '../sources/docker-build.js';
import { registryOptionsFromFlags } from './registry-flags.js';
import type { Flags } from './flags.js';

interface EngineAccess {
  registry: RegistryOptions;
  cache: LayerCache | false;
}

/** What every command gives the engine: where to reach images, which platform, how many workers. */
export interface RunOptions {
  platform: PlatformChoice;
  concurrency: number | undefined;
  access: EngineAccess;
  /** --sbom-file, --sbom-format: the SBOM to write from the same pass. */
  sbom?: SbomRequest;
}

export async function runOptions(
  values: Flags,
  source: string | undefined,
  build: BuildOptions | undefined,
): Promise<RunOptions> {
  // Explicit credentials go to the source's registry only (for build: the registry of the first tag).
  const credentialRegistry = build
    ? build.tags?.[0] !== undefined
      ? parseReference(build.tags[0]).registry
      : undefined
    : registryOfSource(source as string);
  const flags = await registryOptionsFromFlags(values, credentialRegistry);
  // The layer cache is opened once, and serves the image and its baseline.
  const cache = LayerCache.open(flags.cache === false ? { cache: false } : {});
  const access: EngineAccess = { registry: flags.registry, cache: cache ?? false };
  const platform: PlatformChoice =
    values.platform === undefined
      ? undefined
      : values.platform === 'all'
        ? 'all'
        : parsePlatform(values.platform);
  let concurrency: number | undefined;
  if (values.concurrency !== undefined) {
    concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
      throw new InputError(`--concurrency must be a whole number from 1 to 64, not "${values.concurrency}"`);
    }
  }
  return { platform, concurrency, access };
}

/** Progress goes to stderr, and only when it is a terminal: logs and pipes stay clean. */
export function ttyProgress(): { update: (m: string) => void; clear: () => void } | undefined {
  if (!process.stderr.isTTY) return undefined;
  return {
    update: (m) => process.stderr.write(`\r\x1b[K${escapeControls(m)}`),
    clear: () => process.stderr.write('\r\x1b[K'),
  };
}
