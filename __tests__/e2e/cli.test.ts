// The bundled CLI (dist/cli.js) as users run it, under Node 20 (the machines) and Node 24 (GitHub's
// node24 runner). dist/ must be current: `npm run bundle`.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/types/report.js';
import { cli, stderrLines } from '../helpers/cli.js';
import { TestImages, type BuiltImage } from '../helpers/images.js';
import { node24, run, type RunResult } from '../helpers/world.js';

const images = new TestImages();
let sc: BuiltImage;
let bb: BuiltImage;
let truncated: string;

beforeAll(async () => {
  sc = await images.get('scratch-copy');
  bb = await images.get('busybox-os');
  // Cut inside the first layer.tar: a corrupt input, not a usage error.
  const whole = readFileSync(sc.dockerArchive);
  truncated = path.join(images.tmp('bad'), 'truncated.tar');
  writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
});
afterAll(() => images.cleanup());

const SIZE = String.raw`\d+(?:\.\d+)? (?:B|kB|MB|GB)`;

/** Exit 2, nothing on stdout, and exactly one line on stderr: "slimgate: …", with no stack trace. */
function expectOneLineError(r: RunResult): string {
  expect(r.status, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(2);
  expect(r.stdout).toBe('');
  const lines = stderrLines(r);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^slimgate: \S/);
  expect(r.stderr).not.toContain('    at ');
  return lines[0]!;
}

describe.each([
  ['Node 20', () => process.execPath],
  ['Node 24', () => node24()],
])('dist/cli.js on %s', (label, nodeBin) => {
  let node: string;
  beforeAll(() => {
    node = nodeBin();
    const version = run(node, ['--version']).stdout.trim();
    expect(version).toMatch(label === 'Node 24' ? /^v24\./ : /^v20\./);
  });

  it('inspect prints labelled sizes and a layer table', () => {
    const r = cli(['inspect', `oci:${sc.ociDir}:${sc.ociRef}`], node);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe(''); // progress goes to stderr only when it is a TTY
    const out = r.stdout;
    expect(out).toMatch(new RegExp(`${SIZE} uncompressed`));
    expect(out).toMatch(new RegExp(`${SIZE} compressed`));
    const lines = out.split('\n');
    const title = lines.findIndex((l) => /^Layers \(\d+\)$/.test(l.trim()));
    expect(title, out).toBeGreaterThanOrEqual(0);
    const count = Number(/\((\d+)\)/.exec(lines[title]!)![1]);
    expect(count).toBe(sc.diffIds.length);
    const header = lines[title + 1]!;
    for (const col of ['#', 'compressed', 'uncompressed', 'files', 'wasted']) expect(header).toContain(col);
    const rows = lines.slice(title + 2, title + 2 + count);
    rows.forEach((row, i) => {
      expect(row).toMatch(new RegExp(`^\\s*${i + 1}\\s+${SIZE}\\s+${SIZE}\\s+\\d+\\s+${SIZE}`));
    });
  });

  it('inspect of a docker-archive labels what the archive stores', () => {
    const r = cli(['inspect', `docker-archive:${sc.dockerArchive}`], node);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${SIZE} uncompressed`));
    expect(r.stdout).toContain(sc.id);
  });

  it('inspect --json prints report schemaVersion 1', () => {
    const r = cli(['inspect', `docker-archive:${sc.dockerArchive}`, '--json'], node);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as Report;
    expect(doc.schemaVersion).toBe(1);
    expect(doc.image.digest).toBe(sc.id);
    expect(doc.image.config.user).toBe('65532');
    expect(doc.layers.map((l) => l.diffId)).toEqual(sc.diffIds);
    expect(doc.files.find((f) => f.path === '/bin/busybox')).toMatchObject({ type: 'file', mode: '0755' });
    expect(doc.size.uncompressed).toBeGreaterThan(readFileSync('/bin/busybox').length);
  });

  it('inspect lists the largest file among the largest files', () => {
    // /bin/busybox (1.9 MB) is by far the largest file in busybox-os; on disk it is a plain file.
    const r = cli(['inspect', `docker-archive:${bb.dockerArchive}`], node);
    expect(r.status, r.stderr).toBe(0);
    const section = r.stdout.split(/\n\s*\n/).find((s) => s.startsWith('Largest files'));
    expect(section, r.stdout).toBeDefined();
    expect(section!.split('\n')[1]).toMatch(/\/bin\/busybox$/);
  });

  it('--help exits 0 with the usage', () => {
    const r = cli(['--help'], node);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/usage/i);
    expect(r.stdout).toContain('inspect');
    expect(r.stderr).toBe('');
  });

  it.each([
    ['an unknown command', ['frobnicate', 'x']],
    ['a missing source', ['inspect']],
    ['a nonexistent path', ['inspect', './no/such/image.tar']],
    ['a nonexistent docker-archive', ['inspect', 'docker-archive:/no/such/image.tar']],
    ['a bad --platform', ['inspect', 'PLACEHOLDER', '--platform', 'linux']],
    ['an unknown flag', ['inspect', 'PLACEHOLDER', '--frobnicate']],
    ['a truncated archive', ['inspect', 'TRUNCATED']],
  ])('%s exits 2 with one line on stderr', (_, args) => {
    const argv = args.map((a) =>
      a === 'PLACEHOLDER' ? `docker-archive:${sc.dockerArchive}` : a === 'TRUNCATED' ? truncated : a,
    );
    expectOneLineError(cli(argv, node));
  });
});
