#!/usr/bin/env node
// One measured run for scripts/bench.mjs, in its own process so peak RSS is its own.
//   bench-child.mjs ours SOURCE CONCURRENCY   → the engine (scan, verify, flatten, report)
//   bench-child.mjs gunzip BLOB…              → Node gunzip to nothing, one blob after another
//   bench-child.mjs summary SOURCE            → the manifest-only summary (compressed size, layer count)
//   bench-child.mjs cache-read DIGEST…        → read these layers' entries from the layer cache
//   bench-child.mjs sbom SOURCE               → the engine, then both SBOMs of its report (packages made up)
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const [mode, ...args] = process.argv.slice(2);
const t0 = process.hrtime.bigint();
const result = {};
if (mode === 'ours') {
  const { inspect } = await import('../lib/engine/engine.js');
  const [report] = await inspect(args[0], { concurrency: Number(args[1]) });
  result.files = report.size.files;
  result.layerBytes = report.layers.reduce((n, l) => n + l.uncompressedSize, 0);
  result.entries = report.layers.reduce((n, l) => n + l.files, 0);
  // No flag to report here: inspect() verifies every digest and diff_id, and throws on a mismatch.
} else if (mode === 'sbom') {
  // What --sbom-file adds to a check: both renderers on the report of the same scan. The bench image is
  // /usr without a package database, so its files are given to made-up packages, one per directory two
  // levels down (/share/doc/x, /lib/x86_64-linux-gnu): every file owned, thousands of packages, as a
  // Debian image has.
  const { inspect } = await import('../lib/engine/engine.js');
  const { writeSbom } = await import('../lib/output/sbom-file.js');
  const { mkdtempSync, rmSync, statSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const [report] = await inspect(args[0], { concurrency: 2 });
  result.scanMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const index = new Map();
  report.packages = [];
  for (const f of report.files) {
    if (f.type === 'dir') continue;
    const dir = f.path.split('/').slice(0, 4).join('/');
    let k = index.get(dir);
    if (k === undefined && report.packages.length < 5000) {
      k = report.packages.length;
      index.set(dir, k);
      const name = `pkg${k}`;
      report.packages.push({
        manager: 'dpkg',
        name,
        version: '1.0-1',
        size: 0,
        files: 0,
        layer: f.layer,
        purl: `pkg:deb/debian/${name}@1.0-1?arch=amd64`,
        licenses: 'GPL-2.0-or-later',
        supplier: 'Debian',
        dependsOn: k ? [`pkg${k - 1}`] : [],
      });
    }
    if (k !== undefined) f.owner = k;
  }
  result.packages = report.packages.length;
  result.owned = report.files.filter((f) => f.owner !== undefined).length;
  result.files = report.size.files;
  globalThis.gc?.();
  result.rssBefore = process.resourceUsage().maxRSS * 1024;
  // Written as --sbom-file writes them: streamed to a file.
  const dir = mkdtempSync(join(tmpdir(), 'slimgate-bench-sbom-'));
  const time = new Date(0);
  for (const [format, key] of [
    ['cyclonedx-json', 'cdx'],
    ['spdx-json', 'spdx'],
  ]) {
    const t = process.hrtime.bigint();
    const [file] = writeSbom(join(dir, `${key}.json`), [report], { format, everyPlatform: false, time });
    result[`${key}Ms`] = Number(process.hrtime.bigint() - t) / 1e6;
    result[`${key}Bytes`] = statSync(file).size;
  }
  rmSync(dir, { recursive: true, force: true });
  result.rssAfter = process.resourceUsage().maxRSS * 1024;
} else if (mode === 'summary') {
  // The fast path: numbers the manifest holds, with no blob request.
  const { manifestSummary } = await import('../lib/engine/engine.js');
  const [s] = await manifestSummary(args[0]);
  result.compressedSize = s.compressedSize;
  result.layers = s.layers;
} else if (mode === 'cache-read') {
  // Reading every layer's entry from a warm layer cache: what replaces download and scan.
  const { LayerCache } = await import('../lib/scan/cache.js');
  const cache = LayerCache.open();
  const t = process.hrtime.bigint();
  let entries = 0;
  for (const digest of args) {
    const scan = await cache.get(digest);
    if (!scan) throw new Error(`no cache entry for ${digest}`);
    entries += scan.entries.length;
  }
  result.readMs = Number(process.hrtime.bigint() - t) / 1e6;
  result.entries = entries;
} else if (mode === 'gunzip') {
  for (const path of args) {
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    await pipeline(
      createReadStream(path, { highWaterMark: 1 << 20 }),
      createGunzip({ chunkSize: 256 * 1024 }),
      sink,
    );
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
result.ms = Number(process.hrtime.bigint() - t0) / 1e6;
result.maxRss = process.resourceUsage().maxRSS * 1024;
// CPU time of every thread (workers, zlib's thread pool): unlike wall time, waiting for a busy core adds none.
const cpu = process.cpuUsage();
result.cpuMs = (cpu.user + cpu.system) / 1000;
console.log(JSON.stringify(result));
