import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  authError,
  parseChallenges,
  redact,
  resolveCredential,
  buildxScopedDirs,
  secretsOf,
} from '../../src/sources/registry/auth.js';
import { backoffMs, isRetryableStatus, isTransient, retryAfterMs } from '../../src/sources/registry/http.js';
import { registryOptionsFromFlags } from '../../src/cli/registry-flags.js';
import { InputError, RegistryError } from '../../src/util/errors.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-auth-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function config(name: string, doc: unknown): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), typeof doc === 'string' ? doc : JSON.stringify(doc));
  return dir;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('parseChallenges', () => {
  it.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/alpine:pull',
          },
        },
      ],
    ],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    [
      'Bearer realm="https://ghcr.io/token",service="ghcr.io"',
      [{ scheme: 'bearer', params: { realm: 'https://ghcr.io/token', service: 'ghcr.io' } }],
    ],
    // Several scopes in one quoted value, spaces around '=' and ',', unquoted values.
    [
      'Bearer realm = "https://r/t" , scope="repository:a:pull repository:b:pull", error=insufficient_scope',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://r/t',
            scope: 'repository:a:pull repository:b:pull',
            error: 'insufficient_scope',
          },
        },
      ],
    ],
    // Two challenges in one header, and an escaped quote.
    [
      'Basic realm="a \\"quoted\\" realm", Bearer realm="https://r/t"',
      [
        { scheme: 'basic', params: { realm: 'a "quoted" realm' } },
        { scheme: 'bearer', params: { realm: 'https://r/t' } },
      ],
    ],
    ['', []],
  ])('%s', (header, want) => {
    expect(parseChallenges(header)).toEqual(want);
  });

  it('joins several WWW-Authenticate headers', () => {
    expect(parseChallenges(['Basic realm="x"', 'Bearer realm="y"']).map((c) => c.scheme)).toEqual([
      'basic',
      'bearer',
    ]);
  });
});

describe('resolveCredential', () => {
  it('prefers explicit credentials, bound to their registry', async () => {
    const dir = config('explicit', { auths: { 'ghcr.io': { auth: b64('cfg:cfgpass') } } });
    const opts = {
      dockerConfigDir: dir,
      credentials: [{ registry: 'ghcr.io', username: 'me', password: 'pw' }],
    };
    expect(await resolveCredential('ghcr.io', opts)).toMatchObject({
      username: 'me',
      password: 'pw',
      from: '--username/--password-stdin',
    });
    // Not for another registry.
    expect(await resolveCredential('quay.io', opts)).toBeUndefined();
  });

  it("reads auths, including Docker Hub's https://index.docker.io/v1/ key", async () => {
    const dir = config('hub', {
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hubuser:hubpass') },
        'https://ghcr.io': { auth: b64('gh:with:colons') },
        '127.0.0.1:5000': { username: 'u', password: 'p' },
      },
    });
    expect(await resolveCredential('docker.io', { dockerConfigDir: dir })).toMatchObject({
      username: 'hubuser',
      password: 'hubpass',
    });
    expect(await resolveCredential('ghcr.io', { dockerConfigDir: dir })).toMatchObject({
      username: 'gh',
      password: 'with:colons',
    });
    expect(await resolveCredential('127.0.0.1:5000', { dockerConfigDir: dir })).toMatchObject({
      username: 'u',
      password: 'p',
    });
    expect(await resolveCredential('quay.io', { dockerConfigDir: dir })).toBeUndefined();
  });

  it('reads identitytoken and registrytoken', async () => {
    const dir = config('tokens', {
      auths: { 'a.io': { identitytoken: 'refresh-1' }, 'b.io': { registrytoken: 'bearer-1' } },
    });
    expect(await resolveCredential('a.io', { dockerConfigDir: dir })).toMatchObject({
      identityToken: 'refresh-1',
    });
    expect(await resolveCredential('b.io', { dockerConfigDir: dir })).toMatchObject({
      registryToken: 'bearer-1',
    });
  });

  it('runs credHelpers, then credsStore, with the server URL on stdin', async () => {
    const bin = path.join(tmp, 'bin');
    mkdirSync(bin, { recursive: true });
    const helper = (name: string, body: string): void => {
      const f = path.join(bin, `docker-credential-${name}`);
      writeFileSync(f, `#!/bin/sh\n${body}\n`);
      chmodSync(f, 0o755);
    };
    helper(
      'perreg',
      'read s; printf \'{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}\' "$s"',
    );
    helper(
      'store',
      'read s; if [ "$s" = "https://index.docker.io/v1/" ]; then printf \'{"Username":"<token>","Secret":"idtok"}\'; else echo "credentials not found in native keychain"; exit 1; fi',
    );
    const dir = config('helpers', {
      credHelpers: { 'ghcr.io': 'perreg', 'x.io': 'missing-helper' },
      credsStore: 'store',
      auths: { 'y.io': { auth: b64('file:filepass') } },
    });
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved}`;
    try {
      expect(await resolveCredential('ghcr.io', { dockerConfigDir: dir })).toMatchObject({
        username: 'helper-user',
        password: 'helper-secret',
        from: expect.stringContaining('credHelpers: perreg'),
      });
      // The store answers for Docker Hub with an identity token.
      expect(await resolveCredential('docker.io', { dockerConfigDir: dir })).toMatchObject({
        identityToken: 'idtok',
        from: expect.stringContaining('credsStore: store'),
      });
      // Nothing in the store: the file's auths.
      expect(await resolveCredential('y.io', { dockerConfigDir: dir })).toMatchObject({ username: 'file' });
      // A missing helper is a note, not a crash.
      const notes: string[] = [];
      expect(await resolveCredential('x.io', { dockerConfigDir: dir }, notes)).toBeUndefined();
      expect(notes).toContain('credential helper docker-credential-missing-helper is not installed');
    } finally {
      process.env.PATH = saved;
    }
  });

  it('falls back (the github-token for ghcr.io) only when nothing else has credentials', async () => {
    const fallbackCredentials = [
      { registry: 'ghcr.io', username: 'x-access-token', password: 'ghs_abc', from: 'github-token' },
    ];
    const empty = config('empty', {});
    expect(await resolveCredential('ghcr.io', { dockerConfigDir: empty, fallbackCredentials })).toMatchObject(
      {
        password: 'ghs_abc',
        from: 'github-token',
      },
    );
    const logged = config('logged', { auths: { 'ghcr.io': { auth: b64('me:pat') } } });
    expect(
      await resolveCredential('ghcr.io', { dockerConfigDir: logged, fallbackCredentials }),
    ).toMatchObject({
      password: 'pat',
    });
  });

  it('notes an unreadable config instead of failing', async () => {
    const dir = config('broken', '{not json');
    const notes: string[] = [];
    expect(await resolveCredential('ghcr.io', { dockerConfigDir: dir }, notes)).toBeUndefined();
    expect(notes[0]).toMatch(/could not be read as JSON/);
  });
});

describe('secrets never show', () => {
  it('redacts passwords, tokens and the Basic header value', () => {
    const c = { registry: 'r', username: 'u', password: 'p4ssw0rd', identityToken: 'idtok-123' };
    const secrets = secretsOf(c);
    const msg = `x p4ssw0rd y idtok-123 z ${b64('u:p4ssw0rd')}`;
    expect(redact(msg, secrets)).toBe('x *** y *** z ***');
  });

  it('auth errors name registry, repository and what to set, and no secret', () => {
    const e = authError({
      registry: 'ghcr.io',
      repository: 'o/app',
      status: 401,
      credential: {
        registry: 'ghcr.io',
        username: 'me',
        password: 'sekrit-value',
        from: 'input registry-password',
      },
      hint: 'set the registry-username and registry-password inputs',
    });
    expect(e).toBeInstanceOf(RegistryError);
    expect(e.message).toContain('ghcr.io/o/app');
    expect(e.message).toContain('input registry-password');
    expect(e.message).toContain('registry-username and registry-password inputs');
    expect(e.message).not.toContain('sekrit-value');
    const anon = authError({ registry: 'docker.io', repository: 'library/x', status: 401 });
    expect(anon.message).toMatch(/no credentials were found for docker.io; set credentials with --username/);
  });
});

describe('retry rules', () => {
  it.each([
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [408, true],
    [501, false],
    [404, false],
    [401, false],
    [400, false],
  ])('status %i retryable: %s', (s, want) => {
    expect(isRetryableStatus(s)).toBe(want);
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it('backs off exponentially, capped', () => {
    const p = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 0 };
    expect(backoffMs(p, 0)).toBeGreaterThanOrEqual(75);
    expect(backoffMs(p, 0)).toBeLessThanOrEqual(125);
    expect(backoffMs(p, 10)).toBeLessThanOrEqual(1250);
  });

  it('treats resets and cuts as transient, input and registry errors not', () => {
    expect(isTransient(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransient(new Error('aborted'))).toBe(true);
    expect(isTransient(new InputError('aborted'))).toBe(false);
    // Already decided (a proxy that cannot be reached, refused credentials): not tried again.
    expect(isTransient(new RegistryError('socket hang up', { cause: new Error('aborted') }))).toBe(false);
    expect(isTransient(Object.assign(new Error('x'), { code: 'ENOTFOUND' }))).toBe(false);
  });
});

describe('CLI registry flags', () => {
  it('binds --username/--password-stdin to the source registry', async () => {
    const o = await registryOptionsFromFlags(
      { username: 'me', 'password-stdin': true, 'insecure-registry': ['http://reg:5000/'] },
      'ghcr.io',
      async () => 'tok',
    );
    expect(o.registry.credentials?.credentials).toEqual([
      { registry: 'ghcr.io', username: 'me', password: 'tok' },
    ]);
    expect(o.registry.insecureRegistries).toEqual(['reg:5000']);
    expect(o.cache).toBeUndefined();
    expect((await registryOptionsFromFlags({ 'no-cache': true }, undefined)).cache).toBe(false);
  });

  it.each([
    [{ username: 'me' }, 'ghcr.io', /needs --password-stdin/],
    [{ 'password-stdin': true }, 'ghcr.io', /needs --username/],
    [{ username: 'me', 'password-stdin': true }, undefined, /applies to a registry source/],
  ])('refuses %j', async (values, registry, why) => {
    await expect(registryOptionsFromFlags(values, registry, async () => 'x')).rejects.toThrow(why);
  });
});

describe('buildxScopedDirs (docker/login-action `scope`)', () => {
  it('most specific first; Docker Hub under registry-1.docker.io; BUILDX_CONFIG only without an explicit dir', () => {
    const dirs = buildxScopedDirs('docker.io', 'library/alpine', { dockerConfigDir: '/h/.docker' });
    expect(dirs.slice(0, 5)).toEqual([
      '/h/.docker/buildx/config/registry-1.docker.io/library/alpine@pull',
      '/h/.docker/buildx/config/registry-1.docker.io/library/alpine@pull,push',
      '/h/.docker/buildx/config/registry-1.docker.io/library/alpine@push,pull',
      '/h/.docker/buildx/config/registry-1.docker.io/library/alpine',
      '/h/.docker/buildx/config/registry-1.docker.io@pull',
    ]);
    expect(buildxScopedDirs('GHCR.io', undefined, { dockerConfigDir: '/d' })).toEqual([
      '/d/buildx/config/ghcr.io@pull',
      '/d/buildx/config/ghcr.io@pull,push',
      '/d/buildx/config/ghcr.io@push,pull',
    ]);
  });
});
