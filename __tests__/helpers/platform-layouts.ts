// Multi-platform OCI layouts made in code: one image per platform (a static ELF for its architecture, so
// that every rule accepts it and only budgets decide), each under its own ref (for umoci), and an index of
// them all under `multi`.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeLayout } from './registry-world.js';
import { elf } from './rules-kit.js';
import { sha256 } from './tar-stream-io.js';

interface Desc {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string; variant?: string };
}

const REF = 'org.opencontainers.image.ref.name';

/**
 * An OCI layout holding one image per platform (each also under its own ref, for umoci) and an index of
 * them all under `multi`. Each platform's image is /app of `sizes[arch]` bytes.
 */
export async function multiLayout(dir: string, sizes: Record<string, number>): Promise<void> {
  const entries: Desc[] = [];
  for (const [arch, size] of Object.entries(sizes)) {
    const [architecture, variant] = arch.split('/') as [string, string?];
    await makeLayout(
      dir,
      arch.replace('/', '-'),
      [[{ name: 'app', body: staticBinary(architecture, size), mode: 0o755 }]],
      { architecture, ...(variant ? { variant } : {}), config: { User: '65532', Entrypoint: ['/app'] } },
    );
    const [desc] = (JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as { manifests: Desc[] })
      .manifests;
    entries.push({ ...desc!, platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) } });
  }
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: entries.map(({ annotations: _a, ...d }) => d),
    }),
  );
  const digest = sha256(index);
  writeFileSync(path.join(dir, 'blobs', 'sha256', digest.slice(7)), index);
  writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        ...entries,
        {
          mediaType: 'application/vnd.oci.image.index.v1+json',
          digest,
          size: index.length,
          annotations: { [REF]: 'multi' },
        },
      ],
    }),
  );
}

/** A static ELF for the architecture, padded to `size` bytes: an entrypoint every rule accepts. */
function staticBinary(architecture: string, size: number): Buffer {
  const machine = { amd64: 62, arm64: 183, s390x: 22 }[architecture];
  const head = elf({ machine, ...(architecture === 's390x' ? { endian: 'be' as const } : {}) });
  return Buffer.concat([head, Buffer.alloc(size - head.length)]);
}
