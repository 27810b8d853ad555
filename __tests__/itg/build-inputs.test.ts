// Build mode's docker/build-push-action inputs against the real buildx 0.13 (its `docker` driver) on the test
// world's two Docker 26 engines: a secret reaches RUN --mount=type=secret and stays out of the image and the
// log; a named build context; labels; no-cache; cache-to/cache-from through a local cache directory; a
// provenance attestation (mode=max) that is stored but never checked as the image; a builder instance by
// name; and the classic builder's refusal.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildError, buildImage } from '../../src/sources/docker-build.js';
import { inspect, inspectBuild } from '../../src/engine/engine.js';
import { InputError } from '../../src/util/errors.js';
import { DAEMON_KINDS, daemonEnv, run, type DaemonKind } from '../helpers/world.js';

const id = `${process.pid}`;
const base = `sg-bi-base-${id}:1`;
const dir = mkdtempSync(path.join(tmpdir(), 'slimgate-build-inputs-'));
const SECRET = `s3cr3t-${id}-${createHash('sha256').update(id).digest('hex').slice(0, 16)}`;

/** A busybox base to RUN in (the world has no network to pull one), imported into an engine. */
function importBase(env: NodeJS.ProcessEnv): void {
  const root = path.join(dir, 'rootfs');
  if (!existsSync(root)) {
    mkdirSync(path.join(root, 'bin'), { recursive: true });
    mkdirSync(path.join(root, 'tmp'));
    execFileSync('cp', ['/bin/busybox', path.join(root, 'bin', 'busybox')]);
    for (const a of ['sh', 'cat', 'wc', 'sha256sum', 'echo', 'test', 'ls', 'date'])
      symlinkSync('busybox', path.join(root, 'bin', a));
  }
  const tar = execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 1 << 28 });
  run('docker', ['import', '-', base], { env, input: tar });
}

/** Every byte of an image as the engine stores it, its layers decompressed: to look for a value in. */
function imageBytes(tag: string, env: NodeJS.ProcessEnv): string {
  const file = path.join(dir, `save-${Date.now()}.tar`);
  run('docker', ['save', '-o', file, tag], { env });
  const out = path.join(dir, `save-${Date.now()}`);
  mkdirSync(out);
  execFileSync('tar', ['-C', out, '-xf', file]);
  const parts: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const b = readFileSync(p);
        parts.push((b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b).toString('latin1'));
      }
    }
  };
  walk(out);
  rmSync(out, { recursive: true, force: true });
  rmSync(file, { force: true });
  return parts.join('\n');
}

/** Whether buildx's plain log says the step whose line has `text` was CACHED. */
function stepCached(log: string, text: string): boolean {
  const step = log.split('\n').find((l) => /^#\d+ \[/.test(l) && l.includes(text));
  if (!step) throw new Error(`no step "${text}" in the build log`);
  const n = /^#(\d+) /.exec(step)![1];
  return new RegExp(`^#${n} CACHED$`, 'm').test(log);
}

/** The predicate types of the attestations stored beside an image (docker save's nested index). */
function attestations(tag: string, env: NodeJS.ProcessEnv): string[] {
  const out = path.join(dir, `att-${Date.now()}`);
  mkdirSync(out);
  try {
    execFileSync('tar', ['-C', out, '-x'], { input: run('docker', ['save', tag], { env }).stdoutBuffer });
    const blob = (digest: string): { manifests?: unknown[]; layers?: unknown[] } =>
      JSON.parse(readFileSync(path.join(out, 'blobs', 'sha256', digest.replace('sha256:', '')), 'utf8'));
    type Desc = { digest: string; annotations?: Record<string, string> };
    const top = JSON.parse(readFileSync(path.join(out, 'index.json'), 'utf8')) as { manifests: Desc[] };
    const nested = blob(top.manifests[0]!.digest).manifests as Desc[];
    return nested
      .filter((m) => m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest')
      .flatMap((m) =>
        (blob(m.digest).layers as Desc[]).map((l) => l.annotations?.['in-toto.io/predicate-type'] ?? '?'),
      );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(DAEMON_KINDS)(
  'build-push-action inputs through buildx on the %s image store',
  (kind: DaemonKind) => {
    const env = daemonEnv(kind);
    const ctx = path.join(dir, `ctx-${kind}`);
    const extra = path.join(dir, `extra-${kind}`);
    const tags: string[] = [];
    beforeAll(() => {
      importBase(env);
      mkdirSync(ctx);
      mkdirSync(extra);
      writeFileSync(path.join(extra, 'from-extra.txt'), `named context ${kind}\n`);
      writeFileSync(
        path.join(ctx, 'Dockerfile'),
        `FROM ${base}
# A secret's value is not part of the cache key: this run's step must not come from an earlier run's cache.
RUN echo ${id}-${Date.now()} > /run.id
RUN --mount=type=secret,id=tok,required=true sha256sum /run/secrets/tok > /secret.sha256 && wc -c < /run/secrets/tok > /secret.len
COPY --from=extra /from-extra.txt /from-extra.txt
`,
      );
    });
    afterAll(() => {
      for (const t of [...tags, base]) run('docker', ['rmi', '--force', t], { env, allowFailure: true });
    });

    it('secrets (ID=VALUE): the build sees the value; the image, its config and the log never hold it', async () => {
      const tag = `sg-bi-secret-${kind}-${id}:1`;
      tags.push(tag);
      const tmpDir = path.join(dir, `tmp-secret-${kind}`);
      mkdirSync(tmpDir);
      let log = '';
      const built = await buildImage({
        context: ctx,
        tags: [tag],
        network: 'none',
        secrets: [`tok=${SECRET}`],
        buildContexts: [`extra=${extra}`],
        labels: [`org.example.kind=${kind}`, 'org.example.note=a, b'],
        env,
        tmpDir,
        onLog: (c) => (log += c),
      });
      try {
        expect(built.engine).toBe('buildx');
        // The value was written to a file for the build, and that file is gone once the build is over.
        const [work] = readdirSync(tmpDir);
        expect(readdirSync(path.join(tmpDir, work as string))).not.toContain('secrets');
        const [r] = await inspect(built.source, { cache: false, daemon: { env } });
        expect(r?.files.map((f) => f.path)).toEqual(
          expect.arrayContaining(['/secret.sha256', '/secret.len', '/from-extra.txt', '/bin/busybox']),
        );
        expect(r?.files.some((f) => f.path.startsWith('/run/secrets'))).toBe(false);
        const show = (p: string): string =>
          run('docker', ['run', '--rm', '--network', 'none', tag, 'cat', p], { env }).stdout;
        const sha = createHash('sha256').update(SECRET).digest('hex');
        expect(show('/secret.sha256')).toBe(`${sha}  /run/secrets/tok\n`);
        expect(show('/secret.len').trim()).toBe(String(SECRET.length));
        expect(show('/from-extra.txt')).toBe(`named context ${kind}\n`);
        // labels, into the image config
        const labels = JSON.parse(
          run('docker', ['inspect', '-f', '{{json .Config.Labels}}', tag], { env }).stdout,
        );
        expect(labels).toMatchObject({ 'org.example.kind': kind, 'org.example.note': 'a, b' });
        // Not in any byte the engine keeps of the image (layers decompressed, config, history), nor the log
        // or the report.
        expect(imageBytes(tag, env).includes(SECRET)).toBe(false);
        expect(run('docker', ['history', '--no-trunc', tag], { env }).stdout).not.toContain(SECRET);
        expect(log).toContain('/run/secrets/tok');
        expect(log).not.toContain(SECRET);
        expect(JSON.stringify(r)).not.toContain(SECRET);
      } finally {
        await built.cleanup();
      }
    });

    it('a secret the Dockerfile requires but the build lacks: the build fails, in one line', async () => {
      const err = await buildImage({
        context: ctx,
        network: 'none',
        buildContexts: [`extra=${extra}`],
        noCache: true, // else the step is CACHED from the build that had it
        env,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BuildError);
      expect((err as Error).message).toMatch(
        /^docker build failed \(exit 1\): ERROR: .*secret tok: not found/,
      );
      expect((err as Error).message).not.toContain('\n');
    });

    it('no-cache: a second build runs every step again; without it the steps are CACHED', async () => {
      const opts = {
        context: ctx,
        network: 'none',
        secretFiles: [`tok=${path.join(dir, 'tok.txt')}`],
        buildContexts: [`extra=${extra}`],
        env,
      };
      writeFileSync(path.join(dir, 'tok.txt'), SECRET);
      const logOf = async (noCache: boolean): Promise<string> => {
        let log = '';
        const b = await buildImage({ ...opts, noCache, onLog: (c) => (log += c) });
        await b.cleanup();
        if (b.imageId) run('docker', ['rmi', '--force', b.imageId], { env, allowFailure: true });
        return log;
      };
      await logOf(false);
      expect(stepCached(await logOf(false), 'RUN --mount=type=secret')).toBe(true);
      const fresh = await logOf(true);
      expect(stepCached(fresh, 'RUN --mount=type=secret')).toBe(false);
      expect(stepCached(fresh, 'COPY --from=extra')).toBe(false);
    });

    it('ssh: an agent’s socket reaches RUN --mount=type=ssh', async () => {
      const sshCtx = path.join(dir, `ctx-ssh-${kind}`);
      mkdirSync(sshCtx);
      writeFileSync(
        path.join(sshCtx, 'Dockerfile'),
        `FROM ${base}\nRUN --mount=type=ssh,required=true echo ${id}-${Date.now()} > /ssh.ok && test -S "$SSH_AUTH_SOCK"\n`,
      );
      const sock = path.join(dir, `agent-${kind}.sock`);
      const agent = run('ssh-agent', ['-s', '-a', sock]).stdout;
      const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(agent)?.[1]);
      try {
        const built = await buildImage({ context: sshCtx, network: 'none', ssh: [`default=${sock}`], env });
        await built.cleanup();
        const [r] = await inspect(built.source, { cache: false, daemon: { env } });
        expect(r?.files.map((f) => f.path)).toContain('/ssh.ok');
        run('docker', ['rmi', '--force', built.imageId!], { env, allowFailure: true });
        // Without it, the step that requires it fails.
        const err = await buildImage({ context: sshCtx, network: 'none', noCache: true, env }).catch(
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(BuildError);
      } finally {
        if (pid > 0) process.kill(pid);
      }
    });

    it('builder: the buildx instance by name; an unknown one is one line from buildx', async () => {
      const ok = await buildImage({
        context: ctx,
        network: 'none',
        secrets: [`tok=${SECRET}`],
        buildContexts: [`extra=${extra}`],
        builder: 'default',
        env,
      });
      await ok.cleanup();
      expect(ok.source).toMatch(/^docker-daemon:sha256:[0-9a-f]{64}$/); // the docker driver: loaded
      if (ok.imageId) run('docker', ['rmi', '--force', ok.imageId], { env, allowFailure: true });
      const err = await buildImage({ context: ctx, builder: `nope-${id}`, env }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BuildError);
      expect((err as Error).message).toMatch(
        new RegExp(`^docker build failed \\(exit 1\\): ERROR: no builder "nope-${id}" found`),
      );
    });

    it('the classic builder (DOCKER_BUILDKIT=0) refuses the buildx-only inputs before building', async () => {
      let log = '';
      const err = await buildImage({
        context: ctx,
        secrets: [`tok=${SECRET}`],
        buildContexts: [`extra=${extra}`],
        env: { ...env, DOCKER_BUILDKIT: '0' },
        onLog: (c) => (log += c),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toBe(
        'build-contexts, secrets need docker buildx; the classic builder (DOCKER_BUILDKIT=0) cannot use them',
      );
      expect(log).toBe('');
    });
  },
);

describe('cache-to and cache-from (type=local), and attestations, where the docker driver has them', () => {
  const ctr = daemonEnv('containerd');
  const classic = daemonEnv('classic');
  const ctx = path.join(dir, 'ctx-cache');
  const cacheDir = path.join(dir, 'cache');
  const tag = `sg-bi-att-${id}:1`;
  beforeAll(() => {
    importBase(ctr);
    importBase(classic);
    mkdirSync(ctx);
    // A step no engine has run before: only the cache can make it CACHED on the other engine.
    writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${base}\nRUN echo ${id}-${Date.now()} > /stamp\n`);
  });
  afterAll(() => {
    for (const env of [ctr, classic])
      run('docker', ['rmi', '--force', tag, base], { env, allowFailure: true });
  });

  it('the containerd store writes the cache (cache-to); the classic store’s engine reads it (cache-from)', async () => {
    const written = await buildImage({
      context: ctx,
      network: 'none',
      cacheTo: [`type=local,dest=${cacheDir},mode=max`],
      env: ctr,
    });
    await written.cleanup();
    run('docker', ['rmi', '--force', written.imageId!], { env: ctr, allowFailure: true });
    expect(
      JSON.parse(readFileSync(path.join(cacheDir, 'index.json'), 'utf8')).manifests.length,
    ).toBeGreaterThan(0);
    let log = '';
    const read = await buildImage({
      context: ctx,
      network: 'none',
      cacheFrom: [`type=local,src=${cacheDir}`],
      env: classic,
      onLog: (c) => (log += c),
    });
    await read.cleanup();
    run('docker', ['rmi', '--force', read.imageId!], { env: classic, allowFailure: true });
    // The other engine never ran the step: it comes from the cache directory.
    expect(log).toMatch(/importing cache manifest from local:/);
    expect(stepCached(log, 'RUN echo')).toBe(true);
  });

  it('cache-to on the classic store: buildx’s refusal, in one line', async () => {
    const err = await buildImage({
      context: ctx,
      network: 'none',
      cacheTo: [`type=local,dest=${path.join(dir, 'cache2')}`],
      env: classic,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as Error).message).toBe(
      'docker build failed (exit 1): ERROR: Cache export is not supported for the docker driver. Switch to a different driver, or turn on the containerd image store, and try again.',
    );
  });

  it('provenance mode=max: the attestation is stored, and the image checked is the platform image', async () => {
    const { build, reports } = await inspectBuild(
      { context: ctx, tags: [tag], network: 'none', provenance: 'mode=max', sbom: 'false', env: ctr },
      { cache: false, daemon: { env: ctr } },
    );
    expect(build.source).toBe(`docker-daemon:${tag}`);
    expect(reports).toHaveLength(1);
    const [r] = reports;
    expect(r?.image.platform).toBe('linux/amd64');
    // Exactly the platform image's layers: the attestation's in-toto layer is not among them.
    const rootfs = JSON.parse(
      run('docker', ['inspect', '-f', '{{json .RootFS.Layers}}', tag], { env: ctr }).stdout,
    );
    expect(r?.layers.map((l) => l.diffId)).toEqual(rootfs);
    expect(r?.files.map((f) => f.path)).toContain('/stamp');
    expect(r?.files.some((f) => /\.json$|intoto/i.test(f.path))).toBe(false);
    // The attestation is really there, beside the image, in the engine's index.
    expect(attestations(tag, ctr)).toEqual(['https://slsa.dev/provenance/v0.2']);
    const [again] = await inspect(`docker-daemon:${tag}`, {
      cache: false,
      daemon: { env: ctr },
      platform: 'all',
    });
    expect(again?.layers.map((l) => l.diffId)).toEqual(rootfs);
  });

  it('provenance on the classic store: buildx’s refusal, in one line', async () => {
    const err = await buildImage({ context: ctx, network: 'none', provenance: 'true', env: classic }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BuildError);
    expect((err as Error).message).toMatch(
      /^docker build failed \(exit 1\): ERROR: Attestation is not supported for the docker driver\. Switch to a different driver, or turn on the containerd image store, and try again\.$/,
    );
  });
});
