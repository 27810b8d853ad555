// The layer cache: scan results by compressed digest, on disk, versioned, never trusted when corrupt.
// A warm second run downloads and scans no cached layer (counted at a proxy in front of a real registry),
// and the PR image and its baseline share their base layer within one run.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inspect, type InspectOptions } from '../../src/engine/engine.js';
import { InputError } from '../../src/util/errors.js';
import { CACHE_FORMAT, defaultCacheDir, LayerCache } from '../../src/scan/cache.js';
import { scanLayer, type LayerScan } from '../../src/scan/layer.js';
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
import { packTar } from '../helpers/tar-stream-io.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-cache-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
const freshDir = (): string => path.join(tmp, `cache-${n++}`);

async function sampleScan(): Promise<LayerScan> {
  const tar = await packTar([
    ...sampleFiles('cache'),
    { name: 'var/lib/dpkg/', type: 'dir' },
    { name: 'var/lib/dpkg/status', body: 'Package: a\nVersion: 1\n\nPackage: b\nVersion: 2\n' },
    { name: 'bin/', type: 'dir' },
    { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
    { name: 'bin/hard', type: 'hardlink', linkname: 'app' },
    { name: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 },
    { name: 'ünïcødé/🙂.txt', body: 'multi-byte names survive chunking' },
    { name: 'root/.npmrc', body: '//registry.npmjs.org/:_authToken=npm-literal-value\n' },
    { name: '../escape', body: 'x' },
  ]);
  return scanLayer([gzipSync(tar)], 'sample layer');
}

describe('LayerCache', () => {
  it('round-trips a scan exactly: records, heads (Buffers), package counts, secret verdicts, escapes', async () => {
    const scan = await sampleScan();
    expect(scan.entries.some((e) => e.head)).toBe(true);
    expect(scan.entries.find((e) => e.path === '/root/.npmrc')?.secret).toEqual({
      kind: 'credential',
      what: 'npm auth token',
    });
    expect(scan.entries.some((e) => e.records === 2)).toBe(true);
    expect(scan.escapes.length).toBe(1);
    const cache = new LayerCache(freshDir());
    await cache.put(scan);
    const back = await cache.get(scan.digest);
    expect(back).toEqual(scan);
    expect(back?.entries.find((e) => e.head)?.head).toBeInstanceOf(Buffer);
    expect(cache.stats).toMatchObject({ hits: 1, writes: 1, corrupt: 0 });
  });

  it('keeps entries under a versioned directory (format and code fingerprint)', async () => {
    const scan = await sampleScan();
    const root = freshDir();
    const cache = new LayerCache(root);
    await cache.put(scan);
    const dirs = readdirSync(root);
    expect(dirs).toHaveLength(1);
    expect(dirs[0]).toMatch(new RegExp(`^v${CACHE_FORMAT}-[0-9a-f]{12}$`));
    expect(cache.pathOf(scan.digest)).toBe(
      path.join(root, dirs[0] as string, `${scan.digest.slice(7)}.jsonl.gz`),
    );
    // An entry of another format version is simply not seen.
    const other = path.join(root, `v${CACHE_FORMAT + 1}-000000000000`);
    mkdirSync(other);
    expect(readdirSync(other)).toEqual([]);
  });

  const corruptions: [string, (file: string, scan: LayerScan) => void][] = [
    ['truncated', (f) => writeFileSync(f, readFileSync(f).subarray(0, 40))],
    [
      'a flipped byte',
      (f) => {
        const b = readFileSync(f);
        b[b.length >> 1] ^= 0x40;
        writeFileSync(f, b);
      },
    ],
    ['not gzip', (f) => writeFileSync(f, 'hello')],
    ['empty', (f) => writeFileSync(f, '')],
    [
      'valid gzip, an edited entry (the trailer hash catches it)',
      (f) => {
        const text = gunzipSync(readFileSync(f)).toString().replace('"/app"', '"/evil"');
        writeFileSync(f, gzipSync(text));
      },
    ],
    [
      'valid gzip, an entry dropped and the count fixed',
      (f) => {
        const lines = gunzipSync(readFileSync(f)).toString().split('\n');
        const header = JSON.parse(lines[0] as string) as { entries: number };
        header.entries -= 1;
        lines.splice(0, 2, JSON.stringify(header));
        writeFileSync(f, gzipSync(lines.join('\n')));
      },
    ],
    [
      'valid gzip, the entry of another digest',
      (f, scan) => {
        const text = gunzipSync(readFileSync(f))
          .toString()
          .replace(scan.digest, `sha256:${'0'.repeat(64)}`);
        writeFileSync(f, gzipSync(text));
      },
    ],
    [
      'valid gzip and a recomputed trailer, but a malformed entry',
      (f) => {
        const lines = gunzipSync(readFileSync(f)).toString().split('\n').filter(Boolean);
        lines[1] = JSON.stringify(['/x', 'socket', -1, 0, 0, 0, null, null, null]);
        const body = lines
          .slice(0, -1)
          .map((l) => l + '\n')
          .join('');
        const end = { end: lines.length - 2, sha256: createHash('sha256').update(body).digest('hex') };
        writeFileSync(f, gzipSync(body + JSON.stringify(end) + '\n'));
      },
    ],
  ];

  it.each(corruptions)('ignores, deletes and rewrites a corrupt entry: %s', async (_name, corrupt) => {
    const scan = await sampleScan();
    const cache = new LayerCache(freshDir());
    await cache.put(scan);
    const file = cache.pathOf(scan.digest) as string;
    corrupt(file, scan);
    expect(await cache.get(scan.digest)).toBeUndefined();
    expect(cache.stats.corrupt).toBe(1);
    expect(existsSync(file)).toBe(false);
    let rescans = 0;
    const again = await cache.through(scan.digest, async () => {
      rescans++;
      return scan;
    });
    expect(rescans).toBe(1);
    expect(again).toEqual(scan);
    expect(await cache.get(scan.digest)).toEqual(scan);
  });

  it('shares one scan between concurrent requests for a digest', async () => {
    const scan = await sampleScan();
    const cache = new LayerCache(freshDir());
    let scans = 0;
    const slow = async (): Promise<LayerScan> => {
      scans++;
      await new Promise((r) => setTimeout(r, 50));
      return scan;
    };
    const [a, b] = await Promise.all([cache.through(scan.digest, slow), cache.through(scan.digest, slow)]);
    expect(scans).toBe(1);
    expect(a).toEqual(b);
  });

  it('never stores a scan under a digest its bytes do not have', async () => {
    const scan = await sampleScan();
    const cache = new LayerCache(freshDir());
    const wrong = `sha256:${'1'.repeat(64)}`;
    await cache.through(wrong, async () => scan);
    expect(existsSync(cache.pathOf(wrong) as string)).toBe(false);
  });

  it('lives where the environment says, and SLIMGATE_CACHE=0 turns it off', () => {
    expect(defaultCacheDir({ SLIMGATE_CACHE_DIR: '/x/y' })).toBe('/x/y');
    expect(defaultCacheDir({ RUNNER_TEMP: '/runner/tmp' })).toBe('/runner/tmp/slimgate-cache');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/slimgate');
    expect(defaultCacheDir({ HOME: '/home/u' })).toMatch(/\.cache\/slimgate$/);
    expect(LayerCache.open({ env: { SLIMGATE_CACHE: '0' } })).toBeUndefined();
    expect(LayerCache.open({ cache: false })).toBeUndefined();
    const dir = freshDir();
    expect(LayerCache.open({ cache: dir })?.root).toBe(dir);
    // A value, not a process-wide singleton: each run opens its own and passes it on.
    expect(LayerCache.open({ cache: dir })).not.toBe(LayerCache.open({ cache: dir }));
    expect(LayerCache.open({ env: { SLIMGATE_CACHE_DIR: dir } })?.root).toBe(dir);
  });
});

describe('the cache in a run', () => {
  let registry: RegistryProc;
  let proxy: Proxy;
  let app: LayoutImage;
  let sibling: LayoutImage;
  const retry = { attempts: 2, baseDelayMs: 10, maxDelayMs: 20, maxRetryAfterMs: 100 };
  const opts = (cache: string | LayerCache): InspectOptions => ({
    cache,
    concurrency: 2,
    registry: { retry, credentials: { dockerConfigDir: '/nonexistent-docker-config' } },
  });
  const layerGets = (layers: string[]): number =>
    proxy.blobRequests().filter((r) => layers.some((l) => r.path.endsWith(l))).length;

  beforeAll(async () => {
    mkdirSync(path.join(tmp, 'store'));
    registry = await startRegistry({ root: path.join(tmp, 'store'), dir: tmp });
    proxy = await startProxy(registry.host);
    const base = sampleFiles('shared-base', 200_000);
    app = await makeLayout(path.join(tmp, 'app'), 'app', [base, sampleFiles('pr-top')]);
    sibling = await makeLayout(path.join(tmp, 'sib'), 'sib', [base, sampleFiles('main-top')]);
    expect(sibling.layers[0]).toBe(app.layers[0]);
    await pushLayout(app, `${registry.host}/c/app:pr`, 'oci');
    await pushLayout(sibling, `${registry.host}/c/app:main`, 'oci');
  });

  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  beforeEach(() => proxy.reset());

  it('a warm second run downloads and scans no cached layer', async () => {
    const cache = new LayerCache(freshDir());
    const cold = await inspect(`docker://${proxy.host}/c/app:pr`, opts(cache));
    expect(layerGets(app.layers)).toBe(2);
    expect(cache.stats).toMatchObject({ hits: 0, misses: 2, writes: 2 });

    proxy.reset();
    const warm = await inspect(`docker://${proxy.host}/c/app:pr`, opts(cache));
    expect(layerGets(app.layers)).toBe(0);
    expect(cache.stats).toMatchObject({ hits: 2, misses: 2, writes: 2 });
    expect(warm).toEqual(cold);
  });

  it('shares the base layer between the PR image and its baseline in one run', async () => {
    const dir = freshDir();
    await inspect(`docker://${proxy.host}/c/app:pr`, opts(dir));
    await inspect(`docker://${proxy.host}/c/app:main`, opts(dir));
    const base = app.layers[0] as string;
    expect(proxy.blobRequests().filter((r) => r.path.endsWith(base))).toHaveLength(1);
    expect(layerGets([...app.layers, ...sibling.layers])).toBe(3);
  });

  it('an OCI layout: a warm run scans nothing, yet still checks each blob file against its digest', async () => {
    const dir = freshDir();
    const [cold] = await inspect(`oci:${app.dir}:app`, opts(dir));
    const cache = new LayerCache(dir);
    const [warm] = await inspect(`oci:${app.dir}:app`, opts(cache));
    expect(cache.stats.hits).toBe(2);
    expect(warm).toEqual(cold);

    // A blob file changed on disk: the cache does not vouch for it.
    const copy = path.join(tmp, 'app-copy');
    rmSync(copy, { recursive: true, force: true });
    mkdirSync(copy);
    await makeLayout(copy, 'app', [sampleFiles('shared-base', 200_000), sampleFiles('pr-top')]);
    const blob = path.join(copy, 'blobs', 'sha256', (app.layers[1] as string).slice(7));
    const bytes = readFileSync(blob);
    bytes[5] ^= 0xff; // gzip MTIME: inflates fine, hashes differently
    writeFileSync(blob, bytes);
    const err = await inspect(`oci:${copy}:app`, opts(dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/digest mismatch/);
  });

  it('cache: false and SLIMGATE_CACHE=0 scan cold', async () => {
    await inspect(`docker://${proxy.host}/c/app:pr`, { ...opts(''), cache: false });
    expect(layerGets(app.layers)).toBe(2);
    proxy.reset();
    const saved = process.env.SLIMGATE_CACHE;
    process.env.SLIMGATE_CACHE = '0';
    try {
      const o = opts('');
      delete o.cache;
      await inspect(`docker://${proxy.host}/c/app:pr`, o);
      expect(layerGets(app.layers)).toBe(2);
    } finally {
      if (saved === undefined) delete process.env.SLIMGATE_CACHE;
      else process.env.SLIMGATE_CACHE = saved;
    }
  });
});
