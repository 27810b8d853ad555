#!/usr/bin/env node
// One measured run for scripts/bench.mjs, in its own process so peak RSS is its own.
//   bench-child.mjs ours SOURCE CONCURRENCY   → the engine (scan, verify, flatten, report)
//   bench-child.mjs gunzip BLOB…              → Node gunzip to nothing, one blob after another
//   bench-child.mjs summary SOURCE            → the manifest-only summary (compressed size, layer count)
//   bench-child.mjs cache-read DIGEST…        → read these layers' entries from the layer cache
import { createReadStream } from 'node:fs';
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
