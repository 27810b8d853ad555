// A proxy in front of a real registry misbehaves on purpose: 401, 403, 404, 429 with Retry-After, 500,
// connection resets, a connection cut halfway through a blob, and wrong bytes. Every case ends in recovery
// (with the right answer) or in one clear line (an InputError or a RegistryError, which the CLI maps to exit 2) — never in a
// pass on bad bytes.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inspect, type InspectOptions } from '../../src/engine/engine.js';
import { UserFacingError } from '../../src/util/errors.js';
import type { Report } from '../../src/types/report.js';
import {
  makeLayout,
  pushLayout,
  sampleFiles,
  startProxy,
  startRegistry,
  type LayoutImage,
  type Proxy,
  type RegistryProc,
} from '../helpers/registry-world.js';

const RETRY = { attempts: 3, baseDelayMs: 10, maxDelayMs: 40, maxRetryAfterMs: 3000 };
const OPTS: InspectOptions = {
  cache: false,
  concurrency: 2,
  registry: { retry: RETRY, timeoutMs: 5000, credentials: { dockerConfigDir: '/nonexistent-docker-config' } },
};

async function failure(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserFacingError);
  const msg = (err as Error).message;
  expect(msg).not.toContain('\n');
  if (process.env.SHOW) console.log(msg);
  return msg;
}

describe('a hostile registry', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-hostile-'));
  let registry: RegistryProc;
  let proxy: Proxy;
  let img: LayoutImage;
  let good: Report;
  let ref: string;
  /** The big layer's blob path, and its size. */
  let bigPath: string;
  let bigSize: number;

  beforeAll(async () => {
    mkdirSync(path.join(tmp, 'store'));
    registry = await startRegistry({ root: path.join(tmp, 'store'), dir: tmp });
    proxy = await startProxy(registry.host);
    // A small layer and a ~1 MB incompressible one, big enough to cut halfway.
    img = await makeLayout(path.join(tmp, 'img'), 'img', [sampleFiles('small'), sampleFiles('big', 1 << 20)]);
    await pushLayout(img, `${registry.host}/hostile/app:1`, 'v2s2');
    good = (await inspect(`oci:${img.dir}:img`, { cache: false }))[0] as Report;
    ref = `docker://${proxy.host}/hostile/app:1`;
    bigPath = `/v2/hostile/app/blobs/${img.layers[1]}`;
    bigSize = good.layers[1]?.compressedSize as number;
    expect(bigSize).toBeGreaterThan(1 << 20);
  });

  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  beforeEach(() => proxy.reset());

  const recovers = async (): Promise<Report> => {
    const [r] = await inspect(ref, OPTS);
    expect(r?.files).toEqual(good.files);
    expect(r?.layers.map((l) => l.digest)).toEqual(img.layers);
    return r as Report;
  };

  it('401 without a challenge it can answer: one line naming registry, repository and what to set', async () => {
    proxy.fault = (r) =>
      r.path.includes('/manifests/')
        ? {
            status: 401,
            headers: { 'WWW-Authenticate': 'Basic realm="hostile"' },
            body: '{"errors":[{"code":"UNAUTHORIZED"}]}',
          }
        : undefined;
    const msg = await failure(inspect(ref, OPTS));
    expect(msg).toContain(`${proxy.host}/hostile/app`);
    expect(msg).toMatch(/needs authentication, or does not exist \(HTTP 401\)/);
    expect(msg).toMatch(/set credentials/);
  });

  it('403: access denied, one line', async () => {
    proxy.fault = (r) =>
      r.path.includes('/manifests/')
        ? {
            status: 403,
            body: '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}',
          }
        : undefined;
    const msg = await failure(inspect(ref, OPTS));
    expect(msg).toContain(`${proxy.host}/hostile/app`);
    expect(msg).toMatch(/HTTP 403: DENIED/);
  });

  it('404 on a layer blob: names the layer', async () => {
    proxy.fault = (r) =>
      r.path === bigPath
        ? { status: 404, body: '{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}' }
        : undefined;
    const msg = await failure(inspect(ref, OPTS));
    expect(msg).toMatch(/layer 2 \([0-9a-f]{12}\)/);
    expect(msg).toMatch(/not found \(HTTP 404: BLOB_UNKNOWN/);
  });

  it('429 with Retry-After: waits as asked, then recovers', async () => {
    proxy.fault = (r, n) =>
      r.path.includes('/manifests/') && n === 0
        ? { status: 429, headers: { 'Retry-After': '1' }, body: '{"errors":[{"code":"TOOMANYREQUESTS"}]}' }
        : undefined;
    const t0 = Date.now();
    await recovers();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(proxy.requests.filter((r) => r.path.includes('/manifests/'))).toHaveLength(2);
  });

  it('429 with a Retry-After longer than it may wait: fails at once, in one line', async () => {
    proxy.fault = (r) =>
      r.path.includes('/manifests/') ? { status: 429, headers: { 'Retry-After': '3600' } } : undefined;
    const t0 = Date.now();
    const msg = await failure(inspect(ref, OPTS));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(msg).toMatch(/rate-limiting requests \(HTTP 429, Retry-After 3600 s\)/);
  });

  it('500 twice on a blob: retries with backoff and recovers', async () => {
    proxy.fault = (r, n) => (r.path === bigPath && n < 2 ? { status: 500, body: 'oops' } : undefined);
    await recovers();
    expect(proxy.requests.filter((r) => r.path === bigPath)).toHaveLength(3);
  });

  it('500 for ever: gives up after a bounded number of tries, in one line', async () => {
    proxy.fault = (r) => (r.path === bigPath ? { status: 500 } : undefined);
    const msg = await failure(inspect(ref, OPTS));
    expect(msg).toMatch(/answered HTTP 500 after 3 tries/);
    expect(proxy.requests.filter((r) => r.path === bigPath)).toHaveLength(RETRY.attempts);
  });

  it('a connection reset before the answer: retried', async () => {
    proxy.fault = (r, n) => (r.path.includes('/manifests/') && n === 0 ? { reset: true } : undefined);
    await recovers();
  });

  it('a connection cut halfway through a blob: resumes with Range', async () => {
    proxy.fault = (r, n) =>
      r.path === bigPath && n === 0 ? { cutAfter: Math.floor(bigSize / 2) } : undefined;
    await recovers();
    const gets = proxy.requests.filter((r) => r.path === bigPath);
    expect(gets).toHaveLength(2);
    expect(gets[0]?.headers.range).toBeUndefined();
    expect(gets[1]?.headers.range).toMatch(/^bytes=\d+-$/);
    const from = Number(/bytes=(\d+)-/.exec(String(gets[1]?.headers.range))?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(Math.floor(bigSize / 2));
  });

  it('a cut blob where the registry ignores Range: fetched again, the bytes already read skipped', async () => {
    proxy.fault = (r, n) =>
      r.path === bigPath
        ? n === 0
          ? { cutAfter: Math.floor(bigSize / 3) }
          : { stripRange: true }
        : undefined;
    await recovers();
    expect(proxy.requests.filter((r) => r.path === bigPath)).toHaveLength(2);
  });

  it('a connection cut at the same place every time: one line after bounded tries', async () => {
    proxy.fault = (r) => (r.path === bigPath ? { cutAfter: 1000, stripRange: true } : undefined);
    const msg = await failure(inspect(ref, OPTS));
    expect(msg).toMatch(/layer 2 .*the connection to .* was cut 3 times, at 1000 of \d+ bytes/);
    expect(proxy.requests.filter((r) => r.path === bigPath)).toHaveLength(RETRY.attempts);
  });

  it('a connection cut every time: one line after bounded tries', async () => {
    proxy.fault = (r) => (r.path === bigPath ? { cutAfter: 1000 } : undefined);
    const msg = await failure(inspect(ref, OPTS));
    // Each try makes progress (Range resumes it), so it resumes a bounded number of times, then gives up.
    expect(msg).toMatch(/layer 2 .*the connection to .* was cut 12 times, at \d+ of \d+ bytes/);
    expect(proxy.requests.filter((r) => r.path === bigPath)).toHaveLength(12);
  });

  it('wrong bytes in a layer (a flipped bit): never a pass', async () => {
    proxy.fault = (r) =>
      r.path === bigPath
        ? {
            corrupt: (b) => {
              const c = Buffer.from(b);
              c[c.length >> 1] ^= 0x01;
              return c;
            },
          }
        : undefined;
    const msg = await failure(inspect(ref, OPTS));
    expect(msg).toMatch(/layer 2 \([0-9a-f]{12}\)/);
    expect(msg).toMatch(/corrupt|digest mismatch|diff_id mismatch/);
  });

  it('a blob that inflates fine but is not the named blob: digest mismatch, fetched once more, then one line', async () => {
    // Byte 4..7 of a gzip stream is MTIME, which no decoder checks: the content is right, the digest is not.
    proxy.fault = (r) =>
      r.path === bigPath
        ? {
            corrupt: (b) => {
              const c = Buffer.from(b);
              c[5] ^= 0xff;
              return c;
            },
          }
        : undefined;
    const msg = await failure(inspect(ref, OPTS));
    expect(msg).toMatch(
      /layer 2 \([0-9a-f]{12}\).*digest mismatch: expected sha256:[0-9a-f]{64}, content is sha256:/,
    );
    expect(proxy.requests.filter((r) => r.path === bigPath)).toHaveLength(2);
  });

  it('the same, once: the second download is right and the run recovers', async () => {
    proxy.fault = (r, n) =>
      r.path === bigPath && n === 0
        ? {
            corrupt: (b) => {
              const c = Buffer.from(b);
              c[5] ^= 0xff;
              return c;
            },
          }
        : undefined;
    await recovers();
  });

  it('a blob longer than the manifest says: refused before it is read', async () => {
    proxy.fault = (r) =>
      r.path === bigPath ? { corrupt: (b) => Buffer.concat([b, Buffer.alloc(10)]) } : undefined;
    const msg = await failure(inspect(ref, OPTS));
    expect(msg).toMatch(/sends \d+ bytes, but the manifest says the blob has \d+/);
  });

  it('a manifest whose bytes do not match the digest asked for', async () => {
    const [r] = await inspect(`docker://${registry.host}/hostile/app:1`, OPTS);
    const digest = r?.image.digest as string;
    proxy.fault = (q) =>
      q.path.includes('/manifests/')
        ? { corrupt: (b) => Buffer.from(b.toString().replace('"schemaVersion":2', '"schemaVersion": 2')) }
        : undefined;
    const msg = await failure(inspect(`docker://${proxy.host}/hostile/app@${digest}`, OPTS));
    expect(msg).toMatch(/digest mismatch/);
    // By tag, the registry's own Docker-Content-Digest gives it away.
    const byTag = await failure(inspect(ref, OPTS));
    expect(byTag).toMatch(/the registry says its digest is sha256:[0-9a-f]{64}, but the bytes hash to/);
  });

  it('a config whose bytes do not match its digest', async () => {
    proxy.fault = (r) =>
      /\/blobs\//.test(r.path) && !img.layers.some((l) => r.path.endsWith(l))
        ? { corrupt: (b) => Buffer.from(b.toString().replace('65532', '00000')) }
        : undefined;
    const msg = await failure(inspect(ref, OPTS));
    expect(msg).toMatch(/config .*digest mismatch/);
  });

  it('a registry that is not there: one line after bounded tries', async () => {
    const msg = await failure(inspect('docker://127.0.0.1:1/nothing/here:1', OPTS));
    expect(msg).toMatch(/127\.0\.0\.1:1\/nothing\/here:1: connection to 127\.0\.0\.1:1 failed after 3 tries/);
  });
});
