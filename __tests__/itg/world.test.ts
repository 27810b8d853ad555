import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { daemonEnv, docker, node24, run, world } from '../helpers/world.js';

describe('test world', () => {
  const w = world();
  const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-smoke-'));
  const image = `${w.registry}/smoke:1`;

  afterAll(() => {
    docker(['rmi', '--force', image], { allowFailure: true });
    rmSync(tmp, { recursive: true, force: true });
  });

  it('has the classic-store engine (Docker 26, vfs) on DOCKER_HOST', () => {
    expect(w.dockerHost).toMatch(/^unix:\/\/\/.*docker\.sock$/);
    const out = docker(['version', '--format', '{{.Server.Version}}']).stdout.trim();
    expect(out).toMatch(/^26\.\d+\.\d+/);
    // The default socket is not ours: make sure the client really went to the world's engine.
    const info = docker(['info', '--format', '{{.DockerRootDir}} {{.Driver}}']).stdout.trim();
    expect(info).toBe(`${path.join(w.dir, 'data')} vfs`);
  });

  it('has the containerd-store engine (Docker 26, snapshotter) on SLIMGATE_DOCKER_CONTAINERD', () => {
    expect(w.containerdHost).toMatch(/^unix:\/\/\/.*docker-ctr\.sock$/);
    const env = daemonEnv('containerd');
    const info = run(
      'docker',
      ['info', '--format', '{{.ServerVersion}} {{.DockerRootDir}} {{json .DriverStatus}}'],
      {
        env,
      },
    ).stdout.trim();
    expect(info).toMatch(/^26\.\d+\.\d+\S* /);
    expect(info).toContain(path.join(w.dir, 'data-ctr'));
    expect(info).toContain('io.containerd.snapshotter.v1');
  });

  it('runs the runner’s docker client (28.x) and buildx against both', () => {
    for (const env of [daemonEnv('classic'), daemonEnv('containerd')]) {
      const v = run('docker', ['version', '--format', '{{.Client.Version}} {{.Server.APIVersion}}'], { env });
      expect(v.stdout.trim()).toMatch(/^28\.\d+\.\d+ 1\.45$/);
      expect(run('docker', ['buildx', 'version'], { env }).stdout).toMatch(/buildx v?0\.1[3-9]/);
    }
  });

  it('has a registry that answers /v2/', async () => {
    expect(w.registry).toMatch(/^127\.0\.0\.1:\d+$/);
    const res = await fetch(`http://${w.registry}/v2/`);
    expect(res.status).toBe(200);
  });

  it('has umoci and skopeo', () => {
    expect(run('umoci', ['--version']).stdout).toMatch(/umoci version/);
    expect(run('skopeo', ['--version']).stdout).toMatch(/skopeo version/);
  });

  it('has Node 24', () => {
    const bin = node24();
    expect(path.isAbsolute(bin)).toBe(true);
    expect(run(bin, ['--version']).stdout.trim()).toMatch(/^v24\./);
  });

  it('builds a FROM scratch image and pushes it to the registry', async () => {
    writeFileSync(path.join(tmp, 'hello.txt'), 'hello from the test world\n');
    writeFileSync(path.join(tmp, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
    docker(['build', '--network', 'none', '-t', image, tmp], { env: { DOCKER_BUILDKIT: '0' } });
    docker(['push', image]);
    const res = await fetch(`http://${w.registry}/v2/smoke/tags/list`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { name: string; tags: string[] };
    expect(body.name).toBe('smoke');
    expect(body.tags).toContain('1');
  });
});
