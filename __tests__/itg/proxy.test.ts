// Registries behind a forward proxy: the world's tinyproxy on loopback, and the registry under the name
// registry.test (127.0.0.1 in /etc/hosts), since loopback names and addresses never go through a proxy.
// The proxy's own log shows which requests went through it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inspect, type InspectOptions } from '../../src/engine/engine.js';
import { UserFacingError } from '../../src/util/errors.js';
import { closeAgents } from '../../src/sources/registry/http.js';
import { docker, world } from '../helpers/world.js';

const w = world();
const proxy = w.env.SLIMGATE_PROXY as string;
const proxyLog = w.env.SLIMGATE_PROXY_LOG as string;
const host = w.env.SLIMGATE_PROXY_HOSTNAME as string;
const port = w.registry.split(':')[1] as string;
const named = `${host}:${port}`;
const repo = `sg-proxy-${process.pid}/img`;
const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-proxy-'));
const VARS = [
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
];
const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));

function setProxyEnv(vars: Record<string, string>): void {
  for (const v of VARS) delete process.env[v];
  Object.assign(process.env, vars);
  closeAgents();
}

const opts: InspectOptions = {
  cache: false,
  registry: {
    insecureRegistries: [named],
    credentials: { dockerConfigDir: '/nonexistent-docker-config' },
    retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
  },
};

function logSince(offset: number): string {
  return readFileSync(proxyLog, 'utf8').slice(offset);
}
function logSize(): number {
  return readFileSync(proxyLog).length;
}

async function failure(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserFacingError);
  expect((err as Error).message).not.toContain('\n');
  return (err as Error).message;
}

let direct: string[];

beforeAll(async () => {
  const ctx = path.join(tmp, 'ctx');
  mkdirSync(ctx);
  writeFileSync(path.join(ctx, 'through.txt'), 'fetched through a proxy\n');
  writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY through.txt /through.txt\n');
  const tag = `${w.registry}/${repo}:1`;
  docker(['build', '--network', 'none', '-q', '-t', tag, ctx], {
    env: { DOCKER_BUILDKIT: '0' },
    timeout: 120_000,
  });
  docker(['push', tag], { timeout: 120_000 });
  docker(['rmi', '--force', tag], { allowFailure: true });
  setProxyEnv({});
  const [r] = await inspect(`docker://${w.registry}/${repo}:1`, opts);
  direct = (r?.files ?? []).map((f) => f.path);
  expect(direct).toEqual(['/through.txt']);
});
afterEach(() => setProxyEnv({}));
afterAll(() => {
  for (const v of VARS) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
  closeAgents();
  rmSync(tmp, { recursive: true, force: true });
});

describe('a registry behind a proxy', () => {
  it.each(['HTTP_PROXY', 'http_proxy', 'ALL_PROXY'])(
    '%s: every request goes through the proxy',
    async (name) => {
      setProxyEnv({ [name]: proxy });
      const before = logSize();
      const [r] = await inspect(`docker://${named}/${repo}:1`, opts);
      expect(r?.files.map((f) => f.path)).toEqual(direct);
      const log = logSince(before);
      expect(log).toContain(`GET http://${named}/v2/${repo}/manifests/1`);
      expect(log).toMatch(
        new RegExp(`GET http://${named.replace('.', '\\.')}/v2/${repo}/blobs/sha256:[0-9a-f]{64}`),
      );
    },
  );

  it('lower case wins over upper case, as curl reads them', async () => {
    setProxyEnv({ http_proxy: proxy, HTTP_PROXY: 'http://127.0.0.1:1' });
    const before = logSize();
    await inspect(`docker://${named}/${repo}:1`, opts);
    expect(logSince(before)).toContain(`GET http://${named}/v2/${repo}/manifests/1`);
  });

  it.each([host, `.${host.split('.').pop()}`, named, '*', '127.0.0.0/8'])(
    'NO_PROXY=%s: straight to the registry, the proxy sees nothing',
    async (noProxy) => {
      // 127.0.0.0/8 matches only an address, not a name that resolves to one (as curl and Go): proxied.
      setProxyEnv({ HTTP_PROXY: proxy, no_proxy: noProxy });
      const before = logSize();
      const [r] = await inspect(`docker://${named}/${repo}:1`, opts);
      expect(r?.files.map((f) => f.path)).toEqual(direct);
      if (noProxy === '127.0.0.0/8') expect(logSince(before)).toContain(`/v2/${repo}/manifests/1`);
      else expect(logSince(before)).not.toContain(`/v2/${repo}/`);
    },
  );

  it('a loopback registry never goes through the proxy', async () => {
    setProxyEnv({ HTTP_PROXY: proxy });
    const before = logSize();
    await inspect(`docker://${w.registry}/${repo}:1`, opts);
    expect(logSince(before)).not.toContain(`/v2/${repo}/`);
  });

  it('a wrong proxy: one line that names it and the variable it came from', async () => {
    setProxyEnv({ HTTP_PROXY: 'http://user:hunter2@127.0.0.1:1' });
    const msg = await failure(inspect(`docker://${named}/${repo}:1`, opts));
    expect(msg).toMatch(/through the proxy http:\/\/127\.0\.0\.1:1 \(HTTP_PROXY\)/);
    expect(msg).toMatch(/ECONNREFUSED/);
    expect(msg).not.toContain('hunter2');
  });

  it('an https:// registry: a CONNECT tunnel through the proxy, TLS end to end', async () => {
    // A TLS server with a self-signed certificate for registry.test: the handshake reaching it (and
    // failing on the certificate) proves the tunnel, and the proxy logs the CONNECT.
    const key = path.join(tmp, 'key.pem');
    const cert = path.join(tmp, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${host}`,
        '-addext',
        `subjectAltName=DNS:${host}`,
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const server: Server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_, res) =>
      res.writeHead(200).end('{}'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const tlsPort = (server.address() as AddressInfo).port;
    try {
      setProxyEnv({ HTTPS_PROXY: proxy });
      const before = logSize();
      const msg = await failure(
        inspect(`docker://${host}:${tlsPort}/${repo}:1`, {
          ...opts,
          registry: { ...opts.registry, insecureRegistries: [] },
        }),
      );
      expect(msg).toMatch(/certificate/i);
      expect(logSince(before)).toContain(`CONNECT ${host}:${tlsPort}`);
    } finally {
      server.close();
    }
  });
});

describe('an insecure registry (not loopback)', () => {
  it('is tried over HTTPS first, then plain HTTP, as Docker does', async () => {
    // Both proxy variables set: the proxy's log shows the HTTPS attempt (a CONNECT) and then plain GETs.
    setProxyEnv({ HTTPS_PROXY: proxy, HTTP_PROXY: proxy });
    const before = logSize();
    const [r] = await inspect(`docker://${named}/${repo}:1`, opts);
    expect(r?.files.map((f) => f.path)).toEqual(direct);
    const log = logSince(before);
    const connect = log.indexOf(`CONNECT ${named}`);
    const get = log.indexOf(`GET http://${named}/v2/${repo}/manifests/1`);
    expect(connect).toBeGreaterThanOrEqual(0);
    expect(get).toBeGreaterThan(connect);
    // Settled on plain HTTP: one HTTPS attempt, not one per request.
    expect(log.split(`CONNECT ${named}`).length - 1).toBe(1);
  });

  it('a registry not listed as insecure is HTTPS only: one line about TLS', async () => {
    setProxyEnv({});
    const msg = await failure(
      inspect(`docker://${named}/${repo}:1`, {
        ...opts,
        registry: { ...opts.registry, insecureRegistries: [] },
      }),
    );
    expect(msg).toMatch(/TLS error talking to https:\/\/registry\.test:\d+ .*--insecure-registry/);
  });
});
