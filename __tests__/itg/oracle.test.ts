// The final file system that Slimgate computes must equal the one umoci (an independent unpacker) unpacks,
// path by path, for real images built in the test world and read from every archive form.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/engine/engine.js';
import type { Report } from '../../src/types/report.js';
import {
  FORMS,
  sourcesOf,
  TestImages,
  type BuiltImage,
  type FormName,
  type ImageName,
} from '../helpers/images.js';
import { distinctInodeBytes, fromOracle, fromReport, umociUnpack, type FsRecord } from '../helpers/oracle.js';
import { hexOf, readTar } from '../helpers/tar-stream-io.js';

interface OciIndex {
  manifests: { digest: string; annotations?: Record<string, string> }[];
}
interface OciManifest {
  config: { digest: string };
  layers: { digest: string; size: number; mediaType: string }[];
}

/** The manifest digest and manifest that index.json names for `ref`, from a layout dir or an oci-archive. */
async function ociManifest(img: BuiltImage, form: 'oci' | 'oci-archive'): Promise<[string, OciManifest]> {
  let read: (p: string) => Buffer;
  if (form === 'oci') {
    read = (p) => readFileSync(path.join(img.ociDir, p));
  } else {
    const entries = await readTar(readFileSync(img.ociArchive));
    read = (p) => {
      const e = entries.find((x) => x.name === p || x.name === `./${p}`);
      if (!e) throw new Error(`${img.ociArchive} has no ${p}`);
      return e.data;
    };
  }
  const index = JSON.parse(read('index.json').toString()) as OciIndex;
  const desc = index.manifests.find(
    (m) => m.annotations?.['org.opencontainers.image.ref.name'] === img.ociRef,
  );
  if (!desc) throw new Error(`no manifest named ${img.ociRef} in ${form}`);
  const manifest = JSON.parse(read(`blobs/sha256/${hexOf(desc.digest)}`).toString()) as OciManifest;
  return [desc.digest, manifest];
}

const images = new TestImages();
afterAll(() => images.cleanup());

interface Subject {
  img: BuiltImage;
  oracle: FsRecord[];
  /** One report per form; a failed inspect is kept and thrown by the tests that await it. */
  reports: Map<FormName, Promise<Report>>;
}

const subjects = new Map<ImageName, Promise<Subject>>();

/** Builds the image, unpacks it with umoci and inspects every form, once per image in this file. */
function load(name: ImageName): Promise<Subject> {
  let s = subjects.get(name);
  if (!s) {
    s = (async () => {
      const img = await images.get(name);
      const unpacked = umociUnpack(img.ociDir, img.ociRef);
      const oracle = unpacked.records;
      unpacked.remove();
      const reports = new Map<FormName, Promise<Report>>();
      for (const form of FORMS) {
        const p = inspect(sourcesOf(img)[form]).then((r) => {
          expect(r).toHaveLength(1);
          return r[0]!;
        });
        p.catch(() => {}); // reported by the tests that await it
        reports.set(form, p);
      }
      return { img, oracle, reports };
    })();
    subjects.set(name, s);
  }
  return s;
}

/** Registers the build in a beforeAll of the calling describe; returns accessors for its tests. */
function subject(name: ImageName): { get(): Promise<Subject>; report(form: FormName): Promise<Report> } {
  beforeAll(async () => {
    await load(name);
  });
  return { get: () => load(name), report: async (form) => (await load(name)).reports.get(form)! };
}

describe.each(['scratch-copy', 'busybox-os', 'crafted'] as const)('%s', (name) => {
  const { get, report } = subject(name);

  it('unpacks with umoci into a non-trivial rootfs', async () => {
    const { oracle } = await get();
    expect(oracle.filter((r) => r.type === 'file').length).toBeGreaterThan(2);
    expect(oracle.some((r) => r.type === 'dir')).toBe(true);
  });

  it.each(FORMS)('%s: the final file system equals umoci’s rootfs', async (form) => {
    const r = await report(form);
    expect(fromReport(r.files)).toEqual(fromOracle((await get()).oracle));
    expect(r.size.files).toBe(r.files.length);
  });

  it.each(FORMS)('%s: size.uncompressed is the bytes of distinct regular-file inodes', async (form) => {
    const r = await report(form);
    expect(r.size.uncompressed).toBe(distinctInodeBytes((await get()).oracle));
  });

  it.each(FORMS)('%s: size.wasted is what the recipe overwrote or deleted', async (form) => {
    const r = await report(form);
    const { img } = await get();
    expect(r.size.wasted).toBe(img.expectedWasted);
    expect(r.layers.reduce((n, l) => n + l.wastedBytes, 0)).toBe(r.size.wasted);
  });

  it.each(FORMS)('%s: layers and diff_ids are docker inspect’s RootFS.Layers', async (form) => {
    const r = await report(form);
    const { img } = await get();
    expect(img.diffIds.length).toBeGreaterThan(0);
    expect(r.layers).toHaveLength(img.diffIds.length);
    expect(r.layers.map((l) => l.diffId)).toEqual(img.diffIds);
  });

  it.each(FORMS)('%s: the config’s user is docker inspect’s', async (form) => {
    const r = await report(form);
    expect(r.image.config.user).toBe((await get()).img.user || null);
  });

  it.each(['docker-archive', 'skopeo-docker-archive'] as const)(
    '%s: the digest is the image ID, and layers are stored uncompressed',
    async (form) => {
      const r = await report(form);
      const { img } = await get();
      expect(img.id).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(r.image.digest).toBe(img.id);
      expect(r.image.configDigest).toBe(img.id);
      // Docker archives hold each layer as a plain tar, so its digest is its diff_id.
      expect(r.layers.map((l) => l.digest)).toEqual(img.diffIds);
      expect(r.layers.map((l) => l.compressedSize)).toEqual(r.layers.map((l) => l.uncompressedSize));
    },
  );

  it.each(['oci', 'oci-archive'] as const)(
    '%s: the digest is the manifest’s, and layers are the manifest’s blobs',
    async (form) => {
      const r = await report(form);
      const [digest, manifest] = await ociManifest((await get()).img, form);
      expect(r.image.digest).toBe(digest);
      expect(r.image.configDigest).toBe(manifest.config.digest);
      expect(r.layers.map((l) => l.digest)).toEqual(manifest.layers.map((l) => l.digest));
      expect(r.layers.map((l) => l.compressedSize)).toEqual(manifest.layers.map((l) => l.size));
      expect(r.layers.map((l) => l.mediaType)).toEqual(manifest.layers.map((l) => l.mediaType));
      expect(r.size.compressed).toBe(manifest.layers.reduce((n, l) => n + l.size, 0));
    },
  );

  // A report's hard link names its target: that path must hold the same inode (on disk, after umoci).
  it.each(FORMS)('%s: every hard link names a path that holds the same inode', async (form) => {
    const r = await report(form);
    const byPath = new Map((await get()).oracle.map((o) => [o.path, o]));
    const problems = r.files
      .filter((f) => f.type === 'hardlink')
      .flatMap((f) => {
        const self = byPath.get(f.path);
        const target = byPath.get(f.link ?? '');
        if (!target) return [`${f.path} -> ${f.link}: no such path in the final file system`];
        if (target.inode !== self?.inode) {
          return [
            `${f.path} -> ${f.link}: another file (${target.type}, ${target.size} bytes, not ${f.size})`,
          ];
        }
        return [];
      });
    expect(problems).toEqual([]);
  });
});

// The fixtures must really contain what the comparisons above are meant to cover: checked on the layer
// tars (read with tar-stream) and on umoci's rootfs, not on Slimgate's report.
describe('the recipes exercise what they claim', () => {
  interface LayerEntry {
    layer: number;
    name: string;
    type: string;
    linkname: string | null;
  }
  async function layerEntries(img: BuiltImage): Promise<LayerEntry[]> {
    const outer = await readTar(readFileSync(img.dockerArchive));
    const data = (n: string) => outer.find((e) => e.name === n)!.data;
    const [m] = JSON.parse(data('manifest.json').toString()) as { Layers: string[] }[];
    const out: LayerEntry[] = [];
    for (const [layer, p] of m!.Layers.entries()) {
      for (const e of await readTar(data(p))) {
        out.push({ layer, name: e.name.replace(/^\.\//, ''), type: e.type, linkname: e.linkname });
      }
    }
    return out;
  }
  const oracleAt = async (name: ImageName, p: string) => (await load(name)).oracle.find((r) => r.path === p);
  subject('busybox-os');
  subject('crafted');

  it('busybox-os: whiteouts, hard links, setuid, sticky, setgid, a fifo, a symlink, owners', async () => {
    const entries = await layerEntries((await load('busybox-os')).img);
    expect(entries.filter((e) => e.name.split('/').pop()!.startsWith('.wh.')).length).toBeGreaterThan(3);
    expect(entries.filter((e) => e.type === 'link').map((e) => e.name)).toEqual(
      expect.arrayContaining(['bin/busybox', 'app/data/b-second.txt']),
    );
    const at = (p: string) => oracleAt('busybox-os', p);
    expect(await at('/app/big.bin')).toBeUndefined();
    expect(await at('/opt/gone/one')).toBeUndefined();
    expect((await at('/opt/gone/three'))?.type).toBe('file');
    expect((await at('/app/tool'))?.mode).toBe('4755');
    expect((await at('/app/sticky'))?.mode).toBe('1777');
    expect((await at('/app/sgid'))?.mode).toBe('2775');
    expect((await at('/app/world.txt'))?.mode).toBe('0666');
    expect(await at('/app/owned.txt')).toMatchObject({ uid: 1000, gid: 1000 });
    expect(await at('/app/sym-rel')).toMatchObject({ type: 'symlink', link: 'data/lower.txt' });
    expect((await at('/app/fifo'))?.type).toBe('fifo');
    expect((await at('/bin/busybox'))?.size).toBe(readFileSync('/bin/busybox').length);
  });

  it('crafted: implicit parents, an opaque dir, cross-layer hard links, a device, symlinked parents', async () => {
    const entries = await layerEntries((await load('crafted')).img);
    const names = (layer: number) => entries.filter((e) => e.layer === layer).map((e) => e.name);
    expect(names(0)).toContain('deep/a/b/file.txt');
    expect(names(0)).not.toContain('deep/');
    expect(names(1)).toContain('opq/.wh..wh..opq');
    const hl = entries.find((e) => e.name === 'hl-lower');
    expect(hl).toMatchObject({ layer: 1, type: 'link', linkname: 'target.bin' });
    expect(names(1)).not.toContain('target.bin');
    const at = (p: string) => oracleAt('crafted', p);
    expect((await at('/deep/a'))?.type).toBe('dir');
    expect(await at('/deep/a/b')).toBeUndefined();
    expect((await at('/new/implicit'))?.type).toBe('dir');
    expect(await at('/opq/old1')).toBeUndefined();
    expect((await at('/opq/new'))?.type).toBe('file');
    expect(await at('/hl-lower')).toMatchObject({ size: 100, mode: '0750', uid: 7, gid: 8 });
    expect(await at('/target.bin')).toBeUndefined();
    expect((await at('/real/through.txt'))?.type).toBe('file');
    expect((await at('/victim'))?.type).toBe('file');
    expect((await at('/filedir/inner'))?.type).toBe('file');
    expect((await at('/dev/zero0'))?.type).toBe('char');
    expect(await at('/keep')).toMatchObject({ mode: '0700', uid: 5, gid: 6 });
    expect((await at('/orig'))?.size).toBe(61);
    expect((await at('/orig-twin'))?.size).toBe(60);
  });
});

// Cases where Slimgate was seen to disagree with umoci, kept apart so each names one problem.
describe('single cases against umoci', () => {
  describe.each(['special-hardlinks', 'symlink-mode'] as const)('%s', (name) => {
    const { get, report } = subject(name);
    it.each(['docker-archive', 'oci'] as const)(
      '%s: the final file system equals umoci’s rootfs',
      async (form) => {
        const r = await report(form);
        expect(fromReport(r.files)).toEqual(fromOracle((await get()).oracle));
      },
    );
  });
});
