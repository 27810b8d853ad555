// A multi-platform image made by the world's real buildx: a context whose final stage picks a
// per-platform stage (COPY only, so no emulation is needed), built and loaded into a daemon.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { run } from './world.js';

/** amd64 gets /amd64.bin (1000 B), arm64 /arm64.bin (2000 B); both get /common.txt and USER 1000. */
export function platformContext(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'common.txt'), 'in every platform\n');
  writeFileSync(path.join(dir, 'amd64.bin'), Buffer.alloc(1000, 1));
  writeFileSync(path.join(dir, 'arm64.bin'), Buffer.alloc(2000, 2));
  writeFileSync(
    path.join(dir, 'Dockerfile'),
    `FROM scratch AS base-amd64
COPY amd64.bin /amd64.bin
FROM scratch AS base-arm64
COPY arm64.bin /arm64.bin
FROM base-\${TARGETARCH}
COPY common.txt /common.txt
USER 1000
`,
  );
  return dir;
}

/** `docker buildx build --load` of both platforms (only the containerd store keeps both), no network. */
export function buildxLoadBoth(
  ctx: string,
  tag: string,
  env: NodeJS.ProcessEnv,
  extra: readonly string[] = [],
): void {
  run(
    'docker',
    [
      'buildx',
      'build',
      '--load',
      '--network',
      'none',
      '--platform',
      'linux/amd64,linux/arm64',
      ...extra,
      '-q',
      '-t',
      tag,
      ctx,
    ],
    { env, timeout: 300_000 },
  );
}
