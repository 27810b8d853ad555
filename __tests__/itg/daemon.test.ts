// docker-daemon:REF against the test world's two Docker 26 engines (the classic store and the containerd
// store), images built by buildx and by the classic builder, multi-platform images with attestations on
// the containerd store, a stand-in docker CLI for what these engines cannot do, and the errors users meet:
// a missing image, an unreachable daemon, no docker CLI.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/engine/engine.js';
import { InputError } from '../../src/util/errors.js';
import { daemonError, saveSupportsPlatform } from '../../src/sources/daemon.js';
import { hexOf, packTar } from '../helpers/tar-stream-io.js';
import { makeLayout, sampleFiles } from '../helpers/registry-world.js';
import { buildxLoadBoth, platformContext } from '../helpers/buildx.js';
import { DAEMON_KINDS, daemonEnv, docker, run, world, type DaemonKind } from '../helpers/world.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-daemon-'));
const tag = `sg-daemon-${process.pid}:1`;

async function failure(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  expect((err as Error).message).not.toContain('\n');
  return (err as Error).message;
}

describe('docker-daemon source', () => {
  const env = world().env;
  const daemon = { env };

  beforeAll(() => {
    const ctx = path.join(tmp, 'ctx');
    mkdirSync(ctx);
    writeFileSync(path.join(ctx, 'a.txt'), 'first layer\n');
    writeFileSync(path.join(ctx, 'b.bin'), Buffer.alloc(40_000, 3));
    writeFileSync(
      path.join(ctx, 'Dockerfile'),
      'FROM scratch\nCOPY a.txt /etc/a.txt\nCOPY b.bin /data/b.bin\nUSER 1000\nCMD ["/nothing"]\n',
    );
    docker(['build', '--network', 'none', '-q', '-t', tag, ctx], {
      env: { DOCKER_BUILDKIT: '0' },
      timeout: 120_000,
    });
    docker(['save', '-o', path.join(tmp, 'saved.tar'), tag]);
  });

  afterAll(() => {
    docker(['rmi', '--force', tag], { allowFailure: true });
    rmSync(tmp, { recursive: true, force: true });
  });

  it('streams docker save into the archive reader: the same image as docker-archive', async () => {
    const [live] = await inspect(`docker-daemon:${tag}`, { cache: false, daemon });
    const [saved] = await inspect(`docker-archive:${path.join(tmp, 'saved.tar')}`, { cache: false });
    expect(live?.files).toEqual(saved?.files);
    expect(live?.layers).toEqual(saved?.layers);
    expect(live?.image.digest).toBe(saved?.image.digest);
    expect(live?.image.source).toBe(`docker-daemon:${tag}`);
    expect(live?.image.config.user).toBe('1000');
    expect(live?.files.map((f) => f.path)).toEqual(expect.arrayContaining(['/etc/a.txt', '/data/b.bin']));
    const id = docker(['inspect', '-f', '{{.Id}}', tag]).stdout.trim();
    expect(live?.image.digest).toBe(id);
  });

  it('reads an image by ID too', async () => {
    const id = docker(['inspect', '-f', '{{.Id}}', tag]).stdout.trim();
    const [r] = await inspect(`docker-daemon:${id}`, { cache: false, daemon });
    expect(r?.image.digest).toBe(id);
  });

  it('a missing image: one line that says where to get it', async () => {
    const msg = await failure(inspect('docker-daemon:sg-no-such-image:404', { cache: false, daemon }));
    expect(msg).toMatch(/image "sg-no-such-image:404" is not in the Docker daemon/);
    expect(msg).toContain(world().dockerHost);
    // What usually went wrong in CI, not a registry read of a name that was never pushed.
    expect(msg).toMatch(/build-push-action .*`load: true`/);
    expect(msg).toMatch(/docker-container driver/);
    expect(msg).toMatch(/default-load=true/);
    expect(msg).not.toContain('docker://');
  });

  it('an unreachable daemon: one line naming DOCKER_HOST', async () => {
    const bad = { env: { ...env, DOCKER_HOST: `unix://${tmp}/no-daemon.sock` } };
    const msg = await failure(inspect(`docker-daemon:${tag}`, { cache: false, daemon: bad }));
    expect(msg).toMatch(/cannot reach the Docker daemon at unix:\/\/.*no-daemon\.sock/);
  });

  it('no docker CLI: one line', async () => {
    const msg = await failure(
      inspect(`docker-daemon:${tag}`, { cache: false, daemon: { env, docker: path.join(tmp, 'no-docker') } }),
    );
    expect(msg).toMatch(/docker CLI is not installed/);
  });

  it('an empty or option-like reference is refused', async () => {
    expect(await failure(inspect('docker-daemon:', { cache: false, daemon }))).toMatch(/needs an image/);
    expect(await failure(inspect('docker-daemon:--help', { cache: false, daemon }))).toMatch(
      /not an image reference/,
    );
  });

  it('passes --platform only to a docker that supports it (client 28+, API 1.48+)', async () => {
    // The world's Docker 26 speaks API 1.45; `docker save --platform` needs 1.48.
    expect(await saveSupportsPlatform(daemon)).toBe(false);
    const msg = await failure(
      inspect(`docker-daemon:${tag}`, {
        cache: false,
        daemon,
        platform: { os: 'linux', architecture: 'arm64' },
      }),
    );
    expect(msg).toMatch(/is linux\/amd64, not linux\/arm64/);

    // A stand-in docker that claims a new engine, records its arguments and saves through the real one.
    const fake = path.join(tmp, 'docker-28');
    const argsFile = path.join(tmp, 'fake-args');
    writeFileSync(
      fake,
      `#!/bin/sh
if [ "$1" = version ]; then echo "28.2.2 1.50"; exit 0; fi
echo "$@" >> ${argsFile}
if [ "$1" = save ]; then shift; [ "$1" = --platform ] && shift 2; exec docker save "$@"; fi
exec docker "$@"
`,
    );
    chmodSync(fake, 0o755);
    const [r] = await inspect(`docker-daemon:${tag}`, {
      cache: false,
      daemon: { env, docker: fake },
      platform: { os: 'linux', architecture: 'amd64' },
    });
    expect(r?.image.platform).toBe('linux/amd64');
    expect(readFileSync(argsFile, 'utf8').trim()).toBe(`save --platform linux/amd64 ${tag}`);
  });

  it('reads the Docker 25+ containerd-store layout (compressed blobs, index.json and manifest.json)', async () => {
    const img = await makeLayout(path.join(tmp, 'oci'), 'x', [sampleFiles('d25-a'), sampleFiles('d25-b')]);
    const index = JSON.parse(readFileSync(path.join(img.dir, 'index.json'), 'utf8')) as {
      manifests: { digest: string }[];
    };
    const manifestDigest = index.manifests[0]?.digest as string;
    const manifest = JSON.parse(
      readFileSync(path.join(img.dir, 'blobs', 'sha256', hexOf(manifestDigest)), 'utf8'),
    ) as {
      config: { digest: string };
    };
    const blobs = [manifestDigest, manifest.config.digest, ...img.layers].sort();
    const entries = [
      { name: 'blobs/', type: 'dir' as const },
      { name: 'blobs/sha256/', type: 'dir' as const },
      ...blobs.map((d) => ({
        name: `blobs/sha256/${hexOf(d)}`,
        body: readFileSync(path.join(img.dir, 'blobs', 'sha256', hexOf(d))),
      })),
      { name: 'index.json', body: readFileSync(path.join(img.dir, 'index.json')) },
      {
        name: 'manifest.json',
        body: JSON.stringify([
          {
            Config: `blobs/sha256/${hexOf(manifest.config.digest)}`,
            RepoTags: ['d25:latest'],
            Layers: img.layers.map((l) => `blobs/sha256/${hexOf(l)}`),
          },
        ]),
      },
      { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
    ];
    const tarFile = path.join(tmp, 'd25.tar');
    writeFileSync(tarFile, await packTar(entries));
    const fake = path.join(tmp, 'docker-25');
    writeFileSync(fake, `#!/bin/sh\nif [ "$1" = save ]; then exec cat ${tarFile}; fi\nexit 1\n`);
    chmodSync(fake, 0o755);
    const [r] = await inspect('docker-daemon:d25:latest', { cache: false, daemon: { env, docker: fake } });
    const [want] = await inspect(`oci:${img.dir}:x`, { cache: false });
    expect(r?.files).toEqual(want?.files);
    expect(r?.layers.map((l) => l.digest)).toEqual(img.layers);
    expect(r?.image.tags).toEqual(['d25:latest']);
  });

  it('maps what docker prints to one line', () => {
    const e = (s: string): string => daemonError('app:1', 1, s, { DOCKER_HOST: 'unix:///x.sock' }).message;
    expect(e('Error response from daemon: reference does not exist\n')).toMatch(
      /is not in the Docker daemon \(unix:\/\/\/x\.sock\)/,
    );
    expect(e('Error: No such image: app:1\n')).toMatch(/is not in the Docker daemon/);
    expect(
      e(
        'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock',
      ),
    ).toMatch(/cannot reach the Docker daemon/);
    expect(e('something\nelse went wrong\n')).toBe('docker save app:1 failed (exit 1): else went wrong');
  });
});

const paths = (r: { files: { path: string }[] } | undefined): string[] => (r?.files ?? []).map((f) => f.path);

describe.each(DAEMON_KINDS)(
  'docker-daemon: on the %s image store (Docker 26, buildx)',
  (kind: DaemonKind) => {
    const env = daemonEnv(kind);
    const daemon = { env };
    const dir = path.join(tmp, `buildx-${kind}`);
    const tagOne = `sg-daemon-bx-${kind}-${process.pid}:1`;

    beforeAll(() => {
      const ctx = platformContext(path.join(dir, 'ctx'));
      run('docker', ['buildx', 'build', '--load', '--network', 'none', '-q', '-t', tagOne, ctx], {
        env,
        timeout: 300_000,
      });
    });
    afterAll(() => {
      run('docker', ['rmi', '--force', tagOne], { env, allowFailure: true });
    });

    it('reads a buildx-built image: the layers the daemon reports, the same as its docker save', async () => {
      const [live] = await inspect(`docker-daemon:${tagOne}`, { cache: false, daemon });
      const saved = path.join(dir, 'one.tar');
      run('docker', ['save', '-o', saved, tagOne], { env });
      const [file] = await inspect(`docker-archive:${saved}`, { cache: false });
      expect(paths(live)).toEqual(['/amd64.bin', '/common.txt']);
      expect(live?.image.platform).toBe('linux/amd64');
      expect(live?.image.config.user).toBe('1000');
      expect(live?.files).toEqual(file?.files);
      const rootfs = JSON.parse(
        run('docker', ['inspect', '-f', '{{json .RootFS.Layers}}', tagOne], { env }).stdout,
      );
      expect(live?.layers.map((l) => l.diffId)).toEqual(rootfs);
    });

    it('a missing image: the hint names load: true and the docker-container driver', async () => {
      const msg = await failure(inspect(`docker-daemon:sg-never-loaded-${kind}:1`, { cache: false, daemon }));
      expect(msg).toMatch(
        /^image "sg-never-loaded-.*:1" is not in the Docker daemon \(unix:\/\/.*\): .*`load: true`/,
      );
      expect(msg).toContain(env.DOCKER_HOST);
    });
  },
);

describe('a multi-platform image on the containerd store, with attestations', () => {
  const env = daemonEnv('containerd');
  const daemon = { env };
  const dir = path.join(tmp, 'multi');
  const tagMulti = `sg-daemon-mp-${process.pid}:1`;
  let saved: string;

  beforeAll(() => {
    const ctx = platformContext(path.join(dir, 'ctx'));
    buildxLoadBoth(ctx, tagMulti, env, ['--provenance=mode=max']);
    saved = path.join(dir, 'multi.tar');
    run('docker', ['save', '-o', saved, tagMulti], { env });
  });
  afterAll(() => {
    run('docker', ['rmi', '--force', tagMulti], { env, allowFailure: true });
  });

  it('docker save writes what Docker 26 writes: a nested index with both platforms and attestations, manifest.json with one', async () => {
    const { readTar } = await import('../helpers/tar-stream-io.js');
    const entries = await readTar(readFileSync(saved));
    const get = (n: string) => entries.find((e) => e.name === n)!.data;
    const manifestJson = JSON.parse(get('manifest.json').toString()) as unknown[];
    expect(manifestJson).toHaveLength(1);
    const index = JSON.parse(get('index.json').toString()) as {
      manifests: { mediaType: string; digest: string }[];
    };
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0]?.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    const nested = JSON.parse(get(`blobs/sha256/${hexOf(index.manifests[0]!.digest)}`).toString()) as {
      manifests: { platform?: { architecture: string }; annotations?: Record<string, string> }[];
    };
    const kinds = nested.manifests.map(
      (m) => m.annotations?.['vnd.docker.reference.type'] ?? m.platform?.architecture,
    );
    expect(kinds.sort()).toEqual(['amd64', 'arm64', 'attestation-manifest', 'attestation-manifest']);
  });

  it.each(['docker-daemon', 'docker-archive'])(
    '%s: --platform linux/arm64 reads the arm64 image',
    async (how) => {
      const source = how === 'docker-daemon' ? `docker-daemon:${tagMulti}` : `docker-archive:${saved}`;
      const reports = await inspect(source, {
        cache: false,
        daemon,
        platform: { os: 'linux', architecture: 'arm64' },
      });
      expect(reports).toHaveLength(1);
      expect(reports[0]?.image.platform).toBe('linux/arm64');
      expect(paths(reports[0])).toEqual(['/arm64.bin', '/common.txt']);
      expect(reports[0]?.image.tags).toEqual([tagMulti]);
    },
  );

  it.each(['docker-daemon', 'docker-archive', 'oci-archive'])(
    '%s: --platform all gives every platform and no attestation',
    async (how) => {
      const source = how === 'docker-daemon' ? `docker-daemon:${tagMulti}` : `${how}:${saved}`;
      const reports = await inspect(source, { cache: false, daemon, platform: 'all' });
      expect(reports.map((r) => r.image.platform).sort()).toEqual(['linux/amd64', 'linux/arm64']);
      const byArch = Object.fromEntries(reports.map((r) => [r.image.platform, paths(r)]));
      expect(byArch['linux/amd64']).toEqual(['/amd64.bin', '/common.txt']);
      expect(byArch['linux/arm64']).toEqual(['/arm64.bin', '/common.txt']);
    },
  );

  it('without --platform: the daemon’s own platform, from manifest.json', async () => {
    const reports = await inspect(`docker-daemon:${tagMulti}`, { cache: false, daemon });
    expect(reports).toHaveLength(1);
    expect(reports[0]?.image.platform).toBe('linux/amd64');
    expect(paths(reports[0])).toEqual(['/amd64.bin', '/common.txt']);
  });

  it('a platform the image lacks: one line that lists the platforms it has', async () => {
    const msg = await failure(
      inspect(`docker-daemon:${tagMulti}`, {
        cache: false,
        daemon,
        platform: { os: 'linux', architecture: 's390x' },
      }),
    );
    expect(msg).toMatch(/linux\/s390x/);
    expect(msg).toMatch(/linux\/amd64, linux\/arm64/);
  });
});
