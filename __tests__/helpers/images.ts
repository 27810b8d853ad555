// Real images for tests, built in the test world and exported in every archive form Slimgate reads.
//
//   const images = new TestImages();
//   beforeAll(async () => { bb = await images.get('busybox-os'); });
//   afterAll(() => images.cleanup());
//
// Each TestImages builds an image once (per test file) under unique tags, so that test files running in
// parallel never race on a tag. Builds use the classic builder with no network: nothing can be pulled, so
// images are FROM scratch, or FROM a base imported from a busybox-static rootfs, or assembled by hand.
import {
  chmodSync,
  copyFileSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { docker, run } from './world.js';
import { hexOf, packTar, sha256 } from './tar-stream-io.js';
import type { TarEntry } from './tar.js';

export type ImageName =
  | 'scratch-copy'
  | 'busybox-os'
  | 'crafted'
  // Small images for single cases where Slimgate and umoci were seen to disagree:
  | 'special-hardlinks'
  | 'symlink-mode';

/** The forms an image is exported in; keys are also used as test labels. */
export type FormName = 'docker-archive' | 'oci' | 'oci-archive' | 'skopeo-docker-archive';
export const FORMS: readonly FormName[] = ['docker-archive', 'oci', 'oci-archive', 'skopeo-docker-archive'];

export interface BuiltImage {
  name: ImageName;
  /** The image's tag in the world's docker engine (repo:tag). */
  tag: string;
  /** Working directory holding the exports. */
  dir: string;
  /** `docker save -o` (Docker 26, classic store: the OCI layout plus manifest.json). */
  dockerArchive: string;
  /** `skopeo copy … oci:DIR:REF` (gzip layers), or the hand-made layout for `crafted`. */
  ociDir: string;
  ociRef: string;
  /** `skopeo copy … oci-archive:FILE:REF`. */
  ociArchive: string;
  /** `skopeo copy … docker-archive:FILE:TAG` (layer.tar symlinks). */
  skopeoArchive: string;
  /** `docker inspect -f {{.Id}}`. */
  id: string;
  /** `docker inspect -f {{json .RootFS.Layers}}`. */
  diffIds: string[];
  /** `docker inspect -f {{.Config.User}}`. */
  user: string;
  /** Bytes of regular files that a later layer overwrote or deleted, worked out from the recipe itself. */
  expectedWasted: number;
}

/** The source string for each form. */
export function sourcesOf(img: BuiltImage): Record<FormName, string> {
  return {
    'docker-archive': `docker-archive:${img.dockerArchive}`,
    oci: `oci:${img.ociDir}:${img.ociRef}`,
    'oci-archive': `oci-archive:${img.ociArchive}:${img.ociRef}`,
    'skopeo-docker-archive': `docker-archive:${img.skopeoArchive}`,
  };
}

export function skopeo(args: readonly string[]): void {
  // --insecure-policy: a clean machine may lack /etc/containers/policy.json; nothing here is pulled.
  run('skopeo', ['--insecure-policy', ...args], { timeout: 120_000 });
}

const BUILD_ENV = { DOCKER_BUILDKIT: '0' };

/** A printf format that prints exactly `s` (kept simple: no quotes, percent signs or backslashes). */
function printfArg(s: string): string {
  if (/['%\\]/.test(s)) throw new Error(`printfArg: unsupported characters in ${JSON.stringify(s)}`);
  return `'${s.replace(/\n/g, '\\n')}'`;
}

// ------------------------------------------------------------------------------------------- recipes

/** Contents the busybox-os recipe writes, so that the expected waste follows from the recipe. */
const BB = {
  osRelease1: 'NAME="BusyBox"\nID=busybox\nVERSION_ID=1\n',
  osRelease2: 'NAME="BusyBox"\nID=busybox\nVERSION_ID=2\nPRETTY_NAME="BusyBox two"\n',
  passwd: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh\n',
  bigBytes: 65536,
  del: 'to be deleted\n',
  config1: 'version one\n',
  config2: 'version two, which is longer\n',
  lower: 'lower target\n',
  pair: 'linked twice\n',
  goneOne: 1000,
  goneTwo: 2000,
  three: 'new\n',
  tool: '#!/bin/sh\necho tool\n',
  owned: 'owned by 1000\n',
  world: 'anyone may write\n',
};

/**
 * Bytes that the busybox-os Dockerfile throws away. The classic builder on vfs stores a whole file in the
 * upper layer when only its metadata changed, so `chmod u+s` and `chown` also waste the lower copy.
 */
const BB_WASTED =
  BB.bigBytes + // rm /app/big.bin
  BB.del.length + // rm /app/data/del.txt
  BB.config1.length + // /app/config.txt rewritten
  BB.goneOne + // rm -rf /opt/gone
  BB.goneTwo +
  BB.tool.length + // chmod u+s /app/tool (copied up)
  BB.owned.length + // chown 1000:1000 /app/owned.txt (copied up)
  BB.osRelease1.length; // /etc/os-release rewritten in the last layer
// Not waste: rm /bin/bb and rm /app/data/a-first.txt remove one of two hard-linked paths.
// `ln /app/data/lower.txt /app/data/upper-hard.txt` links to a file of a lower layer, but the classic
// builder's diff holds only the new path, so it stores upper-hard.txt as a regular file (a copy). Tar hard
// links across layers come from the `crafted` image.

const BB_DOCKERFILE = (base: string): string => `FROM ${base}
RUN mkdir -p /app/data /opt/gone/sub \\
 && head -c ${BB.bigBytes} /dev/zero > /app/big.bin \\
 && printf ${printfArg(BB.del)} > /app/data/del.txt \\
 && printf ${printfArg(BB.config1)} > /app/config.txt \\
 && printf ${printfArg(BB.lower)} > /app/data/lower.txt \\
 && printf ${printfArg(BB.pair)} > /app/data/a-first.txt \\
 && ln /app/data/a-first.txt /app/data/b-second.txt \\
 && head -c ${BB.goneOne} /dev/zero > /opt/gone/one \\
 && head -c ${BB.goneTwo} /dev/zero > /opt/gone/sub/two \\
 && printf ${printfArg(BB.tool)} > /app/tool && chmod 755 /app/tool \\
 && printf ${printfArg(BB.owned)} > /app/owned.txt
RUN rm /app/data/del.txt /app/big.bin /app/data/a-first.txt /bin/bb \\
 && rm -rf /opt/gone && mkdir -p /opt/gone && printf ${printfArg(BB.three)} > /opt/gone/three \\
 && printf ${printfArg(BB.config2)} > /app/config.txt \\
 && chmod u+s /app/tool \\
 && ln /app/data/lower.txt /app/data/upper-hard.txt \\
 && ln -s /app/data/b-second.txt /app/sym-abs && ln -s data/lower.txt /app/sym-rel \\
 && chown 1000:1000 /app/owned.txt \\
 && printf ${printfArg(BB.world)} > /app/world.txt && chmod 666 /app/world.txt \\
 && mkdir /app/sticky && chmod 1777 /app/sticky \\
 && mkdir /app/sgid && chmod 2775 /app/sgid \\
 && mkfifo /app/fifo
RUN printf ${printfArg(BB.osRelease2)} > /etc/os-release
USER 1000:1000
CMD ["/bin/sh"]
`;

const APPLETS = ['sh', 'mkdir', 'rm', 'ln', 'chmod', 'chown', 'printf', 'head', 'cat', 'mkfifo', 'touch'];

/**
 * A busybox-static rootfs: /bin/busybox hard-linked as /bin/bb, applet symlinks, /etc, /tmp, /root.
 * It is imported as `tar --sort=name`, so /bin/bb is the tar's regular file and /bin/busybox a hard link
 * to it; the Dockerfile then removes /bin/bb, leaving /bin/busybox a hard link whose named target is gone.
 */
export function makeBusyboxRootfs(root: string): void {
  mkdirSync(path.join(root, 'bin'), { recursive: true });
  mkdirSync(path.join(root, 'etc'));
  mkdirSync(path.join(root, 'tmp'));
  mkdirSync(path.join(root, 'root'));
  chmodSync(root, 0o755);
  chmodSync(path.join(root, 'bin'), 0o755);
  chmodSync(path.join(root, 'etc'), 0o755);
  chmodSync(path.join(root, 'tmp'), 0o1777);
  chmodSync(path.join(root, 'root'), 0o700);
  copyFileSync('/bin/busybox', path.join(root, 'bin', 'busybox'));
  chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
  linkSync(path.join(root, 'bin', 'busybox'), path.join(root, 'bin', 'bb'));
  for (const a of APPLETS) symlinkSync('busybox', path.join(root, 'bin', a));
  writeFileSync(path.join(root, 'etc', 'os-release'), BB.osRelease1, { mode: 0o644 });
  writeFileSync(path.join(root, 'etc', 'passwd'), BB.passwd, { mode: 0o644 });
}

const SCRATCH_DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
COPY app.conf /etc/app.conf
COPY --chown=65532:65532 data/ /data/
USER 65532
ENTRYPOINT ["/bin/busybox"]
CMD ["true"]
`;

function makeScratchContext(ctx: string): void {
  mkdirSync(path.join(ctx, 'data', 'nested'), { recursive: true });
  copyFileSync('/bin/busybox', path.join(ctx, 'busybox'));
  chmodSync(path.join(ctx, 'busybox'), 0o755);
  writeFileSync(path.join(ctx, 'app.conf'), 'listen=:8080\n');
  chmodSync(path.join(ctx, 'app.conf'), 0o644);
  writeFileSync(path.join(ctx, 'data', 'readme.txt'), 'static data\n');
  chmodSync(path.join(ctx, 'data', 'readme.txt'), 0o644);
  writeFileSync(path.join(ctx, 'data', 'nested', 'secret.bin'), Buffer.alloc(3000, 7));
  chmodSync(path.join(ctx, 'data', 'nested', 'secret.bin'), 0o600);
  chmodSync(path.join(ctx, 'data', 'nested'), 0o750);
}

// The `crafted` image: layers written entry by entry, for what the classic builder on vfs never emits:
// entries without parent directory entries, opaque directories, hard links to a lower layer, parents
// reached through a symlink, a file replacing a directory and a directory replacing a file, devices.
const CRAFTED = {
  deep: 'deep file\n',
  old1: 10,
  old2: 20,
  target: 100,
  victimF: 30,
  filedir: 40,
  orig1: 60,
};
const CRAFTED_WASTED = CRAFTED.old1 + CRAFTED.old2 + CRAFTED.victimF + CRAFTED.filedir + CRAFTED.deep.length;
// Not waste: /target.bin is whited out, but /hl-lower (a hard link to it from a later layer) survives; and
// /orig is replaced, but /orig-twin keeps the first inode.

function bytes(n: number, fill = 0x61): Buffer {
  return Buffer.alloc(n, fill);
}

const CRAFTED_LAYERS: TarEntry[][] = [
  [
    { name: './', type: 'dir', mode: 0o755 },
    // no entries for deep/, deep/a/ or deep/a/b/
    { name: 'deep/a/b/file.txt', body: CRAFTED.deep },
    { name: 'keep/', type: 'dir', mode: 0o700, uid: 5, gid: 6 },
    { name: 'keep/x.txt', body: 'x\n', mode: 0o640, uid: 5, gid: 6 },
    { name: 'opq/', type: 'dir', mode: 0o755 },
    { name: 'opq/old1', body: bytes(CRAFTED.old1) },
    { name: 'opq/sub/', type: 'dir', mode: 0o750 },
    { name: 'opq/sub/old2', body: bytes(CRAFTED.old2) },
    { name: 'target.bin', body: bytes(CRAFTED.target), mode: 0o750, uid: 7, gid: 8 },
    { name: 'real/', type: 'dir', mode: 0o755 },
    { name: 'lnk', type: 'symlink', linkname: 'real', uid: 9, gid: 9 },
    { name: 'victim/', type: 'dir', mode: 0o755 },
    { name: 'victim/f', body: bytes(CRAFTED.victimF) },
    { name: 'filedir', body: bytes(CRAFTED.filedir) },
    { name: 'dev/', type: 'dir', mode: 0o755 },
    { name: 'dev/zero0', type: 'char', devmajor: 1, devminor: 5, mode: 0o666 },
    { name: 'setgid/', type: 'dir', mode: 0o2775, gid: 50 },
    { name: 'sticky/', type: 'dir', mode: 0o1777 },
    { name: 'suid', body: 'x', mode: 0o4711 },
    { name: 'orig', body: bytes(CRAFTED.orig1) },
    { name: 'orig-twin', type: 'hardlink', linkname: 'orig' },
  ],
  [
    // the parent comes from the lower layer, with its mode and owner
    { name: 'keep/y.txt', body: 'yy\n', mode: 0o600 },
    { name: 'opq/', type: 'dir', mode: 0o711 },
    { name: 'opq/.wh..wh..opq' },
    { name: 'opq/new', body: bytes(5) },
    // hard link to a file of the layer below; the header's mode is not the target's
    { name: 'hl-lower', type: 'hardlink', linkname: 'target.bin', mode: 0o600 },
    // the parent is a symlink to /real
    { name: 'lnk/through.txt', body: 'through\n' },
    { name: 'victim', body: bytes(50) },
    { name: 'filedir/', type: 'dir', mode: 0o755 },
    { name: 'filedir/inner', body: 'in\n' },
    // no entries for new/ or new/implicit/
    { name: 'new/implicit/z.txt', body: 'z\n' },
    // a new inode for /orig; /orig-twin keeps the old one
    { name: 'orig', body: bytes(CRAFTED.orig1 + 1, 0x62) },
  ],
  [{ name: '.wh.target.bin' }, { name: 'deep/a/.wh.b' }, { name: 'deep/a/c.txt', body: 'c\n' }],
];

// `ln` (no -s) on a symlink or a fifo makes a second name for that symlink or fifo: link(2) does not
// follow symlinks. The classic builder writes the second name as a tar hard link to the first.
const SPECIAL_HARDLINKS_DOCKERFILE = (base: string): string => `FROM ${base}
RUN printf 'data' > /data.txt && ln -s data.txt /sym && ln /sym /sym-twin \\
 && mkfifo /pipe && chown 1000:1000 /pipe && chmod 600 /pipe && ln /pipe /pipe-twin
`;

// A symlink whose tar header says 0755: Linux has no symlink permissions, so on disk it is 0777.
const SYMLINK_MODE_LAYERS: TarEntry[][] = [
  [
    { name: 'target.txt', body: 'target\n' },
    { name: 'sym-0755', type: 'symlink', linkname: 'target.txt', mode: 0o755 },
  ],
];

const CRAFTED_RECIPES = {
  crafted: { layers: CRAFTED_LAYERS, wasted: CRAFTED_WASTED },
  'symlink-mode': { layers: SYMLINK_MODE_LAYERS, wasted: 0 },
} as const;

interface OciManifestDoc {
  schemaVersion: 2;
  mediaType: string;
  config: { mediaType: string; digest: string; size: number };
  layers: { mediaType: string; digest: string; size: number }[];
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

/** Writes a blob into an OCI layout directory; returns its descriptor fields. */
export function writeBlob(ociDir: string, data: Buffer | string): { digest: string; size: number } {
  const buf = Buffer.from(data);
  const digest = sha256(buf);
  const dir = path.join(ociDir, 'blobs', 'sha256');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, hexOf(digest)), buf);
  return { digest, size: buf.length };
}

/** Writes an OCI image layout (gzip layers, linux/amd64 config) with one image named `ref`. */
async function makeCraftedLayout(ociDir: string, ref: string, recipe: readonly TarEntry[][]): Promise<void> {
  mkdirSync(ociDir, { recursive: true });
  writeFileSync(path.join(ociDir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const diffIds: string[] = [];
  const layers: OciManifestDoc['layers'] = [];
  for (const entries of recipe) {
    const tarBuf = await packTar(entries);
    diffIds.push(sha256(tarBuf));
    const blob = writeBlob(ociDir, gzipSync(tarBuf));
    layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...blob });
  }
  const config = {
    created: '2024-01-02T03:04:05Z',
    architecture: 'amd64',
    os: 'linux',
    config: { User: '4242', Env: ['PATH=/bin'], Cmd: ['/suid'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: recipe.map((_, i) => ({ created_by: `crafted layer ${i}` })),
  };
  const cfg = writeBlob(ociDir, JSON.stringify(config));
  const manifest: OciManifestDoc = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, ...cfg },
    layers,
  };
  const man = writeBlob(ociDir, JSON.stringify(manifest));
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      { mediaType: OCI_MANIFEST, ...man, annotations: { 'org.opencontainers.image.ref.name': ref } },
    ],
  };
  writeFileSync(path.join(ociDir, 'index.json'), JSON.stringify(index));
}

// ------------------------------------------------------------------------------------------- builder

export class TestImages {
  readonly root: string;
  private readonly built = new Map<ImageName, Promise<BuiltImage>>();
  private baseTag: string | undefined;
  private readonly tags: string[] = [];
  private readonly prefix: string;

  constructor() {
    this.root = mkdtempSync(path.join(tmpdir(), 'slimgate-images-'));
    this.prefix = `sg-test-${process.pid}-${path.basename(this.root).slice(-6).toLowerCase()}`;
  }

  /** Builds the image on first use (in this TestImages); later calls return the same build. */
  get(name: ImageName): Promise<BuiltImage> {
    let p = this.built.get(name);
    if (!p) {
      p = this.build(name);
      this.built.set(name, p);
    }
    return p;
  }

  /** A fresh directory under this object's root. */
  tmp(name: string): string {
    const dir = path.join(this.root, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Removes the tags this object created and its directory. */
  cleanup(): void {
    for (const tag of this.tags.reverse()) docker(['rmi', '--force', tag], { allowFailure: true });
    rmSync(this.root, { recursive: true, force: true });
  }

  private tag(name: string): string {
    const t = `${this.prefix}-${name}:1`;
    this.tags.push(t);
    return t;
  }

  /** The base image imported from a busybox-static rootfs (once per TestImages). */
  private base(): string {
    if (this.baseTag) return this.baseTag;
    const rootfs = path.join(this.tmp('busybox-base'), 'rootfs');
    makeBusyboxRootfs(rootfs);
    const base = this.tag('busybox-base');
    const tarball = run('tar', ['-C', rootfs, '--sort=name', '--numeric-owner', '-c', '.']).stdoutBuffer;
    docker(['import', '-', base], { input: tarball, timeout: 120_000 });
    return (this.baseTag = base);
  }

  private dockerBuild(dir: string, tag: string, dockerfile: string): void {
    const ctx = path.join(dir, 'context');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(path.join(ctx, 'Dockerfile'), dockerfile);
    docker(['build', '--network', 'none', '-q', '-t', tag, ctx], { env: BUILD_ENV, timeout: 300_000 });
  }

  private async build(name: ImageName): Promise<BuiltImage> {
    const dir = this.tmp(name);
    const tag = this.tag(name);
    let expectedWasted = 0;
    let ociDir: string | undefined;
    if (name === 'scratch-copy') {
      makeScratchContext(path.join(dir, 'context'));
      this.dockerBuild(dir, tag, SCRATCH_DOCKERFILE);
    } else if (name === 'busybox-os') {
      this.dockerBuild(dir, tag, BB_DOCKERFILE(this.base()));
      expectedWasted = BB_WASTED;
    } else if (name === 'special-hardlinks') {
      this.dockerBuild(dir, tag, SPECIAL_HARDLINKS_DOCKERFILE(this.base()));
    } else {
      // Assembled by hand as an OCI layout, then loaded into docker so that it has an ID and a legacy save.
      const recipe = CRAFTED_RECIPES[name];
      ociDir = path.join(dir, 'oci');
      await makeCraftedLayout(ociDir, 'crafted', recipe.layers);
      const loadable = path.join(dir, 'loadable.tar');
      skopeo(['copy', '-q', `oci:${ociDir}:crafted`, `docker-archive:${loadable}:${tag}`]);
      docker(['load', '-q', '-i', loadable], { timeout: 120_000 });
      expectedWasted = recipe.wasted;
    }
    const img: BuiltImage = {
      name,
      tag,
      dir,
      dockerArchive: path.join(dir, 'docker-save.tar'),
      ociDir: ociDir ?? path.join(dir, 'oci'),
      ociRef: ociDir ? 'crafted' : 'img',
      ociArchive: path.join(dir, 'oci-archive.tar'),
      skopeoArchive: path.join(dir, 'skopeo-docker-archive.tar'),
      id: docker(['inspect', '-f', '{{.Id}}', tag]).stdout.trim(),
      diffIds: JSON.parse(docker(['inspect', '-f', '{{json .RootFS.Layers}}', tag]).stdout) as string[],
      user: docker(['inspect', '-f', '{{.Config.User}}', tag]).stdout.trim(),
      expectedWasted,
    };
    docker(['save', '-o', img.dockerArchive, tag], { timeout: 120_000 });
    const from = `docker-archive:${img.dockerArchive}`;
    if (!ociDir) skopeo(['copy', '-q', from, `oci:${img.ociDir}:${img.ociRef}`]);
    skopeo(['copy', '-q', from, `oci-archive:${img.ociArchive}:${img.ociRef}`]);
    skopeo(['copy', '-q', from, `docker-archive:${img.skopeoArchive}:${tag}`]);
    return img;
  }
}
