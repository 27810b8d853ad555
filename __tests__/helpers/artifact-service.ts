// A double of GitHub's Actions artifact service (v4, the results service), speaking what @actions/artifact
// 6.x sends (read from its source: lib/internal/upload/upload-artifact.js, shared/artifact-twirp-client.js,
// shared/util.js and the generated results/api/v1/artifact.js):
// - ACTIONS_RUNTIME_TOKEN is a JWT whose `scp` claim holds `Actions.Results:<run backend id>:<job backend
//   id>`; the library decodes it (unverified) for the ids it sends, and sends the token as a Bearer token;
// - twirp JSON with proto field names: POST /twirp/github.actions.results.api.v1.ArtifactService/
//   CreateArtifact {workflow_run_backend_id, workflow_job_run_backend_id, name, version: 7, mime_type,
//   expires_at?} → {ok, signed_upload_url}, then FinalizeArtifact {…ids, name, size (int64 as a string),
//   hash: "sha256:<hex>"} → {ok, artifact_id (int64 as a string)};
// - the zip goes through the Azure SDK to the signed URL: ?comp=block parts and a ?comp=blocklist (or one
//   PUT with x-ms-blob-type: BlockBlob), each answered 201 — as the cache double takes them.
// It keeps each artifact's zip, so a test can open it (readZip) and compare the files inside. The cache
// double (cache-service.ts) serves these routes too, on its origin and with its token, as the runner's one
// results service does.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { acceptBlockBlob, json, readBody } from './http-double.js';
import type { AddressInfo } from 'node:net';
import { crc32, inflateRawSync } from 'node:zlib';

const PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/';

interface StoredArtifact {
  id: number;
  name: string;
  runBackendId: string;
  jobBackendId: string;
  mimeType: unknown;
  finalized: boolean;
  blocks: Map<string, Buffer>;
  zip: Buffer | undefined;
}

interface ArtifactRequest {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
}

/** What the artifact routes keep: shared with the cache double, which serves them on the same origin. */
export interface ArtifactStore {
  artifacts: StoredArtifact[];
  requests: ArtifactRequest[];
  /** Protocol violations seen (unknown calls, bad fields, missing tokens); a test expects none. */
  violations: string[];
  /** Answer every twirp call with this status (e.g. 500) until set back to undefined. */
  failWith: number | undefined;
}

export interface ArtifactService extends ArtifactStore {
  /** ACTIONS_RESULTS_URL. */
  url: string;
  /** The env a job's step gets to reach this service (a fresh job each call). */
  env(): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

const b64url = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const ISSUER = 'actions-runtime-double';

/**
 * A runtime token as the runner's looks to the libraries: an (unsigned) JWT whose `scp` names a fresh
 * workflow run and job. Only its claims are read; the doubles accept only tokens they minted.
 */
export function runtimeToken(): string {
  const claims = {
    scp: `Actions.ExampleScope Actions.Results:${randomUUID()}:${randomUUID()}`,
    iss: ISSUER,
    exp: Math.floor(Date.now() / 1000) + 3600,
  };
  return `${b64url({ typ: 'JWT', alg: 'none' })}.${b64url(claims)}.`;
}

/** The run and job a token minted by runtimeToken names; undefined for any other token. */
function backendIds(token: string): { runId: string; jobId: string } | undefined {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      scp?: string;
      iss?: string;
    };
    const m = / Actions\.Results:([0-9a-f-]{36}):([0-9a-f-]{36})$/.exec(claims.scp ?? '');
    return claims.iss === ISSUER && m ? { runId: m[1]!, jobId: m[2]! } : undefined;
  } catch {
    return undefined;
  }
}

export function newArtifactStore(violations: string[] = []): ArtifactStore {
  return { artifacts: [], requests: [], violations, failWith: undefined };
}

let nextId = 4242;
const uploads = new Map<string, StoredArtifact>();

function twirp(
  store: ArtifactStore,
  base: string,
  method: string,
  body: Record<string, unknown>,
  ids: { runId: string; jobId: string },
  res: ServerResponse,
): void {
  const str = (name: string): string => {
    const v = body[name];
    if (typeof v !== 'string' || !v) store.violations.push(`${method}: "${name}" missing`);
    return typeof v === 'string' ? v : '';
  };
  if (str('workflow_run_backend_id') !== ids.runId || str('workflow_job_run_backend_id') !== ids.jobId)
    store.violations.push(`${method}: the backend ids are not the token's`);
  const name = str('name');
  switch (method) {
    case 'CreateArtifact': {
      if (body['version'] !== 7) store.violations.push(`CreateArtifact: version ${String(body['version'])}`);
      if (/[":<>|*?\r\n\\/]/.test(name)) store.violations.push(`CreateArtifact: bad name ${name}`);
      // Names are unique within a workflow run.
      if (store.artifacts.some((a) => a.name === name && a.runBackendId === ids.runId))
        return json(res, 409, { code: 'already_exists', msg: 'an artifact with this name already exists' });
      const a: StoredArtifact = {
        id: nextId++,
        name,
        runBackendId: ids.runId,
        jobBackendId: ids.jobId,
        mimeType: body['mime_type'],
        finalized: false,
        blocks: new Map(),
        zip: undefined,
      };
      store.artifacts.push(a);
      const key = randomBytes(8).toString('hex');
      uploads.set(key, a);
      // An IP host: the Azure SDK reads the account and container from the path.
      return json(res, 200, {
        ok: true,
        signed_upload_url: `${base}/devstoreaccount1/artifacts/${key}?sig=upload-${key}`,
      });
    }
    case 'FinalizeArtifact': {
      const a = store.artifacts.find((x) => x.name === name && x.runBackendId === ids.runId && !x.finalized);
      if (!a?.zip) return json(res, 404, { code: 'not_found', msg: 'no upload to finalize' });
      const size = body['size'];
      if (typeof size !== 'string' || Number(size) !== a.zip.length)
        store.violations.push(
          `FinalizeArtifact: size ${JSON.stringify(size)}, ${a.zip.length} bytes uploaded`,
        );
      const hash = `sha256:${createHash('sha256').update(a.zip).digest('hex')}`;
      if (body['hash'] !== hash)
        store.violations.push(`FinalizeArtifact: hash ${JSON.stringify(body['hash'])}, uploaded ${hash}`);
      a.finalized = true;
      return json(res, 200, { ok: true, artifact_id: String(a.id) });
    }
    default:
      store.violations.push(`unknown twirp method ${method}`);
      return json(res, 404, { code: 'bad_route', msg: `no method ${method}` });
  }
}

/**
 * Serves one request when it is the artifact service's (its twirp calls, or a blob PUT to a URL it signed);
 * false otherwise. `base` is the server's origin, for the signed URLs.
 */
export function serveArtifacts(
  store: ArtifactStore,
  base: string,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  raw: Buffer,
): boolean {
  if (req.method === 'POST' && url.pathname.startsWith(PREFIX)) {
    const method = url.pathname.slice(PREFIX.length);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      store.violations.push(`${method}: body is not JSON`);
    }
    store.requests.push({ method: 'POST', path: method, body });
    if (req.headers['content-type'] !== 'application/json')
      store.violations.push(`${method}: content-type ${req.headers['content-type']}`);
    const auth = /^Bearer (.+)$/.exec(req.headers['authorization'] ?? '');
    const ids = auth ? backendIds(auth[1]!) : undefined;
    if (!ids) {
      store.violations.push(`${method}: no valid token`);
      json(res, 401, { code: 'unauthenticated', msg: 'no valid token' });
    } else if (store.failWith) json(res, store.failWith, { code: 'internal', msg: 'the double is failing' });
    else twirp(store, base, method, body, ids, res);
    return true;
  }
  const up = /^\/devstoreaccount1\/artifacts\/([0-9a-f]+)$/.exec(url.pathname);
  if (req.method !== 'PUT' || !up) return false;
  store.requests.push({
    method: 'PUT',
    path: `blob${url.search.replace(/sig=[^&]*/, 'sig=…')}`,
    body: undefined,
  });
  const a = uploads.get(up[1]!);
  if (!a || !store.artifacts.includes(a) || url.searchParams.get('sig') !== `upload-${up[1]}`) {
    res.writeHead(403).end();
    return true;
  }
  acceptBlockBlob(req, url, raw, res, a.blocks, (blob) => (a.zip = blob), store.violations);
  return true;
}

export async function startArtifactService(): Promise<ArtifactService> {
  const svc: ArtifactService = {
    ...newArtifactStore(),
    url: '',
    env() {
      return {
        ACTIONS_RUNTIME_TOKEN: runtimeToken(),
        ACTIONS_RESULTS_URL: `${svc.url}/`,
        // Any other host counts as GitHub Enterprise Server, which the library refuses.
        GITHUB_SERVER_URL: 'https://github.com',
      };
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const raw = await readBody(req);
      if (serveArtifacts(svc, svc.url, req, res, url, raw)) return;
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

/**
 * The files of a zip, by name, from its central directory (PKWARE APPNOTE 4.3.12, 4.3.16): stored or
 * deflated entries, each checked against its CRC-32. Enough for what the library's zip writer makes.
 */
export function readZip(zip: Buffer): Map<string, Buffer> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip: no end of central directory');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory entry ${i}`);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    at += 46 + nameLen + extraLen + commentLen;
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressed);
    if (name.endsWith('/')) continue;
    const body = method === 8 ? inflateRawSync(data) : method === 0 ? Buffer.from(data) : undefined;
    if (!body) throw new Error(`${name}: compression method ${method}`);
    if (crc32(body) !== crc) throw new Error(`${name}: CRC-32 mismatch`);
    files.set(name, body);
  }
  return files;
}
