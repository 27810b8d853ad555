#!/usr/bin/env node
// Benchmark of the engine against baselines measured in the same run on the same layers.
// Absolute times on shared machines are noise; the ratios are the figures to read.
//
//   npm run bench                     builds lib/ first, then builds or reuses .bench/image
//   BENCH_RUNS=5 node scripts/bench.mjs
//
// The image is an OCI layout made from this machine's /usr (real content: docs, locales, headers,
// libraries), gzip-compressed, in several layers, with two refs: "half" (the first half of the layers)
// and "full", so peak memory can be compared as the image grows.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGzip } from 'node:zlib';
import { vulnBench } from './bench-vulns.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = process.env.BENCH_DIR || join(root, '.bench');
const layout = join(benchDir, 'image');
const runs = Number(process.env.BENCH_RUNS || 3);
const child = join(root, 'scripts', 'bench-child.mjs');
const FORMAT = 2; // bump to rebuild the cached image when its recipe changes

function du(path) {
  const r = spawnSync('du', ['-sk', path], { encoding: 'utf8' });
  return Number(r.stdout.split('\t')[0] || 0) * 1024;
}

/** Groups of /usr paths, one layer each, balanced by size. */
function layerPlan() {
  const share = readdirSync('/usr/share').map((d) => `share/${d}`);
  const items = share.map((p) => ({ p, size: du(`/usr/${p}`) })).sort((a, b) => b.size - a.size);
  const buckets = Array.from({ length: 4 }, () => ({ paths: [], size: 0 }));
  for (const it of items) {
    const b = buckets.reduce((m, x) => (x.size < m.size ? x : m));
    b.paths.push(it.p);
    b.size += it.size;
  }
  const extra = ['include', 'lib/gcc'].filter((p) => existsSync(`/usr/${p}`));
  return [...buckets.map((b) => b.paths.sort()), ...extra.map((p) => [p])];
}

async function buildLayer(paths, tmpDir) {
  const tmp = join(tmpDir, `layer-${Math.random().toString(36).slice(2)}`);
  const tarHash = createHash('sha256');
  const gzHash = createHash('sha256');
  let gzSize = 0;
  const tar = spawn('tar', ['-C', '/usr', '--sort=name', '-cf', '-', ...paths], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const gzip = createGzip({ level: 6 });
  const out = createWriteStream(tmp);
  tar.stdout.on('data', (c) => tarHash.update(c));
  gzip.on('data', (c) => {
    gzHash.update(c);
    gzSize += c.length;
  });
  tar.stdout.pipe(gzip).pipe(out);
  await new Promise((res, rej) => {
    out.on('finish', res);
    out.on('error', rej);
    gzip.on('error', rej);
  });
  const digest = gzHash.digest('hex');
  renameSync(tmp, join(layout, 'blobs', 'sha256', digest));
  return { digest: `sha256:${digest}`, diffId: `sha256:${tarHash.digest('hex')}`, size: gzSize };
}

function writeBlob(obj) {
  const buf = Buffer.from(JSON.stringify(obj));
  const hex = createHash('sha256').update(buf).digest('hex');
  writeFileSync(join(layout, 'blobs', 'sha256', hex), buf);
  return { digest: `sha256:${hex}`, size: buf.length };
}

function imageFor(layers) {
  const config = writeBlob({
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((l) => ({ created_by: `COPY ${l.paths.join(' ').slice(0, 60)}` })),
  });
  const manifest = writeBlob({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: layers.map((l) => ({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: l.digest,
      size: l.size,
    })),
  });
  return { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest };
}

async function ensureImage() {
  const stamp = join(layout, 'bench.json');
  if (existsSync(stamp)) {
    const meta = JSON.parse(readFileSync(stamp, 'utf8'));
    if (meta.format === FORMAT) return meta;
  }
  console.error('building the benchmark image from /usr (once; reused from .bench/) …');
  rmSync(layout, { recursive: true, force: true });
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  const plan = layerPlan();
  const layers = [];
  // Two layers at a time: tar and gzip keep both cores busy.
  for (let i = 0; i < plan.length; i += 2) {
    const batch = plan.slice(i, i + 2);
    const done = await Promise.all(batch.map((p) => buildLayer(p, benchDir)));
    done.forEach((l, j) => layers.push({ ...l, paths: batch[j] }));
  }
  const half = imageFor(layers.slice(0, Math.ceil(layers.length / 2)));
  const full = imageFor(layers);
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        { ...half, annotations: { 'org.opencontainers.image.ref.name': 'half' } },
        { ...full, annotations: { 'org.opencontainers.image.ref.name': 'full' } },
      ],
    }),
  );
  const meta = { format: FORMAT, layers: layers.map(({ digest, size }) => ({ digest, size })) };
  writeFileSync(stamp, JSON.stringify(meta));
  return meta;
}

function runChild(args, env = {}) {
  // Cold scans unless a measurement asks for the layer cache.
  const r = spawnSync(process.execPath, ['--expose-gc', child, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, SLIMGATE_CACHE: '0', ...env },
  });
  if (r.status !== 0) throw new Error(`bench child ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function timeShell(script) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${script}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
const mb = (b) => `${(b / 1e6).toFixed(0)} MB`;

async function main() {
  if (!existsSync(join(root, 'lib', 'engine', 'engine.js')))
    throw new Error('run "npm run build" first (npm run bench does)');
  const meta = await ensureImage();
  const blobs = meta.layers.map((l) => join(layout, 'blobs', 'sha256', l.digest.slice(7)));
  const half = blobs.slice(0, Math.ceil(blobs.length / 2));
  const compressed = meta.layers.reduce((n, l) => n + l.size, 0);
  const info = runChild(['ours', `oci:${layout}:full`, '2']);
  console.log(
    `image: ${blobs.length} gzip layers, ${mb(compressed)} compressed, ${mb(info.layerBytes)} uncompressed tar, ` +
      `${info.files} files (final), ${info.entries} tar entries; ${runs} runs each, median`,
  );

  const t = { gunzip: [], gnu: [], ours1: [], ours2: [], rssHalf: [], rssFull: [] };
  const cpu = { gunzip: [], ours1: [], ours2: [] };
  for (let i = 0; i < runs; i++) {
    const gz = runChild(['gunzip', ...blobs]);
    t.gunzip.push(gz.ms);
    cpu.gunzip.push(gz.cpuMs);
    t.gnu.push(timeShell(blobs.map((b) => `gzip -dc '${b}' | tar -t >/dev/null`).join(' && ')));
    const one = runChild(['ours', `oci:${layout}:full`, '1']);
    t.ours1.push(one.ms);
    cpu.ours1.push(one.cpuMs);
    const full = runChild(['ours', `oci:${layout}:full`, '2']);
    t.ours2.push(full.ms);
    cpu.ours2.push(full.cpuMs);
    t.rssFull.push(full.maxRss);
    t.rssHalf.push(runChild(['ours', `oci:${layout}:half`, '2']).maxRss);
  }
  const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)]));
  const c = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, median(v)]));
  const rows = [
    ['Node gunzip → null (sequential, the ceiling)', fmt(m.gunzip), ''],
    ['gzip -dc | tar -t (sequential)', fmt(m.gnu), ''],
    ['slimgate inspect, 1 layer at a time', fmt(m.ours1), ''],
    ['slimgate inspect, default concurrency (2)', fmt(m.ours2), ''],
    ['ours(1) / gunzip-to-null', (m.ours1 / m.gunzip).toFixed(2), 'target ≤ 1.18'],
    ['ours(2) / gunzip-to-null', (m.ours2 / m.gunzip).toFixed(2), 'target ≤ 1.18'],
    ['ours(2) / gzip -dc | tar -t', (m.ours2 / m.gnu).toFixed(2), 'target ≤ 0.55'],
    ['speed-up from concurrent layers', `${(m.ours1 / m.ours2).toFixed(2)}×`, 'target ≥ 1.5×'],
    ['throughput (uncompressed tar)', `${(info.layerBytes / 1e6 / (m.ours2 / 1000)).toFixed(0)} MB/s`, ''],
    [`peak RSS, half image (${half.length} layers)`, mb(m.rssHalf), 'target ≤ 200 MB'],
    [`peak RSS, full image (${blobs.length} layers)`, mb(m.rssFull), 'target ≤ 200 MB, flat'],
    ['CPU time: ours(1) / gunzip-to-null', (c.ours1 / c.gunzip).toFixed(2), CPU_NOTE],
    ['CPU time: ours(2) / gunzip-to-null', (c.ours2 / c.gunzip).toFixed(2), CPU_NOTE],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w)}  ${b.padStart(9)}  ${c}`);
  startBench();
  sbomBench(blobs.length);
  await registryBench(blobs);
  await vulnBench(benchDir);
}

/** --sbom-file's cost: both SBOMs rendered from the report of the full image's scan (issue 25). */
function sbomBench(layers) {
  const r = [];
  for (let i = 0; i < runs; i++) r.push(runChild(['sbom', `oci:${layout}:full`]));
  const m = (k) => median(r.map((x) => x[k]));
  const [x] = r;
  console.log(
    `sbom: ${x.files} files (${x.owned} owned by ${x.packages} made-up packages), ${layers} layers; inspect ${fmt(m('scanMs'))}`,
  );
  const rows = [
    [
      'CycloneDX 1.6 JSON',
      `${m('cdxMs').toFixed(0)} ms`,
      `${((100 * m('cdxMs')) / m('scanMs')).toFixed(1)}% of inspect; ${mb(x.cdxBytes)}; target ≤ 10%`,
    ],
    [
      'SPDX 2.3 JSON',
      `${m('spdxMs').toFixed(0)} ms`,
      `${((100 * m('spdxMs')) / m('scanMs')).toFixed(1)}% of inspect; ${mb(x.spdxBytes)}; target ≤ 10%`,
    ],
    ['peak RSS added by both (high-water mark)', mb(m('rssAfter') - m('rssBefore')), 'target ≤ 50 MB'],
  ];
  const w = Math.max(...rows.map((row) => row[0].length));
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w)}  ${b.padStart(9)}  ${c}`);
}

/** What every `slimgate` run pays before it reads a byte: starting the committed bundle, against bare Node. */
function startBench() {
  const time = (args) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`node ${args.join(' ')}: ${r.stderr}`);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const bare = [];
  const cli = [];
  for (let i = 0; i < 5; i++) {
    bare.push(time(['-e', '0']));
    cli.push(time([join(root, 'dist', 'cli.js'), '--version']));
  }
  const [b, c] = [median(bare), median(cli)];
  console.log(
    `start: node dist/cli.js --version ${c.toFixed(0)} ms, bare node ${b.toFixed(0)} ms, ratio ${(c / b).toFixed(1)} ` +
      `(medians of 5; the bundle is ${(statSync(join(root, 'dist', 'cli.js')).size / 1e6).toFixed(1)} MB)`,
  );
}

/** The CPU-time rows: user + system time of every thread, which a loaded machine inflates far less. */
const CPU_NOTE = 'all threads, user + system; steadier than wall time on a shared machine';

// ------------------------------------------------------------------------------------------- registry

/** A private `docker-registry` over .bench/registry (kept, so the image is pushed once). */
async function startRegistry() {
  const { createServer } = await import('node:net');
  const port = await new Promise((res) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = srv.address().port;
      srv.close(() => res(p));
    });
  });
  const dir = join(benchDir, 'registry');
  mkdirSync(dir, { recursive: true });
  const cfg = join(benchDir, 'registry.yml');
  writeFileSync(
    cfg,
    `version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\nstorage: {filesystem: {rootdirectory: ${dir}}}\nhttp: {addr: "127.0.0.1:${port}"}\n`,
  );
  const proc = spawn('docker-registry', ['serve', cfg], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    if (await answers(port)) return { host: `127.0.0.1:${port}`, stop: () => proc.kill('SIGTERM') };
    await sleep(50);
  }
  proc.kill('SIGKILL');
  throw new Error('docker-registry did not start');
}

async function answers(port) {
  const http = await import('node:http');
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/v2/' }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
  });
}

/** Counts requests in front of the registry (the manifest-only check must make no blob request). */
async function startCountingProxy(upstream) {
  const http = await import('node:http');
  const seen = [];
  const [host, port] = upstream.split(':');
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const up = http.request(
      { host, port: Number(port), method: req.method, path: req.url, headers: req.headers },
      (u) => {
        res.writeHead(u.statusCode, u.headers);
        u.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { host: `127.0.0.1:${server.address().port}`, seen, stop: () => server.close() };
}

function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

async function registryBench(blobs) {
  if (!hasCommand('docker-registry') || !hasCommand('skopeo')) {
    console.log(
      'registry: skipped (needs docker-registry and skopeo: scripts/test-world.sh start installs them)',
    );
    return;
  }
  const reg = await startRegistry();
  try {
    const ref = `${reg.host}/bench:full`;
    const skopeo = (args) => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync('skopeo', ['--insecure-policy', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      if (r.status !== 0) throw new Error(`skopeo ${args.join(' ')}: ${r.stderr}`);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    skopeo(['copy', '-q', '--dest-tls-verify=false', `oci:${layout}:full`, `docker://${ref}`]);
    const cacheDir = join(benchDir, 'layer-cache');
    // gunzip-to-null is measured again here, next to the runs it is compared with: a machine whose load
    // changes between the two halves of the bench would otherwise skew every registry ratio.
    const t = { skopeo: [], gunzip: [], ours: [], warm: [], cacheRead: [], summary: [], cliSummary: [] };
    const cpu = { gunzip: [], ours: [], warm: [] };
    const digests = blobs.map((b) => `sha256:${b.split('/').pop()}`);
    let summary;
    for (let i = 0; i < runs; i++) {
      const dest = join(benchDir, 'skopeo-copy');
      rmSync(dest, { recursive: true, force: true });
      t.skopeo.push(skopeo(['copy', '-q', '--src-tls-verify=false', `docker://${ref}`, `oci:${dest}`]));
      rmSync(dest, { recursive: true, force: true });
      const gz = runChild(['gunzip', ...blobs]);
      t.gunzip.push(gz.ms);
      cpu.gunzip.push(gz.cpuMs);
      const cold = runChild(['ours', `docker://${ref}`, '2']);
      t.ours.push(cold.ms);
      cpu.ours.push(cold.cpuMs);
      rmSync(cacheDir, { recursive: true, force: true });
      const env = { SLIMGATE_CACHE: '1', SLIMGATE_CACHE_DIR: cacheDir };
      runChild(['ours', `docker://${ref}`, '2'], env); // fills the cache
      const warm = runChild(['ours', `docker://${ref}`, '2'], env);
      t.warm.push(warm.ms);
      cpu.warm.push(warm.cpuMs);
      t.cacheRead.push(runChild(['cache-read', ...digests], env).readMs);
      const proxy = await startCountingProxy(reg.host);
      try {
        summary = await runChildAsync(['summary', `docker://${proxy.host}/bench:full`]);
        t.summary.push(summary.ms);
        summary.blobRequests = proxy.seen.filter((s) => s.includes('/blobs/')).length;
        summary.requests = proxy.seen.length;
        // The same answer as users get it: the committed bundle, start-up included. Spawned without
        // blocking: the counting proxy answers from this process's event loop.
        const seenBefore = proxy.seen.length;
        t.cliSummary.push(
          await timeAsync(process.execPath, [
            join(root, 'dist', 'cli.js'),
            'check',
            '--manifest-only',
            '--max-layers',
            '100',
            '--json',
            `docker://${proxy.host}/bench:full`,
          ]),
        );
        summary.cliBlobRequests = proxy.seen.slice(seenBefore).filter((s) => s.includes('/blobs/')).length;
      } finally {
        proxy.stop();
      }
    }
    rmSync(cacheDir, { recursive: true, force: true });
    const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)]));
    const c = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, median(v)]));
    const slower = Math.max(m.skopeo, m.gunzip);
    const rows = [
      ['skopeo copy docker://… oci:DIR (download only)', fmt(m.skopeo), ''],
      ['Node gunzip → null (same blobs, in this loop)', fmt(m.gunzip), ''],
      ['slimgate inspect docker://…, cold (no layer cache)', fmt(m.ours), ''],
      ['pull+analyse / max(skopeo copy, gunzip-to-null)', (m.ours / slower).toFixed(2), 'target ≤ 1.15'],
      ['slimgate inspect docker://…, warm layer cache', fmt(m.warm), ''],
      ['warm / cold', (m.warm / m.ours).toFixed(3), 'target ≤ 0.05'],
      [
        '  of which: reading every layer from the cache',
        `${m.cacheRead.toFixed(0)} ms`,
        `${(m.cacheRead / m.ours).toFixed(3)} of the cold run (the rest: startup, flatten, report)`,
      ],
      [
        'manifest-only summary (compressed size, layers)',
        `${m.summary.toFixed(0)} ms`,
        `${summary.blobRequests} blob requests, ${summary.requests} requests in all (target: 0 blob requests)`,
      ],
      [
        '  the same through dist/cli.js check --manifest-only',
        `${m.cliSummary.toFixed(0)} ms`,
        `${summary.cliBlobRequests} blob requests (start-up of the committed bundle included)`,
      ],
      ['CPU time: pull+analyse / gunzip-to-null', (c.ours / c.gunzip).toFixed(2), CPU_NOTE],
      ['CPU time: warm / cold', (c.warm / c.ours).toFixed(3), CPU_NOTE],
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    console.log(`registry (a private docker-registry on loopback, ${blobs.length} layers):`);
    for (const [a, b, c] of rows) console.log(`${a.padEnd(w)}  ${b.padStart(9)}  ${c}`);
    if (summary.blobRequests !== 0 || summary.cliBlobRequests !== 0)
      throw new Error('the manifest-only check requested blobs');
  } finally {
    reg.stop();
  }
}

/** Wall time of a command, spawned without blocking the event loop; throws when it fails. */
function timeAsync(cmd, args) {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, SLIMGATE_CACHE: '0' },
    });
    let err = '';
    p.stderr.on('data', (c) => (err += c));
    p.on('close', (code) => {
      if (code !== 0) reject(new Error(`${args.slice(0, 3).join(' ')} failed: ${err.trim()}`));
      else resolve(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  });
}

function runChildAsync(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SLIMGATE_CACHE: '0' },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (err += c));
    p.on('close', (code) => {
      if (code !== 0) reject(new Error(`bench child ${args.join(' ')} failed: ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}

main().catch((err) => {
  console.error(`bench: ${err.message}`);
  process.exit(1);
});
