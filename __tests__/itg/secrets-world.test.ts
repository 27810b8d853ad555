// No false errors from the secret shapes on real images (issue 24): a Debian base (every required and
// important package of this Debian host), Node (nodejs and the node-* packages) and Python (python3* and
// libpython3*), each a layer made from the host's own files as dpkg lists them, in an OCI layout. The
// content scan reads every text file of every layer; not one secret finding may be an error. What it does
// find (fixtures, info) is printed, so a change in it is seen. A planted token in a fourth layer is the
// control: it must be found, and be the only error.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkImage } from '../helpers/check.js';
import { run } from '../helpers/world.js';
import type { Report } from '../../src/types/report.js';

let work = '';
let report: Report;

function packages(match: (name: string, priority: string) => boolean): string[] {
  return execFileSync('dpkg-query', ['-W', '-f', '${Package}\t${Priority}\t${db:Status-Abbrev}\n'], {
    encoding: 'utf8',
  })
    .split('\n')
    .map((l) => l.split('\t'))
    .filter(([name, prio, status]) => name && status?.startsWith('ii') && match(name, prio ?? ''))
    .map(([name]) => name as string);
}

/** The regular files and symlinks the packages list, as the host stores them (usr-merged). */
function files(pkgs: readonly string[]): string[] {
  const listed = pkgs.flatMap((p) =>
    execFileSync('dpkg-query', ['-L', p], { encoding: 'utf8', maxBuffer: 64 << 20 })
      .split('\n')
      .filter((l) => l.startsWith('/') && l !== '/.'),
  );
  const out = new Set<string>();
  for (const p of listed) {
    let real: string;
    try {
      real = path.join(realpathSync(path.dirname(p)), path.basename(p));
    } catch {
      continue;
    }
    const st = lstatSync(real, { throwIfNoEntry: false });
    if (st && !st.isDirectory()) out.add(real);
  }
  return [...out].sort();
}

/** A blob in the layout: written under its digest. */
function blob(dir: string, file: string): { digest: string; size: number } {
  const hash = createHash('sha256').update(readFileSync(file)).digest('hex');
  renameSync(file, path.join(dir, 'blobs', 'sha256', hash));
  return { digest: `sha256:${hash}`, size: statSync(path.join(dir, 'blobs', 'sha256', hash)).size };
}

/** A layer of files under `root` (the planted control), or of the host's own files. */
type LayerSpec = string[] | { root: string };

function layout(dir: string, layers: LayerSpec[]): string {
  mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const blobs = layers.map((spec, i) => {
    const tarFile = path.join(work, `layer-${i}.tar`);
    if (!Array.isArray(spec)) {
      run('tar', ['-C', spec.root, '--numeric-owner', '-cf', tarFile, '.']);
      return blob(dir, tarFile);
    }
    const listFile = path.join(work, `list-${i}.txt`);
    writeFileSync(listFile, spec.map((p) => p.slice(1)).join('\n') + '\n');
    run('tar', ['-C', '/', '--no-recursion', '--numeric-owner', '-cf', tarFile, '-T', listFile]);
    return blob(dir, tarFile);
  });
  const write = (name: string, value: unknown): { digest: string; size: number } => {
    const f = path.join(work, name);
    writeFileSync(f, JSON.stringify(value));
    return blob(dir, f);
  };
  const config = write('config.json', {
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], Cmd: ['/usr/bin/python3'] },
    rootfs: { type: 'layers', diff_ids: blobs.map((b) => b.digest) },
    history: layers.map((_, i) => ({ created_by: `COPY layer ${i} / # test` })),
  });
  const manifest = write('manifest.json', {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: blobs.map((b) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...b })),
  });
  writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': 'world' },
        },
      ],
    }),
  );
  return `oci:${dir}:world`;
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'slimgate-secrets-world-'));
  const debian = files(packages((_, prio) => prio === 'required' || prio === 'important'));
  const node = files(packages((n) => /^(?:nodejs|libnode|node-|npm$)/.test(n)));
  const python = files(packages((n) => /^(?:python3|libpython3)/.test(n)));
  expect(node.some((p) => p.endsWith('/bin/node') || p.endsWith('/bin/nodejs'))).toBe(true);
  expect(python.some((p) => /\/bin\/python3\.\d+$/.test(p))).toBe(true);
  // A control: one planted token, which must be the one error, so that the scan is seen to run here.
  const planted = path.join(work, 'planted');
  mkdirSync(path.join(planted, 'app'), { recursive: true });
  writeFileSync(
    path.join(planted, 'app', 'settings.py'),
    `TOKEN = "${['gh', 'p_', 'Q'.repeat(36)].join('')}"\n`,
  );
  const src = layout(path.join(work, 'oci'), [debian, node, python, { root: planted }]);
  report = (await checkImage(src, { cache: false })).report;
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the secret shapes on real Debian, Node and Python content', () => {
  it('reads the image, with its Python and Node trees', () => {
    expect(report.files.length).toBeGreaterThan(5000);
    expect(report.files.some((f) => f.path.startsWith('/usr/lib/python3'))).toBe(true);
  });

  it('raises no secret finding at error severity but the planted one', () => {
    const secrets = report.findings.filter((f) => f.category === 'secret');
    console.log(`secret findings on the world's Debian+Node+Python image: ${secrets.length}`);
    for (const f of secrets.slice(0, 40)) console.log(`  ${f.id} ${f.severity} ${f.message}`);
    expect(secrets.filter((f) => f.severity === 'error').map((f) => [f.id, f.path])).toEqual([
      ['SG507', '/app/settings.py'],
    ]);
  });
});
