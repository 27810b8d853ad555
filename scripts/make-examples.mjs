#!/usr/bin/env node
// Generates the example images in examples/ (committed, so a fresh clone can run the CLI on them).
//   npm run examples
// - hello-scratch.tar: docker-archive (legacy `docker save` layout): FROM scratch, one static binary
//   built here with `gcc -static`, USER 65532. The ideal Slimgate keeps images at.
// - busybox-os.tar: oci-archive, three gzip layers: a busybox "OS" with os-release, a setuid binary,
//   a file deleted in a later layer (a whiteout), and an apt-style cache. What Slimgate flags.
// Timestamps are fixed, so re-running on the same inputs gives the same bytes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'examples');
const mtime = new Date('2026-01-01T00:00:00Z');
const sha = (b) => createHash('sha256').update(b).digest('hex');

/** entries: [{name, type?, mode?, uid?, gid?, linkname?, body?}] → tar Buffer */
async function makeTar(entries) {
  const pack = tar.pack();
  const chunks = [];
  pack.on('data', (c) => chunks.push(c));
  const done = new Promise((res, rej) => {
    pack.on('end', res);
    pack.on('error', rej);
  });
  for (const e of entries) {
    const { body, ...h } = e;
    await new Promise((res, rej) =>
      pack.entry(
        { type: 'file', mode: 0o644, uid: 0, gid: 0, mtime, ...h },
        body ?? (h.type && h.type !== 'file' ? undefined : ''),
        (err) => (err ? rej(err) : res()),
      ),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

function staticHello() {
  const dir = mkdtempSync(join(tmpdir(), 'slimgate-hello-'));
  try {
    const src = join(dir, 'hello.c');
    writeFileSync(
      src,
      '#include <unistd.h>\nint main(void){static const char m[]="hello from a process-like container\\n";' +
        'write(1,m,sizeof m-1);return 0;}\n',
    );
    execFileSync('gcc', ['-static', '-Os', '-s', '-o', join(dir, 'hello'), src]);
    return readFileSync(join(dir, 'hello'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function config(diffIds, history, extra) {
  return Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: mtime.toISOString(),
      config: extra,
      rootfs: { type: 'layers', diff_ids: diffIds.map((d) => `sha256:${d}`) },
      history: history.map((created_by) => ({ created: mtime.toISOString(), created_by })),
    }),
  );
}

async function helloScratch() {
  const hello = staticHello();
  const layer = await makeTar([{ name: 'hello', mode: 0o755, body: hello }]);
  const diffId = sha(layer);
  const cfg = config([diffId], ['COPY hello /hello # buildkit'], {
    User: '65532',
    Entrypoint: ['/hello'],
    Env: ['PATH=/'],
  });
  const id = sha(cfg);
  const v1 = sha(`v1:${diffId}`);
  const archive = await makeTar([
    { name: `${v1}/`, type: 'directory', mode: 0o755 },
    { name: `${v1}/VERSION`, body: '1.0' },
    { name: `${v1}/json`, body: JSON.stringify({ id: v1, config: {} }) },
    { name: `${v1}/layer.tar`, body: layer },
    { name: `${id}.json`, body: cfg },
    {
      name: 'manifest.json',
      body: JSON.stringify([
        { Config: `${id}.json`, RepoTags: ['slimgate/hello-scratch:latest'], Layers: [`${v1}/layer.tar`] },
      ]),
    },
    { name: 'repositories', body: JSON.stringify({ 'slimgate/hello-scratch': { latest: v1 } }) },
  ]);
  writeFileSync(join(out, 'hello-scratch.tar'), archive);
}

async function busyboxOs() {
  const busybox = readFileSync(existsSync('/bin/busybox') ? '/bin/busybox' : '/usr/bin/busybox');
  const applets = ['sh', 'ls', 'cp', 'mv', 'chmod', 'chown', 'cat', 'rm'];
  const base = await makeTar([
    { name: 'bin/', type: 'directory', mode: 0o755 },
    { name: 'bin/busybox', mode: 0o755, body: busybox },
    ...applets.map((a) => ({ name: `bin/${a}`, type: 'link', linkname: 'bin/busybox' })),
    { name: 'etc/', type: 'directory', mode: 0o755 },
    { name: 'etc/os-release', body: 'NAME="Busybox Example"\nID=busybox\nVERSION_ID=1.36\n' },
    { name: 'etc/passwd', body: 'root:x:0:0:root:/root:/bin/sh\n' },
    { name: 'tmp/', type: 'directory', mode: 0o1777 },
  ]);
  const cache = Buffer.alloc(300_000, 'apt cache ');
  const install = await makeTar([
    { name: 'usr/', type: 'directory', mode: 0o755 },
    { name: 'usr/bin/', type: 'directory', mode: 0o755 },
    { name: 'usr/bin/su', type: 'symlink', linkname: '/bin/busybox' },
    { name: 'usr/local/', type: 'directory', mode: 0o755 },
    { name: 'usr/local/bin/', type: 'directory', mode: 0o755 },
    { name: 'usr/local/bin/helper', mode: 0o4755, body: '#!/bin/sh\necho helper\n' },
    { name: 'var/cache/apt/archives/pkg.deb', body: cache },
    { name: 'etc/motd', body: 'built by a script\n' },
  ]);
  const cleanup = await makeTar([
    { name: 'etc/', type: 'directory', mode: 0o755 },
    { name: 'etc/.wh.motd', body: '' },
    { name: 'etc/hostname', body: 'example\n' },
  ]);
  const layers = [base, install, cleanup].map((t) => ({ tar: t, gz: gzipSync(t, { level: 9 }) }));
  const cfg = config(
    layers.map((l) => sha(l.tar)),
    ['ADD rootfs /', 'RUN install helper && chmod u+s /usr/local/bin/helper', 'RUN rm /etc/motd'],
    { Cmd: ['/bin/sh'], Env: ['PATH=/usr/local/bin:/usr/bin:/bin'] },
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: `sha256:${sha(cfg)}`,
        size: cfg.length,
      },
      layers: layers.map((l) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: `sha256:${sha(l.gz)}`,
        size: l.gz.length,
      })),
    }),
  );
  const index = {
    schemaVersion: 2,
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: `sha256:${sha(manifest)}`,
        size: manifest.length,
        annotations: { 'org.opencontainers.image.ref.name': 'latest' },
      },
    ],
  };
  const blobs = [...layers.map((l) => l.gz), cfg, manifest].map((b) => ({
    name: `blobs/sha256/${sha(b)}`,
    body: b,
  }));
  blobs.sort((a, b) => a.name.localeCompare(b.name));
  const archive = await makeTar([
    { name: 'blobs/', type: 'directory', mode: 0o755 },
    { name: 'blobs/sha256/', type: 'directory', mode: 0o755 },
    ...blobs,
    { name: 'index.json', body: JSON.stringify(index) },
    { name: 'oci-layout', body: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
  ]);
  writeFileSync(join(out, 'busybox-os.tar'), archive);
}

await helloScratch();
await busyboxOs();
console.log('wrote examples/hello-scratch.tar and examples/busybox-os.tar');
