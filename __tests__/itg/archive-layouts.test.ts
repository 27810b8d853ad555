// Every archive layout Slimgate reads (TESTING.md, "Archive formats"), built in the tests from real image
// data, must give the same file list as the world's own `docker save` of the same image (Docker 26's
// classic store: the OCI layout plus manifest.json). The Docker 20.10 legacy layout comes from committed
// fixtures that a real 20.10 engine wrote.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/engine/engine.js';
import type { Report } from '../../src/types/report.js';
import { cli, stderrLines } from '../helpers/cli.js';
import {
  OCI_CONFIG,
  OCI_INDEX,
  OCI_MANIFEST,
  skopeo,
  TestImages,
  writeBlob,
  type BuiltImage,
} from '../helpers/images.js';
import { hexOf, packTar, readTar, sha256 } from '../helpers/tar-stream-io.js';
import type { TarEntry } from '../helpers/tar.js';
import { fromOracle, fromReport, umociUnpack } from '../helpers/oracle.js';
import { DAEMON_KINDS, daemonEnv, docker, node24, repoRoot, run } from '../helpers/world.js';

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}
interface OciManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}
interface DockerManifestEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

/** What `docker save` (legacy layout) holds for one image, read with tar-stream. */
interface Saved {
  config: Buffer;
  configDigest: string;
  layers: Buffer[];
  repoTags: string[];
}

async function readLegacy(file: string): Promise<Saved> {
  const entries = await readTar(readFileSync(file));
  const get = (name: string): Buffer => {
    const e = entries.find((x) => x.name === name);
    if (!e) throw new Error(`${file} has no ${name}`);
    return e.data;
  };
  const [m] = JSON.parse(get('manifest.json').toString()) as DockerManifestEntry[];
  const config = get(m!.Config);
  return {
    config,
    configDigest: sha256(config),
    layers: m!.Layers.map(get),
    repoTags: m!.RepoTags ?? [],
  };
}

function readOciLayout(dir: string, ref: string): { manifestDigest: string; manifest: OciManifest } {
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const desc = index.manifests.find((d) => d.annotations?.['org.opencontainers.image.ref.name'] === ref);
  if (!desc) throw new Error(`no ${ref} in ${dir}`);
  const blob = (d: string) => readFileSync(path.join(dir, 'blobs', 'sha256', hexOf(d)));
  return { manifestDigest: desc.digest, manifest: JSON.parse(blob(desc.digest).toString()) as OciManifest };
}

function blobEntry(data: Buffer): TarEntry {
  return { name: `blobs/sha256/${hexOf(sha256(data))}`, body: data };
}

function jsonEntry(name: string, doc: unknown): TarEntry {
  return { name, body: JSON.stringify(doc) };
}

/** Blobs sorted by name, as Docker 25+ and the containerd store write them. */
function sortedBlobs(blobs: Buffer[]): TarEntry[] {
  return blobs.map(blobEntry).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function repoAndTag(tag: string): [string, string] {
  const i = tag.lastIndexOf(':');
  return [tag.slice(0, i), tag.slice(i + 1)];
}

async function one(source: string, opts: Parameters<typeof inspect>[1] = {}): Promise<Report> {
  const reports = await inspect(source, opts);
  expect(reports).toHaveLength(1);
  return reports[0]!;
}

function expectInputErrorLine(r: ReturnType<typeof cli>): string {
  expect(r.status).toBe(2);
  const lines = stderrLines(r);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^slimgate: /);
  expect(r.stderr).not.toContain('    at ');
  return lines[0]!;
}

const images = new TestImages();
let bb: BuiltImage;
let sc: BuiltImage;
let work: string;
let legacyBb: Report;
let legacySc: Report;
let savedBb: Saved;

beforeAll(async () => {
  bb = await images.get('busybox-os');
  sc = await images.get('scratch-copy');
  work = images.tmp('layouts');
  legacyBb = await one(`docker-archive:${bb.dockerArchive}`);
  legacySc = await one(`docker-archive:${sc.dockerArchive}`);
  savedBb = await readLegacy(bb.dockerArchive);
  // The baselines themselves must be real: a whiteout-heavy image, and a matching config.
  expect(legacyBb.files.length).toBeGreaterThan(20);
  expect(legacyBb.layers.map((l) => l.diffId)).toEqual(bb.diffIds);
  expect(savedBb.configDigest).toBe(bb.id);
  expect(savedBb.layers.map((l) => sha256(l))).toEqual(bb.diffIds);
});
afterAll(() => images.cleanup());

describe('Docker 25+ docker save (OCI layout plus manifest.json)', () => {
  async function docker25(name: string, opts: { emptyOciLayers: boolean }): Promise<string> {
    const s = savedBb;
    const manifest: OciManifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: s.configDigest, size: s.config.length },
      // Docker 25.0.0 wrote an OCI manifest with no layers; manifest.json is what names them.
      layers: opts.emptyOciLayers
        ? []
        : s.layers.map((l) => ({
            mediaType: 'application/vnd.oci.image.layer.v1.tar',
            digest: sha256(l),
            size: l.length,
          })),
    };
    const manifestBuf = Buffer.from(JSON.stringify(manifest));
    const [repo, tag] = repoAndTag(bb.tag);
    const entries: TarEntry[] = [
      { name: 'blobs/', type: 'dir' },
      { name: 'blobs/sha256/', type: 'dir' },
      // layers stored uncompressed under their diff_id, the config and the manifest, sorted
      ...sortedBlobs([...s.layers, s.config, manifestBuf]),
      jsonEntry('index.json', {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          {
            mediaType: OCI_MANIFEST,
            digest: sha256(manifestBuf),
            size: manifestBuf.length,
            annotations: {
              'io.containerd.image.name': `docker.io/library/${bb.tag}`,
              'org.opencontainers.image.ref.name': tag,
            },
          },
        ],
      }),
      jsonEntry('manifest.json', [
        {
          Config: `blobs/sha256/${hexOf(s.configDigest)}`,
          RepoTags: [bb.tag],
          Layers: s.layers.map((l) => `blobs/sha256/${hexOf(sha256(l))}`),
        },
      ]),
      jsonEntry('oci-layout', { imageLayoutVersion: '1.0.0' }),
      jsonEntry('repositories', { [repo]: { [tag]: hexOf(s.configDigest) } }),
    ];
    const file = path.join(work, name);
    writeFileSync(file, await packTar(entries));
    return file;
  }

  it.each([
    ['full OCI manifest', false],
    ['Docker 25.0.0: OCI manifest with layers: []', true],
  ] as const)('%s: read through manifest.json, as docker-archive and sniffed', async (_, emptyOciLayers) => {
    const file = await docker25(`docker25-${emptyOciLayers ? 'empty' : 'full'}.tar`, { emptyOciLayers });
    for (const source of [`docker-archive:${file}`, file]) {
      const r = await one(source);
      expect(r.files).toEqual(legacyBb.files);
      expect(r.size).toEqual(legacyBb.size);
      expect(r.image.digest).toBe(bb.id);
      expect(r.layers.map((l) => l.diffId)).toEqual(bb.diffIds);
      expect(r.layers.map((l) => l.digest)).toEqual(bb.diffIds);
      expect(r.image.tags).toEqual([bb.tag]);
    }
  });

  it('a full Docker 25+ archive is also an oci-archive', async () => {
    const file = await docker25('docker25-as-oci.tar', { emptyOciLayers: false });
    const r = await one(`oci-archive:${file}`);
    expect(r.files).toEqual(legacyBb.files);
    expect(r.layers.map((l) => l.diffId)).toEqual(bb.diffIds);
  });
});

describe('containerd image store export (compressed blobs under their digests)', () => {
  it('reads gzip blobs named by their compressed digest, through manifest.json', async () => {
    // The gzip blobs skopeo wrote are the "original compressed blobs" a registry pull would have stored.
    const { manifestDigest, manifest } = readOciLayout(bb.ociDir, bb.ociRef);
    const blob = (d: string) => readFileSync(path.join(bb.ociDir, 'blobs', 'sha256', hexOf(d)));
    const layers = manifest.layers.map((l) => blob(l.digest));
    for (const l of layers) expect([...l.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    const config = blob(manifest.config.digest);
    const manifestBuf = blob(manifestDigest);
    const [, tag] = repoAndTag(bb.tag);
    const entries: TarEntry[] = [
      { name: 'blobs/', type: 'dir' },
      { name: 'blobs/sha256/', type: 'dir' },
      ...sortedBlobs([...layers, config, manifestBuf]),
      jsonEntry('index.json', {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          {
            mediaType: OCI_MANIFEST,
            digest: manifestDigest,
            size: manifestBuf.length,
            annotations: {
              'io.containerd.image.name': `docker.io/library/${bb.tag}`,
              'org.opencontainers.image.ref.name': tag,
            },
          },
        ],
      }),
      jsonEntry('manifest.json', [
        {
          Config: `blobs/sha256/${hexOf(manifest.config.digest)}`,
          RepoTags: [bb.tag],
          Layers: manifest.layers.map((l) => `blobs/sha256/${hexOf(l.digest)}`),
        },
      ]),
      jsonEntry('oci-layout', { imageLayoutVersion: '1.0.0' }),
    ];
    const file = path.join(work, 'containerd-export.tar');
    writeFileSync(file, await packTar(entries));
    for (const source of [`docker-archive:${file}`, file]) {
      const r = await one(source);
      expect(r.files).toEqual(legacyBb.files);
      expect(r.size.uncompressed).toBe(legacyBb.size.uncompressed);
      expect(r.size.wasted).toBe(legacyBb.size.wasted);
      expect(r.layers.map((l) => l.digest)).toEqual(manifest.layers.map((l) => l.digest));
      expect(r.layers.map((l) => l.compressedSize)).toEqual(manifest.layers.map((l) => l.size));
      expect(r.layers.map((l) => l.diffId)).toEqual(bb.diffIds);
      expect(r.size.compressed).toBe(layers.reduce((n, l) => n + l.length, 0));
      expect(r.size.compressed).toBeLessThan(legacyBb.size.compressed);
    }
  });
});

describe('a docker-archive holding two images', () => {
  let multi: string;
  let order: string[][];
  beforeAll(async () => {
    multi = path.join(work, 'multi.tar');
    docker(['save', '-o', multi, bb.tag, sc.tag], { timeout: 120_000 });
    const entries = await readTar(readFileSync(multi));
    const m = entries.find((e) => e.name === 'manifest.json');
    order = (JSON.parse(m!.data.toString()) as DockerManifestEntry[]).map((e) => e.RepoTags ?? []);
    expect(order).toHaveLength(2);
  });

  it('without a selector exits 2 with one line that lists the tags', () => {
    const line = expectInputErrorLine(cli(['inspect', `docker-archive:${multi}`, '--json']));
    expect(line).toContain(bb.tag);
    expect(line).toContain(sc.tag);
  });

  it('picks the image by :TAG', async () => {
    const a = await one(`docker-archive:${multi}:${sc.tag}`);
    expect(a.files).toEqual(legacySc.files);
    expect(a.image.digest).toBe(sc.id);
    const b = await one(`docker-archive:${multi}:${bb.tag}`);
    expect(b.files).toEqual(legacyBb.files);
    expect(b.image.digest).toBe(bb.id);
  });

  it('picks the image by @INDEX, in manifest.json order', async () => {
    for (const i of [0, 1]) {
      const want = order[i]!.includes(bb.tag) ? { img: bb, rep: legacyBb } : { img: sc, rep: legacySc };
      const r = await one(`docker-archive:${multi}@${i}`);
      expect(r.image.digest).toBe(want.img.id);
      expect(r.files).toEqual(want.rep.files);
    }
    expectInputErrorLine(cli(['inspect', `docker-archive:${multi}@2`]));
  });
});

describe('a gzip-compressed docker save', () => {
  it('reads `docker save | gzip` as docker-archive and sniffed', async () => {
    const tarball = docker(['save', bb.tag], { timeout: 120_000 }).stdoutBuffer;
    const gz = run('gzip', ['-c'], { input: tarball }).stdoutBuffer;
    expect([...gz.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    const file = path.join(work, 'saved.tar.gz');
    writeFileSync(file, gz);
    for (const source of [`docker-archive:${file}`, file]) {
      const r = await one(source);
      expect(r.files).toEqual(legacyBb.files);
      expect(r.image.digest).toBe(bb.id);
      expect(r.layers.map((l) => l.diffId)).toEqual(bb.diffIds);
    }
  });
});

describe('a multi-platform OCI layout', () => {
  let dir: string;
  const digests: Record<'amd64' | 'arm64' | 'armv7', string> = { amd64: '', arm64: '', armv7: '' };

  beforeAll(() => {
    // scratch-copy's layout (linux/amd64) plus arm64 and arm/v7 images that reuse its layers.
    dir = path.join(work, 'multi-platform');
    cpSync(sc.ociDir, dir, { recursive: true });
    const { manifestDigest, manifest } = readOciLayout(dir, sc.ociRef);
    const amd64Config = JSON.parse(
      readFileSync(path.join(dir, 'blobs', 'sha256', hexOf(manifest.config.digest)), 'utf8'),
    ) as Record<string, unknown>;
    expect(amd64Config.architecture).toBe('amd64');
    const variant = (architecture: string, v: string): Descriptor => {
      const cfg = writeBlob(dir, JSON.stringify({ ...amd64Config, architecture, variant: v }));
      const man = writeBlob(dir, JSON.stringify({ ...manifest, config: { mediaType: OCI_CONFIG, ...cfg } }));
      return { mediaType: OCI_MANIFEST, ...man, platform: { os: 'linux', architecture, variant: v } };
    };
    const amd64: Descriptor = {
      mediaType: OCI_MANIFEST,
      digest: manifestDigest,
      size: readFileSync(path.join(dir, 'blobs', 'sha256', hexOf(manifestDigest))).length,
      platform: { os: 'linux', architecture: 'amd64' },
    };
    const arm64 = variant('arm64', 'v8');
    const armv7 = variant('arm', 'v7');
    digests.amd64 = amd64.digest;
    digests.arm64 = arm64.digest;
    digests.armv7 = armv7.digest;
    const index = (manifests: Descriptor[]) =>
      writeBlob(dir, JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
    const named = (ref: string, blob: { digest: string; size: number }): Descriptor => ({
      mediaType: OCI_INDEX,
      ...blob,
      annotations: { 'org.opencontainers.image.ref.name': ref },
    });
    writeFileSync(
      path.join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [named('multi', index([amd64, arm64])), named('no-amd64', index([arm64, armv7]))],
      }),
    );
  });

  it('picks linux/amd64 by default', async () => {
    const r = await one(`oci:${dir}:multi`);
    expect(r.image.platform).toBe('linux/amd64');
    expect(r.image.digest).toBe(digests.amd64);
    expect(r.files).toEqual(legacySc.files);
  });

  it('picks linux/arm64 with --platform', async () => {
    const r = await one(`oci:${dir}:multi`, { platform: { os: 'linux', architecture: 'arm64' } });
    expect(r.image.platform).toMatch(/^linux\/arm64(\/v8)?$/);
    expect(r.image.digest).toBe(digests.arm64);
    expect(r.files).toEqual(legacySc.files);
    const c = cli(['inspect', `oci:${dir}:multi`, '--platform', 'linux/arm64', '--json']);
    expect(c.status, c.stderr).toBe(0);
    expect((JSON.parse(c.stdout) as Report).image.digest).toBe(digests.arm64);
  });

  it('returns both with --platform all (the CLI prints an array)', async () => {
    const reports = await inspect(`oci:${dir}:multi`, { platform: 'all' });
    expect(reports.map((r) => r.image.digest).sort()).toEqual([digests.amd64, digests.arm64].sort());
    const c = cli(['inspect', `oci:${dir}:multi`, '--platform', 'all', '--json']);
    expect(c.status, c.stderr).toBe(0);
    const doc = JSON.parse(c.stdout) as Report[];
    expect(Array.isArray(doc)).toBe(true);
    expect(doc.map((r) => r.image.digest).sort()).toEqual([digests.amd64, digests.arm64].sort());
    for (const r of doc) expect(r.files).toEqual(legacySc.files);
  });

  it('without amd64 and without --platform exits 2 listing the platforms', () => {
    const line = expectInputErrorLine(cli(['inspect', `oci:${dir}:no-amd64`, '--json']));
    expect(line).toContain('linux/arm64');
    expect(line).toContain('linux/arm/v7');
  });

  it('a platform the index lacks exits 2', () => {
    const line = expectInputErrorLine(cli(['inspect', `oci:${dir}:multi`, '--platform', 'linux/s390x']));
    expect(line).toContain('linux/s390x');
  });
});

describe('zstd layers', () => {
  let dir: string;
  const zlibHasZstd = (node: string): string =>
    run(node, ['-p', 'typeof require("node:zlib").createZstdDecompress']).stdout.trim();

  beforeAll(() => {
    dir = path.join(work, 'zstd');
    skopeo([
      'copy',
      '-q',
      '--dest-compress',
      '--dest-compress-format',
      'zstd',
      `docker-archive:${bb.dockerArchive}`,
      `oci:${dir}:zstd`,
    ]);
  });

  it('has real zstd layers', () => {
    const { manifest } = readOciLayout(dir, 'zstd');
    expect(manifest.layers).toHaveLength(bb.diffIds.length);
    for (const l of manifest.layers) {
      expect(l.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+zstd');
      const head = readFileSync(path.join(dir, 'blobs', 'sha256', hexOf(l.digest))).subarray(0, 4);
      expect(head.readUInt32LE(0)).toBe(0xfd2fb528);
    }
  });

  it('gives the same JSON on Node 20 (fzstd) and Node 24 (zlib), equal to the gzip layout’s files', async () => {
    // Which decoder each run uses: Node 20 has no zstd in zlib, Node 24 has.
    expect(zlibHasZstd(process.execPath), 'the tests run on Node 20, so this covers fzstd').toBe('undefined');
    const n24 = node24();
    expect(zlibHasZstd(n24)).toBe('function');
    const source = `oci:${dir}:zstd`;
    const a = cli(['inspect', source, '--json']);
    const b = cli(['inspect', source, '--json'], n24);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    const r20 = JSON.parse(a.stdout) as Report;
    const r24 = JSON.parse(b.stdout) as Report;
    expect(r24).toEqual(r20);
    const gzip = await one(`oci:${bb.ociDir}:${bb.ociRef}`);
    expect(r20.files).toEqual(gzip.files);
    expect(r20.files).toEqual(legacyBb.files);
    expect(r20.layers.map((l) => l.diffId)).toEqual(bb.diffIds);
    const { manifest } = readOciLayout(dir, 'zstd');
    expect(r20.layers.map((l) => l.digest)).toEqual(manifest.layers.map((l) => l.digest));
    // In-process (the TypeScript sources on this Node) agrees too.
    expect((await one(source)).files).toEqual(r20.files);
  });
});

// Docker 20.10's `docker save` layout, kept by small archives that a real 20.10 engine wrote once
// (scripts/make-legacy-fixtures.sh): the world now runs Docker 26, whose save writes the OCI layout.
describe('Docker 20.10 docker save (legacy layout), from committed fixtures', () => {
  const fixtures = path.join(repoRoot, '__tests__', 'fixtures', 'docker-20.10');
  const engine = JSON.parse(readFileSync(path.join(fixtures, 'engine.json'), 'utf8')) as {
    engine: string;
    scratch: { id: string; diffIds: string[] };
    whiteouts: { id: string; diffIds: string[] };
  };
  const names = ['scratch', 'whiteouts'] as const;
  const fixture = (n: string): string => path.join(fixtures, `${n}.tar.gz`);
  const paths = (r: Report): string[] => r.files.map((f) => f.path);

  it('the fixtures are what 20.10 writes: <v1id>/layer.tar, VERSION and json, <id>.json, no index.json', async () => {
    expect(engine.engine).toMatch(/^20\.10\./);
    for (const n of names) {
      const entries = (await readTar(gunzipSync(readFileSync(fixture(n))))).map((e) => e.name);
      expect(entries).toContain('manifest.json');
      expect(entries).toContain('repositories');
      expect(entries).not.toContain('index.json');
      expect(entries).toContain(`${hexOf(engine[n].id)}.json`);
      expect(entries.filter((e) => /^[0-9a-f]{64}\/layer\.tar$/.test(e))).toHaveLength(
        engine[n].diffIds.length,
      );
      expect(entries.filter((e) => /^[0-9a-f]{64}\/VERSION$/.test(e))).toHaveLength(engine[n].diffIds.length);
    }
  });

  it('reads them with the IDs and layers the 20.10 engine reported', async () => {
    for (const n of names) {
      const r = await one(`docker-archive:${fixture(n)}`);
      expect(r.image.digest).toBe(engine[n].id);
      expect(r.layers.map((l) => l.diffId)).toEqual(engine[n].diffIds);
      expect(r.image.tags).toEqual([`legacy-fixture/${n}:1`]);
    }
  });

  it('the classic builder’s image: the overwritten config is waste, owners and modes kept', async () => {
    const r = await one(`docker-archive:${fixture('scratch')}`);
    expect(paths(r)).toEqual(
      expect.arrayContaining([
        '/etc/app.conf',
        '/data/readme.txt',
        '/data/nested/secret.bin',
        '/usr/bin/tool',
      ]),
    );
    expect(r.size.wasted).toBe('listen=:8080\n'.length);
    const secret = r.files.find((f) => f.path === '/data/nested/secret.bin');
    expect(secret).toMatchObject({ uid: 65532, gid: 65532, size: 3000 });
    // The build context (a tar the client sends) dropped the setuid bit of the 4755 file.
    expect(r.files.find((f) => f.path === '/usr/bin/tool')?.mode).toBe('0755');
    expect(r.image.config.user).toBe('65532');
  });

  it('whiteouts and an opaque directory applied, and the same files as umoci unpacks', async () => {
    const r = await one(`docker-archive:${fixture('whiteouts')}`);
    expect(paths(r)).not.toEqual(expect.arrayContaining(['/target.bin']));
    for (const gone of ['/target.bin', '/keep/gone.txt', '/opq/old1', '/opq/sub', '/opq/sub/old2'])
      expect(paths(r)).not.toContain(gone);
    for (const kept of ['/keep/x.txt', '/keep/y.txt', '/opq/new', '/three.txt', '/three-link'])
      expect(paths(r)).toContain(kept);
    expect(r.size.wasted).toBe(500 + 'gone\n'.length + 'old one\n'.length + 'old two\n'.length);
    const plain = path.join(work, 'legacy-whiteouts.tar');
    writeFileSync(plain, gunzipSync(readFileSync(fixture('whiteouts'))));
    const oci = path.join(work, 'legacy-whiteouts-oci');
    skopeo(['copy', '-q', `docker-archive:${plain}`, `oci:${oci}:w`]);
    const unpacked = umociUnpack(oci, 'w');
    try {
      expect(fromReport(r.files)).toEqual(fromOracle(unpacked.records));
    } finally {
      unpacked.remove();
    }
  });

  it('two images in one archive: picked by :TAG and @INDEX', async () => {
    const two = fixture('two-images');
    expect((await one(`docker-archive:${two}:legacy-fixture/whiteouts:1`)).image.digest).toBe(
      engine.whiteouts.id,
    );
    const first = await one(`docker-archive:${two}@0`);
    const second = await one(`docker-archive:${two}@1`);
    expect([first.image.digest, second.image.digest].sort()).toEqual(
      [engine.scratch.id, engine.whiteouts.id].sort(),
    );
  });

  // Loaded into today's engines and saved again: the Docker 25+ layout, written by a real daemon.
  it.each(DAEMON_KINDS)('loaded into Docker 26 (%s store) and saved again: the same files', async (kind) => {
    const env = daemonEnv(kind);
    for (const n of names) {
      const legacy = await one(`docker-archive:${fixture(n)}`);
      const tag = `legacy-fixture/${n}:1`;
      run('docker', ['load', '-q', '-i', fixture(n)], { env, timeout: 120_000 });
      try {
        const saved = path.join(work, `resaved-${kind}-${n}.tar`);
        run('docker', ['save', '-o', saved, tag], { env, timeout: 120_000 });
        const entries = (await readTar(readFileSync(saved))).map((e) => e.name);
        expect(entries).toEqual(expect.arrayContaining(['index.json', 'manifest.json', 'oci-layout']));
        expect(entries.some((e) => e.endsWith('/layer.tar'))).toBe(false);
        for (const source of [`docker-archive:${saved}`, `oci-archive:${saved}`, saved]) {
          const r = await one(source);
          expect(r.files).toEqual(legacy.files);
          expect(r.size.uncompressed).toBe(legacy.size.uncompressed);
          expect(r.size.wasted).toBe(legacy.size.wasted);
          expect(r.layers.map((l) => l.diffId)).toEqual(engine[n].diffIds);
        }
        const live = await one(`docker-daemon:${tag}`, { daemon: { env } });
        expect(live.files).toEqual(legacy.files);
      } finally {
        run('docker', ['rmi', '--force', tag], { env, allowFailure: true });
      }
    }
  });
});
