// Build mode end to end on the test world's two Docker 26 engines: buildx (its default `docker` driver) on
// the classic and the containerd image stores, and the classic builder (DOCKER_BUILDKIT=0), with
// docker/build-push-action's options, the streamed log, a failed build's tail, a push, and multi-platform
// builds with attestations on the containerd store.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildError, buildCommand, buildImage, hasBuildx } from '../../src/sources/docker-build.js';
import { buildOptionsFromFlags } from '../../src/cli/build-flags.js';
import { inspect, inspectBuild } from '../../src/engine/engine.js';
import { InputError } from '../../src/util/errors.js';
import { buildxLoadBoth } from '../helpers/buildx.js';
import { DAEMON_KINDS, daemonEnv, docker, run, world, type DaemonKind } from '../helpers/world.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-build-'));
const tagBase = `sg-build-${process.pid}`;
const label = `build-${process.pid}`;

describe('build command lines (docker/build-push-action names)', () => {
  const out = { iidFile: '/t/iid' };
  it('classic builder', () => {
    const cmd = buildCommand(
      {
        context: 'ctx',
        file: 'ctx/Dockerfile.prod',
        target: 'final',
        buildArgs: ['A=1', 'B=two words'],
        platforms: ['linux/amd64'],
        tags: ['app:1', 'ghcr.io/o/app:pr-1'],
        network: 'none',
      },
      'classic',
      out,
    );
    expect(cmd.args).toEqual([
      'build',
      '--file',
      'ctx/Dockerfile.prod',
      '--target',
      'final',
      '--build-arg',
      'A=1',
      '--build-arg',
      'B=two words',
      '--platform',
      'linux/amd64',
      '--network',
      'none',
      '--tag',
      'app:1',
      '--tag',
      'ghcr.io/o/app:pr-1',
      '--iidfile',
      '/t/iid',
      'ctx',
    ]);
    expect(cmd.env).toEqual({ DOCKER_BUILDKIT: '0' });
  });

  it('buildx exports an OCI archive (no daemon load), or loads, or pushes', () => {
    const oci = buildCommand({ platforms: ['linux/amd64', 'linux/arm64'] }, 'buildx', {
      ...out,
      ociDest: '/t/i.tar',
    });
    expect(oci.args).toEqual([
      'buildx',
      'build',
      '--platform',
      'linux/amd64,linux/arm64',
      '--iidfile',
      '/t/iid',
      '--output',
      'type=oci,dest=/t/i.tar',
      '.',
    ]);
    expect(oci.env).toEqual({});
    expect(buildCommand({}, 'buildx', out).args).toContain('--load');
    const push = buildCommand({ push: true, tags: ['r.io/a:1'] }, 'buildx', {
      ...out,
      metadataFile: '/t/m.json',
    });
    expect(push.args).toEqual(
      expect.arrayContaining(['--push', '--metadata-file', '/t/m.json', '--tag', 'r.io/a:1']),
    );
    expect(push.args).not.toContain('--output');
  });

  it('splits list inputs as the action writes them', () => {
    expect(
      buildOptionsFromFlags({
        tags: ['a:1,b:2', 'c:3'],
        platforms: 'linux/amd64, linux/arm64',
        'build-arg': ['X=1,2'],
      }),
    ).toMatchObject({
      tags: ['a:1', 'b:2', 'c:3'],
      platforms: ['linux/amd64', 'linux/arm64'],
      buildArgs: ['X=1,2'],
      push: false,
      context: '.',
    });
  });
});

describe('build mode, classic builder (DOCKER_BUILDKIT=0) on the classic store', () => {
  const env = world().env;
  const ctx = path.join(tmp, 'ctx');
  const tags: string[] = [];

  beforeAll(() => {
    mkdirSync(ctx);
    writeFileSync(path.join(ctx, 'app'), '#!/bin/false\n');
    writeFileSync(path.join(ctx, 'debug.txt'), 'only in the debug stage\n');
    writeFileSync(
      path.join(ctx, 'Dockerfile'),
      `FROM scratch AS debug
LABEL slimgate.test=${label}
COPY debug.txt /debug.txt

FROM scratch AS final
LABEL slimgate.test=${label}
ARG VERSION=dev
LABEL version=$VERSION
COPY app /app
USER 65532
ENTRYPOINT ["/app"]
`,
    );
    writeFileSync(path.join(ctx, 'Broken.Dockerfile'), 'FROM scratch\nCOPY missing-file.txt /x\n');
  });

  afterAll(() => {
    for (const t of tags) docker(['rmi', '--force', t], { allowFailure: true });
    // The classic builder leaves each stage's image behind, untagged: remove ours by label.
    const ids = docker(['images', '-q', '--filter', `label=slimgate.test=${label}`])
      .stdout.split('\n')
      .filter(Boolean);
    if (ids.length) docker(['rmi', '--force', ...new Set(ids)], { allowFailure: true });
    rmSync(tmp, { recursive: true, force: true });
  });

  it('builds with the classic builder when asked, streams the log, then analyses the image', async () => {
    // buildx is there (the world has it); the classic builder is what `engine: 'classic'` forces.
    expect(await hasBuildx({ env })).toBe(true);
    const tag = `${tagBase}-final:1`;
    tags.push(tag);
    let log = '';
    const { build, reports } = await inspectBuild(
      {
        context: ctx,
        target: 'final',
        buildArgs: ['VERSION=1.2.3'],
        tags: [tag],
        network: 'none',
        env,
        engine: 'classic',
        onLog: (c) => (log += c),
      },
      { cache: false, daemon: { env } },
    );
    expect(build.engine).toBe('classic');
    expect(build.source).toBe(`docker-daemon:${tag}`);
    expect(log).toMatch(/Step 1\/\d+ : FROM scratch AS debug/);
    expect(log).toMatch(/Successfully tagged/);
    const [r] = reports;
    expect(r?.files.map((f) => f.path)).toEqual(['/app']);
    expect(r?.image.config.user).toBe('65532');
    expect(r?.image.config.entrypoint).toEqual(['/app']);
    expect(docker(['inspect', '-f', '{{.Config.Labels.version}}', tag]).stdout.trim()).toBe('1.2.3');
    expect(r?.image.digest).toBe(build.imageId);
  });

  it('builds another target, untagged: analysed by image ID', async () => {
    const built = await buildImage({
      context: ctx,
      target: 'debug',
      network: 'none',
      env,
      engine: 'classic',
    });
    try {
      expect(built.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(built.source).toBe(`docker-daemon:${built.imageId}`);
      const [r] = await inspect(built.source, { cache: false, daemon: { env } });
      expect(r?.files.map((f) => f.path)).toEqual(['/debug.txt']);
    } finally {
      await built.cleanup();
      docker(['rmi', '--force', built.imageId as string], { allowFailure: true });
    }
  });

  it('pushes the tags when asked (push), and the registry has the same image', async () => {
    const tag = `${world().registry}/${tagBase}/pushed:1`;
    tags.push(tag);
    const { reports } = await inspectBuild(
      { context: ctx, target: 'final', tags: [tag], push: true, network: 'none', env, engine: 'classic' },
      { cache: false, daemon: { env } },
    );
    const [fromRegistry] = await inspect(`docker://${tag}`, {
      cache: false,
      registry: { credentials: { dockerConfigDir: '/nonexistent-docker-config' } },
    });
    expect(fromRegistry?.files).toEqual(reports[0]?.files);
    expect(fromRegistry?.layers.map((l) => l.diffId)).toEqual(reports[0]?.layers.map((l) => l.diffId));
  });

  it('a failed build: one line, the log tail attached, nothing analysed', async () => {
    let log = '';
    const err = await buildImage({
      context: ctx,
      file: path.join(ctx, 'Broken.Dockerfile'),
      network: 'none',
      env,
      engine: 'classic',
      onLog: (c) => (log += c),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect(err).toBeInstanceOf(InputError);
    const e = err as BuildError;
    expect(e.message).toMatch(/^docker build failed \(exit 1\): .*missing-file\.txt/);
    expect(e.message).not.toContain('\n');
    expect(e.logTail).toMatch(/Step 2\/2 : COPY missing-file.txt \/x/);
    expect(log).toContain('missing-file.txt');
  });

  it.each([
    [{ platforms: ['linux/amd64', 'linux/arm64'] }, /several platforms .* needs docker buildx/],
    [{ buildArgs: ['1BAD=x'] }, /bad build-arg "1BAD"/],
    [{ push: true }, /push needs at least one tag/],
    [{ tags: ['Bad:Tag'] }, /bad image reference/],
    [{ context: path.join(tmp, 'nope') }, /is not a directory/],
    [{ file: path.join(tmp, 'nope.Dockerfile') }, /does not exist/],
    [{ platforms: ['linux'] }, /bad --platform/],
  ])('refuses bad options before building: %j', async (extra, why) => {
    const err = await buildImage({ context: ctx, env, engine: 'classic', ...extra }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(why);
  });
});

/** A context with a per-platform stage (COPY only: no emulation needed) and a broken Dockerfile. */
function buildxContext(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'app'), '#!/bin/false\n');
  writeFileSync(path.join(dir, 'amd64.bin'), Buffer.alloc(1000, 1));
  writeFileSync(path.join(dir, 'arm64.bin'), Buffer.alloc(3000, 2));
  writeFileSync(
    path.join(dir, 'Dockerfile'),
    `FROM scratch AS base-amd64
COPY amd64.bin /arch.bin
FROM scratch AS base-arm64
COPY arm64.bin /arch.bin
FROM base-\${TARGETARCH} AS final
ARG VERSION=dev
LABEL version=$VERSION
COPY app /app
USER 65532
ENTRYPOINT ["/app"]
`,
  );
  writeFileSync(path.join(dir, 'Broken.Dockerfile'), 'FROM scratch\nCOPY missing-file.txt /x\n');
  return dir;
}

describe.each(DAEMON_KINDS)(
  'build mode, buildx (docker driver) on the %s image store',
  (kind: DaemonKind) => {
    const env = daemonEnv(kind);
    const dir = mkdtempSync(path.join(tmpdir(), `slimgate-bx-${kind}-`));
    const ctx = path.join(dir, 'ctx');
    const tags: string[] = [];
    beforeAll(() => buildxContext(ctx));
    afterAll(() => {
      for (const t of tags) run('docker', ['rmi', '--force', t], { env, allowFailure: true });
      rmSync(dir, { recursive: true, force: true });
    });

    it('builds through buildx by default (loads, then reads the daemon) with build-arg, target and tags', async () => {
      const tag = `${tagBase}-bx-${kind}:1`;
      tags.push(tag);
      let log = '';
      const { build, reports } = await inspectBuild(
        {
          context: ctx,
          target: 'final',
          buildArgs: ['VERSION=4.5.6'],
          tags: [tag],
          network: 'none',
          env,
          onLog: (c) => (log += c),
        },
        { cache: false, daemon: { env } },
      );
      expect(build.engine).toBe('buildx');
      expect(build.source).toBe(`docker-daemon:${tag}`);
      expect(log).toMatch(/naming to docker\.io\/library\/sg-build-/);
      expect(reports).toHaveLength(1);
      const [r] = reports;
      expect(r?.files.map((f) => f.path)).toEqual(['/app', '/arch.bin']);
      expect(r?.files.find((f) => f.path === '/arch.bin')?.size).toBe(1000);
      expect(r?.image.config.user).toBe('65532');
      expect(r?.image.platform).toBe('linux/amd64');
      expect(run('docker', ['inspect', '-f', '{{.Config.Labels.version}}', tag], { env }).stdout.trim()).toBe(
        '4.5.6',
      );
      const rootfs = JSON.parse(
        run('docker', ['inspect', '-f', '{{json .RootFS.Layers}}', tag], { env }).stdout,
      );
      expect(r?.layers.map((l) => l.diffId)).toEqual(rootfs);
    });

    it('a failed buildx build: one line naming the missing file, the log tail attached', async () => {
      const err = await buildImage({
        context: ctx,
        file: path.join(ctx, 'Broken.Dockerfile'),
        network: 'none',
        env,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BuildError);
      const e = err as BuildError;
      expect(e.message).toMatch(/^docker build failed \(exit 1\): /);
      expect(e.message).not.toContain('\n');
      expect(e.logTail).toContain('missing-file.txt');
    });

    it('pushes through buildx (push) and reads the pushed image back by digest', async () => {
      const tag = `${world().registry}/${tagBase}/bx-${kind}:1`;
      tags.push(tag);
      const { build, reports } = await inspectBuild(
        { context: ctx, target: 'final', tags: [tag], push: true, network: 'none', env },
        { cache: false, daemon: { env } },
      );
      expect(build.source).toMatch(
        new RegExp(`^docker://${world().registry}/${tagBase}/bx-${kind}@sha256:[0-9a-f]{64}$`),
      );
      expect(reports[0]?.files.map((f) => f.path)).toEqual(['/app', '/arch.bin']);
    });
  },
);

describe('build mode, buildx multi-platform with attestations on the containerd store', () => {
  const env = daemonEnv('containerd');
  const dir = mkdtempSync(path.join(tmpdir(), 'slimgate-bx-multi-'));
  const ctx = path.join(dir, 'ctx');
  const tag = `${tagBase}-bx-multi:1`;
  beforeAll(() => buildxContext(ctx));
  afterAll(() => {
    run('docker', ['rmi', '--force', tag], { env, allowFailure: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('--platforms linux/amd64,linux/arm64 --platform linux/arm64 checks the arm64 image', async () => {
    const { build, reports } = await inspectBuild(
      {
        context: ctx,
        target: 'final',
        tags: [tag],
        platforms: ['linux/amd64', 'linux/arm64'],
        network: 'none',
        env,
      },
      { cache: false, daemon: { env }, platform: { os: 'linux', architecture: 'arm64' } },
    );
    expect(build.engine).toBe('buildx');
    expect(reports).toHaveLength(1);
    expect(reports[0]?.image.platform).toBe('linux/arm64');
    expect(reports[0]?.files.find((f) => f.path === '/arch.bin')?.size).toBe(3000);
  });

  it('several platforms without --platform: every platform, no attestation', async () => {
    const { reports } = await inspectBuild(
      {
        context: ctx,
        target: 'final',
        tags: [tag],
        platforms: ['linux/amd64', 'linux/arm64'],
        network: 'none',
        env,
      },
      { cache: false, daemon: { env } },
    );
    const sizes = Object.fromEntries(
      reports.map((r) => [r.image.platform, r.files.find((f) => f.path === '/arch.bin')?.size]),
    );
    expect(sizes).toEqual({ 'linux/amd64': 1000, 'linux/arm64': 3000 });
  });

  it('a provenance attestation (mode=max) is stored but never checked as an image', async () => {
    buildxLoadBoth(ctx, tag, env, ['--provenance=mode=max', '--target', 'final']);
    const reports = await inspect(`docker-daemon:${tag}`, { cache: false, daemon: { env }, platform: 'all' });
    expect(reports.map((r) => r.image.platform).sort()).toEqual(['linux/amd64', 'linux/arm64']);
    for (const r of reports) expect(r.files.map((f) => f.path)).toEqual(['/app', '/arch.bin']);
  });
});
