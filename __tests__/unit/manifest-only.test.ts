// `check --manifest-only`: budgets from manifests alone. The proof that no layer is read: the layout's
// layer blobs are deleted, and the check still answers (while a full check fails on the missing layer).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/analysis/policy.js';
import { checkManifest, inspect, sourceBaseline } from '../../src/engine/engine.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let dir = '';
let layerSizes: number[] = [];

beforeAll(() => {
  // examples/busybox-os.tar is an oci-archive: unpacked, it is an OCI layout.
  dir = mkdtempSync(path.join(tmpdir(), 'sg-manifest-only-'));
  const r = spawnSync('tar', ['-C', dir, '-xf', path.join(repo, 'examples', 'busybox-os.tar')]);
  expect(r.status).toBe(0);
  const blob = (d: string): string => path.join(dir, 'blobs', 'sha256', d.slice('sha256:'.length));
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8'));
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0].digest), 'utf8'));
  layerSizes = manifest.layers.map((l: { size: number }) => l.size);
  for (const l of manifest.layers) unlinkSync(blob(l.digest));
});

const policy = (p: Partial<typeof DEFAULT_POLICY>): typeof DEFAULT_POLICY => ({ ...DEFAULT_POLICY, ...p });

describe('check --manifest-only', () => {
  it('answers compressed size and layer count with every layer blob gone', async () => {
    const [r, ...more] = await checkManifest(`oci:${dir}`, {
      policy: policy({ maxLayers: 3, maxCompressedSize: 2_000_000 }),
    });
    expect(more).toEqual([]);
    expect(r?.summary).toMatchObject({
      layers: layerSizes.length,
      compressedSize: layerSizes.reduce((a, b) => a + b, 0),
      manifestOnly: true,
    });
    expect(r?.passed).toBe(true);
    expect(r?.budget.checks.map((c) => [c.name, c.passed])).toEqual([
      ['max-compressed-size', true],
      ['max-layers', true],
    ]);
  });

  it('fails a breached budget, and fail-on never passes it', async () => {
    const [over] = await checkManifest(`oci:${dir}`, { policy: policy({ maxLayers: 2 }) });
    expect(over?.passed).toBe(false);
    expect(over?.budget.checks[0]).toMatchObject({ name: 'max-layers', limit: 2, actual: 3, passed: false });
    const [never] = await checkManifest(`oci:${dir}`, { policy: policy({ maxLayers: 2, failOn: 'never' }) });
    expect(never?.passed).toBe(true);
  });

  it('a full inspect of the same layout does need the layers', async () => {
    await expect(inspect(`oci:${dir}`)).rejects.toThrow(/missing layer 1/);
  });

  it.each([
    [{ maxSize: 1 }, undefined, /max-size needs the layers/],
    [{ maxGrowth: { percent: 10 } }, 'docker-archive:x.tar', /max-growth, baseline needs the layers/],
    [{}, undefined, /needs a budget it can answer/],
  ])('refuses what manifests cannot answer: %j', async (p, baseline, want) => {
    await expect(
      checkManifest(`oci:${dir}`, {
        policy: policy(p),
        ...(baseline ? { baseline: sourceBaseline(baseline, {}) } : {}),
      }),
    ).rejects.toThrow(want);
  });

  it('the CLI exits 0, 1 and 2 accordingly, with --json', () => {
    const cli = (...args: string[]) =>
      spawnSync(
        process.execPath,
        [path.join(repo, 'dist', 'cli.js'), 'check', `oci:${dir}`, '--manifest-only', ...args],
        {
          encoding: 'utf8',
        },
      );
    const ok = cli('--max-layers', '3', '--json');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ kind: 'manifest-check', passed: true });
    const over = cli('--max-layers', '2');
    expect(over.status).toBe(1);
    expect(over.stdout).toMatch(/^FAILED .* 3 layers · from the manifests alone, no layer read/);
    const bad = cli('--max-size', '1MB');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      'slimgate: --manifest-only answers max-compressed-size and max-layers only; max-size needs the layers',
    ]);
  });
});
