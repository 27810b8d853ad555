// Hostile and broken image archives, through the engine (inspect) and through the bundled CLI. Every
// broken input must give an InputError whose message is one line naming the blob or file; content that
// is merely odd (escapes, loops, duplicates, pax, GNU long names, base-256) must be read correctly.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/engine/engine.js';
import { InputError } from '../../src/util/errors.js';
import type { Report } from '../../src/types/report.js';
import {
  dir,
  dockerArchive,
  dockerArchiveEntries,
  file,
  gzip,
  hardlink,
  hex,
  imageConfig,
  layer,
  ociArchive,
  ociArchiveParts,
  rawLayer,
  sha256,
  symlink,
  tar,
  type LayerBlob,
  type TarEntry,
} from '../helpers/tar.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-hostile-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function write(name: string, data: Buffer | string): string {
  const p = path.join(tmp, `${++n}-${name}`);
  writeFileSync(p, data);
  return p;
}

async function inputError(source: string, ...mustName: (string | RegExp)[]): Promise<InputError> {
  let caught: unknown;
  try {
    await inspect(source, { concurrency: 2 });
  } catch (err) {
    caught = err;
  }
  expect(caught, `inspect(${source}) should fail with an InputError`).toBeInstanceOf(InputError);
  const msg = (caught as Error).message;
  expect(msg, 'one line').not.toMatch(/\n/);
  expect(msg.length).toBeGreaterThan(10);
  for (const m of mustName) {
    if (typeof m === 'string') expect(msg).toContain(m);
    else expect(msg).toMatch(m);
  }
  return caught as InputError;
}

async function report(source: string): Promise<Report> {
  const reports = await inspect(source, { concurrency: 2 });
  expect(reports).toHaveLength(1);
  return reports[0] as Report;
}

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env['SLIMGATE_DEBUG'];
  const r = spawnSync(process.execPath, [path.join(repo, 'dist', 'cli.js'), ...args], {
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectCliInputError(r: ReturnType<typeof cli>, re: RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  const lines = r.stderr.replace(/\n$/, '').split('\n');
  expect(lines, 'exactly one stderr line').toHaveLength(1);
  expect(lines[0]).toMatch(/^slimgate: /);
  expect(lines[0]).not.toMatch(/^slimgate: internal error/);
  expect(lines[0]).toMatch(re);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const appTar = tar([dir('app/'), file('app/hello', Buffer.from('\x7fELF fake binary'), { mode: 0o755 })]);
const etcTar = tar([dir('etc/'), file('etc/motd', 'hi\n')]);

/** A layer whose diff_id is what the config should list for its (intact) tar. */
function truncatedGzipLayer(t: Buffer): LayerBlob {
  const gz = gzip(t);
  return rawLayer(gz.subarray(0, Math.floor(gz.length / 2)), sha256(t));
}

/** Replaces the body of the archive entry named `name`. */
function replaceBody(entries: TarEntry[], name: string, body: Buffer | string): TarEntry[] {
  let hit = false;
  const out = entries.map((e) => {
    if (e.name !== name) return e;
    hit = true;
    return { ...e, body };
  });
  if (!hit) throw new Error(`no entry ${name}`);
  return out;
}

describe('well-formed archives (sanity for the fixtures)', () => {
  it('reads a legacy docker-archive with plain layers', async () => {
    const r = await report(
      `docker-archive:${write('ok.tar', dockerArchive({ layers: [layer(appTar, 'none'), layer(etcTar, 'none')], repoTags: ['app:1'] }))}`,
    );
    expect(r.files.map((f) => f.path)).toEqual(['/app', '/app/hello', '/etc', '/etc/motd']);
    expect(r.layers).toHaveLength(2);
    expect(r.passed).toBe(true);
    expect(r.image.tags).toEqual(['app:1']);
  });

  it('reads an oci-archive with gzip layers, and the same through a bare path', async () => {
    const l1 = layer(appTar);
    const p = write('ok-oci.tar', ociArchive({ layers: [l1, layer(etcTar)] }));
    const r = await report(`oci-archive:${p}`);
    expect(r.layers.map((l) => l.digest)).toEqual([l1.digest, layer(etcTar).digest]);
    expect(r.layers.map((l) => l.diffId)).toEqual([sha256(appTar), sha256(etcTar)]);
    expect(r.size.uncompressed).toBe(Buffer.byteLength('\x7fELF fake binary') + 3);
    expect((await report(p)).files).toEqual(r.files);
  });

  it('reads a gzip-compressed docker-archive (docker save | gzip)', async () => {
    const p = write('ok.tar.gz', gzip(dockerArchive({ layers: [layer(appTar, 'none')] })));
    expect((await report(`docker-archive:${p}`)).files.map((f) => f.path)).toEqual(['/app', '/app/hello']);
  });

  it('follows skopeo-style layer.tar symlinks inside the archive', async () => {
    const l = layer(appTar, 'none');
    const config = imageConfig([l]);
    const cfgHex = hex(sha256(config));
    const entries: TarEntry[] = [
      file(`${hex(l.diffId)}.tar`, l.stored),
      file(`${cfgHex}.json`, config),
      dir('abc123/'),
      symlink('abc123/layer.tar', `../${hex(l.diffId)}.tar`),
      file(
        'manifest.json',
        JSON.stringify([{ Config: `${cfgHex}.json`, RepoTags: ['x:y'], Layers: ['abc123/layer.tar'] }]),
      ),
    ];
    const r = await report(`docker-archive:${write('skopeo.tar', tar(entries))}`);
    expect(r.files.map((f) => f.path)).toEqual(['/app', '/app/hello']);
  });
});

describe('broken archives are one-line InputErrors naming the blob or file', () => {
  it('a truncated gzip layer (docker-archive)', async () => {
    const p = write(
      'trunc-layer.tar',
      dockerArchive({ layers: [truncatedGzipLayer(Buffer.concat([appTar, Buffer.alloc(50_000, 1)]))] }),
    );
    await inputError(`docker-archive:${p}`, /layer\.tar/, p, /corrupt|truncated/);
  });

  it('a truncated gzip layer (oci-archive)', async () => {
    const l = truncatedGzipLayer(appTar);
    const p = write('trunc-layer-oci.tar', ociArchive({ layers: [l] }));
    await inputError(`oci-archive:${p}`, hex(l.digest).slice(0, 12), /corrupt|truncated/);
  });

  it('a gzip layer whose tar has a bad header checksum', async () => {
    const bad = tar([
      file('a', 'A'),
      file('b', 'B', { badChecksum: true }),
      file('c', Buffer.alloc(400_000, 7)),
    ]);
    const l = layer(bad);
    const p = write('bad-cksum-layer.tar', ociArchive({ layers: [l] }));
    await inputError(`oci-archive:${p}`, hex(l.digest).slice(0, 12), /bad tar header checksum/);
  });

  it('a layer blob that does not match the digest the manifest names', async () => {
    const l = layer(appTar);
    const other = gzip(tar([file('evil', 'swapped')]));
    const parts = ociArchiveParts([{ layers: [l] }]);
    const p = write(
      'wrong-digest.tar',
      tar(replaceBody(parts.entries, `blobs/sha256/${hex(l.digest)}`, other)),
    );
    const e = await inputError(`oci-archive:${p}`, hex(l.digest).slice(0, 12), /digest mismatch/);
    expect(e.message).toContain(sha256(other));
  });

  it('a layer whose size differs from the manifest', async () => {
    const l = layer(appTar);
    const p = write(
      'wrong-size.tar',
      ociArchive({
        layers: [l],
        patchManifest: (m) => {
          (m['layers'] as { size: number }[])[0]!.size += 1;
        },
      }),
    );
    await inputError(`oci-archive:${p}`, hex(l.digest).slice(0, 12), /size mismatch/);
  });

  it.each(['docker-archive', 'oci-archive'] as const)('a wrong diff_id in the config (%s)', async (kind) => {
    const l = layer(appTar, kind === 'docker-archive' ? 'none' : 'gzip');
    const wrong = sha256(Buffer.from('not this layer'));
    const config = imageConfig([l], { diffIds: [wrong] });
    const buf =
      kind === 'docker-archive'
        ? dockerArchive({ layers: [l], config })
        : ociArchive({ layers: [l], config });
    const e = await inputError(
      `${kind}:${write(`wrong-diffid-${kind}.tar`, buf)}`,
      /diff_id mismatch/,
      wrong,
    );
    expect(e.message).toContain(sha256(appTar));
  });

  it('a config with fewer diff_ids than layers', async () => {
    const l1 = layer(appTar, 'none');
    const l2 = layer(etcTar, 'none');
    const p = write('few-diffids.tar', dockerArchive({ layers: [l1, l2], config: imageConfig([l1]) }));
    await inputError(`docker-archive:${p}`, /1 diff_ids for 2 layers/);
  });

  it('a legacy config whose content does not match its <hex>.json name', async () => {
    const l = layer(appTar, 'none');
    const entries = dockerArchiveEntries([{ layers: [l] }]);
    const cfgName = entries.find((e) => /^[0-9a-f]{64}\.json$/.test(e.name))?.name as string;
    const p = write(
      'bad-config-digest.tar',
      tar(replaceBody(entries, cfgName, imageConfig([l], { architecture: 'arm64' }))),
    );
    await inputError(`docker-archive:${p}`, cfgName, /digest mismatch/);
  });

  it('a Docker 25+ archive whose blob does not match its blobs/sha256 name', async () => {
    const l = layer(appTar, 'none');
    const config = imageConfig([l]);
    const cfgPath = `blobs/sha256/${hex(sha256(config))}`;
    const layerPath = `blobs/sha256/${hex(l.digest)}`;
    const entries: TarEntry[] = [
      file(cfgPath, config),
      file(layerPath, tar([file('other', 'content')])),
      file('manifest.json', JSON.stringify([{ Config: cfgPath, RepoTags: ['a:b'], Layers: [layerPath] }])),
      file('oci-layout', '{"imageLayoutVersion":"1.0.0"}'),
    ];
    await inputError(
      `docker-archive:${write('d25-bad-blob.tar', tar(entries))}`,
      layerPath,
      /digest mismatch/,
    );
  });

  it('neither manifest.json nor index.json', async () => {
    const p = write('no-manifest.tar', tar([file('layer.tar', appTar), file('config.json', '{}')]));
    await inputError(p, p, /manifest\.json/, /index\.json/);
    await inputError(`docker-archive:${p}`, p, /manifest\.json/);
    await inputError(`oci-archive:${p}`, p, /index\.json/);
  });

  it('an oci-archive: source that is a docker-archive says what is missing, not that both are', async () => {
    const p = write('legacy-as-oci.tar', dockerArchive({ layers: [layer(appTar, 'none')] }));
    const e = await inputError(`oci-archive:${p}`, p, /index\.json/);
    expect(e.message).not.toMatch(/neither manifest\.json/);
  });

  it.each([
    ['not JSON', 'this is not json at all'],
    ['broken JSON', '[{"Config": "x.json", "Layers": ['],
    ['an object', '{"Config":"x.json","Layers":[]}'],
    ['an empty list', '[]'],
    ['a list of the wrong shape', '[{"Config": 5, "Layers": "a"}]'],
    ['null', 'null'],
  ])('a manifest.json that is %s', async (_n, body) => {
    const entries = replaceBody(
      dockerArchiveEntries([{ layers: [layer(appTar, 'none')] }]),
      'manifest.json',
      body,
    );
    const p = write('bad-manifest.tar', tar(entries));
    await inputError(`docker-archive:${p}`, /manifest\.json/, p);
  });

  it('a manifest.json naming a layer the archive does not have', async () => {
    const l = layer(appTar, 'none');
    const entries = dockerArchiveEntries([{ layers: [l] }]).filter((e) => !e.name.endsWith('/layer.tar'));
    const p = write('missing-layer.tar', tar(entries));
    await inputError(`docker-archive:${p}`, /layer\.tar/, p);
  });

  it.each([
    ['not JSON', 'nope'],
    ['an object without manifests', '{"schemaVersion":2}'],
    ['manifests that is not a list', '{"schemaVersion":2,"manifests":{}}'],
  ])('an index.json that is %s', async (_n, body) => {
    const parts = ociArchiveParts([{ layers: [layer(appTar)] }]);
    const p = write('bad-index.tar', tar(replaceBody(parts.entries, 'index.json', body)));
    await inputError(`oci-archive:${p}`, /index\.json/, p);
  });

  it('an index.json pointing at a missing manifest blob', async () => {
    const parts = ociArchiveParts([{ layers: [layer(appTar)] }]);
    const md = parts.manifestDigests[0] as string;
    const p = write('missing-manifest-blob.tar', tar(parts.entries.filter((e) => !e.name.endsWith(hex(md)))));
    await inputError(`oci-archive:${p}`, hex(md), p);
  });

  it('a manifest pointing at a missing config blob', async () => {
    const parts = ociArchiveParts([{ layers: [layer(appTar)] }]);
    const cd = parts.configDigests[0] as string;
    const p = write('missing-config-blob.tar', tar(parts.entries.filter((e) => !e.name.endsWith(hex(cd)))));
    await inputError(`oci-archive:${p}`, hex(cd), p);
  });

  it('a manifest pointing at a missing layer blob', async () => {
    const l = layer(appTar);
    const parts = ociArchiveParts([{ layers: [l] }]);
    const p = write(
      'missing-layer-blob.tar',
      tar(parts.entries.filter((e) => !e.name.endsWith(hex(l.digest)))),
    );
    await inputError(`oci-archive:${p}`, hex(l.digest), p);
  });

  it('a manifest blob that does not match its digest', async () => {
    const parts = ociArchiveParts([{ layers: [layer(appTar)] }]);
    const md = parts.manifestDigests[0] as string;
    const p = write(
      'tampered-manifest.tar',
      tar(replaceBody(parts.entries, `blobs/sha256/${hex(md)}`, '{"schemaVersion":2,"layers":[]}')),
    );
    await inputError(`oci-archive:${p}`, /digest mismatch/, hex(md).slice(0, 12));
  });

  it('an unsupported layer media type', async () => {
    const p = write(
      'foo-media.tar',
      ociArchive({
        layers: [layer(appTar)],
        patchManifest: (m) => {
          (m['layers'] as { mediaType: string }[])[0]!.mediaType = 'application/vnd.foo';
        },
      }),
    );
    await inputError(`oci-archive:${p}`, 'application/vnd.foo', /unsupported media type/);
  });

  it('a Docker schema 1 manifest', async () => {
    const p = write(
      'schema1.tar',
      ociArchive({
        layers: [layer(appTar)],
        patchManifest: (m) => {
          for (const k of Object.keys(m)) delete m[k];
          Object.assign(m, {
            schemaVersion: 1,
            name: 'library/app',
            tag: 'latest',
            architecture: 'amd64',
            fsLayers: [{ blobSum: 'sha256:' + '0'.repeat(64) }],
            history: [{ v1Compatibility: '{}' }],
          });
        },
      }),
    );
    await inputError(`oci-archive:${p}`, /schema 1/);
  });

  it('an empty file', async () => {
    const p = write('empty.tar', '');
    await inputError(p, p, /empty/);
    await inputError(`docker-archive:${p}`, p);
  });

  it.each([
    ['short text', 'hello, I am not a tar\n'],
    ['a JSON document', JSON.stringify({ schemaVersion: 2, manifests: [] }).padEnd(3000, ' ')],
    ['random bytes', Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919 + 3) & 0xff))],
  ])('a file that is not a tar: %s', async (_n, body) => {
    const p = write('not-a-tar.bin', body);
    await inputError(p, p);
  });

  it('JSON-looking blobs are kept only up to a total cap, so memory stays bounded', async () => {
    // Nine 7.5 MB blobs that start with "{": each under the per-blob cap, together over the 64 MiB total.
    const big = Buffer.alloc(7_500_000, 0x20);
    big[0] = 0x7b;
    const entries = Array.from({ length: 9 }, (_, i) =>
      file(`blobs/sha256/${hex(sha256(Buffer.from(`b${i}`)))}`, big),
    );
    const p = write('json-flood.tar', tar(entries));
    await inputError(p, p, /more than 64 MiB of JSON metadata/);
  });

  it('an archive that cannot be read is one line naming it', async () => {
    const { readArchive } = await import('../../src/sources/archive.js');
    const { scanLayer } = await import('../../src/scan/layer.js');
    const { createReadStream } = await import('node:fs');
    const missing = path.join(tmp, 'gone.tar');
    const reader = { stream: scanLayer, blob: () => Promise.reject(new Error('no blobs here')) };
    await expect(readArchive(createReadStream(missing), missing, reader)).rejects.toThrow(
      new RegExp(`^cannot read ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ENOENT$`),
    );
  });

  it('a gzip file whose content is not a tar', async () => {
    const p = write('gz-not-tar.gz', gzip(Buffer.alloc(4096, 0x41)));
    await inputError(p, p);
  });

  it.each([
    ['inside a layer body', 0.3],
    ['inside the config', 0.985],
  ])('a truncated outer archive (%s)', async (_n, frac) => {
    const full = dockerArchive({
      layers: [layer(Buffer.concat([appTar, tar([file('pad', Buffer.alloc(100_000, 2))])]), 'none')],
    });
    const cut = Math.floor(full.length * frac) - 100;
    const p = write('trunc-outer.tar', full.subarray(0, cut));
    await inputError(`docker-archive:${p}`, p);
  });

  it('a truncated gzip outer archive', async () => {
    const gz = gzip(dockerArchive({ layers: [layer(appTar, 'none')] }));
    const p = write('trunc-outer.tar.gz', gz.subarray(0, gz.length - 10));
    await inputError(`docker-archive:${p}`, p, /corrupt|truncated/);
  });

  it('an archive holding several images needs :TAG or @INDEX, and lists the tags', async () => {
    const a = { layers: [layer(appTar, 'none')], repoTags: ['app:1'] };
    const b = { layers: [layer(etcTar, 'none')], repoTags: ['etc:2', 'etc:latest'] };
    const p = write('two-images.tar', dockerArchive([a, b]));
    await inputError(`docker-archive:${p}`, 'app:1', 'etc:2', /@INDEX/);
    expect((await report(`docker-archive:${p}:etc:2`)).files.map((f) => f.path)).toEqual([
      '/etc',
      '/etc/motd',
    ]);
    expect((await report(`docker-archive:${p}:etc`)).files.map((f) => f.path)).toEqual(['/etc', '/etc/motd']);
    expect((await report(`docker-archive:${p}@0`)).files.map((f) => f.path)).toEqual(['/app', '/app/hello']);
    await inputError(`docker-archive:${p}@2`, /out of range/);
    await inputError(`docker-archive:${p}:nope:1`, 'nope:1', 'app:1');
  });

  it('an archive whose layer.tar symlinks form a loop', async () => {
    const l = layer(appTar, 'none');
    const config = imageConfig([l]);
    const cfgHex = hex(sha256(config));
    const entries: TarEntry[] = [
      file(`${cfgHex}.json`, config),
      symlink('a/layer.tar', '../b/layer.tar'),
      symlink('b/layer.tar', '../a/layer.tar'),
      file(
        'manifest.json',
        JSON.stringify([{ Config: `${cfgHex}.json`, RepoTags: null, Layers: ['a/layer.tar'] }]),
      ),
    ];
    const p = write('archive-loop.tar', tar(entries));
    await inputError(`docker-archive:${p}`, /symlink loop/, 'a/layer.tar');
  });

  it('manifest.json paths that climb out of the archive are never read from the host', async () => {
    const l = layer(appTar, 'none');
    const entries = dockerArchiveEntries([{ layers: [l] }]);
    const manifest = JSON.parse(String(entries.find((e) => e.name === 'manifest.json')?.body)) as {
      Config: string;
      Layers: string[];
    }[];
    const hostFile = write('host-secret.json', imageConfig([l]));
    const rel = path.relative('/', hostFile);
    manifest[0]!.Config = `../../../../../../../../${rel}`;
    const p = write('climb.tar', tar(replaceBody(entries, 'manifest.json', JSON.stringify(manifest))));
    await inputError(`docker-archive:${p}`, p, /has no/);
    manifest[0]!.Config = entries.find((e) => /^[0-9a-f]{64}\.json$/.test(e.name))?.name as string;
    manifest[0]!.Layers = [`/${rel}`];
    const p2 = write('climb2.tar', tar(replaceBody(entries, 'manifest.json', JSON.stringify(manifest))));
    await inputError(`docker-archive:${p2}`, p2, /has no/);
  });

  it('a platform the image does not have', async () => {
    const p = write(
      'arm.tar',
      ociArchive({ layers: [layer(appTar)], platform: { os: 'linux', architecture: 'arm64' } }),
    );
    await expect(
      inspect(`oci-archive:${p}`, { platform: { os: 'linux', architecture: 's390x' } }),
    ).rejects.toThrow(/linux\/s390x is not in this image; it has: linux\/arm64/);
  });
});

describe('odd but valid layer content is inspected correctly', () => {
  it('"../" entries are an SG901 integrity error, never extracted, and fail the image', async () => {
    const evil = tar([
      file('ok', 'fine'),
      file('../../etc/cron.d/evil', 'x'),
      hardlink('h', '../../../etc/shadow'),
    ]);
    const r = await report(`oci-archive:${write('escape.tar', ociArchive({ layers: [layer(evil)] }))}`);
    expect(r.files.map((f) => f.path)).toEqual(['/ok']);
    const sg901 = r.findings.filter((f) => f.id === 'SG901');
    expect(sg901).toHaveLength(2);
    for (const f of sg901) expect(f).toMatchObject({ category: 'integrity', severity: 'error', layer: 0 });
    expect(sg901[0]?.path).toBe('../../etc/cron.d/evil');
    expect(sg901[1]?.path).toMatch(/^h\b.*\.\.\/\.\.\/\.\.\/etc\/shadow$/);
    expect(r.passed).toBe(false);
  });

  it('symlink loops in parent paths are warnings, not hangs', { timeout: 20_000 }, async () => {
    const loops = tar([
      symlink('a', 'b'),
      symlink('b', 'a'),
      file('a/x', 'x'),
      symlink('s', 's'),
      file('s/y/z', 'z'),
      file('ok', 'o'),
    ]);
    const r = await report(`oci-archive:${write('loops.tar', ociArchive({ layers: [layer(loops)] }))}`);
    expect(r.files.map((f) => `${f.path} ${f.type}`)).toEqual([
      '/a symlink',
      '/b symlink',
      '/ok file',
      '/s symlink',
    ]);
    const loopFindings = r.findings.filter((f) => f.id === 'SG902');
    expect(loopFindings.map((f) => [f.path, f.severity, f.category])).toEqual([
      ['/a/x', 'warning', 'integrity'],
      ['/s/y/z', 'warning', 'integrity'],
    ]);
    expect(r.passed).toBe(true);
  });

  it('duplicate entries: the last one wins', async () => {
    const dup = tar([
      file('etc/conf', 'first version'),
      file('etc/conf', 'v2', { mode: 0o600, uid: 7 }),
      dir('d/'),
      file('d', 'now a file'),
    ]);
    const r = await report(`oci-archive:${write('dup.tar', ociArchive({ layers: [layer(dup)] }))}`);
    expect(r.files.map((f) => [f.path, f.type, f.size, f.mode, f.uid])).toEqual([
      ['/d', 'file', 10, '0644', 0],
      ['/etc', 'dir', 0, '0755', 0],
      ['/etc/conf', 'file', 2, '0600', 7],
    ]);
    expect(r.size.uncompressed).toBe(12);
  });

  it('pax headers, GNU long names and base-256 numbers inside a real layer', async () => {
    const paxPath = `opt/${'p'.repeat(120)}/data.bin`;
    const gnuPath = `usr/share/${'g'.repeat(150)}.txt`;
    const linkTarget = `/opt/${'t'.repeat(130)}`;
    const odd = tar([
      file(paxPath, 'pax-body', { pax: { path: paxPath, uid: '3000000', gid: '4000000' } }),
      file(gnuPath, 'gnu-body-longer', { longName: true }),
      symlink(`lib/${'l'.repeat(110)}`, linkTarget, { longName: true, longLink: true }),
      file('big-owner', 'abc', { uid: 2_500_000, gid: 9_000_000, base256: ['uid', 'gid', 'size'] }),
      file(`${'a'.repeat(70)}/${'b'.repeat(70)}/c.txt`, 'prefixed', { prefix: true }),
    ]);
    const r = await report(`oci-archive:${write('pax.tar', ociArchive({ layers: [layer(odd)] }))}`);
    const byPath = new Map(r.files.map((f) => [f.path, f]));
    expect(byPath.get(`/${paxPath}`)).toMatchObject({ type: 'file', size: 8, uid: 3000000, gid: 4000000 });
    expect(byPath.get(`/${gnuPath}`)).toMatchObject({ type: 'file', size: 15 });
    expect(byPath.get(`/lib/${'l'.repeat(110)}`)).toMatchObject({ type: 'symlink', link: linkTarget });
    expect(byPath.get('/big-owner')).toMatchObject({ type: 'file', size: 3, uid: 2_500_000, gid: 9_000_000 });
    expect(byPath.get(`/${'a'.repeat(70)}/${'b'.repeat(70)}/c.txt`)).toMatchObject({ size: 8 });
    expect(r.size.uncompressed).toBe(8 + 15 + 3 + 8);
    expect(r.findings).toEqual([]);
  });

  it('a path 10,000 directories deep (20 KB, over PATH_MAX) is refused with SG907, never a crash', async () => {
    const deep = `${'d/'.repeat(10_000)}f`;
    const t = tar([file(deep, 'deep', { pax: { path: deep } }), file('ok', 'o')]);
    const r = await report(`oci-archive:${write('deep.tar', ociArchive({ layers: [layer(t)] }))}`);
    expect(r.files.map((f) => f.path)).toEqual(['/ok']);
    expect(r.findings).toEqual([expect.objectContaining({ id: 'SG907', severity: 'error' })]);
  });

  it('a plain layer whose first entry name starts with "{" or "[" (it looks like JSON) is still a layer', async () => {
    const l1 = layer(tar([file('{"config": 1}', 'curly'), file('x', 'X')]), 'none');
    const l2 = layer(tar([file('[brackets]', 'square')]), 'none');
    const r = await report(
      `docker-archive:${write('json-looking.tar', dockerArchive({ layers: [l1, l2] }))}`,
    );
    expect(r.files.map((f) => f.path)).toEqual(['/[brackets]', '/x', '/{"config": 1}']);
    expect(r.layers.map((l) => l.diffId)).toEqual([l1.diffId, l2.diffId]);
  });

  it('whiteouts, opaque directories and hard links across layers', async () => {
    const l1 = layer(
      tar([
        dir('d/'),
        file('d/old', '12345'),
        file('big', Buffer.alloc(1000)),
        file('tool', 'abc', { mode: 0o755 }),
      ]),
    );
    const l2 = layer(
      tar([
        dir('d/'),
        file('d/.wh..wh..opq', ''),
        file('d/new', 'n'),
        file('.wh.big', ''),
        hardlink('tool2', 'tool'),
      ]),
    );
    const r = await report(`oci-archive:${write('changes.tar', ociArchive({ layers: [l1, l2] }))}`);
    expect(r.files.map((f) => [f.path, f.type, f.size, f.link])).toEqual([
      ['/d', 'dir', 0, null],
      ['/d/new', 'file', 1, null],
      ['/tool', 'file', 3, null],
      ['/tool2', 'hardlink', 3, '/tool'],
    ]);
    expect(r.size).toMatchObject({ uncompressed: 4, wasted: 1005, files: 4 });
    expect(r.layers.map((l) => [l.files, l.wastedBytes])).toEqual([
      [4, 1005],
      [3, 0],
    ]);
  });
});

describe('the CLI on hostile input', () => {
  it('a truncated gzip layer: exit 2, one "slimgate: " line, no stack', () => {
    const p = write(
      'cli-trunc.tar',
      dockerArchive({ layers: [truncatedGzipLayer(Buffer.concat([appTar, Buffer.alloc(50_000, 1)]))] }),
    );
    expectCliInputError(cli('inspect', `docker-archive:${p}`), /layer\.tar/);
  });

  it('a file that is not a tar: exit 2, one line naming it', () => {
    const p = write('cli-junk.bin', Buffer.alloc(3000, 0x7a));
    expectCliInputError(cli('inspect', p), new RegExp(path.basename(p)));
  });

  it('a wrong diff_id: exit 2, one line', () => {
    const l = layer(appTar);
    const p = write(
      'cli-diffid.tar',
      ociArchive({ layers: [l], config: imageConfig([l], { diffIds: [sha256(Buffer.from('x'))] }) }),
    );
    expectCliInputError(cli('inspect', `oci-archive:${p}`), /diff_id mismatch/);
  });

  it('a gzip layer whose tar is corrupt: exit 2, one line naming the blob, not an internal error', () => {
    const bad = tar([
      file('a', 'A'),
      file('b', 'B', { badChecksum: true }),
      file('c', Buffer.alloc(400_000, 7)),
    ]);
    const l = layer(bad);
    const p = write('cli-bad-cksum.tar', ociArchive({ layers: [l] }));
    expectCliInputError(cli('inspect', `oci-archive:${p}`), new RegExp(hex(l.digest).slice(0, 12)));
  });

  it('an OCI layout directory (layers scanned on workers): a good one passes, a truncated layer is exit 2', () => {
    const good = layer(appTar);
    const bad = truncatedGzipLayer(Buffer.concat([etcTar, Buffer.alloc(80_000, 3)]));
    const dirOf = (name: string, layers: LayerBlob[]): string => {
      const root = path.join(tmp, name);
      for (const e of ociArchiveParts([{ layers, refName: 'latest' }]).entries) {
        const p = path.join(root, e.name);
        if (e.type === 'dir') mkdirSync(p, { recursive: true });
        else writeFileSync(p, e.body ?? '');
      }
      return root;
    };
    const ok = cli('inspect', '--json', `oci:${dirOf('layout-ok', [good, layer(etcTar)])}`);
    expect(ok.status, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as Report).files.map((f) => f.path)).toEqual([
      '/app',
      '/app/hello',
      '/etc',
      '/etc/motd',
    ]);
    expectCliInputError(
      cli('inspect', `oci:${dirOf('layout-bad', [good, bad])}`),
      new RegExp(`layer 2 \\(${hex(bad.digest).slice(0, 12)}\\)`),
    );
  });

  it('a missing path: exit 2', () => {
    expectCliInputError(cli('inspect', path.join(tmp, 'does-not-exist.tar')), /does-not-exist\.tar/);
  });

  it('"../" entries: the image fails its policy (exit 1) and the finding is shown', () => {
    const evil = tar([file('ok', 'fine'), file('../escape', 'x')]);
    const p = write('cli-escape.tar', ociArchive({ layers: [layer(evil)] }));
    const r = cli('inspect', `oci-archive:${p}`);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/SG901/);
    const j = cli('inspect', '--json', `oci-archive:${p}`);
    expect(j.status).toBe(1);
    const doc = JSON.parse(j.stdout) as Report;
    expect(doc.passed).toBe(false);
    expect(doc.findings).toEqual([
      expect.objectContaining({ id: 'SG901', category: 'integrity', severity: 'error' }),
    ]);
  });
});
