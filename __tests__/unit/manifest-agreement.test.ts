// `check --manifest-only` and the full check agree on what the manifests can answer: the same policy gives
// the same budget checks and the same verdict, a budget the full check skips is skipped the same way (and
// says why), and a rule setting the manifests cannot honour is a one-line usage error, never ignored.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type Policy } from '../../src/analysis/policy.js';
import { check, checkManifest } from '../../src/engine/engine.js';
import { main } from '../../src/cli/main.js';
import { InputError } from '../../src/util/errors.js';
import { dockerArchive, file, layer, ociArchive, ociArchiveParts, tar } from '../helpers/tar.js';

const dirOf = mkdtempSync(path.join(tmpdir(), 'sg-manifest-agree-'));
const at = (name: string): string => path.join(dirOf, name);

/** 2 MB stored uncompressed: over a 1 MB compressed budget only if the stored size were judged as one. */
const plain = () => [layer(tar([file('app', Buffer.alloc(2_000_000, 7))]), 'none')];
const gz = () => [layer(tar([file('app', Buffer.alloc(2_000_000, 7))]), 'gzip')];

const sources: Record<string, string> = {};

beforeAll(() => {
  writeFileSync(at('legacy.tar'), dockerArchive({ layers: plain(), repoTags: ['app:1'] }));
  writeFileSync(at('oci-plain.tar'), ociArchive({ layers: plain() }));
  // Docker 25+ `docker save`: an OCI layout with Docker's manifest.json beside it, layers uncompressed.
  const parts = ociArchiveParts([{ layers: plain() }]);
  const docker25 = tar([
    ...parts.entries,
    file(
      'manifest.json',
      JSON.stringify([
        {
          Config: `blobs/sha256/${parts.configDigests[0]!.slice(7)}`,
          RepoTags: ['app:1'],
          Layers: plain().map((l) => `blobs/sha256/${l.digest.slice(7)}`),
        },
      ]),
    ),
  ]);
  writeFileSync(at('docker25.tar'), docker25);
  // An OCI layout directory (the manifests-alone path) with uncompressed layers.
  const dir = at('layout');
  spawnSync('mkdir', ['-p', dir]);
  writeFileSync(at('layout.tar'), ociArchive({ layers: plain() }));
  expect(spawnSync('tar', ['-C', dir, '-xf', at('layout.tar')]).status).toBe(0);
  writeFileSync(at('gzip.tar'), ociArchive({ layers: gz() }));
  Object.assign(sources, {
    'legacy docker save': `docker-archive:${at('legacy.tar')}`,
    'Docker 25+ save': `docker-archive:${at('docker25.tar')}`,
    'oci-archive, uncompressed layers': `oci-archive:${at('oci-plain.tar')}`,
    'OCI layout, uncompressed layers': `oci:${dir}`,
  });
});

const policy = (p: Partial<Policy>): Policy => ({ ...DEFAULT_POLICY, preset: 'budgets-only', ...p });

describe('--manifest-only agrees with the full check', () => {
  it.each([
    'legacy docker save',
    'Docker 25+ save',
    'oci-archive, uncompressed layers',
    'OCI layout, uncompressed layers',
  ])(
    '%s: max-compressed-size over the stored size is skipped, and says why, as the full check does',
    async (name) => {
      const source = sources[name]!;
      const p = policy({ maxCompressedSize: 1_000_000, maxLayers: 5 });
      const full = (await check(source, { policy: p, cache: false })).platforms[0]!.report;
      const [fast] = await checkManifest(source, { policy: p, cache: false });
      const full1 = full.budget.checks.find((c) => c.name === 'max-compressed-size');
      const fast1 = fast!.budget.checks.find((c) => c.name === 'max-compressed-size');
      expect(full1).toMatchObject({ skipped: true, passed: true });
      expect(fast1).toMatchObject({ skipped: true, passed: true });
      expect(fast1?.detail).toMatch(/stores layers uncompressed .* so the compressed size is unknown/);
      expect(fast!.budget.checks.map((c) => [c.name, c.passed, !!c.skipped])).toEqual(
        full.budget.checks.map((c) => [c.name, c.passed, !!c.skipped]),
      );
      expect(fast!.passed).toBe(true);
      expect(fast!.passed).toBe(full.passed);
      expect(fast!.summary.storedUncompressed).toBe(true);
    },
  );

  it('a compressed image: the same breach fails both', async () => {
    const source = `oci-archive:${at('gzip.tar')}`;
    const p = policy({ maxCompressedSize: 1000 });
    const full = (await check(source, { policy: p, cache: false })).platforms[0]!.report;
    const [fast] = await checkManifest(source, { policy: p, cache: false });
    expect(full.passed).toBe(false);
    expect(fast!.passed).toBe(false);
    expect(fast!.summary.storedUncompressed).toBe(false);
  });

  it('a budget rule re-rated to a warning is honoured the same way', async () => {
    const source = `oci-archive:${at('gzip.tar')}`;
    const p = policy({ maxLayers: 0, preset: undefined, rules: { SG103: { severity: 'warning' } } });
    const [fast] = await checkManifest(source, { policy: p, cache: false });
    expect(fast!.budget.checks[0]).toMatchObject({ name: 'max-layers', passed: false });
    expect(fast!.passed).toBe(true);
  });
});

describe('--manifest-only refuses what it cannot honour', () => {
  it.each([
    [{ rules: { SG201: { enabled: false } } }, /rules SG201 needs the layers/],
    [{ rules: { shell: { severity: 'warning' as const } } }, /rules shell needs the layers/],
    [{ allowedBases: ['os'] }, /allowed-bases needs the layers/],
    [{ ignorePaths: ['/tmp'] }, /ignore-path needs the layers/],
    [{ failOn: 'warning' as const }, /fail-on warning needs the layers/],
  ])('%j', async (p, want) => {
    await expect(
      checkManifest(sources['legacy docker save']!, { policy: policy({ maxLayers: 5, ...p }), cache: false }),
    ).rejects.toThrow(want);
  });

  it.each([
    ['--severity', 'SG201=warning'],
    ['--disable', 'shell'],
    ['--allowed-bases', 'os'],
    ['--fail-on', 'warning'],
    ['--ignore-path', '/tmp'],
  ])('the CLI: %s %s is a usage error (exit 2)', async (flag, value) => {
    const args = ['check', sources['OCI layout, uncompressed layers']!, '--manifest-only', '--no-cache'];
    const run = (): Promise<number> => main([...args, '--max-layers', '3', flag, value]);
    await expect(run()).rejects.toThrow(InputError);
    await expect(run()).rejects.toThrow(
      /^--manifest-only answers max-compressed-size and max-layers only; .* needs the layers$/,
    );
  });
});
