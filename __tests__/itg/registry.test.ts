// docker://REF against real registries (distribution 2.8): no auth, htpasswd basic auth, token auth with
// JWTs from an in-process token server, the redirect middleware, credentials from a DOCKER_CONFIG, and the
// image shapes users push (Docker v2 and OCI manifests, a buildah multi-arch index, zstd layers).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect, manifestSummary, type InspectOptions } from '../../src/engine/engine.js';
import { UserFacingError } from '../../src/util/errors.js';
import type { RegistryOptions } from '../../src/sources/registry/client.js';
import type { Report } from '../../src/types/report.js';
import {
  BASIC_PASSWORD,
  BASIC_USER,
  HTPASSWD,
  makeLayout,
  pushLayout,
  sampleFiles,
  skopeoArgs,
  startFileServer,
  startProxy,
  startRegistry,
  startTokenServer,
  type LayoutImage,
  type Proxy,
  type RegistryProc,
  type TokenServer,
} from '../helpers/registry-world.js';
import { run, runAsync } from '../helpers/world.js';

const FAST = { attempts: 3, baseDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 2000 };
const EMPTY_CONFIG = { dockerConfigDir: '/nonexistent-docker-config' };

function opts(registry: RegistryOptions = {}, extra: InspectOptions = {}): InspectOptions {
  return {
    cache: false,
    concurrency: 2,
    ...extra,
    registry: { retry: FAST, credentials: EMPTY_CONFIG, ...registry },
  };
}

/** The parts of a report that must not depend on how the image was read. */
function content(r: Report): unknown {
  return {
    files: r.files,
    size: { uncompressed: r.size.uncompressed, files: r.size.files, wasted: r.size.wasted },
    layers: r.layers.map((l) => ({ digest: l.digest, diffId: l.diffId, files: l.files })),
  };
}

async function inputError(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserFacingError);
  const msg = (err as Error).message;
  expect(msg).not.toContain('\n');
  return msg;
}

describe('registry source', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-registry-'));
  const store = path.join(tmp, 'store');
  let plain: RegistryProc;
  let basic: RegistryProc;
  let token: RegistryProc;
  let redirect: RegistryProc;
  let tokens: TokenServer;
  let files: Awaited<ReturnType<typeof startFileServer>>;
  let proxy: Proxy;
  let app: LayoutImage;
  let local: Report;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    mkdirSync(store);
    const htpasswd = path.join(tmp, 'htpasswd');
    writeFileSync(htpasswd, HTPASSWD);
    plain = await startRegistry({ root: store, dir: tmp });
    stops.push(plain.stop);
    tokens = await startTokenServer(path.join(tmp, 'token'));
    stops.push(tokens.stop);
    tokens.users.set('tokuser', 'tokpass');
    tokens.refreshTokens.add('refresh-me-please');
    basic = await startRegistry({ root: store, dir: tmp, htpasswd });
    stops.push(basic.stop);
    token = await startRegistry({
      root: store,
      dir: tmp,
      token: {
        realm: tokens.realm,
        service: tokens.service,
        issuer: tokens.issuer,
        rootcertbundle: tokens.certFile,
      },
    });
    stops.push(token.stop);
    files = await startFileServer(store);
    stops.push(files.stop);
    redirect = await startRegistry({ root: store, dir: tmp, htpasswd, redirect: files.base });
    stops.push(redirect.stop);
    proxy = await startProxy(plain.host);
    stops.push(proxy.stop);

    app = await makeLayout(path.join(tmp, 'app'), 'app', [sampleFiles('base'), sampleFiles('top')]);
    await pushLayout(app, `${plain.host}/team/app:v2`, 'v2s2');
    await pushLayout(app, `${plain.host}/team/app:oci`, 'oci');
    local = (await inspect(`oci:${app.dir}:app`, { cache: false }))[0] as Report;
    await pushMultiArch();
  });

  /** A multi-arch index (amd64 and arm64) built and pushed with buildah, no emulation needed. */
  async function pushMultiArch(): Promise<void> {
    const ctx = path.join(tmp, 'multi-ctx');
    mkdirSync(ctx);
    writeFileSync(path.join(ctx, 'hello.txt'), 'hello, every arch\n');
    writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
    const b = [
      '--root',
      path.join(tmp, 'buildah-root'),
      '--runroot',
      path.join(tmp, 'buildah-run'),
      '--storage-driver',
      'vfs',
    ];
    for (const arch of ['amd64', 'arm64']) {
      await runAsync(
        'buildah',
        [...b, 'bud', '-q', '--isolation', 'chroot', '--arch', arch, '-t', `multi-${arch}`, ctx],
        {
          timeout: 120_000,
        },
      );
    }
    await runAsync('buildah', [...b, 'manifest', 'create', 'multi-list']);
    for (const arch of ['amd64', 'arm64']) {
      await runAsync('buildah', [
        ...b,
        'manifest',
        'add',
        'multi-list',
        `containers-storage:localhost/multi-${arch}`,
      ]);
    }
    await runAsync(
      'buildah',
      [
        ...b,
        'manifest',
        'push',
        '-q',
        '--all',
        '--tls-verify=false',
        'multi-list',
        `docker://${plain.host}/team/multi:1`,
      ],
      {
        timeout: 120_000,
      },
    );
  }

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  describe('without auth', () => {
    it('reads a Docker v2 manifest image and finds what the local layout holds', async () => {
      const [r] = await inspect(`docker://${plain.host}/team/app:v2`, opts());
      expect(content(r as Report)).toEqual(content(local));
      expect(r?.layers.map((l) => l.mediaType)).toEqual([
        'application/vnd.docker.image.rootfs.diff.tar.gzip',
        'application/vnd.docker.image.rootfs.diff.tar.gzip',
      ]);
      expect(r?.image.tags).toEqual([`${plain.host}/team/app:v2`]);
    });

    it('reads an OCI manifest image, by tag and by digest (a bare REF)', async () => {
      const [byTag] = await inspect(`${plain.host}/team/app:oci`, opts());
      expect(content(byTag as Report)).toEqual(content(local));
      expect(byTag?.layers[0]?.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
      const digest = byTag?.image.digest as string;
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      const [byDigest] = await inspect(`docker://${plain.host}/team/app@${digest}`, opts());
      expect(byDigest?.image.digest).toBe(digest);
      expect(content(byDigest as Report)).toEqual(content(local));
    });

    it('names the image in one line when it does not exist', async () => {
      const msg = await inputError(inspect(`docker://${plain.host}/team/app:nope`, opts()));
      expect(msg).toContain(`${plain.host}/team/app:nope`);
      expect(msg).toMatch(/not found/);
    });

    it('rejects malformed references before any request', async () => {
      const msg = await inputError(inspect('docker://UPPER/Case:tag', opts()));
      expect(msg).toMatch(/bad image reference/);
    });
  });

  describe('htpasswd basic auth', () => {
    it('pulls with explicit credentials', async () => {
      const creds = {
        credentials: [{ registry: basic.host, username: BASIC_USER, password: BASIC_PASSWORD }],
      };
      const [r] = await inspect(
        `docker://${basic.host}/team/app:v2`,
        opts({ credentials: { ...EMPTY_CONFIG, ...creds } }),
      );
      expect(content(r as Report)).toEqual(content(local));
    });

    it.each(['team/app@pull', 'team/app@pull,push', '@pull'])(
      'finds docker/login-action `scope` credentials under buildx/config/<registry>/%s',
      async (scope) => {
        const home = mkdtempSync(path.join(tmpdir(), 'slimgate-scope-'));
        try {
          const dir = path.join(
            home,
            'buildx',
            'config',
            scope.startsWith('@') ? `${basic.host}${scope}` : basic.host,
            scope.startsWith('@') ? '' : scope,
          );
          mkdirSync(dir, { recursive: true });
          const auth = Buffer.from(`${BASIC_USER}:${BASIC_PASSWORD}`).toString('base64');
          writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { [basic.host]: { auth } } }));
          const [r] = await inspect(
            `docker://${basic.host}/team/app:v2`,
            opts({ credentials: { dockerConfigDir: home } }),
          );
          expect(content(r as Report)).toEqual(content(local));
          // A scope for another repository is not used for this one.
          if (!scope.startsWith('@')) {
            const msg = await inputError(
              inspect(
                `docker://${basic.host}/team/other:v2`,
                opts({ credentials: { dockerConfigDir: home } }),
              ),
            );
            expect(msg).toMatch(/no credentials were found/);
          }
        } finally {
          rmSync(home, { recursive: true, force: true });
        }
      },
    );

    it('says what to set when no credentials are found, naming registry and repository', async () => {
      const msg = await inputError(inspect(`docker://${basic.host}/team/app:v2`, opts()));
      expect(msg).toContain(`${basic.host}/team/app`);
      expect(msg).toMatch(/no credentials were found/);
      expect(msg).toMatch(/--username/);
    });

    it('rejects wrong credentials without showing them', async () => {
      const password = 'hunter2-wrong-password';
      const creds = { credentials: [{ registry: basic.host, username: BASIC_USER, password }] };
      const msg = await inputError(
        inspect(`docker://${basic.host}/team/app:v2`, opts({ credentials: { ...EMPTY_CONFIG, ...creds } })),
      );
      expect(msg).toContain(`${basic.host}/team/app`);
      expect(msg).toMatch(/rejected the credentials from --username/);
      expect(msg).not.toContain(password);
      expect(msg).not.toContain(Buffer.from(`${BASIC_USER}:${password}`).toString('base64'));
    });

    it('never sends credentials bound to another registry', async () => {
      const creds = {
        credentials: [{ registry: 'ghcr.io', username: BASIC_USER, password: BASIC_PASSWORD }],
      };
      const msg = await inputError(
        inspect(`docker://${basic.host}/team/app:v2`, opts({ credentials: { ...EMPTY_CONFIG, ...creds } })),
      );
      expect(msg).toMatch(/no credentials were found/);
    });
  });

  describe('token auth (the Bearer flow of Docker Hub and GHCR)', () => {
    it('buys a token with credentials and pulls', async () => {
      const before = tokens.requests.length;
      const creds = { credentials: [{ registry: token.host, username: 'tokuser', password: 'tokpass' }] };
      const secrets: string[] = [];
      const [r] = await inspect(
        `docker://${token.host}/team/app:oci`,
        opts({ credentials: { ...EMPTY_CONFIG, ...creds }, onSecret: (s) => secrets.push(s) }),
      );
      // Every secret it learns is handed to the caller (the action masks them with core.setSecret).
      expect(secrets).toContain('tokpass');
      expect(secrets.some((s) => s.split('.').length === 3)).toBe(true);
      expect(content(r as Report)).toEqual(content(local));
      const mine = tokens.requests.slice(before);
      expect(mine.length).toBeGreaterThanOrEqual(1);
      // One token serves the manifest, the config and both layers.
      expect(mine.length).toBeLessThanOrEqual(2);
      expect(mine[0]).toMatchObject({
        method: 'GET',
        user: 'tokuser',
        query: { service: tokens.service, scope: 'repository:team/app:pull' },
      });
    });

    it('accepts a token named access_token', async () => {
      tokens.accessTokenField = true;
      try {
        const creds = { credentials: [{ registry: token.host, username: 'tokuser', password: 'tokpass' }] };
        const [r] = await inspect(
          `docker://${token.host}/team/app:v2`,
          opts({ credentials: { ...EMPTY_CONFIG, ...creds } }),
        );
        expect(r?.layers).toHaveLength(2);
      } finally {
        tokens.accessTokenField = false;
      }
    });

    it('asks for an anonymous token, and says what to set when it is not enough', async () => {
      const before = tokens.requests.length;
      const msg = await inputError(inspect(`docker://${token.host}/team/app:oci`, opts()));
      const mine = tokens.requests.slice(before);
      expect(mine[0]?.user).toBeUndefined();
      expect(msg).toContain(`${token.host}/team/app`);
      expect(msg).toMatch(/no credentials were found/);
    });

    it('rejects wrong credentials at the token endpoint without showing them', async () => {
      const creds = {
        credentials: [{ registry: token.host, username: 'tokuser', password: 'not-the-password-42' }],
      };
      const msg = await inputError(
        inspect(`docker://${token.host}/team/app:oci`, opts({ credentials: { ...EMPTY_CONFIG, ...creds } })),
      );
      expect(msg).toMatch(/rejected the credentials/);
      expect(msg).not.toContain('not-the-password-42');
    });

    it('builds the scope itself when the challenge has none', async () => {
      const p = await startProxy(token.host);
      try {
        p.fault = () => ({
          rewriteHeaders: (h) => {
            const wa = h['www-authenticate'];
            if (typeof wa === 'string') h['www-authenticate'] = wa.replace(/,scope="[^"]*"/, '');
            return h;
          },
        });
        const before = tokens.requests.length;
        const creds = { credentials: [{ registry: p.host, username: 'tokuser', password: 'tokpass' }] };
        const [r] = await inspect(
          `docker://${p.host}/team/app:oci`,
          opts({ credentials: { ...EMPTY_CONFIG, ...creds } }),
        );
        expect(r?.layers).toHaveLength(2);
        expect(tokens.requests.slice(before)[0]?.query['scope']).toBe('repository:team/app:pull');
        expect(p.requests.some((r) => /scope=/.test(String(r.headers['www-authenticate'] ?? '')))).toBe(
          false,
        );
      } finally {
        await p.stop();
      }
    });
  });

  describe('redirects', () => {
    it('follows the 307 to another origin and never sends Authorization there', async () => {
      files.requests.length = 0;
      const creds = {
        credentials: [{ registry: redirect.host, username: BASIC_USER, password: BASIC_PASSWORD }],
      };
      const [r] = await inspect(
        `docker://${redirect.host}/team/app:v2`,
        opts({ credentials: { ...EMPTY_CONFIG, ...creds } }),
      );
      expect(content(r as Report)).toEqual(content(local));
      // The config and both layers came from the other origin.
      expect(files.requests.length).toBeGreaterThanOrEqual(3);
      expect(files.requests.every((q) => /\/blobs\/sha256\//.test(q.url))).toBe(true);
      expect(files.requests.filter((q) => q.authorization !== undefined)).toEqual([]);
    });
  });

  describe('credentials from a Docker config', () => {
    const cfgDir = (name: string, doc: unknown): string => {
      const dir = path.join(tmp, 'docker-config', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'config.json'), JSON.stringify(doc));
      return dir;
    };

    it('reads auths (base64 user:password), as docker login writes them', async () => {
      const dir = cfgDir('auths', {
        auths: {
          [`http://${basic.host}`]: {
            auth: Buffer.from(`${BASIC_USER}:${BASIC_PASSWORD}`).toString('base64'),
          },
        },
      });
      const [r] = await inspect(
        `docker://${basic.host}/team/app:v2`,
        opts({ credentials: { dockerConfigDir: dir } }),
      );
      expect(r?.layers).toHaveLength(2);
    });

    it('reads $DOCKER_CONFIG when no directory is given', async () => {
      const dir = cfgDir('env', {
        auths: { [basic.host]: { auth: Buffer.from(`${BASIC_USER}:${BASIC_PASSWORD}`).toString('base64') } },
      });
      const saved = process.env.DOCKER_CONFIG;
      process.env.DOCKER_CONFIG = dir;
      try {
        const [r] = await inspect(`docker://${basic.host}/team/app:v2`, {
          cache: false,
          registry: { retry: FAST },
        });
        expect(r?.layers).toHaveLength(2);
      } finally {
        if (saved === undefined) delete process.env.DOCKER_CONFIG;
        else process.env.DOCKER_CONFIG = saved;
      }
    });

    it('exchanges an identitytoken at the token endpoint (OAuth2 refresh token)', async () => {
      const dir = cfgDir('identity', { auths: { [token.host]: { identitytoken: 'refresh-me-please' } } });
      const before = tokens.requests.length;
      const [r] = await inspect(
        `docker://${token.host}/team/app:v2`,
        opts({ credentials: { dockerConfigDir: dir } }),
      );
      expect(r?.layers).toHaveLength(2);
      expect(tokens.requests.slice(before)[0]).toMatchObject({ method: 'POST', grantType: 'refresh_token' });
    });

    it('runs a credential helper from credHelpers', async () => {
      const bin = path.join(tmp, 'bin');
      mkdirSync(bin, { recursive: true });
      const helper = path.join(bin, 'docker-credential-sgtest');
      writeFileSync(
        helper,
        `#!/bin/sh\nread server\necho "$server" > ${path.join(tmp, 'helper-asked')}\nprintf '{"ServerURL":"%s","Username":"tokuser","Secret":"tokpass"}' "$server"\n`,
      );
      chmodSync(helper, 0o755);
      const dir = cfgDir('helpers', { credHelpers: { [token.host]: 'sgtest' }, auths: {} });
      const savedPath = process.env.PATH;
      process.env.PATH = `${bin}:${savedPath}`;
      try {
        const [r] = await inspect(
          `docker://${token.host}/team/app:oci`,
          opts({ credentials: { dockerConfigDir: dir } }),
        );
        expect(r?.layers).toHaveLength(2);
        expect(run('cat', [path.join(tmp, 'helper-asked')]).stdout.trim()).toBe(token.host);
      } finally {
        process.env.PATH = savedPath;
      }
    });

    it('explicit credentials win over the Docker config', async () => {
      const dir = cfgDir('wrong', {
        auths: { [basic.host]: { auth: Buffer.from(`${BASIC_USER}:wrong`).toString('base64') } },
      });
      const creds = {
        credentials: [{ registry: basic.host, username: BASIC_USER, password: BASIC_PASSWORD }],
        dockerConfigDir: dir,
      };
      const [r] = await inspect(`docker://${basic.host}/team/app:v2`, opts({ credentials: creds }));
      expect(r?.layers).toHaveLength(2);
      const msg = await inputError(
        inspect(`docker://${basic.host}/team/app:v2`, opts({ credentials: { dockerConfigDir: dir } })),
      );
      expect(msg).toMatch(/config\.json \(auths\)/);
    });

    it('uses fallback credentials (the github-token for ghcr.io) only when nothing else has any', async () => {
      const fallback = [
        { registry: basic.host, username: BASIC_USER, password: BASIC_PASSWORD, from: 'input github-token' },
      ];
      const [r] = await inspect(
        `docker://${basic.host}/team/app:v2`,
        opts({ credentials: { ...EMPTY_CONFIG, fallbackCredentials: fallback } }),
      );
      expect(r?.layers).toHaveLength(2);
    });
  });

  describe('image shapes', () => {
    it('chooses from a multi-arch index pushed with buildah, and skips nothing it should not', async () => {
      const [def] = await inspect(`docker://${plain.host}/team/multi:1`, opts());
      expect(def?.image.platform).toBe('linux/amd64');
      const [arm] = await inspect(
        `docker://${plain.host}/team/multi:1`,
        opts({}, { platform: { os: 'linux', architecture: 'arm64' } }),
      );
      expect(arm?.image.platform).toBe('linux/arm64');
      expect(arm?.image.digest).not.toBe(def?.image.digest);
      expect(arm?.files.map((f) => f.path)).toContain('/hello.txt');
      const all = await inspect(`docker://${plain.host}/team/multi:1`, opts({}, { platform: 'all' }));
      expect(all.map((r) => r.image.platform).sort()).toEqual(['linux/amd64', 'linux/arm64']);
      const msg = await inputError(
        inspect(
          `docker://${plain.host}/team/multi:1`,
          opts({}, { platform: { os: 'linux', architecture: 's390x' } }),
        ),
      );
      expect(msg).toMatch(
        /linux\/s390x is not in this image; it has: linux\/(amd64|arm64), linux\/(amd64|arm64)/,
      );
    });

    it('reads zstd layers', async () => {
      // Fresh content: skopeo would otherwise reuse gzip blobs it knows the registry has.
      const src = await makeLayout(path.join(tmp, 'zsrc'), 'z', [
        sampleFiles('zstd-one'),
        sampleFiles('zstd-two'),
      ]);
      const zdir = path.join(tmp, 'zdir');
      await runAsync(
        'skopeo',
        skopeoArgs([
          'copy',
          '-q',
          '--dest-compress',
          '--dest-compress-format',
          'zstd',
          `oci:${src.dir}:z`,
          `oci:${zdir}:z`,
        ]),
        { timeout: 120_000 },
      );
      await pushLayout({ ...src, dir: zdir }, `${plain.host}/team/zstd:1`, 'oci', ['--preserve-digests']);
      const [r] = await inspect(`docker://${plain.host}/team/zstd:1`, opts());
      expect(r?.layers.map((l) => l.mediaType)).toEqual([
        'application/vnd.oci.image.layer.v1.tar+zstd',
        'application/vnd.oci.image.layer.v1.tar+zstd',
      ]);
      const [fromGzip] = await inspect(`oci:${src.dir}:z`, { cache: false });
      expect(r?.files).toEqual(fromGzip?.files);
      expect(r?.layers.map((l) => l.diffId)).toEqual(src.diffIds);
      expect(r?.layers.map((l) => l.digest)).not.toEqual(src.layers);
    });
  });

  describe('the manifest-only fast path', () => {
    it('answers compressed size and layer count with zero blob requests', async () => {
      proxy.reset();
      const [s] = await manifestSummary(`docker://${proxy.host}/team/app:v2`, opts());
      expect(s).toMatchObject({ layers: 2, manifestOnly: true });
      expect(s?.compressedSize).toBe(local.size.compressed);
      expect(proxy.requests.length).toBeGreaterThan(0);
      expect(proxy.blobRequests()).toEqual([]);
    });

    it('chooses the platform from the index, still with zero blob requests', async () => {
      proxy.reset();
      const [s] = await manifestSummary(
        `docker://${proxy.host}/team/multi:1`,
        opts({}, { platform: { os: 'linux', architecture: 'arm64' } }),
      );
      expect(s).toMatchObject({ platform: 'linux/arm64', layers: 1, manifestOnly: true });
      expect(proxy.blobRequests()).toEqual([]);
      // Only the index and the chosen manifest.
      expect(proxy.requests.filter((r) => r.path.includes('/manifests/'))).toHaveLength(2);
    });

    it('agrees with a full inspect', async () => {
      const [full] = await inspect(`docker://${plain.host}/team/app:oci`, opts());
      const [s] = await manifestSummary(`docker://${plain.host}/team/app:oci`, opts());
      expect(s?.compressedSize).toBe(full?.size.compressed);
      expect(s?.layers).toBe(full?.layers.length);
      expect(s?.digest).toBe(full?.image.digest);
    });
  });
});
