// LayerCache.prune: what the action keeps of the layer scans in the Actions cache, under the `cache` limit.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LayerCache } from '../../src/scan/cache.js';
import type { LayerScan } from '../../src/scan/layer.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'slimgate-prune-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function scan(i: number, files: number): LayerScan {
  const digest = `sha256:${createHash('sha256').update(`layer ${i}`).digest('hex')}`;
  return {
    digest,
    diffId: digest,
    compression: 'gzip',
    compressedSize: 1,
    uncompressedSize: 1,
    escapes: [],
    refused: [],
    // Random names, so that gzip cannot make every entry the same size.
    entries: Array.from({ length: files }, (_, j) => ({
      path: `/d/${createHash('sha1').update(`${i}/${j}`).digest('hex')}`,
      type: 'file' as const,
      size: j,
      mode: 0o644,
      uid: 0,
      gid: 0,
      link: null,
    })),
  };
}

describe('LayerCache.prune', () => {
  it('keeps the most recently used entries within the limit, and a hit counts as a use', async () => {
    const lc = new LayerCache(path.join(tmp, 'a'));
    // Entry 2 is the smallest: without the hit refreshing entry 1, 2 and 3 would be the ones kept.
    const scans = [scan(1, 400), scan(2, 300), scan(3, 400)];
    for (const s of scans) await lc.put(s);
    const file = (s: LayerScan): string => lc.pathOf(s.digest)!;
    // Written long ago, oldest first: 1, 2, 3.
    scans.forEach((s, i) => utimesSync(file(s), 1000 + i, 1000 + i));
    // Reading entry 1 makes it the most recently used.
    expect(await lc.get(scans[0]!.digest)).toBeDefined();
    const size = (s: LayerScan): number => statSync(file(s)).size;
    const limit = size(scans[0]!) + size(scans[2]!);
    expect(await lc.prune(limit)).toBe(2);
    expect(readdirSync(lc.dir).sort()).toEqual(
      [path.basename(file(scans[0]!)), path.basename(file(scans[2]!))].sort(),
    );
  });

  it('keeps nothing under a limit of 0, and a missing directory is no error', async () => {
    const lc = new LayerCache(path.join(tmp, 'b'));
    expect(await lc.prune(1_000_000)).toBe(0);
    await lc.put(scan(4, 10));
    expect(await lc.prune(0)).toBe(0);
    expect(readdirSync(lc.dir)).toEqual([]);
  });
});
