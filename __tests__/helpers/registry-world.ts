// Extra registries for the registry tests, next to the world's plain one: `docker-registry serve` with basic
// auth, token auth (JWTs minted by an in-process token server) or the redirect middleware; a file server
// standing in for the redirect's other origin; and a proxy that counts requests and injects faults.
//
// Everything listens on free loopback ports and is stopped by `stop()` (call it in afterAll).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { hexOf, packTar, sha256 } from './tar-stream-io.js';
import type { TarEntry } from './tar.js';
import { run, runAsync } from './world.js';

/** `probe:secret`, bcrypt (TESTING.md). */
export const HTPASSWD = 'probe:$2y$05$ZheyS90z7jXfs23dKTXqxuaArDu9RuESFci6cvfSjis6RhR0Suzhu\n';
export const BASIC_USER = 'probe';
export const BASIC_PASSWORD = 'secret';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

// ------------------------------------------------------------------------------------------- registries

export interface RegistryProc {
  /** host:port */
  host: string;
  port: number;
  stop(): Promise<void>;
  log(): string;
}

export interface RegistryConfig {
  /** The storage root (several registries may share one). */
  root: string;
  /** Where the config and log go. */
  dir: string;
  htpasswd?: string;
  token?: { realm: string; service: string; issuer: string; rootcertbundle: string };
  /** The redirect middleware's baseurl. */
  redirect?: string;
}

export async function startRegistry(cfg: RegistryConfig): Promise<RegistryProc> {
  mkdirSync(cfg.dir, { recursive: true });
  for (let tries = 0; ; tries++) {
    const port = await freePort();
    const lines = [
      'version: 0.1',
      'log: {level: warn, accesslog: {disabled: true}}',
      `storage: {filesystem: {rootdirectory: ${JSON.stringify(cfg.root)}}, delete: {enabled: true}}`,
      `http: {addr: "127.0.0.1:${port}"}`,
    ];
    if (cfg.htpasswd)
      lines.push(`auth: {htpasswd: {realm: slimgate-test, path: ${JSON.stringify(cfg.htpasswd)}}}`);
    if (cfg.token) {
      const t = cfg.token;
      lines.push(
        `auth: {token: {realm: ${JSON.stringify(t.realm)}, service: ${t.service}, issuer: ${t.issuer}, rootcertbundle: ${JSON.stringify(t.rootcertbundle)}}}`,
      );
    }
    if (cfg.redirect) {
      lines.push(
        `middleware: {storage: [{name: redirect, options: {baseurl: ${JSON.stringify(cfg.redirect)}}}]}`,
      );
    }
    const file = path.join(cfg.dir, `registry-${port}.yml`);
    writeFileSync(file, lines.join('\n') + '\n');
    let log = '';
    const child: ChildProcess = spawn('docker-registry', ['serve', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
    let exited = false;
    child.on('exit', () => (exited = true));
    const deadline = Date.now() + 15_000;
    let up = false;
    while (!exited && Date.now() < deadline) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/v2/`);
        await res.arrayBuffer();
        up = true;
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    if (!up) {
      child.kill('SIGKILL');
      if (tries < 3 && /address already in use/.test(log)) continue;
      throw new Error(`docker-registry did not start:\n${log}`);
    }
    return {
      host: `127.0.0.1:${port}`,
      port,
      log: () => log,
      stop: () =>
        new Promise<void>((resolve) => {
          if (exited) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        }),
    };
  }
}

// ------------------------------------------------------------------------------------------- token server

/** libtrust's key ID: SHA-256 of the SPKI DER, first 240 bits, base32 without padding, 12 groups of 4. */
function libtrustKid(pub: KeyObject): string {
  const der = pub.export({ type: 'spki', format: 'der' });
  const bytes = createHash('sha256').update(der).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return (out.match(/.{4}/g) as string[]).join(':');
}

function b64url(x: Buffer | string): string {
  return Buffer.from(x).toString('base64url');
}

interface TokenRequest {
  method: string;
  query: Record<string, string>;
  /** The Basic user, if one was sent. */
  user?: string;
  grantType?: string;
  refreshToken?: string;
}

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certFile: string;
  requests: TokenRequest[];
  /** user → password accepted with Basic auth. */
  users: Map<string, string>;
  /** Refresh tokens (identitytoken) accepted with POST grant_type=refresh_token. */
  refreshTokens: Set<string>;
  /** Name the token `access_token` instead of `token`. */
  accessTokenField: boolean;
  stop(): Promise<void>;
}

export async function startTokenServer(dir: string): Promise<TokenServer> {
  mkdirSync(dir, { recursive: true });
  const keyFile = path.join(dir, 'token-key.pem');
  const certFile = path.join(dir, 'token-cert.pem');
  run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    '/CN=slimgate-test-token',
  ]);
  const key = createPrivateKey(readFileSync(keyFile));
  const kid = libtrustKid(createPublicKey(key));
  const service = 'slimgate-test-registry';
  const issuer = 'slimgate-test-issuer';
  const requests: TokenRequest[] = [];
  const users = new Map<string, string>();
  const refreshTokens = new Set<string>();
  const state = { accessTokenField: false };

  const mint = (scope: string | undefined, sub: string): string => {
    const access = (scope ?? '')
      .split(' ')
      .filter(Boolean)
      .map((s) => {
        const [type, name, actions] = s.split(':');
        return { type, name, actions: (actions ?? '').split(',').filter(Boolean) };
      });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'ES256', typ: 'JWT', kid };
    const claims = {
      iss: issuer,
      sub,
      aud: service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
    return `${input}.${b64url(sig)}`;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const query = Object.fromEntries(url.searchParams);
      const entry: TokenRequest = { method: req.method ?? 'GET', query };
      let sub = 'anonymous';
      let scope: string | undefined = query['scope'];
      const auth = req.headers.authorization;
      if (auth?.startsWith('Basic ')) {
        const [u, p] = Buffer.from(auth.slice(6), 'base64').toString().split(/:(.*)/s);
        entry.user = u;
        if (!u || users.get(u) !== p) {
          requests.push(entry);
          res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"details":"bad credentials"}');
          return;
        }
        sub = u;
      }
      if (req.method === 'POST') {
        const form = new URLSearchParams(Buffer.concat(chunks).toString());
        entry.grantType = form.get('grant_type') ?? undefined;
        entry.refreshToken = form.get('refresh_token') ?? undefined;
        scope = form.get('scope') ?? undefined;
        if (entry.grantType !== 'refresh_token' || !refreshTokens.has(entry.refreshToken ?? '')) {
          requests.push(entry);
          res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":"invalid_grant"}');
          return;
        }
        sub = 'refresh';
      }
      requests.push(entry);
      // Anonymous callers get a token with no access, as Docker Hub does for private repositories.
      const token = mint(sub === 'anonymous' ? '' : scope, sub);
      const body = state.accessTokenField
        ? { access_token: token, expires_in: 300 }
        : { token, expires_in: 300 };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  const port = await listen(server);
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certFile,
    requests,
    users,
    refreshTokens,
    get accessTokenField() {
      return state.accessTokenField;
    },
    set accessTokenField(v: boolean) {
      state.accessTokenField = v;
    },
    stop: () => closeServer(server),
  };
}

// ------------------------------------------------------------------------------------------- file server

/** Serves files under `root` (the redirect middleware's other origin); records the headers it saw. */
export async function startFileServer(
  root: string,
): Promise<{ base: string; requests: { url: string; authorization?: string }[]; stop(): Promise<void> }> {
  const requests: { url: string; authorization?: string }[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const entry: { url: string; authorization?: string } = { url: url.pathname };
    if (req.headers.authorization) entry.authorization = req.headers.authorization;
    requests.push(entry);
    const file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root)) return void res.writeHead(403).end();
    try {
      const st = statSync(file);
      res.writeHead(200, { 'Content-Length': st.size, 'Content-Type': 'application/octet-stream' });
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404).end();
    }
  });
  const port = await listen(server);
  // "localhost", not 127.0.0.1: a different origin from the registry even on the same host.
  return { base: `http://localhost:${port}/`, requests, stop: () => closeServer(server) };
}

// ------------------------------------------------------------------------------------------- proxy

interface ProxyRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

/**
 * What to do with one request. Return undefined to forward it untouched.
 *  - status: answer with this status (and headers, body) without asking upstream;
 *  - reset: destroy the connection before answering;
 *  - cutAfter: forward, but cut the connection after this many body bytes;
 *  - corrupt: forward, but pass the body through this function (same length or not);
 *  - stripRange: forward without the Range header;
 *  - headers: rewrite upstream's response headers.
 */
interface Fault {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  reset?: boolean;
  cutAfter?: number;
  corrupt?: (body: Buffer) => Buffer;
  stripRange?: boolean;
  rewriteHeaders?: (h: http.IncomingHttpHeaders) => http.IncomingHttpHeaders;
}

export interface Proxy {
  host: string;
  requests: ProxyRequest[];
  /** Decides per request; `n` counts earlier requests with the same method and path. */
  fault: (req: ProxyRequest, n: number) => Fault | undefined;
  /** Requests for blobs (layers and configs), by method and path. */
  blobRequests(): ProxyRequest[];
  reset(): void;
  stop(): Promise<void>;
}

export async function startProxy(upstream: string): Promise<Proxy> {
  const requests: ProxyRequest[] = [];
  const seen = new Map<string, number>();
  const agent = new http.Agent({ keepAlive: true });
  const proxy: Proxy = {
    host: '',
    requests,
    fault: () => undefined,
    blobRequests: () => requests.filter((r) => /\/blobs\/sha256:/.test(r.path)),
    reset: () => {
      requests.length = 0;
      seen.clear();
      proxy.fault = () => undefined;
    },
    stop: async () => {
      agent.destroy();
      await closeServer(server);
    },
  };
  const server = http.createServer((req, res) => {
    const r: ProxyRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers };
    requests.push(r);
    const key = `${r.method} ${r.path}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const f = proxy.fault(r, n);
    if (f?.reset) {
      req.socket.destroy();
      return;
    }
    if (f?.status !== undefined) {
      res.writeHead(f.status, { 'Content-Type': 'application/json', ...f.headers }).end(f.body ?? '');
      return;
    }
    const headers = { ...req.headers, host: upstream };
    if (f?.stripRange) delete headers.range;
    const up = http.request(
      {
        host: upstream.split(':')[0],
        port: Number(upstream.split(':')[1]),
        method: req.method,
        path: req.url,
        headers,
        agent,
      },
      (ures) => {
        let h = { ...ures.headers };
        if (f?.rewriteHeaders) h = f.rewriteHeaders(h);
        if (f?.corrupt) {
          const parts: Buffer[] = [];
          ures.on('data', (c: Buffer) => parts.push(c));
          ures.on('end', () => {
            const body = f.corrupt!(Buffer.concat(parts));
            h['content-length'] = String(body.length);
            delete h['transfer-encoding'];
            res.writeHead(ures.statusCode ?? 502, h).end(body);
          });
          return;
        }
        res.writeHead(ures.statusCode ?? 502, h);
        if (f?.cutAfter !== undefined) {
          let sent = 0;
          const limit = f.cutAfter;
          ures.on('data', (c: Buffer) => {
            if (sent >= limit) return;
            const part = c.subarray(0, limit - sent);
            sent += part.length;
            res.write(part);
            if (sent >= limit) {
              ures.destroy();
              // Let the bytes leave before the cut.
              setTimeout(() => req.socket.destroy(), 20);
            }
          });
          return;
        }
        ures.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  const port = await listen(server);
  proxy.host = `127.0.0.1:${port}`;
  return proxy;
}

// ------------------------------------------------------------------------------------------- images

export interface LayoutImage {
  dir: string;
  ref: string;
  /** Layer digests (compressed) in manifest order. */
  layers: string[];
  diffIds: string[];
}

/** A small OCI layout with gzip layers, written by hand. `seed` makes the content unique. */
export async function makeLayout(
  dir: string,
  ref: string,
  layers: TarEntry[][],
  config: Record<string, unknown> = {},
): Promise<LayoutImage> {
  const blobs = path.join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (data: Buffer): { digest: string; size: number } => {
    const digest = sha256(data);
    writeFileSync(path.join(blobs, hexOf(digest)), data);
    return { digest, size: data.length };
  };
  const diffIds: string[] = [];
  const descs: { mediaType: string; digest: string; size: number }[] = [];
  for (const entries of layers) {
    const tarBuf = await packTar(entries);
    diffIds.push(sha256(tarBuf));
    descs.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...put(gzipSync(tarBuf)) });
  }
  const cfg = put(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: { User: '65532', Entrypoint: ['/app'] },
        rootfs: { type: 'layers', diff_ids: diffIds },
        history: layers.map((_, i) => ({ created_by: `layer ${i}` })),
        ...config,
      }),
    ),
  );
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...cfg },
        layers: descs,
      }),
    ),
  );
  writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': ref },
        },
      ],
    }),
  );
  return { dir, ref, layers: descs.map((d) => d.digest), diffIds };
}

export function skopeoArgs(args: string[]): string[] {
  return ['--insecure-policy', ...args];
}

/** skopeo copy to a plain-HTTP registry (format: "v2s2" Docker v2, or "oci"). */
export async function pushLayout(
  img: LayoutImage,
  dest: string,
  format: 'v2s2' | 'oci',
  extra: string[] = [],
): Promise<void> {
  await runAsync(
    'skopeo',
    skopeoArgs([
      'copy',
      '-q',
      '--dest-tls-verify=false',
      '--format',
      format,
      ...extra,
      `oci:${img.dir}:${img.ref}`,
      `docker://${dest}`,
    ]),
    { timeout: 120_000 },
  );
}

/** Bytes of a little ELF-looking executable and friends, so scans keep heads. */
export function sampleFiles(seed: string, big = 0): TarEntry[] {
  const elf = Buffer.concat([
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]),
    Buffer.alloc(200, 1),
    Buffer.from(seed),
  ]);
  const entries: TarEntry[] = [
    { name: 'app', body: elf, mode: 0o755 },
    { name: 'etc/', type: 'dir' },
    { name: 'etc/os-release', body: `ID=test\nVERSION_ID=${seed}\n` },
    { name: `data-${seed}.txt`, body: `hello ${seed}\n`.repeat(50) },
  ];
  if (big) {
    // Incompressible-ish bytes, so the blob is big enough to cut halfway.
    const buf = Buffer.alloc(big);
    let x = createHash('sha256').update(seed).digest().readUInt32LE(0) || 1;
    for (let i = 0; i < big; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      buf[i] = x & 0xff;
    }
    entries.push({ name: `big-${seed}.bin`, body: buf });
  }
  return entries;
}
