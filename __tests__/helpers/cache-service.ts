// A double of GitHub's Actions cache service, speaking what @actions/cache 6.3.0 sends (cache service v2):
// - twirp JSON: POST /twirp/github.actions.results.api.v1.CacheService/{CreateCacheEntry,
//   FinalizeCacheEntryUpload, GetCacheEntryDownloadURL}, snake_case fields, Bearer token;
// - the blob upload the Azure SDK makes to the signed URL: one PUT with x-ms-blob-type: BlockBlob, or
//   ?comp=block parts and a ?comp=blocklist, each answered 201;
// - the download: one plain GET of the signed URL.
// It keeps state as the service does: an entry is written once per (key, version, scope); restore keys
// match by prefix, newest first; a run reads its own scope and the scopes its token grants (a PR: its base
// branch), and writes only its own.
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { acceptBlockBlob, json, readBody } from './http-double.js';
import type { AddressInfo } from 'node:net';
import { newArtifactStore, runtimeToken, serveArtifacts, type ArtifactStore } from './artifact-service.js';

const PREFIX = '/twirp/github.actions.results.api.v1.CacheService/';

interface CacheEntry {
  key: string;
  version: string;
  scope: string;
  size: number;
  createdAt: number;
  finalized: boolean;
  blocks: Map<string, Buffer>;
  data: Buffer | undefined;
}

interface CacheRequest {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
}

export interface Scopes {
  /** Where this run's saves go, e.g. refs/heads/main or refs/pull/2/merge. */
  write: string;
  /** Extra scopes it may read (a PR reads its base branch's entries). */
  read?: string[];
}

export interface CacheService {
  /** ACTIONS_RESULTS_URL. */
  url: string;
  entries: CacheEntry[];
  requests: CacheRequest[];
  /** Protocol violations seen (unknown calls, bad fields, missing tokens); a test expects none. */
  violations: string[];
  /** A runtime token for a run with these scopes. */
  token(scopes: Scopes): string;
  /** Answer every twirp call with this status (e.g. 500) until set back to undefined. */
  failWith: number | undefined;
  /** The env a run needs to reach this service. */
  env(scopes: Scopes): NodeJS.ProcessEnv;
  /** The artifact service on the same origin (the HTML report's upload). */
  artifacts: ArtifactStore;
  stop(): Promise<void>;
}

export async function startCacheService(): Promise<CacheService> {
  const tokens = new Map<string, Scopes>();
  const uploads = new Map<string, CacheEntry>();
  const downloads = new Map<string, CacheEntry>();
  let clock = 0;
  const violations: string[] = [];
  const svc: CacheService = {
    url: '',
    entries: [],
    requests: [],
    violations,
    failWith: undefined,
    // Its protocol violations are this service's: a test that expects none sees them.
    artifacts: newArtifactStore(violations),
    token(scopes) {
      // A JWT, as the runner's: the artifact client reads its run and job from it.
      const t = runtimeToken();
      tokens.set(t, scopes);
      return t;
    },
    env(scopes) {
      return {
        ACTIONS_RUNTIME_TOKEN: svc.token(scopes),
        ACTIONS_RESULTS_URL: `${svc.url}/`,
        ACTIONS_CACHE_SERVICE_V2: 'True',
        // Any other host counts as GitHub Enterprise Server, which forces the old v1 protocol.
        GITHUB_SERVER_URL: 'https://github.com',
      };
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const twirp = (
    method: string,
    body: Record<string, unknown>,
    scopes: Scopes,
    res: ServerResponse,
  ): void => {
    const str = (name: string): string => {
      const v = body[name];
      if (typeof v !== 'string' || !v) svc.violations.push(`${method}: "${name}" missing`);
      return typeof v === 'string' ? v : '';
    };
    switch (method) {
      case 'CreateCacheEntry': {
        const key = str('key');
        const version = str('version');
        if (key.length > 512 || key.includes(',')) svc.violations.push(`bad key ${key}`);
        const taken = svc.entries.some(
          (e) => e.key === key && e.version === version && e.scope === scopes.write,
        );
        if (taken) return json(res, 200, { ok: false, message: 'cache entry already exists' });
        const entry: CacheEntry = {
          key,
          version,
          scope: scopes.write,
          size: 0,
          createdAt: 0,
          finalized: false,
          blocks: new Map(),
          data: undefined,
        };
        svc.entries.push(entry);
        const id = randomBytes(8).toString('hex');
        uploads.set(id, entry);
        // An IP host: the Azure SDK reads the account and container from the path.
        return json(res, 200, {
          ok: true,
          signed_upload_url: `${svc.url}/devstoreaccount1/cache/${id}?sig=upload-${id}`,
        });
      }
      case 'FinalizeCacheEntryUpload': {
        const key = str('key');
        const version = str('version');
        const sizeBytes = body['size_bytes'];
        if (typeof sizeBytes !== 'string' || !/^\d+$/.test(sizeBytes))
          svc.violations.push(`FinalizeCacheEntryUpload: size_bytes ${JSON.stringify(sizeBytes)}`);
        const entry = svc.entries.find(
          (e) => e.key === key && e.version === version && e.scope === scopes.write && !e.finalized,
        );
        if (!entry || !entry.data) return json(res, 200, { ok: false, message: 'no upload to finalize' });
        if (entry.data.length !== Number(sizeBytes))
          svc.violations.push(`size_bytes ${String(sizeBytes)} but ${entry.data.length} bytes uploaded`);
        entry.finalized = true;
        entry.size = entry.data.length;
        entry.createdAt = ++clock;
        return json(res, 200, { ok: true, entry_id: String(svc.entries.indexOf(entry) + 1) });
      }
      case 'GetCacheEntryDownloadURL': {
        const key = str('key');
        const version = str('version');
        const restoreKeys = body['restore_keys'] ?? [];
        if (!Array.isArray(restoreKeys)) svc.violations.push('restore_keys is not a list');
        const readable = new Set([scopes.write, ...(scopes.read ?? [])]);
        const live = svc.entries.filter((e) => e.finalized && e.version === version && readable.has(e.scope));
        // The exact key first, then each restore key as a prefix; the newest entry wins.
        let hit = live.filter((e) => e.key === key).sort((a, b) => b.createdAt - a.createdAt)[0];
        for (const rk of restoreKeys as string[]) {
          if (hit) break;
          hit = live.filter((e) => e.key.startsWith(rk)).sort((a, b) => b.createdAt - a.createdAt)[0];
        }
        if (!hit) return json(res, 200, { ok: false, signed_download_url: '', matched_key: '' });
        const id = randomBytes(8).toString('hex');
        downloads.set(id, hit);
        return json(res, 200, {
          ok: true,
          signed_download_url: `${svc.url}/download/${id}?sig=download-${id}`,
          matched_key: hit.key,
        });
      }
      default:
        svc.violations.push(`unknown twirp method ${method}`);
        return json(res, 404, { code: 'bad_route', msg: `no method ${method}` });
    }
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const raw = await readBody(req);
      if (serveArtifacts(svc.artifacts, svc.url, req, res, url, raw)) return;
      if (req.method === 'POST' && url.pathname.startsWith(PREFIX)) {
        const method = url.pathname.slice(PREFIX.length);
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
        } catch {
          svc.violations.push(`${method}: body is not JSON`);
        }
        svc.requests.push({ method: 'POST', path: method, body });
        if (req.headers['content-type'] !== 'application/json')
          svc.violations.push(`${method}: content-type ${req.headers['content-type']}`);
        const auth = /^Bearer (.+)$/.exec(req.headers['authorization'] ?? '');
        const scopes = auth ? tokens.get(auth[1]!) : undefined;
        if (!scopes) {
          svc.violations.push(`${method}: no valid token`);
          return json(res, 401, { code: 'unauthenticated', msg: 'no valid token' });
        }
        if (svc.failWith) return json(res, svc.failWith, { code: 'internal', msg: 'the double is failing' });
        return twirp(method, body, scopes, res);
      }
      const up = /^\/devstoreaccount1\/cache\/([0-9a-f]+)$/.exec(url.pathname);
      if (req.method === 'PUT' && up) {
        svc.requests.push({
          method: 'PUT',
          path: `blob${url.search.replace(/sig=[^&]*/, 'sig=…')}`,
          body: undefined,
        });
        const entry = uploads.get(up[1]!);
        if (!entry || url.searchParams.get('sig') !== `upload-${up[1]}`) {
          res.writeHead(403).end();
          return;
        }
        acceptBlockBlob(req, url, raw, res, entry.blocks, (blob) => (entry.data = blob), svc.violations);
        return;
      }
      const down = /^\/download\/([0-9a-f]+)$/.exec(url.pathname);
      if (req.method === 'GET' && down) {
        svc.requests.push({ method: 'GET', path: 'download', body: undefined });
        const entry = downloads.get(down[1]!);
        if (!entry?.data || url.searchParams.get('sig') !== `download-${down[1]}`) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': entry.data.length,
        });
        res.end(entry.data);
        return;
      }
      svc.violations.push(`unexpected ${req.method} ${url.pathname}`);
      res.writeHead(404).end();
    })().catch((err: unknown) => {
      svc.violations.push(`double crashed: ${String(err)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  svc.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return svc;
}
